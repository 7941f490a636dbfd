"""Random expression graphs (hypothesis) against PyTorch float64.

A graph is a program: each instruction applies an op to earlier results, so
results are shared (fan-in) and an operand may appear twice (`a * a`).
Every op is applied in a form that stays inside its domain.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value

from .reference import assert_close, torch_leaves

UNARY = {
    "neg": (lambda a: -a, lambda a: -a),
    "tanh": (lambda a: a.tanh(), lambda a: a.tanh()),
    "sigmoid": (lambda a: a.sigmoid(), lambda a: a.sigmoid()),
    "relu": (lambda a: a.relu(), lambda a: a.relu()),
    "leaky_relu": (lambda a: a.leaky_relu(0.1), lambda a: F.leaky_relu(a, 0.1)),
    "elu": (lambda a: a.elu(0.5), lambda a: F.elu(a, 0.5)),
    "exp_tanh": (lambda a: a.tanh().exp(), lambda a: a.tanh().exp()),
    "log1sq": (lambda a: (a * a + 1).log(), lambda a: (a * a + 1).log()),
    "square": (lambda a: a**2, lambda a: a**2),
    "cube": (lambda a: a**3, lambda a: a**3),
    "sqrt1sq": (lambda a: (a * a + 0.5) ** 0.5, lambda a: (a * a + 0.5) ** 0.5),
    "scale": (lambda a: 0.5 * a - 1, lambda a: 0.5 * a - 1),
}
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / (b * b + 1), lambda a, b: a / (b * b + 1)),
    "pow": (lambda a, b: (a * a + 1) ** b.tanh(), lambda a, b: (a * a + 1) ** b.tanh()),
}
NARY = {
    "sum": (lambda xs: autograd.sum(xs), lambda xs: sum(xs[1:], xs[0])),
    "dot": (
        lambda xs: autograd.dot(xs[: len(xs) // 2], xs[len(xs) // 2 : 2 * (len(xs) // 2)]),
        lambda xs: sum(
            (a * b for a, b in zip(xs[: len(xs) // 2], xs[len(xs) // 2 : 2 * (len(xs) // 2)])),
            torch.tensor(0.0),
        ),
    ),
}


@st.composite
def programs(draw):
    n_inputs = draw(st.integers(1, 4))
    inputs = draw(
        st.lists(
            st.floats(-3, 3, allow_nan=False).filter(lambda x: abs(x) > 1e-3),
            min_size=n_inputs,
            max_size=n_inputs,
        )
    )
    steps = []
    for i in range(draw(st.integers(1, 12))):
        available = n_inputs + i
        pick = st.integers(0, available - 1)
        kind = draw(st.sampled_from(["unary", "binary", "nary"]))
        if kind == "unary":
            steps.append(("unary", draw(st.sampled_from(sorted(UNARY))), (draw(pick),)))
        elif kind == "binary":
            steps.append(
                ("binary", draw(st.sampled_from(sorted(BINARY))), (draw(pick), draw(pick)))
            )
        else:
            args = tuple(draw(st.lists(pick, min_size=2, max_size=6)))
            steps.append(("nary", draw(st.sampled_from(sorted(NARY))), args))
    return inputs, steps


def run(program, leaves, engine):
    """Evaluate the program; engine 0 is chainrule, 1 is torch. Returns all results."""
    _, steps = program
    values = list(leaves)
    for kind, name, args in steps:
        operands = [values[i] for i in args]
        if kind == "unary":
            values.append(UNARY[name][engine](*operands))
        elif kind == "binary":
            values.append(BINARY[name][engine](*operands))
        else:
            values.append(NARY[name][engine](operands))
    return values


@settings(max_examples=300, deadline=None)
@given(programs())
def test_random_graphs_match_pytorch(program):
    inputs, _ = program
    ours = run(program, [Value(x) for x in inputs], 0)
    theirs = run(program, torch_leaves(inputs), 1)
    out, tout = ours[-1], theirs[-1]
    if not math.isfinite(tout.item()):
        return
    out.backward()
    tout.backward()
    assert_close(out.data, tout.item(), "value", rel=1e-9)
    for i, (leaf, tleaf) in enumerate(zip(ours, theirs[: len(inputs)])):
        expected = 0.0 if tleaf.grad is None else tleaf.grad.item()
        assert math.isclose(leaf.grad, expected, rel_tol=1e-9, abs_tol=1e-12), (
            f"d/dx{i}: chainrule {leaf.grad!r} != torch {expected!r}"
        )
