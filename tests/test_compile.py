"""`autograd.compile`: the replayed tape equals the dynamic engine, and PyTorch."""

from __future__ import annotations

import importlib
import math
import random
import re
from contextlib import contextmanager

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value

from .reference import assert_close, close, torch_leaves

REL = 1e-12
generator = importlib.import_module("autograd.compile")


@contextmanager
def written_as_large():
    """Every graph written in the large graphs' compact form (runs of dot nodes)."""
    saved = generator._LARGE
    generator._LARGE = 0
    try:
        yield
    finally:
        generator._LARGE = saved


def same(ours: float, theirs: float) -> bool:
    """Equal to 1e-12 relative (the same inf, or both nan)."""
    return close(ours, theirs, rel=REL, abs_=0.0)


def worked_example():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return x, y, z, f


def test_the_worked_example_reads_as_a_hand_derivation():
    x, y, z, f = worked_example()
    tape = autograd.compile(f)
    lines = [line.strip() for line in tape.source.splitlines()]
    for expected in ("q = x + y", "f = q * z", "yield f", "g_f = 1.0"):
        assert expected in lines
    assert "g_q += g_f * z; g_z += g_f * q" in lines
    assert "g_x += g_q; g_y += g_q" in lines
    tape.backward()
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_forward_sees_new_leaf_data_and_backward_accumulates_as_the_engine():
    x, y, z, f = worked_example()
    tape = autograd.compile(f)
    x.data, z.data = 1.5, 2.0
    assert tape.forward() == (1.5 + 5.0) * 2.0 == f.data
    tape.backward()
    tape.backward()  # a second pass adds again, as root.backward() does
    assert (x.grad, y.grad, z.grad) == (4.0, 4.0, 13.0)


def test_labels_that_are_no_python_names_or_repeat_change_no_number():
    labels = ["w.0", "x y", "class", "x", "x", "_g", "g_x", "v1", "inf", "nan", "_L", ""]
    leaves = [Value(0.5 + i / 7, label=label) for i, label in enumerate(labels)]
    out = autograd.sum([a * b for a, b in zip(leaves, leaves[1:])]).tanh()
    out.label = "v0"
    tape = autograd.compile(out)
    tape.backward()
    ours = [v.grad for v in leaves]
    for v in leaves:
        v.grad = 0.0
    out.backward()
    assert ours == [v.grad for v in leaves]


def test_kinks_decide_afresh_at_each_replay():
    w, x = Value(2.0), Value(-1.0)
    out = autograd.max([(w * x).relu(), x.abs() * 0.5])
    tape = autograd.compile(out)
    w.data = -3.0  # the relu now passes 3.0, and the max picks it
    assert tape.forward() == 3.0
    tape.backward()
    assert (w.grad, x.grad) == (-1.0, -3.0)


def test_what_python_decided_while_building_stays_as_recorded():
    x = Value(2.0)
    out = x * 3.0 if x.data > 0 else x * -1.0  # the branch taken is recorded
    tape = autograd.compile(out)
    x.data = -5.0
    assert tape.forward() == -15.0
    tape.backward()
    assert x.grad == 3.0


def test_a_domain_error_at_replay_raises_as_the_op_would():
    x = Value(2.0)
    tape = autograd.compile((x * 1.0).log() + x.sqrt())
    x.data = -1.0
    with pytest.raises(ValueError, match=r"^log: needs x > 0, got x = -1\.0$"):
        tape.forward()
    y = Value(2.0)
    tape = autograd.compile(1.0 / y)
    y.data = 0.0
    with pytest.raises(ZeroDivisionError, match=r"^/: division by zero"):
        tape.forward()


def test_a_bare_leaf_and_a_graph_of_numbers_only():
    leaf = Value(3.0)
    tape = autograd.compile(leaf)
    assert tape.forward() == 3.0
    tape.backward()
    assert leaf.grad == 1.0
    out = 2 * Value(4.0) + 1
    assert autograd.compile(out).forward() == 9.0


