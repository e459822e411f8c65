"""The capacity × data explorer (Chapter 10, *Generalisation and data*).

The reader picks a multilayer perceptron's size (width and depth), how many
MNIST-1D signals it learns from, and how it is regularised (weight decay,
dropout, Gaussian noise added to the training signals), and watches the
training and validation curves, loss and accuracy, as it trains: a big
network on few examples fits them perfectly while its validation loss turns
up (overfitting); more data or regularisation close the gap.
The network trains live on ``nnbook.widgets.runner``, so the controls stay
free. Three layers: ``compute_capacity`` (pure and validated),
``plot_capacity`` (draws a result) and ``capacity_widget`` (the controls).
"""

import contextlib
import functools
import html
import math

import numpy as np
import torch
from torch import nn

from nnbook.deep import deep_mlp, num_parameters
from nnbook.plotting import OKABE_ITO
from nnbook.validation import as_float, as_instance, as_int, as_seed
from nnbook.widgets.runner import Runner, encode_png, one_thread, pause_all

# Control ranges (tests run compute/plot at both ends of each).
WIDTHS = (8, 16, 32, 64, 128, 256, 512)          # hidden units per layer
WIDTH_RANGE = (WIDTHS[0], WIDTHS[-1])
DEPTH_RANGE = (1, 4)                              # hidden layers
NUM_TRAINS = (100, 200, 300, 500, 1000, 2000, 4000, 8000)
NUM_TRAIN_RANGE = (NUM_TRAINS[0], NUM_TRAINS[-1])
WEIGHT_DECAYS = (0.0, 0.1, 0.3, 1.0, 3.0, 10.0)   # AdamW's, decoupled
WEIGHT_DECAY_RANGE = (WEIGHT_DECAYS[0], WEIGHT_DECAYS[-1])
DROPOUT_RANGE = (0.0, 0.5)
NOISE_RANGE = (0.0, 1.0)    # std of the noise; the signals' own std is ≈ 1
STEPS_RANGE = (0, 3000)     # training steps (batches)
DEFAULTS = dict(width=256, depth=2, num_train=300, weight_decay=0.0,
                dropout=0.0, noise=0.0)
NUM_STEPS = 600             # compute_capacity's default: a few seconds
NUM_SAMPLES = 12500         # MNIST-1D signals generated: 10,000 + 2,500
NUM_VAL = 1000              # held-out signals the validation curves use
NUM_TRAIN_EVAL = 1000       # at most this many training signals measured
EVAL_EVERY = 10             # steps between two points of the curves
BATCH_SIZE = 100
LEARNING_RATE = 1e-3        # AdamW
THREAD_NAME = "nnbook-capacity"
START, PAUSE = "▶ start", "pause"   # a font may lack ⏸
TRAIN_COLOUR, VAL_COLOUR = OKABE_ITO[0], OKABE_ITO[5]   # blue, vermillion
ERROR = OKABE_ITO[5]        # the colour of a message about a bad setting
FIGSIZE = (9, 3.6)
STEP_BOUNDS = (100, 200, 300, 500, 1000, 1500, 2000, 3000)   # live x-axis
CURVES = ("step", "train loss", "val loss", "train acc", "val acc")


@functools.lru_cache(maxsize=1)
def _data():
    """MNIST-1D as float32/int64 tensors, generated on first use (about
    4 s) and kept: the 10,000 training signals (the first n of them are a
    training set of n, so smaller sets lie inside larger ones) and the
    NUM_VAL first held-out signals, for validation."""
    from nnbook.datasets import load_mnist1d

    (X, y), (X_val, y_val) = load_mnist1d(num_samples=NUM_SAMPLES)
    return (torch.from_numpy(X), torch.from_numpy(y),
            torch.from_numpy(X_val[:NUM_VAL]),
            torch.from_numpy(y_val[:NUM_VAL]))


def _in_range(value, name, bounds):
    """``value`` as a float from bounds[0] to bounds[1], else an error."""
    number = as_float(value, name)
    if not bounds[0] <= number <= bounds[1]:
        raise ValueError(f"{name} must be a number from {bounds[0]} to "
                         f"{bounds[1]}, got {value!r}")
    return number


