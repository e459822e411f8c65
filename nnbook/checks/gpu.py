"""Checks for the exercises of Chapter 13, *Training on GPUs*."""

import math

import numpy as np
import torch
from torch import nn

from nnbook.attention import flops_per_token
from nnbook.checks import numbers as _numbers
from nnbook.checks import returned as _returned
from nnbook.checks import CheckFailed, check, choice, close, expect
from nnbook.gpu import GPU_PEAKS


def _as_number(value, name):
    """A numeric answer (int, float, 0-d array or one-element tensor) as a float."""
    value = _numbers(value)
    try:
        if isinstance(value, (str, bytes)):
            raise TypeError(value)
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} should be a number, got {type(value).__name__}") from None
    expect(array.size == 1, f"{name} should be one number, got shape {array.shape}")
    return float(array.reshape(()))


def _as_numbers(value, count, call, names):
    """A tuple (or list, array, tensor) of ``count`` numbers, as floats."""
    value = _numbers(_returned(value, call))
    if isinstance(value, np.ndarray) and value.shape == (count,):
        value = list(value)
    expect(isinstance(value, (tuple, list)) and len(value) == count,
           f"{call} should return {count} numbers ({names}), got {type(value).__name__}"
           + (f" of {len(value)}" if isinstance(value, (tuple, list)) else ""))
    return [_as_number(v, f"{call}[{i}]") for i, v in enumerate(value)]


def _near(got, want, rtol):
    return math.isclose(got, want, rel_tol=rtol, abs_tol=1e-12)


def _judge(got, want, slips, what, rtol=1e-6):
    """Fail unless ``got`` is ``want``; a ``got`` that equals a slip's value
    is told why. slips: (value, why) pairs."""
    if _near(got, want, rtol):
        return
    digits = 4 if f"{got:.4g}" != f"{want:.4g}" else 7   # show where they differ
    said = f"{what} should be {want:.{digits}g}, got {got:.{digits}g}"
    for slip, why in slips:
        expect(not _near(got, slip, rtol), f"{said}: {why}")
    raise CheckFailed(said)


def _call(name, args):
    return f"{name}({', '.join(f'{a:g}' if isinstance(a, float) else repr(a) for a in args)})"


# Exercise 1 -----------------------------------------------------------------

LINEAR_CASES = ((64, 784, 10, 4), (1, 4096, 4096, 4), (256, 4096, 4096, 2),
                (32, 3, 5, 4), (1, 1, 1, 8), (1024, 768, 3072, 2))


def _linear_cost(batch, n_in, n_out, bytes_per_value):
    flops = 2 * batch * n_in * n_out
    values = batch * n_in + n_in * n_out + n_out + batch * n_out
    return flops, bytes_per_value * values, flops / (bytes_per_value * values)


def _flops_slips(batch, n_in, n_out):
    product = batch * n_in * n_out
    return ((product, "a multiply-add is 2 FLOPs: 2 · batch · n_in · n_out"),
            (2 * product + batch * n_out, "this exercise leaves out the bias adds, as "
                                          "Chapter 9's count does: 2 · batch · n_in · n_out"),
            (2 * n_in * n_out, "every row of the batch is multiplied by W: "
                               "2 · batch · n_in · n_out"))


def _bytes_slips(batch, n_in, n_out, size):
    x, w, b, y = batch * n_in, n_in * n_out, n_out, batch * n_out
    return ((x + w + b + y, "count bytes, not values: multiply by bytes_per_value"),
            (8 * size * (x + w + b + y), "bytes_per_value is already in bytes; a byte has "
                                         "8 bits"),
            (size * (x + w + y), "the bias b is read too: n_out values"),
            (size * (x + w + b), "the output Y is written too: batch · n_out values"),
            (size * (x + batch * w + b + y), "W is read once for the whole batch, not once "
                                             "per row"),
            (size * w, "X, b and Y move too, not only W"))


