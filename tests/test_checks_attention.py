"""Every Chapter 9 check accepts the right answer (written more than one way), says "not done
yet" for the placeholder, rejects plausible wrong answers, each with the one-line message that
names its mistake, and owns up when its own code fails (never blaming the learner)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from checking import NONE_RETURNED, assert_check_failed, assert_wrong, line
from nnbook.attention import TransformerBlock, causal_mask
from notebooks import ROOT, read, stdout_lines
from nnbook.checks import NOT_DONE
from nnbook.checks import attention as checks


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 5: complete attention_in_blocks()")


# Exercise 1 -----------------------------------------------------------------

Q, K, V = checks.Q_HAND, checks.K_HAND, checks.V_HAND
SCORES = Q @ K.T


def softmax(s, axis=-1):
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


WEIGHTS = softmax(SCORES / 2)
HAND_OK = "✔ query 1 puts 78.7 % of its weight on key 1; out[1] = [0.213, 0.893]"


def test_attention_by_hand_right():
    assert line(checks.check_attention_by_hand, WEIGHTS, WEIGHTS @ V) == HAND_OK
    as_torch = torch.softmax(torch.tensor(SCORES, dtype=torch.float32) / 2, dim=-1)
    assert line(checks.check_attention_by_hand, as_torch, as_torch @ torch.tensor(
        V, dtype=torch.float32)) == HAND_OK
    rounded = np.round(WEIGHTS, 3)
    assert line(checks.check_attention_by_hand, rounded.tolist(),
                np.round(WEIGHTS @ V, 3).tolist()) == HAND_OK


def test_attention_by_hand_not_done():
    assert line(checks.check_attention_by_hand, ..., ...) == NOT_DONE
    assert line(checks.check_attention_by_hand, WEIGHTS, ...) == NOT_DONE


ROW0 = "✘ weights[0] should be [0.422, 0.155, 0.422], got "


@pytest.mark.parametrize("weights, message", [
    (softmax(SCORES), ROW0 + "[0.468, 0.0634, 0.468]: divide the scores by √d = √4 = 2 before "
     "the softmax"),
    (softmax(SCORES / 4), ROW0 + "[0.384, 0.233, 0.384]: divide the scores by √d = 2, not by "
     "d = 4"),
    (softmax(SCORES / 2, axis=0), ROW0 + "[0.506, 0.0996, 0.422]: each row (one query) should "
     "sum to 1: the softmax runs along the keys, axis=-1"),
    (softmax(SCORES.T / 2), ROW0 + "[0.506, 0.186, 0.307]: a score is q_i · k_j for query i "
     "(row) and key j (column): Q @ K.T, not K @ Q.T"),
    (SCORES / 2, ROW0 + "[1, 0, 1]: the weights are the softmax of the scaled scores"),
    (WEIGHTS[:2], "✘ weights should have shape (3, 3), got (2, 3)"),
    ("0.42, 0.16", "✘ weights should be numbers, got str"),
])
def test_attention_by_hand_wrong_weights(weights, message):
    assert_wrong(line(checks.check_attention_by_hand, weights, WEIGHTS @ V), message)


@pytest.mark.parametrize("out, message", [
    (WEIGHTS.T @ V, "✘ out is weights.T @ V: row i of the output mixes the values with query "
     "i's weights, weights @ V"),
    ((WEIGHTS @ V).T, "✘ out should have one row per token, shape (3, 2): weights @ V"),
    (V, "✘ out should be [[0.845, 0.578], [0.213, 0.893], [0.726, 0.726]], got [[1., 0.], "
     "[0., 1.], [1., 1.]]; first difference at [0, 0]"),
])
def test_attention_by_hand_wrong_out(out, message):
    assert_wrong(line(checks.check_attention_by_hand, WEIGHTS, out), message)


def test_attention_by_hand_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "Q_HAND", np.zeros((3, 5)))
    assert_check_failed(line(checks.check_attention_by_hand, WEIGHTS, WEIGHTS @ V))


# Exercise 2 -----------------------------------------------------------------

RIGHT_SHAPES = [(2, 5, 12), (2, 3, 7, 4), (2, 3, 5, 7), (2, 3, 5, 4), (2, 5, 12)]
SHAPES_OK = "✔ all five shapes right, from (2, 5, 12) back to (2, 5, 12)"


def with_shape(i, shape):
    shapes = list(RIGHT_SHAPES)
    shapes[i] = shape
    return shapes


def test_head_shapes_right():
    assert line(checks.check_head_shapes, RIGHT_SHAPES) == SHAPES_OK
    assert line(checks.check_head_shapes, tuple(list(s) for s in RIGHT_SHAPES)) == SHAPES_OK
    assert line(checks.check_head_shapes, [torch.Size(s) for s in RIGHT_SHAPES]) == SHAPES_OK
    assert line(checks.check_head_shapes, [tuple(np.int64(v) for v in s)
                                           for s in RIGHT_SHAPES]) == SHAPES_OK


def test_head_shapes_not_done():
    assert line(checks.check_head_shapes, ...) == NOT_DONE
    assert line(checks.check_head_shapes, [(2, 5, 12), ...]) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    (with_shape(1, (2, 7, 3, 4)), "✘ shape 2, k split into heads, should be (2, 3, 7, 4), got "
     "(2, 7, 3, 4): after the split the heads axis moves before the tokens, (N, H, S, E / H)"),
    (with_shape(2, (2, 3, 7, 5)), "✘ shape 3, the attention weights, should be (2, 3, 5, 7), "
     "got (2, 3, 7, 5): one row per query, one column per key: (N, H, L, S)"),
    (with_shape(2, (2, 3, 5, 5)), "got (2, 3, 5, 5): the keys come from m: S = 7 columns, one "
     "per key"),
    (with_shape(3, (2, 3, 5, 12)), "✘ shape 4, the heads' outputs, should be (2, 3, 5, 4), got "
     "(2, 3, 5, 12): each head's values have E / H = 4 features"),
    (with_shape(4, (2, 5, 4)), "✘ shape 5, the output, heads merged and projected, should be "
     "(2, 5, 12), got (2, 5, 4): the heads' outputs are concatenated back to H × 4 = 12"),
    (with_shape(0, (2, 5, 4)), "got (2, 5, 4): the projection keeps all E = 12 features; the "
     "heads split them afterwards"),
    (with_shape(2, (9, 9)), "got (9, 9): follow the stages in order: project, split, compare, "
     "mix, merge"),
    (RIGHT_SHAPES[:4], "✘ give 5 shapes, one per stage, got 4"),
    (with_shape(0, "2, 5, 12"), "✘ shape 1 should be a tuple of ints such as (2, 5, 12), got "
     "'2, 5, 12'"),
])
def test_head_shapes_wrong(answer, message):
    assert_wrong(line(checks.check_head_shapes, answer), message)


def test_head_shapes_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "STAGES", 5)
    assert_check_failed(line(checks.check_head_shapes, RIGHT_SHAPES))


# Exercise 3 -----------------------------------------------------------------

def gqa(dim, heads, groups, ratio, **slip):
    kv = groups * dim // heads
    if slip.get("no_groups"):
        kv = dim
    if slip.get("full_kv"):
        kv = groups * dim
    ratio = slip.get("fixed_ratio", ratio)
    q = kv * dim + kv if slip.get("small_q") else dim * dim + dim
    kv_bias = 0 if slip.get("no_kv_bias") else kv
    norms = 0 if slip.get("no_norms") else 4 * dim
    return (norms + q + dim * dim + dim + 2 * (dim * kv + kv_bias)
            + 2 * ratio * dim * dim + ratio * dim + dim)


GQA_OK = "✔ right for five blocks; at dim 64, 8 heads in 2 groups save 12 %"


def test_gqa_params_right():
    assert line(checks.check_gqa_params, gqa) == GQA_OK
    assert line(checks.check_gqa_params, lambda *a: float(gqa(*a))) == GQA_OK
    assert line(checks.check_gqa_params, lambda *a: np.int64(gqa(*a))) == GQA_OK
    assert line(checks.check_gqa_params, stub).startswith(NOT_DONE)


def test_gqa_with_as_many_groups_as_heads_is_the_chapters_block():
    for dim, heads, ratio in ((64, 4, 4), (96, 6, 2), (32, 4, 1)):
        block = TransformerBlock(dim, heads, mlp_ratio=ratio)
        assert sum(p.numel() for p in block.parameters()) == gqa(dim, heads, heads, ratio)


GQA2 = "✘ gqa_block_params(64, 8, 2, 4) should be 43744, got "
GQA1 = "✘ gqa_block_params(64, 4, 4, 4) should be 49984, got "


@pytest.mark.parametrize("slip, message", [
    ({"no_groups": True}, GQA2 + "49984: with G < H groups the key and value projections "
     "shrink: each maps dim to G · dim / H features"),
    ({"small_q": True}, GQA2 + "40624: the queries keep all H heads: W_Q stays dim × dim"),
    ({"full_kv": True}, GQA1 + "74944: the G groups share dim / H features each: W_K maps dim "
     "to G · dim / H features, not G · dim"),
    ({"no_kv_bias": True}, GQA1 + "49856: the key and value projections have biases too"),
    ({"no_norms": True}, GQA1 + "49728: the two LayerNorms have a weight and a bias of dim "
     "values each"),
    ({"fixed_ratio": 4}, "✘ gqa_block_params(96, 6, 3, 2) should be 65472, got 102528: the MLP's "
     "hidden layer has mlp_ratio · dim units"),
])
def test_gqa_params_wrong(slip, message):
    assert_wrong(line(checks.check_gqa_params, lambda *a: gqa(*a, **slip)), message)


@pytest.mark.parametrize("answer, message", [
    (lambda *a: gqa(*a) + 0.5, "✘ gqa_block_params(64, 4, 4, 4) should be a whole number, got "
     "49984.5"),
    (lambda *a: None, "✘ gqa_block_params(64, 4, 4, 4) " + NONE_RETURNED),
    (lambda *a: gqa(*a) + 1, GQA1 + "49985: count each Linear's weight and bias"),
])
def test_gqa_params_not_a_count(answer, message):
    assert_wrong(line(checks.check_gqa_params, answer), message)


def test_gqa_params_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_count", abs)
    assert_check_failed(line(checks.check_gqa_params, gqa))


# Exercise 4 -----------------------------------------------------------------

def window(L, w, extra=0):
    i, j = torch.arange(L)[:, None], torch.arange(L)
    return (j <= i) & (j > i - w - extra)


WINDOW_OK = "✔ right for six sizes; it works as attn_mask in PyTorch's attention"


def test_window_mask_right():
    assert line(checks.check_window_mask, window) == WINDOW_OK
    assert line(checks.check_window_mask, lambda L, w: window(L, w).numpy()) == WINDOW_OK
    as_triangles = lambda L, w: causal_mask(L) & ~causal_mask(L).tril(-w)  # noqa: E731
    assert line(checks.check_window_mask, as_triangles) == WINDOW_OK
    as_float = lambda L, w: torch.zeros(L, L).masked_fill(~window(L, w), -math.inf)  # noqa: E731
    assert line(checks.check_window_mask, as_float) == WINDOW_OK
    assert line(checks.check_window_mask, stub).startswith(NOT_DONE)


WINDOW = "✘ window_mask(5, 2) "


@pytest.mark.parametrize("wrong, message", [
    (lambda L, w: ~window(L, w), WINDOW + "is wrong in row 0: True means 'may attend' in "
     "PyTorch's convention; yours is True where attention is blocked"),
    (lambda L, w: window(L, w).T, WINDOW + "is wrong in row 0: query i looks back at keys "
     "j ≤ i, not forward: yours is the transpose"),
    (lambda L, w: window(L, w, 1), WINDOW + "is wrong in row 2: each query sees exactly "
     "`window` keys, itself included: i − window < j ≤ i"),
    (lambda L, w: causal_mask(L), WINDOW + "is wrong in row 2: keys more than window − 1 "
     "places back must be masked too: this is the plain causal mask"),
    (lambda L, w: window(L, w) & ~torch.eye(L, dtype=torch.bool), WINDOW + "is wrong in row "
     "0: a token may attend to itself: the diagonal is True"),
    (lambda L, w: window(L, w).float(), WINDOW + "should be a bool mask (True where a query "
     "may attend), got dtype float32: a number mask is added to the scores, so 0s and 1s "
     "would mask nothing"),
    (lambda L, w: window(L, w)[:-1], WINDOW + "should have shape (5, 5), got (4, 5)"),
    (lambda L, w: None, WINDOW + NONE_RETURNED),
])
def test_window_mask_wrong(wrong, message):
    assert_wrong(line(checks.check_window_mask, wrong), message)


def test_window_mask_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_window_reference", abs)
    assert_check_failed(line(checks.check_window_mask, window))


# Exercise 5 -----------------------------------------------------------------

def blocked(q, k, v, block, rescale=True, scale=True, shift=True, last=True, start=-math.inf):
    """Attention over blocks of keys, right or with one of five slips."""
    L, E = q.shape
    m = torch.full((L, 1), start, dtype=q.dtype)
    total, out = torch.zeros(L, 1, dtype=q.dtype), torch.zeros(L, v.shape[1], dtype=q.dtype)
    stop = k.shape[0] if last else k.shape[0] - block + 1
    for start in range(0, stop, block):
        s = q @ k[start:start + block].T / (math.sqrt(E) if scale else 1)
        m_new = torch.maximum(m, s.max(dim=1, keepdim=True).values) if shift else \
            torch.zeros(L, 1, dtype=q.dtype)
        p = torch.exp(s - m_new)
        keep = torch.exp(m - m_new) if rescale and shift else 1.0
        total = keep * total + p.sum(dim=1, keepdim=True)
        out, m = keep * out + p @ v[start:start + block], m_new
    return out / total


BLOCKS_OK = "✔ the same as PyTorch's attention for six sizes and block sizes"


def test_attention_in_blocks_right():
    assert line(checks.check_attention_in_blocks, blocked) == BLOCKS_OK
    in_float64 = lambda q, k, v, b: blocked(q.double(), k.double(), v.double(), b).numpy()  # noqa: E731
    assert line(checks.check_attention_in_blocks, in_float64) == BLOCKS_OK
    whole = lambda q, k, v, b: F.scaled_dot_product_attention(q, k, v)  # noqa: E731
    assert line(checks.check_attention_in_blocks, whole) == BLOCKS_OK
    assert line(checks.check_attention_in_blocks, stub).startswith(NOT_DONE)


@pytest.mark.parametrize("slip, message", [
    ({"rescale": False}, "✘ attention_in_blocks(q (5, 6), k (7, 6), v (7, 6), block=1) is "
     "wrong with more than one block: when a block raises a row's maximum from m to m', the "
     "sum and the output so far must be multiplied by exp(m − m')"),
    ({"scale": False}, "✘ attention_in_blocks(q (3, 4), k (8, 4), v (8, 2), block=8) is "
     "attention without the scale: divide the scores by √E"),
    ({"shift": False}, "✘ attention_in_blocks(q (6, 4), k (6, 4), v (6, 4), block=2) holds nan "
     "or inf: exp overflows (or all underflow) on large scores; subtract the running maximum, "
     "starting from −inf, before exp"),
    ({"start": 0.0}, "✘ attention_in_blocks(q (6, 4), k (6, 4), v (6, 4), block=2) holds nan "
     "or inf: exp overflows (or all underflow) on large scores; subtract the running maximum, "
     "starting from −inf, before exp"),
    ({"last": False}, "✘ attention_in_blocks(q (4, 8), k (10, 8), v (10, 3), block=4) skips "
     "the last, shorter block when block does not divide S"),
])
def test_attention_in_blocks_wrong(slip, message):
    assert_wrong(line(checks.check_attention_in_blocks,
                      lambda q, k, v, b: blocked(q, k, v, b, **slip)), message)


def mean_of_blocks(q, k, v, block):
    """Each block's own softmax, averaged: a plausible shortcut, and wrong."""
    return torch.stack([torch.softmax(q @ k[s:s + block].T / math.sqrt(q.shape[1]), -1)
                        @ v[s:s + block] for s in range(0, k.shape[0], block)]).mean(0)


