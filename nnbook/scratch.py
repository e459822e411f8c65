"""A vectorised numpy multilayer perceptron trained by mini-batch SGD (Chapter 5,
*Backprop in matrix form*).

``MLP([64, 128, 10])`` is a network with 64 inputs, one hidden layer of 128 units
and 10 outputs. Every layer computes ``Z = A @ W + b`` on a whole batch at once:
``A (n, d_in)``, ``W (d_in, d_out)``, ``b (d_out,)``. Hidden layers apply an
activation (ReLU, tanh or sigmoid); the output layer is either softmax with
cross-entropy (classification, integer labels) or linear with mean squared error
(regression).

All arithmetic is in float32 (``DTYPE``): half the memory traffic of float64 and
plenty of precision for training; inputs are converted on the way in.

The chapter writes out the learning code (``softmax``, ``log_softmax``,
``cross_entropy``, ``activate``, ``activation_grad`` and the methods of ``MLP``). Each
method spends at most one line on its arguments: a call to ``nnbook.validation`` or to
one of the ``validate_*`` helpers here, built from it and imported by the chapter.
It reuses what earlier chapters wrote: the sigmoid and the table of activations
(``nnbook.activations``, Chapter 1) and the shuffled mini-batches
(``nnbook.learning.minibatches``, Chapter 2).
"""

import numpy as np

from nnbook.activations import TRAINABLE, sigmoid
from nnbook.learning import minibatches
from nnbook.validation import (as_array, as_choice, as_int, as_labels, as_nonnegative,
                               as_positive, as_seed, as_sizes)

DTYPE = np.float32
LOSSES = ("cross_entropy", "mse")


# --- argument validation, package only: each taught method spends one line on it ---

def validate_mlp(sizes, activation, loss, seed):
    """Check the settings of ``MLP``; return ``sizes`` as a list of ints."""
    as_choice(activation, "activation", TRAINABLE)
    as_choice(loss, "loss", LOSSES)
    as_seed(seed)
    return as_sizes(sizes)


def validate_inputs(model, X, name="X"):
    """Inputs for ``model`` as a float32 array (n, d_in), n ≥ 1, all finite."""
    return as_array(X, name, shape=("n", model.sizes[0]), dtype=DTYPE)


def validate_batch(model, X, y, l1=0.0, l2=0.0, names=("X", "y")):
    """A batch for ``model``: (X float32 (n, d_in), y); y as int64 labels (n,) for
    cross_entropy, float32 targets (n, d_out) for mse ((n,) is fine when d_out == 1).
    Also checks the penalty strengths l1, l2 ≥ 0."""
    X = validate_inputs(model, X, names[0])
    as_nonnegative(l1, "l1")
    as_nonnegative(l2, "l2")
    d_out = model.sizes[-1]
    if model.loss == "cross_entropy":
        return X, as_labels(y, len(X), d_out, names[1])
    y = as_array(y, names[1], dtype=DTYPE)
    y = y[:, None] if y.ndim == 1 and d_out == 1 else y
    return X, as_array(y, names[1], shape=(len(X), d_out), dtype=DTYPE)


def validate_fit(model, X, y, num_epochs, lr, batch_size, l1, l2, seed, X_val, y_val):
    """Check the arguments of ``MLP.fit`` before any training; return the batch (X, y)."""
    as_int(num_epochs, "num_epochs", minimum=1)
    as_int(batch_size, "batch_size", minimum=1)
    as_positive(lr, "lr")
    as_seed(seed)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is not None:
        validate_batch(model, X_val, y_val, names=("X_val", "y_val"))
    return validate_batch(model, X, y, l1, l2)


# --- the learning code, written out in Chapter 5 ---

def softmax(Z):
    """Row-wise softmax: logits Z (n, k) → probabilities (n, k), each row
    summing to 1.

    Subtracting each row's maximum first changes nothing mathematically but
    keeps exp() from overflowing.
    """
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def log_softmax(Z):
    """Row-wise log of the softmax, computed stably: logits Z (n, k) →
    (n, k) log-probabilities."""
    Z = Z - Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


