"""Chapter 6's results of training, guarded within a tolerance.

The chapter trains Chapter 5's digits network in numpy and in PyTorch from the same start on
the same batches, then with ``nnbook.training.fit`` and early stopping. What it prints is
rounded so that another CPU gives the same text (``tools/portability.py`` finds no change),
but a last-bit difference in PyTorch's or OpenBLAS's kernels could still move a test image or
an epoch of early stopping one day. These tests run the chapter's own code again and compare
with the stored glue values within a stated tolerance, and check the claims the prose makes
about them, including the cell tagged ``nbval-ignore-output`` (how far apart the two runs'
weights end up) and the stored step times.
"""

import contextlib
import io

import matplotlib
import pytest

from notebooks import ROOT, glued, read

matplotlib.use("Agg")

CHAPTER = ROOT / "chapters" / "06_pytorch.ipynb"
ACCURACY_TOLERANCE = 0.5    # percentage points: one test image is 0.22
EPOCH_TOLERANCE = 3         # epochs of early stopping


@pytest.fixture(scope="module")
def notebook():
    return read(CHAPTER)



@pytest.fixture(scope="module")
def fresh(notebook):
    """The chapter's namespace after running its code cells again, up to Section 6.8."""
    namespace = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            exec(compile(cell.source, str(CHAPTER), "exec"), namespace)  # noqa: S102
            if "## 6.8" in cell.source or "state = model.state_dict()" in cell.source:
                break
    matplotlib.pyplot.close("all")
    return namespace


def test_numpy_and_pytorch_reach_the_same_accuracy(notebook, fresh):
    stored = glued(notebook)
    assert abs(fresh["numpy_acc"] - stored["ch06_numpy_acc"]) <= ACCURACY_TOLERANCE
    assert abs(fresh["torch_acc"] - stored["ch06_torch_acc"]) <= ACCURACY_TOLERANCE
    # the prose: the same network, side by side, at Chapter 5's level
    assert abs(fresh["torch_acc"] - fresh["numpy_acc"]) <= 1.0
    assert fresh["torch_acc"] >= 97.0


def test_the_two_runs_weights_differ_far_less_than_training_moved_them(notebook, fresh):
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "apart =" in c.source)
    assert "nbval-ignore-output" in cell.metadata.get("tags", [])
    assert fresh["apart"] < 0.1 * fresh["moved"]


def test_early_stopping_within_tolerance(notebook, fresh):
    stored, history = glued(notebook), fresh["history"]
    epochs_run = len(history["val loss"])
    assert abs(epochs_run - stored["ch06_epochs_run"]) <= EPOCH_TOLERANCE
    # the prose: it stopped early, five epochs after the best, whose weights were restored
    assert history.stopped_early and history.best_epoch == epochs_run - 5
    best = min(history["val loss"])
    assert history["val loss"][history.best_epoch - 1] == best
    assert abs(100 * fresh["result"]["acc"] - stored["ch06_fit_test_acc"]) \
        <= ACCURACY_TOLERANCE


def test_the_stored_step_times_say_what_the_prose_says(notebook):
    stored = glued(notebook)
    # "at this size a step is not faster" in PyTorch
    assert stored["ch06_torch_step_us"] >= stored["ch06_numpy_step_us"] > 0
