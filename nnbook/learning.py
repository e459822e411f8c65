"""Learning from data (taught in Chapter 2, *Learning from data*).

Losses and their gradients, the logistic neuron's hand-derived gradient, gradient
descent (batch, stochastic and mini-batch), the regime of a run (smooth, zig-zag,
unstable or diverging) and the perceptron learning rule.
Labels ``y`` are 0/1; a neuron has weights ``w: (d,)`` and a bias ``b: float``.

``run_failed`` is the book's one rule for a run that went wrong (its learning rate is
too large): a loss that is not finite, or a last quarter of the run whose losses average
no less than the loss it started from. ``learning_regime`` calls such a run "diverging"
(growing without bound) or "unstable" (bounded swings). A training loop that meets a
loss that is not finite stops there with "training diverged" (``nnbook.scratch``,
``nnbook.training``): that is the rule's first part, applied as it happens.

``compute_learning_rate`` is the learning-rate explorer's arithmetic, headless, so that
the checks use it without the widget.
"""

import numpy as np

from nnbook.activations import sigmoid, step
from nnbook.datasets import make_moons
from nnbook.validation import (as_array, as_choice, as_function, as_int, as_positive,
                               as_seed)


# --- argument validation, package only: each taught function spends one line on it ---

def validate_pair(y_hat, y):
    """Predictions and targets of the same shape, as finite float arrays."""
    y_hat, y = as_array(y_hat, "y_hat"), as_array(y, "y")
    if y_hat.shape != y.shape:
        raise ValueError(f"y_hat and y must have the same shape, got {y_hat.shape} "
                         f"and {y.shape}")
    return y_hat, y


def validate_data(X, y, w):
    """X (n, d) with n, d ≥ 1, y (n,) and w (d,), as finite float arrays."""
    X = as_array(X, "X", shape=("n", "d"))
    y = as_array(y, "y", shape=(len(X),))
    return X, y, as_array(w, "w", shape=(X.shape[1],))


def validate_descent(grad, lr, num_steps):
    """Check the arguments of ``gradient_descent``."""
    as_function(grad, "grad", "a function from a point (d,) to its gradient (d,)")
    as_positive(lr, "lr")
    as_int(num_steps, "num_steps", minimum=0)


def validate_perceptron(X, y, lr, max_epochs):
    """Check the arguments of ``train_perceptron``; return the data (X, y) as float arrays."""
    as_positive(lr, "lr")
    as_int(max_epochs, "max_epochs", minimum=1)
    return validate_data(X, y, np.zeros(np.shape(X)[1:]))[:2]


def validate_logistic(X, y, lr, num_steps, batch_size, seed):
    """Check the arguments of ``train_logistic``; return the data (X, y) as float arrays."""
    as_positive(lr, "lr")
    as_int(num_steps, "num_steps", minimum=0)
    if batch_size is not None:
        as_int(batch_size, "batch_size", minimum=1)
    as_seed(seed)
    return validate_data(X, y, np.zeros(np.shape(X)[1:]))[:2]


def validate_losses(loss):
    """The losses (m,) of a run, start included, m ≥ 2, as a float array; a run that
    diverged may hold infinite or NaN values."""
    loss = as_array(loss, "loss", ndim=1, finite=False)
    if len(loss) < 2:
        raise ValueError(f"loss must hold the loss at the start and after at least "
                         f"one step, shape (m,) with m ≥ 2, got {loss.shape}")
    return loss


def validate_run(path, loss):
    """A run of gradient descent: path (m, d) or (m,) points and loss (m,) their
    losses, m ≥ 2. Returns them as float arrays, path (m, d); a run that diverged
    may hold infinite or NaN values."""
    path = as_array(path, "path", finite=False)
    loss = as_array(loss, "loss", finite=False)
    if path.ndim == 1:
        path = path[:, None]
    if path.ndim != 2 or len(path) < 2:
        raise ValueError(f"path must hold the start and at least one step, "
                         f"shape (m, d) with m ≥ 2, got {path.shape}")
    if loss.shape != (len(path),):
        raise ValueError(f"loss must have shape ({len(path)},), one loss per "
                         f"point of the path, got {loss.shape}")
    return path, loss


