"""`Value`: one scalar and the node of the computation graph that produced it.

Each operator looks its rule up in `rules.py` and builds one node; the node
keeps its operands (`parents`), its rule and, for ops such as `a ** 3` or
`leaky_relu(0.1)`, a constant argument. No closure and no dict per node.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from itertools import count
from operator import attrgetter

from . import copying, grad_mode
from .backward import backward, note_nonfinite, propagate
from .rules import (
    ABS,
    ADD,
    DIV,
    ELU,
    EXP,
    GELU,
    LEAF,
    LEAKY_RELU,
    LOG,
    MUL,
    NEG,
    POW,
    RELU,
    SIGMOID,
    SILU,
    SOFTPLUS,
    SQRT,
    SUB,
    TANH,
    Rule,
)


def as_float(x: object, where: str, expected: str = "a real number or a Value") -> float:
    """`x` as a Python float if it is a real number (not a bool), else TypeError."""
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        try:
            return float(x)
        except OverflowError:
            raise ValueError(f"{where}: {too_large(x)} is too large for a float") from None
    raise TypeError(f"{where}: expected {expected}, got {type(x).__name__}")


def too_large(x: object) -> str:
    """A number too large for a float, shown short: its first digits and how many there are."""
    text = repr(x)
    digits = text.lstrip("-")
    return text if len(digits) <= 20 else f"{text[:8]}... ({len(digits)} digits)"


_new = object.__new__
_next_seq = count(1).__next__


_LOW = attrgetter("_low")
NO_INTERIOR = 1 << 62
"""A leaf's `_low`: larger than any creation number (a leaf has no interior node below)."""


def oldest_below(values: Iterable[Value]) -> int:
    """The smallest `_low` among `values`: the oldest op result below any of them."""
    return min(map(_LOW, values), default=NO_INTERIOR)


def oldest_in_rows(rows: Iterable[Iterable[Value]]) -> int:
    """`oldest_below` over every entry of every row (a layer's weights), read once each."""
    return min([v._low for row in rows for v in row], default=NO_INTERIOR)


def node(
    data: float,
    parents: tuple[Value, ...],
    rule: Rule,
    arg: object = None,
    low: int | None = None,
) -> Value:
    """A new op result; under `no_grad()` a leaf holding only the data.

    Each recorded result gets the next creation number (backward's order) and
    `_low`, the smallest creation number of any op result below it, itself
    included: backward reads it to know a subgraph no earlier pass has touched.
    `low` is the parents' smallest `_low` when the caller knows it. A result
    whose value, or for rules without `finite_locals` whose local gradients,
    are not finite is noted for backward (`backward.note_nonfinite`).
    """
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    if not grad_mode.disabled_threads or grad_mode.recording():
        out.parents = parents
        out._rule = rule
        out._extra = arg
        out._seq = seq = _next_seq()
        if low is None:
            low = min(map(_LOW, parents), default=NO_INTERIOR)
        out._low = seq if seq < low else low
        if data - data or not rule.finite_locals:
            _check_finite(out)
    else:
        out.parents = ()
        out._rule = LEAF
        out._extra = None
        out._seq = 0
        out._low = NO_INTERIOR
    return out


def _check_finite(out: Value) -> None:
    data = out.data
    if data - data or any(x - x for x in out._rule.local(out)):
        note_nonfinite(out._seq)


def constant(x: object, op_name: str) -> Value:
    """A number operand as a leaf Value (as micrograd draws it); TypeError otherwise."""
    out = _new(Value)
    kind = type(x)
    out.data = (
        x if kind is float else _int_to_float(x, op_name) if kind is int else as_float(x, op_name)
    )
    out.grad = 0.0
    out.parents = ()
    out._rule = LEAF
    out._extra = None
    out._seq = 0
    out._low = NO_INTERIOR
    return out


def _int_to_float(x: int, op_name: str) -> float:
    try:
        return float(x)
    except OverflowError:
        raise ValueError(f"{op_name}: {too_large(x)} is too large for a float") from None


def _binary(rule: Rule) -> Callable[[Value, object], Value]:
    """`self <op> other` for a rule: `node()` written out, as this is the hottest path."""
    forward, name, checks_locals = rule.forward, rule.name, not rule.finite_locals

    def op(self: Value, other: object) -> Value:
        if other.__class__ is not Value:
            other = other if isinstance(other, Value) else constant(other, name)
        data = forward(self.data, other.data)
        if grad_mode.disabled_threads and not grad_mode.recording():
            return node(data, (self, other), rule)
        out = _new(Value)
        out.data = data
        out.grad = 0.0
        out.parents = (self, other)
        out._rule = rule
        out._extra = None
        out._seq = seq = _next_seq()
        low = self._low
        if other._low < low:
            low = other._low
        out._low = low if low < seq else seq
        if data - data or checks_locals:
            _check_finite(out)
        return out

    op.__doc__ = f"self {name} other, one node: " + ", ".join(rule.formulas)
    return op


def _reflected(rule: Rule) -> Callable[[Value, object], Value]:
    """`other <op> self` for a number `other`, which becomes a leaf among the parents."""
    forward, name = rule.forward, rule.name

    def op(self: Value, other: object) -> Value:
        other = constant(other, name)
        return node(forward(other.data, self.data), (other, self), rule, None, self._low)

    op.__doc__ = f"other {name} self, the number a leaf among the parents: " + ", ".join(
        rule.formulas
    )
    return op


