"""`Module`: parameters, modes and a JSON-ready snapshot of the weights."""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autograd import Value
from autograd.value import too_large


class Module:
    """Base of every layer: micrograd's `parameters()`/`zero_grad()` and PyTorch's modes.

    Parameters and submodules are found in the instance's attributes, in the
    order they were set: a leaf `Value`, a `Module`, or a (nested) list of
    them. `parameters()`, `state_dict()` and the optimizers' parameter indices
    all come from this one walk, `named_parameters()`.
    """

    training: bool = True

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """(dotted name, parameter) pairs, such as ("layers.0.neurons.1.w.0", w)."""
        for name, item in vars(self).items():
            yield from _named(item, prefix + name)

    def parameters(self) -> list[Value]:
        """The parameters of `named_parameters()`, in its order (a faster walk, no names)."""
        found: list[Value] = []
        _collect(self, found)
        return found

    def modules(self) -> Iterator[Module]:
        """This module and every submodule below it."""
        yield self
        for item in vars(self).values():
            for sub in item if isinstance(item, (list, tuple)) else (item,):
                if isinstance(sub, Module):
                    yield from sub.modules()

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def state_dict(self) -> dict[str, float]:
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, float]) -> None:
        """Set every parameter from `state`; strict: keys must match exactly.

        Every value is checked before any is written, so a call that raises
        changes nothing.
        """
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, dict):
            raise ValueError(f"{where}: expected a dict, got {type(state).__name__}")
        params = dict(self.named_parameters())
        for key in state:
            if key not in params:
                raise ValueError(f"{where}: unexpected key {key!r}")
        for key in params:
            if key not in state:
                raise ValueError(f"{where}: missing key {key!r}")
        new_data = {key: _as_float(where, key, state[key]) for key in params}
        for key, p in params.items():
            p.data = new_data[key]

    def draw_group(self, name: str) -> Any:
        """`with self.draw_group("channel 2"):` the nodes built inside draw as one group.

        See `nn.groups` for the protocol; `draw_dot(root, groups=model)` reads it.
        """
        from .groups import draw_group

        return draw_group(self, name)

    def to_torch(self) -> Any:
        """The equivalent float64 `torch.nn` module with identical numbers (see `nn.bridge`)."""
        from .bridge import to_torch

        return to_torch(self)

    def save(self, path: str | Path) -> None:
        """Write the parameters to a JSON file (`state_dict()`)."""
        state = self.state_dict()
        bad = [k for k, v in state.items() if not math.isfinite(v)]
        if bad:
            raise ValueError(f"save: parameter {bad[0]!r} is not finite: {state[bad[0]]!r}")
        Path(path).write_text(json.dumps(state, indent=1))

    def load(self, path: str | Path) -> Module:
        """Read parameters written by `save()`; returns the module."""
        self.load_state_dict(json.loads(Path(path).read_text()))
        return self


def _as_float(where: str, key: str, value: object) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ValueError(f"{where}: {key!r} must be a real number, got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{where}: {key!r} is too large for a float: {too_large(value)}") from None


def _named(item: object, name: str) -> Iterator[tuple[str, Value]]:
    """Parameters under one attribute: a leaf Value, a Module's, or a list's in order.

    Only leaves count: an attribute that holds an op result (`self.out = w * x`)
    is a computed value, not a parameter, as in PyTorch.
    """
    if isinstance(item, Value):
        if _is_parameter(item):
            yield name, item
    elif isinstance(item, Module):
        yield from item.named_parameters(name + ".")
    elif isinstance(item, (list, tuple)):
        for i, sub in enumerate(item):
            yield from _named(sub, f"{name}.{i}")


def _is_parameter(v: Value) -> bool:
    """A leaf: made by the user or an initialiser, not by an op."""
    return not v.op


def _collect(item: object, found: list[Value]) -> None:
    """`_named` without the names: what a training step calls, so kept fast."""
    if isinstance(item, Value):
        if _is_parameter(item):
            found.append(item)
    elif isinstance(item, Module):
        for sub in vars(item).values():
            _collect(sub, found)
    elif isinstance(item, (list, tuple)):
        for sub in item:  # a list of Values, the common case, without a call per Value
            if sub.__class__ is Value:
                if not sub.parents:
                    found.append(sub)
            else:
                _collect(sub, found)
