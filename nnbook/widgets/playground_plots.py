"""Drawing the network playground (Chapter 3, *Layers*).

``plot_boundary``, ``plot_losses``, ``plot_unit_maps`` and ``plot_playground`` draw a
snapshot of a :class:`nnbook.playground.Session` (the dict ``Session.snapshot()`` returns)
for the book's figures. :class:`LiveFigure` is the same figure for the live widget, drawn
off-screen with matplotlib's object API (never pyplot: a background thread draws it). It
draws what never changes during training once and keeps a copy of those pixels; each frame
then puts the copy back and draws only what changed (the maps, the boundary, the points
over them, the curves and the weights), so that it redraws several times a second.
"""

import io
import textwrap

import numpy as np

from nnbook.plotting import CLASS_COLOURS, CLASS_MARKERS, class_cmap, class_legend
from nnbook.widgets.runner import encode_png

FIGSIZE, DPI = (10, 4.8), 72  # the live figure: 720 × 346 pixels
FONT_SIZE = 10  # every label of the playground figure: readable in a 10-inch figure
COLUMN_GAP, ROW_GAP = 0.15, 0.75  # between unit maps, as a fraction of a map's side
MAX_SIDE = 1.0  # inches: the largest unit map
WEIGHT_FULL = 2.0  # a weight this large or larger gets the thickest line
KEY = ("maps: each hidden unit's output, blue < 0 < orange",
       "lines: the weights, orange > 0, blue < 0, thicker = larger",
       "markers: white edge = training point, black edge = test point")


# --- the boundary, the losses, the unit maps and the weights, each on its own ---

def _new_axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots()[1]


def _extent(result):
    return (result["xx"][0, 0], result["xx"][0, -1], result["yy"][0, 0], result["yy"][-1, 0])


def _regression(result):
    return result.get("task") == "regression"


def _title(result):
    history = result["history"]
    if _regression(result):
        losses = (f"train {history['train loss'][-1]:.3g}, test {history['test loss'][-1]:.3g}"
                  if history["train loss"] else "not trained yet")
        return f"epoch {result['epoch']}: squared error {losses}"
    return (f"epoch {result['epoch']}: train {100 * result['train acc']:.1f} %, "
            f"test {100 * result['test acc']:.1f} %")


def _output_limits(result):
    """Colour limits of the output map: probabilities 0 to 1, or the targets' ±1."""
    return (-1, 1) if _regression(result) else (0, 1)


def _boundary_lines(ax, result):
    """The decision boundary (probability 0.5) as black lines; none for regression."""
    from nnbook.plotting import plot_level_line

    z = result["output"]
    if _regression(result) or not z.min() < 0.5 < z.max():
        return []
    return plot_level_line(ax, result["xx"], result["yy"], z, 0.5, linewidth=1.2)


def _scatter_points(ax, result):
    """Training points (white edge) and test points (black edge): one colour and marker
    per class; for regression, coloured by their target value."""
    for split, edge in (("train", "white"), ("test", "black")):
        X, y = result[f"X_{split}"], result[f"y_{split}"]
        if _regression(result):
            ax.scatter(*X.T, s=16, c=y, cmap=class_cmap(), vmin=-1, vmax=1, edgecolors=edge,
                       linewidths=0.6)
            continue
        for k in (0, 1):
            ax.scatter(*X[y == k].T, s=16, c=CLASS_COLOURS[k], marker=CLASS_MARKERS[k],
                       edgecolors=edge, linewidths=0.6)
    if not _regression(result):  # what the class legend shows: each class's marker
        for k in (0, 1):
            ax.scatter([], [], s=16, c=CLASS_COLOURS[k], marker=CLASS_MARKERS[k],
                       edgecolors="#222222", linewidths=0.6, label=f"class {k}")


def plot_boundary(result, ax=None, legend=True):
    """The network's probability of class 1 over the plane (shaded), its decision boundary
    (black line), the training points (white edge) and test points (black edge), with the
    class legend (``legend=False``: none); for regression, the predicted value, and the
    points coloured by their target. Returns the Axes."""
    ax = _new_axes(ax)
    lo, hi = _output_limits(result)
    ax.imshow(result["output"], extent=_extent(result), origin="lower", cmap=class_cmap(),
              vmin=lo, vmax=hi, alpha=0.7, interpolation="bilinear", aspect="auto")
    _boundary_lines(ax, result)
    _scatter_points(ax, result)
    ax.set(xlim=_extent(result)[:2], ylim=_extent(result)[2:], xlabel="$x_1$", ylabel="$x_2$",
           title=_title(result))
    ax.grid(False)
    if legend:
        class_legend(ax)
    return ax


