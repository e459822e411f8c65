"""nnbook.attention against PyTorch: scaled dot-product attention for many random shapes
and masks (bool, float, causal, rows with nothing to attend to), multi-head attention
against nn.MultiheadAttention with the same weights, the transformer's parameter count and
FLOPs per token by hand against counting, sampling, and one-line messages for bad input."""

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

from nnbook.attention import (BagOfTokens, MultiHeadAttention, TinyTransformer,
                              TransformerBlock, attention_weights, causal_mask,
                              flops_per_token, generate, next_token,
                              num_parameters_by_hand, scaled_dot_product_attention,
                              sinusoidal_positions)
from nnbook.deep import num_parameters

TOL = dict(rtol=1e-10, atol=1e-12)   # float64 throughout


def random_case(seed):
    """q, k, v of random batch shapes and lengths, in float64."""
    g = torch.Generator().manual_seed(seed)
    r = lambda lo, hi: int(torch.randint(lo, hi + 1, (1,), generator=g))
    batch = [r(1, 3) for _ in range(r(0, 2))]
    L, S, E, Ev = r(1, 7), r(1, 7), r(1, 9), r(1, 6)
    q = torch.randn(*batch, L, E, generator=g, dtype=torch.float64)
    k = torch.randn(*batch, S, E, generator=g, dtype=torch.float64)
    v = torch.randn(*batch, S, Ev, generator=g, dtype=torch.float64)
    return g, q, k, v


@pytest.mark.parametrize("seed", range(40))
def test_no_mask_and_causal_equal_pytorch(seed):
    _, q, k, v = random_case(seed)
    for causal in (False, True):
        ours = scaled_dot_product_attention(q, k, v, is_causal=causal)
        theirs = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        torch.testing.assert_close(ours, theirs, **TOL)


@pytest.mark.parametrize("seed", range(40))
def test_bool_and_float_masks_equal_pytorch(seed):
    g, q, k, v = random_case(seed)
    L, S = q.shape[-2], k.shape[-2]
    # masks of full shape and broadcast ones, with some rows fully masked
    for shape in [(L, S), (1, S), (L, 1), q.shape[:-2] + (L, S)]:
        mask = torch.rand(shape, generator=g) > 0.4
        ours = scaled_dot_product_attention(q, k, v, attn_mask=mask)
        theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        torch.testing.assert_close(ours, theirs, **TOL)
        bias = torch.randn(shape, generator=g, dtype=torch.float64)
        bias = bias.masked_fill(torch.rand(shape, generator=g) > 0.7, -math.inf)
        ours = scaled_dot_product_attention(q, k, v, attn_mask=bias)
        theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        torch.testing.assert_close(ours, theirs, **TOL)


def test_a_fully_masked_row_gives_zeros_as_in_pytorch():
    q, k, v = (torch.randn(2, 3, 4, dtype=torch.float64) for _ in range(3))
    mask = torch.ones(3, 3, dtype=torch.bool)
    mask[1] = False
    ours = scaled_dot_product_attention(q, k, v, attn_mask=mask)
    theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert torch.equal(ours[:, 1], torch.zeros(2, 4, dtype=torch.float64))
    torch.testing.assert_close(ours, theirs, **TOL)
    # the textbook formula gives NaN there
    scores = (q @ k.mT / 2).masked_fill(~mask, -math.inf)
    assert torch.softmax(scores, -1)[:, 1].isnan().all()
    assert torch.equal(attention_weights(q, k, attn_mask=mask)[:, 1],
                       torch.zeros(2, 3, dtype=torch.float64))


def test_weights_sum_to_one_and_respect_the_causal_mask():
    q, k = torch.randn(2, 5, 8), torch.randn(2, 5, 8)
    w = attention_weights(q, k, is_causal=True)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 5))
    assert torch.equal(w[0] > 0, causal_mask(5))


def test_causal_mask_is_top_left_aligned_like_pytorch():
    assert torch.equal(causal_mask(3), torch.tensor(
        [[True, False, False], [True, True, False], [True, True, True]]))
    assert causal_mask(2, 4).tolist() == [[True, False, False, False],
                                          [True, True, False, False]]
    q, k, v = torch.randn(4, 3), torch.randn(2, 3), torch.randn(2, 5)
    torch.testing.assert_close(
        scaled_dot_product_attention(q, k, v, attn_mask=causal_mask(4, 2)),
        F.scaled_dot_product_attention(q, k, v, is_causal=True))


def test_gradients_flow_like_pytorchs():
    _, q, k, v = random_case(3)
    mask = causal_mask(q.shape[-2], k.shape[-2])
    grads = []
    for fn in (scaled_dot_product_attention, F.scaled_dot_product_attention):
        leaves = [t.clone().requires_grad_() for t in (q, k, v)]
        fn(*leaves, attn_mask=mask).square().sum().backward()
        grads.append([t.grad for t in leaves])
    for ours, theirs in zip(*grads):
        torch.testing.assert_close(ours, theirs, **TOL)


