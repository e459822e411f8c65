"""Data sets of the course, all made or loaded offline.

2-D toy sets (Chapters 1–3): ``make_xor``, ``make_circles``, ``make_moons``,
``make_spirals``, ``make_blobs`` each return ``X: (n, 2) float64``, ``y: (n,) int64``
in {0, 1}. ``logic_gate`` gives the four rows of a truth table (Chapter 1).
``load_digits`` (Chapter 5) and ``load_mnist1d`` (Chapter 8) return
``(X_train, y_train), (X_test, y_test)``.
"""

import numpy as np

from nnbook.validation import (as_array, as_choice, as_fraction, as_int, as_nonnegative,
                               as_positive, as_seed)

DATASETS = ("xor", "circles", "moons", "spirals", "blobs")
GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
    "xnor": (1, 0, 0, 1),
}


def as_points(X, y=None):
    """A 2-D data set: X (n, 2) finite floats, n ≥ 1, and y (n,) labels or None.
    Returns numpy arrays."""
    X = as_array(X, "X", shape=("n", 2))
    return X, None if y is None else as_array(y, "y", shape=(len(X),), dtype=None)


def grid_over(X, resolution=100, margin=0.5):
    """A square grid covering the points: returns xx, yy (resolution, resolution) and
    the grid points as an (resolution², 2) array."""
    X, _ = as_points(X)
    resolution = as_int(resolution, "resolution", minimum=2)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def _generator(n, noise, seed):
    """Check the common arguments (n ≥ 2, so that both classes appear); return the rng."""
    as_int(n, "n", minimum=2)
    as_nonnegative(noise, "noise")
    return np.random.default_rng(as_seed(seed))


def _labels(n):
    """Half the points in class 0, the rest in class 1: y (n,) int64."""
    return (np.arange(n) >= n // 2).astype(np.int64)


def make_xor(n=200, noise=0.1, seed=0):
    """Points in the square [-1, 1]²; class 1 where x₁ and x₂ have opposite signs.

    Positions are jittered by Gaussian noise of standard deviation ``noise``
    after labelling, so a large noise blurs the quadrants.
    """
    rng = _generator(n, noise, seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    X += np.sign(X) * 0.1  # a margin around the axes keeps the classes apart at zero noise
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    return X + noise * rng.standard_normal((n, 2)), y


def make_circles(n=200, noise=0.1, seed=0, factor=0.5):
    """An outer circle of radius 1 (class 0) around an inner one of radius ``factor`` (class 1)."""
    rng = _generator(n, noise, seed)
    as_fraction(factor, "factor")
    y = _labels(n)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, factor)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + noise * rng.standard_normal((n, 2)), y


def make_moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles: class 0 on top, class 1 below, shifted right."""
    rng = _generator(n, noise, seed)
    y = _labels(n)
    angle = rng.uniform(0, np.pi, n)
    X = np.column_stack([np.cos(angle), np.sin(angle)])
    X[y == 1] = np.column_stack([1 - np.cos(angle[y == 1]), 0.5 - np.sin(angle[y == 1])])
    return X + noise * rng.standard_normal((n, 2)), y


def make_spirals(n=200, noise=0.1, seed=0, turns=1.5):
    """Two interleaved spiral arms (class 0 and class 1) inside the unit disc."""
    rng = _generator(n, noise, seed)
    as_positive(turns, "turns")
    y = _labels(n)
    t = np.sqrt(rng.uniform(0.02, 1, n))  # sqrt spreads the points evenly along the arm
    angle = 2 * np.pi * turns * t + np.pi * y
    X = t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + noise * rng.standard_normal((n, 2)) * 0.5, y


def make_blobs(n=200, noise=0.5, seed=0):
    """Two Gaussian clouds around (-1, -1) (class 0) and (1, 1) (class 1); ``noise`` is their std."""
    rng = _generator(n, noise, seed)
    y = _labels(n)
    centres = np.where(y[:, None] == 0, -1.0, 1.0)
    return centres + noise * rng.standard_normal((n, 2)), y


def make_dataset(name, n=200, noise=0.1, seed=0):
    """Call the generator called ``name`` (one of ``DATASETS``)."""
    makers = {"xor": make_xor, "circles": make_circles, "moons": make_moons,
              "spirals": make_spirals, "blobs": make_blobs}
    return makers[as_choice(name, "data set", DATASETS)](n=n, noise=noise, seed=seed)


def logic_gate(name):
    """Truth table of a two-input gate: X (4, 2) float64 of 0/1, y (4,) int64.

    name: one of "and", "or", "nand", "nor", "xor", "xnor" (any case).
    """
    name = as_choice(name, "gate", tuple(GATES), ignore_case=True)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return X, np.array(GATES[name], dtype=np.int64)


def load_digits(test_size=0.25, seed=0):
    """scikit-learn's 8×8 handwritten digits (1797 images), split the same way on every machine.

    Returns ``(X_train, y_train), (X_test, y_test)``: X float32 (n, 64) pixels in [0, 1],
    y int64 labels 0–9; a stratified split with ``test_size`` of the images held out.
    """
    from sklearn.datasets import load_digits as _sk_load_digits
    from sklearn.model_selection import train_test_split

    as_fraction(test_size, "test_size")
    as_seed(seed)
    digits = _sk_load_digits()
    X = (digits.data / 16.0).astype(np.float32)  # pixel values are 0..16
    y = digits.target.astype(np.int64)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed)
    return (X_tr, y_tr), (X_te, y_te)


def load_mnist1d(seed=0, shuffle_seq=False, num_samples=5000):
    """MNIST-1D (Greydanus & Kobak), generated locally: 4000 train and 1000 test signals of length 40.

    Returns ``(X_train, y_train), (X_test, y_test)``: X float32 (n, 40), y int64 0–9.
    ``shuffle_seq=True`` permutes the 40 positions (the same permutation for every signal).
    ``num_samples``: how many signals to generate, 80 % for training and 20 % for testing
    (5000 is the published data set; 12,500 takes about 4 s). Never downloads; numpy's
    global random state is left as it was.
    """
    from mnist1d.data import get_dataset_args, make_dataset as _make

    args = get_dataset_args()
    args.seed, args.shuffle_seq = as_seed(seed), bool(shuffle_seq)
    args.num_samples = as_int(num_samples, "num_samples", minimum=10)
    state = np.random.get_state()  # mnist1d reseeds numpy's global generator
    try:
        data = _make(args)
    finally:
        np.random.set_state(state)
    as_x = lambda a: np.asarray(a, dtype=np.float32)
    as_y = lambda a: np.asarray(a, dtype=np.int64)
    return (as_x(data["x"]), as_y(data["y"])), (as_x(data["x_test"]), as_y(data["y_test"]))