@check
def check_linear_cost(linear_cost):
    """Exercise 1: a linear layer's FLOPs, bytes moved and arithmetic intensity."""
    for case in LINEAR_CASES:
        call = _call("linear_cost", case)
        got = _as_numbers(linear_cost(*case), 3, call, "flops, num_bytes, intensity")
        want = _linear_cost(*case)
        _judge(got[0], want[0], _flops_slips(*case[:3]), f"the FLOPs of {call}")
        _judge(got[1], want[1], _bytes_slips(*case), f"the bytes of {call}")
        _judge(got[2], want[2], ((want[1] / want[0], "FLOPs per byte: divide the FLOPs by "
                                  "the bytes"),
                                 (want[2] * case[3], "divide by the bytes, not the number "
                                  "of values")), f"the intensity of {call}")
    one = _linear_cost(*LINEAR_CASES[1])[2]
    big = _linear_cost(*LINEAR_CASES[2])[2]
    return (f"{len(LINEAR_CASES)} shapes right; a 4096 → 4096 layer: {one:.2g} FLOP/byte "
            f"on 1 row, {big:.3g} on 256")


# Exercise 2 -----------------------------------------------------------------

H100 = GPU_PEAKS["H100"]
RIDGE = H100["bfloat16"] * 1e12 / (H100["bandwidth"] * 1e9)
N = 4096
KERNELS = (  # what, FLOPs, bytes, why it is where it is
    ("adding two vectors of 1e8 values", 1e8, 3 * 2 * 1e8,
     "one addition for every 6 bytes read and written: no chip does that fast enough "
     "to wait for arithmetic"),
    ("softmax over a row of 4096 scores", 5 * N, 2 * 2 * N,
     "a handful of FLOPs per value read, whatever the row's length"),
    ("a 4096 × 4096 @ 4096 × 4096 product", 2 * N**3, 3 * 2 * N**2,
     "2n³ FLOPs on 3n² values: the intensity grows with n, here far past the ridge"),
    ("a 4096 → 4096 layer on 1 token", 2 * N**2, 2 * (N**2 + 2 * N),
     "each weight is read for one multiply-add: about 1 FLOP per byte, however large the "
     "matrix"),
    ("a 4096 → 4096 layer on 256 tokens", 2 * 256 * N**2, 2 * (N**2 + 2 * 256 * N),
     "256 tokens reuse each weight 256 times, yet that is still under the ridge"),
    ("a 4096 → 4096 layer on 1024 tokens", 2 * 1024 * N**2, 2 * (N**2 + 2 * 1024 * N),
     "1024 tokens reuse each weight often enough to pass the ridge"),
)


def _bound(text, index):
    """'memory' or 'compute' from a learner's label, or a message."""
    word = text.strip().lower() if isinstance(text, str) else ""
    for kind in ("memory", "compute"):
        if word in (kind, f"{kind}-bound", f"{kind} bound", f"{kind}_bound"):
            return kind
    raise CheckFailed(f"bound[{index}] should be \"memory\" or \"compute\", got {text!r}")


