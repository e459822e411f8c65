"""Every check of Chapter 2 accepts the right answer (written more than one way), says "not
done yet" to the placeholder, and rejects plausible wrong answers, each with the message that
names its mistake; a wrong answer is never blamed on the check's own code."""

import numpy as np
import pytest

from nnbook.activations import sigmoid
from nnbook.checks import CHECK_FAILED, NOT_DONE, outcome
from nnbook.checks.learning import (EXPLORER_BATCHES, EXPLORER_LRS, EXPLORER_STEPS,
                                    check_confidently_wrong,
                                    check_convergence_factor, check_explorer_experiment,
                                    check_gradient_by_hand, check_perceptron_update_pm,
                                    check_sigmoid_mse_gradients, line_data)


def line(check, *args):
    message = outcome(check.body, *args)
    assert not message.startswith(CHECK_FAILED), message
    return message


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 2: complete f()")


# Exercise 1 -------------------------------------------------------------------------------
P = sigmoid(-0.5)
GRAD_W, GRAD_B = (P - 1) * np.array([1.0, 2.0]), P - 1
W_NEW, B_NEW = np.array([0.5, -0.5]) - 0.5 * GRAD_W, -0.5 * GRAD_B
HAND_OK = "✔ right: the step moves w to [0.811, 0.122] and b to 0.3112"
MSE_DZ = 2 * (P - 1) * P * (1 - P)  # the squared error's gradient instead of the cross-entropy's


def test_gradient_by_hand_right():
    assert line(check_gradient_by_hand, GRAD_W, GRAD_B, W_NEW, B_NEW) == HAND_OK
    rounded = (np.round(GRAD_W, 3), round(GRAD_B, 3), np.round(W_NEW, 3), round(B_NEW, 3))
    assert line(check_gradient_by_hand, *rounded) == HAND_OK
    assert line(check_gradient_by_hand, list(GRAD_W), GRAD_B, tuple(W_NEW), B_NEW) == HAND_OK
    assert line(check_gradient_by_hand, ..., ..., ..., ...) == NOT_DONE
    assert line(check_gradient_by_hand, GRAD_W, GRAD_B, ..., B_NEW) == NOT_DONE


@pytest.mark.parametrize("args, message", [
    ((-GRAD_W, -GRAD_B, W_NEW, B_NEW),
     "✘ grad_w has the wrong sign: the derivative of the loss with respect to z is p − y, "
     "not y − p"),
    ((np.array([GRAD_B, GRAD_B]), GRAD_B, W_NEW, B_NEW),
     "✘ grad_w should be (p − y) times the input x: the factor x is missing"),
    ((MSE_DZ * np.array([1.0, 2.0]), MSE_DZ, W_NEW, B_NEW),
     "✘ that is the gradient of the squared error (with its factor σ'(z)); the "
     "cross-entropy's is (p − y) x"),
    ((GRAD_W, -GRAD_B, W_NEW, B_NEW),
     "✘ grad_b should be -0.6225, got 0.6225 (the sign is flipped)"),
    ((GRAD_W, GRAD_B, np.array([0.5, -0.5]) + 0.5 * GRAD_W, B_NEW),
     "✘ w_new went uphill: a gradient-descent step subtracts lr × gradient"),
    ((GRAD_W, GRAD_B, np.array([0.5, -0.5]) - GRAD_W, B_NEW),
     "✘ w_new took a step of lr = 1; the exercise's learning rate is 0.5"),
    ((GRAD_W, GRAD_B, W_NEW, 0.0),
     "✘ b_new is still the old bias: the bias takes a step too, b − lr × ∂L/∂b"),
    ((GRAD_W, GRAD_B, W_NEW, -B_NEW),
     "✘ b_new should be 0.3112, got -0.3112 (the sign is flipped)"),
    (("0.6", GRAD_B, W_NEW, B_NEW),
     "✘ grad_w should hold two numbers (one per weight), got '0.6'"),
])
def test_gradient_by_hand_wrong(args, message):
    assert line(check_gradient_by_hand, *args) == message


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


def update_pm_no_lr(x, y, w, b, lr=1.0):
    if y * (np.dot(w, x) + b) <= 0:
        return w + y * x, b + y
    return w, b


ZERO_CASE = ("for all-zero weights (w·x + b = 0 counts as a mistake) "
             "(x = [1., 2.], y = 1, w = [0., 0.], b = 0.0, lr = 1.0)")
PM_OK = "✔ the rule leaves correct examples alone and moves w, b by lr·y·(x, 1)"


