"""Checks for the exercises of Chapter 4, *Backpropagation*."""

import math
import numbers

import numpy as np

from nnbook.activations import sigmoid
from nnbook.autograd import Value, topological_order
from nnbook.checks import CheckFailed, check, choice, close, expect, fmt

OPS = ("exp", "log", "tanh", "sigmoid", "relu")
HAND = {"a": 3.0, "b": -2.0}  # L = (a·b + a)²


def _number(value, what):
    """``value`` as a float, or a failed check that says what was given instead."""
    expect(isinstance(value, numbers.Real) and not isinstance(value, bool),
           f"{what} should be a number, got {value!r}")
    return float(value)


# Exercise 1 -----------------------------------------------------------------

LOCAL_GRADS = {  # d out / d x, for reference
    "exp": math.exp,
    "log": lambda x: 1 / x,
    "tanh": lambda x: 1 - math.tanh(x) ** 2,
    "sigmoid": lambda x: float(sigmoid(x) * (1 - sigmoid(x))),
    "relu": lambda x: float(x > 0),
}
INPUTS = {"exp": (0.0, 1.0, -2.0, 5.0), "log": (1.0, 0.5, 4.0, 100.0),
          "tanh": (0.0, 0.5, -1.5, 20.0), "sigmoid": (0.0, 2.0, -3.0, 30.0),
          "relu": (2.0, -1.0, 0.0, 1e6)}
# The same rules with the input and the output mixed up: a common slip.
SWAPPED = {"exp": lambda x, out: x, "log": lambda x, out: 1 / out if out else math.inf,
           "tanh": lambda x, out: 1 - x ** 2, "sigmoid": lambda x, out: x * (1 - x)}
RULES = {"exp": "(eˣ)' = eˣ = out", "log": "(log x)' = 1/x", "tanh": "tanh' = 1 − out²",
         "sigmoid": "σ' = out·(1 − out)", "relu": "1 where x > 0, else 0"}


def _local_grad_hint(op, x, out, got):
    if op in SWAPPED and np.isclose(got, SWAPPED[op](x, out), rtol=1e-6, atol=1e-9):
        return f" (the input and the output are mixed up: {RULES[op]})"
    if op == "relu" and x == 0:
        return " (at x = 0 take the derivative to be 0, as the engine and PyTorch do)"
    return f" ({RULES[op]})"


@check
def check_local_grad(local_grad):
    """local_grad(op, x, out) must return d out / d x for each op in OPS."""
    for op in OPS:
        for x in INPUTS[op]:
            out = getattr(Value(x), op)().data
            got, expected = local_grad(op, x, out), LOCAL_GRADS[op](x)
            what = f"local_grad({op!r}, x={fmt(x)}, out={fmt(out)})"
            if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "fiu":
                got = got.item()  # a 0-d array is a number too
            if got is None or np.ndim(got) != 0:
                close(got, expected, what)  # says what was returned instead of a number
            expect(isinstance(got, numbers.Real) and not isinstance(got, bool),
                   f"{what} should be a number, got {got!r}")
            expect(np.isclose(got, expected, rtol=1e-6, atol=1e-9),
                   f"{what} should be {fmt(expected)}, got {fmt(got)}"
                   f"{_local_grad_hint(op, x, out, got)}")
    return "the local derivatives of exp, log, tanh, sigmoid and relu are right"


# Exercise 2 -----------------------------------------------------------------

