"""The neuron playground (Chapter 1): two weights, a bias and an activation → the
output surface, the decision boundary and the accuracy on a 2-D data set.

``compute_neuron`` and ``neuron_data`` live in ``nnbook.activations`` (the checks use them
without loading a widget); they are imported here so that the playground's three layers
can be had from one module."""

import numpy as np

# the arithmetic lives beside the activations, where the checks use it too
from nnbook.activations import (ACTIVATIONS, NEURON_DATASETS as DATASET_NAMES,  # noqa: F401
                                NeuronResult, compute_neuron, neuron_data)
from nnbook.plotting import class_cmap, plot_level_line, plot_points
from nnbook.validation import as_instance

WEIGHT_RANGE = (-5.0, 5.0)
BIAS_RANGE = (-5.0, 5.0)
SLIDER_STEP = 0.1
DEFAULTS = {"w1": 1.0, "w2": 1.0, "b": 0.0, "activation": "sigmoid", "dataset": "blobs"}


def plot_neuron(result, ax=None):
    """Draw a NeuronResult: output surface, boundary line, data. Returns the Axes."""
    import matplotlib.pyplot as plt

    as_instance(result, "result", NeuronResult, "the result of compute_neuron(...)")
    ax = plt.subplots(figsize=(5.5, 4.2))[1] if ax is None else ax
    low, high = {"tanh": (-1, 1), "relu": (0, max(1e-9, result.surface.max()))}.get(result.activation, (0, 1))
    filled = ax.contourf(result.xx, result.yy, result.surface, levels=np.linspace(low, high, 11),
                         cmap=class_cmap(), alpha=0.65, extend="both")
    # a colour bar as tall as the axes, whatever their aspect
    ax.figure.colorbar(filled, cax=ax.inset_axes([1.04, 0.0, 0.04, 1.0]),
                       label=f"{result.activation} output")
    if np.any(result.w != 0):
        z = result.xx * result.w[0] + result.yy * result.w[1] + result.b
        plot_level_line(ax, result.xx, result.yy, z, 0.0)
        note = f"accuracy {result.accuracy:.1%}"
    else:
        note = f"w = 0: no boundary, every point is class {int(result.b >= 0)} ({result.accuracy:.1%})"
    plot_points(result.X, result.y, ax)
    ax.set_aspect("equal")  # so that w looks perpendicular to the boundary, as it is
    ax.set_title(f"w = ({result.w[0]:.1f}, {result.w[1]:.1f}), b = {result.b:.1f}: {note}", fontsize=9)
    return ax


def neuron_widget(**settings):
    """The live playground for JupyterLab: sliders for w1, w2, b; menus for the activation and data set."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    values = {**DEFAULTS, **settings}
    slider = lambda name, bounds: widgets.FloatSlider(
        value=values[name], min=bounds[0], max=bounds[1], step=SLIDER_STEP, description=name,
        continuous_update=True)
    controls = {"w1": slider("w1", WEIGHT_RANGE), "w2": slider("w2", WEIGHT_RANGE), "b": slider("b", BIAS_RANGE),
                "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=values["activation"],
                                               description="activation"),
                "dataset": widgets.Dropdown(options=list(DATASET_NAMES), value=values["dataset"],
                                            description="data set")}
    out = widgets.Output()

    def redraw(_=None):
        X, y = neuron_data(controls["dataset"].value)
        result = compute_neuron(X, y, controls["w1"].value, controls["w2"].value, controls["b"].value,
                                controls["activation"].value)
        with out:
            out.clear_output(wait=True)
            plot_neuron(result)
            plt.show()

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return widgets.HBox([widgets.VBox(list(controls.values())), out])
