"""nnbook.transfer: class splits and label budgets on small arrays whose answers are known,
freezing and counting parameters, the CNN body's shapes, training that changes only what
is trainable (and the body at its own learning rate), and one-line messages for bad input."""

import numpy as np
import pytest
import torch
from torch import nn

from nnbook.generalization import test_accuracy as accuracy_of
from nnbook.transfer import (class_split, cnn_body, freeze, labels_per_class,
                             train_classifier, trainable_parameters)


def toy(n_per_class=4, num_classes=3):
    """X (n, 2) whose first column is the label and second a running index; y (n,)."""
    y = np.repeat(np.arange(num_classes), n_per_class)
    X = np.column_stack([y, np.arange(len(y))]).astype(np.float32)
    return X, y


# --- class_split -------------------------------------------------------------

def test_class_split_keeps_and_relabels_in_the_order_given():
    X, y = toy()
    X_sub, y_sub = class_split(X, y, [2, 0])
    assert X_sub.shape == (8, 2) and X_sub.dtype == np.float32
    assert y_sub.dtype == np.int64
    np.testing.assert_array_equal(X_sub[:, 0], [0] * 4 + [2] * 4)  # rows in original order
    np.testing.assert_array_equal(y_sub, [1] * 4 + [0] * 4)         # 2 → 0, 0 → 1


def test_class_split_accepts_a_tuple_a_range_and_numpy_labels():
    X, y = toy()
    for classes in ((1,), range(1, 3), np.array([1, 2])):
        X_sub, y_sub = class_split(X, y, classes)
        assert set(X_sub[:, 0]) <= {1.0, 2.0} and y_sub.min() == 0


def test_class_split_of_digits_gives_five_balanced_classes():
    from nnbook.datasets import load_digits

    (X, y), _ = load_digits()
    X_sub, y_sub = class_split(X, y, [5, 6, 7, 8, 9])
    assert X_sub.shape[1] == 64 and sorted(set(y_sub.tolist())) == [0, 1, 2, 3, 4]
    assert len(X_sub) == np.isin(y, [5, 6, 7, 8, 9]).sum()


@pytest.mark.parametrize("classes, error, words", [
    ([], ValueError, "classes is empty"),
    ([0, 0], ValueError, "must not repeat"),
    ([0, 7], ValueError, "[7] do not occur in y"),
    ("01", TypeError, "list of class labels"),
    (3, TypeError, "list of class labels"),
    ([0.5], TypeError, "classes[0] must be an int"),
])
def test_class_split_refuses_bad_classes(classes, error, words):
    X, y = toy()
    with pytest.raises(error, match=None) as info:
        class_split(X, y, classes)
    assert words in str(info.value)


def test_class_split_refuses_mismatched_or_non_integer_labels():
    X, y = toy()
    with pytest.raises(ValueError, match="same number of examples"):
        class_split(X[:5], y, [0])
    with pytest.raises(TypeError, match="integer class labels"):
        class_split(X, y + 0.5, [0])
    with pytest.raises(ValueError, match="1-D"):
        class_split(X, y[:, None], [0])
    with pytest.raises(TypeError, match="X must be an array"):
        class_split(None, y, [0])


# --- labels_per_class ----------------------------------------------------------

