"""Attention and a tiny transformer, written out by hand (Chapter 9).

``scaled_dot_product_attention`` computes what
``torch.nn.functional.scaled_dot_product_attention`` computes, with its
layout and its masks (a bool mask: True where a query may attend; a float
mask: added to the scores; ``is_causal``: the top-left causal mask), and
PyTorch's answer for a query that may attend to nothing (zeros, where the
textbook formula gives NaN). ``attention_weights`` returns the softmax
weights, for plotting. ``MultiHeadAttention`` holds its weights in the
layout of ``nn.MultiheadAttention``, so they can be copied in;
``TransformerBlock`` is a pre-norm block, ``TinyTransformer`` a stack of
them on token embeddings, and ``BagOfTokens`` the order-blind baseline.
``num_parameters_by_hand`` and ``flops_per_token`` count a
``TinyTransformer`` with pencil-and-paper formulas (Chapter 13 reuses
them). Bad input is refused with a one-line message (package only).
"""

import math

import torch
from torch import nn

from nnbook.validation import (as_choice, as_having, as_instance, as_int,
                               as_nonnegative, as_seed)

POSITIONS = ("learned", "sinusoidal", "none")


# --- validation (package only) ---------------------------------------------

def _shape(t):
    return tuple(t.shape)


def _as_tensor(t, name, min_dim=2):
    as_instance(t, name, torch.Tensor, "a torch tensor")
    if not t.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got "
                        f"{str(t.dtype).replace('torch.', '')}: use "
                        f"{name}.float()")
    if t.dim() < min_dim:
        raise ValueError(f"{name} must have at least {min_dim} axes "
                         f"(..., length, features), got shape {_shape(t)}")
    return t


def _check_mask(attn_mask, is_causal, L, S):
    if not isinstance(is_causal, bool):
        raise TypeError(f"is_causal must be True or False, got {is_causal!r}")
    if attn_mask is None:
        return
    as_instance(attn_mask, "attn_mask", torch.Tensor,
                "a bool or float torch tensor, or None")
    if is_causal:
        raise ValueError("give attn_mask or is_causal=True, not both "
                         "(PyTorch refuses both too)")
    if attn_mask.dtype != torch.bool and not attn_mask.is_floating_point():
        raise TypeError("attn_mask must be bool (True: may attend) or float "
                        "(added to the scores), got "
                        f"{str(attn_mask.dtype).replace('torch.', '')}")
    if attn_mask.dim() < 2 or _shape(attn_mask)[-2:] not in {
            (L, S), (1, S), (L, 1), (1, 1)}:
        raise ValueError(f"attn_mask must end in (L, S) = ({L}, {S}) (or "
                         f"broadcast to it), got shape {_shape(attn_mask)}")


def validate_attention(q, k, attn_mask=None, is_causal=False, v=None):
    """Refuse queries, keys, values and a mask that attention cannot
    combine, with a one-line message; returns nothing."""
    q, k = _as_tensor(q, "q"), _as_tensor(k, "k")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last axis (E), got "
                         f"q {_shape(q)} and k {_shape(k)}")
    if v is not None and (_as_tensor(v, "v").shape[-2] != k.shape[-2]):
        raise ValueError(f"k and v must hold the same number of keys (S, "
                         f"axis -2), got k {_shape(k)} and v {_shape(v)}")
    shapes = [_shape(t)[:-2] for t in (q, k, v) if t is not None]
    try:
        torch.broadcast_shapes(*shapes)
    except RuntimeError:
        raise ValueError("the batch axes of q, k and v (all but the last "
                         f"two) must match or broadcast, got {shapes}") \
            from None
    _check_mask(attn_mask, is_causal, q.shape[-2], k.shape[-2])


def validate_lengths(L, S=None):
    """L and S (default L) as ints ≥ 1."""
    L = as_int(L, "L", minimum=1)
    return L, L if S is None else as_int(S, "S", minimum=1)


def validate_positions(max_len, dim):
    """max_len ≥ 1 and an even dim ≥ 2, as ints."""
    max_len = as_int(max_len, "max_len", minimum=1)
    dim = as_int(dim, "dim", minimum=2)
    if dim % 2:
        raise ValueError(f"dim must be even (a sine and a cosine per "
                         f"frequency), got {dim}")
    return max_len, dim


def validate_heads(embed_dim, num_heads):
    """embed_dim and num_heads as ints ≥ 1, num_heads dividing embed_dim."""
    embed_dim = as_int(embed_dim, "embed_dim", minimum=1)
    num_heads = as_int(num_heads, "num_heads", minimum=1)
    if embed_dim % num_heads:
        raise ValueError(f"num_heads ({num_heads}) must divide embed_dim "
                         f"({embed_dim}): each head gets embed_dim / "
                         "num_heads features")
    return embed_dim, num_heads


