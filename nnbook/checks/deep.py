"""Checks for the exercises of Chapter 7, *Going deep*."""

import math

import numpy as np
import torch
from torch import nn

from nnbook.checks import returned as _returned
from nnbook.checks import CheckFailed, check, choice, close, expect



def _numbers(value):
    """A tensor, array, list or number answer as a float numpy array."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    if isinstance(value, (list, tuple)):
        return np.array([_numbers(v) for v in value], dtype=float)
    return value


# Exercise 1 -----------------------------------------------------------------

@check
def check_he_init(he_init_):
    """Exercise 1: fill an nn.Linear with He-initialised weights."""
    torch.manual_seed(0)
    layer = nn.Linear(400, 100)
    out = he_init_(layer)
    expect(out is None or out is layer, "he_init_ should change the layer "
           "in place (and return it or nothing), not build a new one")
    W, b = layer.weight.detach(), layer.bias.detach()
    expect(tuple(W.shape) == (100, 400), "the weight's shape changed to "
           f"{tuple(W.shape)}: fill it in place with weight.normal_(...)")
    std, want = float(W.std()), math.sqrt(2 / 400)
    if abs(std - math.sqrt(2 / 100)) < 0.05 * math.sqrt(2 / 100):
        raise CheckFailed(f"the weights' std is {std:.3g}, sqrt(2 / 100): "
                          "the fan-in is the number of inputs, "
                          "weight.shape[1], not weight.shape[0]")
    if abs(std - 2 / 400) < 0.1 * 2 / 400:
        raise CheckFailed(f"the weights' std is {std:.3g}, 2 / fan_in: that "
                          "is the variance; the std is its square root")
    if abs(std - math.sqrt(2 / 500)) < 0.03 * math.sqrt(2 / 500):
        raise CheckFailed(f"the weights' std is {std:.3g}, Glorot's "
                          "sqrt(2 / (fan_in + fan_out)); He's is "
                          "sqrt(2 / fan_in)")
    expect(abs(std - want) < 0.03 * want, f"the weights' std should be "
           f"sqrt(2 / 400) ≈ {want:.3g}, got {std:.3g}")
    expect(abs(float(W.mean())) < 0.01 * want * 20, "the weights' mean "
           f"should be 0, got {float(W.mean()):.3g}")
    expect(float(b.abs().max()) == 0.0, "the biases should be 0 "
           f"(bias.zero_()), got some as large as {float(b.abs().max()):.3g}")
    return f"std {std:.3f} ≈ sqrt(2 / 400), biases 0"


# Exercise 2 -----------------------------------------------------------------

SMALLEST_OPTIONS = {
    "A": "the first hidden layer",
    "B": "the last hidden layer",
    "C": "all layers about the same",
    "D": "the output layer",
}
SMALLEST_FEEDBACK = {
    "B": "the last layers are nearest the loss; the gradient shrinks on "
         "its way back, so they get the largest",
    "C": "that is what He initialisation gives a ReLU network; each sigmoid "
         "divides the gradient by at least 4",
    "D": "the output layer is the first the gradient reaches, before any "
         "sigmoid has shrunk it",
}


@check
def check_smallest_gradient(answer):
    """Exercise 2: where the gradient of a deep sigmoid network is smallest."""
    choice(answer, "A", SMALLEST_OPTIONS, SMALLEST_FEEDBACK)
    return "A: each layer multiplies the gradient by σ' ≤ 1/4 on its way"


# Exercise 3 -----------------------------------------------------------------

def _reference_norms(model, X, y):
    model.zero_grad()
    nn.functional.cross_entropy(model(X), y).backward()
    norms = [float(m.weight.grad.norm()) for m in model
             if isinstance(m, nn.Linear)]
    model.zero_grad(set_to_none=True)
    return np.array(norms)


def _probe_model():
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 8),
                         nn.Tanh(), nn.Linear(8, 3))


@check
def check_layer_grad_norms(layer_grad_norms):
    """Exercise 3: the gradient norm of every Linear layer's weights."""
    X = torch.randn(16, 6, generator=torch.Generator().manual_seed(2))
    y = torch.arange(16) % 3
    model = _probe_model()
    want = _reference_norms(_probe_model(), X, y)
    got = _returned(layer_grad_norms(model, X, y),
                    "layer_grad_norms(model, X, y)")
    got = np.asarray(_numbers(got), dtype=float)
    if got.shape == want.shape:
        if np.allclose(got, want[::-1], rtol=1e-4):
            raise CheckFailed("the norms are in reverse order: give the "
                              "first layer's first")
        if np.allclose(got, want ** 2, rtol=1e-4):
            raise CheckFailed("these are the squared norms: use "
                              "grad.norm(), the square root of the sum of "
                              "squares")
        weights = [float(m.weight.detach().norm()) for m in _probe_model()
                   if isinstance(m, nn.Linear)]
        if np.allclose(got, weights, rtol=1e-4):
            raise CheckFailed("these are the norms of the weights "
                              "themselves: measure weight.grad")
    close(got, want, "the gradient norms of the 3 Linear layers", rtol=1e-4)
    again = np.asarray(_numbers(layer_grad_norms(model, X, y)), dtype=float)
    expect(np.allclose(again, want, rtol=1e-4), "a second call gave "
           f"{np.round(again, 3)}: the gradients accumulated; call "
           "model.zero_grad() before backward()")
    return "one norm per Linear layer, first layer first"


# Exercise 4 -----------------------------------------------------------------

