"""Checks for the exercises of Chapter 2, *Learning from data*."""

import numbers

import numpy as np

from nnbook.activations import sigmoid
from nnbook.checks import CheckFailed, check, choice, close, expect, fmt
from nnbook.learning import compute_learning_rate

# Exercise 1: one example, by hand.
HAND_X, HAND_Y = np.array([1.0, 2.0]), 1.0
HAND_W, HAND_B, HAND_LR = np.array([0.5, -0.5]), 0.0, 0.5
# Exercise 4: shrink the worst-case distance to the minimum this much.
SHRINK = 1e-3
# Exercise 5: the learning rates tried with the explorer, the batch sizes, the steps.
EXPLORER_LRS = (1, 2, 3, 5, 10, 20, 30, 50, 100)
EXPLORER_BATCHES = (200, 20, 1)
EXPLORER_STEPS = 100


def _same(actual, expected, atol=2e-3):
    """True when ``actual`` is numbers of ``expected``'s shape and values (never raises)."""
    try:
        actual = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return False
    return actual.shape == np.shape(expected) and np.allclose(actual, expected, rtol=0, atol=atol)


def _is_number(value):
    return isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(value, bool)


def _mistakes(got, ref, candidates, atol):
    """Fail with the message of the first known mistake that ``got`` matches, unless
    ``got`` is the reference ``ref`` (a mistake that gives the right value is no mistake).

    candidates: (value that mistake gives, what to tell the learner) pairs.
    """
    if _same(got, ref, atol):
        return
    for value, message in candidates:
        if not _same(value, ref, atol):
            expect(not _same(got, value, atol), message)


def _show(value):
    """``fmt`` of a value, or its type when it is not numbers (never raises)."""
    try:
        return fmt(value)
    except (TypeError, ValueError):
        return f"a {type(value).__name__}"


def _pair(result, names):
    """Unpack a function's result into two values, or say why it is not a pair."""
    if result is None:
        raise CheckFailed(f"the function returned None: end it with `return {names}`")
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise CheckFailed(f"return the pair ({names}) as a tuple, got {_show(result)}")
    return result


def _hand_reference():
    """Gradient of the cross-entropy for the example of Exercise 1, and one step along it."""
    p = sigmoid(HAND_X @ HAND_W + HAND_B)
    grad_w, grad_b = (p - HAND_Y) * HAND_X, p - HAND_Y
    return p, grad_w, grad_b, HAND_W - HAND_LR * grad_w, HAND_B - HAND_LR * grad_b


@check
def check_gradient_by_hand(grad_w, grad_b, w_new, b_new):
    """Exercise 1: the logistic neuron's gradient on one example, then one gradient-descent step."""
    p, ref_w, ref_b, ref_w_new, ref_b_new = _hand_reference()
    expect(np.shape(grad_w) == (2,), f"grad_w should hold two numbers (one per weight), got {_show(grad_w)}")
    mse_dz = 2 * (p - HAND_Y) * p * (1 - p)
    _mistakes(grad_w, ref_w, [
        (-ref_w, "grad_w has the wrong sign: the derivative of the loss with respect to z "
                 "is p − y, not y − p"),
        ([ref_b, ref_b], "grad_w should be (p − y) times the input x: the factor x is missing"),
        (mse_dz * HAND_X, "that is the gradient of the squared error (with its factor σ'(z)); "
                          "the cross-entropy's is (p − y) x"),
    ], atol=2e-3)
    close(grad_w, ref_w, "grad_w", rtol=0, atol=2e-3)
    close(grad_b, ref_b, "grad_b", rtol=0, atol=2e-3)
    _mistakes(w_new, ref_w_new, [
        (HAND_W + HAND_LR * ref_w, "w_new went uphill: a gradient-descent step subtracts lr × gradient"),
        (HAND_W - ref_w, f"w_new took a step of lr = 1; the exercise's learning rate is {HAND_LR}"),
    ], atol=2e-3)
    close(w_new, ref_w_new, "w_new", rtol=0, atol=2e-3)
    expect(not _same(b_new, HAND_B),
           "b_new is still the old bias: the bias takes a step too, b − lr × ∂L/∂b")
    close(b_new, ref_b_new, "b_new", rtol=0, atol=2e-3)
    return f"right: the step moves w to {fmt(ref_w_new)} and b to {fmt(ref_b_new)}"