def validate_transformer(vocab_size, max_len, dim, num_heads, num_layers,
                         positions, mlp_ratio=4):
    """The sizes of a TinyTransformer as ints, positions one of POSITIONS."""
    as_int(vocab_size, "vocab_size", minimum=1)
    as_int(max_len, "max_len", minimum=1)
    validate_heads(dim, num_heads)
    as_int(num_layers, "num_layers", minimum=1)
    as_int(mlp_ratio, "mlp_ratio", minimum=1)
    as_choice(positions, "positions", POSITIONS)
    if positions == "sinusoidal":
        validate_positions(max_len, dim)


def validate_tokens(model, tokens):
    """tokens as an int64 tensor (N, L) of ids below the model's vocab_size
    and no longer than its max_len."""
    as_instance(tokens, "tokens", torch.Tensor, "a torch tensor of token ids")
    if tokens.dtype != torch.long or tokens.dim() != 2:
        raise ValueError("tokens must be an int64 tensor (N, L) of token "
                         f"ids, got {str(tokens.dtype).replace('torch.', '')}"
                         f" {_shape(tokens)}: for one sequence use "
                         "tokens[None]")
    if tokens.shape[1] > model.max_len:
        raise ValueError(f"the model reads at most max_len={model.max_len} "
                         f"tokens, got {tokens.shape[1]}")
    if tokens.numel() and not 0 <= int(tokens.min()) <= int(
            tokens.max()) < model.vocab_size:
        raise ValueError(f"token ids must be from 0 to {model.vocab_size - 1}"
                         f", got {int(tokens.min())} to {int(tokens.max())}")


def validate_generate(model, prompt, num_new, temperature, top_k, seed):
    """The arguments of generate, checked and converted."""
    as_having(model, "model", ("max_len", "vocab_size", "parameters"),
              "a TinyTransformer")
    as_instance(prompt, "prompt", torch.Tensor, "a 1-D tensor of token ids")
    if prompt.dim() != 1 or len(prompt) == 0:
        raise ValueError("prompt must be a non-empty 1-D tensor of token "
                         f"ids, got shape {_shape(prompt)}")
    validate_tokens(model, prompt[-model.max_len:][None].long())
    as_int(num_new, "num_new", minimum=0)
    as_nonnegative(temperature, "temperature")
    if top_k is not None:
        as_int(top_k, "top_k", minimum=1, maximum=model.vocab_size)
    if seed is not None:
        as_seed(seed)


# --- attention by hand (Section 9.3) ---------------------------------------

def causal_mask(L, S=None):
    """Bool mask (L, S), S = L by default: True where query i may attend
    to key j, that is j ≤ i (PyTorch's ``is_causal``, top-left aligned)."""
    L, S = validate_lengths(L, S)
    return torch.ones(L, S, dtype=torch.bool).tril()


def attention_weights(q, k, attn_mask=None, is_causal=False):
    """Softmax weights (..., L, S) of queries q (..., L, E) over keys
    k (..., S, E), the scores scaled by 1 / sqrt(E).

    attn_mask: bool (True: may attend) or float (added to the scores),
    broadcast to (..., L, S); is_causal: use ``causal_mask(L, S)``.
    A query that may attend to no key gets weights 0, as in PyTorch.
    """
    validate_attention(q, k, attn_mask, is_causal)
    if is_causal:
        attn_mask = causal_mask(q.shape[-2], k.shape[-2]).to(q.device)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        scores = scores.masked_fill(~attn_mask, float("-inf"))
    elif attn_mask is not None:
        scores = scores + attn_mask
    blocked = torch.isneginf(scores).all(dim=-1, keepdim=True)
    return torch.softmax(scores, dim=-1).masked_fill(blocked, 0.0)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):
    """softmax(q kᵀ / sqrt(E) + mask) v: q (..., L, E), k (..., S, E),
    v (..., S, Ev) → (..., L, Ev), float tensors. The masks and the
    layout are those of ``torch.nn.functional.scaled_dot_product_attention``
    (see ``attention_weights``)."""
    validate_attention(q, k, attn_mask, is_causal, v)
    return attention_weights(q, k, attn_mask, is_causal) @ v


# --- positions (Section 9.2) -----------------------------------------------

def sinusoidal_positions(max_len, dim):
    """Fixed position codes (max_len, dim), float32: row p holds
    sin(p ω_i) in its even columns and cos(p ω_i) in its odd ones, with
    frequencies ω_i = 10000^(-2i / dim), i = 0 … dim/2 − 1."""
    max_len, dim = validate_positions(max_len, dim)
    p = torch.arange(max_len, dtype=torch.float32)[:, None]
    omega = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    codes = torch.zeros(max_len, dim)
    codes[:, 0::2] = torch.sin(p * omega)
    codes[:, 1::2] = torch.cos(p * omega)
    return codes


