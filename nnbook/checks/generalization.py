"""Checks for the exercises of Chapter 10, *Generalisation and data*."""

import copy
import functools
import inspect

import numpy as np
import torch
from torch import nn
from torch.nn.functional import cross_entropy

from nnbook.checks import numbers as _numbers
from nnbook.checks import returned as _returned
from nnbook.checks import CheckFailed, check, choice, close, expect, fmt
from nnbook.datasets import load_mnist1d
from nnbook.deep import deep_mlp
from nnbook.generalization import (min_norm_fit, random_relu_features, shift,
                                   subset, test_accuracy, train_steps)


# Exercise 1 -----------------------------------------------------------------

SPLIT_OPTIONS = {
    "A": "pick the setting with the best test accuracy and report that "
         "accuracy",
    "B": "pick the setting with the best validation accuracy, then measure "
         "that one model once on the test set",
    "C": "pick the setting with the lowest training loss, then measure it "
         "once on the test set",
    "D": "pick on the validation set, then adjust the model after each "
         "test measurement until the test accuracy is good",
}
SPLIT_FEEDBACK = {
    "A": "the test set then chose the model, so its accuracy is no longer "
         "a measurement on unseen data: it flatters, the more so the more "
         "settings you tried",
    "C": "the training loss rewards whatever memorises most: the widest "
         "network with no weight decay wins, whatever it does on new data",
    "D": "every change made after looking at the test set turns it into a "
         "second validation set; it is used once, at the end",
}


@check
def check_split_answer(answer):
    """Exercise 1: where hyperparameters are tuned, and when the test set is
    used."""
    choice(answer, "B", SPLIT_OPTIONS, SPLIT_FEEDBACK)
    return ("B: tune on the validation set; the test set is used once, at "
            "the end")


# Exercise 2 -----------------------------------------------------------------

KFOLD_CASES = ((10, 5), (10, 3), (7, 7), (5, 2), (11, 4), (101, 10), (2, 2))


def _index_array(value, what):
    """An answer's indices as a 1-D int array, or a message saying what it
    is."""
    array = np.asarray(_numbers(value))
    expect(array.ndim == 1, f"{what} should be a 1-D array of indices, got "
           f"shape {array.shape}")
    expect(array.size == 0 or array.dtype.kind in "iu" or (
        array.dtype.kind == "f" and np.all(array == np.round(array))),
        f"{what} should hold whole-number indices, got {fmt(array[:3])}")
    return array.astype(int)


def _folds(kfold_indices, n, k, seed=0):
    """The learner's splits as a list of (train, val) int arrays."""
    call = f"kfold_indices({n}, {k})" if seed == 0 else \
        f"kfold_indices({n}, {k}, seed={seed})"
    splits = _returned(kfold_indices(n, k, seed), call)
    expect(isinstance(splits, (list, tuple)), f"{call} should return a list "
           f"of k (train, val) pairs, got {type(splits).__name__}")
    expect(len(splits) == k, f"{call} should return {k} (train, val) pairs, "
           f"one per fold, got {len(splits)}")
    out = []
    for i, pair in enumerate(splits):
        expect(isinstance(pair, (list, tuple)) and len(pair) == 2,
               f"{call}[{i}] should be a pair (train, val), got "
               f"{type(pair).__name__}")
        out.append(tuple(_index_array(a, f"{call}[{i}][{j}]")
                         for j, a in enumerate(pair)))
    return call, out


def _check_folds(call, splits, n, k):
    """Fail unless the validation folds partition range(n) evenly and each
    training set is the rest."""
    vals = [val for _, val in splits]
    seen = np.concatenate(vals)
    low, high = seen.min(initial=0), seen.max(initial=0)
    expect(low >= 0 and high < n, f"{call}: indices should run from 0 to "
           f"{n - 1}, got {low} … {high}")
    expect(len(np.unique(seen)) == len(seen), f"{call}: an index is in "
           "more than one validation fold: the folds must not overlap")
    missing = sorted(set(range(n)) - set(seen.tolist()))
    expect(not missing, f"{call}: the validation folds leave out the "
           f"indices {missing[:5]}: together they must cover all {n} "
           "examples, the n % k left over too")
    sizes = [len(val) for val in vals]
    expect(max(sizes) - min(sizes) <= 1, f"{call}: the folds have sizes "
           f"{sizes}; they should differ by at most one (np.array_split "
           "cuts them so)")
    for i, (train, val) in enumerate(splits):
        expect(not set(train.tolist()) & set(val.tolist()), f"{call}[{i}]: "
               "the training indices include validation ones: train on "
               "every index except the fold's")
        expect(sorted(train.tolist()) == sorted(set(range(n)) - set(
            val.tolist())), f"{call}[{i}]: the training indices should "
            "be every index not in the fold, each once")


