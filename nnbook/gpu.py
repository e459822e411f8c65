"""Chapter 13, *Training on GPUs*: peaks, the roofline, throughput, memory and cost.

The chapter teaches the formulas (``#@save`` cells: arithmetic intensity, the roofline, a
CPU's peak, model FLOPs utilisation, the memory of a training step, the time of a run); the
package adds the tables and the measurements around them (a GPU's datasheet peaks, what this
CPU is, a matrix product's FLOP/s, a training step's tokens per second, the bytes autograd
saves, the profiler's peak), which ``python -m nnbook.benchmark`` also uses on a GPU machine.
It needs only PyTorch, numpy and the standard library, so that script runs on any machine
that has PyTorch, Jupyter or not.
"""

import contextlib
import math
import os
import platform
import re
import sys

import torch

from nnbook.timing import measure
from nnbook.validation import as_choice, as_int

# Dense peak TFLOP/s of the tensor cores by dtype (plain fp32 on the CUDA cores) and memory
# bandwidth in GB/s, from NVIDIA's datasheets. Datasheets since the A100 print tensor-core
# figures "with sparsity": the dense peak, which a dense matrix product can reach, is half.
GPU_PEAKS = {
    "V100": {"name": "NVIDIA V100 (SXM2)", "float32": 15.7, "float16": 125.0,
             "bandwidth": 900},
    "T4": {"name": "NVIDIA T4", "float32": 8.1, "float16": 65.0, "bandwidth": 320},
    "A100": {"name": "NVIDIA A100 (SXM, 80 GB)", "float32": 19.5, "tf32": 156.0,
             "bfloat16": 312.0, "float16": 312.0, "bandwidth": 2039},
    "L4": {"name": "NVIDIA L4", "float32": 30.3, "tf32": 60.0, "bfloat16": 121.0,
           "float16": 121.0, "bandwidth": 300},
    "H100": {"name": "NVIDIA H100 (SXM)", "float32": 67.0, "tf32": 494.5,
             "bfloat16": 989.5, "float16": 989.5, "bandwidth": 3350},
    "H200": {"name": "NVIDIA H200 (SXM)", "float32": 67.0, "tf32": 494.5,
             "bfloat16": 989.5, "float16": 989.5, "bandwidth": 4800},
}
DTYPES = {"float32": torch.float32, "tf32": torch.float32, "bfloat16": torch.bfloat16,
          "float16": torch.float16}
BYTES = {"float32": 4, "tf32": 4, "bfloat16": 2, "float16": 2}


# --- the formulas (Sections 13.1, 13.4, 13.5, 13.9, 13.11) -------------------

def matmul_intensity(n, bytes_per_element):
    """FLOPs per byte of an (n × n) @ (n × n) product: 2 n³ FLOPs over the
    3 n² elements read and written once."""
    return 2 * n**3 / (3 * n**2 * bytes_per_element)


def attainable_flops(intensity, peak_flops, bandwidth):
    """The roofline: FLOP/s a kernel of ``intensity`` FLOPs per byte can
    reach on a device of ``peak_flops`` FLOP/s and ``bandwidth`` bytes/s."""
    return min(peak_flops, intensity * bandwidth)


def cpu_peak_flops(cores, ghz, flops_per_cycle):
    """A CPU's peak FLOP/s: cores × clock × FLOPs per core and cycle."""
    return cores * ghz * 1e9 * flops_per_cycle


def model_flops_utilization(tokens_per_second, flops_per_token, peak_flops):
    """The share of the peak that training does useful work at: the
    backward pass costs about twice the forward, so a step costs three
    times the forward FLOPs of each token."""
    return 3 * flops_per_token * tokens_per_second / peak_flops


def training_state_bytes(num_params, bytes_per_value=4, optimizer_slots=2):
    """Bytes of a model in training, beside its activations: the weights,
    their gradients, and the optimiser's state (Adam keeps 2 values per
    weight, SGD with momentum 1, plain SGD 0)."""
    return num_params * bytes_per_value * (2 + optimizer_slots)


def training_days(num_params, num_tokens, peak_flops, mfu, num_devices=1):
    """Days to train a transformer of ``num_params`` weights on
    ``num_tokens`` tokens: 6 FLOPs per weight and token (2 forward,
    4 backward), at ``mfu`` of the peak on every device."""
    return 6 * num_params * num_tokens / (peak_flops * mfu * num_devices) \
        / 86400


# --- what the device is -------------------------------------------------------

def gpu_peak(name, dtype="bfloat16"):
    """(datasheet name, dense peak FLOP/s, bandwidth bytes/s) of the GPU whose
    ``torch.cuda.get_device_name`` is ``name``, or None if the table lacks it."""
    as_choice(dtype, "dtype", tuple(DTYPES))
    for word in re.split(r"[^A-Za-z0-9]+", name):
        entry = GPU_PEAKS.get(word.upper())
        if entry is not None:
            tflops = entry.get(dtype, entry["float32"])
            return entry["name"], tflops * 1e12, entry["bandwidth"] * 1e9
    return None


def cpu_info():
    """What this CPU is, from /proc/cpuinfo where there is one: its name,
    vendor, clock in GHz (as the OS reports it: often the base clock, not a
    boost) and instruction-set flags; ``cores`` is PyTorch's thread count."""
    fields = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    mhz = float(fields["cpu MHz"]) if fields.get("cpu MHz") else None
    return {"name": fields.get("model name", platform.processor() or platform.machine()),
            "vendor": fields.get("vendor_id", ""),
            "ghz": mhz / 1000 if mhz else None,
            "flags": set(fields.get("flags", "").split()),
            "cores": torch.get_num_threads()}


