"""Every Chapter 14 check accepts the right answer (written more than one way), says "not done
yet" for the placeholder, rejects plausible wrong answers, each with the one-line message that
names its mistake, and owns up when its own code fails (never blaming the learner)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from checking import NONE_RETURNED, assert_check_failed, assert_wrong, line
from nnbook.checks import NOT_DONE
from nnbook.checks import distributed as checks


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 3: complete ring_all_reduce()")


# Exercise 1 -----------------------------------------------------------------

P = 124_439_808
GRAD, SENT = 4 * P, 2 * 7 / 8 * 4 * P
BYTES_OK = "✔ 498 MB of gradients; each of 8 workers sends 871 MB a step"


def test_gradient_bytes_right():
    assert line(checks.check_gradient_bytes, GRAD, SENT) == BYTES_OK
    assert line(checks.check_gradient_bytes, 4.98e8, 8.71e8) == BYTES_OK
    assert line(checks.check_gradient_bytes, np.int64(GRAD), torch.tensor(SENT)) == BYTES_OK


def test_gradient_bytes_not_done():
    assert line(checks.check_gradient_bytes, ..., ...) == NOT_DONE
    assert line(checks.check_gradient_bytes, GRAD, ...) == NOT_DONE


GRAD_WRONG = "✘ grad_bytes should be 4.978e+08, got "
SENT_WRONG = "✘ sent_bytes should be 8.711e+08, got "


@pytest.mark.parametrize("grad, sent, message", [
    (P, SENT, GRAD_WRONG + "1.244e+08: a float32 takes 4 bytes: multiply the number of "
     "parameters by 4"),
    (32 * P, SENT, GRAD_WRONG + "3.982e+09: 32 is the bits of a float32, and a byte has 8: "
     "4 bytes each"),
    (2 * P, SENT, GRAD_WRONG + "2.489e+08: 2 bytes is a bf16 or fp16 number"),
    (8 * P, SENT, GRAD_WRONG + "9.955e+08: 8 bytes is a float64"),
    (GRAD, 7 / 8 * GRAD, SENT_WRONG + "4.355e+08: that is only the reduce-scatter; the "
     "all-gather sends as much again"),
    (GRAD, 14 * GRAD, SENT_WRONG + "6.969e+09: each of the 2(p − 1) steps sends one chunk, "
     "1/p of the gradient, not all of it"),
    (GRAD, 7 * GRAD, SENT_WRONG + "3.484e+09: (p − 1) whole gradients is what a worker sends "
     "when it gives its gradient to every other"),
    (GRAD, 2 * GRAD, SENT_WRONG + "9.955e+08: 2(p − 1)/p tends to 2 as p grows, but at p = 8 "
     "it is 1.75"),
    (GRAD, 1.75 * P, SENT_WRONG + "2.178e+08: count the gradient's bytes, 4 per parameter"),
    (GRAD, 1e9, SENT_WRONG[2:] + "1e+09"),
    ("498 MB", SENT, "✘ grad_bytes should be a number, got str"),
    (GRAD, [SENT, SENT], "✘ sent_bytes should be one number, got shape (2,)"),
])
def test_gradient_bytes_wrong(grad, sent, message):
    assert_wrong(line(checks.check_gradient_bytes, grad, sent), message)


def test_gradient_bytes_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "GPT2_PARAMS", "many")
    assert_check_failed(line(checks.check_gradient_bytes, GRAD, SENT))


# Exercise 2 -----------------------------------------------------------------

def scaled_lr(step, base_lr, base_batch, batch, warmup_steps):
    target = base_lr * batch / base_batch
    if step >= warmup_steps:
        return target
    return base_lr + (target - base_lr) * step / warmup_steps


def scaled_lr_as_tensor(step, base_lr, base_batch, batch, warmup_steps):
    k = batch / base_batch
    fraction = min(step / warmup_steps, 1.0) if warmup_steps else 1.0
    return torch.tensor(base_lr * (1 + (k - 1) * fraction), dtype=torch.float64)


LR_OK = "✔ right in 8 cases; batch 8192 = 32 × 256 reaches 3.2 at step 10"


def test_scaled_lr_right():
    assert line(checks.check_scaled_lr, scaled_lr) == LR_OK
    assert line(checks.check_scaled_lr, scaled_lr_as_tensor) == LR_OK


def test_scaled_lr_not_done():
    assert line(checks.check_scaled_lr, ...) == NOT_DONE
    assert line(checks.check_scaled_lr, stub).startswith(NOT_DONE)


CALL = "scaled_lr(step=5, base_lr=0.1, base_batch=256, batch=8192, warmup_steps=10)"


def from_zero(step, base_lr, base_batch, batch, warmup_steps):
    target = base_lr * batch / base_batch
    return target if step >= warmup_steps else target * step / warmup_steps


def square_root(step, base_lr, base_batch, batch, warmup_steps):
    target = base_lr * math.sqrt(batch / base_batch)
    if step >= warmup_steps:
        return target
    return base_lr + (target - base_lr) * step / warmup_steps


def inverted(step, base_lr, base_batch, batch, warmup_steps):
    target = base_lr * base_batch / batch
    if step >= warmup_steps:
        return target
    return base_lr + (target - base_lr) * step / warmup_steps


def off_by_one(step, base_lr, base_batch, batch, warmup_steps):
    target = base_lr * batch / base_batch
    if step >= warmup_steps - 1:
        return target
    return base_lr + (target - base_lr) * step / (warmup_steps - 1)


def divides_by_warmup(step, base_lr, base_batch, batch, warmup_steps):
    target = base_lr * batch / base_batch
    return base_lr + (target - base_lr) * min(step / warmup_steps, 1)


@pytest.mark.parametrize("wrong, message", [
    (from_zero, "✘ scaled_lr(step=0, base_lr=0.1, base_batch=256, batch=8192, warmup_steps=10) "
     "should be 0.1, got 0: the warm-up of Goyal and colleagues starts from base_lr, not from "
     "0"),
    (square_root, f"✘ {CALL} should be 1.65, got 0.3328: the linear rule multiplies base_lr "
     "by batch / base_batch, not by its square root"),
    (inverted, f"✘ {CALL} should be 1.65, got 0.05156: multiply by batch / base_batch: a larger "
     "batch takes a larger rate"),
    (lambda step, base_lr, base_batch, batch, warmup_steps: base_lr * batch / base_batch,
     "✘ scaled_lr(step=0, base_lr=0.1, base_batch=256, batch=8192, warmup_steps=10) should be "
     "0.1, got 3.2: during the first warmup_steps steps the rate climbs linearly from base_lr "
     "to its target"),
    (off_by_one, f"✘ {CALL} should be 1.65, got 1.822: the rate reaches its target at step "
     "warmup_steps, not one step earlier"),
    (lambda step, base_lr, base_batch, batch, warmup_steps: base_lr, f"✘ {CALL} should be "
     "1.65, got 0.1"),
    (divides_by_warmup, "✘ your code raised ZeroDivisionError: division by zero"),
    (lambda step, base_lr, base_batch, batch, warmup_steps: None, "✘ scaled_lr(step=0, "
     "base_lr=0.1, base_batch=256, batch=8192, warmup_steps=10) " + NONE_RETURNED),
    (lambda step, base_lr, base_batch, batch, warmup_steps: [base_lr, base_lr], "✘ scaled_lr("
     "step=0, base_lr=0.1, base_batch=256, batch=8192, warmup_steps=10) should be one number, "
     "got shape (2,)"),
])
def test_scaled_lr_wrong(wrong, message):
    assert_wrong(line(checks.check_scaled_lr, wrong), message)


def test_scaled_lr_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_scaled_lr", abs)
    assert_check_failed(line(checks.check_scaled_lr, scaled_lr))


# Exercise 3 -----------------------------------------------------------------

def ring(arrays, direction=1, copy=True, gather=True, schedule=None, mean=False):
    """A ring all-reduce with switches for the plausible slips."""
    p = len(arrays)
    chunks = [[c.copy() if copy else c for c in np.array_split(np.ravel(a), p)]
              for a in arrays]
    steps = []
    for s in range(2 * (p - 1) if gather else p - 1):
        chunk = schedule or (lambda i, s: (i - direction * s) % p)
        moves = [(i, (i + direction) % p, chunk(i, s)) for i in range(p)]
        sent = [chunks[i][c].copy() for i, _, c in moves]
        for (_, j, c), data in zip(moves, sent):
            if s < p - 1:
                chunks[j][c] += data          # in place: a view when copy=False
            else:
                chunks[j][c] = data
        steps.append(moves)
    results = [np.concatenate(w).reshape(np.shape(arrays[0])) / (p if mean else 1)
               for w in chunks]
    return results, steps


def ring_backwards_as_lists(arrays):
    results, steps = ring(arrays, direction=-1)
    return tuple(torch.tensor(r) for r in results), [[list(m) for m in step] for step in steps]


RING_OK = "✔ the sum on all workers, 2(p − 1) steps; at p = 4 each sent 1.5 arrays"


def test_ring_all_reduce_right():
    assert line(checks.check_ring_all_reduce, ring) == RING_OK
    assert line(checks.check_ring_all_reduce, ring_backwards_as_lists) == RING_OK
    stacked = lambda arrays: (np.stack(ring(arrays)[0]), ring(arrays)[1])  # noqa: E731
    assert line(checks.check_ring_all_reduce, stacked) == RING_OK


def test_ring_all_reduce_not_done():
    assert line(checks.check_ring_all_reduce, ...) == NOT_DONE
    assert line(checks.check_ring_all_reduce, stub).startswith(NOT_DONE)


def test_the_replay_tells_a_ring_from_a_log_that_sums_nothing():
    arrays = checks.ring_inputs(4, (10,))
    assert all(np.array_equal(r, sum(arrays)) for r in checks._replay(arrays, ring(arrays)[1]))
    lazy = [[(i, (i + 1) % 4, i) for i in range(4)] for _ in range(6)]
    assert not any(np.array_equal(r, sum(arrays)) for r in checks._replay(arrays, lazy))


FOUR = "✘ ring_all_reduce(4 arrays of shape (10,))"


def with_steps(steps):
    return lambda arrays: ([sum(arrays) for _ in arrays], steps(len(arrays)))


@pytest.mark.parametrize("wrong, message", [
    (with_steps(lambda p: []), FOUR + " made 0 steps; a ring all-reduce takes 2(p − 1) = 6: "
     "p − 1 to reduce-scatter, p − 1 to all-gather"),
    (lambda arrays: ring(arrays, mean=True), FOUR + ": worker 0 holds the average; the "
     "all-reduce here sums (DDP divides by p afterwards)"),
    (lambda arrays: ring(arrays, gather=False), FOUR + ": worker 0 holds the sum only in "
     "chunk 1: after the reduce-scatter each worker holds one summed chunk; the all-gather "
     "passes them round"),
    (lambda arrays: ring(arrays, copy=False), FOUR + " changed its input arrays: work on "
     "copies (np.array_split gives views)"),
    (lambda arrays: ring(arrays, schedule=lambda i, s: i), FOUR + ": worker 0's result should "
     "be a (10,) array [13, 11, -5, …], got a (10,) array [7, 3, 0, …]"),
    (with_steps(lambda p: [[(i, (i + 1) % p, i) for i in range(p)]] * (2 * p - 2)),
     FOUR + ": replaying your steps "
     "leaves worker 0 without the sum: in reduce-scatter step s, worker i sends chunk "
     "(i − s) mod p, which worker i + 1 adds to its own"),
    (with_steps(lambda p: [[(i, (i + 2) % p, i) for i in range(p)]] * (2 * p - 2)),
     FOUR + ": in step 0 worker 0 sends to worker 2: in a ring, worker i sends only to worker "
     "i + 1 (mod p)"),
    (with_steps(lambda p: [[(0, 1, 0)] * p] * (2 * p - 2)), FOUR + ": in step 0 some worker "
     "sends twice; in every step each worker sends exactly one chunk"),
    (with_steps(lambda p: [[(i, (i + 1) % p) for i in range(p)]] * (2 * p - 2)),
     FOUR + ": step 0 should list 4 transfers (sender, receiver, chunk), one per worker, as 3 "
     "ints each, got [(0, 1), (1, 2), (2, 3), (3, 0)]"),
    (lambda arrays: [sum(arrays) for _ in arrays], FOUR + " should return a pair (results, "
     "steps), got list"),
    (lambda arrays: ([sum(arrays)], []), FOUR + " should return a list of 4 arrays, one per "
     "worker, first in its pair, got list of 1"),
    (lambda arrays: ([sum(arrays)[None]] * 4, []), FOUR + ": worker 0's result should have "
     "shape (10,), the inputs' shape, got (1, 10)"),
    (lambda arrays: None, FOUR + " " + NONE_RETURNED),
])
def test_ring_all_reduce_wrong(wrong, message):
    assert_wrong(line(checks.check_ring_all_reduce, wrong), message)


def test_ring_all_reduce_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_replay", abs)
    assert_check_failed(line(checks.check_ring_all_reduce, ring))


# Exercise 4 -----------------------------------------------------------------

def shard(n, num_replicas, rank, shuffle=True, seed=0, epoch=0, drop_last=False, *,
          order=None, deal=True, pad="repeat", use_epoch=True):
    """DistributedSampler's indices written out, with switches for the plausible slips."""
    if order is not None and shuffle:
        indices = order(n, seed)
    elif shuffle:
        g = torch.Generator().manual_seed(seed + (epoch if use_epoch else 0))
        indices = torch.randperm(n, generator=g).tolist()
    else:
        indices = list(range(n))
    per = n // num_replicas if drop_last else math.ceil(n / num_replicas)
    total = per * num_replicas
    if pad == "repeat":
        while len(indices) < total:
            indices += indices[:total - len(indices)]
    elif pad == "once":
        indices += indices[:total - len(indices)]
    indices = indices[:total] if drop_last else indices
    return indices[rank:total:num_replicas] if deal else indices[rank * per:(rank + 1) * per]


