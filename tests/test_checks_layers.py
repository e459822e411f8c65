"""Every Chapter 3 check accepts the right answer (written more than one way), says "not
done yet" for the placeholder, and rejects plausible wrong answers, each with the message
that names its mistake."""

import numpy as np
import pytest

from checking import line
from nnbook.checks import CHECK_FAILED, NOT_DONE
from nnbook.checks import layers as ch

RIGHT_SHAPES = {"X": (16, 64), "W1": (64, 32), "b1": (32,), "H": (16, 32),
                "W2": (32, 10), "b2": (10,), "Y_hat": (16, 10)}


def stub(*args):
    raise NotImplementedError("Exercise: complete")


def assert_wrong(got, message):
    """A wrong answer gets ✘ and the message naming its mistake, never the check's own ⚠."""
    assert got.startswith("✘ ") and not got.startswith(NOT_DONE), got
    assert not got.startswith(CHECK_FAILED), got
    assert message in got, got


# --- Exercise 1: shapes ---

def test_shapes_right():
    expected = "✔ every shape is right, and the network learns 2410 numbers"
    assert line(ch.check_two_layer_shapes, RIGHT_SHAPES, 2410) == expected
    as_lists = {k: list(v) for k, v in RIGHT_SHAPES.items()}
    assert line(ch.check_two_layer_shapes, as_lists, np.int64(2410)) == expected


def test_shapes_placeholder():
    assert line(ch.check_two_layer_shapes, ..., ...) == NOT_DONE
    assert line(ch.check_two_layer_shapes, {**RIGHT_SHAPES, "H": ...}, 2410) == NOT_DONE
    assert line(ch.check_two_layer_shapes, RIGHT_SHAPES, ...) == NOT_DONE


@pytest.mark.parametrize("change, message", [
    ({"W1": (32, 64)}, "W1 should have shape (64, 32), got (32, 64) (a weight matrix is "
                       "(inputs, outputs), so that X @ W works)"),
    ({"b1": (16, 32)}, "b1 should have shape (32,), got (16, 32) (a bias has one entry per "
                       "unit, the same for every example)"),
    ({"H": (32, 16)}, "H should have shape (16, 32), got (32, 16) (one row per example"),
    ({"Y_hat": (10,)}, "Y_hat should have shape (16, 10), got (10,) (one row per example"),
    ({"W2": (10, 32)}, "W2 should have shape (32, 10), got (10, 32) (a weight matrix"),
    ({"b2": 10}, "shapes['b2'] should be a tuple such as (10,), got the int 10"),
    ({"X": "16 x 64"}, "shapes['X'] should be a tuple of ints such as (16, 64), got '16 x 64'"),
])
def test_shapes_wrong(change, message):
    assert_wrong(line(ch.check_two_layer_shapes, {**RIGHT_SHAPES, **change}, 2410), message)


@pytest.mark.parametrize("num_params, message", [
    (2368, "2368 counts the weights only: add the biases"),
    (16 * 2410, "38560 counts the parameters once per example: the batch size does not change"),
    (2410.0, "num_params should be an int, got 2410.0"),
    (True, "num_params should be an int, got True"),
    (64 * 32 + 32 + 32 * 10, "num_params should count every weight and bias, got 2400"),
])
def test_parameter_count_wrong(num_params, message):
    assert_wrong(line(ch.check_two_layer_shapes, RIGHT_SHAPES, num_params), message)


def test_shapes_missing_entry_and_not_a_dict():
    shapes = dict(RIGHT_SHAPES)
    del shapes["b2"]
    assert line(ch.check_two_layer_shapes, shapes, 2410) == "✘ shapes lacks b2"
    assert line(ch.check_two_layer_shapes, list(RIGHT_SHAPES.values()), 2410) == (
        "✘ shapes should be a dict name → shape, got list")


# --- Exercise 2: forward pass ---

def right_forward(X, W1, b1, W2, b2):
    return np.maximum(0, X @ W1 + b1) @ W2 + b2


