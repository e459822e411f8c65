"""nnbook.explain against independent computations: the saliency and integrated gradients
of a linear model by formula, integrated gradients' completeness and its error shrinking
with the steps, occlusion of models that read known pixels, Spearman's correlation against
scipy's, the re-drawn copy of a network, and one-line messages for bad input."""

import math

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from torch import nn

from nnbook.explain import (input_gradient, integrated_gradients, occlusion,
                            randomized_copy, rank_correlation, saliency,
                            target_probability)


def linear(seed=0, num_inputs=64, num_outputs=10):
    torch.manual_seed(seed)
    return nn.Linear(num_inputs, num_outputs).double()


def mlp(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10)).double()


def data(n=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.rand(n, 64, generator=g, dtype=torch.float64)
    return X, torch.randint(0, 10, (n,), generator=g)


class OnePixel(nn.Module):
    """Scores (N, 2): class 1 gets 5 · x[pixel], class 0 gets 0."""

    def __init__(self, pixel):
        super().__init__()
        self.pixel = pixel

    def forward(self, X):
        return torch.stack([torch.zeros(len(X), dtype=X.dtype), 5 * X[:, self.pixel]], 1)


def score(model, X, target):
    with torch.no_grad():
        return model(X).gather(1, target[:, None])[:, 0]


# --- gradients ---------------------------------------------------------------

def test_saliency_of_a_linear_model_is_the_size_of_its_weights():
    model, (X, y) = linear(), data()
    torch.testing.assert_close(saliency(model, X, y), model.weight[y].detach().abs())


def test_input_gradient_matches_finite_differences_on_an_mlp():
    model, (X, y) = mlp(), data(3)
    grad = input_gradient(model, X, y)
    eps = 1e-6
    for d in (0, 17, 63):
        step = torch.zeros_like(X)
        step[:, d] = eps
        numeric = (score(model, X + step, y) - score(model, X - step, y)) / (2 * eps)
        torch.testing.assert_close(grad[:, d], numeric, rtol=1e-6, atol=1e-9)


def test_saliency_leaves_the_input_alone_and_needs_no_grad():
    model, (X, y) = mlp(), data()
    before = X.clone()
    result = saliency(model, X, y)
    assert torch.equal(X, before) and not X.requires_grad and not result.requires_grad
    assert (result >= 0).all() and result.shape == X.shape


def test_integrated_gradients_of_a_linear_model_is_input_times_weight():
    model, (X, y) = linear(), data()
    for steps in (1, 7, 50):
        ig = integrated_gradients(model, X, y, steps=steps)
        torch.testing.assert_close(ig, X * model.weight[y].detach(), rtol=1e-12, atol=1e-12)


def test_integrated_gradients_with_a_baseline_on_a_linear_model():
    model, (X, y) = linear(), data()
    baseline = torch.full_like(X, 0.3)
    ig = integrated_gradients(model, X, y, baseline=baseline, steps=3)
    torch.testing.assert_close(ig, (X - 0.3) * model.weight[y].detach())


def test_integrated_gradients_completeness_error_shrinks_with_steps():
    model, (X, y) = mlp(), data()
    gap = score(model, X, y) - score(model, torch.zeros_like(X), y)
    errors = [(integrated_gradients(model, X, y, steps=s).sum(1) - gap).abs().max().item()
              for s in (2, 8, 32, 128)]
    assert all(a > b for a, b in zip(errors, errors[1:])), errors
    assert errors[-1] < 1e-3 * gap.abs().max().item()


def test_integrated_gradients_is_the_midpoint_rule():
    """One step: the gradient at the midpoint of the path, times x − x′."""
    model, (X, y) = mlp(), data()
    ig = integrated_gradients(model, X, y, steps=1)
    torch.testing.assert_close(ig, X * input_gradient(model, X / 2, y))


# --- occlusion ---------------------------------------------------------------

def test_occlusion_of_a_model_that_reads_one_pixel():
    pixel = 2 * 8 + 5                           # row 2, column 5: in the square (2, 4)
    X = torch.full((2, 64), 0.5, dtype=torch.float64)
    target = torch.tensor([1, 0])
    model = OnePixel(pixel)
    maps = occlusion(model, X, target).view(2, 8, 8)
    p = torch.softmax(torch.tensor([0.0, 2.5], dtype=torch.float64), 0)
    drop = p[1] - 0.5                           # the pixel hidden: both scores 0
    expected = torch.zeros(8, 8, dtype=torch.float64)
    expected[2:4, 4:6] = drop
    torch.testing.assert_close(maps[0], expected)
    torch.testing.assert_close(maps[1], -expected)   # class 0 gains what 1 loses


def test_occlusion_patches_at_the_edge_and_fill_value():
    model = OnePixel(7 * 8 + 7)                 # the last pixel of an 8 × 8 image
    X = torch.zeros(1, 64, dtype=torch.float64)
    target = torch.tensor([1])
    maps = occlusion(model, X, target, patch=3, fill=1.0).view(8, 8)
    drop = 0.5 - torch.softmax(torch.tensor([0.0, 5.0], dtype=torch.float64), 0)[1]
    assert torch.allclose(maps[6:, 6:], drop) and (maps[:6].abs() < 1e-15).all()
    assert (maps[:, :6].abs() < 1e-15).all()


def test_occlusion_of_a_linear_model_by_hand():
    model, (X, y) = linear(), data(2)
    maps = occlusion(model, X, y, image_shape=(8, 8), patch=4)
    for n in range(2):
        hidden = X[n].clone().view(8, 8)
        hidden[4:, :4] = 0
        p = target_probability(model, X[n:n + 1], y[n:n + 1])
        q = target_probability(model, hidden.view(1, 64), y[n:n + 1])
        assert torch.allclose(maps[n].view(8, 8)[4:, :4], p - q)


def test_target_probability_is_the_softmax_entry():
    model, (X, y) = mlp(), data()
    expected = torch.softmax(model(X).detach(), 1)[torch.arange(6), y]
    torch.testing.assert_close(target_probability(model, X, y), expected)


# --- rank correlation and re-drawn weights -------------------------------------

@pytest.mark.parametrize("seed", range(10))
def test_rank_correlation_equals_scipy_with_ties(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 5, size=(8, 8)).astype(float)      # many ties
    b = a + rng.normal(0, 2, size=(8, 8))
    assert rank_correlation(a, b) == pytest.approx(spearmanr(a.ravel(), b.ravel()).statistic)
    assert rank_correlation(torch.tensor(a), b) == pytest.approx(rank_correlation(a, b))


def test_rank_correlation_known_values():
    a = np.arange(10.0)
    assert rank_correlation(a, a ** 3) == pytest.approx(1.0)
    assert rank_correlation(a, -a) == pytest.approx(-1.0)
    assert math.isnan(rank_correlation(a, np.ones(10)))


def test_randomized_copy_changes_every_parameter_and_leaves_the_original():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(),
                          nn.Linear(144, 10), nn.LayerNorm(10))
    with torch.no_grad():
        model[4].weight.add_(0.5)               # a trained LayerNorm differs from its start
        model[4].bias.add_(0.5)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    state = torch.get_rng_state()
    twin = randomized_copy(model, seed=3)
    assert torch.equal(torch.get_rng_state(), state)   # the global random state restored
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name])
        assert not torch.isclose(twin.state_dict()[name], value).any(), name
    again = randomized_copy(model, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(twin.parameters(), again.parameters()))
    other = randomized_copy(model, seed=4)
    assert not torch.equal(twin[0].weight, other[0].weight)


