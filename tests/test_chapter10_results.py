"""Chapter 10's results: the stored figures support every claim of the prose.

The chapter's training cells (the widths of Section 10.1, the learning curves, the
regularisers, the test accuracy of the chosen network, the explorer's run) are tagged
``nbval-ignore-output``: a last-bit difference in PyTorch's kernels on another CPU grows,
over hundreds of steps, into a slightly different run, much as another seed would. These
tests check, from the glued values and the printed tables stored in the notebook, each
claim the prose makes about them. The double-descent experiment is numpy least squares
on one BLAS thread, a couple of seconds: it is run again and compared with the stored
figures within a stated tolerance.
"""

import contextlib
import io
import re

import matplotlib
import pytest

from notebooks import ROOT, glued, read

matplotlib.use("Agg")

CHAPTER = ROOT / "chapters" / "10_generalization.ipynb"
SIZES = [250, 500, 1000, 2000, 4000, 8000]
DD_TOLERANCE = 1.0      # points of validation error: 20 of 2000 signals
TRAINING_CELLS = ("capacity.append(", "curves = {name: learning_curve(",
                  'curves["wide"] = learning_curve(',
                  'curves["cnn"] = learning_curve(', "glue(f\"ch10_lc_{name}_{n}\"",
                  "best = int(np.argmin(history", "scores = {name:",
                  "final = [test_accuracy(", "ch10_dd_", "result = compute_capacity()")


@pytest.fixture(scope="module")
def notebook():
    return read(CHAPTER)


@pytest.fixture(scope="module")
def g(notebook):
    return glued(notebook)


def cell_with(notebook, marker):
    return next(c for c in notebook.cells if c.cell_type == "code" and marker in c.source)


def printed(notebook, marker):
    return "".join(o.get("text", "") for o in cell_with(notebook, marker).outputs)


def curve(g, name):
    """{n: (mean, min, max)} of a stored learning curve."""
    return {n: (mean, lo, hi) for n, mean, lo, hi in g[f"ch10_lc_{name}"]}


def test_training_cells_are_ignored_by_nbval(notebook):
    for marker in TRAINING_CELLS:
        cell = cell_with(notebook, marker)
        assert "nbval-ignore-output" in cell.metadata.get("tags", []), marker


def test_every_glued_name_in_the_prose_is_stored(notebook, g):
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    names = set(re.findall(r"\{glue:text\}`(ch10_\w+)", text))
    assert names and names <= set(g), sorted(names - set(g))


# --- 10.1 underfitting and overfitting ------------------------------------------

def capacity_table(notebook):
    rows = printed(notebook, "capacity.append(").splitlines()[1:]
    return [tuple(float(v) for v in row.split()) for row in rows]


def test_the_capacity_table_shows_the_glued_figures(notebook, g):
    table = capacity_table(notebook)
    assert [int(r[0]) for r in table] == [2 ** k for k in range(10)]
    assert table[0][2] == g["ch10_cap_train_acc_1"] and table[0][4] == g["ch10_cap_val_acc_1"]
    assert table[-1][4] == g["ch10_cap_val_acc_top"]


