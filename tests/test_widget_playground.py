"""The network playground widget, headless: compute/plot at both ends of every range, the
figures (class legend, readable labels, the weights as lines, the regression data set), the
live figure (a frame drawn in place equals a full drawing, and how many it makes a second),
the training thread (start, pause, resume, step, reset, no thread left) and the controls."""

import threading
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnbook.activations import TRAINABLE  # noqa: E402
from nnbook.playground import FEATURES, PLAYGROUND_DATASETS, Session  # noqa: E402
from nnbook.plotting import CLASS_COLOURS  # noqa: E402
from nnbook.widgets import playground as pg  # noqa: E402
from nnbook.widgets import playground_plots as plots  # noqa: E402

QUICK = dict(num_epochs=2)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def draw(result):
    fig = pg.plot_playground(result)
    assert fig.subfigs and len(fig.subfigs[0].axes) == 2
    fig.canvas.draw()
    return fig


@pytest.mark.parametrize("name, bounds", [
    ("noise", pg.NOISE_RANGE), ("test_fraction", pg.TEST_FRACTION_RANGE),
    ("num_layers", pg.NUM_LAYERS_RANGE), ("num_hiddens", pg.NUM_HIDDENS_RANGE),
    ("batch_size", pg.BATCH_SIZE_RANGE), ("num_epochs", pg.NUM_EPOCHS_RANGE),
])
@pytest.mark.parametrize("end", [0, 1])
def test_compute_and_plot_at_both_ends_of_each_range(name, bounds, end):
    settings = {**QUICK, name: bounds[end]}
    if name == "num_epochs":
        settings = {name: bounds[end]}
    result = pg.compute_playground(**settings)
    assert result["output"].shape == (pg.RESOLUTION, pg.RESOLUTION)
    draw(result)


@pytest.mark.parametrize("name, choices", [("lr", pg.LR_CHOICES), ("l1", pg.REGULARISATION_CHOICES),
                                           ("l2", pg.REGULARISATION_CHOICES),
                                           ("dataset", PLAYGROUND_DATASETS),
                                           ("activation", TRAINABLE)])
def test_compute_and_plot_for_each_end_of_the_choices(name, choices):
    for value in (choices[0], choices[-1]):
        draw(pg.compute_playground(**{**QUICK, name: value}))


def test_largest_network_with_all_features():
    result = pg.compute_playground(features=FEATURES, num_layers=6, num_hiddens=8, **QUICK)
    assert [u.shape for u in result["units"]] == [(8, pg.RESOLUTION, pg.RESOLUTION)] * 6
    fig = draw(result)
    assert sum(bool(ax.images) for ax in fig.subfigs[1].axes) == 48


def test_no_hidden_layer_shows_the_warning_in_the_figure():
    result = pg.compute_playground(dataset="spirals", num_layers=0, **QUICK)
    fig = draw(result)
    assert any("No hidden layer" in t.get_text() for t in fig.texts)


def test_diverging_learning_rate_is_reported_not_drawn_as_nan():
    result = pg.compute_playground(dataset="spirals", features=FEATURES, num_layers=6, num_hiddens=8,
                                   activation="relu", lr=10.0, batch_size=1, num_epochs=50)
    assert any("diverged" in m for m in result["messages"])
    assert np.isfinite(result["output"]).all()
    fig = draw(result)
    assert any("diverged" in t.get_text() for t in fig.texts)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(noise=-0.1), ValueError, "noise must be a number from 0.0 to 0.5, got -0.1: move it "
                                   "into that range"),
    (dict(noise=0.9), ValueError, "noise must be a number from 0.0 to 0.5, got 0.9"),
    (dict(noise="low"), TypeError, "noise must be a finite number, got 'low'"),
    (dict(num_layers=7), ValueError, "num_layers must be an int from 0 to 6, got 7"),
    (dict(num_hiddens=0), ValueError, r"0 units per hidden layer: a hidden layer needs at least "
                                      r"1 unit \(for no hidden layer, set num_layers to 0\)"),
    (dict(num_hiddens=9), ValueError, "num_hiddens must be an int from 1 to 8, got 9"),
    (dict(lr=100.0), ValueError, "lr must be a number from 0.001 to 10.0, got 100.0"),
    (dict(batch_size=0), ValueError, "batch_size must be an int from 1 to 100, got 0"),
    (dict(test_fraction=0.95), ValueError, "test_fraction must be a number from 0.1 to 0.9"),
    (dict(l2=1.0), ValueError, "l2 must be a number from 0.0 to 0.1, got 1.0"),
    (dict(dataset="squares"), ValueError, "unknown data set 'squares': choose one of xor, "
                                          "circles, moons, spirals, blobs, hills"),
    (dict(num_epochs=True), TypeError, "num_epochs must be an int from 0 to 2000, got True"),
    (dict(features=[]), ValueError, "choose at least one input feature"),
    (dict(seed=-1), ValueError, r"seed must be an int from 0 to 2\*\*32 - 1, got -1"),
])
def test_compute_rejects_bad_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        pg.compute_playground(**{**QUICK, **kwargs})