@pytest.mark.parametrize("wrong, message", [
    (mean_of_blocks, "✘ attention_in_blocks(q (4, 8), k (12, 8), v (12, 3), block=4) should "
     "be a (4, 3) array [-0.6126, -0.2618, -0.1486, …], got a (4, 3) array"),
    (lambda q, k, v, b: blocked(q, k, v, b)[None], "✘ attention_in_blocks(q (3, 4), k (8, 4), "
     "v (8, 2), block=8) should have shape (3, 2), got (1, 3, 2)"),
    (lambda q, k, v, b: None, "✘ attention_in_blocks(q (3, 4), k (8, 4), v (8, 2), block=8) "
     + NONE_RETURNED),
    (lambda q, k, v, b: q @ k, "✘ your code raised RuntimeError"),
])
def test_attention_in_blocks_other_mistakes(wrong, message):
    assert_wrong(line(checks.check_attention_in_blocks, wrong), message)


def test_attention_in_blocks_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "BLOCK_CASES", ((3, 8, 4, 2),))
    assert_check_failed(line(checks.check_attention_in_blocks, blocked))


# Exercise 6 -----------------------------------------------------------------

DIMS = (4, 16, 64, 256, 1024)


def largest(q, k, p):
    return torch.softmax(q @ k.T / q.shape[-1] ** p, dim=-1).max(dim=-1).values.mean().item()


