"""Reproducibility: one call makes a notebook's random numbers the same on every run."""

import os
import random
import sys

import numpy as np


def set_seed(seed=0):
    """Seed Python, numpy and, once it is imported, torch (with deterministic kernels).

    seed: int ≥ 0. Torch is seeded only when the notebook has already imported it, so the
    chapters that never use torch don't pay seconds to load it: import torch first, then call
    ``set_seed`` (a test checks every notebook does). Kernels with no deterministic version
    warn instead of failing (``warn_only``), so CUDA code still runs.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be ≥ 0, got {seed}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    # cuBLAS refuses deterministic mode unless this is set before its first use.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch = sys.modules.get("torch")
    if torch is None:
        return int(seed)
    torch.manual_seed(int(seed))
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    return int(seed)