def test_compile_refuses_what_is_no_value():
    with pytest.raises(TypeError, match=r"^compile: expected a Value, got float$"):
        autograd.compile(1.0)


def test_a_long_chain_compiles_and_replays_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(50_000):  # 100,000 ops
        y = y * 1.0001 + 0.0001
    tape = autograd.compile(y)
    x.data = 1.0
    assert tape.forward() == y.data
    tape.backward()
    expected = x.grad
    x.grad = 0.0
    y.backward()
    assert same(expected, x.grad)


# --- random graphs of every op: the tape against the dynamic engine ---

UNARY = [
    Value.exp,
    Value.log,
    Value.relu,
    lambda a: a.leaky_relu(0.1),
    lambda a: a.elu(0.7),
    Value.sigmoid,
    Value.tanh,
    Value.abs,
    Value.sqrt,
    Value.softplus,
    lambda a: a.softplus(2.0, 3.0),
    Value.gelu,
    lambda a: a.gelu("tanh"),
    Value.silu,
    Value.__neg__,
    lambda a: a**3,
    lambda a: a**0.5,
    lambda a: a**-1.5,
    lambda a: a**0,
    lambda a: 2.0 - a,
    lambda a: 0.5 / a,
    lambda a: 1.5**a,
]
BINARY = [
    Value.__add__,
    Value.__sub__,
    Value.__mul__,
    Value.__truediv__,
    Value.__pow__,
    lambda a, b: (a * b) + 1.0,
]
NARY = [
    lambda xs: autograd.sum(xs),
    lambda xs: autograd.dot(xs, xs[::-1]),
    lambda xs: autograd.dot(xs[1:], xs[:-1], xs[0]),
    lambda xs: autograd.dot(xs, [2.0] * len(xs)),
    lambda xs: autograd.max(xs),
    lambda xs: autograd.min(xs + [0.25]),
]
OPS = [(1, f) for f in UNARY] + [(2, f) for f in BINARY] + [(3, f) for f in NARY]

numbers = st.one_of(
    st.floats(-3.0, 3.0, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.0, 1e-200, 1e200, -1e200, math.inf, math.nan]),
)
instructions = st.lists(
    st.tuples(st.integers(0, len(OPS) - 1), st.lists(st.integers(0, 1000), min_size=3, max_size=5)),
    min_size=1,
    max_size=25,
)


def build(leaves, program, strict=False):
    """Apply the program to a pool of Values; returns the sum of the pool and the ops applied.

    An op that raises (outside its domain) is left out, as Python code that
    branches on it while building would leave it out; `strict` lets it raise.
    """
    pool = list(leaves)
    applied = []
    for op, picks in program:
        arity, fn = OPS[op]
        chosen = [pool[i % len(pool)] for i in picks]
        try:
            out = fn(chosen[0]) if arity == 1 else fn(*chosen[:2]) if arity == 2 else fn(chosen)
        except (ValueError, ZeroDivisionError):
            if strict:
                raise
            continue
        pool.append(out)
        applied.append((op, picks))
    return autograd.sum(pool), applied


def grads_of(leaves, run):
    for v in leaves:
        v.grad = 0.0
    run()
    return [v.grad for v in leaves]


