"""The capacity × data explorer: compute and plot at both ends of every
range, headlessly; deterministic, and the caller's random state left alone;
the default shows overfitting and more data shrinks the gap; bad settings
refused with a message that says what to change; the live figure draws
what a full drawing shows; the widget builds, trains live on the
background runner, restarts on a new setting, resets and pauses."""

import threading
import time

import matplotlib
import numpy as np
import pytest
import torch

from nnbook.widgets import capacity as explorer

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture(scope="module")
def default():
    """compute_capacity() at its defaults: the book's static figure."""
    return explorer.compute_capacity()


ENDS = [(name, value) for name, bounds in [
    ("width", explorer.WIDTH_RANGE), ("depth", explorer.DEPTH_RANGE),
    ("num_train", explorer.NUM_TRAIN_RANGE),
    ("weight_decay", explorer.WEIGHT_DECAY_RANGE),
    ("dropout", explorer.DROPOUT_RANGE), ("noise", explorer.NOISE_RANGE)]
    for value in bounds]


@pytest.mark.parametrize("name, value", ENDS)
def test_compute_and_plot_at_both_ends_of_every_range(name, value):
    result = explorer.compute_capacity(**{name: value}, num_steps=20)
    assert result[name] == value and result["step"] == [0, 10, 20]
    for curve in explorer.CURVES[1:]:
        assert len(result[curve]) == 3 and np.all(np.isfinite(result[curve]))
    assert all(0 <= a <= 100 for a in result["train acc"] + result["val acc"])
    ax_loss, ax_acc = explorer.plot_capacity(result)
    assert list(ax_loss.lines[1].get_ydata()) == result["val loss"]
    assert list(ax_acc.lines[0].get_ydata()) == result["train acc"]


def test_the_largest_network_on_all_the_data():
    result = explorer.compute_capacity(
        width=explorer.WIDTH_RANGE[1], depth=explorer.DEPTH_RANGE[1],
        num_train=explorer.NUM_TRAIN_RANGE[1], num_steps=10)
    assert result["num_params"] == 40 * 512 + 512 + 3 * 512 * 513 + 5130
    assert result["val loss"][-1] < result["val loss"][0]


def test_no_step_at_the_bottom_of_the_step_range():
    result = explorer.compute_capacity(num_steps=explorer.STEPS_RANGE[0])
    assert result["step"] == [0] and result["best step"] == 0
    assert result["val loss"][0] == pytest.approx(np.log(10), abs=0.2)
    explorer.plot_capacity(result)


@pytest.mark.slow   # trains 3000 steps: seconds, not ms
def test_the_top_of_the_step_range():
    steps = explorer.STEPS_RANGE[1]
    result = explorer.compute_capacity(width=8, num_train=100,
                                       num_steps=steps)
    assert result["step"][-1] == steps == result["num_steps"]
    assert len(result["step"]) == steps // explorer.EVAL_EVERY + 1
    explorer.plot_capacity(result)


def test_steps_not_a_multiple_of_the_interval_end_with_a_point():
    result = explorer.compute_capacity(num_steps=25)
    assert result["step"] == [0, 10, 20, 25]


def test_deterministic_and_the_callers_random_state_left_alone(default):
    torch.manual_seed(123)
    before, threads = torch.get_rng_state(), torch.get_num_threads()
    again = explorer.compute_capacity()
    assert again == default
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.get_num_threads() == threads
    other = explorer.compute_capacity(seed=1, num_steps=50)
    assert other["val loss"] != default["val loss"][:len(other["val loss"])]


def test_dropout_and_noise_are_deterministic_too():
    kwargs = dict(dropout=0.3, noise=0.5, num_steps=30)
    assert explorer.compute_capacity(**kwargs) == \
        explorer.compute_capacity(**kwargs)


def test_the_default_overfits_and_more_data_closes_the_gap(default):
    """A wide network on 300 examples learns them all while its
    validation loss, after a dip, climbs far above its lowest value; on
    8000 examples the same network's gap is far smaller."""
    val, train = default["val loss"], default["train loss"]
    assert 0 < default["best step"] < default["step"][-1] / 4
    assert val[-1] > 1.5 * min(val)
    assert train[-1] < 0.05 and default["train acc"][-1] == 100
    more = explorer.compute_capacity(num_train=8000)
    gap = lambda r: r["val loss"][-1] - r["train loss"][-1]
    assert gap(more) < 0.5 < 2 < gap(default)
    assert more["val acc"][-1] > default["val acc"][-1] + 15


@pytest.mark.slow   # a 600-step run more
def test_regularisation_lowers_the_final_validation_loss(default):
    decayed = explorer.compute_capacity(weight_decay=10.0)
    assert decayed["val loss"][-1] < 0.6 * default["val loss"][-1]


def test_a_live_session_trains_as_compute_does():
    session = explorer.CapacitySession(num_train=200, dropout=0.2)
    while session.steps < 40:
        assert session.step()
    result = explorer.compute_capacity(num_train=200, dropout=0.2,
                                       num_steps=40)
    assert session.snapshot() == result


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(width=7), ValueError, "width must be an int from 8 to 512, got 7"),
    (dict(width=513), ValueError, "width must be an int from 8 to 512"),
    (dict(width=64.0), TypeError, "width must be an int"),
    (dict(depth=0), ValueError, "depth must be an int from 1 to 4, got 0"),
    (dict(depth=5), ValueError, "depth must be an int from 1 to 4, got 5"),
    (dict(num_train=99), ValueError,
     "num_train must be an int from 100 to 8000, got 99"),
    (dict(num_train=10000), ValueError, "num_train must be an int from 100"),
    (dict(weight_decay=-0.1), ValueError,
     "weight_decay must be a number from 0.0 to 10.0, got -0.1"),
    (dict(weight_decay="lots"), TypeError, "weight_decay must be"),
    (dict(dropout=0.6), ValueError,
     "dropout must be a number from 0.0 to 0.5, got 0.6"),
    (dict(noise=1.5), ValueError, "noise must be a number from 0.0 to 1.0"),
    (dict(noise=float("nan")), ValueError, "noise must be a finite number"),
    (dict(num_steps=3001), ValueError,
     "num_steps must be an int from 0 to 3000, got 3001"),
    (dict(num_steps=-1), ValueError, "num_steps must be an int from 0"),
    (dict(seed=-1), ValueError, "seed must be an int from 0"),
])
def test_bad_settings_refused(kwargs, error, words):
    with pytest.raises(error, match=words):
        explorer.compute_capacity(**kwargs)


