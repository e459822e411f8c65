"""The book's training loop, written out in Chapter 6 and used from then on.

``fit`` trains a PyTorch model for a number of epochs and returns a
:class:`History` of the losses and metrics per epoch, for plotting;
``evaluate`` measures a model on a loader without changing it.

- Modes: ``model.train()`` while it learns, ``model.eval()`` (dropout off,
  batch normalisation on its running statistics) and no gradients while it
  is measured. The model is left in eval mode, ready to predict.
- Devices: the model and every batch go to ``device`` (by default
  ``nnbook.device.best_device()``); float data are sent as float32.
- Steps instead of epochs: ``fit_steps`` trains for an exact number of
  batches, evaluating every ``eval_every`` steps, whatever the size of the
  data set (Chapters 10 and 11 compare training sets of very different
  sizes at the same number of steps). It is ``fit`` over "epochs" of
  ``eval_every`` steps, not another loop.
- Early stopping: with ``patience``, training stops once the validation
  loss has not improved for that many epochs, and the weights of the best
  epoch are restored.
- Progress: a ``tqdm`` bar over the epochs, live in JupyterLab, and off
  where ``nnbook.progress.progress_enabled()`` says so (the re-executor and
  the tests), so that no bar is stored in a notebook.
- Bad input (an empty loader, labels of the wrong dtype, an output that
  does not fit the loss, a loss that diverges) is refused with a one-line
  message that says what to change.
"""

import copy
import math

import torch
from torch import nn

from nnbook.device import best_device
from nnbook.progress import progress_enabled
from nnbook.validation import as_function, as_instance, as_int

CROSS_ENTROPY = (nn.functional.cross_entropy, nn.CrossEntropyLoss)


class History(dict):
    """Per-epoch lists: "train loss" (the mean batch loss during the
    epoch), "train <metric>" (the same for each metric), and with a
    validation loader "val loss" and "val <metric>" (measured after the
    epoch, in eval mode).

    Attributes: ``best_epoch`` (1-based epoch of the lowest validation
    loss, None without validation) and ``stopped_early`` (True when
    early stopping ended training before ``num_epochs``).
    """

    best_epoch = None
    stopped_early = False


def accuracy(y_hat, y):
    """Fraction of rows of scores y_hat (n, k) whose largest entry is at
    the label y (n,)."""
    return (y_hat.argmax(dim=1) == y).float().mean().item()


def _one_line(err):
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 150 else text[:149] + "…"


