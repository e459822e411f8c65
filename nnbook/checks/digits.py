"""Checks for the exercises of Chapter 5, *Backprop in matrix form: recognising handwritten digits*."""

import numpy as np

from nnbook.checks import returned as _returned
from nnbook.checks import CheckFailed, check, choice, close, expect
from nnbook.scratch import softmax

# Logits that overflow a naive exp() (±1000), rows with a tie, and an ordinary row.
HARD_LOGITS = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1000.0],
                        [0.0, 0.0, 50.0], [0.5, -1.0, 2.0]])
STABLE_HINT = "factor out each row's maximum before exp(): e^(z − max z) never overflows"


def _ref_logsumexp(Z):
    m = Z.max(axis=1)
    return m + np.log(np.exp(Z - m[:, None]).sum(axis=1))


def _ref_ce_grad(Z, y, smoothing=0.0):
    targets = (1 - smoothing) * np.eye(Z.shape[1])[y] + smoothing / Z.shape[1]
    return (softmax(Z) - targets) / len(y)



def _as_array(value):
    """The answer as a float array, or None when it is not numbers (close() then says so)."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _same(actual, expected, rtol=1e-6, atol=1e-9):
    actual = _as_array(actual)
    return actual is not None and actual.shape == np.shape(expected) and \
        np.allclose(actual, expected, rtol=rtol, atol=atol)


# Exercise 1 -----------------------------------------------------------------

def _linear_cases():
    rng = np.random.default_rng(5)
    # (n, d_in, d_out): a batch, a square layer (catches transposes), a batch of one, one output
    for n, d_in, d_out in ((6, 4, 3), (5, 3, 3), (1, 4, 2), (7, 2, 1)):
        yield (rng.standard_normal((n, d_in)), rng.standard_normal((d_out, d_in)),
               rng.standard_normal((n, d_out)))


def _three_gradients(result, X, W, dZ):
    """(dX, dW, db) from the learner's result, or a message naming what to return."""
    _returned(result, "linear_backward(X, W, dZ)")
    right = (dZ @ W, dZ.T @ X, dZ.sum(axis=0))
    if isinstance(result, (list, np.ndarray)) and len(result) == 3:
        verdict = "your three gradients are right, but " if all(
            _same(got, want) for got, want in zip(result, right)) else ""
        raise CheckFailed(f"{verdict}return them as a tuple (dX, dW, db), "
                          f"not a {type(result).__name__}: `return dX, dW, db`")
    expect(isinstance(result, tuple),
           f"return a tuple (dX, dW, db), got a {type(result).__name__}")
    expect(len(result) == 3, f"return three gradients (dX, dW, db), got a tuple of {len(result)}")
    return result


@check
def check_linear_backward(linear_backward):
    """Exercise 1: (dX, dW, db) of Z = X @ W.T + b (PyTorch's layout, W: (d_out, d_in)) from dL/dZ."""
    for X, W, dZ in _linear_cases():
        dX, dW, db = _three_gradients(linear_backward(X, W, dZ), X, W, dZ)
        shape = f"X {X.shape}, W {W.shape}"
        expect(not (_same(dX, dZ.T @ X) and _same(dW, dZ @ W)),
               f"dX and dW are swapped for {shape}: return (dX, dW, db) in that order")
        expect(not (_same(dW, X.T @ dZ) and X.shape[1] != dZ.shape[1]),
               f"dW for {shape} is X.T @ dZ, the chapter's layout (d_in, d_out); "
               "here W is (d_out, d_in), so dW = dZ.T @ X")
        close(dW, dZ.T @ X, f"dW for {shape} (the shape of W)")
        expect(not _same(db, dZ.sum(axis=1)) or dZ.shape[0] == dZ.shape[1],
               f"db for {shape} sums each row of dZ; sum over the batch, axis 0")
        close(db, dZ.sum(axis=0), f"db for {shape} (one number per output)")
        close(dX, dZ @ W, f"dX for {shape} (the shape of X)")
    return "dX = dZ W, dW = dZᵀ X, db = Σ rows of dZ; every shape right"


# Exercise 2 -----------------------------------------------------------------

def _ce_cases():
    rng = np.random.default_rng(2)
    return [("8 rows of ordinary logits", rng.standard_normal((8, 10)), rng.integers(0, 10, 8)),
            ("logits all 0", np.zeros((3, 4)), np.array([0, 1, 3])),
            ("a batch of one", rng.standard_normal((1, 3)), np.array([2])),
            ("logits like ±1000", HARD_LOGITS, np.array([0, 1, 2, 0]))]


def _other_smoothing(Z, y, smoothing):
    """Label smoothing that spreads ε over the k − 1 wrong classes only (another convention)."""
    k = Z.shape[1]
    targets = np.full(Z.shape, smoothing / (k - 1))
    targets[np.arange(len(y)), y] = 1 - smoothing
    return (softmax(Z) - targets) / len(y)


