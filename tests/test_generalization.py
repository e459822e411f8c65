"""nnbook.generalization: nested subsets, step-counted training, augmentation,
random features and the minimum-norm fit, and their messages for bad input."""

import numpy as np
import pytest
import torch
from torch import nn

from nnbook.data import batch_loader
from nnbook.generalization import (Augmented, add_noise, loss_and_accuracy,
                                   min_norm_fit, random_relu_features, shift,
                                   subset, train_steps)
from nnbook.generalization import test_accuracy as accuracy_of


def blobs(n=200, seed=0):
    """Three well-separated classes in 4-D, float32 X (n, 4), int64 y (n,)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, 4)) * 0.3 + np.eye(4)[y] * 3
    return X.astype(np.float32), y


def small_model(seed=0, dropout=0.0):
    torch.manual_seed(seed)
    layers = [nn.Linear(4, 16), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers, nn.Linear(16, 3))


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


# --- subset ---------------------------------------------------------------

def test_subset_shapes_and_pairs():
    X = np.arange(50).reshape(25, 2)
    y = np.arange(25)
    X_sub, y_sub = subset(X, y, 10, seed=3)
    assert X_sub.shape == (10, 2) and y_sub.shape == (10,)
    np.testing.assert_array_equal(X_sub[:, 0], 2 * y_sub)   # rows stay paired
    assert len(set(y_sub.tolist())) == 10                      # no repeats


def test_subsets_of_one_seed_are_nested():
    X, y = blobs(100)
    small, _ = subset(X, y, 20, seed=1)
    large, _ = subset(X, y, 60, seed=1)
    np.testing.assert_array_equal(large[:20], small)
    other, _ = subset(X, y, 20, seed=2)
    assert not np.array_equal(other, small)


def test_subset_of_everything_is_a_permutation():
    X, y = blobs(30)
    _, y_all = subset(X, y, 30)
    assert sorted(y_all.tolist()) == sorted(y.tolist())


@pytest.mark.parametrize("n, error, text", [
    (0, ValueError, "n must be an int from 1 to 30"),
    (31, ValueError, "n must be an int from 1 to 30"),
    (2.5, TypeError, "n must be an int"),
])
def test_subset_refuses_bad_sizes(n, error, text):
    X, y = blobs(30)
    with pytest.raises(error, match=text):
        subset(X, y, n)


def test_subset_refuses_unequal_lengths_and_bad_seeds():
    X, y = blobs(30)
    with pytest.raises(ValueError, match="same number of examples"):
        subset(X, y[:20], 5)
    with pytest.raises(ValueError, match="seed"):
        subset(X, y, 5, seed=-1)


# --- train_steps, test_accuracy ----------------------------------------------

def test_train_steps_learns_and_records():
    X, y = blobs(300)
    model = small_model()
    history = train_steps(model, X[:200], y[:200], 60, lr=0.01, batch_size=32,
                          X_val=X[200:], y_val=y[200:], eval_every=20)
    assert history["step"] == [20, 40, 60]
    assert set(history) == {"step", "train loss", "val loss", "val acc"}
    assert all(len(v) == 3 for v in history.values())
    assert history["train loss"][-1] < history["train loss"][0]
    assert history["val acc"][-1] > 90
    assert not model.training                       # left in eval mode
    assert accuracy_of(model, X[200:], y[200:]) == pytest.approx(
        history["val acc"][-1])


def test_train_steps_without_validation_records_once_at_the_end():
    X, y = blobs(50)
    history = train_steps(small_model(), X, y, 7, batch_size=10)
    assert set(history) == {"step", "train loss"}
    assert history["step"] == [7]


def test_train_steps_is_reproducible_and_counts_steps_not_epochs():
    X, y = blobs(40)
    runs = []
    for _ in range(2):
        model = small_model(dropout=0.2)
        train_steps(model, X, y, 25, batch_size=16, seed=4)
        runs.append(torch.cat([p.flatten() for p in model.parameters()]))
    torch.testing.assert_close(runs[0], runs[1], rtol=0, atol=0)
    # 25 steps of 16 from 40 examples: several passes, cut mid-epoch
    assert train_steps(small_model(), X, y, 25, batch_size=16,
                       eval_every=5)["step"] == [5, 10, 15, 20, 25]


def test_train_steps_applies_augment_to_every_batch():
    X, y = blobs(40)
    calls = []

    def augment(X_batch, gen):
        assert isinstance(gen, torch.Generator)
        calls.append(X_batch.shape)
        return X_batch

    train_steps(small_model(), X, y, 6, batch_size=20, augment=augment)
    assert calls == [torch.Size([20, 4])] * 6


def test_train_steps_weight_decay_shrinks_weights():
    X, y = blobs(60)
    norms = []
    for weight_decay in (0.0, 1.0):
        model = small_model()
        train_steps(model, X, y, 100, weight_decay=weight_decay)
        norms.append(sum(p.norm() ** 2 for p in model.parameters()).item())
    assert norms[1] < norms[0]


def test_batch_larger_than_the_set_is_cut_to_the_set():
    X, y = blobs(12)
    history = train_steps(small_model(), X, y, 3, batch_size=100,
                          eval_every=1)
    assert history["step"] == [1, 2, 3]


def test_augmented_changes_every_batch_with_the_generator():
    X, y = blobs(16)
    loader = [(torch.from_numpy(X[:8]), torch.from_numpy(y[:8])),
              (torch.from_numpy(X[8:]), torch.from_numpy(y[8:]))]
    seen = []
    batches = list(Augmented(loader, lambda X_batch, gen: seen.append(gen) or 2 * X_batch,
                             "gen"))
    assert seen == ["gen", "gen"]
    assert all(torch.equal(a, 2 * b) and torch.equal(ya, yb)
               for (a, ya), (b, yb) in zip(batches, loader))


def test_train_steps_is_the_books_loop_written_out():
    """train_steps is fit_steps with AdamW: the same weights as the loop by hand."""
    X, y = blobs(30)
    a, b = small_model(), small_model()
    train_steps(a, X, y, 7, lr=0.01, batch_size=8, weight_decay=0.1, seed=2)
    optimizer = torch.optim.AdamW(b.parameters(), lr=0.01, weight_decay=0.1)
    loader, step = batch_loader(X, y, 8, 2), 0
    b.train()
    while step < 7:
        for X_batch, y_batch in loader:
            loss = torch.nn.functional.cross_entropy(b(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            if step == 7:
                break
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_loss_and_accuracy_of_a_fixed_model():
    model = nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.eye(2))
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    y = torch.tensor([0, 1, 1, 1])
    loss, acc = loss_and_accuracy(model, X, y)
    assert acc == pytest.approx(75.0)
    expected = torch.nn.functional.cross_entropy(X, y).item()
    assert loss == pytest.approx(expected)


@pytest.mark.parametrize("kwargs, error, text", [
    ({"num_steps": 0}, ValueError, "num_steps must be an int ≥ 1"),
    ({"lr": 0.0}, ValueError, "lr must be a finite number > 0"),
    ({"weight_decay": -0.1}, ValueError, "weight_decay must be"),
    ({"batch_size": 0}, ValueError, "batch_size must be an int ≥ 1"),
    ({"augment": 3}, TypeError, "augment must be a function"),
    ({"eval_every": 0}, ValueError, "eval_every must be an int ≥ 1"),
    ({"X_val": np.zeros((3, 4))}, ValueError, "both X_val and y_val"),
    ({"y": np.zeros(20)}, TypeError, "integer class labels"),
    ({"y": np.zeros(19, dtype=int)}, ValueError, "same number of examples"),
    ({"model": "mlp"}, TypeError, "model must be a torch.nn.Module"),
])
def test_train_steps_refuses_bad_arguments(kwargs, error, text):
    X, y = blobs(20)
    args = {"model": small_model(), "X": X, "y": y, "num_steps": 2}
    args.update(kwargs)
    with pytest.raises(error, match=text):
        train_steps(args.pop("model"), args.pop("X"), args.pop("y"),
                    args.pop("num_steps"), **args)


def test_test_accuracy_refuses_mismatched_data():
    X, y = blobs(20)
    with pytest.raises(ValueError, match="same number of examples"):
        accuracy_of(small_model(), X, y[:5])
    with pytest.raises(ValueError, match="2-D"):
        accuracy_of(small_model(), X[0], y[:1])


# --- shift, add_noise -----------------------------------------------------

def test_shift_rolls_each_row_by_at_most_max_shift():
    X = torch.arange(40.0).repeat(64, 1)
    out = shift(X, 3, generator())
    assert out.shape == X.shape and out.dtype == X.dtype
    offsets = set()
    for row in out:
        k = (int(row[0]) * -1) % 40                 # out[0] = x[-k]
        k = k - 40 if k > 20 else k
        torch.testing.assert_close(row, torch.roll(X[0], k))
        offsets.add(k)
    assert offsets == {-3, -2, -1, 0, 1, 2, 3}        # every shift is drawn


def test_shift_zero_is_the_identity_and_keeps_the_input():
    X = torch.randn(5, 40)
    copy = X.clone()
    assert torch.equal(shift(X, 0, generator()), X)
    shift(X, 5, generator())
    assert torch.equal(X, copy)                       # not changed in place


def test_shift_and_noise_are_reproducible_from_the_generator():
    X = torch.randn(8, 40)
    assert torch.equal(shift(X, 4, generator(1)), shift(X, 4, generator(1)))
    assert torch.equal(add_noise(X, 0.5, generator(1)),
                       add_noise(X, 0.5, generator(1)))


def test_add_noise_has_the_asked_std():
    X = torch.zeros(200, 40)
    noisy = add_noise(X, 0.25, generator())
    assert noisy.shape == X.shape
    assert noisy.std().item() == pytest.approx(0.25, rel=0.05)
    assert noisy.mean().item() == pytest.approx(0.0, abs=0.01)
    assert torch.equal(add_noise(X, 0.0, generator()), X)


@pytest.mark.parametrize("function, args, error, text", [
    (shift, (np.zeros((2, 40)), 3, None), TypeError, "torch.as_tensor"),
    (shift, (torch.zeros(2, 40, dtype=torch.int64), 3, None), TypeError,
     r"X.float\(\)"),
    (shift, (torch.zeros(40), 3, None), ValueError, r"shape \(N, D\)"),
    (shift, (torch.zeros(2, 40), -1, "gen"), ValueError,
     "max_shift must be an int from 0 to 39"),
    (shift, (torch.zeros(2, 40), 1.5, "gen"), TypeError, "max_shift must be"),
    (shift, (torch.zeros(2, 40), 2, 0), TypeError, "torch.Generator"),
    (add_noise, (torch.zeros(2, 40), -0.1, "gen"), ValueError,
     "std must be a finite number ≥ 0"),
    (add_noise, (torch.zeros(2, 40), 0.1, None), TypeError, "generator"),
])
def test_augmentations_refuse_bad_arguments(function, args, error, text):
    args = tuple(generator() if isinstance(a, str) and a == "gen" else a for a in args)
    with pytest.raises(error, match=text):
        function(*args)


# --- random features and the minimum-norm fit ------------------------------

def test_random_relu_features_shape_sign_and_seed():
    X = np.random.default_rng(0).normal(size=(30, 5))
    F = random_relu_features(X, 50, seed=2)
    assert F.shape == (30, 50) and F.dtype == np.float64
    assert (F >= 0).all() and (F == 0).any() and (F > 0).any()
    np.testing.assert_array_equal(F, random_relu_features(X, 50, seed=2))
    assert not np.array_equal(F, random_relu_features(X, 50, seed=3))
    # the same seed gives each example the same features in any batch
    np.testing.assert_array_equal(random_relu_features(X[:7], 50, seed=2),
                                  F[:7])


def test_random_relu_features_are_relu_of_an_affine_map():
    X = np.random.default_rng(1).normal(size=(40, 3))
    F = random_relu_features(X, 8, seed=0)
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 8)) / np.sqrt(3)
    b = rng.standard_normal(8)
    np.testing.assert_allclose(F, np.maximum(X @ W + b, 0))


def test_min_norm_fit_interpolates_when_features_outnumber_examples():
    rng = np.random.default_rng(0)
    F, Y = rng.normal(size=(20, 50)), rng.normal(size=(20, 3))
    w = min_norm_fit(F, Y)
    assert w.shape == (50, 3)
    np.testing.assert_allclose(F @ w, Y, atol=1e-9)
    np.testing.assert_allclose(w, np.linalg.pinv(F) @ Y, atol=1e-9)
    # any other interpolating solution is longer
    other = w + (np.eye(50) - np.linalg.pinv(F) @ F) @ rng.normal(size=(50, 3))
    np.testing.assert_allclose(F @ other, Y, atol=1e-9)
    assert np.linalg.norm(other) > np.linalg.norm(w)


def test_min_norm_fit_is_least_squares_with_few_features():
    rng = np.random.default_rng(1)
    F, y = rng.normal(size=(40, 5)), rng.normal(size=40)
    w = min_norm_fit(F, y)
    assert w.shape == (5, 1)
    residual = F @ w[:, 0] - y
    np.testing.assert_allclose(F.T @ residual, 0, atol=1e-9)   # normal eq.


@pytest.mark.parametrize("function, args, error, text", [
    (random_relu_features, (np.zeros((4, 3)), 0), ValueError,
     "num_features must be an int ≥ 1"),
    (random_relu_features, (np.zeros((4, 3)), 2.0), TypeError,
     "num_features must be an int"),
    (random_relu_features, (np.zeros(3), 2), ValueError, "2-D"),
    (random_relu_features, (np.zeros((4, 3)), 2, -1), ValueError, "seed"),
    (min_norm_fit, (np.zeros((4, 3)), np.zeros((5, 2))), ValueError,
     r"Y must have shape \(4, k\)"),
    (min_norm_fit, (np.zeros(4), np.zeros(4)), ValueError, "F must be a 2-D"),
    (min_norm_fit, (np.full((2, 2), np.nan), np.zeros(2)), ValueError, "NaN"),
])
def test_random_features_and_fit_refuse_bad_arguments(function, args, error,
                                                      text):
    with pytest.raises(error, match=text):
        function(*args)
