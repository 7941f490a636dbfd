"""The backward pass: the chain rule in reverse creation order, iteratively.

Every node gets a sequence number when it is built; its parents always have
smaller ones, so visiting nodes from the largest number down is a topological
order (consumers before producers) with no sort and no recursion.

`backward()` visits every interior node under the root, so each holds this
pass's gradient (0.0 included) whatever earlier passes left. A node sent
exactly zero skips its local gradients when its value is finite and its rule
promises finite local gradients for a finite value (`Rule.finite_locals`):
then every amount is exactly zero, so a satisfied hinge margin or a dead ReLU
costs only a walk below it. Otherwise its local gradients are computed, so
PyTorch's 0 * inf = nan flows on. The decision is made per node, per pass:
nothing earlier in the process changes a later result.

`backward()`, `Value._backward()` and the step-through all apply the same
step: parent.grad += upstream * local, with `local` from the rule table.
"""

from __future__ import annotations

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


def propagate(node: Value) -> tuple[Sequence[float], list[float]]:
    """One node's step of the chain rule: parent.grad += node.grad * local, for each parent.

    Returns the local gradients and the amounts added.
    """
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
    root.grad = 1.0
    queued = {root._seq: root}  # by creation number: every node this pass has reached
    heap = [-root._seq]  # minus the creation numbers still to visit: the largest pops first
    while heap:
        node = queued[-heappop(heap)]
        upstream = node.grad
        if not upstream:
            data = node.data
            if data - data == 0.0 and node._rule.finite_locals:
                _send_zero(node, queued, heap)
                continue  # every amount is exactly 0: no local gradient needed
        for parent, local in zip(node.parents, node._rule.local(node)):
            if not parent.parents or parent._seq in queued:
                parent.grad += upstream * local
            else:
                parent.grad = 0.0 + upstream * local  # as reset-then-add: -0.0 becomes 0.0
                queued[parent._seq] = parent
                heappush(heap, -parent._seq)


def _send_zero(node: Value, queued: dict[int, Value], heap: list[int]) -> None:
    """A node sent exactly zero: its interior parents still get this pass's gradient.

    Leaves gain nothing (adding 0 changes no sum); an interior parent reached
    first here starts at 0.0 and is visited, so nothing below keeps an earlier
    pass's gradient.
    """
    for parent in node.parents:
        if parent.parents and parent._seq not in queued:
            parent.grad = 0.0
            queued[parent._seq] = parent
            heappush(heap, -parent._seq)
