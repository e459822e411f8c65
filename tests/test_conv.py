"""nnbook.conv computes what PyTorch's conv1d, conv2d and max_pool2d compute, on many random
shapes, strides and paddings, and refuses shapes that do not fit with a one-line message."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnbook.conv import conv1d, conv2d, conv_output_size, max_pool2d

RNG = np.random.default_rng(0)


def random_case(dims, rng):
    """x, w, b, stride, padding of a valid random convolution."""
    N, C_in, C_out = rng.integers(1, 4), rng.integers(1, 5), rng.integers(1, 5)
    kernel = tuple(int(k) for k in rng.integers(1, 6, size=dims))
    padding = int(rng.integers(0, 3))
    stride = int(rng.integers(1, 4))
    # an input at least as large as the kernel once padded
    size = tuple(int(max(k - 2 * padding, 1) + rng.integers(0, 9)) for k in kernel)
    x = rng.standard_normal((N, C_in, *size))
    w = rng.standard_normal((C_out, C_in, *kernel))
    b = rng.standard_normal(C_out) if rng.random() < 0.7 else None
    return x, w, b, stride, padding


def torch_conv(fn, x, w, b, stride, padding):
    t = lambda a: None if a is None else torch.from_numpy(a)
    return fn(t(x), t(w), t(b), stride=stride, padding=padding).numpy()


@pytest.mark.parametrize("seed", range(60))
def test_conv1d_matches_torch(seed):
    x, w, b, stride, padding = random_case(1, np.random.default_rng(seed))
    ours = conv1d(x, w, b, stride=stride, padding=padding)
    theirs = torch_conv(F.conv1d, x, w, b, stride, padding)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)
    assert ours.shape[2] == conv_output_size(x.shape[2], w.shape[2], stride, padding)


@pytest.mark.parametrize("seed", range(60))
def test_conv2d_matches_torch(seed):
    x, w, b, stride, padding = random_case(2, np.random.default_rng(1000 + seed))
    ours = conv2d(x, w, b, stride=stride, padding=padding)
    theirs = torch_conv(F.conv2d, x, w, b, stride, padding)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)
    assert ours.shape[2:] == tuple(conv_output_size(n, k, stride, padding)
                                   for n, k in zip(x.shape[2:], w.shape[2:]))


def test_float32_and_lists_are_accepted():
    x = RNG.standard_normal((2, 3, 9, 7)).astype(np.float32)
    w = RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)
    theirs = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1).numpy()
    np.testing.assert_allclose(conv2d(x, w, padding=1), theirs, rtol=1e-4, atol=1e-4)
    assert np.allclose(conv1d([[[1.0, 2.0, 3.0]]], [[[1.0, 1.0]]]), [[[3.0, 5.0]]])


@pytest.mark.parametrize("seed", range(20))
def test_max_pool2d_matches_torch(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 4))
    x = rng.standard_normal((2, 3, size + int(rng.integers(0, 8)), size + int(rng.integers(0, 8))))
    theirs = F.max_pool2d(torch.from_numpy(x), size).numpy()
    np.testing.assert_array_equal(max_pool2d(x, size), theirs)


@pytest.mark.parametrize("call, error, message", [
    (lambda: conv1d(np.zeros((2, 5)), np.zeros((1, 1, 3))), ValueError,
     "x must have shape (N, C_in, L), got (2, 5)"),
    (lambda: conv2d(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3))), ValueError,
     "w must have shape (C_out, C_in, K, K), got (1, 1, 3)"),
    (lambda: conv1d(np.zeros((1, 2, 8)), np.zeros((4, 3, 3))), ValueError,
     "w has 3 input channels (w.shape[1]) but x has 2 (x.shape[1]): they must be equal"),
    (lambda: conv2d(np.zeros((1, 1, 4, 9)), np.zeros((1, 1, 5, 3)), padding=0), ValueError,
     "the kernel (5 along H) is larger than the padded input (4 + 2×0 = 4): "
     "use a smaller kernel or more padding"),
    (lambda: conv1d(np.zeros((1, 1, 8)), np.zeros((4, 1, 3)), b=np.zeros(3)), ValueError,
     "b must have shape (4,), got (3,)"),
    (lambda: conv1d(np.zeros((1, 1, 8)), np.zeros((1, 1, 3)), stride=0), ValueError,
     "stride must be an int ≥ 1, got 0"),
    (lambda: conv2d(np.zeros((1, 1, 8, 8)), np.zeros((1, 1, 3, 3)), padding=1.5), TypeError,
     "padding must be an int ≥ 0, got 1.5"),
    (lambda: max_pool2d(np.zeros((1, 1, 3, 3)), 4), ValueError,
     "size must be an int from 1 to 3, got 4"),
])
def test_shapes_that_do_not_fit_are_refused_in_one_line(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_output_size_formula():
    assert conv_output_size(28, 3) == 26
    assert conv_output_size(28, 3, padding=1) == 28
    assert conv_output_size(40, 5, stride=2, padding=1) == 19
    assert conv_output_size(7, 3, stride=2) == 3
