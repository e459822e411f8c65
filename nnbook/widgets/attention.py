"""The attention explorer (Chapter 9, *Sequences and attention*).

The reader picks a task (sorting or reversing 8 digits, or the
character-level language model of the book's prose), types an input or
chooses one, and picks a layer (block) and a head: the explorer shows that
head's attention map over the tokens and the model's output, generated
with the sampling temperature and top-k chosen, beside the probabilities
of its first new token.
Without models given, it trains its own small transformers live on
``nnbook.widgets.runner``, so the reader watches the maps form.
Three layers: ``compute_attention`` (pure and validated), ``plot_attention``
(draws a result) and ``attention_widget`` (the controls).
"""

import copy
import functools
import html
import math

import numpy as np
import torch

from nnbook.attention import TinyTransformer, generate
from nnbook.sequences import (SEP, TASK_VOCAB, CharVocab, load_corpus,
                              make_sequence_task, sequence_accuracy,
                              sequence_loss, token_loader, window_loader)
from nnbook.training import fit
from nnbook.validation import (as_choice, as_float, as_having,
                               as_instance, as_int, as_seed)
from nnbook.widgets.runner import Runner, encode_png, one_thread, pause_all

DIGIT_TASKS = ("sort", "reverse")   # 8 digits in, 8 digits out
TASKS = (*DIGIT_TASKS, "text")
DEFAULT_TASK = "reverse"
# Control ranges (tests run compute/plot at both ends of each).
LAYER_RANGE = (1, 2)        # the block, 1-based as the reader counts
HEAD_RANGE = (1, 4)
TEMPERATURE_RANGE = (0.0, 2.0)   # 0: always the likeliest token
TOP_K_RANGE = (0, 20)            # 0: no limit
STEPS_RANGE = (0, 300)           # training steps of compute_attention
LENGTH = 8                  # digits a digit task reads
MAX_PROMPT = 16             # characters typed for the language model
NUM_NEW = 16                # characters the language model writes
MODEL = dict(dim=32, num_heads=HEAD_RANGE[1], num_layers=LAYER_RANGE[1])
CONTEXT = MAX_PROMPT + NUM_NEW   # the language model's max_len
BATCH_SIZE = 64
LEARNING_RATE = 3e-3        # Adam
STEPS_PER_CALL = 2          # training steps between two looks at a frame
LIVE_STEPS = 4000           # where a live run stops by itself
NUM_BARS = 10               # the likeliest next tokens shown
SCORE_EVERY = 20            # steps between two measures of the score
DIGITS = ("31415926", "90817263", "55102299", "98765432")
EXAMPLES = {"sort": DIGITS, "reverse": DIGITS,
            "text": ("The network ", "A neuron ", "The gradient ",
                     "Attention ")}
DEFAULTS = {"sort": dict(text=DIGITS[0], layer=2, head=1,
                         temperature=0.0, top_k=0),
            "reverse": dict(text=DIGITS[0], layer=2, head=1,
                            temperature=0.0, top_k=0),
            "text": dict(text="The network ", layer=2, head=1,
                         temperature=0.8, top_k=0)}
THREAD_NAME = "nnbook-attention"
ERROR = "#D55E00"           # the colour of a message about a bad input
START, PAUSE = "▶ start", "pause"
VIEW = ("text", "layer", "head", "temperature", "top_k")   # what is shown
FIGSIZE = (10, 4.4)
RESULT_KEYS = {"weights", "tokens", "num_prompt", "bar_model", "bar_probs",
               "output", "given"}
MODEL_PARTS = ("vocab_size", "max_len", "positions", "causal", "embed",
               "blocks", "state_dict")   # what copy_model reads


@functools.lru_cache(maxsize=1)
def _corpus():
    """The corpus' vocabulary, and its ids split 90 % / 10 % into
    training and validation."""
    text = load_corpus()
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    cut = int(0.9 * len(ids))
    return vocab, ids[:cut], ids[cut:]


@functools.lru_cache(maxsize=None)
def _digit_validation(task):
    return make_sequence_task(task, 500, length=LENGTH, seed=10**6)


def _vocab_size(task):
    return len(TASK_VOCAB) if task in DIGIT_TASKS else len(_corpus()[0])