@check
def check_cross_entropy_grad(cross_entropy_grad):
    """Exercise 2: dL/dZ of the mean softmax cross-entropy with label smoothing, stable for large logits."""
    for smoothing in (0.0, 0.1, 0.5):
        for name, Z, y in _ce_cases():
            call = f"cross_entropy_grad(Z, y, {smoothing}) for {name}"
            got = _returned(cross_entropy_grad(Z, y, smoothing), call)
            array = _as_array(got)
            if array is not None and array.shape == Z.shape and not np.all(np.isfinite(array)):
                hint = STABLE_HINT if np.abs(Z).max() > 100 else "look for a division by zero"
                raise CheckFailed(f"{call} holds nan or inf: {hint}")
            expect(not _same(got, softmax(Z) / len(y)),
                   f"{call} is softmax(Z)/n: subtract the targets, (P − T)/n")
            if smoothing:
                expect(not _same(got, _ref_ce_grad(Z, y, 0.0)),
                       f"{call} ignores the smoothing: the targets are "
                       "T = (1 − ε)·one_hot(y) + ε/k")
                expect(Z.shape[1] < 3 or not _same(got, _other_smoothing(Z, y, smoothing)),
                       f"{call} spreads ε over the wrong classes only; here every class "
                       "gets ε/k, the true one 1 − ε + ε/k")
            close(got, _ref_ce_grad(Z, y, smoothing), f"{call}", rtol=1e-6, atol=1e-9)
    return "dL/dZ = (softmax(Z) − T)/n, stable at ±1000, also for a batch of one"


# Exercise 3 -----------------------------------------------------------------

@check
def check_logsumexp(logsumexp):
    """Exercise 3: log-sum-exp along either axis of a 2-D array, without overflow or underflow."""
    for Z in (np.random.default_rng(3).standard_normal((5, 4)), HARD_LOGITS,
              np.array([[-1000.0, -1001.0]]), np.array([[3.0]])):
        for axis in (1, 0):
            call = f"logsumexp(Z, axis={axis}) for a {Z.shape} Z"
            got = _returned(logsumexp(Z, axis), call)
            expected = _ref_logsumexp(Z if axis == 1 else Z.T)
            array = _as_array(got)
            if array is not None and array.size == expected.size and array.shape != expected.shape:
                raise CheckFailed(f"{call} should have shape {expected.shape}, got {array.shape}: "
                                  "drop the kept axis (keepdims=False, or squeeze)")
            if array is not None and array.shape == expected.shape and not np.all(np.isfinite(array)):
                raise CheckFailed(f"{call} holds nan or inf for entries like ±1000: {STABLE_HINT}")
            close(got, expected, call, rtol=1e-9, atol=1e-9)
    return "log Σ e^z is right along both axes, at ±1000 too"


# Exercise 4 -----------------------------------------------------------------

@check
def check_confusion_matrix(confusion_matrix):
    """Exercise 4: counts C[true, predicted] for labels 0..num_classes-1."""
    y_true = np.array([0, 1, 2, 2, 1, 0, 2, 2])
    y_pred = np.array([0, 2, 2, 1, 1, 0, 2, 0])
    expected = np.array([[2, 0, 0], [0, 1, 1], [1, 1, 2]])
    call = "confusion_matrix(y_true, y_pred, 3)"
    got = _returned(confusion_matrix(y_true, y_pred, 3), call)
    counted_once = np.zeros((3, 3))
    counted_once[y_true, y_pred] = 1
    expect(not _same(got, counted_once),
           f"{call} counts each (true, predicted) pair once, however often it occurs: "
           "`C[y_true, y_pred] += 1` does that; use np.add.at or np.bincount")
    expect(not _same(got, expected / len(y_true)),
           f"{call} gives fractions; the matrix holds counts")
    close(got, expected, f"{call} (rows: true label, columns: predicted)")
    wide = np.zeros((5, 5))
    wide[:3, :3] = expected
    call = "confusion_matrix(y_true, y_pred, 5)"
    close(_returned(confusion_matrix(y_true, y_pred, 5), call), wide,
          f"{call} (classes 3 and 4 never occur but get a row and a column)")
    call = "confusion_matrix([4], [1], 5)"
    close(_returned(confusion_matrix(np.array([4]), np.array([1]), 5), call),
          np.eye(5)[4:5].T @ np.eye(5)[1:2], f"{call} (one sample, true 4, predicted 1)")
    return "rows are true labels, columns predictions; absent classes kept"


# Exercise 5 -----------------------------------------------------------------