def test_sinusoidal_positions():
    P = sinusoidal_positions(50, 16)
    assert P.shape == (50, 16) and P.dtype == torch.float32
    assert torch.equal(P[0, 0::2], torch.zeros(8)) and torch.equal(P[0, 1::2], torch.ones(8))
    assert P[7, 2].item() == pytest.approx(math.sin(7 * 10000 ** (-2 / 16)), abs=1e-6)
    assert P[7, 3].item() == pytest.approx(math.cos(7 * 10000 ** (-2 / 16)), abs=1e-6)
    torch.testing.assert_close(P[:, 0::2] ** 2 + P[:, 1::2] ** 2, torch.ones(50, 8))


@pytest.mark.parametrize("E, H, bias", [(8, 1, True), (8, 2, True), (12, 4, False),
                                        (64, 4, True)])
def test_multi_head_attention_equals_nn_multihead_attention(E, H, bias):
    torch.manual_seed(E + H)
    theirs = nn.MultiheadAttention(E, H, bias=bias, batch_first=True, dtype=torch.float64)
    ours = MultiHeadAttention.from_torch(theirs)
    assert next(ours.parameters()).dtype == torch.float64
    x = torch.randn(3, 6, E, dtype=torch.float64)
    out, _ = theirs(x, x, x, need_weights=False)
    torch.testing.assert_close(ours(x), out, **TOL)
    # masks: nn.MultiheadAttention's bool mask means the opposite (True: blocked)
    mask = causal_mask(6)
    out, w = theirs(x, x, x, attn_mask=~mask, average_attn_weights=False)
    torch.testing.assert_close(ours(x, is_causal=True), out, **TOL)
    torch.testing.assert_close(ours(x, attn_mask=mask), out, **TOL)
    torch.testing.assert_close(ours.weights(x, is_causal=True), w, **TOL)


def test_multi_head_attention_shapes_and_heads():
    mha = MultiHeadAttention(12, 3)
    q, k, v = mha.split_heads(torch.randn(2, 5, 12))
    assert q.shape == k.shape == v.shape == (2, 3, 5, 4)
    assert mha.weights(torch.randn(2, 5, 12)).shape == (2, 3, 5, 5)
    assert num_parameters(mha) == 4 * 12 * 12 + 4 * 12


def test_transformer_block_is_pre_norm_and_residual():
    torch.manual_seed(0)
    block = TransformerBlock(16, 4)
    x = torch.randn(2, 5, 16)
    h = x + block.attn(block.norm1(x), is_causal=True)
    torch.testing.assert_close(block(x, is_causal=True), h + block.mlp(block.norm2(h)))
    # zero output layers make the block the identity: the residual path
    for layer in (block.attn.out_proj, block.mlp[2]):
        nn.init.zeros_(layer.weight)
        nn.init.zeros_(layer.bias)
    torch.testing.assert_close(block(x), x)


@pytest.mark.parametrize("positions", ["learned", "sinusoidal", "none"])
@pytest.mark.parametrize("V, L, dim, H, layers", [(12, 16, 64, 4, 2), (7, 5, 8, 2, 1),
                                                   (100, 64, 32, 4, 3)])
def test_parameter_count_by_hand_equals_counting(positions, V, L, dim, H, layers):
    model = TinyTransformer(V, L, dim, H, layers, positions=positions)
    assert num_parameters(model) == num_parameters_by_hand(V, L, dim, layers,
                                                           positions=positions)


@pytest.mark.parametrize("V, L, dim, layers", [(12, 16, 64, 2), (100, 64, 64, 2),
                                               (7, 5, 8, 1), (30, 32, 16, 3)])
def test_flops_per_token_by_hand_equal_pytorchs_count(V, L, dim, layers):
    model = TinyTransformer(V, L, dim, 4 if dim % 4 == 0 else 1, layers)
    with FlopCounterMode(display=False) as counter:
        model(torch.randint(0, V, (3, L)))
    assert counter.get_total_flops() == 3 * L * flops_per_token(V, L, dim, layers)


def test_causal_transformer_does_not_look_ahead():
    torch.manual_seed(0)
    model = TinyTransformer(10, 8, 16, 2, 2).eval()
    a = torch.randint(0, 10, (1, 8))
    b = a.clone()
    b[0, 5:] = (b[0, 5:] + 1) % 10
    torch.testing.assert_close(model(a)[0, :5], model(b)[0, :5])
    maps = model.attention_maps(a)
    assert maps.shape == (2, 1, 2, 8, 8)
    assert torch.all(maps[..., ~causal_mask(8)] == 0)


def test_without_positions_a_non_causal_transformer_is_permutation_equivariant():
    torch.manual_seed(0)
    model = TinyTransformer(10, 8, 16, 2, 2, positions="none", causal=False).double().eval()
    x = torch.randint(0, 10, (3, 8))
    perm = torch.randperm(8)
    torch.testing.assert_close(model(x)[:, perm], model(x[:, perm]), **TOL)
    model = TinyTransformer(10, 8, 16, 2, 2, positions="learned", causal=False).eval()
    assert not torch.allclose(model(x)[:, perm], model(x[:, perm]))


