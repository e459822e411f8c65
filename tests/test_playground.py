"""The network playground's logic (nnbook.playground): data, features, settings, training sessions."""

import numpy as np
import pytest

from nnbook.datasets import DATASETS
from nnbook.playground import (FEATURES, RAW_FEATURES, Session, build_network, check_features,
                               check_hidden, check_training, cross_entropy, make_features,
                               setting_warnings, split_data)


# --- data and features ---

@pytest.mark.parametrize("name", DATASETS)
def test_split_data_partitions_the_points(name):
    (X_tr, y_tr), (X_te, y_te) = split_data(name, noise=0.2, test_fraction=0.3, n=100, seed=1)
    assert X_tr.shape == (70, 2) and X_te.shape == (30, 2) and y_tr.shape == (70,) and y_te.shape == (30,)
    assert set(np.unique(np.concatenate([y_tr, y_te]))) == {0, 1}
    all_points = np.vstack([X_tr, X_te])
    assert len(np.unique(all_points, axis=0)) == 100, "no point is both a training and a test point"


def test_split_data_is_deterministic_and_keeps_both_sides():
    a, b = split_data("moons", seed=3), split_data("moons", seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a[0] + a[1], b[0] + b[1]))
    (X_tr, _), (X_te, _) = split_data("xor", test_fraction=0.999, n=10)
    assert len(X_tr) == 1 and len(X_te) == 9
    (X_tr, _), (X_te, _) = split_data("xor", test_fraction=0.001, n=10)
    assert len(X_tr) == 9 and len(X_te) == 1


@pytest.mark.parametrize("fraction", [0, 1, -0.2, 1.5, "half", None])
def test_split_data_rejects_bad_fractions(fraction):
    with pytest.raises(ValueError, match="test_fraction must be a number between 0 and 1"):
        split_data("xor", test_fraction=fraction)


def test_split_data_rejects_unknown_data_set():
    with pytest.raises(ValueError, match="unknown data set"):
        split_data("squares")


def test_make_features_values_and_order():
    X = np.array([[1.0, 2.0], [-0.5, 0.0]])
    F = make_features(X, FEATURES)
    assert F.shape == (2, 7)
    expected = [1.0, 2.0, 1.0, 4.0, 2.0, np.sin(1.0), np.sin(2.0)]
    np.testing.assert_allclose(F[0], expected)
    np.testing.assert_allclose(make_features(X, ["x2^2", "x1"]), [[4.0, 1.0], [0.0, -0.5]])
    np.testing.assert_allclose(make_features(X), X)


@pytest.mark.parametrize("features, error, message", [
    ([], ValueError, "at least one input feature"),
    (["x3"], ValueError, "unknown feature"),
    (["x1", "x1"], ValueError, "once"),
    ("x1", TypeError, "list of names"),
])
def test_check_features_rejects(features, error, message):
    with pytest.raises(error, match=message):
        check_features(features)


def test_make_features_rejects_bad_points():
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        make_features(np.zeros((3, 3)))


# --- settings ---