SHARD_OK = "✔ as DistributedSampler in 9 cases; 10 examples on 3 workers: 2 repeated"


def test_shard_indices_right():
    assert line(checks.check_shard_indices, shard) == SHARD_OK
    as_array = lambda *a, **k: np.array(shard(*a, **k), dtype=np.int64)  # noqa: E731
    assert line(checks.check_shard_indices, as_array) == SHARD_OK
    as_tensor = lambda *a, **k: torch.tensor(shard(*a, **k), dtype=torch.long)  # noqa: E731
    assert line(checks.check_shard_indices, as_tensor) == SHARD_OK


def test_shard_indices_not_done():
    assert line(checks.check_shard_indices, ...) == NOT_DONE
    assert line(checks.check_shard_indices, stub).startswith(NOT_DONE)


def shard_with(**slip):
    return lambda *a, **k: shard(*a, **k, **slip)


SHARD = "✘ shard_indices(n="


@pytest.mark.parametrize("wrong, message", [
    (shard_with(deal=False), SHARD + "10, num_replicas=3, rank=0, shuffle=False, seed=0, "
     "epoch=0, drop_last=False) should be [0, 3, 6, 9], got [0, 1, 2, 3]: the sampler deals "
     "the indices out in turn"),
    (shard_with(pad="none"), SHARD + "10, num_replicas=3, rank=1, shuffle=False, seed=0, "
     "epoch=0, drop_last=False) should be [1, 4, 7, 0], got [1, 4, 7]: each worker gets "
     "ceil(n / num_replicas) = 4: the list is padded by repeating its first indices"),
    (shard_with(pad="once"), SHARD + "2, num_replicas=5, rank=4, shuffle=True, seed=0, "
     "epoch=0, drop_last=False) should be [0], got []: each worker gets ceil(n / num_replicas)"
     " = 1: the list is padded by repeating its first indices until num_replicas divides its "
     "length (here the padding is longer than the list: repeat it several times)"),
    (shard_with(use_epoch=False), SHARD + "7, num_replicas=2, rank=0, shuffle=True, seed=3, "
     "epoch=2, drop_last=False) should be [1, 4, 6, 3], got [5, 4, 0, 1]: the shuffle is "
     "seeded with seed + epoch, so that each epoch has its own order"),
    (shard_with(order=lambda n, seed: np.random.default_rng(seed).permutation(n).tolist()),
     SHARD + "10, num_replicas=3, rank=0, shuffle=True, seed=0, epoch=0, drop_last=False) "
     "should be [4, 5, 0, 2], got [4, 7, 9, 1]: the order differs: the sampler shuffles with "
     "torch.randperm(n, generator=g)"),
    (lambda n, num_replicas, rank, shuffle=True, seed=0, epoch=0, drop_last=False: shard(
        n, num_replicas, rank, shuffle, seed, epoch), SHARD + "10, num_replicas=3, rank=0, "
     "shuffle=True, seed=0, epoch=0, drop_last=True) should be [4, 5, 0], got [4, 5, 0, 2]: "
     "with drop_last=True the tail is dropped: each worker gets n // num_replicas = 3"),
    (lambda n, num_replicas, rank, shuffle=True, seed=0, epoch=0, drop_last=False: shard(
        n, num_replicas, rank, True, seed, epoch, drop_last), SHARD + "10, num_replicas=3, "
     "rank=0, shuffle=False, seed=0, epoch=0, drop_last=False) should be [0, 3, 6, 9], got [4, "
     "5, 0, 2]: with shuffle=False the indices stay in their order, 0, 1, …, n − 1"),
    (lambda *a, **k: str(shard(*a, **k)), SHARD + "10, num_replicas=3, rank=0, shuffle=False, "
     "seed=0, epoch=0, drop_last=False) should return a list of ints, got str"),
    (lambda *a, **k: [i + 0.5 for i in shard(*a, **k)], SHARD + "10, num_replicas=3, rank=0, "
     "shuffle=False, seed=0, epoch=0, drop_last=False) should return whole indices, got [0.5, "
     "3.5, 6.5, 9.5]"),
    (lambda *a, **k: None, SHARD + "10, num_replicas=3, rank=0, shuffle=False, seed=0, "
     "epoch=0, drop_last=False) " + NONE_RETURNED),
])
def test_shard_indices_wrong(wrong, message):
    assert_wrong(line(checks.check_shard_indices, wrong), message)


