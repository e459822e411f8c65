"""Checks for the exercises of Chapter 1, *The artificial neuron*."""

import re

import numpy as np

from nnbook.activations import sigmoid, step
from nnbook.checks import check, choice, close, expect, fmt
from nnbook.datasets import GATES, logic_gate

Z_VALUES = np.array([-1000.0, -20.0, -3.0, -0.5, 0.0, 0.5, 3.0, 20.0, 1000.0])


def _ref_count(targets, values):
    """Reference: number of (w1, w2, b) in values³ whose step neuron gives ``targets``."""
    X, _ = logic_gate("and")
    v = np.asarray(values, dtype=float)
    w1, w2, b = (a.ravel() for a in np.meshgrid(v, v, v, indexing="ij"))
    outputs = (np.outer(X[:, 0], w1) + np.outer(X[:, 1], w2) + b >= 0).astype(int)
    return int(np.all(outputs == np.asarray(targets)[:, None], axis=0).sum())


def _elementwise(fn, name, expected_fn):
    for z in (Z_VALUES, Z_VALUES.reshape(3, 3), np.array([2.0])):
        close(fn(z), expected_fn(z), f"{name}({fmt(z)})", rtol=1e-6, atol=1e-9)
    close(fn(0.0), expected_fn(0.0), f"{name}(0.0)")


@check
def check_leaky_relu_softplus(leaky_relu, softplus):
    """Exercise 1: leaky ReLU (slope 0.01 below zero) and a softplus that never overflows."""
    _elementwise(leaky_relu, "leaky_relu", lambda z: np.where(np.asarray(z) > 0, z, 0.01 * np.asarray(z)))
    close(leaky_relu(np.array([-5.0]), alpha=0.2), [-1.0], "leaky_relu([-5.0], alpha=0.2)")
    big = np.asarray(softplus(np.array([1000.0])), dtype=float)
    expect(np.all(np.isfinite(big)),
           f"softplus(1000) should be 1000, got {fmt(big)}: e^1000 overflows, so rewrite the formula "
           "to exponentiate only numbers ≤ 0 (hint: log(1 + e^z) = max(z, 0) + log(1 + e^(−|z|)))")
    _elementwise(softplus, "softplus", lambda z: np.logaddexp(0.0, z))
    return "leaky_relu and softplus are right, including at ±1000 and on a batch"


@check
def check_neuron_forward(neuron_forward):
    """Exercise 2: batched forward pass a(X @ w + b) with clear errors for wrong shapes."""
    rng = np.random.default_rng(1)
    X, w = rng.normal(size=(5, 3)), np.array([0.5, -1.0, 2.0])
    identity = lambda z: z
    close(neuron_forward(X, w, 0.0, identity), X @ w, "neuron_forward(X, w, b=0, identity)")
    close(neuron_forward(X, w, -1.5, identity), X @ w - 1.5, "neuron_forward(X, w, b=-1.5, identity): is the bias added")
    close(neuron_forward(X, w, -1.5, sigmoid), sigmoid(X @ w - 1.5), "neuron_forward(X, w, -1.5, sigmoid)")
    close(neuron_forward(X[:1], w, 2.0, step), step(X[:1] @ w + 2.0), "a batch of one, neuron_forward(X[:1], …)")
    for bad_X, bad_w in ((X[:, :2], w), (X, w[:, None])):
        problem = _shape_error_problem(neuron_forward, bad_X, bad_w)
        expect(problem is None, f"neuron_forward(X of shape {bad_X.shape}, w of shape {bad_w.shape}) "
                                f"should raise a ValueError naming X and w and their shapes; {problem}")
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
    w = np.asarray(w_nand, dtype=float)
    expect(w.shape == (2,), f"w_nand should hold two weights, shape (2,), got shape {w.shape}")
    X, y = logic_gate("nand")
    got = step(X @ w + float(b_nand)).astype(int)
    wrong = [f"{tuple(int(v) for v in x)} → {g} (NAND gives {t})" for x, g, t in zip(X, got, y) if g != t]
    expect(not wrong, "not NAND yet: " + "; ".join(wrong))
    return f"w = {fmt(w)}, b = {float(b_nand):.3g} computes NAND on all four inputs"


@check
def check_count_gate_solutions(count_gate_solutions):
    """Exercise 4: count the (w1, w2, b) on a grid that compute a given truth table."""
    grids = {"[-1, 0, 1]": [-1.0, 0.0, 1.0], "9 values in [-2, 2]": np.linspace(-2, 2, 9)}
    for gate in ("and", "or", "nand", "xor"):
        for label, values in grids.items():
            got = count_gate_solutions(GATES[gate], values)
            expected = _ref_count(GATES[gate], values)
            expect(isinstance(got, (int, np.integer)) and got == expected,
                   f"for {gate.upper()} on the grid {label} there are {expected} solutions, "
                   f"your function says {got!r} (remember: step(0) = 1)")
    return "the counts are right; XOR has no solution on any grid"


@check
def check_num_computable(num_computable):
    """Exercise 5: how many of the 16 two-input Boolean functions one step neuron computes."""
    expect(isinstance(num_computable, (int, np.integer)), f"answer with a whole number, got {num_computable!r}")
    expect(num_computable != 16, "16 would mean every function, XOR included: which ones does your search miss?")
    expect(num_computable == 14, f"{num_computable} is not it: count every truth table with at least one solution on a fine grid")
    return "14 of the 16: all but XOR and XNOR"


@check
def check_moons_settings(settings, best_xor_accuracy):
    """Exercise 6: playground settings reaching ≥ 85 % on the moons, and the best accuracy on the XOR gate."""
    from nnbook.widgets.neuron import compute_neuron, neuron_data

    expect(isinstance(settings, dict) and {"w1", "w2", "b"} <= set(settings),
           "settings should be a dict with the keys 'w1', 'w2' and 'b'")
    result = compute_neuron(*neuron_data("moons"), settings["w1"], settings["w2"], settings["b"])
    expect(result.accuracy >= 0.85, f"these settings reach {result.accuracy:.1%} on the moons; 85 % is possible")
    best = float(best_xor_accuracy)
    expect(0 <= best <= 1, f"give the accuracy as a fraction between 0 and 1, got {best}")
    expect(best != 1.0, "1.0 would mean one neuron computes XOR: the chapter showed it cannot")
    expect(abs(best - 0.75) < 1e-9, f"{best} is not the best: some line gets three of the four points right")
    return f"{result.accuracy:.1%} on the moons; at most 3 of the 4 XOR points, 0.75"


SCALING_OPTIONS = {
    "A": "the boundary moves away from the origin",
    "B": "the boundary stays put and the output changes more sharply across it",
    "C": "the boundary rotates",
    "D": "the accuracy goes up",
}


@check
def check_scaling_answer(answer):
    """Exercise 7: what multiplying w and b by 10 does to a sigmoid neuron."""
    choice(answer, "B", SCALING_OPTIONS)
    return "B: c(w·x + b) = 0 is the same line for every c > 0; only the sigmoid gets steeper across it"
