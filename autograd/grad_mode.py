"""`no_grad()`: compute values without recording a graph."""

from __future__ import annotations

import contextlib

enabled = True
"""Whether ops record their parents; read by `Value` each time it builds a node."""

exact_zeros = True
"""True while no node built in this process has had a non-finite value or local
gradient: until then a zero gradient times any local gradient is exactly zero,
and `backward()` need not visit what is sent only zeros."""


def note_nonfinite() -> None:
    """Called by `Value` when it builds a node with a non-finite value or local gradient."""
    global exact_zeros
    exact_zeros = False


class no_grad(contextlib.ContextDecorator):
    """Inside this block (or decorated function), ops compute data but record no graph.

    Each result is a leaf: no parents, `op == ""`. Nestable, and the previous mode
    comes back even when the block raises.
    """

    def __enter__(self) -> no_grad:
        global enabled
        self._previous = enabled
        enabled = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        global enabled
        enabled = self._previous
