"""Checks for the exercises of Chapter 14, *Scaling out*."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data.distributed import DistributedSampler

from nnbook.checks import numbers as _numbers
from nnbook.checks import returned as _returned
from nnbook.checks import CheckFailed, check, choice, close, expect


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _as_number(value, name):
    """A numeric answer (int, float, 0-d array or one-element tensor) as a float."""
    value = _numbers(value)
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} should be a number, got {type(value).__name__}") from None
    expect(array.size == 1, f"{name} should be one number, got shape {array.shape}")
    return float(array.reshape(()))


def _near(got, want, rtol):
    return math.isclose(got, want, rel_tol=rtol, abs_tol=1e-12)


def _call(args):
    """Keyword arguments as they read in a call: ``a=1, b=2``."""
    return ", ".join(f"{k}={v!r}" for k, v in args.items())


# Exercise 1 -----------------------------------------------------------------

GPT2_PARAMS = 124_439_808     # GPT-2 small
RECALL_WORKERS = 8
RECALL_TOL = 5e-3             # answers to 3 significant digits pass


def _grad_bytes_slips(params):
    return ((params, "a float32 takes 4 bytes: multiply the number of parameters by 4"),
            (32 * params, "32 is the bits of a float32, and a byte has 8: 4 bytes each"),
            (2 * params, "2 bytes is a bf16 or fp16 number; these gradients are float32, "
                         "4 bytes each"),
            (8 * params, "8 bytes is a float64; these gradients are float32, 4 bytes each"))


def _sent_bytes_slips(grad, p):
    return (((p - 1) / p * grad, "that is only the reduce-scatter; the all-gather sends as "
                                 "much again: 2(p − 1)/p of the gradient"),
            (2 * (p - 1) * grad, "each of the 2(p − 1) steps sends one chunk, 1/p of the "
                                 "gradient, not all of it"),
            ((p - 1) * grad, "(p − 1) whole gradients is what a worker sends when it gives its "
                             "gradient to every other; the ring sends 2(p − 1) chunks of 1/p"),
            (2 * grad, "2(p − 1)/p tends to 2 as p grows, but at p = 8 it is 1.75"),
            (2 * (p - 1) / p * grad / 4, "count the gradient's bytes, 4 per parameter, "
                                         "not its numbers"))


@check
def check_gradient_bytes(grad_bytes, sent_bytes):
    """Exercise 1: GPT-2's gradient in bytes, and what a ring all-reduce sends per worker."""
    grad, p = 4 * GPT2_PARAMS, RECALL_WORKERS
    got = _as_number(grad_bytes, "grad_bytes")
    if not _near(got, grad, RECALL_TOL):
        for slip, why in _grad_bytes_slips(GPT2_PARAMS):
            expect(not _near(got, slip, RECALL_TOL),
                   f"grad_bytes should be {grad:.4g}, got {got:.4g}: {why}")
        close(got, grad, "grad_bytes", rtol=RECALL_TOL)
    sent = 2 * (p - 1) / p * grad
    got = _as_number(sent_bytes, "sent_bytes")
    if not _near(got, sent, RECALL_TOL):
        for slip, why in _sent_bytes_slips(grad, p):
            expect(not _near(got, slip, RECALL_TOL),
                   f"sent_bytes should be {sent:.4g}, got {got:.4g}: {why}")
        close(got, sent, "sent_bytes", rtol=RECALL_TOL)
    return (f"{grad / 1e6:.0f} MB of gradients; each of {p} workers sends "
            f"{sent / 1e6:.0f} MB a step")


# Exercise 2 -----------------------------------------------------------------

LR_CASES = (  # step, base_lr, base_batch, batch, warmup_steps
    (0, 0.1, 256, 8192, 10), (5, 0.1, 256, 8192, 10), (9, 0.1, 256, 8192, 10),
    (10, 0.1, 256, 8192, 10), (1000, 0.1, 256, 8192, 10), (3, 0.1, 256, 256, 10),
    (0, 0.02, 64, 512, 0), (7, 0.5, 1024, 2048, 100))
LR_NAMES = ("step", "base_lr", "base_batch", "batch", "warmup_steps")


def _scaled_lr(step, base_lr, base_batch, batch, warmup_steps, *, start=None, scale=None,
               warmup=True, reach=0):
    """The linear scaling rule with linear warm-up; the keywords make the plausible slips."""
    target = base_lr * (scale or (lambda k: k))(batch / base_batch)
    if not warmup or step >= warmup_steps - reach:
        return target
    first = base_lr if start is None else start
    return first + (target - first) * step / (warmup_steps - reach)


