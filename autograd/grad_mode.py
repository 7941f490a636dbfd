"""Grad mode, as PyTorch's: `no_grad`, `enable_grad`, `set_grad_enabled`, `is_grad_enabled`.

The mode is per thread (`threading.local`): a new thread records, and one
thread's `no_grad` never stops another from recording. Each entry saves the
mode it replaces on a per-thread stack, so blocks nest, one object can be
re-entered (a recursive decorated function) or used by two threads at once,
and the previous mode comes back even when a block raises.

Hot path: building a node asks `recording()`. While no thread has turned
recording off (`disabled_threads == 0`, the usual case) that is one read of a
module global; only then is the thread's own mode consulted.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_local = threading.local()
_lock = threading.Lock()

disabled_threads = 0
"""How many threads have recording off right now; 0 means every thread records."""


def is_grad_enabled() -> bool:
    """Whether ops in this thread record the graph (True unless inside `no_grad`)."""
    return getattr(_local, "enabled", True)


def recording() -> bool:
    """What `Value` asks each time it builds a node: does this thread record?"""
    return not disabled_threads or getattr(_local, "enabled", True)


def _set(mode: bool) -> None:
    global disabled_threads
    mode = bool(mode)
    if getattr(_local, "enabled", True) == mode:
        return
    with _lock:
        _local.enabled = mode
        disabled_threads += -1 if mode else 1


def _stack() -> list[bool]:
    try:
        return _local.stack
    except AttributeError:
        _local.stack = []
        return _local.stack


class _GradMode:
    """A context manager and decorator that sets the mode to `self.mode` while active.

    Usable bare (`@no_grad`) and called (`@no_grad()`); on a generator function
    the body runs in the mode and the caller's mode is back between yields.
    """

    mode = True

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        self = super().__new__(cls)
        if func is None:
            return self
        self.__init__()
        return self(func)  # bare use: @no_grad

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        pass

    def __enter__(self) -> _GradMode:
        _stack().append(is_grad_enabled())
        _set(self.mode)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _set(_stack().pop())

    def _fresh(self) -> _GradMode:
        return type(self)()

    def __call__(self, func: F) -> F:
        if not callable(func):
            raise TypeError(f"{type(self).__name__}: expected a function, got {func!r}")
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(self._fresh, func)  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Inside this block (or decorated function), ops compute data but record no graph.

    Each result is a leaf: no parents, `op == ""`. Per thread, nestable, re-entrant.
    """

    mode = False


class enable_grad(_GradMode):
    """Record the graph inside this block, even within `no_grad`."""

    mode = True


class set_grad_enabled(_GradMode):
    """Set the mode: called as a function it switches at once; as a context
    manager it restores the previous mode on exit; as a decorator it applies
    the mode to each call."""

    def __new__(cls, mode: bool) -> set_grad_enabled:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:  # noqa: D107 - see the class docstring
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self.mode = mode
        self._previous = is_grad_enabled()
        _set(mode)

    def __enter__(self) -> set_grad_enabled:
        _stack().append(self._previous)
        return self

    def _fresh(self) -> _GradMode:
        return _Switch(self.mode)

    def __call__(self, func: F) -> F:
        _set(self._previous)  # used as a decorator: switch only when the function runs
        return super().__call__(func)


class _Switch(_GradMode):
    def __new__(cls, mode: bool) -> _Switch:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        self.mode = mode


def _wrap_generator(make: Callable[[], _GradMode], func: Callable[..., Any]) -> Callable:
    """Run each resumption of the generator in the mode; the caller's mode between yields."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gen = func(*args, **kwargs)
        try:
            with make():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with make():
                        gen.close()
                    raise
                except BaseException:
                    with make():
                        response = gen.throw(*sys.exc_info())
                else:
                    with make():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return wrapper
