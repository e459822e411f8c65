"""Checks for the exercises of Chapter 9, *Sequences and attention*."""

import inspect
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nnbook.attention import (MultiHeadAttention, TinyTransformer,
                              TransformerBlock, scaled_dot_product_attention,
                              sinusoidal_positions)
from nnbook.checks import numbers as _numbers
from nnbook.checks import returned as _returned
from nnbook.checks import CheckFailed, check, choice, close, expect, number_array
from nnbook.sequences import make_sequence_task, sequence_loss, token_loader
from nnbook.training import fit


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _softmax(scores, axis=-1):
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _same(got, want, rtol=1e-4, atol=1e-6):
    """True when ``got`` has ``want``'s shape and values (no message)."""
    got = np.asarray(got, dtype=float)
    return got.shape == np.shape(want) and np.allclose(got, want, rtol=rtol,
                                                       atol=atol)


# Exercise 1 -----------------------------------------------------------------

Q_HAND = np.array([[1, 0, 1, 0], [0, 2, 0, 2], [1, 1, 0, 0]], dtype=float)
K_HAND = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [2, 0, 0, 0]], dtype=float)
V_HAND = np.array([[1, 0], [0, 1], [1, 1]], dtype=float)
HAND_TOL = {"rtol": 0.0, "atol": 6e-4}  # answers rounded to 3 decimals pass


def _hand_weight_slips():
    """(weights a slip gives, what the slip is) for the 3-token example."""
    scores = Q_HAND @ K_HAND.T
    return (
        (_softmax(scores), "divide the scores by √d = √4 = 2 before the "
                           "softmax"),
        (_softmax(scores / 4), "divide the scores by √d = 2, not by d = 4"),
        (_softmax(scores / 2, axis=0), "each row (one query) should sum to "
                                       "1: the softmax runs along the keys, "
                                       "axis=-1"),
        (_softmax(scores.T / 2), "a score is q_i · k_j for query i (row) "
                                 "and key j (column): Q @ K.T, not K @ Q.T"),
        (scores / 2, "the weights are the softmax of the scaled scores: "
                     "exp(s) / Σ exp(s) along each row"),
    )


@check
def check_attention_by_hand(weights, out):
    """Exercise 1: the attention weights and output of a 3-token example."""
    right = _softmax(Q_HAND @ K_HAND.T / 2)
    got = number_array(weights, "weights")
    if got.shape == right.shape and not _same(got, right, **HAND_TOL):
        i = int(np.argwhere(~np.isclose(got, right, **HAND_TOL))[0, 0])
        for slip, why in _hand_weight_slips():
            if _same(got, slip, **HAND_TOL):
                raise CheckFailed(f"weights[{i}] should be {_row(right[i])}"
                                  f", got {_row(got[i])}: {why}")
    close(got, right, "weights", **HAND_TOL)
    got_out = number_array(out, "out")
    if _same(got_out, right.T @ V_HAND, **HAND_TOL):
        raise CheckFailed("out is weights.T @ V: row i of the output mixes "
                          "the values with query i's weights, weights @ V")
    if _same(got_out, V_HAND.T @ right, **HAND_TOL) or \
            _same(got_out, (right @ V_HAND).T, **HAND_TOL):
        raise CheckFailed("out should have one row per token, shape (3, 2): "
                          "weights @ V")
    close(got_out, right @ V_HAND, "out", **HAND_TOL)
    return (f"query 1 puts {100 * right[1, 1]:.1f} % of its weight on key 1; "
            f"out[1] = {_row((right @ V_HAND)[1])}")


def _row(vector):
    """A vector as a short one-line text, 3 significant digits."""
    return "[" + ", ".join(f"{v:.3g}" for v in np.asarray(vector)) + "]"


# Exercise 2 -----------------------------------------------------------------

