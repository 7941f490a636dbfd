"""The derivative-rule table: the only place in chainrule that knows a derivative.

Each op has one `Rule`: how its result is computed from its operands (`forward`),
the local gradient d(result)/d(operand) for each parent, read off the finished node
(`local`), the formula text a learner reads for each operand (`formulas`), and the
same forward and local gradients as source text (`forward_src`, `local_src`), which
`autograd.compile` pastes into the code it generates. `Value` builds nodes with
`forward`; `backward()`, the step-through and the graph renderer read `local` and
`formulas`. A test checks that `local_src` computes exactly what `local` does.

Adding an op:
1. its forward and local-gradient functions and its `Rule` here, with formula and
   source text, and the rule in `RULES`;
2. its method in `value.py` (import the rule, one line or a short method at the
   end of `Value`), or its function in `fused.py` for an n-ary op;
3. rows in `tests/test_ops_torch.py` (against PyTorch and finite differences) and
   a line in the README.

Local gradients are computed when backward reaches a node, not when it is built:
a graph that is never differentiated (evaluation, `no_grad`) pays nothing for
them, and a node whose upstream gradient is zero need not compute them at all.
No local-gradient function raises for a node that was built: where PyTorch's
formula divides by zero or takes the log of 0 it gives inf or nan, and so do these.
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
    finite_locals: True when a finite result (`node.data`) guarantees finite
        local gradients, so that a node sent exactly zero sends exactly zero
        and backward may skip its local gradients. False where a finite result
        can have an infinite or nan local gradient (sqrt at 0, pow, div, log):
        PyTorch's 0 * inf = nan must flow there.
    group_of: for an n-ary op, maps (parent index, number of parents) to
        (index into `formulas`, index within that group).
    forward_src: `forward` as a Python expression over `{a}`, `{b}` (the
        operands' values; `{b}` is the kept constant when a node has one parent
        fewer, as `a ** 3`), `{arg}` (the constant argument) and, for an n-ary
        op, one tuple per group named by `groups`. Names starting with `_` are
        this module's functions.
    local_src: `local` as expressions, one per operand, which may also read
        `{out}` (the result). For an n-ary op, one per group: a sequence of the
        group's local gradients, or a plain number standing for each of them.
    groups: the n-ary op's placeholder names, one per group (`("a", "b", "c")`).
    terms: for an n-ary op whose result is a sum added left to right, its start
        and its i-th term as source (`("{c[0]}", "{a[i]} * {b[i]}")`, each group
        a list of names; a start in an empty group is 0.0): the same value,
        written out for short groups.
    """

    name: str
    forward: Callable[..., float]
    local: Callable[[Value], Sequence[float]]
    formulas: tuple[str, ...]
    finite_locals: bool = True
    group_of: Callable[[int, int], tuple[int, int]] | None = None
    forward_src: str = ""
    local_src: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    terms: tuple[str, str] = ()

    def formula(self, index: int, arity: int) -> str:
        """The formula text for the parent at `index` of a node with `arity` parents."""
        if self.group_of is None:
            return self.formulas[index]
        group, i = self.group_of(index, arity)
        return self.formulas[group].format(i=i)


_ONE = [1.0]
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)
_sum = sum
_map = map
_mul = operator.mul
_abs = abs
_math_exp = math.exp
_tanh = math.tanh


def _safe_div(a: float, b: float) -> float:
    """a / b, with PyTorch's signed inf (or nan for 0 / 0) where Python would raise."""
    if b:
        return a / b
    if a != a or a == 0:
        return NAN
    return math.copysign(INF, a) * math.copysign(1.0, b)


def _ln(x: float) -> float:
    """math.log as PyTorch's: -inf at 0, nan below; never raises."""
    if x > 0 or x != x:
        return math.log(x)
    return -INF if x == 0 else NAN


# --- arithmetic ---

LEAF = Rule("", forward=float, local=lambda node: (), formulas=())
ADD = Rule(
    "+",
    operator.add,
    lambda node: _ONE_ONE,
    ("d(a+b)/da = 1", "d(a+b)/db = 1"),
    forward_src="{a} + {b}",
    local_src=("1.0", "1.0"),
)
SUB = Rule(
    "-",
    operator.sub,
    lambda node: _ONE_MINUS_ONE,
    ("d(a-b)/da = 1", "d(a-b)/db = -1"),
    forward_src="{a} - {b}",
    local_src=("1.0", "-1.0"),
)