# --- modules (Sections 9.4 and 9.5) ----------------------------------------

class MultiHeadAttention(nn.Module):
    """Self-attention with ``num_heads`` heads of embed_dim / num_heads
    features each, x (N, L, E) → (N, L, E). Its weights have the layout of
    ``nn.MultiheadAttention``: ``in_proj`` stacks the query, key and value
    projections (3E, E), ``out_proj`` mixes the heads (E, E)."""

    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        validate_heads(embed_dim, num_heads)
        self.num_heads = num_heads
        self.in_proj = nn.Linear(embed_dim, 3 * embed_dim, bias=bias)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def split_heads(self, x):
        """x (N, L, E) → queries, keys and values, each (N, H, L, E / H)."""
        N, L, E = x.shape
        qkv = self.in_proj(x).view(N, L, 3, self.num_heads, -1)
        return qkv.permute(2, 0, 3, 1, 4).unbind(0)

    def forward(self, x, attn_mask=None, is_causal=False):
        """x (N, L, E) → (N, L, E): each head attends, then out_proj
        mixes the heads' outputs, concatenated."""
        q, k, v = self.split_heads(x)
        out = scaled_dot_product_attention(q, k, v, attn_mask, is_causal)
        return self.out_proj(out.transpose(1, 2).flatten(2))

    def weights(self, x, attn_mask=None, is_causal=False):
        """The attention weights (N, H, L, L) of each head, for x (N, L, E)."""
        q, k, _ = self.split_heads(x)
        return attention_weights(q, k, attn_mask, is_causal)

    @classmethod
    def from_torch(cls, mha):
        """A MultiHeadAttention with a copy of the weights of ``mha``, an
        ``nn.MultiheadAttention`` (keys and values of size embed_dim)."""
        validate_torch_mha(mha)
        bias = mha.in_proj_bias is not None
        ours = cls(mha.embed_dim, mha.num_heads, bias)
        ours.to(mha.out_proj.weight.dtype)
        state = {name.replace("in_proj_", "in_proj."): value
                 for name, value in mha.state_dict().items()}
        ours.load_state_dict(state)
        return ours


def validate_torch_mha(mha):
    """mha as an nn.MultiheadAttention whose keys and values have its
    embed_dim and whose projections are one stacked in_proj."""
    as_instance(mha, "mha", nn.MultiheadAttention, "an nn.MultiheadAttention")
    if not mha._qkv_same_embed_dim or mha.bias_k is not None:
        raise ValueError("mha must use kdim = vdim = embed_dim and no "
                         "add_bias_kv: MultiHeadAttention has no other layout")


class TransformerBlock(nn.Module):
    """A pre-norm transformer block, x (N, L, dim) → (N, L, dim):
    x + attention(norm(x)), then x + mlp(norm(x)), the MLP with one
    hidden layer of mlp_ratio · dim ReLU units."""

    def __init__(self, dim, num_heads, mlp_ratio=4):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.ReLU(),
                                 nn.Linear(mlp_ratio * dim, dim))

    def forward(self, x, attn_mask=None, is_causal=False):
        x = x + self.attn(self.norm1(x), attn_mask, is_causal)
        return x + self.mlp(self.norm2(x))


class TinyTransformer(nn.Module):
    """Token ids (N, L) → scores (N, L, vocab_size) for the next token:
    token embeddings plus positions ("learned", "sinusoidal" or "none"),
    ``num_layers`` pre-norm blocks (causal: each position sees only
    itself and earlier ones), a last LayerNorm and a linear head."""

    def __init__(self, vocab_size, max_len, dim=64, num_heads=4,
                 num_layers=2, positions="learned", causal=True):
        super().__init__()
        validate_transformer(vocab_size, max_len, dim, num_heads,
                             num_layers, positions)
        self.vocab_size, self.max_len = vocab_size, max_len
        self.positions, self.causal = positions, causal
        self.embed = nn.Embedding(vocab_size, dim)
        if positions == "learned":
            self.pos = nn.Parameter(torch.randn(max_len, dim) * 0.02)
        elif positions == "sinusoidal":
            self.register_buffer("pos", sinusoidal_positions(max_len, dim))
        self.blocks = nn.ModuleList(TransformerBlock(dim, num_heads)
                                    for _ in range(num_layers))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab_size)

    def embed_tokens(self, tokens):
        """tokens (N, L) → embeddings plus positions (N, L, dim)."""
        x = self.embed(tokens)
        if self.positions == "none":
            return x
        return x + self.pos[:tokens.shape[1]]

    def forward(self, tokens):
        validate_tokens(self, tokens)
        x = self.embed_tokens(tokens)
        for block in self.blocks:
            x = block(x, is_causal=self.causal)
        return self.head(self.norm(x))

    def attention_maps(self, tokens):
        """The attention weights (num_layers, N, H, L, L) of every head."""
        validate_tokens(self, tokens)
        maps, x = [], self.embed_tokens(tokens)
        for block in self.blocks:
            maps.append(block.attn.weights(block.norm1(x),
                                           is_causal=self.causal))
            x = block(x, is_causal=self.causal)
        return torch.stack(maps)


