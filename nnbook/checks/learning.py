"""Checks for the exercises of Chapter 2, *Learning from data*."""

import numpy as np

from nnbook.activations import sigmoid
from nnbook.checks import check, choice, close, expect, fmt

# Exercise 1: one example, by hand.
HAND_X, HAND_Y, HAND_W, HAND_B, HAND_LR = np.array([1.0, 2.0]), 1.0, np.array([0.5, -0.5]), 0.0, 0.5
# Exercise 5: the learning rates tried with the explorer, and the batch sizes.
EXPLORER_LRS = (1, 2, 5, 10, 20, 50, 100, 200, 500)
EXPLORER_BATCHES = (200, 20, 1)
EXPLORER_STEPS = 100


def _hand_reference():
    """Gradient of the cross-entropy for the example of Exercise 1, and one step along it."""
    error = sigmoid(HAND_X @ HAND_W + HAND_B) - HAND_Y
    grad_w, grad_b = error * HAND_X, error
    return grad_w, grad_b, HAND_W - HAND_LR * grad_w, HAND_B - HAND_LR * grad_b


@check
def check_gradient_by_hand(grad_w, grad_b, w_new, b_new):
    """Exercise 1: the logistic neuron's gradient on one example, then one gradient-descent step."""
    ref_w, ref_b, ref_w_new, ref_b_new = _hand_reference()
    expect(np.shape(grad_w) == (2,), f"grad_w should hold two numbers (one per weight), got {fmt(grad_w)}")
    expect(not np.allclose(grad_w, -ref_w, atol=2e-3),
           "grad_w has the wrong sign: the derivative of the loss with respect to z is p − y, not y − p")
    expect(not np.allclose(grad_w, [ref_b, ref_b], atol=2e-3),
           "grad_w should be (p − y) times the input x: the factor x is missing")
    close(grad_w, ref_w, "grad_w", rtol=0, atol=2e-3)
    close(grad_b, ref_b, "grad_b", rtol=0, atol=2e-3)
    expect(not np.allclose(w_new, HAND_W + HAND_LR * ref_w, atol=2e-3),
           "w_new went uphill: a gradient-descent step subtracts lr × gradient")
    close(w_new, ref_w_new, "w_new", rtol=0, atol=2e-3)
    close(b_new, ref_b_new, "b_new", rtol=0, atol=2e-3)
    return f"p = {fmt(sigmoid(HAND_X @ HAND_W))}, grad_w = {fmt(ref_w)}, grad_b = {fmt(ref_b)}, " \
           f"and the step gives w = {fmt(ref_w_new)}, b = {fmt(ref_b_new)}"


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
        result = perceptron_update_pm(x.copy(), y, w.copy(), b, lr)
        expect(isinstance(result, tuple) and len(result) == 2, f"return the pair (w, b), got {result!r}")
        got_w, got_b = result
        label = f"for {what}: x = {fmt(x)}, y = {y}, w = {fmt(w)}, b = {b}, lr = {lr}"
        close(got_w, ref_w, f"the new w {label}")
        close(got_b, ref_b, f"the new b {label}")
    return "the rule leaves correct examples alone and moves w by lr·y·x and b by lr·y on mistakes"


def _sigmoid_mse_reference(X, y, w, b):
    p = sigmoid(X @ w + b)
    dz = 2.0 * (p - y) * p * (1.0 - p) / len(y)
    return X.T @ dz, float(np.sum(dz))


@check
def check_sigmoid_mse_gradients(sigmoid_mse_gradients):
    """Exercise 3: the gradient of the squared error of a sigmoid neuron."""
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(6, 3)), np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    cases = [(X, y, np.zeros(3), 0.0, "w = 0, b = 0"),
             (X, y, np.array([0.5, -1.0, 2.0]), -0.3, "a random neuron"),
             (X[:1], y[:1], np.array([0.5, -1.0, 2.0]), 0.7, "a batch of one"),
             (X, y, np.array([40.0, -40.0, 40.0]), 0.0, "a saturated neuron (large weights)")]
    for X_c, y_c, w, b, what in cases:
        ref_w, ref_b = _sigmoid_mse_reference(X_c, y_c, w, b)
        result = sigmoid_mse_gradients(X_c, y_c, w.copy(), b)
        expect(isinstance(result, tuple) and len(result) == 2, f"return the pair (grad_w, grad_b), got {result!r}")
        close(result[0], ref_w, f"grad_w for {what}", rtol=1e-6, atol=1e-10)
        close(result[1], ref_b, f"grad_b for {what}", rtol=1e-6, atol=1e-10)
    return "the squared-error gradient is right, σ'(z) factor included"


def line_data():
    """The 1-D data of the chapter's line fit (Section 2.2): x, y (20,)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 2, size=20)
    return x, 1.5 * x - 1.0 + 0.3 * rng.standard_normal(20)


def _curvatures(X):
    """Eigenvalues of the Hessian (2/n) X̃ᵀX̃ of a linear neuron's squared error, X̃ = [X, 1]."""
    X1 = np.column_stack([X, np.ones(len(X))])
    return np.linalg.eigvalsh(2.0 * X1.T @ X1 / len(X))


