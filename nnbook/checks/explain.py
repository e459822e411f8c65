"""Checks for the exercises of Chapter 12, *Opening the black box, and
hybrids*."""

import functools

import numpy as np
import torch
from torch import nn

from nnbook.checks import numbers as _numbers
from nnbook.checks import returned as _returned
from nnbook.checks import CheckFailed, check, choice, close, expect, number_array
from nnbook.datasets import load_digits
from nnbook.explain import (input_gradient, integrated_gradients, occlusion,
                            randomized_copy, saliency)
from nnbook.validation import as_int


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _same(got, want, rtol=1e-4, atol=1e-6):
    """True when ``got`` has ``want``'s shape and values (no message)."""
    got = np.asarray(_numbers(got), dtype=float)
    want = np.asarray(_numbers(want), dtype=float)
    return got.shape == want.shape and np.allclose(got, want, rtol=rtol,
                                                   atol=atol)


def _mlp(sizes, activation=nn.ReLU, seed=0, dropout=0.0):
    """A small float64 MLP with the given layer sizes, drawn from ``seed``
    (the notebook's random state is left as it was)."""
    layers = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(activation())
                layers += [nn.Dropout(dropout)] if dropout else []
    return nn.Sequential(*layers).double()


def _inputs(n, d, classes, seed):
    """X (n, d) float64 and target (n,) int64, drawn from ``seed``."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=gen, dtype=torch.float64)
    return X, torch.randint(0, classes, (n,), generator=gen)


# The trained network of the exercises ----------------------------------------

NUM_DIGITS = 50   # the first test digits the experiments explain


@functools.lru_cache(maxsize=1)
def _trained_state():
    """The weights of a 64-64-64-10 ReLU MLP after 300 Adam steps on the
    digits' training set (seed 0; about a second)."""
    (X, y), _ = load_digits()
    X, y = torch.tensor(X), torch.tensor(y)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = _mlp((64, 64, 64, 10)).float()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        gen = torch.Generator().manual_seed(0)
        for _ in range(300):
            idx = torch.randint(0, len(X), (128,), generator=gen)
            loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def digits_model():
    """A fresh copy of the exercises' trained digit classifier: nn.Sequential
    of Linear(64, 64), ReLU, Linear(64, 64), ReLU, Linear(64, 10), float32,
    in eval mode (test accuracy about 96 %)."""
    model = _mlp((64, 64, 64, 10)).float()
    model.load_state_dict(_trained_state())
    return model.eval()


def first_test_digits(n=NUM_DIGITS):
    """The first n test digits: X (n, 64) float32 in [0, 1], y (n,) int64."""
    as_int(n, "n", minimum=1, maximum=450)
    _, (X, y) = load_digits()
    return torch.tensor(X[:n]), torch.tensor(y[:n])


def _target_scores(model, X, target):
    with torch.no_grad():
        return model(X).gather(1, target[:, None])[:, 0]


# Exercise 1 ------------------------------------------------------------------

def _linear_cases():
    """(W (K, D), b (K,), X (N, D), target (N,), baseline (D,)), float64: a
    batch of four, a batch of one, and a square W (K = D) where a transpose
    still fits."""
    cases = []
    for k, d, n, seed in ((3, 5, 4, 1), (4, 6, 1, 2), (4, 4, 3, 3)):
        gen = torch.Generator().manual_seed(seed)
        W = torch.randn(k, d, generator=gen, dtype=torch.float64)
        b = torch.randn(k, generator=gen, dtype=torch.float64) + 2.0
        X = torch.randn(n, d, generator=gen, dtype=torch.float64)
        target = torch.randint(0, k, (n,), generator=gen)
        baseline = torch.rand(d, generator=gen, dtype=torch.float64) + 0.5
        cases.append((W, b, X, target, baseline))
    return cases