def test_perceptron_update_pm_right():
    assert line(check_perceptron_update_pm, update_pm) == PM_OK
    as_list = lambda x, y, w, b, lr=1.0: list(update_pm(x, y, w, b, lr))  # noqa: E731
    assert line(check_perceptron_update_pm, as_list) == PM_OK
    assert line(check_perceptron_update_pm, stub) == f"{NOT_DONE} (Exercise 2: complete f())"
    assert line(check_perceptron_update_pm, ...) == NOT_DONE


@pytest.mark.parametrize("wrong, message", [
    (update_pm_strict, f"✘ w did not change {ZERO_CASE}: y (w·x + b) ≤ 0 is a mistake"),
    (update_pm_no_bias,
     f"✘ b did not change {ZERO_CASE}: on a mistake the bias moves by lr·y too"),
    (update_pm_wrong_sign,
     f"✘ the new w {ZERO_CASE} should be [1., 2.], got [-1., -2.]; first difference at [0]: "
     "expected 1, got -1 (the sign is flipped)"),
    (update_pm_always,
     "✘ w changed for a correctly classified positive example (x = [1., 2.], y = 1, "
     "w = [1., 1.], b = 0.0, lr = 1.0): a correctly classified example changes nothing"),
    (update_pm_no_lr,
     "✘ the new w for a misclassified positive example with lr = 0.5 (x = [-3. , 0.5], y = 1, "
     "w = [1., 1.], b = 0.0, lr = 0.5) should be [-0.5 , 1.25], got [-2. , 1.5]; first "
     "difference at [0]: expected -0.5, got -2"),
    (lambda x, y, w, b, lr=1.0: w + lr * y * x,
     "✘ return the pair (w, b) as a tuple, got [1., 2.]"),
    (lambda x, y, w, b, lr=1.0: None, "✘ the function returned None: end it with `return w, b`"),
])
def test_perceptron_update_pm_wrong(wrong, message):
    assert line(check_perceptron_update_pm, wrong) == message


# Exercise 3 -------------------------------------------------------------------------------
def mse_gradients(X, y, w, b, two=2.0, sigmoid_grad=True, mean=True):
    p = sigmoid(X @ w + b)
    dz = two * (p - y) * (p * (1 - p) if sigmoid_grad else 1.0) / (len(y) if mean else 1)
    return X.T @ dz, dz.sum()


def mse_gradients_wrong_axis(X, y, w, b):
    p = sigmoid(X @ w + b)
    dz = 2 * (p - y) * p * (1 - p) / len(y)
    return (X * dz[:, None]).sum(axis=1), dz.sum()


MSE_OK = "✔ the squared-error gradient is right, σ'(z) factor included"


def test_sigmoid_mse_gradients_right():
    assert line(check_sigmoid_mse_gradients, mse_gradients) == MSE_OK

    def with_exp(X, y, w, b):  # another reasonable way: the sigmoid written out
        p = 1 / (1 + np.exp(-(X @ w + b)))
        dz = 2 * (p - y) * p * (1 - p)
        return dz @ X / len(y), np.mean(dz)

    assert line(check_sigmoid_mse_gradients, with_exp) == MSE_OK
    assert line(check_sigmoid_mse_gradients, stub) == f"{NOT_DONE} (Exercise 2: complete f())"


@pytest.mark.parametrize("wrong, message", [
    (lambda X, y, w, b: mse_gradients(X, y, w, b, sigmoid_grad=False),
     "✘ grad_w for a random neuron lacks the factor σ'(z) = p (1 − p) of the chain rule"),
    (lambda X, y, w, b: mse_gradients(X, y, w, b, two=1.0),
     "✘ grad_w for a random neuron is half the gradient: the derivative of (p − y)² is "
     "2 (p − y)"),
    (lambda X, y, w, b: mse_gradients(X, y, w, b, mean=False),
     "✘ grad_w for a random neuron is n times too large: the loss is a mean, divide by n"),
    (mse_gradients_wrong_axis, "✘ grad_w for a random neuron should have shape (3,), got (6,)"),
    (lambda X, y, w, b: mse_gradients(X, y, w, b)[0],
     "✘ return the pair (grad_w, grad_b) as a tuple, got [ 0.14 , -0.124, -0.089]"),
    (lambda X, y, w, b: (mse_gradients(X, y, w, b)[0], -mse_gradients(X, y, w, b)[1]),
     "✘ grad_b for a random neuron should be -0.0741, got 0.0741 (the sign is flipped)"),
])
def test_sigmoid_mse_gradients_wrong(wrong, message):
    assert line(check_sigmoid_mse_gradients, wrong) == message


# Exercise 4 -------------------------------------------------------------------------------
def curvatures(X, bias=True, scale=2.0, per_example=True):
    X1 = np.column_stack([X, np.ones(len(X))]) if bias else X
    return np.linalg.eigvalsh(scale * X1.T @ X1 / (len(X) if per_example else 1))


