"""Checks for the exercises of Chapter 6, *From numpy to PyTorch*."""

import copy

import numpy as np
import torch
from torch import nn

from nnbook.checks import numbers as _numbers
from nnbook.checks import returned as _returned
from nnbook.checks import CheckFailed, check, choice, close, expect




# Exercise 1 -----------------------------------------------------------------

PUZZLE = (
    "torch.zeros(5, 3) + torch.zeros(3)",
    "torch.zeros(5, 1) * torch.zeros(1, 4)",
    "torch.zeros(8, 64) @ torch.zeros(64, 10)",
    "torch.zeros(2, 5, 3).sum(dim=1)",
    "torch.zeros(6, 1) - torch.zeros(6)",
)
PUZZLE_HINTS = {
    (0, (3,)): "the (3,) vector is added to each of the 5 rows",
    (0, (3, 5)): "the (3,) vector is added to each of the 5 rows",
    (1, (5, 1)): "each size 1 is stretched to the other's size",
    (1, (1, 4)): "each size 1 is stretched to the other's size",
    (1, (5, 1, 4)): "shapes line up from the right; a size 1 is stretched, "
                    "no dimension is added",
    (2, (64, 64)): "in (8, 64) @ (64, 10) the inner sizes meet and vanish",
    (2, (8, 64)): "in (8, 64) @ (64, 10) the inner sizes meet and vanish",
    (2, (64, 10)): "in (8, 64) @ (64, 10) the inner sizes meet and vanish",
    (3, (2, 1, 3)): "sum(dim=1) removes that dimension (keepdim=True would "
                    "keep it as 1)",
    (3, (5, 3)): "dim counts from 0: dim=1 is the middle one, of size 5",
    (3, (2, 5)): "dim counts from 0: dim=1 is the middle one, of size 5",
    (4, (6, 1)): "shapes line up from the right: (6, 1) and (6,) become "
                 "(6, 1) and (1, 6), a (6, 6) table (Section 6.2's silent bug)",
    (4, (6,)): "shapes line up from the right: (6, 1) and (6,) become "
               "(6, 1) and (1, 6), a (6, 6) table (Section 6.2's silent bug)",
}


def _as_shape(value, number):
    if isinstance(value, (tuple, list, torch.Size)) and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool)
            for v in value):
        return tuple(int(v) for v in value)
    raise CheckFailed(f"shape {number} should be a tuple of ints such as "
                      f"(5, 4), got {value!r}")


@check
def check_shapes(shapes):
    """Exercise 1: the shapes of five tensor expressions."""
    expect(isinstance(shapes, (list, tuple)),
           f"give a list of {len(PUZZLE)} shapes, got {type(shapes).__name__}")
    expect(len(shapes) == len(PUZZLE),
           f"give {len(PUZZLE)} shapes, one per expression, got {len(shapes)}")
    for i, (expression, answer) in enumerate(zip(PUZZLE, shapes)):
        got = _as_shape(answer, i + 1)
        right = tuple(eval(expression, {"torch": torch}).shape)  # noqa: S307
        hint = PUZZLE_HINTS.get((i, got), "")
        expect(got == right, f"shape {i + 1}, {expression}, should be {right}, "
               f"got {got}" + (f": {hint}" if hint else ""))
    return "all five shapes right, the (6, 6) of the last one too"


# Exercise 2 -----------------------------------------------------------------

def _distance_cases():
    rng = np.random.default_rng(2)
    # (n, m, d): a rectangle, a batch of one, a square (catches a transpose)
    for n, m, d in ((4, 5, 3), (1, 3, 2), (3, 3, 4)):
        yield (torch.tensor(rng.standard_normal((n, d)), dtype=torch.float32),
               torch.tensor(rng.standard_normal((m, d)), dtype=torch.float32))


@check
def check_pairwise_sq_dists(pairwise_sq_dists):
    """Exercise 2: the (n, m) table of squared distances between rows."""
    for A, B in _distance_cases():
        call = f"pairwise_sq_dists(A, B) for A {tuple(A.shape)}, B {tuple(B.shape)}"
        got = _numbers(_returned(pairwise_sq_dists(A.clone(), B.clone()), call))
        diff = A.double()[:, None, :] - B.double()[None, :, :]
        right = (diff ** 2).sum(dim=-1).numpy()
        array = np.asarray(got, dtype=float) if isinstance(got, np.ndarray) else None
        if array is not None and array.shape == right.shape:
            expect(not np.allclose(array, np.sqrt(right), rtol=1e-4, atol=1e-6),
                   f"{call} gives the distances, not their squares: drop the sqrt")
            expect(not np.allclose(array, diff.sum(dim=-1).numpy(), rtol=1e-4),
                   f"{call} sums the differences: square them before the sum")
        close(got, right, call, rtol=1e-4, atol=1e-5)
    return "an (n, m) table from one broadcast (n, 1, d) − (1, m, d)"


# Exercise 3 -----------------------------------------------------------------

