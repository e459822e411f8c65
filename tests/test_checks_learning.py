"""Every check of Chapter 2 accepts the right answer, says "not done yet" to the placeholder,
and rejects plausible wrong answers."""

import numpy as np
import pytest

from nnbook.activations import sigmoid
from nnbook.checks import outcome
from nnbook.checks.learning import (EXPLORER_BATCHES, EXPLORER_LRS, EXPLORER_STEPS, check_confidently_wrong,
                                    check_convergence_factor, check_explorer_experiment,
                                    check_gradient_by_hand, check_perceptron_update_pm,
                                    check_sigmoid_mse_gradients, line_data)


def passes(check, *args):
    line = outcome(check.body, *args)
    assert line.startswith("✔"), line


def fails(check, *args):
    line = outcome(check.body, *args)
    assert line.startswith("✘") and "not done yet" not in line, line
    return line


def not_done(check, *args):
    assert outcome(check.body, *args).startswith("✘ not done yet")


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: complete this")


# Exercise 1 -------------------------------------------------------------------------------
P = sigmoid(-0.5)
GRAD_W, GRAD_B = (P - 1) * np.array([1.0, 2.0]), P - 1
W_NEW, B_NEW = np.array([0.5, -0.5]) - 0.5 * GRAD_W, -0.5 * GRAD_B


def test_gradient_by_hand():
    passes(check_gradient_by_hand, GRAD_W, GRAD_B, W_NEW, B_NEW)
    passes(check_gradient_by_hand, np.round(GRAD_W, 3), round(GRAD_B, 3), np.round(W_NEW, 3), round(B_NEW, 3))
    not_done(check_gradient_by_hand, ..., ..., ..., ...)
    assert "wrong sign" in fails(check_gradient_by_hand, -GRAD_W, -GRAD_B, W_NEW, B_NEW)
    assert "factor x" in fails(check_gradient_by_hand, np.array([GRAD_B, GRAD_B]), GRAD_B, W_NEW, B_NEW)
    assert "uphill" in fails(check_gradient_by_hand, GRAD_W, GRAD_B, np.array([0.5, -0.5]) + 0.5 * GRAD_W, B_NEW)
    mse_dz = 2 * (P - 1) * P * (1 - P)  # the squared error's gradient instead of the cross-entropy's
    fails(check_gradient_by_hand, mse_dz * np.array([1.0, 2.0]), mse_dz, W_NEW, B_NEW)
    fails(check_gradient_by_hand, GRAD_W, GRAD_B, W_NEW, 0.0)  # the bias left out of the step


# Exercise 2 -------------------------------------------------------------------------------
def update_pm(x, y, w, b, lr=1.0):
    if y * (np.dot(w, x) + b) <= 0:
        return w + lr * y * x, b + lr * y
    return w, b


def update_pm_strict(x, y, w, b, lr=1.0):  # < 0: never leaves the all-zero start
    if y * (np.dot(w, x) + b) < 0:
        return w + lr * y * x, b + lr * y
    return w, b


def update_pm_no_bias(x, y, w, b, lr=1.0):
    if y * (np.dot(w, x) + b) <= 0:
        return w + lr * y * x, b
    return w, b


def update_pm_wrong_sign(x, y, w, b, lr=1.0):
    if y * (np.dot(w, x) + b) <= 0:
        return w - lr * y * x, b - lr * y
    return w, b


def update_pm_always(x, y, w, b, lr=1.0):
    return w + lr * y * x, b + lr * y


def test_perceptron_update_pm():
    passes(check_perceptron_update_pm, update_pm)
    not_done(check_perceptron_update_pm, stub)
    not_done(check_perceptron_update_pm, ...)
    for wrong in (update_pm_strict, update_pm_no_bias, update_pm_wrong_sign, update_pm_always):
        fails(check_perceptron_update_pm, wrong)
    fails(check_perceptron_update_pm, lambda x, y, w, b, lr=1.0: w + lr * y * x)  # not a pair


# Exercise 3 -------------------------------------------------------------------------------
def mse_gradients(X, y, w, b):
    p = sigmoid(X @ w + b)
    dz = 2 * (p - y) * p * (1 - p) / len(y)
    return X.T @ dz, dz.sum()


def mse_gradients_no_sigmoid_grad(X, y, w, b):  # the cross-entropy's gradient
    p = sigmoid(X @ w + b)
    dz = 2 * (p - y) / len(y)
    return X.T @ dz, dz.sum()


def mse_gradients_no_two(X, y, w, b):
    p = sigmoid(X @ w + b)
    dz = (p - y) * p * (1 - p) / len(y)
    return X.T @ dz, dz.sum()


