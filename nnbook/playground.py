"""The network playground's logic (Chapter 3, *Layers*): data, input features, network, training.

Everything here is plain numpy and runs headlessly; ``nnbook.widgets.playground`` draws it
and drives it from JupyterLab (this module imports nothing of plotting, so the checks and
scripts that train a Session never load matplotlib). The network is the course's own numpy MLP
(``nnbook.scratch.MLP``, built in Chapter 5), trained by mini-batch gradient descent, with
gradients from backpropagation (Chapter 4): on the cross-entropy for the classification data
sets, on the mean squared error for the regression one (``"hills"``, a 2-D function to fit).

A :class:`Session` holds one setting of the playground: a 2-D data set split into
training and test points, the input features, the network and its training history.
``Session.step(n)`` trains ``n`` more epochs, ``Session.reset()`` starts again from the
same initial weights, and ``Session.unit_maps()`` gives each hidden unit's output over a
grid covering the data (what the playground draws as small maps).

The ``validate_*`` functions check the playground's arguments (built on
``nnbook.validation``) and say what to change; ``check_`` names an exercise check only.
"""

import numpy as np

from nnbook.activations import TRAINABLE
from nnbook.datasets import DATASETS, grid_over, make_dataset
from nnbook.learning import run_failed
from nnbook.scratch import cross_entropy
from nnbook.validation import (as_choice, as_fraction, as_int, as_nonnegative, as_positive,
                               as_seed)

FEATURE_FUNCTIONS = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]),
    "sin(x2)": lambda X: np.sin(X[:, 1]),
}
FEATURES = tuple(FEATURE_FUNCTIONS)
RAW_FEATURES = ("x1", "x2")
# A run is judged by Chapter 2's rule (``nnbook.learning.run_failed``) on its training
# losses, start included: at once when a loss is not finite, otherwise from this many epochs
# on, so that a loss that jumps in the first epochs and then comes down is not stopped.
JUDGE_AFTER = 40
# Regression data sets: a target value per point (mse loss) instead of a class.
REGRESSION_DATASETS = ("hills",)
PLAYGROUND_DATASETS = DATASETS + REGRESSION_DATASETS
# Data sets a straight line can split; on the others a network without hidden layer
# (and without hand-made features) cannot succeed.
LINEAR_DATASETS = ("blobs",)
DATASET_NAMES = {"xor": "XOR quadrants", "circles": "circles", "moons": "moons",
                 "spirals": "spirals", "blobs": "blobs", "hills": "hills"}
SPLITS = ("train", "test")


def hills(X):
    """The function the ``"hills"`` data set samples: a hill (+1) at (−0.4, −0.3) and a
    hollow (−1) at (0.4, 0.3), each a Gaussian bump of width 0.35. X (n, 2) → (n,)."""
    X = np.asarray(X, dtype=float)

    def bump(centre):
        return np.exp(-((X - np.array(centre)) ** 2).sum(axis=1) / (2 * 0.35 ** 2))

    return bump((-0.4, -0.3)) - bump((0.4, 0.3))


def make_hills(n=200, noise=0.1, seed=0):
    """A regression data set: X (n, 2) uniform in [−1, 1]², y (n,) float64 the value of
    :func:`hills` plus Gaussian noise of standard deviation ``noise``."""
    as_int(n, "n", minimum=2)
    rng = np.random.default_rng(as_seed(seed))
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, hills(X) + as_nonnegative(noise, "noise") * rng.standard_normal(n)


