"""Transfer learning (Chapter 11): split a data set into a source and a target task,
draw a few labels per class, freeze a network's body and count what still trains.

``class_split`` keeps the examples of some classes and relabels them 0, 1, …;
``labels_per_class`` draws a label budget (the same number of examples of each class);
``freeze`` switches off the gradients of a module's parameters and
``trainable_parameters`` counts those still switched on. ``cnn_body`` is Chapter 8's
MNIST-1D CNN without its output layer, ``train_classifier`` trains whatever parameters
still require gradients (the body at its own learning rate if asked) with the book's
loop, ``nnbook.training.fit_steps``; Chapter 10's ``nnbook.generalization.test_accuracy``
scores a model. Every function refuses bad input with a one-line
message that says what to change.
"""

import numpy as np
import torch
from torch import nn

from nnbook.training import accuracy, fit_steps
from nnbook.validation import as_array, as_instance, as_int, as_positive, as_seed


# --- validation (package only) ---------------------------------------------

def _as_examples(X, y):
    """X as an array (n, ...) and y as int64 labels (n,): the examples of a task."""
    X = as_array(X, "X", dtype=None)
    y = as_array(y, "y", ndim=1, dtype=None)
    if len(y) != len(X):
        raise ValueError(f"X and y must hold the same number of examples, got "
                         f"{len(X)} rows in X and {len(y)} labels in y")
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
    return X, y.astype(np.int64, copy=False)


def _as_classes(classes, y):
    """classes as a list of distinct ints, each present in y."""
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__len__"):
        raise TypeError(f"classes must be a list of class labels such as [5, 6, 7], "
                        f"got {classes!r}")
    classes = [as_int(c, f"classes[{i}]") for i, c in enumerate(classes)]
    if not classes:
        raise ValueError("classes is empty: name at least one class label to keep")
    if len(set(classes)) != len(classes):
        raise ValueError(f"classes must not repeat a label, got {classes}")
    missing = [c for c in classes if not np.any(y == c)]
    if missing:
        raise ValueError(f"classes {missing} do not occur in y "
                         f"(its labels are {sorted(set(y.tolist()))})")
    return classes


# --- the chapter's functions -----------------------------------------------

def class_split(X, y, classes):
    """The examples of ``classes`` only, relabelled 0 … len(classes) − 1 in the order given.

    X: (n, ...) array; y: (n,) int labels; classes: a sequence of labels, e.g. [5, 6, 7, 8, 9].
    Returns ``(X_sub, y_sub)``: X_sub (m, ...) of X's dtype, y_sub (m,) int64, rows in
    their original order.
    """
    X, y = _as_examples(X, y)
    classes = _as_classes(classes, y)
    keep = np.isin(y, classes)
    new_label = {c: i for i, c in enumerate(classes)}
    return X[keep], np.array([new_label[c] for c in y[keep]], dtype=np.int64)


def labels_per_class(X, y, per_class, seed=0):
    """``per_class`` examples of each class in y, drawn without replacement.

    X: (n, ...) array; y: (n,) int labels; the draw uses ``np.random.default_rng(seed)``.
    Returns ``(X_sub, y_sub)``: (k·per_class, ...) and (k·per_class,) int64 for k classes,
    grouped by class in increasing label order. Raises ValueError when a class has fewer
    than ``per_class`` examples.
    """
    X, y = _as_examples(X, y)
    per_class = as_int(per_class, "per_class", minimum=1)
    rng = np.random.default_rng(as_seed(seed))
    picked = []
    for c in np.unique(y):
        where = np.flatnonzero(y == c)
        if len(where) < per_class:
            raise ValueError(f"class {c} has only {len(where)} examples, fewer than "
                             f"per_class={per_class}: ask for at most {len(where)}")
        picked.append(rng.choice(where, size=per_class, replace=False))
    idx = np.concatenate(picked)
    return X[idx], y[idx]


def freeze(module):
    """Switch off the gradients of every parameter of ``module`` (requires_grad=False),
    so an optimiser leaves them as they are. Returns the same module."""
    as_instance(module, "module", nn.Module, "a torch.nn.Module (a layer or a model)")
    for p in module.parameters():
        p.requires_grad_(False)
    return module