def _linear_slips(W, b, X, target, baseline):
    """(saliency slips, integrated-gradients slips): (map, why) pairs."""
    w, diff = W[target], X - baseline
    column = W[:, target].T if W.shape[0] == W.shape[1] else w + np.nan
    return (
        ((w, "the saliency is the size of the gradient: |W[target]|, "
             "without the sign"),
         (column.abs(), "the gradient of score c is row c of W (K, D), "
                        "W[c], not column c"),
         ((w * X).abs(), "the gradient of a linear score does not depend "
                         "on x: the saliency is |W[target]|, not |W x|"),
         (W[target[:1]].abs().expand_as(X), "each row of X has its own "
                                            "target: W[target]")),
        ((X * w, "the path starts at the baseline: multiply the (constant) "
                 "gradient by x − x′, (X - baseline) * W[target]"),
         (-diff * w, "the path runs from the baseline to x: x − x′, not "
                     "x′ − x"),
         (w, "integrated gradients multiply the (constant) gradient by "
             "x − x′: (X - baseline) * W[target]"),
         (diff * w + b[target, None], "the bias drops out: f(x) − f(x′) = "
                                      "W[c] · (x − x′)"),
         (diff * w.abs(), "integrated gradients keep the sign of the "
                          "gradient: (X - baseline) * W[target]"),
         (diff * column, "the gradient of score c is row c of W (K, D), "
                         "W[c], not column c")),
    )


def _check_linear_map(got, right, slips, call):
    got = _numbers(_returned(got, call))
    if np.shape(got) == tuple(right.shape) and not _same(got, right):
        for slip, why in slips:
            expect(not _same(got, slip), f"{call} is wrong: {why}")
    close(got, right.numpy(), call, rtol=1e-5, atol=1e-8)


@check
def check_linear_maps(linear_maps):
    """Exercise 1: saliency and integrated gradients of a linear model."""
    for W, b, X, target, baseline in _linear_cases():
        shape = f"W {tuple(W.shape)}, b, X {tuple(X.shape)}, target, baseline"
        answer = _returned(linear_maps(W, b, X, target, baseline),
                           f"linear_maps({shape})")
        expect(isinstance(answer, (tuple, list)) and len(answer) == 2,
               "linear_maps should return two maps, (saliency, ig), got "
               f"{type(answer).__name__}")
        sal_slips, ig_slips = _linear_slips(W, b, X, target, baseline)
        _check_linear_map(answer[0], W[target].abs(), sal_slips,
                          f"the saliency of linear_maps({shape})")
        _check_linear_map(answer[1], (X - baseline) * W[target], ig_slips,
                          f"the integrated gradients of linear_maps({shape})")
    return "both maps right for three models; ig sums to f(x) − f(x′)"


# Exercise 2 ------------------------------------------------------------------

SMOOTH_SAMPLES, SMOOTH_NOISE = 400, 0.5
SMOOTH_TOL = 0.06   # two right 400-sample maps differ by less (relative L1)


def _smoothgrad_reference(model, X, target, noise, samples, generator):
    """The mean of saliency(model, X + noise · ε, target), ε ~ N(0, 1)."""
    total = torch.zeros_like(X)
    for _ in range(samples):
        eps = torch.randn(X.shape, generator=generator, dtype=X.dtype)
        total += saliency(model, X + noise * eps, target)
    return total / samples


def _smooth_slips(model, X, target, noise, samples, seed):
    """(map, why) for three slips that only show with noise."""
    gen = torch.Generator().manual_seed(seed)
    signed = sum(input_gradient(model, X + noise * torch.randn(
        X.shape, generator=gen, dtype=X.dtype), target)
        for _ in range(samples)) / samples
    return ((signed.abs(), "take the absolute value of each sample's "
                           "gradient, then the mean (the mean of saliency "
                           "maps), not the size of the mean gradient"),
            (_smoothgrad_reference(model, X, target, noise ** 2, samples,
                                   gen), "noise is the standard deviation: "
             "X + noise * torch.randn(...), not noise ** 2"))


def _l1_distance(got, right):
    return float(np.abs(got - right).sum() / np.abs(right).sum())


def _check_smooth_without_noise(smoothgrad, model, X, target):
    """With noise 0 every sample is X itself: the mean is the saliency."""
    gen = torch.Generator().manual_seed(0)
    call = f"smoothgrad(model, X {tuple(X.shape)}, target, noise=0, samples=3)"
    got = _numbers(_returned(smoothgrad(model, X, target, 0.0, 3, gen), call))
    right = saliency(model, X, target).numpy()
    if _same(got, input_gradient(model, X, target)) and not _same(got, right):
        raise CheckFailed(f"{call} is the mean gradient, with its sign: the "
                          "saliency of each copy is |gradient|")
    close(got, right, call, rtol=1e-5, atol=1e-8)