def test_forward_right_and_stub():
    expected = "✔ two_layer_forward is right on every batch, a batch of one included"
    assert line(ch.check_two_layer_forward, right_forward) == expected
    assert line(ch.check_two_layer_forward,
                lambda X, W1, b1, W2, b2: np.clip(X @ W1 + b1, 0, None) @ W2 + b2) == expected
    assert line(ch.check_two_layer_forward, stub) == f"{NOT_DONE} (Exercise: complete)"


@pytest.mark.parametrize("wrong, message", [
    (lambda X, W1, b1, W2, b2: (X @ W1 + b1) @ W2 + b2,
     "two_layer_forward on X of shape (5, 3): the ReLU is missing"),
    (lambda X, W1, b1, W2, b2: np.maximum(0, X @ W1) @ W2 + b2,
     "two_layer_forward on X of shape (5, 3): the hidden bias b1 is missing"),
    (lambda X, W1, b1, W2, b2: np.maximum(0, np.maximum(0, X @ W1 + b1) @ W2 + b2),
     "two_layer_forward on X of shape (5, 3): the output layer is linear here: no ReLU on it"),
    (lambda X, W1, b1, W2, b2: np.tanh(X @ W1 + b1) @ W2 + b2,
     "the hidden layer uses ReLU, not tanh"),
    (lambda X, W1, b1, W2, b2: np.maximum(0, X @ W1 + b1) @ W2,
     "two_layer_forward on X of shape (5, 3): the output bias b2 is missing"),
    (lambda X, W1, b1, W2, b2: (np.maximum(0, X @ W1 + b1) @ W2 + b2)[0],
     "two_layer_forward on X of shape (5, 3) should have shape (5, 2), got (2,)"),
    (lambda X, W1, b1, W2, b2: None,
     "two_layer_forward on X of shape (5, 3) is None"),
    (lambda X, W1, b1, W2, b2: np.maximum(0, X @ W1 + b1) @ W2 - b2,
     "two_layer_forward on X of shape (5, 3) should be"),
])
def test_forward_wrong(wrong, message):
    assert_wrong(line(ch.check_two_layer_forward, wrong), message)


# --- Exercise 3: collapsing linear layers ---

def right_collapse(layers):
    W, b = layers[0]
    for Wk, bk in layers[1:]:
        W, b = W @ Wk, b @ Wk + bk
    return W, b


def collapse_forgets_bias_path(layers):
    W, b = layers[0]
    for Wk, bk in layers[1:]:
        W, b = W @ Wk, bk  # drops the earlier biases
    return W, b


def collapse_adds_biases(layers):
    W, b = layers[0]
    for Wk, bk in layers[1:]:
        W, b = W @ Wk, b.sum() + bk
    return W, b


def collapse_wrong_order(layers):
    W, b = layers[-1]
    for Wk, bk in reversed(layers[:-1]):
        W, b = Wk @ W, bk @ W + b
    return W.T, b  # plausible-looking, but mixes the order


def test_collapse_right_and_stub():
    expected = "✔ one layer (W, b) computes exactly what the stack computes, at every depth"
    assert line(ch.check_collapse, right_collapse) == expected
    assert line(ch.check_collapse, lambda layers: list(right_collapse(layers))) == expected
    assert line(ch.check_collapse, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("wrong, message", [
    (collapse_forgets_bias_path, "for layer sizes [2, 4, 1]: b is only the last layer's bias"),
    (collapse_adds_biases, "for layer sizes [2, 4, 1]: b is not the sum of the biases"),
    (collapse_wrong_order, "W should have shape (2, 3) for layer sizes [2, 3] (the first "
                           "layer's inputs, the last layer's outputs), got (3, 2)"),
    (lambda layers: layers[-1], "W should have shape (2, 1) for layer sizes [2, 4, 1] (the "
                                "first layer's inputs, the last layer's outputs), got (4, 1)"),
    (lambda layers: right_collapse(layers)[0], "collapse should return a pair (W, b), got "
                                               "ndarray"),
    (lambda layers: (*right_collapse(layers), None), "collapse should return a pair (W, b), "
                                                     "got tuple of length 3"),
])
def test_collapse_wrong(wrong, message):
    assert_wrong(line(ch.check_collapse, wrong), message)


# --- Exercise 4: XOR with ReLU units ---

RIGHT_XOR = (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0]), np.array([1.0, -2.0]), 0.0)


