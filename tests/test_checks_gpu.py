"""Every Chapter 13 check accepts the right answer (written more than one way), says "not done
yet" for the placeholder, rejects plausible wrong answers, each with the one-line message that
names its mistake, and owns up when its own code fails (never blaming the learner)."""

import math

import numpy as np
import pytest
import torch

from checking import NONE_RETURNED, assert_check_failed, assert_wrong, line
from nnbook.attention import flops_per_token
from nnbook.checks import NOT_DONE
from nnbook.checks import gpu as checks
from nnbook.gpu import GPU_PEAKS, training_days


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 1: complete linear_cost()")


# Exercise 1 -----------------------------------------------------------------

def linear_cost(batch, n_in, n_out, bytes_per_value, slip=None):
    """The right count, or the slip named."""
    flops = 2 * batch * n_in * n_out
    x, w, b, y = batch * n_in, n_in * n_out, n_out, batch * n_out
    values = {"no bias": x + w + y, "no output": x + w + b, "W per row": x + batch * w + b + y,
              "W only": w}.get(slip, x + w + b + y)
    flops = {"one per multiply-add": flops / 2, "bias adds": flops + y,
             "one row": 2 * w}.get(slip, flops)
    size = {"values": 1, "bits": 8 * bytes_per_value}.get(slip, bytes_per_value)
    intensity = flops / (size * values)
    intensity = {"inverted": 1 / intensity, "per value": flops / values}.get(slip, intensity)
    return flops, size * values, intensity


LINEAR_OK = "✔ 6 shapes right; a 4096 → 4096 layer: 0.5 FLOP/byte on 1 row, 228 on 256"


def test_linear_cost_right():
    assert line(checks.check_linear_cost, linear_cost) == LINEAR_OK
    as_list = lambda *a: list(linear_cost(*a))  # noqa: E731
    assert line(checks.check_linear_cost, as_list) == LINEAR_OK
    as_tensor = lambda *a: torch.tensor(linear_cost(*a), dtype=torch.float64)  # noqa: E731
    assert line(checks.check_linear_cost, as_tensor) == LINEAR_OK
    as_ints = lambda *a: (int(linear_cost(*a)[0]), np.int64(linear_cost(*a)[1]),  # noqa: E731
                          np.float32(linear_cost(*a)[2]))
    assert line(checks.check_linear_cost, as_ints) == LINEAR_OK


def test_linear_cost_not_done():
    assert line(checks.check_linear_cost, ...) == NOT_DONE
    assert line(checks.check_linear_cost, stub).startswith(NOT_DONE)


CALL1 = "linear_cost(64, 784, 10, 4)"


@pytest.mark.parametrize("slip, message", [
    ("one per multiply-add", f"✘ the FLOPs of {CALL1} should be 1.004e+06, got 5.018e+05: a "
     "multiply-add is 2 FLOPs: 2 · batch · n_in · n_out"),
    ("bias adds", f"✘ the FLOPs of {CALL1} should be 1003520, got 1004160: this exercise "
     "leaves out the bias adds, as Chapter 9's count does"),
    ("one row", f"✘ the FLOPs of {CALL1} should be 1.004e+06, got 1.568e+04: every row of the "
     "batch is multiplied by W"),
    ("values", f"✘ the bytes of {CALL1} should be 2.347e+05, got 5.867e+04: count bytes, not "
     "values: multiply by bytes_per_value"),
    ("bits", f"✘ the bytes of {CALL1} should be 2.347e+05, got 1.877e+06: bytes_per_value is "
     "already in bytes; a byte has 8 bits"),
    ("no bias", f"✘ the bytes of {CALL1} should be 2.347e+05, got 2.346e+05: the bias b is "
     "read too: n_out values"),
    ("no output", f"✘ the bytes of {CALL1} should be 2.347e+05, got 2.321e+05: the output Y is "
     "written too: batch · n_out values"),
    ("W per row", f"✘ the bytes of {CALL1} should be 2.347e+05, got 2.21e+06: W is read once "
     "for the whole batch, not once per row"),
    ("W only", f"✘ the bytes of {CALL1} should be 2.347e+05, got 3.136e+04: X, b and Y move "
     "too, not only W"),
    ("inverted", f"✘ the intensity of {CALL1} should be 4.276, got 0.2338: FLOPs per byte: "
     "divide the FLOPs by the bytes"),
    ("per value", f"✘ the intensity of {CALL1} should be 4.276, got 17.11: divide by the "
     "bytes, not the number of values"),
])
def test_linear_cost_wrong(slip, message):
    assert_wrong(line(checks.check_linear_cost, lambda *a: linear_cost(*a, slip=slip)),
                 message)