def _check_smooth_is_seeded(smoothgrad, model, X, target, X_before):
    """The same generator seed gives the same map, another seed another."""
    call = (f"smoothgrad(model, X {tuple(X.shape)}, target, noise=0.5, "
            "samples=4)")
    first, again, other = (_numbers(_returned(smoothgrad(
        model, X, target, 0.5, 4, torch.Generator().manual_seed(s)), call))
        for s in (1, 1, 2))
    expect(torch.equal(X, X_before), f"{call} changed X: add the noise to a "
           "copy, X + noise * eps, not X += …")
    expect(_same(first, again, 0, 0), f"{call} gives another map with a "
           "generator of the same seed: draw the noise with "
           "torch.randn(X.shape, generator=generator)")
    expect(not _same(first, other), f"{call} gives the same map for two "
           "generator seeds: is the noise added to X?")


@check
def check_smoothgrad(smoothgrad):
    """Exercise 2: SmoothGrad, the mean saliency map of noisy copies."""
    model = _mlp((6, 16, 16, 3), activation=nn.ReLU, seed=4)
    for n, seed in ((5, 5), (1, 6)):
        X, target = _inputs(n, 6, 3, seed)
        X_before = X.clone()
        _check_smooth_without_noise(smoothgrad, model, X, target)
        _check_smooth_is_seeded(smoothgrad, model, X, target, X_before)
    X, target = _inputs(5, 6, 3, 7)
    call = (f"smoothgrad(model, X (5, 6), target, noise={SMOOTH_NOISE}, "
            f"samples={SMOOTH_SAMPLES})")
    got = number_array(_returned(smoothgrad(model, X, target, SMOOTH_NOISE,
                    SMOOTH_SAMPLES, torch.Generator().manual_seed(8)), call),
                    call)
    right = _smoothgrad_reference(model, X, target, SMOOTH_NOISE,
                                  SMOOTH_SAMPLES,
                                  torch.Generator().manual_seed(9)).numpy()
    expect(got.shape == right.shape, f"{call} should have shape "
           f"{right.shape}, got {got.shape}")
    if _l1_distance(got, right) > SMOOTH_TOL:
        _smooth_hint(smoothgrad, model, X, target, got, right, call)
    return ("right without noise, seeded, and within "
            f"{100 * _l1_distance(got, right):.0f} % of another average")


def _smooth_hint(smoothgrad, model, X, target, got, right, call):
    """Fail with the name of the slip in a wrong map ``got``, or say how far
    it is from the reference ``right``."""
    once = _numbers(smoothgrad(model, X, target, SMOOTH_NOISE, 1,
                               torch.Generator().manual_seed(8)))
    expect(not _same(got, once), f"{call} is the saliency of one noisy "
           "copy: draw new noise for each sample")
    for slip, why in _smooth_slips(model, X, target, SMOOTH_NOISE,
                                   SMOOTH_SAMPLES, 8):
        off = _l1_distance(got, slip.numpy())
        expect(off > min(2 * SMOOTH_TOL, _l1_distance(got, right)),
               f"{call} is wrong: {why}")
    raise CheckFailed(f"{call} is {100 * _l1_distance(got, right):.0f} % "
                      "away from the mean of saliency maps of noisy "
                      "copies X + noise · N(0, 1)")


# Exercise 3 ------------------------------------------------------------------

STEP_GRID = (1, 2, 4, 8, 16, 32, 64, 128, 256)
GAP_TOL = 0.1   # the largest gap allowed over the NUM_DIGITS digits


def _riemann_ig(model, X, target, steps, rule):
    """Integrated gradients from a zero baseline by another Riemann rule:
    "left" (k / steps), "right" ((k + 1) / steps) or "trapezoid"."""
    k = torch.arange(steps + 1, dtype=X.dtype)
    alphas, weights = {
        "left": (k[:-1] / steps, torch.ones(steps) / steps),
        "right": (k[1:] / steps, torch.ones(steps) / steps),
        "trapezoid": (k / steps, torch.cat([torch.full((1,), 0.5),
                                            torch.ones(steps - 1),
                                            torch.full((1,), 0.5)]) / steps),
    }[rule]
    grads = input_gradient(model, (alphas[:, None, None] * X).flatten(0, 1),
                           target.repeat(len(alphas))).view(-1, *X.shape)
    return X * (weights.to(X.dtype)[:, None, None] * grads).sum(dim=0)