def test_unit_maps_and_boundary_alone():
    result = pg.compute_playground(num_layers=2, num_hiddens=3, **QUICK)
    axes = pg.plot_unit_maps(result)
    assert axes.shape == (2, 3) and all(ax.images for ax in axes.ravel())
    ax = pg.plot_boundary(result)
    assert ax.images and ax.get_title().startswith("epoch 2")
    ax = pg.plot_losses(result)
    assert len(ax.lines) == 2


def test_live_figure_updates_in_place_without_pyplot():
    session = Session("moons", hidden=(4, 4), resolution=pg.RESOLUTION)
    before = set(plt.get_fignums())
    live = pg.LiveFigure(session.snapshot())
    assert set(plt.get_fignums()) == before, "the live figure must not go through pyplot"
    first = live.png()
    assert first.startswith(b"\x89PNG")
    session.step(30)
    snapshot = session.snapshot()
    assert live.fits(snapshot)
    live.update(snapshot)
    assert live.png() != first
    assert not live.fits(Session("moons", hidden=(3,)).snapshot())


def test_boundary_has_a_class_legend_and_regression_has_none():
    ax = pg.plot_boundary(pg.compute_playground(dataset="moons", **QUICK))
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1"]
    assert pg.plot_boundary(pg.compute_playground(dataset="hills", **QUICK)).get_legend() is None
    assert pg.plot_boundary(pg.compute_playground(**QUICK), legend=False).get_legend() is None


def texts_of(fig):
    """Every visible text of a figure or subfigure except the tick labels."""
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()
            and not any(t in ax.get_xticklabels() + ax.get_yticklabels() for ax in fig.axes)]


def test_labels_and_key_are_readable_in_the_ten_inch_figure():
    result = pg.compute_playground(num_layers=3, num_hiddens=4, **QUICK)
    fig = draw(result)
    assert fig.get_figwidth() == 10
    right = fig.subfigs[1]
    texts = texts_of(right)
    assert {"layer 1", "layer 2", "layer 3"} <= {t.get_text() for t in texts}
    assert all(t.get_fontsize() >= 10 for t in texts), [(t.get_text(), t.get_fontsize())
                                                        for t in texts if t.get_fontsize() < 10]
    key = next(t for t in texts if t.get_text().startswith("maps:"))
    assert key.get_text().count("\n") >= 2, "the key is broken over lines"
    assert max(len(line) for line in key.get_text().splitlines()) <= 70
    boxes = [t.get_window_extent() for t in texts]  # no label runs into another
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_weights_are_lines_coloured_by_sign_and_thick_by_size():
    result = pg.compute_playground(dataset="xor", num_layers=2, num_hiddens=3, **QUICK)
    result["weights"][1][...] = [[2.5, -0.1, 0.0], [-1.0, 0.5, 0.0], [0.0, 0.0, -3.0]]
    fig = plt.figure(figsize=(6, 4))
    axes = pg.plot_unit_maps(result, fig)
    [lines] = [a for a in fig.artists if a.get_label() == "weights"]
    segments, W = lines.get_segments(), result["weights"][1].ravel()
    assert len(segments) == 9, "one line from every unit of layer 1 to every unit of layer 2"
    colours, widths = lines.get_colors(), np.asarray(lines.get_linewidths())
    orange, blue = matplotlib.colors.to_rgb(CLASS_COLOURS[1]), matplotlib.colors.to_rgb(CLASS_COLOURS[0])
    for w, colour in zip(W, colours):
        assert tuple(colour[:3]) == pytest.approx(orange if w > 0 else blue)
    order = np.argsort(np.abs(W))
    assert np.all(np.diff(widths[order]) >= 0), "a larger weight has a thicker line"
    assert widths[0] == widths[-1] == widths.max(), "2.5 and -3 are both beyond WEIGHT_FULL"
    top, bottom = axes[0][0].get_position(), axes[1][2].get_position()
    (x0, y0), (x1, y1) = segments[2]  # unit 1 of layer 1 → unit 3 of layer 2
    assert (x0, y0) == pytest.approx((top.x0 + top.width / 2, top.y0))
    assert (x1, y1) == pytest.approx((bottom.x0 + bottom.width / 2, bottom.y1))