def _linear_chain(model, sizes):
    """The model's nn.Linear layers in the order d_in → h → h → d_out."""
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    d_in, h, d_out = sizes
    expect(len(layers) == 3, f"TwoHiddenMLP{sizes} should have 3 nn.Linear "
           f"layers ({d_in} → {h} → {h} → {d_out}), got {len(layers)}")
    wanted = [(d_in, h), (h, h), (h, d_out)]
    chain = []
    for d, e in wanted:
        match = [m for m in layers if (m.in_features, m.out_features) == (d, e)
                 and m not in chain]
        have = [(m.in_features, m.out_features) for m in layers]
        expect(match, f"TwoHiddenMLP{sizes} should have a layer nn.Linear({d}, "
               f"{e}); its layers are (in, out) = {have}")
        chain.append(match[0])
    return chain


@check
def check_two_hidden_mlp(TwoHiddenMLP):
    """Exercise 3: an nn.Module with two ReLU hidden layers."""
    generator = torch.Generator().manual_seed(3)
    for sizes in ((64, 32, 10), (3, 5, 2)):
        with torch.random.fork_rng(devices=[]):  # the notebook's seed stays
            model = _returned(TwoHiddenMLP(*sizes), f"TwoHiddenMLP{sizes}")
        expect(isinstance(model, nn.Module), f"TwoHiddenMLP{sizes} should be "
               "an nn.Module: does the class derive from nn.Module?")
        expect(list(model.parameters()), f"TwoHiddenMLP{sizes} has no "
               "parameters: layers kept in a Python list are not registered; "
               "assign each to an attribute (self.hidden1 = nn.Linear(...))")
        first, second, last = _linear_chain(model, sizes)
        X = torch.randn(7, sizes[0], generator=generator)
        with torch.no_grad():
            got = _returned(model(X), f"TwoHiddenMLP{sizes}(X)")
            linear = last(second(first(X)))
            right = last(torch.relu(second(torch.relu(first(X)))))
        call = f"model(X) for TwoHiddenMLP{sizes} and X {tuple(X.shape)}"
        got = _numbers(got)
        same = lambda a, b: np.shape(a) == tuple(b.shape) and np.allclose(
            a, b.double().numpy(), rtol=1e-5, atol=1e-6)
        expect(not same(got, linear) or same(got, right), f"{call} has no "
               "ReLU between its layers: then the three collapse into one "
               "linear map (Chapter 3)")
        expect(not same(got, torch.relu(right)) or same(got, right), f"{call} "
               "puts a ReLU on the output: logits must be free to be "
               "negative, so the last layer has no activation")
        close(got, right.double().numpy(), call, rtol=1e-5, atol=1e-6)
    return "two ReLU hidden layers, linear output, every parameter registered"


# Exercise 4 -----------------------------------------------------------------

def _training_problem():
    rng = np.random.default_rng(4)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape)) * 0.5))
    X = torch.tensor(rng.standard_normal((16, 4)), dtype=torch.float32)
    return model, X, torch.tensor(rng.integers(0, 3, 16))


def _reference_steps(model, X, y, lr, num_steps, bug=None):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(num_steps):
        if bug != "no zero_grad":
            optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _as_losses(losses, num_steps):
    expect(isinstance(losses, (list, tuple)),
           f"train_steps should return a list of losses, got "
           f"{type(losses).__name__}")
    expect(len(losses) == num_steps, f"return one loss per step "
           f"({num_steps}), got {len(losses)}")
    first = losses[0]
    expect(not (isinstance(first, torch.Tensor) and first.requires_grad),
           "the losses are tensors that still hold their graph: append "
           "loss.item(), a float (a list of tensors keeps every step's "
           "graph in memory)")
    return [float(v) for v in losses]


@check
def check_train_steps(train_steps):
    """Exercise 4: the training loop, with both bugs fixed."""
    lr, num_steps = 0.5, 6
    model, X, y = _training_problem()
    right = _reference_steps(copy.deepcopy(model), X, y, lr, num_steps)
    buggy = _reference_steps(copy.deepcopy(model), X, y, lr, num_steps,
                             bug="no zero_grad")
    before = [p.detach().clone() for p in model.parameters()]
    got = _returned(train_steps(model, X, y, lr, num_steps),
                    "train_steps(model, X, y, lr, num_steps)")
    losses = _as_losses(got, num_steps)
    unchanged = all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    expect(not unchanged, "the model's weights never changed: is "
           "optimizer.step() called after loss.backward(), with no "
           "zero_grad() between them?")
    expect(not np.allclose(losses, buggy, rtol=1e-5), "the gradients "
           "accumulate from step to step: call optimizer.zero_grad() "
           "before loss.backward() in every step")
    close(losses, right, f"the losses of {num_steps} steps (each before its "
          "update)", rtol=1e-5, atol=1e-7)
    return "zero_grad, forward, loss, backward, step, and floats recorded"


# Exercise 5 -----------------------------------------------------------------

