"""The bridge to PyTorch: `Module.to_torch()` and `nn.from_torch(module)`.

The only place in `nn` that imports torch, and only when a conversion is
asked for; the core keeps no runtime dependency. Each module family registers
its pair of converters here with `register`, from its own file, so adding a
module is adding one `register` call beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import Value

_TO_TORCH: dict[type, Callable[[Any], Any]] = {}
_FROM_TORCH: dict[str, Callable[[Any], Any]] = {}


def torch() -> Any:
    """The torch module, or an ImportError that names it."""
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            "the PyTorch bridge needs torch: pip install torch (chainrule's tests pin 2.13.0)"
        ) from error
    return torch


def register(
    ours: type, torch_name: str, to: Callable[[Any], Any], from_: Callable[[Any], Any]
) -> None:
    """Teach the bridge one module: `to(our_module)` and `from_(torch_module)`.

    `torch_name` is the `torch.nn` class name that `from_torch` dispatches on.
    """
    _TO_TORCH[ours] = to
    _FROM_TORCH[torch_name] = from_


def to_torch(module: Any) -> Any:
    """The equivalent float64 `torch.nn` module, with identical numbers."""
    torch()
    for cls in type(module).__mro__:
        if cls in _TO_TORCH:
            return _TO_TORCH[cls](module)
    raise TypeError(f"to_torch: no PyTorch equivalent known for {type(module).__name__}")


def from_torch(module: Any) -> Any:
    """Our module equal to a `torch.nn` module (its numbers copied, index for index)."""
    torch()
    name = type(module).__name__
    if name not in _FROM_TORCH:
        known = ", ".join(sorted(_FROM_TORCH))
        raise TypeError(f"from_torch: no chainrule module for torch.nn.{name}; known: {known}")
    return _FROM_TORCH[name](module)


def tensor(values: Any) -> Any:
    """A float64 tensor of the `.data` of a (nested) list of Values or floats."""
    return torch().tensor(_data(values), dtype=torch().float64)


def parameter(values: Any) -> Any:
    """A float64 `torch.nn.Parameter` holding the data of (nested) Values."""
    return torch().nn.Parameter(tensor(values))


def values(t: Any) -> Any:
    """Nested lists of fresh leaf Values holding a tensor's numbers (float64)."""
    return _lift(t.detach().to(torch().float64).tolist())


def set_data(ours: Any, t: Any) -> None:
    """Copy a tensor's numbers into existing (nested) Values, index for index."""
    numbers = t.detach().to(torch().float64).tolist()
    _assign(ours, numbers)


def _data(x: Any) -> Any:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, (list, tuple)):
        return [_data(item) for item in x]
    return float(x)


def _lift(x: Any) -> Any:
    return [_lift(item) for item in x] if isinstance(x, list) else Value(x)


def _assign(ours: Any, numbers: Any) -> None:
    if isinstance(ours, Value):
        ours.data = float(numbers)
        return
    if len(ours) != len(numbers):
        raise ValueError(f"from_torch: shape mismatch, {len(ours)} != {len(numbers)}")
    for o, n in zip(ours, numbers):
        _assign(o, n)
