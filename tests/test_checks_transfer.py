"""Every Chapter 11 check accepts the right answer (written more than one way), says "not done
yet" for the placeholder, rejects plausible wrong answers, each with the one-line message that
names its mistake, and owns up when its own code fails (never blaming the learner)."""

import copy

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from torch import nn

from checking import NONE_RETURNED, assert_check_failed, assert_wrong, line
from nnbook.checks import NOT_DONE
from nnbook.checks import transfer as checks
from nnbook.transfer import freeze, labels_per_class


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 2: complete replace_head()")


# Exercise 1 -----------------------------------------------------------------

COUNTS = (165, 1733, 4853)
COUNTS_OK = "✔ the probe trains 165 of 4853 parameters (3.4 %)"


def test_counts_agree_with_pytorch():
    model = nn.Sequential(nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 32), nn.ReLU(),
                          nn.Linear(32, 5))
    full = sum(p.numel() for p in model.parameters())
    freeze(model[:-1])
    probe = sum(p.numel() for p in model.parameters() if p.requires_grad)
    top = probe + sum(p.numel() for p in model[2].parameters())
    assert (probe, top, full) == COUNTS


def test_counts_right():
    assert line(checks.check_counts, *COUNTS) == COUNTS_OK
    assert line(checks.check_counts, *(float(c) for c in COUNTS)) == COUNTS_OK
    assert line(checks.check_counts, *(np.int64(c) for c in COUNTS)) == COUNTS_OK


def test_counts_not_done():
    assert line(checks.check_counts, ..., ..., ...) == NOT_DONE
    assert line(checks.check_counts, 165, ..., 4853) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ((160, 1733, 4853), "✘ probe_count should be 165, got 160: the new head has a bias too: "
     "one per class"),
    ((4688, 1733, 4853), "✘ probe_count should be 165, got 4688: that is what the frozen body "
     "holds; count what still trains"),
    ((4853, 1733, 4853), "✘ probe_count should be 165, got 4853: with the body frozen only the "
     "head trains"),
    ((165, 1568, 4853), "✘ top_count should be 1733, got 1568: the head trains too"),
    ((165, 3285, 4853), "✘ top_count should be 1733, got 3285: the top layer is the one just "
     "below the head, nn.Linear(48, 32)"),
    ((165, 1696, 4853), "✘ top_count should be 1733, got 1696: count the biases too"),
    ((165, 1733, 4768), "✘ full_count should be 4853, got 4768: every nn.Linear has a bias"),
    ((165, 1733, 4688), "✘ full_count should be 4853, got 4688: in full fine-tuning the head "
     "trains too"),
    ((165, 1733, 4900), "✘ full_count should be 4853, got 4900: count each trainable "
     "nn.Linear's weights"),
    ((165.5, 1733, 4853), "✘ probe_count should be a whole number, got 165.5"),
    (("165", 1733, 4853), "✘ probe_count should be a whole number, got '165'"),
])
def test_counts_wrong(answer, message):
    assert_wrong(line(checks.check_counts, *answer), message)


def test_counts_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "COUNT_MODEL", ((64,), (48,), (32,)))
    assert_check_failed(line(checks.check_counts, *COUNTS))


# Exercise 2 -----------------------------------------------------------------

def replace_head(model, num_classes, seed):
    new = copy.deepcopy(model)
    torch.manual_seed(seed)
    new[-1] = nn.Linear(model[-1].in_features, num_classes)
    return new


def replace_head_rebuilt(model, num_classes, seed):
    """Another right way: a new Sequential of copied layers."""
    layers = [copy.deepcopy(m) for m in model[:-1]]
    torch.manual_seed(seed)
    return nn.Sequential(*layers, nn.Linear(model[-1].weight.shape[1], num_classes))


def in_place(model, num_classes, seed):
    torch.manual_seed(seed)
    model[-1] = nn.Linear(model[-1].in_features, num_classes)
    return model


def in_place_then_copied(model, num_classes, seed):
    return copy.deepcopy(in_place(model, num_classes, seed))


def shared_body(model, num_classes, seed):
    torch.manual_seed(seed)
    return nn.Sequential(*list(model)[:-1], nn.Linear(model[-1].in_features, num_classes))