TOPK_SCORES = torch.tensor([[0.1, 0.5, 0.3, 0.06, 0.04],
                            [0.6, 0.1, 0.2, 0.07, 0.03],
                            [0.2, 0.16, 0.1, 0.4, 0.14],
                            [0.05, 0.1, 0.15, 0.3, 0.4],
                            [0.3, 0.25, 0.2, 0.15, 0.1],
                            [0.12, 0.18, 0.3, 0.25, 0.15]]).log()
# Right at k = 1, 1, 1, 2, 3 and 5: top-1 0.5, top-2 0.667, top-3 0.833.
TOPK_LABELS = torch.tensor([1, 0, 3, 3, 2, 0])


def _top_k(scores, labels, k, largest=True):
    top = scores.topk(k, dim=1, largest=largest).indices
    return (top == labels[:, None]).any(dim=1).double().mean().item()


@check
def check_top_k_accuracy(top_k_accuracy):
    """Exercise 5: the fraction of rows whose label is among the k largest scores."""
    rng = np.random.default_rng(5)
    random = torch.tensor(rng.standard_normal((9, 4)), dtype=torch.float32)
    cases = [("6 rows of 5 scores", TOPK_SCORES, TOPK_LABELS),
             ("9 rows of 4 scores", random, torch.tensor(rng.integers(0, 4, 9))),
             ("a batch of one", TOPK_SCORES[:1], TOPK_LABELS[:1])]
    for name, scores, labels in cases:
        for k in (1, 2, 3, scores.shape[1]):
            call = f"top_k_accuracy(y_hat, y, k={k}) for {name}"
            got = _returned(top_k_accuracy(scores.clone(), labels.clone(), k),
                            call)
            got = _numbers(got)
            right = _top_k(scores, labels, k)
            if np.ndim(got) == 0 and right and np.isclose(float(got), 100 * right):
                raise CheckFailed(f"{call} is {float(got):.4g}, a percentage: "
                                  "return the fraction, from 0 to 1")
            top1 = _top_k(scores, labels, 1)
            expect(k == 1 or top1 == right or not np.isclose(got, top1),
                   f"{call} is the top-1 accuracy: count a row as right when "
                   "its label is among the k largest scores (scores.topk(k, "
                   "dim=1))")
            smallest = _top_k(scores, labels, k, largest=False)
            expect(smallest == right or not np.isclose(got, smallest),
                   f"{call} counts the k smallest scores: the largest are "
                   "wanted (topk(k, dim=1), largest=True)")
            close(got, right, call)
    return "top-k accuracy, from k = 1 (plain accuracy) to k = all classes"


# Exercise 6 -----------------------------------------------------------------

def _make_model():
    return nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(16, 3))


@check
def check_reload(reload):
    """Exercise 6: a state_dict saved and loaded into a new model."""
    with torch.random.fork_rng(devices=[]):  # the notebook's seed stays
        torch.manual_seed(6)
        model = _make_model()
        X = torch.randn(20, 5)
        got = _returned(reload(model, _make_model),
                        "reload(model, make_model)")
    expect(got is not model, "reload returned the model it was given: build "
           "a new one with make_model() and load the saved weights into it")
    expect(not isinstance(got, dict), "reload returned a state dict: load it "
           "into make_model()'s new model (load_state_dict) and return that "
           "model")
    expect(isinstance(got, nn.Module), f"reload should return an nn.Module, "
           f"got {type(got).__name__}")
    saved, loaded = model.state_dict(), got.state_dict()
    expect(list(saved) == list(loaded), f"the new model's parameters are "
           f"{list(loaded)}, expected {list(saved)}: build it with make_model()")
    expect(all(torch.equal(saved[k], loaded[k]) for k in saved), "the new "
           "model's weights differ from the saved ones: did you call "
           "new_model.load_state_dict(torch.load(...))?")
    expect(not got.training, "the new model is in training mode, so its "
           "dropout changes every prediction: call .eval() before returning it")
    with torch.no_grad():
        expect(torch.equal(model.eval()(X), got(X)),
               "the new model's outputs differ from the original's")
    return "same weights, eval mode, the same outputs"


# Exercise 7 -----------------------------------------------------------------

STOP_OPTIONS = {
    "A": "epoch 13's, the last epoch trained",
    "B": "epoch 9's, the epoch of the lowest validation loss",
    "C": "epoch 4's, the patience",
    "D": "the initial weights, since training stopped early",
}
STOP_FEEDBACK = {
    "A": "epoch 13 was the fourth epoch in a row without a new best; fit "
         "restores the best weights when it stops",
    "C": "the patience is a number of epochs to wait, not an epoch; the best "
         "epoch is 4 epochs before the last",
    "D": "stopping early keeps training's progress: the weights of the best "
         "epoch are put back, not the starting ones",
}


@check
def check_early_stopping_answer(answer):
    """Exercise 7: which weights early stopping leaves in the model."""
    choice(answer, "B", STOP_OPTIONS, STOP_FEEDBACK)
    return "B: the best epoch, 4 before the last, and its weights restored"
