"""nnbook.training and nnbook.data: the book's training loop does what its docstring says
(history, modes, devices, early stopping, determinism) and refuses bad input in one line that
says what to change."""

import pickle

import numpy as np
import pytest
import torch
from torch import nn

from nnbook.data import ArrayDataset, array_loader, batch_loader
from nnbook.device import best_device
from nnbook.repro import set_seed
from nnbook.training import History, accuracy, evaluate, fit, fit_steps

CE = nn.functional.cross_entropy


def blobs(n=64, seed=0):
    """Three separable classes in 4-D: X (n, 4) float64, y (n,) int64."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.standard_normal((n, 4)) * 0.3 + np.eye(4)[y] * 2
    return X, y


def setup(seed=0, lr=0.5, dropout=0.0):
    set_seed(seed)
    X, y = blobs()
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(dropout), nn.Linear(8, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return model, optimizer, array_loader(X, y, batch_size=16, shuffle=True), \
        array_loader(*blobs(32, seed=1), batch_size=16)


def one_line(excinfo, *parts):
    text = str(excinfo.value)
    assert "\n" not in text, text
    for part in parts:
        assert part in text, text


# What it returns --------------------------------------------------------------

def test_history_has_one_entry_per_epoch():
    model, optimizer, train, val = setup()
    history = fit(model, train, CE, optimizer, 5, val_loader=val, metrics={"acc": accuracy},
                  progress=False)
    assert isinstance(history, History)
    assert sorted(history) == ["train acc", "train loss", "val acc", "val loss"]
    assert all(len(values) == 5 for values in history.values())
    assert all(isinstance(v, float) for values in history.values() for v in values)
    assert history["train loss"][-1] < history["train loss"][0]
    assert history["val acc"][-1] > 0.9
    assert history.best_epoch is not None and not history.stopped_early


def test_without_validation_only_training_is_recorded():
    model, optimizer, train, _ = setup()
    history = fit(model, train, CE, optimizer, 3, progress=False)
    assert list(history) == ["train loss"] and len(history["train loss"]) == 3
    assert history.best_epoch is None


def test_evaluate_gives_mean_loss_and_metrics_over_samples():
    model, _, _, _ = setup()
    X, y = blobs(37)   # batches of 16, 16 and 5: the mean is over samples, not batches
    result = evaluate(model, array_loader(X, y, batch_size=16), CE, {"acc": accuracy}, "cpu")
    with torch.no_grad():
        y_hat = model(torch.tensor(X, dtype=torch.float32))
    assert result["loss"] == pytest.approx(CE(y_hat, torch.tensor(y)).item(), rel=1e-5)
    assert result["acc"] == pytest.approx(accuracy(y_hat, torch.tensor(y)))
    assert not model.training


def test_accuracy():
    y_hat = torch.tensor([[0.1, 2.0], [3.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert accuracy(y_hat, torch.tensor([1, 0, 0, 0])) == 0.75


# Modes and devices ----------------------------------------------------------------

class ModeSpy(nn.Module):
    """Records whether it was in training mode and whether gradients were on, per call."""

    def __init__(self):
        super().__init__()
        self.layer, self.calls = nn.Linear(4, 3), []

    def forward(self, X):
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.layer(X)


def test_train_mode_while_learning_and_eval_mode_without_gradients_while_validating():
    set_seed(0)
    spy = ModeSpy()
    train = array_loader(*blobs(32), batch_size=16)
    val = array_loader(*blobs(16, seed=1), batch_size=16)
    fit(spy, train, CE, torch.optim.SGD(spy.parameters(), lr=0.1), 2, val_loader=val,
        progress=False)
    # per epoch: two training batches, then one validation batch
    assert spy.calls == [(True, True), (True, True), (False, False)] * 2
    assert not spy.training


def test_dropout_is_off_during_validation():
    model, optimizer, train, val = setup(dropout=0.5)
    history = fit(model, train, CE, optimizer, 2, val_loader=val, progress=False)
    again = evaluate(model, val, CE, device="cpu")
    assert again["loss"] == pytest.approx(evaluate(model, val, CE, device="cpu")["loss"])
    assert history["val loss"][-1] == pytest.approx(again["loss"], rel=1e-6)


def test_the_model_ends_on_the_device_and_float64_data_are_sent_as_float32():
    model, optimizer, _, _ = setup()
    X, y = blobs()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size=16)
    assert loader.dataset.tensors[0].dtype == torch.float64
    history = fit(model, loader, CE, optimizer, 1, progress=False)
    assert len(history["train loss"]) == 1
    assert {p.device for p in model.parameters()} == {best_device()}
    fit(model, loader, CE, optimizer, 1, device="cpu", progress=False)
    assert {p.device for p in model.parameters()} == {torch.device("cpu")}


# Early stopping -----------------------------------------------------------------

def test_early_stopping_stops_and_restores_the_best_weights():
    # random labels: the network memorises the training set and the validation loss rises
    set_seed(0)
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    train = array_loader(rng.standard_normal((48, 4)), rng.integers(0, 3, 48), 16)
    val = array_loader(rng.standard_normal((48, 4)), rng.integers(0, 3, 48), 16)
    history = fit(model, train, CE, optimizer, 200, val_loader=val, patience=3,
                  device="cpu", progress=False)
    epochs = len(history["val loss"])
    assert history.stopped_early and epochs < 200
    assert history.best_epoch == epochs - 3
    best = min(history["val loss"])
    assert history["val loss"][history.best_epoch - 1] == best
    assert history["val loss"][-1] > best
    assert evaluate(model, val, CE, device="cpu")["loss"] == pytest.approx(best, rel=1e-6)


def test_patience_needs_validation_data():
    model, optimizer, train, _ = setup()
    with pytest.raises(ValueError) as info:
        fit(model, train, CE, optimizer, 3, patience=2, progress=False)
    one_line(info, "patience needs a val_loader")


# Determinism ---------------------------------------------------------------------

def test_two_seeded_runs_are_identical_on_the_cpu():
    runs = []
    for _ in range(2):
        model, optimizer, train, val = setup(dropout=0.2)
        history = fit(model, train, CE, optimizer, 3, val_loader=val, device="cpu",
                      progress=False)
        runs.append((dict(history), [p.detach().clone() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))


# Progress ------------------------------------------------------------------------

def test_no_progress_bar_when_switched_off(capsys, monkeypatch):
    monkeypatch.setenv("NNBOOK_PROGRESS", "0")
    model, optimizer, train, _ = setup()
    fit(model, train, CE, optimizer, 2)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bar_when_asked(capsys):
    model, optimizer, train, _ = setup()
    fit(model, train, CE, optimizer, 2, progress=True)
    assert "epochs" in capsys.readouterr().err


# Bad input: one line that says what to change ------------------------------------------

def test_float_labels_for_cross_entropy():
    model, optimizer, _, _ = setup()
    X, y = blobs()
    loader = array_loader(X, y.astype(np.float64), batch_size=16)
    with pytest.raises(TypeError) as info:
        fit(model, loader, CE, optimizer, 1, progress=False)
    one_line(info, "the labels are float32 but cross-entropy needs integer class labels",
             "y.long()")


def test_too_few_outputs_for_the_labels():
    set_seed(0)
    model = nn.Linear(4, 2)
    loader = array_loader(*blobs(), batch_size=16)
    with pytest.raises(ValueError) as info:
        fit(model, loader, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1),
            1, progress=False)
    one_line(info, "the model gives 2 scores per sample but a label is 2: "
                   "its last layer needs 3 outputs, one per class")


def test_regression_output_that_does_not_fit_the_targets():
    set_seed(0)
    model = nn.Linear(4, 1)
    X, _ = blobs()
    loader = array_loader(X, X.sum(axis=1), batch_size=16)
    with pytest.raises(ValueError) as info:
        fit(model, loader, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), 1,
            progress=False)
    one_line(info, "the model's output has shape (16, 1) but the targets have shape (16,)",
             "y[:, None]")


def test_input_that_does_not_fit_the_first_layer():
    set_seed(0)
    model = nn.Linear(5, 3)
    with pytest.raises(ValueError) as info:
        fit(model, array_loader(*blobs(), batch_size=16), CE,
            torch.optim.SGD(model.parameters(), lr=0.1), 1, progress=False)
    one_line(info, "the model could not take a batch X of shape (16, 4)",
             "does its first layer expect 4 inputs?")


def test_empty_loader():
    model, optimizer, _, _ = setup()
    empty = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.zeros(0, 4), torch.zeros(0, dtype=torch.long)))
    with pytest.raises(ValueError) as info:
        fit(model, empty, CE, optimizer, 1, progress=False)
    one_line(info, "train_loader yields no batches: its data set is empty")
    small = array_loader(*blobs(8), batch_size=16)
    small = torch.utils.data.DataLoader(small.dataset, batch_size=16, drop_last=True)
    with pytest.raises(ValueError) as info:
        evaluate(model, small, CE, device="cpu")
    one_line(info, "loader yields no batches", "drop_last=True")


def test_divergence_says_lower_the_learning_rate():
    model, _, train, _ = setup()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e30)
    with pytest.raises(ValueError) as info:
        fit(model, train, CE, optimizer, 5, progress=False)
    one_line(info, "training diverged: the loss is", "(lr=1e+30): lower the learning rate")


@pytest.mark.parametrize("change, error, words", [
    (dict(num_epochs=0), ValueError, "num_epochs must be an int ≥ 1, got 0"),
    (dict(num_epochs=2.0), TypeError, "num_epochs must be an int ≥ 1, got 2.0"),
    (dict(patience=0), ValueError, "patience must be an int ≥ 1, got 0"),
    (dict(optimizer=0.1), TypeError, "optimizer must be a torch.optim optimizer"),
    (dict(loss_fn="cross_entropy"), TypeError, "loss_fn must be a function"),
    (dict(model=lambda X: X), TypeError, "model must be a torch.nn.Module"),
    (dict(train_loader=torch.zeros(3, 4)), TypeError, "train_loader must be a DataLoader"),
    (dict(metrics=[accuracy]), TypeError, "metrics must be a dict name → function"),
])
def test_bad_arguments(change, error, words):
    model, optimizer, train, val = setup()
    arguments = dict(model=model, train_loader=train, loss_fn=CE, optimizer=optimizer,
                     num_epochs=2, val_loader=val, progress=False, **{})
    arguments.update(change)
    with pytest.raises(error) as info:
        fit(**arguments)
    one_line(info, words)


def test_a_batch_that_is_not_a_pair():
    model, optimizer, _, _ = setup()
    loader = torch.utils.data.DataLoader(torch.zeros(8, 4), batch_size=4)
    with pytest.raises(TypeError) as info:
        fit(model, loader, CE, optimizer, 1, progress=False)
    one_line(info, "each batch must be a pair (X, y)", "return (x, y)")


# nnbook.data ----------------------------------------------------------------------

def test_array_dataset_dtypes_and_pickling():
    X, y = blobs(10)
    data = ArrayDataset(X, y)
    x0, y0 = data[0]
    assert len(data) == 10 and x0.dtype == torch.float32 and y0.dtype == torch.int64
    assert ArrayDataset(X, X[:, 0]).y.dtype == torch.float32
    # worker processes on macOS and Windows receive the data set pickled
    again = pickle.loads(pickle.dumps(data))
    assert type(again).__module__ == "nnbook.data" and torch.equal(again.X, data.X)


def test_array_loader_shuffles_the_same_way_for_the_same_seed():
    X, y = blobs(40)
    orders = [[b[1].tolist() for b in array_loader(X, y, 8, shuffle=True, seed=s)]
              for s in (3, 3, 4)]
    assert orders[0] == orders[1] != orders[2]


def test_array_loader_with_workers():
    X, y = blobs(20)
    batches = list(array_loader(X, y, batch_size=10, num_workers=1))
    assert len(batches) == 2 and batches[0][0].shape == (10, 4)


@pytest.mark.parametrize("args, error, words", [
    ((np.zeros((3, 4)), np.zeros(2, dtype=int)), ValueError,
     "y must hold one label per sample of X (3), got 2"),
    ((np.array([["a", "b"]]), np.zeros(1, dtype=int)), TypeError, "X must hold numbers"),
    ((np.full((2, 2), np.nan), np.zeros(2, dtype=int)), ValueError, "X holds 4 NaN values"),
])
def test_array_dataset_refuses_bad_arrays(args, error, words):
    with pytest.raises(error) as info:
        ArrayDataset(*args)
    one_line(info, words)


# --- fit_steps: fit over rounds of eval_every steps ---

def _step_task():
    X = np.random.default_rng(0).normal(size=(250, 5)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.int64)


def _counted(loader):
    """A loader that counts the batches taken from it."""
    class Counting:
        taken = 0

        def __iter__(self):
            for batch in loader:
                Counting.taken += 1
                yield batch
    return Counting()


def test_fit_steps_takes_exactly_num_steps_batches_across_epochs():
    X, y = _step_task()
    counting = _counted(batch_loader(X, y, 100))      # 3 batches an epoch
    model = nn.Linear(5, 2)
    history = fit_steps(model, counting, nn.functional.cross_entropy,
                        torch.optim.SGD(model.parameters(), lr=0.1), 7, eval_every=3,
                        val_loader=array_loader(X, y, 250), metrics={"acc": accuracy})
    assert counting.taken == 7
    assert history["step"] == [3, 6, 7]
    assert len(history["val acc"]) == len(history["train loss"]) == 3
    assert not model.training


def test_fit_steps_is_the_same_training_as_a_loop_written_out():
    X, y = _step_task()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 20), nn.Dropout(0.3), nn.Linear(20, 2))
    fit_steps(model, batch_loader(X, y, 100), nn.functional.cross_entropy,
              torch.optim.AdamW(model.parameters(), lr=0.01), 8, eval_every=3,
              val_loader=array_loader(X, y, 250))
    torch.manual_seed(0)
    twin = nn.Sequential(nn.Linear(5, 20), nn.Dropout(0.3), nn.Linear(20, 2))
    optimizer, loader, step = torch.optim.AdamW(twin.parameters(), lr=0.01), batch_loader(X, y, 100), 0
    twin.train()
    while step < 8:
        for X_batch, y_batch in loader:
            loss = nn.functional.cross_entropy(twin(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            if step == 8:
                break
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), twin.parameters()))


def test_fit_steps_without_eval_every_evaluates_once_at_the_end():
    X, y = _step_task()
    model = nn.Linear(5, 2)
    history = fit_steps(model, batch_loader(X, y, 100), nn.functional.cross_entropy,
                        torch.optim.SGD(model.parameters(), lr=0.1), 5)
    assert history["step"] == [5] and len(history["train loss"]) == 1


@pytest.mark.parametrize("kwargs, error, match", [
    ({"num_steps": 0}, ValueError, "num_steps"),
    ({"eval_every": 0}, ValueError, "eval_every"),
    ({"batches": []}, ValueError, "no batches"),
    ({"batches": (np.zeros((2, 5)), np.zeros(2))}, TypeError, "DataLoader"),
])
def test_fit_steps_refuses_bad_settings_with_a_message(kwargs, error, match):
    X, y = _step_task()
    model = nn.Linear(5, 2)
    args = {"batches": batch_loader(X, y, 100), "num_steps": 5, **kwargs}
    with pytest.raises(error, match=match):
        fit_steps(model, args.pop("batches"), nn.functional.cross_entropy,
                  torch.optim.SGD(model.parameters(), lr=0.1), args.pop("num_steps"), **args)
