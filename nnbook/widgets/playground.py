"""The network playground (Chapter 3, *Layers*): train a small network on a 2-D data set
and watch its decision boundary, its losses and each hidden unit's output evolve.

Three layers, as every widget of the book:
``compute_playground`` trains a :class:`nnbook.playground.Session` for a number of epochs
and returns what the figure shows; ``plot_playground`` (with ``plot_boundary``,
``plot_losses`` and ``plot_unit_maps``) draws it; ``playground_widget`` builds the
JupyterLab controls. Live training runs in the background runner of
:mod:`nnbook.widgets.runner` (wrapped for a Session by :class:`Trainer`), which draws
with matplotlib's object API into an image (:class:`LiveFigure`), so the controls never
freeze.
"""

import io
import textwrap

import numpy as np

from nnbook.datasets import DATASETS
from nnbook.playground import ACTIVATIONS, RAW_FEATURES, Session
from nnbook.plotting import CLASS_COLOURS, CLASS_MARKERS, class_cmap
from nnbook.validation import as_instance
from nnbook.widgets.runner import FRAMES_PER_SECOND, Runner, pause_all

# Ranges of the controls: (minimum, maximum, step) or the list of choices.
NOISE_RANGE = (0.0, 0.5, 0.05)
TEST_FRACTION_RANGE = (0.1, 0.9, 0.1)
NUM_LAYERS_RANGE = (0, 6, 1)
NUM_HIDDENS_RANGE = (1, 8, 1)
LR_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZE_RANGE = (1, 100, 1)
REGULARISATION_CHOICES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1)
NUM_EPOCHS_RANGE = (0, 2000, 10)
DEFAULTS = dict(dataset="spirals", noise=0.1, test_fraction=0.5, features=RAW_FEATURES,
                num_layers=2, num_hiddens=8, activation="tanh", lr=0.1, batch_size=10,
                l1=0.0, l2=0.0, num_epochs=1000, seed=0)
RESOLUTION = 40  # side of the grid of the maps: small enough to redraw several times a second
MAX_EPOCHS_PER_SECOND = 200  # paces live training so that the reader can watch it
MAX_EPOCHS = 5000  # live training pauses itself here
THREAD_NAME = "nnbook-playground"
START, PAUSE = "▶ start", "pause"  # no ⏸: many fonts lack it and show an empty box
_RANGES = {"noise": NOISE_RANGE, "test_fraction": TEST_FRACTION_RANGE,
           "num_layers": NUM_LAYERS_RANGE, "num_hiddens": NUM_HIDDENS_RANGE,
           "batch_size": BATCH_SIZE_RANGE, "num_epochs": NUM_EPOCHS_RANGE,
           "l1": (REGULARISATION_CHOICES[0], REGULARISATION_CHOICES[-1]),
           "l2": (REGULARISATION_CHOICES[0], REGULARISATION_CHOICES[-1]),
           "lr": (LR_CHOICES[0], LR_CHOICES[-1])}


def _in_range(name, value, bounds):
    lo, hi = bounds[0], bounds[1]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not lo <= value <= hi:
        raise ValueError(f"{name} must be a number from {lo} to {hi}, got {value!r}")


def _check_settings(settings):
    """Every control's value in its range (the module constants), else a ValueError."""
    if settings["dataset"] not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, "
                         f"got {settings['dataset']!r}")
    _in_range("num_layers", settings["num_layers"], NUM_LAYERS_RANGE)
    if settings["num_layers"] > 0 and settings["num_hiddens"] == 0:
        raise ValueError("0 units per hidden layer: a hidden layer needs at least 1 unit "
                         "(for no hidden layer, set num_layers to 0)")
    for name, bounds in _RANGES.items():
        _in_range(name, settings[name], bounds)


def compute_playground(dataset="spirals", noise=0.1, test_fraction=0.5, features=RAW_FEATURES,
                       num_layers=2, num_hiddens=8, activation="tanh", lr=0.1, batch_size=10,
                       l1=0.0, l2=0.0, num_epochs=1000, seed=0):
    """Train the playground's network for ``num_epochs`` epochs; return its snapshot (a dict,
    see :meth:`nnbook.playground.Session.snapshot`). Every argument is a control of the widget
    and must lie in its range (the module constants)."""
    _check_settings(locals())
    session = Session(dataset, noise, test_fraction, features,
                      (int(num_hiddens),) * int(num_layers), activation, lr, int(batch_size),
                      l1, l2, seed=seed, resolution=RESOLUTION)
    session.step(int(num_epochs))
    return session.snapshot()