def test_labels_per_class_draws_that_many_of_each_class_without_repeats():
    X, y = toy(n_per_class=10)
    X_sub, y_sub = labels_per_class(X, y, 3, seed=1)
    assert X_sub.shape == (9, 2)
    np.testing.assert_array_equal(y_sub, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(X_sub[:, 0], y_sub)            # rows stay with their labels
    assert len(set(X_sub[:, 1])) == 9                            # no example twice


def test_labels_per_class_is_reproducible_and_seed_dependent():
    X, y = toy(n_per_class=50)
    a, _ = labels_per_class(X, y, 5, seed=0)
    b, _ = labels_per_class(X, y, 5, seed=0)
    c, _ = labels_per_class(X, y, 5, seed=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_labels_per_class_takes_a_whole_class():
    X, y = toy(n_per_class=4)
    X_sub, _ = labels_per_class(X, y, 4)
    assert sorted(X_sub[:, 1]) == list(range(12))


@pytest.mark.parametrize("per_class, error, words", [
    (5, ValueError, "class 0 has only 4 examples, fewer than per_class=5"),
    (0, ValueError, "per_class must be an int ≥ 1"),
    (2.0, TypeError, "per_class must be an int"),
    (True, TypeError, "per_class must be an int"),
])
def test_labels_per_class_refuses_bad_budgets(per_class, error, words):
    X, y = toy(n_per_class=4)
    with pytest.raises(error) as info:
        labels_per_class(X, y, per_class)
    assert words in str(info.value)


def test_labels_per_class_refuses_a_bad_seed():
    X, y = toy()
    with pytest.raises(ValueError, match="seed must be an int"):
        labels_per_class(X, y, 1, seed=-1)
    with pytest.raises(TypeError, match="seed must be an int"):
        labels_per_class(X, y, 1, seed="0")


# --- freeze and trainable_parameters ---------------------------------------------

def test_freeze_switches_off_gradients_and_returns_the_module():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    assert trainable_parameters(model) == 3 * 4 + 4 + 4 * 2 + 2
    assert freeze(model[0]) is model[0]
    assert trainable_parameters(model) == 4 * 2 + 2
    assert not any(p.requires_grad for p in model[0].parameters())
    freeze(model)
    assert trainable_parameters(model) == 0


def test_a_frozen_body_gets_no_gradient():
    model = nn.Sequential(freeze(nn.Linear(3, 4)), nn.Linear(4, 2))
    model(torch.randn(5, 3)).sum().backward()
    assert model[0].weight.grad is None and model[1].weight.grad is not None


@pytest.mark.parametrize("function", [freeze, trainable_parameters])
@pytest.mark.parametrize("bad", [None, torch.zeros(3), [nn.Linear(2, 2)]])
def test_freeze_and_count_refuse_what_is_not_a_module(function, bad):
    with pytest.raises(TypeError, match="torch.nn.Module"):
        function(bad)


# --- cnn_body ----------------------------------------------------------------------

def test_cnn_body_maps_signals_to_features_and_matches_chapter_8():
    from nnbook.conv import MNIST1DCNN

    body = cnn_body(channels=7, seed=3)
    assert body(torch.randn(4, 40)).shape == (4, 35)
    full = MNIST1DCNN(channels=7)
    assert trainable_parameters(body) == trainable_parameters(full) - (35 * 10 + 10)
    same = cnn_body(channels=7, seed=3)
    for a, b in zip(body.parameters(), same.parameters()):
        assert torch.equal(a, b)


def test_cnn_body_refuses_bad_arguments():
    with pytest.raises(ValueError, match="channels must be an int ≥ 1"):
        cnn_body(channels=0)
    with pytest.raises(TypeError, match="seed must be an int"):
        cnn_body(seed=1.5)


# --- train_classifier and percent_correct --------------------------------------------

def blobs(n=60, seed=0):
    """Three well-separated Gaussian blobs in 4-D: X (n, 4) float32, y (n,) int64."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = rng.normal(size=(n, 4)).astype(np.float32) * 0.3
    X[np.arange(n), y] += 3.0
    return X, y


def small_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Sequential(nn.Linear(4, 8), nn.ReLU()), nn.Linear(8, 3))


def test_train_classifier_learns_separable_blobs_and_leaves_eval_mode():
    X, y = blobs()
    model = small_model()
    before = accuracy_of(model, X, y)
    history = train_classifier(model, X, y, 100, lr=0.01, batch_size=16)
    assert history == {"step": [], "val acc": []}
    assert not model.training
    assert accuracy_of(model, X, y) == 100.0 > before


def test_train_classifier_is_reproducible():
    X, y = blobs()
    a, b = small_model(), small_model()
    train_classifier(a, X, y, 20, batch_size=8, seed=5)
    train_classifier(b, X, y, 20, batch_size=8, seed=5)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_train_classifier_changes_only_trainable_parameters():
    X, y = blobs()
    model = small_model()
    freeze(model[0])
    body = [p.clone() for p in model[0].parameters()]
    head = [p.clone() for p in model[1].parameters()]
    train_classifier(model, X, y, 10)
    assert all(torch.equal(p, q) for p, q in zip(body, model[0].parameters()))
    assert not any(torch.equal(p, q) for p, q in zip(head, model[1].parameters()))


def test_body_lr_moves_the_body_less():
    X, y = blobs()
    moves = []
    for body_lr in (None, 1e-5):
        model = small_model()
        start = model[0][0].weight.clone()
        train_classifier(model, X, y, 10, lr=0.01, body_lr=body_lr)
        moves.append((model[0][0].weight - start).abs().max().item())
    assert moves[1] < moves[0] / 100


def test_train_classifier_scores_the_validation_set_every_few_steps():
    X, y = blobs()
    history = train_classifier(small_model(), X, y, 30, X_val=X, y_val=y, eval_every=10)
    assert history["step"] == [10, 20, 30] and len(history["val acc"]) == 3
    assert all(0 <= a <= 100 for a in history["val acc"])
    once = train_classifier(small_model(), X, y, 7, X_val=X, y_val=y)
    assert once["step"] == [7]


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(num_steps=0), ValueError, "num_steps must be an int ≥ 1"),
    (dict(lr=0.0), ValueError, "lr must be a finite number > 0"),
    (dict(batch_size=0), ValueError, "batch_size must be an int ≥ 1"),
    (dict(body_lr=-1.0), ValueError, "body_lr must be a finite number > 0"),
    (dict(eval_every=5), ValueError, "eval_every needs X_val"),
    (dict(X_val=np.zeros((2, 4))), ValueError, "both X_val and y_val"),
    (dict(seed=-3), ValueError, "seed must be an int"),
])
def test_train_classifier_refuses_bad_settings(kwargs, error, words):
    X, y = blobs()
    settings = dict(num_steps=5) | kwargs
    with pytest.raises(error) as info:
        train_classifier(small_model(), X, y, **settings)
    assert words in str(info.value)


def test_train_classifier_refuses_bad_models():
    X, y = blobs()
    with pytest.raises(TypeError, match="torch.nn.Module"):
        train_classifier("model", X, y, 5)
    with pytest.raises(TypeError, match=r"nn.Sequential\(body, head\)"):
        train_classifier(nn.Linear(4, 3), X, y, 5, body_lr=1e-3)
    with pytest.raises(ValueError, match="no trainable parameters"):
        train_classifier(freeze(small_model()), X, y, 5)
    with pytest.raises(ValueError, match="same number of examples"):
        train_classifier(small_model(), X, y[:-1], 5)
    with pytest.raises(ValueError, match="same number of examples"):
        accuracy_of(small_model(), X[:3], y)


def test_cnn_body_is_chapter_8s_cnn_without_its_output_layer():
    """The two are written separately (cnn_body is a Sequential a body can be frozen as);
    from the same seed they hold the same layers with the same weights and compute the same."""
    from nnbook.conv import MNIST1DCNN

    body, cnn = cnn_body(channels=7, seed=3), None
    torch.manual_seed(3)
    cnn = MNIST1DCNN(channels=7)
    convs = [m for m in body if isinstance(m, nn.Conv1d)]
    theirs = [m for m in cnn.features if isinstance(m, nn.Conv1d)]
    assert [str(m) for m in convs] == [str(m) for m in theirs]
    assert all(torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)
               for a, b in zip(convs, theirs))
    X = torch.randn(4, 40)
    assert torch.allclose(cnn.output(body(X)), cnn(X))
