"""Deep multilayer perceptrons and what happens inside them (Chapter 7).

``deep_mlp`` builds a plain chain of ``depth`` hidden layers of ``width``
units with a chosen activation, initialisation, normalisation and optional
residual connections (their branches scaled down at the start by
``scale_branches``, so that a deep residual network starts at a sane scale);
``gradient_norms`` and ``activation_stds`` measure, layer by layer, what a
network does at initialisation; ``init_weights`` applies Glorot or He
initialisation (Glorot & Bengio 2010, He et al. 2015).
"""

import math

import numpy as np
import torch
from torch import nn

from nnbook.validation import (as_array, as_choice, as_int, as_nonnegative,
                               as_positive)

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
# "default" keeps PyTorch's own (uniform, std = 1 / sqrt(3 · fan_in));
# "small" is a fixed std of 0.01, the recipe of early networks.
INITS = ("default", "glorot", "he", "small")
NORMS = ("none", "batch", "layer")


class Block(nn.Module):
    """One hidden layer: Linear → normalisation → activation (→ dropout),
    with ``x + f(x)`` when ``residual`` (the input and output sizes must
    match). ``dropout`` > 0 zeroes each output with that probability while
    training (Chapter 10); at 0 the block holds no dropout layer at all.
    """

    def __init__(self, num_inputs, width, activation="relu", norm="none",
                 residual=False, dropout=0.0):
        super().__init__()
        self.linear = nn.Linear(num_inputs, width)
        self.norm = {"none": nn.Identity, "batch": nn.BatchNorm1d,
                     "layer": nn.LayerNorm}[norm]
        self.norm = self.norm() if norm == "none" else self.norm(width)
        self.act = ACTIVATIONS[activation]()
        self.residual = bool(residual) and num_inputs == width
        if dropout > 0:
            self.dropout = nn.Dropout(dropout)

    def forward(self, X):
        out = self.act(self.norm(self.linear(X)))
        if hasattr(self, "dropout"):
            out = self.dropout(out)
        return X + out if self.residual else out


def init_std(init, fan_in, fan_out):
    """The standard deviation of the weights for ``init``: Glorot's
    sqrt(2 / (fan_in + fan_out)), He's sqrt(2 / fan_in), 0.01 for "small",
    and PyTorch's default 1 / sqrt(3 · fan_in)."""
    init = as_choice(init, "init", INITS)
    fan_in = as_int(fan_in, "fan_in", minimum=1)
    fan_out = as_int(fan_out, "fan_out", minimum=1)
    return {"default": 1 / math.sqrt(3 * fan_in),
            "glorot": math.sqrt(2 / (fan_in + fan_out)),
            "he": math.sqrt(2 / fan_in), "small": 0.01}[init]


def init_weights(model, init, seed=None):
    """Draw every Linear layer's weights of ``model`` from a normal with
    the std of ``init_std`` and set its biases to 0 ("default" leaves the
    model as PyTorch built it). Returns the model."""
    init = as_choice(init, "init", INITS)
    if init == "default":
        return model
    generator = None if seed is None else torch.Generator().manual_seed(
        int(seed))
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, nn.Linear):
                fan_out, fan_in = layer.weight.shape
                std = init_std(init, fan_in, fan_out)
                layer.weight.normal_(0.0, std, generator=generator)
                layer.bias.zero_()
    return model


def scale_branches(model, factor):
    """Multiply the weights and biases of the Linear layer of every
    residual :class:`Block` of ``model`` by ``factor`` (a float > 0), in
    place. Returns the model."""
    factor = as_positive(factor, "factor")
    with torch.no_grad():
        for block in model.modules():
            if isinstance(block, Block) and block.residual:
                block.linear.weight.mul_(factor)
                block.linear.bias.mul_(factor)
    return model