@check
def check_roofline(ridge, bound):
    """Exercise 2: the H100's ridge point (bf16) and which kernels are memory-bound."""
    _judge(_as_number(ridge, "ridge"), RIDGE, (
        (1 / RIDGE, "FLOPs per byte: the peak FLOP/s divided by the bandwidth in bytes/s"),
        (H100["float32"] * 1e12 / (H100["bandwidth"] * 1e9), "these kernels are bf16: use "
         "the bf16 peak, not fp32's"),
        (H100["bfloat16"] / H100["bandwidth"], "convert both to base units first: TFLOP/s "
         "× 1e12 and GB/s × 1e9"),
        (2 * RIDGE, "the table holds the dense peak already; datasheets' doubled figures "
         "are 'with sparsity'")), "ridge", rtol=5e-3)
    bound = _numbers(bound)
    expect(isinstance(bound, (tuple, list)) and len(bound) == len(KERNELS),
           f"bound should be a tuple of {len(KERNELS)} words, one per kernel, got "
           f"{type(bound).__name__}" + (f" of {len(bound)}"
                                        if isinstance(bound, (tuple, list)) else ""))
    for index, ((what, flops, size, why), label) in enumerate(zip(KERNELS, bound)):
        right = "compute" if flops / size > RIDGE else "memory"
        expect(_bound(label, index) == right,
               f"bound[{index}], {what}, is {right}-bound: {flops / size:.3g} FLOP/byte, "
               f"{'above' if right == 'compute' else 'under'} the ridge of {RIDGE:.3g}; "
               + why)
    count = sum(flops / size < RIDGE for _, flops, size, _ in KERNELS)
    return (f"ridge at {RIDGE:.3g} FLOP/byte; {count} of the {len(KERNELS)} kernels "
            "are memory-bound")


# Exercise 3 -----------------------------------------------------------------

RECIPES = {  # recipe: bytes per parameter, what they are
    "fp32 sgd": (8, "4 (weights) + 4 (gradients)"),
    "fp32 sgd-momentum": (12, "4 (weights) + 4 (gradients) + 4 (momentum)"),
    "fp32 adam": (16, "4 (weights) + 4 (gradients) + 8 (two moments)"),
    "mixed adam": (16, "2 (bf16 weights) + 2 (bf16 gradients) + 4 (fp32 master weights) "
                       "+ 8 (two fp32 moments)"),
}
STATE_SLIPS = {  # (recipe, bytes per parameter): why
    ("fp32 sgd", 4): "the gradients take as much as the weights",
    ("fp32 sgd-momentum", 8): "momentum keeps one more value per weight",
    ("fp32 adam", 12): "Adam keeps two moments per weight, not one",
    ("mixed adam", 8): "only the weights and gradients are bf16; the optimiser works on "
                       "fp32 master weights and fp32 moments",
    ("mixed adam", 12): "a 4-byte part is missing: the fp32 master weights, or a moment",
    ("mixed adam", 20): "the gradients are bf16 here, 2 bytes, and counted once",
}
STATE_SIZES = (1, 1000, 124_439_808, 7_000_000_000)
MEMORY_BYTES = 80e9


@check
def check_state_bytes(state_bytes, max_params):
    """Exercise 3: bytes of training state by recipe, and the parameters that fit in 80 GB."""
    for recipe, (per, parts) in RECIPES.items():
        for num_params in STATE_SIZES:
            call = f"state_bytes({num_params}, {recipe!r})"
            got = _as_number(_returned(state_bytes(num_params, recipe), call), call)
            if _near(got, per * num_params, 1e-6):
                continue
            slip = STATE_SLIPS.get((recipe, round(got / num_params, 3)), "")
            expect(not _near(got, 8 * per * num_params, 1e-6), f"{call} should be "
                   f"{per * num_params:.4g} bytes, got {got:.4g}: count bytes, not bits")
            raise CheckFailed(f"{call} should be {per * num_params:.4g} bytes, got {got:.4g}:"
                              f" {(slip + '; ') if slip else ''}{parts} = {per} bytes a "
                              "parameter")
    expect(isinstance(max_params, dict) and set(max_params) == set(RECIPES),
           f"max_params should be a dict with one entry per recipe, {', '.join(RECIPES)}, "
           f"got {max_params!r}"[:300])
    for recipe, (per, _) in RECIPES.items():
        what = f"max_params[{recipe!r}]"
        _judge(_as_number(max_params[recipe], what), MEMORY_BYTES / per, (
            (2**30 * 80 / per, "a GB here is 10⁹ bytes, not 2³⁰"),
            (MEMORY_BYTES * per, "divide the memory by the bytes a parameter takes"),
            (MEMORY_BYTES, f"each parameter takes {per} bytes")), what, rtol=1e-3)
    return (f"80 GB hold {MEMORY_BYTES / RECIPES['mixed adam'][0] / 1e9:.3g} billion "
            f"parameters with mixed-precision Adam, {MEMORY_BYTES / 8 / 1e9:.3g} with SGD")