@pytest.mark.parametrize("wrong, message", [
    (lambda *a: linear_cost(*a)[:2], f"✘ {CALL1} should return 3 numbers (flops, num_bytes, "
     "intensity), got tuple of 2"),
    (lambda *a: None, f"✘ {CALL1} " + NONE_RETURNED),
    (lambda *a: {"flops": 1}, f"✘ {CALL1} should return 3 numbers (flops, num_bytes, "
     "intensity), got dict"),
    (lambda *a: ("many", 1, 1), f"✘ {CALL1}[0] should be a number, got str"),
    (lambda b, i, o, s: linear_cost(b, i, o, s) if b > 1 else (1, 2, 3),
     "✘ the FLOPs of linear_cost(1, 4096, 4096, 4) should be 3.355e+07, got 1"),
])
def test_linear_cost_wrong_shape(wrong, message):
    assert_wrong(line(checks.check_linear_cost, wrong), message)


def test_linear_cost_learners_error():
    got = line(checks.check_linear_cost, lambda *a: 1 / 0)
    assert got.startswith("✘ your code raised ZeroDivisionError"), got


def test_linear_cost_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "LINEAR_CASES", ((1, "n", 4096, 4),))
    assert_check_failed(line(checks.check_linear_cost, lambda *a: (1, 2, 3)))


# Exercise 2 -----------------------------------------------------------------

H100 = GPU_PEAKS["H100"]
RIDGE = H100["bfloat16"] * 1e12 / (H100["bandwidth"] * 1e9)
BOUND = ("memory", "memory", "compute", "memory", "memory", "compute")
ROOF_OK = "✔ ridge at 295 FLOP/byte; 4 of the 6 kernels are memory-bound"


def test_roofline_right():
    assert line(checks.check_roofline, RIDGE, BOUND) == ROOF_OK
    assert line(checks.check_roofline, 295.4, list(BOUND)) == ROOF_OK
    written = ["Memory-bound", "memory ", "COMPUTE", "memory bound", "memory_bound",
               "compute-bound"]
    assert line(checks.check_roofline, torch.tensor(RIDGE), written) == ROOF_OK
    assert line(checks.check_roofline, np.float32(295), BOUND) == ROOF_OK


def test_roofline_not_done():
    assert line(checks.check_roofline, ..., ...) == NOT_DONE
    assert line(checks.check_roofline, RIDGE, ...) == NOT_DONE
    assert line(checks.check_roofline, RIDGE, ("memory", ...)) == NOT_DONE


RIDGE_WRONG = "✘ ridge should be 295.4, got "


@pytest.mark.parametrize("ridge, bound, message", [
    (1 / RIDGE, BOUND, RIDGE_WRONG + "0.003386: FLOPs per byte: the peak FLOP/s divided by "
     "the bandwidth in bytes/s"),
    (67e12 / 3350e9, BOUND, RIDGE_WRONG + "20: these kernels are bf16: use the bf16 peak, not "
     "fp32's"),
    (989.5 / 3350, BOUND, RIDGE_WRONG + "0.2954: convert both to base units first"),
    (2 * RIDGE, BOUND, RIDGE_WRONG + "590.7: the table holds the dense peak already"),
    (320.0, BOUND, RIDGE_WRONG + "320"),
    ("295", BOUND, "✘ ridge should be a number, got str"),
    (RIDGE, ("compute",) * 6, "✘ bound[0], adding two vectors of 1e8 values, is memory-bound: "
     "0.167 FLOP/byte, under the ridge of 295; one addition for every 6 bytes"),
    (RIDGE, ("memory",) * 6, "✘ bound[2], a 4096 × 4096 @ 4096 × 4096 product, is "
     "compute-bound: 1.37e+03 FLOP/byte, above the ridge of 295"),
    (RIDGE, BOUND[:4] + ("compute", "compute"), "✘ bound[4], a 4096 → 4096 layer on 256 "
     "tokens, is memory-bound: 228 FLOP/byte, under the ridge of 295; 256 tokens reuse each "
     "weight 256 times, yet that is still under the ridge"),
    (RIDGE, BOUND[:3] + ("compute",) + BOUND[4:], "✘ bound[3], a 4096 → 4096 layer on 1 "
     "token, is memory-bound: 1 FLOP/byte, under the ridge of 295; each weight is read for "
     "one multiply-add"),
    (RIDGE, BOUND[:5], "✘ bound should be a tuple of 6 words, one per kernel, got tuple of 5"),
    (RIDGE, "memory", "✘ bound should be a tuple of 6 words, one per kernel, got str"),
    (RIDGE, ("m",) * 6, "✘ bound[0] should be \"memory\" or \"compute\", got 'm'"),
])
def test_roofline_wrong(ridge, bound, message):
    assert_wrong(line(checks.check_roofline, ridge, bound), message)


