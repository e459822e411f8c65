"""The attention explorer: compute and plot at both ends of every range,
headlessly; sampling as nnbook.attention.generate samples; bad inputs
refused with a message that says what to type; the widget builds, trains
live on the background runner, reacts to its controls and stops."""

import time

import matplotlib
import numpy as np
import pytest
import torch

from nnbook.attention import TinyTransformer, next_token
from nnbook.widgets import attention as explorer

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.mark.parametrize("task", explorer.TASKS)
@pytest.mark.parametrize("layer", explorer.LAYER_RANGE)
@pytest.mark.parametrize("head", explorer.HEAD_RANGE)
def test_compute_and_plot_every_layer_and_head(task, layer, head):
    result = explorer.compute_attention(task, layer=layer, head=head)
    n = len(result["tokens"])
    weights = result["weights"]
    assert weights.shape == (n, n) and (result["layer"], result["head"]) \
        == (layer, head)
    assert np.allclose(weights.sum(axis=1), 1, atol=1e-5)
    assert np.all(np.triu(weights, 1) == 0)      # causal: no look ahead
    ax_map, ax_bars = explorer.plot_attention(result)
    assert ax_map.images[0].get_array().shape == (n, n)
    assert len(ax_bars.patches) == 2 * explorer.NUM_BARS


@pytest.mark.parametrize("task", explorer.TASKS)
@pytest.mark.parametrize("temperature", explorer.TEMPERATURE_RANGE)
@pytest.mark.parametrize("top_k", explorer.TOP_K_RANGE)
def test_compute_and_plot_every_temperature_and_top_k(task, temperature,
                                                      top_k):
    result = explorer.compute_attention(task, temperature=temperature,
                                        top_k=top_k, num_steps=2)
    probs, own = result["bar_probs"], result["bar_model"]
    assert np.all(probs >= 0) and probs.sum() <= 1 + 1e-6
    assert np.all(np.diff(own) <= 0)              # likeliest first
    assert np.all(np.diff(probs) <= 1e-7)         # in the same order
    if temperature == 0:
        assert probs[0] == 1 and result["output"][0] in (
            result["bar_labels"][0], "␣")
    explorer.plot_attention(result)


def test_the_first_new_token_is_drawn_from_the_bars():
    result = explorer.compute_attention("text", temperature=1.0, top_k=3,
                                        num_steps=5)
    assert np.count_nonzero(result["bar_probs"]) == 3
    first = explorer.shown(result["output"][0])
    assert first in result["bar_labels"][:3]


def test_sampling_probs_are_those_next_token_draws_from():
    scores = torch.tensor([2.0, 1.0, 0.5, -1.0, 0.0, 3.0])
    for temperature, top_k in [(1.0, None), (0.5, 3), (2.0, 2)]:
        probs = explorer.sampling_probs(scores, temperature, top_k)
        gen = torch.Generator().manual_seed(0)
        draws = torch.cat([next_token(scores, temperature, top_k, gen)
                           for _ in range(4000)])
        freq = torch.bincount(draws, minlength=len(scores)) / len(draws)
        assert torch.allclose(freq, probs, atol=0.03)
        assert torch.all(freq[probs == 0] == 0)
    greedy = explorer.sampling_probs(scores, 0.0)
    assert greedy.tolist() == [0, 0, 0, 0, 0, 1]


def test_a_higher_temperature_flattens_the_distribution():
    session = explorer.AttentionSession("text")
    session.train(5)
    likeliest = [session.view(**{**session.settings, "temperature": t})[
        "bar_probs"][0] for t in (0.3, 1.0, 2.0)]
    assert likeliest[0] > likeliest[1] > likeliest[2]
    own = session.view(**session.settings)["bar_model"]   # temperature 1
    assert np.allclose(own, session.view(**{
        **session.settings, "temperature": 1.0})["bar_probs"], atol=1e-6)


@pytest.mark.slow   # trains a model to check a result: seconds, not ms
def test_the_top_of_the_step_range_learns_to_reverse():
    """Trained STEPS_RANGE[1] steps, the reverse model is right on the
    test sequences, and a head of its last layer reads, for each digit it
    writes, the input digit it copies: the map's anti-diagonal."""
    steps = explorer.STEPS_RANGE[1]
    result = explorer.compute_attention("reverse", num_steps=steps)
    assert result["score"] >= 0.99 and result["steps"] == steps
    assert result["output"] == result["expected"] == "62951413"
    session = explorer.AttentionSession("reverse")
    session.train(steps)       # the same model again, for every head
    rows = range(8, 16)        # ">" and the first 7 digits written
    copied = [7 - (row - 8) for row in rows]   # the digit each one reads
    best = max(
        np.mean(session.view(**{**session.settings, "head": h})["weights"]
                [rows].argmax(axis=1) == copied)
        for h in range(explorer.HEAD_RANGE[0], explorer.HEAD_RANGE[1] + 1))
    assert best >= 7 / 8


