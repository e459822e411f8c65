"""Every Chapter 5 check accepts the right answer, says "not done yet" for the placeholder,
and rejects plausible wrong answers."""

import numpy as np
import pytest
import torch

from nnbook.checks import digits as checks
from nnbook.checks import outcome
from nnbook.datasets import load_digits
from nnbook.scratch import MLP


def line(check, *args):
    return outcome(check.body, *args)


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 1: complete f()")


# Exercise 1 -----------------------------------------------------------------

def linear_backward(X, W, dZ):
    return dZ @ W, dZ.T @ X, dZ.sum(axis=0)


def test_linear_backward_right():
    assert line(checks.check_linear_backward, linear_backward).startswith("✔")


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
    assert line(checks.check_linear_backward, stub).startswith("✘ not done yet")


@pytest.mark.parametrize("wrong", [
    lambda X, W, dZ: (dZ @ W, X.T @ dZ, dZ.sum(axis=0)),             # the (d_in, d_out) layout's dW
    lambda X, W, dZ: (dZ @ W.T if W.shape[0] == W.shape[1] else dZ @ W, dZ.T @ X, dZ.sum(axis=0)),  # W transposed
    lambda X, W, dZ: (dZ @ W, dZ.T @ X, dZ.mean(axis=0)),            # mean instead of sum
    lambda X, W, dZ: (dZ @ W, dZ.T @ X, dZ.sum(axis=1)),             # wrong axis
    lambda X, W, dZ: (dZ @ W, dZ.T @ X),                             # db forgotten
    lambda X, W, dZ: (-dZ @ W, -dZ.T @ X, -dZ.sum(axis=0)),          # wrong sign
])
def test_linear_backward_wrong(wrong):
    assert line(checks.check_linear_backward, wrong).startswith("✘ ")


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


def smoothing_on_wrong_classes_only(Z, y, smoothing=0.0):
    k = Z.shape[1]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    T = np.full(Z.shape, smoothing / (k - 1)) if k > 1 else np.zeros(Z.shape)
    T[np.arange(len(y)), y] = 1 - smoothing
    return (E / E.sum(axis=1, keepdims=True) - T) / len(y)


def test_cross_entropy_grad_right():
    assert line(checks.check_cross_entropy_grad, cross_entropy_grad).startswith("✔")


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.5])
def test_reference_agrees_with_torch_label_smoothing(smoothing):
    rng = np.random.default_rng(0)
    Z, y = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    Z_t = torch.tensor(Z, requires_grad=True)
    torch.nn.functional.cross_entropy(Z_t, torch.tensor(y), label_smoothing=smoothing).backward()
    np.testing.assert_allclose(checks._ref_ce_grad(Z, y, smoothing), Z_t.grad.numpy(), rtol=1e-10)


def test_cross_entropy_grad_not_done():
    assert line(checks.check_cross_entropy_grad, stub).startswith("✘ not done yet")


@pytest.mark.parametrize("wrong", [
    lambda Z, y, s=0.0: cross_entropy_grad(Z, y, s) * len(y),                   # sum, not mean
    lambda Z, y, s=0.0: -cross_entropy_grad(Z, y, s),                           # wrong sign
    lambda Z, y, s=0.0: cross_entropy_grad(Z, y, 0.0),                          # smoothing ignored
    lambda Z, y, s=0.0: cross_entropy_grad(Z, y, s) + np.eye(Z.shape[1])[y] * (1 - s) / len(y),  # targets not subtracted
    smoothing_on_wrong_classes_only,                                            # another convention
    naive_grad,                                                                 # overflows at 1000
])
def test_cross_entropy_grad_wrong(wrong):
    assert line(checks.check_cross_entropy_grad, wrong).startswith("✘ ")


def test_unstable_grad_gets_a_hint():
    assert "subtract each row's maximum" in line(checks.check_cross_entropy_grad, naive_grad)


# Exercise 3 -----------------------------------------------------------------

