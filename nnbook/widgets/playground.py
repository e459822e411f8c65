"""The network playground (Chapter 3, *Layers*): train a small network on a 2-D data set
and watch its decision boundary, its losses and each hidden unit's output evolve.

Three layers, as every widget of the book:
``compute_playground`` trains a :class:`nnbook.playground.Session` for a number of epochs
and returns what the figure shows; ``plot_playground`` (with ``plot_boundary``,
``plot_losses`` and ``plot_unit_maps``) draws it; ``playground_widget`` builds the
JupyterLab controls. Live training runs in a background thread (:class:`Trainer`) that
draws with matplotlib's object API into an image, so the controls never freeze.
"""

import io
import textwrap
import threading
import time

import numpy as np

from nnbook.datasets import DATASETS
from nnbook.playground import ACTIVATIONS, RAW_FEATURES, Session
from nnbook.plotting import CLASS_COLOURS, CLASS_MARKERS, class_cmap

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
FRAMES_PER_SECOND = 6
MAX_EPOCHS_PER_SECOND = 200  # paces live training so that the reader can watch it
MAX_EPOCHS = 5000  # live training pauses itself here


def _in_range(name, value, bounds):
    lo, hi = bounds[0], bounds[1]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a number from {lo} to {hi}, got {value!r}")


def _in_choices(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}, got {value!r}")


def compute_playground(dataset="spirals", noise=0.1, test_fraction=0.5, features=RAW_FEATURES,
                       num_layers=2, num_hiddens=8, activation="tanh", lr=0.1, batch_size=10,
                       l1=0.0, l2=0.0, num_epochs=1000, seed=0):
    """Train the playground's network for ``num_epochs`` epochs; return its snapshot (a dict,
    see :meth:`nnbook.playground.Session.snapshot`). Every argument is a control of the widget
    and must lie in its range (the module constants)."""
    _in_choices("dataset", dataset, DATASETS)
    _in_range("noise", noise, NOISE_RANGE)
    _in_range("test_fraction", test_fraction, TEST_FRACTION_RANGE)
    _in_range("num_layers", num_layers, NUM_LAYERS_RANGE)
    if num_layers > 0 and num_hiddens == 0:
        raise ValueError("0 units per hidden layer: a hidden layer needs at least 1 unit "
                         "(for no hidden layer, set num_layers to 0)")
    _in_range("num_hiddens", num_hiddens, NUM_HIDDENS_RANGE)
    _in_range("batch_size", batch_size, BATCH_SIZE_RANGE)
    _in_range("num_epochs", num_epochs, NUM_EPOCHS_RANGE)
    _in_range("l1", l1, (REGULARISATION_CHOICES[0], REGULARISATION_CHOICES[-1]))
    _in_range("l2", l2, (REGULARISATION_CHOICES[0], REGULARISATION_CHOICES[-1]))
    _in_range("lr", lr, (LR_CHOICES[0], LR_CHOICES[-1]))
    session = Session(dataset, noise, test_fraction, features, (int(num_hiddens),) * int(num_layers),
                      activation, lr, int(batch_size), l1, l2, seed=seed, resolution=RESOLUTION)
    session.step(int(num_epochs))
    return session.snapshot()


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
        return ax.contour(result["xx"], result["yy"], z, levels=[0.5], colors="black", linewidths=1.2)
    return None


def plot_losses(result, ax=None):
    """Train and test loss (cross-entropy) against the epoch. Returns the Axes."""
    ax = _new_axes(ax)
    for name, colour in (("train loss", CLASS_COLOURS[0]), ("test loss", CLASS_COLOURS[1])):
        values = result["history"][name]
        ax.plot(np.arange(1, len(values) + 1), values, color=colour, label=name)
    ax.set(xlabel="epoch", ylabel="cross-entropy", xlim=(0, max(10, result["epoch"])))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right")
    return ax


def _unit_scale(activation_map):
    """Colour limits of a hidden unit's map: symmetric around 0, at least ±1 (the range of
    tanh) so that a unit with a small, flat output looks pale, and wider for large ReLU outputs."""
    top = max(1.0, float(np.max(np.abs(activation_map))))
    return -top, top


