"""Every check of Chapter 4 passes the right answer, says "not done yet" to the placeholder
and rejects plausible wrong answers."""

import math

import pytest

from nnbook.autograd import Value
from nnbook.checks import NOT_DONE, outcome
from nnbook.checks import backprop as checks


def passes(check, *args):
    line = outcome(check.body, *args)
    assert line.startswith("✔"), line


def fails(check, *args):
    line = outcome(check.body, *args)
    assert line.startswith("✘") and not line.startswith(NOT_DONE), line
    return line


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: complete f()")


@pytest.mark.parametrize("check, args", [
    (checks.check_local_grad, (stub,)),
    (checks.check_hand_gradients, (...,)),
    (checks.check_backward_rules, (stub, stub)),
    (checks.check_topological_sort, (stub,)),
    (checks.check_numerical_grad, (stub,)),
    (checks.check_best_step, (...,)),
    (checks.check_accumulation_choice, (...,)),
])
def test_placeholders_are_not_done(check, args):
    assert outcome(check.body, *args).startswith(NOT_DONE)


# Exercise 1: local derivatives

def local_grad(op, x, out):
    rules = {"exp": lambda: out, "log": lambda: 1 / x, "tanh": lambda: 1 - out ** 2,
             "sigmoid": lambda: out * (1 - out), "relu": lambda: float(x > 0)}
    return rules[op]()


def test_local_grad():
    passes(checks.check_local_grad, local_grad)


@pytest.mark.parametrize("wrong", [
    lambda op, x, out: 1 - out if op == "tanh" else local_grad(op, x, out),          # square forgotten
    lambda op, x, out: x * (1 - x) if op == "sigmoid" else local_grad(op, x, out),   # input, not output
    lambda op, x, out: 1 / out if op == "log" else local_grad(op, x, out),           # 1/out
    lambda op, x, out: x if op == "exp" else local_grad(op, x, out),
    lambda op, x, out: float(x >= 0) if op == "relu" else local_grad(op, x, out),    # 1 at 0
    lambda op, x, out: 1 - math.tanh(x) if op == "tanh" else local_grad(op, x, out),
])
def test_local_grad_rejects(wrong):
    fails(checks.check_local_grad, wrong)


# Exercise 2: the chain rule by hand

def test_hand_gradients():
    passes(checks.check_hand_gradients, {"a": 6.0, "b": -18.0})


@pytest.mark.parametrize("wrong", [
    {"a": 12.0, "b": -18.0},   # only the path through a·b
    {"a": -6.0, "b": 18.0},    # sign
    {"a": 3.0, "b": -9.0},     # the 2 of the square forgotten
    {"a": -18.0, "b": 6.0},    # swapped
    {"a": 6.0},                # a key missing
])
def test_hand_gradients_reject(wrong):
    fails(checks.check_hand_gradients, wrong)


def test_hand_gradients_explain_the_second_path():
    assert "two paths" in fails(checks.check_hand_gradients, {"a": 12.0, "b": -18.0})


# Exercise 3: backward rules of * and tanh

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
        out = Value(math.tanh(a.data), (a,), "tanh")

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
    passes(checks.check_backward_rules, make_mul(), make_tanh())


@pytest.mark.parametrize("mul_rule", ["overwrite", "no_other", "no_chain", "swapped", "no_prev"])
def test_backward_rules_reject_wrong_mul(mul_rule):
    fails(checks.check_backward_rules, make_mul(mul_rule), make_tanh())


@pytest.mark.parametrize("tanh_rule", ["input", "no_square", "overwrite"])
def test_backward_rules_reject_wrong_tanh(tanh_rule):
    fails(checks.check_backward_rules, make_mul(), make_tanh(tanh_rule))


def test_backward_rules_name_the_overwrite_mistake():
    assert "+=" in fails(checks.check_backward_rules, make_mul("overwrite"), make_tanh())


# Exercise 4: topological sort without recursion

def topological_sort(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


def recursive_sort(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)

    visit(root)
    return order


def sort_without_seen(root):
    order, stack = [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


def preorder(root):
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            order.append(node)
            stack.extend(node._prev)
    return order


def test_topological_sort():
    passes(checks.check_topological_sort, topological_sort)


@pytest.mark.parametrize("wrong", [
    recursive_sort,                                       # breaks on a deep graph
    sort_without_seen,                                    # repeats reused nodes
    preorder,                                             # results before inputs
    lambda root: topological_sort(root)[::-1],            # root first
    lambda root: [n for n in topological_sort(root) if n._prev],  # leaves forgotten
    lambda root: tuple(topological_sort(root)),
])
def test_topological_sort_rejects(wrong):
    fails(checks.check_topological_sort, wrong)


def test_topological_sort_reports_recursion_error():
    assert "RecursionError" in fails(checks.check_topological_sort, recursive_sort)


# Exercise 5: finite differences

def numerical_grad(f, xs, h=1e-5):
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((f(up) - f(down)) / (2 * h))
    return grads


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
    passes(checks.check_numerical_grad, numerical_grad)


@pytest.mark.parametrize("wrong", [forward_difference, central_without_half, all_at_once, not_restored,
                                   lambda f, xs, h=1e-5: sum(numerical_grad(f, xs, h))])
def test_numerical_grad_rejects(wrong):
    fails(checks.check_numerical_grad, wrong)


# Exercise 6: the best step

def test_best_step():
    passes(checks.check_best_step, 1e-5)


@pytest.mark.parametrize("wrong", [1e-12, 1e-1, 1e-8, 1e-3, 3e-5, -1e-5, "1e-5", True])
def test_best_step_rejects(wrong):
    fails(checks.check_best_step, wrong)


# Exercise 7: accumulating gradients on purpose

def test_accumulation_choice():
    passes(checks.check_accumulation_choice, "A")
    passes(checks.check_accumulation_choice, " a ")


@pytest.mark.parametrize("wrong", ["B", "C", "D", "E", "", 1])
def test_accumulation_choice_rejects(wrong):
    fails(checks.check_accumulation_choice, wrong)