def wrong_inputs(model, num_classes, seed):
    new = copy.deepcopy(model)
    torch.manual_seed(seed)
    new[-1] = nn.Linear(model[-1].out_features, num_classes)
    return new


def keeps_head(model, num_classes, seed):
    new = copy.deepcopy(model)
    if new[-1].out_features != num_classes:
        return replace_head(model, num_classes, seed)
    return new


def unseeded(model, num_classes, seed):
    new = copy.deepcopy(model)
    new[-1] = nn.Linear(model[-1].in_features, num_classes)
    return new


def fixed_seed(model, num_classes, seed):
    return replace_head(model, num_classes, 0)


def fresh_body(model, num_classes, seed):
    new = replace_head(model, num_classes, seed)
    for layer in new:
        if hasattr(layer, "reset_parameters"):
            layer.reset_parameters()
    return new


def drops_relu(model, num_classes, seed):
    torch.manual_seed(seed)
    return nn.Sequential(*copy.deepcopy(model)[:-2],
                         nn.Linear(model[-1].in_features, num_classes))


def unfreezes(model, num_classes, seed):
    new = replace_head(model, num_classes, seed)
    for p in new.parameters():
        p.requires_grad_(True)
    return new


HEAD_OK = "✔ a fresh head on a separate copy, for 4 models; the originals untouched"
CALL0 = "replace_head(model, 5, seed=0)"


def test_replace_head_right():
    assert line(checks.check_replace_head, replace_head) == HEAD_OK
    assert line(checks.check_replace_head, replace_head_rebuilt) == HEAD_OK


def test_replace_head_not_done():
    assert line(checks.check_replace_head, stub).startswith(NOT_DONE)
    assert line(checks.check_replace_head, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    (in_place, f"✘ {CALL0} returned the model it was given: return a copy"),
    (in_place_then_copied, f"✘ {CALL0} changed the original model: it must stay as it was"),
    (shared_body, f"✘ {CALL0} shares model[0].weight with the original: fine-tuning the copy "
     "would change the pretrained network; copy it with copy.deepcopy(model)"),
    (wrong_inputs, f"✘ the new head of {CALL0} takes 5 inputs, but the layer it replaces took "
     "32: use model[-1].in_features"),
    (keeps_head, f"✘ the last layer of {CALL0} keeps its pretrained weights: replace it with a "
     "fresh nn.Linear"),
    (unseeded, "✘ two calls of replace_head(model, 3, seed=5) gave different heads: draw the "
     "new layer right after torch.manual_seed(seed)"),
    (fixed_seed, "✘ seed=5 and seed=6 gave the same head: draw it from the seed you are given"),
    (fresh_body, f"✘ {CALL0}: model[0].weight is not the pretrained one; only the last layer "
     "is new"),
    (drops_relu, f"✘ {CALL0} should have the original's 3 modules, the last one replaced, "
     "got 2"),
    (unfreezes, "✘ replace_head(model, 2, seed=4): model[0].weight.requires_grad is True, the "
     "original's False: leave the body as it was"),
    (lambda model, k, seed: None, f"✘ {CALL0} " + NONE_RETURNED),
    (lambda model, k, seed: model.head, "✘ your code raised AttributeError"),
])
def test_replace_head_wrong(answer, message):
    assert_wrong(line(checks.check_replace_head, answer), message)


def test_replace_head_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "HEAD_CASES", ((9, 5, 0),))
    assert_check_failed(line(checks.check_replace_head, replace_head))


# Exercise 3 -----------------------------------------------------------------

def layers_of(model):
    return [m for m in model if len(list(m.parameters())) > 0]


def unfreeze_last(model, n):
    layers = layers_of(model)
    freeze(model)
    for layer in layers[len(layers) - min(n, len(layers)):]:
        for p in layer.parameters():
            p.requires_grad_(True)
    return model


def unfreeze_last_by_flags(model, n):
    """Another right way: a flag per parameter, counted from the top."""
    seen = 0
    for layer in reversed(model):
        params = list(layer.parameters())
        for p in params:
            p.requires_grad_(seen < n)
        seen += bool(params)
    return model


def minus_zero(model, n):
    freeze(model)
    for layer in layers_of(model)[-n:]:
        layer.requires_grad_(True)
    return model


def by_module(model, n):
    freeze(model)
    model[len(model) - n:].requires_grad_(True)
    return model