def factor(X, lr):
    return np.max(np.abs(1 - lr * curvatures(X)))


LAM = curvatures(line_data()[0][:, None])
SMOOTH, FASTEST = 84, 44   # the smallest k with ρᵏ ≤ 10⁻³ at 1/λ_max and 2/(λ_min + λ_max)
FACTOR_OK = "✔ 84 steps without overshoot, 44 at the fastest rate: about half"
CASE = "convergence_factor for 20 points with two inputs, lr = 0.3"


def test_steps_are_the_definition():
    for lr, steps in ((1 / LAM.max(), SMOOTH), (2 / LAM.sum(), FASTEST)):
        rho = factor(line_data()[0][:, None], lr)
        assert rho ** steps <= 1e-3 < rho ** (steps - 1)


def test_convergence_factor_right():
    assert line(check_convergence_factor, factor, SMOOTH, FASTEST) == FACTOR_OK
    assert line(check_convergence_factor, factor, float(SMOOTH), np.int64(FASTEST)) == FACTOR_OK
    assert line(check_convergence_factor, stub, SMOOTH, FASTEST).startswith(NOT_DONE)
    assert line(check_convergence_factor, factor, ..., FASTEST) == NOT_DONE


@pytest.mark.parametrize("wrong, message", [
    (lambda X, lr: np.max(np.abs(1 - lr * curvatures(X, bias=False))),
     f"✘ {CASE} leaves out the bias: append a column of ones to X"),
    (lambda X, lr: np.max(1 - lr * curvatures(X)),
     f"✘ {CASE} forgets the absolute value: a factor of −0.9 shrinks the distance as little "
     "as +0.9"),
    (lambda X, lr: np.max(np.abs(1 - lr * curvatures(X, per_example=False))),
     f"✘ {CASE} uses 2 X̃ᵀX̃: divide by n, the loss is a mean"),
    (lambda X, lr: np.max(np.abs(1 - lr * curvatures(X, scale=1.0))),
     f"✘ {CASE} uses (1/n) X̃ᵀX̃: the Hessian of the mean squared error is (2/n) X̃ᵀX̃"),
    (lambda X, lr: np.abs(1 - lr * curvatures(X).max()),
     "✘ convergence_factor for 20 points with two inputs, lr = 0.05 looks only at the "
     "steepest direction: take the max over every eigenvalue"),
    (lambda X, lr: np.abs(1 - lr * curvatures(X)),
     "✘ convergence_factor should return one number, got [0.934, 0.174, 5.335]"),
    (lambda X, lr: None, "✘ convergence_factor returned None: end it with `return …`"),
])
def test_convergence_factor_wrong(wrong, message):
    assert line(check_convergence_factor, wrong, SMOOTH, FASTEST) == message


@pytest.mark.parametrize("steps, message", [
    ((FASTEST, SMOOTH), "✘ steps_smooth and steps_fastest are swapped: the smooth learning "
                        "rate 1/λ_max is the slower one"),
    ((SMOOTH - 1, FASTEST - 1), "✘ after 83 and 43 steps ρᵏ is still above 10⁻³: round k up"),
    ((42, 22), "✘ those steps shrink ρ² a thousandfold (the loss); the exercise asks for the "
               "distance, ρᵏ ≤ 10⁻³"),
    ((83.6, 43.5), "✘ steps_smooth = 83.6: a number of steps is whole; take the smallest "
                   "whole k with ρᵏ ≤ 10⁻³ (round up)"),
    ((SMOOTH, FASTEST + 1), "✘ steps_fastest should be 44 (the smallest k with ρᵏ ≤ 10⁻³ at "
                            "2/(λ_min + λ_max)), got 45"),
    (("84", FASTEST), "✘ steps_smooth should be a number of steps, got '84'"),
])
def test_convergence_steps_wrong(steps, message):
    assert line(check_convergence_factor, factor, *steps) == message