STAGES = (
    ("q after the query projection", (2, 5, 12)),
    ("k split into heads", (2, 3, 7, 4)),
    ("the attention weights", (2, 3, 5, 7)),
    ("the heads' outputs", (2, 3, 5, 4)),
    ("the output, heads merged and projected", (2, 5, 12)),
)
STAGE_HINTS = {
    (0, (2, 5, 4)): "the projection keeps all E = 12 features; the heads "
                    "split them afterwards",
    (0, (2, 7, 12)): "the queries come from x, the 5 tokens being updated",
    (1, (2, 7, 3, 4)): "after the split the heads axis moves before the "
                       "tokens, (N, H, S, E / H), so each head is one "
                       "batch of matrix products",
    (1, (2, 3, 7, 12)): "each head works in E / H = 4 features, not all 12",
    (1, (2, 3, 5, 4)): "the keys come from the other sequence, m, with S = "
                       "7 tokens",
    (2, (2, 3, 7, 5)): "one row per query, one column per key: (N, H, L, S)",
    (2, (2, 3, 5, 5)): "the keys come from m: S = 7 columns, one per key",
    (2, (2, 5, 7)): "every head has its own weights: (N, H, L, S)",
    (2, (2, 3, 5, 4)): "the weights compare queries with keys: one "
                       "(L, S) = (5, 7) table per head",
    (3, (2, 3, 7, 4)): "weights (…, L, S) @ values (…, S, E / H) gives one "
                       "row per query: L = 5",
    (3, (2, 3, 5, 12)): "each head's values have E / H = 4 features",
    (4, (2, 5, 4)): "the heads' outputs are concatenated back to H × 4 = "
                    "12 features",
    (4, (2, 3, 5, 4)): "the heads are merged: concatenated back to (N, L, "
                       "E)",
    (4, (2, 7, 12)): "the output has one row per query, L = 5",
}


def _as_shape(value, number):
    if isinstance(value, (tuple, list, torch.Size)) and value and all(
            _is_int(v) for v in value):
        return tuple(int(v) for v in value)
    raise CheckFailed(f"shape {number} should be a tuple of ints such as "
                      f"(2, 5, 12), got {value!r}")


@check
def check_head_shapes(shapes):
    """Exercise 2: the shapes through a multi-head cross-attention."""
    expect(isinstance(shapes, (list, tuple)),
           f"give a list of {len(STAGES)} shapes, got "
           f"{type(shapes).__name__}")
    expect(len(shapes) == len(STAGES), f"give {len(STAGES)} shapes, one per "
           f"stage, got {len(shapes)}")
    for i, ((what, right), answer) in enumerate(zip(STAGES, shapes)):
        got = _as_shape(answer, i + 1)
        if got != right:
            hint = STAGE_HINTS.get((i, got), "follow the stages in order: "
                                   "project, split, compare, mix, merge")
            raise CheckFailed(f"shape {i + 1}, {what}, should be {right}, "
                              f"got {got}: {hint}")
    return "all five shapes right, from (2, 5, 12) back to (2, 5, 12)"


# Exercise 3 -----------------------------------------------------------------

GQA_CASES = ((64, 4, 4, 4), (64, 8, 2, 4), (128, 8, 1, 4), (96, 6, 3, 2),
             (32, 4, 2, 1))


