"""The depth explorer (Chapter 7, *Going deep*).

The reader picks a network's depth, activation, initialisation,
normalisation and residual connections, and sees the gradient norm of every
hidden layer at initialisation and a short training curve on MNIST-1D,
trained live on ``nnbook.widgets.runner`` so that the controls stay free.
Three layers: ``compute_depth`` (pure and validated), ``plot_depth`` (draws
a result) and ``depth_widget`` (the controls).
"""

import functools

import numpy as np
import torch
from torch import nn

from nnbook.deep import ACTIVATIONS, INITS, NORMS, deep_mlp, gradient_norms
from nnbook.validation import as_choice, as_instance, as_int, as_seed
from nnbook.widgets.runner import Runner, pause_all

# Control ranges (tests run compute/plot at both ends of each).
DEPTH_RANGE = (1, 50)
EPOCHS_RANGE = (0, 30)
LIVE_EPOCHS = 200          # where a live run stops by itself
WIDTH = 32
NUM_SAMPLES = 300          # MNIST-1D training signals: a live epoch stays short
BATCH_SIZE = 100
LEARNING_RATE = 1e-3       # Adam
DEFAULTS = {"depth": 20, "activation": "sigmoid", "init": "default",
            "norm": "none", "residual": False}
THREAD_NAME = "nnbook-depth"
START, PAUSE = "▶ start", "⏸ pause"


@functools.lru_cache(maxsize=1)
def _data():
    from nnbook.datasets import load_mnist1d

    (X, y), _ = load_mnist1d()
    return (torch.from_numpy(X[:NUM_SAMPLES]),
            torch.from_numpy(y[:NUM_SAMPLES]))


class DepthSession:
    """A network built from the settings, its gradient norms at
    initialisation, and its training so far (one epoch per ``epoch()``)."""

    def __init__(self, depth=20, activation="sigmoid", init="default",
                 norm="none", residual=False, seed=0):
        depth = as_int(depth, "depth", *DEPTH_RANGE)
        self.settings = dict(
            depth=depth, residual=bool(residual),
            activation=as_choice(activation, "activation", tuple(ACTIVATIONS)),
            init=as_choice(init, "init", INITS),
            norm=as_choice(norm, "norm", NORMS))
        self.X, self.y = _data()
        self.model = deep_mlp(40, 10, width=WIDTH, seed=as_seed(seed),
                              **self.settings)
        self.grad_norms = gradient_norms(self.model, self.X[:256],
                                         self.y[:256])
        self.optimizer = torch.optim.Adam(self.model.parameters(),
                                          lr=LEARNING_RATE)
        self.generator = torch.Generator().manual_seed(int(seed))
        self.losses = []

    def epoch(self):
        """Train one epoch; return True while under the epoch limit and
        the loss is finite."""
        self.model.train()
        total = 0.0
        for idx in torch.randperm(len(self.X), generator=self.generator
                                  ).split(BATCH_SIZE):
            loss = nn.functional.cross_entropy(self.model(self.X[idx]),
                                               self.y[idx])
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total += loss.item() * len(idx)
        self.losses.append(total / len(self.X))
        return (len(self.losses) < LIVE_EPOCHS
                and bool(np.isfinite(self.losses[-1])))

    def snapshot(self):
        """What a figure shows: a dict (copies)."""
        return {**self.settings, "grad_norms": self.grad_norms.copy(),
                "losses": np.array(self.losses)}


def compute_depth(depth=20, activation="sigmoid", init="default",
                  norm="none", residual=False, num_epochs=0, seed=0):
    """Build the network, measure its gradient norms at initialisation and
    train it ``num_epochs`` epochs. Returns a dict: the settings,
    "grad_norms" (depth,) and "losses" (num_epochs,) training losses."""
    num_epochs = as_int(num_epochs, "num_epochs", *EPOCHS_RANGE)
    session = DepthSession(depth, activation, init, norm, residual, seed)
    for _ in range(num_epochs):
        session.epoch()
    return session.snapshot()


def plot_depth(result, ax=None):
    """Draw a result of ``compute_depth``: gradient norms per layer (left,
    log scale) and the training loss per epoch (right). ax: None or a pair
    of Axes. Returns the pair."""
    import matplotlib.pyplot as plt

    as_instance(result, "result", dict,
                "the dict returned by compute_depth(...)")
    if not {"grad_norms", "losses", "depth"} <= set(result):
        raise TypeError("result must be the dict returned by "
                        "compute_depth(...), with 'grad_norms' and 'losses'")
    if ax is None:
        ax = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")[1]
    ax_grad, ax_loss = ax
    norms = np.maximum(result["grad_norms"], 1e-30)
    layers = np.arange(1, len(norms) + 1)
    ax_grad.plot(layers, norms, marker="o", markersize=3, color="#0072B2")
    ax_grad.set(yscale="log", xlabel="hidden layer",
                ylabel="gradient norm at initialisation",
                title=f"{result['depth']} × {result['activation']}, "
                      f"init {result['init']}, norm {result['norm']}"
                      f"{', residual' if result['residual'] else ''}")
    losses = result["losses"]
    ax_loss.plot(np.arange(1, len(losses) + 1), losses, marker="o",
                 markersize=3, color="#D55E00")
    ax_loss.axhline(np.log(10), color="grey", linestyle=":", linewidth=1)
    ax_loss.set(xlim=(0.5, max(EPOCHS_RANGE[1], len(losses)) + 0.5),
                xlabel="epoch",
                ylabel="training loss",
                title="chance level: the dotted line, ln 10")
    return ax_grad, ax_loss


