"""PyTorch data sets and loaders for arrays (Chapter 6 on).

The ``Dataset`` classes live here, in a module, and not in a notebook: a
``DataLoader`` with ``num_workers > 0`` starts worker processes, and on macOS
and Windows those import the class by its module name, which a notebook's
``__main__`` does not have. ``batch_loader`` (Section 8.6) hands the data
set whole batches of indices, much faster than ``array_loader`` for training.
"""

import time

import numpy as np
import torch

from nnbook.validation import as_array, as_int, as_seed


def _as_float32(values, name):
    array = as_array(values, name, dtype=None)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    return array.astype(np.float32, copy=False)


def _as_targets(values, n):
    """Labels: integer classes → int64; float targets → float32."""
    array = as_array(values, "y", dtype=None)
    if len(array) != n:
        raise ValueError(f"y must hold one label per sample of X ({n}), "
                         f"got {len(array)}")
    if array.dtype.kind in "iub":
        return array.astype(np.int64, copy=False)
    if array.dtype.kind != "f":
        raise TypeError(f"y must hold numbers, got dtype {array.dtype}")
    return array.astype(np.float32, copy=False)


class ArrayDataset(torch.utils.data.Dataset):
    """Samples ``(x, y)`` from two arrays of equal length.

    X: (n, ...) numbers, stored as a float32 tensor (Apple's MPS has no
    float64). y: (n,) int class labels, stored as int64, or float
    targets (n, ...), stored as float32.
    """

    def __init__(self, X, y):
        X = _as_float32(X, "X")
        self.X = torch.from_numpy(np.ascontiguousarray(X))
        self.y = torch.from_numpy(
            np.ascontiguousarray(_as_targets(y, len(X))))

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


def array_loader(X, y, batch_size=32, shuffle=False, seed=0,
                 num_workers=0):
    """A ``DataLoader`` over ``ArrayDataset(X, y)`` in batches of
    ``batch_size``.

    shuffle: a new order each epoch, drawn from a generator seeded with
    ``seed`` (the same orders on every run). Returns the DataLoader.
    """
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    num_workers = as_int(num_workers, "num_workers", minimum=0)
    dataset = ArrayDataset(X, y)
    generator = torch.Generator().manual_seed(as_seed(seed))
    return torch.utils.data.DataLoader(
        dataset, batch_size=batch_size, shuffle=bool(shuffle),
        generator=generator, num_workers=num_workers)


def batch_loader(X, y, batch_size=100, seed=0):
    """Shuffled batches, each fetched with one indexing operation."""
    data = ArrayDataset(X, y)
    order = torch.utils.data.RandomSampler(
        data, generator=torch.Generator().manual_seed(seed))
    batches = torch.utils.data.BatchSampler(order, batch_size, False)
    return torch.utils.data.DataLoader(data, sampler=batches,
                                       batch_size=None)


class SlowDataset(ArrayDataset):
    """An :class:`ArrayDataset` whose every sample takes ``seconds`` to
    fetch: a stand-in for reading and decoding a file from disk
    (Chapter 13 uses it to show what ``DataLoader`` workers buy)."""

    def __init__(self, X, y, seconds=0.002):
        super().__init__(X, y)
        if not seconds >= 0:
            raise ValueError(f"seconds must be ≥ 0, got {seconds}")
        self.seconds = float(seconds)

    def __getitem__(self, i):
        time.sleep(self.seconds)    # waiting on storage, not computing
        return super().__getitem__(i)
