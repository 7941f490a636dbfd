"""Copying and pickling Values: whole graphs, without recursion, with fresh creation numbers.

A copied node gets a new creation number (`_seq`) in the same order as the
originals, so backward through a copy runs in a right topological order and
never mixes the copy's nodes up with the original's.

Pickle and `copy.deepcopy` both walk an object's references depth first,
which would recurse once per node of a long chain. So the first interior
node met hands over, ahead of its own fields, the list of every interior node
below it, producers first: by the time each of those is reduced, its parents
have already been written, and the walk never goes deeper than one node.
A rule is pickled by its name and looked up again in the rule table.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .backward import interior_order, note_written
from .rules import LEAF, RULES

if TYPE_CHECKING:
    from .value import Value

_flattening = threading.local()


def _pending() -> dict[int, Value]:
    try:
        return _flattening.nodes
    except AttributeError:
        _flattening.nodes = {}
        return _flattening.nodes


def reduce(v: Value) -> tuple:
    """`Value.__reduce_ex__`: rebuild from plain fields; the nodes below go first."""
    fields = (v.data, v.grad, v.label, v._rule.name, v._arg, v.parents)
    pending = _pending()
    if not v.parents or pending.pop(id(v), None) is v:
        return (rebuild, ((), *fields))
    below = interior_order(v)[:0:-1]  # every interior node under v, producers first
    _flattening.nodes = {id(n): n for n in below}
    return (rebuild, (below, *fields))


def rebuild(
    below: object,
    data: float,
    grad: float,
    label: str,
    op: str,
    arg: float | None,
    parents: tuple[Value, ...],
) -> Value:
    """A Value from its fields; an interior one gets the next creation number."""
    from .value import NO_INTERIOR, Value, _next_seq

    out = object.__new__(Value)
    out.data, out.grad, out.parents, out._extra = data, grad, tuple(parents), arg
    out._rule = RULES[op] if op else LEAF
    out._seq = _next_seq() if parents else 0
    out._low = min([out._seq, *(p._low for p in parents)]) if parents else NO_INTERIOR
    out.label = label
    if parents and grad:
        note_written(out._seq)  # a copied gradient counts as written by a pass
    return out


def shallow_copy(v: Value) -> Value:
    """A new node with the same fields and the same parents, and its own creation number."""
    return rebuild((), v.data, v.grad, v.label, v._rule.name, v._arg, v.parents)


def deep_copy(v: Value, memo: dict[int, object]) -> Value:
    """Copy `v` and everything below it (leaves included) not already in `memo`."""
    if id(v) in memo:
        return memo[id(v)]  # type: ignore[return-value]
    for node in [*_leaves_below(v), *interior_order(v)[::-1]]:
        if id(node) not in memo:
            parents = tuple(memo[id(p)] for p in node.parents)
            memo[id(node)] = rebuild(
                (), node.data, node.grad, node.label, node._rule.name, node._arg, parents
            )
    return memo[id(v)]  # type: ignore[return-value]


def _leaves_below(v: Value) -> list[Value]:
    if not v.parents:
        return [v]
    leaves: dict[int, Value] = {}
    for node in interior_order(v):
        for p in node.parents:
            if not p.parents:
                leaves[id(p)] = p
    return list(leaves.values())