class _LiveFigure:
    """One figure per network, redrawn cheaply: only the loss curve
    changes while it trains (a new layout costs more than a frame may)."""

    def __init__(self):
        self.figure, self.key = None, None

    def png(self, result):
        import io

        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from PIL import Image

        key = tuple(result[k] for k in DEFAULTS)
        if key != self.key:
            self.figure, self.key = Figure(figsize=(9, 3.4), dpi=72), key
            FigureCanvasAgg(self.figure)
            self.figure.subplots_adjust(left=0.09, right=0.98, bottom=0.15,
                                        top=0.9, wspace=0.3)
            plot_depth(result, self.figure.subplots(1, 2))
        ax_loss = self.figure.axes[1]
        losses = result["losses"]
        ax_loss.lines[0].set_data(np.arange(1, len(losses) + 1), losses)
        finite = losses[np.isfinite(losses)]
        if len(finite):
            low, high = min(finite.min(), np.log(10)), max(finite.max(),
                                                           np.log(10))
            pad = 0.05 * (high - low) + 1e-3
            ax_loss.set_ylim(low - pad, high + pad)
        ax_loss.set_xlim(0.5, max(EPOCHS_RANGE[1], len(losses)) + 0.5)
        canvas = self.figure.canvas
        canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height),
                                 canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()  # compressed little: quick, and sent locally
        image.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def _controls(defaults):
    import ipywidgets as w

    style = {"description_width": "80px"}
    return {
        "depth": w.IntSlider(value=defaults["depth"], min=DEPTH_RANGE[0],
                             max=DEPTH_RANGE[1], description="depth",
                             style=style, continuous_update=False),
        "activation": w.Dropdown(options=list(ACTIVATIONS), style=style,
                                 value=defaults["activation"],
                                 description="activation"),
        "init": w.Dropdown(options=list(INITS), value=defaults["init"],
                           description="init", style=style),
        "norm": w.Dropdown(options=list(NORMS), value=defaults["norm"],
                           description="norm", style=style),
        "residual": w.Checkbox(value=defaults["residual"],
                               description="residual"),
    }


def depth_widget(**settings):
    """The live depth explorer for JupyterLab. Keyword arguments override
    ``DEFAULTS``; returns the widget. Changing a setting builds a new
    network (paused); ▶ start trains it live, ⏸ pause stops it."""
    import ipywidgets as w

    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown setting(s) {sorted(unknown)}: choose from "
                        f"{', '.join(DEFAULTS)}")
    pause_all(THREAD_NAME)
    controls = _controls({**DEFAULTS, **settings})
    image, status = w.Image(format="png"), w.HTML()
    run, reset = (w.Button(description=d, layout=w.Layout(width="90px"))
                  for d in (START, "↺ reset"))
    state = {"session": DepthSession(**{k: c.value
                                        for k, c in controls.items()})}

    painter = _LiveFigure()

    def on_frame(snapshot):
        image.value = painter.png(snapshot)
        losses = snapshot["losses"]
        status.value = (f"epoch {len(losses)}" + (
            f" · training loss {losses[-1]:.3f}" if len(losses) else ""))

    def on_state():
        run.description = PAUSE if runner.running else START
        if runner.error:
            status.value = f"<b style='color:#D55E00'>{runner.error}</b>"

    runner = Runner(lambda: state["session"].epoch(),
                    lambda: state["session"].snapshot(), on_frame,
                    on_state=on_state, name=THREAD_NAME,
                    max_steps_per_second=30, drawing_share=0.6)

    def rebuild(_=None):
        def fresh():
            state["session"] = DepthSession(
                **{k: c.value for k, c in controls.items()})
        runner.reset(fresh)

    for control in controls.values():
        control.observe(rebuild, names="value")
    run.on_click(lambda _: runner.pause() if runner.running
                 else runner.start())
    reset.on_click(rebuild)
    runner.show()
    box = w.VBox([w.HBox([run, reset]),
                  w.HBox([w.VBox([controls["depth"], controls["activation"]]),
                          w.VBox([controls["init"], controls["norm"],
                                  controls["residual"]])]),
                  status, image])
    box.observe(lambda change: runner.close() if change.new is None
                else None, names="comm")
    box.runner, box.controls, box.status = runner, controls, status
    return box
