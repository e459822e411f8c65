"""Checks for the exercises of Chapter 11, *Transfer learning*."""

import copy
import functools

import numpy as np
import torch
from threadpoolctl import threadpool_limits
from torch import nn

from nnbook.checks import numbers as _numbers
from nnbook.checks import returned as _returned
from nnbook.checks import CheckFailed, check, choice, expect


def _is_count(value):
    """True for a whole number given as an int, a numpy int or a float."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and \
        float(value).is_integer()


def _seeded(build, seed):
    """``build()`` with torch seeded by ``seed``; the caller's random state
    is left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def _name(key):
    """A parameter's name as the reader would write it: model[2].weight."""
    index, _, rest = key.partition(".")
    return f"model[{index}].{rest}" if index.isdigit() else f"model.{key}"


def _parameters(model):
    """name → parameter, named as in a notebook: model[0].weight."""
    return {_name(k): p for k, p in model.named_parameters()}


# Exercise 1 -----------------------------------------------------------------

COUNT_MODEL = ((64, 48), (48, 32), (32, 5))   # the Linear layers' sizes


def _linear(sizes, bias=True):
    fan_in, fan_out = sizes
    return fan_in * fan_out + (fan_out if bias else 0)


def _count_answers():
    """(what, right count, {slip count: why}) for the three questions."""
    first, top, head = (_linear(s) for s in COUNT_MODEL)
    no_bias = sum(_linear(s, bias=False) for s in COUNT_MODEL)
    return (
        ("probe_count", head, {
            _linear(COUNT_MODEL[2], bias=False): "the new head has a bias "
            "too: one per class",
            first + top: "that is what the frozen body holds; count what "
            "still trains",
            first + top + head: "with the body frozen only the head trains"}),
        ("top_count", top + head, {
            top: "the head trains too",
            first + head: "the top layer is the one just below the head, "
            "nn.Linear(48, 32)",
            _linear(COUNT_MODEL[1], False) + _linear(COUNT_MODEL[2], False):
            "count the biases too"}),
        ("full_count", first + top + head, {
            no_bias: "every nn.Linear has a bias: out_features more",
            first + top: "in full fine-tuning the head trains too",
            top + head: "full fine-tuning trains every layer"}),
    )


@check
def check_counts(probe_count, top_count, full_count):
    """Exercise 1: what trains in a probe, a top-layer and a full fine-tune."""
    answers = {"probe_count": probe_count, "top_count": top_count,
               "full_count": full_count}
    for what, right, slips in _count_answers():
        got = answers[what]
        expect(_is_count(got), f"{what} should be a whole number, got "
               f"{got!r}")
        if int(got) != right:
            hint = slips.get(int(got), "count each trainable nn.Linear's "
                             "weights, in × out, and its out biases")
            raise CheckFailed(f"{what} should be {right}, got {int(got)}: "
                              f"{hint}")
    right = {what: count for what, count, _ in _count_answers()}
    return (f"the probe trains {right['probe_count']} of "
            f"{right['full_count']} parameters "
            f"({100 * right['probe_count'] / right['full_count']:.1f} %)")


# Exercise 2 -----------------------------------------------------------------

def _head_models():
    """(description, model) for the replace_head cases, fixed weights."""
    def small():
        return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 5))

    def deeper():
        return nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Dropout(0.2),
                             nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 10))

    def frozen():
        model = small()
        for p in model[0].parameters():
            p.requires_grad_(False)
        return model

    return (("a 3-layer model", _seeded(small, 0)),
            ("a 6-layer model", _seeded(deeper, 1)),
            ("a single nn.Linear", _seeded(lambda: nn.Sequential(
                nn.Linear(64, 5)), 2)),
            ("a model with a frozen first layer", _seeded(frozen, 3)))


HEAD_CASES = ((0, 5, 0), (0, 3, 1), (1, 1, 2), (2, 4, 3), (3, 2, 4))


def _state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _same_state(a, b):
    return a.keys() == b.keys() and all(
        a[k].shape == b[k].shape and torch.equal(a[k], b[k]) for k in a)


