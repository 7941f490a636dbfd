"""`gradcheck`: compare `backward()` with central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real

from .grad_mode import no_grad
from .value import Value, as_float


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Real | Value],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True when `f`'s backward gradients agree with central differences.

    `f` is called as `f(*leaves)` on fresh leaf Values holding the inputs' numbers.
    Each gradient must satisfy |analytic - numeric| <= atol + rtol * |numeric|;
    the first that does not raises AssertionError naming the input.
    """
    numbers = [x.data if isinstance(x, Value) else as_float(x, "gradcheck") for x in inputs]
    labels = [x.label if isinstance(x, Value) else "" for x in inputs]
    leaves = [Value(x, label) for x, label in zip(numbers, labels)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()

    def f_at(i: int, x: float) -> float:
        shifted = numbers[:i] + [x] + numbers[i + 1 :]
        with no_grad():
            return f(*[Value(v) for v in shifted]).data

    for i, (x, leaf) in enumerate(zip(numbers, leaves)):
        numeric = (f_at(i, x + eps) - f_at(i, x - eps)) / (2 * eps)
        analytic = leaf.grad
        if not abs(analytic - numeric) <= atol + rtol * abs(numeric):
            name = f"input {i}" + (f" ({leaf.label!r})" if leaf.label else "")
            raise AssertionError(
                f"gradcheck: {name}: backward gives {analytic!r}, "
                f"central differences give {numeric!r}"
            )
    return True
