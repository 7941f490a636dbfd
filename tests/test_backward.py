"""backward(): the worked example, manual stepping, accumulation, depth, no_grad, gradcheck."""

from __future__ import annotations

import math
import sys

import pytest

import autograd
from autograd import Value, gradcheck, no_grad, rules

from .reference import torch_leaves


def test_worked_example(backward_mode):
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = x + y
    f = q * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-4.0, -4.0, 3.0, -4.0, 1.0)


def test_worked_example_stepped_by_hand_with_underscore_backward():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    f = q * z
    f.grad = 1.0
    f._backward()  # q.grad = z = -4, z.grad = q = 3
    assert (q.grad, z.grad, x.grad) == (-4.0, 3.0, 0.0)
    q._backward()  # each of x and y gets 1 * q.grad
    assert (x.grad, y.grad) == (-4.0, -4.0)
    x._backward()  # a leaf: nothing to do
    assert x.grad == -4.0


def test_lecture_neuron_by_hand():
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), stepped node by node."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    n = x1w1 + x2w2 + b
    o = n.tanh()
    o.grad = 1.0
    for node in (o, n, n.parents[0], x2w2, x1w1):
        node._backward()
    assert math.isclose(o.data, 0.7071067811865476, rel_tol=1e-12)
    assert math.isclose(n.grad, 0.5, rel_tol=1e-9)
    assert math.isclose(x1.grad, -1.5, rel_tol=1e-9) and math.isclose(w1.grad, 1.0, rel_tol=1e-9)
    assert x2.grad == pytest.approx(0.5) and w2.grad == 0.0


def test_shared_operand_gets_every_contribution(backward_mode):
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0
    a = Value(-2.0)
    d = a * 3
    e = d + d * d  # fan-in through d
    e.backward()
    assert d.grad == 1 + 2 * d.data and a.grad == 3 * (1 + 2 * -6.0)


def test_leaves_accumulate_and_interior_nodes_hold_the_latest_pass():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c.tanh() + c
    d.backward()
    first = (a.grad, b.grad, c.grad)
    d.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert c.grad == first[2]
    assert d.grad == 1.0


def test_gradients_of_two_losses_add_up():
    w = Value(0.5)
    loss1, loss2 = w * 3, w * w
    loss1.backward()
    loss2.backward()
    assert w.grad == 3 + 2 * 0.5


def test_a_leaf_root_gains_one():
    a = Value(1.0)
    a.backward()
    a.backward()
    assert a.grad == 2.0


def test_a_million_op_chain_under_the_default_recursion_limit(backward_mode):
    assert sys.getrecursionlimit() <= 10_000
    x = Value(1.0)
    y = x
    for _ in range(500_000):
        y = y * 1.000001 + 0.000001
    y.backward()
    assert math.isclose(x.grad, 1.000001**500_000, rel_tol=1e-9)


def test_a_200k_term_sum_is_one_node():
    xs = [Value(float(i % 7)) for i in range(200_000)]
    s = autograd.sum(xs)
    assert len(s.parents) == 200_000
    s.backward()
    assert s.data == sum(float(i % 7) for i in range(200_000))
    assert all(x.grad == 1.0 for x in xs)


def test_nodes_that_cancel_send_nothing(backward_mode):
    a = Value(2.0)
    b = a * 3
    c = (b - b).exp()  # b's gradient is 1 - 1 = 0
    c.backward()
    assert b.grad == 0.0 and a.grad == 0.0


def test_zero_times_inf_flows_as_nan_like_pytorch(backward_mode):
    """Through a dead ReLU, PyTorch still computes 0 * inf = nan below it."""

    def build(x):
        return ((x**0.5) * 2.0 - 1.0).relu()

    x = Value(0.0)
    build(x).backward()
    (tx,) = torch_leaves([0.0])
    build(tx).backward()
    assert math.isnan(tx.grad.item()) and math.isnan(x.grad)


def test_backward_and_the_step_through_agree_on_finite_graphs():
    def run(pass_):
        ws = [Value(w) for w in (0.5, -1.5, 2.0)]
        h = [(ws[0] * x + ws[1]).relu() for x in (-3.0, 0.5, 2.0)]
        loss = autograd.sum([(1 - hi * ws[2]).relu() for hi in h])
        pass_(loss)
        return [w.grad for w in ws], [hi.grad for hi in h]

    assert run(Value.backward) == run(lambda root: list(autograd.backward_steps(root)))


def test_no_grad_records_no_graph_and_nests():
    a = Value(2.0)
    with no_grad():
        b = a * 3
        with no_grad():
            c = b + 1
        d = c.exp()
    e = a * 3
    assert b.parents == () and b.op == "" and d.op == "" and d.data == math.exp(7.0)
    assert e.parents[0] is a and e.op == "*"
    assert autograd.is_grad_enabled()


def test_no_grad_ends_when_its_block_raises():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert autograd.is_grad_enabled()
    assert (Value(1.0) * 2).parents


def test_no_grad_as_a_decorator():
    @no_grad()
    def evaluate(v):
        return v * v

    out = evaluate(Value(3.0))
    assert out.data == 9.0 and out.parents == ()
    assert autograd.is_grad_enabled()


def test_gradcheck_passes_and_names_a_wrong_input():
    assert gradcheck(lambda a, b: (a * b).tanh() + a.exp() / b, [0.3, Value(1.7, label="b")])
    a = Value(0.5, label="w")

    original = rules.MUL.local
    try:
        object.__setattr__(rules.MUL, "local", lambda node: (1.0, 1.0))
        with pytest.raises(AssertionError, match=r"input 0 \('w'\): backward gives 1\.0"):
            gradcheck(lambda a, b: a * b, [a, 2.0])
    finally:
        object.__setattr__(rules.MUL, "local", original)