@settings(max_examples=150, deadline=None)
@given(st.lists(numbers, min_size=2, max_size=5), instructions, st.lists(numbers, min_size=5))
def test_the_tape_equals_the_dynamic_engine_on_random_graphs(data, program, new_data):
    leaves = [Value(x) for x in data]
    root, applied = build(leaves, program)
    tape = autograd.compile(root)
    ours = grads_of(leaves, tape.backward)
    assert same(tape.root.data, root.data)
    theirs = grads_of(leaves, root.backward)
    assert all(map(same, ours, theirs)), (ours, theirs, tape.source)

    # replayed at new data: the same as building the same ops afresh there
    for leaf, x in zip(leaves, new_data):
        leaf.data = x
    fresh = [Value(x) for x in new_data[: len(leaves)]] + leaves[len(new_data) :]
    try:
        rebuilt, _ = build(fresh, applied, strict=True)
    except (ValueError, ZeroDivisionError) as error:  # every op is under the root
        with pytest.raises(type(error), match=re.escape(str(error))):
            tape.forward()
        return
    assert same(tape.forward(), rebuilt.data)
    ours = grads_of(leaves, tape.backward)
    theirs = grads_of(fresh, rebuilt.backward)
    assert all(map(same, ours, theirs)), (ours, theirs, tape.source)


# --- against PyTorch ---


def test_a_small_network_of_new_ops_equals_pytorch_after_replays():
    rng = random.Random(3)
    numbers = [rng.uniform(-1, 1) for _ in range(10)]

    def network(p, lib):
        if lib == "torch":
            h = [
                torch.nn.functional.gelu(p[0] * p[1] + p[2]),
                torch.nn.functional.silu(p[3] * p[4] - p[5]),
                torch.nn.functional.softplus(p[6] * 3.0),
            ]
            top = torch.stack(h).max()
            return top + (p[7] * p[7] + 1.0).sqrt() + (p[8] - p[9]).abs() / (p[9].exp() + 1.0)
        h = [(p[0] * p[1] + p[2]).gelu(), (p[3] * p[4] - p[5]).silu(), (p[6] * 3.0).softplus()]
        top = autograd.max(h)
        return top + (p[7] * p[7] + 1.0).sqrt() + (p[8] - p[9]).abs() / (p[9].exp() + 1.0)

    leaves = [Value(x) for x in numbers]
    tape = autograd.compile(network(leaves, "ours"))
    for step in range(3):
        values = [x + 0.3 * step * (-1) ** i for i, x in enumerate(numbers)]
        for leaf, x in zip(leaves, values):
            leaf.data, leaf.grad = x, 0.0
        value = tape.forward()
        tape.backward()
        t = torch_leaves(values)
        out = network(t, "torch")
        out.backward()
        assert_close(value, out.item(), f"step {step} value")
        for i, (leaf, tleaf) in enumerate(zip(leaves, t)):
            assert_close(leaf.grad, tleaf.grad.item(), f"step {step} d/dp{i}")


def replays_like_rebuilding(tape, model, X, y, steps=3):
    """Train `steps` SGD steps on the tape, checking each against a rebuilt graph bit for bit."""
    from nn import functional as F

    params = model.parameters()
    for _ in range(steps):
        model.zero_grad()
        value = tape.forward()
        tape.backward()
        ours = [p.grad for p in params]
        model.zero_grad()
        fresh = F.hinge_loss(model.batch(X), y) + F.l2_penalty(params, 1e-3)
        fresh.backward()
        assert value == fresh.data
        assert ours == [p.grad for p in params]
        for p in params:
            p.data -= 0.5 * p.grad


def test_mlp_training_step_equals_the_engine_bit_for_bit():
    from nn import MLP
    from nn import functional as F

    random.seed(0)
    model = MLP(2, [8, 8, 1])
    X = [[random.uniform(-1, 1), random.uniform(-1, 1)] for _ in range(20)]
    y = [1 if a * b > 0 else -1 for a, b in X]
    loss = F.hinge_loss(model.batch(X), y) + F.l2_penalty(model.parameters(), 1e-3)
    tape = autograd.compile(loss)
    replays_like_rebuilding(tape, model, X, y)


# --- shared operand groups: weight rows and layer outputs keep their gradients in lists ---


