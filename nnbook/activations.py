"""Activation functions and their derivatives, and one neuron over the plane (taught in
Chapter 1, *The artificial neuron*).

Each activation takes an array (or a number) ``z`` of any shape and returns a float array
of the same shape. The chapter writes each one out; a test keeps them identical.

``ACTIVATIONS`` is the book's one table of activations, by name: every module that offers
a choice of activation picks from it (``TRAINABLE``: those a network trained by gradient
descent can use). ``compute_neuron`` is the neuron playground's arithmetic, headless, so
that the checks use it without the widget.
"""

from collections import namedtuple

import numpy as np

from nnbook import datasets
from nnbook.datasets import as_points, grid_over
from nnbook.validation import as_choice, as_float


def step(z):
    """Heaviside step: 1 where z ≥ 0, else 0."""
    return np.where(np.asarray(z, dtype=float) >= 0, 1.0, 0.0)


def sigmoid(z):
    """Logistic sigmoid 1 / (1 + e^(−z)), written as ½(1 + tanh(z/2))
    so that it never overflows; a float32 array stays float32."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z)))


def tanh(z):
    """Hyperbolic tangent, from −1 to 1."""
    return np.tanh(np.asarray(z, dtype=float))


def relu(z):
    """Rectified linear unit: max(0, z)."""
    return np.maximum(0.0, np.asarray(z, dtype=float))


def step_grad(z):
    """Derivative of the step: 0 everywhere (undefined at 0; we take 0)."""
    return np.zeros_like(np.asarray(z, dtype=float))


def sigmoid_grad(z):
    """σ'(z) = σ(z)(1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh_grad(z):
    """tanh'(z) = 1 − tanh²(z)."""
    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2


def relu_grad(z):
    """ReLU'(z) = 1 where z > 0, else 0 (we take 0 at z = 0)."""
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)


# --- the tables, package only ---

ACTIVATIONS = {"step": step, "sigmoid": sigmoid, "tanh": tanh, "relu": relu}
DERIVATIVES = {"step": step_grad, "sigmoid": sigmoid_grad, "tanh": tanh_grad, "relu": relu_grad}
# The activations of a layer trained by gradient descent: all but the step, whose slope
# is 0 wherever it is defined, so that no gradient passes it.
TRAINABLE = tuple(name for name in ACTIVATIONS if name != "step")


def get_activation(name):
    """Return the activation function called ``name`` (one of ``ACTIVATIONS``)."""
    return ACTIVATIONS[as_choice(name, "activation", ACTIVATIONS)]


# --- one neuron over the plane: the playground of Chapter 1, without its drawing ---

NEURON_DATASETS = ("blobs", "moons", "circles", "xor", "AND gate", "OR gate", "XOR gate")

NeuronResult = namedtuple("NeuronResult", "xx yy surface X y predictions accuracy w b activation")


def neuron_data(name):
    """The neuron playground's data sets by name (one of ``NEURON_DATASETS``):
    X (n, 2) float64, y (n,) int64."""
    name = as_choice(name, "data set", NEURON_DATASETS)
    if name.endswith(" gate"):
        return datasets.logic_gate(name.split()[0])
    noise = {"blobs": 0.5, "moons": 0.1, "circles": 0.1, "xor": 0.1}[name]
    return datasets.make_dataset(name, n=200, noise=noise, seed=0)


def compute_neuron(X, y, w1, w2, b, activation="sigmoid", resolution=60):
    """One neuron a(w1·x1 + w2·x2 + b) over the data's plane.

    X: (n, 2) points, y: (n,) labels 0/1. The neuron predicts class 1 where
    w·x + b ≥ 0, whatever the activation (all four are increasing, so the
    boundary is the line w·x + b = 0). Returns a NeuronResult with the output
    surface (resolution × resolution), the predictions and the accuracy.
    """
    X, y = as_points(X, y)
    w, b = np.array([as_float(w1, "w1"), as_float(w2, "w2")]), as_float(b, "b")
    activation = as_choice(activation, "activation", ACTIVATIONS)
    xx, yy, grid = grid_over(X, resolution)
    surface = ACTIVATIONS[activation](grid @ w + b).reshape(xx.shape)
    predictions = (X @ w + b >= 0).astype(np.int64)
    accuracy = float(np.mean(predictions == y))
    return NeuronResult(xx, yy, surface, X, y, predictions, accuracy, w, b, activation)
