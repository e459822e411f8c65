"""Every Chapter 6 check accepts the right answer (written more than one way), says "not done
yet" for the placeholder, and rejects plausible wrong answers, each with the one-line message
that names its mistake (never the check's own failure)."""

import io

import numpy as np
import pytest
import torch
from torch import nn

from checking import NONE_RETURNED, line
from nnbook.checks import CHECK_FAILED, NOT_DONE
from nnbook.checks import pytorch as checks


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 1: complete f()")


def assert_wrong(got, message):
    """A wrong answer gets ✘ and the expected words, on one line, and is never the check's fault."""
    assert got.startswith("✘ ") and not got.startswith(NOT_DONE), got
    assert not got.startswith(CHECK_FAILED) and "\n" not in got, got
    assert message in got, got


# Exercise 1 -----------------------------------------------------------------

RIGHT_SHAPES = [(5, 3), (5, 4), (8, 10), (2, 3), (6, 6)]


def test_shapes_right():
    expected = "✔ all five shapes right, the (6, 6) of the last one too"
    assert line(checks.check_shapes, RIGHT_SHAPES) == expected
    as_lists = [list(s) for s in RIGHT_SHAPES]
    assert line(checks.check_shapes, tuple(as_lists)) == expected
    sizes = [torch.Size(s) for s in RIGHT_SHAPES]
    assert line(checks.check_shapes, sizes) == expected


def test_shapes_not_done():
    assert line(checks.check_shapes, ...) == NOT_DONE


def with_shape(i, shape):
    shapes = list(RIGHT_SHAPES)
    shapes[i] = shape
    return shapes


@pytest.mark.parametrize("answer, message", [
    (with_shape(4, (6, 1)),                                  # the silent bug
     "shape 5, torch.zeros(6, 1) - torch.zeros(6), should be (6, 6), got (6, 1): shapes line "
     "up from the right: (6, 1) and (6,) become (6, 1) and (1, 6), a (6, 6) table"),
    (with_shape(3, (2, 1, 3)),                               # keepdim assumed
     "shape 4, torch.zeros(2, 5, 3).sum(dim=1), should be (2, 3), got (2, 1, 3): sum(dim=1) "
     "removes that dimension (keepdim=True would keep it as 1)"),
    (with_shape(3, (5, 3)),                                  # dim counted from 1
     "should be (2, 3), got (5, 3): dim counts from 0: dim=1 is the middle one, of size 5"),
    (with_shape(1, (5, 1)),                                  # no stretching
     "shape 2, torch.zeros(5, 1) * torch.zeros(1, 4), should be (5, 4), got (5, 1): each "
     "size 1 is stretched to the other's size"),
    (with_shape(2, (64, 64)),                                # matrix product rule
     "should be (8, 10), got (64, 64): in (8, 64) @ (64, 10) the inner sizes meet"),
    (with_shape(0, (3, 5)),                                  # generic, with a hint
     "shape 1, torch.zeros(5, 3) + torch.zeros(3), should be (5, 3), got (3, 5)"),
    (with_shape(1, "5, 4"),                                  # a string
     "shape 2 should be a tuple of ints such as (5, 4), got '5, 4'"),
    (RIGHT_SHAPES[:4],                                       # one missing
     "give 5 shapes, one per expression, got 4"),
    ((5, 3),                                                 # only the first shape
     "give 5 shapes, one per expression, got 2"),
    ([5, 3, 8, 2, 6],                                        # sizes, not shapes
     "shape 1 should be a tuple of ints such as (5, 4), got 5"),
    ("(5, 3)", "give a list of 5 shapes, got str"),
])
def test_shapes_wrong(answer, message):
    assert_wrong(line(checks.check_shapes, answer), message)


# Exercise 2 -----------------------------------------------------------------

def pairwise_sq_dists(A, B):
    return ((A[:, None, :] - B[None, :, :]) ** 2).sum(dim=-1)


def test_pairwise_right():
    expected = "✔ an (n, m) table from one broadcast (n, 1, d) − (1, m, d)"
    assert line(checks.check_pairwise_sq_dists, pairwise_sq_dists) == expected
    expanded = lambda A, B: ((A ** 2).sum(1)[:, None] - 2 * A @ B.T + (B ** 2).sum(1))
    assert line(checks.check_pairwise_sq_dists, expanded) == expected
    assert line(checks.check_pairwise_sq_dists, lambda A, B: torch.cdist(A, B) ** 2) == expected
    as_numpy = lambda A, B: pairwise_sq_dists(A, B).numpy()
    assert line(checks.check_pairwise_sq_dists, as_numpy) == expected


def test_pairwise_not_done():
    assert line(checks.check_pairwise_sq_dists, stub) == f"{NOT_DONE} (Exercise 1: complete f())"


