"""Every Chapter 1 check accepts the right answer (written more than one way), says "not done
yet" for the placeholder, and rejects plausible wrong answers, each with the message that
names its mistake."""

import itertools

import numpy as np
import pytest

from checking import line
from nnbook.checks import CHECK_FAILED, NOT_DONE
from nnbook.checks import neuron as checks
from nnbook.datasets import GATES, logic_gate


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 1: complete f()")


def assert_no_check_failure(message):
    """A wrong answer is the learner's: the check's own code never fails on it."""
    assert not message.startswith(CHECK_FAILED), message


# Exercise 1 -----------------------------------------------------------------

def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def softplus(z):
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def test_leaky_softplus_right():
    expected = "✔ leaky_relu and softplus are right, including at ±1000 and on a batch"
    assert line(checks.check_leaky_relu_softplus, leaky_relu, softplus) == expected
    other_way = (lambda z, alpha=0.01: np.maximum(z, alpha * np.asarray(z, dtype=float)),
                 lambda z: np.logaddexp(0.0, z))
    assert line(checks.check_leaky_relu_softplus, *other_way) == expected


def test_leaky_softplus_not_done():
    assert line(checks.check_leaky_relu_softplus, stub, stub) == f"{NOT_DONE} (Exercise 1: complete f())"


@pytest.mark.parametrize("wrong_leaky, wrong_softplus, message", [
    (lambda z, alpha=0.01: np.maximum(0.0, z), softplus,
     "✘ leaky_relu gives 0 for every negative z, like the plain ReLU"),
    (lambda z, alpha=0.01: np.where(np.asarray(z) > 0, alpha * np.asarray(z), z), softplus,
     "✘ leaky_relu(a (9,) array [-1000, -20, -3, …]) should be a (9,) array [-10, -0.2, -0.03, …], "
     "got a (9,) array [-1000, -20, -3, …]; first difference at [0]"),
    (lambda z, alpha=0.01: np.where(np.asarray(z) > 0, z, 0.01 * np.asarray(z)), softplus,
     "✘ leaky_relu([-5.0], alpha=0.2) gives -0.05: it ignores alpha"),
    (lambda z, alpha=0.01: None, softplus,
     "✘ leaky_relu(a (9,) array [-1000, -20, -3, …]) is None: does your function end with `return …`?"),
    (leaky_relu, lambda z: np.log(1 + np.exp(np.asarray(z, dtype=float))),
     "✘ softplus(1000) should be 1000, got [inf]: e^1000 overflows"),
    (leaky_relu, lambda z: np.log(np.exp(np.asarray(z, dtype=float))),
     "✘ softplus(1000) should be 1000, got [inf]"),
    (leaky_relu, lambda z: float(np.logaddexp(0.0, np.asarray(z).ravel()[0])),
     "✘ softplus(a (9,) array [-1000, -20, -3, …]) should have shape (9,), got ()"),
    (leaky_relu, lambda z: np.log1p(np.exp(-np.abs(np.asarray(z, dtype=float)))),  # max(z, 0) forgotten
     "first difference at [5]: expected 0.9741, got 0.4741"),
])
def test_leaky_softplus_wrong(wrong_leaky, wrong_softplus, message):
    got = line(checks.check_leaky_relu_softplus, wrong_leaky, wrong_softplus)
    assert got.startswith("✘ ") and message in got, got


# Exercise 2 -----------------------------------------------------------------

def neuron_forward(X, w, b, activation):
    X, w = np.asarray(X, dtype=float), np.asarray(w, dtype=float)
    if X.ndim != 2 or w.ndim != 1 or X.shape[1] != w.shape[0]:
        raise ValueError(f"X has shape {X.shape} and w has shape {w.shape}: X must be (n, d) and w (d,)")
    return activation(X @ w + b)


def test_forward_right():
    assert line(checks.check_neuron_forward, neuron_forward) == (
        "✔ the forward pass is right, and wrong shapes get a clear ValueError")


