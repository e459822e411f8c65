"""One plotting style for the whole book, applied explicitly with ``use_style()``.

Colours are the Okabe–Ito palette, safe for the common forms of colour blindness;
the two classes of every 2-D data set are blue (class 0) and orange (class 1), and
they also differ in marker shape so that a grey-scale print still tells them apart.
"""

import numpy as np

from nnbook.datasets import as_points, grid_over
from nnbook.validation import as_array, as_function, as_instance

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
             "#D55E00", "#F0E442", "#000000")
CLASS_COLOURS = (OKABE_ITO[0], OKABE_ITO[1])
CLASS_MARKERS = ("o", "^")


def use_style():
    """Apply the book's matplotlib style (figure size, modest dpi, colour cycle)."""
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.figsize": (6.0, 4.0), "figure.dpi": 80, "savefig.dpi": 80,
        "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO)),
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
        "axes.spines.right": False, "font.size": 10, "legend.frameon": False,
        "image.cmap": "cividis",
        # plain tick labels: 1000.5, not "0.5 + 1e3" at the axis' end
        "axes.formatter.useoffset": False,
    })


def class_cmap():
    """A diverging colour map from the class-0 blue through white to the class-1 orange."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("classes", [CLASS_COLOURS[0], "#FFFFFF", CLASS_COLOURS[1]])


def _axes(ax):
    import matplotlib.pyplot as plt

    return plt.subplots()[1] if ax is None else ax


def plot_points(X, y, ax=None, legend=True):
    """Scatter a 2-D data set, one colour and marker per class. Returns the Axes.

    legend: show which marker is which class (see ``class_legend``).
    """
    X, y = as_points(X, y)
    ax = _axes(ax)
    for label in np.unique(y):
        k = int(label) % 2
        ax.scatter(*X[y == label].T, s=18 if len(X) > 20 else 90, c=CLASS_COLOURS[k], marker=CLASS_MARKERS[k],
                   edgecolors="#222222", linewidths=0.4, label=f"class {label}")
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    if legend:
        class_legend(ax)
    return ax


def class_legend(ax):
    """Add the class legend (class 0 / class 1 markers) to a plot of 2-D data.

    Placed by matplotlib where it covers the fewest points; framed so that it
    stays readable over a shaded output surface. Returns the Legend.
    """
    keep = {}  # label → first handle, so that two scatters of one class show once
    for handle, label in zip(*ax.get_legend_handles_labels()):
        if label.startswith("class "):
            keep.setdefault(label, handle)
    if not keep:
        return None
    return ax.legend(keep.values(), keep.keys(), loc="best", fontsize=8, frameon=True,
                     framealpha=0.85, edgecolor="none", handletextpad=0.3, borderpad=0.4)


def plot_decision_boundary(predict, X, y, ax=None, resolution=100, levels=(0.5,), legend=True):
    """Shade ``predict`` over the plane, draw its decision boundary and the data.

    predict: a function taking grid points (m, 2) and returning (m,) scores in
    [0, 1] (the probability of class 1) or hard 0/1 labels. The boundary is drawn
    at the score 0.5. legend: show the class legend (class 0 / class 1 markers)
    where it covers the fewest points. Returns the Axes.
    """
    as_function(predict, "predict", "a function from (m, 2) points to (m,) scores")
    X, y = as_points(X, y)
    ax = _axes(ax)
    xx, yy, grid = grid_over(X, resolution)
    scores = np.asarray(predict(grid), dtype=float).reshape(-1)
    if scores.shape != (len(grid),):
        raise ValueError(f"predict must return one score per point ({len(grid)}), got {scores.shape}")
    zz = scores.reshape(xx.shape)
    ax.contourf(xx, yy, zz, levels=np.linspace(0, 1, 11), cmap=class_cmap(), alpha=0.6, extend="both")
    for level in levels:
        plot_level_line(ax, xx, yy, zz, level, linewidth=1.5)
    plot_points(X, y, ax, legend=legend)
    return ax


def plot_level_line(ax, xx, yy, zz, level, **style):
    """Draw the curve where the grid values zz equal ``level`` (a decision boundary).

    xx, yy, zz: (m, m) grids as from ``grid_over``. Drawn as ordinary lines, not
    as a contour set, so that the class legend keeps clear of it. Returns the
    list of Line2D drawn (empty when zz never crosses ``level``).
    """
    from contourpy import contour_generator

    style = {"color": "black", "linewidth": 2, **style}
    segments = contour_generator(x=xx, y=yy, z=zz).lines(level)
    return [ax.plot(seg[:, 0], seg[:, 1], **style)[0] for seg in segments]


def plot_training_curve(history, ax=None, logy=False, ylabel=None):
    """Plot each series in ``history`` (a dict of name → list of numbers) against the step.

    ylabel: the y-axis label; by default the word the series' names end with
    ("train loss", "test loss" → "loss"), or the one series' name. With two
    series or more, the legend sits beside the axes, never over the curves.
    A log axis is labelled with plain numbers (0.01, 0.1, 1). Returns the Axes.
    Used for losses and accuracies recorded during training.
    """
    as_instance(history, "history", dict, "a dict such as {'train loss': [...]}")
    if not history:
        raise ValueError("history is empty: give at least one series, {'train loss': [...]}")
    ax = _axes(ax)
    for name, values in history.items():
        values = as_array(values, f"history[{name!r}]", ndim=1, finite=False)
        ax.plot(np.arange(1, len(values) + 1), values, label=name)
    ax.set(xlabel="step", ylabel=_common_label(history) if ylabel is None else ylabel,
           yscale="log" if logy else "linear")
    if logy:
        plain = _plain_log_formatter()
        ax.yaxis.set_major_formatter(plain())
        ax.yaxis.set_minor_formatter(plain(labelOnlyBase=False))
    if len(history) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def _common_label(history):
    """The last word shared by every series name ("train loss", "val loss" → "loss"), or ""."""
    names = [str(name) for name in history]
    if len(names) == 1:
        return names[0]
    last = {name.split()[-1] if name.split() else "" for name in names}
    return last.pop() if len(last) == 1 else ""


def _plain_log_formatter():
    from matplotlib.ticker import LogFormatter

    class PlainLogFormatter(LogFormatter):
        """Log-axis tick labels as plain numbers (0.01, 0.1, 1), not powers (10⁻²)."""

        def _num_to_string(self, x, vmin, vmax):
            return f"{x:g}"

    return PlainLogFormatter
