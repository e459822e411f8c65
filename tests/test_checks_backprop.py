"""Every Chapter 4 check accepts the right answer (written more than one way), says "not
done yet" for the placeholder, and rejects plausible wrong answers, each with the message
that names its mistake."""

import math

import numpy as np
import pytest

from checking import line
from nnbook.autograd import Value, topological_order
from nnbook.checks import CHECK_FAILED, NOT_DONE
from nnbook.checks import backprop as checks


def passes(check, *args):
    got = line(check, *args)
    assert got.startswith("✔ "), got
    return got


def fails(check, *args, message):
    """A wrong answer gets ✘ and the message naming its mistake, never the check's own ⚠."""
    got = line(check, *args)
    assert got.startswith("✘ ") and not got.startswith(NOT_DONE), got
    assert not got.startswith(CHECK_FAILED), got
    assert message in got, got
    return got


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: complete f()")


@pytest.mark.parametrize("check, args", [
    (checks.check_local_grad, (stub,)),
    (checks.check_hand_gradients, (...,)),
    (checks.check_hand_gradients, ({"a": 6.0, "b": ...},)),
    (checks.check_backward_rules, (stub, stub)),
    (checks.check_path_counts, (stub,)),
    (checks.check_numerical_grad, (stub,)),
    (checks.check_best_step, (...,)),
    (checks.check_accumulation_choice, (...,)),
])
def test_placeholders_are_not_done(check, args):
    assert line(check, *args).startswith(NOT_DONE)


# Exercise 1: local derivatives -------------------------------------------------

def local_grad(op, x, out):
    rules = {"exp": lambda: out, "log": lambda: 1 / x, "tanh": lambda: 1 - out ** 2,
             "sigmoid": lambda: out * (1 - out), "relu": lambda: float(x > 0)}
    return rules[op]()


def local_grad_from_inputs(op, x, out):
    """The same derivatives written with the input only: right too."""
    if op == "sigmoid":
        s = 1 / (1 + math.exp(-x))
        return s * (1 - s)
    if op == "log":
        return 1 / x
    return {"exp": math.exp, "tanh": lambda z: 1 / math.cosh(z) ** 2,
            "relu": lambda z: 1.0 if z > 0 else 0.0}[op](x)


def test_local_grad():
    expected = "✔ the local derivatives of exp, log, tanh, sigmoid and relu are right"
    assert line(checks.check_local_grad, local_grad) == expected
    assert line(checks.check_local_grad, local_grad_from_inputs) == expected
    assert line(checks.check_local_grad,
                lambda op, x, out: np.float64(local_grad(op, x, out))) == expected


def replace(op_to_change, rule):
    return lambda op, x, out: rule(x, out) if op == op_to_change else local_grad(op, x, out)


@pytest.mark.parametrize("wrong, message", [
    (replace("tanh", lambda x, out: 1 - out),
     "local_grad('tanh', x=0.5, out=0.4621) should be 0.7864, got 0.5379 (tanh' = 1 − out²)"),
    (replace("sigmoid", lambda x, out: x * (1 - x)),
     "local_grad('sigmoid', x=0, out=0.5) should be 0.25, got 0 (the input and the output are "
     "mixed up: σ' = out·(1 − out))"),
    (replace("exp", lambda x, out: x),
     "local_grad('exp', x=0, out=1) should be 1, got 0 (the input and the output are mixed up"),
    (replace("relu", lambda x, out: float(x >= 0)),
     "local_grad('relu', x=0, out=0) should be 0, got 1 (at x = 0 take the derivative to be 0"),
    (replace("tanh", lambda x, out: 1 - math.tanh(x)),
     "local_grad('tanh', x=0.5, out=0.4621) should be 0.7864, got 0.5379"),
    (replace("log", lambda x, out: math.log(x)),
     "local_grad('log', x=1, out=0) should be 1, got 0 ((log x)' = 1/x)"),
    (replace("log", lambda x, out: 1 / out),       # the learner's own code divides by zero
     "your code raised ZeroDivisionError"),
    (lambda op, x, out: None,
     "local_grad('exp', x=0, out=1) is None: does your function end with `return …`?"),
    (lambda op, x, out: "1", "local_grad('exp', x=0, out=1) should be a number, got '1'"),
])
def test_local_grad_rejects(wrong, message):
    fails(checks.check_local_grad, wrong, message=message)


