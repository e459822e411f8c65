"""Checks for the exercises of Chapter 3, *Layers*."""

import numpy as np

from nnbook.checks import CheckFailed, check, choice, close, expect, fmt

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def _relu(Z):
    return np.maximum(Z, 0.0)


def _shape(value, name):
    try:
        return tuple(int(d) for d in value)
    except (TypeError, ValueError):
        raise CheckFailed(f"shapes[{name!r}] should be a tuple of ints such as (16, 64), "
                          f"got {value!r}") from None


@check
def check_two_layer_shapes(shapes, num_params):
    """Shapes of a 64 → 32 → 10 network on a batch of 16, and its number of parameters."""
    expected = {"X": (16, 64), "W1": (64, 32), "b1": (32,), "H": (16, 32),
                "W2": (32, 10), "b2": (10,), "Y_hat": (16, 10)}
    expect(isinstance(shapes, dict), f"shapes should be a dict name → shape, got {type(shapes).__name__}")
    missing = [name for name in expected if name not in shapes]
    expect(not missing, f"shapes lacks {', '.join(missing)}")
    for name, shape in expected.items():
        given = _shape(shapes[name], name)
        hint = ""
        if given == shape[::-1]:
            hint = " (a weight matrix is (inputs, outputs), so that X @ W works)"
        elif name.startswith("b"):
            hint = " (a bias has one entry per unit, the same for every example)"
        expect(given == shape, f"{name} should have shape {shape}, got {given}{hint}")
    expect(isinstance(num_params, (int, np.integer)) and not isinstance(num_params, bool),
           f"num_params should be an int, got {num_params!r}")
    weights_only = 64 * 32 + 32 * 10
    expect(num_params != weights_only, f"{num_params} counts the weights only: add the biases")
    expect(num_params == weights_only + 32 + 10,
           f"num_params should count every weight and bias, got {num_params}")
    return f"every shape is right, and the network learns {num_params} numbers"


def _two_layer_reference(X, W1, b1, W2, b2):
    return _relu(X @ W1 + b1) @ W2 + b2


@check
def check_two_layer_forward(two_layer_forward):
    """two_layer_forward(X, W1, b1, W2, b2): ReLU hidden layer, linear output layer."""
    rng = np.random.default_rng(3)
    cases = []
    for n, d, h, k in ((5, 3, 4, 2), (1, 2, 3, 1), (7, 4, 6, 3)):
        cases.append((rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal(h),
                      rng.standard_normal((h, k)), rng.standard_normal(k)))
    W1, b1, W2, b2 = cases[0][1:]
    cases.append((np.zeros((2, 3)), W1, b1, W2, b2))  # zero inputs: only the biases speak
    cases.append((-100 * np.ones((3, 3)), W1, b1, W2, b2))  # large negative inputs
    for X, W1, b1, W2, b2 in cases:
        out = two_layer_forward(X.copy(), W1.copy(), b1.copy(), W2.copy(), b2.copy())
        close(out, _two_layer_reference(X, W1, b1, W2, b2),
              f"two_layer_forward on X of shape {X.shape}", rtol=1e-5, atol=1e-6)
    return "two_layer_forward matches relu(X @ W1 + b1) @ W2 + b2 on every batch, a batch of one included"


@check
def check_collapse(collapse):
    """collapse(layers) → (W, b): one linear layer equal to a stack of linear layers."""
    rng = np.random.default_rng(5)
    for sizes in ([2, 3], [2, 4, 1], [3, 5, 4, 2], [1, 6, 6, 6, 3]):
        layers = [(rng.standard_normal((a, b)), rng.standard_normal(b))
                  for a, b in zip(sizes[:-1], sizes[1:])]
        result = collapse([(W.copy(), b.copy()) for W, b in layers])
        expect(isinstance(result, tuple) and len(result) == 2, "collapse should return a pair (W, b)")
        W, b = (np.asarray(part, dtype=float) for part in result)
        close(W.shape, (sizes[0], sizes[-1]), f"the shape of W for sizes {sizes}")
        X = rng.standard_normal((6, sizes[0]))
        deep = X
        for Wk, bk in layers:
            deep = deep @ Wk + bk
        close(X @ W + b, deep, f"X @ W + b for layer sizes {sizes}", rtol=1e-6, atol=1e-6)
    return "one layer (W, b) computes exactly what the stack computes, at every depth"