@check
def check_kfold_indices(kfold_indices):
    """Exercise 2: k-fold cross-validation splits."""
    for n, k in KFOLD_CASES:
        call, splits = _folds(kfold_indices, n, k)
        _check_folds(call, splits, n, k)
    call, first = _folds(kfold_indices, 20, 4)
    expect(not all(np.array_equal(np.sort(val), np.arange(5 * i, 5 * i + 5))
                   for i, (_, val) in enumerate(first)),
           f"{call}: fold i holds the examples 5i … 5i + 4: shuffle the "
           "indices first, with np.random.default_rng(seed).permutation(n)")
    again = _folds(kfold_indices, 20, 4)[1]
    expect(all(np.array_equal(a[1], b[1]) for a, b in zip(first, again)),
           f"{call} gave other folds when called again: draw the order "
           "from np.random.default_rng(seed), not from a global generator")
    other = _folds(kfold_indices, 20, 4, seed=1)[1]
    expect(not all(np.array_equal(a[1], b[1]) for a, b in zip(first, other)),
           "kfold_indices(20, 4, seed=1) gave the same folds as seed=0: "
           "shuffle with the seed you are given")
    for n, k in ((3, 5), (4, 1)):
        try:
            kfold_indices(n, k, 0)
        except ValueError:
            continue
        except Exception as err:  # noqa: BLE001 - named in the message
            raise CheckFailed(f"kfold_indices({n}, {k}) should raise a "
                              f"ValueError (k must be from 2 to n), got "
                              f"{type(err).__name__}") from None
        raise CheckFailed(f"kfold_indices({n}, {k}) should raise a "
                          "ValueError: k must be from 2 to n")
    return (f"right for {len(KFOLD_CASES) + 1} sizes, k = n and n % k ≠ 0 "
            "among them")


# Exercise 3 -----------------------------------------------------------------

EARLY_CASES = (
    ([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.69, 0.7, 0.8], 2),  # later dip unseen
    ([1.0, 0.9, 0.9, 0.9, 0.95], 3),                          # ties
    ([0.5, 0.6, 0.7, 0.8], 2),                                # never improves
    ([1.0, 0.9, 0.95], 10),                                   # patience > run
    ([3.0, 2.0, 1.0], 1),                                     # always improves
    ([1.0, 1.1, 0.9], 1),
    ([0.4], 1),                                               # one epoch
    ([2.0, 1.5, 1.6, 1.4, 1.45, 1.5, 1.3], 2),
)


def early_stopping_reference(val_losses, patience, ties_improve=False,
                             extra_wait=0):
    """(best epoch, stop epoch), both counted from 1, as nnbook.training.fit
    decides them; the keywords give two slips."""
    best, best_loss, waited = 1, None, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if best_loss is None or loss < best_loss or (
                ties_improve and loss == best_loss):
            best, best_loss, waited = epoch, loss, 0
        else:
            waited += 1
        if waited >= patience + extra_wait:
            return best, epoch
    return best, len(val_losses)


def _early_hint(got, right, losses, patience):
    """Why (best, stop) = ``got`` is wrong, when it is a known slip."""
    best, stop = got
    if got == (right[0] - 1, right[1] - 1):
        return "count the epochs from 1, as History.best_epoch does"
    if got == early_stopping_reference(losses, patience, ties_improve=True):
        return ("a loss equal to the best so far is no improvement: keep "
                "the earlier epoch, and keep counting")
    if got == early_stopping_reference(losses, patience, extra_wait=1):
        return (f"stop as soon as {patience} epochs in a row have not "
                "improved, not one epoch later")
    if stop > len(losses):
        return f"the run has only {len(losses)} epochs"
    if best > right[1]:
        return (f"training stopped at epoch {right[1]}, so it never saw "
                f"epoch {best}: restore the best epoch up to the stop")
    return ("keep the best loss so far and count the epochs since it "
            "last improved")


def _whole(value):
    """True for a whole number (an int, an integral float, a 0-d array)."""
    value = _numbers(value)
    return (np.ndim(value) == 0 and not isinstance(value, (bool, np.bool_))
            and np.asarray(value).dtype.kind in "iuf"
            and float(value) == round(float(value)))


def _epoch_pair(value, call):
    """(best, stop) as two ints, from a tuple, a list or an array."""
    value = _returned(value, call)
    items = value
    if isinstance(value, (np.ndarray, torch.Tensor)):
        items = list(np.asarray(_numbers(value)).ravel())
    expect(isinstance(items, (list, tuple)) and len(items) == 2 and all(
        _whole(v) for v in items), f"{call} should return two whole numbers "
        f"(best epoch, stop epoch), got {value!r}")
    return int(float(_numbers(items[0]))), int(float(_numbers(items[1])))