# Exercise 2: the chain rule by hand --------------------------------------------

def test_hand_gradients():
    expected = "✔ both gradients are right: the two paths from a add up"
    assert line(checks.check_hand_gradients, {"a": 6.0, "b": -18.0}) == expected
    assert line(checks.check_hand_gradients, {"a": 6, "b": np.float64(-18)}) == expected


@pytest.mark.parametrize("wrong, message", [
    ({"a": 12.0, "b": -18.0}, "dL/da: a reaches L along two paths (through a·b and directly)"),
    ({"a": -6.0, "b": 18.0}, "✘ dL/da should be 6, got -6 (the sign is flipped)"),
    ({"a": 3.0, "b": -9.0}, "both are half the right size: the square's derivative is 2g, "
                            "with g = -3"),
    ({"a": -18.0, "b": 6.0}, "the two gradients are swapped: dL/da goes in grads['a']"),
    ({"a": 6.0, "b": 18.0}, "✘ dL/db should be -18, got 18 (the sign is flipped)"),
    ({"a": 6.0}, "grads should be a dict with the keys 'a' and 'b', got {'a': 6.0}"),
    ({"a": "6", "b": -18.0}, "grads['a'] should be a number, got '6'"),
])
def test_hand_gradients_reject(wrong, message):
    fails(checks.check_hand_gradients, wrong, message=message)


# Exercise 3: backward rules of * and tanh ---------------------------------------

def make_mul(rule="right"):
    def mul(a, b):
        out = Value(a.data * b.data, () if rule == "no_prev" else (a, b), "*")

        def _backward():
            if rule == "overwrite":
                a.grad = b.data * out.grad
                b.grad = a.data * out.grad
            elif rule == "no_other":
                a.grad += out.grad
                b.grad += out.grad
            elif rule == "no_chain":
                a.grad += b.data
                b.grad += a.data
            elif rule == "swapped":
                a.grad += a.data * out.grad
                b.grad += b.data * out.grad
            else:
                a.grad += b.data * out.grad
                b.grad += a.data * out.grad

        out._backward = _backward
        return out
    return mul


def make_tanh(rule="right"):
    def tanh(a):
        out = Value(math.tanh(a.data), () if rule == "no_prev" else (a,), "tanh")

        def _backward():
            if rule == "input":
                a.grad += (1 - a.data ** 2) * out.grad
            elif rule == "no_square":
                a.grad += (1 - out.data) * out.grad
            elif rule == "overwrite":
                a.grad = (1 - out.data ** 2) * out.grad
            else:
                a.grad += (1 - out.data ** 2) * out.grad

        out._backward = _backward
        return out
    return tanh


def test_backward_rules():
    expected = "✔ mul and tanh pass gradients back correctly, also to a reused input"
    assert line(checks.check_backward_rules, make_mul(), make_tanh()) == expected
    assert line(checks.check_backward_rules, lambda a, b: a * b, lambda a: a.tanh()) == expected


@pytest.mark.parametrize("mul_rule, message", [
    ("overwrite", "the gradient of mul(a, a) at a = 3 (a gradient must be added with +=, not "
                  "set) should be 6, got 3"),
    ("no_other", "the gradients of mul(2, -3) for a and b should be [-3., 2.], got [1., 1.] "
                 "(each input's gradient is the other input's value times out.grad)"),
    ("no_chain", "the gradients of 3·mul(a, b) (did you multiply by out.grad?) should be "
                 "[-9., 6.], got [-3., 2.]"),
    ("swapped", "the gradients of mul(2, -3) for a and b should be [-3., 2.], got [ 2., -3.] "
                "(a's gradient is b's value times out.grad, and b's is a's)"),
    ("no_prev", "mul(a, b) must record its inputs: Value(…, (a, b), '*')"),
])
def test_backward_rules_reject_wrong_mul(mul_rule, message):
    fails(checks.check_backward_rules, make_mul(mul_rule), make_tanh(), message=message)