def _to_device(batch, device):
    """(X, y) on ``device``; floating tensors as float32."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise TypeError("each batch must be a pair (X, y), got "
                        f"{type(batch).__name__}: let the data set's "
                        "__getitem__ return (x, y)")
    X, y = (torch.as_tensor(t) for t in batch)
    X = X.to(device, torch.float32 if X.is_floating_point() else None)
    y = y.to(device, torch.float32 if y.is_floating_point() else None)
    return X, y


def _forward(model, X):
    try:
        return model(X)
    except (RuntimeError, ValueError, IndexError, TypeError) as err:
        raise ValueError(
            f"the model could not take a batch X of shape {tuple(X.shape)} "
            f"({_one_line(err)}): does its first layer expect "
            f"{X.shape[-1] if X.dim() else 1} inputs?") from None


def _check_fit(y_hat, y, loss_fn):
    """Refuse an output and labels that the loss cannot compare."""
    out, lab = tuple(y_hat.shape), tuple(y.shape)
    if y_hat.dim() == 0 or len(y_hat) != len(y):
        raise ValueError(f"the model's output has shape {out} for a batch "
                         f"of {len(y)} labels: it must give one row per "
                         "sample")
    if loss_fn in CROSS_ENTROPY or isinstance(loss_fn, nn.CrossEntropyLoss):
        if y.is_floating_point() and y.dim() == y_hat.dim() - 1:
            raise TypeError(
                f"the labels are {str(y.dtype).replace('torch.', '')} but "
                "cross-entropy needs integer class labels: make them int64 "
                "(y.long(), or np.int64 in the data set)")
        if not y.is_floating_point() and y.numel() and y_hat.dim() >= 2:
            top = int(y.max())
            if top >= y_hat.shape[1]:
                raise ValueError(
                    f"the model gives {y_hat.shape[1]} scores per sample but "
                    f"a label is {top}: its last layer needs {top + 1} "
                    "outputs, one per class")
    elif y.is_floating_point() and out != lab:
        hint = (" (use y[:, None] for the targets, or squeeze the output)"
                if out == lab + (1,) or lab == out + (1,) else "")
        raise ValueError(f"the model's output has shape {out} but the "
                         f"targets have shape {lab}: they must be equal"
                         f"{hint}")


def _loss(loss_fn, y_hat, y, check):
    if check:
        _check_fit(y_hat, y, loss_fn)
    try:
        return loss_fn(y_hat, y)
    except (RuntimeError, ValueError, IndexError) as err:
        raise ValueError(
            f"loss_fn could not compare the output {tuple(y_hat.shape)} with "
            f"the labels {tuple(y.shape)} "
            f"{str(y.dtype).replace('torch.', '')} ({_one_line(err)})"
        ) from None


def _batches(loader, name):
    """Check that ``loader`` can be iterated and is not empty."""
    if isinstance(loader, (torch.Tensor, tuple)) or not hasattr(
            loader, "__iter__"):
        raise TypeError(f"{name} must be a DataLoader (or another iterable "
                        f"of (X, y) batches), got {type(loader).__name__}")
    if hasattr(loader, "__len__") and len(loader) == 0:
        raise ValueError(f"{name} yields no batches: its data set is empty "
                         "(or smaller than batch_size with drop_last=True)")
    return loader


def _validate_metrics(metrics):
    if metrics is None:
        return {}
    as_instance(metrics, "metrics", dict, "a dict name → function, such as "
                "{'acc': accuracy}")
    for name, fn in metrics.items():
        as_function(fn, f"metrics[{name!r}]", "a function (y_hat, y) → float")
    return metrics


def evaluate(model, loader, loss_fn, metrics=None, device=None):
    """Mean loss and metrics of ``model`` over ``loader``, in eval mode and
    without gradients.

    metrics: dict name → function (y_hat, y) → float, a mean over the
    batch (such as :func:`accuracy`). Returns a dict {"loss": float,
    name: float, ...}, each a mean over the samples. The model is left in
    eval mode.
    """
    metrics = _validate_metrics(metrics)
    device = torch.device(device) if device is not None else best_device()
    totals, count = {"loss": 0.0, **dict.fromkeys(metrics, 0.0)}, 0
    model.eval()
    with torch.no_grad():
        for i, batch in enumerate(_batches(loader, "loader")):
            X, y = _to_device(batch, device)
            y_hat = _forward(model, X)
            totals["loss"] += float(_loss(loss_fn, y_hat, y, i == 0)) * len(y)
            for name, fn in metrics.items():
                totals[name] += float(fn(y_hat, y)) * len(y)
            count += len(y)
    if count == 0:
        raise ValueError("loader yields no batches: its data set is empty")
    return {name: total / count for name, total in totals.items()}


def _train_epoch(model, loader, loss_fn, optimizer, metrics, device, first,
                 amp_dtype=None, scaler=None):
    """One pass over ``loader``: returns {"loss": mean, name: mean, ...}."""
    totals, count = {"loss": 0.0, **dict.fromkeys(metrics, 0.0)}, 0
    model.train()
    for i, batch in enumerate(loader):
        X, y = _to_device(batch, device)
        with torch.autocast(device.type, dtype=amp_dtype or torch.float32,
                            enabled=amp_dtype is not None):
            y_hat = _forward(model, X)
            loss = _loss(loss_fn, y_hat, y, first and i == 0)
        value = loss.item()
        if not math.isfinite(value):
            lr = optimizer.param_groups[0].get("lr")
            raise ValueError(f"training diverged: the loss is {value} at "
                             f"batch {i + 1} (lr={lr}): lower the "
                             "learning rate")
        optimizer.zero_grad()
        if scaler is None:
            loss.backward()
            optimizer.step()
        else:                   # fp16: scale the loss so small gradients survive
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        totals["loss"] += value * len(y)
        with torch.no_grad():
            for name, fn in metrics.items():
                totals[name] += float(fn(y_hat, y)) * len(y)
        count += len(y)
    if count == 0:
        raise ValueError("train_loader yields no batches: its data set is "
                         "empty")
    return {name: total / count for name, total in totals.items()}


def _validate_amp(amp_dtype):
    if amp_dtype not in (None, torch.bfloat16, torch.float16):
        raise ValueError("amp_dtype must be None (fp32), torch.bfloat16 or torch.float16, "
                         f"got {amp_dtype!r}")
    return amp_dtype


def _validate_fit(model, train_loader, loss_fn, optimizer, num_epochs,
                  val_loader, patience):
    as_instance(model, "model", nn.Module, "a torch.nn.Module")
    _batches(train_loader, "train_loader")
    as_function(loss_fn, "loss_fn", "a function (y_hat, y) → loss, such as "
                "torch.nn.functional.cross_entropy")
    as_instance(optimizer, "optimizer", torch.optim.Optimizer,
                "a torch.optim optimizer, such as "
                "torch.optim.SGD(model.parameters(), lr=0.1)")
    num_epochs = as_int(num_epochs, "num_epochs", minimum=1)
    if val_loader is not None:
        _batches(val_loader, "val_loader")
    if patience is not None:
        patience = as_int(patience, "patience", minimum=1)
        if val_loader is None:
            raise ValueError("patience needs a val_loader: early stopping "
                             "watches the validation loss")
    return num_epochs, patience


def fit(model, train_loader, loss_fn, optimizer, num_epochs, *,
        val_loader=None, metrics=None, device=None, patience=None,
        progress=None, amp_dtype=None):
    """Train ``model`` for ``num_epochs`` passes over ``train_loader``.

    loss_fn: (y_hat, y) → a scalar tensor; optimizer: built on
    ``model.parameters()``; metrics: dict name → (y_hat, y) → float;
    device: where to train (default ``best_device()``; the model is moved
    there and stays); patience: stop when the validation loss has not
    improved for this many epochs, then restore the best epoch's weights;
    progress: show a bar (default ``progress_enabled()``); amp_dtype:
    ``torch.bfloat16`` or ``torch.float16`` to train in mixed precision
    under ``torch.autocast`` (fp16 with a ``GradScaler``), None for fp32.
    Returns a :class:`History`; the model ends in eval mode.
    """
    num_epochs, patience = _validate_fit(model, train_loader, loss_fn,
                                         optimizer, num_epochs, val_loader,
                                         patience)
    metrics = _validate_metrics(metrics)
    device = torch.device(device) if device is not None else best_device()
    model.to(device)
    amp_dtype = _validate_amp(amp_dtype)
    scaler = torch.amp.GradScaler(device.type) if amp_dtype == torch.float16 else None
    history, best, waited = History(), None, 0
    show = progress_enabled() if progress is None else bool(progress)
    from tqdm.auto import tqdm

    epochs = tqdm(range(num_epochs), desc="epochs", disable=not show)
    for epoch in epochs:
        result = _train_epoch(model, train_loader, loss_fn, optimizer,
                              metrics, device, epoch == 0, amp_dtype, scaler)
        _record(history, "train", result)
        if val_loader is None:
            epochs.set_postfix(loss=f"{result['loss']:.3g}", refresh=False)
            continue
        result = evaluate(model, val_loader, loss_fn, metrics, device)
        _record(history, "val", result)
        epochs.set_postfix(val_loss=f"{result['loss']:.3g}", refresh=False)
        if best is None or result["loss"] < best[0]:
            best, waited = (result["loss"], _snapshot(model)), 0
            history.best_epoch = epoch + 1
        else:
            waited += 1
        if patience is not None and waited >= patience:
            history.stopped_early = epoch + 1 < num_epochs
            break
    epochs.close()
    if patience is not None and best is not None:
        model.load_state_dict(best[1])
    model.eval()
    return history


def _record(history, split, result):
    for name, value in result.items():
        history.setdefault(f"{split} {name}", []).append(value)


def _snapshot(model):
    """A copy of the weights that later steps cannot change."""
    return copy.deepcopy(model.state_dict())


class StepBatches:
    """The batches of ``batches`` (a DataLoader or any re-iterable of (X, y)),
    cut into rounds of ``per_round`` steps: each pass over this object yields
    the next ``per_round`` batches, starting ``batches`` again (its next
    epoch) when it runs out, until ``num_steps`` batches in all.
    ``fit`` over it evaluates once a round, so every ``per_round`` steps.
    """

    def __init__(self, batches, per_round, num_steps):
        self.batches = _batches(batches, "batches")
        self.per_round = as_int(per_round, "eval_every", minimum=1)
        self.num_steps = as_int(num_steps, "num_steps", minimum=1)
        self.taken, self._stream = 0, iter(())

    def __len__(self):
        return min(self.per_round, self.num_steps - self.taken)

    def __iter__(self):
        for _ in range(len(self)):
            yield self._next()

    def _next(self):
        for fresh in (False, True):
            try:
                batch = next(self._stream)
                self.taken += 1
                return batch
            except StopIteration:
                if fresh:
                    raise ValueError("batches yields no batches: its data set is empty") from None
                self._stream = iter(self.batches)


def fit_steps(model, batches, loss_fn, optimizer, num_steps, *,
              eval_every=None, val_loader=None, metrics=None, device=None,
              amp_dtype=None):
    """Train ``model`` for exactly ``num_steps`` batches drawn from
    ``batches`` (started again when it runs out), and, with
    ``val_loader``, evaluate it every ``eval_every`` steps (None: once,
    at the end).

    The same loop as :func:`fit`, over :class:`StepBatches`; returns its
    :class:`History`, one entry per evaluation, with a "step" list of the
    step counts at which they were made. The model ends in eval mode.
    """
    num_steps = as_int(num_steps, "num_steps", minimum=1)
    every = num_steps if eval_every is None else as_int(eval_every, "eval_every", minimum=1)
    rounds = StepBatches(batches, every, num_steps)
    history = fit(model, rounds, loss_fn, optimizer, math.ceil(num_steps / every),
                  val_loader=val_loader, metrics=metrics, device=device, progress=False,
                  amp_dtype=amp_dtype)
    history["step"] = [min(every * (i + 1), num_steps) for i in range(len(history["train loss"]))]
    return history