@check
def check_xor_relu(W1, b1, W2, b2):
    """Hand-set weights: relu(X @ W1 + b1) @ W2 + b2 is above 0.5 exactly where XOR is 1."""
    arrays = {}
    for name, value, shape in (("W1", W1, (2, 2)), ("b1", b1, (2,)), ("W2", W2, (2,)), ("b2", b2, ())):
        array = np.asarray(value, dtype=float)
        expect(array.shape == shape, f"{name} should have shape {shape}, got {array.shape}")
        arrays[name] = array
    out = _relu(XOR_X @ arrays["W1"] + arrays["b1"]) @ arrays["W2"] + arrays["b2"]
    predicted = (out > 0.5).astype(int)
    wrong = [tuple(int(v) for v in XOR_X[i]) for i in np.flatnonzero(predicted != XOR_Y)]
    expect(not wrong, f"the network outputs {fmt(out)} on (0,0), (0,1), (1,0), (1,1): "
                      f"wrong at {', '.join(map(str, wrong))} (XOR is 0, 1, 1, 0)")
    return f"the network outputs {fmt(out)} on the four corners: XOR"


CIRCLE_EPOCHS, CIRCLE_LR = 200, 0.3


@check
def check_circle_features(circle_features):
    """Features with which a network without hidden layer separates the circles (≥ 95 %)."""
    from nnbook.playground import Session

    session = Session("circles", noise=0.1, features=list(circle_features), hidden=(), lr=CIRCLE_LR)
    session.step(CIRCLE_EPOCHS)
    accuracy = session.accuracy("test")
    expect(accuracy >= 0.95, f"with features {list(circle_features)} the network reaches "
                             f"{100 * accuracy:.1f} % test accuracy: it needs ≥ 95 %")
    return f"with {list(circle_features)} one layer reaches {100 * accuracy:.1f} % on the circles"


@check
def check_circle_boundary(answer):
    """The shape of that network's boundary in the (x1, x2) plane."""
    choice(answer, "B", {"A": "a straight line", "B": "a closed curve around the centre",
                         "C": "a spiral", "D": "no boundary at all"})
    return ("B: the network is linear in (x₁², x₂²), and a line w₁x₁² + w₂x₂² + b = 0 "
            "is an ellipse in the plane")


INTERPOLATION_CASES = (
    ([0.0, 1.0], [0.0, 1.0]),
    ([-2.0, -1.0, 0.5, 2.0], [1.0, -1.0, 2.0, 0.0]),
    (list(np.linspace(-3, 3, 9)), list(np.sin(np.linspace(-3, 3, 9)))),
    ([0.0, 0.1, 5.0], [-3.0, 4.0, 4.0]),
)


@check
def check_interpolating_network(interpolating_network):
    """A ReLU network (1 → h → 1) whose output is the piecewise-linear curve through the
    points (knots, values), constant outside the knots (what np.interp computes)."""
    for knots, values in INTERPOLATION_CASES:
        result = interpolating_network(np.array(knots), np.array(values))
        expect(isinstance(result, tuple) and len(result) == 4,
               "interpolating_network should return four arrays (W1, b1, W2, b2)")
        W1, b1, W2, b2 = (np.asarray(part, dtype=float) for part in result)
        expect(W1.ndim == 2 and W1.shape[0] == 1, f"W1 should have shape (1, h), got {W1.shape}")
        x = np.linspace(min(knots) - 1, max(knots) + 1, 301)
        out = np.reshape(_relu(x[:, None] @ W1 + b1) @ W2 + b2, (len(x), -1))
        expect(out.shape[1] == 1, f"the network should have one output, got {out.shape[1]}")
        expected = np.interp(x, knots, values)
        worst = int(np.argmax(np.abs(out[:, 0] - expected)))
        expect(np.allclose(out[:, 0], expected, atol=1e-6),
               f"for knots {fmt(np.array(knots))} and values {fmt(np.array(values))}, the network gives "
               f"{out[worst, 0]:.4g} at x = {x[worst]:.3g} instead of {expected[worst]:.4g}")
    return "the network draws the piecewise-linear curve through every set of points, and stays flat outside"