def _pm_reference(x, y, w, b, lr):
    if y * (np.dot(w, x) + b) <= 0:
        return w + lr * y * x, b + lr * y
    return w, b


PM_CASES = [  # (x, y, w, b, lr, what the case is)
    ([1.0, 2.0], 1, [0.0, 0.0], 0.0, 1.0, "all-zero weights (w·x + b = 0 counts as a mistake)"),
    ([1.0, 2.0], 1, [1.0, 1.0], 0.0, 1.0, "a correctly classified positive example"),
    ([1.0, 2.0], -1, [1.0, 1.0], 0.5, 1.0, "a misclassified negative example"),
    ([-3.0, 0.5], 1, [1.0, 1.0], 0.0, 0.5, "a misclassified positive example with lr = 0.5"),
    ([-3.0, 0.5], -1, [1.0, 1.0], 0.0, 0.5, "a correctly classified negative example"),
    ([1e3, -1e3], 1, [2.0, 1.0], -1e3, 2.0, "large inputs"),
    ([2.0], -1, [0.5], -1.0, 1.0, "one input, on the wrong side"),
]


@check
def check_perceptron_update_pm(perceptron_update_pm):
    """Exercise 2: Rosenblatt's rule with labels −1/+1: update only when y (w·x + b) ≤ 0."""
    for x, y, w, b, lr, what in PM_CASES:
        x, w = np.array(x), np.array(w)
        ref_w, ref_b = _pm_reference(x, y, w, b, lr)
        got_w, got_b = _pair(perceptron_update_pm(x.copy(), y, w.copy(), b, lr), "w, b")
        label = f"for {what} (x = {fmt(x)}, y = {y}, w = {fmt(w)}, b = {b}, lr = {lr})"
        if (ref_w is w) and not _same(got_w, w, atol=1e-9):
            raise CheckFailed(f"w changed {label}: a correctly classified example "
                              "changes nothing")
        if (ref_w is not w) and _same(got_w, w, atol=1e-9):
            raise CheckFailed(f"w did not change {label}: y (w·x + b) ≤ 0 is a mistake")
        close(got_w, ref_w, f"the new w {label}")
        expect(not (_same(got_b, b, atol=1e-9) and ref_b != b),
               f"b did not change {label}: on a mistake the bias moves by lr·y too")
        close(got_b, ref_b, f"the new b {label}")
    return "the rule leaves correct examples alone and moves w, b by lr·y·(x, 1)"


def _sigmoid_mse_reference(X, y, w, b, two=2.0, sigmoid_grad=True, mean=True):
    """The gradient of mean((σ(X w + b) − y)²), or the same with one known slip."""
    p = sigmoid(X @ w + b)
    dz = two * (p - y) * (p * (1.0 - p) if sigmoid_grad else 1.0) / (len(y) if mean else 1)
    return X.T @ dz, float(np.sum(dz))