def test_the_capacity_claims(notebook, g):
    table = capacity_table(notebook)
    widths, train_acc, val_acc = [r[0] for r in table], [r[2] for r in table], \
        [r[4] for r in table]
    # up to `underfit` units it cannot fit its training set; from `memorise` on it fits it all
    assert g["ch10_cap_underfit"] < g["ch10_cap_memorise"]
    assert all(a < 90 for w, a in zip(widths, train_acc) if w <= g["ch10_cap_underfit"])
    assert all(a >= 99.9 for w, a in zip(widths, train_acc) if w >= g["ch10_cap_memorise"])
    assert g["ch10_cap_train_acc_1"] < 50 and g["ch10_cap_val_acc_1"] < 40
    # "does as badly on the validation set"
    assert abs(g["ch10_cap_train_acc_1"] - g["ch10_cap_val_acc_1"]) < 10
    # the validation loss: lowest at a small width, then a climb to a peak, then down again
    assert g["ch10_cap_loss_min_width"] < g["ch10_cap_memorise"] <= g["ch10_cap_loss_max_width"] < 512
    assert g["ch10_cap_loss_max"] > 2 * g["ch10_cap_loss_min"]
    assert g["ch10_cap_loss_top"] < g["ch10_cap_loss_max"]
    # the validation accuracy rises all the way, best at 512; memorisers get more than half wrong
    assert all(b >= a - 0.5 for a, b in zip(val_acc, val_acc[1:])), val_acc
    assert g["ch10_cap_best_width"] == 512 and g["ch10_cap_val_acc_top"] == max(val_acc)
    assert all(a < 50 for w, a in zip(widths, val_acc) if w >= g["ch10_cap_memorise"])


# --- 10.2 learning curves ------------------------------------------------

def test_the_learning_curve_table_shows_the_glued_means(notebook, g):
    text = printed(notebook, 'curves["cnn"] = learning_curve(')
    for name, label in (("shallow", "shallow, 1 × 256"), ("deep", "deep, 4 × 100"),
                        ("wide", f"shallow, 1 × {g['ch10_wide']}"), ("cnn", "CNN")):
        row = next(line for line in text.splitlines() if line.startswith(label))
        means = [float(v) for v in row[len(label):].split()]
        assert means == [m for m, _, _ in curve(g, name).values()], name
        for n, (mean, _, _) in curve(g, name).items():
            assert g[f"ch10_lc_{name}_{n}"] == mean


def test_curves_have_the_stated_sizes_and_sane_bars(g):
    assert list(curve(g, "shallow")) == SIZES and list(curve(g, "deep")) == SIZES
    assert list(curve(g, "wide")) == SIZES[2:]
    assert list(curve(g, "cnn")) == [250, 1000, 4000]
    for name in ("shallow", "deep", "wide", "cnn"):
        for mean, lo, hi in curve(g, name).values():
            assert lo <= mean <= hi


def test_shallow_and_deep_are_level_up_to_2000_then_deep_wins(g):
    shallow, deep = curve(g, "shallow"), curve(g, "deep")
    for n in (250, 500, 1000, 2000):
        # the ranges of the seeds overlap
        assert deep[n][1] <= shallow[n][2] and shallow[n][1] <= deep[n][2], n
    # "ahead on average, by less than two points", "at 250 and 500 with every seed,
    # at 1000 and 2000 not with all of them"
    assert all(0 < g[f"ch10_gap_{n}"] < 2 for n in (250, 500, 1000, 2000))
    assert g["ch10_gap_min_250"] > 0 and g["ch10_gap_min_500"] > 0
    assert g["ch10_gap_min_1000"] < 0 and g["ch10_gap_min_2000"] < 0
    for n in (4000, 8000):
        # "far outside the spread of the seeds"
        assert deep[n][1] > shallow[n][2] + 1, n
    assert g["ch10_gap_8000"] > g["ch10_gap_4000"] > 3          # the gap grows


def test_the_equal_size_shallow_network_crosses_the_deep_one(g):
    wide, deep = curve(g, "wide"), curve(g, "deep")
    assert wide[1000][0] > deep[1000][0] and wide[2000][0] > deep[2000][0]
    assert wide[4000][0] < deep[4000][0] and wide[8000][0] < deep[8000][0]


def test_the_cnn_beats_every_mlp_at_every_size(g):
    cnn = curve(g, "cnn")
    for n, (mean, lo, _) in cnn.items():
        for name in ("shallow", "deep", "wide"):
            other = curve(g, name)
            if n in other:
                assert lo > other[n][2], (n, name)   # even its worst seed
        assert g[f"ch10_cnn_gap_{n}"] > 0
    # trained on 4000, it beats every MLP trained on 8000
    assert cnn[4000][0] > max(curve(g, name)[8000][0] for name in ("shallow", "deep", "wide"))