def check_settings(width, depth, num_train, weight_decay, dropout, noise):
    """The settings converted and checked against the control ranges: a
    dict, else a TypeError or ValueError saying what to change."""
    return dict(width=as_int(width, "width", *WIDTH_RANGE),
                depth=as_int(depth, "depth", *DEPTH_RANGE),
                num_train=as_int(num_train, "num_train", *NUM_TRAIN_RANGE),
                weight_decay=_in_range(weight_decay, "weight_decay",
                                       WEIGHT_DECAY_RANGE),
                dropout=_in_range(dropout, "dropout", DROPOUT_RANGE),
                noise=_in_range(noise, "noise", NOISE_RANGE))


@torch.no_grad()
def _measure(model, X, y):
    """(cross-entropy loss, accuracy in %) of ``model`` on X (n, 40)
    float32 and y (n,) int64."""
    scores = model(X)
    loss = nn.functional.cross_entropy(scores, y).item()
    return loss, 100 * (scores.argmax(dim=1) == y).float().mean().item()


class CapacitySession:
    """One network built from the settings, its optimiser, its own random
    streams (batches, noise, dropout: the caller's are left alone) and its
    curves so far; ``train(n)`` trains n more steps."""

    def __init__(self, width=256, depth=2, num_train=300, weight_decay=0.0,
                 dropout=0.0, noise=0.0, seed=0):
        self.settings = check_settings(width, depth, num_train, weight_decay,
                                       dropout, noise)
        self.seed = as_seed(seed)
        X, y, self.X_val, self.y_val = _data()
        n = self.settings["num_train"]
        self.X, self.y = X[:n], y[:n]
        with torch.random.fork_rng(devices=[]):
            self.model = deep_mlp(40, 10, depth=self.settings["depth"],
                                  width=self.settings["width"], seed=self.seed,
                                  dropout=self.settings["dropout"])
            self._rng = torch.get_rng_state()   # seeded: drives dropout
        self.optimizer = torch.optim.AdamW(
            self.model.parameters(), lr=LEARNING_RATE,
            weight_decay=self.settings["weight_decay"])
        self.generator = torch.Generator().manual_seed(self.seed)
        self.steps, self._order = 0, torch.empty(0, dtype=torch.long)
        self.curves = {name: [] for name in CURVES}
        self.evaluate()

    @contextlib.contextmanager
    def _own_random(self):
        """Dropout draws from PyTorch's global generator: inside, that is
        the session's own stream, and the caller's is put back after."""
        with torch.random.fork_rng(devices=[]), one_thread():
            torch.set_rng_state(self._rng)
            yield
            self._rng = torch.get_rng_state()

    def _batch(self):
        """The next batch of indices: a fresh shuffle each epoch (the
        last, incomplete batch of an epoch is skipped)."""
        size = min(BATCH_SIZE, len(self.X))
        if len(self._order) < size:
            self._order = torch.randperm(len(self.X), generator=self.generator)
        idx, self._order = self._order[:size], self._order[size:]
        return idx

    def _step(self):
        idx = self._batch()
        X = self.X[idx]
        if self.settings["noise"] > 0:
            X = X + self.settings["noise"] * torch.randn(
                X.shape, generator=self.generator)
        loss = nn.functional.cross_entropy(self.model(X), self.y[idx])
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.steps += 1

    def train(self, num_steps):
        """Train ``num_steps`` more steps, measuring the curves every
        EVAL_EVERY steps and after the last one."""
        num_steps = as_int(num_steps, "num_steps", minimum=0)
        self.model.train()
        with self._own_random():
            for _ in range(num_steps):
                self._step()
                if self.steps % EVAL_EVERY == 0:
                    self.evaluate()
        if self.curves["step"][-1] != self.steps:
            self.evaluate()
        self.model.eval()

    def evaluate(self):
        """Add a point to the curves: loss and accuracy (%) on (at most
        NUM_TRAIN_EVAL of) the training signals and on the validation
        signals, without dropout or noise."""
        was_training = self.model.training
        self.model.eval()
        with one_thread():
            train = _measure(self.model, self.X[:NUM_TRAIN_EVAL],
                             self.y[:NUM_TRAIN_EVAL])
            val = _measure(self.model, self.X_val, self.y_val)
        self.model.train(was_training)
        for name, value in zip(CURVES, (self.steps, train[0], val[0],
                                        train[1], val[1])):
            self.curves[name].append(value)

    def step(self):
        """The live runner's step: EVAL_EVERY training steps (one new
        point); False once STEPS_RANGE[1] steps are done or the loss is
        no longer finite."""
        self.train(EVAL_EVERY)
        return (self.steps < STEPS_RANGE[1]
                and math.isfinite(self.curves["train loss"][-1]))

    def snapshot(self):
        """What a figure shows: a dict (see ``compute_capacity``), copies."""
        curves = {name: list(values) for name, values in self.curves.items()}
        best = int(np.argmin(curves["val loss"]))
        return {**self.settings, **curves, "seed": self.seed,
                "num_steps": self.steps, "best step": curves["step"][best],
                "num_params": num_parameters(self.model),
                "num_val": len(self.y_val)}