@check
def check_residual_block(ResidualBlock):
    """Exercise 4: a block computing x + relu(linear(x))."""
    torch.manual_seed(0)
    block = _returned(ResidualBlock(5), "ResidualBlock(5)")
    expect(isinstance(block, nn.Module), "ResidualBlock should be an "
           f"nn.Module subclass, got {type(block).__name__}")
    linears = [m for m in block.modules() if isinstance(m, nn.Linear)]
    expect(len(linears) == 1 and tuple(linears[0].weight.shape) == (5, 5),
           "the block should hold one nn.Linear(width, width), got "
           f"{[tuple(m.weight.shape) for m in linears]}")
    X = torch.randn(7, 5, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        z = linears[0](X)
        out = _returned(block(X), "block(X)")
    got = _numbers(out)
    for wrong, why in [(z, "the input x is not added: return x + f(x)"),
                       (torch.relu(z), "the input x is not added: "
                        "return x + relu(linear(x))"),
                       (torch.relu(X + z), "the ReLU comes after the "
                        "addition: add x to relu(linear(x)) instead, so "
                        "the identity path stays untouched"),
                       (X + z, "the ReLU is missing from the branch")]:
        if np.shape(got) == tuple(X.shape) and np.allclose(got, _numbers(
                wrong), atol=1e-6):
            raise CheckFailed(why)
    close(got, _numbers(X + torch.relu(z)), "block(X)", atol=1e-6)
    return "block(x) = x + relu(linear(x))"


# Exercise 5 -----------------------------------------------------------------

@check
def check_layer_norm(layer_norm):
    """Exercise 5: layer normalisation of each row, without a learned scale."""
    Z = torch.randn(4, 6, generator=torch.Generator().manual_seed(4)) * 3 + 1
    want = nn.functional.layer_norm(Z, (6,), eps=1e-5)
    got = _numbers(_returned(layer_norm(Z), "layer_norm(Z)"))
    mean, var = Z.mean(dim=0), Z.var(dim=0, unbiased=False)
    batch = (Z - mean) / torch.sqrt(var + 1e-5)
    unbiased = (Z - Z.mean(dim=1, keepdim=True)) / torch.sqrt(
        Z.var(dim=1, keepdim=True) + 1e-5)
    centred_only = Z - Z.mean(dim=1, keepdim=True)
    if np.shape(got) == tuple(Z.shape):
        for wrong, why in [
                (batch, "this normalises each column over the batch "
                 "(batch normalisation): layer norm uses each row's own "
                 "mean and variance, dim=1"),
                (unbiased, "this divides by the unbiased variance "
                 "(n − 1): use var(dim=1, unbiased=False), as PyTorch's "
                 "layer norm does"),
                (centred_only, "the rows are centred but not divided by "
                 "their standard deviation")]:
            if np.allclose(got, _numbers(wrong), atol=1e-5):
                raise CheckFailed(why)
    close(got, _numbers(want), "layer_norm(Z)", atol=1e-4)
    ones = _numbers(layer_norm(torch.ones(1, 3)))
    close(ones, np.zeros((1, 3)), "layer_norm of a constant row "
          "(eps keeps it finite)", atol=1e-4)
    return "each row has mean 0 and variance 1, as F.layer_norm gives"


# Exercise 6 -----------------------------------------------------------------

@check
def check_leaky_std(leaky_he_std):
    """Exercise 6: the std that keeps a leaky-ReLU network's scale."""
    cases = [(100, 0.1), (256, 0.0), (50, 0.5), (10, 1.0)]
    for fan_in, slope in cases:
        got = _returned(leaky_he_std(fan_in, slope),
                        f"leaky_he_std({fan_in}, {slope})")
        got = float(np.asarray(_numbers(got)))
        want = math.sqrt(2 / ((1 + slope ** 2) * fan_in))
        what = f"leaky_he_std({fan_in}, {slope})"
        if slope > 0 and math.isclose(got, math.sqrt(2 / fan_in),
                                      rel_tol=1e-6):
            raise CheckFailed(f"{what} is He's sqrt(2 / fan_in): the "
                              "negative side also passes a share "
                              "slope² of its variance")
        if 0 < slope < 1 and math.isclose(
                got, math.sqrt(2 / ((1 + slope) * fan_in)), rel_tol=1e-6):
            raise CheckFailed(f"{what} uses 1 + slope: the negative "
                              "inputs are multiplied by slope, so their "
                              "square by slope²")
        if math.isclose(got, want ** 2, rel_tol=1e-6):
            raise CheckFailed(f"{what} is the variance: return its "
                              "square root")
        close(got, want, what, rtol=1e-5)
    return "sqrt(2 / ((1 + a²) n)): He's for a = 0, 1/n for a = 1"


# Exercise 7 -----------------------------------------------------------------

LR_OPTIONS = {
    "A": "SGD is a worse optimiser than Adam",
    "B": "with the same lr, SGD's steps (lr × gradient) are much smaller "
         "than Adam's (about lr)",
    "C": "the network was too deep for SGD",
    "D": "He initialisation does not suit SGD",
}
LR_FEEDBACK = {
    "A": "at lr 0.1, the same SGD trained well (Section 7.6)",
    "C": "the same 4-layer network trained with SGD at lr 0.1",
    "D": "the initialisation was the same for all four runs",
}


@check
def check_lr_answer(answer):
    """Exercise 7: why SGD at Adam's learning rate barely learned."""
    choice(answer, "B", LR_OPTIONS, LR_FEEDBACK)
    return "B: a learning rate means something different to each optimiser"