# --- the learning code, written out in Chapter 2 ---

def mse_loss(y_hat, y):
    """Mean squared error, mean of (y_hat − y)²; y_hat, y: same shape."""
    y_hat, y = validate_pair(y_hat, y)
    return float(np.mean((y_hat - y) ** 2))


def mse_grad(y_hat, y):
    """Gradient of ``mse_loss`` with respect to y_hat: 2 (y_hat − y) / n."""
    y_hat, y = validate_pair(y_hat, y)
    return 2.0 * (y_hat - y) / y.size


def cross_entropy_loss(y_hat, y, eps=1e-12):
    """Binary cross-entropy: mean of −[y log y_hat + (1−y) log(1−y_hat)].

    y_hat: probabilities in [0, 1]; y: 0/1 targets of the same shape.
    y_hat is clipped to [eps, 1 − eps] so that a certain, wrong prediction
    costs a large finite amount instead of infinity.
    """
    y_hat, y = validate_pair(y_hat, y)
    p = np.clip(y_hat, eps, 1.0 - eps)
    return float(np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))))


def cross_entropy_grad(y_hat, y, eps=1e-12):
    """Gradient of ``cross_entropy_loss`` with respect to y_hat:
    (y_hat − y) / (y_hat (1 − y_hat) n), after the same clipping."""
    y_hat, y = validate_pair(y_hat, y)
    p = np.clip(y_hat, eps, 1.0 - eps)
    return (p - y) / (p * (1.0 - p) * y.size)


def predict_proba(X, w, b):
    """The logistic neuron's output σ(X w + b) for X (n, d): (n,)
    probabilities of class 1."""
    X, _, w = validate_data(X, np.zeros(np.shape(X)[:1]), w)
    return sigmoid(X @ w + b)


def logistic_loss(X, y, w, b):
    """Mean cross-entropy of the logistic neuron on X (n, d), y (n,),
    computed from z = X w + b as log(1 + eᶻ) − y z: it cannot overflow."""
    X, y, w = validate_data(X, y, w)
    z = X @ w + b
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def logistic_gradients(X, y, w, b):
    """Hand-derived gradient of ``logistic_loss``: (grad_w (d,), grad_b).

    With p = σ(X w + b), the chain rule gives ∂loss/∂z = (p − y) / n, so
    grad_w = Xᵀ (p − y) / n and grad_b = mean(p − y).
    """
    X, y, w = validate_data(X, y, w)
    error = sigmoid(X @ w + b) - y
    return X.T @ error / len(y), float(np.mean(error))


def gradient_descent(grad, start, lr, num_steps):
    """Follow −grad from ``start`` for ``num_steps`` steps of size ``lr``.

    grad: function from a point (d,) to its gradient (d,). Returns the path
    (num_steps + 1, d), start included; it stops early if the point
    overflows.
    """
    validate_descent(grad, lr, num_steps)
    path = [np.asarray(start, dtype=float)]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps):
            point = path[-1] - lr * np.asarray(grad(path[-1]), dtype=float)
            if not np.all(np.isfinite(point)):
                break
            path.append(point)
    return np.array(path)


