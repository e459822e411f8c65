"""Neural networks made of :class:`~nnbook.autograd.Value` scalars (Chapter 4, *Backpropagation*).

``Neuron``, ``Layer`` and ``MLP`` follow PyTorch's names: calling a model runs the
forward pass, ``parameters()`` lists its Values, ``zero_grad()`` resets their gradients.
Slow (one Python object per number) but every step can be read.
"""

import random

from nnbook.autograd import Value

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


class Module:
    """What every model has: its parameters, and a way to reset their
    gradients."""

    def parameters(self):
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """activation(w · x + b) for an input x of ``num_inputs`` numbers;
    w ~ U(−1, 1), b = 0."""

    def __init__(self, num_inputs, activation="tanh"):
        if isinstance(num_inputs, bool) or not isinstance(num_inputs, int) or num_inputs < 1:
            raise ValueError(f"num_inputs must be an int ≥ 1, got {num_inputs!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}: choose one of {', '.join(ACTIVATIONS)}")
        self.w = [Value(random.uniform(-1, 1)) for _ in range(num_inputs)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x):
        if len(x) != len(self.w):
            raise ValueError(f"this neuron takes {len(self.w)} inputs, got {len(x)}")
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return z if self.activation == "linear" else getattr(z, self.activation)()

    def parameters(self):
        return self.w + [self.b]


class Layer(Module):
    """``num_outputs`` neurons reading the same input; returns a list of
    Values (one Value if a single neuron)."""

    def __init__(self, num_inputs, num_outputs, activation="tanh"):
        if isinstance(num_outputs, bool) or not isinstance(num_outputs, int) or num_outputs < 1:
            raise ValueError(f"num_outputs must be an int ≥ 1, got {num_outputs!r}")
        self.neurons = [Neuron(num_inputs, activation) for _ in range(num_outputs)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    """A multilayer perceptron: ``MLP(2, [8, 8, 1])`` has two hidden
    layers of 8 and one output.

    Hidden layers use ``activation``; the last layer is linear (it
    returns scores).
    """

    def __init__(self, num_inputs, sizes, activation="tanh"):
        if not isinstance(sizes, (list, tuple)) or len(sizes) == 0:
            raise TypeError(f"sizes must be a non-empty list of layer widths such as [8, 1], got {sizes!r}")
        widths = [num_inputs, *sizes]
        self.layers = [Layer(widths[i], widths[i + 1], activation if i < len(sizes) - 1 else "linear")
                       for i in range(len(sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
            x = x if isinstance(x, list) else [x]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]