def _lr_slips():
    return (({"start": 0.0}, "the warm-up of Goyal and colleagues starts from base_lr, not "
                             "from 0"),
            ({"scale": math.sqrt}, "the linear rule multiplies base_lr by batch / base_batch, "
                                   "not by its square root"),
            ({"scale": lambda k: 1 / k}, "multiply by batch / base_batch: a larger batch takes "
                                         "a larger rate"),
            ({"warmup": False}, "during the first warmup_steps steps the rate climbs linearly "
                                "from base_lr to its target"),
            ({"reach": 1}, "the rate reaches its target at step warmup_steps, not one step "
                           "earlier"))


@check
def check_scaled_lr(scaled_lr):
    """Exercise 2: the linear scaling rule with a linear warm-up."""
    for case in LR_CASES:
        args = dict(zip(LR_NAMES, case))
        call = f"scaled_lr({_call(args)})"
        got = _as_number(_returned(scaled_lr(**args), call), call)
        want = _scaled_lr(*case)
        if _near(got, want, 1e-6):
            continue
        for slip, why in _lr_slips():
            if case[-1] > slip.get("reach", 0) and _near(got, _scaled_lr(*case, **slip), 1e-6):
                raise CheckFailed(f"{call} should be {want:.4g}, got {got:.4g}: {why}")
        raise CheckFailed(f"{call} should be {want:.4g}, got {got:.4g}")
    step, base, base_batch, batch, warmup = LR_CASES[3]
    return (f"right in {len(LR_CASES)} cases; batch {batch} = {batch // base_batch} × "
            f"{base_batch} reaches {_scaled_lr(*LR_CASES[3]):.3g} at step {warmup}")


# Exercise 3 -----------------------------------------------------------------

RING_CASES = ((4, (10,)), (3, (2, 3)), (2, (5,)), (1, (4,)), (5, (13,)))


def ring_inputs(num_workers, shape, seed=0):
    """``num_workers`` float arrays of ``shape`` holding small integers (their sums are exact)."""
    rng = np.random.default_rng(seed)
    return [rng.integers(-9, 10, size=shape).astype(float) for _ in range(num_workers)]


def _replay(arrays, steps):
    """Run a log of ring steps on copies of ``arrays``: the first p − 1 steps add the chunk
    sent to the receiver's own, the last p − 1 replace it. Returns the workers' arrays."""
    p = len(arrays)
    chunks = [[c.copy() for c in np.array_split(a.ravel(), p)] for a in arrays]
    for s, step in enumerate(steps):
        before = [[c.copy() for c in worker] for worker in chunks]
        for src, dst, c in step:
            sent = before[src][c]
            chunks[dst][c] = chunks[dst][c] + sent if s < p - 1 else sent
    return [np.concatenate(worker).reshape(arrays[0].shape) for worker in chunks]


def _as_results(results, p, shape, call):
    """The learner's results as p float arrays of ``shape``, or a message."""
    results = _numbers(results)
    if isinstance(results, np.ndarray) and results.ndim == len(shape) + 1:
        results = list(results)   # one stacked array (p, *shape) will do
    expect(isinstance(results, (list, tuple)) and len(results) == p,
           f"{call} should return a list of {p} arrays, one per worker, first in its pair, "
           f"got {type(results).__name__}" + (f" of {len(results)}"
                                              if isinstance(results, (list, tuple)) else ""))
    arrays = []
    for rank, result in enumerate(results):
        array = np.asarray(_numbers(result), dtype=float)
        expect(array.shape == shape, f"{call}: worker {rank}'s result should have shape "
                                     f"{shape}, the inputs' shape, got {array.shape}")
        arrays.append(array)
    return arrays


def _check_ring_values(arrays, results, call):
    total = sum(arrays)
    p = len(arrays)
    for rank, result in enumerate(results):
        if np.allclose(result, total):
            continue
        expect(not np.allclose(result, total / p), f"{call}: worker {rank} holds the average; "
               "the all-reduce here sums (DDP divides by p afterwards)")
        right = [k for k, (a, b) in enumerate(zip(np.array_split(result.ravel(), p),
                                                  np.array_split(total.ravel(), p)))
                 if a.size and np.allclose(a, b)]
        expect(not right, f"{call}: worker {rank} holds the sum only in chunk "
               f"{right[0] if len(right) == 1 else right}: after the reduce-scatter each "
               "worker holds one summed chunk; the all-gather passes them round")
        close(result, total, f"{call}: worker {rank}'s result")


