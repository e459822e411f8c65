"""Checks for the exercises of Chapter 3, *Layers*."""

import numpy as np

from nnbook.checks import CheckFailed, check, choice, close, expect, fmt

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def _relu(Z):
    return np.maximum(Z, 0.0)


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


# Exercise 1 -----------------------------------------------------------------

SHAPES = {"X": (16, 64), "W1": (64, 32), "b1": (32,), "H": (16, 32),
          "W2": (32, 10), "b2": (10,), "Y_hat": (16, 10)}
NUM_PARAMS = 64 * 32 + 32 + 32 * 10 + 10


def _shape(value, name):
    if _is_int(value):
        raise CheckFailed(f"shapes[{name!r}] should be a tuple such as ({int(value)},), "
                          f"got the int {int(value)}")
    try:
        return tuple(int(d) for d in value)
    except (TypeError, ValueError):
        raise CheckFailed(f"shapes[{name!r}] should be a tuple of ints such as (16, 64), "
                          f"got {value!r}") from None


def _shape_hint(name, given, shape):
    if given == shape[::-1] and name.startswith("W"):
        return " (a weight matrix is (inputs, outputs), so that X @ W works)"
    if given == shape[::-1]:
        return " (one row per example of the batch)"
    if name.startswith("b"):
        return " (a bias has one entry per unit, the same for every example)"
    if len(given) != len(shape) and name in ("X", "H", "Y_hat"):
        return " (one row per example of the batch)"
    return ""


@check
def check_two_layer_shapes(shapes, num_params):
    """Shapes of a 64 → 32 → 10 network on a batch of 16, and its number of parameters."""
    expect(isinstance(shapes, dict),
           f"shapes should be a dict name → shape, got {type(shapes).__name__}")
    missing = [name for name in SHAPES if name not in shapes]
    expect(not missing, f"shapes lacks {', '.join(missing)}")
    for name, shape in SHAPES.items():
        given = _shape(shapes[name], name)
        expect(given == shape, f"{name} should have shape {shape}, got {given}"
                               f"{_shape_hint(name, given, shape)}")
    expect(_is_int(num_params), f"num_params should be an int, got {num_params!r}")
    weights_only = 64 * 32 + 32 * 10
    expect(num_params != weights_only, f"{num_params} counts the weights only: add the biases")
    expect(num_params != 16 * NUM_PARAMS, f"{num_params} counts the parameters once per "
           "example: the batch size does not change how many the network has")
    expect(num_params == NUM_PARAMS,
           f"num_params should count every weight and bias, got {num_params}")
    return f"every shape is right, and the network learns {num_params} numbers"


# Exercise 2 -----------------------------------------------------------------

def _two_layer_reference(X, W1, b1, W2, b2):
    return _relu(X @ W1 + b1) @ W2 + b2


FORWARD_MISTAKES = (  # (what the wrong answer computes, what to say)
    (lambda X, W1, b1, W2, b2: (X @ W1 + b1) @ W2 + b2,
     "the ReLU is missing: the hidden layer is max(0, X @ W1 + b1)"),
    (lambda X, W1, b1, W2, b2: _relu(X @ W1) @ W2 + b2, "the hidden bias b1 is missing"),
    (lambda X, W1, b1, W2, b2: _relu(X @ W1 + b1) @ W2, "the output bias b2 is missing"),
    (lambda X, W1, b1, W2, b2: _relu(_relu(X @ W1 + b1) @ W2 + b2),
     "the output layer is linear here: no ReLU on it"),
    (lambda X, W1, b1, W2, b2: np.tanh(X @ W1 + b1) @ W2 + b2,
     "the hidden layer uses ReLU, not tanh"),
)


def _forward_cases():
    rng = np.random.default_rng(3)
    cases = []
    for n, d, h, k in ((5, 3, 4, 2), (1, 2, 3, 1), (7, 4, 6, 3)):
        cases.append((rng.standard_normal((n, d)), rng.standard_normal((d, h)),
                      rng.standard_normal(h), rng.standard_normal((h, k)), rng.standard_normal(k)))
    W1, b1, W2, b2 = cases[0][1:]
    cases.append((np.zeros((2, 3)), W1, b1, W2, b2))  # zero inputs: only the biases speak
    cases.append((-100 * np.ones((3, 3)), W1, b1, W2, b2))  # large negative inputs
    return cases


