"""A background runner for the book's live explorers: it trains while the reader watches.

Chapter 3's playground uses it, and so will every later explorer that trains live.
A :class:`Runner` calls ``step()`` again and again in a background thread, so the
controls stay responsive, and hands ``snapshot()`` to ``on_frame`` several times a
second. ``start()``, ``pause()``, ``reset(fn)``, ``apply(fn)`` and ``close()`` may be
called at any moment from the controls.

Rules that keep it safe:

- one thread and one stop event per run: a run that is still stopping can never be
  revived by the next ``start()``, and the next run waits for it to end, so two runs
  never train at once;
- ``step``, ``snapshot`` and every change made through ``apply``/``reset`` hold ``lock``;
  drawing does not, so a setting changed mid-run (``with runner.lock:``) waits for one
  step at most, never for a frame;
- the throttle: a frame when ``1 / frames_per_second`` has passed, and never more than
  ``drawing_share`` of the time (a third by default) spent drawing, so a slow figure
  slows the frames, not training;
- an exception in the thread ends the run, is kept in ``error`` (with what to do next)
  and reported through ``on_state``; ``start``, ``apply`` and ``reset`` clear it.
"""

import collections
import contextlib
import io
import statistics
import threading
import time
import weakref

from nnbook.validation import as_fraction, as_function, as_positive

FRAMES_PER_SECOND = 6
MAX_STEPS_PER_SECOND = 200  # paces training so that the reader can watch it
DRAWING_SHARE = 1 / 3  # the most of its time a run spends drawing frames
HINT = "Change a setting or press ↺ reset, then ▶ start again."
# Every runner not yet garbage-collected, so that a re-run widget cell can stop the
# runner its previous output left behind (the reader can no longer reach its buttons).
_RUNNERS = weakref.WeakSet()


class _Run:
    """One run: its thread and its own stop event (never shared with another run)."""

    def __init__(self, target, previous, name):
        self.stop = threading.Event()
        self.thread = threading.Thread(target=target, args=(self, previous), name=name,
                                       daemon=True)


