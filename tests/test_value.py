"""The Value contract: construction, attributes, operators, graph shape, errors."""

from __future__ import annotations

import importlib
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import autograd
from autograd import Value


@pytest.mark.parametrize(
    "data", [3, 2.5, Fraction(1, 4), np.float64(1.5), np.int64(7), np.float32(0.5), float("nan")]
)
def test_real_numbers_are_stored_as_python_floats(data):
    v = Value(data)
    assert type(v.data) is float
    assert v.data == float(data) or (v.data != v.data and data != data)
    assert v.grad == 0.0 and v.label == "" and v.op == "" and v.parents == ()


@pytest.mark.parametrize(
    "bad, name",
    [("a", "str"), (None, "NoneType"), (True, "bool"), (1j, "complex"), (Decimal("1"), "Decimal")]
    + [([1.0], "list"), (np.bool_(True), "bool")],
)
def test_non_real_data_raises_type_error_naming_the_type(bad, name):
    with pytest.raises(TypeError, match=rf"Value: expected a real number, got {name}\b"):
        Value(bad)


def test_a_value_is_not_data():
    with pytest.raises(TypeError, match="got Value"):
        Value(Value(1.0))


def test_huge_int_is_a_clear_error():
    with pytest.raises(ValueError, match="too large"):
        Value(10**400)


def test_inf_and_nan_are_accepted():
    assert Value(float("inf")).data == float("inf")
    assert Value(float("-inf")).data == float("-inf")


def test_repr_is_micrograds():
    v = Value(2.0)
    v.grad = 1
    assert repr(v) == "Value(data=2.0, grad=1)"
    assert repr(Value(-3)) == "Value(data=-3.0, grad=0.0)"


def test_attributes_are_writable_and_grad_accumulates_after_an_int():
    a = Value(2.0, label="a")
    a.label = "b"
    a.data = 4.0
    a.grad = 1
    (a * 3).backward()
    assert a.label == "b" and a.grad == 4.0


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)


@pytest.mark.parametrize(
    "build, op",
    [
        (lambda a, b: a + b, "+"),
        (lambda a, b: a - b, "-"),
        (lambda a, b: a * b, "*"),
        (lambda a, b: a / b, "/"),
        (lambda a, b: a**b, "**"),
        (lambda a, b: -a, "neg"),
        (lambda a, b: a.exp(), "exp"),
        (lambda a, b: a.log(), "log"),
        (lambda a, b: a.relu(), "relu"),
        (lambda a, b: a.leaky_relu(), "leaky_relu"),
        (lambda a, b: a.elu(), "elu"),
        (lambda a, b: a.sigmoid(), "sigmoid"),
        (lambda a, b: a.tanh(), "tanh"),
        (lambda a, b: autograd.sum([a, b, a]), "sum"),
        (lambda a, b: autograd.dot([a, b], [b, a]), "dot"),
    ],
)
def test_each_op_is_one_node_named_by_its_symbol(build, op):
    a, b = Value(2.0), Value(3.0)
    out = build(a, b)
    assert out.op == op and out._op == op and out.label == ""
    assert all(p is a or p is b for p in out.parents)


def test_parents_are_in_written_order_and_numbers_become_leaves():
    a = Value(2.0)
    out = 2 * a
    assert out.parents[1] is a and out.parents[0].data == 2.0 and out.parents[0].op == ""
    out = a - 5
    assert out.parents[0] is a and out.parents[1].data == 5.0
    assert (a * a).parents == (a, a)
    assert (a * a)._prev == {a}


def test_number_exponent_is_kept_by_the_node():
    a = Value(2.0)
    assert (a**3).parents == (a,)
    two_to_a = 2**a
    assert two_to_a.parents[1] is a and two_to_a.parents[0].data == 2.0


def test_micrograd_picture_has_six_values():
    x = Value(1.0)
    out = (x * 2 + 1).relu()
    seen, stack = set(), [out]
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            stack.extend(v.parents)
    assert len(seen) == 6