def _check_original(model, before, last, call):
    """Fail when the learner's call changed the pretrained model."""
    expect(model[-1] is last and _same_state(_state(model), before),
           f"{call} changed the original model: it must stay as it was, so "
           "that several fine-tunings can start from it; change a copy, "
           "copy.deepcopy(model)")


def _check_body(model, got, call):
    """Fail unless got's body is a separate copy of model's, weights and
    requires_grad as they were."""
    mine = {k: p for k, p in got[:-1].named_parameters()}
    for key, p in model[:-1].named_parameters():
        name = _name(key)
        expect(key in mine, f"{call} has no {name}: the body keeps "
               "every layer of the original")
        expect(torch.equal(mine[key].detach(), p.detach()), f"{call}: "
               f"{name} is not the pretrained one; only the last layer is "
               "new, the body keeps its weights")
        expect(mine[key].data_ptr() != p.data_ptr(), f"{call} shares "
               f"{name} with the original: fine-tuning the copy would "
               "change the pretrained network; copy it with "
               "copy.deepcopy(model)")
        expect(mine[key].requires_grad == p.requires_grad, f"{call}: "
               f"{name}.requires_grad is {mine[key].requires_grad}, the "
               f"original's {p.requires_grad}: leave the body as it was")


def _check_head(model, got, num_classes, call):
    """Fail unless got's last layer is a fresh Linear of the right size."""
    head, old = got[-1], model[-1]
    expect(isinstance(head, nn.Linear), f"the last layer of {call} should "
           f"be an nn.Linear, got {type(head).__name__}")
    expect(head.in_features == old.in_features, f"the new head of {call} "
           f"takes {head.in_features} inputs, but the layer it replaces "
           f"took {old.in_features}: use model[-1].in_features")
    expect(head.out_features == num_classes, f"the new head of {call} has "
           f"{head.out_features} outputs, should have num_classes = "
           f"{num_classes}")
    expect(all(p.requires_grad for p in head.parameters()), f"the new head "
           f"of {call} is frozen: it is the part that must train")
    expect(head.bias is not None, f"the new head of {call} has no bias: "
           "nn.Linear has one by default")
    expect(not (head.weight.shape == old.weight.shape and torch.equal(
        head.weight.detach(), old.weight.detach())), f"the last layer of "
        f"{call} keeps its pretrained weights: replace it with a fresh "
        "nn.Linear")


def _check_one_head(replace_head, model, num_classes, seed):
    """Run replace_head once and check the copy; return it."""
    call = f"replace_head(model, {num_classes}, seed={seed})"
    before, last = _state(model), model[-1]
    got = _returned(replace_head(model, num_classes, seed), call)
    expect(got is not model, f"{call} returned the model it was given: "
           "return a copy with the new head, the original unchanged")
    _check_original(model, before, last, call)
    expect(isinstance(got, nn.Sequential), f"{call} should return an "
           f"nn.Sequential, got {type(got).__name__}")
    expect(len(got) == len(model), f"{call} should have the original's "
           f"{len(model)} modules, the last one replaced, got {len(got)}")
    _check_body(model, got, call)
    _check_head(model, got, num_classes, call)
    X = torch.rand(1 + seed, 64, generator=torch.Generator().manual_seed(9))
    got.eval(), model.eval()
    with torch.no_grad():
        expect(torch.equal(got[:-1](X), model[:-1](X)), f"{call}: the body "
               "computes other features than the original's")
        expect(tuple(got(X).shape) == (len(X), num_classes), f"{call} "
               f"should map {len(X)} examples to ({len(X)}, {num_classes})")
    return got


def _check_seeds(replace_head, model):
    """Fail unless the same seed gives the same head and another seed
    another head."""
    heads = [replace_head(model, 3, seed)[-1].weight.detach()
             for seed in (5, 5, 6)]
    expect(torch.equal(heads[0], heads[1]), "two calls of replace_head("
           "model, 3, seed=5) gave different heads: draw the new layer "
           "right after torch.manual_seed(seed)")
    expect(not torch.equal(heads[0], heads[2]), "seed=5 and seed=6 gave "
           "the same head: draw it from the seed you are given")


