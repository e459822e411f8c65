"""The learning-rate explorer (Chapter 2, *Learning from data*).

A logistic neuron learns the two-moons data set by gradient descent; the reader
picks the learning rate, the number of steps and the batch size and sees the loss
curve and the decision boundary. Three layers: ``compute_learning_rate`` (pure),
``plot_learning_rate`` (draws a result), ``learning_rate_widget`` (the controls).
"""

import numpy as np

from nnbook.datasets import make_moons
from nnbook.learning import predict_proba, train_logistic, validate_count, validate_lr

# Slider ranges (tests run compute/plot at both ends of each).
LOG10_LR_RANGE = (-3.0, 3.0)  # learning rates from 0.001 to 1000
STEPS_RANGE = (1, 500)
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200)  # 200 = the whole data set: batch gradient descent
DEFAULTS = {"lr": 3.0, "num_steps": 100, "batch_size": 200}
DATA = {"n": 200, "noise": 0.2, "seed": 0}


def compute_learning_rate(lr=DEFAULTS["lr"], num_steps=DEFAULTS["num_steps"],
                          batch_size=DEFAULTS["batch_size"], seed=0):
    """Train the logistic neuron on the moons data and report how it went.

    Returns a dict: X (200, 2), y (200,), w (2,), b, loss ((num_steps + 1,) loss on
    the whole data set), accuracy (%), diverged (True when the loss ends above where
    it started or overflows) and message (a sentence for the reader).
    """
    lr, num_steps = validate_lr(lr), validate_count(num_steps, "num_steps")
    if batch_size not in BATCH_SIZES:
        raise ValueError(f"batch_size must be one of {BATCH_SIZES}, got {batch_size!r}")
    X, y = make_moons(**DATA)
    w, b, history = train_logistic(X, y, lr, num_steps, batch_size=batch_size, seed=seed)
    loss = np.asarray(history["loss"])
    accuracy = 100.0 * float(np.mean((predict_proba(X, w, b) >= 0.5) == y))
    diverged = bool(not np.all(np.isfinite(loss)) or loss[-1] > loss[0])
    message = _message(loss, diverged, lr)
    return dict(X=X, y=y, w=w, b=b, loss=loss, accuracy=accuracy, lr=lr, num_steps=num_steps,
                batch_size=batch_size, diverged=diverged, message=message)


def _message(loss, diverged, lr):
    """One plain sentence on what the run did."""
    if not diverged:
        return f"loss {loss[0]:.3g} → {loss[-1]:.3g}"
    end = f"ended at {loss[-1]:.3g}" if np.isfinite(loss[-1]) else "overflowed"
    return (f"The learning rate {lr:.3g} is too large: the loss {end},\n"
            f"above where it started ({loss[0]:.3g}). Each step overshoots the minimum.\n"
            f"Try a learning rate about ten times smaller.")


def plot_learning_rate(result, ax=None):
    """Draw a result of ``compute_learning_rate``: the loss curve (left) and the
    decision boundary (right), or, if training diverged, the reason in words.

    ax: None (a new figure) or a pair of Axes. Returns the pair of Axes.
    """
    import matplotlib.pyplot as plt

    from nnbook.plotting import plot_decision_boundary

    if not isinstance(result, dict) or "loss" not in result:
        raise TypeError("result must be the dict returned by compute_learning_rate")
    ax_loss, ax_map = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")[1] if ax is None else ax
    loss = result["loss"][np.isfinite(result["loss"])]
    ax_loss.plot(np.arange(len(loss)), loss, color="#D55E00" if result["diverged"] else "#0072B2")
    ax_loss.set(xlabel="step", ylabel="loss (cross-entropy)", yscale="log",
                title=f"lr = {result['lr']:.3g}, batch size {result['batch_size']}")
    if result["diverged"]:
        ax_map.text(0.5, 0.5, result["message"], ha="center", va="center", wrap=True,
                    fontsize=9, transform=ax_map.transAxes)
        ax_map.set_axis_off()
        return ax_loss, ax_map
    w, b = result["w"], result["b"]
    plot_decision_boundary(lambda P: predict_proba(P, w, b), result["X"], result["y"], ax=ax_map, resolution=60)
    ax_map.set_title(f"accuracy {result['accuracy']:.1f} %, {result['message']}")
    return ax_loss, ax_map


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