@check
def check_early_stopping(early_stopping):
    """Exercise 3: the epoch early stopping restores, and where it stops."""
    for losses, patience in EARLY_CASES:
        right = early_stopping_reference(losses, patience)
        call = f"early_stopping({losses}, patience={patience})"
        got = _returned(early_stopping(list(losses), patience), call)
        got = _epoch_pair(got, call)
        if got != right:
            raise CheckFailed(f"{call} should be {right}, got {got}: "
                              f"{_early_hint(got, right, losses, patience)}")
    losses = np.array(EARLY_CASES[0][0])
    right = early_stopping_reference(losses, 2)
    got = _epoch_pair(early_stopping(losses, 2), "early_stopping(array)")
    expect(got == right, f"with the losses as a numpy array, "
           f"early_stopping gives {got}, not {right}")
    best, stop = early_stopping_reference(*EARLY_CASES[0])
    return (f"right on {len(EARLY_CASES)} curves; on the first it restores "
            f"epoch {best}, stops at {stop}")


# Exercise 4 -----------------------------------------------------------------

SIGNAL_LENGTH = 40


def zero_shift(X, s):
    """Rows of X (N, D) moved s places to the right (left for s < 0), the
    places left empty filled with zeros: out[:, j] = X[:, j - s]."""
    out = np.zeros_like(X)
    D = X.shape[-1]
    if s >= 0:
        out[..., s:] = X[..., :D - s]
    else:
        out[..., :D + s] = X[..., -s:]
    return out


def _signals(n, seed):
    """n random signals (n, 40) float32 with no zero entry."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, SIGNAL_LENGTH, generator=gen) + 10.0


def _shifts_of(out, X, call):
    """The shift of each row of ``out`` relative to ``X`` (both (N, D)),
    or a message naming the first row that is no zero-padded shift."""
    D = X.shape[1]
    shifts = np.full(len(X), D)     # D: no shift found
    for s in range(-D + 1, D):
        shifts[np.all(out == zero_shift(X, s), axis=1)] = s
    if np.any(shifts == D):
        i = int(np.argmax(shifts == D))
        rolled = any(np.array_equal(out[i], np.roll(X[i], s))
                     for s in range(D))
        expect(not rolled, f"{call}: row {i} wraps around, as the "
               "chapter's shift does: the values pushed off one end "
               "should be lost, and the empty places filled with zeros")
        raise CheckFailed(f"{call}: row {i} is not row {i} of X moved by a "
                          "whole number of places with zeros filled in")
    return shifts


def _augmented(shift_with_zeros, X, max_shift, seed):
    """The learner's output for X (as a float numpy array) and its call."""
    call = f"shift_with_zeros(X {tuple(X.shape)}, {max_shift}, generator)"
    before = X.clone()
    out = _returned(shift_with_zeros(X, max_shift, torch.Generator()
                                     .manual_seed(seed)), call)
    expect(torch.equal(X, before), f"{call} changed X itself: build a new "
           "tensor (torch.zeros_like(X), then fill it)")
    expect(isinstance(out, torch.Tensor), f"{call} should return a torch "
           f"tensor, as train_steps feeds it to the model, got "
           f"{type(out).__name__}")
    expect(tuple(out.shape) == tuple(X.shape), f"{call} should have shape "
           f"{tuple(X.shape)}, got {tuple(out.shape)}")
    expect(out.dtype == X.dtype, f"{call} should keep X's dtype {X.dtype}, "
           f"got {out.dtype}")
    return call, out.detach().numpy()


def _places(count):
    count = abs(int(count))
    return f"{count} place" + ("" if count == 1 else "s")


def _check_shift_spread(shifts, max_shift, call):
    """Fail unless the shifts of many rows look like uniform draws from
    -max_shift … max_shift."""
    values = set(shifts.tolist())
    wanted = set(range(-max_shift, max_shift + 1))
    expect(values <= wanted, f"{call}: some rows are moved "
           f"{_places(max(abs(s) for s in values))}, more than max_shift = "
           f"{max_shift}")
    expect(len(values) > 1, f"{call}: every row is moved the same "
           f"{_places(shifts[0])}: draw one shift for each row")
    expect(min(values) < 0 < max(values), f"{call}: the rows only move "
           "one way: draw the shifts from -max_shift to max_shift")
    missing = sorted({-max_shift, max_shift} - values)
    why = ("the upper bound of torch.randint is excluded, so draw up to "
           "max_shift + 1") if missing == [max_shift] else \
        "draw from -max_shift to max_shift, both included"
    expect(not missing, f"{call} never moves a row by "
           f"{' or '.join(f'{s:+d}' for s in missing)}: {why}")
    counts = np.bincount(shifts + max_shift, minlength=2 * max_shift + 1)
    share = counts / counts.sum()
    expect(share.min() > 0.5 / len(counts) and share.max() < 1.5 / len(
        counts), f"{call}: the shifts -{max_shift} … {max_shift} come out "
        f"{np.round(100 * share).astype(int).tolist()} % of the time; each "
        "should be about equally likely")