# Exercise 4 -----------------------------------------------------------------

def _where_to(*args, device=None, dtype=None, **_):
    """The device and dtype a call ``tensor.to(...)`` asks for (None: unchanged)."""
    for arg in args:
        if isinstance(arg, torch.dtype):
            dtype = arg
        elif isinstance(arg, torch.Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (str, torch.device)):
            device = arg
    return (torch.device(device) if device is not None else None), dtype


class _Away(torch.Tensor):
    """A result left on the model's device: a meta tensor, with no data, that
    only ``.cpu()`` or ``.to("cpu")`` bring back as the values it stands for
    (on a machine with no GPU, the meta device plays the GPU)."""

    @staticmethod
    def __new__(cls, values):
        tensor = torch.Tensor._make_subclass(cls, torch.empty(values.shape, device="meta"))
        tensor.values_ = values
        return tensor

    def cpu(self, *args, **kwargs):
        return self.values_.clone()

    def detach(self):
        return _Away(self.values_)

    def to(self, *args, **kwargs):
        device, dtype = _where_to(*args, **kwargs)
        values = self.values_.to(dtype) if dtype is not None else self.values_
        return values.clone() if device is not None and device.type == "cpu" \
            else _Away(values)


class Spy(nn.Module):
    """A model whose one parameter lives on the meta device. Its forward records
    the device of its input, its mode and whether autograd records, and returns
    ``values`` as if computed on its device."""

    def __init__(self, values):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(3, 2, device="meta"))
        self.values = values
        self.seen = []

    def forward(self, x):
        self.seen.append((x.device.type, self.training, torch.is_grad_enabled()))
        return _Away(self.values)


def predict_cases(seed=0):
    """X (5, 2) on the CPU, a Dropout MLP on the CPU (in training mode) and its
    output in eval mode, and the Spy's values (5, 3)."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(5, 2, generator=gen)
    model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.5), nn.Linear(4, 3))
    model.eval()
    with torch.no_grad():
        want = model(X)
    model.train()
    return X, model, want, torch.randn(5, 3, generator=gen)


def _run(predict, model, X, call):
    """The learner's predict(model, X), with the mistakes that raise told apart."""
    try:
        return _returned(predict(model, X), call)
    except StopIteration:
        raise CheckFailed(f"{call} raised StopIteration: next(model.parameters()) finds "
                          "nothing in a model without parameters; use the CPU then, say "
                          "with next(model.parameters(), None)") from None
    except NotImplementedError as err:
        if "meta" not in str(err):
            raise
        raise CheckFailed(f"{call} tried to copy the model's weights off its device: "
                          "move X to the model, not the model to X") from None


def _check_spy(predict, X, values):
    spy = Spy(values)
    call = "predict(model on meta, X on cpu)"
    got = _run(predict, spy, X, call)
    expect(spy.seen, f"{call} never called the model")
    device, training, grad = spy.seen[-1]
    expect(device == "meta", f"{call} gave the model an input on {device}, but its "
           "parameters are on meta: move X to next(model.parameters()).device")
    expect(not training, f"{call} ran the model in training mode: call model.eval() first, "
           "so that dropout and batch norm behave as at test time")
    expect(not grad, f"{call} let autograd record the forward pass: run it under "
           "torch.no_grad() (or torch.inference_mode())")
    expect(not isinstance(got, _Away), f"{call} returned the result on the model's device "
           "(meta): bring it back with .cpu()")
    expect(isinstance(got, torch.Tensor), f"{call} should return a tensor, got "
           f"{type(got).__name__}")
    close(got, values, f"{call}'s result")