def test_shard_hints_name_the_epoch_and_the_shuffle():
    no_epoch = line(checks.check_shard_indices, shard_with(use_epoch=False))
    assert no_epoch.endswith("the shuffle is seeded with seed + epoch, so that each epoch "
                             "has its own order"), no_epoch
    numpy_order = line(checks.check_shard_indices, shard_with(
        order=lambda n, seed: np.random.default_rng(seed).permutation(n).tolist()))
    assert numpy_order.endswith("g = torch.Generator() seeded with g.manual_seed(seed + "
                                "epoch)"), numpy_order


def test_shard_indices_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "sampler_indices", abs)
    assert_check_failed(line(checks.check_shard_indices, shard))


# Exercise 5 -----------------------------------------------------------------

def accumulated(model, optimizer, micro_batches, loss_fn, weight=None, zero="once",
                step="once", report="whole"):
    """Gradient accumulation written out, with switches for the plausible slips."""
    total = sum(len(y) for _, y in micro_batches)
    if zero == "once":
        optimizer.zero_grad()
    losses = []
    for X, y in micro_batches:
        if zero == "each":
            optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        (loss * (weight(len(y), len(micro_batches)) if weight else len(y) / total)).backward()
        losses.append((loss.item(), len(y)))
        if step == "each":
            optimizer.step()
    if step == "once":
        optimizer.step()
    if report == "whole":
        return sum(value * size for value, size in losses) / total
    return {"mean": sum(v for v, _ in losses) / len(losses), "last": losses[-1][0],
            "none": None}[report]