class BagOfTokens(nn.Module):
    """The order-blind baseline: the first ``num_inputs`` tokens of
    (N, L) ids are embedded and summed (their order is lost), and an MLP
    maps the sum to scores for each of the ``seq_len`` positions,
    (N, seq_len, vocab_size). keep_order=True concatenates the
    embeddings instead: the same MLP, but it sees where each token is."""

    def __init__(self, vocab_size, num_inputs, seq_len, dim=64,
                 num_hiddens=256, keep_order=False):
        super().__init__()
        self.keep_order, self.num_inputs = keep_order, num_inputs
        self.embed = nn.Embedding(vocab_size, dim)
        width = dim * num_inputs if keep_order else dim
        self.mlp = nn.Sequential(
            nn.Linear(width, num_hiddens), nn.ReLU(),
            nn.Linear(num_hiddens, seq_len * vocab_size))
        self.out_shape = (seq_len, vocab_size)

    def forward(self, tokens):
        x = self.embed(tokens[:, :self.num_inputs])   # (N, num_inputs, dim)
        x = x.flatten(1) if self.keep_order else x.sum(dim=1)
        return self.mlp(x).view(-1, *self.out_shape)


# --- counting by hand (Section 9.5) ----------------------------------------

def num_parameters_by_hand(vocab_size, max_len, dim, num_layers,
                           mlp_ratio=4, positions="learned"):
    """The number of parameters of a TinyTransformer, by formula: the
    embeddings, per block 2 LayerNorms, attention (4 dim² + 4 dim) and
    the MLP, then the last LayerNorm and the head."""
    embeddings = vocab_size * dim + (
        max_len * dim if positions == "learned" else 0)
    attention = 4 * dim * dim + 4 * dim
    mlp = 2 * mlp_ratio * dim * dim + mlp_ratio * dim + dim
    block = 2 * (2 * dim) + attention + mlp
    return embeddings + num_layers * block + 2 * dim + dim * vocab_size \
        + vocab_size


def flops_per_token(vocab_size, context, dim, num_layers, mlp_ratio=4):
    """FLOPs of one forward pass per token, for sequences of ``context``
    tokens: 2 FLOPs per multiply-add of every matrix product (the
    projections, q kᵀ and the weights times v over the whole L × L
    score matrix, the MLP and the head); sums, softmax, norms and
    biases are left out."""
    projections = 2 * (4 * dim * dim + 2 * mlp_ratio * dim * dim)
    attention = 2 * 2 * context * dim
    return num_layers * (projections + attention) + 2 * dim * vocab_size


# --- sampling (Section 9.7) ------------------------------------------------

@torch.no_grad()
def generate(model, prompt, num_new, temperature=1.0, top_k=None,
             seed=None):
    """Extend ``prompt`` (L,) token ids by ``num_new`` tokens sampled from
    the model's softmax(scores / temperature), over the ``top_k`` likeliest
    tokens only if given; temperature 0 takes the likeliest. The model
    reads at most its last max_len tokens. Returns (L + num_new,) int64."""
    validate_generate(model, prompt, num_new, temperature, top_k, seed)
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    model.eval()
    device = next(model.parameters()).device
    tokens = prompt.long().to(device)
    for _ in range(num_new):
        scores = model(tokens[-model.max_len:][None])[0, -1].cpu()
        tokens = torch.cat([tokens, next_token(scores, temperature, top_k,
                                               gen).to(device)])
    return tokens.cpu()


def next_token(scores, temperature=1.0, top_k=None, generator=None):
    """One token id (1,) int64 drawn from scores (vocab_size,)."""
    if temperature == 0:
        return scores.argmax().view(1)
    if top_k is not None:
        cut = scores.topk(top_k).values[-1]
        scores = scores.masked_fill(scores < cut, float("-inf"))
    probs = torch.softmax(scores / temperature, dim=-1)
    return torch.multinomial(probs, 1, generator=generator)