@check
def check_replace_head(replace_head):
    """Exercise 2: a copy of a pretrained model with a fresh head."""
    models = _head_models()
    for index, num_classes, seed in HEAD_CASES:
        _check_one_head(replace_head, models[index][1], num_classes, seed)
    _check_seeds(replace_head, models[0][1])
    return (f"a fresh head on a separate copy, for {len(models)} models; "
            "the originals untouched")


# Exercise 3 -----------------------------------------------------------------

def _unfreeze_model():
    """A model of 7 modules, 4 of them with parameters (0, 2, 3, 6)."""
    return _seeded(lambda: nn.Sequential(
        nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16), nn.BatchNorm1d(16),
        nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 5)), 0)


UNFREEZE_CASES = ((1, True), (2, False), (0, True), (3, True), (4, False),
                  (6, True))


def _layer_names(model):
    """The names of each layer's parameters, for the layers that have
    parameters, bottom to top."""
    return [[f"model[{i}].{k}" for k, _ in layer.named_parameters()]
            for i, layer in enumerate(model)
            if any(True for _ in layer.parameters())]


def _top(layers, k):
    """The names in the last k of ``layers`` (all of them when k is larger)."""
    return {x for layer in layers[max(len(layers) - k, 0):] for x in layer} \
        if k > 0 else set()


def _unfreeze_hint(got, model, n):
    """Why the trainable names ``got`` are wrong, if it is a known slip."""
    layers = _layer_names(model)
    by_module = {f"model[{i}].{k}" for i in range(max(len(model) - n, 0),
                                                 len(model))
                 for k, _ in model[i].named_parameters()} if n > 0 else set()
    wrapped = {x for layer in layers[len(layers) - n:] for x in layer}
    if n == 0 and got == _top(layers, len(layers)):
        return ("n = 0 should leave every parameter frozen: careful, "
                "layers[-0:] is the whole list")
    if got == by_module and got != _top(layers, n):
        return ("count only the layers that hold parameters: ReLU and "
                "Dropout have none")
    if n > len(layers) and got == wrapped:
        return (f"n = {n} is more than the {len(layers)} layers: unfreeze "
                "them all (len(layers) - n is negative, and a negative "
                "slice start counts from the end)")
    if got == _top(layers, len(layers)):
        return "the other layers must be frozen: freeze the whole model first"
    if got == _top(layers, n + 1):
        return "that is one layer too many"
    if n > 0 and got == _top(layers, n - 1):
        return "that is one layer too few"
    return "unfreeze the parameters of the last n layers that have any"


def _show_names(names):
    return "{" + ", ".join(sorted(names)) + "}" if names else "nothing"


@check
def check_unfreeze_last(unfreeze_last):
    """Exercise 3: freeze a model but its last n layers with parameters."""
    for n, start_trainable in UNFREEZE_CASES:
        model = _unfreeze_model()
        for p in model.parameters():
            p.requires_grad_(start_trainable)
        call = f"unfreeze_last(model, {n})"
        got = unfreeze_last(model, n)
        expect(got is not None, f"{call} returned None: return the model, "
               "as freeze does")
        expect(got is model, f"{call} returned another model: change the "
               "model you are given (requires_grad_) and return it")
        right = _top(_layer_names(model), n)
        trainable = {k for k, p in _parameters(model).items()
                     if p.requires_grad}
        if trainable != right:
            raise CheckFailed(f"after {call} the trainable parameters should "
                              f"be {_show_names(right)}, got "
                              f"{_show_names(trainable)}: "
                              f"{_unfreeze_hint(trainable, model, n)}")
    sizes = [sum(p.numel() for p in _unfreeze_model()[i].parameters())
             for i in (6, 3, 2)]
    return (f"right for n = 0 to 6; n = 1 trains {sizes[0]} parameters, "
            f"n = 3 trains {sum(sizes)}")


# Exercise 4 -----------------------------------------------------------------

def _group_models():
    """(model, body_lr, head_lr) for the param_groups cases."""
    return (
        (_seeded(lambda: nn.Sequential(nn.Linear(64, 32), nn.ReLU(),
                                       nn.Linear(32, 5)), 0), 1e-3, 1e-2),
        (_unfreeze_model(), 0.0, 0.1),
        (_seeded(lambda: nn.Sequential(nn.Flatten(), nn.Linear(64, 3)), 2),
         0.05, 0.5),
    )