@check
def check_sigmoid_mse_gradients(sigmoid_mse_gradients):
    """Exercise 3: the gradient of the squared error of a sigmoid neuron."""
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(6, 3)), np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    cases = [(X, y, np.array([0.5, -1.0, 2.0]), -0.3, "a random neuron"),
             (X, y, np.zeros(3), 0.0, "w = 0, b = 0"),
             (X[:1], y[:1], np.array([0.5, -1.0, 2.0]), 0.7, "a batch of one"),
             (X, y, np.array([40.0, -40.0, 40.0]), 0.0, "a saturated neuron (large weights)")]
    for X_c, y_c, w, b, what in cases:
        ref_w, ref_b = _sigmoid_mse_reference(X_c, y_c, w, b)
        got_w, got_b = _pair(sigmoid_mse_gradients(X_c, y_c, w.copy(), b), "grad_w, grad_b")
        scale = 1e-6 * max(1.0, float(np.abs(ref_w).max()))
        _mistakes(got_w, ref_w, [
            (_sigmoid_mse_reference(X_c, y_c, w, b, sigmoid_grad=False)[0],
             f"grad_w for {what} lacks the factor σ'(z) = p (1 − p) of the chain rule"),
            (_sigmoid_mse_reference(X_c, y_c, w, b, two=1.0)[0],
             f"grad_w for {what} is half the gradient: the derivative of (p − y)² is 2 (p − y)"),
            (_sigmoid_mse_reference(X_c, y_c, w, b, mean=False)[0],
             f"grad_w for {what} is n times too large: the loss is a mean, divide by n"),
        ] if len(y_c) > 1 else [], atol=scale)
        close(got_w, ref_w, f"grad_w for {what}", rtol=1e-6, atol=1e-10)
        close(got_b, ref_b, f"grad_b for {what}", rtol=1e-6, atol=1e-10)
    return "the squared-error gradient is right, σ'(z) factor included"