@check
def check_shift_with_zeros(shift_with_zeros):
    """Exercise 4: random shifts of MNIST-1D signals, padded with zeros."""
    X = _signals(2000, seed=1)
    call, out = _augmented(shift_with_zeros, X, 3, seed=0)
    _check_shift_spread(_shifts_of(out, X.numpy(), call), 3, call)
    for n, max_shift in ((6, 0), (1, 3), (8, 39)):
        X_edge = _signals(n, seed=n)
        edge, moved = _augmented(shift_with_zeros, X_edge, max_shift, seed=0)
        shifts = _shifts_of(moved, X_edge.numpy(), edge)
        expect(np.all(np.abs(shifts) <= max_shift), f"{edge}: a row is "
               f"moved {_places(np.abs(shifts).max())}, more than "
               f"max_shift = {max_shift}")
    with torch.random.fork_rng():   # the global state must not matter
        torch.manual_seed(1)
        first = _augmented(shift_with_zeros, X, 3, seed=0)[1]
        torch.manual_seed(2)
        again = _augmented(shift_with_zeros, X, 3, seed=0)[1]
    expect(np.array_equal(first, again), f"{call} gave other shifts for a "
           "generator with the same seed: draw them from `generator` "
           "(torch.randint(..., generator=generator))")
    other = _augmented(shift_with_zeros, X, 3, seed=1)[1]
    expect(not np.array_equal(out, other), f"{call} gave the same shifts "
           "for generators with other seeds: draw them from `generator`")
    return (f"zero-padded shifts, -3 … 3 each about "
            f"{100 / 7:.0f} % of the time, reproducible")


# Exercise 5 -----------------------------------------------------------------

def _l2_models():
    """(name, model, X, y, lr, wd): the cases, each model from its
    own seed (the notebook's random state is left as it was)."""
    gen = torch.Generator().manual_seed(5)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        linear = nn.Linear(5, 3)
        mlp = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))
        stale = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
    for p in stale.parameters():   # gradients left over from an earlier step
        p.grad = torch.ones_like(p)
    return (("a Linear(5, 3)", linear, torch.randn(8, 5, generator=gen),
             torch.arange(8) % 3, 0.5, 0.1),
            ("an MLP on a batch of one", mlp, torch.randn(1, 4, generator=gen),
             torch.tensor([2]), 0.1, 0.01),
            ("the same MLP", mlp, torch.randn(6, 4, generator=gen),
             torch.arange(6) % 3, 0.2, 0.0),
            ("an MLP holding old gradients", stale,
             torch.randn(4, 4, generator=gen), torch.tensor([0, 1, 1, 0]),
             0.3, 1.0))


def sgd_reference(model, X, y, lr, wd, **slip):
    """The parameters after one step of torch.optim.SGD(lr, weight_decay=wd)
    on cross_entropy(model(X), y), on a copy of ``model``; the keywords
    give a slip: "penalty" (a function of a parameter, added to the loss),
    "sign" (-1: a step uphill), "reduction" ("sum")."""
    model = copy.deepcopy(model)
    params = list(model.parameters())
    loss = cross_entropy(model(X), y, reduction=slip.get("reduction", "mean"))
    if "penalty" in slip:
        loss = loss + sum(slip["penalty"](p) for p in params)
    grads = torch.autograd.grad(loss, params)
    if slip:   # by hand: torch's SGD refuses a negative learning rate
        decay = 0.0 if "penalty" in slip else wd
        return [(p - slip.get("sign", 1) * lr * (g + decay * p)).detach()
                for p, g in zip(params, grads)]
    for p, g in zip(params, grads):
        p.grad = g
    torch.optim.SGD(params, lr=lr, weight_decay=wd).step()
    return [p.detach().clone() for p in params]


def _l2_slips(wd):
    """(keywords of sgd_reference, what the slip is)."""
    return (
        ({"penalty": lambda p: wd * p.pow(2).sum()},
         "the penalty is wd/2 · Σ w², so its gradient is wd · w; yours "
         "is twice that"),
        ({"penalty": lambda p: 0 * p.sum()}, "the penalty is missing: add "
         "wd/2 times the sum of the squares of every parameter to the loss"),
        ({"penalty": lambda p: wd / 2 * p.pow(2).sum() if p.dim() > 1
          else 0 * p.sum()}, "torch's weight_decay decays every parameter, "
         "the biases too: put them in the penalty as well"),
        ({"penalty": lambda p: wd / 2 * p.norm()}, "the penalty is the sum "
         "of the squares, Σ w², not the norm √(Σ w²)"),
        ({"sign": -1}, "the step goes uphill: subtract lr · gradient"),
        ({"reduction": "sum"}, "the loss is the mean cross-entropy over the "
         "batch (cross_entropy's default), not the sum"),
    )


