"""Optimizers and schedulers against torch.optim: 10 steps from the same start."""

from __future__ import annotations

import itertools

import pytest
import torch

from autograd import Value
from nn import optim

START = [0.5, -1.5, 2.0, 0.05]


def loss_of(p):
    """A small non-quadratic problem: gradients change every step."""
    a, b, c, d = p
    return (a * b - 1) ** 2 + (c.tanh() + d) ** 2 + 0.1 * (a**4) + (b - c) ** 2


def run(params, make, steps=10, schedule=None):
    """10 steps of `make(params)` (and its scheduler) on loss_of; works for both engines."""
    opt = make(params)
    sched = schedule(opt) if schedule else None
    lrs = []
    for _ in range(steps):
        opt.zero_grad()
        loss_of(params).backward()
        opt.step()
        if sched:
            sched.step()
            lrs.append(sched.get_last_lr()[0])
    return [float(p.data if isinstance(p, Value) else p.item()) for p in params], lrs, sched


def run_ours(make, steps=10, schedule=None):
    return run([Value(x) for x in START], make, steps, schedule)


def run_torch(make, steps=10, schedule=None):
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in START]
    return run(params, make, steps, schedule)


def grid(**options):
    keys = list(options)
    return [dict(zip(keys, values)) for values in itertools.product(*options.values())]


CONFIGS = (
    [
        ("SGD", kw)
        for kw in grid(
            lr=[0.05], momentum=[0.0, 0.9], dampening=[0.0, 0.3], weight_decay=[0.0, 0.1]
        )
    ]
    + [
        ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": wd})
        for wd in (0.0, 0.1)
    ]
    + [
        ("Adam", kw)
        for kw in grid(
            lr=[0.01],
            betas=[(0.9, 0.999), (0.8, 0.9)],
            weight_decay=[0.0, 0.1],
            amsgrad=[False, True],
        )
    ]
    + [
        ("AdamW", kw)
        for kw in grid(lr=[0.01], weight_decay=[0.0, 0.01, 0.5], amsgrad=[False, True])
    ]
    + [
        ("RMSprop", kw)
        for kw in grid(
            lr=[0.01],
            alpha=[0.99, 0.9],
            weight_decay=[0.0, 0.1],
            momentum=[0.0, 0.5],
            centered=[False, True],
        )
    ]
    + [
        ("Adagrad", kw)
        for kw in grid(
            lr=[0.1],
            lr_decay=[0.0, 0.05],
            weight_decay=[0.0, 0.1],
            initial_accumulator_value=[0.0, 0.5],
        )
    ]
    + [("Adam", {}), ("AdamW", {}), ("RMSprop", {}), ("Adagrad", {}), ("SGD", {"lr": 0.1})]
)


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[f"{n}-{kw}" for n, kw in CONFIGS])
def test_optimizer_matches_torch_after_10_steps(name, kwargs):
    ours, _, _ = run_ours(lambda p: getattr(optim, name)(p, **kwargs))
    theirs, _, _ = run_torch(lambda p: getattr(torch.optim, name)(p, **kwargs))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert abs(a - b) <= 1e-10 * max(1.0, abs(b)), f"param {i}: {a!r} != {b!r}"
    assert ours != START


SCHEDULES = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("StepLR", {"step_size": 1}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 1.0 / (1 + epoch)}),
]


@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_scheduler_matches_torch(name, kwargs):
    ours, our_lrs, sched = run_ours(
        lambda p: optim.SGD(p, lr=0.1, momentum=0.5),
        schedule=lambda o: getattr(optim, name)(o, **kwargs),
    )
    theirs, their_lrs, tsched = run_torch(
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5),
        schedule=lambda o: getattr(torch.optim.lr_scheduler, name)(o, **kwargs),
    )
    assert our_lrs == pytest.approx(their_lrs, rel=1e-12, abs=0)
    assert sched.last_epoch == tsched.last_epoch == 10
    for a, b in zip(ours, theirs):
        assert abs(a - b) <= 1e-10 * max(1.0, abs(b))


def test_lr_is_writable_and_zero_grad_clears():
    params = [Value(1.0)]
    opt = optim.Adam(params, lr=0.1)
    opt.lr = 0.0
    params[0].grad = 5.0
    opt.step()
    assert params[0].data == 1.0
    opt.zero_grad()
    assert params[0].grad == 0.0


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda: optim.SGD([1.0], lr=0.1), TypeError, "parameters must be Values, got float"),
        (lambda: optim.SGD([Value(1.0)], lr=-1), ValueError, "lr must be >= 0"),
        (lambda: optim.SGD([Value(1.0)], lr=0.1, nesterov=True), ValueError, "nesterov"),
        (lambda: optim.Adam([Value(1.0)], betas=(1.0, 0.9)), ValueError, r"betas\[0\]"),
        (lambda: optim.StepLR(optim.SGD([Value(1.0)], 0.1), 0), ValueError, "step_size"),
        (lambda: optim.LambdaLR(optim.SGD([Value(1.0)], 0.1), 2.0), TypeError, "callable"),
    ],
)
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()
