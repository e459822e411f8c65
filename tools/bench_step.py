"""Time one training step of the numpy MLP (nnbook.scratch) against the same network in
PyTorch on the CPU: same layer sizes, same initial weights, same batch, plain SGD.

A step is forward, loss, backward and the weight update. Each side is timed by
nnbook.timing.measure (a warm-up, then several timed repeats; the median repeat's time per
step is reported), with the ratio numpy / PyTorch (below 1: numpy is faster). Not a test: timings depend on
the machine and on what else it is doing.

Usage: python tools/bench_step.py                       # the Chapter 5 network and two larger ones
       python tools/bench_step.py --sizes 64 128 10 --batch-size 32 --threads 2
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # nnbook, when run from a checkout

from nnbook.scratch import MLP  # noqa: E402
from nnbook.timing import measure  # noqa: E402

DEFAULT_CONFIGS = [([64, 128, 10], 32), ([64, 512, 10], 256), ([784, 512, 512, 10], 256)]


def torch_twin(model):
    """The same network as ``model`` in PyTorch (float32), with a copy of its weights."""
    import torch

    layers = []
    for W, b in zip(model.weights, model.biases):
        linear = torch.nn.Linear(*W.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))  # PyTorch stores (d_out, d_in)
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def bench(sizes, batch_size, lr=0.01, steps=None):
    """(numpy seconds per step, PyTorch seconds per step) for one network and batch size."""
    import torch

    rng = np.random.default_rng(0)
    X = rng.random((batch_size, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch_size)
    model = MLP(sizes, seed=0)
    net = torch_twin(model)
    optimiser = torch.optim.SGD(net.parameters(), lr=lr)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)

    def torch_step():
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(net(X_t), y_t).backward()
        optimiser.step()

    flops = 6 * batch_size * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    steps = steps or max(10, min(500, int(2e9 / flops)))  # about the same time for every size
    numpy_s = measure(lambda: model.step(X, y, lr), number=steps, warmup=20).median
    return numpy_s, measure(torch_step, number=steps, warmup=20).median


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="layer sizes, e.g. 64 128 10")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for PyTorch (numpy follows OMP_NUM_THREADS)")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    configs = [(args.sizes, args.batch_size)] if args.sizes else DEFAULT_CONFIGS
    print(f"one SGD step, float32, PyTorch {torch.__version__} on {args.threads} CPU thread(s), numpy {np.__version__}")
    print(f"{'layer sizes':<22}{'batch':>6}{'numpy µs':>11}{'PyTorch µs':>12}{'ratio':>7}")
    for sizes, batch_size in configs:
        numpy_s, torch_s = bench(sizes, batch_size)
        print(f"{str(sizes):<22}{batch_size:>6}{numpy_s * 1e6:>11.1f}{torch_s * 1e6:>12.1f}{numpy_s / torch_s:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
