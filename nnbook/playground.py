"""The network playground's logic (Chapter 3, *Layers*): data, input features, network, training.

Everything here is plain numpy and runs headlessly; ``nnbook.widgets.playground`` draws it
and drives it from JupyterLab (this module imports nothing of plotting, so the checks and
scripts that train a Session never load matplotlib). The network is the course's own numpy MLP
(``nnbook.scratch.MLP``, built in Chapter 5), trained by mini-batch gradient descent on
the cross-entropy, with gradients from backpropagation (Chapter 4).

A :class:`Session` holds one setting of the playground: a 2-D data set split into
training and test points, the input features, the network and its training history.
``Session.step(n)`` trains ``n`` more epochs, ``Session.reset()`` starts again from the
same initial weights, and ``Session.unit_maps()`` gives each hidden unit's output over a
grid covering the data (what the playground draws as small maps).
"""

import numpy as np

from nnbook.datasets import make_dataset

ACTIVATIONS = ("relu", "tanh", "sigmoid")
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
# Training counts as diverged when the training loss climbs above this multiple of its
# value before training (or stops being finite): the learning rate is then too large.
DIVERGENCE_FACTOR = 5.0
# Data sets a straight line can split; on the others a network without hidden layer
# (and without hand-made features) cannot succeed.
LINEAR_DATASETS = ("blobs",)
DATASET_NAMES = {"xor": "XOR quadrants", "circles": "circles", "moons": "moons", "spirals": "spirals",
                 "blobs": "blobs"}


