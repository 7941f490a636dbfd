"""Optimizers and schedulers against torch.optim: 10 steps from the same start."""

from __future__ import annotations

import itertools
import json
import math

import pytest
import torch

from autograd import Value
from nn import optim

from .reference import assert_close

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
        (lambda: optim.SGD([1.0], lr=0.1), TypeError, "SGD: parameters must be Values, got float"),
        (lambda: optim.SGD([Value(1.0)], lr=-1), ValueError, "SGD: lr must be >= 0, got -1"),
        (lambda: optim.SGD([Value(1.0)], lr=0.1, nesterov=True), ValueError, "nesterov"),
        (lambda: optim.Adam([Value(1.0)], betas=(1.0, 0.9)), ValueError, r"betas\[0\]"),
        (lambda: optim.StepLR(optim.SGD([Value(1.0)], 0.1), 0), ValueError, "step_size"),
        (lambda: optim.LambdaLR(optim.SGD([Value(1.0)], 0.1), 2.0), TypeError, "callable"),
    ],
)
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


# --- settings refused when given, as torch.optim refuses them ---

BAD_SETTINGS = [
    ("SGD", {"lr": -0.1}, "SGD: lr must be >= 0, got -0.1"),
    ("SGD", {"lr": 0.1, "momentum": -0.5}, "SGD: momentum must be >= 0, got -0.5"),
    ("SGD", {"lr": 0.1, "weight_decay": -1e-4}, "SGD: weight_decay must be >= 0, got -0.0001"),
    ("SGD", {"lr": 0.1, "nesterov": True}, "SGD: nesterov needs momentum > 0"),
    ("SGD", {"lr": 0.1, "nesterov": True, "momentum": 0.9, "dampening": 0.1}, "SGD: nesterov"),
    ("Adam", {"lr": -1e-3}, "Adam: lr must be >= 0, got -0.001"),
    ("Adam", {"eps": -1e-8}, "Adam: eps must be >= 0, got -1e-08"),
    ("Adam", {"weight_decay": -0.1}, "Adam: weight_decay must be >= 0, got -0.1"),
    ("Adam", {"betas": (1.0, 0.999)}, r"Adam: betas\[0\] must be in \[0, 1\), got 1.0"),
    ("Adam", {"betas": (0.9, -0.1)}, r"Adam: betas\[1\] must be in \[0, 1\), got -0.1"),
    ("AdamW", {"betas": (0.9, 1.5)}, r"AdamW: betas\[1\] must be in \[0, 1\), got 1.5"),
    ("AdamW", {"eps": -1.0}, "AdamW: eps must be >= 0, got -1.0"),
    ("RMSprop", {"lr": -0.01}, "RMSprop: lr must be >= 0"),
    ("RMSprop", {"momentum": -0.9}, "RMSprop: momentum must be >= 0, got -0.9"),
    ("RMSprop", {"eps": -1e-8}, "RMSprop: eps must be >= 0"),
    ("RMSprop", {"alpha": -0.99}, "RMSprop: alpha must be >= 0, got -0.99"),
    ("RMSprop", {"weight_decay": -1.0}, "RMSprop: weight_decay must be >= 0"),
    ("Adagrad", {"lr": -0.01}, "Adagrad: lr must be >= 0"),
    ("Adagrad", {"lr_decay": -0.1}, "Adagrad: lr_decay must be >= 0, got -0.1"),
    ("Adagrad", {"weight_decay": -0.1}, "Adagrad: weight_decay must be >= 0"),
    ("Adagrad", {"initial_accumulator_value": -1.0}, "Adagrad: initial_accumulator_value"),
    ("Adagrad", {"eps": -1e-10}, "Adagrad: eps must be >= 0, got -1e-10"),
]


@pytest.mark.parametrize("name, kwargs, message", BAD_SETTINGS)
def test_bad_settings_are_refused_as_torch_refuses_them(name, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        getattr(optim, name)([Value(1.0)], **kwargs)
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.tensor(1.0, requires_grad=True)], **kwargs)


def test_nan_learning_rate_is_refused():
    """torch.optim.SGD lets lr = nan through (it checks lr < 0); a nan lr only spoils weights."""
    with pytest.raises(ValueError, match="^SGD: lr must be >= 0, got nan"):
        optim.SGD([Value(1.0)], lr=math.nan)