def test_roofline_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "KERNELS", ((1, 2),) * 6)
    assert_check_failed(line(checks.check_roofline, RIDGE, BOUND))


# Exercise 3 -----------------------------------------------------------------

PER_PARAM = {"fp32 sgd": 8, "fp32 sgd-momentum": 12, "fp32 adam": 16, "mixed adam": 16}
MAX_PARAMS = {recipe: 80e9 / per for recipe, per in PER_PARAM.items()}
STATE_OK = "✔ 80 GB hold 5 billion parameters with mixed-precision Adam, 10 with SGD"


def state_bytes(num_params, recipe, **wrong):
    return num_params * wrong.get(recipe.replace(" ", "_").replace("-", "_"),
                                  PER_PARAM[recipe])


def test_state_bytes_right():
    assert line(checks.check_state_bytes, state_bytes, MAX_PARAMS) == STATE_OK

    def by_parts(num_params, recipe):
        weights = {"mixed adam": 2 + 4}.get(recipe, 4)
        grads = 2 if recipe.startswith("mixed") else 4
        slots = {"fp32 sgd": 0, "fp32 sgd-momentum": 1}.get(recipe, 2)
        return torch.tensor(num_params * (weights + grads + 4 * slots), dtype=torch.float64)
    as_arrays = {recipe: np.float64(count) for recipe, count in MAX_PARAMS.items()}
    assert line(checks.check_state_bytes, by_parts, as_arrays) == STATE_OK
    rounded = {recipe: float(f"{count:.4g}") for recipe, count in MAX_PARAMS.items()}
    assert line(checks.check_state_bytes, state_bytes, rounded) == STATE_OK


def test_state_bytes_not_done():
    assert line(checks.check_state_bytes, state_bytes, ...) == NOT_DONE
    assert line(checks.check_state_bytes, stub, MAX_PARAMS).startswith(NOT_DONE)
    assert line(checks.check_state_bytes, state_bytes, {**MAX_PARAMS, "fp32 sgd": ...}) \
        == NOT_DONE


@pytest.mark.parametrize("wrong, message", [
    ({"fp32_sgd": 4}, "✘ state_bytes(1, 'fp32 sgd') should be 8 bytes, got 4: the gradients "
     "take as much as the weights; 4 (weights) + 4 (gradients) = 8 bytes a parameter"),
    ({"fp32_sgd_momentum": 8}, "✘ state_bytes(1, 'fp32 sgd-momentum') should be 12 bytes, got "
     "8: momentum keeps one more value per weight;"),
    ({"fp32_adam": 12}, "✘ state_bytes(1, 'fp32 adam') should be 16 bytes, got 12: Adam keeps "
     "two moments per weight, not one"),
    ({"mixed_adam": 8}, "✘ state_bytes(1, 'mixed adam') should be 16 bytes, got 8: only the "
     "weights and gradients are bf16; the optimiser works on fp32 master weights and fp32 "
     "moments; 2 (bf16 weights) + 2 (bf16 gradients) + 4 (fp32 master weights) + 8 (two fp32 "
     "moments) = 16 bytes a parameter"),
    ({"mixed_adam": 12}, "✘ state_bytes(1, 'mixed adam') should be 16 bytes, got 12: a 4-byte "
     "part is missing: the fp32 master weights, or a moment"),
    ({"mixed_adam": 20}, "✘ state_bytes(1, 'mixed adam') should be 16 bytes, got 20: the "
     "gradients are bf16 here"),
    ({"mixed_adam": 14}, "✘ state_bytes(1, 'mixed adam') should be 16 bytes, got 14: 2 (bf16 "
     "weights) + 2"),
    ({"fp32_adam": 128}, "✘ state_bytes(1, 'fp32 adam') should be 16 bytes, got 128: count "
     "bytes, not bits"),
])
def test_state_bytes_wrong(wrong, message):
    assert_wrong(line(checks.check_state_bytes, lambda n, r: state_bytes(n, r, **wrong),
                      MAX_PARAMS), message)