def copy_model(model, task):
    """A copy, as ``nnbook.attention.TinyTransformer`` on the CPU, of a
    trained TinyTransformer that reads ``task``'s tokens (a chapter's own
    TinyTransformer class, the same code run in the notebook, is copied
    through its weights). Else a TypeError or ValueError saying why."""
    as_having(model, "model", MODEL_PARTS, "a TinyTransformer")
    size, length = _vocab_size(task), (
        2 * LENGTH if task in DIGIT_TASKS else NUM_NEW + 1)
    if model.vocab_size != size or model.max_len < length:
        raise ValueError(
            f"a {task} model must read {size} token ids and at least "
            f"{length} tokens, got vocab_size={model.vocab_size}, "
            f"max_len={model.max_len}")
    ours = TinyTransformer(
        model.vocab_size, model.max_len, dim=model.embed.embedding_dim,
        num_heads=model.blocks[0].attn.num_heads,
        num_layers=len(model.blocks), positions=model.positions,
        causal=model.causal)
    try:
        ours.load_state_dict(model.state_dict())
    except RuntimeError:
        raise ValueError("the model's weights do not fit a TinyTransformer "
                         "of its sizes: give a TinyTransformer") from None
    return ours


def new_model(task, seed=0):
    """The explorer's own untrained model for ``task`` (one of TASKS):
    a TinyTransformer of MODEL's sizes."""
    task = as_choice(task, "task", TASKS)
    max_len = 2 * LENGTH if task in DIGIT_TASKS else CONTEXT
    with torch.random.fork_rng(devices=[]):   # the caller's stays as it is
        torch.manual_seed(as_seed(seed))
        return TinyTransformer(_vocab_size(task), max_len, **MODEL)


def _in_range(value, name, bounds):
    """``value`` as a float from bounds[0] to bounds[1], else an error."""
    number = as_float(value, name)
    if not bounds[0] <= number <= bounds[1]:
        raise ValueError(f"{name} must be a number from {bounds[0]} to "
                         f"{bounds[1]}, got {value!r}")
    return number


def encode_prompt(task, text, max_len=CONTEXT):
    """The token ids (P,) int64 of what the reader typed: 8 digits and the
    separator for "sort" and "reverse", up to MAX_PROMPT characters of
    the corpus for "text" (fewer if the model, of ``max_len``, must see
    them all).
    Refuses anything else with a message saying what to type."""
    task = as_choice(task, "task", TASKS)
    as_instance(text, "text", str, "a str (what you typed)")
    if task in DIGIT_TASKS:
        if len(text) != LENGTH or not all(c in "0123456789" for c in text):
            raise ValueError(f"type exactly {LENGTH} digits 0-9 for the "
                             f"{task} model, got {text!r}")
        return torch.tensor([TASK_VOCAB.index(c) for c in text] + [SEP])
    longest = min(MAX_PROMPT, max_len - NUM_NEW + 1)
    if not 1 <= len(text) <= longest:
        raise ValueError(f"type 1 to {longest} characters for the language"
                         f" model, got {len(text)}")
    vocab = _corpus()[0]
    unknown = [c for c in text if c not in vocab.index]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not in the language model's "
                         "vocabulary (the characters of the book's prose):"
                         " type another character")
    return vocab.encode(text)


def _answer(task, text):
    """The right output for a digit task's input; None for "text"."""
    if task == "sort":
        return "".join(sorted(text))
    return text[::-1] if task == "reverse" else None


def _decode(task, ids):
    ids = [int(i) for i in ids]
    if task in DIGIT_TASKS:
        return "".join(TASK_VOCAB[i] for i in ids)
    return _corpus()[0].decode(ids)


@functools.lru_cache(maxsize=1)
def _glyphs():
    """The characters the figure's font can draw."""
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(font_manager.FontProperties())
    return set(ft2font.FT2Font(path).get_charmap())


def shown(char):
    """A token as a tick label: a space as ␣, a line break as ⏎, a
    character the font lacks as □."""
    char = {" ": "␣", "\n": "⏎"}.get(char, char)
    return char if all(ord(c) in _glyphs() for c in char) else "□"


def sampling_probs(scores, temperature, top_k=None):
    """The probabilities (V,) from which ``nnbook.attention.next_token``
    draws, for scores (V,): one-hot at the likeliest token when the
    temperature is 0, else softmax(scores / temperature) over the top_k
    likeliest tokens (all if None)."""
    if temperature == 0:
        return torch.nn.functional.one_hot(scores.argmax(),
                                           len(scores)).float()
    if top_k is not None:
        cut = scores.topk(top_k).values[-1]
        scores = scores.masked_fill(scores < cut, float("-inf"))
    return torch.softmax(scores / temperature, dim=-1)


