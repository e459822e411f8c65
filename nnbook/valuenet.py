"""Neural networks made of :class:`~nnbook.autograd.Value` scalars (Chapter 4, *Backpropagation*).

``Neuron``, ``Layer`` and ``MLP`` follow PyTorch's names: calling a model runs the
forward pass, ``parameters()`` lists its Values, ``zero_grad()`` resets their gradients.
Slow (one Python object per number) but every step can be read.
"""

import random

from nnbook.activations import TRAINABLE
from nnbook.autograd import Value
from nnbook.validation import as_choice, as_int, as_sizes


# --- argument validation, package only: each taught method spends one line on it ---

def validate_neuron(num_inputs, activation):
    """Check the settings of a ``Neuron``: an int ≥ 1 and one of Chapter 1's
    ``TRAINABLE`` activations, or "linear" (none). Returns the activation's name."""
    as_int(num_inputs, "num_inputs", minimum=1)
    return as_choice(activation, "activation", (*TRAINABLE, "linear"))


# --- the networks, written out in Chapter 4 ---


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
        self.activation = validate_neuron(num_inputs, activation)
        self.w = [Value(random.uniform(-1, 1)) for _ in range(num_inputs)]
        self.b = Value(0.0)

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
        as_int(num_outputs, "num_outputs", minimum=1)
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
        widths = [num_inputs, *as_sizes(sizes, "sizes", min_length=1)]
        self.layers = [Layer(widths[i], widths[i + 1], activation if i < len(sizes) - 1 else "linear")
                       for i in range(len(sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
            x = x if isinstance(x, list) else [x]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]