def _check_ring_steps(steps, p, call):
    """The log is 2(p − 1) steps of p transfers (sender, receiver, chunk), round a ring."""
    expect(isinstance(steps, (list, tuple)), f"{call} should return (results, steps), with "
           f"steps a list of steps, got {type(steps).__name__}")
    expect(len(steps) == 2 * (p - 1), f"{call} made {len(steps)} steps; a ring all-reduce "
           f"takes 2(p − 1) = {2 * (p - 1)}: p − 1 to reduce-scatter, p − 1 to all-gather")
    directions = set()
    for s, step in enumerate(steps):
        moves = [tuple(move) for move in step]
        expect(len(moves) == p and all(len(m) == 3 and all(_is_int(v) for v in m)
                                       for m in moves),
               f"{call}: step {s} should list {p} transfers (sender, receiver, chunk), one "
               f"per worker, as 3 ints each, got {step!r}"[:300])
        expect(all(0 <= v < p for m in moves for v in m),
               f"{call}: step {s} names a worker or chunk outside 0 … {p - 1}: {step!r}")
        senders = [m[0] for m in moves]
        expect(len(set(senders)) == p, f"{call}: in step {s} some worker sends twice; in "
               "every step each worker sends exactly one chunk")
        for src, dst, _ in moves:
            expect((dst - src) % p in (1, p - 1) and p > 1, f"{call}: in step {s} worker {src} "
                   f"sends to worker {dst}: in a ring, worker i sends only to worker i + 1 "
                   "(mod p)")
            directions.add((dst - src) % p)
    expect(len(directions) <= 1, f"{call}: the chunks go round the ring both ways; send "
           "always to worker i + 1 (mod p)")


@check
def check_ring_all_reduce(ring_all_reduce):
    """Exercise 3: a ring all-reduce on simulated workers, with the log of what each sent."""
    for p, shape in RING_CASES:
        arrays = ring_inputs(p, shape)
        kept = [a.copy() for a in arrays]
        call = f"ring_all_reduce({p} arrays of shape {shape})"
        answer = _returned(ring_all_reduce(arrays), call)
        expect(all(np.array_equal(a, b) for a, b in zip(arrays, kept)),
               f"{call} changed its input arrays: work on copies (np.array_split gives views)")
        expect(isinstance(answer, tuple) and len(answer) == 2,
               f"{call} should return a pair (results, steps), got {type(answer).__name__}")
        results = _as_results(answer[0], p, shape, call)
        _check_ring_values(arrays, results, call)
        _check_ring_steps(answer[1], p, call)
        replayed = _replay(arrays, [[tuple(m) for m in step] for step in answer[1]])
        wrong = [r for r, a in enumerate(replayed) if not np.allclose(a, sum(arrays))]
        expect(not wrong, f"{call}: replaying your steps leaves worker {wrong[0] if wrong else 0}"
               " without the sum: in reduce-scatter step s, worker i sends chunk (i − s) mod p, "
               "which worker i + 1 adds to its own; the all-gather passes the summed chunks on")
    return (f"the sum on all workers, 2(p − 1) steps; at p = 4 each sent "
            f"{2 * 3 / 4:.2g} arrays")


# Exercise 4 -----------------------------------------------------------------

SHARD_NAMES = ("n", "num_replicas", "shuffle", "seed", "epoch", "drop_last")
SHARD_CASES = (  # every rank of each is tried
    (10, 3, False, 0, 0, False), (10, 3, True, 0, 0, False), (12, 4, True, 0, 0, False),
    (10, 3, True, 0, 0, True), (2, 5, True, 0, 0, False), (7, 2, True, 3, 2, False),
    (2, 5, False, 0, 0, True), (1, 1, True, 0, 0, False), (11, 4, False, 0, 0, True))


def sampler_indices(n, num_replicas, rank, shuffle=True, seed=0, epoch=0, drop_last=False):
    """What PyTorch's DistributedSampler gives worker ``rank``: a list of ints."""
    sampler = DistributedSampler(range(n), num_replicas=num_replicas, rank=rank,
                                 shuffle=shuffle, seed=seed, drop_last=drop_last)
    sampler.set_epoch(epoch)
    return list(sampler)


