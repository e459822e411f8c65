"""Checks for the exercises of Chapter 4, *Backpropagation*."""

import math

import numpy as np

from nnbook.autograd import Value
from nnbook.checks import check, choice, close, expect, fmt

OPS = ("exp", "log", "tanh", "sigmoid", "relu")
HAND = {"a": 3.0, "b": -2.0}  # L = (a·b + a)²


def _sigmoid(x):
    return 0.5 * (1 + math.tanh(0.5 * x))


LOCAL_GRADS = {  # d out / d x, for reference
    "exp": math.exp,
    "log": lambda x: 1 / x,
    "tanh": lambda x: 1 - math.tanh(x) ** 2,
    "sigmoid": lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
    "relu": lambda x: float(x > 0),
}
INPUTS = {"exp": (0.0, 1.0, -2.0, 5.0), "log": (1.0, 0.5, 4.0, 100.0),
          "tanh": (0.0, 0.5, -1.5, 20.0), "sigmoid": (0.0, 2.0, -3.0, 30.0),
          "relu": (2.0, -1.0, 0.0, 1e6)}


@check
def check_local_grad(local_grad):
    """local_grad(op, x, out) must return d out / d x for each op in OPS."""
    for op in OPS:
        for x in INPUTS[op]:
            out = getattr(Value(x), op)().data
            close(local_grad(op, x, out), LOCAL_GRADS[op](x), f"local_grad({op!r}, x={fmt(x)}, out={fmt(out)})",
                  rtol=1e-6, atol=1e-9)
    return "the local derivatives of exp, log, tanh, sigmoid and relu are right"


@check
def check_hand_gradients(grads):
    """grads: dict with the gradients of L = (a·b + a)² with respect to a and b at a = 3, b = −2."""
    expect(isinstance(grads, dict) and set(grads) == {"a", "b"},
           f"grads should be a dict with keys 'a' and 'b', got {grads!r}")
    a, b = HAND["a"], HAND["b"]
    g = a * b + a
    expect(not np.isclose(grads["a"], 2 * g * b),
           "dL/da: a reaches L along two paths (through a·b and directly): add both contributions")
    close(grads["a"], 2 * g * (b + 1), "dL/da")
    close(grads["b"], 2 * g * a, "dL/db")
    return "both gradients are right: the two paths from a add up"


def _grad_of(build, *data):
    """Build an expression from fresh leaves with ``build`` and return (result, leaves) after backward()."""
    leaves = [Value(x) for x in data]
    out = build(*leaves)
    expect(isinstance(out, Value), f"the result should be a Value, got {type(out).__name__}")
    out.backward()
    return out, leaves


@check
def check_backward_rules(mul, tanh):
    """mul(a, b) and tanh(a) must build Values whose _backward follows the chain rule."""
    for x, y in ((2.0, -3.0), (0.0, 5.0), (-1.5, -4.0), (1e3, 2e-3)):
        out, (a, b) = _grad_of(mul, x, y)
        close(out.data, x * y, f"mul({fmt(x)}, {fmt(y)}).data")
        expect(a in out._prev and b in out._prev, "mul(a, b) must record its inputs: Value(…, (a, b), '*')")
        close([a.grad, b.grad], [y, x], f"the gradients of mul({fmt(x)}, {fmt(y)}) for a and b")
    out, (a, b) = _grad_of(lambda a, b: mul(a, b) * 3, 2.0, -3.0)
    close([a.grad, b.grad], [-9.0, 6.0], "the gradients of 3·mul(a, b) (did you multiply by out.grad?)")
    out, (a,) = _grad_of(lambda a: mul(a, a), 3.0)
    close(a.grad, 6.0, "the gradient of mul(a, a) at a = 3 (a gradient must be added with +=, not set)")
    for x in (0.5, 0.0, -2.0, 20.0):
        out, (a,) = _grad_of(tanh, x)
        close(out.data, math.tanh(x), f"tanh({fmt(x)}).data")
        close(a.grad, 1 - math.tanh(x) ** 2, f"the gradient of tanh at {fmt(x)}")
    out, (a,) = _grad_of(lambda a: tanh(a) * -2 + tanh(a), 0.5)
    close(a.grad, -(1 - math.tanh(0.5) ** 2), "the gradient of −2·tanh(a) + tanh(a) at 0.5")
    return "mul and tanh pass gradients back correctly, also to a reused input"


