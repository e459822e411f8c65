"""Reproducibility: one call makes a notebook's random numbers the same on every run."""

import os
import random
import sys

import numpy as np

from nnbook.validation import as_seed


def set_seed(seed=0):
    """Seed Python, numpy and, once it is imported, torch (with deterministic kernels).

    seed: int from 0 to 2**32 − 1. Torch is seeded only when the notebook has already
    imported it, so the chapters that never use torch don't pay seconds to load it: import
    torch first, then call ``set_seed`` (a test checks every notebook does). Kernels with no deterministic version
    warn instead of failing (``warn_only``), so CUDA code still runs.
    """
    seed = as_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    # cuBLAS refuses deterministic mode unless this is set before its first use.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch = sys.modules.get("torch")
    if torch is None:
        return seed
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    return seed