@pytest.mark.parametrize("tanh_rule, message", [
    ("input", "the gradient of tanh at 0.5 (the rule uses the output: 1 − out.data²) should "
              "be 0.7864, got 0.75"),
    ("no_square", "the gradient of tanh at 0.5 (tanh' = 1 − tanh², squared) should be 0.7864, "
                  "got 0.5379"),
    ("overwrite", "the gradient of −2·tanh(a) + tanh(a) at 0.5 (a gradient must be added with "
                  "+=, not set)"),
    ("no_prev", "tanh(a) must record its input: Value(…, (a,), 'tanh')"),
])
def test_backward_rules_reject_wrong_tanh(tanh_rule, message):
    fails(checks.check_backward_rules, make_mul(), make_tanh(tanh_rule), message=message)


def test_backward_rules_reject_a_plain_number():
    fails(checks.check_backward_rules, lambda a, b: a.data * b.data, make_tanh(),
          message="the result should be a Value, got float")


# Exercise 4: the number of paths to each Value ------------------------------------

def count_paths(root):
    paths = {root: 1}
    for node in reversed(topological_order(root)):
        for child in node._prev:
            paths[child] = paths.get(child, 0) + paths[node]
    return paths


def count_paths_by_users(root):
    """Right another way: Kahn's algorithm, a Value is done once all its users are."""
    users = {}
    for node in topological_order(root):
        for child in node._prev:
            users[child] = users.get(child, 0) + 1
    paths, ready = {root: 1}, [root]
    while ready:
        node = ready.pop()
        for child in node._prev:
            paths[child] = paths.get(child, 0) + paths[node]
            users[child] -= 1
            if users[child] == 0:
                ready.append(child)
    return {node: float(count) for node, count in paths.items()}


def direct_uses(root):
    paths = {root: 1}
    for node in reversed(topological_order(root)):
        for child in node._prev:
            paths[child] = paths.get(child, 0) + 1
    return paths


def distinct_inputs(root):
    paths = {root: 1}
    for node in reversed(topological_order(root)):
        for child in set(node._prev):
            paths[child] = paths.get(child, 0) + paths[node]
    return paths


def forward_order(root):
    paths = {root: 1}
    for node in topological_order(root):
        for child in node._prev:
            paths[child] = paths.get(child, 0) + paths.get(node, 0)
    return paths


def every_path(root):
    paths, stack = {}, [root]
    while stack:
        node = stack.pop()
        paths[node] = paths.get(node, 0) + 1
        stack.extend(node._prev)
    return paths


def recursive_order(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)

    visit(root)
    paths = {root: 1}
    for node in reversed(order):
        for child in node._prev:
            paths[child] = paths.get(child, 0) + paths[node]
    return paths


def no_return(root):
    count_paths(root)


PATHS_RIGHT = "✔ every count is right, 2⁶⁰ paths to x included, in one pass over the nodes"


@pytest.mark.parametrize("right", [count_paths, count_paths_by_users])
def test_path_counts(right):
    assert line(checks.check_path_counts, right) == PATHS_RIGHT