@settings(max_examples=60, deadline=None)
@given(
    st.integers(5, 7),
    st.lists(
        st.sampled_from(["relu", "tanh", "abs", "silu", "mix", "max"]), min_size=1, max_size=3
    ),
    st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=60, max_size=60),
    st.integers(2, 4),
)
def test_layers_sharing_weight_rows_equal_the_engine(width, layers, numbers, samples):
    """Rows and layer outputs used by many fused nodes, with other uses of their members between."""
    it = iter(numbers * 20)
    rows = [[Value(next(it)) for _ in range(width)] for _ in layers]
    biases = [Value(next(it)) for _ in layers]
    outputs = []
    for s in range(samples):
        h = [Value(next(it)) for _ in range(width)]
        for row, bias, kind in zip(rows, biases, layers):
            z = [autograd.dot(row, h, bias) * (k + 1) for k in range(width)]
            if kind == "mix":  # a member of a row also used alone, between the rows' uses
                h = [v + row[k % width] * h[0] for k, v in enumerate(z)]
            elif kind == "max":
                h = [autograd.max(z[k:] + z[:k]) for k in range(width)]
            else:
                h = [getattr(v, kind)() for v in z]
        outputs.append(autograd.sum(h) + h[s % width] * rows[0][s % width])
    root = autograd.sum(outputs) + autograd.dot(rows[0], rows[0])
    leaves = [v for row in rows for v in row] + biases
    tape = autograd.compile(root)
    ours = grads_of(leaves, tape.backward)
    theirs = grads_of(leaves, root.backward)
    assert tape.forward() == root.data
    assert all(map(same, ours, theirs)), (ours, theirs)


def test_compiled_training_equals_dynamic_training_and_refuses_dropout():
    from nn import MLP, optim
    from nn.datasets import make_moons
    from nn.train import train

    X, y = make_moons(30, noise=0.1, seed=2)
    for loss in ("hinge", "bce"):
        runs = []
        for compiled in (False, True):
            model = MLP(2, [6, 6, 1], seed=4)
            opt = optim.Adam(model.parameters(), 0.05)
            steps = train(model, X, y, opt, 5, loss=loss, l2=1e-3, compiled=compiled)
            history = list(steps)[-1]
            runs.append((history.loss, history.accuracy, [p.data for p in model.parameters()]))
        if loss == "hinge":  # the same graph: bit for bit
            assert runs[0] == runs[1]
        else:  # bce: the same function without a branch on .data (see replayable_bce)
            for ours, theirs in zip(runs[1][0] + runs[1][2], runs[0][0] + runs[0][2]):
                assert_close(ours, theirs, "compiled bce training", rel=1e-12)
            assert runs[0][1] == runs[1][1]
    model = MLP(2, [4, 1], dropout=0.5)
    with pytest.raises(ValueError, match=r"^train: compiled=True replays one graph"):
        next(train(model, X, y, optim.SGD(model.parameters(), 0.1), 3, compiled=True))


def test_replayable_bce_equals_pytorch_and_survives_a_logit_changing_sign():
    from nn.train import replayable_bce

    logits = [-1000.0, -30.0, -1.0, 0.0, 0.5, 37.0, 1000.0]
    targets = [1, 0, 1, 1, 0, 0, 1]
    leaves = [Value(x) for x in logits]
    tape = autograd.compile(replayable_bce(leaves, targets))
    for flip in (1.0, -1.0):  # compiled at the first signs, replayed at the opposite ones
        values = [flip * x for x in logits]
        for leaf, x in zip(leaves, values):
            leaf.data, leaf.grad = x, 0.0
        value = tape.forward()
        tape.backward()
        t = torch_leaves(values)
        expected = torch.nn.functional.binary_cross_entropy_with_logits(
            torch.stack(t), torch.tensor(targets, dtype=torch.float64)
        )
        expected.backward()
        assert_close(value, expected.item(), "bce", rel=1e-12)
        for leaf, tleaf in zip(leaves, t):
            assert_close(leaf.grad, tleaf.grad.item(), "d bce", rel=1e-12)


