"""Checks for the exercises of Chapter 5, *Backprop in matrix form: recognising handwritten digits*."""

import numpy as np

from nnbook.checks import check, choice, close, expect, fmt

# Logits that overflow a naive exp() (±1000), rows with a tie, and an ordinary row.
HARD_LOGITS = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1000.0],
                        [0.0, 0.0, 50.0], [0.5, -1.0, 2.0]])


def _ref_softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _ref_logsumexp(Z):
    m = Z.max(axis=1)
    return m + np.log(np.exp(Z - m[:, None]).sum(axis=1))


def _ref_ce_grad(Z, y, smoothing=0.0):
    targets = (1 - smoothing) * np.eye(Z.shape[1])[y] + smoothing / Z.shape[1]
    return (_ref_softmax(Z) - targets) / len(y)


def _linear_cases():
    rng = np.random.default_rng(5)
    # (n, d_in, d_out): a batch, a square layer (catches transposes), a batch of one, one output
    for n, d_in, d_out in ((6, 4, 3), (5, 3, 3), (1, 4, 2), (7, 2, 1)):
        yield (rng.standard_normal((n, d_in)), rng.standard_normal((d_out, d_in)),
               rng.standard_normal((n, d_out)))


@check
def check_linear_backward(linear_backward):
    """Exercise 1: (dX, dW, db) of Z = X @ W.T + b (PyTorch's layout, W: (d_out, d_in)) from dL/dZ."""
    for X, W, dZ in _linear_cases():
        result = linear_backward(X, W, dZ)
        expect(isinstance(result, tuple) and len(result) == 3, "return the three gradients as a tuple (dX, dW, db)")
        dX, dW, db = result
        shape = f"X {X.shape}, W {W.shape}"
        close(dW, dZ.T @ X, f"dW for {shape} (it has the shape of W)")
        close(db, dZ.sum(axis=0), f"db for {shape} (one number per output unit, summed over the batch)")
        close(dX, dZ @ W, f"dX for {shape}")
    X, W, dZ = next(_linear_cases())
    close(linear_backward(X, W, np.zeros_like(dZ))[1], np.zeros_like(W), "dW when dL/dZ is zero")
    return "dX = dZ W, dW = dZᵀ X and db = Σ rows of dZ, with every shape right"


@check
def check_cross_entropy_grad(cross_entropy_grad):
    """Exercise 2: dL/dZ of the mean softmax cross-entropy with label smoothing, stable for large logits."""
    rng = np.random.default_rng(2)
    cases = [(rng.standard_normal((8, 10)), rng.integers(0, 10, 8)),
             (np.zeros((3, 4)), np.array([0, 1, 3])),
             (rng.standard_normal((1, 3)), np.array([2])),
             (HARD_LOGITS, np.array([0, 1, 2, 0]))]
    for smoothing in (0.0, 0.1, 0.5):
        for Z, y in cases:
            got = np.asarray(cross_entropy_grad(Z, y, smoothing), dtype=float)
            expect(np.all(np.isfinite(got)), f"for logits like {fmt(Z[0])} your gradient holds nan or inf: "
                                             "subtract each row's maximum before exp()")
            close(got, _ref_ce_grad(Z, y, smoothing),
                  f"dL/dZ with smoothing={smoothing} for a batch of {len(y)} (logits {fmt(Z[0])}, …)",
                  rtol=1e-6, atol=1e-9)
    return "dL/dZ = (softmax(Z) − T) / n with T = (1 − ε)·one_hot(y) + ε/k, stable at ±1000 and for a batch of one"


@check
def check_logsumexp(logsumexp):
    """Exercise 3: log-sum-exp along either axis of a 2-D array, without overflow or underflow."""
    for Z in (HARD_LOGITS, np.array([[-1000.0, -1001.0]]), np.array([[3.0]]),
              np.random.default_rng(3).standard_normal((5, 4))):
        for axis in (1, 0):
            got = np.asarray(logsumexp(Z, axis), dtype=float)
            size = Z.shape[1 - axis]
            expect(got.shape == (size,), f"logsumexp of a {Z.shape} array along axis {axis} should give "
                                         f"shape ({size},), got shape {got.shape}")
            expect(np.all(np.isfinite(got)), f"logsumexp({fmt(Z)}, axis={axis}) should be finite, got {fmt(got)}: "
                                             "factor out the maximum m, log Σ e^z = m + log Σ e^(z − m)")
            expected = _ref_logsumexp(Z if axis == 1 else Z.T)
            close(got, expected, f"logsumexp({fmt(Z)}, axis={axis})", rtol=1e-9, atol=1e-9)
    return "log Σ e^z is right along both axes, at ±1000 too"