@check
def check_hand_gradients(grads):
    """grads: the gradients of L = (a·b + a)² with respect to a and b at a = 3, b = −2."""
    expect(isinstance(grads, dict) and set(grads) == {"a", "b"},
           f"grads should be a dict with the keys 'a' and 'b', got {grads!r}")
    got_a, got_b = _number(grads["a"], "grads['a']"), _number(grads["b"], "grads['b']")
    a, b = HAND["a"], HAND["b"]
    g = a * b + a
    right_a, right_b = 2 * g * (b + 1), 2 * g * a
    expect(not np.isclose(got_a, 2 * g * b), "dL/da: a reaches L along two paths "
           "(through a·b and directly): add both contributions")
    expect(not (np.isclose(got_a, right_b) and np.isclose(got_b, right_a)),
           "the two gradients are swapped: dL/da goes in grads['a']")
    expect(not (np.isclose(got_a, g * (b + 1)) and np.isclose(got_b, g * a)),
           f"both are half the right size: the square's derivative is 2g, with g = {g:g}")
    close(got_a, right_a, "dL/da")
    close(got_b, right_b, "dL/db")
    return "both gradients are right: the two paths from a add up"


# Exercise 3 -----------------------------------------------------------------

def _grad_of(build, *data):
    """Build an expression from fresh leaves with ``build``; return (result, leaves) after
    backward()."""
    leaves = [Value(x) for x in data]
    out = build(*leaves)
    expect(isinstance(out, Value), f"the result should be a Value, got {type(out).__name__}")
    out.backward()
    return out, leaves


def _mul_hint(got, x, y):
    if np.allclose(got, [1.0, 1.0]):
        return " (each input's gradient is the other input's value times out.grad)"
    if np.allclose(got, [x, y]):
        return " (a's gradient is b's value times out.grad, and b's is a's)"
    return ""


@check
def check_backward_rules(mul, tanh):
    """mul(a, b) and tanh(a) must build Values whose _backward follows the chain rule."""
    for x, y in ((2.0, -3.0), (0.0, 5.0), (-1.5, -4.0), (1e3, 2e-3)):
        out, (a, b) = _grad_of(mul, x, y)
        close(out.data, x * y, f"mul({fmt(x)}, {fmt(y)}).data")
        expect(a in out._prev and b in out._prev,
               "mul(a, b) must record its inputs: Value(…, (a, b), '*')")
        got = [a.grad, b.grad]
        expect(np.allclose(got, [y, x]), f"the gradients of mul({fmt(x)}, {fmt(y)}) for a and "
               f"b should be {fmt(np.array([y, x]))}, got {fmt(np.array(got))}"
               f"{_mul_hint(got, x, y)}")
    out, (a, b) = _grad_of(lambda a, b: mul(a, b) * 3, 2.0, -3.0)
    close([a.grad, b.grad], [-9.0, 6.0],
          "the gradients of 3·mul(a, b) (did you multiply by out.grad?)")
    out, (a,) = _grad_of(lambda a: mul(a, a), 3.0)
    close(a.grad, 6.0, "the gradient of mul(a, a) at a = 3 (a gradient must be added "
                       "with +=, not set)")
    for x in (0.5, 0.0, -2.0, 20.0):
        out, (a,) = _grad_of(tanh, x)
        close(out.data, math.tanh(x), f"tanh({fmt(x)}).data")
        expect(a in out._prev, "tanh(a) must record its input: Value(…, (a,), 'tanh')")
        hint = ""
        if np.isclose(a.grad, 1 - x ** 2):
            hint = " (the rule uses the output: 1 − out.data²)"
        elif np.isclose(a.grad, 1 - math.tanh(x)):
            hint = " (tanh' = 1 − tanh², squared)"
        close(a.grad, 1 - math.tanh(x) ** 2, f"the gradient of tanh at {fmt(x)}{hint}")
    out, (a,) = _grad_of(lambda a: tanh(a) * -2 + tanh(a), 0.5)
    close(a.grad, -(1 - math.tanh(0.5) ** 2), "the gradient of −2·tanh(a) + tanh(a) at 0.5 "
          "(a gradient must be added with +=, not set)")
    return "mul and tanh pass gradients back correctly, also to a reused input"


# Exercise 4 -----------------------------------------------------------------

class _Counted(Value):
    """A Value that counts how often anyone looks up its inputs: one pass over the nodes
    looks each up a few times, a walk along every path once per path."""

    lookups = 0

    @property
    def _prev(self):
        _Counted.lookups += 1
        return self.__dict__["_inputs"]

    @_prev.setter
    def _prev(self, inputs):
        self.__dict__["_inputs"] = inputs


