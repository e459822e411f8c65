"""The learning-rate explorer, headless: compute and plot at both ends of every range."""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnbook.learning import learning_regime, regime_message, run_failed  # noqa: E402
from nnbook.widgets.learning_rate import (BATCH_SIZES, DEFAULTS,  # noqa: E402
                                          LOG10_LR_RANGE, REGIMES, STEPS_RANGE,
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
    assert result["regime"] in REGIMES
    assert result["regime"] == learning_regime(result["path"], result["loss"])
    assert result["failed"] is run_failed(result["loss"])
    assert result["failed"] == (result["regime"] in ("unstable", "diverging"))
    ax_loss, ax_map = plot_learning_rate(result)
    assert ax_loss.lines and np.all(np.isfinite(ax_loss.lines[0].get_ydata()))
    assert result["regime"] in ax_loss.get_title()
    if result["failed"]:
        assert "too large" in ax_map.texts[0].get_text()
    else:
        assert result["regime"] in ax_map.get_title()


def test_defaults_learn_and_draw_a_boundary():
    result = compute_learning_rate()
    assert result["lr"] == DEFAULTS["lr"] and result["regime"] == "smooth"
    assert result["loss"][-1] < 0.35 and result["accuracy"] > 85
    _, ax_map = plot_learning_rate(result)
    assert ax_map.collections and not ax_map.texts


def test_a_tiny_learning_rate_crawls():
    result = compute_learning_rate(10 ** LOG10_LR_RANGE[0], STEPS_RANGE[1], BATCH_SIZES[-1])
    assert result["regime"] == "smooth" and result["loss"][-1] > 0.6


def test_a_huge_learning_rate_gives_a_plain_message_not_nan():
    result = compute_learning_rate(10 ** LOG10_LR_RANGE[1], 100, BATCH_SIZES[-1])
    message = result["message"]
    assert result["regime"] == "unstable" and message.startswith("unstable: ")
    assert "too large" in message and "ten times smaller" in message
    assert f"averages {result['tail_loss']:.3g}" in message and "0.693" in message
    assert "nan" not in message.lower()
    ax_loss, ax_map = plot_learning_rate(result)
    assert not ax_map.axison and "too large" in ax_map.texts[0].get_text()
    # every line of the explanation fits the panel
    assert max(len(line) for line in message.splitlines()) <= 45


@pytest.mark.parametrize("lr, regime", [(0.01, "smooth"), (3.0, "smooth"), (20.0, "zig-zag"),
                                        (300.0, "unstable")])
def test_the_chapter_regimes(lr, regime):
    # Chapter 2, Section 2.7: the four learning rates of the figure, full batch, 100 steps
    result = compute_learning_rate(lr, 100, 200)
    assert result["regime"] == regime


def test_a_bounded_swing_is_unstable_not_diverged():
    # lr = 300 used to be called "diverged" because its last loss was above the first;
    # the loss's gradient is bounded, so the swings stay bounded: unstable
    result = compute_learning_rate(300.0, 500, 200)
    assert result["regime"] == "unstable" and np.all(np.isfinite(result["loss"]))
    assert result["loss"][-125:].max() < 100


def test_zig_zag_message_and_small_batch_noise():
    result = compute_learning_rate(20.0, 100, 200)
    assert result["message"] == f"zig-zag: loss 0.693 → about {result['tail_loss']:.3g}"
    # with one example per step the gradient's noise alone turns the path back
    assert compute_learning_rate(0.01, 100, 1)["regime"] == "zig-zag"
    noisy = compute_learning_rate(300.0, 100, 1)
    assert noisy["regime"] == "unstable" and "batch size 1" in noisy["message"]


def test_exercise_5_thresholds():
    # the smallest unstable learning rate on the grid of Exercise 5, per batch size
    grid = (1, 2, 3, 5, 10, 20, 30, 50, 100)
    found = {bs: next(lr for lr in grid if compute_learning_rate(lr, 100, bs)["failed"])
             for bs in (200, 20, 1)}
    assert found == {200: 50, 20: 30, 1: 5}


def test_plot_into_given_axes():
    fig, axes = plt.subplots(1, 2)
    returned = plot_learning_rate(compute_learning_rate(num_steps=5), ax=axes)
    assert returned[0] is axes[0] and returned[1] is axes[1]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"lr": 0.0}, ValueError, "lr must be a finite number > 0, got 0.0"),
    ({"lr": "big"}, TypeError, "lr must be a finite number > 0, got 'big'"),
    ({"num_steps": 0}, ValueError, "num_steps must be an int ≥ 1, got 0"),
    ({"batch_size": 3}, ValueError, "unknown batch_size 3: choose one of 1, 2, 5, 10, 20, 50, 100, 200"),
    ({"batch_size": True}, ValueError, "unknown batch_size True: choose one of 1, 2, 5, 10, 20, 50, 100, 200"),
    ({"seed": -1}, ValueError, "seed must be an int from 0 to 2**32 - 1, got -1"),
])
def test_compute_rejects_bad_settings(kwargs, error, message):
    with pytest.raises(error) as raised:
        compute_learning_rate(**kwargs)
    assert str(raised.value) == message


def test_the_widget_offers_the_maths_modules_compute():
    # the checks import compute_learning_rate from nnbook.learning; the widget re-exports it
    import nnbook.learning
    import nnbook.widgets.learning_rate as widget

    assert widget.compute_learning_rate is nnbook.learning.compute_learning_rate


def test_plot_rejects_something_else():
    with pytest.raises(TypeError, match=r"^result must be the dict returned by compute_learning_rate\(...\), with"):
        plot_learning_rate({"w": 1})
    with pytest.raises(TypeError, match=r"^result must be the dict returned by compute_learning_rate\(...\), got a list$"):
        plot_learning_rate([1])


def test_widget_builds_and_redraws_headlessly():
    pytest.importorskip("ipywidgets")
    box = learning_rate_widget(num_steps=5)
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["learning rate", "steps", "batch size"]
    sliders[0].value = 10 ** LOG10_LR_RANGE[1]  # a diverging setting redraws without raising
    sliders[2].value = BATCH_SIZES[0]


def test_messages_for_a_diverging_run():
    # the logistic neuron never diverges (bounded gradient), but the message is ready
    growing = regime_message(np.array([0.7, 1.0, 3.0, 9.0]), 9.0, "diverging", 1234.5, 200)
    assert growing.startswith("diverging: learning rate 1230 is too large.")
    assert "keeps growing" in growing and "ten times smaller" in growing
    overflow = regime_message(np.array([0.7, np.inf]), np.inf, "diverging", 5.0, 200)
    assert "overflowed" in overflow and "inf" not in overflow
