"""Activation functions and their derivatives (taught in Chapter 1, *The artificial neuron*).

Each takes an array (or a number) ``z`` of any shape and returns a float array of
the same shape. The chapter writes each one out; a test keeps them identical.
"""

import numpy as np


def step(z):
    """Heaviside step: 1 where z ≥ 0, else 0."""
    return np.where(np.asarray(z, dtype=float) >= 0, 1.0, 0.0)


def sigmoid(z):
    """Logistic sigmoid 1 / (1 + e^(−z)), written as ½(1 + tanh(z/2))
    so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


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


ACTIVATIONS = {"step": step, "sigmoid": sigmoid, "tanh": tanh, "relu": relu}
DERIVATIVES = {"step": step_grad, "sigmoid": sigmoid_grad, "tanh": tanh_grad, "relu": relu_grad}


def get_activation(name):
    """Return the activation function called ``name`` (one of ``ACTIVATIONS``)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]