@pytest.mark.parametrize("max_params, message", [
    ({r: 80 * 2**30 / per for r, per in PER_PARAM.items()}, "✘ max_params['fp32 sgd'] should "
     "be 1e+10, got 1.074e+10: a GB here is 10⁹ bytes, not 2³⁰"),
    ({r: 80e9 * per for r, per in PER_PARAM.items()}, "✘ max_params['fp32 sgd'] should be "
     "1e+10, got 6.4e+11: divide the memory by the bytes a parameter takes"),
    ({r: 80e9 for r in PER_PARAM}, "✘ max_params['fp32 sgd'] should be 1e+10, got 8e+10: "
     "each parameter takes 8 bytes"),
    ({**MAX_PARAMS, "mixed adam": 80e9 / 8}, "✘ max_params['mixed adam'] should be 5e+09, got "
     "1e+10"),
    ({"fp32 adam": 5e9}, "✘ max_params should be a dict with one entry per recipe, fp32 sgd, "
     "fp32 sgd-momentum, fp32 adam, mixed adam, got {'fp32 adam': 5000000000.0}"),
    (list(MAX_PARAMS.values()), "✘ max_params should be a dict with one entry per recipe"),
    ({**MAX_PARAMS, "mixed adam": "5e9"}, "✘ max_params['mixed adam'] should be a number, "
     "got str"),
])
def test_max_params_wrong(max_params, message):
    assert_wrong(line(checks.check_state_bytes, state_bytes, max_params), message)


def test_state_bytes_learners_error():
    got = line(checks.check_state_bytes, lambda n, r: {"fp32 sgd": 8}[r] * n, MAX_PARAMS)
    assert got == "✘ your code raised KeyError: 'fp32 sgd-momentum'", got
    got = line(checks.check_state_bytes, lambda n, r: None, MAX_PARAMS)
    assert got == "✘ state_bytes(1, 'fp32 sgd') " + NONE_RETURNED, got


def test_state_bytes_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "RECIPES", {"fp32 sgd": "8"})
    assert_check_failed(line(checks.check_state_bytes, state_bytes, MAX_PARAMS))


# Exercise 4 -----------------------------------------------------------------

def predict(model, X, slip=None):
    """The right predict, or the slip named."""
    weight = next(model.parameters(), None) if slip != "no default" \
        else next(model.parameters())
    device = weight.device if weight is not None else torch.device("cpu")
    if slip == "move the model":
        model.to(X.device)
        device = X.device
    if slip != "no eval":
        model.eval()
    with torch.no_grad() if slip != "grad" else torch.enable_grad():
        out = model(X.to(device) if slip != "X stays" else X)
    if slip == "left there":
        return out
    return out.cpu().numpy() if slip == "numpy" else out.cpu()


def predict_inference_mode(model, X):
    """Another right answer: inference mode, train(False), .to("cpu")."""
    params = list(model.parameters())
    model.train(False)
    with torch.inference_mode():
        out = model(X.to(device=params[0].device if params else "cpu"))
    return out.detach().to("cpu")


PREDICT_OK = "✔ X went to the model's device and back, in eval mode, without gradients"
SPY = "✘ predict(model on meta, X on cpu)"


def test_predict_right():
    assert line(checks.check_predict, predict) == PREDICT_OK
    assert line(checks.check_predict, predict_inference_mode) == PREDICT_OK