def test_check_hidden():
    assert check_hidden([8, np.int64(3)]) == (8, 3) and check_hidden(()) == ()
    with pytest.raises(ValueError, match="hidden layer 2 has 0 units"):
        check_hidden([4, 0])
    with pytest.raises(TypeError, match="list of layer widths"):
        check_hidden(8)
    with pytest.raises(TypeError, match="must be an int"):
        check_hidden([2.5])


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=0), "learning rate must be a number > 0"),
    (dict(lr=float("nan")), "learning rate"),
    (dict(batch_size=0), "batch_size must be an int ≥ 1"),
    (dict(batch_size=2.0), "batch_size"),
    (dict(l1=-0.1), "L1 regularisation"),
    (dict(l2=float("inf")), "L2 regularisation"),
])
def test_check_training_rejects(kwargs, message):
    settings = {"lr": 0.1, "batch_size": 10, "l1": 0.0, "l2": 0.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        check_training(**settings)


def test_warning_for_no_hidden_layer_on_a_nonlinear_data_set():
    assert "No hidden layer" in setting_warnings("spirals", RAW_FEATURES, ())[0]
    assert setting_warnings("blobs", RAW_FEATURES, ()) == []
    assert setting_warnings("circles", ("x1^2", "x2^2"), ()) == []
    assert setting_warnings("xor", RAW_FEATURES, (4,)) == []


def test_build_network():
    model = build_network(3, (5, 4), "relu", seed=0)
    assert [W.shape for W in model.weights] == [(3, 5), (5, 4), (4, 2)]
    with pytest.raises(ValueError, match="unknown activation"):
        build_network(2, (4,), "softplus")
    with pytest.raises(ValueError, match="num_inputs"):
        build_network(0, (4,))
    with pytest.raises(ValueError, match="has 0 units"):
        build_network(2, (0,))


def test_cross_entropy():
    assert cross_entropy(np.array([[0.5, 0.5]]), np.array([1])) == pytest.approx(np.log(2))
    assert np.isfinite(cross_entropy(np.array([[1.0, 0.0]]), np.array([1])))  # clipped, not inf


# --- sessions ---

def test_session_trains_xor_and_records_losses():
    session = Session("xor", hidden=(4,), activation="tanh", lr=0.3, batch_size=10)
    assert session.step(150) is True
    assert session.epoch == 150 and len(session.history["train loss"]) == 150
    assert session.history["train loss"][-1] < session.history["train loss"][0]
    assert session.accuracy("test") > 0.9 and session.accuracy("train") > 0.9
    assert session.messages() == []


def test_session_reset_restores_initial_weights_and_training_is_repeatable():
    session = Session("moons", hidden=(3,), lr=0.1)
    start = [W.copy() for W in session.model.weights]
    session.step(5)
    losses = list(session.history["train loss"])
    session.reset()
    assert session.epoch == 0 and session.history == {"train loss": [], "test loss": []}
    assert all(np.array_equal(a, b) for a, b in zip(start, session.model.weights))
    session.step(5)
    assert session.history["train loss"] == losses


def test_session_maps_have_grid_shapes():
    session = Session("circles", hidden=(3, 5), resolution=12)
    assert session.output_map().shape == (12, 12)
    assert [m.shape for m in session.unit_maps()] == [(3, 12, 12), (5, 12, 12)]
    assert 0 <= session.output_map().min() and session.output_map().max() <= 1
    assert Session("blobs", hidden=(), resolution=12).unit_maps() == []


def test_session_without_hidden_layer_warns_but_trains():
    session = Session("spirals", hidden=(), lr=0.1)
    assert session.step(3) and session.epoch == 3
    assert "No hidden layer" in session.messages()[0]


def test_session_diverging_learning_rate_gives_a_plain_message():
    session = Session("spirals", features=FEATURES, hidden=(8, 8, 8), activation="relu", lr=1000.0, batch_size=1)
    assert session.step(50) is False
    message = session.messages()[-1]
    assert "diverged" in message and "Lower" in message
    assert all(np.isfinite(W).all() for W in session.model.weights), "the last finite weights are kept"
    assert np.isfinite(session.output_map()).all()
    epoch = session.epoch
    assert session.step(5) is False and session.epoch == epoch, "no training after divergence until reset"
    session.set_training(0.01, 10)
    session.reset()
    assert session.diverged is None and session.step(2)


def test_set_training_changes_settings_and_validates():
    session = Session("xor", hidden=(2,))
    session.set_training(0.5, 4, 0.001, 0.01)
    assert (session.lr, session.batch_size, session.l1, session.l2) == (0.5, 4, 0.001, 0.01)
    with pytest.raises(ValueError, match="learning rate"):
        session.set_training(-1, 4)


def test_regularisation_shrinks_the_weights():
    plain = Session("moons", hidden=(8,), lr=0.1)
    shrunk = Session("moons", hidden=(8,), lr=0.1, l2=0.1)
    plain.step(50)
    shrunk.step(50)
    norm = lambda s: sum(float((W ** 2).sum()) for W in s.model.weights)
    assert norm(shrunk) < norm(plain)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(hidden=(4, 0)), ValueError, "has 0 units"),
    (dict(activation="step"), ValueError, "unknown activation"),
    (dict(features=[]), ValueError, "at least one input feature"),
    (dict(dataset="squares"), ValueError, "unknown data set"),
    (dict(lr=0), ValueError, "learning rate"),
    (dict(resolution=1), ValueError, "resolution"),
])
def test_session_rejects_bad_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        Session(**kwargs)


def test_session_step_and_split_validation():
    session = Session("xor", hidden=(2,))
    with pytest.raises(ValueError, match="num_epochs must be an int ≥ 0"):
        session.step(-1)
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        session.accuracy("validation")
    assert session.step(0) is True and session.epoch == 0


def test_snapshot_is_a_copy():
    session = Session("xor", hidden=(2,))
    session.step(2)
    snap = session.snapshot()
    session.step(2)
    assert snap["epoch"] == 2 and len(snap["history"]["train loss"]) == 2
    assert set(snap) >= {"output", "units", "history", "train acc", "test acc", "messages", "hidden"}


# --- the maths stays apart from the drawing ---

def test_the_logic_does_not_import_plotting():
    import subprocess
    import sys

    code = "import sys, nnbook.playground; print('nnbook.plotting' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_session_grid_covers_the_points_as_the_plots_expect():
    from nnbook.plotting import grid_over

    session = Session("moons", resolution=12)
    xx, yy, grid = grid_over(np.vstack([session.X_train, session.X_test]), 12, margin=0.3)
    assert np.array_equal(session.xx, xx) and np.array_equal(session.yy, yy)
    assert session.F_grid.shape == (144, 2) and np.array_equal(session.F_grid, grid)
