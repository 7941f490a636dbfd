"""The engine's reliability promises: grad mode per thread, the exact latest pass, copies."""

from __future__ import annotations

import copy
import importlib
import math
import pickle
import random
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path

import pytest

import autograd
from autograd import (
    Value,
    backward_steps,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from autograd.backward import interior_order

ENGINE = importlib.import_module("autograd.backward")  # the module, not the function
ROOT = Path(__file__).resolve().parents[1]


def records() -> bool:
    return bool((Value(1.0) * 2).parents)


# --- grad mode ---


def test_a_recursive_decorated_function_leaves_recording_on():
    @no_grad()
    def depth(v, n):
        return v if n == 0 else depth(v * 1, n - 1)

    assert depth(Value(1.0), 5).parents == ()
    assert is_grad_enabled() and records()


def test_the_same_object_reentered_restores_each_level():
    off = no_grad()
    with off:
        with off:
            assert not records()
        assert not records()
    assert records()


def test_bare_decorators_and_enable_grad_inside_no_grad():
    @no_grad
    def evaluate(v):
        return v * v

    @enable_grad
    def record(v):
        return v * v

    assert evaluate(Value(3.0)).parents == ()
    with no_grad():
        assert record(Value(3.0)).parents
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_set_grad_enabled_as_function_context_and_decorator():
    set_grad_enabled(False)
    try:
        assert not records()
    finally:
        set_grad_enabled(True)
    assert records()
    with set_grad_enabled(False):
        assert not records()
    assert records()

    @set_grad_enabled(False)
    def evaluate(v):
        return v * 2

    assert records()  # decorating switches nothing
    assert evaluate(Value(1.0)).parents == () and records()


def test_the_mode_comes_back_when_a_block_raises():
    with pytest.raises(KeyError), no_grad():
        raise KeyError("boom")
    assert records()


def test_a_generator_runs_without_recording_and_the_caller_records_between_yields():
    @no_grad()
    def scaled(xs):
        for x in xs:
            yield x * 2

    seen = []
    for out in scaled([Value(1.0), Value(2.0)]):
        seen.append((out.parents, records()))
    assert seen == [((), True), ((), True)]


def test_one_threads_no_grad_never_stops_another_from_recording():
    inside, checked = threading.Event(), threading.Event()
    results = {}

    def evaluator():
        with no_grad():
            inside.set()
            checked.wait(5)
            results["evaluator"] = records()

    def trainer():
        inside.wait(5)
        results["trainer"] = records()
        checked.set()

    threads = [threading.Thread(target=evaluator), threading.Thread(target=trainer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"evaluator": False, "trainer": True}
    assert records()


def test_one_object_used_by_two_threads_at_once():
    shared = no_grad()
    both_inside = threading.Barrier(2)
    results = []

    def work(hold):
        with shared:
            both_inside.wait(5)
            results.append(records())
        hold.wait(5)
        results.append(records())

    holds = [threading.Event(), threading.Event()]
    threads = [threading.Thread(target=work, args=(h,)) for h in holds]
    for t in threads:
        t.start()
    for h in holds:
        h.set()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, True, True] and records()


def test_a_new_thread_records():
    out = {}
    with no_grad():
        t = threading.Thread(target=lambda: out.update(ok=records()))
        t.start()
        t.join()
    assert out == {"ok": True}


# --- the latest pass is exact ---


def test_a_second_pass_that_sends_a_node_zero_leaves_it_zero():
    x = Value(1.5)
    g = x * 2.0
    h = g * 1.0
    (h * 3.0).backward()
    assert (g.grad, h.grad) == (3.0, 3.0)
    (h * 0.0).backward()
    assert (g.grad, h.grad) == (0.0, 0.0)


@pytest.mark.parametrize("span", [0, ENGINE.DENSE_SPAN], ids=["heap", "dense"])
def test_both_orders_of_backward_equal_the_step_through(span, monkeypatch):
    """A graph whose oldest op result is far older than its root walks a heap instead."""
    monkeypatch.setattr(ENGINE, "DENSE_SPAN", span)
    rng = random.Random(5)
    runs = []
    for apply in (Value.backward, lambda root: deque(backward_steps(root), 0)):
        rng.seed(5)
        leaves = [Value(rng.uniform(-2, 2)) for _ in range(6)]
        old = (leaves[0] * leaves[1]).tanh()  # built, used by an earlier pass, then reused
        old.backward()
        for leaf in leaves:
            leaf.grad = 0.0  # the step-through starts leaves from 0 too
        pool = leaves + [old]
        for _ in range(60):
            a, b = rng.choice(pool), rng.choice(pool)
            op = rng.choice(["+", "*", "relu", "-", "sig"])
            pool.append(
                a + b
                if op == "+"
                else a * b
                if op == "*"
                else (a - b).relu()
                if op == "relu"
                else a - b
                if op == "-"
                else a.sigmoid()
            )
        root = autograd.sum(pool[-10:]) * 0.5 + pool[-20].relu() * 0.0
        apply(root)
        runs.append([v.grad for v in pool])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("clone", [copy.deepcopy, lambda o: pickle.loads(pickle.dumps(o))])
def test_a_copied_gradient_is_replaced_by_the_next_pass(clone):
    x = Value(1.5)
    h = (x * 2.0) * 1.0
    (h * 3.0).backward()
    h2 = clone(h)
    assert h2.grad == 3.0
    (h2 * 0.0).backward()
    assert h2.grad == 0.0 and h2.parents[0].grad == 0.0


def test_an_infinite_local_gradient_below_a_zero_still_gives_nan():
    x = Value(0.0)
    inner = (x**0.5) * 1.0  # d/dx is inf at 0
    ((inner * 0.0) + 1.0).backward()
    assert math.isnan(x.grad)


def test_a_pass_matches_the_step_through_bit_for_bit_after_an_earlier_pass():
    def graph():
        w = [Value(v) for v in (0.3, -1.2, 0.7)]
        h = [(w[0] * x + w[1]).relu() for x in (-2.0, 0.5, 3.0)]
        first = autograd.sum([hi * w[2] for hi in h])
        second = autograd.sum([(1 - hi * w[2]).relu() for hi in h]) * 0.0 + h[2]
        return w, h, first, second

    runs = []
    for apply in (Value.backward, lambda root: deque(backward_steps(root), 0)):
        w, h, first, second = graph()
        first.backward()
        apply(second)
        runs.append([v.grad for v in w + h])
    assert runs[0] == runs[1]


OVERFLOW_THEN_TRAIN = """
import sys
sys.path.insert(0, {root!r})
from autograd import Value
from nn import MLP
from nn.datasets import make_moons
if {overflow}:
    Value(1000.0).exp() * 0.0  # an overflow somewhere else, earlier
X, y = make_moons(40, noise=0.1, seed=1)
model = MLP(2, [8, 1], seed=3)
for _ in range(3):
    scores = model.batch(X)
    loss = sum((1 - (2 * yi - 1) * s).relu() for yi, s in zip(y, scores)) * (1.0 / len(X))
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= 0.5 * p.grad
print(repr([p.data for p in model.parameters()]))
"""


def test_an_earlier_overflow_changes_no_later_result():
    """Process state: each run in a fresh interpreter."""
    out = [
        subprocess.run(
            [sys.executable, "-c", OVERFLOW_THEN_TRAIN.format(root=str(ROOT), overflow=flag)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for flag in (False, True)
    ]
    assert out[0] == out[1] and out[0].startswith("[")


# --- numbers too large for a float ---


@pytest.mark.parametrize(
    "build",
    [
        lambda v: v + 10**400,
        lambda v: 10**400 * v,
        lambda v: v / 10**400,
        lambda v: v**10**400,
        lambda v: 10**400 - v,
        lambda v: autograd.dot([10**400], [v]),
        lambda v: autograd.sum([v, 10**400]),
    ],
)
def test_a_number_too_large_for_a_float_is_a_short_value_error(build):
    with pytest.raises(ValueError, match="too large for a float") as error:
        build(Value(1.0))
    assert len(str(error.value)) < 80 and "(401 digits)" in str(error.value)


# --- copies and pickles ---


def copies():
    return [
        lambda o: pickle.loads(pickle.dumps(o)),
        copy.deepcopy,
    ]


@pytest.mark.parametrize("clone", copies(), ids=["pickle", "deepcopy"])
def test_a_copied_graph_gives_the_originals_gradients_and_keeps_identity(clone):
    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    z = y * y + x.exp() / (x + 1)
    x2, z2 = clone([x, z])
    assert x2 is not x and z2.data == z.data and x2.label == "x"
    assert x2 in {p for n in interior_order(z2) for p in n.parents}
    z.backward()
    z2.backward()
    assert x2.grad == x.grad and not math.isnan(x.grad)
    z2.backward()
    assert x2.grad == 2 * x.grad  # independent: the copy's leaf accumulates on its own


@pytest.mark.parametrize("clone", copies(), ids=["pickle", "deepcopy"])
def test_a_100000_node_chain_copies_without_recursion(clone):
    x = Value(1.0)
    v = x
    for _ in range(50_000):
        v = v * 1.0 + 0.5
    v2 = clone(v)
    v2.backward()
    assert v2.data == v.data == 25_001.0


def test_gradients_through_a_shallow_copy_of_an_interior_node_are_right():
    x = Value(3.0)
    y = x * x
    y2 = copy.copy(y)
    out = y2 * y
    out.backward()
    assert x.grad == 2 * (2 * 3.0 * 9.0)  # d(x^4)/dx = 4 x^3
    assert y2._seq > y._seq


def test_a_leaf_pickles_with_its_grad_and_label():
    v = Value(1.25, label="w")
    v.grad = 0.5
    w = pickle.loads(pickle.dumps(v))
    assert (w.data, w.grad, w.label, w.op, w.parents) == (1.25, 0.5, "w", "", ())


def test_a_diverged_run_keeps_the_record_of_non_finite_nodes_small():
    before = len(ENGINE._runs_from)
    w = Value(math.inf)
    for _ in range(20):  # twenty steps of a model that has diverged: nearly every node inf
        loss = autograd.sum([(w * x + 1.0).relu() for x in range(500)])
        loss.backward()
    assert len(ENGINE._runs_from) - before <= 20
    x = Value(0.0)
    ((x**0.5) * 0.0).backward()  # still exact afterwards: 0 * inf = nan
    assert math.isnan(x.grad)