def _loss_limits(result):
    """y-limits of the loss panel, recomputed at every frame (as TensorFlow Playground
    does): 0 to 10 % above the highest finite loss so far, so both curves stay in view."""
    seen = [v for values in result["history"].values() for v in values if np.isfinite(v)]
    return 0.0, 1.1 * max(seen) if seen and max(seen) > 0 else 1.0


def _epoch_limit(epoch):
    """The loss panel's last epoch: ``epoch`` rounded up to 1, 2 or 5 times a power of
    ten, at least 10, so that the axis changes now and then, not at every frame."""
    if epoch <= 10:
        return 10
    power = 10 ** int(np.floor(np.log10(epoch)))
    return next(m * power for m in (1, 2, 5, 10) if epoch <= m * power)


def _set_loss_limits(ax, result):
    ax.set(xlim=(0, _epoch_limit(result["epoch"])), ylim=_loss_limits(result))


def plot_losses(result, ax=None):
    """Train and test loss (cross-entropy, or squared error for regression) against the
    epoch, the legend above the panel where no curve goes. Returns the Axes."""
    ax = _new_axes(ax)
    for name, colour in (("train loss", CLASS_COLOURS[0]), ("test loss", CLASS_COLOURS[1])):
        values = result["history"][name]
        ax.plot(np.arange(1, len(values) + 1), values, color=colour, label=name)
    ax.set(xlabel="epoch", ylabel="squared error" if _regression(result) else "cross-entropy")
    _set_loss_limits(ax, result)
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncol=2, frameon=False,
              borderaxespad=0.1, handlelength=1.5)
    return ax


def _unit_scale(activation_map):
    """Colour limits of a hidden unit's map: symmetric around 0, at least ±1 (the range of
    tanh) so that a unit with a small, flat output looks pale, and wider for large ReLU outputs."""
    top = max(1.0, float(np.max(np.abs(activation_map))))
    return -top, top


def _inches(fig):
    """Width and height of a Figure or SubFigure in inches."""
    return fig.bbox.width / fig.dpi, fig.bbox.height / fig.dpi


def _map_side(fig, rows, cols, box):
    """The side of a unit map (a fraction of the width, and of the height, of ``fig``) and
    the gap between two rows (a fraction of the height): the largest maps that fit in
    ``box``, with room between the rows for the weights."""
    width, height = _inches(fig)
    left, bottom, right, top = box
    side = min(MAX_SIDE, (right - left) * width / (cols + (cols - 1) * COLUMN_GAP),
               (top - bottom) * height / (rows + (rows - 1) * ROW_GAP))
    spare = (top - bottom) * height - rows * side
    gap = min(1.5 * side, spare / (rows - 1)) if rows > 1 else 0.0
    return side / width, side / height, gap / height


def _map_grid(fig, rows, cols, box):
    """A rows × cols array of square Axes in ``box`` (left, bottom, right, top, fractions
    of ``fig``): from its left edge, centred from top to bottom."""
    w, h, gap = _map_side(fig, rows, cols, box)
    top = (box[1] + box[3] + rows * h + (rows - 1) * gap) / 2
    axes = np.empty((rows, cols), dtype=object)
    for r in range(rows):
        for c in range(cols):
            axes[r, c] = fig.add_axes((box[0] + c * w * (1 + COLUMN_GAP),
                                       top - h - r * (h + gap), w, h))
            axes[r, c].set_axis_off()
    return axes


def _weight_segments(axes, widths):
    """For each pair of consecutive hidden layers, the lines from every unit's map (its
    bottom centre) to every unit of the next layer (its top centre), in figure fractions."""
    segments = []
    for r in range(len(widths) - 1):
        tops = [axes[r + 1][k].get_position() for k in range(widths[r + 1])]
        segments.append([((axes[r][j].get_position().x0 + axes[r][j].get_position().width / 2,
                           axes[r][j].get_position().y0), (top.x0 + top.width / 2, top.y1))
                         for j in range(widths[r]) for top in tops])
    return segments


def _weight_style(W):
    """Colours (orange for a positive weight, blue for a negative one) and line widths
    (thicker for larger) of a weight matrix's lines, in the order of ``_weight_segments``."""
    w = np.asarray(W, dtype=float).ravel()
    colours = np.where(w[:, None] > 0, _rgba(CLASS_COLOURS[1]), _rgba(CLASS_COLOURS[0]))
    return colours, 0.3 + 2.7 * np.minimum(1.0, np.abs(np.nan_to_num(w)) / WEIGHT_FULL)