def plot_unit_maps(result, fig=None, axes=None):
    """Each hidden unit's output over the plane, one small map per unit, one row per layer
    (orange: large output, blue: negative, white: zero). Returns the grid of Axes."""
    units = result["units"]
    rows, cols = max(1, len(units)), max([1] + [len(u) for u in units])
    if axes is None:
        if fig is None:
            import matplotlib.pyplot as plt

            fig = plt.figure(figsize=(1.1 * cols, 1.1 * rows))
        axes = fig.subplots(rows, cols, squeeze=False)
    for r, row in enumerate(axes):
        for c, ax in enumerate(row):
            ax.set_axis_off()
            if r < len(units) and c < len(units[r]):
                lo, hi = _unit_scale(units[r][c])
                ax.imshow(units[r][c], extent=_extent(result), origin="lower", cmap=class_cmap(),
                          vmin=lo, vmax=hi, interpolation="bilinear", aspect="equal")
        if r < len(units):
            row[0].text(-0.1, 0.5, f"layer {r + 1}", transform=row[0].transAxes,
                        rotation=90, ha="right", va="center", fontsize=8)
    if not units:
        axes[0][0].text(0.5, 0.5, "no hidden layer", ha="center", va="center",
                        transform=axes[0][0].transAxes)
    return axes


def plot_playground(result, fig=None):
    """The whole playground: decision boundary, loss curves and hidden-unit maps (with any
    warning on top). ``fig``: a matplotlib Figure to draw into (a new pyplot one if None).
    Returns the Figure."""
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(10, 4.8))
    left, right = fig.subfigures(1, 2, width_ratios=(1, 1.5))
    ax_boundary, ax_loss = left.subplots(2, 1, height_ratios=(2.2, 1))
    plot_boundary(result, ax_boundary)
    plot_losses(result, ax_loss)
    top = 0.84 if result["messages"] else 0.92
    left.subplots_adjust(left=0.17, right=0.97, bottom=0.1, top=top, hspace=0.45)
    units = result["units"]
    rows = max([4, len(units)])
    cols = max([NUM_HIDDENS_RANGE[1]] + [len(u) for u in units])
    plot_unit_maps(result, axes=right.subplots(rows, cols, squeeze=False))
    right.suptitle("each hidden unit's output", fontsize=10, y=top + 0.04)
    right.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=top, wspace=0.1, hspace=0.1)
    right.text(0.06, 0.015, "maps: orange = high output, blue = negative, white = zero\n"
               "boundary: white-edged markers are training points, black-edged ones test points",
               fontsize=8, va="bottom")
    if result["messages"]:
        fig.text(0.01, 0.99, "\n".join(textwrap.fill(m, 130) for m in result["messages"]),
                 ha="left", va="top", fontsize=9,
                 color="#D55E00")
    return fig