def by_sum(model, optimizer, micro_batches, loss_fn):
    """Another right answer: summed losses over the total, a tensor returned."""
    total = sum(len(y) for _, y in micro_batches)
    optimizer.zero_grad()
    whole = sum(F.cross_entropy(model(X), y, reduction="sum") for X, y in micro_batches) / total
    whole.backward()
    optimizer.step()
    return whole.detach()


ACCUM_OK = "✔ the whole batch's step, for micro-batches of 5 + 3 + 8 and 3 more splits"


def test_accumulated_step_right():
    assert line(checks.check_accumulated_step, accumulated) == ACCUM_OK
    assert line(checks.check_accumulated_step, by_sum) == ACCUM_OK


def test_accumulated_step_not_done():
    assert line(checks.check_accumulated_step, ...) == NOT_DONE
    assert line(checks.check_accumulated_step, stub).startswith(NOT_DONE)


def accumulated_with(**slip):
    return lambda *a: accumulated(*a, **slip)


FIRST = "✘ accumulated_step on micro-batches of 5 + 3 + 8 (call 1)"
SECOND = "✘ accumulated_step on micro-batches of 1 + 7 + 2 + 6 (call 2)"


@pytest.mark.parametrize("slip, message", [
    ({"weight": lambda size, count: 1 / count}, FIRST + " takes another step than the whole "
     "batch: you divided each micro-batch's loss by the number of micro-batches, which is "
     "right only when they are equal in size; weight each by its size / the total"),
    ({"weight": lambda size, count: 1.0}, FIRST + " takes another step than the whole batch: "
     "the gradients are summed over the micro-batches"),
    ({"zero": "never"}, SECOND + " takes another step than the whole batch: the gradients of "
     "the call before are still there: call optimizer.zero_grad() before the micro-batches"),
    ({"zero": "each"}, FIRST + " takes another step than the whole batch: only the last "
     "micro-batch's gradient is left: zero the gradients once, before the loop"),
    ({"step": "each"}, FIRST + " takes another step than the whole batch: the optimizer "
     "should step once, after all the micro-batches"),
    ({"step": "never"}, FIRST + " left the weights as they were: call optimizer.step() once, "
     "after the micro-batches"),
    ({"weight": lambda size, count: size / 16 if count == 3 else 1 / count},
     SECOND + " takes another step than the whole batch"),
    ({"report": "mean"}, FIRST + " should return the whole batch's loss, 1.423, got 1.313: "
     "weight each micro-batch's loss by its size / the total"),
    ({"report": "last"}, FIRST + " should return the whole batch's loss, 1.423, got 1.691"),
    ({"report": "none"}, "✘ accumulated_step " + NONE_RETURNED),
])
def test_accumulated_step_wrong(slip, message):
    assert_wrong(line(checks.check_accumulated_step, accumulated_with(**slip)), message)