def test_xor_right():
    expected = "✔ the network outputs [0., 1., 1., 0.] on the four corners: XOR"
    assert line(ch.check_xor_relu, *RIGHT_XOR) == expected
    assert line(ch.check_xor_relu, [[2, 2], [2, 2]], [0, -2], [0.5, -1], 0).startswith("✔ ")
    column = (RIGHT_XOR[0], RIGHT_XOR[1], RIGHT_XOR[2][:, None], np.array([0.0]))
    assert line(ch.check_xor_relu, *column) == expected


def test_xor_placeholder():
    assert line(ch.check_xor_relu, ..., ..., ..., ...) == NOT_DONE


@pytest.mark.parametrize("wrong, message", [
    ((np.ones((2, 2)), np.zeros(2), np.array([1.0, 0.0]), 0.0),  # OR-like
     "the network outputs [0., 1., 1., 2.] on (0,0), (0,1), (1,0), (1,1): wrong at (1, 1) "
     "(XOR is 0, 1, 1, 0)"),
    ((np.ones((2, 2)), np.array([0.0, -1.0]), np.array([-1.0, 2.0]), 1.0),  # XNOR
     "wrong at (0, 0), (0, 1), (1, 0), (1, 1)"),
    ((np.ones((2, 2)), np.array([0.0, -1.0]), np.array([0.0, 1.0]), 0.0),  # AND
     "wrong at (0, 1), (1, 0), (1, 1)"),
    ((np.ones((2, 2)), np.array([0.0, -1.0]), np.array([1.0, -2.0]), 1.0),  # output bias off
     "the network outputs [1., 2., 2., 1.] on (0,0), (0,1), (1,0), (1,1): wrong at (0, 0), "
     "(1, 1)"),
    ((np.ones((2, 3)), np.zeros(3), np.ones(3), 0.0), "W1 should have shape (2, 2), got (2, 3)"),
])
def test_xor_wrong(wrong, message):
    assert_wrong(line(ch.check_xor_relu, *wrong), message)


# --- Exercises 5 and 6: the circles without hidden layer ---

def test_circle_features_right():
    assert line(ch.check_circle_features, ["x1^2", "x2^2"]) == (
        "✔ with x1^2, x2^2 one layer reaches 99.0 % on the circles")
    assert line(ch.check_circle_features, ("x1", "x2", "x1^2", "x2^2")).startswith("✔ ")


@pytest.mark.parametrize("wrong, message", [
    (["x1", "x2"], "test accuracy, it needs ≥ 95 %; on x1 and x2 alone it can only draw a "
                   "straight line: which feature measures the distance from the centre?"),
    (["x1*x2"], "with x1*x2 the network reaches"),
    (["sin(x1)", "sin(x2)"], "with sin(x1), sin(x2) the network reaches"),
    (["x1^2"], "with x1^2 the network reaches"),
    (["x1**2", "x2**2"], "unknown feature(s) ['x1**2', 'x2**2']: choose from x1, x2, x1^2"),
    ("x1^2", "circle_features should be a list of names such as ['x1', 'x2'], got str 'x1^2'"),
    ([], "choose at least one input feature"),
])
def test_circle_features_wrong(wrong, message):
    assert_wrong(line(ch.check_circle_features, wrong), message)


def test_circle_features_placeholder():
    assert line(ch.check_circle_features, ...) == NOT_DONE


def test_circle_boundary_right():
    expected = "✔ B: training gave w₁, w₂ one sign, so w₁x₁² + w₂x₂² + b = 0 is an ellipse"
    assert line(ch.check_circle_boundary, "B") == expected
    assert line(ch.check_circle_boundary, " b ") == expected
    assert line(ch.check_circle_boundary, ...) == NOT_DONE


