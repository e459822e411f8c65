"""The network playground (Chapter 3, *Layers*): train a small network on a 2-D data set
and watch its decision boundary, its losses, each hidden unit's output and the weights
evolve.

Three layers, as every widget of the book: ``compute_playground`` trains a
:class:`nnbook.playground.Session` for a number of epochs and returns what the figure
shows; the ``plot_*`` functions and :class:`LiveFigure` of
:mod:`nnbook.widgets.playground_plots` draw it (importable from here too); and
``playground_widget`` builds the JupyterLab controls and wires them. Live training runs
in the background runner of :mod:`nnbook.widgets.runner` (wrapped for a Session by
:class:`Trainer`), so the controls never freeze.
"""

from nnbook.activations import TRAINABLE
from nnbook.playground import PLAYGROUND_DATASETS, RAW_FEATURES, Session
from nnbook.validation import as_choice, as_float, as_instance, as_int, as_seed
from nnbook.widgets.playground_plots import (  # noqa: F401 (the chapter imports them here)
    LiveFigure, message_png, plot_boundary, plot_losses, plot_playground,
    plot_unit_maps)
from nnbook.widgets.runner import Runner, pause_all

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
# Frames a second while training, at most: a frame takes about 30 ms to draw (only what
# changed), and training may give up to half its time to drawing, since watching it is the
# point (a third for the runner's other users).
LIVE_FRAMES_PER_SECOND, LIVE_DRAWING_SHARE = 10, 0.5
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
    """``value`` (a number) from bounds[0] to bounds[1], else an error saying so."""
    lo, hi = bounds[0], bounds[1]
    wanted = f"{name} must be a number from {lo} to {hi}"
    number = as_float(value, name)  # a TypeError for text, None, True…
    if not lo <= number <= hi:
        raise ValueError(f"{wanted}, got {value!r}: move it into that range")
    return value


def _check_settings(settings):
    """Every control's value in its range (the module constants), else an error that
    says what to change."""
    as_choice(settings["dataset"], "data set", PLAYGROUND_DATASETS)
    as_int(settings["num_layers"], "num_layers", *NUM_LAYERS_RANGE[:2])
    if settings["num_layers"] > 0 and settings["num_hiddens"] == 0:
        raise ValueError("0 units per hidden layer: a hidden layer needs at least 1 unit "
                         "(for no hidden layer, set num_layers to 0)")
    for name in ("num_hiddens", "batch_size", "num_epochs"):
        as_int(settings[name], name, *_RANGES[name][:2])
    for name in ("noise", "test_fraction", "l1", "l2", "lr"):
        _in_range(name, settings[name], _RANGES[name])
    as_seed(settings["seed"])


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

    def __init__(self, session, on_frame, frames_per_second=LIVE_FRAMES_PER_SECOND,
                 max_epochs_per_second=MAX_EPOCHS_PER_SECOND, max_epochs=MAX_EPOCHS,
                 on_state=None):
        self.session, self.max_epochs = _check_session(session), max_epochs
        self.runner = Runner(self._epoch, lambda: self.session.snapshot(), on_frame,
                             on_state, name=THREAD_NAME, frames_per_second=frames_per_second,
                             max_steps_per_second=max_epochs_per_second,
                             drawing_share=LIVE_DRAWING_SHARE)

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


CONTROL_WIDTH = "290px"  # every control: a column never spills into the next one
COLUMN_GAP = "0 24px 0 0"


def _slider(cls, bounds, value, description):
    return cls(min=bounds[0], max=bounds[1], step=bounds[2], value=value,
               description=description, continuous_update=False)


def _controls(defaults):
    """The setting controls (name → widget) and the feature toggles (name → button)."""
    import ipywidgets as w

    d, s, choices = defaults, _slider, w.SelectionSlider
    controls = {
        "dataset": w.Dropdown(options=PLAYGROUND_DATASETS, value=d["dataset"],
                              description="data set"),
        "noise": s(w.FloatSlider, NOISE_RANGE, d["noise"], "noise"),
        "test_fraction": s(w.FloatSlider, TEST_FRACTION_RANGE, d["test_fraction"], "test share"),
        "num_layers": s(w.IntSlider, NUM_LAYERS_RANGE, d["num_layers"], "hidden layers"),
        "num_hiddens": s(w.IntSlider, NUM_HIDDENS_RANGE, d["num_hiddens"], "units/layer"),
        "activation": w.Dropdown(options=TRAINABLE, value=d["activation"],
                                 description="activation"),
        "lr": choices(options=LR_CHOICES, value=d["lr"], description="learning rate"),
        "batch_size": s(w.IntSlider, BATCH_SIZE_RANGE, d["batch_size"], "batch size"),
        "l1": choices(options=REGULARISATION_CHOICES, value=d["l1"], description="L1"),
        "l2": choices(options=REGULARISATION_CHOICES, value=d["l2"], description="L2"),
    }
    for control in controls.values():
        control.style = {"description_width": "initial"}
        control.layout = w.Layout(width=CONTROL_WIDTH)
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
    accuracy = ("" if snapshot["train acc"] is None else  # regression: no classes
                f" · accuracy: train {100 * snapshot['train acc']:.1f} %, "
                f"test {100 * snapshot['test acc']:.1f} %")
    errors = [f"Training stopped by an error: {error}"] if error else []
    return "<br>".join([f"epoch {snapshot['epoch']}{losses}{accuracy}"]
                       + [_warning(m) for m in snapshot["messages"] + errors])


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
    columns = [[c["dataset"], c["noise"], c["test_fraction"]],
               [c["num_layers"], c["num_hiddens"], c["activation"]],
               [c["lr"], c["batch_size"], c["l1"], c["l2"]]]
    return w.VBox([w.HBox(buttons),
                   w.HBox([w.VBox(column, layout=w.Layout(margin=COLUMN_GAP))
                           for column in columns]),
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