def _as_groups(groups, call):
    """The learner's groups as a list of dicts with a list of parameters."""
    groups = _returned(groups, call)
    expect(not isinstance(groups, torch.optim.Optimizer), f"{call} "
           "returned an optimiser: return its parameter groups, a list of "
           "dicts, and let the caller build the optimiser")
    expect(isinstance(groups, (list, tuple)) and all(
        isinstance(g, dict) for g in groups), f"{call} should return a list "
        "of dicts such as {'params': [...], 'lr': 0.01}, got "
        f"{type(groups).__name__}")
    out = []
    for i, group in enumerate(groups):
        expect("params" in group, f"group {i} of {call} has no 'params'")
        expect("lr" in group, f"group {i} of {call} has no 'lr': the "
               "optimiser would give it its default learning rate")
        params = group["params"]
        params = [params] if isinstance(params, torch.Tensor) else \
            list(params)
        out.append({**group, "params": params})
    return out


def _where(groups, model, call):
    """name → the lr of the one group that holds that parameter."""
    names = {id(p): name for name, p in _parameters(model).items()}
    lrs = {}
    for group in groups:
        for p in group["params"]:
            expect(id(p) in names, f"{call} holds a tensor that is not one of "
                   "the model's parameters")
            name = names[id(p)]
            expect(name not in lrs, f"{name} is in two groups of {call}: "
                   "each parameter must be in exactly one; the body is "
                   "model[:-1], the head model[-1]")
            lrs[name] = group["lr"]
    missing = [n for n in names.values() if n not in lrs]
    expect(not missing, f"{missing[0] if missing else ''} is in no group "
           f"of {call}: every parameter must be in one, biases too")
    return lrs


@check
def check_param_groups(param_groups):
    """Exercise 4: parameter groups with one lr for the body, one for the
    head."""
    for model, body_lr, head_lr in _group_models():
        call = f"param_groups(model, body_lr={body_lr}, head_lr={head_lr})"
        lrs = _where(_as_groups(param_groups(model, body_lr, head_lr), call),
                     model, call)
        heads = {_name(f"{len(model) - 1}.{k}")
                 for k, _ in model[-1].named_parameters()}
        right = {n: head_lr if n in heads else body_lr for n in lrs}
        swapped = {n: body_lr if n in heads else head_lr for n in lrs}
        if lrs != right and lrs == swapped:
            raise CheckFailed(f"{call}: the learning rates are swapped; "
                              "body_lr is for model[:-1], head_lr for "
                              "model[-1]")
        for name, lr in lrs.items():
            expect(lr == right[name], f"{call}: {name} gets lr {lr}, should "
                   f"get {'head_lr' if name in heads else 'body_lr'} = "
                   f"{right[name]}")
        optimizer = torch.optim.SGD(_as_groups(
            param_groups(model, body_lr, head_lr), call), lr=1.0)
        expect(sum(len(g["params"]) for g in optimizer.param_groups) ==
               len(lrs), f"the optimiser built from {call} does not hold "
               "every parameter once")
    return ("each parameter in one group, the head's at head_lr, for "
            "three models")


# Exercise 5 -----------------------------------------------------------------

PROBE_CLASSES = (5, 6, 7, 8, 9)
PROBE_TOL = 1.5   # percentage points: about 3 of the 225 test digits


@functools.lru_cache(maxsize=1)
def _digits():
    from nnbook.datasets import load_digits
    return load_digits()


def probe_task(per_class, seed=0):
    """The digits 5–9 relabelled 0–4: per_class training examples of each
    and the whole test split, as float32 X (n, 64) and int64 y tensors:
    X_train, y_train, X_test, y_test."""
    from nnbook.transfer import class_split, labels_per_class
    (X, y), (X_test, y_test) = _digits()
    X, y = labels_per_class(*class_split(X, y, PROBE_CLASSES), per_class,
                            seed)
    X_test, y_test = class_split(X_test, y_test, PROBE_CLASSES)
    return (torch.tensor(X, dtype=torch.float32), torch.tensor(y),
            torch.tensor(X_test, dtype=torch.float32), torch.tensor(y_test))