def test_accumulated_step_learners_error():
    def crashes(model, optimizer, micro_batches, loss_fn):
        X, y = micro_batches
        return loss_fn(model(X), y)
    got = line(checks.check_accumulated_step, crashes)
    assert got.startswith("✘ your code raised ValueError"), got


def test_accumulated_step_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "accumulation_setup", abs)
    assert_check_failed(line(checks.check_accumulated_step, accumulated))


# Exercise 6 -----------------------------------------------------------------

def step_time(p, compute_s, grad_bytes, bandwidth, latency):
    return compute_s / p + 2 * (p - 1) * (latency + grad_bytes / p / bandwidth)


BEST_P, SPEEDUP = 43, 8.0557
BEST_OK = "✔ 43 workers are fastest, 8.06 × one; 19 % of them used"


def test_best_workers_right():
    times = [step_time(p, **checks.SCENARIO) for p in range(1, 65)]
    assert int(np.argmin(times)) + 1 == BEST_P
    assert times[0] / times[BEST_P - 1] == pytest.approx(SPEEDUP, rel=1e-4)
    assert line(checks.check_best_workers, step_time, BEST_P, SPEEDUP) == BEST_OK
    as_tensor = lambda p, c, b, w, a: torch.tensor(step_time(p, c, b, w, a))  # noqa: E731
    assert line(checks.check_best_workers, lambda p, compute_s, grad_bytes, bandwidth, latency:
                as_tensor(p, compute_s, grad_bytes, bandwidth, latency),
                np.int64(BEST_P), 8.06) == BEST_OK
    assert line(checks.check_best_workers, step_time, 43.0, np.float64(8.1)) == BEST_OK
    as_argmin = torch.tensor([step_time(p, **checks.SCENARIO) for p in range(1, 65)]).argmin()
    assert line(checks.check_best_workers, step_time, as_argmin + 1, SPEEDUP) == BEST_OK