def test_forward_not_done():
    assert line(checks.check_neuron_forward, stub).startswith(NOT_DONE)


def _vague(X, w, b, a):
    if np.shape(X)[1] != np.shape(w)[0] or np.ndim(w) != 1:
        raise ValueError("bad input")
    return a(X @ w + b)


@pytest.mark.parametrize("wrong, message", [
    (lambda X, w, b, a: a(X @ w),
     "✘ neuron_forward(X, w, b=-1.5, identity) equals X @ w: the bias b is not added"),
    (lambda X, w, b, a: X @ w + b,
     "✘ neuron_forward(X, w, -1.5, sigmoid) is wrong: the activation is not applied"),
    (lambda X, w, b, a: a(X @ w) + b,
     "✘ neuron_forward(X, w, -1.5, sigmoid) is wrong: b is added after the activation"),
    (lambda X, w, b, a: a(X @ w - b),
     "✘ neuron_forward(X, w, -1.5, identity) should be [-1.488, -2.164, -1.62 , -0.288, -2.67 ], "
     "got [1.512, 0.836, 1.38 , 2.712, 0.33 ]; first difference at [0]"),
    (lambda X, w, b, a: None,
     "✘ neuron_forward(X, w, 0, identity) is None: does your function end with `return …`?"),
    (lambda X, w, b, a: a(np.asarray(X) @ np.asarray(w) + b),
     "✘ neuron_forward(X of shape (5, 2), w of shape (3,)) should raise a ValueError naming X and w "
     "and their shapes; its message does not name them: matmul"),
    (lambda X, w, b, a: a(np.sum(X * np.asarray(w).ravel()[:np.shape(X)[1]], axis=1) + b),
     "should raise a ValueError naming X and w and their shapes; it returned an array of shape (5,)"),
    (_vague, "its message does not name them: bad input"),
])
def test_forward_wrong(wrong, message):
    got = line(checks.check_neuron_forward, wrong)
    assert got.startswith("✘ ") and message in got, got


# Exercise 3 -----------------------------------------------------------------

def test_nand_right_written_several_ways():
    assert line(checks.check_nand, np.array([-1.0, -1.0]), 1.5) == (
        "✔ w = [-1., -1.], b = 1.5 computes NAND on all four inputs")
    assert line(checks.check_nand, [-2, -2], 3).startswith("✔ ")        # a list, whole numbers
    assert line(checks.check_nand, (-1.0, -1.0), np.float64(1.9)).startswith("✔ ")


def test_nand_not_done():
    assert line(checks.check_nand, ..., ...) == NOT_DONE
    assert line(checks.check_nand, np.array([-1.0, -1.0]), ...) == NOT_DONE


@pytest.mark.parametrize("w, b, message", [
    (np.array([1.0, 1.0]), -1.5,                                                   # AND
     "✘ not NAND yet: (0, 0) → 0 (NAND gives 1); (0, 1) → 0 (NAND gives 1); (1, 0) → 0 (NAND gives 1); "
     "(1, 1) → 1 (NAND gives 0)"),
    (np.array([-1.0, -1.0]), 0.5, "✘ not NAND yet: (0, 1) → 0 (NAND gives 1); (1, 0) → 0 (NAND gives 1)"),  # NOR
    (np.array([-1.0, -1.0]), 2.0, "✘ not NAND yet: (1, 1) → 1 (NAND gives 0) (at z = 0 the step gives 1)"),
    (np.array([-1.0, -1.0, 1.0]), 1.5, "✘ w_nand should hold two weights, shape (2,), got shape (3,)"),
    (np.array([-1.0, -1.0]), np.array([1.5]), "✘ b_nand should be one number, got array([1.5])"),
    ("-1, -1", 1.5, "✘ w_nand should be two numbers, got '-1, -1'"),
])
def test_nand_wrong(w, b, message):
    assert line(checks.check_nand, w, b) == message