@pytest.mark.parametrize("wrong, message", [
    (lambda A, B: None, "pairwise_sq_dists(A, B) for A (4, 3), B (5, 3) " + NONE_RETURNED),
    (lambda A, B: torch.cdist(A, B),                                   # distances
     "pairwise_sq_dists(A, B) for A (4, 3), B (5, 3) gives the distances, not their "
     "squares: drop the sqrt"),
    (lambda A, B: (A[:, None, :] - B[None, :, :]).sum(dim=-1),         # no square
     "sums the differences: square them before the sum"),
    (lambda A, B: pairwise_sq_dists(B, A),                             # (m, n)
     "pairwise_sq_dists(A, B) for A (4, 3), B (5, 3) should have shape (4, 5), got (5, 4): "
     "transposed?"),
    (lambda A, B: ((A[:, None, :] - B[None, :, :]) ** 2).sum(dim=1),   # wrong axis
     "should have shape (4, 5), got (4, 3)"),
    (lambda A, B: ((A[:, None, :] - B[None, :, :]) ** 2).mean(dim=-1),  # a mean
     "every entry is 3 × too small"),
])
def test_pairwise_wrong(wrong, message):
    assert_wrong(line(checks.check_pairwise_sq_dists, wrong), message)


# Exercise 3 -----------------------------------------------------------------

class TwoHiddenMLP(nn.Module):
    def __init__(self, num_inputs, num_hiddens, num_outputs):
        super().__init__()
        self.hidden1 = nn.Linear(num_inputs, num_hiddens)
        self.hidden2 = nn.Linear(num_hiddens, num_hiddens)
        self.output = nn.Linear(num_hiddens, num_outputs)

    def forward(self, X):
        return self.output(torch.relu(self.hidden2(torch.relu(self.hidden1(X)))))


class SequentialMLP(nn.Module):
    """Written another way: the output layer registered first, the rest in a Sequential."""

    def __init__(self, num_inputs, num_hiddens, num_outputs):
        super().__init__()
        self.head = nn.Linear(num_hiddens, num_outputs)
        self.body = nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                                  nn.Linear(num_hiddens, num_hiddens), nn.ReLU())

    def forward(self, X):
        return self.head(self.body(X))


def test_two_hidden_right():
    expected = "✔ two ReLU hidden layers, linear output, every parameter registered"
    assert line(checks.check_two_hidden_mlp, TwoHiddenMLP) == expected
    assert line(checks.check_two_hidden_mlp, SequentialMLP) == expected


def test_two_hidden_not_done():
    class Stub(nn.Module):
        def __init__(self, *sizes):
            super().__init__()
            raise NotImplementedError("Exercise 3: complete __init__()")

    assert line(checks.check_two_hidden_mlp, Stub) == \
        f"{NOT_DONE} (Exercise 3: complete __init__())"


class NoActivation(TwoHiddenMLP):
    def forward(self, X):
        return self.output(self.hidden2(self.hidden1(X)))


class ReluOnOutput(TwoHiddenMLP):
    def forward(self, X):
        return torch.relu(super().forward(X))


class PlainList(nn.Module):
    def __init__(self, num_inputs, num_hiddens, num_outputs):
        super().__init__()
        self.layers = [nn.Linear(num_inputs, num_hiddens), nn.Linear(num_hiddens, num_outputs)]

    def forward(self, X):
        return self.layers[1](torch.relu(self.layers[0](X)))


class OneHidden(nn.Module):
    def __init__(self, num_inputs, num_hiddens, num_outputs):
        super().__init__()
        self.hidden = nn.Linear(num_inputs, num_hiddens)
        self.output = nn.Linear(num_hiddens, num_outputs)

    def forward(self, X):
        return self.output(torch.relu(self.hidden(X)))


class WrongWidth(TwoHiddenMLP):
    def __init__(self, num_inputs, num_hiddens, num_outputs):
        super().__init__(num_inputs, num_hiddens, num_outputs)
        self.hidden2 = nn.Linear(num_hiddens, num_outputs)
        self.output = nn.Linear(num_outputs, num_outputs)


class ReluOnlyOnce(TwoHiddenMLP):
    def forward(self, X):
        return self.output(self.hidden2(torch.relu(self.hidden1(X))))


class NotAModule:
    def __init__(self, *sizes):
        pass