def sweep(fn=largest, seed=0):
    return {p: [fn(*checks.random_qk(d, seed), p) for d in DIMS] for p in (0, 0.5, 1)}


TABLE = sweep()
SWEEP_OK = "✔ at d = 1024: 0.95 unscaled, 0.25 with √d, 0.07 with d (1/16 = 0.06)"


def test_largest_weight_right():
    assert line(checks.check_largest_weight, largest, TABLE) == SWEEP_OK
    as_tensor = lambda q, k, p: torch.softmax(q @ k.T / q.shape[-1] ** p, -1).amax(-1).mean()  # noqa: E731
    arrays = {p: np.array(v) for p, v in TABLE.items()}
    assert line(checks.check_largest_weight, as_tensor, arrays) == SWEEP_OK
    mixed = {0.0: torch.tensor(TABLE[0]), 0.5: TABLE[0.5], 1.0: tuple(TABLE[1])}
    assert line(checks.check_largest_weight, largest, mixed) == SWEEP_OK


def test_largest_weight_not_done():
    assert line(checks.check_largest_weight, largest, ...) == NOT_DONE
    assert line(checks.check_largest_weight, stub, TABLE).startswith(NOT_DONE)


def slip(fn):
    """A largest_weight built on a wrong softmax(scores) → weights step."""
    return lambda q, k, p: fn(q @ k.T, q, p)


