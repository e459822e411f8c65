"""Data-parallel training with ``DistributedDataParallel`` (Chapter 14).

One script, launched once per worker by ``torchrun``; each worker trains a copy of the
model on its own shard of every batch, and after each backward pass the workers average
their gradients (an all-reduce), so every copy takes the same step. The same code runs
with the gloo backend on CPUs and with NCCL on GPUs.

Run it::

    torchrun --standalone --nproc_per_node=2 -m nnbook.ddp --steps 50
    python -m nnbook.ddp --check

``--check`` is the proof that data parallelism changes nothing but the speed: it trains
2 workers × batch 32 and 1 worker × batch 64 for the same steps from the same start and
prints, as its last line, ``max |w_ddp - w_single| = <number>``; it exits with status 1
when that number is above ``TOLERANCE``. Nothing happens on import.
"""

import argparse
import os
import socket
import sys
import tempfile

import torch
import torch.distributed as dist
from torch import nn

from nnbook.validation import as_int, as_positive

TOLERANCE = 1e-5            # float32 sums in another order differ by ~1e-7
NUM_EXAMPLES = 1024         # the synthetic regression task's size
NUM_INPUTS = 20
GLOBAL_BATCH = 64


def make_data(num_examples=NUM_EXAMPLES, seed=0):
    """A fixed regression task: X (n, 20) float32, y (n, 1) float32 = a noisy tanh of a projection."""
    num_examples = as_int(num_examples, "num_examples", minimum=1)
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(num_examples, NUM_INPUTS, generator=gen)
    w = torch.randn(NUM_INPUTS, 1, generator=gen)
    y = torch.tanh(X @ w / NUM_INPUTS ** 0.5) + 0.1 * torch.randn(num_examples, 1, generator=gen)
    return X, y


def make_model(seed=0):
    """The small MLP both runs train: 20 → 32 → 1, its weights drawn from ``seed``."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(NUM_INPUTS, 32), nn.Tanh(), nn.Linear(32, 1))


def shard_loader(X, y, batch_size, rank=0, world_size=1, seed=0, epoch=0):
    """Batches of ``batch_size`` for worker ``rank`` of ``world_size``, via ``DistributedSampler``.

    The sampler shuffles all indices with ``seed + epoch`` and gives worker r every
    ``world_size``-th of them from position r, so at each step the workers' batches together
    are one global batch of ``batch_size * world_size`` examples, the same on every run.
    """
    data = torch.utils.data.TensorDataset(X, y)
    sampler = torch.utils.data.distributed.DistributedSampler(
        data, num_replicas=world_size, rank=rank, shuffle=True, seed=seed, drop_last=True)
    sampler.set_epoch(epoch)
    return torch.utils.data.DataLoader(data, batch_size=batch_size, sampler=sampler)


def train(model, loader, num_steps, lr=0.1):
    """``num_steps`` steps of SGD with mean-squared error over ``loader`` (cycled); returns the losses."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses, step = [], 0
    while step < num_steps:
        for X, y in loader:
            loss = nn.functional.mse_loss(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            step += 1
            if step == num_steps:
                break
    return losses


def flat_weights(model):
    """All parameters of ``model`` in one 1-D float64 tensor (a copy)."""
    return torch.cat([p.detach().double().flatten() for p in model.parameters()])


def backend():
    """NCCL when every worker has a GPU, else gloo (CPUs, and Apple's MPS)."""
    return "nccl" if torch.cuda.is_available() and dist.is_nccl_available() else "gloo"


def free_port():
    """A TCP port on loopback that is free now, so that two runs at once do not collide."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gather_lines(line):
    """Every worker's ``line``, in rank order, on every worker (so rank 0 prints them all)."""
    lines = [None] * dist.get_world_size()
    dist.all_gather_object(lines, line)
    return lines


def worker(num_steps, lr, seed, out=None):
    """One worker's run under ``torchrun`` (or ``--check``): DDP training.

    Rank 0 prints every worker's summary, gathered in rank order; with
    ``out`` it saves the trained weights there. Returns this worker's
    losses.
    """
    dist.init_process_group(backend())
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device("cpu")
    if backend() == "nccl":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    X, y = make_data(seed=seed)
    model = nn.parallel.DistributedDataParallel(make_model(seed).to(device))
    batch_size = GLOBAL_BATCH // world
    loader = shard_loader(X.to(device), y.to(device), batch_size, rank,
                          world, seed)
    losses = train(model, loader, num_steps, lr)
    lines = gather_lines(f"worker {rank} of {world}: {len(loader.sampler)} "
                         f"examples, last loss {losses[-1]:.3f}")
    if rank == 0:
        print(f"{backend()} backend, {world} workers, "
              f"batch {batch_size} each")
        print("\n".join(lines))
        if out is not None:
            torch.save(model.module.state_dict(), out)
    dist.destroy_process_group()
    return losses


def _spawned(rank, world_size, port, num_steps, lr, seed, out):
    """The entry point of one worker started by :func:`check` (torchrun sets these itself)."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
                      RANK=str(rank), WORLD_SIZE=str(world_size), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)   # two workers share the cores: one thread each
    worker(num_steps, lr, seed, out)


def check(num_steps=50, lr=0.1, seed=0, world_size=2):
    """Train ``world_size`` workers × batch 64/world_size with DDP, then 1 worker × batch 64, from the
    same start for the same steps; return the largest difference between their weights (a float)."""
    num_steps = as_int(num_steps, "num_steps", minimum=1)
    world_size = as_int(world_size, "world_size", minimum=1)
    if GLOBAL_BATCH % world_size:
        raise ValueError(f"world_size must divide the global batch {GLOBAL_BATCH}, got {world_size}")
    lr = as_positive(lr, "lr")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "ddp.pt")
        torch.multiprocessing.spawn(_spawned, nprocs=world_size,
                                    args=(world_size, free_port(), num_steps, lr, seed, out))
        ddp = make_model(seed)
        ddp.load_state_dict(torch.load(out))
    X, y = make_data(seed=seed)
    single = make_model(seed)
    train(single, shard_loader(X, y, GLOBAL_BATCH, 0, 1, seed), num_steps, lr)
    return (flat_weights(ddp) - flat_weights(single)).abs().max().item()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnbook.ddp", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="compare 2 workers × batch 32 with 1 worker × batch 64")
    parser.add_argument("--steps", type=int, default=50, help="training steps (default 50)")
    parser.add_argument("--lr", type=float, default=0.1, help="SGD learning rate (default 0.1)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.check:
        gap = check(args.steps, args.lr, args.seed)
        print(f"max |w_ddp - w_single| = {gap:.3g}")
        return 0 if gap <= TOLERANCE else 1
    if "RANK" not in os.environ:
        print("launch the workers with torchrun, for example\n"
              "  torchrun --standalone --nproc_per_node=2 -m nnbook.ddp --steps 50\n"
              "or compare with one worker: python -m nnbook.ddp --check", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    worker(args.steps, args.lr, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