def _l2_hint(got, model, X, y, lr, wd):
    """Why the updated parameters ``got`` are wrong, if it is a known slip."""
    for slip, why in _l2_slips(wd):
        if _same_params(got, sgd_reference(model, X, y, lr, wd, **slip)):
            return why
    return None


def _as_params(value, count, call):
    """The learner's returned parameters as float64 tensors."""
    expect(isinstance(value, (list, tuple)), f"{call} should return a list "
           f"of the {count} updated parameter tensors, got "
           f"{type(value).__name__}")
    expect(len(value) == count, f"{call} should return all {count} "
           f"parameters, in the order of model.parameters(), got "
           f"{len(value)}")
    return [torch.as_tensor(_numbers(v), dtype=torch.float64) for v in value]


def _first(param):
    """A parameter's first few values, for a message."""
    return fmt(np.asarray(param, dtype=float).ravel()[:3])


def _same_params(got, want):
    return all(g.shape == w.shape and torch.allclose(
        g.double(), w.double(), rtol=1e-4, atol=1e-6)
        for g, w in zip(got, want))


def _l2_case(l2_sgd_step, name, model, X, y, lr, wd):
    """Fail unless the learner's step on ``model`` is torch's SGD step."""
    call = f"l2_sgd_step({name}, lr={lr}, wd={wd})"
    original, params = copy.deepcopy(model), list(model.parameters())
    old = [None if p.grad is None else p.grad.clone() for p in params]
    want = sgd_reference(model, X, y, lr, wd)
    got = _as_params(_returned(l2_sgd_step(model, X, y, lr, wd), call),
                     len(params), call)
    expect([g.shape for g in got] == [w.shape for w in want] or sorted(
        g.shape for g in got) != sorted(w.shape for w in want),
        f"{call}: return the parameters in the order of model.parameters()")
    ok = [g.shape == w.shape and torch.allclose(g, w.double(), rtol=1e-4,
                                                atol=1e-6)
          for g, w in zip(got, want)]
    if not all(ok):
        why = _l2_hint(got, original, X, y, lr, wd)
        if all(g is not None for g in old) and _same_params(
                got, [w - lr * g for w, g in zip(want, old)]):
            why = ("the model held gradients from an earlier step, and "
                   "backward() adds to them: zero them first")
        i = ok.index(False)
        if why is None:
            close(got[i], want[i], f"{call}: parameter {i}", rtol=1e-4,
                  atol=1e-6)
        raise CheckFailed(f"{call}: parameter {i} should start "
                          f"{_first(want[i])}, got {_first(got[i])}: {why}")
    expect(_same_params([p.detach() for p in params], want),
           f"{call} returned the right values, but the model's own "
           "parameters did not change: update them in place, p -= lr "
           "* p.grad inside torch.no_grad()")


@check
def check_l2_step(l2_sgd_step):
    """Exercise 5: one SGD step on the loss plus wd/2 · Σ w², by hand."""
    for case in _l2_models():
        _l2_case(l2_sgd_step, *case)
    return "the same step as torch.optim.SGD(weight_decay=wd) in 4 cases"


# Exercise 6 -----------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _mnist1d_pool():
    """MNIST-1D's 4000 training signals and their labels (generated once)."""
    return load_mnist1d()[0]


SHIFT_SIZES = (500, 1000, 2000, 3000)
PROBE = {"n": 200, "num_steps": 40}   # the check's own short trainings


def shift3(X, generator):
    """The chapter's augmentation: random circular shifts of up to 3."""
    return shift(X, 3, generator)


def accuracy_reference(n, augment=None, seed=0, num_steps=500, **slip):
    """Validation accuracy (%) of deep_mlp(40, 10, 1, 256, seed=seed)
    trained by train_steps on subset(X_train, y_train, n, seed) of the
    exercises' split; the keywords give a slip: "data_seed" or
    "model_seed" (a fixed seed there), "on_train" (measured on the
    training subset)."""
    X_pool, y_pool = _mnist1d_pool()
    X, y = subset(X_pool[:3000], y_pool[:3000], n,
                  slip.get("data_seed", seed))
    with torch.random.fork_rng():   # deep_mlp seeds the global generator
        model = deep_mlp(40, 10, 1, 256, seed=slip.get("model_seed", seed))
        train_steps(model, X, y, num_steps, augment=augment, seed=seed)
    if slip.get("on_train"):
        return test_accuracy(model, X, y)
    return test_accuracy(model, X_pool[3000:], y_pool[3000:])


