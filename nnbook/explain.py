"""Explanations of a classifier's decisions, written by hand (Chapter 12).

``saliency`` is the size of the gradient of the target's score with respect
to the input (Simonyan et al. 2014), ``integrated_gradients`` accumulates
that gradient along the straight path from a baseline to the input
(Sundararajan et al. 2017), and ``occlusion`` hides one square of an image
at a time and measures the drop of the target's probability (Zeiler &
Fergus 2014). ``rank_correlation`` compares two maps by Spearman's rank
correlation, and ``randomized_copy`` re-draws a network's weights, the
sanity check of Adebayo et al. (2018): an explanation that does not change
when the weights do cannot explain what the network learned.

Every map has the shape of the input, X (N, D), a float tensor of N
flattened examples; target (N,) int64 holds the class to explain for each.
Bad input is refused with a one-line message (package only).
"""

import copy
import math

import torch
from scipy.stats import rankdata
from torch import nn

from nnbook.validation import as_array, as_float, as_instance, as_int, as_seed


# --- validation (package only) ---------------------------------------------

def _shape(t):
    return tuple(t.shape)


def validate_inputs(model, X, target):
    """model an nn.Module, X a float tensor (N, D) of finite values, target
    an int tensor (N,) of classes the model scores; returns nothing."""
    as_instance(model, "model", nn.Module, "a torch.nn.Module (a classifier)")
    as_instance(X, "X", torch.Tensor, "a float tensor (N, D)")
    if not X.is_floating_point() or X.dim() != 2 or len(X) == 0:
        raise ValueError(f"X must be a float tensor (N, D) of N ≥ 1 flattened "
                         f"examples, got {str(X.dtype).replace('torch.', '')} "
                         f"{_shape(X)}: for one image use X.reshape(1, -1).float()")
    if not torch.isfinite(X).all():
        raise ValueError("X holds NaN or infinite values: remove or clip them")
    as_instance(target, "target", torch.Tensor, "an int64 tensor (N,) of classes")
    if target.dtype != torch.long or _shape(target) != (len(X),):
        raise ValueError(f"target must be an int64 tensor ({len(X)},), one class "
                         f"per row of X, got {str(target.dtype).replace('torch.', '')}"
                         f" {_shape(target)}: use torch.as_tensor(y).long()")
    with torch.no_grad():
        scores = model(X[:1])
    if scores.dim() != 2:
        raise ValueError(f"the model must return scores (N, classes), got shape "
                         f"{_shape(scores)} for one example")
    if target.min() < 0 or target.max() >= scores.shape[1]:
        raise ValueError(f"target must hold classes from 0 to {scores.shape[1] - 1}, "
                         f"got {int(target.min())} to {int(target.max())}")


def validate_integrated(model, X, target, baseline, steps):
    """validate_inputs, then baseline None or a float tensor shaped like X
    and steps an int ≥ 1."""
    validate_inputs(model, X, target)
    as_int(steps, "steps", minimum=1)
    if baseline is None:
        return
    as_instance(baseline, "baseline", torch.Tensor, "None or a float tensor like X")
    if _shape(baseline) != _shape(X) or not baseline.is_floating_point():
        raise ValueError(f"baseline must be a float tensor of X's shape {_shape(X)}, "
                         f"got {str(baseline.dtype).replace('torch.', '')} "
                         f"{_shape(baseline)}: for one baseline image b use "
                         "b.expand_as(X)")


def validate_occlusion(model, X, target, image_shape, patch, fill):
    """validate_inputs, then image_shape (h, w) of ints ≥ 1 with h · w = D,
    patch an int from 1 to min(h, w) and fill a finite number."""
    validate_inputs(model, X, target)
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 2:
        raise TypeError(f"image_shape must be a pair (height, width), got {image_shape!r}")
    h, w = (as_int(s, "image_shape[i]", minimum=1) for s in image_shape)
    if h * w != X.shape[1]:
        raise ValueError(f"image_shape {h} × {w} = {h * w} pixels does not match "
                         f"the {X.shape[1]} columns of X")
    as_int(patch, "patch", minimum=1, maximum=min(h, w))
    as_float(fill, "fill")


def validate_maps(a, b):
    """a and b as flat float arrays of the same length ≥ 2 (tensors or arrays)."""
    a, b = (t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else t
            for t in (a, b))
    a, b = as_array(a, "a").ravel(), as_array(b, "b").ravel()
    if a.size != b.size or a.size < 2:
        raise ValueError(f"a and b must hold the same number (≥ 2) of values, "
                         f"got {a.size} and {b.size}")
    return a, b