# --- drawing: plot_* functions, and the live figure updated in place ---

def _extent(result):
    return (result["xx"][0, 0], result["xx"][0, -1], result["yy"][0, 0], result["yy"][-1, 0])


def _new_axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots()[1]


def _title(result):
    return (f"epoch {result['epoch']}: train {100 * result['train acc']:.1f} %, "
            f"test {100 * result['test acc']:.1f} %")


def plot_boundary(result, ax=None):
    """The network's probability of class 1 over the plane (shaded), its decision boundary
    (black line), the training points (filled) and test points (black edge). Returns the Axes."""
    ax = _new_axes(ax)
    ax.imshow(result["output"], extent=_extent(result), origin="lower", cmap=class_cmap(),
              vmin=0, vmax=1, alpha=0.7, interpolation="bilinear", aspect="auto")
    _boundary_line(ax, result)
    for X, y, edge in ((result["X_train"], result["y_train"], "white"),
                       (result["X_test"], result["y_test"], "black")):
        for k in (0, 1):
            ax.scatter(*X[y == k].T, s=16, c=CLASS_COLOURS[k], marker=CLASS_MARKERS[k],
                       edgecolors=edge, linewidths=0.6)
    ax.set(xlim=_extent(result)[:2], ylim=_extent(result)[2:], xlabel="$x_1$", ylabel="$x_2$",
           title=_title(result))
    ax.grid(False)
    return ax


def _boundary_line(ax, result):
    z = result["output"]
    if z.min() < 0.5 < z.max():
        return ax.contour(result["xx"], result["yy"], z, levels=[0.5], colors="black",
                          linewidths=1.2)
    return None


def _loss_limits(result):
    """y-limits of the loss panel, recomputed at every frame (as TensorFlow Playground
    does): 0 to 10 % above the highest finite loss so far, so both curves stay in view."""
    seen = [v for values in result["history"].values() for v in values if np.isfinite(v)]
    return 0.0, 1.1 * max(seen) if seen and max(seen) > 0 else 1.0


def plot_losses(result, ax=None):
    """Train and test loss (cross-entropy) against the epoch. Returns the Axes."""
    ax = _new_axes(ax)
    for name, colour in (("train loss", CLASS_COLOURS[0]), ("test loss", CLASS_COLOURS[1])):
        values = result["history"][name]
        ax.plot(np.arange(1, len(values) + 1), values, color=colour, label=name)
    ax.set(xlabel="epoch", ylabel="cross-entropy", xlim=(0, max(10, result["epoch"])),
           ylim=_loss_limits(result))
    # above the panel, where no curve can go
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncol=2, fontsize=8, frameon=False,
              borderaxespad=0.1, handlelength=1.5)
    return ax


def _unit_scale(activation_map):
    """Colour limits of a hidden unit's map: symmetric around 0, at least ±1 (the range of
    tanh) so that a unit with a small, flat output looks pale, and wider for large ReLU outputs."""
    top = max(1.0, float(np.max(np.abs(activation_map))))
    return -top, top


def _draw_unit(ax, result, unit_map):
    lo, hi = _unit_scale(unit_map)
    ax.imshow(unit_map, extent=_extent(result), origin="lower", cmap=class_cmap(),
              vmin=lo, vmax=hi, interpolation="bilinear", aspect="equal")


def plot_unit_maps(result, fig=None, axes=None):
    """Each hidden unit's output over the plane, one small map per unit, one row per layer
    (orange: large output, blue: negative, white: zero). ``axes``: a grid of Axes with at
    least (layers, widest layer) cells. Returns the grid of Axes."""
    units = result["units"]
    if axes is None:
        rows, cols = max(1, len(units)), max([1] + [len(u) for u in units])
        if fig is None:
            import matplotlib.pyplot as plt

            fig = plt.figure(figsize=(1.1 * cols, 1.1 * rows))
        axes = fig.subplots(rows, cols, squeeze=False)
    for r, row in enumerate(axes):
        for c, ax in enumerate(row):
            ax.set_axis_off()
            if r < len(units) and c < len(units[r]):
                _draw_unit(ax, result, units[r][c])
        if r < len(units):
            row[0].text(-0.1, 0.5, f"layer {r + 1}", transform=row[0].transAxes,
                        rotation=90, ha="right", va="center", fontsize=8)
    if not units:
        axes[0][0].text(0.5, 0.5, "no hidden layer", ha="center", va="center",
                        transform=axes[0][0].transAxes)
    return axes