class LiveFigure:
    """The playground figure drawn off-screen (matplotlib's object API and the Agg canvas,
    never pyplot, so a background thread may draw it) and updated in place, frame by frame."""

    def __init__(self, result, size=(10, 4.8), dpi=72):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=size, dpi=dpi)
        FigureCanvasAgg(self.figure)
        plot_playground(result, self.figure)
        self._hidden, self._messages = result["hidden"], result["messages"]
        left, right = self.figure.subfigs
        self._boundary, self._loss = left.axes
        self._contour = self._boundary.collections[0] if self._boundary.collections \
            and hasattr(self._boundary.collections[0], "levels") else None
        self._units = right.axes

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
        self._loss.relim()
        self._loss.autoscale_view()
        self._loss.set(xlim=(0, max(10, result["epoch"])))
        self._loss.set_ylim(bottom=0)
        maps = [unit for layer in result["units"] for unit in layer]
        for ax, unit in zip([ax for ax in self._units if ax.images], maps):
            ax.images[0].set_data(unit)
            ax.images[0].set_clim(*_unit_scale(unit))

    def png(self):
        """The figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()


class Trainer:
    """Trains a :class:`Session` in a background thread and hands a snapshot to ``on_frame``
    several times a second.

    ``start()`` runs (or resumes) training, ``pause()`` stops the thread at the next epoch and
    waits for it, ``step(n)`` trains n epochs now, ``reset()`` goes back to the initial weights,
    ``replace(session)`` swaps in a new setting. Each of these may be called at any moment from
    the controls; a lock keeps the session consistent. ``on_frame(snapshot)`` is called from
    the training thread while running, from the caller otherwise.
    """

    def __init__(self, session, on_frame, frames_per_second=FRAMES_PER_SECOND,
                 max_epochs_per_second=MAX_EPOCHS_PER_SECOND, max_epochs=MAX_EPOCHS):
        if not isinstance(session, Session):
            raise TypeError(f"session must be a nnbook.playground.Session, got {type(session).__name__}")
        if not callable(on_frame):
            raise TypeError("on_frame must be a function taking a snapshot dict")
        self.session, self.on_frame, self.error = session, on_frame, None
        self.frame_interval, self.epoch_interval = 1 / frames_per_second, 1 / max_epochs_per_second
        self.max_epochs = max_epochs
        self._lock, self._stop, self._thread = threading.Lock(), threading.Event(), None

    @property
    def running(self):
        """True while the training thread is alive and not asked to stop."""
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def start(self):
        """Start (or resume) training in the background; does nothing if it already runs."""
        if self.running:
            return
        self.pause()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="nnbook-playground", daemon=True)
        self._thread.start()

    def pause(self, timeout=5.0):
        """Stop training after the current epoch and wait for the thread to end."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def step(self, num_epochs=1):
        """Pause, then train ``num_epochs`` epochs and show the result."""
        self.pause()
        with self._lock:
            self.session.step(num_epochs)
        self.show()

    def reset(self):
        """Pause, then go back to the initial weights and show them."""
        self.pause()
        with self._lock:
            self.session.reset()
        self.show()

    def replace(self, session):
        """Pause, then swap in a new session (new data, features or network) and show it."""
        if not isinstance(session, Session):
            raise TypeError(f"session must be a nnbook.playground.Session, got {type(session).__name__}")
        self.pause()
        with self._lock:
            self.session = session
        self.show()

    def set_training(self, lr, batch_size, l1=0.0, l2=0.0):
        """Change the training settings; a running training goes on with the new ones."""
        with self._lock:
            self.session.set_training(lr, batch_size, l1, l2)

    def show(self):
        """Hand a snapshot of the session to ``on_frame``."""
        with self._lock:
            snapshot = self.session.snapshot()
        self.on_frame(snapshot)

    def _run(self):
        last_frame, drawing = 0.0, 0.0
        try:
            while not self._stop.is_set():
                started = time.perf_counter()
                with self._lock:
                    going = self.session.step(1) and self.session.epoch < self.max_epochs
                if not going:  # diverged or done: stop first, so the last frame says so
                    self._stop.set()
                # at most frames_per_second, and never more than a third of the time drawing
                if not going or started - last_frame >= max(self.frame_interval, 3 * drawing):
                    last_frame = time.perf_counter()
                    self.show()
                    drawing = time.perf_counter() - last_frame
                self._stop.wait(max(0.0, self.epoch_interval - (time.perf_counter() - started)))
        except Exception as err:  # shown to the reader by the widget instead of dying silently
            self.error = f"{type(err).__name__}: {err}"
        finally:
            self._stop.set()


FEATURE_BUTTONS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
                   "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"}


def _controls(defaults):
    import ipywidgets as w

    def slider(cls, bounds, value, description):
        return cls(min=bounds[0], max=bounds[1], step=bounds[2], value=value, description=description,
                   continuous_update=False)

    style = {"description_width": "initial"}
    controls = {
        "dataset": w.Dropdown(options=DATASETS, value=defaults["dataset"], description="data set"),
        "noise": slider(w.FloatSlider, NOISE_RANGE, defaults["noise"], "noise"),
        "test_fraction": slider(w.FloatSlider, TEST_FRACTION_RANGE, defaults["test_fraction"], "test share"),
        "num_layers": slider(w.IntSlider, NUM_LAYERS_RANGE, defaults["num_layers"], "hidden layers"),
        "num_hiddens": slider(w.IntSlider, NUM_HIDDENS_RANGE, defaults["num_hiddens"], "units/layer"),
        "activation": w.Dropdown(options=ACTIVATIONS, value=defaults["activation"], description="activation"),
        "lr": w.SelectionSlider(options=LR_CHOICES, value=defaults["lr"], description="learning rate"),
        "batch_size": slider(w.IntSlider, BATCH_SIZE_RANGE, defaults["batch_size"], "batch size"),
        "l1": w.SelectionSlider(options=REGULARISATION_CHOICES, value=defaults["l1"], description="L1"),
        "l2": w.SelectionSlider(options=REGULARISATION_CHOICES, value=defaults["l2"], description="L2"),
    }
    for control in controls.values():
        control.style = style
    features = {name: w.ToggleButton(value=name in defaults["features"], description=label,
                                     layout=w.Layout(width="64px"))
                for name, label in FEATURE_BUTTONS.items()}
    return controls, features