def test_best_workers_not_done():
    assert line(checks.check_best_workers, step_time, ..., ...) == NOT_DONE
    assert line(checks.check_best_workers, stub, 43, 8.06).startswith(NOT_DONE)


STEP = "✘ step_time(p=2, compute_s=0.2, grad_bytes=102228128, bandwidth=12500000000.0, " \
       "latency=5e-05) should be 0.1083 s, got "


@pytest.mark.parametrize("wrong, message", [
    (lambda p, compute_s, grad_bytes, bandwidth, latency: compute_s + 2 * (p - 1) * (
        latency + grad_bytes / p / bandwidth), STEP + "0.2083: the p workers share the global "
     "batch's compute: compute_s / p"),
    (lambda p, compute_s, grad_bytes, bandwidth, latency: compute_s / p + (p - 1) * (
        latency + grad_bytes / p / bandwidth), STEP + "0.1041: a ring all-reduce takes 2(p − 1) "
     "steps"),
    (lambda p, compute_s, grad_bytes, bandwidth, latency: compute_s / p + latency + 2 * (
        p - 1) * grad_bytes / p / bandwidth, "✘ step_time(p=1, compute_s=0.2, "
     "grad_bytes=102228128, bandwidth=12500000000.0, latency=5e-05) should be 0.2 s, got "
     "0.2001: each of the 2(p − 1) steps sends a message, and each message pays the latency"),
    (lambda p, compute_s, grad_bytes, bandwidth, latency: compute_s / p + 2 * (p - 1) * (
        latency + grad_bytes / bandwidth), STEP + "0.1165: each step sends one chunk, "
     "grad_bytes / p, not the whole gradient"),
    (lambda p, compute_s, grad_bytes, bandwidth, latency: compute_s / p + 2 * p * (
        latency + grad_bytes / p / bandwidth), "✘ step_time(p=1, compute_s=0.2, "
     "grad_bytes=102228128, bandwidth=12500000000.0, latency=5e-05) should be 0.2 s, got "
     "0.2165: 2p steps where 2(p − 1) are meant: with one worker there is nothing to send"),
    (lambda p, compute_s, grad_bytes, bandwidth, latency: compute_s / p + 2 * (p - 1) / p * (
        grad_bytes / bandwidth), STEP + "0.1082"),
    (lambda p, compute_s, grad_bytes, bandwidth, latency: None, "✘ step_time(p=1, "
     "compute_s=0.2, grad_bytes=102228128, bandwidth=12500000000.0, latency=5e-05) "
     + NONE_RETURNED),
])
def test_step_time_wrong(wrong, message):
    assert_wrong(line(checks.check_best_workers, wrong, BEST_P, SPEEDUP), message)