def test_no_weights_without_two_hidden_layers():
    for num_layers in (0, 1):
        fig = plt.figure()
        pg.plot_unit_maps(pg.compute_playground(num_layers=num_layers, **QUICK), fig)
        assert not [a for a in fig.artists if a.get_label() == "weights"]


def test_regression_data_set_draws_the_predicted_value():
    result = pg.compute_playground(dataset="hills", num_layers=2, num_hiddens=4, num_epochs=20)
    assert result["task"] == "regression" and result["train acc"] is None
    fig = draw(result)
    boundary, loss = fig.subfigs[0].axes
    assert boundary.get_title().startswith("epoch 20: squared error train")
    assert boundary.images[0].get_clim() == (-1, 1) and not boundary.lines
    assert loss.get_ylabel() == "squared error"
    live = pg.LiveFigure(result)
    assert live.png().startswith(b"\x89PNG")


def full_drawing(live):
    """The live figure drawn whole, as matplotlib would draw it without the saved copy."""
    for artist in live.figure.findobj(lambda a: a.get_animated()):
        artist.set_animated(False)
    live.figure.canvas.draw()
    return np.array(live.figure.canvas.buffer_rgba())


@pytest.mark.parametrize("hidden", [(4, 4), (8,) * 6, ()])
def test_a_frame_drawn_in_place_equals_a_full_drawing(hidden):
    session = Session("spirals", hidden=hidden, lr=0.3, resolution=pg.RESOLUTION)
    live = pg.LiveFigure(session.snapshot())
    for epochs in (5, 100):  # the second frame keeps the loss panel's axes, the third not
        session.step(epochs)
        live.update(session.snapshot())
        live.render()
    frame = np.array(live.figure.canvas.buffer_rgba())
    different = (frame != full_drawing(live)).any(axis=2)
    # tolerated: the few pixels where a tick mark meets the frame of the boundary panel
    assert different.mean() < 1e-4, f"{different.sum()} pixels differ"


def test_live_figure_shows_new_data_in_a_new_layout():
    first = Session("moons", hidden=(4,))
    live = pg.LiveFigure(first.snapshot())
    first.step(3)
    assert live.fits(first.snapshot()), "training changes no layout"
    assert not live.fits(Session("moons", noise=0.3, hidden=(4,)).snapshot()), "new points"
    assert not live.fits(Session("hills", hidden=(4,)).snapshot())


def test_playground_figure_puts_the_class_legend_in_the_key_not_on_the_map():
    fig = draw(pg.compute_playground(dataset="moons", **QUICK))
    boundary = fig.subfigs[0].axes[0]
    assert boundary.get_legend() is None, "on the small map it would hide points"
    [legend] = fig.subfigs[1].legends
    assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1"]
    assert all(t.get_fontsize() >= 10 for t in legend.get_texts())
    assert not draw(pg.compute_playground(dataset="hills", **QUICK)).subfigs[1].legends


# The widget shows a frame when 1/LIVE_FRAMES_PER_SECOND has passed but spends at most half
# its time drawing, so a frame must take at most 1/(2 × 10) s = 50 ms for 10 frames a second.
# Measured on the shared 2-core machine, this loop: before (the whole figure redrawn) about
# 10 frames/s for two layers of 8 units; drawing only what changed, 33–36 (six layers of 8:
# 7 before, 23 after).
FRAMES_FLOOR = 15


def test_live_figure_redraws_several_times_a_second():
    session = Session("spirals", hidden=(8, 8), lr=0.1, resolution=pg.RESOLUTION)
    live = pg.LiveFigure(session.snapshot())
    frames, started = 0, time.perf_counter()
    while time.perf_counter() - started < 2.0:
        session.step(1)
        live.update(session.snapshot())
        assert live.png().startswith(b"\x89PNG")
        frames += 1
    rate = frames / (time.perf_counter() - started)
    print(f"live figure: {rate:.0f} frames/s (training one epoch between frames)")
    assert rate >= FRAMES_FLOOR, f"{rate:.1f} frames/s: too slow for the widget's frame rate"