def _rgba(colour, alpha=0.75):
    from matplotlib.colors import to_rgba

    return np.array(to_rgba(colour, alpha))


def _draw_weights(fig, axes, result):
    """The weights between consecutive hidden layers as lines (one LineCollection per
    pair of layers, labelled "weights"). Returns the list of collections."""
    from matplotlib.collections import LineCollection

    widths = [len(layer) for layer in result["units"]]
    collections = []
    for segments, W in zip(_weight_segments(axes, widths), result["weights"][1:]):
        colours, line_widths = _weight_style(W)
        lines = LineCollection(segments, colors=colours, linewidths=line_widths,
                               transform=fig.transSubfigure, label="weights")
        collections.append(fig.add_artist(lines))
    return collections


def _draw_units(axes, result):
    for r, layer in enumerate(result["units"]):
        for c, unit_map in enumerate(layer):
            lo, hi = _unit_scale(unit_map)
            axes[r][c].imshow(unit_map, extent=_extent(result), origin="lower",
                              cmap=class_cmap(), vmin=lo, vmax=hi,
                              interpolation="bilinear", aspect="auto")
        axes[r][0].text(-0.12, 0.5, f"layer {r + 1}", transform=axes[r][0].transAxes,
                        ha="right", va="center", fontsize=FONT_SIZE)


def plot_unit_maps(result, fig=None, box=None):
    """Each hidden unit's output over the plane, one small map per unit, one row per layer
    (orange: large output, blue: negative, white: zero), and between the rows the weights
    as lines (orange: positive, blue: negative; thicker: larger).
    fig: a Figure or SubFigure to draw into (a new pyplot one if None); box: the part of it
    to fill, (left, bottom, right, top) fractions. Returns the (layers, widest layer) Axes."""
    units = result["units"]
    rows, cols = max(1, len(units)), max([1] + [len(u) for u in units])
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(0.9 + 1.15 * cols, 0.2 + rows + ROW_GAP * (rows - 1)))
    box = box or (0.9 / _inches(fig)[0], 0.02, 0.99, 0.98)
    axes = _map_grid(fig, rows, cols, box)
    _draw_units(axes, result)
    _draw_weights(fig, axes, result)
    if not units:
        axes[0][0].text(0.5, 0.5, "no hidden layer", ha="center", va="center",
                        transform=axes[0][0].transAxes, fontsize=FONT_SIZE)
    return axes


# --- the whole playground ---

def _left_panel(subfig, result, top):
    """The boundary (its class legend goes in the key: the map stays clear) and the losses."""
    ax_boundary, ax_loss = subfig.subplots(2, 1, height_ratios=(2.2, 1))
    plot_boundary(result, ax_boundary, legend=False)
    plot_losses(result, ax_loss)
    subfig.subplots_adjust(left=0.17, right=0.97, bottom=0.1, top=top, hspace=0.5)
    return ax_boundary


def _right_panel(subfig, result, top, boundary):
    """The unit maps and weights, and under them the key, with the class legend."""
    subfig.suptitle("each hidden unit's output, and the weights between layers",
                    fontsize=FONT_SIZE + 1, y=top + 0.05)
    plot_unit_maps(result, subfig, box=(0.13, 0.19, 0.99, top - 0.02))
    subfig.text(0.02, 0.015, "\n".join(KEY), fontsize=FONT_SIZE, va="bottom",
                linespacing=1.4)
    handles, labels = boundary.get_legend_handles_labels()
    if handles:  # the classes' markers, beside the key (none for regression)
        subfig.legend(handles, labels, loc="lower right", bbox_to_anchor=(0.99, 0.015),
                      fontsize=FONT_SIZE, frameon=False, handletextpad=0.3,
                      borderaxespad=0, labelspacing=0.6)


def plot_playground(result, fig=None):
    """The whole playground: decision boundary, loss curves, hidden-unit maps and weights
    (with any warning on top). ``fig``: a matplotlib Figure to draw into (a new pyplot one
    if None). Returns the Figure."""
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=FIGSIZE)
    left, right = fig.subfigures(1, 2, width_ratios=(1, 1.5))
    top = 0.84 if result["messages"] else 0.9
    _right_panel(right, result, top, _left_panel(left, result, top))
    if result["messages"]:
        fig.text(0.01, 0.99, "\n".join(textwrap.fill(m, 130) for m in result["messages"]),
                 ha="left", va="top", fontsize=FONT_SIZE, color="#D55E00")
    return fig