def check_view(model, layer, head, temperature, top_k):
    """The view's settings (layer, head, temperature, top_k) converted and
    checked against the model's layers and heads and the control ranges."""
    layers, heads = len(model.blocks), model.blocks[0].attn.num_heads
    return (as_int(layer, "layer", 1, layers),
            as_int(head, "head", 1, heads),
            _in_range(temperature, "temperature", TEMPERATURE_RANGE),
            as_int(top_k, "top_k", *TOP_K_RANGE))


class AttentionSession:
    """One task's model (one of TASKS), its training so far
    (``train(n)``: n steps of Adam on fresh batches) and what the reader
    looks at (``settings``, the keyword arguments of ``view``)."""

    def __init__(self, task=DEFAULT_TASK, model=None, seed=0):
        self.task, self.seed = as_choice(task, "task", TASKS), as_seed(seed)
        self.given = model is not None   # trained elsewhere
        self.model = (new_model(task, seed) if model is None
                      else copy_model(model, task))
        self._start = copy.deepcopy(self.model.state_dict())
        self.settings = dict(DEFAULTS[self.task], sample=0)
        self.reset()

    def reset(self):
        """Back to the first weights, a fresh optimiser, no steps."""
        self.model.load_state_dict(self._start)
        self.optimizer = torch.optim.Adam(self.model.parameters(),
                                          lr=LEARNING_RATE)
        self.rng = np.random.default_rng(self.seed)
        self.steps, self.loss, self._score = 0, math.nan, None

    def _batches(self, num_steps):
        seed = int(self.rng.integers(2**31))
        if self.task in DIGIT_TASKS:
            tokens, targets = make_sequence_task(
                self.task, num_steps * BATCH_SIZE, LENGTH, seed)
            return token_loader(tokens, targets, BATCH_SIZE, seed=seed)
        return window_loader(_corpus()[1], self.model.max_len, BATCH_SIZE,
                             num_batches=num_steps, seed=seed)

    def train(self, num_steps):
        """Train ``num_steps`` steps (batches of BATCH_SIZE)."""
        num_steps = as_int(num_steps, "num_steps", *STEPS_RANGE)
        if num_steps:
            with one_thread():
                history = fit(self.model, self._batches(num_steps),
                              sequence_loss, self.optimizer, 1,
                              device="cpu", progress=False)
            self.steps += num_steps
            self.loss = history["train loss"][-1]

    def step(self):
        """The live runner's step: STEPS_PER_CALL steps; False once
        LIVE_STEPS are done."""
        self.train(STEPS_PER_CALL)
        return self.steps < LIVE_STEPS

    def score(self):
        """A digit task: the fraction of 500 test sequences answered
        right; text: the validation loss in bits per character. Measured
        again once SCORE_EVERY steps have passed (not every live frame)."""
        if (self._score is None or self.steps < self._score[0]
                or self.steps >= self._score[0] + SCORE_EVERY):
            self._score = (self.steps, self._measure())
        return self._score[1]

    @torch.no_grad()
    def _measure(self):
        if self.task in DIGIT_TASKS:
            return sequence_accuracy(self.model,
                                     *_digit_validation(self.task))
        ids, width = _corpus()[2], self.model.max_len
        windows = ids[:32 * width + 1]
        x, y = windows[:-1].view(32, width), windows[1:].view(32, width)
        return sequence_loss(self.model(x), y).item() / math.log(2)

    def snapshot(self):
        """``view`` at the current settings."""
        return self.view(**self.settings)

    def view(self, **settings):
        """What the figure shows for one input: a dict, see
        ``compute_attention``; the keyword arguments are those of
        ``settings``."""
        with one_thread():
            return self._view(**settings)

    @torch.no_grad()
    def _view(self, text, layer, head, temperature, top_k, sample=0):
        model, task = self.model, self.task
        prompt = encode_prompt(task, text, model.max_len)
        layer, head, temperature, top_k = check_view(
            model, layer, head, temperature, top_k)
        k = top_k if 0 < top_k < model.vocab_size else None
        num_new = LENGTH if task in DIGIT_TASKS else NUM_NEW
        tokens = generate(model, prompt, num_new, temperature, k,
                          as_seed(sample, "sample"))
        inputs = tokens[:-1]   # the model's input: its last token is output
        weights = model.attention_maps(inputs[None])[layer - 1, 0, head - 1]
        scores = model(prompt[None])[0, -1]
        own = torch.softmax(scores, dim=-1)   # the model's: temperature 1
        probs = sampling_probs(scores, temperature, k)
        top = torch.argsort(own, descending=True, stable=True)[:NUM_BARS]
        output = _decode(task, tokens[len(prompt):])
        return dict(
            task=task, text=text, output=output,
            expected=_answer(task, text),
            tokens=[shown(c) for c in _decode(task, inputs)],
            num_prompt=len(prompt), weights=weights.numpy(),
            layer=layer, head=head, temperature=temperature, top_k=top_k,
            bar_model=own[top].numpy(), bar_probs=probs[top].numpy(),
            bar_labels=[shown(c) for c in _decode(task, top)],
            steps=self.steps, given=self.given, loss=self.loss,
            score=self.score())