def flops_per_cycle(info, dtype="float32"):
    """FLOPs one core can do per cycle, guessed from its instruction set: a
    fused multiply-add (2 FLOPs) on every lane of two vector units. AVX-512
    holds 16 fp32 lanes, AVX2 8, SSE 4; AMD's Zen 4 runs 512-bit instructions
    as two 256-bit halves, so it counts 8. bf16 dot products (avx512_bf16)
    do twice as many. Check the guess against the vendor's specification."""
    as_choice(dtype, "dtype", ("float32", "bfloat16"))
    flags = info["flags"]
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags else 4
    if lanes == 16 and info["vendor"] == "AuthenticAMD":
        lanes = 8
    per_cycle = 2 * 2 * lanes * (1 if ("fma" in flags or "avx512f" in flags) else 0.5)
    if dtype == "bfloat16" and "avx512_bf16" in flags:
        per_cycle *= 2
    return int(per_cycle)


def device_peak(device, dtype="float32"):
    """(description, peak FLOP/s) of ``device``: a GPU's from the datasheet
    table (None if it is not in it), the CPU's worked out from its cores,
    clock and instruction set (None if the OS reports no clock)."""
    device = torch.device(device)
    if device.type == "cuda":
        found = gpu_peak(torch.cuda.get_device_name(device), dtype)
        return (found[0], found[1]) if found else (torch.cuda.get_device_name(device), None)
    info = cpu_info()
    if device.type != "cpu" or info["ghz"] is None:
        return info["name"], None
    per_cycle = flops_per_cycle(info, "bfloat16" if dtype == "bfloat16" else "float32")
    return info["name"], cpu_peak_flops(info["cores"], info["ghz"], per_cycle)


# --- measurements ---------------------------------------------------------------

def matmul_throughput(n, dtype="float32", device="cpu", repeats=5, seconds=0.05):
    """FLOP/s of an (n × n) @ (n × n) product in ``dtype`` on ``device``:
    the median of ``repeats`` timings, each of enough products to take
    about ``seconds`` (after one timed trial to size them). "tf32" lets a
    GPU's tensor cores round fp32 inputs to tf32 for the product."""
    n = as_int(n, "n", minimum=1)
    as_choice(dtype, "dtype", tuple(DTYPES))
    device = torch.device(device)
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = dtype == "tf32"
    try:
        a = torch.randn(n, n, device=device).to(DTYPES[dtype])
        b = torch.randn(n, n, device=device).to(DTYPES[dtype])
        trial = measure(lambda: a @ b, repeats=1, device=device).median
        number = max(1, min(10_000, int(seconds / max(trial, 1e-7))))
        timing = measure(lambda: a @ b, number=number, repeats=repeats, device=device)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    return 2 * n**3 / timing.median


def saved_activation_bytes(fn, exclude=()):
    """Call ``fn()`` (which runs a forward pass) and return (its result, the
    bytes of the tensors autograd saves for the backward pass), each
    storage counted once however many tensors view it, leaving out the
    storages of the tensors in ``exclude`` (the weights, say, which autograd
    saves too but which exist anyway)."""
    skip = {tensor.untyped_storage().data_ptr() for tensor in exclude}
    storages = {}

    def pack(tensor):
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in skip:
            storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        result = fn()
    return result, sum(storages.values())


@contextlib.contextmanager
def quiet_stderr():
    """Send what is written to the process's standard error (file descriptor 2,
    where PyTorch's C++ profiler prints its tracing lines) to nowhere, for the
    duration of a ``with`` block."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def profiled(fn, profile_memory=False):
    """Run ``fn()`` under ``torch.profiler`` (the CPU, and CUDA where there
    is a GPU) and return the profile; its tracing lines are silenced."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU]
    if torch.cuda.is_available():
        activities.append(ProfilerActivity.CUDA)
    with quiet_stderr(), profile(activities=activities,
                                 profile_memory=profile_memory) as prof:
        fn()
    return prof


def profiled_peak_bytes(fn):
    """The most memory that ``fn()`` held at once above what was allocated
    before the call, in bytes, from the profiler's memory view: each
    operation's own allocations less its releases (and those made outside
    any operation), added up in the order they started. On a GPU,
    ``torch.cuda.max_memory_allocated`` reads the allocator's peak directly."""
    held = peak = 0
    events = profiled(fn, profile_memory=True).events()
    for event in sorted(events, key=lambda e: e.time_range.start):
        held += (event.cpu_memory_usage if event.name == "[memory]"
                 else event.self_cpu_memory_usage)
        peak = max(peak, held)
    return peak


def round_sig(x, digits=3):
    """``x`` rounded to ``digits`` significant digits (0 stays 0)."""
    return 0.0 if x == 0 else round(x, digits - 1 - math.floor(math.log10(abs(x))))


def machine_summary(device):
    """One line naming the device, PyTorch's version and the thread count."""
    device = torch.device(device)
    name = (torch.cuda.get_device_name(device) if device.type == "cuda"
            else cpu_info()["name"])
    return (f"{name} ({device.type}), PyTorch {torch.__version__}, "
            f"{torch.get_num_threads()} threads, {os.cpu_count()} CPUs")


def train_step(model, loss_fn, optimizer, X, y, amp_dtype=None, scaler=None):
    """One training step on the batch (X, y), under ``torch.autocast`` in
    ``amp_dtype`` if given (a ``GradScaler`` scales the loss for fp16);
    returns the loss as a 0-d tensor, left on the device (reading it would
    wait for the device). The unit the chapter's throughputs time."""
    device_type = X.device.type
    with torch.autocast(device_type, dtype=amp_dtype or torch.float32,
                        enabled=amp_dtype is not None):
        loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    if scaler is not None:
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    else:
        loss.backward()
        optimizer.step()
    return loss.detach()
