"""Convolution and pooling in numpy, with PyTorch's layouts (Chapter 8).

``conv1d`` and ``conv2d`` compute what ``torch.nn.functional.conv1d`` and
``conv2d`` compute (a cross-correlation: the kernel is not flipped), for
any stride and zero padding; ``max_pool2d`` what ``F.max_pool2d(x, size)``
does. ``conv_output_size`` is the length of the output along one axis.
Shapes that do not fit are refused with a one-line message (package only).
``MNIST1DCNN`` is Section 8.4's network for MNIST-1D, which Chapter 10 trains again.
"""

import numpy as np
from torch import nn

from nnbook.validation import as_array, as_int


def validate_conv(x, w, b, stride, padding, dims):
    """x, w and b as float arrays whose shapes fit a ``dims``-D
    convolution with this stride and padding; else a one-line error."""
    names = ("L",) if dims == 1 else ("H", "W")
    x = as_array(x, "x", shape=("N", "C_in", *names))
    w = as_array(w, "w", shape=("C_out", "C_in", *("K" * dims)))
    stride = as_int(stride, "stride", minimum=1)
    padding = as_int(padding, "padding", minimum=0)
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"w has {w.shape[1]} input channels (w.shape[1]) "
                         f"but x has {x.shape[1]} (x.shape[1]): they must "
                         "be equal")
    for axis, name in enumerate(names, start=2):
        size = x.shape[axis] + 2 * padding
        if w.shape[axis] > size:
            raise ValueError(
                f"the kernel ({w.shape[axis]} along {name}) is larger than "
                f"the padded input ({x.shape[axis]} + 2×{padding} = {size}):"
                " use a smaller kernel or more padding")
    if b is not None:
        b = as_array(b, "b", shape=(w.shape[0],))
    return x, w, b, stride, padding


def validate_pool(x, size):
    """x as a float array (N, C, H, W) and size as an int from 1 to the
    smaller of H and W; else a one-line error."""
    x = as_array(x, "x", shape=("N", "C", "H", "W"))
    return x, as_int(size, "size", minimum=1, maximum=min(x.shape[2:]))


def conv_output_size(n, k, stride=1, padding=0):
    """Length of a convolution's output along one axis, for an input of
    length n, a kernel of size k, a stride and a zero padding."""
    return (n + 2 * padding - k) // stride + 1


def conv1d(x, w, b=None, stride=1, padding=0):
    """1-D convolution of x (N, C_in, L) with kernels w (C_out, C_in, K)
    and biases b (C_out,) or None. Returns (N, C_out, L_out)."""
    x, w, b, stride, padding = validate_conv(x, w, b, stride, padding, 1)
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    L_out = conv_output_size(x.shape[2], w.shape[2], stride)
    # idx[i, k] = stride * i + k: the input positions output i looks at
    idx = stride * np.arange(L_out)[:, None] + np.arange(w.shape[2])
    patches = x[:, :, idx]                          # (N, C_in, L_out, K)
    out = np.einsum("ncik,ock->noi", patches, w)
    return out if b is None else out + b[None, :, None]


def conv2d(x, w, b=None, stride=1, padding=0):
    """2-D convolution of x (N, C_in, H, W) with kernels
    w (C_out, C_in, K_h, K_w) and biases b (C_out,) or None.
    Returns (N, C_out, H_out, W_out)."""
    x, w, b, stride, padding = validate_conv(x, w, b, stride, padding, 2)
    p = padding
    x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    K_h, K_w = w.shape[2:]
    H_out = conv_output_size(x.shape[2], K_h, stride)
    W_out = conv_output_size(x.shape[3], K_w, stride)
    rows = stride * np.arange(H_out)[:, None] + np.arange(K_h)
    cols = stride * np.arange(W_out)[:, None] + np.arange(K_w)
    # patches[n, c, i, j, k, l] = x[n, c, stride*i + k, stride*j + l]
    patches = x[:, :, rows[:, None, :, None], cols[None, :, None, :]]
    out = np.einsum("ncijkl,ockl->noij", patches, w)
    return out if b is None else out + b[None, :, None, None]


def max_pool2d(x, size):
    """Max pooling of x (N, C, H, W) over non-overlapping size × size
    windows (a remainder at the edges is dropped).
    Returns (N, C, H // size, W // size)."""
    x, size = validate_pool(x, size)
    N, C, H, W = x.shape
    h, w = H // size, W // size
    windows = x[:, :, :h * size, :w * size].reshape(N, C, h, size, w, size)
    return windows.max(axis=(3, 5))


class MNIST1DCNN(nn.Module):
    """Greydanus and Kobak's 1-D CNN: (N, 40) signals → (N, 10) scores."""

    def __init__(self, channels=25):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, channels, 5, stride=2, padding=1), nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1),
            nn.ReLU())
        self.output = nn.Linear(channels * 5, 10)

    def forward(self, X):                     # X: (N, 40)
        return self.output(self.features(X[:, None, :]).flatten(1))