def test_predict_not_done():
    assert line(checks.check_predict, ...) == NOT_DONE
    assert line(checks.check_predict, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("slip, message", [
    ("X stays", SPY + " gave the model an input on cpu, but its parameters are on meta: move "
     "X to next(model.parameters()).device"),
    ("no eval", SPY + " ran the model in training mode: call model.eval() first"),
    ("grad", SPY + " let autograd record the forward pass: run it under torch.no_grad() (or "
     "torch.inference_mode())"),
    ("left there", SPY + " returned the result on the model's device (meta): bring it back "
     "with .cpu()"),
    ("numpy", SPY + " should return a tensor, got ndarray"),
    ("no default", "✘ predict(nn.ReLU(), X) raised StopIteration: next(model.parameters()) "
     "finds nothing in a model without parameters; use the CPU then, say with "
     "next(model.parameters(), None)"),
    ("move the model", SPY + " tried to copy the model's weights off its device: move X to the "
     "model, not the model to X"),
])
def test_predict_wrong(slip, message):
    assert_wrong(line(checks.check_predict, lambda m, X: predict(m, X, slip=slip)), message)


def test_predict_wrong_values():
    def doubled(model, X):
        return 2 * predict(model, X)
    got = line(checks.check_predict, doubled)
    assert_wrong(got, SPY + "'s result should be")
    assert got.endswith("(every entry is 2 × too large: a sum where a mean is meant?)"), got

    def dropout_on(model, X):   # eval() called on the spy only
        if isinstance(model, checks.Spy):
            return predict(model, X)
        with torch.no_grad():
            return model(X)
    assert_wrong(line(checks.check_predict, dropout_on), "✘ predict(a Dropout MLP in "
                 "training mode, X)'s result should be")

    def keeps_graph(model, X):
        if isinstance(model, checks.Spy):
            return predict(model, X)
        model.eval()
        return model(X)
    assert_wrong(line(checks.check_predict, keeps_graph), "✘ predict(a Dropout MLP in "
                 "training mode, X) returned a tensor that requires grad")
    assert_wrong(line(checks.check_predict, lambda m, X: None),
                 SPY + " " + NONE_RETURNED)


def test_predict_learners_error():
    def model_device(model, X):
        return model(X.to(model.device)).cpu()
    got = line(checks.check_predict, model_device)
    assert got == "✘ your code raised AttributeError: 'Spy' object has no attribute 'device'", \
        got


def test_spy_result_comes_back_only_to_the_cpu():
    values = torch.arange(6.0).reshape(2, 3)
    away = checks._Away(values)
    assert away.device.type == "meta"
    for back in (away.cpu(), away.to("cpu"), away.detach().cpu(),
                 away.to(torch.device("cpu"), torch.float64)):
        assert type(back) is torch.Tensor and torch.equal(back.float(), values)
    assert isinstance(away.to(torch.float64), checks._Away)
    assert isinstance(away.to("meta"), checks._Away)


def test_predict_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "predict_cases", lambda: (1, 2))
    assert_check_failed(line(checks.check_predict, predict))


# Exercise 5 -----------------------------------------------------------------

def step_stats(config, batch_size, seconds_per_step, peak_flops, slip=None):
    tokens = batch_size * (config["context"] if slip != "sequences" else 1)
    tokens_per_second = tokens * seconds_per_step if slip == "times" \
        else tokens / seconds_per_step
    factor = {"forward only": 1, "six": 6}.get(slip, 3)
    mfu = factor * flops_per_token(**config) * tokens_per_second / peak_flops
    return tokens_per_second, 100 * mfu if slip == "percent" else mfu


def step_seconds(config, batch_size, mfu, peak_flops, slip=None):
    factor = {"forward only": 1, "six": 6}.get(slip, 3)
    flops = factor * flops_per_token(**config) * batch_size * config["context"]
    seconds = flops * mfu / peak_flops if slip == "times mfu" else flops / (mfu * peak_flops)
    return 1 / seconds if slip == "inverted" else seconds


THROUGHPUT_OK = "✔ a 7B model at 10,240 tokens/s on an H100: MFU 47.5 %"


def test_throughput_right():
    assert line(checks.check_throughput, step_stats, step_seconds) == THROUGHPUT_OK

    def from_step_seconds(config, batch_size, seconds_per_step, peak_flops):
        tokens = batch_size * config["context"]
        return np.array([tokens / seconds_per_step,
                         step_seconds(config, batch_size, 1.0, peak_flops) / seconds_per_step])
    as_tensor = lambda *a: torch.tensor(step_seconds(*a), dtype=torch.float64)  # noqa: E731
    assert line(checks.check_throughput, from_step_seconds, as_tensor) == THROUGHPUT_OK