LARGEST = "✘ largest_weight(q (8, 16), k (5, 16), power=1) should be 0.267, got "


@pytest.mark.parametrize("wrong, message", [
    (slip(lambda s, q, p: torch.softmax(s / math.sqrt(q.shape[-1]), -1).max(-1).values.mean()),
     LARGEST + "0.479: use the power you are given: scores / d ** power"),
    (slip(lambda s, q, p: torch.softmax(s / q.shape[0] ** p, -1).max(-1).values.mean()),
     LARGEST + "0.339: d is the length of each vector, q.shape[-1], not the number of queries"),
    (slip(lambda s, q, p: torch.softmax(s / q.shape[-1] ** p, 0).max(0).values.mean()),
     LARGEST + "0.178: the softmax and the max run along the keys, dim=-1"),
    (slip(lambda s, q, p: torch.softmax(s / q.shape[-1] ** p, -1).max()),
     LARGEST + "0.310: average the largest weight of each query (row) over the queries"),
    (slip(lambda s, q, p: torch.softmax(s * q.shape[-1] ** p, -1).max(-1).values.mean()),
     LARGEST + "0.997: divide the scores by d ** power, do not multiply"),
    (slip(lambda s, q, p: torch.softmax(s / q.shape[-1] ** p, -1).max(-1).values),
     "✘ largest_weight(q (8, 16), k (5, 16), power=1) should return one number, got shape "
     "(8,)"),
])
def test_largest_weight_wrong_function(wrong, message):
    assert_wrong(line(checks.check_largest_weight, wrong, TABLE), message)


