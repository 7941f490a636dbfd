"""The step-through: `root.backward()` one node at a time, each step shown.

Each step is one node's turn in the chain rule: its gradient so far (the
upstream gradient) times each local gradient from the rule table is the
amount added to that parent's gradient. Where a parent has several consumers
(a fork, or fan-out), the amounts of their steps add up.

Every step-through starts from a clean slate, as a worked example on paper
does: all gradients under the root, the leaves' included, are set to 0 before
the root is seeded with 1. So `step_table(f)` after `f.backward()` shows the
same numbers as the first pass, and leaves each gradient as one pass from zero
leaves it (where `backward()` itself would add a second pass into the leaves).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass

from .backward import interior_order, propagate
from .value import Value


def name_of(v: Value) -> str:
    """A short name for a Value in a worked example: its label, else its op or number."""
    if v.label:
        return v.label
    return f"[{v.op}]" if v.op else f"{v.data:g}"


def _num(x: float) -> str:
    return f"{x:.6g}"


@dataclass(frozen=True)
class Contribution:
    """What one parent edge received in a step: upstream * local = amount."""

    parent: Value
    local: float
    formula: str
    amount: float


@dataclass(frozen=True)
class Step:
    """One node's step of the chain rule, already applied when you see it."""

    node: Value
    upstream: float
    contributions: tuple[Contribution, ...]

    def __str__(self) -> str:
        parts = [
            f"{name_of(c.parent)} += {_num(self.upstream)} × {_num(c.local)} = {_num(c.amount)}"
            f"  ({c.formula})"
            for c in self.contributions
        ]
        head = f"{name_of(self.node)} ({self.node.op}), upstream {_num(self.upstream)}"
        return f"{head}: " + "; ".join(parts)


def backward_steps(root: Value) -> Iterator[Step]:
    """Yield one applied `Step` per non-leaf node, in the order `backward()` visits them.

    Every gradient under `root`, leaves included, is reset to 0 first and the
    root seeded with 1 (a leaf root has no steps). Running it to the end leaves
    every gradient exactly as `root.backward()` would from zero gradients, so
    running it twice shows the same numbers twice.
    """
    for node in seed(root):
        yield take_step(node)


def seed(root: Value) -> list[Value]:
    """Start a pass from a clean slate: zero every gradient under `root`, seed the root with 1.

    Returns the non-leaf nodes to step, in the order `backward()` visits them.
    """
    order = interior_order(root)
    for node in order:
        node.grad = 0.0
        for parent in node.parents:
            parent.grad = 0.0
    root.grad = 1.0
    return order


def take_step(node: Value) -> Step:
    """Apply one node's step of the chain rule and describe it."""
    upstream = node.grad
    locals_, amounts = propagate(node)
    rule, arity = node._rule, len(node.parents)
    contributions = tuple(
        Contribution(parent, local, rule.formula(i, arity), amount)
        for i, (parent, local, amount) in enumerate(zip(node.parents, locals_, amounts))
    )
    return Step(node, upstream, contributions)


class StepTable(list):
    """All steps of a backward pass, shown as a worked example (text or HTML)."""

    COLUMNS = ("step", "node", "upstream", "× local", "= amount", "to", "sum so far", "rule")

    def rows(self) -> Iterator[tuple[str, ...]]:
        grads: dict[int, float] = {}
        for k, step in enumerate(self, 1):
            for c in step.contributions:
                grads[id(c.parent)] = grads.get(id(c.parent), 0.0) + c.amount
                yield (
                    str(k),
                    f"{name_of(step.node)} ({step.node.op})",
                    _num(step.upstream),
                    _num(c.local),
                    _num(c.amount),
                    name_of(c.parent),
                    _num(grads[id(c.parent)]),
                    c.formula,
                )

    def __str__(self) -> str:
        rows = [self.COLUMNS, *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self.COLUMNS))]
        return "\n".join(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows
        )

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
            for row in self.rows()
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def step_table(root: Value) -> StepTable:
    """Run the whole step-through (from zero gradients) and return its steps as a table."""
    return StepTable(backward_steps(root))