def _order(n, shuffle, seed):
    if not shuffle:
        return list(range(n))
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()


def _shard_hint(got, args):
    """Why ``got`` differs from the sampler's list, when a plausible slip explains it."""
    n, replicas, rank = args["n"], args["num_replicas"], args["rank"]
    want = sampler_indices(**args)
    if len(got) != len(want):
        if args["drop_last"]:
            return (f"with drop_last=True the tail is dropped: each worker gets "
                    f"n // num_replicas = {len(want)}")
        hint = (f"each worker gets ceil(n / num_replicas) = {len(want)}: the list is padded by "
                "repeating its first indices until num_replicas divides its length")
        return hint + (" (here the padding is longer than the list: repeat it several times)"
                       if n < replicas * len(want) - n else "")
    order = _order(n, args["shuffle"], args["seed"] + args["epoch"])
    padded = (order * replicas)[:replicas * len(want)]
    if got == padded[rank * len(want):(rank + 1) * len(want)]:
        return ("the sampler deals the indices out in turn: worker r gets positions r, "
                "r + num_replicas, r + 2 num_replicas, …, not a contiguous block")
    if args["epoch"] and got == sampler_indices(**{**args, "epoch": 0}):
        return "the shuffle is seeded with seed + epoch, so that each epoch has its own order"
    if not args["shuffle"] and got == sampler_indices(**{**args, "shuffle": True}):
        return "with shuffle=False the indices stay in their order, 0, 1, …, n − 1"
    if args["shuffle"] and all(0 <= i < n for i in got):
        return ("the order differs: the sampler shuffles with torch.randperm(n, generator=g), "
                "g = torch.Generator() seeded with g.manual_seed(seed + epoch)")
    return ""


def _as_index_list(value, call):
    value = _numbers(_returned(value, call))
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        array = np.asarray([None])
    expect(array.ndim == 1 and (array.size == 0 or array.dtype.kind in "iuf"),
           f"{call} should return a list of ints, got {type(value).__name__}")
    expect(np.all(array == np.round(array)), f"{call} should return whole indices, got "
                                             f"{array.tolist()}"[:200])
    return [int(i) for i in array]


@check
def check_shard_indices(shard_indices):
    """Exercise 4: the indices DistributedSampler gives each worker, padded or dropped."""
    for case in SHARD_CASES:
        for rank in range(case[1]):
            args = dict(zip(SHARD_NAMES, case))
            args = {"n": args.pop("n"), "num_replicas": args.pop("num_replicas"),
                    "rank": rank, **args}
            call = f"shard_indices({_call(args)})"
            got = _as_index_list(shard_indices(**args), call)
            want = sampler_indices(**args)
            if got != want:
                hint = _shard_hint(got, args)
                raise CheckFailed(f"{call} should be {want}, got {got}"[:260]
                                  + (f": {hint}" if hint else ""))
    shards = [sampler_indices(10, 3, r) for r in range(3)]
    return (f"as DistributedSampler in {len(SHARD_CASES)} cases; 10 examples on 3 "
            f"workers: {sum(map(len, shards)) - 10} repeated")


# Exercise 5 -----------------------------------------------------------------

ACCUM_SPLITS = ((5, 3, 8), (1, 7, 2, 6), (16,), (4, 4, 4, 4))
ACCUM_LR, ACCUM_MOMENTUM = 0.5, 0.9


def accumulation_setup(seed=0):
    """A float64 MLP 6 → 8 → 3, its SGD optimizer with momentum, and for each split of
    ACCUM_SPLITS a batch X (16, 6) float64, y (16,) int64 (3 classes)."""
    gen = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=gen, dtype=torch.float64))
    optimizer = torch.optim.SGD(model.parameters(), lr=ACCUM_LR, momentum=ACCUM_MOMENTUM)
    data = [(torch.randn(16, 6, generator=gen, dtype=torch.float64),
             torch.randint(0, 3, (16,), generator=gen)) for _ in ACCUM_SPLITS]
    return model, optimizer, data


