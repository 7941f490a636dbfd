"""`explain(node, root)`: why a gradient has the value it has, after a backward pass.

A node's gradient is the sum, over every consumer of the node in the graph
under the root, of upstream × local: the consumer's gradient times the local
gradient the rule table gives for that operand. `explain` writes that sum out,
one term per operand edge, with the rule's formula and the numbers in it:

    >>> from autograd import Value, explain
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> q = x + y; q.label = "q"
    >>> f = q * z; f.label = "f"
    >>> f.backward()
    >>> print(explain(q, f))
    q.grad = -4 = (from f: upstream 1 × local z = -4)
      from f = q * z: upstream f.grad = 1, local d(a*b)/da = b = z = -4, amount 1 × -4 = -4

The root is needed because a Value does not store its consumers (only its
parents): the consumers are found by walking the graph under `root`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .backward import interior_order
from .steps import _num, name_of
from .value import Value


@dataclass(frozen=True)
class Share:
    """One operand edge into a consumer: what it sent back to the explained node."""

    consumer: Value
    index: int
    upstream: float
    local: float
    formula: str
    amount: float

    @property
    def local_symbol(self) -> str:
        """The local gradient written with the operands' names (`z` for d(q*z)/dq)."""
        return _in_names(self.formula.split(" = ", 1)[-1], self.consumer)


@dataclass(frozen=True)
class Explanation:
    """The answer to "why is node.grad what it is?": `str()` is text, Jupyter shows HTML.

    `shares` are the terms of the sum in the order `backward()` adds them
    (consumers latest-built first, then operand order), `total` their sum.
    """

    node: Value
    root: Value
    shares: tuple[Share, ...]

    @property
    def total(self) -> float:
        """The sum of the terms; for the root, the 1.0 that `backward()` seeds it with."""
        total = 1.0 if self.node is self.root else 0.0
        for share in self.shares:
            total += share.amount
        return total

    def summary(self) -> str:
        """The one-line sum: `q.grad = -4 = (from f: upstream 1 × local z = -4)`."""
        name = name_of(self.node)
        if self.node is self.root:
            return f"{name}.grad = {_num(self.node.grad)}: {name} is the root, seeded with 1"
        terms = " + ".join(f"({_term(share)})" for share in self.shares)
        return f"{name}.grad = {_num(self.node.grad)} = {terms}"

    def details(self) -> list[str]:
        """One line per term: the consumer, its upstream gradient, the rule and the product."""
        return [_detail(share) for share in self.shares] + self.notes()

    def notes(self) -> list[str]:
        """A note when the gradient is not this sum (a leaf that accumulated several passes)."""
        if self.node is self.root or _same(self.total, self.node.grad):
            return []
        name = name_of(self.node)
        return [
            f"note: the terms add up to {_num(self.total)}, but {name}.grad is "
            f"{_num(self.node.grad)}: a leaf's gradient adds up over backward() passes "
            "(as PyTorch's); set it to 0 before a pass to see one pass alone"
        ]

    def __str__(self) -> str:
        return "\n".join([self.summary(), *("  " + line for line in self.details())])

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.details())
        return (
            '<div class="chainrule-explain">'
            f"<p><code>{html.escape(self.summary())}</code></p>"
            f'<ul style="margin-top:0">{items}</ul></div>'
        )


def explain(node: Value, root: Value) -> Explanation:
    """Explain `node.grad` after `root.backward()` as a sum over the node's consumers.

    `node` may be any Value in the graph under `root` (a leaf, an interior
    node, or the root itself). Raises ValueError when `node` is not in that
    graph, or when `root.grad` is 0 (backward has not run from `root`).
    """
    if not isinstance(node, Value) or not isinstance(root, Value):
        bad = node if not isinstance(node, Value) else root
        raise TypeError(f"explain: expected Values, got {type(bad).__name__}")
    if root.grad == 0:
        raise ValueError(
            f"explain: backward has not run from {name_of(root)} ({name_of(root)}.grad is 0); "
            f"call {name_of(root)}.backward() first"
        )
    consumers = interior_order(root)
    if node is not root and not any(node in c.parents for c in consumers):
        shown = node.label or f"Value(data={node.data})"
        raise ValueError(f"explain: {shown} is not in the graph under {name_of(root)}")
    return Explanation(node, root, tuple(_shares(node, consumers)))


