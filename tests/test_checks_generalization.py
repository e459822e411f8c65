"""Every Chapter 10 check accepts the right answer (written more than one way), says "not done
yet" for the placeholder, rejects plausible wrong answers, each with the one-line message that
names its mistake, and owns up when its own code fails (never blaming the learner)."""

import ast

import numpy as np
import pytest
import torch
from torch.nn.functional import cross_entropy

from checking import NONE_RETURNED, assert_check_failed, assert_wrong, line
from notebooks import ROOT, read, stdout_lines
from nnbook.checks import NOT_DONE
from nnbook.checks import generalization as checks
from nnbook.deep import deep_mlp
from nnbook.generalization import min_norm_fit, random_relu_features, subset, train_steps
from nnbook.generalization import test_accuracy as accuracy_on  # not a test


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 2: complete kfold_indices()")


# Exercises 1 and 9 ----------------------------------------------------------

SPLIT_OK = "✔ B: tune on the validation set; the test set is used once, at the end"
BIGGER_OK = "✔ B: the worst size is the one that only just fits the data"


def test_split_answer_right():
    assert line(checks.check_split_answer, "B") == SPLIT_OK
    assert line(checks.check_split_answer, " b ") == SPLIT_OK
    assert line(checks.check_split_answer, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ("A", "✘ A ('pick the setting with the best test accuracy and report that accuracy') is "
     "not it: the test set then chose the model"),
    ("c", "✘ C ('pick the setting with the lowest training loss, then measure it once on the "
     "test set') is not it: the training loss rewards whatever memorises most"),
    ("D", "is not it: every change made after looking at the test set turns it into a second "
     "validation set"),
    ("validation", "✘ answer with one of the letters A, B, C, D (a str), got 'validation'"),
    (2, "✘ answer with one of the letters A, B, C, D (a str), got 2"),
])
def test_split_answer_wrong(answer, message):
    assert_wrong(line(checks.check_split_answer, answer), message)


def test_bigger_answer_right():
    assert line(checks.check_bigger_answer, "B") == BIGGER_OK
    assert line(checks.check_bigger_answer, "b") == BIGGER_OK
    assert line(checks.check_bigger_answer, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ("A", "✘ A ('bigger models always overfit more: the error on new data grows with the "
     "number of parameters') is not it: past the peak your curves came down again"),
    ("C", "is not it: the low error beyond the peak comes from the fit chosen, the "
     "smallest-norm one among many exact fits"),
    ("d", "✘ D ('the peak is an artefact of rounding errors in the least-squares solver') is "
     "not it: the peak is real"),
    ("E", "✘ answer with one of the letters A, B, C, D (a str), got 'E'"),
])
def test_bigger_answer_wrong(answer, message):
    assert_wrong(line(checks.check_bigger_answer, answer), message)


@pytest.mark.parametrize("options, check", [
    ("SPLIT_OPTIONS", checks.check_split_answer),
    ("BIGGER_OPTIONS", checks.check_bigger_answer)])
def test_choice_checks_own_failure(monkeypatch, options, check):
    monkeypatch.setattr(checks, options, 5)
    assert_check_failed(line(check, "B"))


# Exercise 2 -----------------------------------------------------------------