def split_data(name, noise=0.1, test_fraction=0.5, n=200, seed=0):
    """Make the data set ``name`` (one of ``nnbook.datasets.DATASETS``) and split it at random.

    Returns ``(X_train, y_train), (X_test, y_test)``: X (m, 2) float64, y (m,) int64;
    a fraction ``test_fraction`` of the ``n`` points (rounded, at least one, never all)
    is held out for testing.
    """
    if not isinstance(test_fraction, (int, float, np.floating)) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a number between 0 and 1 (exclusive), got {test_fraction!r}")
    X, y = make_dataset(name, n=n, noise=noise, seed=seed)
    n_test = min(max(1, int(round(n * test_fraction))), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return (X[train], y[train]), (X[test], y[test])


def grid_around(X, resolution=40, margin=0.3):
    """A square grid covering the points X (n, 2) with ``margin`` to spare on each side.

    Returns xx, yy (resolution, resolution) and the grid points (resolution², 2), as
    ``nnbook.plotting.grid_over`` does (a test keeps them equal), so that the maps
    line up with the plots.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or resolution < 2:
        raise ValueError(f"resolution must be an int ≥ 2, got {resolution!r}")
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def check_features(features):
    """Validate a selection of input features: a non-empty list of names from ``FEATURES``."""
    if isinstance(features, str) or not isinstance(features, (list, tuple)):
        raise TypeError(f"features must be a list of names such as ['x1', 'x2'], got {features!r}")
    if not features:
        raise ValueError("choose at least one input feature, for example ['x1', 'x2']")
    unknown = [f for f in features if f not in FEATURE_FUNCTIONS]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}: choose from {', '.join(FEATURES)}")
    if len(set(features)) != len(features):
        raise ValueError(f"each feature may appear once, got {list(features)}")
    return tuple(features)


def make_features(X, features=RAW_FEATURES):
    """The network's inputs: one column per feature name, computed from the points X (n, 2).

    Returns an (n, len(features)) float64 array, columns in the order given.
    """
    features = check_features(features)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    return np.column_stack([FEATURE_FUNCTIONS[f](X) for f in features])


def check_hidden(hidden):
    """Validate hidden layer sizes: a list of ints ≥ 1 (an empty list means no hidden layer)."""
    if isinstance(hidden, (int, np.integer)) or not isinstance(hidden, (list, tuple)):
        raise TypeError(f"hidden must be a list of layer widths such as [8, 8] ([] for none), got {hidden!r}")
    for k, width in enumerate(hidden, 1):
        if isinstance(width, bool) or not isinstance(width, (int, np.integer)):
            raise TypeError(f"hidden layer {k}: the number of units must be an int, got {width!r}")
        if width < 1:
            raise ValueError(f"hidden layer {k} has {width} units: a layer needs at least 1 unit "
                             "(to drop a layer, lower the number of hidden layers instead)")
    return tuple(int(w) for w in hidden)


def check_training(lr, batch_size, l1=0.0, l2=0.0):
    """Validate the training settings; returns them as (float, int, float, float)."""
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.number)) or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"the learning rate must be a number > 0, got {lr!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be an int ≥ 1, got {batch_size!r}")
    for name, value in (("l1", l1), ("l2", l2)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or not np.isfinite(value) or value < 0:
            raise ValueError(f"the {name.upper()} regularisation strength must be a number ≥ 0, "
                             f"got {value!r}")
    return float(lr), int(batch_size), float(l1), float(l2)


def setting_warnings(dataset, features, hidden):
    """Plain-language warnings about settings that train but cannot succeed (a list of str)."""
    if hidden or dataset in LINEAR_DATASETS or set(features) - set(RAW_FEATURES):
        return []
    return [f"No hidden layer: the network can only draw a straight boundary, and no straight "
            f"line splits the {DATASET_NAMES.get(dataset, dataset)}. "
            "Add a hidden layer or a hand-made feature."]


def build_network(num_inputs, hidden, activation="tanh", seed=0):
    """The playground's network: an MLP with ``num_inputs`` inputs, the given hidden widths
    and two outputs (softmax over the two classes), from ``nnbook.scratch``."""
    from nnbook.scratch import MLP

    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: choose one of {', '.join(ACTIVATIONS)}")
    if isinstance(num_inputs, bool) or not isinstance(num_inputs, (int, np.integer)) or num_inputs < 1:
        raise ValueError(f"num_inputs must be an int ≥ 1, got {num_inputs!r}")
    return MLP([int(num_inputs), *check_hidden(hidden), 2], activation=activation,
               loss="cross_entropy", seed=seed)


def cross_entropy(proba, y):
    """Mean cross-entropy of predicted class probabilities proba (n, 2) for labels y (n,)."""
    picked = np.asarray(proba, dtype=float)[np.arange(len(y)), y]
    if not np.isfinite(picked).all():
        return float("inf")
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


class Session:
    """One setting of the playground: data, features, network and training history.

    dataset, noise, test_fraction, n, seed: the data (see :func:`split_data`);
    features: input feature names (``FEATURES``); hidden: hidden layer widths, e.g. (8, 8);
    activation: one of ``ACTIVATIONS``; lr, batch_size, l1, l2: the training settings
    (changeable later with :meth:`set_training`); resolution: side of the grid of the maps.
    """

    def __init__(self, dataset="spirals", noise=0.1, test_fraction=0.5, features=RAW_FEATURES,
                 hidden=(8, 8), activation="tanh", lr=0.03, batch_size=10, l1=0.0, l2=0.0,
                 n=200, seed=0, resolution=40):
        self.features, self.hidden = check_features(features), check_hidden(hidden)
        self.activation, self.seed = activation, seed
        (self.X_train, self.y_train), (self.X_test, self.y_test) = split_data(
            dataset, noise, test_fraction, n, seed)
        self.dataset, self.warnings = dataset, setting_warnings(dataset, self.features, self.hidden)
        self.set_training(lr, batch_size, l1, l2)
        self.F_train = make_features(self.X_train, self.features)
        self.F_test = make_features(self.X_test, self.features)
        self.xx, self.yy, grid = grid_around(np.vstack([self.X_train, self.X_test]), resolution)
        self.F_grid = make_features(grid, self.features)
        build_network(len(self.features), self.hidden, activation, seed)  # validate before reset
        self.reset()

    def set_training(self, lr, batch_size, l1=0.0, l2=0.0):
        """Change the learning rate, batch size and regularisation; training goes on from here."""
        self.lr, self.batch_size, self.l1, self.l2 = check_training(lr, batch_size, l1, l2)

    def reset(self):
        """Back to the initial weights (the same ones every time) and an empty history."""
        self.model = build_network(len(self.features), self.hidden, self.activation, self.seed)
        self._rng = np.random.default_rng(self.seed)
        self.epoch, self.diverged = 0, None
        self.history = {"train loss": [], "test loss": []}
        self.initial_loss = self.loss("train")

    def step(self, num_epochs=1):
        """Train ``num_epochs`` more epochs of mini-batch gradient descent; record the losses.

        Returns True, or False when training diverged: the weights are then those before
        the failing epoch and ``self.diverged`` says what to change.
        """
        if isinstance(num_epochs, bool) or not isinstance(num_epochs, (int, np.integer)) or num_epochs < 0:
            raise ValueError(f"num_epochs must be an int ≥ 0, got {num_epochs!r}")
        for _ in range(num_epochs):
            if self.diverged or not self._epoch():
                return False
        return True

    def _epoch(self):
        saved = [(W.copy(), b.copy()) for W, b in zip(self.model.weights, self.model.biases)]
        order = self._rng.permutation(len(self.y_train))
        try:
            with np.errstate(all="ignore"):  # overflow is reported below, in words
                for start in range(0, len(order), self.batch_size):
                    batch = order[start:start + self.batch_size]
                    self.model.step(self.F_train[batch], self.y_train[batch], self.lr, self.l1, self.l2)
            loss = self.loss("train")
        except ValueError:  # MLP.step refuses a step whose loss or gradient is not finite
            loss = np.inf
        if not loss <= DIVERGENCE_FACTOR * self.initial_loss:
            for (W, b), (W0, b0) in zip(zip(self.model.weights, self.model.biases), saved):
                W[...], b[...] = W0, b0
            rose = (f" (the training loss rose from {self.initial_loss:.2f} to {loss:.3g})"
                    if np.isfinite(loss) else "")
            self.diverged = (f"Training diverged in epoch {self.epoch + 1}{rose}: the learning rate "
                             f"{self.lr:g} is too large. Lower it and reset.")
            return False
        self.epoch += 1
        self.history["train loss"].append(loss)
        self.history["test loss"].append(self.loss("test"))
        return True

    def _split(self, split):
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        return (self.F_train, self.y_train) if split == "train" else (self.F_test, self.y_test)

    def loss(self, split="train"):
        """Mean cross-entropy on the training or test points (without the L1/L2 penalty)."""
        F, y = self._split(split)
        with np.errstate(all="ignore"):
            return cross_entropy(self.model.predict_proba(F), y)

    def accuracy(self, split="test"):
        """Fraction of the training or test points classified correctly (0 to 1)."""
        F, y = self._split(split)
        with np.errstate(all="ignore"):
            return float(np.mean(self.model.predict(F) == y))

    def output_map(self):
        """Probability of class 1 over the grid: (resolution, resolution) array in [0, 1]."""
        with np.errstate(all="ignore"):
            return self.model.predict_proba(self.F_grid)[:, 1].reshape(self.xx.shape)

    def unit_maps(self):
        """Each hidden unit's output over the grid: a list with one (units, resolution,
        resolution) array per hidden layer (empty without hidden layers)."""
        shape = self.xx.shape
        with np.errstate(all="ignore"):
            return [H.T.reshape(H.shape[1], *shape) for H in self.model.hidden_outputs(self.F_grid)]

    def messages(self):
        """The warnings and the divergence message, if any, as a list of str."""
        return self.warnings + ([self.diverged] if self.diverged else [])

    def snapshot(self):
        """Everything a figure shows, as a dict of copies (safe to draw while training goes on)."""
        return {
            "X_train": self.X_train, "y_train": self.y_train, "X_test": self.X_test, "y_test": self.y_test,
            "xx": self.xx, "yy": self.yy, "output": self.output_map(), "units": self.unit_maps(),
            "history": {k: list(v) for k, v in self.history.items()}, "epoch": self.epoch,
            "train acc": self.accuracy("train"), "test acc": self.accuracy("test"),
            "features": self.features, "hidden": self.hidden, "messages": self.messages(),
        }