def _reference_paths(root):
    paths = {root: 1}
    for node in reversed(topological_order(root)):
        for child in node._prev:
            paths[child] = paths.get(child, 0) + paths[node]
    return paths


def _direct_uses(root):
    """How many times each Value is an input (root: 1): the counts not passed on."""
    uses = {root: 1}
    for node in topological_order(root):
        for child in node._prev:
            uses[child] = uses.get(child, 0) + 1
    return uses


def _distinct_paths(root):
    """The counts when an input used twice by one operation (h * h) is counted once."""
    paths = {root: 1}
    for node in reversed(topological_order(root)):
        for child in dict.fromkeys(node._prev):
            paths[child] = paths.get(child, 0) + paths[node]
    return paths


def _paths(count):
    return f"{count:g} path" + ("" if count == 1 else "s")


def _name(node, names):
    if id(node) in names:
        return names[id(node)]
    if node._prev:
        return f"the Value made by {node._op!r} (data {fmt(node.data)})"
    return f"the input of data {fmt(node.data)}"


def _paths_hint(got, root):
    """Name a recognisable mistake in the counts ``got`` (keyed by id), or ""."""
    def same(counts):
        return all(got[id(node)] == count for node, count in counts.items())
    if all(count == 1 for count in got.values()):
        return ("every Value got 1 path: a Value used in several places adds up the counts "
                "of all the Values that use it")
    if same(_direct_uses(root)):
        return ("these are the numbers of direct uses: a Value's count is the sum of the "
                "counts of the Values that use it, once per use")
    if same(_distinct_paths(root)):
        return ("h * h uses h twice and gives it two paths: loop over node._prev itself, "
                "not over a set of it")
    if any(got[id(node)] > count for node, count in _reference_paths(root).items()):
        return ("a Value's count is the sum of the counts of the Values that use it, and "
                "root's is 1: is a count passed on twice?")
    return ("go through topological_order(root) in reverse, so that a Value passes on its "
            "count only once every Value that uses it has passed on theirs")


def _check_counts(paths, root, names=None):
    names = {id(node): name for name, node in {"root": root, **(names or {})}.items()}
    expect(paths is not None, "count_paths returned None: does it end with `return paths`?")
    expect(isinstance(paths, dict),
           f"count_paths should return a dict {{Value: number of paths}}, "
           f"got {type(paths).__name__}")
    strangers = [key for key in paths if not isinstance(key, Value)]
    if strangers:
        raise CheckFailed("the dict's keys should be the Values themselves, got "
                          f"{type(strangers[0]).__name__}")
    expected = _reference_paths(root)
    expect(root in paths, "root itself is missing from the dict: it has 1 path, the empty one")
    missing = [node for node in expected if node not in paths]
    if missing:
        raise CheckFailed(f"the dict misses {len(missing)} of the {len(expected)} Values, "
                          f"such as {_name(missing[0], names)}: every Value root depends "
                          "on needs a count")
    expect(len(paths) == len(expected),
           "the dict holds Values that root does not depend on")
    for node, count in paths.items():
        expect(isinstance(count, numbers.Real) and not isinstance(count, bool),
               f"the counts should be numbers, got {count!r} for {_name(node, names)}")
    got = {id(node): count for node, count in paths.items()}
    for node in reversed(topological_order(root)):
        if not math.isclose(got[id(node)], expected[node], rel_tol=1e-12):
            raise CheckFailed(f"count_paths gives {_name(node, names)} "
                              f"{_paths(got[id(node)])}, there are {expected[node]}: "
                              f"{_paths_hint(got, root)}")


def _ladder(steps, kind=Value):
    """x squared ``steps`` times: steps + 1 Values, 2**steps paths from the top to x."""
    x = top = kind(1.0)
    for _ in range(steps):
        top = kind(top.data * top.data, (top, top), "*")
    return x, top


