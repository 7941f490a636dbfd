"""`MultiheadAttention`: the Transformer's self-attention on scalar Values, as PyTorch's.

For a sequence x_1..x_T of `embed_dim` numbers, each head h projects every
position to a query, a key and a value of `head_dim = embed_dim / num_heads`
numbers (rows h of `in_proj_weight`'s three blocks), then for each position t

    score_ts  = (q_t . k_s) / sqrt(head_dim)      for every s (s <= t when causal)
    weight_ts = exp(score_ts) / sum_s' exp(score_ts')      (softmax over s)
    out_t     = sum_s weight_ts * v_s

The heads' outputs are joined and `out_proj` (a `Linear`) mixes them. Every
step is an engine op (a `dot` per score and per output number, `exp`, `/`),
so one head's graph can be drawn and stepped through: each head is a draw
group, "head 0", "head 1", ...
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

from autograd import Value
from autograd.fused import dot, matmul

from . import bridge
from .functional import softmax
from .linear import Linear, check_size, uniform_values
from .module import Module
from .recurrent import as_values

Vector = Sequence[Value | Real]


def scaled_dot_product_attention(
    q: list[list[Value]], k: list[list[Value]], v: list[list[Value]], causal: bool = False
) -> list[list[Value]]:
    """softmax(q k^T / sqrt(d)) v for one head, position by position (causal: s <= t only)."""
    scale = 1.0 / math.sqrt(len(q[0]))
    out = []
    for t, q_t in enumerate(q):
        visible = t + 1 if causal else len(k)
        weights = softmax([dot(q_t, k[s]) * scale for s in range(visible)])
        columns = zip(*v[:visible])
        out.append([dot(weights, column) for column in columns])
    return out


class MultiheadAttention(Module):
    """Self-attention as `torch.nn.MultiheadAttention(embed_dim, num_heads, bias=bias,
    batch_first=True)(x, x, x, need_weights=False)`: `attn(x, causal=False)` on T vectors.

    Parameters as PyTorch's: `in_proj_weight[3 * embed_dim][embed_dim]` (the
    query, key and value projections stacked), `in_proj_bias`, and `out_proj`
    (`.weight`, `.bias`). Initialised as PyTorch's: `in_proj_weight`
    Xavier-uniform, `out_proj.weight` uniform(-1/sqrt(embed_dim), ...), the
    biases zero, from Python's global `random`.
    """

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True) -> None:
        self.embed_dim = check_size("MultiheadAttention", "embed_dim", embed_dim)
        self.num_heads = check_size("MultiheadAttention", "num_heads", num_heads)
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim {embed_dim} is not divisible by "
                f"num_heads {num_heads}"
            )
        self.head_dim = embed_dim // num_heads
        xavier_bound = math.sqrt(6.0 / (embed_dim + 3 * embed_dim))
        self.in_proj_weight = uniform_values(xavier_bound, 3 * embed_dim, embed_dim)
        self.in_proj_bias = [Value(0.0) for _ in range(3 * embed_dim)] if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        if bias:
            for b in self.out_proj.bias:
                b.data = 0.0

    def __call__(self, x: Sequence[Vector], causal: bool = False) -> list[list[Value]]:
        xs = self._inputs(x)
        heads = []
        for h in range(self.num_heads):
            with self.draw_group(f"head {h}"):
                q, k, v = (self._project(xs, part, h) for part in range(3))
                heads.append(scaled_dot_product_attention(q, k, v, causal))
        joined = [[value for head in heads for value in head[t]] for t in range(len(xs))]
        return [self.out_proj(row) for row in joined]

    def _project(self, xs: list, part: int, head: int) -> list[list[Value]]:
        """Head `head`'s queries (part 0), keys (1) or values (2) for every position."""
        start = part * self.embed_dim + head * self.head_dim
        rows = self.in_proj_weight[start : start + self.head_dim]
        bias = (
            None if self.in_proj_bias is None else self.in_proj_bias[start : start + self.head_dim]
        )
        return matmul(rows, xs, bias)

    def _inputs(self, x: Any) -> list[list]:
        if not isinstance(x, (list, tuple)) or not x:
            raise ValueError(
                f"MultiheadAttention: expected a non-empty sequence of vectors, got {x!r}"
            )
        for t, x_t in enumerate(x):
            if not isinstance(x_t, (list, tuple)) or len(x_t) != self.embed_dim:
                got = len(x_t) if isinstance(x_t, (list, tuple)) else type(x_t).__name__
                raise ValueError(
                    f"MultiheadAttention: expected vectors of size {self.embed_dim} "
                    f"(embed_dim), got {got} at position {t}"
                )
        return [as_values(x_t, "MultiheadAttention") for x_t in x]

    def __repr__(self) -> str:
        return (
            f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
            f"bias={self.in_proj_bias is not None})"
        )


def _to_torch(m: MultiheadAttention) -> Any:
    torch = bridge.torch()
    bias = m.in_proj_bias is not None
    out = torch.nn.MultiheadAttention(m.embed_dim, m.num_heads, bias=bias, batch_first=True)
    out = out.to(torch.float64)
    with torch.no_grad():
        out.in_proj_weight.copy_(bridge.tensor(m.in_proj_weight))
        out.out_proj.weight.copy_(bridge.tensor(m.out_proj.weight))
        if bias:
            out.in_proj_bias.copy_(bridge.tensor(m.in_proj_bias))
            out.out_proj.bias.copy_(bridge.tensor(m.out_proj.bias))
    return out


def _from_torch(t: Any) -> MultiheadAttention:
    unsupported = {
        "dropout": t.dropout != 0.0,
        "add_bias_kv": t.bias_k is not None,
        "add_zero_attn": t.add_zero_attn,
        "kdim or vdim": not t._qkv_same_embed_dim,
    }
    for name, present in unsupported.items():
        if present:
            raise ValueError(f"from_torch: MultiheadAttention with {name} is not supported")
    bias = t.in_proj_bias is not None
    ours = MultiheadAttention(t.embed_dim, t.num_heads, bias=bias)
    bridge.set_data(ours.in_proj_weight, t.in_proj_weight)
    bridge.set_data(ours.out_proj.weight, t.out_proj.weight)
    if bias:
        bridge.set_data(ours.in_proj_bias, t.in_proj_bias)
        bridge.set_data(ours.out_proj.bias, t.out_proj.bias)
    return ours


bridge.register(MultiheadAttention, "MultiheadAttention", _to_torch, _from_torch)