def cross_entropy(Z, y):
    """Mean cross-entropy of logits Z (n, k) for int labels y (n,), and its
    gradient dL/dZ = (softmax(Z) − one_hot(y)) / n, (n, k)."""
    n = len(y)
    log_p = log_softmax(Z)
    dZ = np.exp(log_p)  # softmax probabilities P
    dZ[np.arange(n), y] -= 1  # P - one_hot(y)
    return float(-log_p[np.arange(n), y].mean()), dZ / n


def activate(Z, activation):
    """Apply a hidden layer's activation ("relu", "tanh" or "sigmoid") to
    Z; same shape."""
    if activation == "relu":
        return np.maximum(Z, 0)
    if activation == "tanh":
        return np.tanh(Z)
    return sigmoid(Z)  # Chapter 1's, which never overflows


def activation_grad(A, activation):
    """The activation's derivative, written in terms of its output
    A = activate(Z)."""
    if activation == "relu":
        return A > 0
    if activation == "tanh":
        return 1 - A * A
    return A * (1 - A)


class MLP:
    """A multilayer perceptron in numpy (float32) trained by mini-batch SGD.

    sizes: [d_in, h1, ..., d_out], ints ≥ 1 (two entries: no hidden layer).
    activation: of the hidden layers, "relu", "tanh" or "sigmoid".
    loss: "cross_entropy" (softmax outputs; y: (n,) int labels
    0..d_out-1) or "mse" (linear outputs; y: (n, d_out) floats, or (n,)
    when d_out == 1).
    seed: initial weights drawn from ``np.random.default_rng(seed)``,
    He-scaled for ReLU and Glorot-scaled otherwise; biases start at zero.
    Attributes ``weights`` (list of (d_in, d_out) arrays) and ``biases``
    (list of (d_out,) arrays), one per layer.
    """

    def __init__(self, sizes, activation="relu", loss="cross_entropy", seed=0):
        self.sizes = validate_mlp(sizes, activation, loss, seed)
        self.activation, self.loss = activation, loss
        rng = np.random.default_rng(seed)
        self.weights, self.biases = [], []
        for layer, (d_in, d_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            hidden = layer < len(self.sizes) - 2
            std = np.sqrt(2 / d_in) if hidden and activation == "relu" else np.sqrt(2 / (d_in + d_out))
            self.weights.append((std * rng.standard_normal((d_in, d_out))).astype(DTYPE))
            self.biases.append(np.zeros(d_out, dtype=DTYPE))

    def __repr__(self):
        return f"MLP({self.sizes}, activation={self.activation!r}, loss={self.loss!r})"

    def _forward(self, X):
        """All the layers' outputs for a float32 batch X (n, d_in):
        [X, A1, ..., Z_out]."""
        activations = [X]
        for W, b in zip(self.weights[:-1], self.biases[:-1]):
            activations.append(activate(activations[-1] @ W + b, self.activation))
        activations.append(activations[-1] @ self.weights[-1] + self.biases[-1])
        return activations

    def forward(self, X):
        """Logits (cross_entropy) or outputs (mse): X (n, d_in) → (n, d_out)
        float32."""
        return self._forward(validate_inputs(self, X))[-1]

    def hidden_outputs(self, X):
        """Each hidden layer's output after its activation: a list of (n, h_l)
        float32 arrays."""
        return self._forward(validate_inputs(self, X))[1:-1]

    def _output_loss(self, Z, y):
        """Mean loss of the outputs Z (n, d_out) and its gradient dL/dZ
        (n, d_out)."""
        if self.loss == "mse":
            diff = Z - y
            return float((diff * diff).mean()), diff * (2 / diff.size)
        return cross_entropy(Z, y)

    def _backward(self, activations, dZ):
        """Backpropagate dL/dZ of the last layer: a list of (dW, db), first
        layer first."""
        grads = []
        for layer in range(len(self.weights) - 1, -1, -1):
            A = activations[layer]
            grads.append((A.T @ dZ, dZ.sum(axis=0)))
            if layer > 0:
                dZ = (dZ @ self.weights[layer].T) * activation_grad(A, self.activation)
        return grads[::-1]

    def loss_and_grads(self, X, y, l1=0.0, l2=0.0):
        """Mean loss on the batch (plus l1·Σ|W| + l2/2·ΣW² over the weights)
        and its gradients: (loss: float, [(dW, db), ...] one pair per layer)."""
        X, y = validate_batch(self, X, y, l1, l2)
        activations = self._forward(X)
        loss, dZ = self._output_loss(activations[-1], y)
        grads = self._backward(activations, dZ)
        if l1 or l2:
            for W, (dW, _) in zip(self.weights, grads):
                loss += float(l1 * np.abs(W).sum() + l2 / 2 * (W * W).sum())
                dW += l1 * np.sign(W) + l2 * W
        return loss, grads

    def step(self, X, y, lr, l1=0.0, l2=0.0):
        """One SGD step on the batch (X, y); returns the batch loss before the
        update.

        Raises ValueError (and leaves the weights unchanged) when the loss, a
        gradient or an updated weight is not finite: training diverged, the
        learning rate is too large.
        """
        lr = as_positive(lr, "lr")
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported in words below
            loss, grads = self.loss_and_grads(X, y, l1, l2)
            new = [(W - lr * dW, b - lr * db) for W, b, (dW, db) in zip(self.weights, self.biases, grads)]
        # the sum of an array is inf or nan as soon as one entry is
        if not np.isfinite(loss + sum(float(W.sum() + b.sum()) for W, b in new)):
            raise ValueError(f"training diverged (the loss or the updated weights are not finite) "
                             f"with lr={lr:g}: lower the learning rate")
        self.weights, self.biases = [W for W, _ in new], [b for _, b in new]
        return loss

    def fit_epoch(self, X, y, lr, batch_size, l1, l2, rng):
        """One SGD step on each mini-batch of (X, y), shuffled by ``rng``
        (``minibatches`` of Chapter 2); returns the mean batch loss."""
        total = 0.0
        for batch in minibatches(len(X), batch_size, rng):
            total += self.step(X[batch], y[batch], lr, l1, l2) * len(batch)
        return total / len(X)

    def fit(self, X, y, num_epochs=10, lr=0.1, batch_size=32, l1=0.0, l2=0.0, seed=0,
            X_val=None, y_val=None):
        """Train by mini-batch SGD for ``num_epochs`` passes over (X, y),
        reshuffled each epoch with ``np.random.default_rng(seed)``.

        Returns the history, a dict of per-epoch lists: "train loss" (the mean
        batch loss during the epoch) and, for cross_entropy, "train acc"
        (accuracy on X after the epoch, a fraction) and "val acc" when X_val,
        y_val are given ("val loss" for mse).
        """
        X, y = validate_fit(self, X, y, num_epochs, lr, batch_size, l1, l2,
                            seed, X_val, y_val)
        rng = np.random.default_rng(seed)
        history = {"train loss": []}
        for _ in range(num_epochs):
            history["train loss"].append(self.fit_epoch(X, y, lr, batch_size, l1, l2, rng))
            self._record(history, "train", X, y)
            if X_val is not None:
                self._record(history, "val", X_val, y_val)
        return history

    def _record(self, history, split, X, y):
        """Append the accuracy (cross_entropy) or, for validation data, the
        loss (mse)."""
        if self.loss == "cross_entropy":
            history.setdefault(f"{split} acc", []).append(self.score(X, y))
        elif split == "val":
            history.setdefault("val loss", []).append(self.loss_and_grads(X, y)[0])

    def predict_proba(self, X):
        """Class probabilities (n, d_out), each row summing to 1 (cross_entropy
        networks only)."""
        if self.loss != "cross_entropy":
            raise ValueError("predict_proba needs a classifier (loss='cross_entropy'); "
                             "this network has loss='mse': use predict()")
        return softmax(self.forward(X))

    def predict(self, X):
        """Labels (n,) int64 (cross_entropy), or outputs (n, d_out), (n,) when
        d_out == 1 (mse)."""
        out = self.forward(X)
        if self.loss == "cross_entropy":
            return out.argmax(axis=1).astype(np.int64)
        return out[:, 0] if out.shape[1] == 1 else out

    def score(self, X, y):
        """Accuracy (a fraction) on labelled data (cross_entropy networks
        only)."""
        if self.loss != "cross_entropy":
            raise ValueError("score (accuracy) needs a classifier (loss='cross_entropy')")
        X, y = validate_batch(self, X, y)
        return float((self.predict(X) == y).mean())

    def num_parameters(self):
        """How many numbers the network learns: all weights and biases."""
        return sum(W.size + b.size for W, b in zip(self.weights, self.biases))