def _micro(X, y, sizes):
    bounds = np.cumsum((0,) + tuple(sizes))
    return [(X[a:b], y[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def _accumulate(model, optimizer, micro_batches, loss_fn, slip=None):
    """One step on the micro-batches (the right one, or a plausible slip); the batch's loss."""
    total = sum(len(y) for _, y in micro_batches)
    if slip != "no zero":
        optimizer.zero_grad()
    loss_sum = 0.0
    for X, y in micro_batches:
        if slip == "zero each":
            optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        weight = {"count": 1 / len(micro_batches), "sum": 1.0}.get(slip, len(y) / total)
        (weight * loss).backward()
        loss_sum += loss.item() * len(y)
        if slip == "step each":
            optimizer.step()
    if slip != "step each":
        optimizer.step()
    return loss_sum / total


ACCUM_SLIPS = {
    "count": "you divided each micro-batch's loss by the number of micro-batches, which is "
             "right only when they are equal in size; weight each by its size / the total",
    "sum": "the gradients are summed over the micro-batches, each the gradient of a mean: "
           "scale each micro-batch's loss by its size / the total",
    "no zero": "the gradients of the call before are still there: call optimizer.zero_grad() "
               "before the micro-batches",
    "zero each": "only the last micro-batch's gradient is left: zero the gradients once, "
                 "before the loop",
    "step each": "the optimizer should step once, after all the micro-batches: stepping after "
                 "each is training with small batches",
}


def _trajectory(step_fn):
    """Run ``step_fn`` on every split of ACCUM_SPLITS from the same start: (weights, losses)."""
    model, optimizer, data = accumulation_setup()
    weights, losses = [], []
    for sizes, (X, y) in zip(ACCUM_SPLITS, data):
        losses.append(step_fn(model, optimizer, _micro(X, y, sizes), F.cross_entropy))
        weights.append(torch.cat([p.detach().flatten() for p in model.parameters()]).clone())
    return weights, losses


def _sizes(sizes):
    return " + ".join(map(str, sizes))


@check
def check_accumulated_step(accumulated_step):
    """Exercise 5: one optimizer step on micro-batches equals the step on the whole batch."""
    want_w, want_loss = _trajectory(_accumulate)
    got_w, got_loss = _trajectory(accumulated_step)
    slips = {s: _trajectory(lambda *a, s=s: _accumulate(*a, slip=s))[0] for s in ACCUM_SLIPS}
    for call, sizes in enumerate(ACCUM_SPLITS):
        where = f"accumulated_step on micro-batches of {_sizes(sizes)} (call {call + 1})"
        if not torch.allclose(got_w[call], want_w[call], rtol=1e-9, atol=1e-12):
            for slip, why in ACCUM_SLIPS.items():
                expect(not torch.allclose(got_w[call], slips[slip][call], rtol=1e-9, atol=1e-12),
                       f"{where} takes another step than the whole batch: {why}")
            before = want_w[call - 1] if call else _trajectory(lambda *a: 0.0)[0][0]
            expect(not torch.equal(got_w[call], before), f"{where} left the weights as they "
                   "were: call optimizer.step() once, after the micro-batches")
            raise CheckFailed(f"{where} takes another step than the whole batch")
        loss = _as_number(_returned(got_loss[call], "accumulated_step"),
                          f"the loss {where} returned")
        expect(_near(loss, want_loss[call], 1e-7), f"{where} should return the whole batch's "
               f"loss, {want_loss[call]:.4g}, got {loss:.4g}: weight each micro-batch's loss "
               "by its size / the total")
    return (f"the whole batch's step, for micro-batches of {_sizes(ACCUM_SPLITS[0])} "
            "and 3 more splits")


# Exercise 6 -----------------------------------------------------------------

COST_NAMES = ("p", "compute_s", "grad_bytes", "bandwidth", "latency")
RESNET_BYTES = 4 * 25_557_032          # ResNet-50's float32 gradient
SCENARIO = dict(compute_s=0.2, grad_bytes=RESNET_BYTES, bandwidth=12.5e9, latency=50e-6)
COST_CASES = ((1, 0.2, RESNET_BYTES, 12.5e9, 50e-6), (2, 0.2, RESNET_BYTES, 12.5e9, 50e-6),
              (8, 0.2, RESNET_BYTES, 12.5e9, 50e-6), (64, 0.2, RESNET_BYTES, 12.5e9, 50e-6),
              (4, 1.0, 4e6, 1e9, 0.0), (16, 0.0, 4e6, 1e9, 1e-3), (3, 0.5, 0.0, 1e9, 1e-4))
MAX_WORKERS = 64


def _step_time(p, compute_s, grad_bytes, bandwidth, latency, *, share=True, rounds=2,
               per_message=True, chunk=True, send=None):
    """The cost model's time of one step; the keywords make the plausible slips."""
    send = p - 1 if send is None else send(p)
    size = grad_bytes / p if chunk else grad_bytes
    messages = rounds * send
    return (compute_s / p if share else compute_s) + messages * size / bandwidth \
        + (messages if per_message else 1) * latency


STEP_SLIPS = (
    ({"share": False}, "the p workers share the global batch's compute: compute_s / p"),
    ({"rounds": 1}, "a ring all-reduce takes 2(p − 1) steps, p − 1 to reduce-scatter and "
                    "p − 1 to all-gather"),
    ({"per_message": False}, "each of the 2(p − 1) steps sends a message, and each message "
                             "pays the latency"),
    ({"chunk": False}, "each step sends one chunk, grad_bytes / p, not the whole gradient"),
    ({"send": lambda p: p}, "2p steps where 2(p − 1) are meant: with one worker there is "
                            "nothing to send"),
)


def _check_step_time(step_time):
    for case in COST_CASES:
        args = dict(zip(COST_NAMES, case))
        call = f"step_time({_call(args)})"
        got = _as_number(_returned(step_time(**args), call), call)
        want = _step_time(*case)
        if _near(got, want, 1e-6):
            continue
        for slip, why in STEP_SLIPS:
            expect(not _near(got, _step_time(*case, **slip), 1e-6),
                   f"{call} should be {want:.4g} s, got {got:.4g}: {why}")
        raise CheckFailed(f"{call} should be {want:.4g} s, got {got:.4g}")


def _best():
    times = [_step_time(p, **SCENARIO) for p in range(1, MAX_WORKERS + 1)]
    best = int(np.argmin(times)) + 1
    return best, times[0] / times[best - 1]


@check
def check_best_workers(step_time, best_p, speedup):
    """Exercise 6: the step time of the cost model, its best number of workers and speed-up."""
    _check_step_time(step_time)
    right_p, right_speedup = _best()
    best_p = _numbers(best_p)
    if isinstance(best_p, np.ndarray) and best_p.size == 1:
        best_p = best_p.item()    # a tensor or array holding one number
    expect(_is_int(best_p) or (isinstance(best_p, float) and best_p.is_integer()),
           f"best_p should be a whole number of workers, got {best_p!r}")
    expect(best_p != right_p - 1, f"best_p should be {right_p}, got {best_p}: p starts at 1, "
           "so the position of the smallest time in a list is p − 1")
    expect(best_p == right_p, f"best_p should be {right_p}, got {best_p}: the p in 1 … "
           f"{MAX_WORKERS} with the smallest step_time")
    got = _as_number(speedup, "speedup")
    expect(not _near(got, 1 / right_speedup, 1e-2), f"speedup should be {right_speedup:.3g}, "
           f"got {got:.3g}: the time with one worker divided by the time with {right_p}")
    expect(_near(got, right_speedup, 1e-2), f"speedup should be {right_speedup:.3g}, got "
           f"{got:.3g}: step_time(1, …) / step_time({right_p}, …)")
    return (f"{right_p} workers are fastest, {right_speedup:.3g} × one; "
            f"{100 * right_speedup / right_p:.0f} % of them used")


# Exercise 7 -----------------------------------------------------------------

SCALE_OPTIONS = {
    "A": "ResNet-50, 0.2 s a step, on 8 GPUs of one server",
    "B": "GPT-2 small, a week on one GPU, on 8 GPUs of one server",
    "C": "the chapter's 705-parameter MLP on 8 machines over Ethernet",
    "D": "a week-long run on 2 machines, with accumulation for the batch",
}
SCALE_FEEDBACK = {
    "A": "its compute dwarfs the all-reduce of 100 MB over NVLink: Exercise 6's model, with a "
         "faster link, gives close to 8 ×",
    "B": "a week of compute against half a gigabyte a step over NVLink: scaling out is what "
         "such runs are for",
    "D": "with the same global batch, two machines halve the compute of each step; the "
         "accumulation keeps the batch as it was",
}


@check
def check_scale_out_answer(answer):
    """Exercise 7: the run that should not be spread over more workers."""
    choice(answer, "C", SCALE_OPTIONS, SCALE_FEEDBACK)
    return ("C: 14 messages of 50 µs a step, 7 × the whole 0.1 ms step on one "
            "worker")
