"""The learning-rate explorer (Chapter 2, *Learning from data*).

A logistic neuron learns the two-moons data set by gradient descent; the
reader picks the learning rate, the number of steps and the batch size and
sees the loss curve, the regime of the run (smooth, zig-zag, unstable or
diverging, as ``nnbook.learning.learning_regime`` defines them) and the
decision boundary. Three layers: ``compute_learning_rate`` (pure),
``plot_learning_rate`` (draws a result), ``learning_rate_widget`` (the
controls).
"""

import numpy as np

from nnbook.datasets import make_moons
from nnbook.learning import learning_regime, predict_proba, train_logistic
from nnbook.validation import as_choice, as_instance, as_int, as_positive

# Slider ranges (tests run compute/plot at both ends of each).
LOG10_LR_RANGE = (-3.0, 3.0)  # learning rates from 0.001 to 1000
STEPS_RANGE = (1, 500)
# 200 = the whole data set: batch gradient descent
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200)
DEFAULTS = {"lr": 3.0, "num_steps": 100, "batch_size": 200}
DATA = {"n": 200, "noise": 0.2, "seed": 0}
REGIMES = ("smooth", "zig-zag", "unstable", "diverging")
# The regimes in which the boundary means nothing: the panel explains instead.
FAILED = ("unstable", "diverging")
COLOURS = {"smooth": "#0072B2", "zig-zag": "#009E73", "unstable": "#D55E00",
           "diverging": "#D55E00"}


def compute_learning_rate(lr=DEFAULTS["lr"], num_steps=DEFAULTS["num_steps"],
                          batch_size=DEFAULTS["batch_size"], seed=0):
    """Train the logistic neuron on the moons data and report how it went.

    Returns a dict: X (200, 2), y (200,), w (2,), b, loss ((num_steps + 1,)
    loss on the whole data set), path ((num_steps + 1, 3): w and b after
    each step), accuracy (%), regime (one of REGIMES, by
    ``learning_regime``), tail_loss (the mean loss over the last quarter of
    the run, the statistic the regime is judged on) and message (a
    sentence for the reader).
    """
    lr, num_steps = as_positive(lr, "lr"), as_int(num_steps, "num_steps", minimum=1)
    batch_size = as_choice(batch_size, "batch_size", BATCH_SIZES)
    X, y = make_moons(**DATA)
    w, b, history = train_logistic(X, y, lr, num_steps, batch_size=batch_size, seed=seed)
    loss = history["loss"]
    regime = learning_regime(history["path"], loss)
    tail_loss = float(np.mean(loss[-max(1, len(loss) // 4):]))
    accuracy = 100.0 * float(np.mean((predict_proba(X, w, b) >= 0.5) == y))
    return dict(X=X, y=y, w=w, b=b, loss=loss, path=history["path"], accuracy=accuracy,
                lr=lr, num_steps=num_steps, batch_size=batch_size, regime=regime,
                tail_loss=tail_loss, message=_message(loss, tail_loss, regime, lr, batch_size))


def _message(loss, tail_loss, regime, lr, batch_size):
    """A plain sentence (a few short lines) on what the run did."""
    if regime == "smooth":
        return f"smooth: loss {loss[0]:.3g} → {loss[-1]:.3g}"
    if regime == "zig-zag":
        return f"zig-zag: loss {loss[0]:.3g} → about {tail_loss:.3g}"
    if regime == "unstable":
        what = (f"The loss swings without coming down:\n"
                f"over the last quarter of the run it\n"
                f"averages {tail_loss:.3g}, not below the {loss[0]:.3g}\n"
                f"it started from.")
    elif np.all(np.isfinite(loss)):
        what = (f"The loss keeps growing: over the last\n"
                f"quarter of the run it averages {tail_loss:.3g},\n"
                f"from {loss[0]:.3g} at the start.")
    else:
        what = f"The loss overflowed, from {loss[0]:.3g} at the start."
    noise = ("\nWith batch size 1 each step follows one\nexample's gradient, "
             "noisier still." if batch_size == 1 else "")
    lr_text = f"{float(f'{lr:.3g}'):g}"   # 3 significant digits, never 1e+03
    return (f"{regime}: learning rate {lr_text} is too large.\n{what}\n"
            f"Each step overshoots the minimum.{noise}\n"
            f"Try a learning rate about ten times smaller.")


def plot_learning_rate(result, ax=None):
    """Draw a result of ``compute_learning_rate``: the loss curve (left) and
    the decision boundary (right), or, if the run is unstable or diverging,
    the reason in words.

    ax: None (a new figure) or a pair of Axes. Returns the pair of Axes.
    """
    import matplotlib.pyplot as plt

    from nnbook.plotting import plot_decision_boundary

    as_instance(result, "result", dict, "the dict returned by compute_learning_rate(...)")
    if "loss" not in result or "regime" not in result:
        raise TypeError("result must be the dict returned by compute_learning_rate(...), "
                        "with 'loss' and 'regime'")
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
    if result["regime"] in FAILED:
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