@check
def check_convergence_factor(convergence_factor, best_lr):
    """Exercise 4: max |1 − lr λ| over the Hessian's eigenvalues, and the learning rate minimising it."""
    rng = np.random.default_rng(3)
    cases = [(rng.normal(size=(20, 2)) + [3.0, 0.0], 0.05, "20 points with two inputs, lr = 0.05"),
             (rng.normal(size=(20, 2)) + [3.0, 0.0], 0.3, "20 points with two inputs, lr = 0.3 (it overshoots)"),
             (rng.uniform(0, 2, size=(10, 1)), 0.01, "10 points with one input, lr = 0.01"),
             (np.array([[3.0, 4.0]]), 0.02, "a single example"),
             (np.zeros((5, 2)), 0.75, "all-zero inputs (only the bias matters)"),
             (100 * rng.normal(size=(8, 3)), 1e-5, "large inputs")]
    for X, lr, what in cases:
        got = convergence_factor(X.copy(), lr)
        expect(np.ndim(got) == 0, f"return one number, got {fmt(got)}")
        close(float(got), np.max(np.abs(1.0 - lr * _curvatures(X))), f"convergence_factor for {what}", rtol=1e-6)
    lam = _curvatures(line_data()[0][:, None])
    expect(np.ndim(best_lr) == 0, f"best_lr should be one number, got {fmt(best_lr)}")
    expect(not np.isclose(float(best_lr), 1 / lam.max(), rtol=0.02),
           "1/λ_max is the largest smooth step, but the flat direction then still shrinks slowly: "
           "a larger step, which zigzags along the steep direction, does better")
    expect(not np.isclose(float(best_lr), 2 / lam.max(), rtol=0.02),
           "at 2/λ_max the steep direction stops shrinking (its factor is exactly 1)")
    close(float(best_lr), 2 / (lam.min() + lam.max()), "best_lr", rtol=0.02)
    return f"best_lr = 2 / (λ_min + λ_max) ≈ {2 / lam.sum():.3f}: it zigzags, yet converges fastest"


@check
def check_explorer_experiment(smallest_diverging, answer):
    """Exercise 5: the smallest learning rate in EXPLORER_LRS that diverges, per batch size."""
    from nnbook.widgets.learning_rate import compute_learning_rate

    expect(isinstance(smallest_diverging, dict) and set(smallest_diverging) == set(EXPLORER_BATCHES),
           f"smallest_diverging should be a dict with one entry per batch size {EXPLORER_BATCHES}")
    for batch_size in EXPLORER_BATCHES:
        ref = next(lr for lr in EXPLORER_LRS
                   if compute_learning_rate(lr, EXPLORER_STEPS, batch_size)["diverged"])
        expect(smallest_diverging[batch_size] == ref,
               f"with batch size {batch_size} the explorer first reports divergence at lr = {ref}, "
               f"not {smallest_diverging[batch_size]!r}")
    choice(answer, "B", EXPLORER_OPTIONS)
    return "smaller batches diverge at smaller learning rates: one example's gradient can point far from the average"


EXPLORER_OPTIONS = {
    "A": "the batch size does not change which learning rates diverge",
    "B": "the smaller the batch, the smaller the learning rate at which training diverges",
    "C": "the smaller the batch, the larger the learning rate it can take",
}

CONFIDENT_OPTIONS = {
    "A": "the cross-entropy is bounded, the squared error is not",
    "B": "the squared error's gradient carries the factor σ'(z), almost 0 when the neuron is saturated",
    "C": "the cross-entropy has a minimum, the squared error of a sigmoid has none",
    "D": "the squared error is not differentiable at z = −8",
}


@check
def check_confidently_wrong(ratio, answer):
    """Exercise 6: how much larger the cross-entropy's gradient is for a confidently wrong
    neuron (z = −8, y = 1), and why."""
    p = sigmoid(-8.0)
    ref = abs(p - 1.0) / abs(2.0 * (p - 1.0) * p * (1.0 - p))
    expect(np.ndim(ratio) == 0, f"ratio should be one number, got {fmt(ratio)}")
    expect(not np.isclose(float(ratio), 1.0 / ref, rtol=1e-2),
           "that is the ratio upside down: divide the cross-entropy's gradient by the squared error's")
    expect(not np.isclose(float(ratio), 2.0 * ref, rtol=1e-2),
           "twice too large: the derivative of (p − y)² is 2 (p − y), keep the 2")
    close(float(ratio), ref, "ratio", rtol=1e-2)
    choice(answer, "B", CONFIDENT_OPTIONS)
    return f"about {ref:.0f} times: σ'(−8) ≈ {fmt(p * (1 - p))} all but cancels the squared error's gradient"
