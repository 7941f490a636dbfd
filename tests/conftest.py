"""Shared fixtures."""

from __future__ import annotations

import pytest

from autograd import grad_mode


@pytest.fixture(params=[True, False], ids=["pruned", "full"])
def backward_mode(request, monkeypatch):
    """Run a test with both backward strategies (see `grad_mode.exact_zeros`)."""
    monkeypatch.setattr(grad_mode, "exact_zeros", request.param)
    return request.param