def compute_attention(task=DEFAULT_TASK, text=None, layer=None, head=None,
                      temperature=None, top_k=None, num_steps=0, seed=0,
                      model=None, sample=0):
    """One head's attention map over an input and the model's output.

    task: "sort" or "reverse" (8 digits), or "text" (the character-level
    language model); text: the input (default: the task's first example);
    layer (the block) and head, 1-based; temperature and top_k (0: all
    tokens), the sampling settings; any left None takes DEFAULTS[task].
    model: a trained TinyTransformer for the task, copied (the original
    never changes), or None for the explorer's own, seeded by ``seed``;
    num_steps: steps of training before the look; sample: the seed of
    the sampling.
    Returns a dict: "tokens" (L,) the model's input as labels, of which
    "num_prompt" are the prompt, "weights" (L, L) float32 (row: query,
    column: key), "output" the generated str ("expected": the right
    answer for a digit task), for the model's NUM_BARS likeliest first
    new tokens "bar_labels", "bar_model" their probabilities and
    "bar_probs" those sampling draws from (after temperature and top-k),
    the settings, "steps", "loss", "score" (a digit task: the fraction
    of test sequences right; text: validation bits per character) and
    "given" (whether ``model`` was)."""
    session = AttentionSession(task, model, seed)
    session.train(num_steps)
    chosen = dict(text=text, layer=layer, head=head,
                  temperature=temperature, top_k=top_k)
    settings = {**session.settings, **{
        name: value for name, value in chosen.items() if value is not None}}
    return session.view(**{**settings, "sample": sample})


# --- drawing ------------------------------------------------------------

def _score_text(result):
    if result["task"] in DIGIT_TASKS:
        return (f"{100 * result['score']:.1f} % of test sequences "
                f"{'sorted' if result['task'] == 'sort' else 'reversed'}")
    return f"validation {result['score']:.2f} bits/char"


def _io_text(result):
    if result["task"] in DIGIT_TASKS:
        right = result["output"] == result["expected"]
        verdict = "✔" if right else f"✘ (right: {result['expected']})"
        return f"{result['text']} → {result['output']} {verdict}"
    return f"{result['text']!r} → {result['output']!r}"


def _sampling_text(result):
    k = result["top_k"]
    kind = ("temperature 0: the likeliest" if result["temperature"] == 0
            else f"temperature {result['temperature']:.2g}")
    return f"first new token; {kind}, top-k {k if k else 'all'}"


def _steps_text(result):
    """The training so far: "step 120", or for a model given trained
    "trained" and "+120 steps" once it trains on here."""
    steps = result["steps"]
    if not result["given"]:
        return f"step {steps}"
    return f"trained, +{steps} steps" if steps else "trained"


def _set_ticks(ax_map, ax_bars, result):
    """The tokens under and beside the map, the bars' tokens below them."""
    size = 8 if len(result["tokens"]) <= 20 else 7
    for axis in (ax_map.xaxis, ax_map.yaxis):
        axis.set_ticks(range(len(result["tokens"])), result["tokens"],
                       fontsize=size)
    ax_bars.set_xticks(range(len(result["bar_labels"])),
                       result["bar_labels"])