def trainable_parameters(model):
    """The number of parameters of ``model`` that will be trained (requires_grad=True): an int."""
    as_instance(model, "model", nn.Module, "a torch.nn.Module (a layer or a model)")
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def cnn_body(channels=25, seed=0):
    """Chapter 8's MNIST-1D CNN without its output layer: (N, 40) signals → (N, 5·channels)
    features (three strided convolutions with ReLU, flattened). The weights are drawn
    from ``torch.manual_seed(seed)``."""
    channels = as_int(channels, "channels", minimum=1)
    torch.manual_seed(as_seed(seed))
    return nn.Sequential(
        nn.Unflatten(1, (1, 40)),                 # (N, 40) → (N, 1, 40)
        nn.Conv1d(1, channels, 5, stride=2, padding=1), nn.ReLU(),
        nn.Conv1d(channels, channels, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv1d(channels, channels, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten())


def _as_task(model, X, y):
    """model, and X, y as float32 and int64 tensors with as many rows."""
    as_instance(model, "model", nn.Module, "a torch.nn.Module")
    X, y = _as_examples(X, y)
    return torch.as_tensor(np.asarray(X, dtype=np.float32)), torch.as_tensor(y)


def _optimizer(model, lr, body_lr):
    """Adam over the trainable parameters; with body_lr, model[0] (the body) gets it."""
    lr = as_positive(lr, "lr")
    if body_lr is None:
        groups = [{"params": [p for p in model.parameters() if p.requires_grad]}]
    else:
        if not isinstance(model, nn.Sequential) or len(model) != 2:
            raise TypeError("body_lr needs model = nn.Sequential(body, head), got "
                            f"{type(model).__name__}: build it that way or leave body_lr=None")
        groups = [{"params": [p for p in model[0].parameters() if p.requires_grad],
                   "lr": as_positive(body_lr, "body_lr")},
                  {"params": [p for p in model[1].parameters() if p.requires_grad]}]
    groups = [g for g in groups if g["params"]]
    if not groups:
        raise ValueError("model has no trainable parameters: unfreeze at least its head")
    return torch.optim.Adam(groups, lr=lr)


class RandomBatches:
    """Endless batches of ``batch_size`` rows of (X, y) drawn at random (with
    replacement) by ``generator``, or the whole set when it holds no more."""

    def __init__(self, X, y, batch_size, generator):
        self.X, self.y, self.batch_size, self.generator = X, y, batch_size, generator

    def __iter__(self):
        while True:
            idx = torch.randint(len(self.X), (self.batch_size,), generator=self.generator) \
                if self.batch_size < len(self.X) else slice(None)
            yield self.X[idx], self.y[idx]


def train_classifier(model, X, y, num_steps, lr=3e-3, batch_size=100, seed=0, *,
                     body_lr=None, X_val=None, y_val=None, eval_every=None):
    """Train ``model`` with Adam and cross-entropy for ``num_steps`` steps on random
    batches of ``batch_size`` examples (all of them when there are fewer), drawn with
    ``torch.Generator().manual_seed(seed)``. Only parameters with requires_grad change.

    X: (n, d) float array, y: (n,) int labels; body_lr: the learning rate of model[0]
    when model = nn.Sequential(body, head) (None: lr for all); X_val, y_val: scored every
    ``eval_every`` steps. Returns {"step": [...], "val acc": [...]} (empty lists without
    X_val); the model is left in eval mode. The loop is the book's own,
    ``nnbook.training.fit_steps``.
    """
    X, y = _as_task(model, X, y)
    num_steps = as_int(num_steps, "num_steps", minimum=1)
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    every = _as_eval_every(X_val, y_val, eval_every, num_steps)
    generator, optimizer = torch.Generator().manual_seed(as_seed(seed)), _optimizer(model, lr, body_lr)
    val = None
    if every:
        X_val, y_val = _as_task(model, X_val, y_val)
        val = [(X_val, y_val)]                     # one batch: the whole validation set
    history = fit_steps(model, RandomBatches(X, y, batch_size, generator),
                        nn.functional.cross_entropy, optimizer, num_steps,
                        eval_every=every or None, val_loader=val, metrics={"acc": accuracy},
                        device="cpu")
    if not every:
        return {"step": [], "val acc": []}
    return {"step": history["step"], "val acc": [100.0 * a for a in history["val acc"]]}


def _as_eval_every(X_val, y_val, eval_every, num_steps):
    """eval_every as an int (num_steps when None), or 0 when there is no validation set."""
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is None:
        if eval_every is not None:
            raise ValueError("eval_every needs X_val and y_val to score")
        return 0
    return num_steps if eval_every is None else as_int(eval_every, "eval_every", minimum=1)
