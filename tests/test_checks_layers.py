"""The checks of Chapter 3 accept the right answers and reject placeholders and plausible mistakes."""

import numpy as np
import pytest

from nnbook.checks import NOT_DONE, outcome
from nnbook.checks import layers as ch

RIGHT_SHAPES = {"X": (16, 64), "W1": (64, 32), "b1": (32,), "H": (16, 32),
                "W2": (32, 10), "b2": (10,), "Y_hat": (16, 10)}


def stub(*args):
    raise NotImplementedError("Exercise: complete")


def passes(check, *args):
    return outcome(check.body, *args).startswith("✔")


def fails(check, *args):
    line = outcome(check.body, *args)
    return line.startswith("✘") and not line.startswith(NOT_DONE)


# --- Exercise 1: shapes ---

def test_shapes_right():
    assert passes(ch.check_two_layer_shapes, RIGHT_SHAPES, 2410)
    assert passes(ch.check_two_layer_shapes, {k: list(v) for k, v in RIGHT_SHAPES.items()}, np.int64(2410))


def test_shapes_placeholder():
    assert outcome(ch.check_two_layer_shapes.body, ..., ...).startswith(NOT_DONE)
    assert outcome(ch.check_two_layer_shapes.body, {**RIGHT_SHAPES, "H": ...}, 2410).startswith(NOT_DONE)


@pytest.mark.parametrize("change", [{"W1": (32, 64)}, {"b1": (16, 32)}, {"H": (32, 16)},
                                    {"Y_hat": (10,)}, {"W2": (10, 32)}])
def test_shapes_wrong(change):
    assert fails(ch.check_two_layer_shapes, {**RIGHT_SHAPES, **change}, 2410)


def test_shapes_transposed_weight_gets_a_hint():
    assert "(inputs, outputs)" in outcome(ch.check_two_layer_shapes.body, {**RIGHT_SHAPES, "W1": (32, 64)}, 2410)


@pytest.mark.parametrize("num_params", [2368, 2410.0, 64 * 32 + 32 + 32 * 10, 16 * 2410, True])
def test_parameter_count_wrong(num_params):
    assert fails(ch.check_two_layer_shapes, RIGHT_SHAPES, num_params)


def test_shapes_missing_entry():
    shapes = dict(RIGHT_SHAPES)
    del shapes["b2"]
    assert "lacks b2" in outcome(ch.check_two_layer_shapes.body, shapes, 2410)


# --- Exercise 2: forward pass ---

def right_forward(X, W1, b1, W2, b2):
    return np.maximum(0, X @ W1 + b1) @ W2 + b2


@pytest.mark.parametrize("wrong", [
    lambda X, W1, b1, W2, b2: (X @ W1 + b1) @ W2 + b2,  # no activation
    lambda X, W1, b1, W2, b2: np.maximum(0, X @ W1) @ W2 + b2,  # missing the hidden bias
    lambda X, W1, b1, W2, b2: np.maximum(0, np.maximum(0, X @ W1 + b1) @ W2 + b2),  # ReLU on the output
    lambda X, W1, b1, W2, b2: np.tanh(X @ W1 + b1) @ W2 + b2,  # another activation
    lambda X, W1, b1, W2, b2: np.maximum(0, X @ W1 + b1) @ W2,  # missing the output bias
    lambda X, W1, b1, W2, b2: (np.maximum(0, X @ W1 + b1) @ W2 + b2)[0],  # one row only
])
def test_forward_wrong(wrong):
    assert fails(ch.check_two_layer_forward, wrong)


def test_forward_right_and_stub():
    assert passes(ch.check_two_layer_forward, right_forward)
    assert outcome(ch.check_two_layer_forward.body, stub).startswith(NOT_DONE)


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
    assert passes(ch.check_collapse, right_collapse)
    assert outcome(ch.check_collapse.body, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("wrong", [collapse_forgets_bias_path, collapse_adds_biases, collapse_wrong_order,
                                   lambda layers: layers[-1], lambda layers: right_collapse(layers)[0]])
def test_collapse_wrong(wrong):
    assert fails(ch.check_collapse, wrong)


# --- Exercise 4: XOR with ReLU units ---

RIGHT_XOR = (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0]), np.array([1.0, -2.0]), 0.0)


def test_xor_right():
    assert passes(ch.check_xor_relu, *RIGHT_XOR)
    assert passes(ch.check_xor_relu, [[2, 2], [2, 2]], [0, -2], [0.5, -1], 0)


def test_xor_placeholder():
    assert outcome(ch.check_xor_relu.body, ..., ..., ..., ...).startswith(NOT_DONE)


@pytest.mark.parametrize("wrong", [
    (np.ones((2, 2)), np.zeros(2), np.array([1.0, 0.0]), 0.0),  # OR-like
    (np.ones((2, 2)), np.array([0.0, -1.0]), np.array([-1.0, 2.0]), 1.0),  # XNOR: signs flipped
    (np.ones((2, 2)), np.array([0.0, -1.0]), np.array([0.0, 1.0]), 0.0),  # AND
    (np.ones((2, 2)), np.array([0.0, -1.0]), np.array([1.0, -2.0]), 0.0)[:3] + (1.0,),  # output bias off
])
def test_xor_wrong(wrong):
    assert fails(ch.check_xor_relu, *wrong)


def test_xor_wrong_shape():
    assert "shape" in outcome(ch.check_xor_relu.body, np.ones((2, 3)), np.zeros(3), np.ones(3), 0.0)


# --- Exercises 5 and 6: the circles without hidden layer ---

def test_circle_features_right():
    assert passes(ch.check_circle_features, ["x1^2", "x2^2"])
    assert passes(ch.check_circle_features, ["x1", "x2", "x1^2", "x2^2"])


@pytest.mark.parametrize("wrong", [["x1", "x2"], ["x1*x2"], ["sin(x1)", "sin(x2)"], ["x1^2"]])
def test_circle_features_wrong(wrong):
    assert fails(ch.check_circle_features, wrong)


def test_circle_features_placeholder_and_typo():
    assert outcome(ch.check_circle_features.body, ...).startswith(NOT_DONE)
    assert "unknown feature" in outcome(ch.check_circle_features.body, ["x1**2", "x2**2"])


def test_circle_boundary():
    assert passes(ch.check_circle_boundary, "B")
    assert passes(ch.check_circle_boundary, " b ")
    for wrong in ("A", "C", "D", "E", 2):
        assert fails(ch.check_circle_boundary, wrong)
    assert outcome(ch.check_circle_boundary.body, ...).startswith(NOT_DONE)


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
    assert passes(ch.check_interpolating_network, right_interpolation)
    assert outcome(ch.check_interpolating_network.body, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("wrong", [interpolation_without_last_unit, interpolation_with_slopes,
                                   interpolation_without_bias, interpolation_wrong_sign,
                                   lambda knots, values: right_interpolation(knots, values)[:3]])
def test_interpolation_wrong(wrong):
    assert fails(ch.check_interpolating_network, wrong)


def test_interpolation_message_says_where():
    line = outcome(ch.check_interpolating_network.body, interpolation_without_last_unit)
    assert "at x =" in line and "instead of" in line