@check
def check_two_layer_forward(two_layer_forward):
    """two_layer_forward(X, W1, b1, W2, b2): ReLU hidden layer, linear output layer."""
    for arrays in _forward_cases():
        out = two_layer_forward(*(a.copy() for a in arrays))
        what = f"two_layer_forward on X of shape {arrays[0].shape}"
        expected = _two_layer_reference(*arrays)
        if out is not None and np.shape(out) == expected.shape \
                and not np.allclose(out, expected, rtol=1e-5, atol=1e-6):
            for mistake, message in FORWARD_MISTAKES:
                expect(not np.allclose(out, mistake(*arrays), rtol=1e-5, atol=1e-6),
                       f"{what}: {message}")
        close(out, expected, what, rtol=1e-5, atol=1e-6)
    return "two_layer_forward is right on every batch, a batch of one included"


# Exercise 3 -----------------------------------------------------------------

def _stack(layers, X):
    for W, b in layers:
        X = X @ W + b
    return X


def _collapse_mistake(b, layers):
    """Name a recognisable mistake in the collapsed bias ``b``, or return None."""
    *_, (_, b_last) = layers
    if np.allclose(b, b_last):
        return ("b is only the last layer's bias: the earlier biases pass through the "
                "later layers too, b → b @ W_k + b_k")
    if np.allclose(b, sum(b_k.sum() for _, b_k in layers[:-1]) + b_last):
        return ("b is not the sum of the biases: each earlier bias is multiplied by the "
                "later weights, b → b @ W_k + b_k")
    return None


@check
def check_collapse(collapse):
    """collapse(layers) → (W, b): one linear layer equal to a stack of linear layers."""
    rng = np.random.default_rng(5)
    for sizes in ([2, 3], [2, 4, 1], [3, 5, 4, 2], [1, 6, 6, 6, 3]):
        layers = [(rng.standard_normal((a, b)), rng.standard_normal(b))
                  for a, b in zip(sizes[:-1], sizes[1:])]
        result = collapse([(W.copy(), b.copy()) for W, b in layers])
        expect(isinstance(result, (tuple, list)) and len(result) == 2,
               f"collapse should return a pair (W, b), got {type(result).__name__}"
               + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
        W, b = result
        expect(np.shape(W) == (sizes[0], sizes[-1]),
               f"W should have shape {(sizes[0], sizes[-1])} for layer sizes {sizes} (the "
               f"first layer's inputs, the last layer's outputs), got {np.shape(W)}")
        if np.shape(b) == (sizes[-1],) and len(layers) > 1:
            mistake = _collapse_mistake(np.asarray(b, dtype=float), layers)
            expect(mistake is None or np.allclose(b, _stack(layers, np.zeros((1, sizes[0])))[0]),
                   f"for layer sizes {sizes}: {mistake}")
        X = rng.standard_normal((6, sizes[0]))
        close(X @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float), _stack(layers, X),
              f"X @ W + b for layer sizes {sizes}", rtol=1e-6, atol=1e-6)
    return "one layer (W, b) computes exactly what the stack computes, at every depth"


# Exercise 4 -----------------------------------------------------------------

@check
def check_xor_relu(W1, b1, W2, b2):
    """Hand-set weights: relu(X @ W1 + b1) @ W2 + b2 is above 0.5 exactly where XOR is 1."""
    arrays = {}
    for name, value, shape in (("W1", W1, (2, 2)), ("b1", b1, (2,)),
                               ("W2", W2, (2,)), ("b2", b2, ())):
        array = np.asarray(value, dtype=float)
        if array.size == max(1, int(np.prod(shape))) and array.shape != shape \
                and name in ("W2", "b2"):
            array = array.reshape(shape)  # a column (2, 1) or a (1,) bias is fine too
        expect(array.shape == shape, f"{name} should have shape {shape}, got {array.shape}")
        arrays[name] = array
    out = _relu(XOR_X @ arrays["W1"] + arrays["b1"]) @ arrays["W2"] + arrays["b2"]
    predicted = (out > 0.5).astype(int)
    wrong = [tuple(int(v) for v in XOR_X[i]) for i in np.flatnonzero(predicted != XOR_Y)]
    expect(not wrong, f"the network outputs {fmt(out)} on (0,0), (0,1), (1,0), (1,1): "
                      f"wrong at {', '.join(map(str, wrong))} (XOR is 0, 1, 1, 0)")
    return f"the network outputs {fmt(out)} on the four corners: XOR"


# Exercises 5 and 6 ----------------------------------------------------------

CIRCLE_EPOCHS, CIRCLE_LR = 200, 0.3


