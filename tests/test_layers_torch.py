"""Linear, Flatten, Sequential and the activation modules against PyTorch float64.

`check_against_torch` is the one comparison every module test here and in
test_conv.py / test_bridge.py goes through: the same numbers in, outputs, the
input's gradients and every parameter's gradient compared at 1e-9 relative.
"""

from __future__ import annotations

import math
import random
import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value

from .reference import assert_close


def nested(shape: tuple[int, ...], rng: random.Random) -> list:
    """Nested lists of leaf Values, gauss(0, 1), of the given shape."""
    if len(shape) == 1:
        return [Value(rng.gauss(0, 1)) for _ in range(shape[0])]
    return [nested(shape[1:], rng) for _ in range(shape[0])]


def flat(x: object) -> list:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in flat(item)]
    return [x]


def data(x: object) -> object:
    return [data(item) for item in x] if isinstance(x, (list, tuple)) else x.data


def tensor_name(name: str) -> str:
    """Our dotted parameter name without its index: "0.weight.2.1" -> "0.weight"."""
    return re.sub(r"(\.\d+)+$", "", name)


def check_against_torch(model, x, torch_model=None, seed: int = 0, single: bool = False) -> None:
    """model(x) and its gradients equal the torch module's on the batch [x].

    The loss is a random weighting of the outputs, so every output's gradient counts.
    `single`: the model returns one Value (a Neuron) where torch returns a length-1 row.
    """
    torch_model = torch_model if torch_model is not None else model.to_torch()
    rng = random.Random(seed)
    out = model(x)
    outs = [out] if single else flat(out)
    weights = [rng.gauss(0, 1) for _ in outs]
    autograd.dot(outs, weights).backward()

    xt = torch.tensor([data(x)], dtype=torch.float64, requires_grad=True)
    yt = torch_model(xt)[0].flatten()
    (yt * torch.tensor(weights, dtype=torch.float64)).sum().backward()

    assert len(outs) == yt.numel()
    for i, (ours, theirs) in enumerate(zip(outs, yt.tolist())):
        assert_close(ours.data, theirs, f"output {i}")
    for i, (ours, theirs) in enumerate(zip(flat(x), xt.grad.flatten().tolist())):
        assert_close(ours.grad, theirs, f"input grad {i}")
    theirs = [(n, t) for n, t in torch_model.named_parameters()]
    ours = list(model.named_parameters())
    assert len(ours) == sum(t.numel() for _, t in theirs)
    theirs_flat = [(n, g) for n, t in theirs for g in t.grad.flatten().tolist()]
    for (name, p), (torch_name, g) in zip(ours, theirs_flat):
        if not single:
            assert tensor_name(name) == torch_name
        assert_close(p.grad, g, f"grad of {name}")


ACTIVATIONS = [
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    (nn.ELU(), torch.nn.ELU()),
    (nn.ELU(0.5), torch.nn.ELU(0.5)),
    (nn.GELU(), torch.nn.GELU()),
    (nn.GELU("tanh"), torch.nn.GELU(approximate="tanh")),
    (nn.SiLU(), torch.nn.SiLU()),
]


@pytest.mark.parametrize(("ours", "theirs"), ACTIVATIONS, ids=lambda m: repr(m))
def test_activation_modules_elementwise_on_nested_lists(ours, theirs):
    rng = random.Random(1)
    x = nested((2, 3, 4), rng)
    x[0][0][0].data = 0.0  # the kink, as PyTorch
    check_against_torch(ours, x, theirs)
    assert type(ours.to_torch()) is type(theirs)
    assert ours.to_torch().__dict__.get("negative_slope") == theirs.__dict__.get("negative_slope")
    assert ours.to_torch().__dict__.get("alpha") == theirs.__dict__.get("alpha")
    assert ours.to_torch().__dict__.get("approximate") == theirs.__dict__.get("approximate")