def mse_gradients_sum(X, y, w, b):  # summed, not averaged over the examples
    p = sigmoid(X @ w + b)
    dz = 2 * (p - y) * p * (1 - p)
    return X.T @ dz, dz.sum()


def mse_gradients_wrong_axis(X, y, w, b):
    p = sigmoid(X @ w + b)
    dz = 2 * (p - y) * p * (1 - p) / len(y)
    return (X * dz[:, None]).sum(axis=1), dz.sum()


def test_sigmoid_mse_gradients():
    passes(check_sigmoid_mse_gradients, mse_gradients)
    not_done(check_sigmoid_mse_gradients, stub)
    for wrong in (mse_gradients_no_sigmoid_grad, mse_gradients_no_two, mse_gradients_sum, mse_gradients_wrong_axis):
        fails(check_sigmoid_mse_gradients, wrong)
    fails(check_sigmoid_mse_gradients, lambda X, y, w, b: mse_gradients(X, y, w, b)[0])  # grad_b missing


# Exercise 4 -------------------------------------------------------------------------------
def curvatures(X, bias=True, scale=2.0, per_example=True):
    X1 = np.column_stack([X, np.ones(len(X))]) if bias else X
    return np.linalg.eigvalsh(scale * X1.T @ X1 / (len(X) if per_example else 1))


def factor(X, lr):
    return np.max(np.abs(1 - lr * curvatures(X)))


LAM = curvatures(line_data()[0][:, None])
BEST = 2 / (LAM.min() + LAM.max())


def test_convergence_factor():
    passes(check_convergence_factor, factor, BEST)
    grid = np.linspace(0.001, 0.6, 2000)   # a grid search finds it too
    passes(check_convergence_factor, factor, grid[np.argmin([factor(line_data()[0][:, None], lr) for lr in grid])])
    not_done(check_convergence_factor, stub, BEST)
    not_done(check_convergence_factor, factor, ...)
    wrong_factors = [
        lambda X, lr: np.max(np.abs(1 - lr * curvatures(X, bias=False))),   # no bias column
        lambda X, lr: np.max(1 - lr * curvatures(X)),                        # no absolute value
        lambda X, lr: np.max(np.abs(1 - lr * curvatures(X, per_example=False))),  # not divided by n
        lambda X, lr: np.max(np.abs(1 - lr * curvatures(X, scale=1.0))),     # the 2 forgotten
        lambda X, lr: np.abs(1 - lr * curvatures(X).max()),                  # only the steepest direction
    ]
    for wrong in wrong_factors:
        fails(check_convergence_factor, wrong, BEST)
    assert "1/λ_max" in fails(check_convergence_factor, factor, 1 / LAM.max())
    assert "2/λ_max" in fails(check_convergence_factor, factor, 2 / LAM.max())
    fails(check_convergence_factor, factor, 2 / LAM.min())


# Exercise 5 -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def explorer_answer():
    from nnbook.widgets.learning_rate import compute_learning_rate

    return {bs: next(lr for lr in EXPLORER_LRS if compute_learning_rate(lr, EXPLORER_STEPS, bs)["diverged"])
            for bs in EXPLORER_BATCHES}


def test_explorer_experiment(explorer_answer):
    passes(check_explorer_experiment, explorer_answer, "B")
    passes(check_explorer_experiment, explorer_answer, " b ")
    not_done(check_explorer_experiment, ..., "B")
    not_done(check_explorer_experiment, explorer_answer, ...)
    fails(check_explorer_experiment, explorer_answer, "C")
    fails(check_explorer_experiment, {bs: explorer_answer[200] for bs in EXPLORER_BATCHES}, "A")
    # the last learning rate that still converged, instead of the first that diverged
    previous = {bs: EXPLORER_LRS[EXPLORER_LRS.index(lr) - 1] for bs, lr in explorer_answer.items()}
    fails(check_explorer_experiment, previous, "B")
    fails(check_explorer_experiment, {200: explorer_answer[200]}, "B")  # a batch size missing


# Exercise 6 -------------------------------------------------------------------------------
def test_confidently_wrong():
    p = sigmoid(-8.0)
    ratio = 1 / (2 * p * (1 - p))
    passes(check_confidently_wrong, ratio, "B")
    passes(check_confidently_wrong, round(ratio), "B")
    not_done(check_confidently_wrong, ..., "B")
    assert "upside down" in fails(check_confidently_wrong, 1 / ratio, "B")
    assert "keep the 2" in fails(check_confidently_wrong, 2 * ratio, "B")
    fails(check_confidently_wrong, 1 / (2 * sigmoid(-6.0) * (1 - sigmoid(-6.0))), "B")  # the ratio at z = −6
    fails(check_confidently_wrong, ratio, "A")
    fails(check_confidently_wrong, ratio, "E")
    fails(check_confidently_wrong, np.array([ratio, ratio]), "B")
