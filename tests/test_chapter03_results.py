"""Chapter 3, Section 3.6: the results of the multi-seed comparison that the book shows.

The cell that prints them is tagged ``nbval-ignore-output``: 20 runs of 1000 epochs each
may end a little differently on another CPU (the last bits of a float grow over 10 000
gradient steps), so nbval does not compare its text. This test runs the same experiment
again and asserts that the stored numbers are reproduced within a stated tolerance, and
that the claims the prose makes about them hold.
"""

import numpy as np
import pytest

from nnbook.playground import FEATURES, RAW_FEATURES, Session
from notebooks import ROOT, read

CHAPTER = ROOT / "chapters" / "03_layers.ipynb"
SETTINGS = {"raw": dict(hidden=(4,), features=RAW_FEATURES),
            "features": dict(hidden=(4,), features=FEATURES),
            "wide": dict(hidden=(23,), features=RAW_FEATURES),
            "deep": dict(hidden=(6, 6, 6), features=RAW_FEATURES)}
SEEDS = range(5)
# Percentage points a mean accuracy may move on another machine. The wide network's runs
# spread most (one seed can end in another local minimum), so it gets more room.
TOLERANCE = {"raw": 3.0, "features": 3.0, "wide": 6.0, "deep": 3.0}


def stored_glue(path):
    """The chapter's glue records: name → value as stored (float or int)."""
    values = {}
    for cell in read(path).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if name and text is not None:
                values[name] = float(text)
    return values


@pytest.fixture(scope="module")
def measured():
    """name → (mean train accuracy, mean test accuracy), in %, over the five seeds."""
    result = {}
    for key, network in SETTINGS.items():
        train, test = [], []
        for seed in SEEDS:
            session = Session("spirals", activation="tanh", lr=0.1, batch_size=10,
                              seed=seed, **network)
            session.step(1000)
            train.append(100 * session.accuracy("train"))
            test.append(100 * session.accuracy("test"))
        result[key] = (float(np.mean(train)), float(np.mean(test)))
    return result


@pytest.mark.parametrize("key", SETTINGS)
def test_stored_means_are_reproduced(measured, key):
    glue = stored_glue(CHAPTER)
    train, test = measured[key]
    assert test == pytest.approx(glue[f"ch03_spirals_{key}"], abs=TOLERANCE[key])
    assert train == pytest.approx(glue[f"ch03_spirals_{key}_train"], abs=TOLERANCE[key])


def test_what_the_prose_claims(measured):
    (_, raw), (_, features), (wide_train, wide), (deep_train, deep) = (
        measured[key] for key in ("raw", "features", "wide", "deep"))
    assert features >= 90 and deep >= 90, "features and depth both learn the spirals"
    assert raw <= 85, "the small network on raw inputs cannot follow the arms"
    assert wide <= deep - 10, "the wide network does far worse than the deeper one"
    assert abs(wide - raw) <= 6, "the wide network does about as well as the small one"
    assert wide_train < 95 <= deep_train, "the wide network has not fitted its training points"


def test_the_table_counts_parameters_and_test_points():
    glue = stored_glue(CHAPTER)
    assert glue["ch03_num_test"] == 100
    assert glue["ch03_params_wide"] == pytest.approx(glue["ch03_params_deep"], abs=2)