# --- off-screen figures for the widget ---

def _agg_figure(size, dpi):
    # matplotlib's object API and the Agg canvas, never pyplot: a background thread may draw
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def message_png(message, size=FIGSIZE, dpi=DPI):
    """A figure that says ``message`` instead of showing a network, as PNG bytes."""
    figure = _agg_figure(size, dpi)
    figure.text(0.5, 0.5, textwrap.fill(str(message), 80), ha="center", va="center",
                fontsize=12, color="#D55E00")
    return _png(figure)


class LiveFigure:
    """The playground figure drawn off-screen and updated in place, frame by frame.

    ``update(result)`` changes the data of the parts that move; ``png()`` draws them over
    a saved copy of the still parts (the axes, the labels, the key) and returns the picture.
    The loss panel's axes are drawn again only when its limits change; otherwise only its
    curves are. ``fits(result)`` says whether ``result`` can be shown this way (the same
    data and network); otherwise make a new LiveFigure.
    """

    def __init__(self, result, size=FIGSIZE, dpi=DPI):
        self.figure = _agg_figure(size, dpi)
        plot_playground(result, self.figure)
        self._shown = result
        left, right = self.figure.subfigs
        self._boundary, self._loss = left.axes
        self._lines = list(self._boundary.lines)
        self._units = [ax.images[0] for ax in right.axes if ax.images]
        self._weights = [a for a in right.artists if a.get_label() == "weights"]
        self._background = self._draw_still()
        self._loss_still, self._loss_limits = None, None

    def _moving(self):
        """What changes from frame to frame but the loss panel, in the order it is drawn
        (the boundary's frame goes over its map, as in a full drawing). The class legend is
        not on the map but in the key, so that it is drawn once."""
        ax = self._boundary
        data = [ax.images[0], *self._lines, *ax.collections, *ax.spines.values()]
        return [*sorted(data, key=lambda a: a.zorder), ax.title, *self._units, *self._weights]

    def _draw_still(self):
        """Draw everything that does not move; return a copy of those pixels."""
        for artist in [*self._moving(), self._loss, *self._loss.lines]:
            artist.set_animated(True)
        self.figure.canvas.draw()
        return self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def fits(self, result):
        """Whether ``result`` has this figure's layout and data (the same points, hidden
        layers and messages), so that ``update`` can show it."""
        shown = self._shown
        return (result["hidden"] == shown["hidden"] and result["messages"] == shown["messages"]
                and result.get("task") == shown.get("task")
                and all(np.array_equal(result[k], shown[k]) for k in ("X_train", "X_test")))

    def update(self, result):
        """Show ``result``: change the data of the moving parts (nothing is drawn yet)."""
        self._boundary.images[0].set_data(result["output"])
        for line in self._lines:
            line.remove()
        self._lines = _boundary_lines(self._boundary, result)
        for line in self._lines:
            line.set_animated(True)
        self._boundary.set_title(_title(result))
        for line, name in zip(self._loss.lines, ("train loss", "test loss")):
            values = result["history"][name]
            line.set_data(np.arange(1, len(values) + 1), values)
        _set_loss_limits(self._loss, result)
        self._update_units(result)

    def _update_units(self, result):
        maps = [unit for layer in result["units"] for unit in layer]
        for image, unit in zip(self._units, maps):
            image.set_data(unit)
            image.set_clim(*_unit_scale(unit))
        for lines, W in zip(self._weights, result["weights"][1:]):
            colours, widths = _weight_style(W)
            lines.set_color(colours)
            lines.set_linewidth(widths)

    def _render_loss_panel(self, renderer):
        """The loss panel without its curves: drawn when its limits changed, else its
        saved pixels put back."""
        canvas, limits = self.figure.canvas, (self._loss.get_xlim(), self._loss.get_ylim())
        if limits != self._loss_limits:
            self._loss.draw(renderer)
            box = self._loss.get_tightbbox(renderer).padded(2)
            self._loss_still, self._loss_limits = canvas.copy_from_bbox(box), limits
        else:
            canvas.restore_region(self._loss_still)

    def render(self):
        """Put back the still parts and draw the moving ones over them: one frame."""
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        self._render_loss_panel(renderer)
        for artist in [*self._loss.lines, *self._moving()]:
            artist.draw(renderer)

    def png(self):
        """The figure as PNG bytes (drawing the moving parts first)."""
        self.render()
        return encode_png(self.figure.canvas)
