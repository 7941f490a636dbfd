"""Shared fixtures."""

from __future__ import annotations

from collections import deque

import pytest

from autograd import Value, backward_steps


@pytest.fixture(params=["backward", "steps"])
def backward_mode(request, monkeypatch):
    """Run a test with `backward()` and again with the step-through run to its end
    (which starts from a clean slate, so use it on graphs that have no gradients yet).

    Both must leave every gradient bit for bit the same.
    """
    if request.param == "steps":
        monkeypatch.setattr(Value, "backward", lambda self: deque(backward_steps(self), 0))
    return request.param