@check
def check_circle_features(circle_features):
    """Features with which a network without hidden layer separates the circles (≥ 95 %)."""
    from nnbook.playground import RAW_FEATURES, Session, validate_features

    expect(isinstance(circle_features, (list, tuple)),
           "circle_features should be a list of names such as ['x1', 'x2'], got "
           f"{type(circle_features).__name__} {circle_features!r}")
    try:
        features = list(validate_features(list(circle_features)))
    except (TypeError, ValueError) as err:
        raise CheckFailed(str(err)) from None
    session = Session("circles", noise=0.1, features=features, hidden=(), lr=CIRCLE_LR)
    session.step(CIRCLE_EPOCHS)
    accuracy = session.accuracy("test")
    hint = ""
    if set(features) <= set(RAW_FEATURES):
        hint = ("; on x1 and x2 alone it can only draw a straight line: which feature "
                "measures the distance from the centre?")
    expect(accuracy >= 0.95, f"with {', '.join(features)} the network reaches "
                             f"{100 * accuracy:.1f} % test accuracy, it needs ≥ 95 %{hint}")
    return f"with {', '.join(features)} one layer reaches {100 * accuracy:.1f} % on the circles"


BOUNDARY_OPTIONS = {"A": "a straight line", "B": "a closed curve around the centre",
                    "C": "a spiral", "D": "no boundary at all"}
BOUNDARY_FEEDBACK = {
    "A": "the boundary is straight in the plane of the features (x₁², x₂²), but squaring "
         "bends it in the plane of the points (x₁, x₂)",
    "C": "w₁x₁² + w₂x₂² + b = 0 is unchanged when x₁ → −x₁ or x₂ → −x₂, and no spiral "
         "has that symmetry",
    "D": "the network of Exercise 5 separates the circles, so some curve divides its two "
         "classes",
}


@check
def check_circle_boundary(answer):
    """The shape of that network's boundary in the (x1, x2) plane."""
    choice(answer, "B", BOUNDARY_OPTIONS, BOUNDARY_FEEDBACK)
    return "B: training gave w₁, w₂ one sign, so w₁x₁² + w₂x₂² + b = 0 is an ellipse"


# Exercise 7 -----------------------------------------------------------------

INTERPOLATION_CASES = (
    ([0.0, 1.0], [0.0, 1.0]),
    ([-2.0, -1.0, 0.5, 2.0], [1.0, -1.0, 2.0, 0.0]),
    (list(np.linspace(-3, 3, 9)), list(np.sin(np.linspace(-3, 3, 9)))),
    ([0.0, 0.1, 5.0], [-3.0, 4.0, 4.0]),
)


def _interpolation_hint(x, error, knots):
    """Name a recognisable mistake from where the network's output is off, or ""."""
    wrong = np.abs(error) > 1e-6
    if np.allclose(error, error[0], atol=1e-6):
        return ": it is off by the same amount everywhere, so look at b2"
    if not wrong[x <= max(knots)].any():
        return (": it is right up to the last knot but does not stay flat after it, so "
                "look at the last unit")
    return ""


@check
def check_interpolating_network(interpolating_network):
    """A ReLU network (1 → h → 1) whose output is the piecewise-linear curve through the
    points (knots, values), constant outside the knots (what np.interp computes)."""
    for knots, values in INTERPOLATION_CASES:
        result = interpolating_network(np.array(knots), np.array(values))
        expect(isinstance(result, (tuple, list)) and len(result) == 4,
               "interpolating_network should return four arrays (W1, b1, W2, b2)")
        W1, b1, W2, b2 = (np.asarray(part, dtype=float) for part in result)
        expect(W1.ndim == 2 and W1.shape[0] == 1, f"W1 should have shape (1, h), got {W1.shape}")
        x = np.linspace(min(knots) - 1, max(knots) + 1, 301)
        out = np.reshape(_relu(x[:, None] @ W1 + b1) @ W2 + b2, (len(x), -1))
        expect(out.shape[1] == 1, f"the network should have one output, got {out.shape[1]}")
        expected = np.interp(x, knots, values)
        error = out[:, 0] - expected
        worst = int(np.argmax(np.abs(error)))
        expect(np.allclose(out[:, 0], expected, atol=1e-6),
               f"for knots {fmt(np.array(knots))} and values {fmt(np.array(values))}, the "
               f"network gives {out[worst, 0]:.4g} at x = {x[worst]:.3g} instead of "
               f"{expected[worst]:.4g}{_interpolation_hint(x, error, knots)}")
    return "the network goes through every point and stays flat outside the knots"

