"""The numpy MLP of Chapter 5: shapes, gradients (against torch.autograd and finite
differences), training, and clear errors on bad input."""

import warnings

import numpy as np
import pytest
import torch

from nnbook.datasets import load_digits, make_moons
from nnbook.activations import TRAINABLE, sigmoid
from nnbook.learning import minibatches
from nnbook.scratch import (DTYPE, MLP, activate, activation_grad, cross_entropy, log_softmax,
                            softmax)


def batch(sizes, n=7, loss="cross_entropy", seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0])).astype(np.float32)
    if loss == "cross_entropy":
        return X, rng.integers(0, sizes[-1], n)
    return X, rng.standard_normal((n, sizes[-1])).astype(np.float32)


def torch_loss_and_grads(model, X, y, l1=0.0, l2=0.0):
    """The same network in PyTorch (float64, same weights): loss and (dW, db) per layer."""
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in model.weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in model.biases]
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[model.activation]
    A = torch.tensor(X, dtype=torch.float64)
    for W, b in zip(Ws[:-1], bs[:-1]):
        A = act(A @ W + b)
    Z = A @ Ws[-1] + bs[-1]
    if model.loss == "cross_entropy":
        loss = torch.nn.functional.cross_entropy(Z, torch.as_tensor(y))
    else:
        loss = torch.nn.functional.mse_loss(Z, torch.tensor(y, dtype=torch.float64).reshape(Z.shape))
    loss = loss + sum(l1 * W.abs().sum() + l2 / 2 * (W * W).sum() for W in Ws)
    loss.backward()
    return loss.item(), [(W.grad.numpy(), b.grad.numpy()) for W, b in zip(Ws, bs)]


CASES = [([5, 4, 3], "relu", "cross_entropy"), ([5, 6, 4, 3], "tanh", "cross_entropy"),
         ([5, 4, 3], "sigmoid", "cross_entropy"), ([5, 3], "relu", "cross_entropy"),
         ([5, 4, 2], "relu", "mse"), ([5, 6, 4, 1], "tanh", "mse"), ([5, 1], "sigmoid", "mse")]