def test_parameters_must_be_leaf_values():
    a = Value(2.0)
    with pytest.raises(ValueError, match=r"^Adam: can't optimize a non-leaf Value .* at index 1"):
        optim.Adam([a, a * 3])
    with pytest.raises(ValueError, match="non-leaf"):
        t = torch.tensor(2.0, requires_grad=True)
        torch.optim.Adam([t, t * 3])
    # a number is a TypeError, as torch raises, and a ValueError, as every bad setting
    for error in (TypeError, ValueError):
        with pytest.raises(error, match=r"^SGD: parameters must be Values, got float at index 0"):
            optim.SGD([1.5], lr=0.1)
    with pytest.raises(TypeError, match="^Adam: params must be an iterable of Values, got Value"):
        optim.Adam(a)


def test_hyperparameters_stay_writable():
    opt = optim.SGD([Value(1.0)], lr=0.1, momentum=0.9)
    opt.lr, opt.momentum = 0.5, 0.0
    assert opt.state_dict()["param_groups"][0]["lr"] == 0.5


# --- a step is all or nothing ---

ONE_OF_EACH = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.1}),
    ("AdamW", {"lr": 0.1, "amsgrad": True}),
    ("RMSprop", {"lr": 0.1, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"lr": 0.1}),
]
IDS = [f"{n}-{kw}" for n, kw in ONE_OF_EACH]


@pytest.mark.parametrize("bad_grad", ["1.0", None, 10**400])
@pytest.mark.parametrize("name, kwargs", ONE_OF_EACH, ids=IDS)
def test_a_step_that_raises_changes_nothing(name, kwargs, bad_grad):
    params = [Value(x) for x in START]
    opt = getattr(optim, name)(params, **kwargs)
    for p, g in zip(params, [0.5, -0.25, 1.0, 2.0]):
        p.grad = g
    opt.step()  # some state to keep
    before = [p.data for p in params], json.dumps(opt.state_dict())
    params[2].grad = bad_grad
    with pytest.raises((TypeError, ValueError), match=f"^{name}: the grad of parameter 2"):
        opt.step()
    assert ([p.data for p in params], json.dumps(opt.state_dict())) == before


def test_centered_rmsprop_gives_torchs_nan_after_thousands_of_steps():
    """s - g_avg**2 rounds below 0 at step 3226 with a constant gradient: nan, as torch."""
    ours = Value(1.0)
    theirs = torch.tensor(1.0, requires_grad=True)
    opt = optim.RMSprop([ours], lr=1e-3, alpha=0.99, centered=True)
    topt = torch.optim.RMSprop([theirs], lr=1e-3, alpha=0.99, centered=True)
    for _ in range(3300):
        ours.grad = 0.1
        theirs.grad = torch.tensor(0.1)
        opt.step()
        topt.step()
        assert_close(ours.data, theirs.item(), "RMSprop centered")
    assert math.isnan(ours.data)


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Adagrad"])
def test_eps_zero_divides_as_torch(name):
    """eps = 0 is allowed; a zero gradient then gives 0 / 0 = nan, as torch, not an error."""
    params = [Value(1.0), Value(2.0)]
    opt = getattr(optim, name)(params, eps=0.0)
    tparams = [torch.tensor(x, requires_grad=True) for x in (1.0, 2.0)]
    topt = getattr(torch.optim, name)(tparams, eps=0.0)
    params[1].grad = 0.5
    tparams[0].grad, tparams[1].grad = torch.tensor(0.0), torch.tensor(0.5)
    opt.step()
    topt.step()
    for p, t in zip(params, tparams):
        assert_close(p.data, t.item(), f"{name} eps=0")
    assert math.isnan(params[0].data)


# --- state_dict in torch.optim's layout ---


