"""Optimizers and learning-rate schedulers with `torch.optim`'s update rules.

Each optimizer reads and writes only `.data` and `.grad` of its parameters. Its
state lives in `buffers`, one list per kind parallel to `params`, under the
names `torch.optim` gives them (`"exp_avg"`, `"momentum_buffer"`, ...), so
`state_dict()` has torch's layout.

A step is all or nothing: every new value is computed first and written only
when all of them are known, so a step that raises changes nothing. A number
that is not finite flows through as in PyTorch (a nan where torch gives a nan),
never as a Python `ValueError` or `ZeroDivisionError` half way.

Settings are checked when given, as `torch.optim` checks them: `ValueError`
whose message starts with the class name and shows the value.
"""

from __future__ import annotations

import math
import numbers
import types
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from autograd import Value
from autograd.value import too_large

Check = Callable[[str, str, Any], Any]


class ParameterError(TypeError, ValueError):
    """Something that is not a Value in an optimizer's parameter list.

    A `TypeError`, as `torch.optim` raises for a non-tensor, and a `ValueError`,
    as for every other bad setting, so either `except` catches it.
    """


# --- checks of settings: each returns the value to keep or raises ---


def _real(owner: str, name: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {type(value).__name__}")
    return value


def _at_least_zero(owner: str, name: str, value: Any) -> Any:
    if not 0.0 <= _real(owner, name, value):
        raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")
    return value


def _betas(owner: str, name: str, value: Any) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{owner}: betas must be a pair of numbers, got {type(value).__name__}")
    pair = tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{owner}: betas must be a pair of numbers, got {value!r}")
    for i, beta in enumerate(pair):
        if not 0.0 <= _real(owner, f"betas[{i}]", beta) < 1.0:
            raise ValueError(f"{owner}: betas[{i}] must be in [0, 1), got {beta!r}")
    return pair


def _flag(owner: str, name: str, value: Any) -> bool:
    return bool(value)


def _checked_params(owner: str, params: Iterable[Value]) -> list[Value]:
    if isinstance(params, Value) or not isinstance(params, Iterable):
        raise TypeError(
            f"{owner}: params must be an iterable of Values, got {type(params).__name__}"
        )
    out = list(params)
    if not out:
        raise ValueError(f"{owner}: got an empty parameter list")
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            raise ParameterError(
                f"{owner}: parameters must be Values, got {type(p).__name__} at index {i}"
            )
        if p.op:
            raise ValueError(
                f"{owner}: can't optimize a non-leaf Value (the result of {p.op!r}) at index {i}"
            )
    return out


def _number(where: str, value: Any) -> float:
    """A saved number as a float: ValueError naming where it was, never OverflowError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{where} must be a real number, got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{where}: {too_large(value)} is too large for a float") from None


# --- float arithmetic as torch's tensors do it: nan and inf, never an exception ---


def _sqrt(x: float) -> float:
    """sqrt(x), nan for x < 0 (as torch.sqrt) instead of 'math domain error'."""
    return math.sqrt(x) if x >= 0.0 else math.nan


def _divide(a: float, b: float) -> float:
    """a / b with IEEE results for b == 0 (+-inf, or nan for 0 / 0), as a tensor divides."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's constant, splits a double into two halves


def _fma(a: float, b: float, c: float) -> float:
    """a * b + c rounded once, as torch's CPU kernels compute `addcmul` and `lerp`.

    Centered RMSprop subtracts two nearly equal numbers, where one rounding
    less changes the result; this keeps it equal to torch's. Dekker's exact
    product and Knuth's two-sum give a * b + c as s + u + err exactly; when err
    is 0 (almost always) s + u is the one rounding, else exact fractions decide.
    """
    p = a * b
    if not (1e-250 < abs(p) < 1e250 and abs(c) < 1e300):
        return _exact_fma(a, b, c)
    t = _SPLIT * a
    a_hi = t - (t - a)
    a_lo = a - a_hi
    t = _SPLIT * b
    b_hi = t - (t - b)
    b_lo = b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo  # a * b == p + e
    s = c + p
    z = s - c
    t = (c - (s - z)) + (p - z)  # c + p == s + t
    u = t + e
    z = u - t
    err = (t - (u - z)) + (e - z)  # t + e == u + err
    return s + u if err == 0.0 else _exact_fma(a, b, c)


def _exact_fma(a: float, b: float, c: float) -> float:
    if a == 0.0 or b == 0.0 or not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c  # exact product (or inf and nan), one rounding
    try:
        return float(Fraction(a) * Fraction(b) + Fraction(c))
    except OverflowError:
        return a * b + c


def _maximum(a: float, b: float) -> float:
    """max(a, b) that propagates nan, as torch.maximum."""
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


class Optimizer:
    """A list of parameters, checked settings (`lr` and the rest, all writable) and state.

    Subclasses name their settings in `checks` (torch's names, in torch's
    order), the kinds of per-parameter state they may keep in `buffers`
    (`buffer_kinds`, torch's order), and say whether torch's state counts
    steps (`counts_steps`).
    """

    checks: dict[str, Check] = {"lr": _at_least_zero}
    buffer_kinds: tuple[str, ...] = ()
    counts_steps = False

    def __init__(self, params: Iterable[Value], **settings: Any) -> None:
        owner = type(self).__name__
        self.params = _checked_params(owner, params)
        settings = self._checked_settings(settings, owner)
        self.__dict__.update(settings)
        self.steps = 0
        self.buffers: dict[str, list[float]] = self._initial_buffers(settings)

    # --- settings ---

    def _checked_settings(self, settings: dict[str, Any], owner: str) -> dict[str, Any]:
        checked = {name: check(owner, name, settings[name]) for name, check in self.checks.items()}
        self._check_together(checked, owner)
        return checked

    def _check_together(self, settings: dict[str, Any], owner: str) -> None:
        """Checks that involve more than one setting (SGD's nesterov)."""

    def _initial_buffers(self, settings: dict[str, Any]) -> dict[str, list[float]]:
        """The state before the first step: none, as torch creates it lazily."""
        return {}

    def _buffer_names(self, settings: dict[str, Any]) -> tuple[str, ...]:
        """The per-parameter state these settings need once there is any (Adam's amsgrad...).

        A saved state may hold more of `buffer_kinds` (a setting switched off
        mid-run keeps its buffer, as torch's does), never less.
        """
        return self.buffer_kinds

    # --- one step ---

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError

    def _grads(self) -> list[float]:
        """Every parameter's gradient as a float, checked before anything is written."""
        grads = [p.grad for p in self.params]
        if all(g.__class__ is float for g in grads):
            return grads
        owner = type(self).__name__
        return [_number(f"{owner}: the grad of parameter {i}", g) for i, g in enumerate(grads)]

    def _commit(self, new_data: list[float], new_buffers: dict[str, list[float]]) -> None:
        """Write a fully computed step: data, then state (a new dict, never shared)."""
        for p, x in zip(self.params, new_data):
            p.data = x
        self.buffers = {**self.buffers, **new_buffers}
        self.steps += 1

    # --- checkpoints, in torch.optim's layout ---

    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {name: number}}, "param_groups": [{setting: value, "params": [...]}]}.

        As `torch.optim.Optimizer.state_dict()`, with plain numbers instead of
        tensors (JSON-ready: after `json.loads` the indices are strings, and
        `load_state_dict` accepts them).
        """
        group = {name: getattr(self, name) for name in self.checks}
        group["params"] = list(range(len(self.params)))
        return {"state": self._param_state(), "param_groups": [group]}

    def _param_state(self) -> dict[int, dict[str, float]]:
        if not self.buffers:
            return {}
        state = {}
        for i in range(len(self.params)):
            entry = {"step": float(self.steps)} if self.counts_steps else {}
            entry.update((name, values[i]) for name, values in self.buffers.items())
            state[i] = entry
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore settings and state saved by `state_dict()`; nothing changes if it raises."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(f"{where}: expected a dict with keys 'state' and 'param_groups'")
        settings = self._loaded_settings(state_dict["param_groups"], where)
        steps, buffers = self._loaded_state(state_dict["state"], settings, where)
        self.__dict__.update(settings)
        self.steps, self.buffers = steps, buffers

    def _loaded_settings(self, groups: Any, where: str) -> dict[str, Any]:
        if not isinstance(groups, (list, tuple)) or len(groups) != 1:
            raise ValueError(f"{where}: expected a list of one parameter group")
        group = groups[0]
        if not isinstance(group, dict):
            raise ValueError(
                f"{where}: a parameter group must be a dict, got {type(group).__name__}"
            )
        for key in group:
            if key != "params" and key not in self.checks:
                raise ValueError(f"{where}: unexpected key {key!r} in param_groups")
        for key in [*self.checks, "params"]:
            if key not in group:
                raise ValueError(f"{where}: missing key {key!r} in param_groups")
        n = len(self.params)
        if not isinstance(group["params"], (list, tuple)) or len(group["params"]) != n:
            raise ValueError(f"{where}: the saved group does not hold {n} parameters")
        return self._checked_settings(group, where)

    def _loaded_state(
        self, state: Any, settings: dict[str, Any], where: str
    ) -> tuple[int, dict[str, list[float]]]:
        if not isinstance(state, dict):
            raise ValueError(f"{where}: 'state' must be a dict, got {type(state).__name__}")
        if not state:
            return 0, self._initial_buffers(settings)
        n = len(self.params)
        by_index = {_index(key, n, where): entry for key, entry in state.items()}
        if len(by_index) != n:
            raise ValueError(f"{where}: 'state' must hold all {n} parameters or none")
        needed = self._buffer_names(settings)
        first = by_index[0] if isinstance(by_index[0], dict) else {}
        names = [name for name in self.buffer_kinds if name in first or name in needed]
        expected = {"step", *names} if self.counts_steps else set(names)
        buffers: dict[str, list[float]] = {name: [] for name in names}
        steps = set()
        for i in range(n):
            entry = by_index[i]
            if not isinstance(entry, dict) or set(entry) != expected:
                raise ValueError(f"{where}: state {i} must have the keys {sorted(expected)}")
            for name in names:
                buffers[name].append(_number(f"{where}: state {i} {name!r}", entry[name]))
            if self.counts_steps:
                steps.add(_number(f"{where}: state {i} 'step'", entry["step"]))
        return _one_step_count(steps, where), buffers


def _index(key: Any, n: int, where: str) -> int:
    """A state key (an int, or its string after a JSON round trip) as an index below n."""
    if isinstance(key, str) and key.isdigit():
        key = int(key)
    if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < n:
        raise ValueError(f"{where}: state key {key!r} is not a parameter index below {n}")
    return key


def _one_step_count(steps: set[float], where: str) -> int:
    if not steps:
        return 0
    if len(steps) != 1:
        raise ValueError(f"{where}: the parameters' step counts differ: {sorted(steps)}")
    (step,) = steps
    if not (math.isfinite(step) and step >= 0 and step == int(step)):
        raise ValueError(f"{where}: 'step' must be a whole number >= 0, got {step!r}")
    return int(step)


class SGD(Optimizer):
    """Stochastic gradient descent, as `torch.optim.SGD`.

    With g the gradient (plus weight_decay * p), each step:
        buf = g at the first step, else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf      (only when momentum > 0)
        p = p - lr * g
    This is PyTorch's momentum, not Sutskever's `v = momentum * v - lr * g; p += v`
    (DeZero's MomentumSGD): the two agree for a constant lr, but here lr scales
    the whole buffer, so changing lr mid-run acts at once.
    """

    checks = {
        "lr": _at_least_zero,
        "momentum": _at_least_zero,
        "dampening": _real,
        "weight_decay": _at_least_zero,
        "nesterov": _flag,
    }

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
        )

    def _check_together(self, settings: dict[str, Any], owner: str) -> None:
        if settings["nesterov"] and (settings["momentum"] <= 0 or settings["dampening"] != 0):
            raise ValueError(
                f"{owner}: nesterov needs momentum > 0 and dampening == 0, got "
                f"momentum={settings['momentum']!r}, dampening={settings['dampening']!r}"
            )

    buffer_kinds = ("momentum_buffer",)

    def step(self) -> None:
        grads = self._grads()
        lr, momentum, dampening = self.lr, self.momentum, self.dampening
        wd, nesterov = self.weight_decay, self.nesterov
        if not momentum and not wd:
            self._commit([p.data - lr * g for p, g in zip(self.params, grads)], {})
            return
        old = self.buffers.get("momentum_buffer")
        new_data, new_buffer = [], []
        for i, (p, g) in enumerate(zip(self.params, grads)):
            x = p.data
            if wd:
                g = g + wd * x
            if momentum:
                buf = g if old is None else momentum * old[i] + (1 - dampening) * g
                new_buffer.append(buf)
                g = g + momentum * buf if nesterov else buf
            new_data.append(x - lr * g)
        self._commit(new_data, {"momentum_buffer": new_buffer} if momentum else {})


class Adam(Optimizer):
    """Adam (and AMSGrad), as `torch.optim.Adam`; weight decay is added to the gradient.

    With g the gradient (plus weight_decay * p) and t the step number:
        m = m + (g - m) * (1 - beta1)           v = beta2 * v + (1 - beta2) * g * g
        v_hat = max(v_hat, v) with amsgrad, else v
        p = p - lr / (1 - beta1**t) * m / (sqrt(v_hat) / sqrt(1 - beta2**t) + eps)
    """

    checks = {
        "lr": _at_least_zero,
        "betas": _betas,
        "eps": _at_least_zero,
        "weight_decay": _at_least_zero,
        "amsgrad": _flag,
    }
    buffer_kinds = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    counts_steps = True
    decoupled = False
    """AdamW: shrink p by lr * weight_decay first instead of adding to the gradient."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad
        )

    def _buffer_names(self, settings: dict[str, Any]) -> tuple[str, ...]:
        names = ("exp_avg", "exp_avg_sq")
        return names + ("max_exp_avg_sq",) if settings["amsgrad"] else names

    def step(self) -> None:
        grads = self._grads()
        t = self.steps + 1
        beta1, beta2 = self.betas
        lr, eps, wd, amsgrad = self.lr, self.eps, self.weight_decay, self.amsgrad
        step_size = lr / (1 - beta1**t)
        correction2_sqrt = math.sqrt(1 - beta2**t)
        zeros = [0.0] * len(grads)
        m_old = self.buffers.get("exp_avg", zeros)
        v_old = self.buffers.get("exp_avg_sq", zeros)
        v_max_old = self.buffers.get("max_exp_avg_sq", zeros)
        new_data, m_new, v_new, v_max_new = [], [], [], []
        for i, (p, g) in enumerate(zip(self.params, grads)):
            x = p.data
            if wd:
                if self.decoupled:
                    x = x * (1 - lr * wd)
                else:
                    g = g + wd * x
            m = m_old[i] + (g - m_old[i]) * (1 - beta1)
            v = v_old[i] * beta2 + (1 - beta2) * g * g
            m_new.append(m)
            v_new.append(v)
            if amsgrad:
                v = _maximum(v_max_old[i], v)
                v_max_new.append(v)
            denom = _sqrt(v) / correction2_sqrt + eps
            new_data.append(x - step_size * _divide(m, denom))
        new_buffers = {"exp_avg": m_new, "exp_avg_sq": v_new}
        if amsgrad:
            new_buffers["max_exp_avg_sq"] = v_max_new
        self._commit(new_data, new_buffers)