def _probe_bodies():
    """(what, body, per_class): random ReLU features, with Dropout, none."""
    return (
        ("a 24-feature ReLU body", _seeded(lambda: nn.Sequential(
            nn.Linear(64, 24), nn.ReLU()), 0), 10),
        ("a body with Dropout", _seeded(lambda: nn.Sequential(
            nn.Linear(64, 48), nn.ReLU(), nn.Dropout(0.5)), 1), 20),
        ("nn.Identity() with 1 label per class", nn.Identity(), 1),
    )


def _logistic_accuracy(F_train, y_train, F_test, y_test):
    """Test accuracy in per cent of scikit-learn's logistic regression."""
    from sklearn.linear_model import LogisticRegression
    model = LogisticRegression(max_iter=1000).fit(F_train, y_train)
    return 100 * model.score(F_test, y_test)


def _probe_reference(body, X, y, X_test, y_test):
    """(test, train, raw-pixel) accuracies of the right probe, in per cent."""
    body = copy.deepcopy(body).eval()
    with torch.no_grad():
        F, F_test = body(X).numpy(), body(X_test).numpy()
    return (_logistic_accuracy(F, y.numpy(), F_test, y_test.numpy()),
            _logistic_accuracy(F, y.numpy(), F, y.numpy()),
            _logistic_accuracy(X.numpy(), y.numpy(), X_test.numpy(),
                               y_test.numpy()))


def _as_number(value, call):
    """One real number, or fail saying what the answer is instead."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    expect(isinstance(value, (int, float, np.integer, np.floating)) and
           not isinstance(value, bool), f"{call} should be one number, the "
           f"test accuracy in per cent, got {value!r}")
    return float(value)


def _probe_hint(got, reference, body):
    test, train, raw = reference
    if abs(100 * got - test) <= PROBE_TOL and got <= 1:
        return "give the accuracy in per cent, not as a fraction"
    if abs(got - train) <= 0.5 and abs(train - test) > PROBE_TOL:
        return ("that is the accuracy on the training examples: score the "
                "test set")
    if abs(got - raw) <= 0.5 and abs(raw - test) > PROBE_TOL:
        return ("that is logistic regression on the raw pixels: fit it on "
                "the body's features, body(X)")
    if body.training and any(isinstance(m, nn.Dropout)
                             for m in body.modules()):
        return ("the body has Dropout, which drops features at random in "
                "training mode: call body.eval() before computing features")
    return ("fit LogisticRegression(max_iter=1000) on body(X_train), score "
            "it on body(X_test)")


@check
def check_linear_probe(linear_probe_accuracy):
    """Exercise 5: a linear probe on frozen features, by scikit-learn."""
    with threadpool_limits(1):   # BLAS threads only slow these tiny fits
        for what, body, per_class in _probe_bodies():
            _check_probe(linear_probe_accuracy, what, body, per_class)
    return ("right for random features, with Dropout, and for the pixels "
            "themselves")


def _check_probe(linear_probe_accuracy, what, body, per_class):
    """Fail unless the learner's probe of ``body`` matches the reference."""
    X, y, X_test, y_test = probe_task(per_class, seed=per_class)
    reference = _probe_reference(body, X, y, X_test, y_test)
    call = f"linear_probe_accuracy({what})"
    got = _numbers(_returned(linear_probe_accuracy(
        body.train(), X, y, X_test, y_test), call))
    got = _as_number(got, call)
    if abs(got - reference[0]) > PROBE_TOL:
        raise CheckFailed(f"{call} should be {reference[0]:.1f} %, got "
                          f"{got:.1f}: {_probe_hint(got, reference, body)}")


# Exercise 6 -----------------------------------------------------------------

SOURCE_CLASSES = (0, 1, 2, 3, 4)
BUDGETS = (1, 3, 10, 30, 100)
SEEDS = (0, 1, 2)
NUM_STEPS, LR = 100, 3e-3   # full-batch Adam, for every training here
CATCH_UP = -2.0   # fine-tuning "caught up": at most 2 points behind


