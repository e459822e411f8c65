"""nnbook.sequences: the generated tasks have exact answers laid out for next-token
prediction, the loss and accuracies skip what is not scored, the corpus is the frozen file
shipped in the package, and the loaders serve what fit expects."""

import hashlib

import pytest
import torch

from nnbook.sequences import (IGNORE, PLUS, SEP, TASK_VOCAB, CharVocab, CharWindows,
                              decode, load_corpus, make_sequence_task, num_inputs,
                              sequence_accuracy, sequence_loss, token_accuracy,
                              token_loader, window_loader)

# The corpus is frozen: a change of this digest is a change of Chapter 9's outputs.
CORPUS_SHA256 = "992df7d1860f6b823adda8c46057a6171011d8c342db33ca98a36aeb3f00d816"


def answer(tokens, targets):
    return decode(targets[targets != IGNORE])


@pytest.mark.parametrize("name", ["sort", "reverse"])
def test_sort_and_reverse_layout(name):
    tokens, targets = make_sequence_task(name, 50, length=8, seed=1)
    assert tokens.shape == targets.shape == (50, 16)
    assert tokens.dtype == targets.dtype == torch.int64
    assert torch.all(tokens[:, 8] == SEP) and torch.all(targets[:, :8] == IGNORE)
    for x, y in zip(tokens, targets):
        question = [int(t) for t in x[:8]]
        expected = sorted(question) if name == "sort" else question[::-1]
        assert [int(t) for t in y[8:]] == expected
        assert torch.equal(x[9:], y[8:15])    # the answer so far is fed back in


def test_add_layout_and_sums():
    tokens, targets = make_sequence_task("add", 30, length=3, seed=2)
    assert tokens.shape == (30, 11) and num_inputs("add", 3) == 7
    for x, y in zip(tokens, targets):
        text = decode(x[:7])
        a, b = text.split("+")
        assert x[3] == PLUS and x[7] == SEP
        digits = decode(y[7:])                 # least significant first
        assert int(digits[::-1]) == int(a) + int(b) and len(digits) == 4
        assert torch.all(y[:7] == IGNORE)


def test_tasks_are_reproducible_and_seeds_differ():
    a = make_sequence_task("sort", 20, seed=3)
    b = make_sequence_task("sort", 20, seed=3)
    c = make_sequence_task("sort", 20, seed=4)
    assert torch.equal(a[0], b[0]) and not torch.equal(a[0], c[0])


def test_decode():
    assert decode(torch.tensor([1, 2, 10, 11])) == "12>+"
    assert decode([IGNORE, 3]) == "_3"
    assert TASK_VOCAB[SEP] == ">"


def test_loss_and_accuracies_skip_what_is_not_scored():
    targets = torch.tensor([[IGNORE, 2, 1], [IGNORE, 0, 0]])
    logits = torch.full((2, 3, 4), -10.0)
    logits[0, 0, 3] = logits[0, 1, 2] = logits[0, 2, 1] = 10.0   # all right
    logits[1, 1, 0] = logits[1, 2, 1] = 10.0                      # one wrong
    assert token_accuracy(logits, targets) == pytest.approx(3 / 4)
    expected = torch.nn.functional.cross_entropy(
        logits[:, 1:].reshape(-1, 4), targets[:, 1:].reshape(-1))
    torch.testing.assert_close(sequence_loss(logits, targets), expected)

    class Fixed(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, tokens):
            return logits[:len(tokens)]

    assert sequence_accuracy(Fixed(), torch.zeros(2, 3, dtype=torch.long), targets) == 0.5


def test_token_loader_serves_whole_batches_for_fit():
    tokens, targets = make_sequence_task("reverse", 300, seed=0)
    batches = list(token_loader(tokens, targets, batch_size=128, seed=0))
    assert [len(x) for x, _ in batches] == [128, 128, 44]
    x, y = batches[0]
    assert x.dtype == torch.int64 and y.shape == (128, 16)
    again = next(iter(token_loader(tokens, targets, batch_size=128, seed=0)))
    assert torch.equal(again[0], x)


def test_the_corpus_is_the_frozen_file():
    text = load_corpus()
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == CORPUS_SHA256
    assert 100_000 < len(text) < 1_000_000
    assert "neuron" in text and "convolution" in text


def test_char_vocab_round_trip():
    text = load_corpus()
    vocab = CharVocab(text)
    assert vocab.chars == sorted(set(text)) and len(vocab) == len(set(text))
    ids = vocab.encode(text[:500])
    assert ids.dtype == torch.int64 and vocab.decode(ids) == text[:500]
    with pytest.raises(ValueError, match="characters not in the vocabulary"):
        CharVocab("abc").encode("abd")
    with pytest.raises(ValueError, match="text is empty"):
        CharVocab("")


def test_windows_are_inputs_and_their_next_characters():
    ids = torch.arange(100)
    data = CharWindows(ids, 10)
    assert len(data) == 90
    x, y = data[[0, 89]]
    assert torch.equal(x[1], torch.arange(89, 99)) and torch.equal(y[1], torch.arange(90, 100))
    batches = list(window_loader(ids, 10, batch_size=4, num_batches=5, seed=0))
    assert len(batches) == 5 and batches[0][0].shape == (4, 10)
    assert torch.equal(batches[0][1], batches[0][0] + 1)
    val = list(window_loader(ids, 10, batch_size=4))
    starts = torch.cat([x[:, 0] for x, _ in val])
    assert torch.equal(starts, torch.arange(0, 90, 10))    # every window, no overlap


@pytest.mark.parametrize("call, message", [
    (lambda: make_sequence_task("copy", 10), "unknown task 'copy'"),
    (lambda: make_sequence_task("sort", 0), "n must be an int ≥ 1"),
    (lambda: make_sequence_task("sort", 10, length=0), "length must be an int ≥ 1"),
    (lambda: window_loader([1, 2, 3], 2), "ids must be a 1-D tensor"),
    (lambda: window_loader(torch.arange(5), 5), "context must be an int from 1 to 4"),
])
def test_bad_input_gets_a_one_line_message(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