@pytest.mark.parametrize("best_p, speedup, message", [
    (42, SPEEDUP, "✘ best_p should be 43, got 42: p starts at 1, so the position of the "
     "smallest time in a list is p − 1"),
    (64, SPEEDUP, "✘ best_p should be 43, got 64: the p in 1 … 64 with the smallest "
     "step_time"),
    (43.5, SPEEDUP, "✘ best_p should be a whole number of workers, got 43.5"),
    (BEST_P, 1 / SPEEDUP, "✘ speedup should be 8.06, got 0.124: the time with one worker "
     "divided by the time with 43"),
    (BEST_P, 5.0, "✘ speedup should be 8.06, got 5: step_time(1, …) / step_time(43, …)"),
    (BEST_P, "fast", "✘ speedup should be a number, got str"),
])
def test_best_workers_wrong(best_p, speedup, message):
    assert_wrong(line(checks.check_best_workers, step_time, best_p, speedup), message)


def test_best_workers_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_step_time", abs)
    assert_check_failed(line(checks.check_best_workers, step_time, BEST_P, SPEEDUP))


# Exercise 7 -----------------------------------------------------------------

def test_scale_out_answer_right():
    ok = "✔ C: 14 messages of 50 µs a step, 7 × the whole 0.1 ms step on one worker"
    assert line(checks.check_scale_out_answer, "C") == ok
    assert line(checks.check_scale_out_answer, " c ") == ok
    assert line(checks.check_scale_out_answer, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ("A", "✘ A ('ResNet-50, 0.2 s a step, on 8 GPUs of one server') is not it: its compute "
     "dwarfs the all-reduce"),
    ("b", "✘ B ('GPT-2 small, a week on one GPU, on 8 GPUs of one server') is not it: a week "
     "of compute"),
    ("D", "✘ D ("),
    ("E", "✘ answer with one of the letters A, B, C, D (a str), got 'E'"),
    (3, "✘ answer with one of the letters A, B, C, D (a str), got 3"),
])
def test_scale_out_answer_wrong(answer, message):
    assert_wrong(line(checks.check_scale_out_answer, answer), message)


def test_scale_out_answer_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "SCALE_OPTIONS", 5)
    assert_check_failed(line(checks.check_scale_out_answer, "C"))