# Exercise 5 -------------------------------------------------------------------------------
def test_checks_do_not_load_a_widget():
    import subprocess
    import sys

    code = ("import sys, nnbook.checks.neuron, nnbook.checks.learning; "
            "print(sorted(m for m in sys.modules if m.startswith('nnbook.widgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def explorer_answer():
    from nnbook.learning import compute_learning_rate

    return {bs: next(lr for lr in EXPLORER_LRS
                     if compute_learning_rate(lr, EXPLORER_STEPS, bs)["failed"])
            for bs in EXPLORER_BATCHES}


EXPLORER_OK = "✔ unstable from lr = 50, 30, 5 at batch 200, 20, 1: noisier, sooner"


def test_explorer_experiment_right(explorer_answer):
    assert explorer_answer == {200: 50, 20: 30, 1: 5}
    assert line(check_explorer_experiment, explorer_answer, "B") == EXPLORER_OK
    assert line(check_explorer_experiment, {1: 5.0, 20: 30, 200: 50}, " b ") == EXPLORER_OK
    assert line(check_explorer_experiment, ..., "B") == NOT_DONE
    assert line(check_explorer_experiment, explorer_answer, ...) == NOT_DONE
    assert line(check_explorer_experiment, {200: 50, 20: ..., 1: 5}, "B") == NOT_DONE


@pytest.mark.parametrize("answer, letter, message", [
    # the last learning rate that was still a zig-zag, instead of the first unstable one
    ({200: 30, 20: 20, 1: 3}, "B",
     "✘ with batch size 200 the run at lr = 30 is zig-zag, not yet unstable: try larger "
     "learning rates"),
    ({200: 100, 20: 30, 1: 5}, "B",
     "✘ with batch size 200 the run is already unstable at lr = 50: find the smallest such "
     "learning rate"),
    ({200: 50, 20: 30, 1: 4}, "B",
     "✘ with batch size 1: 4 is not one of the learning rates to try, 1, 2, 3, 5, 10, 20, 30, "
     "50, 100"),
    ({200: 50}, "B",
     "✘ smallest_unstable has no entry for batch size 20, 1: one per batch size (200, 20, 1)"),
    ([50, 30, 5], "B",
     "✘ smallest_unstable should be a dict from batch size to learning rate, got [50, 30, 5]"),
    ({200: 50, 20: 30, 1: 5}, "A",
     "✘ A ('the batch size does not change which learning rates are unstable') is not it: "
     "the three learning rates you found differ, so the batch size does change them"),
    ({200: 50, 20: 30, 1: 5}, "C",
     "✘ C ('the smaller the batch, the larger the learning rate it can take') is not it: it "
     "is the other way round: batch size 1 is unstable from a smaller learning rate than "
     "batch size 200"),
    ({200: 50, 20: 30, 1: 5}, "E", "✘ answer with one of the letters A, B, C (a str), got 'E'"),
])
def test_explorer_experiment_wrong(answer, letter, message):
    assert line(check_explorer_experiment, answer, letter) == message


# Exercise 6 -------------------------------------------------------------------------------
P8 = sigmoid(-8.0)
RATIO = 1 / (2 * P8 * (1 - P8))
CONFIDENT_OK = "✔ about 1491 times: σ'(−8) ≈ 0.0003352 all but cancels it"


def test_confidently_wrong_right():
    assert line(check_confidently_wrong, RATIO, "B") == CONFIDENT_OK
    assert line(check_confidently_wrong, round(RATIO), "b") == CONFIDENT_OK
    assert line(check_confidently_wrong, np.float64(1490.0), "B") == CONFIDENT_OK
    assert line(check_confidently_wrong, ..., "B") == NOT_DONE


@pytest.mark.parametrize("ratio, letter, message", [
    (1 / RATIO, "B", "✘ that is the ratio upside down: divide the cross-entropy's slope by "
                     "the squared error's"),
    (2 * RATIO, "B", "✘ twice too large: the derivative of (p − y)² is 2 (p − y), keep the 2"),
    (RATIO / 2, "B", "✘ half the ratio: the squared error's slope is 2 (p − y) σ'(z), with "
                     "its 2"),
    (1 / (2 * sigmoid(-6.0) * (1 - sigmoid(-6.0))), "B",
     "✘ that is the ratio at z = −6, the chapter's example; this neuron has z = −8"),
    (100.0, "B", "✘ ratio should be 1491, got 100 (every entry is 0.067 × the expected value)"),
    (RATIO, "A", "✘ A ('the cross-entropy is bounded, the squared error is not') is not it: "
                 "it is the other way round: the squared error of a probability stays below "
                 "1, the cross-entropy grows without bound"),
    (RATIO, "C", "✘ C ('the cross-entropy has a minimum, the squared error of a sigmoid has "
                 "none') is not it: both losses are smallest at p = y; a missing minimum "
                 "would not explain a small slope"),
    (RATIO, "D", "✘ D ('the squared error is not differentiable at z = −8') is not it: "
                 "(σ(z) − y)² is smooth everywhere; its slope at z = −8 exists, it is just "
                 "tiny"),
    (np.array([RATIO, RATIO]), "B", "✘ ratio should be one number, got [1491.479, 1491.479]"),
    ("1491", "B", "✘ ratio should be one number, got '1491'"),
])
def test_confidently_wrong_wrong(ratio, letter, message):
    assert line(check_confidently_wrong, ratio, letter) == message