@pytest.mark.parametrize("wrong, message", [
    (lambda root: {node: 1 for node in topological_order(root)},
     "✘ count_paths gives h 1 path, there are 3: every Value got 1 path: a Value used in "
     "several places adds up the counts of all the Values that use it"),
    (direct_uses, "✘ count_paths gives x 2 paths, there are 6: these are the numbers of "
                  "direct uses: a Value's count is the sum of the counts of the Values that "
                  "use it, once per use"),
    (distinct_inputs, "✘ count_paths gives h 2 paths, there are 3: h * h uses h twice and "
                      "gives it two paths: loop over node._prev itself, not over a set of it"),
    (forward_order, "✘ count_paths gives h 1 path, there are 3: go through "
                    "topological_order(root) in reverse, so that a Value passes on its count "
                    "only once every Value that uses it has passed on theirs"),
    (lambda root: {n: c + (n is not root) for n, c in count_paths(root).items()},
     "✘ count_paths gives h * h 2 paths, there are 1: a Value's count is the sum of the "
     "counts of the Values that use it, and root's is 1: is a count passed on twice?"),
    (every_path, "✘ count_paths looked up inputs 131071 times in a graph of 17 Values with "
                 "65536 paths: it follows every path;"),
    (recursive_order, "✘ on a graph 6000 operations deep your function hits Python's "
                      "recursion limit: go through topological_order(root) instead of "
                      "recursing"),
    (lambda root: {n: c for n, c in count_paths(root).items() if n is not root},
     "✘ root itself is missing from the dict: it has 1 path, the empty one"),
    (lambda root: {n: c for n, c in count_paths(root).items() if n._prev or n is root},
     "✘ the dict misses 1 of the 4 Values, such as x: every Value root depends on needs "
     "a count"),
    (lambda root: list(count_paths(root).values()),
     "✘ count_paths should return a dict {Value: number of paths}, got list"),
    (lambda root: {id(n): c for n, c in count_paths(root).items()},
     "✘ the dict's keys should be the Values themselves, got int"),
    (lambda root: {n: str(c) for n, c in count_paths(root).items()},
     "✘ the counts should be numbers, got '1' for root"),
    (no_return, "✘ count_paths returned None: does it end with `return paths`?"),
])
def test_path_counts_reject(wrong, message):
    fails(checks.check_path_counts, wrong, message=message)


def test_path_counts_refuse_values_from_another_graph():
    def with_a_stranger(root):
        return {**count_paths(root), Value(9.0): 1}

    fails(checks.check_path_counts, with_a_stranger,
          message="✘ the dict holds Values that root does not depend on")


# Exercise 5: finite differences ------------------------------------------------

def numerical_grad(f, xs, h=1e-5):
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((f(up) - f(down)) / (2 * h))
    return grads


def numerical_grad_in_place(f, xs, h=1e-5):
    """Right too: nudges xs itself and puts each entry back. Up h, down 2h, up h leaves
    1.5 as 1.4999999999999998, a rounding error the check must accept."""
    grads = []
    for i in range(len(xs)):
        xs[i] += h
        up = f(xs)
        xs[i] -= 2 * h
        down = f(xs)
        xs[i] += h
        grads.append((up - down) / (2 * h))
    return grads


def test_the_in_place_answer_really_leaves_a_rounding_error():
    xs = [1.5, -2.0]
    numerical_grad_in_place(lambda v: v[0] ** 2 * v[1], xs, h=1e-3)
    assert xs[0] != 1.5 and xs[0] == pytest.approx(1.5, abs=1e-15)


def forward_difference(f, xs, h=1e-5):
    grads = []
    for i in range(len(xs)):
        up = list(xs)
        up[i] += h
        grads.append((f(up) - f(xs)) / h)
    return grads


def central_without_half(f, xs, h=1e-5):
    return [2 * g for g in numerical_grad(f, xs, h)]


def all_at_once(f, xs, h=1e-5):
    value = (f([x + h for x in xs]) - f([x - h for x in xs])) / (2 * h)
    return [value] * len(xs)


def not_restored(f, xs, h=1e-5):
    grads = []
    for i in range(len(xs)):
        xs[i] += h
        up = f(xs)
        xs[i] -= 2 * h
        grads.append((up - f(xs)) / (2 * h))
    return grads


def test_numerical_grad():
    expected = "✔ central differences match the exact gradients to about h²"
    assert line(checks.check_numerical_grad, numerical_grad) == expected
    assert line(checks.check_numerical_grad, numerical_grad_in_place) == expected
    assert line(checks.check_numerical_grad,
                lambda f, xs, h=1e-5: np.array(numerical_grad(f, xs, h))) == expected