@pytest.mark.parametrize("table, message", [
    (dict(zip(DIMS, TABLE.values())), "✘ table should have one entry per power, keys [0, 0.5, "
     "1], got [4, 16, 64]"),
    ({p: v[::-1] for p, v in TABLE.items()}, "✘ table[0] is in reverse order: give the value "
     "for d = 4 first"),
    (sweep(seed=1), "✘ table[0] should be [0.439, 0.674, 0.854, 0.922, 0.955], got [0.363, "
     "0.674, 0.849, 0.919, 0.961]; first difference at [0]"),
    ([TABLE[p] for p in (0, 0.5, 1)], "✘ table should be a dict power → list of 5 values, got "
     "list"),
    ({**TABLE, 1: TABLE[1][:4]}, "✘ table[1] should have shape (5,), got (4,)"),
])
def test_largest_weight_wrong_table(table, message):
    assert_wrong(line(checks.check_largest_weight, largest, table), message)


def test_largest_weight_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "random_qk", abs)
    assert_check_failed(line(checks.check_largest_weight, largest, TABLE))


# Exercises 7 and 10 ---------------------------------------------------------

def test_overscale_answer_right():
    ok = "✔ C: scores / d shrink like 1/√d, so attention stops choosing"
    assert line(checks.check_overscale_answer, "C") == ok
    assert line(checks.check_overscale_answer, " c ") == ok
    assert line(checks.check_overscale_answer, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ("A", "✘ A ('the weights become one-hot: each query copies one value') is not it: that is "
     "what happens with no scaling at all"),
    ("b", "✘ B ('the weights stay as sharp as they are at small d') is not it: that is the "
     "1/√d row"),
    ("D", "✘ D ('the softmax overflows and returns nan') is not it: dividing makes the scores "
     "smaller, never larger"),
    (3, "✘ answer with one of the letters A, B, C, D (a str), got 3"),
])
def test_overscale_answer_wrong(answer, message):
    assert_wrong(line(checks.check_overscale_answer, answer), message)