def _left_panel(subfig, result, top):
    ax_boundary, ax_loss = subfig.subplots(2, 1, height_ratios=(2.2, 1))
    plot_boundary(result, ax_boundary)
    plot_losses(result, ax_loss)
    subfig.subplots_adjust(left=0.17, right=0.97, bottom=0.1, top=top, hspace=0.45)


def _right_panel(subfig, result, top):
    units = result["units"]
    rows = max([4, len(units)])  # room for the largest network, so the layout rarely changes
    cols = max([NUM_HIDDENS_RANGE[1]] + [len(u) for u in units])
    plot_unit_maps(result, axes=subfig.subplots(rows, cols, squeeze=False))
    subfig.suptitle("each hidden unit's output", fontsize=10, y=top + 0.04)
    subfig.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=top, wspace=0.1, hspace=0.1)
    subfig.text(0.06, 0.015, "maps: orange = high output, blue = negative, white = zero\n"
                "boundary: white-edged markers are training points, black-edged ones test "
                "points", fontsize=8, va="bottom")


def plot_playground(result, fig=None):
    """The whole playground: decision boundary, loss curves and hidden-unit maps (with any
    warning on top). ``fig``: a matplotlib Figure to draw into (a new pyplot one if None).
    Returns the Figure."""
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(10, 4.8))
    left, right = fig.subfigures(1, 2, width_ratios=(1, 1.5))
    top = 0.84 if result["messages"] else 0.92
    _left_panel(left, result, top)
    _right_panel(right, result, top)
    if result["messages"]:
        fig.text(0.01, 0.99, "\n".join(textwrap.fill(m, 130) for m in result["messages"]),
                 ha="left", va="top", fontsize=9, color="#D55E00")
    return fig


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


def message_png(message, size=(10, 4.8), dpi=72):
    """A figure that says ``message`` instead of showing a network, as PNG bytes."""
    figure = _agg_figure(size, dpi)
    figure.text(0.5, 0.5, textwrap.fill(str(message), 80), ha="center", va="center",
                fontsize=12, color="#D55E00")
    return _png(figure)


class LiveFigure:
    """The playground figure drawn off-screen and updated in place, frame by frame."""

    def __init__(self, result, size=(10, 4.8), dpi=72):
        self.figure = _agg_figure(size, dpi)
        plot_playground(result, self.figure)
        self._hidden, self._messages = result["hidden"], result["messages"]
        left, right = self.figure.subfigs
        self._boundary, self._loss = left.axes
        self._contour = next((c for c in self._boundary.collections
                              if hasattr(c, "levels")), None)
        self._units = [ax for ax in right.axes if ax.images]

    def fits(self, result):
        """Whether ``result`` has this figure's layout (the same hidden layers and messages)."""
        return result["hidden"] == self._hidden and result["messages"] == self._messages

    def update(self, result):
        """Show ``result`` by changing the data of the existing artists (fast)."""
        self._boundary.images[0].set_data(result["output"])
        if self._contour is not None:
            self._contour.remove()
        self._contour = _boundary_line(self._boundary, result)
        self._boundary.set_title(_title(result))
        for line, name in zip(self._loss.lines, ("train loss", "test loss")):
            values = result["history"][name]
            line.set_data(np.arange(1, len(values) + 1), values)
        self._loss.set(xlim=(0, max(10, result["epoch"])), ylim=_loss_limits(result))
        maps = [unit for layer in result["units"] for unit in layer]
        for ax, unit in zip(self._units, maps):
            ax.images[0].set_data(unit)
            ax.images[0].set_clim(*_unit_scale(unit))

    def png(self):
        """The figure as PNG bytes."""
        return _png(self.figure)


# --- live training: a Session driven by the background runner ---

def _check_session(session):
    return as_instance(session, "session", Session, "a nnbook.playground.Session")


