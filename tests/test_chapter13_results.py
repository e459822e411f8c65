"""Chapter 13's results, guarded: the claims its prose makes about its measurements.

Chapter 13 measures the machine it runs on: throughputs, times, the CPU's peak and the
training runs in mixed precision are tagged ``nbval-ignore-output`` (another machine, or the
same one under load, gives other figures). These tests check that the stored, glued figures
support what the prose says of them, that every cell whose output depends on the machine or
the clock is one nbval ignores, and that what nbval does compare (the datasheet table, the
formulas, the memory counted by hand, checkpointing's saving) is the same on every CPU.
"""

import json

import pytest

from notebooks import ROOT, glued, read

CHAPTER = ROOT / "chapters" / "13_gpu.ipynb"
# Calls whose result depends on the machine or the clock: a cell that makes one and prints
# or glues what it returns is ignored by nbval.
MACHINE_DEPENDENT = ("measure(", "matmul_throughput(", "perf_counter()", "cpu_info()",
                     "profiled(", "profiled_peak_bytes(", "best_device()", "fit_steps(")


@pytest.fixture(scope="module")
def notebook():
    return read(CHAPTER)


@pytest.fixture(scope="module")
def g(notebook):
    return glued(notebook)


def _ignored(cell):
    return "nbval-ignore-output" in cell.metadata.get("tags", [])


def test_every_cell_showing_a_machine_dependent_figure_is_ignored(notebook):
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        shows = cell.outputs and any(o.output_type != "display_data" or "image/png" not in o.data
                                     for o in cell.outputs)
        if any(call in cell.source for call in MACHINE_DEPENDENT) and shows:
            assert _ignored(cell), cell.source[:200]


def test_the_checkpointing_cell_prints_only_what_every_machine_shares(notebook):
    cell = next(c for c in notebook.cells if c.cell_type == "code"
                and "def saved_and_grads" in c.source)
    text = "".join(o.get("text", "") for o in cell.outputs)
    assert "same gradients: True" in text and " ms" not in text and not _ignored(cell)


def test_larger_products_use_a_larger_share_of_the_peak(g):
    assert g["ch13_matmul_small"] < 20 < g["ch13_matmul_share"]


def test_the_wider_transformer_reaches_a_higher_utilisation(g):
    assert 0 < g["ch13_mfu_small"] < g["ch13_mfu_wide"] <= 100


def test_mixed_precision_sorts_about_as_well(g):
    assert min(g["ch13_amp_fp32"], g["ch13_amp_bf16"]) > 70
    assert abs(g["ch13_amp_fp32"] - g["ch13_amp_bf16"]) < 5


def test_activations_outweigh_the_training_state_several_times(g):
    assert g["ch13_activations_mb"] > 2 * g["ch13_state_mb"]


def test_the_profiler_agrees_with_the_count_of_saved_activations(g):
    assert 80 <= g["ch13_profiler_share"] <= 100


def test_checkpointing_saves_most_activations_for_some_time(g):
    assert g["ch13_ckpt_saved"] > 50
    assert 0 < g["ch13_ckpt_slower"] < 100


def test_the_cost_example_takes_hours_on_gpus_and_years_here(g):
    assert 1 < g["ch13_gpu_hours"] < 100
    assert g["ch13_cpu_years"] * 365 * 24 > 100 * g["ch13_gpu_hours"]


def test_the_recorded_runs_shown_are_the_ones_shipped(notebook, g):
    runs = [json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((ROOT / "nnbook" / "runs").glob("*.json"))]
    assert g["ch13_gpu_runs"] == sum(run["device"] == "cuda" for run in runs)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "load_runs()" in c.source)
    assert not _ignored(cell)
    text = "".join(o.get("text", "") for o in cell.outputs)
    for run in runs:
        assert run["machine"] in text