def _gaps(model, X, target, steps):
    """rule → the reference gap (N,), integrated gradients by that rule."""
    change = _target_scores(model, X, target) - _target_scores(
        model, torch.zeros_like(X), target)
    maps = {"midpoint": integrated_gradients(model, X, target, steps=steps)}
    maps.update({rule: _riemann_ig(model, X, target, steps, rule)
                 for rule in ("left", "right", "trapezoid")})
    return {rule: (ig.sum(dim=1) - change).abs() for rule, ig in maps.items()}


def _gap_slips(model, X, target, steps):
    ig = integrated_gradients(model, X, target, steps=steps)
    score = _target_scores(model, X, target)
    zero = _target_scores(model, torch.zeros_like(X), target)
    with torch.no_grad():
        prob = torch.softmax(model(X), 1).gather(1, target[:, None])[:, 0]
    return ((ig.sum(1) - (score - zero), "the gap is a size: take the "
             "absolute value |sum(IG) − (f(x) − f(0))|"),
            ((ig.sum(1) - score).abs(), "subtract f(baseline) = f(0) too: "
             "the integrated gradients add up to f(x) − f(0)"),
            ((ig.sum(1) - prob).abs(), "f is the target's score (logit), "
             "the output whose gradients are integrated, not its "
             "probability"))


def _gap_cases():
    linear = _mlp((5, 3), seed=10)
    with torch.no_grad():
        linear[0].bias.add_(2.0)   # a bias the gap must not see
    tanh = _mlp((6, 16, 3), activation=nn.Tanh, seed=11)
    X, y = first_test_digits(5)
    return ((linear, *_inputs(4, 5, 3, 12), 3),
            (tanh, *_inputs(3, 6, 3, 13), 4), (tanh, *_inputs(1, 6, 3, 14), 1),
            (digits_model(), X, y, 8))


def _check_gap_function(completeness_gap):
    for model, X, target, steps in _gap_cases():
        call = (f"completeness_gap(model, X {tuple(X.shape)}, target, "
                f"steps={steps})")
        got = number_array(_returned(completeness_gap(model, X, target, steps),
                                  call), call)
        gaps = _gaps(model, X, target, steps)
        if got.shape == (len(X), X.shape[1]):
            raise CheckFailed(f"{call} should give one gap per example, shape"
                              f" ({len(X)},): sum the integrated gradients "
                              "over the pixels of each example")
        if any(_same(got, gap, 1e-3, 1e-5) for gap in gaps.values()):
            continue
        if got.shape == gaps["midpoint"].shape:
            for slip, why in _gap_slips(model, X, target, steps):
                expect(not _same(got, slip, 1e-3, 1e-5), f"{call}: {why}")
        close(got, gaps["midpoint"].numpy(), call, rtol=1e-3, atol=1e-5)


def steps_for_gap(completeness_gap):
    """The smallest steps of STEP_GRID whose largest completeness gap over
    the NUM_DIGITS digits is below GAP_TOL (None if none is)."""
    model, (X, y) = digits_model(), first_test_digits()
    for steps in STEP_GRID:
        if float(np.max(_numbers(completeness_gap(model, X, y, steps)))) < \
                GAP_TOL:
            return steps
    return None


@check
def check_completeness_gap(completeness_gap, steps_needed):
    """Exercise 3: the completeness gap, and the steps that close it."""
    _check_gap_function(completeness_gap)
    expect(_is_int(steps_needed), "steps_needed should be a whole number "
           f"from {STEP_GRID}, got {steps_needed!r}")
    right = steps_for_gap(completeness_gap)
    if steps_needed != right:
        grid = list(STEP_GRID)
        wrong = steps_needed in grid and right is not None and \
            grid.index(steps_needed) == grid.index(right) + 1
        raise CheckFailed(
            f"steps_needed should be {right}, got {steps_needed}" +
            (": the smallest steps that is enough, not the next one" if wrong
             else f": the smallest steps of {grid} whose largest gap over "
             f"the {NUM_DIGITS} digits is below {GAP_TOL}"))
    return f"{right} steps bring every gap below {GAP_TOL}; a linear model, 1"


# Exercise 4 ------------------------------------------------------------------

