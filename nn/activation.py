"""Activations as modules: `ReLU`, `Tanh`, `Sigmoid`, `LeakyReLU`, `ELU`, `GELU`, `SiLU`, `Softmax`.

Each element-wise activation applies its `Value` method to every entry of
what it is given: one Value, a list, or nested lists (a conv layer's
`[C][H][W]`), keeping the shape; a number entry becomes a leaf Value first.
`Softmax` works over a list (PyTorch's `Softmax(dim=-1)`). Their PyTorch
twins are the `torch.nn` classes of the same names (see `nn.bridge`).
"""

from __future__ import annotations

from numbers import Real
from typing import Any

from autograd import Value
from autograd.value import constant

from . import bridge
from .functional import softmax
from .module import Module


def _lift(x: Any, name: str) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, Real) and not isinstance(x, bool):
        return constant(x, name)
    raise TypeError(f"{name}: expected a Value, a number or a list of them, got {type(x).__name__}")


class _Elementwise(Module):
    """An activation applied to each entry of a Value or (nested) list, keeping the shape."""

    def apply(self, v: Value) -> Value:
        raise NotImplementedError

    def __call__(self, x: Any) -> Any:
        if not isinstance(x, (list, tuple)):
            return self.apply(_lift(x, type(self).__name__))
        if x and isinstance(x[0], (list, tuple)):
            return [self(item) for item in x]
        apply = self.apply  # the innermost list: no call per entry beyond the op itself
        return [apply(v) if v.__class__ is Value else self(v) for v in x]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(_Elementwise):
    """max(0, x); its derivative at 0 is 0, as PyTorch's."""

    def apply(self, v: Value) -> Value:
        return v.relu()


class Tanh(_Elementwise):
    def apply(self, v: Value) -> Value:
        return v.tanh()


class Sigmoid(_Elementwise):
    def apply(self, v: Value) -> Value:
        return v.sigmoid()


class LeakyReLU(_Elementwise):
    """x for x > 0, else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = _real("LeakyReLU", "negative_slope", negative_slope)

    def apply(self, v: Value) -> Value:
        return v.leaky_relu(self.negative_slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class ELU(_Elementwise):
    """x for x > 0, else alpha * (exp(x) - 1)."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _real("ELU", "alpha", alpha)

    def apply(self, v: Value) -> Value:
        return v.elu(self.alpha)

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


class GELU(_Elementwise):
    """x * Phi(x) (`approximate="none"`), or its tanh approximation (`"tanh"`)."""

    def __init__(self, approximate: str = "none") -> None:
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def apply(self, v: Value) -> Value:
        return v.gelu(self.approximate)

    def __repr__(self) -> str:
        return f"GELU(approximate={self.approximate!r})"


class SiLU(_Elementwise):
    """x * sigmoid(x), also called swish."""

    def apply(self, v: Value) -> Value:
        return v.silu()


class Softmax(Module):
    """exp(x_i) / sum_j exp(x_j) over a list; PyTorch's `Softmax(dim=-1)`."""

    def __call__(self, x: Any) -> list[Value]:
        if not isinstance(x, (list, tuple)) or not x:
            raise ValueError(f"Softmax: expected a non-empty list, got {x!r}")
        return softmax([_lift(v, "Softmax") for v in x])

    def __repr__(self) -> str:
        return "Softmax(dim=-1)"


def _real(module: str, name: str, x: object) -> float:
    if isinstance(x, bool) or not isinstance(x, Real):
        raise ValueError(f"{module}: {name} must be a real number, got {x!r}")
    return float(x)


# --- the bridge: each activation is the torch.nn class of the same name ---


def _torch_class(name: str) -> Any:
    return getattr(bridge.torch().nn, name)


def _plain(cls: type) -> None:
    name = cls.__name__
    bridge.register(cls, name, lambda m: _torch_class(name)(), lambda t: cls())


for _cls in (ReLU, Tanh, Sigmoid, SiLU):
    _plain(_cls)

bridge.register(
    LeakyReLU,
    "LeakyReLU",
    lambda m: _torch_class("LeakyReLU")(m.negative_slope),
    lambda t: LeakyReLU(t.negative_slope),
)
bridge.register(ELU, "ELU", lambda m: _torch_class("ELU")(m.alpha), lambda t: ELU(t.alpha))
bridge.register(
    GELU,
    "GELU",
    lambda m: _torch_class("GELU")(approximate=m.approximate),
    lambda t: GELU(t.approximate),
)


def _softmax_from_torch(t: Any) -> Softmax:
    if t.dim not in (-1, 1):
        raise ValueError(
            f"from_torch: Softmax over dim {t.dim} has no equivalent; chainrule's Softmax works "
            "over the last dimension (dim=-1, or dim=1 on a batch of lists)"
        )
    return Softmax()


bridge.register(Softmax, "Softmax", lambda m: _torch_class("Softmax")(dim=-1), _softmax_from_torch)