@pytest.mark.parametrize("wrong, message", [
    ("A", "✘ A ('a straight line') is not it: the boundary is straight in the plane of the "
          "features (x₁², x₂²), but squaring bends it"),
    ("C", "✘ C ('a spiral') is not it: w₁x₁² + w₂x₂² + b = 0 is unchanged when x₁ → −x₁"),
    ("D", "✘ D ('no boundary at all') is not it: the network of Exercise 5 separates"),
    ("E", "✘ answer with one of the letters A, B, C, D (a str), got 'E'"),
    (2, "✘ answer with one of the letters A, B, C, D (a str), got 2"),
])
def test_circle_boundary_wrong(wrong, message):
    assert_wrong(line(ch.check_circle_boundary, wrong), message)


def test_every_wrong_option_has_its_own_feedback():
    wrong = set(ch.BOUNDARY_OPTIONS) - {"B"}
    assert set(ch.BOUNDARY_FEEDBACK) == wrong
    assert len(set(ch.BOUNDARY_FEEDBACK.values())) == len(wrong)


def test_the_ellipse_is_what_training_gives():
    """The ✔ message says training gives w₁ and w₂ one sign (an ellipse, not a hyperbola)."""
    from nnbook.playground import Session

    session = Session("circles", noise=0.1, features=["x1^2", "x2^2"], hidden=(),
                      lr=ch.CIRCLE_LR)
    session.step(ch.CIRCLE_EPOCHS)
    W, b = session.model.weights[0], session.model.biases[0]
    w, bias = W[:, 1] - W[:, 0], b[1] - b[0]  # class 1 where w · (x₁², x₂²) + bias > 0
    assert np.sign(w[0]) == np.sign(w[1]) == -np.sign(bias)


# --- Exercise 7: a ReLU network through given points ---

def right_interpolation(knots, values):
    slopes = np.diff(values) / np.diff(knots)
    changes = np.diff(np.concatenate([[0.0], slopes, [0.0]]))
    return np.ones((1, len(knots))), -knots, changes[:, None], values[:1]


def interpolation_without_last_unit(knots, values):
    W1, b1, W2, b2 = right_interpolation(knots, values)
    return W1[:, :-1], b1[:-1], W2[:-1], b2  # keeps rising after the last knot


def interpolation_with_slopes(knots, values):
    W1, b1, _, b2 = right_interpolation(knots, values)
    slopes = np.diff(values) / np.diff(knots)
    return W1, b1, np.append(slopes, 0.0)[:, None], b2  # slopes instead of slope changes


def interpolation_without_bias(knots, values):
    W1, b1, W2, _ = right_interpolation(knots, values)
    return W1, b1, W2, np.zeros(1)


def interpolation_wrong_sign(knots, values):
    W1, b1, W2, b2 = right_interpolation(knots, values)
    return W1, -b1, W2, b2  # switches at -knots


def test_interpolation_right_and_stub():
    expected = "✔ the network goes through every point and stays flat outside the knots"
    assert line(ch.check_interpolating_network, right_interpolation) == expected
    assert line(ch.check_interpolating_network,
                lambda k, v: list(right_interpolation(k, v))) == expected
    assert line(ch.check_interpolating_network, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("wrong, message", [
    (interpolation_without_last_unit,
     "for knots [0., 1.] and values [0., 1.], the network gives 2 at x = 2 instead of 1: it is "
     "right up to the last knot but does not stay flat after it"),
    (interpolation_with_slopes, "for knots [0., 1.] and values [0., 1.], the network gives 2 at "
                                "x = 2 instead of 1"),
    (interpolation_without_bias, "it is off by the same amount everywhere, so look at b2"),
    (interpolation_wrong_sign, "for knots [0., 1.] and values [0., 1.], the network gives"),
    (lambda knots, values: right_interpolation(knots, values)[:3],
     "interpolating_network should return four arrays (W1, b1, W2, b2)"),
    (lambda knots, values: tuple(a.T for a in right_interpolation(knots, values)),
     "W1 should have shape (1, h), got (2, 1)"),
])
def test_interpolation_wrong(wrong, message):
    assert_wrong(line(ch.check_interpolating_network, wrong), message)