@pytest.mark.parametrize("wrong, message", [
    (NoActivation, "model(X) for TwoHiddenMLP(64, 32, 10) and X (7, 64) has no ReLU between "
                   "its layers: then the three collapse into one linear map"),
    (ReluOnOutput, "puts a ReLU on the output: logits must be free to be negative"),
    (PlainList, "TwoHiddenMLP(64, 32, 10) has no parameters: layers kept in a Python list "
                "are not registered"),
    (OneHidden, "TwoHiddenMLP(64, 32, 10) should have 3 nn.Linear layers "
                "(64 → 32 → 32 → 10), got 2"),
    (WrongWidth, "TwoHiddenMLP(64, 32, 10) should have a layer nn.Linear(32, 32); its layers "
                 "are (in, out) = [(64, 32), (32, 10), (10, 10)]"),
    (ReluOnlyOnce, "model(X) for TwoHiddenMLP(64, 32, 10) and X (7, 64) should be a (7, 10) "
                   "array"),
    (NotAModule, "TwoHiddenMLP(64, 32, 10) should be an nn.Module"),
])
def test_two_hidden_wrong(wrong, message):
    assert_wrong(line(checks.check_two_hidden_mlp, wrong), message)


def test_two_hidden_forgot_super_init_is_the_learners_error():
    class NoSuper(nn.Module):
        def __init__(self, num_inputs, num_hiddens, num_outputs):
            self.hidden = nn.Linear(num_inputs, num_hiddens)

    got = line(checks.check_two_hidden_mlp, NoSuper)
    assert_wrong(got, "your code raised AttributeError: cannot assign module before "
                      "Module.__init__() call")


# Exercise 4 -----------------------------------------------------------------

def train_steps(model, X, y, lr, num_steps):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(num_steps):
        loss = nn.functional.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def by_hand(model, X, y, lr, num_steps):
    """Right, written another way: plain tensor updates and detached 0-d tensors."""
    losses = []
    for _ in range(num_steps):
        model.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(loss.detach())
    return tuple(losses)


def test_train_steps_right():
    expected = "✔ zero_grad, forward, loss, backward, step, and floats recorded"
    assert line(checks.check_train_steps, train_steps) == expected
    assert line(checks.check_train_steps, by_hand) == expected


def test_train_steps_not_done():
    assert line(checks.check_train_steps, stub) == f"{NOT_DONE} (Exercise 1: complete f())"


def the_original(model, X, y, lr, num_steps):                    # both bugs
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(num_steps):
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss)
    return losses


def no_zero_grad(model, X, y, lr, num_steps):                    # only the tensors fixed
    losses = the_original(model, X, y, lr, num_steps)
    return [loss.item() for loss in losses]


def zero_grad_too_late(model, X, y, lr, num_steps):              # erases before step()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(num_steps):
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        losses.append(loss.item())
    return losses


def loss_after_step(model, X, y, lr, num_steps):                 # records the wrong loss
    train_steps(model, X, y, lr, num_steps)
    return train_steps(model, X, y, 0.0, num_steps)


def on_a_copy(model, X, y, lr, num_steps):                       # trains a copy
    import copy
    return train_steps(copy.deepcopy(model), X, y, lr, num_steps)


@pytest.mark.parametrize("wrong, message", [
    (lambda *args: None, "train_steps(model, X, y, lr, num_steps) " + NONE_RETURNED),
    (the_original, "the losses are tensors that still hold their graph: append loss.item(), "
                   "a float"),
    (no_zero_grad, "the gradients accumulate from step to step: call optimizer.zero_grad() "
                   "before loss.backward() in every step"),
    (zero_grad_too_late, "the model's weights never changed: is optimizer.step() called "
                         "after loss.backward(), with no zero_grad() between them?"),
    (on_a_copy, "the model's weights never changed"),
    (loss_after_step, "the losses of 6 steps (each before its update) should be"),
    (lambda *args: train_steps(*args)[:-1], "return one loss per step (6), got 5"),
    (lambda *args: sum(train_steps(*args)), "train_steps should return a list of losses, "
                                            "got float"),
])
def test_train_steps_wrong(wrong, message):
    assert_wrong(line(checks.check_train_steps, wrong), message)


# Exercise 5 -----------------------------------------------------------------

def top_k_accuracy(y_hat, y, k):
    top = y_hat.topk(k, dim=1).indices
    return (top == y[:, None]).any(dim=1).float().mean().item()


def test_top_k_right():
    expected = "✔ top-k accuracy, from k = 1 (plain accuracy) to k = all classes"
    assert line(checks.check_top_k_accuracy, top_k_accuracy) == expected
    as_tensor = lambda y_hat, y, k: (y_hat.argsort(dim=1, descending=True)[:, :k]
                                     == y[:, None]).sum(dim=1).double().mean()
    assert line(checks.check_top_k_accuracy, as_tensor) == expected
    ranks = lambda y_hat, y, k: float(np.mean(
        [(row > row[label]).sum().item() < k for row, label in zip(y_hat, y)]))
    assert line(checks.check_top_k_accuracy, ranks) == expected


