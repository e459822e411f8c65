"""Every Chapter 5 check accepts the right answer (written more than one way), says "not done
yet" for the placeholder, and rejects plausible wrong answers, each with the one-line message
that names its mistake (never the check's own failure)."""

import numpy as np
import pytest
import torch

from checking import NONE_RETURNED, line
from nnbook.checks import CHECK_FAILED, NOT_DONE
from nnbook.checks import digits as checks
from nnbook.datasets import load_digits
from nnbook.scratch import MLP


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 1: complete f()")


def assert_wrong(got, message):
    """A wrong answer gets ✘ and the expected words, on one line, and is never the check's fault."""
    assert got.startswith("✘ ") and not got.startswith(NOT_DONE), got
    assert not got.startswith(CHECK_FAILED) and "\n" not in got, got
    assert message in got, got


# Exercise 1 -----------------------------------------------------------------

def linear_backward(X, W, dZ):
    return dZ @ W, dZ.T @ X, dZ.sum(axis=0)


def test_linear_backward_right():
    expected = "✔ dX = dZ W, dW = dZᵀ X, db = Σ rows of dZ; every shape right"
    assert line(checks.check_linear_backward, linear_backward) == expected
    einsum = lambda X, W, dZ: (np.einsum("nk,ki->ni", dZ, W), np.einsum("nk,ni->ki", dZ, X),
                               np.add.reduce(dZ, axis=0))
    assert line(checks.check_linear_backward, einsum) == expected


def test_linear_backward_agrees_with_torch_linear():
    rng = np.random.default_rng(0)
    X, dZ = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    layer = torch.nn.Linear(4, 3).double()
    X_t = torch.tensor(X, requires_grad=True)
    layer(X_t).backward(torch.tensor(dZ))
    dX, dW, db = linear_backward(X, layer.weight.detach().numpy(), dZ)
    np.testing.assert_allclose(dX, X_t.grad.numpy())
    np.testing.assert_allclose(dW, layer.weight.grad.numpy())
    np.testing.assert_allclose(db, layer.bias.grad.numpy())


def test_linear_backward_not_done():
    assert line(checks.check_linear_backward, stub) == f"{NOT_DONE} (Exercise 1: complete f())"


@pytest.mark.parametrize("wrong, message", [
    (lambda X, W, dZ: None,                                          # forgot `return`
     "linear_backward(X, W, dZ) " + NONE_RETURNED),
    (lambda X, W, dZ: [dZ @ W, dZ.T @ X, dZ.sum(axis=0)],            # right values, a list
     "your three gradients are right, but return them as a tuple (dX, dW, db), not a list"),
    (lambda X, W, dZ: (dZ @ W, X.T @ dZ, dZ.sum(axis=0)),            # the chapter's layout
     "dW for X (6, 4), W (3, 4) is X.T @ dZ, the chapter's layout (d_in, d_out); "
     "here W is (d_out, d_in), so dW = dZ.T @ X"),
    (lambda X, W, dZ: (dZ.T @ X, dZ @ W, dZ.sum(axis=0)),            # order swapped
     "dX and dW are swapped for X (6, 4), W (3, 4): return (dX, dW, db) in that order"),
    (lambda X, W, dZ: (dZ @ W, (dZ.T @ X).T if W.shape[0] == W.shape[1] else dZ.T @ X,
                       dZ.sum(axis=0)),                              # transposed where it fits
     "dW for X (5, 3), W (3, 3) (the shape of W) should be a (3, 3) array [-2.028, -5.079, "
     "1.538, …], got a (3, 3) array [-2.028, 1.131, -1.355, …]; first difference at [0, 1]: "
     "expected -5.079, got 1.131 (it is the transpose)"),
    (lambda X, W, dZ: (dZ @ W, dZ.T @ X, dZ.mean(axis=0)),            # mean instead of sum
     "(every entry is 6 × too small: an extra division?)"),
    (lambda X, W, dZ: (dZ @ W, dZ.T @ X, dZ.sum(axis=1)),             # wrong axis
     "db for X (6, 4), W (3, 4) sums each row of dZ; sum over the batch, axis 0"),
    (lambda X, W, dZ: (dZ @ W, dZ.T @ X),                             # db forgotten
     "return three gradients (dX, dW, db), got a tuple of 2"),
    (lambda X, W, dZ: (-dZ @ W, -dZ.T @ X, -dZ.sum(axis=0)),          # wrong sign
     "first difference at [0, 0]: expected -1.05, got 1.05 (the sign is flipped)"),
    (lambda X, W, dZ: (dZ @ W.T if W.shape[0] == W.shape[1] else dZ @ W, dZ.T @ X,
                       dZ.sum(axis=0)),                               # W transposed in dX
     "dX for X (5, 3), W (3, 3) (the shape of X) should be a (5, 3) array"),
])
def test_linear_backward_wrong(wrong, message):
    assert_wrong(line(checks.check_linear_backward, wrong), message)


