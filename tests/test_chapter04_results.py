"""Chapter 4, Section 4.9: what the prose says about the cost of backpropagation.

The timing cells are tagged ``nbval-ignore-output`` (times differ from machine to machine),
so this test repeats the measurement for the chapter's largest network and asserts the two
claims the prose makes, with wide margins for a busy machine: one backward pass costs no
more than about one forward pass, and finite differences (two forward passes per
parameter) cost many times as much as a forward and a backward pass together.
"""

import random

import numpy as np
import pytest

from nnbook.datasets import make_moons
from nnbook.timing import measure
from nnbook.valuenet import MLP
from notebooks import ROOT, glued, read

CHAPTER = ROOT / "chapters" / "04_backprop.ipynb"


def loss_fn(model, X, y):
    losses = [((-(2 * label - 1) * model(list(x))).exp() + 1).log() for x, label in zip(X, y)]
    return sum(losses) / len(losses)


def central_differences(model, X, y, h=1e-6):
    grads = []
    for p in model.parameters():
        p.data += h
        up = loss_fn(model, X, y).data
        p.data -= 2 * h
        down = loss_fn(model, X, y).data
        p.data += h
        grads.append((up - down) / (2 * h))
    return grads


@pytest.fixture(scope="module")
def measured():
    random.seed(0)
    X, y = make_moons(n=100, noise=0.1, seed=0)
    X, y = X[:10], y[:10]
    net = MLP(2, [8, 8, 1])
    forward = measure(lambda: loss_fn(net, X, y), warmup=0)
    backward = measure(forward.result.backward, warmup=0)
    differences = measure(lambda: central_differences(net, X, y), repeats=1, warmup=0)
    net.zero_grad()
    loss_fn(net, X, y).backward()
    return net, differences.result, forward.median, backward.median, differences.median


def test_backward_costs_about_one_forward_pass(measured):
    _, _, forward, backward, _ = measured
    assert backward < 2 * forward


def test_finite_differences_cost_many_passes(measured):
    net, _, forward, backward, differences = measured
    assert len(net.parameters()) == 105
    assert differences / (forward + backward) > 30  # about 2 × 105 forward passes


def test_both_give_the_same_gradients(measured):
    net, numeric, *_ = measured
    assert np.allclose(numeric, [p.grad for p in net.parameters()], rtol=0, atol=1e-6)


def test_the_prose_quotes_the_largest_network():
    glue = glued(read(CHAPTER))
    assert glue["ch04_fd_params"] == 105
    assert glue["ch04_fd_ratio"] > 30