def test_randomized_copy_of_named_layers_only():
    model = mlp()
    twin = randomized_copy(model, names=["2"])
    assert torch.equal(twin[0].weight, model[0].weight)
    assert not torch.isclose(twin[2].weight, model[2].weight).any()


def test_randomized_copy_redraws_bare_parameters():
    class Bare(nn.Module):
        def __init__(self):
            super().__init__()
            self.table = nn.Parameter(torch.randn(5, 3))

    model = Bare()
    twin = randomized_copy(model)
    assert not torch.isclose(twin.table, model.table).any()
    assert twin.table.std().item() == pytest.approx(model.table.std().item(), rel=0.8)


# --- bad input -----------------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda m, X, y: saliency(m, X.numpy(), y), TypeError, "X must be a float tensor"),
    (lambda m, X, y: saliency(m, X.long(), y), ValueError, "X must be a float tensor (N, D)"),
    (lambda m, X, y: saliency(m, X[0], y), ValueError, "X.reshape(1, -1)"),
    (lambda m, X, y: saliency(m, X * math.nan, y), ValueError, "NaN"),
    (lambda m, X, y: saliency(m, X, y.int()), ValueError, "torch.as_tensor(y).long()"),
    (lambda m, X, y: saliency(m, X, y[:2]), ValueError, "one class per row"),
    (lambda m, X, y: saliency(m, X, y + 10), ValueError, "classes from 0 to 9"),
    (lambda m, X, y: saliency("model", X, y), TypeError, "model must be a torch.nn.Module"),
    (lambda m, X, y: integrated_gradients(m, X, y, steps=0), ValueError, "steps must be"),
    (lambda m, X, y: integrated_gradients(m, X, y, steps=2.0), TypeError, "steps must be"),
    (lambda m, X, y: integrated_gradients(m, X, y, baseline=X[0]), ValueError,
     "b.expand_as(X)"),
    (lambda m, X, y: integrated_gradients(m, X, y, baseline=0.0), TypeError, "baseline"),
    (lambda m, X, y: occlusion(m, X, y, image_shape=(7, 8)), ValueError, "does not match"),
    (lambda m, X, y: occlusion(m, X, y, image_shape=64), TypeError, "(height, width)"),
    (lambda m, X, y: occlusion(m, X, y, patch=9), ValueError, "patch must be"),
    (lambda m, X, y: occlusion(m, X, y, patch=0), ValueError, "patch must be"),
    (lambda m, X, y: occlusion(m, X, y, fill=math.inf), ValueError, "fill must be"),
    (lambda m, X, y: occlusion(m, X, y, fill="black"), TypeError, "fill must be"),
    (lambda m, X, y: rank_correlation([1.0], [2.0]), ValueError, "same number (≥ 2)"),
    (lambda m, X, y: rank_correlation(np.ones(4), np.ones(5)), ValueError, "got 4 and 5"),
    (lambda m, X, y: rank_correlation([1.0, math.nan], [2.0, 3.0]), ValueError, "NaN"),
    (lambda m, X, y: randomized_copy("model"), TypeError, "model must be"),
    (lambda m, X, y: randomized_copy(m, seed=-1), ValueError, "seed must be"),
    (lambda m, X, y: randomized_copy(m, names="2"), TypeError, "write ['2']"),
    (lambda m, X, y: randomized_copy(m, names=["5"]), ValueError, "no submodule '5'"),
])
def test_bad_input_gets_a_one_line_message(call, error, message):
    X, y = data()
    with pytest.raises(error) as info:
        call(mlp(), X, y)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_model_that_does_not_return_scores_is_refused():
    X, y = data()
    with pytest.raises(ValueError, match="scores"):
        saliency(nn.Sequential(nn.Linear(64, 1), nn.Flatten(0)).double(), X, y)
