"""`Linear`: a fully connected layer laid out as PyTorch's (`weight[out][in]`, `bias[out]`)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from numbers import Real
from typing import Any

from autograd import Value
from autograd.fused import matvec

from . import bridge
from .module import Module


def uniform_values(bound: float, *shape: int) -> Any:
    """Nested lists of Values drawn uniform(-bound, bound) from the global `random`, row-major.

    PyTorch's default initialisation for Linear, Conv and the recurrent layers.
    """
    if len(shape) == 1:
        return [Value(random.uniform(-bound, bound)) for _ in range(shape[0])]
    return [uniform_values(bound, *shape[1:]) for _ in range(shape[0])]


def check_size(module: str, name: str, n: object) -> int:
    """A layer width: a positive int, else ValueError naming the module."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{module}: {name} must be a positive int, got {n!r}")
    return n


class Linear(Module):
    """y = W x + b, each output one fused `dot` node.

    Initialised as PyTorch's: weight and bias uniform(-1/sqrt(in), 1/sqrt(in)),
    drawn weight first (row by row), then bias, from Python's global `random`.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        self.in_features = check_size("Linear", "in_features", in_features)
        self.out_features = check_size("Linear", "out_features", out_features)
        bound = 1.0 / math.sqrt(in_features)
        self.weight = uniform_values(bound, out_features, in_features)
        self.bias = uniform_values(bound, out_features) if bias else None

    def __call__(self, x: Sequence[Value | Real]) -> list[Value]:
        if len(x) != self.in_features:
            raise ValueError(f"Linear: expected {self.in_features} inputs, got {len(x)}")
        return matvec(self.weight, x, self.bias)

    def __repr__(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None})"
        )


def _linear_to_torch(m: Linear) -> Any:
    torch = bridge.torch()
    out = torch.nn.Linear(m.in_features, m.out_features, bias=m.bias is not None)
    out = out.to(torch.float64)
    with torch.no_grad():
        out.weight.copy_(bridge.tensor(m.weight))
        if m.bias is not None:
            out.bias.copy_(bridge.tensor(m.bias))
    return out


def _linear_from_torch(t: Any) -> Linear:
    ours = Linear(t.in_features, t.out_features, bias=t.bias is not None)
    bridge.set_data(ours.weight, t.weight)
    if t.bias is not None:
        bridge.set_data(ours.bias, t.bias)
    return ours


bridge.register(Linear, "Linear", _linear_to_torch, _linear_from_torch)
