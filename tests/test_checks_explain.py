"""Every Chapter 12 check accepts the right answer (written more than one way), says "not done
yet" for the placeholder, rejects plausible wrong answers, each with the one-line message that
names its mistake, and owns up when its own code fails (never blaming the learner)."""

import numpy as np
import pytest
import torch

from checking import assert_check_failed, assert_wrong, line
from nnbook.checks import NOT_DONE
from nnbook.checks import explain as checks
from nnbook.explain import input_gradient, integrated_gradients, saliency


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """The notebook's setting, so that the trained network is the notebook's."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 2: complete smoothgrad()")


def scores_of(model, X, target):
    with torch.no_grad():
        return model(X).gather(1, target[:, None])[:, 0]


# Exercise 1 -----------------------------------------------------------------

LINEAR_OK = "✔ both maps right for three models; ig sums to f(x) − f(x′)"


def linear(W, b, X, target, baseline):
    return W[target].abs(), (X - baseline) * W[target]


def _as_linear(W, b):
    layer = torch.nn.Linear(W.shape[1], W.shape[0]).double()
    with torch.no_grad():
        layer.weight.copy_(W)
        layer.bias.copy_(b)
    return layer


def test_linear_maps_right():
    assert line(checks.check_linear_maps, linear) == LINEAR_OK
    as_numpy = lambda *args: tuple(m.numpy() for m in linear(*args))  # noqa: E731
    assert line(checks.check_linear_maps, as_numpy) == LINEAR_OK
    as_lists = lambda *args: [m.tolist() for m in linear(*args)]  # noqa: E731
    assert line(checks.check_linear_maps, as_lists) == LINEAR_OK
    by_autograd = lambda W, b, X, t, x0: (  # noqa: E731
        saliency(_as_linear(W, b), X, t),
        integrated_gradients(_as_linear(W, b), X, t, x0.expand_as(X), steps=1))
    assert line(checks.check_linear_maps, by_autograd) == LINEAR_OK


def test_linear_maps_not_done():
    assert line(checks.check_linear_maps, ...) == NOT_DONE
    assert line(checks.check_linear_maps, stub).startswith(NOT_DONE)


SHAPES = "linear_maps(W (3, 5), b, X (4, 5), target, baseline) "
SAL, IG = "✘ the saliency of " + SHAPES, "✘ the integrated gradients of " + SHAPES


@pytest.mark.parametrize("wrong, message", [
    (lambda W, b, X, t, x0: (W[t], (X - x0) * W[t]), SAL + "is wrong: the saliency is the "
     "size of the gradient: |W[target]|, without the sign"),
    (lambda W, b, X, t, x0: ((W[t] * X).abs(), (X - x0) * W[t]), SAL + "is wrong: the "
     "gradient of a linear score does not depend on x: the saliency is |W[target]|, not |W x|"),
    (lambda W, b, X, t, x0: (W[t[:1]].abs().expand_as(X), (X - x0) * W[t]), SAL + "is wrong: "
     "each row of X has its own target: W[target]"),
    (lambda W, b, X, t, x0: (W[:, t].T.abs(), (X - x0) * W[t]), SAL + "should have shape "
     "(4, 5), got (4, 3)"),
    (lambda W, b, X, t, x0: (W[t].abs(), X * W[t]), IG + "is wrong: the path starts at the "
     "baseline: multiply the (constant) gradient by x − x′, (X - baseline) * W[target]"),
    (lambda W, b, X, t, x0: (W[t].abs(), (x0 - X) * W[t]), IG + "is wrong: the path runs from "
     "the baseline to x: x − x′, not x′ − x"),
    (lambda W, b, X, t, x0: (W[t].abs(), W[t]), IG + "is wrong: integrated gradients multiply "
     "the (constant) gradient by x − x′: (X - baseline) * W[target]"),
    (lambda W, b, X, t, x0: (W[t].abs(), (X - x0) * W[t] + b[t, None]), IG + "is wrong: the "
     "bias drops out: f(x) − f(x′) = W[c] · (x − x′)"),
    (lambda W, b, X, t, x0: (W[t].abs(), (X - x0) * W[t].abs()), IG + "is wrong: integrated "
     "gradients keep the sign of the gradient: (X - baseline) * W[target]"),
    (lambda W, b, X, t, x0: (W[t].abs(), (X - x0) * W[t] / 2), IG + "should be a (4, 5) "
     "array"),
    (lambda W, b, X, t, x0: W[t].abs(), "✘ linear_maps should return two maps, (saliency, ig), "
     "got Tensor"),
    (lambda W, b, X, t, x0: None, "✘ " + SHAPES + "returned None"),
])
def test_linear_maps_wrong(wrong, message):
    assert_wrong(line(checks.check_linear_maps, wrong), message)


def test_linear_maps_transpose_on_a_square_model():
    def transposed(W, b, X, t, x0):
        if W.shape[0] != W.shape[1]:
            return linear(W, b, X, t, x0)
        return W[t].abs(), (X - x0) * W[:, t].T
    assert_wrong(line(checks.check_linear_maps, transposed), "✘ the integrated gradients of "
                 "linear_maps(W (4, 4), b, X (3, 4), target, baseline) is wrong: the gradient "
                 "of score c is row c of W (K, D), W[c], not column c")


def test_linear_maps_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_linear_slips", abs)
    assert_check_failed(line(checks.check_linear_maps, linear))


# Exercise 2 -----------------------------------------------------------------

def noisy(X, noise, generator):
    return X + noise * torch.randn(X.shape, generator=generator, dtype=X.dtype)


def smooth(model, X, target, noise, samples, generator):
    return sum(saliency(model, noisy(X, noise, generator), target)
               for _ in range(samples)) / samples


def smooth_batched(model, X, target, noise, samples, generator):
    eps = torch.randn((samples, *X.shape), generator=generator, dtype=X.dtype)
    maps = saliency(model, (X + noise * eps).flatten(0, 1), target.repeat(samples))
    return maps.view(samples, *X.shape).mean(dim=0).numpy()


def test_smoothgrad_right():
    for answer in (smooth, smooth_batched):
        got = line(checks.check_smoothgrad, answer)
        assert got.startswith("✔ right without noise, seeded, and within "), got
        assert got.endswith(" % of another average"), got


def test_smoothgrad_not_done():
    assert line(checks.check_smoothgrad, ...) == NOT_DONE
    assert line(checks.check_smoothgrad, stub).startswith(NOT_DONE)


def abs_of_mean(model, X, target, noise, samples, generator):
    return (sum(input_gradient(model, noisy(X, noise, generator), target)
                for _ in range(samples)) / samples).abs()


def one_draw(model, X, target, noise, samples, generator):
    eps = torch.randn(X.shape, generator=generator, dtype=X.dtype)
    return sum(saliency(model, X + noise * eps, target) for _ in range(samples)) / samples


def in_place(model, X, target, noise, samples, generator):
    X += noise * torch.randn(X.shape, generator=generator, dtype=X.dtype)
    return smooth(model, X, target, 0.0, samples, generator)


SMOOTH = "✘ smoothgrad(model, X (5, 6), target, noise="


@pytest.mark.parametrize("wrong, message", [
    (abs_of_mean, SMOOTH + "0.5, samples=400) is wrong: take the absolute value of each "
     "sample's gradient, then the mean (the mean of saliency maps), not the size of the mean "
     "gradient"),
    (lambda m, X, t, n, s, g: smooth(m, X, t, n ** 2, s, g), SMOOTH + "0.5, samples=400) is "
     "wrong: noise is the standard deviation: X + noise * torch.randn(...), not noise ** 2"),
    (one_draw, SMOOTH + "0.5, samples=400) is the saliency of one noisy copy: draw new noise "
     "for each sample"),
    (lambda m, X, t, n, s, g: sum(input_gradient(m, noisy(X, n, g), t) for _ in range(s)) / s,
     SMOOTH + "0, samples=3) is the mean gradient, with its sign: the saliency of each copy is "
     "|gradient|"),
    (lambda m, X, t, n, s, g: smooth(m, X, t, n, s, g) * s, SMOOTH + "0, samples=3) should be "
     "a (5, 6) array"),
    (lambda m, X, t, n, s, g: smooth(m, X, t, n, s, None), SMOOTH + "0.5, samples=4) gives "
     "another map with a generator of the same seed: draw the noise with torch.randn(X.shape, "
     "generator=generator)"),
    (in_place, SMOOTH + "0.5, samples=4) changed X: add the noise to a copy"),
    (lambda m, X, t, n, s, g: smooth(m, X, t, 0.0, s, g), SMOOTH + "0.5, samples=4) gives the "
     "same map for two generator seeds: is the noise added to X?"),
    (lambda m, X, t, n, s, g: smooth(m, X, t, n, s, g)[0], SMOOTH + "0, samples=3) should have "
     "shape (5, 6), got (6,)"),
    (lambda m, X, t, n, s, g: smooth(m, X, t, 2 * n, s, g), SMOOTH + "0.5, samples=400) is "),
])
def test_smoothgrad_wrong(wrong, message):
    assert_wrong(line(checks.check_smoothgrad, wrong), message)


def test_smoothgrad_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_smoothgrad_reference", abs)
    assert_check_failed(line(checks.check_smoothgrad, smooth))


# Exercise 3 -----------------------------------------------------------------

def gap(model, X, target, steps):
    ig = integrated_gradients(model, X, target, steps=steps)
    change = scores_of(model, X, target) - scores_of(model, torch.zeros_like(X), target)
    return (ig.sum(dim=1) - change).abs()


def gap_by(rule):
    def completeness_gap(model, X, target, steps):
        ig = checks._riemann_ig(model, X, target, steps, rule)
        change = scores_of(model, X, target) - scores_of(model, torch.zeros_like(X), target)
        return (ig.sum(dim=1) - change).abs().numpy()
    return completeness_gap


GAP_OK = "✔ 64 steps bring every gap below 0.1; a linear model, 1"


def test_completeness_gap_right():
    assert line(checks.check_completeness_gap, gap, 64) == GAP_OK
    assert line(checks.check_completeness_gap, gap, np.int64(64)) == GAP_OK
    assert line(checks.check_completeness_gap, gap_by("trapezoid"),
                checks.steps_for_gap(gap_by("trapezoid"))).startswith("✔ ")
    right = checks.steps_for_gap(gap_by("right"))
    assert line(checks.check_completeness_gap, gap_by("right"), right) == \
        f"✔ {right} steps bring every gap below 0.1; a linear model, 1"


def test_completeness_gap_not_done():
    assert line(checks.check_completeness_gap, gap, ...) == NOT_DONE
    assert line(checks.check_completeness_gap, stub, 64).startswith(NOT_DONE)


GAP3 = "✘ completeness_gap(model, X (4, 5), target, steps=3)"


@pytest.mark.parametrize("wrong, steps, message", [
    (lambda m, X, t, s: integrated_gradients(m, X, t, steps=s).sum(1) - scores_of(m, X, t)
     + scores_of(m, 0 * X, t), 64, "✘ completeness_gap(model, X (3, 6), target, steps=4): "
     "the gap is a size: take the absolute value |sum(IG) − (f(x) − f(0))|"),
    (lambda m, X, t, s: (integrated_gradients(m, X, t, steps=s).sum(1)
                         - scores_of(m, X, t)).abs(), 64,
     GAP3 + ": subtract f(baseline) = f(0) too: the integrated gradients add up to f(x) − f(0)"),
    (lambda m, X, t, s: (integrated_gradients(m, X, t, steps=s).sum(1) - torch.softmax(
        m(X), 1).gather(1, t[:, None])[:, 0]).abs().detach(), 64,
     GAP3 + ": f is the target's score (logit), the output whose gradients are integrated, "
     "not its probability"),
    (lambda m, X, t, s: integrated_gradients(m, X, t, steps=s), 64, GAP3 + " should give one "
     "gap per example, shape (4,): sum the integrated gradients over the pixels of each "
     "example"),
    (lambda m, X, t, s: gap(m, X, t, s).sum(), 64, GAP3 + " should have shape (4,), got ()"),
    (gap, 128, "✘ steps_needed should be 64, got 128: the smallest steps that is enough, not "
     "the next one"),
    (gap, 32, "✘ steps_needed should be 64, got 32: the smallest steps of [1, 2, 4, 8, 16, "
     "32, 64, 128, 256] whose largest gap over the 50 digits is below 0.1"),
    (gap, 64.0, "✘ steps_needed should be a whole number from (1, 2, 4, 8, 16, 32, 64, 128, "
     "256), got 64.0"),
    (lambda m, X, t, s: None, 64, GAP3 + " returned None"),
])
def test_completeness_gap_wrong(wrong, steps, message):
    assert_wrong(line(checks.check_completeness_gap, wrong, steps), message)


def test_completeness_gap_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_gaps", abs)
    assert_check_failed(line(checks.check_completeness_gap, gap, 64))


# Exercise 4 -----------------------------------------------------------------

def deletion(model, x, target, attribution, steps, key=None, cumulative=True, logits=False):
    order = torch.argsort(attribution if key is None else key(attribution), descending=True)
    values = []
    for i in range(steps + 1):
        row = x.clone()
        first = (i - 1) * len(x) // steps if (i and not cumulative) else 0
        row[order[first:i * len(x) // steps]] = 0
        with torch.no_grad():
            scores = model(row[None])[0]
        values.append(scores[target] if logits else torch.softmax(scores, 0)[target])
    return torch.stack(values)


def deletion_batched(model, x, target, attribution, steps):
    order = attribution.argsort(descending=True).tolist()
    copies = np.tile(x.numpy(), (steps + 1, 1))
    for i in range(1, steps + 1):
        copies[i, order[:i * len(x) // steps]] = 0
    with torch.no_grad():
        return torch.softmax(model(torch.as_tensor(copies)), dim=1)[:, target].tolist()


def test_deletion_curve_right():
    for answer in (deletion, deletion_batched):
        got = line(checks.check_deletion_curve, answer)
        assert got.startswith("✔ right for four maps; on a digit, from "), got


def test_deletion_curve_not_done():
    assert line(checks.check_deletion_curve, ...) == NOT_DONE
    assert line(checks.check_deletion_curve, stub).startswith(NOT_DONE)


def deleting_in_place(model, x, target, attribution, steps):
    order, values = torch.argsort(attribution, descending=True), []
    for i in range(steps + 1):
        x[order[:i * len(x) // steps]] = 0
        with torch.no_grad():
            values.append(torch.softmax(model(x[None]), 1)[0, target])
    return torch.stack(values)


DELETION = "✘ deletion_curve(model, x (12,), target=1, attribution, steps=12) "


@pytest.mark.parametrize("wrong, message", [
    (lambda m, x, t, a, s: deletion(m, x, t, a, s, key=torch.neg), DELETION + "is wrong: "
     "delete the most important pixels first: sort the attribution in decreasing order"),
    (lambda m, x, t, a, s: deletion(m, x, t, a, s, key=torch.abs), DELETION + "is wrong: "
     "order by the attribution itself, most positive first, not by its absolute value"),
    (lambda m, x, t, a, s: deletion(m, x, t, a, s, cumulative=False), DELETION + "is wrong: "
     "the pixels deleted at earlier steps stay deleted"),
    (lambda m, x, t, a, s: deletion(m, x, t, a, s, logits=True), DELETION + "is wrong: "
     "record the target's probability, the softmax of the scores, not its score"),
    (lambda m, x, t, a, s: deletion(m, x, t, a, s)[1:], DELETION + "is wrong: the curve "
     "starts with nothing deleted: steps + 1 values"),
    (deleting_in_place, DELETION + "changed x: delete the pixels in a copy, x.clone()"),
    (lambda m, x, t, a, s: deletion(m, x, t, a, s).flip(0), DELETION + "should be a "
     "(13,) array"),
    (lambda m, x, t, a, s: None, DELETION + "returned None"),
])
def test_deletion_curve_wrong(wrong, message):
    assert_wrong(line(checks.check_deletion_curve, wrong), message)


def test_deletion_curve_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_deletion_reference", abs)
    assert_check_failed(line(checks.check_deletion_curve, deletion))


# Exercise 5 -----------------------------------------------------------------

@pytest.fixture(scope="module")
def areas():
    return checks.deletion_areas()


def test_deletion_areas_right(areas):
    got = line(checks.check_deletion_areas, areas, "B")
    assert got.startswith("✔ B: integrated gradients 0.07, saliency 0.2"), got
    as_tensors = {k: torch.tensor(v) for k, v in areas.items()}
    assert line(checks.check_deletion_areas, as_tensors, " b ") == got
    rounded = {k: round(v, 2) for k, v in areas.items()}
    assert line(checks.check_deletion_areas, rounded, "B") == got


def test_deletion_areas_not_done(areas):
    assert line(checks.check_deletion_areas, ..., "B") == NOT_DONE
    assert line(checks.check_deletion_areas, areas, ...) == NOT_DONE
    assert line(checks.check_deletion_areas, {**areas, "random": ...}, "B") == NOT_DONE


@pytest.mark.parametrize("change, answer, message", [
    (lambda a: {k: 17 * v for k, v in a.items()}, "B", "✘ areas['saliency'] is the sum of "
     "the curve: take its mean, so that the area is between 0 and 1"),
    (lambda a: {**a, "random": 0.3}, "B", "✘ areas['random'] should be 0.5"),
    (lambda a: {**a, "saliency": a["integrated gradients"]}, "B", "✘ areas['saliency'] should "
     "be 0.2"),
    (lambda a: {k: v for k, v in a.items() if k != "random"}, "B", "✘ areas should have the "
     "keys ['saliency', 'integrated gradients', 'occlusion', 'random'], got ['saliency', "
     "'integrated gradients', 'occlusion']"),
    (lambda a: list(a.values()), "B", "✘ areas should be a dict method → number, got list"),
    (lambda a: a, "A", "✘ A ('integrated gradients average 50 gradients, so their noise "
     "averages out') is not it: averaging gradients (SmoothGrad) smooths a map but still ranks "
     "the blank pixels"),
    (lambda a: a, "C", "✘ C ('the deletion test favours methods built on the probability') is "
     "not it: integrated gradients use the scores (logits) only"),
    (lambda a: a, "d", "✘ D ('the network does not use the pixels that saliency marks') is not "
     "it: the score is sensitive to those pixels"),
    (lambda a: a, 2, "✘ answer with one of the letters A, B, C, D (a str), got 2"),
])
def test_deletion_areas_wrong(areas, change, answer, message):
    assert_wrong(line(checks.check_deletion_areas, change(areas), answer), message)


def test_deletion_areas_own_failure(monkeypatch, areas):
    monkeypatch.setattr(checks, "method_maps", abs)
    assert_check_failed(line(checks.check_deletion_areas, areas, "B"))


# Exercise 6 -----------------------------------------------------------------

def ranks_by_sorting(values):
    v = np.asarray(values, dtype=float)
    order = np.argsort(v, kind="stable")
    ranks, i = np.empty(len(v)), 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def ranks_by_counting(values):
    v = torch.as_tensor(values, dtype=torch.float64)
    smaller = (v[None, :] < v[:, None]).sum(1)
    return smaller + ((v[None, :] == v[:, None]).sum(1) + 1) / 2


RANKS_OK = "✔ the same as scipy's rankdata on six vectors and a tensor"


def test_average_ranks_right():
    assert line(checks.check_average_ranks, ranks_by_sorting) == RANKS_OK
    assert line(checks.check_average_ranks, ranks_by_counting) == RANKS_OK
    as_list = lambda v: ranks_by_sorting(v).tolist()  # noqa: E731
    assert line(checks.check_average_ranks, as_list) == RANKS_OK


def test_average_ranks_not_done():
    assert line(checks.check_average_ranks, ...) == NOT_DONE
    assert line(checks.check_average_ranks, stub).startswith(NOT_DONE)


def rankdata(method, shift=0.0):
    from scipy.stats import rankdata as scipy_rankdata
    return lambda v: scipy_rankdata(np.asarray(v), method) + shift


TIES = "✘ average_ranks([2, 1, 2, 3, 1]) should be [3.5, 1.5, 3.5, 5, 1.5], got "
THREE = "✘ average_ranks([3, 1, 2]) should be [3, 1, 2], got "


@pytest.mark.parametrize("wrong, message", [
    (rankdata("ordinal"), TIES + "[3, 1, 4, 5, 2]: tied values share the average of the ranks "
     "they occupy, whatever order they come in"),
    (lambda v: np.argsort(np.argsort(v)) + 1, "✘ average_ranks([2, 1, 2, 3, 1]) should be "
     "[3.5, 1.5, 3.5, 5, 1.5], got [4, 1, 3, 5, 2]: tied values share the average of the ranks "
     "they occupy, whatever order they come in"),
    (rankdata("min"), TIES + "[3, 1, 3, 5, 1]: tied values get the average of the ranks they "
     "occupy, not the lowest"),
    (rankdata("max"), TIES + "[4, 2, 4, 5, 2]: tied values get the average of the ranks they "
     "occupy, not the highest"),
    (rankdata("dense"), TIES + "[2, 1, 2, 3, 1]: tied values share the average of the ranks "
     "they occupy, and the next value's rank counts them all"),
    (rankdata("average", -1.0), THREE + "[2, 0, 1]: the smallest value has rank 1, not 0"),
    (lambda v: np.argsort(v) + 1, THREE + "[2, 3, 1]: argsort gives the order (which value "
     "comes first), not each value's rank"),
    (lambda v: len(v) + 1 - rankdata("average")(v), THREE + "[1, 3, 2]: rank 1 goes to the "
     "smallest value, not the largest"),
    (lambda v: ranks_by_sorting(v)[:-1], "✘ average_ranks([3, 1, 2]) should have shape (3,), "
     "got (2,)"),
    (lambda v: None, "✘ average_ranks([3, 1, 2]) returned None"),
])
def test_average_ranks_wrong(wrong, message):
    assert_wrong(line(checks.check_average_ranks, wrong), message)


def test_average_ranks_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_rank_cases", lambda: (5,))
    assert_check_failed(line(checks.check_average_ranks, ranks_by_sorting))


# Exercise 7 -----------------------------------------------------------------

@pytest.fixture(scope="module")
def random_areas():
    return checks.sanity_areas()


def test_deletion_sanity_right(random_areas):
    got = line(checks.check_deletion_sanity, random_areas, "B")
    assert got.startswith("✔ B: |ig| 0.1") and " random network, image 0.2" in got, got
    rounded = {k: np.round(v, 2) for k, v in random_areas.items()}
    assert line(checks.check_deletion_sanity, rounded, "b") == got


def test_deletion_sanity_not_done(random_areas):
    assert line(checks.check_deletion_sanity, ..., "B") == NOT_DONE
    assert line(checks.check_deletion_sanity, random_areas, ...) == NOT_DONE


@pytest.mark.parametrize("change, answer, message", [
    (lambda a: {**a, "image": 0.5}, "B", "✘ areas['image'] should be 0.2"),
    (lambda a: {**a, "|integrated gradients|": a["integrated gradients"]}, "B",
     "✘ areas['|integrated gradients|'] should be 0.1"),
    (lambda a: {k: v for k, v in a.items() if k != "image"}, "B", "✘ areas should be a dict "
     "with the keys ['integrated gradients', '|integrated gradients|', '|integrated "
     "gradients|, random network', 'image']"),
    (lambda a: a, "A", "✘ A ('the deletion test cannot tell the two networks' maps apart "
     "either') is not it: compare the two |integrated gradients| areas"),
    (lambda a: a, "C", "✘ C ('the random network's maps are as faithful as the trained one's') "
     "is not it: they are not"),
    (lambda a: a, "D", "✘ D ('taking the absolute value of a map makes it more faithful') is "
     "not it: the signed map has the lowest area of all"),
])
def test_deletion_sanity_wrong(random_areas, change, answer, message):
    assert_wrong(line(checks.check_deletion_sanity, change(random_areas), answer), message)


def test_deletion_sanity_own_failure(monkeypatch, random_areas):
    monkeypatch.setattr(checks, "sanity_areas", abs)
    assert_check_failed(line(checks.check_deletion_sanity, random_areas, "B"))


# Exercise 8 -----------------------------------------------------------------

def test_tabular_answer_right():
    ok = "✔ B: at equal accuracy, the faster model that explains itself"
    assert line(checks.check_tabular_answer, "B") == ok
    assert line(checks.check_tabular_answer, " b") == ok
    assert line(checks.check_tabular_answer, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ("A", "✘ A ('the network, always: it is the more flexible model') is not it: flexibility "
     "is not accuracy"),
    ("C", "✘ C ('logistic regression, only if it is more accurate on the test set') is not it: "
     "a difference smaller than the spread over seeds and folds is noise"),
    ("D", "✘ D ('a deep decision tree, since every decision can be read off') is not it: a "
     "deep tree can be read, but"),
    ("logistic", "✘ answer with one of the letters A, B, C, D (a str), got 'logistic'"),
])
def test_tabular_answer_wrong(answer, message):
    assert_wrong(line(checks.check_tabular_answer, answer), message)


def test_tabular_answer_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "TABULAR_OPTIONS", 5)
    assert_check_failed(line(checks.check_tabular_answer, "B"))


# What the solutions say ------------------------------------------------------

def test_the_experiments_say_what_the_solutions_say(areas, random_areas):
    """Integrated gradients fall fastest and saliency far slower, above random only; the
    random network's |map| does no better than the image, the trained one's clearly better,
    and its signed map best."""
    assert areas["integrated gradients"] < areas["occlusion"] < areas["saliency"] \
        < areas["random"], areas
    assert areas["saliency"] > 2 * areas["integrated gradients"], areas
    r = random_areas
    assert r["integrated gradients"] < r["|integrated gradients|"] < r["image"] - 0.05, r
    assert r["|integrated gradients|, random network"] > r["image"] - 0.03, r
    assert r["|integrated gradients|, random network"] < areas["random"] - 0.2, r


def test_the_trained_network_is_fixed_and_fresh():
    first, second = checks.digits_model(), checks.digits_model()
    assert first is not second and not first.training
    with torch.no_grad():
        first[0].weight.zero_()
    X, y = checks.first_test_digits()
    assert X.shape == (50, 64) and y.shape == (50,)
    with torch.no_grad():
        accuracy = (second(X).argmax(1) == y).float().mean()
    assert accuracy > 0.9 and not torch.equal(first[0].weight, second[0].weight)


def test_first_test_digits_refuses_a_bad_count():
    with pytest.raises(ValueError, match="n"):
        checks.first_test_digits(0)


def test_the_checks_leave_the_notebooks_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    line(checks.check_smoothgrad, smooth)
    line(checks.check_completeness_gap, gap, 64)
    checks.digits_model()
    assert torch.equal(torch.rand(3), expected)


def test_the_stored_figures_say_what_the_solutions_say():
    """The solution's untested outputs (tagged nbval-ignore-output) support its notes."""
    from notebooks import ROOT, read, stdout_lines
    cells = [c for c in read(ROOT / "solutions" / "12_blackbox.ipynb").cells
             if c.cell_type == "code"]

    def printed(start):
        cell = next(c for c in cells if c.source.startswith(start))
        assert "nbval-ignore-output" in cell.metadata.get("tags", []), cell.source
        return stdout_lines(cell)

    accuracy = float(printed("model = digits_model()")[-1].split(":")[1].split("%")[0])
    assert accuracy > 90, accuracy
    gaps = {int(l.split(":")[0].split()[1]): float(l.split()[-1])
            for l in printed("# BEGIN SOLUTION\nfor steps in")}
    assert gaps[32] >= 0.1 > gaps[64] and gaps[1] > gaps[256], gaps
    areas = {l.split(":")[0].strip(): float(l.split(":")[1]) for l in printed(
        "# BEGIN SOLUTION\nmaps = ")}
    assert areas["integrated gradients"] < areas["occlusion"] < areas["saliency"] \
        < areas["random"], areas
    assert areas["saliency"] > 2 * areas["integrated gradients"], areas
    r = {l.rsplit(":", 1)[0].strip(): float(l.rsplit(":", 1)[1]) for l in printed(
        "# BEGIN SOLUTION\nig = ")}
    assert r["integrated gradients"] < r["|integrated gradients|"] < r["image"] \
        <= r["|integrated gradients|, random network"] + 0.03, r