def test_widget_shows_several_frames_a_second_while_training():
    box = pg.playground_widget()  # the default network: 2 layers of 8 units on the spirals
    image, count = box.children[-1], []
    image.observe(lambda change: count.append(1), names="value")
    box.trainer.start()
    assert wait_until(lambda: box.trainer.session.epoch >= 5)
    count.clear()
    time.sleep(2.0)
    box.trainer.pause()
    print(f"widget: {len(count) / 2:.1f} frames/s while training "
          f"(at most {pg.LIVE_FRAMES_PER_SECOND})")
    assert len(count) / 2 >= 4, "the widget shows fewer than 4 frames a second"
    assert playground_threads() == []


class Frames:
    """Collects the frames a Trainer hands out, from whichever thread."""

    def __init__(self):
        self.snapshots, self.threads = [], set()

    def __call__(self, snapshot):
        self.snapshots.append(snapshot)
        self.threads.add(threading.current_thread().name)


def wait_until(condition, timeout=10.0):
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        time.sleep(0.01)
    return condition()


def playground_threads():
    return [t for t in threading.enumerate() if t.name == "nnbook-playground"]


def test_trainer_start_pause_resume_step_reset():
    frames = Frames()
    trainer = pg.Trainer(Session("xor", hidden=(4,)), frames, frames_per_second=50, max_epochs_per_second=1000)
    trainer.start()
    trainer.start()  # a second start does nothing
    assert wait_until(lambda: trainer.session.epoch >= 5)
    assert trainer.running and len(playground_threads()) == 1
    trainer.pause()
    assert not trainer.running and playground_threads() == []
    epoch = trainer.session.epoch
    time.sleep(0.1)
    assert trainer.session.epoch == epoch, "paused training does not move"
    assert "nnbook-playground" in frames.threads, "frames were drawn by the training thread"
    trainer.start()  # resume from where it stopped
    assert wait_until(lambda: trainer.session.epoch > epoch + 3)
    trainer.step(2)  # pauses first, then trains exactly two epochs
    assert not trainer.running and playground_threads() == []
    epoch = trainer.session.epoch
    assert frames.snapshots[-1]["epoch"] == epoch
    trainer.start()
    assert wait_until(lambda: trainer.session.epoch > epoch)
    trainer.reset()
    assert trainer.session.epoch == 0 and frames.snapshots[-1]["epoch"] == 0
    assert playground_threads() == [], "reset leaves no thread behind"


def test_trainer_pause_is_quick_with_the_largest_network():
    session = Session("spirals", features=FEATURES, hidden=(8,) * 6, batch_size=1, resolution=pg.RESOLUTION)
    trainer = pg.Trainer(session, Frames())
    trainer.start()
    assert wait_until(lambda: session.epoch >= 2)
    started = time.perf_counter()
    trainer.pause()
    assert time.perf_counter() - started < 2.0 and playground_threads() == []


def test_trainer_stops_by_itself_on_divergence_and_at_the_epoch_limit():
    frames = Frames()
    diverging = Session("spirals", features=FEATURES, hidden=(8, 8, 8), activation="relu", lr=1000.0, batch_size=1)
    trainer = pg.Trainer(diverging, frames, max_epochs_per_second=1000)
    trainer.start()
    assert wait_until(lambda: not trainer.running)
    assert wait_until(lambda: playground_threads() == [])
    assert "diverged" in frames.snapshots[-1]["messages"][-1]
    limited = pg.Trainer(Session("xor", hidden=(2,)), frames, max_epochs_per_second=10_000, max_epochs=20)
    limited.start()
    assert wait_until(lambda: not limited.running)
    assert limited.session.epoch == 20 and frames.snapshots[-1]["epoch"] == 20
    limited.pause()
    assert playground_threads() == []


def test_trainer_reports_errors_in_the_thread():
    def broken(snapshot):
        if threading.current_thread().name == "nnbook-playground":
            raise RuntimeError("cannot draw")

    trainer = pg.Trainer(Session("xor", hidden=(2,)), broken)
    trainer.start()
    assert wait_until(lambda: trainer.error is not None)
    assert "RuntimeError: cannot draw" in trainer.error
    trainer.pause()
    assert playground_threads() == []


def test_trainer_replace_and_set_training():
    frames = Frames()
    trainer = pg.Trainer(Session("xor", hidden=(2,)), frames)
    trainer.set_training(0.3, 5, 0.0, 0.001)
    assert trainer.session.lr == 0.3 and trainer.session.batch_size == 5
    trainer.replace(Session("moons", hidden=(3,)))
    assert trainer.session.hidden == (3,) and frames.snapshots[-1]["hidden"] == (3,)
    with pytest.raises(TypeError, match="Session"):
        trainer.replace("moons")
    with pytest.raises(TypeError, match="Session"):
        pg.Trainer("xor", frames)
    with pytest.raises(TypeError, match="on_frame"):
        pg.Trainer(Session("xor", hidden=(2,)), None)


