"""The derivative-rule table: the only place in chainrule that knows a derivative.

Each op has one `Rule`: how its result is computed from its operands (`forward`),
the local gradient d(result)/d(operand) for each parent, read off the finished node
(`local`), and the formula text a learner reads for each operand (`formulas`).
`Value` builds nodes with `forward`; `backward()`, the step-through and the graph
renderer all read `local` and `formulas`. Adding an op is adding one entry here
and one line in `value.py` that builds its node.

Local gradients are computed when backward reaches a node, not when it is built:
a graph that is never differentiated (evaluation, `no_grad`) pays nothing for
them, and a node whose upstream gradient is zero need not compute them at all.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value

INF = math.inf
NAN = math.nan


@dataclass(frozen=True, slots=True)
class Rule:
    """One op of the table.

    name: the node's `.op` (the operator symbol or the method name).
    forward: computes the result from the operands' data (and the node's
        constant argument, for ops that keep one).
    local: given the finished node, returns one local gradient per parent.
    formulas: the learner's text, one per operand; for an n-ary op, one per
        group of operands, `{i}` standing for the index within the group.
    finite_locals: True when finite operands and a finite result guarantee
        finite local gradients. False (pow, div, log: think 0 ** 0.5) makes the
        engine check each new node's local gradients, so that backward knows
        when PyTorch's 0 * inf = nan must flow (see `grad_mode.exact_zeros`).
    group_of: for an n-ary op, maps (parent index, number of parents) to
        (index into `formulas`, index within that group).
    """

    name: str
    forward: Callable[..., float]
    local: Callable[[Value], Sequence[float]]
    formulas: tuple[str, ...]
    finite_locals: bool = True
    group_of: Callable[[int, int], tuple[int, int]] | None = None

    def formula(self, index: int, arity: int) -> str:
        """The formula text for the parent at `index` of a node with `arity` parents."""
        if self.group_of is None:
            return self.formulas[index]
        group, i = self.group_of(index, arity)
        return self.formulas[group].format(i=i)


# --- forward helpers: domain errors name the op and show the offending value ---


def _div(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(f"/: division by zero, got a = {a!r}, b = {b!r}")
    return a / b


def _power(a: float, b: float) -> float:
    """a ** b as PyTorch computes it: an overflow is a signed inf, 0 ** -k is inf."""
    try:
        return a**b
    except OverflowError:
        negative = a < 0 and float(b).is_integer() and b % 2 == 1
        return -INF if negative else INF
    except ZeroDivisionError:
        return INF


def _pow(a: float, b: float) -> float:
    if a == 0 and b < 0:
        raise ValueError(f"**: 0 cannot be raised to a negative power, got a = {a!r}, b = {b!r}")
    if a < 0 and math.isfinite(b) and not float(b).is_integer():
        raise ValueError(f"**: a negative base needs an integer exponent, got a = {a!r}, b = {b!r}")
    return _power(a, b)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def _log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log: needs x > 0, got x = {x!r}")
    return math.log(x)


def _relu(x: float) -> float:
    return 0.0 if x <= 0 else x  # nan stays nan, as PyTorch


def _leaky_relu(x: float, slope: float) -> float:
    return x if x > 0 else x * slope


def _elu(x: float, alpha: float) -> float:
    return x if x > 0 else alpha * math.expm1(x)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # never overflows for x < 0
    return e / (1.0 + e)


def _dot(a: Iterable[float], b: Iterable[float], bias: float | None = None) -> float:
    total = sum(map(operator.mul, a, b))
    return total if bias is None else total + bias


# --- local gradients, read off the finished node ---


def _pow_base_grad(a: float, b: float) -> float:
    """d(a**b)/da = b * a**(b-1); 0 when b == 0, as PyTorch masks it."""
    if b == 0:
        return 0.0
    return b * _power(a, b - 1.0)


def _pow_local(node: Value) -> tuple[float, ...]:
    parents = node.parents
    a = parents[0].data
    if len(parents) == 1:  # a number exponent, kept by the node
        return (_pow_base_grad(a, node._arg),)
    b = parents[1].data
    if a == 0 and b >= 0:
        exponent_grad = 0.0
    elif a < 0:
        exponent_grad = NAN
    else:
        exponent_grad = node.data * math.log(a)
    return (_pow_base_grad(a, b), exponent_grad)


def _mul_local(node: Value) -> tuple[float, float]:
    a, b = node.parents
    return (b.data, a.data)


def _div_local(node: Value) -> tuple[float, float]:
    a, b = node.parents
    b = b.data
    return (1.0 / b, -a.data / (b * b))


def _sum_local(node: Value) -> tuple[float, ...]:
    return (1.0,) * len(node.parents)


def _dot_local(node: Value) -> list[float]:
    """b for each a_i, a for each b_i, and 1 for the bias when there is one (odd count)."""
    data = [p.data for p in node.parents]
    n = len(data) // 2
    if len(data) % 2:
        return data[n : 2 * n] + data[:n] + _ONE
    return data[n:] + data[:n]


def _dot_group(index: int, arity: int) -> tuple[int, int]:
    n = arity // 2
    if index < n:
        return 0, index
    return (1, index - n) if index < 2 * n else (2, 0)


def _sigmoid_local(node: Value) -> tuple[float]:
    y = node.data
    return ((1.0 - y) * y,)


def _tanh_local(node: Value) -> tuple[float]:
    y = node.data
    return (1.0 - y * y,)


def _elu_local(node: Value) -> tuple[float]:
    x = node.parents[0].data
    return (1.0 if x > 0 else node._arg * math.exp(x),)


_ONE = [1.0]
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)


LEAF = Rule("", forward=float, local=lambda node: (), formulas=())
ADD = Rule("+", operator.add, lambda node: _ONE_ONE, ("d(a+b)/da = 1", "d(a+b)/db = 1"))
SUB = Rule("-", operator.sub, lambda node: _ONE_MINUS_ONE, ("d(a-b)/da = 1", "d(a-b)/db = -1"))
MUL = Rule("*", operator.mul, _mul_local, ("d(a*b)/da = b", "d(a*b)/db = a"))
DIV = Rule("/", _div, _div_local, ("d(a/b)/da = 1/b", "d(a/b)/db = -a/b**2"), finite_locals=False)
POW = Rule(
    "**",
    _pow,
    _pow_local,
    ("d(a**b)/da = b*a**(b-1)", "d(a**b)/db = a**b*ln(a)"),
    finite_locals=False,
)
NEG = Rule("neg", operator.neg, lambda node: (-1.0,), ("d(-a)/da = -1",))
EXP = Rule("exp", _exp, lambda node: (node.data,), ("d(exp(a))/da = exp(a)",))
LOG = Rule(
    "log",
    _log,
    lambda node: (1.0 / node.parents[0].data,),
    ("d(log(a))/da = 1/a",),
    finite_locals=False,
)
RELU = Rule(
    "relu",
    _relu,
    lambda node: (1.0 if node.data > 0 else 0.0,),
    ("d(relu(a))/da = 1 if a > 0 else 0",),
)
LEAKY_RELU = Rule(
    "leaky_relu",
    _leaky_relu,
    lambda node: (1.0 if node.parents[0].data > 0 else node._arg,),
    ("d(leaky_relu(a))/da = 1 if a > 0 else slope",),
)
ELU = Rule("elu", _elu, _elu_local, ("d(elu(a))/da = 1 if a > 0 else alpha*exp(a)",))
SIGMOID = Rule(
    "sigmoid", _sigmoid, _sigmoid_local, ("d(sigmoid(a))/da = sigmoid(a)*(1-sigmoid(a))",)
)
TANH = Rule("tanh", math.tanh, _tanh_local, ("d(tanh(a))/da = 1-tanh(a)**2",))
SUM = Rule("sum", sum, _sum_local, ("d(sum)/dx_{i} = 1",), group_of=lambda index, n: (0, index))
DOT = Rule(
    "dot",
    _dot,
    _dot_local,
    ("d(a.b+c)/da_{i} = b_{i}", "d(a.b+c)/db_{i} = a_{i}", "d(a.b+c)/dc = 1"),
    group_of=_dot_group,
)

RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (ADD, SUB, MUL, DIV, POW, NEG, EXP, LOG)
    + (RELU, LEAKY_RELU, ELU, SIGMOID, TANH, SUM, DOT)
}
"""Every op by its `.op` name."""