# Exercise 2 -----------------------------------------------------------------

def cross_entropy_grad(Z, y, smoothing=0.0):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    T = (1 - smoothing) * np.eye(Z.shape[1])[y] + smoothing / Z.shape[1]
    return (P - T) / len(y)


def naive_grad(Z, y, smoothing=0.0):
    E = np.exp(Z)
    P = E / E.sum(axis=1, keepdims=True)
    T = (1 - smoothing) * np.eye(Z.shape[1])[y] + smoothing / Z.shape[1]
    return (P - T) / len(y)


def forgot_return(Z, y, smoothing=0.0):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    (E / E.sum(axis=1, keepdims=True) - np.eye(Z.shape[1])[y]) / len(y)


def smoothing_on_wrong_classes_only(Z, y, smoothing=0.0):
    k = Z.shape[1]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    T = np.full(Z.shape, smoothing / (k - 1)) if k > 1 else np.zeros(Z.shape)
    T[np.arange(len(y)), y] = 1 - smoothing
    return (E / E.sum(axis=1, keepdims=True) - T) / len(y)


def test_cross_entropy_grad_right():
    expected = "✔ dL/dZ = (softmax(Z) − T)/n, stable at ±1000, also for a batch of one"
    assert line(checks.check_cross_entropy_grad, cross_entropy_grad) == expected
    via_log_softmax = lambda Z, y, s=0.0: (np.exp(Z - Z.max(1, keepdims=True) - np.log(
        np.exp(Z - Z.max(1, keepdims=True)).sum(1, keepdims=True))) - (1 - s) * np.eye(
        Z.shape[1])[y] - s / Z.shape[1]) / len(y)
    assert line(checks.check_cross_entropy_grad, via_log_softmax) == expected
    as_lists = lambda Z, y, s=0.0: cross_entropy_grad(Z, y, s).tolist()
    assert line(checks.check_cross_entropy_grad, as_lists) == expected


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.5])
def test_reference_agrees_with_torch_label_smoothing(smoothing):
    rng = np.random.default_rng(0)
    Z, y = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    Z_t = torch.tensor(Z, requires_grad=True)
    torch.nn.functional.cross_entropy(Z_t, torch.tensor(y), label_smoothing=smoothing).backward()
    np.testing.assert_allclose(checks._ref_ce_grad(Z, y, smoothing), Z_t.grad.numpy(), rtol=1e-10)


def test_cross_entropy_grad_not_done():
    assert line(checks.check_cross_entropy_grad, stub).startswith(NOT_DONE)


ORDINARY = "cross_entropy_grad(Z, y, 0.0) for 8 rows of ordinary logits"


@pytest.mark.parametrize("wrong, message", [
    (forgot_return, f"{ORDINARY} {NONE_RETURNED}"),                   # not "subtract the maximum"
    (lambda Z, y, s=0.0: cross_entropy_grad(Z, y, s) * len(y),        # sum, not mean
     "(every entry is 8 × too large: a sum where a mean is meant?)"),
    (lambda Z, y, s=0.0: -cross_entropy_grad(Z, y, s),                # wrong sign
     "expected 0.009137, got -0.009137 (the sign is flipped)"),
    (lambda Z, y, s=0.0: cross_entropy_grad(Z, y, 0.0),               # smoothing ignored
     "cross_entropy_grad(Z, y, 0.1) for 8 rows of ordinary logits ignores the smoothing: "
     "the targets are T = (1 − ε)·one_hot(y) + ε/k"),
    (lambda Z, y, s=0.0: cross_entropy_grad(Z, y, s) + ((1 - s) * np.eye(Z.shape[1])[y]
                                                        + s / Z.shape[1]) / len(y),
     f"{ORDINARY} is softmax(Z)/n: subtract the targets, (P − T)/n"),   # targets not subtracted
    (smoothing_on_wrong_classes_only,                                 # another convention
     "spreads ε over the wrong classes only; here every class gets ε/k, the true one 1 − ε + ε/k"),
    (naive_grad,                                                      # overflows at 1000
     "cross_entropy_grad(Z, y, 0.0) for logits like ±1000 holds nan or inf: "
     "factor out each row's maximum before exp()"),
    (lambda Z, y, s=0.0: cross_entropy_grad(Z, y, s).T,               # transposed
     f"{ORDINARY} should have shape (8, 10), got (10, 8): transposed?"),
])
def test_cross_entropy_grad_wrong(wrong, message):
    assert_wrong(line(checks.check_cross_entropy_grad, wrong), message)