def compute_capacity(width=DEFAULTS["width"], depth=DEFAULTS["depth"],
                     num_train=DEFAULTS["num_train"], weight_decay=0.0,
                     dropout=0.0, num_steps=NUM_STEPS, seed=0, noise=0.0):
    """Train an MLP (``nnbook.deep.deep_mlp``, ReLU) on the first
    ``num_train`` MNIST-1D training signals and record its curves.

    width, depth: hidden units per layer and hidden layers; weight_decay:
    AdamW's (decoupled, learning rate 1e-3, batches of 100); dropout: the
    probability of zeroing a hidden unit while training; noise: the std of
    Gaussian noise added to each training batch (augmentation);
    num_steps: training steps; seed: weights, batch order, dropout and
    noise (the data stay the same). Ranges: the module's ``*_RANGE``.
    Returns a dict: the settings, and lists measured every EVAL_EVERY
    steps and after the last: "step" (int), "train loss" and "val loss"
    (cross-entropy), "train acc" and "val acc" (% correct) on at most
    NUM_TRAIN_EVAL training signals and on NUM_VAL held-out ones;
    "best step" (where the validation loss is lowest), "num_params".
    Deterministic: PyTorch runs on one thread inside, and the caller's
    random state is left as it was.
    """
    num_steps = as_int(num_steps, "num_steps", *STEPS_RANGE)
    session = CapacitySession(width, depth, num_train, weight_decay,
                              dropout, noise, seed)
    session.train(num_steps)
    return session.snapshot()


# --- drawing ------------------------------------------------------------

def _check_result(result):
    as_instance(result, "result", dict,
                "the dict returned by compute_capacity(...)")
    if not {*CURVES, *DEFAULTS, "best step", "num_params"} <= set(result):
        raise TypeError("result must be the dict returned by "
                        "compute_capacity(...), with 'step', 'train loss' "
                        "and 'val loss'")


def describe(result):
    """The settings of a result in words, for a title."""
    regular = [f"{name} {result[key]:g}" for name, key in (
        ("weight decay", "weight_decay"), ("dropout", "dropout"),
        ("noise", "noise")) if result[key] > 0]
    layers = "layer" if result["depth"] == 1 else "layers"
    return (f"{result['depth']} hidden {layers} × {result['width']} units "
            f"({result['num_params']:,} parameters), "
            f"{result['num_train']:,} training examples; "
            + (", ".join(regular) if regular else "no regularisation"))


def _draw(ax, result, kind):
    """Train (solid) and validation (dashed) curves of ``kind`` ("loss"
    or "acc") on ``ax``."""
    for part, colour, style in (("train", TRAIN_COLOUR, "-"),
                                ("val", VAL_COLOUR, "--")):
        ax.plot(result["step"], result[f"{part} {kind}"], color=colour,
                linestyle=style, label="training" if part == "train"
                else "validation")
    ax.set_xlabel("training step")
    ax.set_xlim(0, max(result["step"][-1], EVAL_EVERY))


def _mark_best(ax, result):
    """A dot where the validation loss is lowest."""
    best = result["step"].index(result["best step"])
    ax.plot([result["best step"]], [result["val loss"][best]], "o",
            color=VAL_COLOUR, markersize=5, label="lowest validation loss")


def plot_capacity(result, ax=None):
    """Draw a result of ``compute_capacity``: training (blue, solid) and
    validation (vermillion, dashed) loss against the step, with a dot at
    the lowest validation loss, and beside it the accuracies.
    ax: None (a new figure of two panels), a pair of Axes (loss,
    accuracy), or one Axes (the loss panel only). Returns the Axes drawn
    on: the pair, or the one."""
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    _check_result(result)
    single = isinstance(ax, Axes)
    if ax is None:
        ax = plt.subplots(1, 2, figsize=FIGSIZE, layout="constrained")[1]
    ax_loss, ax_acc = (ax, None) if single else ax
    _draw(ax_loss, result, "loss")
    _mark_best(ax_loss, result)
    ax_loss.set(ylabel="loss (cross-entropy)", ylim=(0, None))
    if single:
        ax_loss.legend(loc="best", fontsize=8)
        ax_loss.set_title(describe(result), fontsize=9)
        return ax_loss
    # above the loss panel, where no curve runs; the accuracies share it
    ax_loss.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=3,
                   fontsize=8, borderaxespad=0.2)
    _draw(ax_acc, result, "acc")
    ax_acc.set(ylabel="accuracy (%)", ylim=(0, 100))
    ax_loss.figure.suptitle(describe(result), fontsize=10)
    return ax_loss, ax_acc