@check
def check_predict(predict):
    """Exercise 4: predict(model, X) on the model's device, in eval mode, without
    gradients, the result on the CPU."""
    X, model, want, values = predict_cases()
    _check_spy(predict, X.clone(), values)
    call = "predict(a Dropout MLP in training mode, X)"
    got = _run(predict, model, X.clone(), call)
    expect(isinstance(got, torch.Tensor), f"{call} should return a tensor, got "
           f"{type(got).__name__}")
    expect(not got.requires_grad, f"{call} returned a tensor that requires grad: run the "
           "model under torch.no_grad()")
    close(got, want, f"{call}'s result", rtol=1e-5, atol=1e-6)
    call = "predict(nn.ReLU(), X)"
    got = _run(predict, nn.ReLU(), X.clone(), call)
    expect(isinstance(got, torch.Tensor) and got.device.type == "cpu",
           f"{call}, a model without parameters, should return a tensor on the CPU, got "
           f"{type(got).__name__}")
    close(got, torch.relu(X), f"{call}'s result")
    return "X went to the model's device and back, in eval mode, without gradients"


# Exercise 5 -----------------------------------------------------------------

CONFIGS = {
    "Chapter 9's": dict(vocab_size=12, context=16, dim=64, num_layers=2),
    "GPT-2 small's": dict(vocab_size=50257, context=1024, dim=768, num_layers=12),
    "a 7B model's": dict(vocab_size=32000, context=4096, dim=4096, num_layers=32)}
THROUGHPUT_CASES = (  # config, batch size, seconds per step, peak FLOP/s
    ("Chapter 9's", 32, 0.004, 1e11), ("GPT-2 small's", 16, 0.5, 312e12),
    ("a 7B model's", 4, 1.6, 989.5e12), ("Chapter 9's", 1, 0.001, 5e10))
TARGET_CASES = (  # config, batch size, MFU, peak FLOP/s
    ("GPT-2 small's", 16, 0.4, 312e12), ("a 7B model's", 4, 0.5, 989.5e12),
    ("Chapter 9's", 32, 0.05, 1e11))


def _step_stats(name, batch_size, seconds_per_step, peak_flops):
    config = CONFIGS[name]
    tokens = batch_size * config["context"] / seconds_per_step
    return tokens, 3 * flops_per_token(**config) * tokens / peak_flops


def _ratio_slips(want, ratios):
    return tuple((want * ratio, why) for ratio, why in ratios)


@check
def check_throughput(step_stats, step_seconds):
    """Exercise 5: tokens/s and MFU from a training log, and the step time of a target MFU."""
    for name, batch, seconds, peak in THROUGHPUT_CASES:
        config = CONFIGS[name]
        call = f"step_stats({name} config, {batch}, {seconds:g}, {peak:.4g})"
        tokens, mfu = _as_numbers(step_stats(dict(config), batch, seconds, peak), 2, call,
                                  "tokens per second, MFU")
        want_tokens, want_mfu = _step_stats(name, batch, seconds, peak)
        _judge(tokens, want_tokens, _ratio_slips(want_tokens, (
            (1 / config["context"], "each sequence holds context tokens: batch_size · "
                                    "context tokens a step"),
            (seconds**2, "tokens per second: divide the tokens of a step by its seconds"))),
            f"the tokens per second of {call}")
        _judge(mfu, want_mfu, _ratio_slips(want_mfu, (
            (1 / 3, "a training step costs 3 forward passes: the backward pass about twice "
                    "the forward"),
            (2, "flops_per_token counts the forward pass only once already: 3 × it, not 6 ×"),
            (100, "give MFU as a fraction of 1, not a percentage"),
            (1 / config["context"], "count every token of the sequences: batch_size · "
                                    "context"))), f"the MFU of {call}", rtol=1e-4)
    for name, batch, mfu, peak in TARGET_CASES:
        config = CONFIGS[name]
        call = f"step_seconds({name} config, {batch}, {mfu:g}, {peak:.4g})"
        got = _as_number(_returned(step_seconds(dict(config), batch, mfu, peak), call), call)
        want = 3 * flops_per_token(**config) * batch * config["context"] / (mfu * peak)
        _judge(got, want, _ratio_slips(want, (
            (1 / 3, "a training step costs 3 forward passes"),
            (2, "3 × flops_per_token, not 6 ×: it counts the forward pass once"),
            (mfu**2, "at a lower MFU a step takes longer: divide by mfu"),
            (1 / want**2, "seconds per step, not steps per second"))), f"the seconds of {call}",
            rtol=1e-4)
    tokens, mfu = _step_stats(*THROUGHPUT_CASES[2])
    return f"a 7B model at {tokens:,.0f} tokens/s on an H100: MFU {100 * mfu:.3g} %"