def _accuracy_slips(seed, augment, num_steps):
    """(accuracy a slip gives, what the slip is) for one probe."""
    n = PROBE["n"]
    return (
        (accuracy_reference(n, None, seed, num_steps), "augment is "
         "ignored: pass it on to train_steps"),
        (accuracy_reference(n, augment, seed, num_steps, data_seed=0),
         "the training subset ignores the seed: subset(X_train, y_train, "
         "n, seed)"),
        (accuracy_reference(n, augment, seed, num_steps, model_seed=0),
         "the network ignores the seed: deep_mlp(..., seed=seed)"),
        (accuracy_reference(n, augment, seed, num_steps, on_train=True),
         "that is the accuracy on the training subset: measure it on "
         "X_val, y_val"),
    )


def _check_accuracy_fn(val_accuracy):
    """Fail unless the learner's val_accuracy follows the recipe, on two
    short trainings."""
    n, steps = PROBE["n"], PROBE["num_steps"]
    for augment, seed, name in ((None, 0, ""), (shift3, 1, "shift3")):
        call = (f"val_accuracy({n}, seed={seed}, num_steps={steps}"
                f"{', augment=' + name if name else ''})")
        got = _numbers(_returned(val_accuracy(n, augment=augment, seed=seed,
                                              num_steps=steps), call))
        expect(np.ndim(got) == 0, f"{call} should return one accuracy in "
               f"percent, got {got!r}")
        got = float(got)
        right = accuracy_reference(n, augment, seed, steps)
        expect(got > 1 or right <= 1, f"{call} = {got:.3g}: give the "
               "accuracy in percent, as test_accuracy does")
        if abs(got - right) > 0.05:
            for slip, why in _accuracy_slips(seed, augment, steps):
                if abs(slip - right) > 0.05 and abs(got - slip) <= 0.05:
                    raise CheckFailed(f"{call} = {got:.1f} %: {why}")
            raise CheckFailed(f"{call} should be {right:.1f} %, got "
                              f"{got:.1f} %: follow the recipe: "
                              "deep_mlp(40, 10, 1, 256, seed=seed), "
                              "train_steps(..., num_steps, augment=augment, "
                              "seed=seed), then test_accuracy on X_val")


def _percent(value, name):
    """One accuracy in percent, or fail saying what it is."""
    value = _numbers(value)
    expect(np.ndim(value) == 0 and not isinstance(value, (str, bool)),
           f"{name} should be one accuracy in percent, got {value!r}")
    value = float(value)
    expect(1 < value <= 100, f"{name} = {value:.3g}: give accuracies in "
           "percent, from 0 to 100")
    return value


@check
def check_shift_worth(val_accuracy, plain, with_shifts, worth):
    """Exercise 6: how many plain examples 500 shifted ones are worth."""
    _check_accuracy_fn(val_accuracy)
    expect(isinstance(plain, dict) and set(plain) == set(SHIFT_SIZES),
           f"plain should be a dict with the keys {list(SHIFT_SIZES)}, got "
           f"{sorted(plain) if isinstance(plain, dict) else plain!r}")
    plain = {n: _percent(plain[n], f"plain[{n}]") for n in SHIFT_SIZES}
    with_shifts = _percent(with_shifts, "with_shifts")
    expect(with_shifts > plain[500], f"with shifts the 500 examples score "
           f"{with_shifts:.1f} %, no better than {plain[500]:.1f} % without:"
           " was augment=shift3 given to train_steps?")
    reached = [n for n in SHIFT_SIZES if plain[n] >= with_shifts]
    right = reached[0] if reached else 0
    expect(_whole(worth), f"worth should be a number of examples from "
           f"{list(SHIFT_SIZES)}, or 0, got {worth!r}")
    if float(_numbers(worth)) != right:
        raise CheckFailed(f"worth should be {right}: the smallest n whose "
                          f"plain accuracy reaches {with_shifts:.1f} %"
                          + ("" if right else ", 0 if none does"))
    if right == 0:
        return (f"500 with shifts: {with_shifts:.1f} %, more than 3000 "
                f"without ({plain[3000]:.1f} %)")
    return (f"500 with shifts: {with_shifts:.1f} %; {right} without: "
            f"{plain[right]:.1f} %")


# Exercise 7 -----------------------------------------------------------------

PEAK_SIZES = (50, 100, 200)
PEAK_TOLERANCE = 0.25   # the peak may sit a quarter of n either side