@pytest.mark.parametrize("name, kwargs", ONE_OF_EACH + [("Adam", {"amsgrad": True})], ids=str)
@pytest.mark.parametrize("steps", [0, 3])
def test_state_dict_has_torchs_layout_and_numbers(name, kwargs, steps):
    _, _, opt = run_with_optimizer(lambda p: getattr(optim, name)(p, **kwargs), steps, Value)
    _, _, topt = run_with_optimizer(
        lambda p: getattr(torch.optim, name)(p, **kwargs), steps, torch_leaf
    )
    ours, theirs = opt.state_dict(), topt.state_dict()
    assert list(ours) == list(theirs) == ["state", "param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for i, entry in theirs["state"].items():
        assert list(ours["state"][i]) == list(entry)
        for key, tensor in entry.items():
            assert_close(ours["state"][i][key], tensor.item(), f"state {i} {key}")
    (group,), (tgroup,) = ours["param_groups"], theirs["param_groups"]
    assert set(group) <= set(tgroup)
    assert {k: tgroup[k] for k in group} == group
    assert json.loads(json.dumps(ours))  # JSON-ready


def torch_leaf(x):
    return torch.tensor(x, requires_grad=True)


def run_with_optimizer(make, steps, leaf):
    params = [leaf(x) for x in START]
    opt = make(params)
    for _ in range(steps):
        opt.zero_grad()
        loss_of(params).backward()
        opt.step()
    return params, None, opt


@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_scheduler_state_dict_has_torchs_keys_and_numbers(name, kwargs):
    _, _, sched = run_ours(
        lambda p: optim.SGD(p, lr=0.1),
        steps=4,
        schedule=lambda o: getattr(optim, name)(o, **kwargs),
    )
    _, _, tsched = run_torch(
        lambda p: torch.optim.SGD(p, lr=0.1),
        steps=4,
        schedule=lambda o: getattr(torch.optim.lr_scheduler, name)(o, **kwargs),
    )
    ours, theirs = sched.state_dict(), tsched.state_dict()
    assert set(ours) <= set(theirs)
    assert set(theirs) - set(ours) <= {"_step_count", "_is_initial", "_get_lr_called_within_step"}
    assert ours == {k: theirs[k] for k in ours}
    json.dumps(ours)


def test_optimizer_load_state_dict_changes_nothing_when_it_raises():
    params = [Value(x) for x in START]
    opt = optim.Adam(params, lr=0.1)
    for p in params:
        p.grad = 1.0
    opt.step()
    good = opt.state_dict()
    before = json.dumps(good)
    bad_states = [
        (lambda d: d["state"]["3"].update(exp_avg=10**400), r"'exp_avg': 10+\.\.\. \(401"),
        (lambda d: d["state"]["3"].update(exp_avg_sq="0.1"), "state 3 'exp_avg_sq' must be a real"),
        (lambda d: d["state"]["3"].update(step=2.0), "step counts differ"),
        (lambda d: d["state"].pop("3"), "must hold all 4 parameters or none"),
        (lambda d: d["param_groups"][0].update(lr=-1.0), "^Adam.load_state_dict: lr must be >= 0"),
        (lambda d: d["param_groups"][0].update(betas=[0.9, 1.0]), r"betas\[1\] must be in"),
        (lambda d: d["param_groups"][0].update(momentum=0.9), "unexpected key 'momentum'"),
        (lambda d: d["param_groups"][0].pop("eps"), "missing key 'eps'"),
    ]
    for spoil, message in bad_states:
        state = json.loads(before)  # JSON turns the indices into strings
        spoil(state)
        with pytest.raises(ValueError, match=message):
            opt.load_state_dict(state)
        assert json.dumps(opt.state_dict()) == before, message
    opt.load_state_dict(json.loads(before))  # string indices after JSON load fine
    assert json.dumps(opt.state_dict()) == before


def test_state_dict_round_trips_after_a_setting_is_switched_mid_run():
    """amsgrad switched off keeps its buffer (as torch's); the state still loads back."""
    params = [Value(x) for x in START]
    opt = optim.Adam(params, lr=0.1, amsgrad=True)
    for p in params:
        p.grad = 0.5
    opt.step()
    opt.amsgrad = False
    opt.step()
    saved = json.loads(json.dumps(opt.state_dict()))
    assert "max_exp_avg_sq" in saved["state"]["0"]
    other = optim.Adam([Value(x) for x in START])
    other.load_state_dict(saved)
    assert json.dumps(other.state_dict()) == json.dumps(opt.state_dict())
    saved["param_groups"][0]["amsgrad"] = True  # needs the buffer: still there, loads
    other.load_state_dict(saved)
    for entry in saved["state"].values():
        del entry["max_exp_avg_sq"]
    with pytest.raises(ValueError, match="state 0 must have the keys"):
        other.load_state_dict(saved)
    saved["param_groups"][0]["amsgrad"] = False
    for entry in saved["state"].values():
        entry["step"] = math.inf
    with pytest.raises(ValueError, match="'step' must be a whole number >= 0, got inf"):
        other.load_state_dict(saved)