class AdamW(Adam):
    """Adam with decoupled weight decay, as `torch.optim.AdamW`: p shrinks by lr * wd first."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class RMSprop(Optimizer):
    """RMSprop, with momentum and the centered variant, as `torch.optim.RMSprop`.

    With g the gradient (plus weight_decay * p):
        s = alpha * s + (1 - alpha) * g * g
        avg = sqrt(s - g_avg**2) + eps, g_avg = g_avg + (g - g_avg) * (1 - alpha)  (centered)
        avg = sqrt(s) + eps                                                      (otherwise)
        buf = momentum * buf + g / avg; p = p - lr * buf     (momentum > 0)
        p = p - lr * g / avg                                  (otherwise)
    Centered, s - g_avg**2 can round below zero after many steps: the square
    root is then nan, as in PyTorch, not an error.
    """

    checks = {
        "lr": _at_least_zero,
        "momentum": _at_least_zero,
        "alpha": _at_least_zero,
        "eps": _at_least_zero,
        "centered": _flag,
        "weight_decay": _at_least_zero,
    }
    counts_steps = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
        )

    buffer_kinds = ("square_avg", "momentum_buffer", "grad_avg")

    def _buffer_names(self, settings: dict[str, Any]) -> tuple[str, ...]:
        names = ("square_avg",)
        if settings["momentum"] > 0:
            names += ("momentum_buffer",)
        return names + ("grad_avg",) if settings["centered"] else names

    def step(self) -> None:
        grads = self._grads()
        lr, alpha, eps, wd = self.lr, self.alpha, self.eps, self.weight_decay
        momentum, centered = self.momentum, self.centered
        zeros = [0.0] * len(grads)
        sq_old = self.buffers.get("square_avg", zeros)
        ga_old = self.buffers.get("grad_avg", zeros)
        buf_old = self.buffers.get("momentum_buffer", zeros)
        new_data, sq_new, ga_new, buf_new = [], [], [], []
        for i, (p, g) in enumerate(zip(self.params, grads)):
            x = p.data
            if wd:
                g = g + wd * x
            if centered:  # as torch's addcmul and lerp, each rounded once
                sq = _fma((1 - alpha) * g, g, sq_old[i] * alpha)
                ga = _fma(1 - alpha, g - ga_old[i], ga_old[i])
                ga_new.append(ga)
                avg = _sqrt(_fma(-ga, ga, sq)) + eps
            else:
                sq = sq_old[i] * alpha + (1 - alpha) * g * g
                avg = _sqrt(sq) + eps
            sq_new.append(sq)
            if momentum > 0:
                buf = buf_old[i] * momentum + _divide(g, avg)
                buf_new.append(buf)
                new_data.append(x - lr * buf)
            else:
                new_data.append(x - lr * _divide(g, avg))
        new_buffers = {"square_avg": sq_new}
        if momentum > 0:
            new_buffers["momentum_buffer"] = buf_new
        if centered:
            new_buffers["grad_avg"] = ga_new
        self._commit(new_data, new_buffers)


class Adagrad(Optimizer):
    """Adagrad, with learning-rate decay and an initial accumulator, as `torch.optim.Adagrad`.

    With g the gradient (plus weight_decay * p) and t the step number:
        s = s + g * g;  p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)
    """

    checks = {
        "lr": _at_least_zero,
        "lr_decay": _at_least_zero,
        "eps": _at_least_zero,
        "weight_decay": _at_least_zero,
        "initial_accumulator_value": _at_least_zero,
    }
    counts_steps = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
        )

    def _initial_buffers(self, settings: dict[str, Any]) -> dict[str, list[float]]:
        """torch creates Adagrad's state at once: step 0 and the initial accumulator."""
        return {"sum": [float(settings["initial_accumulator_value"])] * len(self.params)}

    buffer_kinds = ("sum",)

    def step(self) -> None:
        grads = self._grads()
        wd, eps = self.weight_decay, self.eps
        clr = self.lr / (1 + self.steps * self.lr_decay)
        sums = self.buffers["sum"]
        new_data, new_sums = [], []
        for i, (p, g) in enumerate(zip(self.params, grads)):
            x = p.data
            if wd:
                g = g + wd * x
            s = sums[i] + g * g
            new_sums.append(s)
            new_data.append(x - clr * _divide(g, _sqrt(s) + eps))
        self._commit(new_data, {"sum": new_sums})


