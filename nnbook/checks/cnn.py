"""Checks for the exercises of Chapter 8, *Convolutions and learned features*."""

import numpy as np
import torch
import torch.nn.functional as F

from nnbook.checks import numbers as _numbers
from nnbook.checks import returned as _returned
from nnbook.checks import CheckFailed, check, choice, close, expect




def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


# Exercise 1 -----------------------------------------------------------------

SIZE_PUZZLE = (
    ("nn.Conv1d(1, 8, kernel_size=5)", (4, 1, 40)),
    ("nn.Conv1d(3, 16, kernel_size=3, stride=2, padding=1)", (2, 3, 40)),
    ("nn.Conv2d(1, 6, kernel_size=5)", (10, 1, 28, 28)),
    ("nn.Conv2d(6, 16, kernel_size=3, stride=2, padding=1)",
     (10, 6, 24, 24)),
    ("nn.MaxPool2d(2)", (10, 16, 7, 7)),
)


def _size_hint(layer, x_shape, got, right):
    """Name the slip that gives ``got`` instead of ``right``, if it is one."""
    from torch import nn
    module = eval(layer, {"nn": nn})  # noqa: S307 - our own constant strings
    if not isinstance(module, (nn.Conv1d, nn.Conv2d)):
        n = x_shape[2]
        if got[2:] == (-(-n // 2),) * 2:
            return "pooling drops a remainder: 7 // 2 = 3"
        return "pooling keeps the channels and divides each side by 2"
    k, s, p = module.kernel_size[0], module.stride[0], module.padding[0]
    n = x_shape[2]
    if got[1] == x_shape[1] and got[1] != right[1]:
        return f"the output has one channel per kernel: {module.out_channels}"
    if got[2] == (n - k) // s + 1 != right[2]:
        return "the padding adds zeros at both ends: n + 2p"
    if got[2] == n + 2 * p - k + 1 != right[2]:
        return "the stride divides the number of positions"
    if got[2] == -(-(n + 2 * p - k) // s) + 1 != right[2]:
        return "the division by the stride rounds down"
    return "use ⌊(n + 2p − k) / s⌋ + 1 on each spatial axis"


@check
def check_output_sizes(shapes):
    """Exercise 1: the output shapes of five layers."""
    from torch import nn
    expect(isinstance(shapes, (list, tuple)),
           f"give a list of {len(SIZE_PUZZLE)} shapes, got "
           f"{type(shapes).__name__}")
    expect(len(shapes) == len(SIZE_PUZZLE), f"give {len(SIZE_PUZZLE)} "
           f"shapes, one per layer, got {len(shapes)}")
    for i, ((layer, x_shape), answer) in enumerate(zip(SIZE_PUZZLE, shapes)):
        expect(isinstance(answer, (tuple, list, torch.Size))
               and all(_is_int(v) for v in answer),
               f"shape {i + 1} should be a tuple of ints such as (4, 8, 36),"
               f" got {answer!r}")
        got = tuple(int(v) for v in answer)
        module = eval(layer, {"nn": nn})  # noqa: S307
        right = tuple(module(torch.zeros(x_shape)).shape)
        if got != right:
            hint = (_size_hint(layer, x_shape, got, right)
                    if len(got) == len(right) else
                    "the batch and channel axes stay in the shape")
            raise CheckFailed(f"shape {i + 1}, {layer} on {x_shape}, should "
                              f"be {right}, got {got}: {hint}")
    return "all five output shapes right"


# Exercise 2 -----------------------------------------------------------------

CONV_PARAMS = 16 * 3 * 5 * 5 + 16
DENSE_PARAMS = (3 * 32 * 32) * (16 * 32 * 32) + 16 * 32 * 32


@check
def check_param_counts(conv_params, dense_params):
    """Exercise 2: the parameters of a convolution and of a dense layer."""
    for name, value in (("conv_params", conv_params),
                        ("dense_params", dense_params)):
        expect(_is_int(value) or (isinstance(value, float)
                                  and value.is_integer()),
               f"{name} should be a whole number, got {value!r}")
    conv, dense = int(conv_params), int(dense_params)
    conv_hints = {
        16 * 3 * 25: "each of the 16 kernels has a bias too",
        16 * 25 + 16: "each kernel has a 5 × 5 patch for each of the 3 "
                      "input channels",
        16 * 25: "each kernel spans the 3 input channels, and has a bias",
        3 * 25 + 3: "there are 16 kernels, one per output channel",
    }
    expect(conv == CONV_PARAMS, f"conv_params should be {CONV_PARAMS}, got "
           f"{conv}" + (f": {conv_hints[conv]}" if conv in conv_hints
                        else ": 16 kernels × (3 × 5 × 5) weights + 16 biases"))
    n_in, n_out = 3 * 32 * 32, 16 * 32 * 32
    dense_hints = {
        n_in * n_out: "each of the 16 384 outputs has a bias too",
        n_in * 16 + 16: "the dense layer must give the same output, "
                        "16 × 32 × 32 values, not 16",
        1024 * n_out + n_out: "the input has 3 channels: 3 × 32 × 32 values",
        n_in * n_out + n_in: "there is one bias per output, not per input",
    }
    expect(dense == DENSE_PARAMS, f"dense_params should be {DENSE_PARAMS}, "
           f"got {dense}" + (f": {dense_hints[dense]}" if dense in
                             dense_hints else
                             ": (3·32·32) × (16·32·32) weights + 16·32·32 "
                             "biases"))
    return (f"{CONV_PARAMS} against {DENSE_PARAMS:,} parameters, "
            f"{DENSE_PARAMS // CONV_PARAMS:,} × as many")


# Exercise 3 -----------------------------------------------------------------

DILATED_CASES = ((1, 1, 12, 1, 3, 1), (2, 3, 20, 4, 3, 2), (1, 2, 30, 3, 5, 3),
                 (3, 1, 9, 2, 1, 4), (1, 1, 7, 1, 3, 3))


@check
def check_conv1d_dilated(conv1d_dilated):
    """Exercise 3: a dilated 1-D convolution, against F.conv1d."""
    rng = np.random.default_rng(8)
    for N, C_in, L, C_out, K, d in DILATED_CASES:
        x = rng.standard_normal((N, C_in, L))
        w = rng.standard_normal((C_out, C_in, K))
        call = f"conv1d_dilated(x {x.shape}, w {w.shape}, dilation={d})"
        got = _numbers(_returned(conv1d_dilated(x, w, d), call))
        right = F.conv1d(torch.from_numpy(x), torch.from_numpy(w),
                         dilation=d).numpy()
        got_shape = np.shape(got)
        if got_shape == (N, C_out, L - K + 1) and d > 1 and K > 1:
            raise CheckFailed(f"{call} should have shape {right.shape}, got "
                              f"{got_shape}: the kernel's taps are "
                              f"{d} apart, so it spans d·(K − 1) + 1 = "
                              f"{d * (K - 1) + 1} inputs")
        flipped = F.conv1d(torch.from_numpy(x), torch.from_numpy(w[..., ::-1]
                                                                 .copy()),
                           dilation=d).numpy()
        if K > 1 and got_shape == right.shape and np.allclose(got, flipped):
            raise CheckFailed(f"{call} flips the kernel: deep learning's "
                              "convolution multiplies x[i + d·k] by w[k]")
        close(got, right, call, rtol=1e-6, atol=1e-8)
    return "the same as F.conv1d(x, w, dilation=d) in five cases"


# Exercise 4 -----------------------------------------------------------------

FIELD_CASES = (([5, 3, 3], [2, 2, 2], 17), ([3, 3, 3], [1, 1, 1], 7),
               ([3], [2], 3), ([3, 2, 3], [1, 2, 1], 8),
               ([7, 3, 3, 3], [2, 2, 1, 1], 27), ([1, 1], [4, 4], 1))


@check
def check_receptive_field(receptive_field):
    """Exercise 4: the receptive field of a stack of layers."""
    for kernels, strides, right in FIELD_CASES:
        call = f"receptive_field({kernels}, {strides})"
        got = _returned(receptive_field(list(kernels), list(strides)), call)
        expect(_is_int(got) or (isinstance(got, float) and got.is_integer()),
               f"{call} should be a whole number, got {got!r}")
        got = int(got)
        if got == right:
            continue
        no_strides = 1 + sum(k - 1 for k in kernels)
        own = 1 + sum((k - 1) * int(np.prod(strides[:i + 1]))
                      for i, k in enumerate(kernels))
        hint = ("the strides are ignored: a layer after a stride of s "
                "steps s inputs at a time" if got == no_strides else
                "a layer's own stride does not widen what it sees; only the "
                "strides of the layers below it do" if got == own else
                "the kernels are not simply added: each adds k − 1" if
                got == sum(kernels) else
                "start from 1 input and add (k − 1) × the product of the "
                "strides below, layer by layer")
        raise CheckFailed(f"{call} should be {right}, got {got}: {hint}")
    return "right for all six stacks, pooling layers included"


# Exercise 5 -----------------------------------------------------------------

POOL_CASES = ((1, 1, 10, 3, 1), (2, 3, 12, 2, 2), (1, 2, 11, 3, 2),
              (2, 1, 9, 4, 3), (1, 1, 5, 5, 1))


@check
def check_max_pool1d(max_pool1d):
    """Exercise 5: max pooling in 1-D with a stride, against F.max_pool1d."""
    rng = np.random.default_rng(5)
    for N, C, L, size, stride in POOL_CASES:
        x = rng.standard_normal((N, C, L))
        call = f"max_pool1d(x {x.shape}, size={size}, stride={stride})"
        got = _numbers(_returned(max_pool1d(x, size, stride), call))
        right = F.max_pool1d(torch.from_numpy(x), size, stride).numpy()
        if np.shape(got) == right.shape:
            mean = F.avg_pool1d(torch.from_numpy(x), size, stride).numpy()
            if np.allclose(got, mean):
                raise CheckFailed(f"{call} takes the mean of each window: "
                                  "max pooling keeps its largest value")
        elif np.shape(got) == (N, C, L // size) and stride != size:
            raise CheckFailed(f"{call} should have shape {right.shape}, got "
                              f"{np.shape(got)}: the windows start stride "
                              f"= {stride} apart, not size = {size}")
        close(got, right, call)
    return "the same as F.max_pool1d in five cases, overlapping ones too"


# Exercise 6 -----------------------------------------------------------------

RUNS = (("CNN", False), ("CNN", True), ("MLP", False), ("MLP", True))


def _run_name(key):
    return f"the {key[0]} on the {'shuffled' if key[1] else 'original'} pixels"


def _run(digits_accuracy, make_cnn, make_mlp, perm):
    """The four test accuracies, each model from seed 0."""
    acc = {}
    for name, shuffled in RUNS:
        torch.manual_seed(0)
        make = make_cnn if name == "CNN" else make_mlp
        columns = np.asarray(perm) if shuffled else np.arange(64)
        call = f"digits_accuracy({name}, {'perm' if shuffled else 'columns'})"
        value = _numbers(_returned(digits_accuracy(make(), columns), call))
        expect(np.ndim(value) == 0 and np.isfinite(value), f"{call} should "
               f"return one accuracy in percent, got {value!r}")
        acc[name, shuffled] = float(value)
    return acc


@check
def check_shuffled_digits(digits_accuracy, make_cnn, make_mlp, perm):
    """Exercise 6: train both models on the original and shuffled pixels."""
    acc = _run(digits_accuracy, make_cnn, make_mlp, perm)
    expect(max(acc.values()) > 1, "give the accuracies in percent, not as "
           "fractions: multiply by 100")
    for key, value in acc.items():
        hint = ("were the test images shuffled with the same permutation "
                "as the training images?" if key[1] else
                "did the model train: fit with an optimizer on "
                "model.parameters(), 15 epochs?")
        expect(value >= 85, f"{_run_name(key)} reaches only {value:.1f} %: "
               f"{hint}")
    expect(acc["CNN", True] < acc["CNN", False], "the shuffled CNN should "
           f"lose accuracy, got {acc['CNN', False]:.1f} % then "
           f"{acc['CNN', True]:.1f} %: are the training images taken in "
           "the order `columns`?")
    return (f"CNN {acc['CNN', False]:.1f} → {acc['CNN', True]:.1f} %, "
            f"MLP {acc['MLP', False]:.1f} → {acc['MLP', True]:.1f} %")


# Exercise 7 -----------------------------------------------------------------

SHUFFLE_OPTIONS = {
    "A": "the shuffle destroys information in the images",
    "B": "the CNN's kernels assume neighbours belong together",
    "C": "the CNN has fewer parameters, so it cannot memorise",
    "D": "the MLP is deeper, and depth protects it",
}
SHUFFLE_FEEDBACK = {
    "A": "a fixed permutation can be undone, so nothing is lost; the MLP "
         "shows it, with the same accuracy on both versions",
    "C": "the CNN's parameter count is the same on both versions of the "
         "data, and it learned the original images well with it",
    "D": "the CNN has three layers of weights, the MLP two: depth is not "
         "what differs, but how the first layers are connected",
}


@check
def check_shuffle_answer(answer):
    """Exercise 7: why the shuffle hurts the CNN and not the MLP."""
    choice(answer, "B", SHUFFLE_OPTIONS, SHUFFLE_FEEDBACK)
    return "B: the CNN's prior fits ordered inputs, not shuffled ones"