def _unary(rule: Rule) -> Callable[[Value], Value]:
    forward = rule.forward

    def op(self: Value) -> Value:
        return node(forward(self.data), (self,), rule, None, self._low)

    op.__doc__ = f"{rule.name}(self), one node: {rule.formulas[0]}"
    return op


class _Labelled:
    """A labelled Value's `_extra`: its label and its op's constant argument."""

    __slots__ = ("label", "arg")

    def __init__(self, label: str, arg: object) -> None:
        self.label = label
        self.arg = arg


class Value:
    """A scalar, its gradient, and the op that made it.

    `data` and `grad` are plain floats; `parents` are the operands in order and
    `op` the op's name (`""` for a leaf). `backward()` fills `grad` throughout the
    graph below this Value.
    """

    __slots__ = ("data", "grad", "parents", "_rule", "_extra", "_seq", "_low")
    __array_ufunc__ = None  # NumPy scalars hand `np.int64(2) * v` to our __rmul__

    def __init__(self, data: numbers.Real, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.data = data if type(data) is float else as_float(data, "Value", "a real number")
        self.grad = 0.0
        self.parents: tuple[Value, ...] = ()
        self._rule = LEAF
        self._extra: object = _Labelled(label, None) if label else None
        self._seq = 0  # creation number; 0 for a leaf
        self._low = NO_INTERIOR

    # --- the label and the op's constant argument share one slot (memory per node) ---

    @property
    def label(self) -> str:
        extra = self._extra
        return extra.label if extra.__class__ is _Labelled else ""

    @label.setter
    def label(self, label: str) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        arg = self._arg
        self._extra = _Labelled(label, arg) if label else arg

    @property
    def _arg(self) -> object:
        """The op's constant argument (`a ** 3` keeps 3.0), or None."""
        extra = self._extra
        return extra.arg if extra.__class__ is _Labelled else extra

    # --- what the node is ---

    @property
    def op(self) -> str:
        return self._rule.name

    @property
    def _op(self) -> str:
        return self._rule.name

    @property
    def _prev(self) -> set[Value]:
        """The parents as a set, as micrograd keeps them."""
        return set(self.parents)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    # --- copies and pickles (see `copying.py`): whole graphs, without recursion ---

    def __reduce_ex__(self, protocol: object) -> tuple:
        return copying.reduce(self)

    def __copy__(self) -> Value:
        return copying.shallow_copy(self)

    def __deepcopy__(self, memo: dict[int, object]) -> Value:
        return copying.deep_copy(self, memo)

    # --- the chain rule ---

    def backward(self) -> None:
        """Fill `.grad` of every Value below this one (see `autograd.backward`)."""
        backward(self)

    def _backward(self) -> None:
        """This node's one step of the chain rule: parent.grad += self.grad * local."""
        propagate(self)

    # --- operators: each builds one node from its rule (`_binary` and friends above) ---

    __add__ = _binary(ADD)
    __radd__ = _reflected(ADD)
    __sub__ = _binary(SUB)
    __rsub__ = _reflected(SUB)
    __mul__ = _binary(MUL)
    __rmul__ = _reflected(MUL)
    __truediv__ = _binary(DIV)
    __rtruediv__ = _reflected(DIV)
    __neg__ = _unary(NEG)

    def __pow__(self, other: Value | numbers.Real) -> Value:
        if isinstance(other, Value):
            return node(POW.forward(self.data, other.data), (self, other), POW)
        exponent = as_float(other, "**")  # a number exponent is kept by the node
        return node(POW.forward(self.data, exponent), (self,), POW, exponent)

    def __rpow__(self, other: numbers.Real) -> Value:
        base = constant(other, "**")
        return node(POW.forward(base.data, self.data), (base, self), POW)

    # --- methods: activations and friends ---

    exp = _unary(EXP)
    log = _unary(LOG)
    relu = _unary(RELU)
    sigmoid = _unary(SIGMOID)
    tanh = _unary(TANH)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        slope = as_float(negative_slope, "leaky_relu")
        return node(LEAKY_RELU.forward(self.data, slope), (self,), LEAKY_RELU, slope)

    def elu(self, alpha: float = 1.0) -> Value:
        alpha = as_float(alpha, "elu")
        return node(ELU.forward(self.data, alpha), (self,), ELU, alpha)

    abs = _unary(ABS)
    __abs__ = abs  # noqa: A003 - builtins' abs(v) gives the same node
    sqrt = _unary(SQRT)
    silu = _unary(SILU)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Value:
        """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold (as PyTorch)."""
        arg = (as_float(beta, "softplus"), as_float(threshold, "softplus"))
        if arg[0] == 0:
            raise ValueError(f"softplus: needs beta != 0, got beta = {arg[0]!r}")
        return node(SOFTPLUS.forward(self.data, arg), (self,), SOFTPLUS, arg)

    def gelu(self, approximate: str = "none") -> Value:
        """x * Phi(x), Phi the normal CDF by erf; approximate="tanh" as PyTorch's."""
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        return node(GELU.forward(self.data, approximate), (self,), GELU, approximate)