def test_a_given_model_is_used_and_left_unchanged():
    model = explorer.new_model("sort", seed=3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    result = explorer.compute_attention("sort", model=model, num_steps=3)
    assert result["steps"] == 3
    assert all(torch.equal(before[k], v)
               for k, v in model.state_dict().items())
    wide = TinyTransformer(12, 20, dim=16, num_heads=2, num_layers=3)
    result = explorer.compute_attention("sort", model=wide, layer=3, head=2)
    assert result["weights"].shape == (16, 16)
    with pytest.raises(ValueError, match="head must be an int from 1 to 2"):
        explorer.compute_attention("sort", model=wide, head=3)


def test_digit_outputs_are_judged():
    result = explorer.compute_attention("sort", text="90817263")
    assert result["expected"] == "01236789"
    assert explorer.compute_attention("reverse", text="90817263")[
        "expected"] == "36271809"
    assert explorer.compute_attention("text")["expected"] is None


def test_tokens_are_labelled_for_the_page():
    assert explorer.shown(" ") == "␣" and explorer.shown("\n") == "⏎"
    assert explorer.shown("a") == "a"
    assert explorer.shown("漢") == "□"   # no glyph in the font
    result = explorer.compute_attention("text", text="A neuron ")
    assert result["tokens"][:9] == list("A␣neuron␣")
    assert result["num_prompt"] == 9
    assert len(result["tokens"]) == 9 + explorer.NUM_NEW - 1


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(task="reverse", text="3141592a"), ValueError,
     "type exactly 8 digits 0-9 for the reverse model, got '3141592a'"),
    (dict(task="sort", text="31415"), ValueError,
     "type exactly 8 digits 0-9 for the sort model"),
    (dict(task="sort", text="314159265"), ValueError, "exactly 8 digits"),
    (dict(task="text", text="naïve"), ValueError,
     "'ï' is not in the language model's vocabulary"),
    (dict(task="text", text=""), ValueError,
     "type 1 to 16 characters for the language model, got 0"),
    (dict(task="text", text="x" * 17), ValueError,
     "type 1 to 16 characters for the language model, got 17"),
    (dict(task="text", text=12), TypeError, "text must be a str"),
    (dict(task="add"), ValueError, "unknown task 'add': choose one of"),
    (dict(layer=0), ValueError, "layer must be an int from 1 to 2, got 0"),
    (dict(layer=3), ValueError, "layer must be an int from 1 to 2, got 3"),
    (dict(head=5), ValueError, "head must be an int from 1 to 4, got 5"),
    (dict(head=1.0), TypeError, "head must be an int"),
    (dict(temperature=-0.1), ValueError,
     "temperature must be a number from 0.0 to 2.0, got -0.1"),
    (dict(temperature=2.5), ValueError, "temperature must be a number"),
    (dict(temperature="hot"), TypeError, "temperature must be"),
    (dict(top_k=21), ValueError, "top_k must be an int from 0 to 20"),
    (dict(top_k=-1), ValueError, "top_k must be an int from 0 to 20"),
    (dict(num_steps=301), ValueError,
     "num_steps must be an int from 0 to 300, got 301"),
    (dict(seed=-1), ValueError, "seed must be an int from 0"),
])
def test_bad_inputs_refused(kwargs, error, words):
    with pytest.raises(error, match=words):
        explorer.compute_attention(**kwargs)


def test_a_model_for_another_task_is_refused():
    lm = TinyTransformer(100, 8)
    with pytest.raises(ValueError, match="a sort model must read 12 token"):
        explorer.compute_attention("sort", model=lm)
    with pytest.raises(ValueError, match="at least 17 tokens"):
        explorer.compute_attention("text", model=lm)
    with pytest.raises(TypeError, match="model must be a TinyTransformer"):
        explorer.compute_attention("sort", model=torch.nn.Linear(2, 2))
    odd = TinyTransformer(12, 16, dim=16, num_heads=2)
    odd.blocks[0].mlp = torch.nn.Sequential(torch.nn.Linear(16, 32))
    with pytest.raises(ValueError, match="weights do not fit"):
        explorer.compute_attention("sort", model=odd)