def _fill(ax_map, ax_bars, result):
    """Put a result's data into a figure drawn by ``plot_attention``: the
    map, the bars and the titles (the tick labels: ``_set_ticks``)."""
    ax_map.images[0].set_data(result["weights"])
    ax_map.set_title(f"block {result['layer']}, head {result['head']}"
                     f" · {_steps_text(result)}", fontsize=10)
    for bars, key in zip(ax_bars.containers, ("bar_model", "bar_probs")):
        for bar, p in zip(bars, result[key]):
            bar.set_height(p)
    ax_bars.set_title(f"{_io_text(result)}\n{_score_text(result)}",
                      fontsize=9, parse_math=False)
    ax_bars.set_xlabel(_sampling_text(result))


def _check_result(result):
    as_instance(result, "result", dict,
                "the dict returned by compute_attention(...)")
    if not RESULT_KEYS <= set(result):
        raise TypeError("result must be the dict returned by "
                        "compute_attention(...), with 'weights', 'tokens'"
                        " and 'bar_probs'")


def plot_attention(result, ax=None):
    """Draw a result of ``compute_attention``: the head's attention map
    (left; row: the token attending, column: the token attended to; the
    dashed lines mark where the generated tokens start) and the
    probabilities of the likeliest first new tokens (right: the model's,
    grey, and after temperature and top-k, blue), titled with
    the input, the output and the score. ax: None or a pair of Axes.
    Returns the pair."""
    import matplotlib.pyplot as plt

    _check_result(result)
    if ax is None:
        ax = plt.subplots(1, 2, figsize=FIGSIZE, layout="constrained",
                          width_ratios=(1.25, 1))[1]
    ax_map, ax_bars = ax
    n = len(result["tokens"])
    image = ax_map.imshow(np.zeros((n, n)), cmap="cividis", vmin=0, vmax=1)
    ax_map.figure.colorbar(image, ax=ax_map, fraction=0.046, pad=0.03,
                           label="attention weight")
    for line in (ax_map.axvline, ax_map.axhline):
        line(result["num_prompt"] - 0.5, color="white", linewidth=1,
             linestyle="--")
    ax_map.grid(False)
    ax_map.set(xlabel="attended to (key)", ylabel="attending (query)")
    x = np.arange(len(result["bar_probs"]))
    ax_bars.bar(x - 0.2, result["bar_model"], width=0.4, color="#999999",
                label="the model's")
    ax_bars.bar(x + 0.2, result["bar_probs"], width=0.4, color="#0072B2",
                label="sampled from")
    ax_bars.legend(loc="upper right", fontsize=8)
    ax_bars.set(ylim=(0, 1), ylabel="probability")
    _set_ticks(ax_map, ax_bars, result)
    _fill(ax_map, ax_bars, result)
    return ax_map, ax_bars


