"""Generalisation experiments, step by step (Chapter 10).

``subset`` draws nested training sets of any size from one pool;
``train_steps`` trains a classifier for a fixed number of AdamW steps
(whatever the size of the training set) with the book's own loop,
``nnbook.training.fit_steps``, with optional weight decay, data
augmentation (``Augmented``) and a record of the validation loss and
accuracy;
``loss_and_accuracy`` and ``test_accuracy`` score it. ``shift`` and
``add_noise`` augment batches of MNIST-1D signals.
``random_relu_features`` and ``min_norm_fit`` are the random-features
least squares of the double-descent experiment.
Bad input is refused with a one-line message (package only).
"""

import math

import numpy as np
import torch
from torch.nn.functional import cross_entropy

from nnbook.data import batch_loader
from nnbook.training import accuracy, fit_steps
from nnbook.validation import (as_array, as_function, as_instance, as_int,
                               as_nonnegative, as_positive, as_seed)


# --- validation (package only) ---------------------------------------------

def validate_subset(X, y, n, seed):
    """Refuse a pool and a size that cannot give a subset; returns n."""
    length = len(as_array(X, "X", dtype=None, finite=False))
    if len(as_array(y, "y", dtype=None, finite=False)) != length:
        raise ValueError(f"X and y must hold the same number of examples, got "
                         f"{length} and {len(y)}")
    as_seed(seed)
    return as_int(n, "n", minimum=1, maximum=length)


def _as_signals(X, name="X"):
    """X as a 2-D floating-point torch tensor (N, D), or a clear error."""
    as_instance(X, name, torch.Tensor,
                "a float torch tensor (N, D): use torch.as_tensor(X)")
    if not X.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got "
                        f"{str(X.dtype).replace('torch.', '')}: use "
                        f"{name}.float()")
    if X.dim() != 2:
        raise ValueError(f"{name} must have shape (N, D), one signal per row, "
                         f"got {tuple(X.shape)}")
    return X


def validate_augment(X, amount, generator, name):
    """Refuse a batch, an amount (``name``: max_shift or std) and a
    generator that an augmentation cannot use; returns the amount."""
    _as_signals(X)
    as_instance(generator, "generator", torch.Generator,
                "a torch.Generator, e.g. torch.Generator().manual_seed(0)")
    if name == "max_shift":
        return as_int(amount, name, minimum=0, maximum=X.shape[1] - 1)
    return as_nonnegative(amount, name)


def validate_data(X, y, name_X="X", name_y="y"):
    """X (n, D) float32 and y (n,) int64 as torch tensors."""
    X = as_array(X, name_X, ndim=2, dtype=np.float32)
    y = as_array(y, name_y, ndim=1, dtype=None)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name_y} must hold integer class labels, got dtype "
                        f"{y.dtype}")
    if len(y) != len(X):
        raise ValueError(f"{name_X} and {name_y} must hold the same number of "
                         f"examples, got {len(X)} and {len(y)}")
    return torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))


def validate_train(model, X, y, num_steps, lr, batch_size, weight_decay,
                   augment, seed, X_val, y_val, eval_every):
    """Refuse the arguments of ``train_steps`` that would fail inside it;
    returns X, y, X_val, y_val as tensors (the validation pair may be
    None) and eval_every (None: once, at the end)."""
    as_instance(model, "model", torch.nn.Module, "a torch.nn.Module")
    X, y = validate_data(X, y)
    as_int(num_steps, "num_steps", minimum=1)
    as_positive(lr, "lr"), as_nonnegative(weight_decay, "weight_decay")
    as_int(batch_size, "batch_size", minimum=1), as_seed(seed)
    if augment is not None:
        as_function(augment, "augment",
                    "a function (X batch, generator) -> X batch, or None")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is not None:
        X_val, y_val = validate_data(X_val, y_val, "X_val", "y_val")
    if eval_every is None:
        return X, y, X_val, y_val, num_steps
    return X, y, X_val, y_val, as_int(eval_every, "eval_every", minimum=1)


def validate_features(X, num_features, seed):
    """Refuse inputs to ``random_relu_features``; returns X as a float
    array (n, D)."""
    as_int(num_features, "num_features", minimum=1), as_seed(seed)
    return as_array(X, "X", ndim=2)


def validate_lstsq(F, Y):
    """Refuse features and targets that ``min_norm_fit`` cannot fit;
    returns them as float arrays, Y with 2 axes (n, k)."""
    F = as_array(F, "F", ndim=2)
    Y = as_array(Y, "Y")
    Y = Y[:, None] if Y.ndim == 1 else Y
    if Y.ndim != 2 or len(Y) != len(F):
        raise ValueError(f"Y must have shape ({len(F)}, k), one row of targets "
                         f"per row of F, got {Y.shape}")
    return F, Y


# --- taught in Chapter 10 ----------------------------------------------------