def line_data():
    """The 1-D data of the chapter's line fit (Section 2.2): x, y (20,)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 2, size=20)
    return x, 1.5 * x - 1.0 + 0.3 * rng.standard_normal(20)


def _curvatures(X, bias=True, scale=2.0, mean=True):
    """Eigenvalues of the Hessian (2/n) X̃ᵀX̃ of a linear neuron's squared error, X̃ = [X, 1]
    (or, with one of the arguments changed, of a known slip)."""
    X1 = np.column_stack([X, np.ones(len(X))]) if bias else X
    return np.linalg.eigvalsh(scale * X1.T @ X1 / (len(X) if mean else 1))


def steps_to_shrink(rho, shrink=SHRINK):
    """The smallest whole k with rho**k ≤ shrink (0 < rho < 1)."""
    return int(np.ceil(np.log(shrink) / np.log(rho)))


def _factor_mistakes(X, lr, what):
    """(value, message) for the slips a convergence factor is most often written with."""
    lam = _curvatures(X)
    return [
        (np.max(np.abs(1 - lr * _curvatures(X, bias=False))),
         f"convergence_factor for {what} leaves out the bias: append a column of ones to X"),
        (np.max(np.abs(1 - lr * _curvatures(X, scale=1.0))),
         f"convergence_factor for {what} uses (1/n) X̃ᵀX̃: the Hessian of the mean "
         "squared error is (2/n) X̃ᵀX̃"),
        (np.max(np.abs(1 - lr * _curvatures(X, mean=False))),
         f"convergence_factor for {what} uses 2 X̃ᵀX̃: divide by n, the loss is a mean"),
        (np.abs(1 - lr * lam.max()),
         f"convergence_factor for {what} looks only at the steepest direction: take the "
         "max over every eigenvalue"),
        (np.max(1 - lr * lam),
         f"convergence_factor for {what} forgets the absolute value: a factor of −0.9 "
         "shrinks the distance as little as +0.9"),
    ]


@check
def check_convergence_factor(convergence_factor, steps_smooth, steps_fastest):
    """Exercise 4: max |1 − lr λ| over the Hessian's eigenvalues, and the number of steps
    that shrink the worst-case distance to the minimum 1000-fold at 1/λ_max and at
    2/(λ_min + λ_max)."""
    rng = np.random.default_rng(3)
    cases = [(rng.normal(size=(20, 2)) + [3.0, 0.0], 0.3, "20 points with two inputs, lr = 0.3"),
             (rng.normal(size=(20, 2)) + [3.0, 0.0], 0.05, "20 points with two inputs, lr = 0.05"),
             (rng.uniform(0, 2, size=(10, 1)), 0.01, "10 points with one input, lr = 0.01"),
             (np.array([[3.0, 4.0]]), 0.02, "a single example"),
             (np.zeros((5, 2)), 0.75, "all-zero inputs (only the bias matters)"),
             (100 * rng.normal(size=(8, 3)), 1e-5, "large inputs")]
    for X, lr, what in cases:
        got = convergence_factor(X.copy(), lr)
        expect(got is not None, "convergence_factor returned None: end it with `return …`")
        expect(np.ndim(got) == 0, f"convergence_factor should return one number, got {_show(got)}")
        ref = np.max(np.abs(1.0 - lr * _curvatures(X)))
        _mistakes(float(got), ref, _factor_mistakes(X, lr, what), atol=1e-9 * max(1.0, ref))
        close(float(got), ref, f"convergence_factor for {what}", rtol=1e-6)
    lam = _curvatures(line_data()[0][:, None])
    rho_smooth = 1 - lam.min() / lam.max()
    rho_fastest = (lam.max() - lam.min()) / (lam.max() + lam.min())
    ref = steps_to_shrink(rho_smooth), steps_to_shrink(rho_fastest)
    for name, got in (("steps_smooth", steps_smooth), ("steps_fastest", steps_fastest)):
        expect(_is_number(got), f"{name} should be a number of steps, got {_show(got)}")
        expect(float(got) == round(float(got)),
               f"{name} = {_show(got)}: a number of steps is whole; take the smallest whole k "
               "with ρᵏ ≤ 10⁻³ (round up)")
    got = (round(float(steps_smooth)), round(float(steps_fastest)))
    expect(got != ref[::-1], "steps_smooth and steps_fastest are swapped: the smooth "
                             "learning rate 1/λ_max is the slower one")
    expect(got != (ref[0] - 1, ref[1] - 1),
           f"after {ref[0] - 1} and {ref[1] - 1} steps ρᵏ is still above 10⁻³: round k up")
    half = steps_to_shrink(rho_smooth ** 2), steps_to_shrink(rho_fastest ** 2)
    expect(got != half, "those steps shrink ρ² a thousandfold (the loss); the exercise "
                        "asks for the distance, ρᵏ ≤ 10⁻³")
    for name, value, expected, lr in (("steps_smooth", got[0], ref[0], "1/λ_max"),
                                      ("steps_fastest", got[1], ref[1], "2/(λ_min + λ_max)")):
        expect(value == expected, f"{name} should be {expected} (the smallest k with ρᵏ ≤ 10⁻³ "
                                  f"at {lr}), got {value}")
    return f"{ref[0]} steps without overshoot, {ref[1]} at the fastest rate: about half"


def _explorer_reference():
    """The smallest learning rate of EXPLORER_LRS whose run failed (unstable or diverging,
    ``nnbook.learning.run_failed``), per batch size, and every run (its regime tells the
    learner what a wrong choice was)."""
    runs = {(bs, lr): compute_learning_rate(lr, EXPLORER_STEPS, bs)
            for bs in EXPLORER_BATCHES for lr in EXPLORER_LRS}
    first = {bs: next(lr for lr in EXPLORER_LRS if runs[bs, lr]["failed"])
             for bs in EXPLORER_BATCHES}
    return first, runs


EXPLORER_OPTIONS = {
    "A": "the batch size does not change which learning rates are unstable",
    "B": "the smaller the batch, the smaller the learning rate at which training becomes unstable",
    "C": "the smaller the batch, the larger the learning rate it can take",
}
EXPLORER_FEEDBACK = {
    "A": "the three learning rates you found differ, so the batch size does change them",
    "C": "it is the other way round: batch size 1 is unstable from a smaller learning rate "
         "than batch size 200",
}


@check
def check_explorer_experiment(smallest_unstable, answer):
    """Exercise 5: the smallest learning rate in EXPLORER_LRS whose run is unstable or
    diverging, per batch size, and what that shows."""
    expect(isinstance(smallest_unstable, dict),
           f"smallest_unstable should be a dict from batch size to learning rate, "
           f"got {_show(smallest_unstable)}")
    missing = [bs for bs in EXPLORER_BATCHES if bs not in smallest_unstable]
    expect(not missing, f"smallest_unstable has no entry for batch size "
                        f"{', '.join(map(str, missing))}: one per batch size {EXPLORER_BATCHES}")
    first, runs = _explorer_reference()
    for bs in EXPLORER_BATCHES:
        lr = smallest_unstable[bs]
        expect(lr in EXPLORER_LRS, f"with batch size {bs}: {lr!r} is not one of the learning "
                                   f"rates to try, {', '.join(map(str, EXPLORER_LRS))}")
        expect(runs[bs, lr]["failed"],
               f"with batch size {bs} the run at lr = {lr} is {runs[bs, lr]['regime']}, not yet "
               "unstable: try larger learning rates")
        expect(lr == first[bs], f"with batch size {bs} the run is already "
                                f"{runs[bs, first[bs]]['regime']} at lr = {first[bs]}: find the "
                                "smallest such learning rate")
    choice(answer, "B", EXPLORER_OPTIONS, EXPLORER_FEEDBACK)
    rates = ", ".join(str(first[bs]) for bs in EXPLORER_BATCHES)
    return f"unstable from lr = {rates} at batch 200, 20, 1: noisier, sooner"


CONFIDENT_OPTIONS = {
    "A": "the cross-entropy is bounded, the squared error is not",
    "B": "the squared error's gradient carries the factor σ'(z), almost 0 when the neuron is saturated",
    "C": "the cross-entropy has a minimum, the squared error of a sigmoid has none",
    "D": "the squared error is not differentiable at z = −8",
}
CONFIDENT_FEEDBACK = {
    "A": "it is the other way round: the squared error of a probability stays below 1, "
         "the cross-entropy grows without bound",
    "C": "both losses are smallest at p = y; a missing minimum would not explain a small slope",
    "D": "(σ(z) − y)² is smooth everywhere; its slope at z = −8 exists, it is just tiny",
}


@check
def check_confidently_wrong(ratio, answer):
    """Exercise 6: how much larger the cross-entropy's gradient is for a confidently wrong
    neuron (z = −8, y = 1), and why."""
    p = sigmoid(-8.0)
    ref = abs(p - 1.0) / abs(2.0 * (p - 1.0) * p * (1.0 - p))
    expect(_is_number(ratio) or (isinstance(ratio, np.ndarray) and ratio.ndim == 0),
           f"ratio should be one number, got {_show(ratio)}")
    ratio = float(ratio)
    expect(not np.isclose(ratio, 1.0 / ref, rtol=1e-2),
           "that is the ratio upside down: divide the cross-entropy's slope by the squared error's")
    expect(not np.isclose(ratio, 2.0 * ref, rtol=1e-2),
           "twice too large: the derivative of (p − y)² is 2 (p − y), keep the 2")
    expect(not np.isclose(ratio, ref / 2.0, rtol=1e-2),
           "half the ratio: the squared error's slope is 2 (p − y) σ'(z), with its 2")
    p6 = sigmoid(-6.0)
    expect(not np.isclose(ratio, 1.0 / (2.0 * p6 * (1.0 - p6)), rtol=1e-2),
           "that is the ratio at z = −6, the chapter's example; this neuron has z = −8")
    close(ratio, ref, "ratio", rtol=1e-2)
    choice(answer, "B", CONFIDENT_OPTIONS, CONFIDENT_FEEDBACK)
    return f"about {ref:.0f} times: σ'(−8) ≈ {fmt(p * (1 - p))} all but cancels it"
