"""The learning-rate explorer (Chapter 2, *Learning from data*).

A logistic neuron learns the two-moons data set by gradient descent; the
reader picks the learning rate, the number of steps and the batch size and
sees the loss curve, the regime of the run (smooth, zig-zag, unstable or
diverging, as ``nnbook.learning.learning_regime`` defines them) and the
decision boundary. Three layers: ``compute_learning_rate`` (pure; it lives
in ``nnbook.learning`` and is imported here), ``plot_learning_rate`` (draws
a result), ``learning_rate_widget`` (the controls). A run that failed
(``nnbook.learning.run_failed``: unstable or diverging) gets its reason in
words instead of a boundary.
"""

import numpy as np

# the arithmetic lives beside the maths in nnbook.learning, where the checks use it too
from nnbook.learning import (EXPLORER_BATCH_SIZES as BATCH_SIZES,  # noqa: F401
                             EXPLORER_DATA as DATA, EXPLORER_DEFAULTS as DEFAULTS, REGIMES,
                             compute_learning_rate, predict_proba)
from nnbook.validation import as_instance

# Slider ranges (tests run compute/plot at both ends of each).
LOG10_LR_RANGE = (-3.0, 3.0)  # learning rates from 0.001 to 1000
STEPS_RANGE = (1, 500)
COLOURS = {"smooth": "#0072B2", "zig-zag": "#009E73", "unstable": "#D55E00",
           "diverging": "#D55E00"}


def plot_learning_rate(result, ax=None):
    """Draw a result of ``compute_learning_rate``: the loss curve (left) and
    the decision boundary (right), or, if the run is unstable or diverging,
    the reason in words.

    ax: None (a new figure) or a pair of Axes. Returns the pair of Axes.
    """
    import matplotlib.pyplot as plt

    from nnbook.plotting import plot_decision_boundary

    as_instance(result, "result", dict, "the dict returned by compute_learning_rate(...)")
    if not {"loss", "regime", "failed"} <= set(result):
        raise TypeError("result must be the dict returned by compute_learning_rate(...), "
                        "with 'loss', 'regime' and 'failed'")
    if ax is None:
        ax = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")[1]
    ax_loss, ax_map = ax
    loss = result["loss"][np.isfinite(result["loss"])]
    ax_loss.plot(np.arange(len(loss)), loss, color=COLOURS[result["regime"]])
    # what the regime is judged on: the start (dotted) and the last quarter's mean (bar)
    k = max(1, len(result["loss"]) // 4)
    ax_loss.axhline(result["loss"][0], color="grey", linestyle=":", linewidth=1)
    ax_loss.hlines(result["tail_loss"], len(result["loss"]) - k, len(result["loss"]) - 1,
                   color="black", linewidth=2.5)
    ax_loss.set(xlabel="step", ylabel="loss (cross-entropy)", yscale="log",
                title=f"lr = {result['lr']:.3g}, batch size {result['batch_size']}: "
                      f"{result['regime']}")
    _plain_log_ticks(ax_loss)
    if result["failed"]:
        ax_map.text(0.5, 0.5, result["message"], ha="center", va="center",
                    fontsize=11.5, linespacing=1.4, transform=ax_map.transAxes)
        ax_map.set_axis_off()
        return ax_loss, ax_map
    w, b = result["w"], result["b"]
    plot_decision_boundary(lambda P: predict_proba(P, w, b), result["X"], result["y"],
                           ax=ax_map, resolution=60)
    ax_map.set_title(f"accuracy {result['accuracy']:.1f} %\n{result['message']}")
    return ax_loss, ax_map


def _plain_log_ticks(ax):
    """Label a log y-axis with plain numbers (0.3, 1, 10), not powers of ten."""
    from matplotlib.ticker import LogFormatter

    class Plain(LogFormatter):
        def _num_to_string(self, x, vmin, vmax):
            return f"{x:g}"

    ax.yaxis.set_major_formatter(Plain())
    ax.yaxis.set_minor_formatter(Plain(labelOnlyBase=False))


def learning_rate_widget(**settings):
    """The live explorer for JupyterLab: sliders for the learning rate (log scale),
    the number of steps and the batch size; the figure is redrawn on every change.

    settings: starting values for any of ``DEFAULTS``' keys.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    values = {**DEFAULTS, **settings}
    controls = {
        "lr": widgets.FloatLogSlider(value=values["lr"], base=10, min=LOG10_LR_RANGE[0],
                                     max=LOG10_LR_RANGE[1], step=0.1, description="learning rate"),
        "num_steps": widgets.IntSlider(value=values["num_steps"], min=STEPS_RANGE[0],
                                       max=STEPS_RANGE[1], description="steps"),
        "batch_size": widgets.SelectionSlider(options=BATCH_SIZES, value=values["batch_size"],
                                              description="batch size")}
    out = widgets.Output()

    def redraw(_=None):
        result = compute_learning_rate(**{name: c.value for name, c in controls.items()})
        with out:
            out.clear_output(wait=True)
            plot_learning_rate(result)
            plt.show()

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox(list(controls.values())), out])
