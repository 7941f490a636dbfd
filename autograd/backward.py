"""The backward pass: the chain rule in reverse creation order, iteratively.

Every node gets a sequence number when it is built; its parents always have
smaller ones, so visiting nodes from the largest number down is a topological
order (consumers before producers) with no sort and no recursion.

After `backward()` every interior node under the root holds this pass's
gradient, 0.0 included, whatever earlier passes left. Work is skipped only
where it changes no number, decided per node in each pass:
- a node sent exactly zero, whose value is finite and whose rule promises
  finite local gradients for a finite value (`Rule.finite_locals`), sends
  exactly zero: its local gradients are not computed;
- a subgraph sent only zeros is not visited at all when no pass has written
  a gradient below it (every op result in it is newer than the last write:
  `Value._low`) and nothing in it is non-finite (`note_nonfinite`): every
  gradient in it is still the 0.0 it was built with. So a satisfied hinge
  margin or a dead ReLU costs nothing below it, as in code derived by hand.
Otherwise the subgraph is walked and set to 0.0, and PyTorch's 0 * inf = nan
flows on. Only the nodes of the graph at hand decide: an overflow or a pass
elsewhere in the process changes neither a later result nor its speed.

`backward()`, `Value._backward()` and the step-through all apply the same
step: parent.grad += upstream * local, with `local` from the rule table.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from heapq import heappop, heappush
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value


def interior_order(root: Value) -> list[Value]:
    """The non-leaf nodes under `root` (itself included), consumers first.

    The order in which `backward()` visits them: decreasing creation number.
    """
    if not root.parents:
        return []
    seen = {root}
    stack = [root]
    while stack:
        for parent in stack.pop().parents:
            if parent.parents and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=_creation, reverse=True)


def _creation(node: Value) -> int:
    return node._seq


_runs_from: list[int] = []
_runs_to: list[int] = []
"""Creation numbers of the nodes built with a non-finite value or local gradient, as sorted,
disjoint runs `_runs_from[i]..._runs_to[i]`. A run may also cover finite nodes built in
between (at most `RUN_GAP` apart): that only makes backward walk a little more, and keeps
a diverged training run, where nearly every node is nan, at one run per step."""

RUN_GAP = 64

_written = [0]
"""`_written[0]`: the largest creation number of any node a pass may have written a
gradient to. A subgraph whose op results are all newer holds no earlier pass's
gradient: every one of them still has the 0.0 it was built with."""


def note_nonfinite(seq: int) -> None:
    """Called by `Value` when it builds a node with a non-finite value or local gradient."""
    if _runs_to and 0 <= seq - _runs_to[-1] <= RUN_GAP:
        _runs_to[-1] = seq  # the latest run goes on
    elif not _runs_to or seq > _runs_to[-1]:
        _runs_from.append(seq)
        _runs_to.append(seq)
    else:  # another thread's node, built in between: a run of its own, in order
        i = bisect_right(_runs_from, seq)
        if i == 0 or _runs_to[i - 1] < seq:
            _runs_from.insert(i, seq)
            _runs_to.insert(i, seq)


def note_written(seq: int) -> None:
    """A pass (or one node's step) is about to write gradients at or below `seq`."""
    if seq > _written[0]:
        _written[0] = seq


def untouched_and_finite(node: Value, written: int) -> bool:
    """True when no pass has written below `node` and nothing below it is non-finite.

    Then sending it zero changes nothing below it: every gradient there is
    still 0.0 and stays 0.0, and no 0 * inf = nan can arise.
    """
    low = node._low
    if low <= written:
        return False
    i = bisect_right(_runs_from, node._seq) - 1  # the last run starting at or below node
    return i < 0 or _runs_to[i] < low


def propagate(node: Value) -> tuple[Sequence[float], list[float]]:
    """One node's step of the chain rule: parent.grad += node.grad * local, for each parent.

    Returns the local gradients and the amounts added.
    """
    note_written(node._seq)
    upstream = node.grad
    locals_ = node._rule.local(node)
    amounts = [upstream * local for local in locals_]
    for parent, amount in zip(node.parents, amounts):
        parent.grad += amount
    return locals_, amounts


def backward(root: Value) -> None:
    """Seed `root` with 1 and send gradients back to every node below it.

    Leaves accumulate into `.grad`; an interior node's gradient is set by the
    first amount this pass sends it, so it holds this pass's gradient.
    """
    if not root.parents:
        root.grad += 1.0
        return
    written = _written[0]
    note_written(root._seq)
    root.grad = 1.0
    base = root._low
    if root._seq - base > DENSE_SPAN:
        _backward_heap(root, written)
        return
    # by creation number minus `base`: the nodes this pass has reached, visited from the top
    reached: list[Value | None] = [None] * (root._seq - base + 1)
    reached[-1] = root
    for node in reversed(reached):
        if node is None:
            continue
        upstream = node.grad
        if not upstream:
            data = node.data
            if data - data == 0.0 and node._rule.finite_locals:
                for parent in node.parents:  # every amount is exactly 0: see `_send_zero`
                    if parent.parents and reached[parent._seq - base] is None:
                        if not untouched_and_finite(parent, written):
                            parent.grad = 0.0
                            reached[parent._seq - base] = parent
                continue
        for parent, local in zip(node.parents, node._rule.local(node)):
            if not parent.parents or reached[parent._seq - base] is not None:
                parent.grad += upstream * local
            else:
                amount = upstream * local
                if amount or not untouched_and_finite(parent, written):
                    parent.grad = 0.0 + amount  # as reset-then-add: -0.0 becomes 0.0
                    reached[parent._seq - base] = parent


DENSE_SPAN = 1 << 23
"""Above this many creation numbers between a graph's oldest op result and its
root (an old node reused), backward keeps the reached nodes in a heap instead
of a list indexed by creation number."""


def _backward_heap(root: Value, written: int) -> None:
    queued = {root._seq: root}  # by creation number: every node this pass has reached
    heap = [-root._seq]  # minus the creation numbers still to visit: the largest pops first
    while heap:
        node = queued[-heappop(heap)]
        upstream = node.grad
        if not upstream:
            data = node.data
            if data - data == 0.0 and node._rule.finite_locals:
                _send_zero(node, queued, heap, written)
                continue  # every amount is exactly 0: no local gradient needed
        for parent, local in zip(node.parents, node._rule.local(node)):
            if not parent.parents or parent._seq in queued:
                parent.grad += upstream * local
            else:
                amount = upstream * local
                if amount or not untouched_and_finite(parent, written):
                    parent.grad = 0.0 + amount  # as reset-then-add: -0.0 becomes 0.0
                    queued[parent._seq] = parent
                    heappush(heap, -parent._seq)


def _send_zero(node: Value, queued: dict[int, Value], heap: list[int], written: int) -> None:
    """A node sent exactly zero: its interior parents still get this pass's gradient.

    Leaves gain nothing (adding 0 changes no sum). An interior parent that no
    earlier pass touched and with nothing non-finite below keeps its 0.0 and
    is not visited; any other is set to 0.0 and visited, so nothing below it
    keeps an earlier pass's gradient and PyTorch's 0 * inf = nan flows on.
    """
    for parent in node.parents:
        if (
            parent.parents
            and parent._seq not in queued
            and not untouched_and_finite(parent, written)
        ):
            parent.grad = 0.0
            queued[parent._seq] = parent
            heappush(heap, -parent._seq)
