"""Checks for the exercises of Chapter 1, *The artificial neuron*."""

import numbers
import re

import numpy as np

from nnbook.activations import compute_neuron, neuron_data, sigmoid, step
from nnbook.checks import CheckFailed, check, choice, close, expect, fmt
from nnbook.datasets import GATES, logic_gate

Z_VALUES = np.array([-1000.0, -20.0, -3.0, -0.5, 0.0, 0.5, 3.0, 20.0, 1000.0])


def _ref_count(targets, values, fires_at_zero=True):
    """Reference: number of (w1, w2, b) in values³ whose step neuron gives ``targets``.

    fires_at_zero=False counts with a step that gives 0 at z = 0, a common slip.
    """
    X, _ = logic_gate("and")
    v = np.asarray(values, dtype=float)
    w1, w2, b = (a.ravel() for a in np.meshgrid(v, v, v, indexing="ij"))
    z = np.outer(X[:, 0], w1) + np.outer(X[:, 1], w2) + b
    outputs = (z >= 0 if fires_at_zero else z > 0).astype(int)
    return int(np.all(outputs == np.asarray(targets)[:, None], axis=0).sum())


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _same(actual, expected):
    """True when ``actual`` is numbers of ``expected``'s shape and values (never raises)."""
    try:
        actual = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return False
    return actual.shape == np.shape(expected) and np.allclose(actual, expected)


def _elementwise(fn, name, expected_fn):
    for z in (Z_VALUES, Z_VALUES.reshape(3, 3), np.array([2.0])):
        close(fn(z), expected_fn(z), f"{name}({fmt(z)})", rtol=1e-6, atol=1e-9)
    close(fn(0.0), expected_fn(0.0), f"{name}(0.0)")


