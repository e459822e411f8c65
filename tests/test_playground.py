"""The network playground's logic (nnbook.playground): data, features, settings, training
sessions, the regression data set; the validators' messages say what to change."""

import numpy as np
import pytest

from nnbook.datasets import DATASETS
from nnbook.playground import (JUDGE_AFTER, FEATURES, PLAYGROUND_DATASETS, RAW_FEATURES, Session,
                               build_network, hills, make_features, make_hills,
                               setting_warnings, split_data, squared_error, validate_features,
                               validate_hidden, validate_training)


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


@pytest.mark.parametrize("fraction, error", [(0, ValueError), (1, ValueError), (-0.2, ValueError),
                                             (1.5, ValueError), ("half", TypeError),
                                             (None, TypeError)])
def test_split_data_rejects_bad_fractions(fraction, error):
    with pytest.raises(error, match=r"test_fraction must be a number between 0 and 1 \(exclusive\), "
                                    f"got {fraction!r}"):
        split_data("xor", test_fraction=fraction)


@pytest.mark.parametrize("seed, error, message", [
    (-1, ValueError, "seed must be an int from 0 to 2\\*\\*32 - 1, got -1"),
    (1.5, TypeError, "seed must be an int from 0 to 2\\*\\*32 - 1, got 1.5"),
    ("0", TypeError, "seed must be an int from 0 to 2\\*\\*32 - 1, got '0'"),
])
def test_seeds_get_our_message_not_numpys(seed, error, message):
    with pytest.raises(error, match=message):
        split_data("xor", seed=seed)
    with pytest.raises(error, match=message):
        Session("xor", hidden=(2,), seed=seed)


def test_split_data_rejects_unknown_data_set():
    with pytest.raises(ValueError, match="unknown data set 'squares': choose one of xor, "
                                         "circles, moons, spirals, blobs, hills"):
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
    ([], ValueError, r"choose at least one input feature, for example \['x1', 'x2'\]"),
    (["x3"], ValueError, r"unknown feature\(s\) \['x3'\]: choose from x1, x2, x1\^2"),
    (["x1**2", "x2"], ValueError, r"unknown feature\(s\) \['x1\*\*2'\]: choose from"),
    (["x1", "x2", "x1"], ValueError,
     r"each feature may appear once, got \['x1', 'x2', 'x1'\]: remove the repeated 'x1'"),
    ("x1", TypeError, r"features must be a list of names such as \['x1', 'x2'\], got 'x1': "
                      r"put the name\(s\) in a list"),
    (None, TypeError, "features must be a list of names"),
])
def test_validate_features_rejects(features, error, message):
    with pytest.raises(error, match=message):
        validate_features(features)


def test_validate_features_accepts_lists_and_tuples():
    assert validate_features(["x1^2", "x2^2"]) == ("x1^2", "x2^2")
    assert validate_features(FEATURES) == FEATURES


def test_make_features_rejects_bad_points():
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        make_features(np.zeros((3, 3)))


# --- settings ---

def test_validate_hidden():
    assert validate_hidden([8, np.int64(3)]) == (8, 3) and validate_hidden(()) == ()