def kfold(n, k, seed=0, slip=None):
    """k-fold splits, right or with one slip."""
    if not 2 <= k <= n and slip != "no check":
        raise ValueError(f"k must be from 2 to {n}")
    order = np.random.default_rng(seed).permutation(n)
    if slip == "no shuffle":
        order = np.arange(n)
    if slip == "global":
        order = np.random.permutation(n)
    if slip == "ignore seed":
        order = np.random.default_rng(0).permutation(n)
    size = n // k
    if slip == "drop rest":
        folds = [order[i * size:(i + 1) * size] for i in range(k)]
    elif slip == "rest last":
        folds = [order[i * size:(i + 1) * size] for i in range(k - 1)] + [order[(k - 1) * size:]]
    elif slip == "ceil":
        size = -(-n // k)
        folds = [order[i * size:(i + 1) * size] for i in range(k)]
    else:
        folds = np.array_split(order, k)
    if slip == "train all":
        return [(order, val) for val in folds]
    return [(np.setdiff1d(np.arange(n), val), val) for val in folds]


KFOLD_OK = "✔ right for 8 sizes, k = n and n % k ≠ 0 among them"


def test_kfold_right():
    assert line(checks.check_kfold_indices, kfold) == KFOLD_OK
    as_lists = lambda n, k, seed=0: [(list(t), list(v)) for t, v in kfold(n, k, seed)]  # noqa: E731
    assert line(checks.check_kfold_indices, as_lists) == KFOLD_OK
    as_tensors = lambda n, k, seed=0: [(torch.tensor(t), torch.tensor(v))  # noqa: E731
                                       for t, v in kfold(n, k, seed)]
    assert line(checks.check_kfold_indices, as_tensors) == KFOLD_OK
    unsorted_train = lambda n, k, seed=0: [(t[::-1], v) for t, v in kfold(n, k, seed)]  # noqa: E731
    assert line(checks.check_kfold_indices, unsorted_train) == KFOLD_OK


def test_kfold_not_done():
    assert line(checks.check_kfold_indices, stub) == NOT_DONE + \
        " (Exercise 2: complete kfold_indices())"
    assert line(checks.check_kfold_indices, ...) == NOT_DONE


@pytest.mark.parametrize("slip, message", [
    ("no shuffle", "✘ kfold_indices(20, 4): fold i holds the examples 5i … 5i + 4: shuffle the "
     "indices first, with np.random.default_rng(seed).permutation(n)"),
    ("drop rest", "✘ kfold_indices(10, 3): the validation folds leave out the indices [1]: "
     "together they must cover all 10 examples, the n % k left over too"),
    ("rest last", "✘ kfold_indices(11, 4): the folds have sizes [2, 2, 2, 5]; they should "
     "differ by at most one (np.array_split cuts them so)"),
    ("ceil", "✘ kfold_indices(10, 3): the folds have sizes [4, 4, 2]"),
    ("train all", "✘ kfold_indices(10, 5)[0]: the training indices include validation ones: "
     "train on every index except the fold's"),
    ("global", "✘ kfold_indices(20, 4) gave other folds when called again: draw the order "
     "from np.random.default_rng(seed), not from a global generator"),
    ("ignore seed", "✘ kfold_indices(20, 4, seed=1) gave the same folds as seed=0: shuffle "
     "with the seed you are given"),
    ("no check", "✘ kfold_indices(3, 5) should raise a ValueError: k must be from 2 to n"),
])
def test_kfold_wrong(slip, message):
    assert_wrong(line(checks.check_kfold_indices, lambda n, k, seed=0: kfold(n, k, seed, slip)),
                 message)


@pytest.mark.parametrize("answer, message", [
    (lambda n, k, seed=0: [v for _, v in kfold(n, k, seed)], "✘ kfold_indices(10, 5)[0] "
     "should be a pair (train, val), got ndarray"),
    (lambda n, k, seed=0: kfold(n, k, seed)[:-1], "✘ kfold_indices(10, 5) should return 5 "
     "(train, val) pairs, one per fold, got 4"),
    (lambda n, k, seed=0: [(v, t) for t, v in kfold(n, k, seed)], "✘ kfold_indices(10, 5): "
     "an index is in more than one validation fold"),
    (lambda n, k, seed=0: {i: p for i, p in enumerate(kfold(n, k, seed))}, "✘ kfold_indices"
     "(10, 5) should return a list of k (train, val) pairs, got dict"),
    (lambda n, k, seed=0: [(t, v + 1) for t, v in kfold(n, k, seed)], "✘ kfold_indices(10, 5): "
     "indices should run from 0 to 9"),
    (lambda n, k, seed=0: [(t, v + 0.5) for t, v in kfold(n, k, seed)], "✘ kfold_indices(10, 5)"
     "[0][1] should hold whole-number indices"),
    (lambda n, k, seed=0: None, "✘ kfold_indices(10, 5) " + NONE_RETURNED),
    (lambda n, k, seed=0: kfold(n, k, seed) if k <= n else [][0], "✘ kfold_indices(3, 5) "
     "should raise a ValueError (k must be from 2 to n), got IndexError"),
])
def test_kfold_wrong_shapes(answer, message):
    assert_wrong(line(checks.check_kfold_indices, answer), message)


def test_kfold_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "KFOLD_CASES", 5)
    assert_check_failed(line(checks.check_kfold_indices, kfold))


# Exercise 3 -----------------------------------------------------------------

def early(losses, patience, **slip):
    best, stop = checks.early_stopping_reference(losses, patience, **{
        k: v for k, v in slip.items() if k in ("ties_improve", "extra_wait")})
    if slip.get("from_zero"):
        best, stop = best - 1, stop - 1
    if slip.get("argmin"):
        best = int(np.argmin(losses)) + 1
    if slip.get("uncapped") and stop == len(losses):
        stop += patience
    return best, stop


EARLY_OK = "✔ right on 8 curves; on the first it restores epoch 3, stops at 5"
FIRST = "✘ early_stopping([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.69, 0.7, 0.8], patience=2) "


def written_out(val_losses, patience):
    """The solution's way, with indices."""
    best, waited = 1, 0
    for epoch in range(2, len(val_losses) + 1):
        if val_losses[epoch - 1] < val_losses[best - 1]:
            best, waited = epoch, 0
        else:
            waited += 1
        if waited == patience:
            return best, epoch
    return best, len(val_losses)


def test_early_stopping_right():
    assert line(checks.check_early_stopping, early) == EARLY_OK
    assert line(checks.check_early_stopping, written_out) == EARLY_OK
    as_list = lambda v, p: list(written_out(v, p))  # noqa: E731
    assert line(checks.check_early_stopping, as_list) == EARLY_OK
    as_array = lambda v, p: np.array(written_out(v, p))  # noqa: E731
    assert line(checks.check_early_stopping, as_array) == EARLY_OK
    as_tensors = lambda v, p: tuple(torch.tensor(e) for e in written_out(v, p))  # noqa: E731
    assert line(checks.check_early_stopping, as_tensors) == EARLY_OK