@check
def check_confusion_matrix(confusion_matrix):
    """Exercise 4: counts C[true, predicted] for labels 0..num_classes-1."""
    y_true = np.array([0, 1, 2, 2, 1, 0, 2, 2])
    y_pred = np.array([0, 2, 2, 1, 1, 0, 2, 0])
    expected = np.array([[2, 0, 0], [0, 1, 1], [1, 1, 2]])
    close(confusion_matrix(y_true, y_pred, 3), expected,
          "confusion_matrix(y_true, y_pred, 3) (rows: true label, columns: predicted)")
    wide = np.zeros((5, 5))
    wide[:3, :3] = expected
    close(confusion_matrix(y_true, y_pred, 5), wide, "with num_classes=5 (classes 3 and 4 never appear)")
    close(confusion_matrix(np.array([4]), np.array([1]), 5), np.eye(5)[4:5].T @ np.eye(5)[1:2],
          "for a single sample, true 4 and predicted 1")
    return "rows are true labels, columns predictions, and absent classes still get their row and column"


def _quadratic_and_cubic():
    """Functions with known gradients to test a finite-difference estimate against."""
    A = np.array([[2.0, -1.0], [0.5, 3.0]])
    return [(lambda W: float(np.sum(W ** 3)), lambda W: 3 * W ** 2, np.array([[1.0, -2.0], [0.5, 3.0]])),
            (lambda W: float(np.sum((A * W) ** 2) + W[0, 1]), lambda W: 2 * A ** 2 * W + np.eye(2)[[0]].T @ np.eye(2)[[1]],
             np.array([[0.3, 0.0], [-1.0, 2.0]])),
            (lambda w: float(np.exp(w).sum()), np.exp, np.array([0.0, -3.0, 2.0]))]


@check
def check_numerical_grad(numerical_grad):
    """Exercise 5: central finite differences, leaving the parameters as they were."""
    for f, grad, W in _quadratic_and_cubic():
        before = W.copy()
        got = numerical_grad(f, W, 1e-3)
        expect(np.array_equal(W, before), "numerical_grad changed W: put each entry back after nudging it")
        close(got, grad(W), f"the gradient at W = {fmt(W)} (with eps = 1e-3)", rtol=1e-5, atol=1e-5)
    return "central differences agree with the exact gradients to about eps², and W is left untouched"


WIDTH_OPTIONS = {
    "A": "it keeps rising steadily with every doubling of the width",
    "B": "it rises steeply up to a few dozen units, then levels off near 97–98 %",
    "C": "it peaks at about 8 units, then falls as the wider networks overfit",
    "D": "it hardly changes: even one hidden unit reaches over 90 %",
}


@check
def check_width_experiment(width_accuracy, answer):
    """Exercise 6: test accuracy of MLP([64, h, 10]) on the digits as h varies, and its shape."""
    from nnbook.datasets import load_digits
    from nnbook.scratch import MLP

    (X_train, y_train), (X_test, y_test) = load_digits()
    for num_hiddens in (2, 16):
        model = MLP([64, num_hiddens, 10], seed=0)
        model.fit(X_train, y_train, num_epochs=20, lr=0.5, batch_size=32)
        expected, got = model.score(X_test, y_test), width_accuracy(num_hiddens)
        expect(isinstance(got, (float, np.floating)) and 0 <= got <= 1,
               f"width_accuracy({num_hiddens}) should be a fraction between 0 and 1, got {got!r}")
        expect(abs(got - model.score(X_train, y_train)) > 1e-9 or abs(got - expected) < 1e-9,
               f"width_accuracy({num_hiddens}) gives the training accuracy; measure on the test set")
        close(got, expected, f"width_accuracy({num_hiddens}) with the settings of the task", rtol=0, atol=1e-9)
    choice(answer, "B", WIDTH_OPTIONS)
    return "the accuracies are right, and B: a few dozen hidden units already get close to the best"


STABLE_OPTIONS = {
    "A": "subtract each row's maximum logit before exp()",
    "B": "divide each row by its maximum logit before exp()",
    "C": "clip the logits to [-50, 50] before exp()",
    "D": "compute in float64 instead of float32",
}


@check
def check_stable_softmax_answer(answer):
    """Exercise 7: the change that makes softmax safe without changing its result."""
    choice(answer, "A", STABLE_OPTIONS)
    return ("A: softmax(z − c) = softmax(z) for any c, and with c = max z every exponent is ≤ 0; "
            "B and C change the probabilities, D only moves the overflow from about 89 to about 710")