def _deletion_reference(model, x, target, attribution, steps, order=None,
                        cumulative=True, logits=False):
    """The target's probability (steps + 1,) as the first i · D // steps
    pixels of ``order`` (default: decreasing attribution) are set to 0."""
    order = torch.argsort(attribution, descending=True, stable=True) \
        if order is None else order
    D, rows = len(x), []
    for i in range(steps + 1):
        start = (i - 1) * D // steps if (i and not cumulative) else 0
        row = x.clone()
        row[order[start:i * D // steps]] = 0.0
        rows.append(row)
    with torch.no_grad():
        scores = model(torch.stack(rows))
    out = scores if logits else torch.softmax(scores, dim=1)
    return out[:, target]


def _deletion_slips(model, x, target, a, steps):
    return (
        (_deletion_reference(model, x, target, a, steps,
                             torch.argsort(a, stable=True)),
         "delete the most important pixels first: sort the attribution "
         "in decreasing order"),
        (_deletion_reference(model, x, target, a, steps,
                             torch.argsort(a.abs(), descending=True)),
         "order by the attribution itself, most positive first, not by "
         "its absolute value"),
        (_deletion_reference(model, x, target, a, steps, cumulative=False),
         "the pixels deleted at earlier steps stay deleted: step i sets the "
         "first i · D // steps pixels of the order to 0"),
        (_deletion_reference(model, x, target, a, steps, logits=True),
         "record the target's probability, the softmax of the scores, not "
         "its score"),
        (_deletion_reference(model, x, target, a, steps)[1:], "the curve "
         "starts with nothing deleted: steps + 1 values"),
    )


def _deletion_cases():
    """(model, x, target, attribution, steps): random attributions with
    signs and no ties, and one of the digits with its saliency map."""
    model = _mlp((12, 16, 4), activation=nn.Tanh, seed=15)
    gen = torch.Generator().manual_seed(16)
    x = torch.rand(12, generator=gen, dtype=torch.float64) + 0.5
    a = torch.randn(12, generator=gen, dtype=torch.float64)
    digits, (X, y) = digits_model(), first_test_digits(3)
    return ((model, x, 1, a, 12), (model, x, 3, -a, 4), (model, x, 0, a, 1),
            (digits, X[2], int(y[2]), saliency(digits, X[2:3], y[2:3])[0], 8))


@check
def check_deletion_curve(deletion_curve):
    """Exercise 4: the deletion curve of an attribution map."""
    for model, x, target, a, steps in _deletion_cases():
        x_before = x.clone()
        call = (f"deletion_curve(model, x ({len(x)},), target={target}, "
                f"attribution, steps={steps})")
        got = number_array(_returned(deletion_curve(model, x, target, a, steps),
                                  call), call)
        expect(torch.equal(x, x_before), f"{call} changed x: delete the "
               "pixels in a copy, x.clone()")
        right = _deletion_reference(model, x, target, a, steps)
        if not _same(got, right):
            for slip, why in _deletion_slips(model, x, target, a, steps):
                expect(not _same(got, slip), f"{call} is wrong: {why}")
        close(got, right.numpy(), call, rtol=1e-4, atol=1e-6)
    return (f"right for four maps; on a digit, from {float(right[0]):.2f} "
            f"to {float(right[-1]):.2f}")


# Exercise 5 ------------------------------------------------------------------

METHODS = ("saliency", "integrated gradients", "occlusion", "random")
DELETION_STEPS = 16


def method_maps(model, X, target):
    """method → its attribution maps (N, D) of the digits X, the random one
    drawn with torch.rand from a generator of seed 0."""
    return {"saliency": saliency(model, X, target),
            "integrated gradients": integrated_gradients(model, X, target),
            "occlusion": occlusion(model, X, target),
            "random": torch.rand(X.shape,
                                 generator=torch.Generator().manual_seed(0))}


def deletion_areas():
    """method → the mean over the NUM_DIGITS digits of the mean of their
    deletion curves (DELETION_STEPS steps), for the exercises' network."""
    model, (X, y) = digits_model(), first_test_digits()
    return {method: float(np.mean([
        _deletion_reference(model, X[n], int(y[n]), maps[n],
                            DELETION_STEPS).mean() for n in range(len(X))]))
        for method, maps in method_maps(model, X, y).items()}


DELETION_OPTIONS = {
    "A": "integrated gradients average 50 gradients, so their noise "
         "averages out",
    "B": "saliency ranks blank pixels high: deleting a pixel that is "
         "already 0 changes nothing",
    "C": "the deletion test favours methods built on the probability",
    "D": "the network does not use the pixels that saliency marks",
}
DELETION_FEEDBACK = {
    "A": "averaging gradients (SmoothGrad) smooths a map but still ranks "
         "the blank pixels; what differs is the factor x in the integrated "
         "gradients",
    "C": "integrated gradients use the scores (logits) only, and their "
         "curve falls fastest of all",
    "D": "the score is sensitive to those pixels, so the network uses "
         "them; but deleting a pixel moves it by x − 0, and that is 0 for "
         "a blank pixel",
}


@check
def check_deletion_areas(areas, answer):
    """Exercise 5: the area under the deletion curves of four methods."""
    expect(isinstance(areas, dict), "areas should be a dict method → "
           f"number, got {type(areas).__name__}")
    expect(set(areas) == set(METHODS), f"areas should have the keys "
           f"{list(METHODS)}, got {list(areas)}")
    right = deletion_areas()
    for method in METHODS:
        got = number_array(areas[method], f"areas[{method!r}]")
        if got.shape == () and abs(float(got) - right[method] *
                                   (DELETION_STEPS + 1)) < 0.05:
            raise CheckFailed(f"areas[{method!r}] is the sum of the curve: "
                              "take its mean, so that the area is between "
                              "0 and 1")
        close(got, right[method], f"areas[{method!r}]", rtol=0, atol=0.01)
    choice(answer, "B", DELETION_OPTIONS, DELETION_FEEDBACK)
    best = min(right, key=right.get)
    return (f"B: {best} {right[best]:.2f}, saliency "
            f"{right['saliency']:.2f}, random {right['random']:.2f}")


# Exercise 6 ------------------------------------------------------------------

def _rank_cases():
    """Vectors with no ties, with ties, all equal, one value, and a
    digit-like map: mostly zeros, a few repeated values."""
    gen = np.random.default_rng(26)
    sparse = np.where(gen.random(64) < 0.5, 0.0,
                      np.round(gen.random(64), 1))
    return (np.array([3.0, 1.0, 2.0]), np.array([2.0, 1.0, 2.0, 3.0, 1.0]),
            np.array([5.0, 5.0, 5.0, 5.0]), np.array([7.0]),
            np.array([-0.5, 2.0, -0.5, 10.0, 2.0, -0.5, 3.5]), sparse)


def _rank_slips(values):
    """(ranks, why) for the usual slips in ranking with ties."""
    from scipy.stats import rankdata
    n = len(values)
    return ((rankdata(values, "min"), "tied values get the average of the "
             "ranks they occupy, not the lowest"),
            (rankdata(values, "max"), "tied values get the average of the "
             "ranks they occupy, not the highest"),
            (rankdata(values, "dense"), "tied values share the average of "
             "the ranks they occupy, and the next value's rank counts them "
             "all: [1, 2, 2, 3] gets [1, 2.5, 2.5, 4]"),
            (rankdata(values) - 1, "the smallest value has rank 1, not 0"),
            (n + 1 - rankdata(values), "rank 1 goes to the smallest value, "
             "not the largest"),
            (np.argsort(values, kind="stable") + 1.0, "argsort gives the "
             "order (which value comes first), not each value's rank: "
             "argsort twice, or count the smaller values"))


@check
def check_average_ranks(average_ranks):
    """Exercise 6: ranks with ties sharing their average rank."""
    from scipy.stats import rankdata
    for values in _rank_cases():
        call = f"average_ranks({_short(values)})"
        got = number_array(_returned(average_ranks(values.copy()), call), call)
        right = rankdata(values)
        if not _same(got, right):
            expect(not _ties_broken(got, right), f"{call} should be "
                   f"{_short(right)}, got {_short(got)}: tied values share "
                   "the average of the ranks they occupy, whatever order "
                   "they come in")
            for slip, why in _rank_slips(values):
                expect(not _same(got, slip), f"{call} should be "
                       f"{_short(right)}, got {_short(got)}: {why}")
        close(got, right, call, rtol=0, atol=1e-9)
    as_tensor = torch.tensor([0.0, 0.3, 0.0, 0.1])
    got = _numbers(average_ranks(as_tensor))
    close(got, rankdata(as_tensor.numpy()), "average_ranks(a tensor)")
    return "the same as scipy's rankdata on six vectors and a tensor"


def _ties_broken(got, right):
    """True when ``got`` ranks 1 … n once each, the ties of ``right`` in
    some order: each group of ties gets the ranks it occupies."""
    if got.shape != right.shape or not np.array_equal(
            np.sort(got), np.arange(1, len(got) + 1)):
        return False
    return all(np.isclose(got[right == r].mean(), r) for r in np.unique(right))


def _short(values):
    """A vector as a short one-line text (at most 7 values)."""
    values = np.asarray(values, dtype=float)
    text = ", ".join(f"{v:g}" for v in values[:7])
    return f"[{text}{', …' if len(values) > 7 else ''}]"


# Exercise 7 ------------------------------------------------------------------

SANITY_MAPS = ("integrated gradients", "|integrated gradients|",
               "|integrated gradients|, random network", "image")


def sanity_areas():
    """name → the mean deletion-curve value (the area) of the trained
    network over the NUM_DIGITS digits, deleting in the order of each map;
    the random network is randomized_copy(model, seed=0)."""
    model, (X, y) = digits_model(), first_test_digits()
    ig = integrated_gradients(model, X, y)
    twin_ig = integrated_gradients(randomized_copy(model, seed=0), X, y)
    maps = dict(zip(SANITY_MAPS, (ig, ig.abs(), twin_ig.abs(), X)))
    return {name: float(np.mean([
        _deletion_reference(model, X[n], int(y[n]), m[n],
                            DELETION_STEPS).mean() for n in range(len(X))]))
        for name, m in maps.items()}


SANITY_OPTIONS = {
    "A": "the deletion test cannot tell the two networks' maps apart either",
    "B": "the ink orders most of a |map|, not all of it: the random "
         "network's does about as well as the image, the trained one's "
         "better, and with its signs better still",
    "C": "the random network's maps are as faithful as the trained one's",
    "D": "taking the absolute value of a map makes it more faithful",
}
SANITY_FEEDBACK = {
    "A": "compare the two |integrated gradients| areas: the trained "
         "network's is clearly lower",
    "C": "they are not: deleting in the order of the random network's map "
         "lowers the probability far more slowly",
    "D": "the signed map has the lowest area of all: the sign says which "
         "pixels speak for the class, and they are the ones to delete first",
}


@check
def check_deletion_sanity(areas, answer):
    """Exercise 7: the deletion test of a random network's maps."""
    expect(isinstance(areas, dict) and set(areas) == set(SANITY_MAPS),
           f"areas should be a dict with the keys {list(SANITY_MAPS)}, got "
           f"{areas!r:.80}")
    right = sanity_areas()
    for name in SANITY_MAPS:
        got = number_array(areas[name], f"areas[{name!r}]")
        close(got, right[name], f"areas[{name!r}]", rtol=0, atol=0.01)
    choice(answer, "B", SANITY_OPTIONS, SANITY_FEEDBACK)
    trained, rand = right["|integrated gradients|"], \
        right["|integrated gradients|, random network"]
    return (f"B: |ig| {trained:.2f} trained, {rand:.2f} random network, "
            f"image {right['image']:.2f}")


# Exercise 8 ------------------------------------------------------------------

TABULAR_OPTIONS = {
    "A": "the network, always: it is the more flexible model",
    "B": "logistic regression, when its accuracy is within the spread of "
         "the network's over seeds and folds",
    "C": "logistic regression, only if it is more accurate on the test set",
    "D": "a deep decision tree, since every decision can be read off",
}
TABULAR_FEEDBACK = {
    "A": "flexibility is not accuracy: on a few hundred rows of tabular "
         "data the network gains nothing it can show, and costs training, "
         "tuning and explanation",
    "C": "a difference smaller than the spread over seeds and folds is "
         "noise; at equal accuracy the simpler, faster, readable model wins",
    "D": "a deep tree can be read, but it is usually less accurate and "
         "changes with every resampling of the data; a shallow tree or a "
         "linear model explains more stably",
}


@check
def check_tabular_answer(answer):
    """Exercise 8: when to ship logistic regression rather than a network."""
    choice(answer, "B", TABULAR_OPTIONS, TABULAR_FEEDBACK)
    return "B: at equal accuracy, the faster model that explains itself"