class Trainer:
    """Trains a :class:`Session` in the background (a :class:`~nnbook.widgets.runner.Runner`)
    and hands a snapshot (a dict, see ``Session.snapshot``) to ``on_frame`` several times
    a second.

    ``start()`` runs (or resumes) training, ``pause()`` stops it after the current epoch,
    ``step(n)`` trains n epochs now, ``reset()`` goes back to the initial weights and
    clears any error, ``replace(session)`` swaps in a new setting, ``close()`` stops for
    good. ``on_state()`` is called when a run starts or ends or an error appears.
    """

    def __init__(self, session, on_frame, frames_per_second=FRAMES_PER_SECOND,
                 max_epochs_per_second=MAX_EPOCHS_PER_SECOND, max_epochs=MAX_EPOCHS,
                 on_state=None):
        self.session, self.max_epochs = _check_session(session), max_epochs
        self.runner = Runner(self._epoch, lambda: self.session.snapshot(), on_frame,
                             on_state, name=THREAD_NAME, frames_per_second=frames_per_second,
                             max_steps_per_second=max_epochs_per_second)

    def _epoch(self):
        return self.session.step(1) and self.session.epoch < self.max_epochs

    @property
    def running(self):
        """True while training runs."""
        return self.runner.running

    @property
    def error(self):
        """What stopped the last run or action (str), or None."""
        return self.runner.error

    def start(self):
        """Start (or resume) training in the background; nothing if it already runs."""
        self.runner.start()

    def pause(self, timeout=5.0):
        """Stop training after the current epoch; wait up to ``timeout`` s for the thread."""
        return self.runner.pause(timeout)

    def close(self):
        """Stop training for good (the widget was closed)."""
        return self.runner.close()

    def step(self, num_epochs=1):
        """Pause, then train ``num_epochs`` epochs and show the result."""
        self.runner.apply(lambda: self.session.step(num_epochs))

    def reset(self):
        """Pause, clear any error, go back to the initial weights and show them."""
        self.runner.reset(self.session.reset)

    def replace(self, session):
        """Pause, then swap in a new session (new data, features or network) and show it."""
        _check_session(session)
        self.runner.reset(lambda: setattr(self, "session", session))

    def set_training(self, lr, batch_size, l1=0.0, l2=0.0):
        """Change the training settings; a running training goes on with the new ones."""
        with self.runner.lock:
            self.session.set_training(lr, batch_size, l1, l2)

    def show(self):
        """Hand a snapshot of the session to ``on_frame`` now."""
        self.runner.show()


# --- the widget: controls, what they show, how they are wired ---

FEATURE_BUTTONS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
                   "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"}


def _slider(cls, bounds, value, description):
    return cls(min=bounds[0], max=bounds[1], step=bounds[2], value=value,
               description=description, continuous_update=False)


def _controls(defaults):
    """The setting controls (name → widget) and the feature toggles (name → button)."""
    import ipywidgets as w

    d, s, choices = defaults, _slider, w.SelectionSlider
    controls = {
        "dataset": w.Dropdown(options=DATASETS, value=d["dataset"], description="data set"),
        "noise": s(w.FloatSlider, NOISE_RANGE, d["noise"], "noise"),
        "test_fraction": s(w.FloatSlider, TEST_FRACTION_RANGE, d["test_fraction"], "test share"),
        "num_layers": s(w.IntSlider, NUM_LAYERS_RANGE, d["num_layers"], "hidden layers"),
        "num_hiddens": s(w.IntSlider, NUM_HIDDENS_RANGE, d["num_hiddens"], "units/layer"),
        "activation": w.Dropdown(options=ACTIVATIONS, value=d["activation"],
                                 description="activation"),
        "lr": choices(options=LR_CHOICES, value=d["lr"], description="learning rate"),
        "batch_size": s(w.IntSlider, BATCH_SIZE_RANGE, d["batch_size"], "batch size"),
        "l1": choices(options=REGULARISATION_CHOICES, value=d["l1"], description="L1"),
        "l2": choices(options=REGULARISATION_CHOICES, value=d["l2"], description="L2"),
    }
    for control in controls.values():
        control.style = {"description_width": "initial"}
    features = {name: w.ToggleButton(value=name in d["features"], description=label,
                                     layout=w.Layout(width="64px"))
                for name, label in FEATURE_BUTTONS.items()}
    return controls, features


def _session(controls, features, seed):
    """A new Session from the controls' values (raises ValueError for a bad setting)."""
    v = {name: c.value for name, c in controls.items()}
    chosen = [name for name, button in features.items() if button.value]
    return Session(v["dataset"], v["noise"], v["test_fraction"], chosen,
                   (v["num_hiddens"],) * v["num_layers"], v["activation"], v["lr"],
                   v["batch_size"], v["l1"], v["l2"], seed=seed, resolution=RESOLUTION)


def _warning(text):
    return f"<b style='color:#D55E00'>{text}</b>"


