"""The backward pass: the chain rule in reverse creation order, iteratively.

Every node gets a sequence number when it is built; its parents always have
smaller ones, so visiting nodes from the largest number down is a topological
order (consumers before producers) with no sort and no recursion.

`backward()` walks only the nodes that receive a gradient: a parent that is
sent exactly zero is not visited unless something else sends it more, so a
satisfied hinge margin or a dead ReLU costs nothing below it, as in code
derived by hand. That is exact because zero times a finite local gradient is
zero. Once any node in this process has had a non-finite value or local
gradient, where PyTorch's 0 * inf = nan must flow on, every backward visits
every reachable node instead (`grad_mode.exact_zeros`).

`backward()`, `Value._backward()` and the step-through all apply the same
step: parent.grad += upstream * local, with `local` from the rule table.
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heappop, heappush
from typing import TYPE_CHECKING

from . import grad_mode

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
    prune = grad_mode.exact_zeros
    root.grad = 1.0
    queued = {root._seq: root}  # by creation number: every node this pass has reached
    heap = [-root._seq]  # minus the creation numbers still to visit: the largest pops first
    while heap:
        node = queued[-heappop(heap)]
        upstream = node.grad
        if not upstream and prune:
            continue  # its amounts cancelled out: it sends nothing
        for parent, local in zip(node.parents, node._rule.local(node)):
            if not parent.parents or parent._seq in queued:
                parent.grad += upstream * local
            else:
                amount = upstream * local
                if amount or not prune:
                    parent.grad = 0.0 + amount  # as reset-then-add: -0.0 becomes 0.0
                    queued[parent._seq] = parent
                    heappush(heap, -parent._seq)