def test_bag_of_tokens_ignores_order_unless_told_to_keep_it():
    torch.manual_seed(0)
    x = torch.randint(0, 10, (4, 16))
    shuffled = torch.cat([x[:, :8][:, torch.randperm(8)], x[:, 8:]], dim=1)
    bag = BagOfTokens(12, 8, 16)
    assert bag(x).shape == (4, 16, 12)
    torch.testing.assert_close(bag(x), bag(shuffled))
    ordered = BagOfTokens(12, 8, 16, keep_order=True)
    assert not torch.allclose(ordered(x), ordered(shuffled))
    torch.testing.assert_close(bag(x[:, :8]), bag(x))   # only the inputs count


def test_generate_is_reproducible_and_greedy_at_temperature_zero():
    torch.manual_seed(0)
    model = TinyTransformer(10, 6, 16, 2, 1)
    prompt = torch.tensor([1, 2, 3])
    a = generate(model, prompt, 10, temperature=1.0, seed=3)
    assert a.shape == (13,) and a.dtype == torch.int64 and torch.equal(a[:3], prompt)
    assert torch.equal(a, generate(model, prompt, 10, temperature=1.0, seed=3))
    greedy = generate(model, prompt, 4, temperature=0)
    with torch.no_grad():
        assert greedy[3] == model(prompt[None])[0, -1].argmax()
    assert torch.equal(generate(model, prompt, 0), prompt)


def test_next_token_top_k_and_temperature():
    scores = torch.tensor([0.0, 5.0, 4.0, -3.0])
    g = torch.Generator().manual_seed(0)
    draws = {int(next_token(scores, 1.0, top_k=2, generator=g)) for _ in range(200)}
    assert draws == {1, 2}
    assert int(next_token(scores, 0)) == 1
    draws = [int(next_token(scores, 0.01, generator=g)) for _ in range(50)]
    assert set(draws) == {1}


@pytest.mark.parametrize("call, message", [
    (lambda: scaled_dot_product_attention(torch.randn(3, 4), torch.randn(3, 5),
                                          torch.randn(3, 2)),
     "q and k must have the same last axis"),
    (lambda: scaled_dot_product_attention(torch.randn(3, 4), torch.randn(3, 4),
                                          torch.randn(2, 2)),
     "k and v must hold the same number of keys"),
    (lambda: scaled_dot_product_attention(torch.randn(3, 4), torch.randn(3, 4),
                                          torch.randn(3, 2), torch.ones(3, 3, dtype=bool),
                                          is_causal=True),
     "give attn_mask or is_causal=True, not both"),
    (lambda: attention_weights(torch.randn(3, 4), torch.randn(5, 4),
                               torch.ones(3, 4, dtype=bool)),
     r"attn_mask must end in \(L, S\) = \(3, 5\)"),
    (lambda: attention_weights(torch.randn(3, 4), torch.randn(3, 4),
                               torch.ones(3, 3, dtype=torch.int64)),
     "attn_mask must be bool"),
    (lambda: attention_weights(torch.ones(3, 4, dtype=torch.int64), torch.randn(3, 4)),
     "q must be a floating-point tensor"),
    (lambda: attention_weights(torch.randn(4), torch.randn(3, 4)),
     "q must have at least 2 axes"),
    (lambda: attention_weights(torch.randn(2, 3, 4), torch.randn(3, 3, 4)),
     "the batch axes of q, k and v"),
    (lambda: attention_weights([[1.0]], torch.randn(3, 4)), "q must be a torch tensor"),
    (lambda: MultiHeadAttention(10, 4), r"num_heads \(4\) must divide embed_dim \(10\)"),
    (lambda: sinusoidal_positions(10, 5), "dim must be even"),
    (lambda: causal_mask(0), "L must be an int ≥ 1"),
    (lambda: TinyTransformer(10, 8, positions="rotary"), "unknown positions 'rotary'"),
    (lambda: TinyTransformer(10, 4, 8, 2)(torch.zeros(1, 5, dtype=torch.long)),
     "the model reads at most max_len=4 tokens, got 5"),
    (lambda: TinyTransformer(10, 4, 8, 2)(torch.tensor([[3, 10]])),
     "token ids must be from 0 to 9, got 3 to 10"),
    (lambda: TinyTransformer(10, 4, 8, 2)(torch.tensor([3, 4])),
     r"for one sequence use tokens\[None\]"),
    (lambda: generate(TinyTransformer(10, 4, 8, 2), torch.tensor([1]), 3, temperature=-1),
     "temperature must be a finite number ≥ 0"),
    (lambda: generate(TinyTransformer(10, 4, 8, 2), torch.tensor([1]), 3, top_k=11),
     "top_k must be an int from 1 to 10"),
    (lambda: MultiHeadAttention.from_torch(nn.MultiheadAttention(8, 2, kdim=4)),
     "mha must use kdim = vdim = embed_dim"),
])
def test_bad_input_gets_a_one_line_message(call, message):
    with pytest.raises((ValueError, TypeError), match=message) as info:
        call()
    assert "\n" not in str(info.value)