# Exercise 4 -----------------------------------------------------------------

def count_gate_solutions(targets, values):
    X, _ = logic_gate("and")
    count = 0
    for w1, w2, b in itertools.product(values, repeat=3):
        outputs = (X @ np.array([w1, w2]) + b >= 0).astype(int)
        count += int(np.array_equal(outputs, targets))
    return count


def test_count_right():
    assert line(checks.check_count_gate_solutions, count_gate_solutions) == (
        "✔ the counts are right; XOR has no solution on any grid")
    as_float = lambda t, v: float(count_gate_solutions(t, v))          # noqa: E731 - 3.0 is a whole number
    assert line(checks.check_count_gate_solutions, as_float).startswith("✔ ")


def test_count_not_done():
    assert line(checks.check_count_gate_solutions, stub).startswith(NOT_DONE)


def _strict_step(targets, values):
    X, _ = logic_gate("and")
    return sum(int(np.array_equal((X @ np.array([a, b]) + c > 0).astype(int), targets))
               for a, b, c in itertools.product(values, repeat=3))


def _any_row(targets, values):
    X, _ = logic_gate("and")
    return sum(int(np.any((X @ np.array([a, b]) + c >= 0).astype(int) == targets))
               for a, b, c in itertools.product(values, repeat=3))


@pytest.mark.parametrize("wrong, message", [
    (_strict_step, "✘ for AND on the grid [-1, 0, 1] the count is 0, your function says 1: "
                   "at z = 0 the step gives 1, so compare z >= 0"),
    (_any_row, "✘ for AND on the grid [-1, 0, 1] the count is 0, your function says 26"),
    (lambda t, v: count_gate_solutions(t, v) / len(v) ** 3,              # a fraction
     "✘ return a whole number of triples, got 0.01372"),
    (lambda t, v: str(count_gate_solutions(t, v)), "✘ return a whole number of triples, got '0'"),
    (lambda t, v: count_gate_solutions(t, v) / len(v) ** 3 + 0.5, "✘ return a whole number of triples, got 0.5"),
    (lambda t, v: count_gate_solutions(t, v[1:]),                      # skips a grid value
     "✘ for AND on the grid 9 values in [-2, 2] the count is 10, your function says 4"),
    (lambda t, v: None, "✘ count_gate_solutions returned None: does it end with `return count`?"),
])
def test_count_wrong(wrong, message):
    assert line(checks.check_count_gate_solutions, wrong) == message


# Exercise 5 -----------------------------------------------------------------

def test_num_computable_right_and_not_done():
    assert line(checks.check_num_computable, 14) == "✔ 14 of the 16: all but XOR and XNOR"
    assert line(checks.check_num_computable, np.int64(14)).startswith("✔ ")
    assert line(checks.check_num_computable, ...) == NOT_DONE


@pytest.mark.parametrize("wrong, message", [
    (16, "✘ 16 would mean every function, XOR included: which ones does your search miss?"),
    (15, "✘ 15 leaves out only one table, but XOR's negation, XNOR, is not separable either"),
    (2, "✘ 2 is how many one neuron cannot compute; the question asks how many it can"),
    (12, "✘ 12 is not it: count every truth table with at least one solution on a fine grid"),
    ("14", "✘ answer with a whole number, got '14'"),
    (14.5, "✘ answer with a whole number, got 14.5"),
])
def test_num_computable_wrong(wrong, message):
    assert line(checks.check_num_computable, wrong) == message


# Exercise 6 -----------------------------------------------------------------

GOOD_SETTINGS = {"w1": 1.5, "w2": -5.0, "b": 1.0}


def test_moons_settings_right_and_not_done():
    assert line(checks.check_moons_settings, GOOD_SETTINGS, 0.75) == (
        "✔ 89.5% on the moons; at most 3 of the 4 XOR points, 0.75")
    assert line(checks.check_moons_settings, {"w1": 1, "w2": -4, "b": 1}, 3 / 4).startswith("✔ ")
    assert line(checks.check_moons_settings, ..., ...) == NOT_DONE
    assert line(checks.check_moons_settings, {"w1": ..., "w2": -5.0, "b": 1.0}, 0.75) == NOT_DONE