def test_throughput_not_done():
    assert line(checks.check_throughput, ..., step_seconds) == NOT_DONE
    assert line(checks.check_throughput, step_stats, ...) == NOT_DONE
    assert line(checks.check_throughput, stub, step_seconds).startswith(NOT_DONE)


STATS = "step_stats(Chapter 9's config, 32, 0.004, 1e+11)"
SECONDS = "✘ the seconds of step_seconds(GPT-2 small's config, 16, 0.4, 3.12e+14) should be " \
          "0.1122, got "


@pytest.mark.parametrize("slip, message", [
    ("sequences", f"✘ the tokens per second of {STATS} should be 1.28e+05, got 8000: each "
     "sequence holds context tokens: batch_size · context tokens a step"),
    ("times", f"✘ the tokens per second of {STATS} should be 1.28e+05, got 2.048: tokens per "
     "second: divide the tokens of a step by its seconds"),
    ("forward only", f"✘ the MFU of {STATS} should be 0.7923, got 0.2641: a training step "
     "costs 3 forward passes"),
    ("six", f"✘ the MFU of {STATS} should be 0.7923, got 1.585: flops_per_token counts the "
     "forward pass only once already: 3 × it, not 6 ×"),
    ("percent", f"✘ the MFU of {STATS} should be 0.7923, got 79.23: give MFU as a fraction of "
     "1, not a percentage"),
])
def test_step_stats_wrong(slip, message):
    wrong = lambda *a: step_stats(*a, slip=slip)  # noqa: E731
    assert_wrong(line(checks.check_throughput, wrong, step_seconds), message)


@pytest.mark.parametrize("slip, message", [
    ("forward only", SECONDS + "0.03739: a training step costs 3 forward passes"),
    ("six", SECONDS + "0.2243: 3 × flops_per_token, not 6 ×"),
    ("times mfu", SECONDS + "0.01795: at a lower MFU a step takes longer: divide by mfu"),
    ("inverted", SECONDS + "8.915: seconds per step, not steps per second"),
])
def test_step_seconds_wrong(slip, message):
    wrong = lambda *a: step_seconds(*a, slip=slip)  # noqa: E731
    assert_wrong(line(checks.check_throughput, step_stats, wrong), message)


def test_throughput_wrong_shape():
    assert_wrong(line(checks.check_throughput, lambda *a: step_stats(*a)[0], step_seconds),
                 f"✘ {STATS} should return 2 numbers (tokens per second, MFU), got float")
    assert_wrong(line(checks.check_throughput, step_stats, lambda *a: None),
                 "✘ step_seconds(GPT-2 small's config, 16, 0.4, 3.12e+14) " + NONE_RETURNED)


def test_throughput_gets_a_copy_of_the_config():
    def pops(config, *args):
        config.pop("context")
        return 1.0, 1.0
    got = line(checks.check_throughput, pops, step_seconds)
    assert got.startswith("✘ the tokens per second"), got
    assert line(checks.check_throughput, step_stats, step_seconds) == THROUGHPUT_OK


def test_throughput_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "CONFIGS", {})
    assert_check_failed(line(checks.check_throughput, step_stats, step_seconds))


# Exercise 6 -----------------------------------------------------------------

