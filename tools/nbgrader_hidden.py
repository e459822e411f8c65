"""Hidden nbgrader tests on inputs the checks do not try (tools/nbgrader_course.py).

A check prints one line and stops at the first wrong case, and its cases are fixed, so a
graded answer could be fitted to them. A hidden test (listed in TESTS under its check) is
a second test of the exercise: it takes the check's arguments, tries the answer on other
inputs against a reference of its own, and raises AssertionError, saying what it tried,
when the answer is wrong. nbgrader_course.py copies its source, as it stands, into the
hidden part of the exercise's test cell (so each holds its own imports), where students
never see it. Exercises whose answer is one value (a number, a letter) have none: their
check is the whole test.
"""


# Chapter 2 ----------------------------------------------------------------------------

def hidden_perceptron_update_pm(perceptron_update_pm):
    """The ±1 perceptron rule at other points, the boundary included."""
    import numpy as np
    cases = [  # x, y, w, b, lr, the right (w, b)
        ([0.5, -1.5, 2.0], -1, [1.0, 0.0, -1.0], 0.2, 0.1, ([1.0, 0.0, -1.0], 0.2)),
        ([0.5, -1.5, 2.0], 1, [1.0, 0.0, -1.0], 0.2, 0.1, ([1.05, -0.15, -0.8], 0.3)),
        ([2.0, 1.0], -1, [1.0, -2.0], 0.0, 3.0, ([-5.0, -5.0], -3.0)),
    ]
    for x, y, w, b, lr, (w_right, b_right) in cases:
        w_new, b_new = perceptron_update_pm(np.array(x), y, np.array(w), b, lr)
        assert np.allclose(w_new, w_right) and np.isclose(b_new, b_right), (
            f"perceptron_update_pm(x={x}, y={y}, w={w}, b={b}, lr={lr}) gives "
            f"({w_new}, {b_new}), expected ({w_right}, {b_right})")


def hidden_sigmoid_mse_gradients(sigmoid_mse_gradients):
    """The gradient on another batch, against central differences of the loss."""
    import numpy as np
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(5, 4)), np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    w, b, h = rng.normal(size=4), 0.4, 1e-6

    def loss(w, b):
        return np.mean((1 / (1 + np.exp(-(X @ w + b))) - y) ** 2)

    steps = np.eye(4) * h
    grad_w = np.array([(loss(w + s, b) - loss(w - s, b)) / (2 * h) for s in steps])
    grad_b = (loss(w, b + h) - loss(w, b - h)) / (2 * h)
    got_w, got_b = sigmoid_mse_gradients(X, y, w.copy(), b)
    assert np.allclose(got_w, grad_w, rtol=1e-5, atol=1e-8), (
        f"grad_w on a batch of 5 with 4 inputs is {got_w}, expected {grad_w}")
    assert np.isclose(got_b, grad_b, rtol=1e-5, atol=1e-8), (
        f"grad_b on a batch of 5 with 4 inputs is {got_b}, expected {grad_b}")


def hidden_convergence_factor(convergence_factor, steps_smooth, steps_fastest):
    """The factor for other inputs and learning rates (the steps are the check's)."""
    import numpy as np
    rng = np.random.default_rng(11)
    X = rng.normal(size=(12, 3)) + [1.0, -2.0, 0.5]
    X1 = np.column_stack([X, np.ones(len(X))])
    curvatures = np.linalg.eigvalsh(2 * X1.T @ X1 / len(X))
    for lr in (0.02, 0.2, 1.0):
        right = np.max(np.abs(1 - lr * curvatures))
        got = convergence_factor(X.copy(), lr)
        assert np.isclose(got, right, rtol=1e-6), (
            f"convergence_factor for 12 points with 3 inputs at lr = {lr} is {got}, "
            f"expected {right}")


# Chapter 4 ----------------------------------------------------------------------------