def logsumexp(Z, axis):
    m = Z.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(Z - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def test_logsumexp_right():
    assert line(checks.check_logsumexp, logsumexp).startswith("✔")


def test_logsumexp_not_done():
    assert line(checks.check_logsumexp, stub).startswith("✘ not done yet")


@pytest.mark.parametrize("wrong", [
    lambda Z, axis: np.log(np.exp(Z).sum(axis=axis)),                               # overflows / underflows
    lambda Z, axis: Z.max() + np.log(np.exp(Z - Z.max()).sum(axis=axis)),          # global max, not per row
    lambda Z, axis: logsumexp(Z, 1 - axis) if Z.shape[0] == Z.shape[1] else logsumexp(Z.T, axis),  # wrong axis
    lambda Z, axis: Z.max(axis=axis),                                                # the max alone
    lambda Z, axis: (lambda m: m + np.log(np.exp(Z - m).mean(axis=axis, keepdims=True)))(
        Z.max(axis=axis, keepdims=True)).squeeze(axis),                              # mean, not sum
    lambda Z, axis: logsumexp(Z, 1),                                                 # ignores axis
])
def test_logsumexp_wrong(wrong):
    assert line(checks.check_logsumexp, wrong).startswith("✘ ")


# Exercise 4 -----------------------------------------------------------------

def confusion_matrix(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def test_confusion_right():
    assert line(checks.check_confusion_matrix, confusion_matrix).startswith("✔")
    bincount = lambda t, p, k: np.bincount(t * k + p, minlength=k * k).reshape(k, k)
    assert line(checks.check_confusion_matrix, bincount).startswith("✔")


def test_confusion_not_done():
    assert line(checks.check_confusion_matrix, stub).startswith("✘ not done yet")


def confusion_fancy_index(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes))
    C[y_true, y_pred] += 1  # repeated pairs count once
    return C


@pytest.mark.parametrize("wrong", [
    lambda t, p, k: confusion_matrix(t, p, k).T,                      # rows and columns swapped
    confusion_fancy_index,
    lambda t, p, k: confusion_matrix(t, p, k)[: max(t.max(), p.max()) + 1, : max(t.max(), p.max()) + 1],  # absent classes dropped
    lambda t, p, k: confusion_matrix(t, p, k) / len(t),               # normalised
])
def test_confusion_wrong(wrong):
    assert line(checks.check_confusion_matrix, wrong).startswith("✘ ")


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


def test_numerical_grad_right():
    assert line(checks.check_numerical_grad, numerical_grad).startswith("✔")


def test_numerical_grad_not_done():
    assert line(checks.check_numerical_grad, stub).startswith("✘ not done yet")


@pytest.mark.parametrize("wrong", [
    forward_difference,
    not_restored,
    lambda f, W, eps=1e-6: numerical_grad(f, W, eps) * 2,             # divided by eps, not 2·eps
    lambda f, W, eps=1e-6: numerical_grad(f, W, eps).ravel(),         # loses the shape
])
def test_numerical_grad_wrong(wrong):
    assert line(checks.check_numerical_grad, wrong).startswith("✘ ")


def test_numerical_grad_that_changes_W_is_told_so():
    assert "changed W" in line(checks.check_numerical_grad, not_restored)


# Exercise 6 -----------------------------------------------------------------

(X_TRAIN, Y_TRAIN), (X_TEST, Y_TEST) = load_digits()


def trained(num_hiddens, num_epochs=20, lr=0.5):
    model = MLP([64, num_hiddens, 10], seed=0)
    model.fit(X_TRAIN, Y_TRAIN, num_epochs=num_epochs, lr=lr, batch_size=32)
    return model


def width_accuracy(num_hiddens):
    return trained(num_hiddens).score(X_TEST, Y_TEST)


def test_width_right():
    assert line(checks.check_width_experiment, width_accuracy, "B").startswith("✔")
    assert line(checks.check_width_experiment, width_accuracy, " b ").startswith("✔")


def test_width_not_done():
    assert line(checks.check_width_experiment, stub, "B").startswith("✘ not done yet")
    assert line(checks.check_width_experiment, width_accuracy, ...) == "✘ not done yet"


@pytest.mark.parametrize("wrong, answer", [
    (lambda h: trained(h).score(X_TRAIN, Y_TRAIN), "B"),               # training accuracy
    (lambda h: 100 * width_accuracy(h), "B"),                          # a percentage
    (lambda h: width_accuracy(128), "B"),                              # ignores the width
    (lambda h: trained(h, num_epochs=5).score(X_TEST, Y_TEST), "B"),   # other settings
    (width_accuracy, "C"),
    (width_accuracy, "D"),
])
def test_width_wrong(wrong, answer):
    assert line(checks.check_width_experiment, wrong, answer).startswith("✘ ")


def test_width_training_accuracy_gets_a_hint():
    assert "test set" in line(checks.check_width_experiment, lambda h: trained(h).score(X_TRAIN, Y_TRAIN), "B")


# Exercise 7 -----------------------------------------------------------------

def test_stable_answer():
    assert line(checks.check_stable_softmax_answer, "A").startswith("✔")
    assert line(checks.check_stable_softmax_answer, ...) == "✘ not done yet"
    for wrong in ("B", "C", "D", "E", 1):
        assert line(checks.check_stable_softmax_answer, wrong).startswith("✘ ")