# --- 10.3 regularisation ---------------------------------------------------

REGULARISERS = ("base", "wd", "drop1", "shift", "noise", "es_loss", "es_acc")


def test_the_regularisation_table_shows_the_glued_figures(notebook, g):
    rows = printed(notebook, "scores = {name:").splitlines()
    assert len(rows) == len(REGULARISERS)
    for row, slug in zip(rows, REGULARISERS):
        mean, std = re.findall(r"(\d+\.\d) ± (\d+\.\d) %", row)[0]
        assert (float(mean), float(std)) == (g[f"ch10_reg_{slug}"], g[f"ch10_reg_{slug}_std"])


def test_what_helps_and_what_does_not(g):
    base = g["ch10_reg_base"]
    reg = {slug: g[f"ch10_reg_{slug}"] for slug in REGULARISERS}
    # shifts help by far the most
    assert reg["shift"] > base + 10
    assert all(reg["shift"] > v + 5 for slug, v in reg.items() if slug != "shift")
    # weight decay, noise, dropout: a little, about as much as the seeds differ
    for slug in ("wd", "noise", "drop1"):
        assert 0 < reg[slug] - base < 4, slug
    # early stopping on the validation loss hurts the most, and stops early
    assert reg["es_loss"] == min(reg.values()) and reg["es_loss"] < base - 5
    assert g["ch10_es_step"] <= 100
    # stopping at the best validation accuracy: a little above the baseline
    assert base < reg["es_acc"] < base + 4


def test_the_baseline_keeps_improving_after_the_loss_minimum(g):
    assert g["ch10_end_acc0"] > g["ch10_es_acc0"] + 3


def test_the_one_test_is_close_to_validation(g):
    assert abs(g["ch10_shift_test"] - g["ch10_reg_shift"]) < 3


# --- 10.4 double descent -----------------------------------------------------

def check_double_descent(values):
    assert values["ch10_dd_peak_p"] == 400                       # p = n
    assert values["ch10_dd_peak"] >= 85                          # about guessing (90 %)
    assert values["ch10_dd_best_p"] < 400
    assert values["ch10_dd_last"] < values["ch10_dd_best"]       # the right side wins
    assert values["ch10_dd_norm_peak"] > 20 * values["ch10_dd_norm_last"]


def test_the_double_descent_claims(g):
    check_double_descent(g)


def test_double_descent_again(notebook, g):
    """Run the data, the saved definitions and the double-descent cells again."""
    values = {}

    def glue(name, value, display=True):
        values[name] = value

    namespace = {}
    markers = ("set_seed(0)", "load_mnist1d(num_samples", "#@save", "FEATURES = [",
               "ch10_dd_")
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in notebook.cells:
            if cell.cell_type == "code" and any(m in cell.source for m in markers):
                exec(compile(cell.source, str(CHAPTER), "exec"), namespace)  # noqa: S102
                namespace["glue"] = glue
    for key in ("best", "peak", "last"):
        name = f"ch10_dd_{key}"
        assert abs(values[name] - g[name]) <= DD_TOLERANCE, (name, values[name], g[name])
    assert values["ch10_dd_best_p"] == g["ch10_dd_best_p"]
    check_double_descent(values)


# --- 10.5 the explorer ---------------------------------------------------------

def test_the_explorer_claims(notebook, g):
    if "ch10_explorer_train_acc" not in g:
        pytest.skip("the chapter has no explorer section")
    assert g["ch10_explorer_train_acc"] == 100                   # it memorises
    assert g["ch10_explorer_best_step"] < g["ch10_explorer_num_steps"] / 2   # lowest early
    assert g["ch10_explorer_val_acc"] > g["ch10_explorer_val_acc_best"]