def test_early_stopping_agrees_with_fit():
    """The reference decides as nnbook.training.fit does (a loss fed through a fake model)."""
    from nnbook.training import fit

    losses = [1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.69, 0.7, 0.8]

    class Scripted(torch.nn.Module):
        """Outputs whose cross-entropy on label 0 is the next scripted loss at each evaluation."""

        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))
            self.calls = 0

        def forward(self, x):
            if self.training:
                return self.w * x[:, :2]
            loss = losses[self.calls]
            self.calls += 1
            p = np.exp(-loss)   # cross-entropy −log p of class 0 out of two
            return torch.tensor([[np.log(p), np.log(1 - p)]], dtype=torch.float32)

    X, y = torch.ones(1, 2), torch.zeros(1, dtype=torch.long)
    loader = [(X, y)]
    model = Scripted()
    history = fit(model, loader, cross_entropy, torch.optim.SGD(model.parameters(), lr=0.0),
                  len(losses), val_loader=loader, patience=2, device="cpu", progress=False)
    assert (history.best_epoch, len(history["val loss"])) == \
        checks.early_stopping_reference(losses, 2) == (3, 5)


def test_early_stopping_not_done():
    assert line(checks.check_early_stopping, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("slip, message", [
    ({"from_zero": True}, FIRST + "should be (3, 5), got (2, 4): count the epochs from 1, as "
     "History.best_epoch does"),
    ({"ties_improve": True}, "✘ early_stopping([1.0, 0.9, 0.9, 0.9, 0.95], patience=3) should "
     "be (2, 5), got (4, 5): a loss equal to the best so far is no improvement"),
    ({"extra_wait": 1}, FIRST + "should be (3, 5), got (3, 6): stop as soon as 2 epochs in a "
     "row have not improved, not one epoch later"),
    ({"argmin": True}, FIRST + "should be (3, 5), got (7, 5): training stopped at epoch 5, so "
     "it never saw epoch 7: restore the best epoch up to the stop"),
    ({"uncapped": True}, "✘ early_stopping([1.0, 0.9, 0.9, 0.9, 0.95], patience=3) should be "
     "(2, 5), got (2, 8): the run has only 5 epochs"),
])
def test_early_stopping_wrong(slip, message):
    assert_wrong(line(checks.check_early_stopping, lambda v, p: early(v, p, **slip)), message)


@pytest.mark.parametrize("answer, message", [
    (lambda v, p: written_out(v, p)[0], FIRST + "should return two whole numbers (best epoch, "
     "stop epoch), got 3"),
    (lambda v, p: (3.5, 5), FIRST + "should return two whole numbers (best epoch, stop epoch), "
     "got (3.5, 5)"),
    (lambda v, p: written_out(v, p) if isinstance(v, list) else (0, 0), "✘ with the losses as "
     "a numpy array, early_stopping gives (0, 0), not (3, 5)"),
    (lambda v, p: (1, len(v)), FIRST + "should be (3, 5), got (1, 9): keep the best loss so "
     "far and count the epochs since it last improved"),
    (lambda v, p: None, FIRST + NONE_RETURNED),
])
def test_early_stopping_wrong_kind(answer, message):
    assert_wrong(line(checks.check_early_stopping, answer), message)


def test_early_stopping_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "early_stopping_reference", divmod)
    assert_check_failed(line(checks.check_early_stopping, written_out))


# Exercise 4 -----------------------------------------------------------------

def shifted(X, max_shift, generator, wider=0, one_way=False, exclusive=False, one_draw=False,
            global_rng=False, in_place=False):
    """Zero-padded random shifts, right or with one slip."""
    N, D = X.shape
    low = 0 if one_way else -max_shift - wider
    high = max_shift + (0 if exclusive else 1) + wider
    if global_rng:
        moves = torch.randint(low, high, (N, 1))
    elif one_draw:
        moves = torch.randint(low, high, (1, 1), generator=generator).expand(N, 1)
    else:
        moves = torch.randint(low, high, (N, 1), generator=generator)
    source = torch.arange(D) - moves
    inside = (source >= 0) & (source < D)
    out = torch.where(inside, X.gather(1, source.clamp(0, D - 1)), torch.zeros_like(X))
    if in_place:
        return X.copy_(out)
    return out


def by_loop(X, max_shift, generator):
    """The same, row by row with slices."""
    out = torch.zeros_like(X)
    moves = torch.randint(-max_shift, max_shift + 1, (len(X),), generator=generator)
    for i, s in enumerate(moves.tolist()):
        if s >= 0:
            out[i, s:] = X[i, :X.shape[1] - s]
        else:
            out[i, :s] = X[i, -s:]
    return out


SHIFT_OK = "✔ zero-padded shifts, -3 … 3 each about 14 % of the time, reproducible"
BIG = "✘ shift_with_zeros(X (2000, 40), 3, generator)"


def test_shift_with_zeros_right():
    assert line(checks.check_shift_with_zeros, shifted) == SHIFT_OK
    assert line(checks.check_shift_with_zeros, by_loop) == SHIFT_OK
    mirrored = lambda X, m, g: shifted(X.flip(1), m, g).flip(1)  # noqa: E731
    assert line(checks.check_shift_with_zeros, mirrored) == SHIFT_OK
    assert line(checks.check_shift_with_zeros, stub).startswith(NOT_DONE)


def test_zero_shift_reference():
    X = np.arange(1, 6, dtype=float)[None]
    assert checks.zero_shift(X, 2).tolist() == [[0, 0, 1, 2, 3]]
    assert checks.zero_shift(X, -1).tolist() == [[2, 3, 4, 5, 0]]
    assert checks.zero_shift(X, 0).tolist() == X.tolist()