@pytest.mark.parametrize("settings, best, message", [
    ({"w1": 1.0, "w2": 1.0, "b": 0.0}, 0.75, "✘ these settings reach 64.5% on the moons; 85 % is possible"),
    (GOOD_SETTINGS, 1.0, "✘ 1.0 would mean one neuron computes XOR: the chapter showed it cannot"),
    (GOOD_SETTINGS, 0.5, "✘ 0.5 is not the best: some line gets three of the four points right"),
    (GOOD_SETTINGS, 75, "✘ give the accuracy as a fraction between 0 and 1 (50 % is 0.5), got 75"),
    (GOOD_SETTINGS, "0.75", "✘ best_xor_accuracy should be a number, got '0.75'"),
    ({"w1": 1.0}, 0.75, "✘ settings should be a dict with the keys 'w1', 'w2' and 'b'"),
    ({"w1": "1.5", "w2": -5.0, "b": 1.0}, 0.75, "✘ settings['w1'] should be a number, got '1.5'"),
])
def test_moons_settings_wrong(settings, best, message):
    got = line(checks.check_moons_settings, settings, best)
    assert got == message
    assert_no_check_failure(got)


# Exercise 7 -----------------------------------------------------------------

def test_scaling_answer_right_and_not_done():
    expected = "✔ B: c(w·x + b) = 0 is one line for every c > 0; the sigmoid gets steeper"
    assert line(checks.check_scaling_answer, "B") == expected
    assert line(checks.check_scaling_answer, " b ") == expected
    assert line(checks.check_scaling_answer, ...) == NOT_DONE


@pytest.mark.parametrize("wrong, message", [
    ("A", "✘ A ('the boundary moves away from the origin') is not it: the line's distance from the "
          "origin, |b| / ‖w‖, is the same after multiplying b and w by 5"),
    ("C", "✘ C ('the boundary rotates') is not it: w sets the line's direction, and 5w points the "
          "same way as w"),
    ("D", "✘ D ('the accuracy goes up') is not it: 5(w·x + b) has the same sign as w·x + b, so every "
          "point stays on its side and every prediction stays the same"),
    ("E", "✘ answer with one of the letters A, B, C, D (a str), got 'E'"),
    (2, "✘ answer with one of the letters A, B, C, D (a str), got 2"),
])
def test_scaling_answer_wrong(wrong, message):
    assert line(checks.check_scaling_answer, wrong) == message


def test_every_wrong_option_has_its_own_feedback():
    wrong_options = set(checks.SCALING_OPTIONS) - {"B"}
    assert set(checks.SCALING_FEEDBACK) == wrong_options
    assert len(set(checks.SCALING_FEEDBACK.values())) == len(wrong_options)


def test_the_exercise_7_neuron_is_the_one_the_check_describes():
    """The task, its figure and the check use one neuron: w = (0.5, −1), b = 0.2, times 5."""
    assert "w = (0.5, −1) and b = 0.2 by 5" in checks.check_scaling_answer.__doc__


def test_success_lines_fit_the_page():
    """The ✔ lines are stored in the solutions' outputs, which must fit 76 characters."""
    successes = [
        line(checks.check_leaky_relu_softplus, leaky_relu, softplus),
        line(checks.check_neuron_forward, neuron_forward),
        line(checks.check_nand, np.array([-1.0, -1.0]), 1.5),
        line(checks.check_count_gate_solutions, count_gate_solutions),
        line(checks.check_num_computable, 14),
        line(checks.check_moons_settings, GOOD_SETTINGS, 0.75),
        line(checks.check_scaling_answer, "B"),
    ]
    assert all(s.startswith("✔ ") and len(s) <= 76 for s in successes), successes
