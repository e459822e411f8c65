"""The neuron playground's logic, headless: every range end, every activation, every data set."""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnbook.activations import ACTIVATIONS  # noqa: E402
from nnbook.widgets import neuron as nw  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("w1, w2, b", list(itertools.product(nw.WEIGHT_RANGE, nw.WEIGHT_RANGE, nw.BIAS_RANGE)))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_range_ends_compute_and_plot(w1, w2, b, activation):
    X, y = nw.neuron_data("moons")
    result = nw.compute_neuron(X, y, w1, w2, b, activation)
    assert result.surface.shape == result.xx.shape and np.all(np.isfinite(result.surface))
    assert 0.0 <= result.accuracy <= 1.0
    assert nw.plot_neuron(result).get_title()


@pytest.mark.parametrize("name", nw.DATASET_NAMES)
def test_every_data_set(name):
    X, y = nw.neuron_data(name)
    result = nw.compute_neuron(X, y, **{k: nw.DEFAULTS[k] for k in ("w1", "w2", "b", "activation")})
    assert result.predictions.shape == y.shape


def test_boundary_and_accuracy_on_gates():
    X, y = nw.neuron_data("AND gate")
    assert nw.compute_neuron(X, y, 1.0, 1.0, -1.5, "step").accuracy == 1.0
    assert nw.compute_neuron(X, y, 1.0, 1.0, -0.5, "step").accuracy == 0.5  # that is OR
    X, y = nw.neuron_data("XOR gate")
    best = max(nw.compute_neuron(X, y, a, c, d).accuracy
               for a, c, d in itertools.product(np.linspace(-5, 5, 21), repeat=3))
    assert best == 0.75


def test_plot_shows_classes_at_equal_scale():
    X, y = nw.neuron_data("moons")
    ax = nw.plot_neuron(nw.compute_neuron(X, y, 1.0, -1.0, 0.0))
    assert ax.get_aspect() == 1.0, "equal scales, so that w looks perpendicular to the boundary"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert len(ax.lines) == 1, "one boundary line"


def test_zero_weights_say_there_is_no_boundary():
    X, y = nw.neuron_data("blobs")
    ax = nw.plot_neuron(nw.compute_neuron(X, y, 0.0, 0.0, 1.0))
    assert "no boundary" in ax.get_title()


def test_scaling_keeps_the_boundary():
    X, y = nw.neuron_data("moons")
    small, large = nw.compute_neuron(X, y, 1, -2, 0.5), nw.compute_neuron(X, y, 10, -20, 5)
    np.testing.assert_array_equal(small.predictions, large.predictions)
    assert np.abs(np.diff(large.surface)).max() > np.abs(np.diff(small.surface)).max()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"w1": float("nan")}, ValueError, "w1 must be a finite number, got nan"),
    ({"w2": True}, TypeError, "w2 must be a finite number, got True"),
    ({"b": "1"}, TypeError, "b must be a finite number, got '1'"),
    ({"activation": "gelu"}, ValueError, "unknown activation 'gelu': choose one of step, sigmoid, tanh, relu"),
])
def test_bad_settings(kwargs, error, message):
    X, y = nw.neuron_data("blobs")
    settings = {"w1": 1.0, "w2": 1.0, "b": 0.0, **kwargs}
    with pytest.raises(error) as raised:
        nw.compute_neuron(X, y, **settings)
    assert str(raised.value) == message


def test_bad_data_and_result():
    with pytest.raises(ValueError, match="^unknown data set 'spiral galaxy': choose one of blobs, moons, "):
        nw.neuron_data("spiral galaxy")
    with pytest.raises(TypeError, match=r"^result must be the result of compute_neuron\(...\), got a dict$"):
        nw.plot_neuron({"w": 1})


def test_widget_builds_and_redraws():
    widget = nw.neuron_widget()
    controls = widget.children[0].children
    assert [c.description for c in controls] == ["w1", "w2", "b", "activation", "data set"]
    assert controls[0].min == nw.WEIGHT_RANGE[0] and controls[2].max == nw.BIAS_RANGE[1]
    controls[0].value = -2.0  # triggers a redraw without error
    controls[4].value = "XOR gate"
