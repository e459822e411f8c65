"""A scalar autograd engine (built step by step in Chapter 4, *Backpropagation*).

A :class:`Value` holds one number, ``data``, and after ``backward()`` the gradient
``grad`` of the final result with respect to it. Every operation on Values records
its inputs (``_prev``), its name (``_op``) and a closure (``_backward``) that passes
the output's gradient on to the inputs by the chain rule. ``backward()`` calls them
in the reverse of :func:`topological_order`, which keeps its own stack instead of
recursing, so a graph may be as deep as memory allows.

    >>> a, b = Value(0.5), Value(-1.0)
    >>> c = (a * b + 1).tanh()
    >>> c.backward()
    >>> round(a.grad, 4), round(b.grad, 4)
    (-0.7864, 0.3932)
"""

import math

from nnbook import activations
from nnbook.validation import as_positive, as_real


# --- argument validation, package only: each taught method spends one line on it ---

def validate_power(base, exponent):
    """Check an exponent for ``Value.__pow__``: a plain number (int or float), and a
    whole one when the base is negative (else the power is not a real number)."""
    exponent = as_real(exponent, "the exponent",
                       hint="for a Value exponent write (exponent * base.log()).exp()")
    if base < 0 and not exponent.is_integer():
        raise ValueError(f"a negative base ({base:g}) to a fractional power ({exponent:g}) "
                         "is not a real number: use a whole exponent or a positive base")


# --- the engine, written out in Chapter 4 ---

class Value:
    """One scalar of a computation: ``data`` (float) and ``grad``
    (float, d result / d data)."""

    def __init__(self, data, _prev=(), _op=""):
        self.data = as_real(data, "data")
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._op = _op
        self._backward = lambda: None

    def __repr__(self):
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def backward(self):
        """Fill in ``grad`` of every Value this one depends on
        (d self / d node)."""
        self.grad = 1.0
        for node in reversed(topological_order(self)):
            node._backward()

    def __pow__(self, exponent):
        validate_power(self.data, exponent)
        out = Value(self.data ** exponent, (self,), f"**{exponent:g}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self):
        as_positive(self.data, "the input of log")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self):
        out = Value(activations.sigmoid(self.data), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1 - out.data) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(0.0, self.data), (self,), "relu")

        def _backward():
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out


def topological_order(root):
    """Every Value ``root`` depends on, and ``root``, each once: a Value
    comes after all the Values it was computed from, ``root`` last."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))  # comes back after its inputs
            stack.extend((child, False) for child in reversed(node._prev))
    return order