# Exercise 6 -----------------------------------------------------------------

MEMORY_CASES = ((7, 2, 5.0), (16, 4, 1.0), (16, 1, 2.0), (16, 16, 1.0), (100, 3, 1e6),
                (64, 8, 5e7), (1, 1, 1.0))
BEST_K = {16: 4, 64: 8, 100: 10}


def _checkpoint_memory(L, k, A):
    return (math.ceil(L / k) + k) * A


def _extra_compute(L, k):
    last = L - (math.ceil(L / k) - 1) * k
    return (L - last) / (3 * L)


def _memory_slips(L, k, A):
    return (((L // k + k) * A, f"a shorter last segment is a segment too: ceil(L / k) = "
                               f"{math.ceil(L / k)} checkpoints"),
            ((L / k + k) * A, "the number of checkpoints is whole: ceil(L / k)"),
            (math.ceil(L / k) * A, "add the k layers' activations that the backward pass "
                                   "holds while it recomputes a segment"),
            (k * A, "add the ceil(L / k) checkpoints kept from the forward pass"),
            (math.ceil(L / k) + k, "multiply by A, the bytes of each"))


def _extra_slips(L, k):
    want = _extra_compute(L, k)
    return ((3 * want, "as a fraction of the whole step, forward and backward: about 3 "
                       "forward passes"),
            (1 / 3, "the last segment's activations are still held after the forward pass: "
                    "it is not recomputed"),
            ((L - k) / (3 * L), "the last segment holds what is left: L − (ceil(L / k) − 1) "
                                "· k layers"))


def _check_best_k(best_k):
    expect(isinstance(best_k, dict) and set(best_k) == set(BEST_K),
           f"best_k should be a dict L → k for L in {sorted(BEST_K)}, got {best_k!r}"[:200])
    for L, k in BEST_K.items():
        got = _as_number(best_k[L], f"best_k[{L}]")
        expect(got == k, f"best_k[{L}] should be {k}, got {got:.4g}: the k in 1 … {L} with "
               f"the least checkpoint_memory({L}, k, A), {_checkpoint_memory(L, k, 1):.0f} "
               f"A at k = {k}")


@check
def check_checkpointing(checkpoint_memory, extra_compute, best_k):
    """Exercise 6: activation checkpointing's memory and extra compute, and the best k."""
    for L, k, A in MEMORY_CASES:
        call = f"checkpoint_memory({L}, {k}, {A:g})"
        got = _as_number(_returned(checkpoint_memory(L, k, A), call), call)
        _judge(got, _checkpoint_memory(L, k, A), _memory_slips(L, k, A), call)
        call = f"extra_compute({L}, {k})"
        got = _as_number(_returned(extra_compute(L, k), call), call)
        _judge(got, _extra_compute(L, k), _extra_slips(L, k), call)
    _check_best_k(best_k)
    memory = ", ".join(f"{_checkpoint_memory(L, k, 1):.0f}" for L, k in BEST_K.items())
    return (f"k = {', '.join(map(str, BEST_K.values()))} for L = "
            f"{', '.join(map(str, BEST_K))}: {memory} A; "
            f"+{100 * _extra_compute(64, 8):.3g} % compute at L = 64")


# Exercise 7 -----------------------------------------------------------------

COST_OPTIONS = {
    "A": "8 H100 at $4.00 an hour each",
    "B": "64 L4 at $0.70 an hour each",
    "C": "64 A100 at $1.50 an hour each",
    "D": "16 H100 at $5.00 an hour each",
    "E": "32 H200 at $5.50 an hour each",
}
COST_PLANS = {"A": ("H100", 8, 4.0), "B": ("L4", 64, 0.7), "C": ("A100", 64, 1.5),
              "D": ("H100", 16, 5.0), "E": ("H200", 32, 5.5)}
COST_RUN = dict(num_params=7e9, num_tokens=1.4e11, mfu=0.4)
DEADLINE_DAYS = 14
COST_FEEDBACK = {
    "A": "the cheapest, but 8 H100s take 21.5 days, past the 14-day deadline",
    "B": "22 days, past the deadline, and L4s cost the most per FLOP of them all",
    "D": "it meets the deadline in 10.7 days, but costs $20.6k against C's $19.6k",
    "E": "the fastest, 5.4 days, at $22.7k; an H200 has an H100's peak FLOP/s, and its "
         "extra bandwidth does not show in this model",
}
COST_CASES = tuple((*plan, *COST_RUN.values()) for plan in COST_PLANS.values()) + (
    ("A100", 1, 1.5, 124e6, 1e10, 0.3), ("L4", 2, 0.7, 1e9, 2e10, 0.5))


def _run_cost(gpu, count, price, num_params, num_tokens, mfu, *, dtype="bfloat16",
              share=True, per_gpu=True, factor=6):
    """(days, dollars) of a run, or of a plausible slip, chosen by the keywords."""
    seconds = factor * num_params * num_tokens / (
        GPU_PEAKS[gpu][dtype] * 1e12 * mfu * (count if share else 1))
    return seconds / 86400, seconds / 3600 * price * (count if per_gpu else 1)


COST_SLIPS = (
    ({"dtype": "float32"}, "use the bf16 peak of GPU_PEAKS, not fp32's"),
    ({"share": False}, "the GPUs share the FLOPs: count GPUs take 1/count of the time"),
    ({"per_gpu": False}, "the price is per GPU and hour: multiply by the count"),
    ({"factor": 2}, "training costs 6 FLOPs per parameter and token, 2 forward and 4 "
                    "backward"))


def _check_run_cost(run_cost):
    for case in COST_CASES:
        call = _call("run_cost", case)
        days, dollars = _as_numbers(run_cost(*case), 2, call, "days, dollars")
        want = _run_cost(*case)
        slips = [(_run_cost(*case, **slip), why) for slip, why in COST_SLIPS]
        _judge(days, want[0], [(s[0], why) for s, why in slips]
               + [(24 * want[0], "days, not hours: 86,400 seconds a day")],
               f"the days of {call}", rtol=1e-4)
        _judge(dollars, want[1], [(s[1], why) for s, why in slips],
               f"the dollars of {call}", rtol=1e-4)


@check
def check_training_cost(run_cost, best_option, best_cost):
    """Exercise 7: a run's days and dollars, the cheapest plan that meets the deadline."""
    _check_run_cost(run_cost)
    choice(best_option, "C", COST_OPTIONS, COST_FEEDBACK)
    plan = (*COST_PLANS["C"], *COST_RUN.values())
    days, dollars = _run_cost(*plan)
    _judge(_as_number(best_cost, "best_cost"), dollars, (
        (dollars / plan[1], "the price is per GPU and hour: multiply by the 64 GPUs"),
        (_run_cost(*COST_PLANS["A"], *COST_RUN.values())[1], "that is A's cost; C's is "
         "run_cost for C")), "best_cost", rtol=1e-2)
    return f"C: 64 A100s train it in {days:.3g} days for ${dollars:,.0f}"