def deep_mlp(num_inputs, num_outputs, depth, width, activation="relu",
             init="default", norm="none", residual=False, branch_scale=None,
             seed=0, dropout=0.0):
    """An ``nn.Sequential`` of ``depth`` hidden :class:`Block` s of
    ``width`` units, then a Linear layer to ``num_outputs`` scores.

    activation: "relu", "tanh" or "sigmoid"; init: one of ``INITS``;
    norm: "none", "batch" or "layer"; residual: add each block's input to
    its output (every block but the first, whose sizes differ);
    branch_scale: with ``residual``, each residual block's weights and
    bias start ``branch_scale`` times as large as ``init`` draws them
    (None: 1 / depth, so that through all blocks the signal grows by
    less than (1 + 1/depth)^depth < e, Section 7.5; 1: unscaled);
    seed: the weights are drawn from ``torch.manual_seed(seed)``;
    dropout: the probability, in [0, 1), that dropout zeroes a hidden
    unit's output while training (Chapter 10; 0: no dropout layers).
    """
    num_inputs = as_int(num_inputs, "num_inputs", minimum=1)
    num_outputs = as_int(num_outputs, "num_outputs", minimum=1)
    depth = as_int(depth, "depth", minimum=1)
    width = as_int(width, "width", minimum=1)
    activation = as_choice(activation, "activation", tuple(ACTIVATIONS))
    norm = as_choice(norm, "norm", NORMS)
    init = as_choice(init, "init", INITS)
    dropout = as_nonnegative(dropout, "dropout")
    if dropout >= 1:
        raise ValueError(f"dropout must be below 1 (1 would zero every "
                         f"unit), got {dropout}")
    scale = (1 / depth if branch_scale is None
             else as_positive(branch_scale, "branch_scale"))
    torch.manual_seed(as_int(seed, "seed", minimum=0))
    sizes = [num_inputs] + [width] * depth
    layers = [Block(a, b, activation, norm, residual, dropout)
              for a, b in zip(sizes[:-1], sizes[1:])]
    model = nn.Sequential(*layers, nn.Linear(width, num_outputs))
    init_weights(model, init, seed)
    return scale_branches(model, scale)


def num_parameters(model):
    """The number of learnable numbers in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def width_for(num_params, num_inputs, num_outputs, depth):
    """The width (an int ≥ 1) whose plain ``deep_mlp`` of ``depth`` hidden
    layers has the parameter count closest to ``num_params``."""
    num_params = as_positive(num_params, "num_params")
    depth = as_int(depth, "depth", minimum=1)

    def count(w):
        return ((num_inputs + 1) * w + (depth - 1) * (w + 1) * w
                + (w + 1) * num_outputs)

    return min(range(1, 4097), key=lambda w: abs(count(w) - num_params))


def _hidden_linears(model):
    return [m.linear for m in model.modules() if isinstance(m, Block)]


def gradient_norms(model, X, y, loss_fn=nn.functional.cross_entropy):
    """The norm of the loss's gradient with respect to each hidden layer's
    weight matrix, first layer first, for one batch ``X`` (n, d), ``y``
    (n,) int labels. Returns a (depth,) float array; the model's ``.grad``
    are cleared again and its mode (train/eval) kept."""
    X = torch.as_tensor(as_array(X, "X", ndim=2), dtype=torch.float32)
    y = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    model.zero_grad()
    loss_fn(model(X), y).backward()
    norms = [float(m.weight.grad.norm()) for m in _hidden_linears(model)]
    model.zero_grad(set_to_none=True)
    return np.array(norms)


def activation_stds(model, X, over="all"):
    """The standard deviation of each hidden block's output (after the
    activation, and the residual addition if any) for a batch ``X`` (n, d),
    in the model's current mode (batch normalisation uses the batch's own
    statistics in train mode).

    over: "all" (every number of the (n, width) output together),
    "examples" (each unit's std over the n examples, averaged over the
    units: how much the examples still differ) or "units" (each example's
    std over its units, averaged over the examples).
    Returns a (depth,) float array."""
    X = torch.as_tensor(as_array(X, "X", ndim=2), dtype=torch.float32)
    over = as_choice(over, "over", ("all", "examples", "units"))
    if over == "examples" and len(X) < 2:
        raise ValueError("over='examples' needs a batch X of at least 2 "
                         f"examples, got {len(X)}")
    stds = []
    with torch.no_grad():
        out = X
        for layer in model:
            out = layer(out)
            if isinstance(layer, Block):
                stds.append(_std(out, over))
    return np.array(stds)


def _std(out, over):
    if over == "all":
        return float(out.std())
    return float(out.std(dim=0 if over == "examples" else 1).mean())