def test_causal_answer_right():
    ok = "✔ B: token i attends over i + 1 tokens, so order is not lost"
    assert line(checks.check_causal_answer, "B") == ok
    assert line(checks.check_causal_answer, "b") == ok
    assert line(checks.check_causal_answer, ...) == NOT_DONE


@pytest.mark.parametrize("answer, message", [
    ("A", "✘ A ('it cannot tell \"dog bites man\" from \"man bites dog\"') is not it: Exercise "
     "9 says otherwise"),
    ("C", "✘ C ('the causal mask adds a positional encoding to the inputs') is not it: the mask "
     "changes no input"),
    ("d", "✘ D ('only the MLP can tell the positions apart') is not it: the MLP acts on each "
     "token alone"),
    ("E", "✘ answer with one of the letters A, B, C, D (a str), got 'E'"),
])
def test_causal_answer_wrong(answer, message):
    assert_wrong(line(checks.check_causal_answer, answer), message)


@pytest.mark.parametrize("options, check, answer", [
    ("CAUSAL_OPTIONS", checks.check_causal_answer, "B"),
    ("OVERSCALE_OPTIONS", checks.check_overscale_answer, "C")])
def test_choice_checks_own_failure(monkeypatch, options, check, answer):
    monkeypatch.setattr(checks, options, 5)
    assert_check_failed(line(check, answer))