def new_body(seed):
    """The body of Exercise 6, random weights drawn from ``seed``: two
    ReLU layers, (N, 64) → (N, 64)."""
    return _seeded(lambda: nn.Sequential(nn.Linear(64, 64), nn.ReLU(),
                                         nn.Linear(64, 64), nn.ReLU()), seed)


def classifier(body, seed):
    """``body`` with a fresh head for 5 classes drawn from ``seed``:
    nn.Sequential(body, nn.Linear(64, 5))."""
    return nn.Sequential(body, _seeded(lambda: nn.Linear(64, 5), seed))


def _fit(model, X, y):
    """NUM_STEPS full-batch Adam steps (lr LR) of cross-entropy on X, y."""
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    model.train()
    for _ in range(NUM_STEPS):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(X), y).backward()
        optimizer.step()
    return model.eval()


def train_and_score(model, X, y, X_test, y_test):
    """Train ``model`` on X (n, 64), y (n,) with NUM_STEPS full-batch Adam
    steps (lr LR, cross-entropy); return its test accuracy in per cent."""
    X, X_test = (torch.as_tensor(a, dtype=torch.float32) for a in (X, X_test))
    y, y_test = (torch.as_tensor(a, dtype=torch.long) for a in (y, y_test))
    _fit(model, X, y)
    with torch.no_grad():
        return 100 * float((model(X_test).argmax(1) == y_test).float().mean())


@functools.lru_cache(maxsize=1)
def _pretrained_state():
    """The body's weights after training on the digits 0–4 (cached)."""
    from nnbook.transfer import class_split
    (X, y), _ = _digits()
    X, y = class_split(X, y, SOURCE_CLASSES)
    model = _fit(classifier(new_body(0), 0), torch.as_tensor(X),
                 torch.as_tensor(y))
    return {k: v.detach().clone() for k, v in model[0].state_dict().items()}


def pretrained_body():
    """A fresh copy of the body trained (with a head) on the digits 0–4:
    (N, 64) → (N, 64) features, every parameter trainable."""
    body = new_body(0)
    body.load_state_dict(_pretrained_state())
    return body


def target_task():
    """The digits 5–9 relabelled 0–4: X_train, y_train (every training
    example) and X_test, y_test, numpy arrays."""
    from nnbook.transfer import class_split
    (X, y), (X_test, y_test) = _digits()
    return (*class_split(X, y, PROBE_CLASSES),
            *class_split(X_test, y_test, PROBE_CLASSES))


@functools.lru_cache(maxsize=1)
def _reference_gaps():
    """budget → the gap (fine-tuned − scratch, points) for each seed."""
    from nnbook.transfer import labels_per_class
    X, y, X_test, y_test = target_task()
    gaps = {}
    for per_class in BUDGETS:
        gaps[per_class] = []
        for seed in SEEDS:
            X_k, y_k = labels_per_class(X, y, per_class, seed)
            scratch = train_and_score(classifier(new_body(seed), seed),
                                      X_k, y_k, X_test, y_test)
            tuned = train_and_score(classifier(pretrained_body(), seed),
                                    X_k, y_k, X_test, y_test)
            gaps[per_class].append(tuned - scratch)
    return {k: np.array(v) for k, v in gaps.items()}


def caught_up(gaps):
    """The smallest budget from which on every gap is ≥ CATCH_UP, or None."""
    budgets = sorted(gaps)
    for i, per_class in enumerate(budgets):
        if all(gaps[k] >= CATCH_UP for k in budgets[i:]):
            return per_class
    return None


def _as_gaps(gaps):
    """The learner's table as budget → float, or fail saying why."""
    expect(isinstance(gaps, dict), "gaps should be a dict budget → mean "
           f"gap, got {type(gaps).__name__}")
    expect(sorted(gaps) == list(BUDGETS), f"gaps should have one entry per "
           f"budget, keys {list(BUDGETS)}, got {sorted(gaps)}")
    out = {}
    for per_class in BUDGETS:
        value = _numbers(gaps[per_class])
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.item()
        expect(isinstance(value, (int, float, np.integer, np.floating)),
               f"gaps[{per_class}] should be one number, the mean gap in "
               f"points, got {value!r}")
        out[per_class] = float(value)
    return out


