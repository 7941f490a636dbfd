"""explain(node, root): a gradient written out as the sum over the node's consumers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

import autograd
from autograd import Value, explain
from autograd.viz import trace

from .examples import worked_example
from .reference import assert_close, torch_leaves
from .test_properties import programs, run


def test_worked_example_reads_as_the_sum_over_consumers():
    x, y, z, q, f = worked_example(backward=True)
    assert str(explain(q, f)).splitlines() == [
        "q.grad = -4 = (from f: upstream 1 × local z = -4)",
        "  from f = q * z: upstream f.grad = 1, local d(a*b)/da = b = z = -4, amount 1 × -4 = -4",
    ]
    assert str(explain(x, f)).splitlines() == [
        "x.grad = -4 = (from q: upstream -4 × local 1 = -4)",
        "  from q = x + y: upstream q.grad = -4, local d(a+b)/da = 1, amount -4 × 1 = -4",
    ]
    assert str(explain(z, f)).splitlines()[0] == "z.grad = 3 = (from f: upstream 1 × local q = 3)"
    assert str(explain(f, f)) == "f.grad = 1: f is the root, seeded with 1"


def test_worked_example_numbers_are_pytorchs():
    x, y, z, q, f = worked_example(backward=True)
    tx, ty, tz = torch_leaves([-2.0, 5.0, -4.0])
    tq = tx + ty
    tq.retain_grad()
    (tq * tz).backward()
    for node, tensor in ((x, tx), (y, ty), (z, tz), (q, tq)):
        answer = explain(node, f)
        assert answer.total == node.grad
        assert_close(answer.total, tensor.grad.item(), node.label)


def test_a_fork_sums_every_consumer_in_backward_order():
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    square = a * a  # a used twice by one node
    square.label = "s"
    mixed = a * b  # and once more by another
    mixed.label = "m"
    out = (square + mixed).tanh()
    out.label = "out"
    out.backward()
    answer = explain(a, out)
    assert [(s.consumer, s.index) for s in answer.shares] == [(mixed, 0), (square, 0), (square, 1)]
    assert answer.total == a.grad
    summary = answer.summary()
    assert summary.startswith(f"a.grad = {a.grad:.6g} = (from m: upstream ")
    assert summary.count(" + (from ") == 2 and "× local b = " in summary

    ta, tb = torch_leaves([1.5, -0.5])
    (ta * ta + ta * tb).tanh().backward()
    assert_close(a.grad, ta.grad.item(), "a")
    assert_close(explain(b, out).total, tb.grad.item(), "b")


def test_a_neuron_names_its_inputs_weights_and_bias():
    xs = [Value(2.0, label="x1"), Value(0.0, label="x2")]
    ws = [Value(-3.0, label="w1"), Value(1.0, label="w2")]
    bias = Value(6.8813735870195432, label="b")
    n = autograd.dot(xs, ws, bias)
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    lines = str(explain(xs[0], o)).splitlines()
    assert lines[0] == f"x1.grad = {xs[0].grad:.6g} = (from n: upstream 0.5 × local w1 = -1.5)"
    assert "local d(a.b+c)/da_0 = b_0 = w1 = -3" in lines[1]
    assert "from n = dot(x1, x2, w1, w2, b)" in lines[1]
    assert "local d(tanh(a))/da = 1-tanh(a)**2 = 1-tanh(n)**2 = 0.5" in str(explain(n, o))

    txs, tws, tb = torch_leaves([2.0, 0.0]), torch_leaves([-3.0, 1.0]), torch_leaves([bias.data])
    (sum(x * w for x, w in zip(txs, tws)) + tb[0]).tanh().backward()
    for value, tensor in zip([*xs, *ws, bias], [*txs, *tws, *tb]):
        assert explain(value, o).total == value.grad
        assert_close(value.grad, tensor.grad.item(), value.label)


def test_every_op_explains_its_local_with_the_operands_names():
    x = Value(0.5, label="x")
    cube = x**3
    power = x ** Value(2.0, label="p")
    slope = x.leaky_relu(0.2)
    root = cube + power + slope
    root.backward()
    text = str(explain(x, root))
    assert "d(a**b)/da = b*a**(b-1) = 3*x**(3-1) = 0.75" in text
    assert "d(a**b)/da = b*a**(b-1) = p*x**(p-1) = 1" in text
    assert "d(leaky_relu(a))/da = 1 if a > 0 else slope = 1 if x > 0 else 0.2 = 1" in text
    assert explain(x, root).total == x.grad


@settings(max_examples=40, deadline=None)
@given(programs())
def test_every_node_of_a_random_graph_sums_to_its_gradient(program):
    inputs, _ = program
    ours = run(program, [Value(x) for x in inputs], 0)
    theirs = run(program, torch_leaves(inputs), 1)
    root, troot = ours[-1], theirs[-1]
    if not math.isfinite(troot.item()) or not root.parents:
        return
    for tensor in theirs[len(inputs) :]:
        tensor.retain_grad()
    root.backward()
    troot.backward()
    under_root = set(trace(root))
    for value in under_root:
        assert explain(value, root).total == value.grad  # the same sum, in the same order
    for value, tensor in zip(ours, theirs):
        if value in under_root and value is not root and tensor.grad is not None:
            assert_close(explain(value, root).total, tensor.grad.item(), "explained grad")
        elif value not in under_root:
            with pytest.raises(ValueError, match="^explain: .* is not in the graph under"):
                explain(value, root)


def test_a_leaf_that_accumulated_two_passes_says_so():
    x, y, z, q, f = worked_example(backward=True)
    f.backward()
    answer = explain(x, f)
    assert x.grad == -8.0 and answer.total == -4.0
    assert "note: the terms add up to -4, but x.grad is -8" in str(answer)
    assert "note" not in str(explain(q, f))  # an interior node holds the latest pass


def test_clear_messages_before_backward_and_outside_the_graph():
    x, y, z, q, f = worked_example()
    with pytest.raises(ValueError, match=r"^explain: backward has not run from f .*f.backward\(\)"):
        explain(q, f)
    f.backward()
    stranger = Value(3.0, label="w")
    with pytest.raises(ValueError, match="^explain: w is not in the graph under f"):
        explain(stranger, f)
    with pytest.raises(ValueError, match=r"^explain: Value\(data=7.0\) is not in the graph"):
        explain(Value(7.0), f)
    with pytest.raises(ValueError, match="^explain: f is not in the graph under q"):
        explain(f, q)
    with pytest.raises(TypeError, match="^explain: expected Values, got float"):
        explain(q, 1.0)


def test_jupyter_shows_it_as_html():
    a = Value(2.0, label="a<b>")
    out = a * a
    out.label = "o"
    out.backward()
    page = explain(a, out)._repr_html_()
    assert page.startswith('<div class="chainrule-explain">')
    assert "a&lt;b&gt;.grad = 4 = (from o: upstream 1 × local 2 = 2) + (from o: " in page
    assert "<b>" not in page
    assert page.count("<li>") == 2


def test_ops_with_settings_and_n_ary_ops_explain_in_names():
    x, y = Value(0.5, label="x"), Value(2.0, label="y")
    r = x.softplus(beta=2.0) + x.gelu(approximate="tanh") + autograd.max([x, y, x]) + x.sqrt()
    r.label = "r"
    r.backward()
    answer = explain(x, r)
    assert answer.total == x.grad and len(answer.shares) == 5
    text = str(answer)
    assert "d(max)/dx_2 = 1 if x_2 is the first maximum else 0 = 1 if x is the first" in text
    assert "from [max] = max(x, y, x)" in text and "1/(2*sqrt(x))" in text
    assert "sigmoid(beta*x) (1 past the threshold) = " in text
    assert str(explain(y, r)).startswith("y.grad = 1 = (from [max]: upstream 1 × local 1 = 1)")
