"""Chapter 8's results of training, guarded within a tolerance.

Two cells of the chapter are tagged ``nbval-ignore-output`` because a last-bit difference
between CPUs can move a trained network's test accuracy by a test example or more: the digits
CNN, and the MNIST-1D table of Greydanus and Kobak. These tests check what the prose claims:

- the stored MNIST-1D table reproduces the published one by the course's criteria (each
  figure within 5 points of the published, logistic < MLP < CNN, shuffling costs the CNN at
  least 20 points and moves the MLP by at most 3), and the glued figures are the printed ones;
- the digits CNN, trained again from the chapter's own cells, lands within a stated tolerance
  of the stored accuracy.
The MNIST-1D runs take a minute; they are not repeated here, only the stored table is checked.
"""

import contextlib
import io

import matplotlib
import pytest

from notebooks import ROOT, glued, read

matplotlib.use("Agg")

CHAPTER = ROOT / "chapters" / "08_cnn.ipynb"
PUBLISHED = {"logistic_original": 32, "mlp_original": 68, "cnn_original": 94,
             "logistic_shuffled": 32, "mlp_shuffled": 68, "cnn_shuffled": 56}
WITHIN = 5.0                # points from the published figure
CNN_MIN_DROP = 20.0         # points the shuffle must cost the CNN
MLP_MAX_CHANGE = 3.0        # points the shuffle may move the MLP
ACCURACY_TOLERANCE = 1.0    # digits CNN, points: one test image is 0.22


@pytest.fixture(scope="module")
def notebook():
    return read(CHAPTER)



def test_the_table_cell_is_the_one_nbval_ignores(notebook):
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "PUBLISHED" in c.source)
    assert "nbval-ignore-output" in cell.metadata.get("tags", [])


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_each_figure_is_within_five_points_of_the_published(notebook, name):
    here = glued(notebook)[f"ch08_{name}"]
    assert abs(here - PUBLISHED[name]) <= WITHIN, f"{name}: {here} against {PUBLISHED[name]}"


def test_order_and_the_effect_of_shuffling(notebook):
    g = glued(notebook)
    assert g["ch08_logistic_original"] < g["ch08_mlp_original"] < g["ch08_cnn_original"]
    drop = g["ch08_cnn_original"] - g["ch08_cnn_shuffled"]
    change = abs(g["ch08_mlp_original"] - g["ch08_mlp_shuffled"])
    assert drop >= CNN_MIN_DROP and change <= MLP_MAX_CHANGE
    assert g["ch08_cnn_drop"] == pytest.approx(drop, abs=0.11)
    assert g["ch08_mlp_change"] == pytest.approx(change, abs=0.11)
    # the prose: shuffled, the CNN does worse than the MLP
    assert g["ch08_cnn_shuffled"] < g["ch08_mlp_shuffled"]


def test_the_printed_table_shows_the_glued_figures(notebook):
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "PUBLISHED" in c.source)
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    g = glued(notebook)
    for model in ("logistic", "mlp", "cnn"):
        row = next(line for line in text.splitlines() if line.lower().startswith(model))
        assert f"{g[f'ch08_{model}_original']:.1f}" in row
        assert f"{g[f'ch08_{model}_shuffled']:.1f}" in row


def test_the_digits_cnn_trains_to_the_stored_accuracy(notebook):
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            exec(compile(cell.source, str(CHAPTER), "exec"), namespace)  # noqa: S102
            if "ch08_digits_cnn_acc" in cell.source:
                break
    matplotlib.pyplot.close("all")
    fresh = 100 * namespace["result"]["acc"]
    assert abs(fresh - glued(notebook)["ch08_digits_cnn_acc"]) <= ACCURACY_TOLERANCE
    assert fresh >= 97.0    # the prose: at least as good as Chapter 6's MLP, about 97 %