@check
def check_path_counts(count_paths):
    """count_paths(root) must map every Value root depends on (and root) to the number of
    paths from root down to it, in one pass over the nodes and without recursion."""
    a = Value(2.0)
    _check_counts(count_paths(a), a)
    x = Value(1.5)
    h = x * x
    hh = h * h
    y = hh + h
    _check_counts(count_paths(y), y, {"x": x, "h": h, "h * h": hh, "y": y})
    w1, w2, b = Value(-3.0), Value(1.0), Value(0.5)
    z = w1 * 2.0 + w2 * w1 + b
    out = z.tanh() * z + (w1 * w1).exp()
    _check_counts(count_paths(out), out, {"w1": w1, "w2": w2, "b": b, "out": out})
    x, top = _ladder(16, _Counted)
    _Counted.lookups = 0
    paths = count_paths(top)
    expect(_Counted.lookups <= 10 * 17, f"count_paths looked up inputs {_Counted.lookups} "
           "times in a graph of 17 Values with 65536 paths: it follows every path; pass each "
           "Value's count to its inputs once, going through topological_order(root) in "
           "reverse")
    _check_counts(paths, top, {"x": x})
    c = deep = Value(1.0001)
    for _ in range(3000):  # deeper than Python's recursion limit
        deep = deep * c + 0.001
    try:
        paths = count_paths(deep)
    except RecursionError:
        raise CheckFailed("on a graph 6000 operations deep your function hits Python's "
                          "recursion limit: go through topological_order(root) instead of "
                          "recursing") from None
    _check_counts(paths, deep, {"c": c})
    x, top = _ladder(60)
    _check_counts(count_paths(top), top, {"x": x})
    return "every count is right, 2⁶⁰ paths to x included, in one pass over the nodes"


# Exercise 5 -----------------------------------------------------------------

def _grad_1(v):
    return [math.exp(v[0]) * v[1], math.exp(v[0]) + 3 * v[1] ** 2]


def _grad_2(v):
    return list(np.array([1.0, -1.0, 2.0]) * (1 - math.tanh(v[0] - v[1] + 2 * v[2]) ** 2))


TEST_FUNCTIONS = (  # f(xs), its gradient, a point
    (lambda v: v[0] ** 2 * v[1], lambda v: [2 * v[0] * v[1], v[0] ** 2], [1.5, -2.0]),
    (lambda v: math.exp(v[0]) * v[1] + v[1] ** 3, _grad_1, [0.5, -1.2]),
    (lambda v: math.tanh(v[0] - v[1] + 2 * v[2]), _grad_2, [0.1, 0.3, -0.2]),
    (lambda v: math.sin(v[0]), lambda v: [math.cos(v[0])], [0.0]),
)
STEP = 1e-3
# Nudging an entry up by h, down by 2h and up by h again leaves it a rounding error away
# from where it was (1.5 comes back as 1.4999999999999998): that counts as put back.
RESTORED = 1e-9


def _forward_differences(f, point, h):
    return [(f(point[:i] + [x + h] + point[i + 1:]) - f(point)) / h
            for i, x in enumerate(point)]


def _numerical_grad_mistake(got, f, grad, point):
    """Name a recognisable mistake in the derivatives ``got`` (a float array), or ""."""
    exact = np.array(grad(point))
    if np.allclose(got, 2 * exact, rtol=1e-4, atol=1e-5):
        return "every derivative is twice too large: divide by 2h, not h"
    if np.allclose(got, _forward_differences(f, point, STEP), rtol=1e-7, atol=1e-9):
        return ("that is the forward difference (f(x + h) − f(x)) / h, accurate only to "
                "about h: use (f(x + h) − f(x − h)) / 2h")
    if len(point) > 1 and np.allclose(got, got[0]) and not np.allclose(exact, exact[0]):
        return "every entry is the same: nudge one input at a time, not all together"
    return ""


def _floats(value):
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