def test_top_k_not_done():
    assert line(checks.check_top_k_accuracy, stub) == f"{NOT_DONE} (Exercise 1: complete f())"


@pytest.mark.parametrize("wrong, message", [
    (lambda y_hat, y, k: None, "top_k_accuracy(y_hat, y, k=1) for 6 rows of 5 scores "
                               + NONE_RETURNED),
    (lambda y_hat, y, k: 100 * top_k_accuracy(y_hat, y, k),        # a percentage
     "top_k_accuracy(y_hat, y, k=1) for 6 rows of 5 scores is 50, a percentage: return "
     "the fraction, from 0 to 1"),
    (lambda y_hat, y, k: (y_hat.argmax(1) == y).float().mean().item(),   # ignores k
     "top_k_accuracy(y_hat, y, k=2) for 6 rows of 5 scores is the top-1 accuracy: count a "
     "row as right when its label is among the k largest scores"),
    (lambda y_hat, y, k: (y_hat.topk(k, dim=1, largest=False).indices     # smallest k
                          == y[:, None]).any(dim=1).float().mean().item(),
     "top_k_accuracy(y_hat, y, k=1) for 6 rows of 5 scores counts the k smallest scores: "
     "the largest are wanted"),
    (lambda y_hat, y, k: (y_hat.topk(k, dim=1).indices                    # a count
                          == y[:, None]).any(dim=1).sum().item(),
     "should be 0.5, got 3 (every entry is 6 × too large: a sum where a mean is meant?)"),
    (lambda y_hat, y, k: (y_hat.topk(k, dim=1).indices == y[:, None]).float().mean(dim=0),
     "should have shape (), got (1,)"),
])
def test_top_k_wrong(wrong, message):
    assert_wrong(line(checks.check_top_k_accuracy, wrong), message)


# Exercise 6 -----------------------------------------------------------------

def reload(model, make_model):
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    new_model = make_model()
    new_model.load_state_dict(torch.load(buffer, weights_only=True))
    return new_model.eval()


def test_reload_right():
    expected = "✔ same weights, eval mode, the same outputs"
    assert line(checks.check_reload, reload) == expected

    def no_file(model, make_model):
        new_model = make_model()
        new_model.load_state_dict(model.state_dict())
        new_model.train(False)
        return new_model

    assert line(checks.check_reload, no_file) == expected


def test_reload_leaves_the_global_torch_generator_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    line(checks.check_reload, reload)
    assert torch.equal(torch.rand(3), expected)


def test_reload_not_done():
    assert line(checks.check_reload, stub) == f"{NOT_DONE} (Exercise 1: complete f())"


@pytest.mark.parametrize("wrong, message", [
    (lambda model, make_model: None, "reload(model, make_model) " + NONE_RETURNED),
    (lambda model, make_model: model,
     "reload returned the model it was given: build a new one with make_model()"),
    (lambda model, make_model: model.state_dict(),
     "reload returned a state dict: load it into make_model()'s new model"),
    (lambda model, make_model: make_model().eval(),                   # forgot to load
     "the new model's weights differ from the saved ones: did you call "
     "new_model.load_state_dict(torch.load(...))?"),
    (lambda model, make_model: reload(model, make_model).train(),     # training mode
     "the new model is in training mode, so its dropout changes every prediction: call "
     ".eval() before returning it"),
    (lambda model, make_model: nn.Linear(5, 3),                       # another architecture
     "the new model's parameters are ['weight', 'bias'], expected ['0.weight', '0.bias', "
     "'3.weight', '3.bias']"),
    (lambda model, make_model: "model.pt", "reload should return an nn.Module, got str"),
])
def test_reload_wrong(wrong, message):
    assert_wrong(line(checks.check_reload, wrong), message)


# Exercise 7 -----------------------------------------------------------------

def test_early_stopping_answer():
    expected = "✔ B: the best epoch, 4 before the last, and its weights restored"
    assert line(checks.check_early_stopping_answer, "B") == expected
    assert line(checks.check_early_stopping_answer, " b") == expected
    assert line(checks.check_early_stopping_answer, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ("A", "A ('epoch 13's, the last epoch trained') is not it: epoch 13 was the fourth "
          "epoch in a row without a new best"),
    ("C", "the patience is a number of epochs to wait, not an epoch"),
    ("D", "stopping early keeps training's progress"),
    ("E", "answer with one of the letters A, B, C, D (a str), got 'E'"),
    (2, "answer with one of the letters A, B, C, D (a str), got 2"),
])
def test_early_stopping_wrong(answer, message):
    assert_wrong(line(checks.check_early_stopping_answer, answer), message)