def quarter_means(loss):
    """The mean of the losses (m,) over the last quarter of a run, and
    over the quarter before it (each at least one loss; m ≥ 2)."""
    k = max(1, len(loss) // 4)
    return float(np.mean(loss[-k:])), float(np.mean(loss[-2 * k:-k]))


def run_failed(loss):
    """Whether a run of gradient descent failed, from the loss (m,) at
    each point, start included (m ≥ 2): a loss is not finite, or the last
    quarter of the losses averages no less than the first loss. Its
    learning rate is too large; ``learning_regime`` names the run
    "diverging" or "unstable"."""
    loss = validate_losses(loss)
    return bool(not np.all(np.isfinite(loss))
                or quarter_means(loss)[0] >= loss[0])


def learning_regime(path, loss):
    """Name what a run of gradient descent did, from its path (m, d) and
    the loss (m,) at each point, start included (m ≥ 2):

    "diverging": the run failed (``run_failed``) and a loss is not finite,
    or the last quarter of the losses averages more than the first loss
    and more than twice the quarter before it (still growing fast);
    "unstable": the run failed, its loss swings without coming down;
    "zig-zag": some step turns back on the one before (an angle over
    90°); "smooth": none of these.
    """
    path, loss = validate_run(path, loss)
    if run_failed(loss):
        last, before = quarter_means(loss)
        growing = last > loss[0] and last > 2 * before
        overflowed = not np.all(np.isfinite(loss))
        return "diverging" if growing or overflowed else "unstable"
    steps = np.diff(path, axis=0)
    size = np.linalg.norm(steps, axis=1)
    turns = np.sum(steps[1:] * steps[:-1], axis=1) < 0
    # steps under a millionth of the largest are rounding, not turns
    big = np.minimum(size[1:], size[:-1]) > 1e-6 * size.max()
    return "zig-zag" if np.any(turns & big) else "smooth"


def minibatches(n, batch_size, rng):
    """Shuffle 0…n−1 with ``rng`` and cut it into batches of ``batch_size``
    (the last may be smaller). Returns a list of index arrays."""
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def train_logistic(X, y, lr, num_steps, batch_size=None, seed=0):
    """Train a logistic neuron from w = 0, b = 0 by gradient descent on
    the cross-entropy.

    X: (n, d), y: (n,) 0/1. batch_size None (or n) is batch gradient
    descent, 1 is stochastic, anything between is mini-batch; the data are
    reshuffled every epoch. Returns (w (d,), b, history): history["loss"]
    (num_steps + 1,) is the loss on all of X before the first step and
    after every step, history["path"] (num_steps + 1, d + 1) the weights
    and bias there.
    """
    X, y = validate_logistic(X, y, lr, num_steps, batch_size, seed)
    if batch_size is None:
        batch_size = len(y)
    w, b = np.zeros(X.shape[1]), 0.0
    rng, batches = np.random.default_rng(seed), []
    history = {"loss": [logistic_loss(X, y, w, b)], "path": [[*w, b]]}
    for _ in range(num_steps):
        batches = batches or minibatches(len(y), batch_size, rng)
        batch = batches.pop(0)
        grad_w, grad_b = logistic_gradients(X[batch], y[batch], w, b)
        w, b = w - lr * grad_w, b - lr * grad_b
        history["loss"].append(logistic_loss(X, y, w, b))
        history["path"].append([*w, b])
    return w, b, {key: np.array(v) for key, v in history.items()}


def perceptron_update(x, y, w, b, lr=1.0):
    """One step of the perceptron rule on one example x (d,), y ∈ {0, 1}.

    The prediction is step(w·x + b); the weights move by
    lr (y − prediction) x and the bias by lr (y − prediction), so a correct
    prediction changes nothing. Returns (w, b, updated) where updated says
    whether anything changed.
    """
    error = float(y) - float(step(np.dot(w, x) + b))
    x = np.asarray(x, dtype=float)
    return w + lr * error * x, b + lr * error, error != 0


def train_perceptron(X, y, max_epochs=100, lr=1.0):
    """Sweep the perceptron rule over X (n, d), y (n,) 0/1 in order, epoch
    after epoch.

    Stops when an epoch makes no update (converged) or when an epoch ends
    with the weights some earlier epoch started with (a cycle: the sweeps
    repeat forever). Returns a dict: w, b, updates (total),
    updates_per_epoch (list), epochs, converged, cycle_length (epochs in
    the cycle, or None), states ((epochs, d + 1): w and b at the start of
    each epoch).
    """
    X, y = validate_perceptron(X, y, lr, max_epochs)
    w, b, per_epoch, states = np.zeros(X.shape[1]), 0.0, [], []
    for epoch in range(1, max_epochs + 1):
        states.append((*w, b))
        per_epoch.append(0)
        for x_i, y_i in zip(X, y):
            w, b, updated = perceptron_update(x_i, y_i, w, b, lr)
            per_epoch[-1] += updated
        if per_epoch[-1] == 0 or (*w, b) in states:
            break
    converged = per_epoch[-1] == 0
    cycle = None
    if not converged and (*w, b) in states:
        cycle = len(states) - states.index((*w, b))
    return dict(w=w, b=b, updates=sum(per_epoch),
                updates_per_epoch=per_epoch, epochs=epoch,
                converged=converged, cycle_length=cycle,
                states=np.array(states))


# --- the learning-rate explorer of Section 2.7, without its drawing (package only) ---

REGIMES = ("smooth", "zig-zag", "unstable", "diverging")
EXPLORER_DATA = {"n": 200, "noise": 0.2, "seed": 0}
# the explorer's menu of batch sizes; 200 = the whole data set: batch gradient descent
EXPLORER_BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200)
EXPLORER_DEFAULTS = {"lr": 3.0, "num_steps": 100, "batch_size": 200}


