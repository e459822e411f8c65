"""The learning-rate explorer, headless: compute and plot at both ends of every range."""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnbook.widgets.learning_rate import (BATCH_SIZES, DEFAULTS, LOG10_LR_RANGE, STEPS_RANGE,  # noqa: E402
                                          compute_learning_rate, learning_rate_widget,
                                          plot_learning_rate)

ENDS = list(itertools.product([10 ** LOG10_LR_RANGE[0], 10 ** LOG10_LR_RANGE[1]], STEPS_RANGE,
                              [BATCH_SIZES[0], BATCH_SIZES[-1]]))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("lr, num_steps, batch_size", ENDS)
def test_compute_and_plot_at_the_ends_of_every_range(lr, num_steps, batch_size):
    result = compute_learning_rate(lr, num_steps, batch_size)
    assert result["loss"].shape == (num_steps + 1,)
    assert result["X"].shape == (200, 2) and result["w"].shape == (2,)
    assert 0 <= result["accuracy"] <= 100
    ax_loss, ax_map = plot_learning_rate(result)
    assert ax_loss.lines and np.all(np.isfinite(ax_loss.lines[0].get_ydata()))
    if result["diverged"]:
        assert "too large" in ax_map.texts[0].get_text()


def test_defaults_learn_and_draw_a_boundary():
    result = compute_learning_rate()
    assert result["lr"] == DEFAULTS["lr"] and not result["diverged"]
    assert result["loss"][-1] < 0.35 and result["accuracy"] > 85
    _, ax_map = plot_learning_rate(result)
    assert ax_map.collections and not ax_map.texts


def test_a_tiny_learning_rate_crawls():
    result = compute_learning_rate(10 ** LOG10_LR_RANGE[0], STEPS_RANGE[1], BATCH_SIZES[-1])
    assert not result["diverged"] and result["loss"][-1] > 0.6


def test_a_huge_learning_rate_gives_a_plain_message_not_nan():
    result = compute_learning_rate(10 ** LOG10_LR_RANGE[1], 100, BATCH_SIZES[-1])
    assert result["diverged"] and "too large" in result["message"] and "smaller" in result["message"]
    assert "nan" not in result["message"].lower()
    ax_loss, ax_map = plot_learning_rate(result)
    assert not ax_map.axison and "too large" in ax_map.texts[0].get_text()


def test_plot_into_given_axes():
    fig, axes = plt.subplots(1, 2)
    returned = plot_learning_rate(compute_learning_rate(num_steps=5), ax=axes)
    assert returned[0] is axes[0] and returned[1] is axes[1]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"lr": 0.0}, ValueError, "lr"),
    ({"lr": "big"}, TypeError, "lr"),
    ({"num_steps": 0}, ValueError, "num_steps must be an int ≥ 1"),
    ({"batch_size": 3}, ValueError, "batch_size must be one of"),
])
def test_compute_rejects_bad_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        compute_learning_rate(**kwargs)


def test_plot_rejects_something_else():
    with pytest.raises(TypeError, match="compute_learning_rate"):
        plot_learning_rate({"w": 1})


def test_widget_builds_and_redraws_headlessly():
    pytest.importorskip("ipywidgets")
    box = learning_rate_widget(num_steps=5)
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["learning rate", "steps", "batch size"]
    sliders[0].value = 10 ** LOG10_LR_RANGE[1]  # a diverging setting redraws without raising
    sliders[2].value = BATCH_SIZES[0]
