"""chainrule's autograd: a scalar reverse-mode automatic differentiation engine.

    >>> from autograd import Value
    >>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)

`autograd.sum` is left out of `__all__` so that `from autograd import *` does
not shadow Python's built-in `sum`.
"""

from .backward import backward
from .fused import dot, matvec
from .fused import sum as sum  # the contract's name; left out of __all__
from .grad_mode import no_grad
from .gradcheck import gradcheck
from .rules import RULES, Rule
from .value import Value

__all__ = ["RULES", "Rule", "Value", "backward", "dot", "gradcheck", "matvec", "no_grad"]
__version__ = "0.1.0"