@pytest.mark.parametrize("sizes, activation, loss", CASES)
@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.01, 0.0), (0.0, 0.1), (0.02, 0.05)])
def test_gradients_match_torch_autograd(sizes, activation, loss, l1, l2):
    model = MLP(sizes, activation=activation, loss=loss, seed=3)
    for b in model.biases:  # non-zero biases, so that their gradients are tested too
        b += np.linspace(-0.2, 0.3, len(b), dtype=DTYPE)
    X, y = batch(sizes, loss=loss)
    ours, grads = model.loss_and_grads(X, y, l1=l1, l2=l2)
    theirs, expected = torch_loss_and_grads(model, X, y, l1, l2)
    assert ours == pytest.approx(theirs, rel=1e-5)
    assert len(grads) == len(model.weights)
    for (dW, db), (tW, tb), W, b in zip(grads, expected, model.weights, model.biases):
        assert dW.shape == W.shape and db.shape == b.shape
        np.testing.assert_allclose(dW, tW, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(db, tb, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("sizes, activation, loss", CASES[:2] + CASES[4:6])
def test_gradients_match_finite_differences_in_float64(sizes, activation, loss):
    model = MLP(sizes, activation=activation, loss=loss, seed=4)
    # float64 weights make the whole computation float64, precise enough for central differences
    model.weights = [W.astype(np.float64) for W in model.weights]
    model.biases = [b.astype(np.float64) + 0.1 for b in model.biases]
    X, y = batch(sizes, n=5, loss=loss, seed=2)
    _, grads = model.loss_and_grads(X, y, l1=0.01, l2=0.1)
    eps = 1e-6
    for params, which in ((model.weights, 0), (model.biases, 1)):
        for layer, P in enumerate(params):
            numeric = np.zeros_like(P)
            for index in np.ndindex(P.shape):
                old = P[index]
                P[index] = old + eps
                up = model.loss_and_grads(X, y, l1=0.01, l2=0.1)[0]
                P[index] = old - eps
                down = model.loss_and_grads(X, y, l1=0.01, l2=0.1)[0]
                P[index] = old
                numeric[index] = (up - down) / (2 * eps)
            np.testing.assert_allclose(grads[layer][which], numeric, rtol=1e-5, atol=1e-7)


def test_shapes_dtypes_and_parameter_count():
    model = MLP([4, 8, 5, 3], seed=0)
    assert [W.shape for W in model.weights] == [(4, 8), (8, 5), (5, 3)]
    assert [b.shape for b in model.biases] == [(8,), (5,), (3,)]
    assert all(W.dtype == DTYPE for W in model.weights)
    assert model.num_parameters() == 4 * 8 + 8 + 8 * 5 + 5 + 5 * 3 + 3
    X = np.ones((6, 4))
    assert model.forward(X).shape == (6, 3) and model.forward(X).dtype == DTYPE
    hidden = model.hidden_outputs(X)
    assert [H.shape for H in hidden] == [(6, 8), (6, 5)] and all((H >= 0).all() for H in hidden)
    assert MLP([4, 3]).hidden_outputs(X) == []
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    labels = model.predict(X)
    assert labels.dtype == np.int64 and labels.shape == (6,)
    np.testing.assert_array_equal(labels, proba.argmax(axis=1))
    assert "MLP([4, 8, 5, 3]" in repr(model)


def test_initialisation_is_seeded_and_scaled():
    a, b, c = MLP([64, 256, 10], seed=0), MLP([64, 256, 10], seed=0), MLP([64, 256, 10], seed=1)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert not np.array_equal(a.weights[0], c.weights[0])
    assert a.weights[0].std() == pytest.approx(np.sqrt(2 / 64), rel=0.05)  # He for ReLU
    assert MLP([64, 256, 10], activation="tanh").weights[0].std() == pytest.approx(np.sqrt(2 / 320), rel=0.05)
    assert a.weights[1].std() == pytest.approx(np.sqrt(2 / 266), rel=0.1)  # Glorot for the output layer
    assert all((bias == 0).all() for bias in a.biases)


def test_mse_outputs_and_prediction_shapes():
    model = MLP([3, 5, 1], loss="mse")
    X = np.zeros((4, 3))
    assert model.forward(X).shape == (4, 1) and model.predict(X).shape == (4,)
    assert MLP([3, 5, 2], loss="mse").predict(X).shape == (4, 2)
    with pytest.raises(ValueError, match="predict_proba needs a classifier"):
        model.predict_proba(X)
    with pytest.raises(ValueError, match="score"):
        model.score(X, np.zeros(4))


def test_softmax_is_stable_and_log_softmax_agrees():
    Z = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1000.0], [0.0, 0.0, 50.0]], dtype=DTYPE)
    P = softmax(Z)
    assert np.isfinite(P).all()
    np.testing.assert_allclose(P.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(P[1], 1 / 3, rtol=1e-6)
    log_p = log_softmax(Z)
    assert np.isfinite(log_p).all() and log_p[2, 0] == pytest.approx(-50, rel=1e-5)
    np.testing.assert_allclose(log_p[0], np.log(P[0]), rtol=1e-5)
    torch_ref = torch.log_softmax(torch.tensor(Z, dtype=torch.float64), dim=1).numpy()
    np.testing.assert_allclose(log_p, torch_ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_activation_grad_is_the_derivative(name):
    z = np.linspace(-3, 3, 13) + 0.05
    h = 1e-6
    numeric = (activate(z + h, name) - activate(z - h, name)) / (2 * h)
    np.testing.assert_allclose(activation_grad(activate(z, name), name), numeric, rtol=1e-6, atol=1e-8)


def test_step_lowers_the_loss_and_returns_the_loss_before():
    X, y = batch([5, 8, 3], n=20)
    model = MLP([5, 8, 3], seed=0)
    before = model.loss_and_grads(X, y)[0]
    assert model.step(X, y, lr=0.1) == pytest.approx(before)
    assert model.loss_and_grads(X, y)[0] < before


def test_step_with_a_huge_learning_rate_says_training_diverged():
    X, y = batch([5, 8, 3], n=20)
    X *= 100
    model = MLP([5, 8, 3], seed=0)
    with warnings.catch_warnings(), \
            pytest.raises(ValueError, match=r"training diverged.*lr=1e\+30.*lower the learning rate"):
        warnings.simplefilter("error")  # the error says it in words, with no numpy warnings first
        for _ in range(5):
            model.step(X, y, lr=1e30)
    assert all(np.isfinite(W).all() for W in model.weights)  # the failing update is not applied


def test_fit_on_digits_reaches_97_percent_quickly():
    (X_train, y_train), (X_test, y_test) = load_digits()
    model = MLP([64, 128, 10], seed=0)
    history = model.fit(X_train, y_train, num_epochs=30, lr=0.5, batch_size=32, X_val=X_test, y_val=y_test)
    assert set(history) == {"train loss", "train acc", "val acc"}
    assert all(len(v) == 30 for v in history.values())
    assert history["train loss"][-1] < history["train loss"][0] / 10
    assert history["val acc"][-1] == pytest.approx(model.score(X_test, y_test))
    assert model.score(X_test, y_test) >= 0.97


def test_the_activations_are_chapter_1s_and_float32_stays_float32():
    Z = np.linspace(-90, 90, 13, dtype=np.float32).reshape(1, -1)
    for name in TRAINABLE:
        assert activate(Z, name).dtype == np.float32
    # the one sigmoid of the book, bit for bit, and no overflow at ±90 in float32
    assert np.array_equal(activate(Z, "sigmoid"), sigmoid(Z))
    assert activate(Z, "sigmoid")[0, 0] == 0.0 and activate(Z, "sigmoid")[0, -1] == 1.0


def test_cross_entropy_matches_torch_and_is_the_mlps_loss():
    rng = np.random.default_rng(3)
    Z, y = rng.standard_normal((6, 4)) * 50, rng.integers(0, 4, 6)
    loss, dZ = cross_entropy(Z, y)
    Z_t = torch.tensor(Z, requires_grad=True)
    loss_t = torch.nn.functional.cross_entropy(Z_t, torch.tensor(y))
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(dZ, Z_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    model = MLP([3, 4], seed=0)
    X = rng.standard_normal((6, 3)).astype(np.float32)
    assert model.loss_and_grads(X, y)[0] == cross_entropy(model.forward(X), y)[0]


def test_an_epoch_steps_through_chapter_2s_minibatches():
    X, y = make_moons(50, seed=0)
    model, copy = MLP([2, 4, 2], seed=0), MLP([2, 4, 2], seed=0)
    mean = model.fit_epoch(X.astype(DTYPE), y, 0.5, 16, 0.0, 0.0, np.random.default_rng(7))
    losses = [copy.step(X[i], y[i], 0.5) * len(i)
              for i in minibatches(len(X), 16, np.random.default_rng(7))]
    assert mean == pytest.approx(sum(losses) / len(X), rel=1e-12)
    assert all(np.array_equal(a, b) for a, b in zip(model.weights, copy.weights))


def test_fit_is_deterministic_and_seed_changes_the_order():
    X, y = make_moons(100, seed=0)
    runs = [MLP([2, 8, 2], seed=0).fit(X, y, num_epochs=3, seed=s)["train loss"] for s in (0, 0, 1)]
    assert runs[0] == runs[1] and runs[0] != runs[2]
    assert set(MLP([2, 8, 2]).fit(X, y, num_epochs=2)) == {"train loss", "train acc"}


def test_fit_mse_learns_a_line_and_reports_val_loss():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 1))
    y = 3 * X[:, 0] - 1
    model = MLP([1, 1], loss="mse", seed=0)
    history = model.fit(X, y, num_epochs=50, lr=0.1, X_val=X[:20], y_val=y[:20])
    assert set(history) == {"train loss", "val loss"}
    assert history["train loss"][-1] < 1e-6
    np.testing.assert_allclose(model.weights[0], [[3]], rtol=1e-3)
    np.testing.assert_allclose(model.biases[0], [-1], atol=1e-3)


def test_l2_penalty_shrinks_weights():
    X, y = make_moons(100, seed=0)
    plain = MLP([2, 16, 2], seed=0)
    plain.fit(X, y, num_epochs=20, lr=0.1)
    decayed = MLP([2, 16, 2], seed=0)
    decayed.fit(X, y, num_epochs=20, lr=0.1, l2=0.1)
    assert sum(np.abs(W).sum() for W in decayed.weights) < sum(np.abs(W).sum() for W in plain.weights)


@pytest.mark.parametrize("sizes, error, message", [
    ([2, 0, 1], ValueError, "sizes[1] must be an int ≥ 1, got 0"),
    ([2], ValueError, "sizes must hold at least 2 layer sizes, got [2]"),
    (5, TypeError, "sizes must be a list of layer sizes such as [64, 128, 10], got 5"),
    ([2, 3.5, 1], TypeError, "sizes[1] must be an int ≥ 1, got 3.5"),
    ([2, True, 1], TypeError, "sizes[1] must be an int ≥ 1, got True"),
])
def test_bad_sizes_are_refused(sizes, error, message):
    with pytest.raises(error) as raised:
        MLP(sizes)
    assert str(raised.value) == message


def test_bad_activation_loss_or_seed_is_refused():
    with pytest.raises(ValueError, match="^unknown activation 'softplus': choose one of sigmoid, tanh, relu$"):
        MLP([2, 3, 2], activation="softplus")
    with pytest.raises(ValueError, match="^unknown loss 'hinge': choose one of cross_entropy, mse$"):
        MLP([2, 3, 2], loss="hinge")


@pytest.mark.parametrize("seed, error, message", [
    (-1, ValueError, "seed must be an int from 0 to 2**32 - 1, got -1"),
    (2**70, ValueError, f"seed must be an int from 0 to 2**32 - 1, got {2**70}"),
    (1.5, TypeError, "seed must be an int from 0 to 2**32 - 1, got 1.5"),
    (None, TypeError, "seed must be an int from 0 to 2**32 - 1, got None"),
])
def test_a_bad_seed_gets_our_message_not_numpys(seed, error, message):
    """numpy used to answer MLP(seed=-1) with "expected non-negative integer"."""
    X, y = batch([5, 3])
    with pytest.raises(error) as raised:
        MLP([5, 3], seed=seed)
    assert str(raised.value) == message
    with pytest.raises(error) as raised:
        MLP([5, 3]).fit(X, y, seed=seed)
    assert str(raised.value) == message


def test_bad_inputs_and_labels_are_refused():
    model = MLP([4, 3, 3])
    X = np.zeros((5, 4))
    cases = [
        (lambda: model.forward(np.zeros((5, 3))), ValueError, "X must have shape (n, 4), got (5, 3)"),
        (lambda: model.predict(np.zeros(4)), ValueError,
         "X must have shape (n, 4), got (4,): for a single sample use X[None, :]"),
        (lambda: model.step(X, [0, 1, 2, 3, 0], lr=0.1), ValueError,
         "y must hold labels from 0 to 2 (3 classes), got values from 0 to 3"),
        (lambda: model.loss_and_grads(X, [0, -1, 2, 1, 0]), ValueError,
         "y must hold labels from 0 to 2 (3 classes), got values from -1 to 2"),
        (lambda: model.loss_and_grads(X, [0.5, 1, 2, 1, 0]), TypeError,
         "y must hold integer labels from 0 to 2, got dtype float64"),
        (lambda: model.loss_and_grads(X, [0, 1]), ValueError,
         "y must hold one label per sample, shape (5,), got (2,)"),
        (lambda: model.loss_and_grads(X, [0, 1, np.nan, 1, 0]), ValueError,
         "y holds 1 NaN value (at index 2): remove or impute it"),
        (lambda: model.loss_and_grads(X, [0, 1, 2, 1, 0], l1=-1), ValueError,
         "l1 must be a finite number ≥ 0, got -1"),
        (lambda: MLP([4, 2], loss="mse").loss_and_grads(X, np.zeros(5)), ValueError,
         "y must have shape (5, 2), got (5,)"),
        (lambda: MLP([4, 2], loss="mse").loss_and_grads(X, np.zeros((5, 3))), ValueError,
         "y must have shape (5, 2), got (5, 3)"),
        (lambda: model.score(X, [0, 1]), ValueError,
         "y must hold one label per sample, shape (5,), got (2,)"),
    ]
    for call, error, message in cases:
        with pytest.raises(error) as raised:
            call()
        assert str(raised.value) == message
    assert np.isfinite(model.loss_and_grads(X, [0.0, 1.0, 2.0, 1.0, 0.0])[0])  # whole-number floats are fine
    assert np.isfinite(MLP([4, 1], loss="mse").loss_and_grads(X, np.zeros(5))[0])  # (n,) when d_out == 1


@pytest.mark.parametrize("lr, error", [(0, ValueError), (-0.1, ValueError), (float("nan"), ValueError),
                                       (float("inf"), ValueError), ("0.1", TypeError)])
def test_bad_learning_rate_is_refused(lr, error):
    X, y = batch([5, 3])
    message = f"lr must be a finite number > 0, got {lr!r}"
    with pytest.raises(error) as raised:
        MLP([5, 3]).step(X, y, lr=lr)
    assert str(raised.value) == message
    with pytest.raises(error) as raised:
        MLP([5, 3]).fit(X, y, lr=lr)
    assert str(raised.value) == message


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(num_epochs=0), ValueError, "num_epochs must be an int ≥ 1, got 0"),
    (dict(batch_size=2.5), TypeError, "batch_size must be an int ≥ 1, got 2.5"),
    (dict(batch_size=True), TypeError, "batch_size must be an int ≥ 1, got True"),
    (dict(l2=-1), ValueError, "l2 must be a finite number ≥ 0, got -1"),
    (lambda X, y: dict(X_val=X), ValueError, "give both X_val and y_val, or neither"),
    (lambda X, y: dict(X_val=X[:, :4], y_val=y), ValueError, "X_val must have shape (n, 5), got (7, 4)"),
    (lambda X, y: dict(X_val=X, y_val=y[:3]), ValueError,
     "y_val must hold one label per sample, shape (7,), got (3,)"),
])
def test_bad_fit_arguments_are_refused(kwargs, error, message):
    X, y = batch([5, 3])
    model = MLP([5, 3])
    before = [W.copy() for W in model.weights]
    kwargs = kwargs(X, y) if callable(kwargs) else kwargs
    with pytest.raises(error) as raised:
        model.fit(X, y, **kwargs)
    assert str(raised.value) == message
    assert all(np.array_equal(W, W0) for W, W0 in zip(model.weights, before)), "refused before training"


@pytest.mark.parametrize("bad, what", [(np.nan, "1 NaN value (at row 3): remove or impute it"),
                                       (np.inf, "1 infinite value (at row 3): remove it or clip to a finite range")])
def test_fit_names_nan_or_infinite_inputs(bad, what):
    """The old MLP.fit trained on a NaN and then blamed the learning rate
    ("training diverged ... lower the learning rate")."""
    X, y = batch([5, 3])
    X[3, 2] = bad
    with pytest.raises(ValueError) as raised:
        MLP([5, 3]).fit(X, y, num_epochs=2, lr=0.1)
    assert str(raised.value) == f"X holds {what}"
    with pytest.raises(ValueError) as raised:
        MLP([5, 3]).predict(X)
    assert str(raised.value) == f"X holds {what}"