# Exercise 3 -----------------------------------------------------------------

def logsumexp(Z, axis):
    m = Z.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(Z - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def test_logsumexp_right():
    expected = "✔ log Σ e^z is right along both axes, at ±1000 too"
    assert line(checks.check_logsumexp, logsumexp) == expected
    by_transpose = lambda Z, axis: logsumexp(Z if axis == 1 else Z.T, 1)
    assert line(checks.check_logsumexp, by_transpose) == expected


def test_logsumexp_not_done():
    assert line(checks.check_logsumexp, stub).startswith(NOT_DONE)


STABLE = "holds nan or inf for entries like ±1000: factor out each row's maximum before exp()"


@pytest.mark.parametrize("wrong, message", [
    (lambda Z, axis: None, f"logsumexp(Z, axis=1) for a (5, 4) Z {NONE_RETURNED}"),
    (lambda Z, axis: np.log(np.exp(Z).sum(axis=axis)),               # overflows / underflows
     f"logsumexp(Z, axis=1) for a (4, 3) Z {STABLE}"),
    (lambda Z, axis: Z.max() + np.log(np.exp(Z - Z.max()).sum(axis=axis)),  # one max for all
     f"logsumexp(Z, axis=1) for a (4, 3) Z {STABLE}"),
    (lambda Z, axis: (lambda m: m + np.log(np.exp(Z - m).sum(axis=axis, keepdims=True)))(
        Z.max(axis=axis, keepdims=True)),                             # keeps the axis
     "should have shape (5,), got (5, 1): drop the kept axis (keepdims=False, or squeeze)"),
    (lambda Z, axis: Z.max(axis=axis),                                # the max alone
     "logsumexp(Z, axis=1) for a (5, 4) Z should be [2.289, 0.862, 3.405, 0.83 , 1.763], "
     "got [ 2.041, -0.216, 3.323, -0.281, 0.958]; first difference at [0]"),
    (lambda Z, axis: (lambda m: m + np.log(np.exp(Z - m).mean(axis=axis, keepdims=True)))(
        Z.max(axis=axis, keepdims=True)).squeeze(axis),               # mean, not sum
     "first difference at [0]: expected 2.289, got 0.9023"),
    (lambda Z, axis: logsumexp(Z, 1),                                 # ignores axis
     "logsumexp(Z, axis=0) for a (5, 4) Z should have shape (4,), got (5,)"),
])
def test_logsumexp_wrong(wrong, message):
    assert_wrong(line(checks.check_logsumexp, wrong), message)


# Exercise 4 -----------------------------------------------------------------

def confusion_matrix(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def test_confusion_right():
    expected = "✔ rows are true labels, columns predictions; absent classes kept"
    assert line(checks.check_confusion_matrix, confusion_matrix) == expected
    bincount = lambda t, p, k: np.bincount(t * k + p, minlength=k * k).reshape(k, k)
    assert line(checks.check_confusion_matrix, bincount) == expected
    loops = lambda t, p, k: [[sum(1 for a, b in zip(t, p) if (a, b) == (i, j)) for j in range(k)]
                             for i in range(k)]
    assert line(checks.check_confusion_matrix, loops) == expected


def test_confusion_not_done():
    assert line(checks.check_confusion_matrix, stub).startswith(NOT_DONE)


def confusion_fancy_index(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes))
    C[y_true, y_pred] += 1  # repeated pairs count once
    return C


@pytest.mark.parametrize("wrong, message", [
    (lambda t, p, k: None, f"confusion_matrix(y_true, y_pred, 3) {NONE_RETURNED}"),
    (lambda t, p, k: confusion_matrix(t, p, k).T,                      # rows and columns swapped
     "first difference at [0, 2]: expected 0, got 1 (it is the transpose)"),
    (confusion_fancy_index,
     "confusion_matrix(y_true, y_pred, 3) counts each (true, predicted) pair once, however often "
     "it occurs: `C[y_true, y_pred] += 1` does that; use np.add.at or np.bincount"),
    (lambda t, p, k: confusion_matrix(t, p, k)[: max(t.max(), p.max()) + 1,
                                               : max(t.max(), p.max()) + 1],  # absent classes dropped
     "confusion_matrix(y_true, y_pred, 5) (classes 3 and 4 never occur but get a row and a "
     "column) should have shape (5, 5), got (3, 3)"),
    (lambda t, p, k: confusion_matrix(t, p, k) / len(t),               # normalised
     "confusion_matrix(y_true, y_pred, 3) gives fractions; the matrix holds counts"),
])
def test_confusion_wrong(wrong, message):
    assert_wrong(line(checks.check_confusion_matrix, wrong), message)


# Exercise 5 -----------------------------------------------------------------

def numerical_grad(f, W, eps=1e-6):
    grad = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        old = W[index]
        W[index] = old + eps
        up = f(W)
        W[index] = old - eps
        down = f(W)
        W[index] = old
        grad[index] = (up - down) / (2 * eps)
    return grad


def restored_by_arithmetic(f, W, eps=1e-6):
    """Right, though W[index] comes back as 1.4999999999999998 instead of 1.5."""
    grad = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        W[index] += eps
        up = f(W)
        W[index] -= 2 * eps
        down = f(W)
        W[index] += eps
        grad[index] = (up - down) / (2 * eps)
    return grad


def forward_difference(f, W, eps=1e-6):
    grad, base = np.zeros_like(W), f(W)
    for index in np.ndindex(W.shape):
        old = W[index]
        W[index] = old + eps
        grad[index] = (f(W) - base) / eps
        W[index] = old
    return grad


def not_restored(f, W, eps=1e-6):
    grad = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        W[index] += eps
        up = f(W)
        W[index] -= 2 * eps
        grad[index] = (up - f(W)) / (2 * eps)
    return grad


def forgot_to_return(f, W, eps=1e-6):
    numerical_grad(f, W, eps)


def test_numerical_grad_right():
    expected = "✔ central differences agree to about eps², and W is left untouched"
    assert line(checks.check_numerical_grad, numerical_grad) == expected
    assert line(checks.check_numerical_grad, restored_by_arithmetic) == expected


def test_restoring_by_arithmetic_is_not_exact():
    W = np.array([1.5])
    restored_by_arithmetic(lambda w: float(w.sum()), W, 0.1)
    assert W[0] != 1.5  # the case the check must accept


def test_numerical_grad_not_done():
    assert line(checks.check_numerical_grad, stub).startswith(NOT_DONE)


CALL = "numerical_grad(f, W, 0.001) for a (2, 2) W"


@pytest.mark.parametrize("wrong, message", [
    (forgot_to_return, f"{CALL} {NONE_RETURNED}"),
    (forward_difference,
     f"{CALL} is the one-sided difference (f(W + εe) − f(W))/ε, accurate only to order ε; "
     "use the central one"),
    (not_restored, f"{CALL} changed W: put each entry back after nudging it"),
    (lambda f, W, eps=1e-6: numerical_grad(f, W, eps) * 2,             # divided by eps, not 2·eps
     f"{CALL} is 2 × the gradient: divide by 2·eps"),
    (lambda f, W, eps=1e-6: numerical_grad(f, W, eps).ravel(),         # loses the shape
     f"{CALL} should have shape (2, 2), got (4,)"),
])
def test_numerical_grad_wrong(wrong, message):
    assert_wrong(line(checks.check_numerical_grad, wrong), message)


# Exercise 6 -----------------------------------------------------------------

(X_TRAIN, Y_TRAIN), (X_TEST, Y_TEST) = load_digits()


def trained(num_hiddens, num_epochs=20, lr=0.5):
    model = MLP([64, num_hiddens, 10], seed=0)
    model.fit(X_TRAIN, Y_TRAIN, num_epochs=num_epochs, lr=lr, batch_size=32)
    return model


def width_accuracy(num_hiddens):
    return trained(num_hiddens).score(X_TEST, Y_TEST)


def test_width_right():
    expected = "✔ the accuracies are right, and B: a few dozen units come close"
    assert line(checks.check_width_experiment, width_accuracy, "B") == expected
    assert line(checks.check_width_experiment, width_accuracy, " b ") == expected


def test_width_not_done():
    assert line(checks.check_width_experiment, stub, "B").startswith(NOT_DONE)
    assert line(checks.check_width_experiment, width_accuracy, ...) == NOT_DONE


@pytest.mark.parametrize("wrong, answer, message", [
    (lambda h: None, "B", "width_accuracy(2) " + NONE_RETURNED),
    (lambda h: trained(h).score(X_TRAIN, Y_TRAIN), "B",                 # training accuracy
     "width_accuracy(2) gives the training accuracy; measure on the test set"),
    (lambda h: 100 * width_accuracy(h), "B",                            # a percentage
     "width_accuracy(2) is a percentage, 52.67; return the fraction, between 0 and 1"),
    (lambda h: width_accuracy(128), "B",                                # ignores the width
     "width_accuracy(2) with the settings of the task (seed 0, 20 epochs, lr 0.5) should be "
     "0.5267, got 0.9733"),
    (lambda h: trained(h, num_epochs=5).score(X_TEST, Y_TEST), "B",     # other settings
     "width_accuracy(2) with the settings of the task (seed 0, 20 epochs, lr 0.5) should be "
     "0.5267, got"),
    (width_accuracy, "A", "A ('it keeps rising steadily with every doubling of the width') is "
     "not it: look at the right of your plot"),
    (width_accuracy, "C", "C ('it peaks at about 8 units, then falls as the wider networks "
     "overfit') is not it: 8 units reach only about 92 %"),
    (width_accuracy, "D", "is not it: one hidden unit reaches only about 20 %"),
])
def test_width_wrong(wrong, answer, message):
    assert_wrong(line(checks.check_width_experiment, wrong, answer), message)


def test_width_feedback_matches_the_experiment():
    """The per-option feedback quotes accuracies; they must be what the experiment gives."""
    accuracies = {h: width_accuracy(h) for h in (1, 8, 64, 128)}
    assert abs(accuracies[1] - 0.20) < 0.03 and abs(accuracies[8] - 0.92) < 0.01
    assert accuracies[128] <= accuracies[64]


# Exercise 7 -----------------------------------------------------------------

def test_stable_answer():
    expected = "✔ A: softmax(z − c) = softmax(z) for every c, and c = max z is safe"
    assert line(checks.check_stable_softmax_answer, "A") == expected
    assert line(checks.check_stable_softmax_answer, "a ") == expected
    assert line(checks.check_stable_softmax_answer, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ("B", "B ('divide each row by its maximum logit before exp()') is not it: dividing scales "
          "the logits, so (1000, 0, −5) becomes (1, 0, −0.005)"),
    ("C", "C ('clip the logits to [-50, 50] before exp()') is not it: clipping changes every row "
          "it touches"),
    ("D", "D ('compute in float64 instead of float32') is not it: float64 only moves the overflow "
          "from logits of about 89 to about 710"),
    ("E", "answer with one of the letters A, B, C, D (a str), got 'E'"),
    (1, "answer with one of the letters A, B, C, D (a str), got 1"),
])
def test_stable_wrong(answer, message):
    assert_wrong(line(checks.check_stable_softmax_answer, answer), message)


def test_stable_feedback_is_true():
    """What the feedback says of options B, C and D holds."""
    z = np.array([[1000.0, 0.0, -5.0]])
    from nnbook.scratch import softmax   # the reference the check uses
    assert np.allclose(z / z.max(), [[1, 0, -0.005]])
    assert np.allclose(softmax(np.clip(z, -50, 50)), softmax(np.array([[50.0, 0.0, -5.0]])))
    with np.errstate(over="ignore"):
        assert np.isinf(np.exp(np.float32(89.0))) and np.isfinite(np.exp(np.float32(88.0)))
        assert np.isinf(np.exp(710.0)) and np.isfinite(np.exp(709.0)) and np.isinf(np.exp(1000.0))