class Runner:
    """Runs ``step`` in a background thread and shows ``snapshot`` several times a second.

    step: a function of no argument that does one unit of work (an epoch) and returns
    True to go on, False to stop (done, or diverged); called with ``lock`` held.
    snapshot: a function of no argument returning what a frame shows (copies, so that
    drawing may go on while training does); called with ``lock`` held.
    on_frame: called with that snapshot, from the training thread while running.
    on_state: called with no argument when a run starts or ends, or an error appears
    (update the buttons there); from whichever thread changed the state.
    name: the threads' name (tests find them with ``threading.enumerate()``).
    drawing_share: the largest share of the time spent drawing frames, between 0 and 1.
    """

    def __init__(self, step, snapshot, on_frame, on_state=None, name="nnbook-runner",
                 frames_per_second=FRAMES_PER_SECOND,
                 max_steps_per_second=MAX_STEPS_PER_SECOND, hint=HINT,
                 drawing_share=DRAWING_SHARE):
        self._step, self._snapshot = as_function(step, "step"), as_function(snapshot, "snapshot")
        self.on_frame = as_function(on_frame, "on_frame")
        self.on_state = on_state if on_state is None else \
            as_function(on_state, "on_state", "a function or None")
        self.name, self.hint = name, hint
        self.frame_interval = 1 / as_positive(frames_per_second, "frames_per_second")
        self.step_interval = 1 / as_positive(max_steps_per_second, "max_steps_per_second")
        self.drawing_share = as_fraction(drawing_share, "drawing_share")
        self.lock = threading.RLock()
        self._switch = threading.Lock()  # two quick clicks must not both start a run
        # A run still finishing its last step and a button may both show a frame: never
        # into the same figure at once (matplotlib is not thread-safe).
        self._drawing = threading.Lock()
        self.error, self.closed, self._run = None, False, None
        _RUNNERS.add(self)

    @property
    def running(self):
        """True while a run's thread is alive and not asked to stop."""
        run = self._run
        return run is not None and run.thread.is_alive() and not run.stop.is_set()

    def start(self):
        """Start (or resume) training in the background; nothing if it runs or is closed."""
        with self._switch:
            if self.running or self.closed:
                return
            previous = self._run
            if previous is not None:
                previous.stop.set()  # its own event: a run still stopping stays stopped
            self.error = None
            self._run = _Run(self._loop, previous.thread if previous else None, self.name)
            self._run.thread.start()
        self._notify()

    def pause(self, timeout=5.0):
        """Ask the run to stop after its current step and wait up to ``timeout`` seconds.
        Returns True when no thread is left running."""
        run = self._run
        if run is None:
            return True
        run.stop.set()
        if run.thread is not threading.current_thread():
            run.thread.join(timeout)
        self._notify()
        return not run.thread.is_alive()

    def apply(self, fn):
        """Pause, then call ``fn()`` with the lock held (step by hand, swap in a new
        setting…) and show the result. An exception is kept in ``error``, not raised:
        the widget shows it. Returns True if ``fn`` succeeded."""
        self.pause()
        self.error = None
        try:
            with self.lock:
                fn()
            self.show()
            self._notify()  # the error, if any, is gone
        except Exception as err:  # shown to the reader, like a crash in the thread
            self.error = self._describe(err)
            self._notify()
            return False
        return True

    def reset(self, fn):
        """Pause, forget any error, call ``fn()`` (go back to the start) and show it."""
        return self.apply(fn)

    def close(self):
        """Stop for good: pause, and ignore any later ``start()`` (the widget is gone)."""
        self.closed = True
        _RUNNERS.discard(self)
        return self.pause()

    def show(self):
        """Hand a snapshot to ``on_frame`` now, from the calling thread."""
        with self.lock:
            snapshot = self._snapshot()
        with self._drawing:
            self.on_frame(snapshot)

    def _notify(self):
        if self.on_state is not None:
            self.on_state()

    def _describe(self, err):
        return f"{type(err).__name__}: {err}. {self.hint}"

    def _loop(self, run, previous):
        if previous is not None:
            previous.join()  # the last run is finishing its step: one trainer at a time
        try:
            self._train(run.stop)
        except Exception as err:  # a crash must reach the reader, not die with the thread
            if self._run is run:
                self.error = self._describe(err)
        finally:
            run.stop.set()
            if self._run is run:  # a newer run owns the buttons otherwise
                self._notify()

    def _train(self, stop):
        last_frame, drawing = float("-inf"), collections.deque(maxlen=5)
        while not stop.is_set():
            started = time.perf_counter()
            with self.lock:
                going = self._step()
            # at most frames_per_second, and never more than drawing_share of the time
            # drawing (judged on the median of the last frames: one slow frame is not the
            # rule); always the last frame (done or diverged), before the run counts as ended
            typical = statistics.median(drawing) if drawing else 0.0
            wait = max(self.frame_interval, typical / self.drawing_share)
            if not going or started - last_frame >= wait:
                last_frame = time.perf_counter()
                self.show()
                drawing.append(time.perf_counter() - last_frame)
            if not going:
                return
            stop.wait(max(0.0, self.step_interval - (time.perf_counter() - started)))


def pause_all(name, keep=None):
    """Pause every runner called ``name`` except ``keep``: a widget cell run again
    calls it, so that the runner of its previous output stops training unseen."""
    for runner in list(_RUNNERS):
        if runner.name == name and runner is not keep and runner.running:
            runner.pause()


def encode_png(canvas):
    """A Matplotlib canvas' pixels as PNG bytes, compressed little: quick to
    make, and a frame travels to the browser on the same machine (the
    frames every live widget shows)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(),
                             "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


@contextlib.contextmanager
def one_thread():
    """Run PyTorch on one thread inside the block, then as before. The live
    widgets' models are tiny: a second thread saves nothing, and on a busy
    machine threads wait on each other (10 steps took 15 to 25 times longer
    with 2 threads than with 1 on a loaded 2-core machine)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