def _gap_hint(got, right, per_class):
    """Why the learner's mean gap for one budget is wrong, if a known slip."""
    seeds = _reference_gaps()[per_class]
    if abs(got + right) <= 0.05 and abs(right) > 0.5:
        return "the sign is flipped: fine-tuned minus scratch"
    if abs(100 * got - right) <= 0.5 and abs(right) > 0.5:
        return "give the gap in points: accuracies in per cent, not fractions"
    for seed, value in zip(SEEDS, seeds):
        if abs(got - value) <= 0.05 and abs(value - right) > 0.5:
            return (f"that is seed {seed} alone: average over the seeds "
                    f"{', '.join(map(str, SEEDS))}")
    return ("train both from the recipe: labels_per_class(..., seed), "
            "classifier(new_body(seed), seed) and classifier("
            "pretrained_body(), seed), each by train_and_score")


@check
def check_catch_up(gaps, crossover):
    """Exercise 6: the gap between fine-tuning and training from scratch."""
    got = _as_gaps(gaps)
    right = {k: float(v.mean()) for k, v in _reference_gaps().items()}
    for k in BUDGETS:
        if abs(got[k] - right[k]) > 0.5:
            hint = _gap_hint(got[k], right[k], k)
            raise CheckFailed(f"gaps[{k}] should be {right[k]:.1f}, got "
                              f"{got[k]:.1f}: {hint}")
    expect(crossover in BUDGETS, "crossover should be one of the budgets "
           f"{list(BUDGETS)}, got {crossover!r}")
    yours = caught_up(got)
    if crossover != yours:
        behind = [k for k in BUDGETS if k >= crossover and got[k] < CATCH_UP]
        why = (f"at {behind[-1]} labels per class fine-tuning is still "
               f"{-got[behind[-1]]:.1f} points behind" if behind else
               f"fine-tuning is within 2 points from {yours} on")
        raise CheckFailed(f"crossover should be {yours} by your own gaps, "
                          f"got {crossover}: {why}")
    return (f"fine-tuning is within 2 points of scratch from {yours} "
            "labels per class on")


# Exercise 7 -----------------------------------------------------------------

def compare_features(per_class=(1, 10), seed=0):
    """Test accuracy (per cent) of a linear probe (scikit-learn's logistic
    regression) on the digits 5–9, with ``per_class`` labels of each, on
    three kinds of features: the raw pixels, a random body's and the body
    pretrained on 0–4. Returns {features: [accuracy for each budget]}."""
    from nnbook.transfer import labels_per_class
    X, y, X_test, y_test = target_task()
    bodies = {"raw pixels": nn.Identity(), "random body": new_body(seed),
              "pretrained on 0-4": pretrained_body()}
    table = {name: [] for name in bodies}
    with threadpool_limits(1), torch.no_grad():
        for k in per_class:
            X_k, y_k = labels_per_class(X, y, k, seed)
            for name, body in bodies.items():
                features = [body.eval()(torch.as_tensor(a)).numpy()
                            for a in (X_k, X_test)]
                table[name].append(_logistic_accuracy(
                    features[0], y_k, features[1], y_test))
    return table


FEATURES_OPTIONS = {
    "A": "random features are better than pretrained ones, in general",
    "B": "training on 0-4 kept what separates those digits and dropped some "
         "of what separates 5-9: a trained body is no sure start",
    "C": "the pretrained body has too few features: 64 numbers cannot "
         "describe a digit",
    "D": "logistic regression did not converge on the pretrained features",
}
FEATURES_FEEDBACK = {
    "A": "in Section 11.6 the chapter's pretrained body beat a random one at "
         "its last layer on MNIST-1D; what you measured holds for this "
         "source and this target, not in general",
    "C": "the random body has the same 64 features and does better: the "
         "number of features is not what hurts",
    "D": "the same probe, with the same settings, fits all three kinds of "
         "features; only the features it is given differ",
}


@check
def check_features_answer(answer):
    """Exercise 7: what the probes on three kinds of features say."""
    choice(answer, "B", FEATURES_OPTIONS, FEATURES_FEEDBACK)
    return ("B: features made for the source's classes can lose what new "
            "ones need")
