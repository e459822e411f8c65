"""Which device to compute on: the fastest one present, so no chapter hard-codes one."""


def best_device():
    """The fastest device present, as a ``torch.device``: CUDA, else
    Apple's MPS, else the CPU."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