def subset(X, y, n, seed=0):
    """The first ``n`` examples of one random order of (X, y), drawn from
    ``seed``: subsets of one seed are nested (the 500 examples hold the
    250). X: (N, ...) array, y: (N,) array → (X[idx], y[idx])."""
    n = validate_subset(X, y, n, seed)
    idx = np.random.default_rng(seed).permutation(len(X))[:n]
    return X[idx], y[idx]


def loss_and_accuracy(model, X, y):
    """The mean cross-entropy and the percentage of right answers of
    ``model`` on X (n, D) float tensor, y (n,) int64 tensor (eval mode,
    no gradients): two floats."""
    model.eval()
    with torch.no_grad():
        y_hat = model(X)
    acc = (y_hat.argmax(dim=1) == y).float().mean().item()
    return cross_entropy(y_hat, y).item(), 100 * acc


def test_accuracy(model, X, y):
    """The percentage of examples of X (n, D), y (n,) that ``model``
    classifies right, a float (eval mode, no gradients)."""
    X, y = validate_data(X, y)
    return loss_and_accuracy(model, X, y)[1]


class Augmented:
    """The batches (X, y) of ``loader``, each X changed by
    augment(X, generator) as it is handed out."""

    def __init__(self, loader, augment, generator):
        self.loader, self.augment = loader, augment
        self.generator = generator

    def __iter__(self):
        for X, y in self.loader:
            yield self.augment(X, self.generator), y


def train_steps(model, X, y, num_steps, *, lr=0.01, batch_size=100,
                weight_decay=0.0, augment=None, seed=0, X_val=None,
                y_val=None, eval_every=None):
    """Train ``model`` for ``num_steps`` AdamW steps on shuffled batches
    of X (n, D) float, y (n,) int labels, passing over them as often as
    it takes. Every ``eval_every`` steps (None: at the end) records the
    mean training loss since the last record and, with X_val, y_val, the
    validation loss and accuracy (%). Returns a dict of lists "step",
    "train loss" (and "val loss", "val acc"); the model ends in eval
    mode."""
    X, y, X_val, y_val, eval_every = validate_train(
        model, X, y, num_steps, lr, batch_size, weight_decay, augment, seed,
        X_val, y_val, eval_every)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr,
                                  weight_decay=weight_decay)
    batches = batch_loader(X, y, min(batch_size, len(X)), seed)
    if augment is not None:
        batches = Augmented(batches, augment,
                            torch.Generator().manual_seed(seed))
    val = None if X_val is None else [(X_val, y_val)]
    history = fit_steps(model, batches, cross_entropy, optimizer, num_steps,
                        eval_every=eval_every, val_loader=val,
                        metrics={"acc": accuracy}, device="cpu")
    keep = ("step", "train loss") + (("val loss", "val acc") if val else ())
    record = {key: history[key] for key in keep}
    if val:
        record["val acc"] = [100 * acc for acc in record["val acc"]]
    return record


def shift(X, max_shift, generator):
    """Each signal (row) of X (N, D) float tensor rolled circularly by its
    own random whole number of steps in [-max_shift, max_shift], drawn
    from ``generator``: a new (N, D) tensor."""
    max_shift = validate_augment(X, max_shift, generator, "max_shift")
    N, D = X.shape
    offsets = torch.randint(-max_shift, max_shift + 1, (N, 1),
                            generator=generator)
    idx = (torch.arange(D) - offsets) % D    # out[i] = x[i - offset]
    return X.gather(1, idx)


def add_noise(X, std, generator):
    """X (N, D) float tensor plus Gaussian noise of standard deviation
    ``std``, drawn from ``generator``: a new (N, D) tensor."""
    std = validate_augment(X, std, generator, "std")
    return X + std * torch.randn(X.shape, generator=generator,
                                 dtype=X.dtype)


def random_relu_features(X, num_features, seed=0):
    """ReLU(X W + b) for X (n, D): (n, num_features) float array. W (D,
    num_features) ~ N(0, 1/D) and b ~ N(0, 1) are drawn from
    ``np.random.default_rng(seed)``, so the same seed gives training and
    test data the same features. They are never trained."""
    X = validate_features(X, num_features, seed)
    rng = np.random.default_rng(seed)
    D = X.shape[1]
    W = rng.standard_normal((D, num_features)) / math.sqrt(D)
    b = rng.standard_normal(num_features)
    return np.maximum(X @ W + b, 0.0)


def min_norm_fit(F, Y):
    """The weights (num_features, k) of the least-squares fit F w ≈ Y of
    F (n, num_features) to Y (n, k) (or (n,)): the exact solution of
    smallest norm when there are more features than examples (the fit
    then interpolates), the least-squares one otherwise."""
    F, Y = validate_lstsq(F, Y)
    return np.linalg.lstsq(F, Y, rcond=None)[0]