# --- learning-rate schedulers, with PyTorch's step() semantics ---


class LRScheduler:
    """Changes `optimizer.lr` each `step()`; `last_epoch` counts the steps taken.

    Subclasses name their settings in `checks`; `state_dict()` holds them with
    `base_lrs`, `last_epoch` and `_last_lr`, as torch's schedulers do.
    """

    checks: dict[str, Check] = {}

    def __init__(self, optimizer: Optimizer, **settings: Any) -> None:
        owner = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{owner}: expected an Optimizer, got {type(optimizer).__name__}")
        self.__dict__.update(
            {name: check(owner, name, settings[name]) for name, check in self.checks.items()}
        )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = -1
        self.step()

    def step(self) -> None:
        self.last_epoch += 1
        self.optimizer.lr = self.next_lr()
        self._last_lr = [self.optimizer.lr]

    def get_last_lr(self) -> list[float]:
        return list(self._last_lr)

    def next_lr(self) -> float:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """The settings, `base_lrs`, `last_epoch` and `_last_lr`: JSON-ready, as torch's."""
        state = {name: getattr(self, name) for name in self.checks}
        state.update(
            base_lrs=[self.base_lr], last_epoch=self.last_epoch, _last_lr=self.get_last_lr()
        )
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict()` saved (torch's bookkeeping keys are accepted too)."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict):
            raise ValueError(f"{where}: expected a dict, got {type(state_dict).__name__}")
        state = {k: v for k, v in state_dict.items() if k not in TORCH_BOOKKEEPING}
        expected = {*self.checks, *self.extra_keys, "base_lrs", "last_epoch", "_last_lr"}
        for key in sorted(expected ^ set(state)):
            kind = "missing" if key in expected else "unexpected"
            raise ValueError(f"{where}: {kind} key {key!r}")
        settings = {name: check(where, name, state[name]) for name, check in self.checks.items()}
        base_lr = _one_number(where, "base_lrs", state["base_lrs"])
        last_lr = _one_number(where, "_last_lr", state["_last_lr"])
        last_epoch = state["last_epoch"]
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, int) or last_epoch < -1:
            raise ValueError(f"{where}: last_epoch must be an int >= -1, got {last_epoch!r}")
        self._load_extra(state, where)
        self.__dict__.update(settings)
        self.base_lr, self._last_lr, self.last_epoch = base_lr, [last_lr], last_epoch

    extra_keys: tuple[str, ...] = ()

    def _load_extra(self, state: dict[str, Any], where: str) -> None:
        """Check and load keys a subclass adds (LambdaLR's `lr_lambdas`)."""


TORCH_BOOKKEEPING = ("_step_count", "_is_initial", "_get_lr_called_within_step")
"""Keys of a torch scheduler's state_dict that only serve torch's warnings."""


def _one_number(where: str, name: str, value: Any) -> float:
    if not isinstance(value, (list, tuple)) or len(value) != 1:
        raise ValueError(f"{where}: {name} must be a list of one number, got {value!r}")
    return _number(f"{where}: {name}[0]", value[0])


def _step_size(owner: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}: step_size must be a positive int, got {value!r}")
    return value


class StepLR(LRScheduler):
    """Multiply the learning rate by `gamma` every `step_size` steps."""

    checks = {"step_size": _step_size, "gamma": _real}

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer, step_size=step_size, gamma=gamma)

    def next_lr(self) -> float:
        lr = self.optimizer.lr
        if self.last_epoch == 0 or self.last_epoch % self.step_size:
            return lr
        return lr * self.gamma


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by `gamma` every step."""

    checks = {"gamma": _real}

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        super().__init__(optimizer, gamma=gamma)

    def next_lr(self) -> float:
        lr = self.optimizer.lr
        return lr if self.last_epoch == 0 else lr * self.gamma


class LambdaLR(LRScheduler):
    """Set the learning rate to base_lr * lr_lambda(step).

    As torch's, `state_dict()` cannot hold a function: `lr_lambdas` is `[None]`
    for a plain function or lambda, and the attributes (`__dict__`) of a
    callable object, which `load_state_dict` puts back.
    """

    extra_keys = ("lr_lambdas",)

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        if not callable(lr_lambda):
            raise TypeError(f"LambdaLR: lr_lambda must be callable, got {type(lr_lambda).__name__}")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def next_lr(self) -> float:
        return self.base_lr * self.lr_lambda(self.last_epoch)

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        fn = self.lr_lambda
        plain = isinstance(fn, types.FunctionType) or not hasattr(fn, "__dict__")
        state["lr_lambdas"] = [None if plain else dict(vars(fn))]
        return state

    def _load_extra(self, state: dict[str, Any], where: str) -> None:
        saved = state["lr_lambdas"]
        if not isinstance(saved, (list, tuple)) or len(saved) != 1:
            raise ValueError(f"{where}: lr_lambdas must be a list of one entry, got {saved!r}")
        if saved[0] is None:
            return
        if not isinstance(saved[0], dict) or not hasattr(self.lr_lambda, "__dict__"):
            raise ValueError(f"{where}: lr_lambdas[0] must be None or a dict of the attributes")
        vars(self.lr_lambda).update(saved[0])
