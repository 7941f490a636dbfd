"""Comparing an nn module with its PyTorch twin: data, gradients and parameter layout."""

from __future__ import annotations

import itertools
import random
from typing import Any

import torch

import autograd
from autograd import Value
from tests.reference import assert_close


def flatten(x: Any) -> list:
    """The entries of nested lists (or tuples) in row-major order."""
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in flatten(item)]
    return [x]


def data(x: Any) -> list[float]:
    return [v.data if isinstance(v, Value) else float(v) for v in flatten(x)]


def assert_data(ours: Any, theirs: torch.Tensor, what: str) -> None:
    """Each entry of `ours` (Values or floats, nested) equals the tensor's, index for index."""
    expected = theirs.detach().reshape(-1).tolist()
    got = data(ours)
    assert len(got) == len(expected), f"{what}: {len(got)} entries, torch has {len(expected)}"
    for i, (a, b) in enumerate(zip(got, expected)):
        assert_close(a, b, f"{what}[{i}]")


def assert_grads(ours: Any, theirs: torch.Tensor, what: str) -> None:
    """The `.grad` of each Value in `ours` equals the tensor's gradient (None means zeros)."""
    grad = theirs.grad if theirs.grad is not None else torch.zeros_like(theirs)
    expected = grad.reshape(-1).tolist()
    got = [v.grad for v in flatten(ours)]
    assert len(got) == len(expected), f"{what}: {len(got)} entries, torch has {len(expected)}"
    for i, (a, b) in enumerate(zip(got, expected)):
        assert_close(a, b, f"{what}.grad[{i}]")


def attribute(module: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        module = module[int(part)] if part.isdigit() else getattr(module, part)
    return module


def assert_parameters(ours: Any, theirs: torch.nn.Module, grads: bool = True) -> None:
    """Every torch parameter has a twin in `ours` under the same name, equal data and grads."""
    for name, tensor in theirs.named_parameters():
        assert_data(attribute(ours, name), tensor, name)
        if grads:
            assert_grads(attribute(ours, name), tensor, name)


def assert_state_keys(ours: Any, theirs: torch.nn.Module) -> None:
    """Our flat state_dict keys are torch's, each tensor's entries numbered row-major."""
    expected = set()
    for key, tensor in theirs.state_dict().items():
        if tensor.dim() == 0:
            expected.add(key)
            continue
        for index in itertools.product(*map(range, tensor.shape)):
            expected.add(".".join([key, *map(str, index)]))
    assert set(ours.state_dict()) == expected


def leaves(numbers: Any) -> Any:
    """Nested lists of fresh leaf Values."""
    if isinstance(numbers, (list, tuple)):
        return [leaves(x) for x in numbers]
    return Value(float(numbers))


def uniform(rng: random.Random, *shape: int) -> Any:
    if len(shape) == 1:
        return [rng.uniform(-1, 1) for _ in range(shape[0])]
    return [uniform(rng, *shape[1:]) for _ in range(shape[0])]


def linear_loss(rng: random.Random, outputs: Any) -> tuple[Value, list[float]]:
    """sum(c_i * y_i) over every output with random c: its gradient is c, checked everywhere."""
    flat = flatten(outputs)
    coefficients = [rng.uniform(-1, 1) for _ in flat]
    return autograd.dot(flat, coefficients), coefficients


def torch_linear_loss(outputs: list[torch.Tensor], coefficients: list[float]) -> torch.Tensor:
    flat = torch.cat([t.reshape(-1) for t in outputs])
    return (flat * torch.tensor(coefficients)).sum()