class _LiveFigure:
    """The explorer's figure, off-screen, one per layout (task, number of
    tokens), drawn again each frame only where it changed: the map and
    the bars, and the texts (tokens, titles) whose words changed, over a
    saved copy of what never changes. A full drawing costs more than a
    frame may: most of it is text."""

    def __init__(self, dpi=72):
        self.figure, self.key, self.dpi = None, None, dpi

    def _build(self, result):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=FIGSIZE, dpi=self.dpi)
        FigureCanvasAgg(self.figure)
        self.figure.subplots_adjust(left=0.05, right=0.98, bottom=0.15,
                                    top=0.86, wspace=0.3)
        ax_map, ax_bars = plot_attention(
            result, self.figure.subplots(1, 2, width_ratios=(1.25, 1)))
        self.areas = [(ax_map, [*ax_map.images, *ax_map.lines,
                                *ax_map.spines.values()]),
                      (ax_bars, list(ax_bars.patches))]
        for _, artists in self.areas:
            for artist in artists:
                artist.set_animated(True)
        self.figure.canvas.draw()   # places the tick labels
        n, m = len(result["tokens"]), len(result["bar_labels"])
        self.labels = [[t.label1 for t in axis.get_major_ticks()[:k]]
                       for axis, k in ((ax_map.xaxis, n), (ax_map.yaxis, n),
                                       (ax_bars.xaxis, m))]
        self.texts = [*sum(self.labels, []), ax_map.title, ax_bars.title,
                      ax_bars.xaxis.label]
        self._save_still()

    def _save_still(self):
        """Keep the picture without the moving parts: the texts laid out
        where they are shown, but drawn invisible."""
        for text in self.texts:
            text.set_alpha(0)
        self.figure.canvas.draw()
        self.still = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        for text in self.texts:
            text.set_alpha(None)
        self.drawn = {}   # text → (its words, its box) as on the canvas

    def _restore(self, box):
        """Put back the still picture inside ``box`` (display pixels,
        from the bottom; Agg counts rows from the top)."""
        width, height = self.figure.bbox.width, self.figure.bbox.height
        x0, y0, x1, y1 = box.extents
        self.figure.canvas.restore_region(
            self.still, bbox=(max(x0, 0), max(height - y1, 0),
                              min(x1, width), min(height - y0, height)),
            xy=(0, 0))

    def _draw_texts(self, renderer):
        """Draw again the texts whose words changed, and those whose box
        touches a region put back (never drawn over themselves), in the
        order of a full drawing."""
        dirty, boxes = set(), []
        for text in self.texts:
            words, old = text.get_text(), self.drawn.get(text)
            if old is None or old[0] != words:
                dirty.add(text)
                boxes += [] if old is None else [old[1].padded(1)]
                self.drawn[text] = (words, text.get_window_extent(renderer))
        touching = dirty
        while touching:
            boxes += [self.drawn[text][1].padded(1) for text in touching]
            touching = {text for text in self.texts if text not in dirty
                        and any(self.drawn[text][1].overlaps(box)
                                for box in boxes)}
            dirty |= touching
        for box in boxes:
            self._restore(box)
        for text in self.texts:
            if text in dirty:
                text.draw(renderer)

    def png(self, result):
        """The figure for ``result`` as PNG bytes."""
        key = (result["task"], len(result["tokens"]),
               len(result["bar_probs"]), result["num_prompt"])
        if key != self.key:
            self._build(result)
            self.key = key
        _fill(*self.figure.axes[:2], result)
        for labels, words in zip(self.labels, (
                result["tokens"], result["tokens"], result["bar_labels"])):
            for label, word in zip(labels, words):
                label.set_text(word)
        renderer = self.figure.canvas.get_renderer()
        for ax, artists in self.areas:
            self._restore(ax.bbox.padded(1))
            for artist in artists:
                artist.draw(renderer)
        self._draw_texts(renderer)
        return encode_png(self.figure.canvas)


# --- the widget ---------------------------------------------------------

def _check_models(models):
    """models: None or a dict task → trained TinyTransformer (or None).
    Returns a dict task → a copy of each model (see ``copy_model``)."""
    if models is None:
        return {}
    as_instance(models, "models", dict,
                "None or a dict such as {'sort': model, 'text': lm}")
    for task in models:
        as_choice(task, "task", TASKS)
    return {task: copy_model(model, task) for task, model in models.items()
            if model is not None}


def _controls():
    import ipywidgets as w

    style, wide = {"description_width": "80px"}, w.Layout(width="330px")
    slider = dict(style=style, continuous_update=False, layout=wide)
    return {
        "task": w.Dropdown(options=list(TASKS), value=DEFAULT_TASK,
                           description="task", style=style),
        "text": w.Combobox(options=list(EXAMPLES[DEFAULT_TASK]),
                           ensure_option=False, description="input",
                           style=style,
                           continuous_update=False, layout=wide),
        "layer": w.IntSlider(min=LAYER_RANGE[0], max=LAYER_RANGE[1],
                             description="block", **slider),
        "head": w.IntSlider(min=HEAD_RANGE[0], max=HEAD_RANGE[1],
                            description="head", **slider),
        "temperature": w.FloatSlider(
            min=TEMPERATURE_RANGE[0], max=TEMPERATURE_RANGE[1], step=0.1,
            description="temperature", **slider),
        "top_k": w.IntSlider(min=TOP_K_RANGE[0], max=TOP_K_RANGE[1],
                             description="top-k (0: all)", **slider),
    }


def _status(result, note=""):
    loss = (f" · training loss {result['loss']:.3f}"
            if math.isfinite(result["loss"]) else "")
    text = f"{result['task']}: {_steps_text(result)}{loss}"
    return text + (f" · <b style='color:{ERROR}'>{note}</b>" if note
                   else "")


def _load(controls, session):
    """Show a session's settings in the controls (sliders sized to its
    model's layers and heads)."""
    controls["layer"].max = len(session.model.blocks)
    controls["head"].max = session.model.blocks[0].attn.num_heads
    controls["text"].options = list(EXAMPLES[session.task])
    for name in VIEW:
        controls[name].value = session.settings[name]


