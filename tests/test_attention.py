"""MultiheadAttention against torch.nn.MultiheadAttention(batch_first=True) in float64."""

from __future__ import annotations

import math
import random
import re
from collections import Counter

import pytest
import torch

import nn
from autograd import draw_dot, gradcheck
from autograd.viz import trace
from nn.attention import MultiheadAttention, scaled_dot_product_attention
from nn.groups import recorded_keys
from tests.module_reference import (
    assert_data,
    assert_grads,
    assert_parameters,
    assert_state_keys,
    leaves,
    linear_loss,
    torch_linear_loss,
    uniform,
)


def torch_attention(module: torch.nn.MultiheadAttention, x: torch.Tensor, causal: bool):
    steps = x.shape[0]
    mask = torch.triu(torch.ones(steps, steps, dtype=torch.bool), diagonal=1) if causal else None
    batch = x.unsqueeze(0)
    return module(batch, batch, batch, need_weights=False, attn_mask=mask)[0][0]


def randomized(embed_dim: int, num_heads: int, bias: bool, seed: int) -> MultiheadAttention:
    random.seed(seed)
    attn = MultiheadAttention(embed_dim, num_heads, bias=bias)
    rng = random.Random(seed)
    for p in attn.parameters():  # biases away from zero, so their gradients are tested
        p.data = rng.uniform(-1, 1)
    return attn


@pytest.mark.parametrize("num_heads", [1, 2])
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_attention_equals_torch(num_heads, causal, seed):
    rng = random.Random(100 + seed)
    steps, embed_dim = rng.randint(1, 4), num_heads * rng.randint(1, 3)
    ours = randomized(embed_dim, num_heads, bias=seed != 2, seed=seed)
    theirs = ours.to_torch()
    numbers = uniform(rng, steps, embed_dim)
    x, x_t = leaves(numbers), torch.tensor(numbers, requires_grad=True)
    out, out_t = ours(x, causal=causal), torch_attention(theirs, x_t, causal)
    loss, coefficients = linear_loss(rng, out)
    loss.backward()
    torch_linear_loss([out_t], coefficients).backward()
    assert_data(out, out_t, "output")
    assert_grads(x, x_t, "input")
    assert_parameters(ours, theirs)


def test_causal_position_sees_only_the_past():
    attn = randomized(4, 2, True, 1)
    x = leaves(uniform(random.Random(1), 3, 4))
    sum(attn(x, causal=True)[1]).backward()
    assert all(v.grad == 0.0 for v in x[2])
    assert any(v.grad != 0.0 for v in x[0])


def test_one_position_attends_to_itself_only():
    q = leaves([[1.0, 2.0]])
    v = leaves([[3.0, -4.0]])
    out = scaled_dot_product_attention(q, q, v)
    assert [o.data for o in out[0]] == [3.0, -4.0]


def test_init_layout_and_state_dict_as_torch():
    random.seed(5)
    attn = MultiheadAttention(6, 3)
    theirs = attn.to_torch()
    assert_state_keys(attn, theirs)
    assert [name for name, _ in theirs.named_parameters()] == [
        "in_proj_weight",
        "in_proj_bias",
        "out_proj.weight",
        "out_proj.bias",
    ]
    xavier = math.sqrt(6 / (6 + 18))
    assert all(abs(w.data) <= xavier for row in attn.in_proj_weight for w in row)
    assert all(abs(w.data) <= 1 / math.sqrt(6) for row in attn.out_proj.weight for w in row)
    assert all(b.data == 0.0 for b in attn.in_proj_bias + attn.out_proj.bias)
    random.seed(5)
    assert attn.in_proj_weight[0][0].data == random.uniform(-xavier, xavier)


def test_from_torch_round_trip():
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(4, 2, batch_first=True, dtype=torch.float64)
    torch.nn.init.normal_(theirs.in_proj_bias)
    ours = nn.from_torch(theirs)
    assert ours.num_heads == 2
    assert_parameters(ours, theirs, grads=False)
    back = ours.to_torch()
    for key, value in theirs.state_dict().items():
        assert torch.equal(back.state_dict()[key], value), key
    no_bias = nn.from_torch(torch.nn.MultiheadAttention(4, 1, bias=False))
    assert no_bias.in_proj_bias is None and no_bias.out_proj.bias is None
    with pytest.raises(ValueError, match=r"from_torch: MultiheadAttention with dropout"):
        nn.from_torch(torch.nn.MultiheadAttention(4, 2, dropout=0.1))


def test_errors_name_the_module():
    with pytest.raises(
        ValueError, match=r"MultiheadAttention: embed_dim 10 is not divisible by num_heads 3"
    ):
        MultiheadAttention(10, 3)
    attn = MultiheadAttention(4, 2)
    with pytest.raises(
        ValueError, match=r"expected vectors of size 4 \(embed_dim\), got 3 at position 1"
    ):
        attn([[1, 2, 3, 4], [1, 2, 3]])
    with pytest.raises(ValueError, match=r"MultiheadAttention: expected a non-empty sequence"):
        attn([])


def test_passes_gradcheck():
    attn = randomized(2, 2, True, 3)

    def f(*xs):
        out = attn([list(xs[:2]), list(xs[2:])], causal=True)
        return out[1][0] * out[0][1]

    assert gradcheck(f, [0.2, -0.4, 0.9, 0.3])


def test_each_head_is_a_draw_group():
    attn = randomized(4, 2, True, 4)
    out = attn(leaves(uniform(random.Random(2), 3, 4)))
    nodes = trace(sum(out[2]))
    keys = recorded_keys(attn, nodes)
    sizes = Counter(keys[v] for v in nodes if v in keys and v.op)
    assert set(sizes) == {"head 0", "head 1"}
    assert sizes["head 0"] == sizes["head 1"]
    assert all(v not in keys for v in out[2])  # out_proj mixes the heads: in neither
    scores = [v for v in nodes if keys.get(v) == "head 0" and v.op == "exp"]
    assert len(scores) == 3  # position 2 attends to 3 positions


def test_attention_draws_one_cluster_per_head():
    attn = randomized(2, 2, True, 0)
    out = attn([[1.0, 2.0], [3.0, 1.0]], causal=True)
    source = draw_dot(sum(out[1]), groups=attn).source
    assert sorted(re.findall(r'label="?(head \d)', source)) == ["head 0", "head 1"]