def test_a_model_of_another_class_with_the_same_code_is_copied():
    """The chapter defines TinyTransformer itself (its #@save cells): its
    models are copied into the package's class through their weights."""
    import copy

    ours = explorer.new_model("reverse", seed=2)
    theirs = copy.deepcopy(ours)    # the same code, another class
    theirs.__class__ = type("TinyTransformer", (torch.nn.Module,),
                            {"forward": type(ours).forward})
    assert not isinstance(theirs, TinyTransformer)
    result = explorer.compute_attention("reverse", model=theirs)
    assert np.array_equal(
        result["weights"], explorer.compute_attention(
            "reverse", model=ours)["weights"])


def test_plot_refuses_what_is_not_a_result():
    with pytest.raises(TypeError, match="compute_attention"):
        explorer.plot_attention({"weights": np.eye(3)})
    with pytest.raises(TypeError, match="compute_attention"):
        explorer.plot_attention(np.eye(3))


def _pixels(png):
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png))).astype(int)


def test_the_live_figure_redraws_in_place_what_a_full_drawing_shows():
    """Frame by frame, only what changed is drawn again, and the picture
    is the one a fresh figure draws (the tokens, titles and bars of the
    early steps change every frame)."""
    painter, session = explorer._LiveFigure(), explorer.AttentionSession()
    first = painter.png(session.snapshot())
    figure = painter.figure
    for _ in range(4):
        session.step()
        result = session.snapshot()
        frame = painter.png(result)
        assert np.array_equal(_pixels(frame), _pixels(
            explorer._LiveFigure().png(result)))
    assert painter.figure is figure and frame != first
    painter.png(explorer.compute_attention("text"))   # another layout
    assert painter.figure is not figure


def _wait(condition, timeout=30):
    deadline = time.time() + timeout
    while not condition() and time.time() < deadline:
        time.sleep(0.05)
    return condition()


def test_widget_trains_live_reacts_and_pauses():
    box = explorer.attention_widget()
    runner, controls = box.runner, box.controls
    assert box.status.value == "reverse: step 0" and box.image.value
    runner.start()
    assert _wait(lambda: "step 0" not in box.status.value)
    assert runner.pause() and not runner.running and runner.error is None
    session = box.sessions["reverse"]
    steps, picture = session.steps, box.image.value
    controls["layer"].value = 1                  # redrawn, not retrained
    assert box.image.value != picture and session.steps == steps
    assert session.settings["layer"] == 1
    controls["text"].value = "12ab"              # refused, shown, kept
    assert "type exactly 8 digits" in box.status.value
    assert session.settings["text"] == explorer.DIGITS[0]
    controls["text"].value = "98765432"
    assert session.settings["text"] == "98765432"
    assert "type exactly" not in box.status.value
    runner.close()


def test_widget_switches_tasks_resamples_and_resets():
    box = explorer.attention_widget()
    runner, controls = box.runner, box.controls
    controls["task"].value = "text"
    assert controls["text"].value == explorer.DEFAULTS["text"]["text"]
    assert controls["temperature"].value == 0.8
    assert box.status.value.startswith("text: step 0")
    runner.start()
    assert _wait(lambda: box.sessions["text"].steps > 0)
    controls["head"].value = 3                   # while it trains
    assert runner.running and box.sessions["text"].settings["head"] == 3
    runner.pause()
    picture = box.image.value
    box.children[0].children[2].click()          # new sample
    assert box.sessions["text"].settings["sample"] == 1
    assert box.image.value != picture
    box.children[0].children[1].click()          # reset
    assert box.sessions["text"].steps == 0
    assert box.status.value.startswith("text: step 0")
    controls["task"].value = "reverse"           # its own settings back
    assert controls["text"].value == explorer.DIGITS[0]
    assert controls["temperature"].value == 0.0
    runner.close()


def test_widget_takes_trained_models_and_refuses_others():
    model = explorer.new_model("sort", seed=1)
    box = explorer.attention_widget(models={"sort": model, "text": None})
    box.controls["task"].value = "sort"
    session = box.sessions["sort"]
    assert session.model is not model and session.given
    assert torch.equal(session.model.head.weight, model.head.weight)
    assert box.status.value == "sort: trained"
    box.runner.close()
    with pytest.raises(ValueError, match="unknown task 'add'"):
        explorer.attention_widget(models={"add": model})
    with pytest.raises(TypeError, match="models must be None or a dict"):
        explorer.attention_widget(models=[model])
