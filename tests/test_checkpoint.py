"""Checkpoints and copies: a run stopped and resumed equals the uninterrupted run bit for bit.

Model, optimizer and scheduler go through `state_dict()` -> JSON or pickle ->
`load_state_dict()` into freshly built objects, or are pickled and deep-copied
whole; training on from there must give exactly the parameters of a run that
never stopped.
"""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from autograd import Value
from nn import MLP, Dropout, Layer, Linear, Neuron, optim
from nn import functional as F
from nn.datasets import make_moons

X, Y = make_moons(12, noise=0.1, seed=0)
STEPS = 8


class Warmup:
    """A learning-rate factor with state of its own: LambdaLR saves its attributes."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def __call__(self, epoch: int) -> float:
        return min(1.0, (epoch + 1) / self.steps)


RUNS = {
    "Adam+StepLR": ("Adam", {"lr": 0.05}, "StepLR", {"step_size": 3, "gamma": 0.5}),
    "SGD-nesterov+ExponentialLR": (
        "SGD",
        {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
        "ExponentialLR",
        {"gamma": 0.9},
    ),
    "RMSprop-centered+LambdaLR": (
        "RMSprop",
        {"lr": 0.01, "centered": True, "momentum": 0.5},
        "LambdaLR",
        {"lr_lambda": Warmup(3)},
    ),
    "Adagrad+StepLR": ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}, "StepLR", {"step_size": 2}),
    "AdamW-amsgrad+ExponentialLR": (
        "AdamW",
        {"lr": 0.05, "amsgrad": True},
        "ExponentialLR",
        {"gamma": 0.95},
    ),
}


def build(run: str, seed: int = 0):
    opt_name, opt_kwargs, sched_name, sched_kwargs = RUNS[run]
    model = MLP(2, [4, 4, 1], seed=seed)
    opt = getattr(optim, opt_name)(model.parameters(), **opt_kwargs)
    sched_kwargs = copy.deepcopy(sched_kwargs)  # each run its own Warmup
    sched = getattr(optim, sched_name)(opt, **sched_kwargs)
    return model, opt, sched


def train(model, opt, sched, steps: int) -> None:
    for _ in range(steps):
        loss = F.binary_cross_entropy_with_logits(model.batch(X), Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()


def weights(model) -> list[float]:
    return [p.data for p in model.parameters()]


def uninterrupted(run: str) -> list[float]:
    model, opt, sched = build(run)
    train(model, opt, sched, STEPS)
    return weights(model)


def checkpoint(model, opt, sched) -> dict:
    return {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "scheduler": sched.state_dict(),
    }


def restore(saved: dict, run: str):
    """Fresh objects (other random weights, no state), then everything loaded."""
    model, opt, sched = build(run, seed=99)
    model.load_state_dict(saved["model"])
    opt.load_state_dict(saved["optimizer"])
    sched.load_state_dict(saved["scheduler"])
    return model, opt, sched


def half_way(run: str):
    model, opt, sched = build(run)
    train(model, opt, sched, STEPS // 2)
    return model, opt, sched


THROUGH = {
    "json": lambda d: json.loads(json.dumps(d)),
    "pickle": lambda d: pickle.loads(pickle.dumps(d)),
}


@pytest.mark.parametrize("through", THROUGH)
@pytest.mark.parametrize("run", RUNS)
def test_resumed_from_state_dicts_equals_uninterrupted_bit_for_bit(run, through):
    saved = THROUGH[through](checkpoint(*half_way(run)))
    model, opt, sched = restore(saved, run)
    train(model, opt, sched, STEPS - STEPS // 2)
    assert weights(model) == uninterrupted(run)


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
@pytest.mark.parametrize("run", RUNS)
def test_resumed_from_whole_objects_equals_uninterrupted_bit_for_bit(run, how):
    objects = half_way(run)
    if how == "pickle":
        model, opt, sched = pickle.loads(pickle.dumps(objects))
    else:
        model, opt, sched = copy.deepcopy(objects)
    assert opt.params == model.parameters() and sched.optimizer is opt  # links kept
    train(model, opt, sched, STEPS - STEPS // 2)
    assert weights(model) == uninterrupted(run)


def test_resuming_without_the_optimizer_state_would_differ():
    """The check above can fail: a fresh Adam and scheduler on the same weights drift off."""
    model, opt, sched = half_way("Adam+StepLR")
    fresh_model, fresh_opt, fresh_sched = build("Adam+StepLR", seed=99)
    fresh_model.load_state_dict(model.state_dict())
    train(fresh_model, fresh_opt, fresh_sched, STEPS - STEPS // 2)
    assert weights(fresh_model) != uninterrupted("Adam+StepLR")


def test_checkpoint_is_json_ready_and_has_torchs_layout():
    model, opt, sched = half_way("RMSprop-centered+LambdaLR")
    saved = checkpoint(model, opt, sched)
    json.dumps(saved, allow_nan=False)
    state = saved["optimizer"]["state"]
    assert list(state) == list(range(len(model.parameters())))
    assert list(state[0]) == ["step", "square_avg", "momentum_buffer", "grad_avg"]
    assert state[0]["step"] == STEPS // 2
    assert saved["scheduler"]["lr_lambdas"] == [{"steps": 3}]
    assert saved["scheduler"]["last_epoch"] == STEPS // 2


def test_scheduler_load_restores_a_callable_objects_attributes():
    _, _, sched = half_way("RMSprop-centered+LambdaLR")
    saved = sched.state_dict()
    saved["lr_lambdas"] = [{"steps": 7}]
    _, _, other = build("RMSprop-centered+LambdaLR", seed=1)
    other.load_state_dict(json.loads(json.dumps(saved)))
    assert other.lr_lambda.steps == 7 and other.last_epoch == STEPS // 2
    assert other.get_last_lr() == sched.get_last_lr()


def test_scheduler_load_state_dict_changes_nothing_when_it_raises():
    _, _, sched = half_way("Adam+StepLR")
    before = sched.state_dict()
    for spoil, message in [
        (lambda d: d.update(step_size=0), "^StepLR.load_state_dict: step_size must be a positive"),
        (lambda d: d.update(base_lrs=[10**400]), r"base_lrs\[0\]: 10+\.\.\. \(401 digits\)"),
        (lambda d: d.update(last_epoch="4"), "last_epoch must be an int"),
        (lambda d: d.pop("gamma"), "missing key 'gamma'"),
        (lambda d: d.update(momentum=0.9), "unexpected key 'momentum'"),
    ]:
        state = json.loads(json.dumps(before))
        spoil(state)
        with pytest.raises(ValueError, match=message):
            sched.load_state_dict(state)
        assert sched.state_dict() == before


# --- copies of modules ---

MODULES = [
    lambda: Neuron(3, activation="tanh"),
    lambda: Layer(3, 2, activation="elu"),
    lambda: MLP(3, [4, 2], activation="sigmoid", seed=1),
    lambda: MLP(3, [4, 1], dropout=0.0, seed=2),
    lambda: Linear(3, 2),
]


def outputs_and_grads(module, x):
    module.zero_grad()
    out = module(x)
    outs = out if isinstance(out, list) else [out]
    loss = sum((o * (k + 1) for k, o in enumerate(outs)), Value(0.0))
    loss.backward()
    return [o.data for o in outs], [p.grad for p in module.parameters()]


@pytest.mark.parametrize("copy_of", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))])
@pytest.mark.parametrize("make", MODULES, ids=lambda m: repr(m()))
def test_a_copied_module_is_independent_and_computes_the_same(make, copy_of):
    module = make()
    twin = copy_of(module)
    assert type(twin) is type(module) and repr(twin) == repr(module)
    assert twin.state_dict() == module.state_dict()
    assert not {id(p) for p in twin.parameters()} & {id(p) for p in module.parameters()}
    x = [0.3, -1.2, 2.0]
    assert outputs_and_grads(twin, x) == outputs_and_grads(module, x)
    for p in twin.parameters():
        p.data += 1.0
    assert twin.state_dict() != module.state_dict()


def test_training_a_deep_copy_leaves_the_original_alone_and_gives_the_same_numbers():
    model, opt, sched = build("Adam+StepLR")
    start = weights(model)
    twin = copy.deepcopy(model)
    twin_opt = optim.Adam(twin.parameters(), lr=0.05)
    twin_sched = optim.StepLR(twin_opt, step_size=3, gamma=0.5)
    train(twin, twin_opt, twin_sched, STEPS)
    assert weights(model) == start
    train(model, opt, sched, STEPS)
    assert weights(model) == weights(twin)


def test_a_shallow_copy_of_an_optimizer_keeps_its_own_state():
    """copy.copy shares the parameters (as torch's), but a step of one leaves the other's state."""
    model, opt, _ = half_way("Adam+StepLR")
    before = json.dumps(opt.state_dict())
    other = copy.copy(opt)
    other.step()
    assert json.dumps(opt.state_dict()) == before
    assert other.steps == opt.steps + 1


def test_dropout_and_the_train_flag_survive_a_copy():
    model = MLP(2, [3, 1], dropout=0.5).eval()
    twin = pickle.loads(pickle.dumps(model))
    assert not twin.training and all(not m.training for m in twin.modules())
    assert isinstance(twin.dropout, Dropout) and twin.dropout.p == 0.5


def test_shallow_copies_work_as_torchs_do():
    """copy.copy of a module shares its parameters (as torch.nn.Module's); of a scheduler, its
    optimizer; deep copies share nothing."""
    model, opt, sched = half_way("Adam+StepLR")
    assert copy.copy(model).parameters() == model.parameters()
    shallow = copy.copy(sched)
    assert shallow.optimizer is opt and shallow.state_dict() == sched.state_dict()
    shallow.step()
    assert sched.last_epoch == STEPS // 2 and shallow.last_epoch == STEPS // 2 + 1
    deep = copy.deepcopy(sched)
    assert deep.optimizer is not opt and deep.optimizer.params[0] is not opt.params[0]
    assert deep.state_dict() == sched.state_dict()