@pytest.mark.parametrize("slip, message", [
    ({"one_draw": True}, BIG + ": every row is moved the same 1 place: draw one shift for each "
     "row"),
    ({"global_rng": True}, BIG + " gave other shifts for a generator with the same seed: draw "
     "them from `generator`"),
    ({"one_way": True}, BIG + ": the rows only move one way: draw the shifts from -max_shift "
     "to max_shift"),
    ({"exclusive": True}, BIG + " never moves a row by +3: the upper bound of torch.randint is "
     "excluded, so draw up to max_shift + 1"),
    ({"wider": 1}, BIG + ": some rows are moved 4 places, more than max_shift = 3"),
    ({"in_place": True}, BIG + " changed X itself: build a new tensor"),
])
def test_shift_with_zeros_wrong(slip, message):
    assert_wrong(line(checks.check_shift_with_zeros,
                      lambda X, m, g: shifted(X, m, g, **slip)), message)


def rolled(X, max_shift, generator):
    """The chapter's circular shift."""
    moves = torch.randint(-max_shift, max_shift + 1, (len(X), 1), generator=generator)
    return X.gather(1, (torch.arange(X.shape[1]) - moves) % X.shape[1])


@pytest.mark.parametrize("answer, message", [
    (rolled, BIG + ": row 0 wraps around, as the chapter's shift does: the values pushed off "
     "one end should be lost"),
    (lambda X, m, g: shifted(X, m, g).numpy(), BIG + " should return a torch tensor, as "
     "train_steps feeds it to the model, got ndarray"),
    (lambda X, m, g: shifted(X, m, g).double(), BIG + " should keep X's dtype torch.float32, "
     "got torch.float64"),
    (lambda X, m, g: shifted(X, m, g, wider=1) if m == 0 else shifted(X, m, g), "✘ "
     "shift_with_zeros(X (6, 40), 0, generator): a row is moved 1 place, more than max_shift "
     "= 0"),
    (lambda X, m, g: torch.where(shifted(X, m, g) == 0, X.mean(), shifted(X, m, g)),
     BIG + ": row 0 is not row 0 of X moved by a whole number of places with zeros filled in"),
    (lambda X, m, g: shifted(X, m, g)[:, :-1], BIG + " should have shape (2000, 40), got "
     "(2000, 39)"),
    (lambda X, m, g: None, BIG + " " + NONE_RETURNED),
    (lambda X, m, g: X.gather(1, torch.arange(41).expand(len(X), 41)), "✘ your code raised "
     "RuntimeError"),
])
def test_shift_with_zeros_wrong_kind(answer, message):
    assert_wrong(line(checks.check_shift_with_zeros, answer), message)


def test_shift_with_zeros_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "SIGNAL_LENGTH", "forty")
    assert_check_failed(line(checks.check_shift_with_zeros, shifted))


# Exercise 5 -----------------------------------------------------------------

def l2_step(model, X, y, lr, wd, factor=0.5, zero=True, biases=True, norm=False, sign=1,
            reduction="mean", in_place=True):
    """One SGD step on the loss plus factor · wd · Σ w², right (factor 1/2) or with a slip."""
    params = list(model.parameters())
    penalty = sum(p.norm() if norm else (p ** 2).sum() for p in params if biases or p.dim() > 1)
    loss = cross_entropy(model(X), y, reduction=reduction) + factor * wd * penalty
    if zero:
        model.zero_grad()
    loss.backward()
    if not in_place:
        return [p.detach() - sign * lr * p.grad for p in params]
    with torch.no_grad():
        for p in params:
            p -= sign * lr * p.grad
    return params


def with_optimizer(model, X, y, lr, wd):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=wd)
    optimizer.zero_grad()
    cross_entropy(model(X), y).backward()
    optimizer.step()
    return list(model.parameters())


def as_decay(model, X, y, lr, wd):
    """Shrink, then step: the same thing written as decay."""
    model.zero_grad()
    cross_entropy(model(X), y).backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * (p.grad + wd * p)
    return [p.detach().numpy().copy() for p in model.parameters()]


L2_OK = "✔ the same step as torch.optim.SGD(weight_decay=wd) in 4 cases"
LINEAR = "✘ l2_sgd_step(a Linear(5, 3), lr=0.5, wd=0.1): parameter "


def test_l2_step_right():
    assert line(checks.check_l2_step, l2_step) == L2_OK
    assert line(checks.check_l2_step, with_optimizer) == L2_OK
    assert line(checks.check_l2_step, as_decay) == L2_OK
    assert line(checks.check_l2_step, lambda *a: tuple(l2_step(*a))) == L2_OK
    assert line(checks.check_l2_step, stub).startswith(NOT_DONE)


def test_slips_by_hand_match_torch_without_a_slip():
    """The hand-written update the slips use is torch's SGD step when nothing is slipped."""
    name, model, X, y, lr, wd = checks._l2_models()[0]
    by_torch = checks.sgd_reference(model, X, y, lr, wd)
    by_hand = checks.sgd_reference(model, X, y, lr, wd, sign=1)
    assert all(torch.allclose(a, b) for a, b in zip(by_torch, by_hand))