def _nice_limits(result):
    """The live figure's limits: the step axis to the next of STEP_BOUNDS,
    the loss axis to the next multiple of 0.5 above the curves (at least
    ln 10, chance), so that they change only now and then."""
    last = result["step"][-1]
    x_max = next((b for b in STEP_BOUNDS if b >= last), last)
    losses = [v for v in result["train loss"] + result["val loss"]
              if math.isfinite(v)]
    y_max = 0.5 * math.ceil(max(losses + [math.log(10)]) * 1.05 / 0.5)
    return x_max, y_max


class _LiveFigure:
    """The explorer's figure, off-screen. Only the curves move from frame
    to frame: they are drawn over a saved picture of the rest (axes, ticks,
    titles), which is drawn again only when the settings or the limits
    change (a full drawing costs more than a frame may: most of it is
    text)."""

    def __init__(self, dpi=72):
        self.figure, self.key, self.dpi = None, None, dpi

    def _build(self, result):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=FIGSIZE, dpi=self.dpi)
        FigureCanvasAgg(self.figure)
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.14,
                                    top=0.8, wspace=0.22)
        self.axes = plot_capacity(result, self.figure.subplots(1, 2))
        for ax in self.axes:
            for line in ax.lines:
                line.set_animated(True)   # left out of the saved picture

    def _save_still(self, limits):
        ax_loss, ax_acc = self.axes
        for ax in self.axes:
            ax.set_xlim(0, limits[0])
        ax_loss.set_ylim(0, limits[1])
        self.figure.canvas.draw()
        self.still = self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def png(self, result):
        """The figure for ``result`` as PNG bytes."""
        settings = tuple(result[name] for name in DEFAULTS)
        limits = _nice_limits(result)
        if self.key is None or settings != self.key[0]:
            self._build(result)
        if (settings, limits) != self.key:
            self._save_still(limits)
            self.key = (settings, limits)
        canvas = self.figure.canvas
        canvas.restore_region(self.still)
        best = result["step"].index(result["best step"])
        ax_loss, ax_acc = self.axes
        ax_loss.lines[2].set_data([result["best step"]],
                                  [result["val loss"][best]])
        for ax, kind in ((ax_loss, "loss"), (ax_acc, "acc")):
            for line, part in zip(ax.lines, ("train", "val")):
                line.set_data(result["step"], result[f"{part} {kind}"])
            for line in ax.lines:
                ax.draw_artist(line)
        return encode_png(canvas)


# --- the widget ---------------------------------------------------------

CONTROLS = ("num_train", "width", "depth", "weight_decay", "dropout", "noise")


def _start_values(settings):
    """The controls' first values: ``settings`` over DEFAULTS, each one
    checked; a bad one is replaced by its default and explained in the
    returned note (shown in the widget, not raised)."""
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown setting(s) {sorted(unknown)}: choose from "
                        f"{', '.join(DEFAULTS)}")
    values, notes = dict(DEFAULTS), []
    for name, value in settings.items():
        try:
            values[name] = check_settings(**{**DEFAULTS, name: value})[name]
        except (TypeError, ValueError) as err:
            notes.append(f"{err}; the default {DEFAULTS[name]} is used")
    return values, "; ".join(notes)


def _options(choices, value):
    """A selection slider's options: the choices, and ``value`` among them."""
    return sorted({*choices, value})