def _is_topological(order, root):
    expect(isinstance(order, list), f"topological_sort should return a list, got {type(order).__name__}")
    expect(all(isinstance(node, Value) for node in order), "the list should hold the Values themselves")
    ids = [id(node) for node in order]
    expect(len(set(ids)) == len(ids), "each Value must appear once (keep a set of the nodes already visited)")
    position = {id(node): i for i, node in enumerate(order)}
    expect(order and order[-1] is root, "the root must come last (inputs first, result last)")
    reachable, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in reachable:
                reachable.add(id(child))
                stack.append(child)
    expect(set(ids) == reachable, f"the graph has {len(reachable)} Values, the list holds {len(set(ids))}")
    for node in order:
        for child in node._prev:
            expect(position[id(child)] < position[id(node)],
                   "every Value must come after the Values it was computed from")


@check
def check_topological_sort(topological_sort):
    """topological_sort(root) must list every Value once, inputs before results, root last."""
    a = Value(1.0)
    _is_topological(topological_sort(a), a)
    a, b = Value(2.0), Value(-3.0)
    h = (a * b).tanh()
    root = h * h + h + a
    _is_topological(topological_sort(root), root)
    deep = Value(0.5)
    for _ in range(3000):  # deeper than Python's recursion limit
        deep = deep * 1.0 + 0.001
    _is_topological(topological_sort(deep), deep)
    return "every Value once, inputs first, and a graph 6000 operations deep is no problem"


TEST_FUNCTIONS = (  # f(xs), its gradient, a point
    (lambda v: v[0] ** 2 * v[1], lambda v: [2 * v[0] * v[1], v[0] ** 2], [1.5, -2.0]),
    (lambda v: math.exp(v[0]) * v[1] + v[1] ** 3, lambda v: [math.exp(v[0]) * v[1], math.exp(v[0]) + 3 * v[1] ** 2],
     [0.5, -1.2]),
    (lambda v: math.tanh(v[0] - v[1] + 2 * v[2]), lambda v: [1, -1, 2] * np.array(1 - math.tanh(v[0] - v[1] + 2 * v[2]) ** 2),
     [0.1, 0.3, -0.2]),
    (lambda v: math.sin(v[0]), lambda v: [math.cos(v[0])], [0.0]),
)


@check
def check_numerical_grad(numerical_grad):
    """numerical_grad(f, xs, h) must return the central differences (f(x + h) − f(x − h)) / 2h, one per input."""
    for f, grad, point in TEST_FUNCTIONS:
        xs = list(point)
        got = numerical_grad(f, xs, h=1e-3)
        expect(xs == point, "numerical_grad must leave xs as it found it (restore each input after nudging it)")
        expect(np.ndim(got) == 1 and len(got) == len(point),
               f"numerical_grad should return one derivative per input ({len(point)}), got {got!r}")
        close(got, grad(point), f"numerical_grad(f, {fmt(np.array(point))}, h=1e-3) "
              "(central differences are accurate to about h²)", rtol=1e-5, atol=1e-5)
    return "central differences match the exact gradients to about h²"


def _central_errors(hs, x=0.5):
    exact = 1 - math.tanh(x) ** 2
    return np.array([abs((math.tanh(x + h) - math.tanh(x - h)) / (2 * h) - exact) / exact for h in hs])


STEPS = 10.0 ** -np.arange(1, 13)


@check
def check_best_step(best_h):
    """best_h: the step h among 1e-1 … 1e-12 with the smallest error of the central difference of tanh at 0.5."""
    expect(isinstance(best_h, (int, float)) and not isinstance(best_h, bool) and best_h > 0,
           f"best_h should be a positive number such as 1e-3, got {best_h!r}")
    errors = _central_errors(STEPS)
    index = int(np.argmin(np.abs(np.log10(STEPS) - math.log10(best_h))))
    expect(np.isclose(math.log10(best_h), math.log10(STEPS[index]), atol=0.05),
           f"best_h should be one of the steps tried, 1e-1 … 1e-12, got {fmt(best_h)}")
    expect(errors[index] <= 10 * errors.min(), f"h = {fmt(best_h)} gives a relative error of "
           f"{fmt(errors[index])}; another step does much better: look at the whole curve")
    return f"around h = {fmt(best_h)} truncation error (∝ h²) and rounding error (∝ 1/h) balance"


ACCUMULATION_OPTIONS = {
    "A": "the gradient of the sum of the batch losses, as for one big batch: a way to use a batch too big for memory",
    "B": "the gradient of the last batch only: each backward() replaces the gradients",
    "C": "the average of the batches' gradients",
    "D": "a wrong gradient that PyTorch only allows for backwards compatibility",
}


@check
def check_accumulation_choice(answer):
    """answer: the letter of what calling backward() once per batch, without a reset in between, computes."""
    choice(answer, "A", ACCUMULATION_OPTIONS)
    return "A: gradients of separate backward passes add up, so k small batches act as one batch k times as big"