@pytest.mark.parametrize("slip, message", [
    ({"factor": 1}, LINEAR + "0 should start [ 0.076, 0.321, -0.399], got [ 0.076, 0.309, "
     "-0.38 ]: the penalty is wd/2 · Σ w², so its gradient is wd · w; yours is twice that"),
    ({"factor": 0}, LINEAR + "0 should start [ 0.076, 0.321, -0.399], got [ 0.076, 0.333, "
     "-0.417]: the penalty is missing"),
    ({"biases": False}, LINEAR + "1 should start [0.038, 0.212, 0.188], got [0.039, 0.221, "
     "0.201]: torch's weight_decay decays every parameter, the biases too"),
    ({"norm": True}, LINEAR + "0 should start [ 0.076, 0.321, -0.399], got [ 0.076, 0.327, "
     "-0.407]: the penalty is the sum of the squares, Σ w², not the norm √(Σ w²)"),
    ({"sign": -1}, LINEAR + "0 should start [ 0.076, 0.321, -0.399], got [-0.083, 0.159, "
     "-0.338]: the step goes uphill: subtract lr · gradient"),
    ({"reduction": "sum"}, LINEAR + "0 should start [ 0.076, 0.321, -0.399], got [ 0.633, "
     "0.975, -0.741]: the loss is the mean cross-entropy over the batch"),
    ({"zero": False}, "✘ l2_sgd_step(the same MLP, lr=0.2, wd=0.0): parameter 0 should start "
     "[-0.349, -0.251, 0.172], got [-0.388, -0.262, 0.181]: the model held gradients from an "
     "earlier step, and backward() adds to them: zero them first"),
    ({"in_place": False}, "✘ l2_sgd_step(a Linear(5, 3), lr=0.5, wd=0.1) returned the right "
     "values, but the model's own parameters did not change: update them in place"),
    ({"factor": 0.25}, LINEAR + "0 should be a (3, 5) array [0.07632, 0.3213, -0.3985, …], got "
     "a (3, 5) array [0.07624, 0.3273, -0.4077, …]; first difference at [0, 0]"),
])
def test_l2_step_wrong(slip, message):
    assert_wrong(line(checks.check_l2_step, lambda *a: l2_step(*a, **slip)), message)


@pytest.mark.parametrize("answer, message", [
    (lambda *a: l2_step(*a)[:-1], "✘ l2_sgd_step(a Linear(5, 3), lr=0.5, wd=0.1) should "
     "return all 2 parameters, in the order of model.parameters(), got 1"),
    (lambda *a: l2_step(*a)[::-1], "✘ l2_sgd_step(a Linear(5, 3), lr=0.5, wd=0.1): return "
     "the parameters in the order of model.parameters()"),
    (lambda *a: [p.T for p in l2_step(*a)], LINEAR + "0 should have shape (3, 5), got (5, 3): "
     "transposed?"),
    (lambda *a: {i: p for i, p in enumerate(l2_step(*a))}, "✘ l2_sgd_step(a Linear(5, 3), "
     "lr=0.5, wd=0.1) should return a list of the 2 updated parameter tensors, got dict"),
    (lambda *a: None, "✘ l2_sgd_step(a Linear(5, 3), lr=0.5, wd=0.1) " + NONE_RETURNED),
])
def test_l2_step_wrong_kind(answer, message):
    assert_wrong(line(checks.check_l2_step, answer), message)


def test_l2_step_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_l2_models", lambda: (("a model", None, 1, 2, 0.1, 0.1),))
    assert_check_failed(line(checks.check_l2_step, l2_step))


# Exercise 6 -----------------------------------------------------------------

def accuracy(n, augment=None, seed=0, num_steps=500):
    """The recipe, written out on the exercises' split."""
    X_pool, y_pool = checks._mnist1d_pool()
    X, y = subset(X_pool[:3000], y_pool[:3000], n, seed)
    model = deep_mlp(40, 10, 1, 256, seed=seed)
    train_steps(model, X, y, num_steps, augment=augment, seed=seed)
    return accuracy_on(model, X_pool[3000:], y_pool[3000:])


def slipped(**slip):
    return lambda n, augment=None, seed=0, num_steps=500: checks.accuracy_reference(
        n, augment, seed, num_steps, **slip)


PLAIN = {500: 34.6, 1000: 42.9, 2000: 50.5, 3000: 55.6}
WORTH_OK = "✔ 500 with shifts: 51.8 %; 3000 without: 55.6 %"
PROBE0 = "✘ val_accuracy(200, seed=0, num_steps=40) "
PROBE1 = "✘ val_accuracy(200, seed=1, num_steps=40, augment=shift3) "


def test_shift_worth_right():
    assert line(checks.check_shift_worth, accuracy, PLAIN, 51.8, 3000) == WORTH_OK
    as_tensor = lambda *a, **k: torch.tensor(accuracy(*a, **k))  # noqa: E731
    numpy_plain = {n: np.float64(v) for n, v in PLAIN.items()}
    assert line(checks.check_shift_worth, as_tensor, numpy_plain, 51.8, 3000.0) == WORTH_OK
    assert line(checks.check_shift_worth, accuracy, PLAIN, 57.0, 0) == \
        "✔ 500 with shifts: 57.0 %, more than 3000 without (55.6 %)"
    assert line(checks.check_shift_worth, accuracy, PLAIN, 42.9, 1000) == \
        "✔ 500 with shifts: 42.9 %; 1000 without: 42.9 %"