def _gqa_block(dim, num_heads, num_groups, mlp_ratio):
    """The layers of a pre-norm block with grouped-query attention."""
    kv = num_groups * (dim // num_heads)
    return nn.ModuleList([
        nn.LayerNorm(dim), nn.Linear(dim, dim), nn.Linear(dim, kv),
        nn.Linear(dim, kv), nn.Linear(dim, dim), nn.LayerNorm(dim),
        nn.Linear(dim, mlp_ratio * dim), nn.Linear(mlp_ratio * dim, dim)])


def _count(module):
    return sum(p.numel() for p in module.parameters())


def _gqa_slips(dim, num_heads, num_groups, mlp_ratio):
    """(count a slip gives, what the slip is) for one block."""
    d, h, g, r = dim, num_heads, num_groups, mlp_ratio
    kv = g * (d // h)
    right = _count(_gqa_block(d, h, g, r))
    return (
        (right + 2 * (d * d + d - d * kv - kv), "with G < H groups the key "
         "and value projections shrink: each maps dim to G · dim / H "
         "features"),
        (right - d * d - d + d * kv + kv, "the queries keep all H heads: "
         "W_Q stays dim × dim"),
        (right + 2 * (g - 1) * (d * d + d) + 2 * (d * d + d - d * kv - kv),
         "the G groups share dim / H features each: W_K maps dim to G · "
         "dim / H features, not G · dim"),
        (right - 2 * kv, "the key and value projections have biases too, "
         "G · dim / H each"),
        (right - 4 * d, "the two LayerNorms have a weight and a bias of dim "
         "values each"),
        (right - (r - 4) * (2 * d * d + d), "the MLP's hidden layer has "
         "mlp_ratio · dim units"),
    )


@check
def check_gqa_params(gqa_block_params):
    """Exercise 3: the parameters of a block with grouped-query attention."""
    for case in GQA_CASES:
        call = "gqa_block_params({}, {}, {}, {})".format(*case)
        got = _returned(gqa_block_params(*case), call)
        expect(_is_int(got) or (isinstance(got, float) and got.is_integer()),
               f"{call} should be a whole number, got {got!r}")
        right = _count(_gqa_block(*case))
        if int(got) != right:
            hint = next((why for count, why in _gqa_slips(*case)
                         if count == int(got) and count != right),
                        "count each Linear's weight and bias, and each "
                        "LayerNorm's two dim-sized vectors")
            raise CheckFailed(f"{call} should be {right}, got {int(got)}: "
                              f"{hint}")
    full, grouped = (_count(_gqa_block(*c)) for c in GQA_CASES[:2])
    return (f"right for five blocks; at dim 64, 8 heads in 2 groups save "
            f"{100 * (1 - grouped / full):.0f} %")


# Exercise 4 -----------------------------------------------------------------

WINDOW_CASES = ((5, 2), (6, 3), (4, 1), (3, 5), (7, 7), (1, 1))


def _window_reference(L, window):
    i, j = np.arange(L)[:, None], np.arange(L)
    return (j <= i) & (j > i - window)


def _as_mask(mask, call):
    """A bool array from a bool tensor or array, or a float 0/−inf one."""
    mask = _returned(mask, call)
    if isinstance(mask, torch.Tensor):
        mask = mask.detach().cpu().numpy()
    mask = np.asarray(mask)
    if mask.dtype == bool:
        return mask
    expect(mask.dtype.kind == "f" and np.all(np.isin(mask, (0.0, -np.inf))),
           f"{call} should be a bool mask (True where a query may attend), "
           f"got dtype {mask.dtype}: a number mask is added to the scores, "
           "so 0s and 1s would mask nothing")
    return mask == 0.0


def _window_hint(got, L, window):
    right = _window_reference(L, window)
    if np.array_equal(got, ~right):
        return ("True means 'may attend' in PyTorch's convention; yours is "
                "True where attention is blocked")
    if np.array_equal(got, right.T):
        return ("query i looks back at keys j ≤ i, not forward: yours is "
                "the transpose")
    if np.array_equal(got, _window_reference(L, window + 1)):
        return ("each query sees exactly `window` keys, itself included: "
                "i − window < j ≤ i")
    if np.array_equal(got, np.tril(np.ones((L, L), dtype=bool))):
        return ("keys more than window − 1 places back must be masked too: "
                "this is the plain causal mask")
    if np.array_equal(got, right & ~np.eye(L, dtype=bool)):
        return "a token may attend to itself: the diagonal is True"
    return "True where i − window < j ≤ i"


@check
def check_window_mask(window_mask):
    """Exercise 4: a causal mask that sees only the last `window` tokens."""
    for L, window in WINDOW_CASES:
        call = f"window_mask({L}, {window})"
        got = _as_mask(window_mask(L, window), call)
        right = _window_reference(L, window)
        expect(got.shape == right.shape, f"{call} should have shape "
               f"{right.shape}, got {got.shape}")
        if not np.array_equal(got, right):
            raise CheckFailed(f"{call} is wrong in row "
                              f"{int(np.argwhere(got != right)[0, 0])}: "
                              f"{_window_hint(got, L, window)}")
    T, E = 6, 4
    q = torch.randn(T, E, generator=torch.Generator().manual_seed(4))
    mask = torch.as_tensor(_as_mask(window_mask(T, 2), "window_mask(6, 2)"))
    out = F.scaled_dot_product_attention(q, q, q, attn_mask=mask)
    expect(bool(torch.isfinite(out).all()), "the mask leaves a row with no "
           "key: every query must see at least itself")
    return "right for six sizes; it works as attn_mask in PyTorch's attention"


# Exercise 5 -----------------------------------------------------------------

BLOCK_CASES = ((3, 8, 4, 2, 8), (4, 12, 8, 3, 4), (5, 7, 6, 6, 1),
               (4, 10, 8, 3, 4), (1, 9, 2, 2, 3), (6, 6, 4, 4, 2))


def _block_inputs(L, S, E, Ev, seed):
    gen = torch.Generator().manual_seed(seed)
    q, k = torch.randn(L, E, generator=gen), torch.randn(S, E, generator=gen)
    v = torch.randn(S, Ev, generator=gen)
    if seed == len(BLOCK_CASES) - 1:
        # large scores: exp overflows unshifted; and one query whose every
        # score is below −100, so exp(score − 0) underflows to 0
        q, k = 200 * q, torch.cat([k[:, :1].abs() + 0.5, k[:, 1:]], dim=1)
        q[0] = torch.tensor([-1000.0] + [0.0] * (E - 1))
    return q, k, v


def _blocked(q, k, v, block, rescale=True, last=True):
    """Blocked attention in float64, or with one of two slips: the running
    sums not rescaled, or the last, shorter block skipped."""
    q, k, v = q.double(), k.double(), v.double()
    m = torch.full((q.shape[0], 1), -math.inf, dtype=torch.float64)
    total, out = torch.zeros_like(m), torch.zeros(q.shape[0], v.shape[1],
                                                  dtype=torch.float64)
    stop = k.shape[0] if last else k.shape[0] - block + 1
    for start in range(0, stop, block):
        s = q @ k[start:start + block].T / math.sqrt(q.shape[1])
        m_new = torch.maximum(m, s.max(dim=1, keepdim=True).values)
        p = torch.exp(s - m_new)
        keep = torch.exp(m - m_new) if rescale else 1.0
        total = keep * total + p.sum(dim=1, keepdim=True)
        out, m = keep * out + p @ v[start:start + block], m_new
    return (out / total).numpy()


@check
def check_attention_in_blocks(attention_in_blocks):
    """Exercise 5: attention over blocks of keys with a running softmax."""
    for seed, (L, S, E, Ev, block) in enumerate(BLOCK_CASES):
        q, k, v = _block_inputs(L, S, E, Ev, seed)
        call = (f"attention_in_blocks(q {tuple(q.shape)}, k {tuple(k.shape)}"
                f", v {tuple(v.shape)}, block={block})")
        got = _numbers(_returned(attention_in_blocks(q, k, v, block), call))
        right = F.scaled_dot_product_attention(q, k, v).double().numpy()
        if np.shape(got) == right.shape and not np.allclose(
                got, right, rtol=1e-4, atol=1e-5):
            _block_hint(np.asarray(got, dtype=float), (q, k, v, block), call)
        close(got, right, call, rtol=1e-4, atol=1e-5)
    return "the same as PyTorch's attention for six sizes and block sizes"


def _block_hint(got, case, call):
    """Fail with the name of the slip in a wrong blocked attention, if it
    is a known one; return when it is not."""
    q, k, v, block = case
    if not np.all(np.isfinite(got)):
        raise CheckFailed(f"{call} holds nan or inf: exp overflows (or all "
                          "underflow) on large scores; subtract the running "
                          "maximum, starting from −inf, before exp")
    slips = (
        (F.scaled_dot_product_attention(q, k, v, scale=1.0).double().numpy(),
         "is attention without the scale: divide the scores by √E"),
        (_blocked(q, k, v, block, rescale=False), "is wrong with more than "
         "one block: when a block raises a row's maximum from m to m', the "
         "sum and the output so far must be multiplied by exp(m − m')"),
        (_blocked(q, k, v, block, last=False), "skips the last, shorter "
         "block when block does not divide S"),
    )
    for slip, why in slips:
        if np.allclose(got, slip, rtol=1e-4, atol=1e-5):
            raise CheckFailed(f"{call} {why}")


# Exercise 6 -----------------------------------------------------------------

POWERS = (0, 0.5, 1)
SWEEP_DIMS = (4, 16, 64, 256, 1024)
NUM_QUERIES, NUM_KEYS = 256, 16


def random_qk(d, seed=0):
    """Queries (256, d) and keys (16, d), standard normal, float32."""
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(NUM_QUERIES, d, generator=gen),
            torch.randn(NUM_KEYS, d, generator=gen))


def _largest_weight_reference(q, k, power):
    scores = q.double() @ k.double().T / q.shape[-1] ** power
    return float(torch.softmax(scores, dim=-1).max(dim=-1).values.mean())


def _largest_weight_hint(q, k, power, got):
    """Why ``got`` differs from the reference, if it is a known slip."""
    scores = q.double() @ k.double().T
    d = q.shape[-1]
    slips = (
        (_largest_weight_reference(q, k, 0.5), "use the power you are "
         "given: scores / d ** power"),
        (float(torch.softmax(scores / q.shape[0] ** power, -1).max(-1)
               .values.mean()), "d is the length of each vector, "
         "q.shape[-1], not the number of queries"),
        (float(torch.softmax(scores / d ** power, 0).max(0).values.mean()),
         "the softmax and the max run along the keys, dim=-1: one row of "
         "weights per query"),
        (float(torch.softmax(scores / d ** power, -1).max()),
         "average the largest weight of each query (row) over the queries, "
         "not the largest of all"),
        (float(torch.softmax(scores * d ** power, -1).max(-1).values
               .mean()), "divide the scores by d ** power, do not multiply"),
    )
    for value, why in slips:
        if abs(got - value) < 1e-4:
            return why
    return "softmax each row of q @ k.T / d ** power, take each row's max"


def _check_largest_weight_fn(largest_weight):
    """Fail unless largest_weight matches the reference on three inputs."""
    for L, d, power in ((8, 16, 1), (6, 4, 0), (12, 64, 0.5)):
        gen = torch.Generator().manual_seed(d)
        q, k = torch.randn(L, d, generator=gen), torch.randn(5, d,
                                                             generator=gen)
        call = f"largest_weight(q ({L}, {d}), k (5, {d}), power={power})"
        got = _numbers(_returned(largest_weight(q, k, power), call))
        expect(np.ndim(got) == 0, f"{call} should return one number, got "
               f"shape {np.shape(got)}")
        right = _largest_weight_reference(q, k, power)
        if abs(float(got) - right) > 1e-4:
            hint = _largest_weight_hint(q, k, power, float(got))
            raise CheckFailed(f"{call} should be {right:.3f}, got "
                              f"{float(got):.3f}: {hint}")


def sweep_largest_weight():
    """power → the mean largest weight for each d in SWEEP_DIMS (5,)."""
    table = {p: [] for p in POWERS}
    for d in SWEEP_DIMS:
        q, k = random_qk(d)
        for p in POWERS:
            table[p].append(_largest_weight_reference(q, k, p))
    return {p: np.array(row) for p, row in table.items()}


@check
def check_largest_weight(largest_weight, table):
    """Exercise 6: the mean largest attention weight, and the sweep."""
    _check_largest_weight_fn(largest_weight)
    expect(isinstance(table, dict), "table should be a dict power → list "
           f"of 5 values, got {type(table).__name__}")
    expect(set(table) == set(POWERS), "table should have one entry per "
           f"power, keys {list(POWERS)}, got {list(table)}")
    right = sweep_largest_weight()
    for p in POWERS:
        got = number_array(table[p], f"table[{p}]")
        if got.shape == (len(SWEEP_DIMS),) and np.allclose(
                got, right[p][::-1], atol=1e-4):
            raise CheckFailed(f"table[{p}] is in reverse order: give the "
                              "value for d = 4 first")
        close(got, right[p], f"table[{p}]", rtol=1e-3, atol=1e-4)
    return (f"at d = 1024: {right[0][-1]:.2f} unscaled, "
            f"{right[0.5][-1]:.2f} with √d, {right[1][-1]:.2f} with d "
            f"(1/16 = {1 / NUM_KEYS:.2f})")


# Exercise 7 -----------------------------------------------------------------

OVERSCALE_OPTIONS = {
    "A": "the weights become one-hot: each query copies one value",
    "B": "the weights stay as sharp as they are at small d",
    "C": "the weights flatten towards 1/L: each query averages all values",
    "D": "the softmax overflows and returns nan",
}
OVERSCALE_FEEDBACK = {
    "A": "that is what happens with no scaling at all: scores whose spread "
         "grows like √d saturate the softmax",
    "B": "that is the 1/√d row: it keeps the scores' spread at about 1 for "
         "every d; 1/d shrinks it like 1/√d",
    "D": "dividing makes the scores smaller, never larger; and the softmax "
         "subtracts the maximum before exp",
}


@check
def check_overscale_answer(answer):
    """Exercise 7: what dividing the scores by d does as d grows."""
    choice(answer, "C", OVERSCALE_OPTIONS, OVERSCALE_FEEDBACK)
    return "C: scores / d shrink like 1/√d, so attention stops choosing"


# Exercise 8 -----------------------------------------------------------------

TRAIN_EXAMPLES = 12_800   # 100 steps of 128 (the tests use fewer)
BATCH = 128


def _unscaled_cases():
    """(call, q, k, v, keyword arguments): masks and batch axes."""
    gen = torch.Generator().manual_seed(8)
    q, k, v = (torch.randn(2, 1, 5, 8, generator=gen) for _ in range(3))
    mask = torch.rand(5, 5, generator=gen) > 0.3
    mask[:, 0] = True  # every query sees at least one key
    return (("unscaled_attention(q, k, v)", {}),
            ("unscaled_attention(q, k, v, is_causal=True)",
             {"is_causal": True}),
            ("unscaled_attention(q, k, v, attn_mask=mask)",
             {"attn_mask": mask})), (q, k, v)


def _attend(q, k, v, options, scale):
    return F.scaled_dot_product_attention(
        q, k, v, options.get("attn_mask"),
        is_causal=options.get("is_causal", False), scale=scale).double()


def _check_unscaled(unscaled_attention):
    """Fail unless the learner's function is attention without the scale."""
    params = inspect.signature(unscaled_attention).parameters
    expect({"attn_mask", "is_causal"} <= set(params) or any(
        p.kind == p.VAR_KEYWORD for p in params.values()),
        "unscaled_attention should take attn_mask=None and is_causal=False "
        "after q, k, v, as scaled_dot_product_attention does")
    cases, (q, k, v) = _unscaled_cases()
    for call, options in cases:
        got = _numbers(_returned(unscaled_attention(q, k, v, **options),
                                 call))
        right = _attend(q, k, v, options, 1.0).numpy()
        if np.shape(got) == right.shape and not _same(got, right):
            slips = ((_attend(q, k, v, options, None), "this still divides "
                      "the scores by √E: leave the division out"),
                     (_attend(q, k, v, {}, 1.0), "the mask is ignored: a "
                      "hidden key must get the weight 0 (its score −inf)"),
                     (_attend(q, k, v, options, 1 / 8), "this divides the "
                      "scores by E: leave the division out"))
            for slip, why in slips:
                expect(not _same(got, slip.numpy()), f"{call}: {why}")
        close(got, right, call, rtol=1e-4, atol=1e-5)


class _Attending(nn.Module):
    """A MultiHeadAttention whose heads attend with ``attend``."""

    def __init__(self, mha, attend):
        super().__init__()
        self.mha, self.attend = mha, attend

    def forward(self, x, attn_mask=None, is_causal=False):
        q, k, v = self.mha.split_heads(x)
        out = self.attend(q, k, v, attn_mask=attn_mask, is_causal=is_causal)
        return self.mha.out_proj(out.transpose(1, 2).flatten(2))


def reverse_test_loss(attend):
    """Test loss of a one-head TinyTransformer (dim 64, 2 blocks) after
    TRAIN_EXAMPLES / 128 steps of reversing, its heads attending with
    ``attend`` (the signature of scaled_dot_product_attention)."""
    tokens, targets = make_sequence_task("reverse", TRAIN_EXAMPLES, seed=0)
    test_tokens, test_targets = make_sequence_task("reverse", 1000, seed=1)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = TinyTransformer(12, 16, dim=64, num_heads=1, num_layers=2)
    for block in model.blocks:
        block.attn = _Attending(block.attn, attend)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    fit(model, token_loader(tokens, targets, batch_size=BATCH, seed=0),
        sequence_loss, optimizer, 1, progress=False)
    device = next(model.parameters()).device
    with torch.no_grad():
        return float(sequence_loss(model(test_tokens.to(device)),
                                   test_targets.to(device)))


@check
def check_unscaled_training(unscaled_attention):
    """Exercise 8: attention without the √d, then two short trainings."""
    _check_unscaled(unscaled_attention)
    scaled = reverse_test_loss(scaled_dot_product_attention)
    unscaled = reverse_test_loss(unscaled_attention)
    return (f"test loss after {TRAIN_EXAMPLES // BATCH} steps: {scaled:.2f}"
            f" with √d, {unscaled:.2f} without (chance {math.log(10):.2f})")


# Exercise 9 -----------------------------------------------------------------

PERM = torch.tensor([3, 0, 6, 1, 7, 2, 5, 4])  # not its own inverse


def _token_functions():
    """(f, permuted along or not, what to say if the answer is wrong)."""
    return (
        (lambda x: 2 * x + 1, True,
         "f(x) = 2x + 1 acts on each token alone, so its output moves with "
         "its input: compare f(x[:, perm]) with f(x)[:, perm]"),
        (lambda x: x.cumsum(dim=1), False,
         "a running sum over the tokens depends on their order: permute "
         "axis 1 of x (N, L, E), the tokens"),
        (lambda x: x + x.sum(dim=1, keepdim=True), True,
         "x + its sum over the tokens is permuted along, up to rounding: "
         "the sum's order changes its last bits; compare with "
         "torch.allclose"),
        (lambda x: x.flip(1), False,
         "reversing the tokens does not commute with a permutation: "
         "compare f(x[:, perm]) with f(x)[:, perm]"),
        (lambda x: x.mean(dim=1, keepdim=True).expand_as(x), True,
         "every token gets the mean of all tokens, whatever their order"),
    )


def _token_input():
    gen = torch.Generator().manual_seed(3)
    scale = torch.logspace(-3, 3, 8, dtype=torch.float64)[None, :, None]
    return torch.randn(2, 8, 5, generator=gen, dtype=torch.float64) * scale


def _as_bool(value, call):
    value = _returned(value, call)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    expect(isinstance(value, (bool, np.bool_)), f"{call} should return "
           f"True or False, got {value!r}")
    return bool(value)


def _layers():
    """name → a function of x (N, L, E) float64, from seed 0 (the
    notebook's random state is left as it was)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        attn = MultiHeadAttention(16, 4).double()
        block = TransformerBlock(16, 4).double()
    codes = sinusoidal_positions(8, 16).double()
    return {"attention": attn,
            "causal attention": lambda x: attn(x, is_causal=True),
            "attention + positions": lambda x: attn(x + codes),
            "block": block}


@check
def check_permuted_along(permuted_along):
    """Exercise 9: test which layers are permuted along with their input."""
    x = _token_input()
    for f, right, why in _token_functions():
        got = _as_bool(permuted_along(f, x, PERM),
                       "permuted_along(f, x, perm)")
        expect(got == right, f"permuted_along gives {got} for a function "
               f"where it should give {right}: {why}")
    x = torch.randn(2, 8, 16, generator=torch.Generator().manual_seed(5),
                    dtype=torch.float64)
    with torch.no_grad():
        found = {name: _as_bool(permuted_along(f, x, PERM),
                                f"permuted_along({name})")
                 for name, f in _layers().items()}
    return ", ".join(f"{name} {'yes' if ok else 'no'}"
                     for name, ok in found.items())


# Exercise 10 ----------------------------------------------------------------

CAUSAL_OPTIONS = {
    "A": 'it cannot tell "dog bites man" from "man bites dog"',
    "B": "each position sees a different set of tokens, so order leaks in",
    "C": "the causal mask adds a positional encoding to the inputs",
    "D": "only the MLP can tell the positions apart",
}
CAUSAL_FEEDBACK = {
    "A": "Exercise 9 says otherwise: the causal layer's output was not "
         "permuted along, so it depends on the order",
    "C": "the mask changes no input: it only hides the later keys from "
         "each query",
    "D": "the MLP acts on each token alone: the block without a mask was "
         "permuted along, MLP and all",
}


@check
def check_causal_answer(answer):
    """Exercise 10: what a causal mask tells a model without positions."""
    choice(answer, "B", CAUSAL_OPTIONS, CAUSAL_FEEDBACK)
    return "B: token i attends over i + 1 tokens, so order is not lost"