@pytest.mark.parametrize("hidden, error, message", [
    ([4, 0], ValueError, r"hidden layer 2 has 0 units: a layer needs at least 1 unit \(to drop a "
                         r"layer, lower the number of hidden layers\)"),
    (8, TypeError, r"hidden must be a list of layer widths such as \[8, 8\] \(\[\] for none\), "
                   "got 8"),
    ([2.5], TypeError, "hidden layer 1's number of units must be an int, got 2.5"),
    ([4, True], TypeError, "hidden layer 2's number of units must be an int, got True"),
])
def test_validate_hidden_rejects(hidden, error, message):
    with pytest.raises(error, match=message):
        validate_hidden(hidden)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr=0), ValueError, "the learning rate lr must be a finite number > 0, got 0"),
    (dict(lr=float("nan")), ValueError, "the learning rate lr must be a finite number > 0, got nan"),
    (dict(lr="0.1"), TypeError, "the learning rate lr must be a finite number > 0, got '0.1'"),
    (dict(batch_size=0), ValueError, "batch_size must be an int ≥ 1, got 0"),
    (dict(batch_size=2.0), TypeError, "batch_size must be an int ≥ 1, got 2.0"),
    (dict(l1=-0.1), ValueError, "the L1 regularisation strength l1 must be a finite number ≥ 0, "
                                "got -0.1"),
    (dict(l2=float("inf")), ValueError, "the L2 regularisation strength l2 must be a finite "
                                        "number ≥ 0, got inf"),
])
def test_validate_training_rejects(kwargs, error, message):
    settings = {"lr": 0.1, "batch_size": 10, "l1": 0.0, "l2": 0.0, **kwargs}
    with pytest.raises(error, match=message):
        validate_training(**settings)


def test_validate_training_converts():
    assert validate_training(np.float32(0.5), np.int64(4)) == (0.5, 4, 0.0, 0.0)


def test_warning_for_no_hidden_layer_on_a_nonlinear_data_set():
    assert "No hidden layer" in setting_warnings("spirals", RAW_FEATURES, ())[0]
    assert setting_warnings("blobs", RAW_FEATURES, ()) == []
    assert setting_warnings("circles", ("x1^2", "x2^2"), ()) == []
    assert setting_warnings("xor", RAW_FEATURES, (4,)) == []


def test_build_network():
    model = build_network(3, (5, 4), "relu", seed=0)
    assert [W.shape for W in model.weights] == [(3, 5), (5, 4), (4, 2)]
    assert model.loss == "cross_entropy"
    regression = build_network(2, (3,), regression=True)
    assert regression.sizes == [2, 3, 1] and regression.loss == "mse"
    with pytest.raises(ValueError, match="unknown activation 'softplus': choose one of sigmoid, "
                                         "tanh, relu"):
        build_network(2, (4,), "softplus")
    with pytest.raises(ValueError, match="num_inputs must be an int ≥ 1, got 0"):
        build_network(0, (4,))
    with pytest.raises(ValueError, match="has 0 units"):
        build_network(2, (0,))


def test_session_loss_is_the_books_cross_entropy():
    from nnbook.scratch import cross_entropy

    session = Session("moons", hidden=(4,))
    session.step(3)
    logits = session.model.forward(session.F_test)
    assert session.loss("test") == cross_entropy(logits, session.y_test)[0]


def test_failed_runs_are_judged_by_chapter_2s_rule():
    from nnbook.learning import run_failed

    # circles at lr 1: the loss jumps above its start in epoch 13, then comes down to 0
    recovering = Session("circles", lr=1.0)
    assert recovering.step(300) and recovering.history["train loss"][-1] < 0.01
    # spirals at lr 3: it stays above its start, and is stopped once it can be judged
    failing = Session("spirals", lr=3.0)
    assert failing.step(300) is False and failing.epoch == JUDGE_AFTER - 1
    assert run_failed([failing.initial_loss, *failing.history["train loss"], 1e3])
    assert "last quarter" in failing.diverged and "lower it" in failing.diverged
    # a setting a warning already explains is stopped only by a loss that overflows
    stuck = Session("xor", hidden=(), lr=3.0)
    assert stuck.warnings and stuck.step(100)


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
    assert "diverged" in message and "lower it" in message
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
    (dict(activation="step"), ValueError, "unknown activation 'step': choose one of"),
    (dict(features=[]), ValueError, "at least one input feature"),
    (dict(dataset="squares"), ValueError, "unknown data set 'squares': choose one of"),
    (dict(lr=0), ValueError, "learning rate lr must be a finite number > 0"),
    (dict(resolution=1), ValueError, "resolution must be an int ≥ 2, got 1"),
    (dict(resolution=40.0), TypeError, "resolution must be an int ≥ 2, got 40.0"),
])
def test_session_rejects_bad_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        Session(**kwargs)