def one_hot(y, k=10):
    """Labels y (n,) as one-hot rows (n, k) float."""
    return np.eye(k)[np.asarray(y)]


def val_mse(X, y, X_val, y_val, counts, seed=0, fit=min_norm_fit,
            val_seed=None):
    """For each number of features in ``counts``: the mean squared error,
    over all entries, of ``fit`` (least squares on the ReLU features of
    ``seed``, one-hot targets) on X_val, y_val; a list of floats.
    val_seed: another seed for the validation features (a slip)."""
    Y, Y_val = one_hot(y), one_hot(y_val)
    errors = []
    for p in counts:
        W = fit(random_relu_features(X, p, seed), Y)
        F_val = random_relu_features(
            X_val, p, seed if val_seed is None else val_seed)
        errors.append(float(((F_val @ W - Y_val) ** 2).mean()))
    return errors


def _small_problem():
    """30 training and 50 validation points of 8 features, labels 0–9."""
    rng = np.random.default_rng(6)
    return (rng.standard_normal((30, 8)), rng.integers(0, 10, 30),
            rng.standard_normal((50, 8)), rng.integers(0, 10, 50))


def _check_val_errors(val_errors):
    """Fail unless the learner's val_errors agrees with val_mse."""
    params = inspect.signature(val_errors).parameters
    expect("seed" in params or any(p.kind == p.VAR_KEYWORD
                                   for p in params.values()),
           "val_errors should take seed=0 after counts, the seed of the "
           "random features")
    X, y, X_val, y_val = _small_problem()
    for counts, seed in (([5, 30, 90], 0), ([30], 3)):
        call = f"val_errors(X (30, 8), y, X_val (50, 8), y_val, {counts}" \
               + (f", seed={seed})" if seed else ")")
        got = _numbers(_returned(val_errors(X, y, X_val, y_val, counts,
                                            seed=seed), call))
        if np.shape(got) == (len(counts),):
            _val_errors_hint(np.asarray(got, dtype=float), call, counts,
                             seed)
        close(got, val_mse(X, y, X_val, y_val, counts, seed), call,
              rtol=1e-6, atol=1e-9)


def _val_errors_hint(got, call, counts, seed):
    """Fail with the name of the slip when ``got`` is a known wrong one."""
    X, y, X_val, y_val = _small_problem()
    right = val_mse(X, y, X_val, y_val, counts, seed)
    slips = ((val_mse(X, y, X, y, counts, seed), "gives the training "
              "error: measure the fit on X_val, y_val"),
             (val_mse(X, y, X_val, y_val, counts, 0), "uses seed 0: "
              "draw the features with the seed you are given"),
             (val_mse(X, y, X_val, y_val, counts, seed, val_seed=0),
              "draws the validation features with another seed: use the "
              "same seed for both, so that they share W and b"))
    for slip, why in slips:
        if not np.allclose(slip, right) and np.allclose(got, slip,
                                                        rtol=1e-6):
            raise CheckFailed(f"{call} {why}")


@check
def check_double_descent_peaks(val_errors, peaks):
    """Exercise 7: the validation error of minimum-norm least squares
    against the number of random features, and where it peaks for three
    training-set sizes."""
    _check_val_errors(val_errors)
    expect(isinstance(peaks, dict), "peaks should be a dict n → the number "
           f"of features at the peak, got {type(peaks).__name__}")
    expect(set(peaks) == set(PEAK_SIZES), f"peaks should have one entry "
           f"per training-set size, keys {list(PEAK_SIZES)}, got "
           f"{list(peaks)}")
    for n in PEAK_SIZES:
        expect(_whole(peaks[n]), f"peaks[{n}] should be a number of "
               f"features, got {peaks[n]!r}")
        got = int(float(_numbers(peaks[n])))
        if got < 10:
            raise CheckFailed(f"peaks[{n}] = {got}: is that a position in "
                              "counts? give the number of features, "
                              "counts[i]")
        expect(abs(got - n) <= PEAK_TOLERANCE * n, f"peaks[{n}] = {got} "
               f"is far from where the validation error of {n} training "
               "points peaks: take the count with the largest error "
               "(np.argmax), trained on subset(X_train, y_train, n)")
    return "the error peaks where the features ≈ the training points"


# Exercise 8 -----------------------------------------------------------------

RIDGE_CASES = ((20, 5, 3, 0.5), (6, 15, 2, 0.1), (8, 8, 1, 1.0),
               (1, 4, 3, 2.0), (12, 40, 10, 1e-3))
RIDGE_LAMBDAS = (0.1, 1.0)
RIDGE_SIZE = 100


def ridge_reference(F, Y, lam):
    """argmin ||F W − Y||² + lam ||W||² for F (n, p), Y (n, k): (p, k)."""
    p = F.shape[1]
    return np.linalg.solve(F.T @ F + lam * np.eye(p), F.T @ Y)