@pytest.mark.parametrize("wrong, message", [
    (forward_difference, "the exact gradient is [-6. , 2.25]: that is the forward difference "
                         "(f(x + h) − f(x)) / h, accurate only to about h"),
    (central_without_half, "gives [-12. , 4.5], the exact gradient is [-6. , 2.25]: every "
                           "derivative is twice too large: divide by 2h, not h"),
    (all_at_once, "every entry is the same: nudge one input at a time, not all together"),
    (not_restored, "numerical_grad changed xs from [ 1.5, -2. ] to [ 1.499, -2.001]: put each "
                   "input back after nudging it"),
    (lambda f, xs, h=1e-5: sum(numerical_grad(f, xs, h)),
     "numerical_grad should return one derivative per input (2), got -3.75"),
    (lambda f, xs, h=1e-5: None,
     "numerical_grad(f, [ 1.5, -2. ], h=1e-3) is None: does your function end with `return …`?"),
    (lambda f, xs, h=1e-5: [-g for g in numerical_grad(f, xs, h)],
     "numerical_grad(f, [ 1.5, -2. ], h=1e-3) should be [-6. , 2.25], got [ 6. , -2.25]"),
])
def test_numerical_grad_rejects(wrong, message):
    fails(checks.check_numerical_grad, wrong, message=message)


# Exercise 6: the best step ------------------------------------------------------

def test_best_step():
    expected = "✔ at h = 1e-05 truncation (∝ h²) and rounding error (∝ 1/h) balance"
    assert line(checks.check_best_step, 1e-5) == expected
    assert line(checks.check_best_step, np.float64(1e-5)) == expected
    assert line(checks.check_best_step, float(10.0 ** -np.arange(1, 13)[4])) == expected


@pytest.mark.parametrize("wrong, message", [
    (1e-12, "h = 1e-12 gives a relative error of"),
    (1e-12, "there the rounding error (∝ 1/h) dominates; another step does much better"),
    (1e-1, "h = 0.1 gives a relative error of 0.001201, there the truncation error (∝ h²) "
           "dominates"),
    (1e-8, "there the rounding error (∝ 1/h) dominates"),
    (1e-3, "there the truncation error (∝ h²) dominates"),
    (3e-5, "best_h should be one of the steps tried, 1e-1 … 1e-12, got 3e-05"),
    (-1e-5, "best_h should be a positive number such as 1e-3, got -1e-05"),
    ("1e-5", "best_h should be a positive number such as 1e-3, got '1e-5'"),
    (True, "best_h should be a positive number such as 1e-3, got True"),
])
def test_best_step_rejects(wrong, message):
    fails(checks.check_best_step, wrong, message=message)


# Exercise 7: accumulating gradients on purpose ----------------------------------

def test_accumulation_choice():
    expected = "✔ A: separate backward passes add up, like one batch k times as big"
    assert line(checks.check_accumulation_choice, "A") == expected
    assert line(checks.check_accumulation_choice, " a ") == expected


@pytest.mark.parametrize("wrong, message", [
    ("B", "✘ B ('the gradient of the last batch only: each backward() replaces the "
          "gradients') is not it: the second backward() added to what the first left"),
    ("C", "✘ C ('the average of the batches' gradients') is not it: an average of the two "
          "batches would be half of what the cell printed"),
    ("D", "is not it: the gradient of a sum is the sum of the gradients"),
    ("E", "✘ answer with one of the letters A, B, C, D (a str), got 'E'"),
    ("", "✘ answer with one of the letters A, B, C, D (a str), got ''"),
    (1, "✘ answer with one of the letters A, B, C, D (a str), got 1"),
])
def test_accumulation_choice_rejects(wrong, message):
    fails(checks.check_accumulation_choice, wrong, message=message)


def test_every_wrong_option_has_its_own_feedback():
    wrong = set(checks.ACCUMULATION_OPTIONS) - {"A"}
    assert set(checks.ACCUMULATION_FEEDBACK) == wrong
    assert len(set(checks.ACCUMULATION_FEEDBACK.values())) == len(wrong)