def test_shift_worth_not_done():
    assert line(checks.check_shift_worth, accuracy, ..., ..., ...) == NOT_DONE
    assert line(checks.check_shift_worth, accuracy, PLAIN, 51.8, ...) == NOT_DONE
    assert line(checks.check_shift_worth, stub, PLAIN, 51.8, 3000).startswith(NOT_DONE)


def test_the_probes_follow_the_recipe():
    """The check's reference is the recipe, and leaves the global random state alone."""
    state = torch.random.get_rng_state()
    assert checks.accuracy_reference(200, checks.shift3, 1, 40) == accuracy(
        200, checks.shift3, 1, 40)
    checks.accuracy_reference(200, None, 0, 40)
    assert torch.equal(state, torch.random.get_rng_state())


@pytest.mark.parametrize("answer, message", [
    (lambda n, augment=None, seed=0, num_steps=500: accuracy(n, None, seed, num_steps),
     PROBE1 + "= "),
    (slipped(data_seed=0), PROBE1),
    (slipped(model_seed=0), PROBE1),
    (slipped(on_train=True), PROBE0),
    (lambda *a, **k: accuracy(*a, **k) / 100, PROBE0),
    (lambda n, augment=None, seed=0, num_steps=500: accuracy(n, augment, seed, 2 * num_steps),
     PROBE0 + "should be "),
    (lambda *a, **k: [accuracy(*a, **k)], PROBE0 + "should return one accuracy in percent"),
    (lambda *a, **k: None, PROBE0 + NONE_RETURNED),
])
def test_shift_worth_wrong_function(answer, message):
    assert_wrong(line(checks.check_shift_worth, answer, PLAIN, 51.8, 3000), message)


@pytest.mark.parametrize("slip, why", [
    ({"augment": None}, ": augment is ignored: pass it on to train_steps"),
    ({"data_seed": 0}, ": the training subset ignores the seed: subset(X_train, y_train, n, seed)"),
    ({"model_seed": 0}, ": the network ignores the seed: deep_mlp(..., seed=seed)"),
    ({"on_train": True}, ": that is the accuracy on the training subset: measure it on X_val"),
    ({"fraction": True}, ": give the accuracy in percent, as test_accuracy does"),
    ({"steps": 2}, "follow the recipe: deep_mlp(40, 10, 1, 256, seed=seed), train_steps"),
])
def test_shift_worth_names_the_slip(slip, why):
    def answer(n, augment=None, seed=0, num_steps=500):
        if "augment" in slip:
            augment = None
        if slip.get("fraction"):
            return accuracy(n, augment, seed, num_steps) / 100
        num_steps *= slip.get("steps", 1)
        return checks.accuracy_reference(n, augment, seed, num_steps, **{
            k: v for k, v in slip.items() if k in ("data_seed", "model_seed", "on_train")})

    assert_wrong(line(checks.check_shift_worth, answer, PLAIN, 51.8, 3000), why)


@pytest.mark.parametrize("plain, with_shifts, worth, message", [
    (PLAIN, 51.8, 2000, "✘ worth should be 3000: the smallest n whose plain accuracy reaches "
     "51.8 %"),
    (PLAIN, 57.0, 3000, "✘ worth should be 0: the smallest n whose plain accuracy reaches "
     "57.0 %, 0 if none does"),
    (PLAIN, 51.8, "3000", "✘ worth should be a number of examples from [500, 1000, 2000, "
     "3000], or 0, got '3000'"),
    (PLAIN, 30.0, 500, "✘ with shifts the 500 examples score 30.0 %, no better than 34.6 % "
     "without: was augment=shift3 given to train_steps?"),
    ({500: 34.6, 1000: 42.9}, 51.8, 3000, "✘ plain should be a dict with the keys [500, 1000, "
     "2000, 3000], got [500, 1000]"),
    ({n: v / 100 for n, v in PLAIN.items()}, 51.8, 3000, "✘ plain[500] = 0.346: give "
     "accuracies in percent, from 0 to 100"),
    (list(PLAIN.values()), 51.8, 3000, "✘ plain should be a dict with the keys [500, 1000, "
     "2000, 3000], got [34.6, 42.9, 50.5, 55.6]"),
    (PLAIN, "51.8", 3000, "✘ with_shifts should be one accuracy in percent, got '51.8'"),
])
def test_shift_worth_wrong_answers(plain, with_shifts, worth, message):
    assert_wrong(line(checks.check_shift_worth, accuracy, plain, with_shifts, worth), message)


def test_shift_worth_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "accuracy_reference", divmod)
    assert_check_failed(line(checks.check_shift_worth, accuracy, PLAIN, 51.8, 3000))


def stored_shift_results():
    """plain, with_shifts and worth as the solution notebook printed them."""
    notebook = read(ROOT / "solutions" / "10_generalization.ipynb")
    cell = next(c for c in notebook.cells if c.cell_type == "code"
                and c.source.startswith("sizes = (500"))
    assert "nbval-ignore-output" in cell.metadata.get("tags", [])
    first, second = stdout_lines(cell)
    plain = ast.literal_eval(first.split(":", 1)[1].strip())
    words = second.replace(",", "").split()
    return plain, float(words[3]), int(words[6])


