"""chainrule's autograd: a scalar reverse-mode automatic differentiation engine.

    >>> from autograd import Value
    >>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)

`autograd.sum`, `autograd.max`, `autograd.min` and `autograd.compile` are left
out of `__all__` so that `from autograd import *` does not shadow Python's built-ins.
"""

from .backward import backward
from .compile import Tape
from .compile import compile as compile  # left out of __all__, as sum, max and min
from .explain import explain
from .fused import dot, matmul, matvec
from .fused import max as max  # the contract's names; left out of __all__
from .fused import min as min
from .fused import sum as sum  # the contract's name; left out of __all__
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck
from .rules import RULES, Rule
from .steps import Contribution, Step, StepTable, backward_steps, step_table
from .value import Value
from .viz import draw_dot, save_frames, show_steps, step_frames

__all__ = [
    "RULES",
    "Contribution",
    "Rule",
    "Step",
    "StepTable",
    "Tape",
    "Value",
    "backward",
    "backward_steps",
    "dot",
    "draw_dot",
    "enable_grad",
    "explain",
    "gradcheck",
    "is_grad_enabled",
    "matmul",
    "matvec",
    "no_grad",
    "save_frames",
    "save_html",  # noqa: F822 - imported on first use, by __getattr__ below
    "set_grad_enabled",
    "show_steps",
    "step_frames",
    "step_table",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`save_html` is imported on first use, so `python -m autograd.html` loads that file once."""
    if name == "save_html":
        from .html import save_html

        return save_html
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