def _ridge_hint(got, F, Y, lam):
    """Why ``got`` is wrong, if it is a known slip."""
    n, p = F.shape
    slips = (
        (ridge_reference(F, Y, n * lam), "that is the fit of the mean "
         "squared error plus lam ||W||²: here the loss is the sum, "
         "||F W − Y||²"),
        (ridge_reference(F, Y, lam / 2), "the gradient of lam ||W||² is "
         "2 lam W, and that of the loss 2 Fᵀ(F W − Y): the 2s cancel"),
        (np.linalg.solve(F.T @ F + lam, F.T @ Y), "add lam to the diagonal "
         "of FᵀF only: FᵀF + lam · I, with I = np.eye(p)"),
        (np.linalg.lstsq(F, Y, rcond=None)[0], "lam is ignored: this is the "
         "least-squares fit without the penalty"),
    )
    for slip, why in slips:
        if got.shape == slip.shape and np.allclose(got, slip, rtol=1e-5,
                                                    atol=1e-8):
            return why
    return None


def _check_ridge_fit(ridge_fit):
    """Fail unless the learner's ridge_fit matches the reference."""
    rng = np.random.default_rng(7)
    for n, p, k, lam in RIDGE_CASES:
        F, Y = rng.standard_normal((n, p)), rng.standard_normal((n, k))
        call = f"ridge_fit(F ({n}, {p}), Y ({n}, {k}), lam={lam})"
        got = np.asarray(_numbers(_returned(ridge_fit(F, Y, lam), call)),
                         dtype=float)
        want = ridge_reference(F, Y, lam)
        if got.shape == want.shape and not np.allclose(got, want, rtol=1e-5,
                                                       atol=1e-8):
            why = _ridge_hint(got, F, Y, lam)
            expect(why is None, f"{call} is wrong: {why}")
        close(got, want, call, rtol=1e-5, atol=1e-8)


def ridge_peaks(fits, X, y, X_val, y_val, counts):
    """name → the largest validation error over ``counts`` for each fit
    in ``fits`` (name → fit(F, Y))."""
    return {name: max(val_mse(X, y, X_val, y_val, counts, fit=fit))
            for name, fit in fits.items()}


def mnist1d_problem(n=RIDGE_SIZE):
    """The exercises' split of MNIST-1D's 4000 training signals, 3000 to
    train and 1000 to validate: (X, y) = subset(X_train, y_train, n) and
    (X_val, y_val), as arrays."""
    X_pool, y_pool = _mnist1d_pool()
    X, y = subset(X_pool[:3000], y_pool[:3000], n)
    return X, y, X_pool[3000:], y_pool[3000:]


@check
def check_ridge_fit(ridge_fit):
    """Exercise 8: ridge regression on the features, and what it does to
    the peak of double descent at 100 training points of MNIST-1D."""
    _check_ridge_fit(ridge_fit)
    counts = (RIDGE_SIZE // 2, RIDGE_SIZE, 2 * RIDGE_SIZE)
    fits = {0: min_norm_fit}
    for lam in RIDGE_LAMBDAS:
        fits[lam] = (lambda F, Y, lam=lam: np.asarray(
            _numbers(ridge_fit(F, Y, lam)), dtype=float))
    top = ridge_peaks(fits, *mnist1d_problem(), counts)
    return ("highest error: " + ", ".join(
        f"{top[lam]:.2g} at λ = {lam:g}" for lam in top))


# Exercise 9 -----------------------------------------------------------------

BIGGER_OPTIONS = {
    "A": "bigger models always overfit more: the error on new data grows "
         "with the number of parameters",
    "B": "the error on new data is worst when the model has just enough "
         "parameters to fit the training set exactly; beyond that, more "
         "lowers it",
    "C": "models beyond the peak cannot overfit, whatever the data and the "
         "fitting method",
    "D": "the peak is an artefact of rounding errors in the least-squares "
         "solver",
}
BIGGER_FEEDBACK = {
    "A": "past the peak your curves came down again: the largest models "
         "had nearly the lowest validation error",
    "C": "the low error beyond the peak comes from the fit chosen, the "
         "smallest-norm one among many exact fits; with little data or "
         "another fitting method a big model can still overfit",
    "D": "the peak is real: near p = n the features' matrix is nearly "
         "singular, so the exact fit needs huge weights; ridge, which "
         "limits the weights, removes it, whatever the precision",
}


@check
def check_bigger_answer(answer):
    """Exercise 9: what double descent says about "bigger models overfit"."""
    choice(answer, "B", BIGGER_OPTIONS, BIGGER_FEEDBACK)
    return "B: the worst size is the one that only just fits the data"