def test_activation_of_one_value_and_of_numbers():
    assert nn.ReLU()(Value(-2.0)).data == 0.0
    assert [v.data for v in nn.Tanh()([0, 0.0])] == [0.0, 0.0]
    with pytest.raises(TypeError, match="^ReLU: .*str"):
        nn.ReLU()(["a"])
    with pytest.raises(ValueError, match="^LeakyReLU: negative_slope"):
        nn.LeakyReLU("0.1")
    with pytest.raises(ValueError, match="^GELU: approximate"):
        nn.GELU("erf")


def test_softmax_module_over_a_list():
    x = nested((5,), random.Random(2))
    check_against_torch(nn.Softmax(), x, torch.nn.Softmax(dim=-1))
    with pytest.raises(ValueError, match="^Softmax: expected a non-empty list"):
        nn.Softmax()([])


@settings(max_examples=20, deadline=None)
@given(
    n_in=st.integers(1, 6),
    n_out=st.integers(1, 5),
    bias=st.booleans(),
    seed=st.integers(0, 10**6),
)
def test_linear_equals_torch(n_in, n_out, bias, seed):
    random.seed(seed)
    layer = nn.Linear(n_in, n_out, bias=bias)
    check_against_torch(layer, nested((n_in,), random.Random(seed)), seed=seed)


def test_linear_init_is_torchs_distribution_from_the_global_random():
    random.seed(5)
    layer = nn.Linear(7, 3)
    random.seed(5)
    bound = 1 / math.sqrt(7)
    expected = [random.uniform(-bound, bound) for _ in range(7 * 3 + 3)]
    assert [p.data for p in layer.parameters()] == expected  # weight row by row, then bias
    theirs = torch.nn.Linear(7, 3)
    gain = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5))
    assert_close(bound, gain * math.sqrt(3 / 7), "kaiming_uniform(a=sqrt(5)) bound")
    assert theirs.weight.abs().max().item() <= bound and theirs.bias.abs().max().item() <= bound


def test_linear_shape_errors():
    with pytest.raises(ValueError, match="^Linear: expected 3 inputs, got 2"):
        nn.Linear(3, 2)([1.0, 2.0])
    with pytest.raises(ValueError, match="^Linear: in_features must be a positive int, got 0"):
        nn.Linear(0, 2)


def test_flatten_lists_in_pytorchs_order_without_nodes():
    x = nested((2, 3, 2), random.Random(3))
    out = nn.Flatten()(x)
    assert out == flat(x) and all(v.op == "" for v in out)
    xt = torch.tensor([data(x)])
    assert [v.data for v in out] == torch.nn.Flatten()(xt)[0].tolist()
    with pytest.raises(ValueError, match="^Flatten: expected a .*list, got Value"):
        nn.Flatten()(Value(1.0))


def test_sequential_chain_equals_torch_and_has_its_state_dict_keys():
    random.seed(7)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3), nn.Softmax())
    theirs = model.to_torch()
    assert isinstance(theirs, torch.nn.Sequential) and len(theirs) == 4
    assert sorted({tensor_name(k) for k in model.state_dict()}) == sorted(theirs.state_dict())
    assert "2.weight.1.4" in model.state_dict() and "0.bias.4" in model.state_dict()
    check_against_torch(model, nested((4,), random.Random(8)), theirs)


def test_sequential_indexing_iteration_and_errors():
    a, b, c = nn.ReLU(), nn.Linear(2, 2), nn.Tanh()
    model = nn.Sequential(a, b, c)
    assert len(model) == 3 and list(model) == [a, b, c]
    assert model[1] is b and model[-1] is c and list(model[1:]) == [b, c]
    assert model.parameters() == b.parameters()
    assert "(1): Linear(in_features=2" in repr(model)
    with pytest.raises(IndexError, match="^Sequential: index 3 out of range"):
        model[3]
    with pytest.raises(TypeError, match="^Sequential: entry 1 must be a Module, got int"):
        nn.Sequential(a, 3)
    model.eval()
    assert not b.training