def no_freeze(model, n):
    for layer in layers_of(model)[len(layers_of(model)) - n:] if n else []:
        layer.requires_grad_(True)
    return model


def one_too_many(model, n):
    freeze(model)
    layers = layers_of(model)
    for layer in layers[max(len(layers) - n - 1, 0):]:
        layer.requires_grad_(True)
    return model


def wraps(model, n):
    freeze(model)
    layers = layers_of(model)
    for layer in layers[len(layers) - n:]:
        layer.requires_grad_(True)
    return model


UNFREEZE_OK = "✔ right for n = 0 to 6; n = 1 trains 85 parameters, n = 3 trains 645"


def test_unfreeze_last_right():
    assert line(checks.check_unfreeze_last, unfreeze_last) == UNFREEZE_OK
    assert line(checks.check_unfreeze_last, unfreeze_last_by_flags) == UNFREEZE_OK


def test_unfreeze_last_not_done():
    assert line(checks.check_unfreeze_last, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("answer, message", [
    (minus_zero, "✘ after unfreeze_last(model, 0) the trainable parameters should be nothing, "
     "got {model[0].bias, model[0].weight, model[2].bias, model[2].weight, model[3].bias, "
     "model[3].weight, model[6].bias, model[6].weight}: n = 0 should leave every parameter "
     "frozen: careful, layers[-0:] is the whole list"),
    (by_module, "✘ after unfreeze_last(model, 2) the trainable parameters should be "
     "{model[3].bias, model[3].weight, model[6].bias, model[6].weight}, got {model[6].bias, "
     "model[6].weight}: count only the layers that hold parameters: ReLU and Dropout have none"),
    (no_freeze, "✘ after unfreeze_last(model, 1) the trainable parameters should be "
     "{model[6].bias, model[6].weight}, got {model[0].bias, model[0].weight, model[2].bias, "
     "model[2].weight, model[3].bias, model[3].weight, model[6].bias, model[6].weight}: the "
     "other layers must be frozen: freeze the whole model first"),
    (one_too_many, "model[6].weight}: that is one layer too many"),
    (wraps, "✘ after unfreeze_last(model, 6) the trainable parameters should be {model[0].bias"
     ", model[0].weight, model[2].bias, model[2].weight, model[3].bias, model[3].weight, "
     "model[6].bias, model[6].weight}, got {model[3].bias, model[3].weight, model[6].bias, "
     "model[6].weight}: n = 6 is more than the 4 layers: unfreeze them all"),
    (lambda model, n: None, "✘ unfreeze_last(model, 1) returned None: return the model, as "
     "freeze does"),
    (lambda model, n: unfreeze_last(copy.deepcopy(model), n), "✘ unfreeze_last(model, 1) "
     "returned another model: change the model you are given"),
])
def test_unfreeze_last_wrong(answer, message):
    assert_wrong(line(checks.check_unfreeze_last, answer), message)


def test_unfreeze_last_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "UNFREEZE_CASES", ((1,),))
    assert_check_failed(line(checks.check_unfreeze_last, unfreeze_last))


# Exercise 4 -----------------------------------------------------------------

def param_groups(model, body_lr, head_lr):
    return [{"params": list(model[:-1].parameters()), "lr": body_lr},
            {"params": list(model[-1].parameters()), "lr": head_lr}]


def param_groups_lazy(model, body_lr, head_lr):
    """Another right way: generators, the head first, and extra options."""
    return ({"params": model[-1].parameters(), "lr": head_lr, "weight_decay": 0.0},
            {"params": model[:-1].parameters(), "lr": body_lr})


def all_in_body(model, body_lr, head_lr):
    return [{"params": list(model.parameters()), "lr": body_lr},
            {"params": list(model[-1].parameters()), "lr": head_lr}]


def swapped(model, body_lr, head_lr):
    return param_groups(model, head_lr, body_lr)


def weight_only(model, body_lr, head_lr):
    return [{"params": list(model[:-1].parameters()), "lr": body_lr},
            {"params": [model[-1].weight], "lr": head_lr}]


def no_lr(model, body_lr, head_lr):
    return [{"params": list(model[:-1].parameters()), "lr": body_lr},
            {"params": list(model[-1].parameters())}]