def _shares(node: Value, consumers: list[Value]) -> list[Share]:
    """Every operand edge from `node` into a consumer, in the order backward() adds them."""
    shares = []
    for consumer in consumers:  # consumers first, as backward() visits them
        if node not in consumer.parents:
            continue
        rule, arity = consumer._rule, len(consumer.parents)
        locals_ = rule.local(consumer)
        for i, parent in enumerate(consumer.parents):
            if parent is node:
                upstream, local = consumer.grad, locals_[i]
                formula = rule.formula(i, arity)
                shares.append(Share(consumer, i, upstream, local, formula, upstream * local))
    return shares


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)


def _term(share: Share) -> str:
    symbol = share.local_symbol
    local = symbol if _is_name(symbol) else _num(share.local)
    return (
        f"from {name_of(share.consumer)}: upstream {_num(share.upstream)} × local {local}"
        f" = {_num(share.amount)}"
    )


def _detail(share: Share) -> str:
    consumer = share.consumer
    symbol = share.local_symbol
    local = f"{share.formula} = {symbol} = {_num(share.local)}"
    if _is_number(symbol):  # the formula already ends in the number: d(a+b)/da = 1
        local = share.formula
    return (
        f"from {_expression(consumer)}: upstream {name_of(consumer)}.grad = "
        f"{_num(share.upstream)}, local {local}, amount {_num(share.upstream)} × "
        f"{_num(share.local)} = {_num(share.amount)}"
    )


_NAME = re.compile(r"[A-Za-z_][\w.]*")


def _is_name(text: str) -> bool:
    return bool(_NAME.fullmatch(text)) and text not in ("slope", "alpha")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_SYMBOL = re.compile(r"\b([abcx])(?:_(\d+))?\b")


def _in_names(text: str, consumer: Value) -> str:
    """A formula's right-hand side with a, b, a_i, b_i, c, x_i replaced by the operands' names."""
    names = _operand_names(consumer)

    def swap(match: re.Match[str]) -> str:
        return names.get(match.group(0), match.group(0))

    text = _SYMBOL.sub(swap, text)
    if isinstance(consumer._arg, float):  # leaky_relu's slope, elu's alpha
        for word in ("slope", "alpha"):
            text = re.sub(rf"\b{word}\b", _num(consumer._arg), text)
    return text


def _operand_names(consumer: Value) -> dict[str, str]:
    """The letters a formula uses for each operand of `consumer`, mapped to their names."""
    parents = [name_of(p) for p in consumer.parents]
    op = consumer.op
    if op == "dot":
        n = len(parents) // 2
        names = {f"a_{i}": parents[i] for i in range(n)}
        names.update({f"b_{i}": parents[n + i] for i in range(n)})
        if len(parents) > 2 * n:
            names["c"] = parents[-1]
        return names
    if op in ("sum", "max", "min"):
        return {f"x_{i}": name for i, name in enumerate(parents)}
    names = dict(zip("ab", parents))
    if op == "**" and len(parents) == 1:
        names["b"] = _num(consumer._arg)
    return names


_INFIX = {"+", "-", "*", "/", "**"}


def _expression(consumer: Value) -> str:
    """The consumer as its operands' names: `f = q * z`, `[tanh] = tanh(n)`."""
    parents = [name_of(p) for p in consumer.parents]
    op = consumer.op
    if op in _INFIX:
        right = parents[1] if len(parents) > 1 else _num(consumer._arg)
        body = f"{parents[0]} {op} {right}"
    elif op == "neg":
        body = f"-{parents[0]}"
    else:
        shown = parents if len(parents) <= 6 else [*parents[:5], "..."]
        body = f"{op}({', '.join(shown)})"
    return f"{name_of(consumer)} = {body}"