def test_session_step_and_split_validation():
    session = Session("xor", hidden=(2,))
    with pytest.raises(ValueError, match="num_epochs must be an int ≥ 0, got -1"):
        session.step(-1)
    with pytest.raises(TypeError, match="num_epochs must be an int ≥ 0, got 2.0"):
        session.step(2.0)
    with pytest.raises(ValueError, match="unknown split 'validation': choose one of train, test"):
        session.accuracy("validation")
    assert session.step(0) is True and session.epoch == 0


def test_snapshot_is_a_copy():
    session = Session("xor", hidden=(2,))
    session.step(2)
    snap = session.snapshot()
    session.step(2)
    assert snap["epoch"] == 2 and len(snap["history"]["train loss"]) == 2
    assert set(snap) >= {"output", "units", "history", "train acc", "test acc", "messages", "hidden",
                         "weights", "task"}
    assert [W.shape for W in snap["weights"]] == [(2, 2), (2, 2)] and snap["task"] == "classification"
    snap["weights"][0][...] = 0
    assert session.model.weights[0].any(), "the weights in a snapshot are copies"


# --- the regression data set ---

def test_hills_data_set():
    X, y = make_hills(n=300, noise=0.0, seed=1)
    assert X.shape == (300, 2) and y.shape == (300,) and y.dtype == np.float64
    assert np.abs(X).max() <= 1 and -1 <= y.min() < -0.5 and 0.5 < y.max() <= 1
    np.testing.assert_allclose(hills(np.array([[-0.4, -0.3], [0.4, 0.3]])), [1, -1], atol=0.02)
    noisy = make_hills(n=300, noise=0.2, seed=1)[1]
    assert 0.1 < np.std(noisy - y) < 0.3
    assert "hills" in PLAYGROUND_DATASETS


def test_session_fits_the_hills_with_squared_error():
    session = Session("hills", hidden=(8,), lr=0.1, batch_size=10)
    assert session.task == "regression" and session.model.loss == "mse"
    start = session.loss("test")
    assert session.step(200)
    assert session.loss("test") < 0.5 * start
    assert session.accuracy("test") is None, "regression has no accuracy"
    assert session.loss("train") == pytest.approx(squared_error(
        session.model.predict(session.F_train), session.y_train))
    out = session.output_map()
    assert out.shape == session.xx.shape and np.isfinite(out).all()
    snap = session.snapshot()
    assert snap["task"] == "regression" and snap["train acc"] is None


def test_regression_without_hidden_layer_warns_and_can_diverge():
    assert "can only fit a tilted plane" in setting_warnings("hills", RAW_FEATURES, ())[0]
    assert setting_warnings("hills", ("x1^2", "x2"), ()) == []
    session = Session("hills", features=FEATURES, hidden=(8, 8, 8), activation="relu",
                      lr=10.0, batch_size=1)
    assert session.step(20) is False and "diverged" in session.messages()[-1]


def test_squared_error():
    assert squared_error(np.array([1.0, 2.0]), np.array([0.0, 0.0])) == 2.5
    assert squared_error(np.array([np.nan]), np.array([0.0])) == float("inf")


# --- the maths stays apart from the drawing ---

def test_the_logic_does_not_import_plotting():
    import subprocess
    import sys

    code = ("import sys, nnbook.playground; "
            "print(any(m in sys.modules for m in ('nnbook.plotting', 'matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_session_grid_covers_the_points_as_the_plots_expect():
    from nnbook.datasets import grid_over

    session = Session("moons", resolution=12)
    xx, yy, grid = grid_over(np.vstack([session.X_train, session.X_test]), 12, margin=0.3)
    assert np.array_equal(session.xx, xx) and np.array_equal(session.yy, yy)
    assert session.F_grid.shape == (144, 2) and np.array_equal(session.F_grid, grid)