def test_both_flushes_add_pending_amounts_in_the_engines_order():
    from autograd.compile import _flush, _flush_in_order

    rng = random.Random(5)
    for n in (1, 3, 7, 150):
        start = [rng.uniform(-1, 1) for _ in range(6)]
        pending = [
            (rng.uniform(-1e3, 1e3), [rng.uniform(-1, 1) for _ in range(6)]) for _ in range(n)
        ]
        expected = list(start)
        for g, locals_ in pending:  # node by node, as backward() adds
            for i, local in enumerate(locals_):
                expected[i] += g * local
        for flush in (_flush, _flush_in_order):
            grads, queue = list(start), list(pending)
            flush(grads, queue)
            assert grads == expected and queue == []


def test_an_op_without_source_text_is_refused_by_name():
    import dataclasses

    x = Value(2.0)
    out = x.exp()
    out._rule = dataclasses.replace(out._rule, name="mystery", forward_src="")
    with pytest.raises(ValueError, match=r"^compile: op 'mystery' has no source text"):
        autograd.compile(out)


# --- large graphs: runs of dot nodes (a layer's weighted sums) as one statement each way ---


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(5, 7), min_size=1, max_size=3),
    st.lists(st.sampled_from(["relu", "none", "tanh", "self"]), min_size=3, max_size=3),
    st.booleans(),
    st.integers(1, 3),
    st.lists(numbers, min_size=40, max_size=40),
)
def test_runs_of_dot_nodes_equal_the_engine(widths, kinds, biased, samples, numbers):
    """Layers by matmul (consecutive dot nodes), with and without biases, kinks and specials."""
    it = iter(numbers * 30)
    width = widths[0]
    xs = [[Value(next(it)) for _ in range(width)] for _ in range(samples)]
    leaves = [v for x in xs for v in x]
    for out_width, kind in zip(widths[1:] + [5], kinds):
        rows = [[Value(next(it)) for _ in range(width)] for _ in range(out_width)]
        biases = [Value(next(it)) for _ in range(out_width)] if biased else None
        leaves += [v for row in rows for v in row] + (biases or [])
        if kind == "self":  # a row that is also the input: one list, both groups
            xs = [[autograd.dot(x, x, *(biases or [])[:1])] * out_width for x in xs]
            xs = [[v * (k + 1) for k, v in enumerate(x)] for x in xs]
        else:
            xs = autograd.matmul(rows, xs, biases)
            if kind != "none":
                xs = [[getattr(v, kind)() for v in x] for x in xs]
        width = out_width
    root = autograd.sum([autograd.sum(x) for x in xs])
    with written_as_large():
        tape = autograd.compile(root)
    assert "_dot_steps" in tape.source or "self" in kinds[: len(widths)]
    ours = grads_of(leaves, tape.backward)
    theirs = grads_of(leaves, root.backward)
    assert same(tape.forward(), root.data)
    assert all(map(same, ours, theirs)), (ours, theirs)


def test_a_compact_mlp_training_step_equals_the_engine_bit_for_bit():
    from nn import MLP
    from nn import functional as F

    random.seed(1)
    model = MLP(2, [8, 8, 1])
    X = [[random.uniform(-1, 1), random.uniform(-1, 1)] for _ in range(20)]
    y = [1 if a * b > 0 else -1 for a, b in X]
    loss = F.hinge_loss(model.batch(X), y) + F.l2_penalty(model.parameters(), 1e-3)
    with written_as_large():
        tape = autograd.compile(loss)
    assert tape.source.count("_dot_steps(") == 20  # the second layer's sums, one run per point
    replays_like_rebuilding(tape, model, X, y)


def test_small_graphs_keep_one_line_per_node():
    from nn import MLP

    model = MLP(2, [8, 8, 1])
    out = autograd.sum(model.batch([[0.5, -1.0], [1.0, 2.0]]))
    assert "_dot_steps" not in autograd.compile(out).source