def checkpoint_memory(L, k, A, slip=None):
    segments = {"floor": L // k, "fraction": L / k}.get(slip, math.ceil(L / k))
    return {"checkpoints only": segments * A, "segment only": k * A,
            "no A": segments + k}.get(slip, (segments + k) * A)


def extra_compute(L, k, slip=None):
    last = L - (math.ceil(L / k) - 1) * k
    return {"of a forward": (L - last) / L, "all": 1 / 3,
            "last is k": (L - k) / (3 * L)}.get(slip, (L - last) / (3 * L))


BEST_K = {16: 4, 64: 8, 100: 10}
CHECKPOINT_OK = "✔ k = 4, 8, 10 for L = 16, 64, 100: 8, 16, 20 A; +29.2 % compute at L = 64"


def test_checkpointing_right():
    assert line(checks.check_checkpointing, checkpoint_memory, extra_compute, BEST_K) \
        == CHECKPOINT_OK

    def by_loop(L, k, A):
        segments = 0
        while segments * k < L:
            segments += 1
        return np.float64(segments * A + k * A)

    def by_segments(L, k):
        sizes = [min(k, L - start) for start in range(0, L, k)]
        return torch.tensor(sum(sizes[:-1]) / (3 * L))
    best = {16: 4.0, 64: np.int64(8), 100: torch.tensor(10)}
    assert line(checks.check_checkpointing, by_loop, by_segments, best) == CHECKPOINT_OK


def test_checkpointing_not_done():
    assert line(checks.check_checkpointing, checkpoint_memory, extra_compute, ...) == NOT_DONE
    assert line(checks.check_checkpointing, stub, extra_compute, BEST_K).startswith(NOT_DONE)
    assert line(checks.check_checkpointing, checkpoint_memory, stub, BEST_K).startswith(
        NOT_DONE)


MEMORY = "✘ checkpoint_memory(7, 2, 5) should be 30, got "
EXTRA = "✘ extra_compute(7, 2) should be 0.2857, got "


@pytest.mark.parametrize("slip, message", [
    ("floor", MEMORY + "25: a shorter last segment is a segment too: ceil(L / k) = 4 "
     "checkpoints"),
    ("fraction", MEMORY + "27.5: the number of checkpoints is whole: ceil(L / k)"),
    ("checkpoints only", MEMORY + "20: add the k layers' activations that the backward pass "
     "holds while it recomputes a segment"),
    ("segment only", MEMORY + "10: add the ceil(L / k) checkpoints kept from the forward "
     "pass"),
    ("no A", MEMORY + "6: multiply by A, the bytes of each"),
])
def test_checkpoint_memory_wrong(slip, message):
    wrong = lambda *a: checkpoint_memory(*a, slip=slip)  # noqa: E731
    assert_wrong(line(checks.check_checkpointing, wrong, extra_compute, BEST_K), message)


@pytest.mark.parametrize("slip, message", [
    ("of a forward", EXTRA + "0.8571: as a fraction of the whole step, forward and backward: "
     "about 3 forward passes"),
    ("all", EXTRA + "0.3333: the last segment's activations are still held after the forward "
     "pass: it is not recomputed"),
    ("last is k", EXTRA + "0.2381: the last segment holds what is left: L − (ceil(L / k) − 1) "
     "· k layers"),
])
def test_extra_compute_wrong(slip, message):
    wrong = lambda *a: extra_compute(*a, slip=slip)  # noqa: E731
    assert_wrong(line(checks.check_checkpointing, checkpoint_memory, wrong, BEST_K), message)


@pytest.mark.parametrize("best_k, message", [
    ({16: 4, 64: 8, 100: 100}, "✘ best_k[100] should be 10, got 100: the k in 1 … 100 with the "
     "least checkpoint_memory(100, k, A), 20 A at k = 10"),
    ({16: 3, 64: 8, 100: 10}, "✘ best_k[16] should be 4, got 3"),
    ({16: 4, 64: 8, 100: 10.5}, "✘ best_k[100] should be 10, got 10.5"),
    ({16: 4, 64: 8}, "✘ best_k should be a dict L → k for L in [16, 64, 100], got {16: 4, 64: "
     "8}"),
    ([4, 8, 10], "✘ best_k should be a dict L → k for L in [16, 64, 100], got [4, 8, 10]"),
])
def test_best_k_wrong(best_k, message):
    assert_wrong(line(checks.check_checkpointing, checkpoint_memory, extra_compute, best_k),
                 message)


def test_checkpointing_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "MEMORY_CASES", ((16, 0, 1.0),))
    assert_check_failed(line(checks.check_checkpointing, lambda L, k, A: 1.0, extra_compute,
                             BEST_K))


# Exercise 7 -----------------------------------------------------------------

def run_cost(gpu, count, price_per_hour, num_params, num_tokens, mfu, slip=None):
    dtype = "float32" if slip == "fp32" else "bfloat16"
    peak = GPU_PEAKS[gpu][dtype] * 1e12
    days = training_days(num_params, num_tokens, peak, mfu, count if slip != "alone" else 1)
    days = days / 3 if slip == "2 FLOPs" else days
    gpus = 1 if slip == "one price" else count
    return 24 * days if slip == "hours" else days, days * 24 * gpus * price_per_hour


BEST_COST = 19631.41
COST_OK = "✔ C: 64 A100s train it in 8.52 days for $19,631"
DAYS = "✘ the days of run_cost('H100', 8, 4, 7e+09, 1.4e+11, 0.4) should be 21.49, got "