def test_the_stored_experiment_says_what_the_solution_says():
    """The solution's note: 500 examples with shifts score as well as several times as many
    without, and better than 2000."""
    plain, with_shifts, worth = stored_shift_results()
    assert list(plain) == [500, 1000, 2000, 3000]
    assert worth in (2000, 3000) and with_shifts - plain[500] > 10
    assert plain[500] < plain[1000] < plain[2000] < plain[3000]
    check = next(c for c in read(ROOT / "solutions" / "10_generalization.ipynb").cells
                 if c.source.startswith("check_shift_worth("))
    assert "nbval-ignore-output" in check.metadata.get("tags", [])
    assert stdout_lines(check)[0].startswith("✔ 500 with shifts")


def test_the_stored_experiment_reproduces():
    """Re-trained here, the accuracy with shifts and the plain one at 500 and 3000 examples come
    back within 3 points of the stored ones (the last bits of training differ between CPUs;
    on the CPU that stored them they are equal)."""
    plain, with_shifts, _ = stored_shift_results()
    torch.set_num_threads(1)
    assert accuracy(500, checks.shift3) == pytest.approx(with_shifts, abs=3)
    for n in (500, 3000):
        assert accuracy(n) == pytest.approx(plain[n], abs=3)


# Exercise 7 -----------------------------------------------------------------

def errors(X, y, X_val, y_val, counts, seed=0, total=False, on_train=False, val_seed=None,
           fixed_seed=None):
    """Validation MSE of the minimum-norm fit, right or with one slip."""
    seed = seed if fixed_seed is None else fixed_seed
    Y, Y_val = np.eye(10)[y], np.eye(10)[y_val]
    if on_train:
        X_val, Y_val = X, Y
    out = []
    for p in counts:
        W = min_norm_fit(random_relu_features(X, p, seed), Y)
        r = random_relu_features(X_val, p, seed if val_seed is None else val_seed) @ W - Y_val
        out.append(float((r ** 2).sum(axis=1).mean() if total else (r ** 2).mean()))
    return out


PEAKS = {50: 50, 100: 100, 200: 200}
PEAKS_OK = "✔ the error peaks where the features ≈ the training points"
SMALL = "✘ val_errors(X (30, 8), y, X_val (50, 8), y_val, [5, 30, 90]) "
SEED3 = "✘ val_errors(X (30, 8), y, X_val (50, 8), y_val, [30], seed=3) "


def test_double_descent_peaks_right():
    assert line(checks.check_double_descent_peaks, errors, PEAKS) == PEAKS_OK
    as_array = lambda *a, **k: np.array(errors(*a, **k))  # noqa: E731
    near = {50: 45, 100: np.int64(110), 200: 175.0}
    assert line(checks.check_double_descent_peaks, as_array, near) == PEAKS_OK
    as_tensor = lambda *a, **k: torch.tensor(errors(*a, **k))  # noqa: E731
    assert line(checks.check_double_descent_peaks, as_tensor, PEAKS) == PEAKS_OK


def test_double_descent_peaks_not_done():
    assert line(checks.check_double_descent_peaks, errors, ...) == NOT_DONE
    assert line(checks.check_double_descent_peaks, errors, {50: 50, 100: ..., 200: 200}) \
        == NOT_DONE
    assert line(checks.check_double_descent_peaks, stub, PEAKS).startswith(NOT_DONE)


@pytest.mark.parametrize("slip, message", [
    ({"total": True}, SMALL + "should be [0.117, 7.499, 0.329], got [ 1.169, 74.992, 3.292]; "
     "first difference at [0]: expected 0.1169, got 1.169 (every entry is 10 × too large: a "
     "sum where a mean is meant?)"),
    ({"on_train": True}, SMALL + "gives the training error: measure the fit on X_val, y_val"),
    ({"fixed_seed": 0}, SEED3 + "uses seed 0: draw the features with the seed you are given"),
    ({"val_seed": 0}, SEED3 + "draws the validation features with another seed: use the same "
     "seed for both, so that they share W and b"),
    ({"val_seed": 1}, SMALL + "should be [0.117, 7.499, 0.329], got [ 0.112, 80.524, 1.018]"),
])
def test_val_errors_wrong(slip, message):
    assert_wrong(line(checks.check_double_descent_peaks,
                      lambda *a, **k: errors(*a, **k, **slip), PEAKS), message)


@pytest.mark.parametrize("peaks, message", [
    ({50: 10, 100: 800, 200: 800}, "✘ peaks[50] = 10 is far from where the validation error "
     "of 50 training points peaks: take the count with the largest error (np.argmax)"),
    ({50: 4, 100: 8, 200: 13}, "✘ peaks[50] = 4: is that a position in counts? give the "
     "number of features, counts[i]"),
    ({50: 50, 100: 100, 200: 400}, "✘ peaks[200] = 400 is far from where the validation "
     "error of 200 training points peaks"),
    ({50: 50, 100: 100}, "✘ peaks should have one entry per training-set size, keys [50, 100, "
     "200], got [50, 100]"),
    ([50, 100, 200], "✘ peaks should be a dict n → the number of features at the peak, got "
     "list"),
    ({50: "50", 100: 100, 200: 200}, "✘ peaks[50] should be a number of features, got '50'"),
    ({50: 50.5, 100: 100, 200: 200}, "✘ peaks[50] should be a number of features, got 50.5"),
])
def test_peaks_wrong(peaks, message):
    assert_wrong(line(checks.check_double_descent_peaks, errors, peaks), message)