def _session(controls, features, seed):
    values = {name: c.value for name, c in controls.items()}
    chosen = [name for name, button in features.items() if button.value]
    return Session(values["dataset"], values["noise"], values["test_fraction"], chosen,
                   (values["num_hiddens"],) * values["num_layers"], values["activation"], values["lr"],
                   values["batch_size"], values["l1"], values["l2"], seed=seed, resolution=RESOLUTION)


def _status(snapshot, error):
    history = snapshot["history"]
    losses = (f" · loss: train {history['train loss'][-1]:.3f}, test {history['test loss'][-1]:.3f}"
              if history["train loss"] else "")
    lines = [f"epoch {snapshot['epoch']}{losses} · accuracy: train {100 * snapshot['train acc']:.1f} %, "
             f"test {100 * snapshot['test acc']:.1f} %"]
    lines += [f"<b style='color:#D55E00'>{m}</b>" for m in snapshot["messages"] + ([error] if error else [])]
    return "<br>".join(lines)


class _Display:
    """Shows a snapshot in the widget: the figure as an image, the status line, the run button."""

    def __init__(self, image, status, run):
        self.image, self.status, self.run = image, status, run
        self.figure, self.trainer = None, None

    def __call__(self, snapshot):
        if self.figure is None or not self.figure.fits(snapshot):
            self.figure = LiveFigure(snapshot)  # a new layout: more layers, a message
        else:
            self.figure.update(snapshot)
        self.image.value = self.figure.png()
        self.status.value = _status(snapshot, self.trainer.error)
        self.run.description = "⏸ pause" if self.trainer.running else "▶ start"

    def error(self, err):
        self.status.value = f"<b style='color:#D55E00'>{err}</b>"
        self.run.description = "▶ start"


def _connect(trainer, display, controls, features, buttons, seed):
    """Wire the controls: data, features and network start a new session; the training
    settings change the running one; the buttons start, pause, step and reset."""
    run, step, reset = buttons
    live = ("lr", "batch_size", "l1", "l2")

    def rebuild(_=None):
        try:
            trainer.replace(_session(controls, features, seed))
        except (ValueError, TypeError) as err:  # e.g. no feature chosen: say what to change
            trainer.pause()
            display.error(err)

    def retrain(_=None):
        trainer.set_training(*(controls[k].value for k in live))

    def toggle(_=None):
        if trainer.running:
            trainer.pause()
        else:
            trainer.start()
        run.description = "⏸ pause" if trainer.running else "▶ start"

    for name, control in controls.items():
        control.observe(retrain if name in live else rebuild, names="value")
    for button in features.values():
        button.observe(rebuild, names="value")
    run.on_click(toggle)
    step.on_click(lambda _: trainer.step(1))
    reset.on_click(lambda _: trainer.reset())


def playground_widget(**settings):
    """The live network playground for JupyterLab. Keyword arguments override ``DEFAULTS``
    (the names of :func:`compute_playground`'s arguments); returns the widget to display."""
    import ipywidgets as w

    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown setting(s) {sorted(unknown)}: choose from {', '.join(DEFAULTS)}")
    defaults = {**DEFAULTS, **settings}
    controls, features = _controls(defaults)
    image, status = w.Image(format="png"), w.HTML()
    buttons = [w.Button(description=d, layout=w.Layout(width="90px"))
               for d in ("▶ start", "step", "↺ reset")]
    display = _Display(image, status, buttons[0])
    trainer = display.trainer = Trainer(_session(controls, features, defaults["seed"]), display)
    _connect(trainer, display, controls, features, buttons, defaults["seed"])
    trainer.show()
    c = controls
    box = w.VBox([w.HBox(buttons),
                  w.HBox([w.VBox([c["dataset"], c["noise"], c["test_fraction"]]),
                          w.VBox([c["num_layers"], c["num_hiddens"], c["activation"]]),
                          w.VBox([c["lr"], c["batch_size"], c["l1"], c["l2"]])]),
                  w.HBox([w.Label("features:"), *features.values()]), status, image])
    # handles for scripts and tests: the trainer, the controls and the status line
    box.trainer, box.controls, box.feature_buttons, box.status = trainer, controls, features, status
    return box