def first_layer_only(model, body_lr, head_lr):
    return [{"params": list(model[0].parameters()), "lr": body_lr},
            {"params": list(model[-1].parameters()), "lr": head_lr}]


def an_optimiser(model, body_lr, head_lr):
    return torch.optim.SGD(param_groups(model, body_lr, head_lr))


def as_dict(model, body_lr, head_lr):
    return {"body": list(model[:-1].parameters()), "head": list(model[-1].parameters())}


GROUPS_OK = "✔ each parameter in one group, the head's at head_lr, for three models"
GROUPS0 = "param_groups(model, body_lr=0.001, head_lr=0.01)"


def test_param_groups_right():
    assert line(checks.check_param_groups, param_groups) == GROUPS_OK
    assert line(checks.check_param_groups, param_groups_lazy) == GROUPS_OK


def test_param_groups_not_done():
    assert line(checks.check_param_groups, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("answer, message", [
    (all_in_body, f"✘ model[2].weight is in two groups of {GROUPS0}: each parameter must be in "
     "exactly one; the body is model[:-1], the head model[-1]"),
    (swapped, f"✘ {GROUPS0}: the learning rates are swapped; body_lr is for model[:-1], "
     "head_lr for model[-1]"),
    (weight_only, f"✘ model[2].bias is in no group of {GROUPS0}: every parameter must be in "
     "one, biases too"),
    (no_lr, f"✘ group 1 of {GROUPS0} has no 'lr': the optimiser would give it its default"),
    (first_layer_only, "✘ model[2].weight is in no group of param_groups(model, body_lr=0.0, "
     "head_lr=0.1)"),
    (an_optimiser, f"✘ {GROUPS0} returned an optimiser: return its parameter groups"),
    (as_dict, f"✘ {GROUPS0} should return a list of dicts such as {{'params': [...], 'lr': "
     "0.01}, got dict"),
    (lambda model, body_lr, head_lr: None, f"✘ {GROUPS0} " + NONE_RETURNED),
])
def test_param_groups_wrong(answer, message):
    assert_wrong(line(checks.check_param_groups, answer), message)


def test_param_groups_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_where", dict.fromkeys)
    assert_check_failed(line(checks.check_param_groups, param_groups))


# Exercise 5 -----------------------------------------------------------------

def features(body, X):
    body.eval()
    with torch.no_grad():
        return body(X).numpy()


def probe(body, X_train, y_train, X_test, y_test):
    fitted = LogisticRegression(max_iter=1000).fit(features(body, X_train), y_train)
    return 100 * fitted.score(features(body, X_test), y_test)


def probe_as_tensor(body, X_train, y_train, X_test, y_test):
    """Another right way: the accuracy counted by hand, as a 0-d tensor, more iterations."""
    fitted = LogisticRegression(max_iter=5000).fit(features(body, X_train), y_train.numpy())
    right = fitted.predict(features(body, X_test)) == y_test.numpy()
    return torch.tensor(100 * right.mean())


def as_fraction(*args):
    return probe(*args) / 100


def train_accuracy(body, X_train, y_train, X_test, y_test):
    return probe(body, X_train, y_train, X_train, y_train)


def raw_pixels(body, X_train, y_train, X_test, y_test):
    return probe(nn.Identity(), X_train, y_train, X_test, y_test)


def no_eval(body, X_train, y_train, X_test, y_test):
    with torch.no_grad():
        F_train, F_test = body(X_train).numpy(), body(X_test).numpy()
    return 100 * LogisticRegression(max_iter=1000).fit(F_train, y_train).score(F_test, y_test)


def no_grad_off(body, X_train, y_train, X_test, y_test):
    body.eval()
    return body(X_train).numpy()


PROBE_OK = "✔ right for random features, with Dropout, and for the pixels themselves"
PROBE0 = "✘ linear_probe_accuracy(a 24-feature ReLU body) should be "
PROBE1 = "✘ linear_probe_accuracy(a body with Dropout) should be "


def test_linear_probe_right():
    assert line(checks.check_linear_probe, probe) == PROBE_OK
    assert line(checks.check_linear_probe, probe_as_tensor) == PROBE_OK


def test_linear_probe_not_done():
    assert line(checks.check_linear_probe, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("answer, parts", [
    (as_fraction, (PROBE0, "got 0.8: give the accuracy in per cent, not as a fraction")),
    (train_accuracy, (PROBE0, "that is the accuracy on the training examples: score the test "
                      "set")),
    (raw_pixels, (PROBE0, "that is logistic regression on the raw pixels: fit it on the body's "
                  "features, body(X)")),
    (no_eval, (PROBE1, "the body has Dropout, which drops features at random in training "
               "mode: call body.eval() before computing features")),
    (no_grad_off, ("✘ your code raised RuntimeError",)),
    (lambda *args: "79 %", ("✘ linear_probe_accuracy(a 24-feature ReLU body) should be one "
                            "number, the test accuracy in per cent, got '79 %'",)),
    (lambda *args: None, ("✘ linear_probe_accuracy(a 24-feature ReLU body) " + NONE_RETURNED,)),
])
def test_linear_probe_wrong(answer, parts):
    torch.manual_seed(0)   # the Dropout slip is random
    got = line(checks.check_linear_probe, answer)
    for part in parts:
        assert_wrong(got, part)


def test_linear_probe_names_the_numbers():
    X, y, X_test, y_test = checks.probe_task(10, seed=10)
    body = checks._probe_bodies()[0][1]
    right, _, raw = checks._probe_reference(body, X, y, X_test, y_test)
    assert_wrong(line(checks.check_linear_probe, raw_pixels),
                 f"{PROBE0}{right:.1f} %, got {raw:.1f}: that is logistic regression")


def test_linear_probe_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "PROBE_CLASSES", (5, 6, 42))
    assert_check_failed(line(checks.check_linear_probe, probe))


# Exercise 6 -----------------------------------------------------------------

@pytest.fixture(scope="module")
def reference():
    """budget → the gap of each seed, from the check's own runs (about 10 s, once)."""
    return checks._reference_gaps()


def means(reference):
    return {k: float(v.mean()) for k, v in reference.items()}


def test_catch_up_recipe_is_the_reference(reference):
    """The runs the exercise describes give the check's reference."""
    X, y, X_test, y_test = checks.target_task()
    X_k, y_k = labels_per_class(X, y, 3, seed=1)
    scratch = checks.train_and_score(checks.classifier(checks.new_body(1), 1), X_k, y_k,
                                     X_test, y_test)
    tuned = checks.train_and_score(checks.classifier(checks.pretrained_body(), 1), X_k, y_k,
                                   X_test, y_test)
    assert tuned - scratch == pytest.approx(reference[3][1], abs=1e-9)


def test_the_experiment_shows_what_the_exercise_says(reference):
    """Fine-tuning trails with few labels and catches up from a few tens of labels on."""
    gaps = means(reference)
    assert gaps[1] < -4 and gaps[3] < -4
    assert checks.caught_up(gaps) in (10, 30)
    table = checks.compare_features(per_class=(1, 10))
    for i in (0, 1):
        assert table["pretrained on 0-4"][i] < table["random body"][i] < table["raw pixels"][i]


def test_catch_up_right(reference):
    gaps = means(reference)
    ok = f"✔ fine-tuning is within 2 points of scratch from {checks.caught_up(gaps)} labels"
    assert line(checks.check_catch_up, gaps, checks.caught_up(gaps)).startswith(ok)
    as_numpy = {k: np.float64(v) for k, v in gaps.items()}
    assert line(checks.check_catch_up, as_numpy, np.int64(checks.caught_up(gaps))) \
        .startswith(ok)
    rounded = {k: round(v, 1) for k, v in gaps.items()}
    assert line(checks.check_catch_up, rounded, checks.caught_up(gaps)).startswith(ok)


def test_catch_up_not_done(reference):
    assert line(checks.check_catch_up, ..., ...) == NOT_DONE
    assert line(checks.check_catch_up, means(reference), ...) == NOT_DONE
    assert line(checks.check_catch_up, {1: ..., 3: 0.0}, 30) == NOT_DONE


def test_catch_up_wrong_gaps(reference):
    gaps = means(reference)
    first = f"✘ gaps[1] should be {gaps[1]:.1f}, got "
    flipped = {k: -v for k, v in gaps.items()}
    assert_wrong(line(checks.check_catch_up, flipped, 30), first + f"{-gaps[1]:.1f}: the sign "
                 "is flipped: fine-tuned minus scratch")
    fractions = {k: v / 100 for k, v in gaps.items()}
    assert_wrong(line(checks.check_catch_up, fractions, 30), "give the gap in points: "
                 "accuracies in per cent, not fractions")
    seed0 = {k: float(v[0]) for k, v in reference.items()}
    assert_wrong(line(checks.check_catch_up, seed0, 30), first + f"{seed0[1]:.1f}: that is "
                 "seed 0 alone: average over the seeds 0, 1, 2")
    shifted = {k: v + 3 for k, v in gaps.items()}
    assert_wrong(line(checks.check_catch_up, shifted, 30), first + f"{gaps[1] + 3:.1f}: train "
                 "both from the recipe")
    assert_wrong(line(checks.check_catch_up, list(gaps.values()), 30), "✘ gaps should be a dict "
                 "budget → mean gap, got list")
    assert_wrong(line(checks.check_catch_up, {1: gaps[1], 3: gaps[3]}, 30), "✘ gaps should have "
                 "one entry per budget, keys [1, 3, 10, 30, 100], got [1, 3]")
    assert_wrong(line(checks.check_catch_up, {**gaps, 3: "-8"}, 30), "✘ gaps[3] should be one "
                 "number, the mean gap in points, got '-8'")


def test_catch_up_wrong_crossover(reference):
    gaps = means(reference)
    right = checks.caught_up(gaps)
    early = max(k for k in checks.BUDGETS if k < right)
    assert_wrong(line(checks.check_catch_up, gaps, early), f"✘ crossover should be {right} by "
                 f"your own gaps, got {early}: at {early} labels per class fine-tuning is still "
                 f"{-gaps[early]:.1f} points behind")
    assert_wrong(line(checks.check_catch_up, gaps, 100), f"✘ crossover should be {right} by your "
                 f"own gaps, got 100: fine-tuning is within 2 points from {right} on")
    assert_wrong(line(checks.check_catch_up, gaps, "30"), "✘ crossover should be one of the "
                 "budgets [1, 3, 10, 30, 100], got '30'")
    assert_wrong(line(checks.check_catch_up, gaps, 20), "✘ crossover should be one of the "
                 "budgets")


def test_caught_up_reads_from_which_on():
    assert checks.caught_up({1: -5, 3: -1, 10: -3, 30: 0, 100: 1}) == 30
    assert checks.caught_up({1: 0, 3: 1, 10: 2}) == 1
    assert checks.caught_up({1: -5, 3: -3}) is None


def test_catch_up_own_failure(monkeypatch, reference):
    gaps = means(reference)
    monkeypatch.setattr(checks, "_reference_gaps", dict)
    assert_check_failed(line(checks.check_catch_up, gaps, checks.caught_up(gaps)))


def test_pretrained_body_is_a_fresh_trainable_copy():
    a, b = checks.pretrained_body(), checks.pretrained_body()
    assert a is not b and torch.equal(a[0].weight, b[0].weight)
    assert a[0].weight.data_ptr() != b[0].weight.data_ptr()
    assert all(p.requires_grad for p in a.parameters())
    assert not torch.equal(a[0].weight, checks.new_body(0)[0].weight)


# Exercise 7 -----------------------------------------------------------------

FEATURES_OK = "✔ B: features made for the source's classes can lose what new ones need"


def test_features_answer_right():
    assert line(checks.check_features_answer, "B") == FEATURES_OK
    assert line(checks.check_features_answer, " b ") == FEATURES_OK


def test_features_answer_not_done():
    assert line(checks.check_features_answer, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ("A", "✘ A ('random features are better than pretrained ones, in general') is not it: in "
     "Section 11.6 the chapter's pretrained body beat a random one"),
    ("C", "✘ C ('the pretrained body has too few features: 64 numbers cannot describe a "
     "digit') is not it: the random body has the same 64 features and does better"),
    ("D", "is not it: the same probe, with the same settings, fits all three kinds of "
     "features"),
    ("E", "✘ answer with one of the letters A, B, C, D (a str), got 'E'"),
    (2, "✘ answer with one of the letters A, B, C, D (a str), got 2"),
])
def test_features_answer_wrong(answer, message):
    assert_wrong(line(checks.check_features_answer, answer), message)


def test_features_answer_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "FEATURES_OPTIONS", 5)
    assert_check_failed(line(checks.check_features_answer, "B"))