def compute_learning_rate(lr=EXPLORER_DEFAULTS["lr"], num_steps=EXPLORER_DEFAULTS["num_steps"],
                          batch_size=EXPLORER_DEFAULTS["batch_size"], seed=0):
    """Train the logistic neuron on the moons data and report how it went.

    Returns a dict: X (200, 2), y (200,), w (2,), b, loss ((num_steps + 1,)
    loss on the whole data set), path ((num_steps + 1, 3): w and b after
    each step), accuracy (%), regime (one of REGIMES, by
    ``learning_regime``), failed (``run_failed``: unstable or diverging),
    tail_loss (the mean loss over the last quarter of the run, the
    statistic the regime is judged on) and message (a sentence for the
    reader).
    """
    lr, num_steps = as_positive(lr, "lr"), as_int(num_steps, "num_steps", minimum=1)
    batch_size = as_choice(batch_size, "batch_size", EXPLORER_BATCH_SIZES)
    X, y = make_moons(**EXPLORER_DATA)
    w, b, history = train_logistic(X, y, lr, num_steps, batch_size=batch_size, seed=seed)
    loss = history["loss"]
    regime = learning_regime(history["path"], loss)
    tail_loss = quarter_means(loss)[0]
    accuracy = 100.0 * float(np.mean((predict_proba(X, w, b) >= 0.5) == y))
    return dict(X=X, y=y, w=w, b=b, loss=loss, path=history["path"], accuracy=accuracy,
                lr=lr, num_steps=num_steps, batch_size=batch_size, regime=regime,
                failed=run_failed(loss), tail_loss=tail_loss,
                message=regime_message(loss, tail_loss, regime, lr, batch_size))


def regime_message(loss, tail_loss, regime, lr, batch_size):
    """A plain sentence (a few short lines) on what a run of the explorer did."""
    if regime == "smooth":
        return f"smooth: loss {loss[0]:.3g} → {loss[-1]:.3g}"
    if regime == "zig-zag":
        return f"zig-zag: loss {loss[0]:.3g} → about {tail_loss:.3g}"
    if regime == "unstable":
        what = (f"The loss swings without coming down:\n"
                f"over the last quarter of the run it\n"
                f"averages {tail_loss:.3g}, not below the {loss[0]:.3g}\n"
                f"it started from.")
    elif np.all(np.isfinite(loss)):
        what = (f"The loss keeps growing: over the last\n"
                f"quarter of the run it averages {tail_loss:.3g},\n"
                f"from {loss[0]:.3g} at the start.")
    else:
        what = f"The loss overflowed, from {loss[0]:.3g} at the start."
    noise = ("\nWith batch size 1 each step follows one\nexample's gradient, "
             "noisier still." if batch_size == 1 else "")
    lr_text = f"{float(f'{lr:.3g}'):g}"   # 3 significant digits, never 1e+03
    return (f"{regime}: learning rate {lr_text} is too large.\n{what}\n"
            f"Each step overshoots the minimum.{noise}\n"
            f"Try a learning rate about ten times smaller.")