def test_widget_builds_runs_and_stops():
    box = pg.playground_widget(dataset="moons", num_layers=1, num_hiddens=3)
    trainer = box.trainer
    image = box.children[-1]
    assert bytes(image.value).startswith(b"\x89PNG")
    first = bytes(image.value)
    trainer.start()
    assert wait_until(lambda: trainer.session.epoch >= 3)
    trainer.pause()
    trainer.show()
    assert bytes(image.value) != first
    trainer.reset()
    assert trainer.session.epoch == 0 and playground_threads() == []


def test_widget_controls_rebuild_retrain_and_explain_bad_settings():
    box = pg.playground_widget(num_layers=1, num_hiddens=2)
    trainer = box.trainer
    box.controls["num_layers"].value = 3
    assert trainer.session.hidden == (2, 2, 2)
    box.controls["dataset"].value = "circles"
    assert trainer.session.dataset == "circles"
    box.feature_buttons["x1^2"].value = True
    assert trainer.session.features == ("x1", "x2", "x1^2")
    box.controls["lr"].value = pg.LR_CHOICES[-1]
    box.controls["batch_size"].value = 1
    assert trainer.session.lr == pg.LR_CHOICES[-1] and trainer.session.batch_size == 1
    for name in ("x1", "x2", "x1^2"):
        box.feature_buttons[name].value = False
    assert "at least one input feature" in box.status.value
    box.feature_buttons["x2^2"].value = True
    box.controls["num_layers"].value = 0
    assert trainer.session.hidden == () and "No hidden layer" not in box.status.value
    box.controls["dataset"].value = "spirals"
    box.feature_buttons["x2^2"].value = False
    box.feature_buttons["x1"].value = True
    assert "No hidden layer" in box.status.value
    assert playground_threads() == []


def test_widget_rejects_unknown_settings():
    with pytest.raises(TypeError, match="unknown setting"):
        pg.playground_widget(layers=3)


def test_widget_buttons_start_pause_step_reset():
    box = pg.playground_widget(dataset="xor", num_layers=1, num_hiddens=2)
    run, step, reset = box.children[0].children
    trainer = box.trainer
    run.click()
    assert run.description == pg.PAUSE
    assert wait_until(lambda: trainer.session.epoch >= 2)
    run.click()
    assert run.description == "▶ start" and playground_threads() == []
    epoch = trainer.session.epoch
    step.click()
    assert trainer.session.epoch == epoch + 1 and run.description == "▶ start"
    reset.click()
    assert trainer.session.epoch == 0 and "epoch 0" in box.status.value
    assert playground_threads() == []


# --- the training thread: one run at a time, errors shown and cleared, nothing left running ---

class GatedSession(Session):
    """A Session whose epochs wait for the test's go-ahead: a deterministically slow epoch.
    ``callers`` lists the thread of every epoch, ``entered`` is set once one has begun."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entered, self.release, self.callers = threading.Event(), threading.Event(), []

    def step(self, num_epochs=1):
        self.callers.append(threading.current_thread())
        self.entered.set()
        self.release.wait(10)
        return super().step(num_epochs)


class CrashingSession(Session):
    """A Session whose training raises, as a bug in a later explorer's step would."""

    def step(self, num_epochs=1):
        raise FloatingPointError("overflow in the fake epoch")


def test_starting_while_the_last_run_is_stopping_never_runs_two_trainers():
    session = GatedSession("xor", hidden=(2,))
    trainer = pg.Trainer(session, Frames(), max_epochs_per_second=1000)
    trainer.start()
    assert session.entered.wait(5)
    first = session.callers[0]
    trainer.pause(timeout=0.05)  # the epoch is still running: the join times out
    assert first.is_alive()
    trainer.start()  # pressed again before the first run has ended
    session.release.set()
    assert wait_until(lambda: len(session.callers) >= 20)
    trainer.pause()
    assert session.callers.count(first) == 1, "the paused run went on training beside the new one"
    assert len(set(session.callers)) == 2
    assert wait_until(lambda: not first.is_alive()) and playground_threads() == []


