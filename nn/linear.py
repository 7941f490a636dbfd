"""`Linear` laid out as PyTorch's (`weight[out][in]`, `bias[out]`), `Flatten` and `Sequential`."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
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


class Flatten(Module):
    """One sample's nested lists (`[C][H][W]`) as one flat list, in PyTorch's row-major order.

    No graph nodes: the same Values, listed. Its PyTorch twin is `torch.nn.Flatten()`,
    which keeps the batch dimension: the torch side takes a batch.
    """

    def __call__(self, x: Sequence[Any]) -> list[Value]:
        if not isinstance(x, (list, tuple)):
            raise ValueError(f"Flatten: expected a (nested) list, got {type(x).__name__}")
        flat: list[Value] = []
        _flatten_into(x, flat)
        return flat

    def __repr__(self) -> str:
        return "Flatten()"


def _flatten_into(x: Any, flat: list) -> None:
    for item in x:
        if isinstance(item, (list, tuple)):
            _flatten_into(item, flat)
        else:
            flat.append(item)


class Sequential(Module):
    """Modules applied in turn: `Sequential(Conv2d(1, 4, 3), ReLU(), Flatten(), Linear(36, 3))`.

    The modules are attributes named "0", "1", ... as in PyTorch, so `state_dict()`
    keys are PyTorch's ("0.weight", "3.bias"); index, slice, `len` and iterate it.
    """

    def __init__(self, *modules: Module) -> None:
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: entry {i} must be a Module, got {type(module).__name__}"
                )
            setattr(self, str(i), module)
        self._size = len(modules)

    def __call__(self, x: Any) -> Any:
        for module in self:
            x = module(x)
        return x

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Module]:
        return (getattr(self, str(i)) for i in range(self._size))

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return Sequential(*list(self)[index])
        if not -self._size <= index < self._size:
            raise IndexError(f"Sequential: index {index} out of range for {self._size} modules")
        return getattr(self, str(index % self._size))

    def __repr__(self) -> str:
        lines = "".join(f"\n  ({i}): {m!r}" for i, m in enumerate(self))
        return f"Sequential({lines}\n)"


def _flatten_from_torch(t: Any) -> Flatten:
    if (t.start_dim, t.end_dim) != (1, -1):
        raise ValueError(
            f"from_torch: Flatten(start_dim={t.start_dim}, end_dim={t.end_dim}) has no "
            "equivalent; chainrule's Flatten is torch.nn.Flatten() (start_dim=1, end_dim=-1)"
        )
    return Flatten()


def _sequential_to_torch(m: Sequential) -> Any:
    return bridge.torch().nn.Sequential(*(bridge.to_torch(sub) for sub in m))


def _sequential_from_torch(t: Any) -> Sequential:
    return Sequential(*(bridge.from_torch(sub) for sub in t))


bridge.register(Flatten, "Flatten", lambda m: bridge.torch().nn.Flatten(), _flatten_from_torch)
bridge.register(Sequential, "Sequential", _sequential_to_torch, _sequential_from_torch)
