"""Sequence data for Chapter 9: generated tasks with exact answers, and a
frozen text corpus for a character-level language model.

Tasks (``make_sequence_task``): "sort" and "reverse" a string of digits,
and "add" two numbers digit by digit. Each example is one sequence of
tokens, the question, a separator ``>`` and the answer, laid out for a
model that predicts the next token: ``tokens`` is the sequence without
its last token, ``targets`` the sequence shifted by one, with
``IGNORE`` (-100, the ``ignore_index`` of cross-entropy) where the next
token is part of the question and so not scored.

Corpus (``load_corpus``): the prose of the book's Chapters 1–8, copied
once into ``nnbook/corpus/book_prose.txt`` by ``tools/freeze_corpus.py``
(see the README beside it), so that later edits of the book do not
change Chapter 9. ``CharVocab`` turns it into token ids and back;
``window_loader`` serves windows of it to ``nnbook.training.fit``.
"""

from importlib import resources

import numpy as np
import torch
from torch import nn

from nnbook.validation import (as_choice, as_instance, as_int, as_seed)

TASKS = ("sort", "reverse", "add")
TASK_VOCAB = "0123456789>+"     # token id i is the character TASK_VOCAB[i]
SEP, PLUS = TASK_VOCAB.index(">"), TASK_VOCAB.index("+")
IGNORE = -100
CORPUS_FILE = "book_prose.txt"


# --- generated tasks -------------------------------------------------------

def num_inputs(name, length=8):
    """How many tokens of a task's sequence are the question: ``length``
    digits for "sort" and "reverse", two numbers and a "+" for "add"."""
    name = as_choice(name, "task", TASKS)
    length = as_int(length, "length", minimum=1)
    return 2 * length + 1 if name == "add" else length