def _leaky_reference(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


@check
def check_leaky_relu_softplus(leaky_relu, softplus):
    """Exercise 1: leaky ReLU (slope 0.01 below zero) and a softplus that never overflows."""
    expect(not _same(leaky_relu(Z_VALUES), np.maximum(Z_VALUES, 0.0)),
           "leaky_relu gives 0 for every negative z, like the plain ReLU: below zero it "
           "should give alpha·z")
    _elementwise(leaky_relu, "leaky_relu", _leaky_reference)
    with_alpha = leaky_relu(np.array([-5.0]), alpha=0.2)
    expect(not _same(with_alpha, [-0.05]),
           "leaky_relu([-5.0], alpha=0.2) gives -0.05: it ignores alpha and always uses 0.01")
    close(with_alpha, [-1.0], "leaky_relu([-5.0], alpha=0.2)")
    big = np.asarray(softplus(np.array([1000.0])), dtype=float)
    expect(np.all(np.isfinite(big)),
           f"softplus(1000) should be 1000, got {fmt(big)}: e^1000 overflows, so rewrite the "
           "formula to exponentiate only numbers ≤ 0 (hint: log(1 + e^z) = max(z, 0) + "
           "log(1 + e^(−|z|)))")
    _elementwise(softplus, "softplus", lambda z: np.logaddexp(0.0, z))
    return "leaky_relu and softplus are right, including at ±1000 and on a batch"


@check
def check_neuron_forward(neuron_forward):
    """Exercise 2: batched forward pass a(X @ w + b) with clear errors for wrong shapes."""
    rng = np.random.default_rng(1)
    X, w = rng.normal(size=(5, 3)), np.array([0.5, -1.0, 2.0])
    identity = lambda z: z  # noqa: E731 - the simplest activation, to see the weighted sum
    close(neuron_forward(X, w, 0.0, identity), X @ w, "neuron_forward(X, w, 0, identity)")
    with_bias = neuron_forward(X, w, -1.5, identity)
    expect(not _same(with_bias, X @ w),
           "neuron_forward(X, w, b=-1.5, identity) equals X @ w: the bias b is not added")
    close(with_bias, X @ w - 1.5, "neuron_forward(X, w, -1.5, identity)")
    got = neuron_forward(X, w, -1.5, sigmoid)
    for wrong, why in ((X @ w - 1.5, "the activation is not applied"),
                       (sigmoid(X @ w) - 1.5, "b is added after the activation, not inside it")):
        expect(not _same(got, wrong), f"neuron_forward(X, w, -1.5, sigmoid) is wrong: {why}")
    close(got, sigmoid(X @ w - 1.5), "neuron_forward(X, w, -1.5, sigmoid)")
    close(neuron_forward(X[:1], w, 2.0, step), step(X[:1] @ w + 2.0),
          "a batch of one, neuron_forward(X[:1], w, 2.0, step)")
    for bad_X, bad_w in ((X[:, :2], w), (X, w[:, None])):
        problem = _shape_error_problem(neuron_forward, bad_X, bad_w)
        expect(problem is None, f"neuron_forward(X of shape {bad_X.shape}, w of shape "
                                f"{bad_w.shape}) should raise a ValueError naming X and w and "
                                f"their shapes; {problem}")
    return "the forward pass is right, and wrong shapes get a clear ValueError"


def _shape_error_problem(neuron_forward, X, w):
    """None if a wrong shape raises a ValueError whose message names X and w; else what happened."""
    try:
        result = neuron_forward(X, w, 0.0, lambda z: z)
    except ValueError as err:
        if re.search(r"\bX\b", str(err)) and re.search(r"\bw\b", str(err)):
            return None
        return f"its message does not name them: {err}"
    except Exception as err:  # noqa: BLE001 - reported to the reader
        return f"it raised {type(err).__name__}: {err}"
    return f"it returned an array of shape {np.shape(result)} instead"


@check
def check_nand(w_nand, b_nand):
    """Exercise 3: weights and bias of a step neuron computing NAND."""
    try:
        w = np.asarray(w_nand, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"w_nand should be two numbers, got {w_nand!r}") from None
    expect(w.shape == (2,), f"w_nand should hold two weights, shape (2,), got shape {w.shape}")
    expect(_is_number(b_nand), f"b_nand should be one number, got {b_nand!r}")
    X, y = logic_gate("nand")
    z = X @ w + float(b_nand)
    got = step(z).astype(int)
    wrong = [f"{tuple(int(v) for v in x)} → {g} (NAND gives {t})"
             for x, g, t in zip(X, got, y) if g != t]
    at_zero = " (at z = 0 the step gives 1)" if np.any((got != y) & (z == 0)) else ""
    expect(not wrong, "not NAND yet: " + "; ".join(wrong) + at_zero)
    return f"w = {fmt(w)}, b = {float(b_nand):.3g} computes NAND on all four inputs"


@check
def check_count_gate_solutions(count_gate_solutions):
    """Exercise 4: count the (w1, w2, b) on a grid that compute a given truth table."""
    grids = {"[-1, 0, 1]": [-1.0, 0.0, 1.0], "9 values in [-2, 2]": np.linspace(-2, 2, 9)}
    for gate in ("and", "or", "nand", "xor"):
        for label, values in grids.items():
            got = count_gate_solutions(GATES[gate], values)
            expect(got is not None, "count_gate_solutions returned None: does it end with "
                                    "`return count`?")
            expect(_is_number(got) and float(got).is_integer(),
                   f"return a whole number of triples, got {fmt(got) if _is_number(got) else repr(got)}")
            expected = _ref_count(GATES[gate], values)
            hint = ""
            if got == _ref_count(GATES[gate], values, fires_at_zero=False) != expected:
                hint = ": at z = 0 the step gives 1, so compare z >= 0"
            expect(got == expected, f"for {gate.upper()} on the grid {label} the count is "
                                    f"{expected}, your function says {got!r}{hint}")
    return "the counts are right; XOR has no solution on any grid"


@check
def check_num_computable(num_computable):
    """Exercise 5: how many of the 16 two-input Boolean functions one step neuron computes."""
    expect(_is_number(num_computable) and float(num_computable).is_integer(),
           f"answer with a whole number, got {num_computable!r}")
    feedback = {
        16: "16 would mean every function, XOR included: which ones does your search miss?",
        2: "2 is how many one neuron cannot compute; the question asks how many it can",
        15: "15 leaves out only one table, but XOR's negation, XNOR, is not separable either",
    }
    expect(num_computable == 14, feedback.get(
        int(num_computable), f"{num_computable} is not it: count every truth table with at "
                             "least one solution on a fine grid"))
    return "14 of the 16: all but XOR and XNOR"


@check
def check_moons_settings(settings, best_xor_accuracy):
    """Exercise 6: playground settings reaching ≥ 85 % on the moons, and the best accuracy on the XOR gate."""
    expect(isinstance(settings, dict) and {"w1", "w2", "b"} <= set(settings),
           "settings should be a dict with the keys 'w1', 'w2' and 'b'")
    for key in ("w1", "w2", "b"):
        expect(_is_number(settings[key]) and np.isfinite(settings[key]),
               f"settings[{key!r}] should be a number, got {settings[key]!r}")
    result = compute_neuron(*neuron_data("moons"), settings["w1"], settings["w2"], settings["b"])
    expect(result.accuracy >= 0.85,
           f"these settings reach {result.accuracy:.1%} on the moons; 85 % is possible")
    expect(_is_number(best_xor_accuracy), f"best_xor_accuracy should be a number, got {best_xor_accuracy!r}")
    best = float(best_xor_accuracy)
    expect(0 <= best <= 1, f"give the accuracy as a fraction between 0 and 1 "
                           f"(50 % is 0.5), got {best:g}")
    expect(best != 1.0, "1.0 would mean one neuron computes XOR: the chapter showed it cannot")
    expect(abs(best - 0.75) < 1e-9, f"{best} is not the best: some line gets three of the four points right")
    return f"{result.accuracy:.1%} on the moons; at most 3 of the 4 XOR points, 0.75"


SCALING_OPTIONS = {
    "A": "the boundary moves away from the origin",
    "B": "the boundary stays put and the output changes more sharply across it",
    "C": "the boundary rotates",
    "D": "the accuracy goes up",
}
SCALING_FEEDBACK = {
    "A": "the line's distance from the origin, |b| / ‖w‖, is the same after multiplying "
         "b and w by 5",
    "C": "w sets the line's direction, and 5w points the same way as w",
    "D": "5(w·x + b) has the same sign as w·x + b, so every point stays on its side and "
         "every prediction stays the same",
}


@check
def check_scaling_answer(answer):
    """Exercise 7: what multiplying w = (0.5, −1) and b = 0.2 by 5 does to a sigmoid neuron."""
    choice(answer, "B", SCALING_OPTIONS, SCALING_FEEDBACK)
    return "B: c(w·x + b) = 0 is one line for every c > 0; the sigmoid gets steeper"