def test_a_crash_in_the_thread_says_what_happened_and_reset_clears_it():
    trainer = pg.Trainer(CrashingSession("xor", hidden=(2,)), Frames())
    trainer.start()
    assert wait_until(lambda: trainer.error is not None and not trainer.running)
    assert "FloatingPointError: overflow in the fake epoch" in trainer.error
    assert wait_until(lambda: playground_threads() == [])
    trainer.reset()
    assert trainer.error is None


def test_widget_button_and_status_after_a_crash_and_after_reset():
    box = pg.playground_widget(dataset="xor", num_layers=1, num_hiddens=2)
    run, _, reset = box.children[0].children
    box.trainer.replace(CrashingSession("xor", hidden=(2,)))
    run.click()
    assert wait_until(lambda: "FloatingPointError" in box.status.value)
    assert wait_until(lambda: run.description == "▶ start"), "the button must go back to start"
    assert "reset" in box.status.value, "the message says what to do next"
    reset.click()
    assert "FloatingPointError" not in box.status.value and "epoch 0" in box.status.value
    assert playground_threads() == []


def test_closing_the_widget_stops_its_thread():
    box = pg.playground_widget(dataset="xor", num_layers=1, num_hiddens=2)
    box.trainer.start()
    assert wait_until(lambda: box.trainer.session.epoch >= 2)
    box.close()
    assert playground_threads() == [] and not box.trainer.running
    box.trainer.start()  # a closed widget stays stopped
    assert playground_threads() == []


def test_running_the_widget_cell_again_stops_the_old_thread():
    old = pg.playground_widget(dataset="xor", num_layers=1, num_hiddens=2)
    old.trainer.start()
    assert wait_until(lambda: old.trainer.session.epoch >= 2)
    new = pg.playground_widget(dataset="xor", num_layers=1, num_hiddens=2)
    assert not old.trainer.running and playground_threads() == []
    new.trainer.start()
    assert wait_until(lambda: new.trainer.session.epoch >= 2)
    new.close()
    assert playground_threads() == []


# --- what the reader sees while it trains ---

def test_loss_panel_rescales_to_the_losses_at_every_frame():
    session = Session("moons", hidden=(4,), lr=0.3, resolution=pg.RESOLUTION)
    live = pg.LiveFigure(session.snapshot())  # epoch 0: no loss yet
    loss_axes = live.figure.subfigs[0].axes[1]
    for _ in range(3):
        session.step(60)
        live.update(session.snapshot())
        highest = max(max(v) for v in session.history.values())
        last = max(v[-1] for v in session.history.values())
        bottom, top = loss_axes.get_ylim()
        assert bottom == 0 and last < top, "the latest losses must be inside the panel"
        assert top == pytest.approx(1.1 * highest), "no limits kept from an earlier frame"
    assert loss_axes.get_legend() is not None


def test_no_feature_ticked_hides_the_old_network_and_disables_training():
    box = pg.playground_widget(dataset="xor", num_layers=1, num_hiddens=2)
    run, step, reset = box.children[0].children
    image = box.children[-1]
    shown = bytes(image.value)
    for name in ("x1", "x2"):
        box.feature_buttons[name].value = False
    assert "at least one input feature" in box.status.value
    assert bytes(image.value) != shown, "the old network must not stay on screen"
    assert run.disabled and step.disabled and reset.disabled
    box.feature_buttons["x1"].value = True
    assert not (run.disabled or step.disabled or reset.disabled)
    assert box.trainer.session.features == ("x1",)


def test_pause_label_uses_no_glyph_that_fonts_lack():
    box = pg.playground_widget(dataset="xor", num_layers=1, num_hiddens=2)
    run = box.children[0].children[0]
    run.click()
    assert "pause" in run.description and "⏸" not in run.description
    run.click()
    assert run.description == "▶ start"
    assert playground_threads() == []


def test_widget_switches_to_the_regression_data_set():
    box = pg.playground_widget(dataset="moons", num_layers=1, num_hiddens=3)
    assert "hills" in box.controls["dataset"].options
    image = box.children[-1]
    shown = bytes(image.value)
    box.controls["dataset"].value = "hills"
    assert box.trainer.session.task == "regression" and bytes(image.value) != shown
    box.trainer.step(3)
    assert "epoch 3 · loss: train" in box.status.value and "accuracy" not in box.status.value
    assert playground_threads() == []


def test_every_control_has_the_same_width():
    box = pg.playground_widget()
    assert {control.layout.width for control in box.controls.values()} == {pg.CONTROL_WIDTH}
