"""Tests for nnbook.deep: building deep MLPs, initialisation, measurements."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from nnbook.deep import (Block, INITS, activation_stds, deep_mlp,
                         gradient_norms, init_std, init_weights,
                         num_parameters, scale_branches, width_for)


def test_deep_mlp_has_depth_blocks_and_right_output():
    model = deep_mlp(40, 10, depth=5, width=16)
    assert sum(isinstance(m, Block) for m in model) == 5
    assert model(torch.zeros(3, 40)).shape == (3, 10)


@pytest.mark.parametrize("norm, kind", [("batch", nn.BatchNorm1d),
                                        ("layer", nn.LayerNorm),
                                        ("none", nn.Identity)])
def test_normalisation_layers(norm, kind):
    model = deep_mlp(8, 2, depth=3, width=8, norm=norm)
    assert all(isinstance(m.norm, kind) for m in model if isinstance(m, Block))


def test_residual_skips_the_first_block_whose_sizes_differ():
    model = deep_mlp(8, 2, depth=3, width=16, residual=True)
    assert [m.residual for m in model[:3]] == [False, True, True]


def test_residual_branches_start_scaled_by_one_over_depth():
    plain = deep_mlp(8, 2, depth=4, width=16, init="he", seed=1)
    residual = deep_mlp(8, 2, depth=4, width=16, init="he", residual=True,
                        seed=1)
    unscaled = deep_mlp(8, 2, depth=4, width=16, init="he", residual=True,
                        branch_scale=1, seed=1)
    for p, r, u in zip(plain[:4], residual[:4], unscaled[:4]):
        assert torch.equal(p.linear.weight, u.linear.weight)
        factor = 0.25 if r.residual else 1.0
        assert torch.allclose(r.linear.weight, factor * p.linear.weight)


def test_scaled_residual_network_starts_at_a_sane_scale():
    X = torch.randn(512, 40, generator=torch.Generator().manual_seed(0))
    y = torch.arange(512) % 10
    for depth in (8, 32, 50):
        model = deep_mlp(40, 10, depth, 32, init="he", residual=True)
        stds = activation_stds(model, X)
        assert stds[-1] < math.e * stds[0]    # (1 + 1/L)^L < e
        with torch.no_grad():
            assert nn.functional.cross_entropy(model(X), y) < 6
    unscaled = deep_mlp(40, 10, 32, 32, init="he", residual=True,
                        branch_scale=1)
    stds = activation_stds(unscaled, X)
    assert stds[-1] > 1e4 * stds[0]           # doubles, and more, per block


def test_scale_branches_leaves_plain_blocks_alone():
    model = deep_mlp(4, 2, depth=3, width=8, init="he", residual=True,
                     branch_scale=1)
    before = [m.linear.weight.clone() for m in model[:3]]
    scale_branches(model, 0.5)
    assert torch.equal(model[0].linear.weight, before[0])
    assert torch.allclose(model[2].linear.weight, 0.5 * before[2])
    with pytest.raises(ValueError, match="factor must be"):
        scale_branches(model, 0)


def test_activation_spread_over_examples_and_units():
    X = torch.randn(256, 40, generator=torch.Generator().manual_seed(0))
    net = deep_mlp(40, 10, 10, 64, activation="sigmoid")
    batch = deep_mlp(40, 10, 10, 64, activation="sigmoid", norm="batch")
    examples = activation_stds(net, X, over="examples")
    units = activation_stds(net, X, over="units")
    assert examples.shape == units.shape == (10,)
    assert examples[-1] < 1e-4 * examples[0] and units[-1] > 0.01
    spread = activation_stds(batch, X, over="examples")
    assert 0.5 < spread[-1] / spread[0] < 2
    with pytest.raises(ValueError, match="unknown over 'rows'"):
        activation_stds(net, X, over="rows")
    with pytest.raises(ValueError, match="at least 2 examples"):
        activation_stds(net, X[:1], over="examples")


def test_same_seed_same_weights():
    a, b = deep_mlp(8, 2, 3, 8, init="he", seed=3), deep_mlp(8, 2, 3, 8,
                                                             init="he", seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(),
                                                 b.parameters()))


def test_init_std_formulas():
    assert init_std("he", 50, 10) == pytest.approx(math.sqrt(2 / 50))
    assert init_std("glorot", 50, 30) == pytest.approx(math.sqrt(2 / 80))
    assert init_std("small", 5, 5) == 0.01


def test_init_weights_measured_std():
    layer = init_weights(nn.Sequential(nn.Linear(400, 300)), "he", seed=0)
    assert float(layer[0].weight.detach().std()) == pytest.approx(
        math.sqrt(2 / 400), rel=0.02)
    assert float(layer[0].bias.detach().abs().max()) == 0.0


def test_he_keeps_relu_variance_and_small_init_makes_it_vanish():
    X = torch.randn(512, 200, generator=torch.Generator().manual_seed(0))
    he = activation_stds(deep_mlp(200, 10, 30, 200, init="he"), X)
    small = activation_stds(deep_mlp(200, 10, 30, 200, init="small"), X)
    default = activation_stds(deep_mlp(200, 10, 30, 200), X)
    assert 0.3 < he[-1] / he[0] < 3       # roughly constant over 30 layers
    assert small[-1] < 1e-6 * small[0] + 1e-12
    assert default[-1] < 0.1 * default[0]  # 1/sqrt(3 fan_in) halves it


def test_sigmoid_gradients_vanish_and_relu_he_do_not():
    X = torch.randn(256, 40, generator=torch.Generator().manual_seed(0))
    y = torch.arange(256) % 10
    sig = gradient_norms(deep_mlp(40, 10, 10, 64, "sigmoid"), X, y)
    relu = gradient_norms(deep_mlp(40, 10, 10, 64, "relu", "he"), X, y)
    assert sig.shape == relu.shape == (10,)
    assert sig[0] / sig[-1] < 1e-4
    assert 0.1 < relu[0] / relu[-1] < 10


def test_gradient_norms_leave_no_grad_behind():
    model = deep_mlp(4, 2, 2, 4)
    gradient_norms(model, np.ones((3, 4)), [0, 1, 0])
    assert all(p.grad is None for p in model.parameters())


def test_width_for_matches_parameter_budget():
    for depth in (1, 2, 4, 8):
        width = width_for(20000, 40, 10, depth)
        count = num_parameters(deep_mlp(40, 10, depth, width))
        assert abs(count - 20000) / 20000 < 0.05


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(depth=0), ValueError, "depth must be an int ≥ 1"),
    (dict(width=2.5), TypeError, "width must be an int"),
    (dict(activation="gelu"), ValueError, "unknown activation 'gelu'"),
    (dict(init="kaiming"), ValueError, "unknown init 'kaiming'"),
    (dict(norm="group"), ValueError, "unknown norm 'group'"),
    (dict(residual=True, branch_scale=-1), ValueError,
     "branch_scale must be a finite number > 0"),
])
def test_bad_arguments_are_refused(kwargs, error, words):
    args = dict(num_inputs=4, num_outputs=2, depth=2, width=4) | kwargs
    with pytest.raises(error, match=words):
        deep_mlp(**args)


def test_every_init_builds():
    for init in INITS:
        assert num_parameters(deep_mlp(4, 2, 2, 4, init=init)) == 50


def test_dropout_zeroes_units_in_training_only():
    model = deep_mlp(10, 3, depth=2, width=200, dropout=0.5, seed=0)
    X = torch.randn(4, 10)
    hidden = model[0]
    model.train()
    share = (hidden(X) == 0).float().mean().item()
    model.eval()
    assert share > (hidden(X) == 0).float().mean().item() + 0.2
    assert torch.equal(model(X), model(X))


def test_no_dropout_leaves_the_network_as_before():
    plain, zero = deep_mlp(10, 3, 2, 8, seed=1), deep_mlp(10, 3, 2, 8, seed=1, dropout=0)
    assert list(plain.state_dict()) == list(zero.state_dict())
    assert not any(isinstance(m, nn.Dropout) for m in zero.modules())


@pytest.mark.parametrize("bad", [-0.1, 1, 1.5])
def test_dropout_outside_zero_one_is_refused(bad):
    with pytest.raises(ValueError, match="dropout"):
        deep_mlp(10, 3, 2, 8, dropout=bad)
