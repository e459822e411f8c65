"""The depth explorer: compute and plot at both ends of every range,
headlessly; bad settings refused; the widget builds, trains live on the
background runner and stops."""

import time

import matplotlib
import numpy as np
import pytest

from nnbook.deep import ACTIVATIONS, INITS, NORMS
from nnbook.widgets import depth as explorer

matplotlib.use("Agg")


@pytest.mark.parametrize("depth", explorer.DEPTH_RANGE)
@pytest.mark.parametrize("num_epochs", explorer.EPOCHS_RANGE[:1] + (2,))
def test_compute_and_plot_at_the_ends_of_the_ranges(depth, num_epochs):
    import matplotlib.pyplot as plt

    result = explorer.compute_depth(depth=depth, num_epochs=num_epochs)
    assert result["grad_norms"].shape == (depth,)
    assert result["losses"].shape == (num_epochs,)
    ax_grad, ax_loss = explorer.plot_depth(result)
    assert len(ax_grad.lines[0].get_xdata()) == depth
    plt.close("all")


def test_the_longest_training_at_the_top_of_the_epoch_range():
    result = explorer.compute_depth(depth=1, activation="relu", init="he",
                                    num_epochs=explorer.EPOCHS_RANGE[1])
    assert len(result["losses"]) == explorer.EPOCHS_RANGE[1]
    assert result["losses"][-1] < result["losses"][0]


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("init", INITS)
def test_every_activation_and_init(activation, init):
    result = explorer.compute_depth(depth=3, activation=activation, init=init)
    assert np.all(np.isfinite(result["grad_norms"]))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("residual", [False, True])
def test_every_norm_and_residual(norm, residual):
    import matplotlib.pyplot as plt

    result = explorer.compute_depth(depth=50, activation="relu", norm=norm,
                                    residual=residual,
                                    num_epochs=int(norm == "batch"))
    explorer.plot_depth(result)
    plt.close("all")
    assert result["residual"] is residual
    assert np.all(np.isfinite(result["losses"]))


def test_the_defaults_show_vanishing_gradients():
    norms = explorer.compute_depth(**explorer.DEFAULTS)["grad_norms"]
    assert norms[0] < 1e-6 * norms[-1]


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(depth=0), ValueError, "depth must be an int from 1 to 50"),
    (dict(depth=51), ValueError, "depth must be an int from 1 to 50"),
    (dict(activation="elu"), ValueError, "unknown activation"),
    (dict(num_epochs=31), ValueError, "num_epochs must be an int from 0"),
])
def test_bad_settings_refused(kwargs, error, words):
    with pytest.raises(error, match=words):
        explorer.compute_depth(**kwargs)


def test_plot_refuses_what_is_not_a_result():
    with pytest.raises(TypeError, match="compute_depth"):
        explorer.plot_depth({"depth": 3})


def test_widget_trains_live_and_pauses():
    box = explorer.depth_widget(depth=3, activation="relu", init="he")
    runner = box.runner
    assert box.status.value.startswith("epoch 0")
    runner.start()
    deadline = time.time() + 20
    while "epoch 0" in box.status.value and time.time() < deadline:
        time.sleep(0.1)
    assert runner.pause() and not runner.running
    assert box.status.value.startswith("epoch ") and runner.error is None
    box.controls["depth"].value = 5          # a new network, paused
    assert box.status.value.startswith("epoch 0")
    runner.close()
    with pytest.raises(TypeError, match="unknown setting"):
        explorer.depth_widget(width=3)