def test_val_errors_without_a_seed():
    no_seed = lambda X, y, X_val, y_val, counts: errors(X, y, X_val, y_val, counts)  # noqa: E731
    assert_wrong(line(checks.check_double_descent_peaks, no_seed, PEAKS), "✘ val_errors should "
                 "take seed=0 after counts, the seed of the random features")


def test_double_descent_peaks_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "val_mse", divmod)
    assert_check_failed(line(checks.check_double_descent_peaks, errors, PEAKS))


def test_the_peaks_sit_where_the_exercise_says():
    """On the exercise's data, the largest validation error is at p = n for each n."""
    counts = [10, 20, 30, 40, 50, 60, 75, 90, 100, 110, 125, 150, 175, 200, 225, 250, 300]
    for n in checks.PEAK_SIZES:
        X, y, X_val, y_val = checks.mnist1d_problem(n)
        found = checks.val_mse(X, y, X_val, y_val, counts)
        assert counts[int(np.argmax(found))] == n


# Exercise 8 -----------------------------------------------------------------

def ridge(F, Y, lam, slip=None):
    n, p = F.shape
    if slip == "mean":
        lam = n * lam
    if slip == "half":
        lam = lam / 2
    if slip == "everywhere":
        return np.linalg.solve(F.T @ F + lam, F.T @ Y)
    if slip == "no penalty":
        return np.linalg.lstsq(F, Y, rcond=None)[0]
    if slip == "transposed":
        return np.linalg.solve(F.T @ F + lam * np.eye(p), F.T @ Y).T
    return np.linalg.solve(F.T @ F + lam * np.eye(p), F.T @ Y)


def dual(F, Y, lam):
    return F.T @ np.linalg.solve(F @ F.T + lam * np.eye(len(F)), Y)


def in_torch(F, Y, lam):
    F, Y = torch.from_numpy(F), torch.from_numpy(Y)
    return torch.linalg.solve(F.T @ F + lam * torch.eye(F.shape[1], dtype=F.dtype), F.T @ Y)


RIDGE_OK = "✔ highest error: 7.6 at λ = 0, 0.29 at λ = 0.1, 0.17 at λ = 1"
RIDGE = "✘ ridge_fit(F (20, 5), Y (20, 3), lam=0.5) "


def test_ridge_fit_right():
    assert line(checks.check_ridge_fit, ridge) == RIDGE_OK
    assert line(checks.check_ridge_fit, dual) == RIDGE_OK
    assert line(checks.check_ridge_fit, in_torch) == RIDGE_OK
    assert line(checks.check_ridge_fit, stub).startswith(NOT_DONE)
    assert line(checks.check_ridge_fit, ...) == NOT_DONE


@pytest.mark.parametrize("slip, message", [
    ("mean", RIDGE + "is wrong: that is the fit of the mean squared error plus lam ||W||²: "
     "here the loss is the sum, ||F W − Y||²"),
    ("half", RIDGE + "is wrong: the gradient of lam ||W||² is 2 lam W, and that of the loss "
     "2 Fᵀ(F W − Y): the 2s cancel"),
    ("everywhere", RIDGE + "is wrong: add lam to the diagonal of FᵀF only: FᵀF + lam · I"),
    ("no penalty", RIDGE + "is wrong: lam is ignored: this is the least-squares fit without "
     "the penalty"),
    ("transposed", RIDGE + "should have shape (5, 3), got (3, 5): transposed?"),
])
def test_ridge_fit_wrong(slip, message):
    assert_wrong(line(checks.check_ridge_fit, lambda F, Y, lam: ridge(F, Y, lam, slip)),
                 message)


@pytest.mark.parametrize("answer, message", [
    (lambda F, Y, lam: None, RIDGE + NONE_RETURNED),
    (lambda F, Y, lam: ridge(F, Y, lam)[:, 0], RIDGE + "should have shape (5, 3), got (5,)"),
    (lambda F, Y, lam: ridge(F, Y, lam) * 1.01, RIDGE + "should be a (5, 3) array"),
    (lambda F, Y, lam: np.linalg.inv(F) @ Y, "✘ your code raised LinAlgError"),
])
def test_ridge_fit_wrong_kind(answer, message):
    assert_wrong(line(checks.check_ridge_fit, answer), message)


def test_ridge_fit_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "RIDGE_CASES", ((20, 5, 3),))
    assert_check_failed(line(checks.check_ridge_fit, ridge))


def test_ridge_tends_to_the_minimum_norm_fit():
    """What the solution says: with a tiny λ, ridge is the minimum-norm fit, for p > n too."""
    rng = np.random.default_rng(0)
    F, Y = rng.standard_normal((10, 30)), rng.standard_normal((10, 2))
    assert np.allclose(dual(F, Y, 1e-10), min_norm_fit(F, Y), atol=1e-6)