@check
def check_numerical_grad(numerical_grad):
    """numerical_grad(f, xs, h) must return the central differences (f(x + h) − f(x − h)) / 2h,
    one per input, and leave xs as it found it."""
    for f, grad, point in TEST_FUNCTIONS:
        xs = list(point)
        got = numerical_grad(f, xs, h=STEP)
        expect(isinstance(xs, list) and len(xs) == len(point)
               and np.allclose(xs, point, rtol=0, atol=RESTORED),
               f"numerical_grad changed xs from {fmt(np.array(point))} to {fmt(np.array(xs))}: "
               "put each input back after nudging it")
        expect(got is None or (np.ndim(got) == 1 and len(got) == len(point)),
               f"numerical_grad should return one derivative per input ({len(point)}), "
               f"got {fmt(got) if isinstance(got, numbers.Real) else repr(got)}")
        what = f"numerical_grad(f, {fmt(np.array(point))}, h=1e-3)"
        values = _floats(got)
        if values is not None and values.shape == (len(point),) and np.isfinite(values).all():
            mistake = _numerical_grad_mistake(values, f, grad, point)
            expect(np.allclose(values, grad(point), rtol=1e-5, atol=1e-5) or not mistake,
                   f"{what} gives {fmt(values)}, the exact gradient is "
                   f"{fmt(np.array(grad(point)))}: {mistake}")
        close(got, grad(point), what, rtol=1e-5, atol=1e-5)
    return "central differences match the exact gradients to about h²"


# Exercise 6 -----------------------------------------------------------------

def _central_errors(hs, x=0.5):
    exact = 1 - math.tanh(x) ** 2
    return np.array([abs((math.tanh(x + h) - math.tanh(x - h)) / (2 * h) - exact) / exact
                     for h in hs])


STEPS = 10.0 ** -np.arange(1, 13)


@check
def check_best_step(best_h):
    """best_h: the step h among 1e-1 … 1e-12 with the smallest error of the central
    difference of tanh at 0.5."""
    expect(isinstance(best_h, numbers.Real) and not isinstance(best_h, bool) and best_h > 0,
           f"best_h should be a positive number such as 1e-3, got {best_h!r}")
    errors = _central_errors(STEPS)
    index = int(np.argmin(np.abs(np.log10(STEPS) - math.log10(best_h))))
    expect(np.isclose(math.log10(best_h), math.log10(STEPS[index]), atol=0.05),
           f"best_h should be one of the steps tried, 1e-1 … 1e-12, got {fmt(best_h)}")
    best = int(np.argmin(errors))
    side = ("there the rounding error (∝ 1/h) dominates" if index > best
            else "there the truncation error (∝ h²) dominates")
    expect(errors[index] <= 10 * errors.min(), f"h = {fmt(best_h)} gives a relative error of "
           f"{fmt(errors[index])}, {side}; another step does much better")
    return f"at h = {fmt(best_h)} truncation (∝ h²) and rounding error (∝ 1/h) balance"


# Exercise 7 -----------------------------------------------------------------

ACCUMULATION_OPTIONS = {
    "A": "the gradient of the sum of the batch losses, as for one big batch: a way to use "
         "a batch too big for memory",
    "B": "the gradient of the last batch only: each backward() replaces the gradients",
    "C": "the average of the batches' gradients",
    "D": "a wrong gradient that PyTorch only allows for backwards compatibility",
}
ACCUMULATION_FEEDBACK = {
    "B": "the second backward() added to what the first left and replaced nothing: "
         "the two ways printed the same gradients",
    "C": "an average of the two batches would be half of what the cell printed, which "
         "equals the gradient of all four points",
    "D": "the gradient of a sum is the sum of the gradients, so adding them up is "
         "right, and PyTorch does it on purpose",
}


@check
def check_accumulation_choice(answer):
    """answer: the letter of what calling backward() once per batch, without a reset in
    between, computes."""
    choice(answer, "A", ACCUMULATION_OPTIONS, ACCUMULATION_FEEDBACK)
    return "A: separate backward passes add up, like one batch k times as big"
