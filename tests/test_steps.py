"""The step-through: the worked example step by step, and agreement with backward()."""

from __future__ import annotations

import re
import struct

import pytest
from hypothesis import given, settings

import autograd
from autograd import Value, backward_steps, draw_dot, save_frames, step_frames, step_table
from autograd.viz import DotNotFound

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
        "f (*), upstream 1: q += 1 × -4 = -4  (d(a*b)/da = b); z += 1 × 3 = 3  (d(a*b)/db = a)"
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
        "×",
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


# --- every step-through starts from a clean slate ---


def test_step_table_after_backward_shows_one_pass_and_leaves_one_pass():
    x, y, z, q, f = worked_example(backward=True)
    before = str(step_table(f))
    assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-4.0, -4.0, 3.0, -4.0, 1.0)
    assert str(step_table(f)) == before  # shown again: the same numbers
    assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-4.0, -4.0, 3.0, -4.0, 1.0)


def test_backward_steps_zero_every_gradient_under_the_root_first():
    x, y, z, q, f = worked_example()
    x.grad, y.grad, z.grad, q.grad, f.grad = 10.0, 20.0, 30.0, 40.0, 50.0
    first = next(backward_steps(f))
    assert first.upstream == 1.0
    assert (q.grad, z.grad, x.grad, y.grad) == (-4.0, 3.0, 0.0, 0.0)


def test_a_clean_slate_reaches_no_value_outside_the_graph():
    x, y, z, q, f = worked_example()
    outside = x * 2.0
    outside.grad, x.grad = 7.0, 5.0
    list(backward_steps(q))
    assert (outside.grad, x.grad, z.grad) == (7.0, 1.0, 0.0)


def test_a_leaf_root_stepped_twice_holds_one():
    a = Value(2.0)
    list(backward_steps(a))
    list(backward_steps(a))
    assert a.grad == 1.0


def test_step_frames_twice_draw_the_same_pictures():
    *_, f = worked_example(backward=True)
    first = [frame.source for frame in step_frames(f)]
    assert [frame.source for frame in step_frames(f)] == first


# --- drawings that do not depend on memory addresses, and labels kept whole ---


def test_draw_dot_names_nodes_by_their_place_not_their_address():
    sources = [draw_dot(worked_example(backward=True)[-1]).source for _ in range(2)]
    assert sources[0] == sources[1]
    x, *_, f = worked_example()
    assert str(id(x)) not in draw_dot(f).source and str(id(f)) not in draw_dot(f).source
    names = re.findall(r"^\t(\w+) \[label=\"\{", sources[0], re.M)
    assert sorted(names) == ["v0", "v1", "v2", "v3", "v4"]


def test_a_newline_in_a_label_is_kept():
    x, *_, f = worked_example(backward=True)
    x.label = "x\n(input)"
    source = draw_dot(f).source
    assert "{ x\\n(input) | data -2.0000" in source
    svg = draw_dot(f).pipe(format="svg").decode()
    assert ">x</text>" in svg and ">(input)</text>" in svg


def test_save_frames_names_what_it_needs_before_writing(tmp_path, monkeypatch):
    *_, f = worked_example()
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DotNotFound, match=r"^save_frames: .*apt-get install graphviz"):
        save_frames(f, tmp_path / "frames")
    assert not (tmp_path / "frames").exists() and f.grad == 0.0