def split_data(name, noise=0.1, test_fraction=0.5, n=200, seed=0):
    """Make the data set ``name`` (one of ``PLAYGROUND_DATASETS``) and split it at random.

    Returns ``(X_train, y_train), (X_test, y_test)``: X (m, 2) float64, y (m,) int64
    class labels, or float64 target values for a regression data set; a fraction
    ``test_fraction`` of the ``n`` points (rounded, at least one, never all) is held out
    for testing.
    """
    as_fraction(test_fraction, "test_fraction")
    seed = as_seed(seed)
    if as_choice(name, "data set", PLAYGROUND_DATASETS) in REGRESSION_DATASETS:
        X, y = make_hills(n, noise, seed)
    else:
        X, y = make_dataset(name, n=n, noise=noise, seed=seed)
    n_test = min(max(1, int(round(n * test_fraction))), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return (X[train], y[train]), (X[test], y[test])


def validate_features(features):
    """A selection of input features: a non-empty list of distinct names from ``FEATURES``.
    Returns it as a tuple."""
    if isinstance(features, str) or not isinstance(features, (list, tuple)):
        raise TypeError(f"features must be a list of names such as ['x1', 'x2'], "
                        f"got {features!r}: put the name(s) in a list")
    if not features:
        raise ValueError("choose at least one input feature, for example ['x1', 'x2']")
    unknown = [f for f in features if f not in FEATURES]
    if unknown:  # all of them at once, so that one message fixes the list
        raise ValueError(f"unknown feature(s) {unknown}: choose from {', '.join(FEATURES)}")
    repeated = sorted({f for f in features if features.count(f) > 1})
    if repeated:
        raise ValueError(f"each feature may appear once, got {list(features)}: "
                         f"remove the repeated {', '.join(map(repr, repeated))}")
    return tuple(features)


def make_features(X, features=RAW_FEATURES):
    """The network's inputs: one column per feature name, computed from the points X (n, 2).

    Returns an (n, len(features)) float64 array, columns in the order given.
    """
    features = validate_features(features)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    return np.column_stack([FEATURE_FUNCTIONS[f](X) for f in features])


def validate_hidden(hidden):
    """Hidden layer widths: a list of ints ≥ 1 (an empty list means no hidden layer).
    Returns them as a tuple of ints."""
    if not isinstance(hidden, (list, tuple)):
        raise TypeError(f"hidden must be a list of layer widths such as [8, 8] ([] for "
                        f"none), got {hidden!r}")
    widths = tuple(as_int(width, f"hidden layer {k}'s number of units")
                   for k, width in enumerate(hidden, 1))
    for k, width in enumerate(widths, 1):
        if width < 1:
            raise ValueError(f"hidden layer {k} has {width} units: a layer needs at least "
                             "1 unit (to drop a layer, lower the number of hidden layers)")
    return widths


def validate_training(lr, batch_size, l1=0.0, l2=0.0):
    """The training settings; returns them as (float, int, float, float)."""
    return (as_positive(lr, "the learning rate lr"), as_int(batch_size, "batch_size", minimum=1),
            as_nonnegative(l1, "the L1 regularisation strength l1"),
            as_nonnegative(l2, "the L2 regularisation strength l2"))


def setting_warnings(dataset, features, hidden):
    """Plain-language warnings about settings that train but cannot succeed (a list of str)."""
    if hidden or dataset in LINEAR_DATASETS or set(features) - set(RAW_FEATURES):
        return []
    if dataset in REGRESSION_DATASETS:
        return [f"No hidden layer: on x1 and x2 alone the network can only fit a tilted "
                f"plane, and the {DATASET_NAMES.get(dataset, dataset)} are not flat. "
                "Add a hidden layer or a hand-made feature."]
    return [f"No hidden layer: the network can only draw a straight boundary, and no straight "
            f"line splits the {DATASET_NAMES.get(dataset, dataset)}. "
            "Add a hidden layer or a hand-made feature."]


def build_network(num_inputs, hidden, activation="tanh", seed=0, regression=False):
    """The playground's network: an MLP with ``num_inputs`` inputs and the given hidden
    widths, from ``nnbook.scratch``; two outputs (softmax over the two classes), or one
    linear output trained on the mean squared error when ``regression``."""
    from nnbook.scratch import MLP

    as_choice(activation, "activation", TRAINABLE)
    sizes = [as_int(num_inputs, "num_inputs", minimum=1), *validate_hidden(hidden)]
    if regression:
        return MLP(sizes + [1], activation=activation, loss="mse", seed=as_seed(seed))
    return MLP(sizes + [2], activation=activation, loss="cross_entropy", seed=as_seed(seed))


def squared_error(predicted, y):
    """Mean squared error of predicted values (n,) for targets y (n,); inf if not finite."""
    with np.errstate(all="ignore"):
        error = float(np.mean((np.asarray(predicted, dtype=float) - y) ** 2))
    return error if np.isfinite(error) else float("inf")


class Session:
    """One setting of the playground: data, features, network and training history.

    dataset, noise, test_fraction, n, seed: the data (see :func:`split_data`);
    features: input feature names (``FEATURES``); hidden: hidden layer widths, e.g. (8, 8);
    activation: one of ``nnbook.activations.TRAINABLE``; lr, batch_size, l1, l2: the
    training settings (changeable later with :meth:`set_training`); resolution: side of
    the grid of the maps.
    ``task`` is "classification", or "regression" for a data set of ``REGRESSION_DATASETS``.
    """

    def __init__(self, dataset="spirals", noise=0.1, test_fraction=0.5, features=RAW_FEATURES,
                 hidden=(8, 8), activation="tanh", lr=0.03, batch_size=10, l1=0.0, l2=0.0,
                 n=200, seed=0, resolution=40):
        self.features, self.hidden = validate_features(features), validate_hidden(hidden)
        self.activation, self.seed = activation, as_seed(seed)
        (self.X_train, self.y_train), (self.X_test, self.y_test) = split_data(
            dataset, noise, test_fraction, n, seed)
        self.dataset, self.warnings = dataset, setting_warnings(dataset, self.features, self.hidden)
        self.task = "regression" if dataset in REGRESSION_DATASETS else "classification"
        self.set_training(lr, batch_size, l1, l2)
        self.F_train = make_features(self.X_train, self.features)
        self.F_test = make_features(self.X_test, self.features)
        self.xx, self.yy, grid = grid_over(np.vstack([self.X_train, self.X_test]),
                                           resolution, margin=0.3)
        self.F_grid = make_features(grid, self.features)
        self._network()  # validate before reset
        self.reset()

    def _network(self):
        return build_network(len(self.features), self.hidden, self.activation, self.seed,
                             regression=self.task == "regression")

    def set_training(self, lr, batch_size, l1=0.0, l2=0.0):
        """Change the learning rate, batch size and regularisation; training goes on from here."""
        self.lr, self.batch_size, self.l1, self.l2 = validate_training(lr, batch_size, l1, l2)

    def reset(self):
        """Back to the initial weights (the same ones every time) and an empty history."""
        self.model = self._network()
        self._rng = np.random.default_rng(self.seed)
        self.epoch, self.diverged = 0, None
        self.history = {"train loss": [], "test loss": []}
        self.initial_loss = self.loss("train")

    def step(self, num_epochs=1):
        """Train ``num_epochs`` more epochs of mini-batch gradient descent; record the losses.

        Returns True, or False when training diverged: the weights are then those before
        the failing epoch and ``self.diverged`` says what to change.
        """
        for _ in range(as_int(num_epochs, "num_epochs", minimum=0)):
            if self.diverged or not self._epoch():
                return False
        return True

    def _epoch(self):
        saved = [(W.copy(), b.copy()) for W, b in zip(self.model.weights, self.model.biases)]
        try:
            with np.errstate(all="ignore"):  # overflow is reported below, in words
                self.model.fit_epoch(self.F_train, self.y_train, self.lr, self.batch_size,
                                     self.l1, self.l2, self._rng)
            loss = self.loss("train")
        except ValueError:  # MLP.step refuses a step whose loss or gradient is not finite
            loss = np.inf
        if self._failed(loss):
            self._diverge(saved, loss)
            return False
        self.epoch += 1
        self.history["train loss"].append(loss)
        self.history["test loss"].append(self.loss("test"))
        return True

    def _failed(self, loss):
        """Chapter 2's rule on the run so far; a setting that cannot succeed (a warning
        says so) is stopped only by a loss that is not finite."""
        losses = [self.initial_loss, *self.history["train loss"], loss]
        if not np.isfinite(loss):
            return True
        return len(losses) > JUDGE_AFTER and not self.warnings and run_failed(losses)

    def _diverge(self, saved, loss):
        """Put back the weights from before the failing epoch and say what to change."""
        for (W, b), (W0, b0) in zip(zip(self.model.weights, self.model.biases), saved):
            W[...], b[...] = W0, b0
        what = (f"over the last quarter of the epochs the training loss averaged no less "
                f"than at the start, {self.initial_loss:.2f}"
                if np.isfinite(loss) else "the loss overflowed")
        self.diverged = (f"Training diverged in epoch {self.epoch + 1}: {what}. The learning "
                         f"rate {self.lr:g} is too large: lower it and reset.")

    def _split(self, split):
        if as_choice(split, "split", SPLITS) == "train":
            return self.F_train, self.y_train
        return self.F_test, self.y_test

    def loss(self, split="train"):
        """Mean loss on the training or test points (without the L1/L2 penalty): the
        cross-entropy, or the mean squared error for a regression data set."""
        F, y = self._split(split)
        with np.errstate(all="ignore"):
            if self.task == "regression":
                return squared_error(self.model.predict(F), y)
            loss = cross_entropy(self.model.forward(F), y)[0]
        return loss if np.isfinite(loss) else float("inf")

    def accuracy(self, split="test"):
        """Fraction of the training or test points classified correctly (0 to 1); None for
        a regression data set, which has no classes."""
        F, y = self._split(split)
        if self.task == "regression":
            return None
        with np.errstate(all="ignore"):
            return float(np.mean(self.model.predict(F) == y))

    def output_map(self):
        """The network's output over the grid, a (resolution, resolution) array: the
        probability of class 1 (in [0, 1]), or the predicted value for regression."""
        with np.errstate(all="ignore"):
            if self.task == "regression":
                return self.model.predict(self.F_grid).reshape(self.xx.shape)
            return self.model.predict_proba(self.F_grid)[:, 1].reshape(self.xx.shape)

    def unit_maps(self):
        """Each hidden unit's output over the grid: a list with one (units, resolution,
        resolution) array per hidden layer (empty without hidden layers)."""
        shape = self.xx.shape
        with np.errstate(all="ignore"):
            return [H.T.reshape(H.shape[1], *shape)
                    for H in self.model.hidden_outputs(self.F_grid)]

    def messages(self):
        """The warnings and the divergence message, if any, as a list of str."""
        return self.warnings + ([self.diverged] if self.diverged else [])

    def snapshot(self):
        """Everything a figure shows, as a dict of copies (safe to draw while training
        goes on); "weights" holds each layer's weight matrix, first layer first."""
        return {
            "X_train": self.X_train, "y_train": self.y_train, "X_test": self.X_test,
            "y_test": self.y_test, "xx": self.xx, "yy": self.yy, "task": self.task,
            "output": self.output_map(), "units": self.unit_maps(),
            "weights": [W.copy() for W in self.model.weights],
            "history": {k: list(v) for k, v in self.history.items()}, "epoch": self.epoch,
            "train acc": self.accuracy("train"), "test acc": self.accuracy("test"),
            "features": self.features, "hidden": self.hidden, "messages": self.messages(),
        }