def test_training_cost_right():
    assert line(checks.check_training_cost, run_cost, "C", BEST_COST) == COST_OK
    assert line(checks.check_training_cost, run_cost, " c", np.float64(19600)) == COST_OK

    def by_seconds(gpu, count, price_per_hour, num_params, num_tokens, mfu):
        flops = 6 * num_params * num_tokens
        seconds = flops / (count * GPU_PEAKS[gpu]["bfloat16"] * 1e12 * mfu)
        return [seconds / 86400, torch.tensor(seconds / 3600 * count * price_per_hour)]
    assert line(checks.check_training_cost, by_seconds, "C", torch.tensor(19631.0)) == COST_OK


def test_training_cost_not_done():
    assert line(checks.check_training_cost, run_cost, ..., ...) == NOT_DONE
    assert line(checks.check_training_cost, run_cost, "C", ...) == NOT_DONE
    assert line(checks.check_training_cost, stub, "C", BEST_COST).startswith(NOT_DONE)


@pytest.mark.parametrize("slip, message", [
    ("fp32", DAYS + "317.4: use the bf16 peak of GPU_PEAKS, not fp32's"),
    ("alone", DAYS + "171.9: the GPUs share the FLOPs: count GPUs take 1/count of the time"),
    ("2 FLOPs", DAYS + "7.164: training costs 6 FLOPs per parameter and token, 2 forward and "
     "4 backward"),
    ("hours", DAYS + "515.8: days, not hours: 86,400 seconds a day"),
    ("one price", "✘ the dollars of run_cost('H100', 8, 4, 7e+09, 1.4e+11, 0.4) should be "
     "1.651e+04, got 2063: the price is per GPU and hour: multiply by the count"),
])
def test_run_cost_wrong(slip, message):
    wrong = lambda *a: run_cost(*a, slip=slip)  # noqa: E731
    assert_wrong(line(checks.check_training_cost, wrong, "C", BEST_COST), message)


@pytest.mark.parametrize("option, cost, message", [
    ("A", BEST_COST, "✘ A ('8 H100 at $4.00 an hour each') is not it: the cheapest, but 8 "
     "H100s take 21.5 days, past the 14-day deadline"),
    ("b", BEST_COST, "✘ B ('64 L4 at $0.70 an hour each') is not it: 22 days, past the "
     "deadline"),
    ("D", BEST_COST, "✘ D ('16 H100 at $5.00 an hour each') is not it: it meets the deadline "
     "in 10.7 days, but costs $20.6k against C's $19.6k"),
    ("E", BEST_COST, "✘ E ('32 H200 at $5.50 an hour each') is not it: the fastest, 5.4 days, "
     "at $22.7k"),
    ("F", BEST_COST, "✘ answer with one of the letters A, B, C, D, E (a str), got 'F'"),
    (3, BEST_COST, "✘ answer with one of the letters A, B, C, D, E (a str), got 3"),
    ("C", BEST_COST / 64, "✘ best_cost should be 1.963e+04, got 306.7: the price is per GPU "
     "and hour: multiply by the 64 GPUs"),
    ("C", 16506.65, "✘ best_cost should be 1.963e+04, got 1.651e+04: that is A's cost; C's is "
     "run_cost for C"),
    ("C", 25000, "✘ best_cost should be 1.963e+04, got 2.5e+04"),
    ("C", "$19,631", "✘ best_cost should be a number, got str"),
])
def test_training_cost_wrong(option, cost, message):
    assert_wrong(line(checks.check_training_cost, run_cost, option, cost), message)


def test_cost_options_match_the_plans():
    for letter, (gpu, count, price) in checks.COST_PLANS.items():
        assert checks.COST_OPTIONS[letter] == f"{count} {gpu} at ${price:.2f} an hour each"
    in_time = {letter: run_cost(*plan, **checks.COST_RUN)
               for letter, plan in checks.COST_PLANS.items()}
    in_time = {k: v for k, v in in_time.items() if v[0] <= checks.DEADLINE_DAYS}
    assert min(in_time, key=lambda k: in_time[k][1]) == "C"


def test_training_cost_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "COST_OPTIONS", 5)
    assert_check_failed(line(checks.check_training_cost, run_cost, "C", BEST_COST))