def validate_randomized(model, seed, names):
    """model an nn.Module, seed a valid seed, names None or a list of the
    names of its submodules (as ``model.named_modules()`` gives them)."""
    as_instance(model, "model", nn.Module, "a torch.nn.Module")
    as_seed(seed)
    if names is None:
        return
    if isinstance(names, str) or not isinstance(names, (list, tuple, set)):
        raise TypeError(f"names must be None or a list of submodule names, "
                        f"got {names!r}: for one layer write [{names!r}]")
    known = dict(model.named_modules())
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"model has no submodule {unknown[0]!r}: choose from "
                         f"{', '.join(repr(n) for n in known)}")


# --- gradients (Sections 12.2 and 12.3) ----------------------------------

def input_gradient(model, X, target):
    """∂ score_target / ∂x for each row of X (N, D) → (N, D), signed. The
    scores are summed over the batch before one backward pass: each score
    depends on its own row only, so row n receives its own gradient."""
    validate_inputs(model, X, target)
    model.eval()
    X = X.detach().clone().requires_grad_(True)
    score = model(X).gather(1, target[:, None]).sum()
    (grad,) = torch.autograd.grad(score, X)
    return grad


def saliency(model, X, target):
    """The saliency map |∂ score_target / ∂x| (N, D) of each row of X
    (N, D), the score being the model's output (logit) for target (N,)."""
    return input_gradient(model, X, target).abs()


def integrated_gradients(model, X, target, baseline=None, steps=50):
    """Integrated gradients (N, D): (x − x′) times the mean gradient along
    the straight path from the baseline x′ (zeros by default) to x, by the
    midpoint rule: the gradient at x′ + (k + ½)/steps · (x − x′), k = 0 …
    steps − 1, all in one batch of steps · N rows."""
    validate_integrated(model, X, target, baseline, steps)
    baseline = torch.zeros_like(X) if baseline is None else baseline
    k = torch.arange(steps, dtype=X.dtype, device=X.device)
    alphas = (k + 0.5) / steps                       # the midpoints
    path = baseline + alphas[:, None, None] * (X - baseline)
    grads = input_gradient(model, path.flatten(0, 1),   # (steps · N, D)
                           target.repeat(steps))
    return (X - baseline) * grads.view(steps, *X.shape).mean(dim=0)


# --- occlusion (Section 12.4) ---------------------------------------------

@torch.no_grad()
def target_probability(model, X, target):
    """softmax(model(X))[n, target[n]] for each row of X (N, D) → (N,)."""
    validate_inputs(model, X, target)
    model.eval()
    probs = torch.softmax(model(X), dim=1)
    return probs.gather(1, target[:, None])[:, 0]


def occlusion(model, X, target, image_shape=(8, 8), patch=2, fill=0.0):
    """The occlusion map (N, D): each patch × patch square of the image
    (stride patch; at the edges what is left) is set to ``fill``, and every
    pixel of it gets the drop of the target's probability that caused."""
    validate_occlusion(model, X, target, image_shape, patch, fill)
    h, w = image_shape
    images = X.view(-1, h, w)
    p = target_probability(model, X, target)
    drops = torch.zeros_like(images)
    for i in range(0, h, patch):
        for j in range(0, w, patch):
            hidden = images.clone()
            hidden[:, i:i + patch, j:j + patch] = fill
            q = target_probability(model, hidden.view(len(X), -1),
                                   target)
            drops[:, i:i + patch, j:j + patch] = (p - q)[:, None, None]
    return drops.view(len(X), -1)


# --- sanity checks (Section 12.6) -----------------------------------------

def rank_correlation(a, b):
    """Spearman's rank correlation of two maps (any shapes, flattened, the
    same number of values): Pearson's correlation of their ranks, tied
    values sharing their average rank. NaN when a map is constant."""
    a, b = validate_maps(a, b)
    ra = rankdata(a) - (len(a) + 1) / 2           # centred ranks
    rb = rankdata(b) - (len(b) + 1) / 2
    norm = math.sqrt((ra @ ra) * (rb @ rb))
    return float(ra @ rb / norm) if norm > 0 else math.nan


def redraw(module):
    """Re-draw the parameters that ``module`` holds itself, not those of
    its submodules: by its ``reset_parameters`` if it has one (PyTorch's
    initialisation of a Linear, Conv, …), else each tensor from a normal
    with the tensor's own standard deviation."""
    if hasattr(module, "reset_parameters"):
        module.reset_parameters()
        return
    with torch.no_grad():
        for p in module.parameters(recurse=False):
            std = p.std() if p.numel() > 1 else p.abs().mean()
            p.copy_(torch.randn_like(p) * std)


def randomized_copy(model, seed=0, names=None):
    """A deep copy of model with the parameters of the submodules named in
    ``names`` (None: all of them) re-drawn, as before training, under
    torch.manual_seed(seed); the global random state is restored after,
    and the model itself is not changed."""
    validate_randomized(model, seed, names)
    twin = copy.deepcopy(model)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for name, module in twin.named_modules():
            if names is None or name in names:
                redraw(module)
    return twin
