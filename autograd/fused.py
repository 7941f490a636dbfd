"""Fused n-ary ops: `sum`, `dot`, `matvec`, `matmul`, `max` and `min`: one node per result.

However many operands, each result is one node.

A neuron's weighted sum and bias are one `dot` node instead of 2n + 1 binary
nodes, which is most of what makes training fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real

from .rules import DOT, MAX, MIN, SUM, Rule
from .value import Value, constant, node, oldest_below, oldest_in_rows

Operand = Value | Real


def _as_values(items: tuple, op_name: str) -> tuple[Value, ...]:
    return tuple(x if isinstance(x, Value) else constant(x, op_name) for x in items)


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - the contract's name
    """One node adding all `values`; a number entry becomes a leaf among the parents."""
    parents = _as_values(tuple(values), "sum")
    if not parents:
        raise ValueError("sum: needs at least one value, got an empty sequence")
    return node(SUM.forward([p.data for p in parents]), parents, SUM)


def max(values: Iterable[Operand]) -> Value:  # noqa: A001 - the contract's name
    """One node holding the largest of `values` (nan if any is nan).

    The whole gradient goes to the first operand holding the maximum, 0 to
    the rest, as PyTorch's `max_pool2d`; a number entry becomes a leaf.
    """
    return _extreme(values, MAX)


def min(values: Iterable[Operand]) -> Value:  # noqa: A001 - the contract's name
    """One node holding the smallest of `values`; the gradient to the first minimum."""
    return _extreme(values, MIN)


def _extreme(values: Iterable[Operand], rule: Rule) -> Value:
    parents = _as_values(tuple(values), rule.name)
    if not parents:
        raise ValueError(f"{rule.name}: needs at least one value, got an empty sequence")
    return node(rule.forward([p.data for p in parents]), parents, rule)


def dot(a: Iterable[Operand], b: Iterable[Operand], bias: Operand | None = None) -> Value:
    """One node computing sum(a_i * b_i) (+ bias); parents: a's entries, b's, then the bias.

    A number entry becomes a leaf Value among the parents.
    """
    a, b = tuple(a), tuple(b)
    if len(a) != len(b):
        raise ValueError(f"dot: needs equal lengths, got {len(a)} and {len(b)}")
    if bias is None:
        return _dot_node(a, b, ())
    bias = bias if isinstance(bias, Value) else constant(bias, "dot")
    return _dot_node(a, b, (bias,))


def _dot_node(a: tuple, b: tuple, tail: tuple[Value, ...]) -> Value:
    if not a:
        raise ValueError("dot: needs at least one pair, got two empty sequences")
    bias = tail[0].data if tail else None
    try:  # the hot path, Values only: a number has no .data, a NumPy scalar's won't multiply
        data = DOT.forward([v.data for v in a], [v.data for v in b], bias)
        if type(data) is float:
            return node(data, a + b + tail, DOT)
    except (AttributeError, TypeError):
        pass
    a, b = _as_values(a, "dot"), _as_values(b, "dot")
    data = DOT.forward([v.data for v in a], [v.data for v in b], bias)
    return node(data, a + b + tail, DOT)


def matvec(
    rows: Sequence[Sequence[Operand]],
    x: Iterable[Operand],
    biases: Sequence[Value] | None = None,
) -> list[Value]:
    """[dot(row, x, bias) for each row and bias]: a layer's weighted sums, one node each."""
    return matmul(rows, [tuple(x)], biases)[0]


def matmul(
    rows: Sequence[Sequence[Operand]],
    xs: Iterable[Iterable[Operand]],
    biases: Sequence[Value] | None = None,
) -> list[list[Value]]:
    """[matvec(rows, x, biases) for x in xs]: a layer on a batch, one `dot` node per output.

    Faster than calling `dot` for each row and input because every row and
    every input is checked and read once. Each input must be a list or tuple.
    """
    xs = list(xs)
    if biases is None:
        tails, bias_data = [()] * len(rows), [None] * len(rows)
    elif len(biases) != len(rows):
        raise ValueError(f"matmul: {len(rows)} rows but {len(biases)} biases")
    else:
        tails, bias_data = [(b,) for b in biases], None
    forward = DOT.forward
    try:  # the hot path, Values only (see `_dot_node`)
        if bias_data is None:
            bias_data = [b.data for b in biases]
        layer = [  # each row's data, read once
            (row, [w.data for w in row], tail, bias)
            for row, tail, bias in zip(rows, tails, bias_data)
        ]
        # the oldest op result below any row: for every node, at most its own oldest
        rows_low = oldest_in_rows(rows)
        if biases:
            bias_low = oldest_below(biases)
            if bias_low < rows_low:
                rows_low = bias_low
        out = []
        for x in xs:
            x_data, n, low = [v.data for v in x], len(x), oldest_below(x)
            if rows_low < low:
                low = rows_low
            sums = []
            for row, w_data, tail, bias in layer:
                data = forward(w_data, x_data, bias)
                if len(row) != n or type(data) is not float:
                    raise TypeError
                sums.append(node(data, (*row, *x, *tail), DOT, None, low))
            out.append(sums)
        return out
    except (AttributeError, TypeError):
        return [[dot(row, x, *tail) for row, tail in zip(rows, tails)] for x in xs]
