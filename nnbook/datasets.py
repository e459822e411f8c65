"""Data sets of the course, all made or loaded offline.

2-D toy sets (Chapters 1–3): ``make_xor``, ``make_circles``, ``make_moons``,
``make_spirals``, ``make_blobs`` each return ``X: (n, 2) float64``, ``y: (n,) int64``
in {0, 1}. ``logic_gate`` gives the four rows of a truth table (Chapter 1).
``load_digits`` (Chapter 5) and ``load_mnist1d`` (Chapter 8) return
``(X_train, y_train), (X_test, y_test)``.
"""

import numpy as np

DATASETS = ("xor", "circles", "moons", "spirals", "blobs")
GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
    "xnor": (1, 0, 0, 1),
}


def _validate(n, noise, seed, min_n=2):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an int (number of points), got {type(n).__name__}")
    if n < min_n:
        raise ValueError(f"n must be ≥ {min_n} so that both classes appear, got {n}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number ≥ 0, got {noise}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an int ≥ 0, got {seed!r}")
    return np.random.default_rng(int(seed))


def _labels(n):
    """Half the points in class 0, the rest in class 1: y (n,) int64."""
    return (np.arange(n) >= n // 2).astype(np.int64)


def make_xor(n=200, noise=0.1, seed=0):
    """Points in the square [-1, 1]²; class 1 where x₁ and x₂ have opposite signs.

    Positions are jittered by Gaussian noise of standard deviation ``noise``
    after labelling, so a large noise blurs the quadrants.
    """
    rng = _validate(n, noise, seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    X += np.sign(X) * 0.1  # a margin around the axes keeps the classes apart at zero noise
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    return X + noise * rng.standard_normal((n, 2)), y


def make_circles(n=200, noise=0.1, seed=0, factor=0.5):
    """An outer circle of radius 1 (class 0) around an inner one of radius ``factor`` (class 1)."""
    rng = _validate(n, noise, seed)
    if not 0 < factor < 1:
        raise ValueError(f"factor (inner radius) must be between 0 and 1, got {factor}")
    y = _labels(n)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, factor)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + noise * rng.standard_normal((n, 2)), y


def make_moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles: class 0 on top, class 1 below, shifted right."""
    rng = _validate(n, noise, seed)
    y = _labels(n)
    angle = rng.uniform(0, np.pi, n)
    X = np.column_stack([np.cos(angle), np.sin(angle)])
    X[y == 1] = np.column_stack([1 - np.cos(angle[y == 1]), 0.5 - np.sin(angle[y == 1])])
    return X + noise * rng.standard_normal((n, 2)), y


def make_spirals(n=200, noise=0.1, seed=0, turns=1.5):
    """Two interleaved spiral arms (class 0 and class 1) inside the unit disc."""
    rng = _validate(n, noise, seed)
    if not turns > 0:
        raise ValueError(f"turns must be > 0, got {turns}")
    y = _labels(n)
    t = np.sqrt(rng.uniform(0.02, 1, n))  # sqrt spreads the points evenly along the arm
    angle = 2 * np.pi * turns * t + np.pi * y
    X = t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + noise * rng.standard_normal((n, 2)) * 0.5, y


def make_blobs(n=200, noise=0.5, seed=0):
    """Two Gaussian clouds around (-1, -1) (class 0) and (1, 1) (class 1); ``noise`` is their std."""
    rng = _validate(n, noise, seed)
    y = _labels(n)
    centres = np.where(y[:, None] == 0, -1.0, 1.0)
    return centres + noise * rng.standard_normal((n, 2)), y


def make_dataset(name, n=200, noise=0.1, seed=0):
    """Call the generator called ``name`` (one of ``DATASETS``)."""
    makers = {"xor": make_xor, "circles": make_circles, "moons": make_moons,
              "spirals": make_spirals, "blobs": make_blobs}
    if name not in makers:
        raise ValueError(f"unknown data set {name!r}: choose one of {', '.join(DATASETS)}")
    return makers[name](n=n, noise=noise, seed=seed)


def logic_gate(name):
    """Truth table of a two-input gate: X (4, 2) float64 of 0/1, y (4,) int64.

    name: one of "and", "or", "nand", "nor", "xor", "xnor" (any case).
    """
    if not isinstance(name, str) or name.lower() not in GATES:
        raise ValueError(f"unknown gate {name!r}: choose one of {', '.join(GATES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return X, np.array(GATES[name.lower()], dtype=np.int64)


def load_digits(test_size=0.25, seed=0):
    """scikit-learn's 8×8 handwritten digits (1797 images), split the same way on every machine.

    Returns ``(X_train, y_train), (X_test, y_test)``: X float32 (n, 64) pixels in [0, 1],
    y int64 labels 0–9; a stratified split with ``test_size`` of the images held out.
    """
    from sklearn.datasets import load_digits as _sk_load_digits
    from sklearn.model_selection import train_test_split

    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction between 0 and 1, got {test_size}")
    digits = _sk_load_digits()
    X = (digits.data / 16.0).astype(np.float32)  # pixel values are 0..16
    y = digits.target.astype(np.int64)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed)
    return (X_tr, y_tr), (X_te, y_te)


def load_mnist1d(seed=0, shuffle_seq=False):
    """MNIST-1D (Greydanus & Kobak), generated locally: 4000 train and 1000 test signals of length 40.

    Returns ``(X_train, y_train), (X_test, y_test)``: X float32 (n, 40), y int64 0–9.
    ``shuffle_seq=True`` permutes the 40 positions (the same permutation for every signal).
    Never downloads; numpy's global random state is left as it was.
    """
    from mnist1d.data import get_dataset_args, make_dataset as _make

    args = get_dataset_args()
    args.seed, args.shuffle_seq = int(seed), bool(shuffle_seq)
    state = np.random.get_state()  # mnist1d reseeds numpy's global generator
    try:
        data = _make(args)
    finally:
        np.random.set_state(state)
    as_x = lambda a: np.asarray(a, dtype=np.float32)
    as_y = lambda a: np.asarray(a, dtype=np.int64)
    return (as_x(data["x"]), as_y(data["y"])), (as_x(data["x_test"]), as_y(data["y_test"]))
