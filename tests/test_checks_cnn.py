"""Every Chapter 8 check accepts the right answer (written more than one way), says "not done
yet" for the placeholder, and rejects plausible wrong answers, each with the one-line message
that names its mistake (never the check's own failure)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from checking import NONE_RETURNED, assert_wrong, line
from nnbook.checks import NOT_DONE
from nnbook.checks import cnn as checks


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 3: complete conv1d_dilated()")


# Exercise 1 -----------------------------------------------------------------

RIGHT_SHAPES = [(4, 8, 36), (2, 16, 20), (10, 6, 24, 24), (10, 16, 12, 12), (10, 16, 3, 3)]
SHAPES_OK = "✔ all five output shapes right"


def with_shape(i, shape):
    shapes = list(RIGHT_SHAPES)
    shapes[i] = shape
    return shapes


def test_output_sizes_right():
    assert line(checks.check_output_sizes, RIGHT_SHAPES) == SHAPES_OK
    assert line(checks.check_output_sizes, tuple(list(s) for s in RIGHT_SHAPES)) == SHAPES_OK
    assert line(checks.check_output_sizes, [torch.Size(s) for s in RIGHT_SHAPES]) == SHAPES_OK
    assert line(checks.check_output_sizes, [tuple(np.int64(v) for v in s)
                                            for s in RIGHT_SHAPES]) == SHAPES_OK


def test_output_sizes_not_done():
    assert line(checks.check_output_sizes, ...) == NOT_DONE
    assert line(checks.check_output_sizes, [..., (2, 16, 20)]) == NOT_DONE


STRIDED = ("✘ shape 2, nn.Conv1d(3, 16, kernel_size=3, stride=2, padding=1) on (2, 3, 40), "
           "should be (2, 16, 20), got ")


@pytest.mark.parametrize("answer, message", [
    (with_shape(1, (2, 16, 40)), STRIDED + "(2, 16, 40): the stride divides the number of positions"),
    (with_shape(1, (2, 16, 19)), STRIDED + "(2, 16, 19): the padding adds zeros at both ends: n + 2p"),
    (with_shape(1, (2, 3, 20)), STRIDED + "(2, 3, 20): the output has one channel per kernel: 16"),
    (with_shape(3, (10, 16, 11, 11)), "got (10, 16, 11, 11): the padding adds zeros at both ends"),
    (with_shape(4, (10, 16, 4, 4)), "✘ shape 5, nn.MaxPool2d(2) on (10, 16, 7, 7), should be "
     "(10, 16, 3, 3), got (10, 16, 4, 4): pooling drops a remainder: 7 // 2 = 3"),
    (with_shape(0, (8, 36)), "got (8, 36): the batch and channel axes stay in the shape"),
    (with_shape(0, "4, 8, 36"), "✘ shape 1 should be a tuple of ints such as (4, 8, 36), got '4, 8, 36'"),
    (RIGHT_SHAPES[:4], "✘ give 5 shapes, one per layer, got 4"),
])
def test_output_sizes_wrong(answer, message):
    assert_wrong(line(checks.check_output_sizes, answer), message)


# Exercise 2 -----------------------------------------------------------------

CONV, DENSE = 16 * 3 * 25 + 16, 3072 * 16384 + 16384


def test_param_counts_right():
    for conv, dense in [(CONV, DENSE), (float(CONV), float(DENSE)), (np.int64(CONV), np.int64(DENSE))]:
        assert line(checks.check_param_counts, conv, dense) == \
            "✔ 1216 against 50,348,032 parameters, 41,404 × as many"
    assert line(checks.check_param_counts, ..., DENSE) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ((1200, DENSE), "✘ conv_params should be 1216, got 1200: each of the 16 kernels has a bias too"),
    ((416, DENSE), "✘ conv_params should be 1216, got 416: each kernel has a 5 × 5 patch for each "
     "of the 3 input channels"),
    ((CONV, 3072 * 16384), "✘ dense_params should be 50348032, got 50331648: each of the 16 384 "
     "outputs has a bias too"),
    ((CONV, 3072 * 16 + 16), "got 49168: the dense layer must give the same output, 16 × 32 × 32 "
     "values, not 16"),
    ((CONV, 1024 * 16384 + 16384), "got 16793600: the input has 3 channels: 3 × 32 × 32 values"),
    ((1216.5, DENSE), "✘ conv_params should be a whole number, got 1216.5"),
])
def test_param_counts_wrong(answer, message):
    assert_wrong(line(checks.check_param_counts, *answer), message)


# Exercise 3 -----------------------------------------------------------------

def windows(x, K, step, dilation):
    L_out = x.shape[2] - dilation * (K - 1) if step == dilation else x.shape[2] - K + 1
    return np.arange(L_out)[:, None] + step * np.arange(K)


def dilated(x, w, d):
    return np.einsum("ncik,ock->noi", x[:, :, windows(x, w.shape[2], d, d)], w)


def undilated(x, w, d):
    return np.einsum("ncik,ock->noi", x[:, :, windows(x, w.shape[2], 1, 1)], w)


def flipped(x, w, d):
    return dilated(x, w[..., ::-1], d)


def first_channel_only(x, w, d):
    return dilated(x[:, :1], w[:, :1], d)


def test_conv1d_dilated_right():
    ok = "✔ the same as F.conv1d(x, w, dilation=d) in five cases"
    assert line(checks.check_conv1d_dilated, dilated) == ok
    as_tensor = lambda x, w, d: F.conv1d(torch.from_numpy(x), torch.from_numpy(w), dilation=d)
    assert line(checks.check_conv1d_dilated, as_tensor) == ok
    assert line(checks.check_conv1d_dilated, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("wrong, message", [
    (undilated, "✘ conv1d_dilated(x (2, 3, 20), w (4, 3, 3), dilation=2) should have shape "
     "(2, 4, 16), got (2, 4, 18): the kernel's taps are 2 apart, so it spans d·(K − 1) + 1 = 5 "
     "inputs"),
    (flipped, "✘ conv1d_dilated(x (1, 1, 12), w (1, 1, 3), dilation=1) flips the kernel: deep "
     "learning's convolution multiplies x[i + d·k] by w[k]"),
    (first_channel_only, "✘ conv1d_dilated(x (2, 3, 20), w (4, 3, 3), dilation=2) should be a "
     "(2, 4, 16) array"),
    (lambda x, w, d: None, "✘ conv1d_dilated(x (1, 1, 12), w (1, 1, 3), dilation=1) " + NONE_RETURNED),
])
def test_conv1d_dilated_wrong(wrong, message):
    assert_wrong(line(checks.check_conv1d_dilated, wrong), message)


# Exercise 4 -----------------------------------------------------------------

def field(kernels, strides):
    r, jump = 1, 1
    for k, s in zip(kernels, strides):
        r, jump = r + (k - 1) * jump, jump * s
    return r


def field_own_stride(kernels, strides):
    r, jump = 1, 1
    for k, s in zip(kernels, strides):
        jump *= s
        r += (k - 1) * jump
    return r


def test_receptive_field_right():
    ok = "✔ right for all six stacks, pooling layers included"
    assert line(checks.check_receptive_field, field) == ok
    assert line(checks.check_receptive_field, lambda k, s: float(field(k, s))) == ok
    assert line(checks.check_receptive_field, lambda k, s: np.int64(field(k, s))) == ok


FIELD = "✘ receptive_field([5, 3, 3], [2, 2, 2]) should be 17, got "


@pytest.mark.parametrize("wrong, message", [
    (lambda k, s: 1 + sum(x - 1 for x in k), FIELD + "9: the strides are ignored"),
    (field_own_stride, FIELD + "33: a layer's own stride does not widen what it sees"),
    (lambda k, s: sum(k), FIELD + "11: the kernels are not simply added: each adds k − 1"),
    (lambda k, s: None, "✘ receptive_field([5, 3, 3], [2, 2, 2]) " + NONE_RETURNED),
    (lambda k, s: [17], "✘ receptive_field([5, 3, 3], [2, 2, 2]) should be a whole number, got [17]"),
])
def test_receptive_field_wrong(wrong, message):
    assert_wrong(line(checks.check_receptive_field, wrong), message)


# Exercise 5 -----------------------------------------------------------------

def sliding(x, size, stride):
    L_out = (x.shape[2] - size) // stride + 1
    return x[:, :, stride * np.arange(L_out)[:, None] + np.arange(size)]


def test_max_pool1d_right():
    ok = "✔ the same as F.max_pool1d in five cases, overlapping ones too"
    assert line(checks.check_max_pool1d, lambda x, s, t: sliding(x, s, t).max(axis=3)) == ok
    as_tensor = lambda x, s, t: F.max_pool1d(torch.from_numpy(x), s, t)
    assert line(checks.check_max_pool1d, as_tensor) == ok


def non_overlapping(x, size, stride):
    n = x.shape[2] // size
    return x[:, :, :n * size].reshape(*x.shape[:2], n, size).max(axis=3)


POOL = "✘ max_pool1d(x (1, 1, 10), size=3, stride=1) "


@pytest.mark.parametrize("wrong, message", [
    (non_overlapping, POOL + "should have shape (1, 1, 8), got (1, 1, 3): the windows start "
     "stride = 1 apart, not size = 3"),
    (lambda x, s, t: sliding(x, s, t).mean(axis=3), POOL + "takes the mean of each window: max "
     "pooling keeps its largest value"),
    (lambda x, s, t: sliding(x, s, t).min(axis=3), POOL + "should be [[[-0.248, 0.42"),
    (lambda x, s, t: None, POOL + NONE_RETURNED),
])
def test_max_pool1d_wrong(wrong, message):
    assert_wrong(line(checks.check_max_pool1d, wrong), message)


# Exercise 6 -----------------------------------------------------------------

PERM = np.random.default_rng(1).permutation(64)
GOOD = {("CNN", False): 98.7, ("CNN", True): 95.3, ("MLP", False): 97.6, ("MLP", True): 97.8}


def make_cnn():
    return nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Flatten(), nn.Linear(64, 10))


def make_mlp():
    return nn.Sequential(nn.Linear(64, 10))


def fake(table, shuffle_test=True):
    """A digits_accuracy that returns the accuracies of ``table`` without training."""
    def digits_accuracy(model, columns):
        name = "CNN" if isinstance(model[0], nn.Unflatten) else "MLP"
        return table[name, bool(np.any(np.asarray(columns) != np.arange(64)))]
    return digits_accuracy


def run(digits_accuracy):
    return line(checks.check_shuffled_digits, digits_accuracy, make_cnn, make_mlp, PERM)


def test_shuffled_digits_right():
    ok = "✔ CNN 98.7 → 95.3 %, MLP 97.6 → 97.8 %"
    assert run(fake(GOOD)) == ok
    assert run(fake({k: np.float64(v) for k, v in GOOD.items()})) == ok
    assert run(fake({k: torch.tensor(v) for k, v in GOOD.items()})) == ok
    assert run(stub).startswith(NOT_DONE)


@pytest.mark.parametrize("answer, message", [
    (fake({k: v / 100 for k, v in GOOD.items()}),
     "✘ give the accuracies in percent, not as fractions: multiply by 100"),
    (fake({**GOOD, ("CNN", True): 12.0}), "✘ the CNN on the shuffled pixels reaches only 12.0 %: "
     "were the test images shuffled with the same permutation as the training images?"),
    (fake({**GOOD, ("MLP", False): 10.0}), "✘ the MLP on the original pixels reaches only 10.0 %: "
     "did the model train"),
    (fake({**GOOD, ("CNN", True): 98.9}), "✘ the shuffled CNN should lose accuracy, got 98.7 % "
     "then 98.9 %: are the training images taken in the order `columns`?"),
    (lambda model, columns: None, "✘ digits_accuracy(CNN, columns) " + NONE_RETURNED),
    (lambda model, columns: [98.7, 95.3], "✘ digits_accuracy(CNN, columns) should return one "
     "accuracy in percent, got [98.7, 95.3]"),
])
def test_shuffled_digits_wrong(answer, message):
    assert_wrong(run(answer), message)


# Exercise 7 -----------------------------------------------------------------

def test_shuffle_answer_right():
    ok = "✔ B: the CNN's prior fits ordered inputs, not shuffled ones"
    assert line(checks.check_shuffle_answer, "B") == ok
    assert line(checks.check_shuffle_answer, " b ") == ok
    assert line(checks.check_shuffle_answer, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ("A", "✘ A ('the shuffle destroys information in the images') is not it: a fixed permutation "
     "can be undone, so nothing is lost"),
    ("c", "✘ C ('the CNN has fewer parameters, so it cannot memorise') is not it: the CNN's "
     "parameter count is the same on both versions"),
    ("D", "✘ D ('the MLP is deeper, and depth protects it') is not it: the CNN has three layers of "
     "weights, the MLP two"),
    ("E", "✘ answer with one of the letters A, B, C, D (a str), got 'E'"),
])
def test_shuffle_answer_wrong(answer, message):
    assert_wrong(line(checks.check_shuffle_answer, answer), message)
