"""The step-through: the worked example step by step, and agreement with backward()."""

from __future__ import annotations

import struct

from hypothesis import given, settings

import autograd
from autograd import Value, backward_steps, step_table

from .examples import worked_example
from .test_properties import programs, run


def test_worked_example_steps():
    x, y, z, q, f = worked_example()
    steps = backward_steps(f)
    first = next(steps)
    assert first.node is f and first.upstream == 1.0
    assert [(c.parent, c.local, c.formula, c.amount) for c in first.contributions] == [
        (q, -4.0, "d(a*b)/da = b", -4.0),
        (z, 3.0, "d(a*b)/db = a", 3.0),
    ]
    # applied when yielded, and the next step not yet
    assert (q.grad, z.grad, x.grad, y.grad) == (-4.0, 3.0, 0.0, 0.0)
    second = next(steps)
    assert second.node is q and second.upstream == -4.0
    assert [(c.parent, c.local, c.formula, c.amount) for c in second.contributions] == [
        (x, 1.0, "d(a+b)/da = 1", -4.0),
        (y, 1.0, "d(a+b)/db = 1", -4.0),
    ]
    assert next(steps, None) is None
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_step_reads_as_a_line_of_a_worked_worked_example():
    *_, f = worked_example()
    first = next(backward_steps(f))
    assert str(first) == (
        "f (*), upstream 1: q += 1 x -4 = -4  (d(a*b)/da = b); z += 1 x 3 = 3  (d(a*b)/db = a)"
    )


def test_step_table_text_and_html():
    *_, f = worked_example()
    table = step_table(f)
    text = str(table)
    lines = text.splitlines()
    assert lines[0].split() == [
        "step",
        "node",
        "upstream",
        "x",
        "local",
        "=",
        "amount",
        "to",
        "sum",
        "so",
        "far",
        "rule",
    ]
    assert len(lines) == 5 and "d(a+b)/db = 1" in lines[-1]
    assert lines[1].split()[:7] == ["1", "f", "(*)", "1", "-4", "-4", "q"]
    html = table._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 5 and "d(a*b)/da = b" in html


def test_leaf_root_has_no_steps():
    a = Value(2.0)
    assert list(backward_steps(a)) == [] and a.grad == 1.0


def test_nary_formulas_name_each_operand():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    d = autograd.dot([a, b], [c, a], b)
    (step,) = list(backward_steps(d))
    assert [c_.formula for c_ in step.contributions] == [
        "d(a.b+c)/da_0 = b_0",
        "d(a.b+c)/da_1 = b_1",
        "d(a.b+c)/db_0 = a_0",
        "d(a.b+c)/db_1 = a_1",
        "d(a.b+c)/dc = 1",
    ]
    s = autograd.sum([a, b, 4])
    (step,) = list(backward_steps(s))
    assert [c_.formula for c_ in step.contributions][2] == "d(sum)/dx_2 = 1"


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


@settings(max_examples=200, deadline=None)
@given(programs())
def test_steps_leave_every_grad_bit_for_bit_as_backward(program):
    inputs, _ = program
    ours = run(program, [Value(x) for x in inputs], 0)
    root = ours[-1]
    if root.data != root.data or abs(root.data) == float("inf"):
        return
    root.backward()
    expected = [bits(v.grad) for v in ours]
    for v in ours:
        v.grad = 0.0
    order = [step.node for step in backward_steps(root)]
    assert [bits(v.grad) for v in ours] == expected
    assert len(order) == len(set(order))
    assert all(v.parents for v in order)


def test_steps_agree_on_fan_in_and_a_times_a():
    a = Value(3.0)
    b = a * a
    c = b + b * a
    c.backward()
    grads = (a.grad, b.grad)
    a.grad = 0.0
    steps = list(backward_steps(c))
    assert (a.grad, b.grad) == grads
    assert steps[0].node is c and [s.node.op for s in steps] == ["+", "*", "*"]