def test_in_place_add_builds_a_new_node():
    a = Value(1.0)
    b = a
    b += 1
    assert b is not a and a.data == 1.0 and b.data == 2.0 and b.op == "+"


@pytest.mark.parametrize("scalar", [np.int64(2), np.float64(2.0), np.float32(2.0), np.int32(2)])
def test_numpy_scalars_on_either_side_give_values(scalar):
    v = Value(3.0)
    for out in (scalar * v, v * scalar, scalar + v, v - scalar, scalar - v, scalar / v, v**scalar):
        assert type(out) is Value
    out = scalar * v
    out.backward()
    assert out.data == 6.0 and v.grad == 2.0


@pytest.mark.parametrize("bad", ["a", None, [1.0], True, 1j])
def test_non_number_operands_raise_type_error(bad):
    v = Value(1.0)
    for op in (
        lambda: v + bad,
        lambda: bad + v,
        lambda: v * bad,
        lambda: bad * v,
        lambda: v - bad,
        lambda: v / bad,
        lambda: v**bad,
        lambda: bad**v,
    ):
        with pytest.raises(TypeError, match=type(bad).__name__):
            op()


def test_equality_and_hash_are_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a and len({a, b}) == 2 and {a: 1}[a] == 1


def test_dot_and_sum_take_numbers_as_leaves():
    a = Value(2.0)
    d = autograd.dot([a, 3], [4, a])
    assert d.data == 14.0 and len(d.parents) == 4
    assert [p.data for p in d.parents] == [2.0, 3.0, 4.0, 2.0]
    d.backward()
    assert a.grad == 4.0 + 3.0
    s = autograd.sum([a, 1, np.float64(2)])
    assert s.data == 5.0 and s.parents[0] is a


def test_dot_with_bias_is_one_node():
    w, x, b = [Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)], Value(0.5)
    d = autograd.dot(w, x, b)
    assert d.op == "dot" and d.data == 11.5 and d.parents[-1] is b
    d.backward()
    assert [v.grad for v in w + x + [b]] == [3.0, 4.0, 1.0, 2.0, 1.0]


def test_matvec_is_dot_per_row():
    x = [Value(1.0), Value(-2.0)]
    rows = [[Value(0.5), Value(1.5)], [2, 3]]
    out = autograd.matvec(rows, x, [Value(1.0), Value(-1.0)])
    assert [o.data for o in out] == [-1.5, -5.0] and all(o.op == "dot" for o in out)


def test_fused_op_errors():
    with pytest.raises(ValueError, match="dot: needs equal lengths, got 2 and 1"):
        autograd.dot([1, 2], [Value(1.0)])
    with pytest.raises(ValueError, match="dot: needs at least one pair"):
        autograd.dot([], [])
    with pytest.raises(ValueError, match="sum: needs at least one value"):
        autograd.sum([])
    with pytest.raises(TypeError, match="dot: expected a real number or a Value, got str"):
        autograd.dot(["a"], [Value(1.0)])
    with pytest.raises(TypeError, match="sum: .* got NoneType"):
        autograd.sum([Value(1.0), None])
    with pytest.raises(ValueError, match="matmul: 1 rows but 2 biases"):
        autograd.matvec([[1.0]], [Value(1.0)], [Value(0.0), Value(0.0)])


def test_star_import_does_not_shadow_builtin_sum():
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert "sum" not in namespace and "Value" in namespace


def test_matmul_on_values_takes_its_fast_path(monkeypatch):
    """A layer of Values never falls back to one `dot` call per output (a slow path)."""
    fused = importlib.import_module("autograd.fused")

    def no_fallback(*args, **kwargs):
        raise AssertionError("matmul fell back to dot")

    monkeypatch.setattr(fused, "dot", no_fallback)
    rows = [[Value(0.5), Value(-1.0)], [Value(2.0), Value(0.25)]]
    out = autograd.matmul(rows, [[Value(1.0), Value(2.0)]], [Value(0.1), Value(-0.1)])
    assert [v.data for v in out[0]] == [0.1 + 0.5 - 2.0, -0.1 + 2.0 + 0.5]