def hidden_local_grad(local_grad):
    """Each local derivative at inputs the check does not try."""
    import math
    from nnbook.autograd import Value
    exact = {"exp": math.exp, "log": lambda x: 1 / x,
             "tanh": lambda x: 1 - math.tanh(x) ** 2,
             "sigmoid": lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2,
             "relu": lambda x: float(x > 0)}
    for op, x in [("exp", 0.7), ("exp", -3.5), ("log", 2.5), ("log", 0.01),
                  ("tanh", -0.3), ("tanh", 2.0), ("sigmoid", 1.2), ("sigmoid", -4.0),
                  ("relu", -0.5), ("relu", 3.0)]:
        out = getattr(Value(x), op)().data
        got = local_grad(op, x, out)
        assert math.isclose(got, exact[op](x), rel_tol=1e-6, abs_tol=1e-9), (
            f"local_grad({op!r}, {x}, {out:.6g}) is {got}, expected {exact[op](x):.6g}")


def hidden_backward_rules(mul, tanh):
    """mul at other inputs, and both rules on inputs reused along two paths."""
    import math
    from nnbook.autograd import Value
    for x, y in [(0.5, 4.0), (-2.5, -0.2), (7.0, 0.0)]:
        a, b = Value(x), Value(y)
        out = mul(a, b)
        out.backward()
        assert (math.isclose(out.data, x * y) and math.isclose(a.grad, y)
                and math.isclose(b.grad, x)), (
            f"mul({x}, {y}) gives data {out.data} and gradients ({a.grad}, {b.grad}), "
            f"expected {x * y} and ({y}, {x})")
    a, b = Value(1.5), Value(-2.0)
    mul(mul(a, b), a).backward()  # a²b: a reaches it along two paths
    assert math.isclose(a.grad, -6.0) and math.isclose(b.grad, 2.25), (
        f"the gradients of mul(mul(a, b), a) at a = 1.5, b = -2 are ({a.grad}, "
        f"{b.grad}), expected (-6, 2.25): are the gradients added up with +=?")
    a = Value(-0.8)
    mul(tanh(a), a).backward()
    right = (1 - math.tanh(-0.8) ** 2) * -0.8 + math.tanh(-0.8)
    assert math.isclose(a.grad, right, rel_tol=1e-9), (
        f"the gradient of mul(tanh(a), a) at a = -0.8 is {a.grad}, expected "
        f"{right:.6g}: are the gradients added up with +=?")


def hidden_path_counts(count_paths):
    """The counts in another graph, where one Value reaches the root four ways."""
    from nnbook.autograd import Value, topological_order
    x, y = Value(2.0), Value(-1.0)
    u = x * y
    v = u + x
    w = v * v + u
    counts = count_paths(w)
    right = {"w": (w, 1), "v": (v, 2), "u": (u, 3), "x": (x, 5), "y": (y, 3)}
    for name, (node, paths) in right.items():
        assert counts.get(node) == paths, (
            f"in w = v·v + u with v = u + x, u = x·y, count_paths(w) gives {name} "
            f"{counts.get(node)} paths, there are {paths}")
    assert len(counts) == len(topological_order(w)), (
        f"count_paths(w) has {len(counts)} entries for {len(topological_order(w))} "
        "Values")


def hidden_numerical_grad(numerical_grad):
    """Central differences of another function, at another step."""
    import math

    def f(v):
        return v[0] * v[1] * v[2] + math.sin(v[1])

    point = [0.5, -1.0, 2.0]
    right = [point[1] * point[2], point[0] * point[2] + math.cos(point[1]),
             point[0] * point[1]]
    xs = list(point)
    got = list(numerical_grad(f, xs, h=1e-4))
    assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(xs, point)), (
        f"numerical_grad changed xs from {point} to {xs}")
    assert len(got) == 3 and all(
        math.isclose(g, r, rel_tol=1e-6, abs_tol=1e-7) for g, r in zip(got, right)), (
        f"numerical_grad of x·y·z + sin(y) at {point}, h = 1e-4, gives {got}, "
        f"expected {right} to about h²")


TESTS = {  # (check module in nnbook.checks, check) → its hidden test
    ("learning", "check_perceptron_update_pm"): hidden_perceptron_update_pm,
    ("learning", "check_sigmoid_mse_gradients"): hidden_sigmoid_mse_gradients,
    ("learning", "check_convergence_factor"): hidden_convergence_factor,
    ("backprop", "check_local_grad"): hidden_local_grad,
    ("backprop", "check_backward_rules"): hidden_backward_rules,
    ("backprop", "check_path_counts"): hidden_path_counts,
    ("backprop", "check_numerical_grad"): hidden_numerical_grad,
}