def _quadratic_and_cubic():
    """Functions with known gradients to test a finite-difference estimate against."""
    A = np.array([[2.0, -1.0], [0.5, 3.0]])
    return [(lambda W: float(np.sum(W ** 3)), lambda W: 3 * W ** 2, np.array([[1.0, -2.0], [0.5, 3.0]])),
            (lambda W: float(np.sum((A * W) ** 2) + W[0, 1]),
             lambda W: 2 * A ** 2 * W + np.eye(2)[[0]].T @ np.eye(2)[[1]],
             np.array([[0.3, 0.0], [-1.0, 2.0]])),
            (lambda w: float(np.exp(w).sum()), np.exp, np.array([0.0, -3.0, 2.0]))]


def _one_sided(f, W, eps):
    grad, base = np.zeros_like(W), f(W)
    for index in np.ndindex(W.shape):
        nudged = W.copy()
        nudged[index] += eps
        grad[index] = (f(nudged) - base) / eps
    return grad


@check
def check_numerical_grad(numerical_grad):
    """Exercise 5: central finite differences, leaving the parameters as they were."""
    eps = 1e-3
    for f, grad, W in _quadratic_and_cubic():
        before = W.copy()
        call = f"numerical_grad(f, W, {eps}) for a {W.shape} W"
        got = _returned(numerical_grad(f, W, eps), call)
        # nudging by +eps, -2·eps, +eps leaves rounding errors of about 1e-16: not a change
        expect(np.allclose(W, before, rtol=0, atol=1e-9),
               f"{call} changed W: put each entry back after nudging it")
        expect(not _same(got, 2 * grad(W), rtol=1e-4, atol=1e-4),
               f"{call} is 2 × the gradient: divide by 2·eps, the distance between "
               "W − eps·e and W + eps·e")
        expect(not _same(got, _one_sided(f, W, eps), rtol=1e-9, atol=1e-12),
               f"{call} is the one-sided difference (f(W + εe) − f(W))/ε, accurate only "
               "to order ε; use the central one")
        close(got, grad(W), call, rtol=1e-5, atol=1e-5)
    return "central differences agree to about eps², and W is left untouched"


# Exercise 6 -----------------------------------------------------------------

WIDTH_OPTIONS = {
    "A": "it keeps rising steadily with every doubling of the width",
    "B": "it rises steeply up to a few dozen units, then levels off near 97–98 %",
    "C": "it peaks at about 8 units, then falls as the wider networks overfit",
    "D": "it hardly changes: even one hidden unit reaches over 90 %",
}
WIDTH_FEEDBACK = {
    "A": "look at the right of your plot: from a few dozen units on, a doubling of the "
         "width adds less than a point, and 128 units do no better than 64",
    "C": "8 units reach only about 92 %, and every wider network in your list does better: "
         "nothing here falls with width",
    "D": "one hidden unit reaches only about 20 %: one number per image cannot sort "
         "ten digits",
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
        expected = model.score(X_test, y_test)
        call = f"width_accuracy({num_hiddens})"
        got = _returned(width_accuracy(num_hiddens), call)
        expect(isinstance(got, (float, np.floating)),
               f"{call} should be a float (a fraction), got {type(got).__name__} {got!r}")
        expect(not 1 < got <= 100 or abs(got / 100 - expected) > 1e-9,
               f"{call} is a percentage, {got:.4g}; return the fraction, between 0 and 1")
        expect(0 <= got <= 1, f"{call} should be a fraction between 0 and 1, got {got:.4g}")
        expect(abs(got - model.score(X_train, y_train)) > 1e-9 or abs(got - expected) < 1e-9,
               f"{call} gives the training accuracy; measure on the test set")
        close(got, expected, f"{call} with the settings of the task (seed 0, 20 epochs, lr 0.5)",
              rtol=0, atol=1e-9)
    choice(answer, "B", WIDTH_OPTIONS, WIDTH_FEEDBACK)
    return "the accuracies are right, and B: a few dozen units come close"


# Exercise 7 -----------------------------------------------------------------

STABLE_OPTIONS = {
    "A": "subtract each row's maximum logit before exp()",
    "B": "divide each row by its maximum logit before exp()",
    "C": "clip the logits to [-50, 50] before exp()",
    "D": "compute in float64 instead of float32",
}
STABLE_FEEDBACK = {
    "B": "dividing scales the logits, so (1000, 0, −5) becomes (1, 0, −0.005), a much "
         "softer distribution; and a maximum of 0 or below breaks it",
    "C": "clipping changes every row it touches: (1000, 0, −5) and (50, 0, −5) would get "
         "the same probabilities",
    "D": "float64 only moves the overflow from logits of about 89 to about 710; e^1000 "
         "still overflows",
}


@check
def check_stable_softmax_answer(answer):
    """Exercise 7: the change that makes softmax safe without changing its result."""
    choice(answer, "A", STABLE_OPTIONS, STABLE_FEEDBACK)
    return "A: softmax(z − c) = softmax(z) for every c, and c = max z is safe"