# Exercise 8 -----------------------------------------------------------------

def unscaled(q, k, v, attn_mask=None, is_causal=False):
    """Attention without the 1 / sqrt(E), written out."""
    scores = q @ k.transpose(-2, -1)
    if is_causal:
        attn_mask = causal_mask(q.shape[-2], k.shape[-2])
    if attn_mask is not None:
        scores = scores.masked_fill(~attn_mask, -math.inf)
    return torch.softmax(scores, dim=-1) @ v


def torch_unscaled(q, k, v, attn_mask=None, is_causal=False):
    return F.scaled_dot_product_attention(q, k, v, attn_mask, is_causal=is_causal, scale=1.0)


@pytest.fixture
def short_training(monkeypatch):
    """Two steps instead of 100: the tests check the words, not the learning."""
    monkeypatch.setattr(checks, "TRAIN_EXAMPLES", 256)


TRAINED = "✔ test loss after 2 steps: "


def test_unscaled_training_right(short_training):
    for answer in (unscaled, torch_unscaled):
        got = line(checks.check_unscaled_training, answer)
        assert got.startswith(TRAINED) and got.endswith("without (chance 2.30)"), got
    assert line(checks.check_unscaled_training, stub).startswith(NOT_DONE)


def test_the_two_trainings_start_alike(short_training):
    """Same start, same batches: after 2 steps the two losses are still close."""
    scaled = checks.reverse_test_loss(checks.scaled_dot_product_attention)
    assert abs(scaled - checks.reverse_test_loss(unscaled)) < 0.2
    assert scaled == pytest.approx(checks.reverse_test_loss(torch_unscaled), abs=0.2)


UNSCALED = "✘ unscaled_attention(q, k, v"


@pytest.mark.parametrize("wrong, message", [
    (lambda q, k, v, attn_mask=None, is_causal=False: F.scaled_dot_product_attention(
        q, k, v, attn_mask, is_causal=is_causal), UNSCALED + "): this still divides the scores "
     "by √E: leave the division out"),
    (lambda q, k, v, attn_mask=None, is_causal=False: unscaled(q, k, v), UNSCALED + ", "
     "is_causal=True): the mask is ignored: a hidden key must get the weight 0 (its score "
     "−inf)"),
    (lambda q, k, v, attn_mask=None, is_causal=False: F.scaled_dot_product_attention(
        q, k, v, attn_mask, is_causal=is_causal, scale=1 / q.shape[-1]), UNSCALED + "): this "
     "divides the scores by E: leave the division out"),
    (lambda q, k, v, attn_mask=None, is_causal=False: unscaled(q, k, v, attn_mask, is_causal)
     .transpose(-1, -2), UNSCALED + ") should have shape (2, 1, 5, 8), got (2, 1, 8, 5)"),
    (lambda q, k, v, attn_mask=None, is_causal=False: torch.softmax(
        q @ k.transpose(-1, -2), -1), UNSCALED + ") should have shape (2, 1, 5, 8), got "
     "(2, 1, 5, 5)"),
    (lambda q, k, v, attn_mask=None, is_causal=False: unscaled(
        q, k, v, None if attn_mask is None else ~attn_mask, is_causal), UNSCALED + ", "
     "attn_mask=mask) should be a (2, 1, 5, 8) array"),
    (lambda q, k, v: unscaled(q, k, v), "✘ unscaled_attention should take attn_mask=None and "
     "is_causal=False after q, k, v, as scaled_dot_product_attention does"),
    (lambda q, k, v, attn_mask=None, is_causal=False: q.reshape(3), "✘ your code raised "
     "RuntimeError"),
    (lambda q, k, v, attn_mask=None, is_causal=False: None, UNSCALED + ") " + NONE_RETURNED),
])
def test_unscaled_training_wrong(wrong, message):
    assert_wrong(line(checks.check_unscaled_training, wrong), message)


