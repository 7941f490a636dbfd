"""Small graphs shared by several tests."""

from __future__ import annotations

from autograd import Value


def worked_example(backward: bool = False) -> tuple[Value, Value, Value, Value, Value]:
    """x, y, z, q = x + y and f = q * z at (-2, 5, -4), every Value labelled."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    if backward:
        f.backward()
    return x, y, z, q, f
