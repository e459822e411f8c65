"""nnbook.ddp: the sampler shards each global batch across workers, and two workers with
DistributedDataParallel end with the weights of one worker on the whole batch."""

import subprocess
import sys

import pytest
import torch

from nnbook import ddp
from notebooks import ROOT


def _batches(world_size, rank, batch_size):
    X, y = ddp.make_data(num_examples=256)
    X = torch.arange(256.0)[:, None].expand(256, ddp.NUM_INPUTS)   # row i holds i: its index
    return [xb[:, 0].long().tolist() for xb, _ in ddp.shard_loader(X, y, batch_size, rank, world_size)]


def test_workers_shards_are_disjoint_and_cover_the_data():
    shards = [sum(_batches(2, rank, 32), []) for rank in (0, 1)]
    assert not set(shards[0]) & set(shards[1])
    assert sorted(shards[0] + shards[1]) == list(range(256))


def test_at_each_step_the_workers_batches_make_the_single_workers_batch():
    single = _batches(1, 0, 64)
    split = list(zip(_batches(2, 0, 32), _batches(2, 1, 32)))
    assert len(single) == len(split) == 4
    for whole, (a, b) in zip(single, split):
        assert sorted(a + b) == sorted(whole)


def test_the_order_is_shuffled_and_the_same_on_every_run():
    first = _batches(1, 0, 64)
    assert first == _batches(1, 0, 64)
    assert sum(first, []) != list(range(256))


def test_the_tolerance_tells_a_different_batch_apart():
    """A wrong equivalence (batch 32 instead of 64) moves the weights far beyond TOLERANCE."""
    X, y = ddp.make_data()
    runs = []
    for batch in (64, 32):
        model = ddp.make_model(0)
        ddp.train(model, ddp.shard_loader(X, y, batch), 50)
        runs.append(ddp.flat_weights(model))
    assert (runs[0] - runs[1]).abs().max().item() > 100 * ddp.TOLERANCE


@pytest.mark.slow
def test_two_ddp_workers_match_one_worker_on_the_whole_batch():
    gap = ddp.check(num_steps=20)
    assert gap <= ddp.TOLERANCE


@pytest.mark.slow
def test_the_command_line_check_prints_the_bound_and_exits_zero():
    done = subprocess.run([sys.executable, "-m", "nnbook.ddp", "--check", "--steps", "10"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("max |w_ddp - w_single| = ")
    assert float(last.rsplit("=", 1)[1]) <= ddp.TOLERANCE


@pytest.mark.slow
def test_torchrun_launches_two_workers_and_rank_zero_prints_both_in_order():
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    done = subprocess.run([*torchrun, "-m", "nnbook.ddp", "--steps", "5"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "gloo backend, 2 workers, batch 32 each"
    assert [l.split(":")[0] for l in lines[1:]] == ["worker 0 of 2", "worker 1 of 2"]


def test_a_gap_above_the_tolerance_exits_one(monkeypatch, capsys):
    monkeypatch.setattr(ddp, "check", lambda *a, **k: 3e-4)
    assert ddp.main(["--check"]) == 1
    assert capsys.readouterr().out.strip() == "max |w_ddp - w_single| = 0.0003"


def test_without_torchrun_it_says_how_to_launch(monkeypatch, capsys):
    monkeypatch.delenv("RANK", raising=False)
    assert ddp.main([]) == 2
    assert "torchrun --standalone --nproc_per_node=2 -m nnbook.ddp" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs, match", [({"world_size": 3}, "divide the global batch"),
                                           ({"num_steps": 0}, "num_steps"),
                                           ({"lr": -1}, "lr")])
def test_bad_settings_are_refused_before_any_worker_starts(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ddp.check(**kwargs)
