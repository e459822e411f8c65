"""Learning from data (taught in Chapter 2, *Learning from data*).

Losses and their gradients, the logistic neuron's hand-derived gradient, gradient
descent (batch, stochastic and mini-batch), the regime of a run (smooth, zig-zag,
unstable or diverging) and the perceptron learning rule.
Labels ``y`` are 0/1; a neuron has weights ``w: (d,)`` and a bias ``b: float``.
"""

import numpy as np

from nnbook.activations import sigmoid, step
from nnbook.validation import as_array, as_function, as_int, as_positive, as_seed


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


def learning_regime(path, loss):
    """Name what a run of gradient descent did, from its path (m, d) and
    the loss (m,) at each point, start included (m ≥ 2):

    "diverging": a loss is not finite, or the last quarter of the losses
    averages more than the first loss and more than twice the quarter
    before it (still growing fast); "unstable": the last quarter averages
    no less than the first loss; "zig-zag": some step turns back on the
    one before (an angle over 90°); "smooth": none of these.
    """
    path, loss = validate_run(path, loss)
    if not np.all(np.isfinite(loss)):
        return "diverging"
    k = max(1, len(loss) // 4)
    last, before = np.mean(loss[-k:]), np.mean(loss[-2 * k:-k])
    if last > loss[0] and last > 2 * before:
        return "diverging"
    if last >= loss[0]:
        return "unstable"
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
