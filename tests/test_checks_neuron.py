"""Every Chapter 1 check accepts the right answer, says "not done yet" for the placeholder,
and rejects plausible wrong answers."""

import itertools

import numpy as np
import pytest

from nnbook.checks import outcome
from nnbook.checks import neuron as checks
from nnbook.datasets import GATES, logic_gate


def line(check, *args):
    return outcome(check.body, *args)


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 1: complete f()")


# Exercise 1 -----------------------------------------------------------------

def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def softplus(z):
    return np.logaddexp(0.0, np.asarray(z, dtype=float))


def test_leaky_softplus_right():
    assert line(checks.check_leaky_relu_softplus, leaky_relu, softplus).startswith("✔")


def test_leaky_softplus_not_done():
    assert line(checks.check_leaky_relu_softplus, stub, stub).startswith("✘ not done yet")


@pytest.mark.parametrize("wrong_leaky, wrong_softplus", [
    (lambda z, alpha=0.01: np.maximum(0.0, z), softplus),                       # plain ReLU
    (lambda z, alpha=0.01: np.where(np.asarray(z) > 0, alpha * np.asarray(z), z), softplus),  # slopes swapped
    (lambda z, alpha=0.01: np.where(np.asarray(z) > 0, z, 0.01 * np.asarray(z)), softplus),   # ignores alpha
    (leaky_relu, lambda z: np.log(1 + np.exp(np.asarray(z, dtype=float)))),     # overflows at 1000
    (leaky_relu, lambda z: np.log(np.exp(np.asarray(z, dtype=float)))),        # that is just z
    (leaky_relu, lambda z: float(np.logaddexp(0.0, np.asarray(z).ravel()[0]))),  # loses the shape
])
def test_leaky_softplus_wrong(wrong_leaky, wrong_softplus):
    assert line(checks.check_leaky_relu_softplus, wrong_leaky, wrong_softplus).startswith("✘ ")


def test_unstable_softplus_gets_a_hint():
    message = line(checks.check_leaky_relu_softplus, leaky_relu, lambda z: np.log1p(np.exp(np.asarray(z, float))))
    assert "overflow" in message


# Exercise 2 -----------------------------------------------------------------

def neuron_forward(X, w, b, activation):
    X, w = np.asarray(X, dtype=float), np.asarray(w, dtype=float)
    if X.ndim != 2 or w.ndim != 1 or X.shape[1] != w.shape[0]:
        raise ValueError(f"X has shape {X.shape} and w has shape {w.shape}: X must be (n, d) and w (d,)")
    return activation(X @ w + b)


def test_forward_right():
    assert line(checks.check_neuron_forward, neuron_forward).startswith("✔")


def test_forward_not_done():
    assert line(checks.check_neuron_forward, stub).startswith("✘ not done yet")


@pytest.mark.parametrize("wrong", [
    lambda X, w, b, a: a(X @ w),                                  # bias forgotten
    lambda X, w, b, a: X @ w + b,                                 # activation forgotten
    lambda X, w, b, a: a(X @ w) + b,                              # bias after the activation
    lambda X, w, b, a: a(np.asarray(X) @ np.asarray(w) + b),      # no validation: numpy's own error
    lambda X, w, b, a: a(np.sum(X * np.asarray(w).ravel()[:np.shape(X)[1]], axis=1) + b),  # silently truncates
])
def test_forward_wrong(wrong):
    assert line(checks.check_neuron_forward, wrong).startswith("✘ ")


def test_forward_error_message_must_name_the_arrays():
    def vague(X, w, b, a):
        if np.shape(X)[1] != np.shape(w)[0] or np.ndim(w) != 1:
            raise ValueError("bad input")
        return a(X @ w + b)
    assert "does not name" in line(checks.check_neuron_forward, vague)


# Exercise 3 -----------------------------------------------------------------

def test_nand_right_and_wrong():
    assert line(checks.check_nand, np.array([-1.0, -1.0]), 1.5).startswith("✔")
    assert line(checks.check_nand, ..., ...).startswith("✘ not done yet")
    assert line(checks.check_nand, np.array([1.0, 1.0]), -1.5).startswith("✘ not NAND")   # AND
    assert line(checks.check_nand, np.array([-1.0, -1.0]), 0.5).startswith("✘ not NAND")  # NOR
    assert line(checks.check_nand, np.array([-1.0, -1.0, 1.0]), 1.5).startswith("✘ w_nand should")


# Exercise 4 -----------------------------------------------------------------

def count_gate_solutions(targets, values):
    X, _ = logic_gate("and")
    count = 0
    for w1, w2, b in itertools.product(values, repeat=3):
        outputs = (X @ np.array([w1, w2]) + b >= 0).astype(int)
        count += int(np.array_equal(outputs, targets))
    return count


def test_count_right():
    assert line(checks.check_count_gate_solutions, count_gate_solutions).startswith("✔")


def test_count_not_done():
    assert line(checks.check_count_gate_solutions, stub).startswith("✘ not done yet")


def _strict_step(targets, values):
    X, _ = logic_gate("and")
    return sum(int(np.array_equal((X @ np.array([a, b]) + c > 0).astype(int), targets))
               for a, b, c in itertools.product(values, repeat=3))


def _any_row(targets, values):
    X, _ = logic_gate("and")
    return sum(int(np.any((X @ np.array([a, b]) + c >= 0).astype(int) == targets))
               for a, b, c in itertools.product(values, repeat=3))


@pytest.mark.parametrize("wrong", [
    _strict_step,                                                        # step(0) = 0
    _any_row,                                                            # one matching row is enough
    lambda t, v: count_gate_solutions(t, v) / len(v) ** 3,               # a fraction, not a count
    lambda t, v: _strict_step(t, v) if tuple(t) != GATES["xor"] else 0,  # special-cases XOR
])
def test_count_wrong(wrong):
    assert line(checks.check_count_gate_solutions, wrong).startswith("✘ ")


# Exercises 5–7 --------------------------------------------------------------

def test_num_computable():
    assert line(checks.check_num_computable, 14).startswith("✔")
    assert line(checks.check_num_computable, ...).startswith("✘ not done yet")
    for wrong in (16, 15, 12, 2, "14"):
        assert line(checks.check_num_computable, wrong).startswith("✘ ")


def test_moons_settings():
    good = {"w1": 1.5, "w2": -5.0, "b": 1.0}
    assert line(checks.check_moons_settings, good, 0.75).startswith("✔")
    assert line(checks.check_moons_settings, ..., ...).startswith("✘ not done yet")
    assert line(checks.check_moons_settings, {"w1": 1.0, "w2": 1.0, "b": 0.0}, 0.75).startswith("✘ ")  # default: poor
    assert line(checks.check_moons_settings, good, 1.0).startswith("✘ ")
    assert line(checks.check_moons_settings, good, 0.5).startswith("✘ ")
    assert line(checks.check_moons_settings, good, 75).startswith("✘ ")
    assert line(checks.check_moons_settings, {"w1": 1.0}, 0.75).startswith("✘ ")


def test_scaling_answer():
    assert line(checks.check_scaling_answer, "B").startswith("✔")
    assert line(checks.check_scaling_answer, " b ").startswith("✔")
    assert line(checks.check_scaling_answer, ...).startswith("✘ not done yet")
    for wrong in ("A", "C", "D", "E", 2):
        assert line(checks.check_scaling_answer, wrong).startswith("✘ ")
