import numpy as np
import pytest

from nnbook import datasets


@pytest.mark.parametrize("name", datasets.DATASETS)
def test_toy_sets_shape_dtype_and_determinism(name):
    X, y = datasets.make_dataset(name, n=101, noise=0.2, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    X2, y2 = datasets.make_dataset(name, n=101, noise=0.2, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, datasets.make_dataset(name, n=101, noise=0.2, seed=4)[0])


@pytest.mark.parametrize("name", datasets.DATASETS)
def test_zero_noise_is_allowed(name):
    X, _ = datasets.make_dataset(name, n=10, noise=0.0)
    assert np.all(np.isfinite(X))


def test_xor_labels_follow_the_quadrants_without_noise():
    X, y = datasets.make_xor(n=500, noise=0.0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))


def test_circles_radii_without_noise():
    X, y = datasets.make_circles(n=100, noise=0.0, factor=0.3)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.where(y == 0, 1.0, 0.3))


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n": 1}, ValueError, "n must be an int ≥ 2, got 1"),
    ({"n": 2.5}, TypeError, "n must be an int ≥ 2, got 2.5"),
    ({"n": True}, TypeError, "n must be an int ≥ 2, got True"),
    ({"noise": -0.1}, ValueError, "noise must be a finite number ≥ 0, got -0.1"),
    ({"noise": float("nan")}, ValueError, "noise must be a finite number ≥ 0, got nan"),
    ({"seed": -1}, ValueError, "seed must be an int from 0 to 2**32 - 1, got -1"),
    ({"seed": 1.5}, TypeError, "seed must be an int from 0 to 2**32 - 1, got 1.5"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error) as raised:
        datasets.make_moons(**kwargs)
    assert str(raised.value) == message


def test_bad_shape_parameters():
    with pytest.raises(ValueError, match=r"^factor must be a number between 0 and 1 \(exclusive\), got 1.5$"):
        datasets.make_circles(factor=1.5)
    with pytest.raises(ValueError, match="^turns must be a finite number > 0, got 0$"):
        datasets.make_spirals(turns=0)
    with pytest.raises(ValueError, match="^unknown data set 'swirl': choose one of xor, circles, moons, spirals, blobs$"):
        datasets.make_dataset("swirl")


def test_logic_gates():
    X, y = datasets.logic_gate("XOR")
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    for name, table in datasets.GATES.items():
        assert tuple(datasets.logic_gate(name)[1]) == table
    with pytest.raises(ValueError, match="^unknown gate 'maybe': choose one of and, or, nand, nor, xor, xnor$"):
        datasets.logic_gate("maybe")
    with pytest.raises(ValueError, match="^unknown gate 3: choose one of"):
        datasets.logic_gate(3)


def test_load_digits_split():
    (X_tr, y_tr), (X_te, y_te) = datasets.load_digits()
    assert X_tr.shape == (1347, 64) and X_te.shape == (450, 64)
    assert X_tr.dtype == np.float32 and y_tr.dtype == np.int64
    assert 0.0 <= X_tr.min() and X_tr.max() <= 1.0
    # stratified: every class keeps about a quarter of its images in the test set
    fractions = np.bincount(y_te) / (np.bincount(y_te) + np.bincount(y_tr))
    assert np.all(np.abs(fractions - 0.25) < 0.02)
    (X_tr2, _), _ = datasets.load_digits()
    np.testing.assert_array_equal(X_tr, X_tr2)
    with pytest.raises(ValueError, match=r"^test_size must be a number between 0 and 1 \(exclusive\), got 1.5$"):
        datasets.load_digits(test_size=1.5)
    with pytest.raises(ValueError, match=r"^seed must be an int from 0 to 2\*\*32 - 1, got -3$"):
        datasets.load_digits(seed=-3)


def test_load_mnist1d_offline_and_leaves_numpy_state_alone():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    (X_tr, y_tr), (X_te, y_te) = datasets.load_mnist1d()
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    assert X_tr.shape == (4000, 40) and X_te.shape == (1000, 40)
    assert X_tr.dtype == np.float32 and y_tr.dtype == np.int64 and set(np.unique(y_te)) == set(range(10))
    (X_tr2, _), _ = datasets.load_mnist1d()
    np.testing.assert_array_equal(X_tr, X_tr2)


def test_load_mnist1d_generates_more_signals_on_request():
    (X_tr, y_tr), (X_te, _) = datasets.load_mnist1d(num_samples=1000)
    assert X_tr.shape == (800, 40) and X_te.shape == (200, 40)
    assert set(np.unique(y_tr)) == set(range(10))


def test_load_mnist1d_refuses_too_few_signals():
    with pytest.raises(ValueError, match="num_samples"):
        datasets.load_mnist1d(num_samples=0)
