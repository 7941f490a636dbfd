"""PyTorch float64 as the numerical reference: comparison helpers."""

from __future__ import annotations

import math

import torch

torch.set_default_dtype(torch.float64)

REL = 1e-9


def close(ours: float, theirs: float, rel: float = REL, abs_: float = 1e-12) -> bool:
    """Equal to `rel` relative, or both the same inf, or both nan."""
    if math.isnan(theirs):
        return math.isnan(ours)
    if math.isinf(theirs):
        return ours == theirs
    return abs(ours - theirs) <= rel * abs(theirs) + abs_


def assert_close(ours: float, theirs: float, what: str = "", rel: float = REL) -> None:
    assert close(ours, theirs, rel), f"{what}: chainrule {ours!r} != torch {theirs!r}"


def torch_leaves(numbers: list[float]) -> list[torch.Tensor]:
    return [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in numbers]