def test_plot_draws_one_panel_or_two(default):
    import matplotlib.pyplot as plt

    ax_loss, ax_acc = explorer.plot_capacity(default)
    assert ax_acc.get_ylim() == (0, 100)
    assert "2 hidden layers × 256 units" in ax_loss.figure.get_suptitle()
    best = default["step"].index(default["best step"])
    assert list(ax_loss.lines[2].get_ydata()) == [default["val loss"][best]]
    axes = plt.subplots(1, 2)[1]            # an array of two Axes
    assert explorer.plot_capacity(default, ax=axes) == tuple(axes)
    ax = plt.subplots()[1]
    assert explorer.plot_capacity(default, ax=ax) is ax
    assert "300 training examples" in ax.get_title()


def test_plot_refuses_what_is_not_a_result():
    with pytest.raises(TypeError, match="compute_capacity"):
        explorer.plot_capacity({"step": [0], "val loss": [2.3]})
    with pytest.raises(TypeError, match="compute_capacity"):
        explorer.plot_capacity([1, 2, 3])


def test_the_data_are_made_on_first_use_not_on_import(monkeypatch):
    """A second copy of the module, imported while making MNIST-1D would
    fail: importing makes nothing."""
    import importlib.util

    import nnbook.datasets

    def refuse(*args, **kwargs):
        raise AssertionError("MNIST-1D made on import")

    monkeypatch.setattr(nnbook.datasets, "load_mnist1d", refuse)
    spec = importlib.util.spec_from_file_location("capacity_copy",
                                                  explorer.__file__)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


def _pixels(png):
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png))).astype(int)


def test_the_live_figure_draws_what_a_full_drawing_shows():
    """Frame by frame only the curves are drawn again, over a saved
    picture of the rest; the result is the picture a fresh figure draws,
    also when the limits grow or the settings change."""
    painter, session = explorer._LiveFigure(), explorer.CapacitySession()
    first = painter.png(session.snapshot())
    for steps in (1, 1, 9):   # to step 110: the step axis grows
        for _ in range(steps):
            session.step()
        frame = painter.png(session.snapshot())
        assert np.array_equal(_pixels(frame), _pixels(
            explorer._LiveFigure().png(session.snapshot())))
    assert frame != first
    other = explorer.CapacitySession(width=8).snapshot()
    assert np.array_equal(_pixels(painter.png(other)),
                          _pixels(explorer._LiveFigure().png(other)))


def _wait(condition, timeout=30):
    deadline = time.time() + timeout
    while not condition() and time.time() < deadline:
        time.sleep(0.05)
    return condition()


def _threads():
    return [t for t in threading.enumerate()
            if t.name == explorer.THREAD_NAME and t.is_alive()]


def test_widget_trains_live_restarts_resets_and_pauses():
    box = explorer.capacity_widget(num_train=200)
    runner, controls = box.runner, box.controls
    run, reset = box.children[0].children
    assert box.status.value == "step 0" and box.image.value
    run.click()
    assert runner.running and run.description == explorer.PAUSE
    assert _wait(lambda: "step 0" not in box.status.value)
    controls["width"].value = 64              # a fresh network, training on
    session = box.explorer.session
    assert session.settings["width"] == 64 and runner.running
    assert _wait(lambda: session.steps >= 20)
    run.click()                                # pause
    assert not runner.running and run.description == explorer.START
    assert runner.error is None and not _threads()
    steps, picture = session.steps, box.image.value
    time.sleep(0.3)
    assert session.steps == steps and box.image.value == picture
    assert box.status.value.startswith(f"step {steps} · loss: training")
    controls["dropout"].value = 0.3            # paused: a fresh one, paused
    assert box.explorer.session.steps == 0 and not runner.running
    assert box.explorer.session.settings["dropout"] == 0.3
    box.explorer.session.train(20)
    reset.click()
    assert box.explorer.session.steps == 0 and box.status.value == "step 0"
    assert box.image.value != picture
    runner.close()


def test_widget_shows_bad_settings_and_refuses_unknown_ones():
    box = explorer.capacity_widget(width=1000, dropout=0.2)
    assert "width must be an int from 8 to 512, got 1000; the default 256 " \
        "is used" in box.status.value
    assert box.controls["width"].value == 256
    assert box.explorer.session.settings["dropout"] == 0.2
    box.controls["depth"].value = 3            # the note goes
    assert "width must" not in box.status.value
    box.runner.close()
    box = explorer.capacity_widget(width=100)  # valid, not a slider stop
    assert box.controls["width"].value == 100
    assert 100 in box.controls["width"].options
    box.runner.close()
    with pytest.raises(TypeError, match="unknown setting"):
        explorer.capacity_widget(lr=0.1)


def test_a_new_widget_pauses_the_one_before():
    first = explorer.capacity_widget()
    first.runner.start()
    assert _wait(lambda: first.explorer.session.steps > 0)
    second = explorer.capacity_widget()
    assert not first.runner.running
    second.runner.close()
    first.runner.close()