def _status(snapshot, error):
    """The status line (HTML): epoch, losses, accuracies, then warnings and any error."""
    history = snapshot["history"]
    losses = (f" · loss: train {history['train loss'][-1]:.3f}, "
              f"test {history['test loss'][-1]:.3f}" if history["train loss"] else "")
    lines = [f"epoch {snapshot['epoch']}{losses} · accuracy: "
             f"train {100 * snapshot['train acc']:.1f} %, test {100 * snapshot['test acc']:.1f} %"]
    errors = [f"Training stopped by an error: {error}"] if error else []
    return "<br>".join(lines + [_warning(m) for m in snapshot["messages"] + errors])


class _Display:
    """Shows the trainer in the widget: the figure as an image, the status line, the
    buttons (``on_frame`` and ``on_state`` of the trainer)."""

    def __init__(self, image, status, buttons):
        self.image, self.status, self.buttons = image, status, buttons
        self.figure, self.trainer, self.last, self.problem = None, None, None, None

    def on_frame(self, snapshot):
        if self.figure is None or not self.figure.fits(snapshot):
            self.figure = LiveFigure(snapshot)  # a new layout: more layers, a message
        else:
            self.figure.update(snapshot)
        self.image.value = self.figure.png()
        self.last = snapshot
        self.on_state()

    def on_state(self):
        self.buttons[0].description = PAUSE if self.trainer.running else START
        if self.problem is not None:
            self.status.value = _warning(self.problem)
        elif self.last is not None:
            self.status.value = _status(self.last, self.trainer.error)

    def invalid(self, err):
        """A setting that builds no network: say what to change, show no old network,
        and allow no training until the setting is fixed."""
        self.problem = str(err)
        self.trainer.pause()
        self.image.value = message_png(f"No network to show: {err}")
        self.enable(False)

    def enable(self, on):
        """Allow training (a valid setting) or not (``invalid``)."""
        if on:
            self.problem = None
        for button in self.buttons:
            button.disabled = not on
        self.on_state()


def _connect(trainer, display, controls, features, seed):
    """Wire the controls: data, features and network start a new session; the training
    settings change the running one; the buttons start, pause, step and reset."""
    run, step, reset = display.buttons
    live = ("lr", "batch_size", "l1", "l2")

    def rebuild(_=None):
        try:
            session = _session(controls, features, seed)
        except (ValueError, TypeError) as err:  # e.g. no feature chosen: say what to change
            display.invalid(err)
            return
        display.enable(True)
        trainer.replace(session)

    def retrain(_=None):
        trainer.set_training(*(controls[k].value for k in live))

    for name, control in controls.items():
        control.observe(retrain if name in live else rebuild, names="value")
    for button in features.values():
        button.observe(rebuild, names="value")
    run.on_click(lambda _: trainer.pause() if trainer.running else trainer.start())
    step.on_click(lambda _: trainer.step(1))
    reset.on_click(lambda _: trainer.reset())


def _layout(controls, features, buttons, status, image):
    import ipywidgets as w

    c = controls
    return w.VBox([w.HBox(buttons),
                   w.HBox([w.VBox([c["dataset"], c["noise"], c["test_fraction"]]),
                           w.VBox([c["num_layers"], c["num_hiddens"], c["activation"]]),
                           w.VBox([c["lr"], c["batch_size"], c["l1"], c["l2"]])]),
                   w.HBox([w.Label("features:"), *features.values()]), status, image])


def playground_widget(**settings):
    """The live network playground for JupyterLab. Keyword arguments override ``DEFAULTS``
    (the names of :func:`compute_playground`'s arguments); returns the widget to display.
    Closing it stops its training; building a new one pauses the others (a re-run cell)."""
    import ipywidgets as w

    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown setting(s) {sorted(unknown)}: choose from {', '.join(DEFAULTS)}")
    defaults = {**DEFAULTS, **settings}
    pause_all(THREAD_NAME)  # the old output of a re-run cell would train on unseen
    controls, features = _controls(defaults)
    image, status = w.Image(format="png"), w.HTML()
    buttons = [w.Button(description=d, layout=w.Layout(width="90px"))
               for d in (START, "step", "↺ reset")]
    display = _Display(image, status, buttons)
    trainer = display.trainer = Trainer(_session(controls, features, defaults["seed"]),
                                        display.on_frame, on_state=display.on_state)
    _connect(trainer, display, controls, features, defaults["seed"])
    trainer.show()
    box = _layout(controls, features, buttons, status, image)
    box.observe(lambda change: trainer.close() if change.new is None else None, names="comm")
    # handles for scripts and tests: the trainer, the controls and the status line
    box.trainer, box.controls, box.feature_buttons, box.status = trainer, controls, features, status
    return box