def test_unscaled_training_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "TRAIN_EXAMPLES", "many")
    assert_check_failed(line(checks.check_unscaled_training, unscaled))


def test_the_stored_trainings_say_what_the_solution_says():
    """The solution's note: with √d far below chance after 100 steps, without it near chance."""
    notebook = read(ROOT / "solutions" / "09_attention.ipynb")
    cell = next(c for c in notebook.cells if "check_unscaled_training(" in c.source
                and c.cell_type == "code" and "def " not in c.source)
    assert "nbval-ignore-output" in cell.metadata.get("tags", [])
    words = stdout_lines(cell)[0].replace(",", "").split()
    scaled, without = float(words[6]), float(words[9])
    assert words[:6] == ["✔", "test", "loss", "after", "100", "steps:"], words
    assert scaled < 1.0 and without > 1.5, (scaled, without)


# Exercise 9 -----------------------------------------------------------------

PERMUTED_OK = ("✔ attention yes, causal attention no, attention + positions no, block yes")


def along(f, x, perm):
    return torch.allclose(f(x[:, perm]), f(x)[:, perm])


def test_permuted_along_right():
    assert line(checks.check_permuted_along, along) == PERMUTED_OK
    by_isclose = lambda f, x, perm: torch.isclose(f(x[:, perm]), f(x)[:, perm]).all()  # noqa: E731
    assert line(checks.check_permuted_along, by_isclose) == PERMUTED_OK
    in_numpy = lambda f, x, perm: np.allclose(f(x[:, perm]), f(x)[:, perm])  # noqa: E731
    assert line(checks.check_permuted_along, in_numpy) == PERMUTED_OK
    assert line(checks.check_permuted_along, stub).startswith(NOT_DONE)


def test_the_layers_answer_as_the_exercise_says():
    x = torch.randn(2, 8, 16, dtype=torch.float64)
    with torch.no_grad():
        found = {name: along(f, x, checks.PERM) for name, f in checks._layers().items()}
    assert found == {"attention": True, "causal attention": False,
                     "attention + positions": False, "block": True}


PER_TOKEN = ("✘ permuted_along gives False for a function where it should give True: f(x) = "
             "2x + 1 acts on each token alone, so its output moves with its input")


@pytest.mark.parametrize("wrong, message", [
    (lambda f, x, perm: torch.allclose(f(x[:, perm]), f(x)), PER_TOKEN),
    (lambda f, x, perm: torch.allclose(f(x[:, perm]), f(x)[:, torch.argsort(perm)]), PER_TOKEN),
    (lambda f, x, perm: torch.equal(f(x[:, perm]), f(x)[:, perm]), "✘ permuted_along gives "
     "False for a function where it should give True: x + its sum over the tokens is permuted "
     "along, up to rounding: the sum's order changes its last bits; compare with "
     "torch.allclose"),
    (lambda f, x, perm: torch.allclose(f(x[perm % 2]), f(x)[perm % 2]), "✘ permuted_along "
     "gives True for a function where it should give False: a running sum over the tokens "
     "depends on their order: permute axis 1 of x (N, L, E), the tokens"),
    (lambda f, x, perm: (f(x[:, perm]) - f(x)[:, perm]).abs().max(), "✘ permuted_along(f, x, "
     "perm) should return True or False, got 0.0"),
    (lambda f, x, perm: None, "✘ permuted_along(f, x, perm) " + NONE_RETURNED),
])
def test_permuted_along_wrong(wrong, message):
    assert_wrong(line(checks.check_permuted_along, wrong), message)


def test_permuted_along_own_failure(monkeypatch):
    monkeypatch.setattr(checks, "_token_input", abs)
    assert_check_failed(line(checks.check_permuted_along, along))