def _controls(values):
    import ipywidgets as w

    style, wide = {"description_width": "110px"}, w.Layout(width="340px")
    kw = dict(style=style, continuous_update=False, layout=wide)
    pick = lambda name, choices, words: w.SelectionSlider(
        options=_options(choices, values[name]), value=values[name],
        description=words, **kw)
    return {
        "num_train": pick("num_train", NUM_TRAINS, "training set"),
        "width": pick("width", WIDTHS, "width (units)"),
        "depth": w.IntSlider(value=values["depth"], min=DEPTH_RANGE[0],
                             max=DEPTH_RANGE[1], description="hidden layers",
                             **kw),
        "weight_decay": pick("weight_decay", WEIGHT_DECAYS, "weight decay"),
        "dropout": w.FloatSlider(value=values["dropout"],
                                 min=DROPOUT_RANGE[0], max=DROPOUT_RANGE[1],
                                 step=0.1, description="dropout", **kw),
        "noise": w.FloatSlider(value=values["noise"], min=NOISE_RANGE[0],
                               max=NOISE_RANGE[1], step=0.1,
                               description="input noise (std)", **kw),
    }


def status_text(result):
    """One line on the run so far (a result of ``compute_capacity``)."""
    text = f"step {result['step'][-1]}"
    if result["step"][-1] == 0:
        return text
    best = result["step"].index(result["best step"])
    return (f"{text} · loss: training {result['train loss'][-1]:.3f}, "
            f"validation {result['val loss'][-1]:.3f} (lowest "
            f"{result['val loss'][best]:.3f}, at step {result['best step']})"
            f" · validation accuracy {result['val acc'][-1]:.1f} %")


class _Explorer:
    """The widget's state and handlers: the session being trained, the
    runner that trains it, the controls and the picture."""

    def __init__(self, values, note):
        import ipywidgets as w

        self.controls, self.note = _controls(values), note
        self.image, self.status = w.Image(format="png"), w.HTML()
        self.buttons = [w.Button(description=d, layout=w.Layout(width="110px"))
                        for d in (START, "↺ reset")]
        self.session = CapacitySession(**values)
        self.painter = _LiveFigure()
        self.runner = Runner(lambda: self.session.step(),
                             lambda: self.session.snapshot(), self.on_frame,
                             on_state=self.on_state, name=THREAD_NAME,
                             frames_per_second=10, max_steps_per_second=10,
                             drawing_share=0.6)

    def _warn(self, text):
        return f"<b style='color:{ERROR}'>{html.escape(text)}</b>"

    def on_frame(self, result):
        self.image.value = self.painter.png(result)
        done = " · done" if result["step"][-1] >= STEPS_RANGE[1] else ""
        self.status.value = status_text(result) + done + (
            f" · {self._warn(self.note)}" if self.note else "")

    def on_state(self):
        self.buttons[0].description = PAUSE if self.runner.running else START
        if self.runner.error:
            self.status.value = self._warn(self.runner.error)

    def on_run(self, _=None):
        if self.runner.running:
            self.runner.pause()
            self.runner.show()   # the last steps, not the last frame
        else:
            self.runner.start()

    def restart(self, _=None):
        """A fresh network from the controls' settings (its first weights
        again): paused, or training again if it was."""
        running = self.runner.running

        def fresh():
            self.session = CapacitySession(
                **{name: self.controls[name].value for name in CONTROLS})
        self.note = ""
        if self.runner.reset(fresh) and running:
            self.runner.start()

    def connect(self):
        """Wire the controls to the handlers; returns the widget."""
        import ipywidgets as w

        for control in self.controls.values():
            control.observe(self.restart, names="value")
        run, reset = self.buttons
        run.on_click(self.on_run)
        reset.on_click(self.restart)
        column = lambda names: w.VBox([self.controls[k] for k in names])
        return w.VBox([w.HBox(self.buttons),
                       w.HBox([column(CONTROLS[:3]), column(CONTROLS[3:])]),
                       self.status, self.image])


def capacity_widget(**settings):
    """The live capacity × data explorer for JupyterLab; returns the widget.

    settings: starting values for any of ``DEFAULTS``' keys (width, depth,
    num_train, weight_decay, dropout, noise); a value out of its range is
    replaced by the default, with a message in the widget.
    ▶ start trains the network live (up to STEPS_RANGE[1] steps) and
    pause stops it at any moment; ↺ reset goes back to fresh weights;
    changing a setting starts again with a fresh network (training on if
    it was).
    """
    values, note = _start_values(settings)
    pause_all(THREAD_NAME)
    explorer = _Explorer(values, note)
    box = explorer.connect()
    explorer.runner.show()
    box.observe(lambda change: explorer.runner.close()
                if change.new is None else None, names="comm")
    box.runner, box.controls, box.status = (
        explorer.runner, explorer.controls, explorer.status)
    box.image, box.explorer = explorer.image, explorer
    return box