def _mul_local(node: Value) -> tuple[float, float]:
    a, b = node.parents
    return (b.data, a.data)


MUL = Rule(
    "*",
    operator.mul,
    _mul_local,
    ("d(a*b)/da = b", "d(a*b)/db = a"),
    forward_src="{a} * {b}",
    local_src=("{b}", "{a}"),
)


def _div(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(f"/: division by zero, got a = {a!r}, b = {b!r}")
    return a / b  # Python's float division gives +-inf or 0 on overflow and underflow


def _div_local(node: Value) -> tuple[float, float]:
    """1/b and -(a/b)/b, as PyTorch: -a/(b*b) would overflow or underflow for tiny or huge b."""
    b = node.parents[1].data
    return (_safe_div(1.0, b), _safe_div(-node.data, b))


DIV = Rule(
    "/",
    _div,
    _div_local,
    ("d(a/b)/da = 1/b", "d(a/b)/db = -(a/b)/b"),
    finite_locals=False,
    forward_src="_div({a}, {b})",
    local_src=("_safe_div(1.0, {b})", "_safe_div(-{out}, {b})"),
)


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


def _pow_base_grad(a: float, b: float) -> float:
    """d(a**b)/da = b * a**(b-1); 0 when b == 0, as PyTorch masks it."""
    if b == 0:
        return 0.0
    return b * _power(a, b - 1.0)


def _pow_exponent_grad(a: float, b: float, out: float) -> float:
    """d(a**b)/db = a**b * ln(a); 0 where a == 0 and b >= 0, nan where a < 0 (PyTorch)."""
    if a == 0 and b >= 0:
        return 0.0
    if a < 0:
        return NAN
    return out * _ln(a)


def _pow_local(node: Value) -> tuple[float, ...]:
    parents = node.parents
    a = parents[0].data
    if len(parents) == 1:  # a number exponent, kept by the node
        return (_pow_base_grad(a, node._arg),)
    b = parents[1].data
    return (_pow_base_grad(a, b), _pow_exponent_grad(a, b, node.data))


POW = Rule(
    "**",
    _pow,
    _pow_local,
    ("d(a**b)/da = b*a**(b-1)", "d(a**b)/db = a**b*ln(a)"),
    finite_locals=False,
    forward_src="_pow({a}, {b})",
    local_src=("_pow_base_grad({a}, {b})", "_pow_exponent_grad({a}, {b}, {out})"),
)
NEG = Rule(
    "neg",
    operator.neg,
    lambda node: (-1.0,),
    ("d(-a)/da = -1",),
    forward_src="-{a}",
    local_src=("-1.0",),
)


# --- exp and log ---


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


EXP = Rule(
    "exp",
    _exp,
    lambda node: (node.data,),
    ("d(exp(a))/da = exp(a)",),
    forward_src="_exp({a})",
    local_src=("{out}",),
)


def _log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log: needs x > 0, got x = {x!r}")
    return math.log(x)


LOG = Rule(
    "log",
    _log,
    lambda node: (_safe_div(1.0, node.parents[0].data),),
    ("d(log(a))/da = 1/a",),
    finite_locals=False,
    forward_src="_log({a})",
    local_src=("_safe_div(1.0, {a})",),
)


# --- activations: at a kink and at nan, the derivative PyTorch gives ---


def _relu(x: float) -> float:
    return 0.0 if x <= 0 else x  # nan stays nan, as PyTorch


RELU = Rule(
    "relu",
    _relu,
    lambda node: (0.0 if node.data <= 0 else 1.0,),  # 1 at nan, as PyTorch
    ("d(relu(a))/da = 1 if a > 0 else 0",),
    forward_src="0.0 if {a} <= 0 else {a}",
    local_src=("0.0 if {out} <= 0 else 1.0",),
)


def _leaky_relu(x: float, slope: float) -> float:
    return x if x > 0 else x * slope


LEAKY_RELU = Rule(
    "leaky_relu",
    _leaky_relu,
    lambda node: (1.0 if node.parents[0].data > 0 else node._arg,),
    ("d(leaky_relu(a))/da = 1 if a > 0 else slope",),
    forward_src="_leaky_relu({a}, {arg})",
    local_src=("1.0 if {a} > 0 else {arg}",),
)


def _elu(x: float, alpha: float) -> float:
    return x if x > 0 else alpha * math.expm1(x)


def _elu_local(node: Value) -> tuple[float]:
    x = node.parents[0].data
    return (node._arg * math.exp(x) if x <= 0 else 1.0,)  # 1 at nan, as PyTorch


ELU = Rule(
    "elu",
    _elu,
    _elu_local,
    ("d(elu(a))/da = 1 if a > 0 else alpha*exp(a)",),
    forward_src="_elu({a}, {arg})",
    local_src=("{arg} * _math_exp({a}) if {a} <= 0 else 1.0",),
)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # never overflows for x < 0
    return e / (1.0 + e)


def _sigmoid_local(node: Value) -> tuple[float]:
    y = node.data
    return ((1.0 - y) * y,)


SIGMOID = Rule(
    "sigmoid",
    _sigmoid,
    _sigmoid_local,
    ("d(sigmoid(a))/da = sigmoid(a)*(1-sigmoid(a))",),
    forward_src="_sigmoid({a})",
    local_src=("(1.0 - {out}) * {out}",),
)


def _tanh_local(node: Value) -> tuple[float]:
    y = node.data
    return (1.0 - y * y,)


TANH = Rule(
    "tanh",
    math.tanh,
    _tanh_local,
    ("d(tanh(a))/da = 1-tanh(a)**2",),
    forward_src="_tanh({a})",
    local_src=("1.0 - {out} * {out}",),
)


def _sign(x: float) -> float:
    """-1, 0 or 1; 0 at 0 and at nan, as PyTorch's abs backward."""
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


ABS = Rule(
    "abs",
    abs,
    lambda node: (_sign(node.parents[0].data),),
    ("d(abs(a))/da = sign(a) (0 at 0)",),
    forward_src="_abs({a})",
    local_src=("_sign({a})",),
)


def _sqrt(x: float) -> float:
    if x < 0:
        raise ValueError(f"sqrt: needs x >= 0, got x = {x!r}")
    return math.sqrt(x)


def _sqrt_grad(y: float) -> float:
    """1 / (2 * sqrt(a)) from y = sqrt(a): inf at 0 (-inf at -0.0), as PyTorch."""
    return _safe_div(1.0, 2.0 * y)


SQRT = Rule(
    "sqrt",
    _sqrt,
    lambda node: (_sqrt_grad(node.data),),
    ("d(sqrt(a))/da = 1/(2*sqrt(a))",),
    finite_locals=False,
    forward_src="_sqrt({a})",
    local_src=("_sqrt_grad({out})",),
)


def _softplus(x: float, arg: tuple[float, float]) -> float:
    """log(1 + exp(beta*x)) / beta, and x itself where beta*x > threshold (PyTorch's)."""
    beta, threshold = arg
    z = x * beta
    return x if z > threshold else math.log1p(_exp(z)) / beta


def _softplus_grad(x: float, arg: tuple[float, float]) -> float:
    beta, threshold = arg
    z = x * beta
    if z > threshold:
        return 1.0
    e = _exp(z)
    return e / (e + 1.0)  # PyTorch's form: nan where exp overflows


SOFTPLUS = Rule(
    "softplus",
    _softplus,
    lambda node: (_softplus_grad(node.parents[0].data, node._arg),),
    ("d(softplus(a))/da = sigmoid(beta*a) (1 past the threshold)",),
    forward_src="_softplus({a}, {arg})",
    local_src=("_softplus_grad({a}, {arg})",),
)

_SQRT1_2 = 0.70710678118654752440  # C's M_SQRT1_2, M_SQRT2 and M_2_SQRTPI, as PyTorch uses
_SQRT2 = 1.41421356237309504880
_2_SQRTPI = 1.12837916709551257390
_GELU_ALPHA = _2_SQRTPI * _SQRT1_2 * 0.5  # 1 / sqrt(2 pi)
_GELU_BETA = _SQRT2 * _2_SQRTPI * 0.5  # sqrt(2 / pi)
_GELU_KAPPA = 0.044715


def _gelu(x: float, approximate: str) -> float:
    """x * Phi(x) with the erf, or the tanh approximation, in PyTorch's float operations."""
    if approximate == "tanh":
        inner = _GELU_BETA * (x + _GELU_KAPPA * (x * x * x))
        return 0.5 * x * (1.0 + math.tanh(inner))
    return x * 0.5 * (1.0 + math.erf(x * _SQRT1_2))


def _gelu_grad(x: float, approximate: str) -> float:
    if approximate == "tanh":
        x_sq = x * x
        t = math.tanh(_GELU_BETA * (x + _GELU_KAPPA * (x_sq * x)))
        inner_grad = _GELU_BETA * (1.0 + 3.0 * _GELU_KAPPA * x_sq)
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * inner_grad
    cdf = 0.5 * (1.0 + math.erf(x * _SQRT1_2))
    pdf = _GELU_ALPHA * math.exp(x * x * -0.5)
    return cdf + x * pdf


GELU = Rule(
    "gelu",
    _gelu,
    lambda node: (_gelu_grad(node.parents[0].data, node._arg),),
    ("d(gelu(a))/da = Phi(a) + a*phi(a)",),
    finite_locals=False,  # the tanh form's formula is nan for |a| > 1e103, as PyTorch's
    forward_src="_gelu({a}, {arg})",
    local_src=("_gelu_grad({a}, {arg})",),
)


def _silu(x: float) -> float:
    return x / (1.0 + _exp(-x))


def _silu_grad(x: float) -> float:
    s = 1.0 / (1.0 + _exp(-x))
    return s * (1.0 + x * (1.0 - s))


SILU = Rule(
    "silu",
    _silu,
    lambda node: (_silu_grad(node.parents[0].data),),
    ("d(silu(a))/da = sigmoid(a)*(1 + a*(1-sigmoid(a)))",),
    forward_src="_silu({a})",
    local_src=("_silu_grad({a})",),
)


# --- fused n-ary ops: one node however many operands ---


def _sum_local(node: Value) -> tuple[float, ...]:
    return (1.0,) * len(node.parents)


SUM = Rule(
    "sum",
    sum,
    _sum_local,
    ("d(sum)/dx_{i} = 1",),
    group_of=lambda index, n: (0, index),
    forward_src="_sum({x})",
    local_src=("1.0",),
    groups=("x",),
    terms=("0.0", "{x[i]}"),
)


def _dot(a: Iterable[float], b: Iterable[float], bias: float | None = None) -> float:
    """bias + a_0*b_0 + a_1*b_1 + ..., added left to right (the sum starts at the bias)."""
    return sum(map(operator.mul, a, b), 0.0 if bias is None else bias)


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


DOT = Rule(
    "dot",
    _dot,
    _dot_local,
    ("d(a.b+c)/da_{i} = b_{i}", "d(a.b+c)/db_{i} = a_{i}", "d(a.b+c)/dc = 1"),
    group_of=_dot_group,
    forward_src="_sum(_map(_mul, {a}, {b}), *{c})",
    local_src=("{b}", "{a}", "1.0"),
    groups=("a", "b", "c"),
    terms=("{c[0]}", "{a[i]} * {b[i]}"),
)


def _first_extreme(xs: Sequence[float], better: Callable[[float, float], bool]) -> int:
    """The index of the first nan, else of the first extreme (as PyTorch's max along a dim)."""
    best = 0
    for i, x in enumerate(xs):
        if x != x:
            return i
        if better(x, xs[best]):
            best = i
    return best


def _max(xs: Sequence[float]) -> float:
    return xs[_first_extreme(xs, operator.gt)]


def _min(xs: Sequence[float]) -> float:
    return xs[_first_extreme(xs, operator.lt)]


def _one_hot(n: int, index: int) -> list[float]:
    locals_ = [0.0] * n
    locals_[index] = 1.0
    return locals_


def _max_mask(xs: Sequence[float]) -> list[float]:
    return _one_hot(len(xs), _first_extreme(xs, operator.gt))


def _min_mask(xs: Sequence[float]) -> list[float]:
    return _one_hot(len(xs), _first_extreme(xs, operator.lt))


MAX = Rule(
    "max",
    _max,
    lambda node: _max_mask([p.data for p in node.parents]),
    ("d(max)/dx_{i} = 1 if x_{i} is the first maximum else 0",),
    group_of=lambda index, n: (0, index),
    forward_src="_max({x})",
    local_src=("_max_mask({x})",),
    groups=("x",),
)
MIN = Rule(
    "min",
    _min,
    lambda node: _min_mask([p.data for p in node.parents]),
    ("d(min)/dx_{i} = 1 if x_{i} is the first minimum else 0",),
    group_of=lambda index, n: (0, index),
    forward_src="_min({x})",
    local_src=("_min_mask({x})",),
    groups=("x",),
)

RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (ADD, SUB, MUL, DIV, POW, NEG, EXP, LOG)
    + (RELU, LEAKY_RELU, ELU, SIGMOID, TANH, ABS, SQRT, SOFTPLUS, GELU, SILU)
    + (SUM, DOT, MAX, MIN)
}
"""Every op by its `.op` name."""
