"""Every Chapter 7 check accepts the right answer (written more than one way),
says "not done yet" for the placeholder, and rejects plausible wrong answers,
each with the one-line message that names its mistake."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from checking import line
from nnbook.checks import CHECK_FAILED, NOT_DONE
from nnbook.checks import deep as checks


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 1: complete f()")


def assert_wrong(got, message):
    assert got.startswith("✘ ") and not got.startswith(NOT_DONE), got
    assert not got.startswith(CHECK_FAILED) and "\n" not in got, got
    assert message in got, got


def test_every_check_says_not_done_for_a_stub_or_ellipsis():
    for check in (checks.check_he_init, checks.check_layer_grad_norms,
                  checks.check_residual_block, checks.check_layer_norm,
                  checks.check_leaky_std):
        assert line(check, stub).startswith(NOT_DONE)
    for check in (checks.check_smallest_gradient, checks.check_lr_answer):
        assert line(check, ...) == NOT_DONE


# Exercise 1 -----------------------------------------------------------------

def he_with(std_of, bias=True):
    def he_init_(layer):
        with torch.no_grad():
            layer.weight.normal_(0.0, std_of(*layer.weight.shape))
            if bias:
                layer.bias.zero_()
        return layer
    return he_init_


def test_he_init_right():
    assert line(checks.check_he_init, he_with(
        lambda out, inp: math.sqrt(2 / inp))).startswith("✔ std 0.07")
    kaiming = lambda layer: (nn.init.kaiming_normal_(layer.weight),
                             nn.init.zeros_(layer.bias)) and None
    assert line(checks.check_he_init, kaiming).startswith("✔")


@pytest.mark.parametrize("std_of, bias, message", [
    (lambda out, inp: math.sqrt(2 / out), True,
     "the fan-in is the number of inputs, weight.shape[1]"),
    (lambda out, inp: 2 / inp, True, "that is the variance"),
    (lambda out, inp: math.sqrt(2 / (out + inp)), True, "Glorot's"),
    (lambda out, inp: math.sqrt(2 / inp), False, "the biases should be 0"),
    (lambda out, inp: 1.0, True, "the weights' std should be sqrt(2 / 400)"),
])
def test_he_init_wrong(std_of, bias, message):
    assert_wrong(line(checks.check_he_init, he_with(std_of, bias)), message)


def test_he_init_new_layer_is_refused():
    assert_wrong(line(checks.check_he_init, lambda layer: nn.Linear(400, 100)),
                 "change the layer in place")


# Exercise 2 and 7 -----------------------------------------------------------

def test_smallest_gradient():
    assert line(checks.check_smallest_gradient, " a ").startswith("✔ A:")
    for letter, words in [("B", "nearest the loss"),
                          ("C", "He initialisation"),
                          ("D", "before any sigmoid")]:
        assert_wrong(line(checks.check_smallest_gradient, letter), words)
    assert_wrong(line(checks.check_smallest_gradient, 1), "one of the letters")


def test_lr_answer():
    assert line(checks.check_lr_answer, "b").startswith("✔ B:")
    for letter, words in [("A", "at lr 0.1, the same SGD"),
                          ("C", "4-layer network"),
                          ("D", "the same for all four")]:
        assert_wrong(line(checks.check_lr_answer, letter), words)


# Exercise 3 -----------------------------------------------------------------

def norms_with(transform, zero=True, of_weights=False):
    def layer_grad_norms(model, X, y):
        if zero:
            model.zero_grad()
        nn.functional.cross_entropy(model(X), y).backward()
        out = [(m.weight if of_weights else m.weight.grad).norm().item()
               for m in model if isinstance(m, nn.Linear)]
        return transform(out)
    return layer_grad_norms


def test_layer_grad_norms_right():
    assert line(checks.check_layer_grad_norms,
                norms_with(list)).startswith("✔")
    assert line(checks.check_layer_grad_norms,
                norms_with(torch.tensor)).startswith("✔")


@pytest.mark.parametrize("fn, message", [
    (norms_with(lambda n: n[::-1]), "reverse order"),
    (norms_with(lambda n: [v ** 2 for v in n]), "squared norms"),
    (norms_with(list, of_weights=True), "norms of the weights themselves"),
    (norms_with(list, zero=False), "the gradients accumulated"),
    (norms_with(lambda n: n[:-1]), "should have shape (3,)"),
    (norms_with(lambda n: None), "returned None"),
])
def test_layer_grad_norms_wrong(fn, message):
    assert_wrong(line(checks.check_layer_grad_norms, fn), message)


# Exercise 4 -----------------------------------------------------------------

def block_class(forward):
    class Block(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.linear = nn.Linear(width, width)

        def forward(self, X):
            return forward(X, self.linear(X))
    return Block


def test_residual_block_right():
    assert line(checks.check_residual_block, block_class(
        lambda X, z: X + torch.relu(z))).startswith("✔")
    assert line(checks.check_residual_block, block_class(
        lambda X, z: torch.relu(z) + X)).startswith("✔")


@pytest.mark.parametrize("forward, message", [
    (lambda X, z: torch.relu(z), "the input x is not added"),
    (lambda X, z: torch.relu(X + z), "the ReLU comes after the addition"),
    (lambda X, z: X + z, "the ReLU is missing"),
    (lambda X, z: X + torch.tanh(z), "block(X) should be"),
])
def test_residual_block_wrong(forward, message):
    assert_wrong(line(checks.check_residual_block, block_class(forward)),
                 message)


def test_residual_block_two_layers_refused():
    class Two(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.a, self.b = nn.Linear(width, width), nn.Linear(width, width)

        def forward(self, X):
            return X + self.b(torch.relu(self.a(X)))
    assert_wrong(line(checks.check_residual_block, Two), "one nn.Linear")


# Exercise 5 -----------------------------------------------------------------

def test_layer_norm_right():
    assert line(checks.check_layer_norm, lambda Z: nn.functional.layer_norm(
        Z, Z.shape[1:])).startswith("✔")
    right = lambda Z, eps=1e-5: ((Z - Z.mean(1, keepdim=True)) / torch.sqrt(
        Z.var(1, keepdim=True, unbiased=False) + eps)).numpy()
    assert line(checks.check_layer_norm, right).startswith("✔")


@pytest.mark.parametrize("fn, message", [
    (lambda Z: (Z - Z.mean(0)) / torch.sqrt(Z.var(0, unbiased=False) + 1e-5),
     "(batch normalisation)"),
    (lambda Z: (Z - Z.mean(1, keepdim=True)) / torch.sqrt(
        Z.var(1, keepdim=True) + 1e-5), "unbiased variance"),
    (lambda Z: Z - Z.mean(1, keepdim=True), "centred but not divided"),
    (lambda Z: (Z - Z.mean(1, keepdim=True)) / Z.std(1, keepdim=True,
                                                     unbiased=False),
     "layer_norm of a constant row"),
])
def test_layer_norm_wrong(fn, message):
    assert_wrong(line(checks.check_layer_norm, fn), message)


# Exercise 6 -----------------------------------------------------------------

def test_leaky_std_right():
    right = lambda n, a: math.sqrt(2 / ((1 + a ** 2) * n))
    assert line(checks.check_leaky_std, right).startswith("✔")
    assert line(checks.check_leaky_std, lambda n, a: np.float32(
        right(n, a))).startswith("✔")
    assert line(checks.check_leaky_std, lambda n, a: torch.tensor(
        right(n, a), dtype=torch.float64)).startswith("✔")


@pytest.mark.parametrize("fn, message", [
    (lambda n, a: math.sqrt(2 / n), "He's sqrt(2 / fan_in)"),
    (lambda n, a: math.sqrt(2 / ((1 + a) * n)), "uses 1 + slope"),
    (lambda n, a: 2 / ((1 + a ** 2) * n), "is the variance"),
    (lambda n, a: math.sqrt(1 / ((1 + a ** 2) * n)),
     "leaky_he_std(100, 0.1) should be"),
])
def test_leaky_std_wrong(fn, message):
    assert_wrong(line(checks.check_leaky_std, fn), message)