def _answers(name, digits, length):
    """The answer digits (n, answer length) of a task for its question."""
    if name == "sort":
        return np.sort(digits, axis=1)
    if name == "reverse":
        return digits[:, ::-1]
    powers = 10 ** np.arange(length - 1, -1, -1)
    total = digits[:, :length] @ powers + digits[:, length:] @ powers
    # least significant digit first: the order in which a carry is known
    return (total[:, None] // 10 ** np.arange(length + 1)) % 10


def make_sequence_task(name, n, length=8, seed=0):
    """``n`` examples of a task: "sort" or "reverse" ``length`` random
    digits, or "add" two ``length``-digit numbers (the sum's length + 1
    digits written least significant first).

    Returns (tokens, targets), int64 tensors (n, T): tokens are the
    question, ">", and the answer but its last digit; targets[:, t] is
    the token after tokens[:, t], or IGNORE while that is the question.
    """
    name = as_choice(name, "task", TASKS)
    n, length = as_int(n, "n", minimum=1), as_int(length, "length",
                                                   minimum=1)
    rng = np.random.default_rng(as_seed(seed))
    width = 2 * length if name == "add" else length
    digits = rng.integers(0, 10, size=(n, width))
    question = digits if name != "add" else np.concatenate(
        [digits[:, :length], np.full((n, 1), PLUS), digits[:, length:]], 1)
    answer = _answers(name, digits, length)
    seq = np.concatenate([question, np.full((n, 1), SEP), answer], axis=1)
    seq = torch.as_tensor(seq, dtype=torch.int64)
    targets = seq[:, 1:].clone()
    targets[:, :question.shape[1]] = IGNORE
    return seq[:, :-1].contiguous(), targets


def decode(ids, vocab=TASK_VOCAB):
    """The characters of token ids (a 1-D tensor, array or list), with
    "_" for IGNORE."""
    ids = np.asarray(torch.as_tensor(ids).cpu()).ravel()
    return "".join("_" if i == IGNORE else vocab[int(i)] for i in ids)


def sequence_loss(logits, targets):
    """Mean cross-entropy of logits (N, T, V) against targets (N, T),
    over the scored tokens only (IGNORE left out)."""
    return nn.functional.cross_entropy(logits.flatten(0, 1),
                                       targets.flatten(),
                                       ignore_index=IGNORE)


def token_accuracy(logits, targets):
    """Fraction of the scored tokens of targets (N, T) whose largest score
    in logits (N, T, V) is right: a metric for ``fit``."""
    scored = targets != IGNORE
    right = (logits.argmax(dim=-1) == targets) & scored
    return (right.sum() / scored.sum().clamp(min=1)).item()


@torch.no_grad()
def sequence_accuracy(model, tokens, targets, batch_size=1000):
    """Fraction of sequences whose every scored token is the model's
    likeliest. For a causal model fed the right answer so far, this is
    also the fraction that greedy generation gets entirely right (its
    first mistake would be the same)."""
    as_instance(model, "model", nn.Module, "a torch.nn.Module")
    model.eval()
    device = next(model.parameters()).device
    right = 0
    for start in range(0, len(tokens), batch_size):
        x = tokens[start:start + batch_size].to(device)
        y = targets[start:start + batch_size].to(device)
        wrong = (model(x).argmax(dim=-1) != y) & (y != IGNORE)
        right += int((~wrong.any(dim=1)).sum())
    return right / len(tokens)


class TokenDataset(torch.utils.data.Dataset):
    """Pairs (tokens[i], targets[i]) of int64 tensors (n, T); an index may
    be a list of indices, which returns a whole batch at once."""

    def __init__(self, tokens, targets):
        self.tokens, self.targets = tokens.long(), targets.long()

    def __len__(self):
        return len(self.tokens)

    def __getitem__(self, i):
        return self.tokens[i], self.targets[i]


def token_loader(tokens, targets, batch_size=128, shuffle=True, seed=0):
    """A DataLoader of (tokens, targets) batches for ``fit``, each batch
    fetched with one indexing operation; shuffled from ``seed``."""
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    data = TokenDataset(tokens, targets)
    return _batched(data, batch_size, shuffle, seed, None)


def _batched(data, batch_size, shuffle, seed, num_samples):
    gen = torch.Generator().manual_seed(as_seed(seed))
    order = (torch.utils.data.RandomSampler(
        data, replacement=num_samples is not None, num_samples=num_samples,
        generator=gen) if shuffle else torch.utils.data.SequentialSampler(
        data))
    batches = torch.utils.data.BatchSampler(order, batch_size, False)
    return torch.utils.data.DataLoader(data, sampler=batches,
                                       batch_size=None)


# --- the corpus --------------------------------------------------------------

def load_corpus():
    """The frozen corpus: the prose of Chapters 1–8, one paragraph per
    line (about 137 000 characters), as a str."""
    path = resources.files("nnbook") / "corpus" / CORPUS_FILE
    return path.read_text(encoding="utf-8")


class CharVocab:
    """The characters of a text, sorted: ``encode`` turns a str into an
    int64 tensor of ids, ``decode`` turns ids back into a str."""

    def __init__(self, text):
        as_instance(text, "text", str, "a str")
        if not text:
            raise ValueError("text is empty: a vocabulary needs characters")
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        """str → int64 tensor (len(text),)."""
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: "
                             f"{''.join(unknown)[:20]!r}")
        return torch.tensor([self.index[c] for c in text], dtype=torch.int64)

    def decode(self, ids):
        """Token ids (a 1-D tensor or list) → str."""
        return "".join(self.chars[int(i)] for i in torch.as_tensor(ids))


class CharWindows(torch.utils.data.Dataset):
    """Windows of a long id tensor (n,), one every ``stride`` characters:
    item i is (ids[s : s + context], ids[s + 1 : s + context + 1]) with
    s = i · stride, the input and its next characters. An index may be a
    list of items, which returns a batch (B, context) of each."""

    def __init__(self, ids, context, stride=1):
        self.ids, self.context, self.stride = ids.long(), context, stride

    def __len__(self):
        return (len(self.ids) - self.context - 1) // self.stride + 1

    def __getitem__(self, i):
        starts = torch.as_tensor(i)[..., None] * self.stride
        offsets = torch.arange(self.context)
        return self.ids[starts + offsets], self.ids[starts + offsets + 1]


def window_loader(ids, context, batch_size=32, num_batches=None, seed=0):
    """Batches (x, y) of windows of ``ids`` for ``fit``: ``num_batches``
    batches of windows starting at random places (drawn from ``seed``),
    or, with num_batches=None, every non-overlapping window in order."""
    as_instance(ids, "ids", torch.Tensor, "a 1-D tensor of token ids")
    context = as_int(context, "context", minimum=1,
                     maximum=max(1, len(ids) - 1))
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    if num_batches is None:
        data = CharWindows(ids, context, stride=context)
        return _batched(data, batch_size, False, seed, None)
    num_batches = as_int(num_batches, "num_batches", minimum=1)
    data = CharWindows(ids, context)
    return _batched(data, batch_size, True, seed, num_batches * batch_size)