class _Explorer:
    """The widget's state and its handlers: one session per task (made
    when first shown), the runner that trains the current one, the
    controls and the picture."""

    def __init__(self, given):
        import ipywidgets as w

        self.given, self.controls = given, _controls()
        self.image, self.status = w.Image(format="png"), w.HTML()
        self.buttons = [w.Button(description=d,
                                 layout=w.Layout(width="110px"))
                        for d in (START, "↺ reset", "new sample")]
        first = AttentionSession(DEFAULT_TASK, given.get(DEFAULT_TASK))
        self.sessions, self.session = {DEFAULT_TASK: first}, first
        self.loading, self.note, self.shown = False, "", None
        self.painter = _LiveFigure()
        self.runner = Runner(lambda: self.session.step(),
                             lambda: self.session.snapshot(), self.on_frame,
                             on_state=self.on_state, name=THREAD_NAME,
                             frames_per_second=8, max_steps_per_second=100,
                             drawing_share=0.6)

    def on_frame(self, result):
        self.image.value = self.painter.png(result)
        self.status.value = _status(result, self.note)
        self.shown = result

    def on_state(self):
        running = self.runner.running
        self.buttons[0].description = PAUSE if running else START
        if self.runner.error:
            self.status.value = (f"<b style='color:{ERROR}'>"
                                 f"{html.escape(self.runner.error)}</b>")

    def refresh(self):
        """Show the current settings now if paused (else the next frame
        shows them)."""
        if not self.runner.running:
            self.runner.apply(lambda: None)

    def on_view(self, _=None):
        if self.loading:
            return
        session = self.session
        settings = {**session.settings,
                    **{name: self.controls[name].value for name in VIEW}}
        try:
            encode_prompt(session.task, settings["text"],
                          session.model.max_len)
            self.note = ""
        except ValueError as err:  # shown; the last good input stays
            self.note = html.escape(str(err))
            self.status.value = _status(self.shown, self.note)
            return
        with self.runner.lock:  # a frame never sees half of the change
            session.settings = settings
        self.refresh()

    def on_task(self, change):
        self.runner.pause()
        if change.new not in self.sessions:
            self.sessions[change.new] = AttentionSession(
                change.new, self.given.get(change.new))
        self.session, self.note = self.sessions[change.new], ""
        self.loading = True
        _load(self.controls, self.session)
        self.loading = False
        self.refresh()

    def on_run(self, _=None):
        if self.runner.running:
            self.runner.pause()
            self.runner.show()  # the last steps, not the last frame
        else:
            self.runner.start()

    def sample_again(self, _=None):
        with self.runner.lock:
            self.session.settings["sample"] += 1
        self.refresh()

    def connect(self):
        """Wire the controls to the handlers; returns the widget."""
        import ipywidgets as w

        _load(self.controls, self.session)
        for name in VIEW:
            self.controls[name].observe(self.on_view, names="value")
        self.controls["task"].observe(self.on_task, names="value")
        run, reset, again = self.buttons
        run.on_click(self.on_run)
        reset.on_click(lambda _: self.runner.reset(self.session.reset))
        again.on_click(self.sample_again)
        column = lambda names: w.VBox([self.controls[k] for k in names])
        return w.VBox([w.HBox(self.buttons),
                       w.HBox([column(("task", "text", "layer")),
                               column(("head", "temperature", "top_k"))]),
                       self.status, self.image])


def attention_widget(models=None):
    """The live attention explorer for JupyterLab; returns the widget.

    models: None, or trained TinyTransformers to start from, a dict
    task → model such as {"reverse": model, "text": lm} (copied: the
    originals never change); otherwise the explorer starts from its own
    untrained models.
    ▶ start trains the chosen task's model live and pause stops it; the
    input, layer, head, temperature and top-k change what is shown at any
    moment, even while it trains; ↺ reset goes back to the first weights;
    new sample draws the output again.
    """
    given = _check_models(models)
    pause_all(THREAD_NAME)
    explorer = _Explorer(given)
    box = explorer.connect()
    explorer.runner.show()
    box.observe(lambda change: explorer.runner.close()
                if change.new is None else None, names="comm")
    box.runner, box.controls, box.status = (
        explorer.runner, explorer.controls, explorer.status)
    box.image, box.sessions = explorer.image, explorer.sessions
    return box
