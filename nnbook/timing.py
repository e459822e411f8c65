"""Honest timing of a piece of code: warm-up, repeats, the median, and a synchronised GPU.

One helper for every measurement in the book (Chapter 5's step times, ``make bench``, and the
GPU chapter later), so each is taken the same way:

- warm-up calls first (caches, lazy initialisation, a GPU's kernel selection are not timed);
- several repeats, each of ``number`` calls, and the median per call (robust to a repeat that
  the operating system interrupted), with the spread reported beside it;
- work queued on a GPU is asynchronous: the clock is read only after the device has finished
  (``torch.cuda.synchronize``), or it would time the queueing, not the work; on a CUDA
  device the clock is the device's own (a pair of CUDA events recorded around the calls);
- the garbage collector pauses while the clock runs, as in Python's ``timeit``, so that a
  sweep triggered by earlier work is not counted against the code being timed.
"""

import gc
import statistics
import sys
import time
from dataclasses import dataclass, field

from nnbook.validation import as_function, as_int


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median over repeats, with the fastest and slowest repeat;
    ``result`` is what the last call returned."""

    median: float
    best: float
    worst: float
    repeats: int
    number: int
    result: object = field(default=None, repr=False, compare=False)

    def __str__(self):
        return f"{_human(self.median)} per call (median of {self.repeats}; {_human(self.best)}–{_human(self.worst)})"


def _human(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def synchronize(device=None):
    """Wait until the device has finished its queued work (a no-op on the CPU)."""
    torch = sys.modules.get("torch")
    if torch is None:
        return
    kind = getattr(device, "type", device)
    if kind in (None, "cuda") and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
    elif kind == "mps" and hasattr(torch, "mps") and torch.backends.mps.is_available():
        torch.mps.synchronize()


def _cuda_events(device):
    """A pair of CUDA events when ``device`` is a CUDA device, else None."""
    torch = sys.modules.get("torch")
    if torch is None or device is None or torch.device(device).type != "cuda":
        return None
    return torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)


def _timed(fn, number, device):
    """(seconds that ``number`` calls of ``fn`` take, the last call's result), the device's
    queue drained first."""
    events = _cuda_events(device)
    synchronize(device)
    if events is not None:       # the GPU's own clock, read when its queue reaches each event
        events[0].record()
        for _ in range(number):
            result = fn()
        events[1].record()
        events[1].synchronize()
        return events[0].elapsed_time(events[1]) / 1000, result
    start = time.perf_counter()
    for _ in range(number):
        result = fn()
    synchronize(device)
    return time.perf_counter() - start, result


def measure(fn, number=1, repeats=5, warmup=1, device=None):
    """Time ``fn()`` (no arguments): returns a :class:`Timing` of seconds per call,
    holding the last call's result.

    number: calls per repeat (raise it for calls much shorter than a millisecond);
    repeats: timed repeats (the median is reported); warmup: untimed calls first;
    device: the torch device the work runs on, synchronised before each clock reading.
    """
    number, repeats = as_int(number, "number", minimum=1), as_int(repeats, "repeats", minimum=1)
    warmup = as_int(warmup, "warmup", minimum=0)
    as_function(fn, "fn", "a function to call with no arguments")
    for _ in range(warmup):
        fn()
    times, enabled = [], gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            seconds, result = _timed(fn, number, device)
            times.append(seconds / number)
    finally:
        if enabled:
            gc.enable()
    return Timing(statistics.median(times), min(times), max(times), repeats, number, result)
