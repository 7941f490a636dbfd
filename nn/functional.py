"""Losses and softmax, built from autograd's ops, with torch.nn.functional's numbers.

Every loss takes lists (predictions as Values, targets as numbers or Values)
and averages over the entries (PyTorch's default mean reduction). A plain
number as a prediction is a `TypeError`, as torch.nn.functional refuses a
float where it expects a tensor: a loss of constants has nothing to train.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from numbers import Real

import autograd
from autograd import Value

Target = Value | Real

LOG_CLAMP = -100.0
"""binary_cross_entropy clamps each log at this, as PyTorch does."""


def _check_values(name: str, xs: Sequence, what: str) -> None:
    """`xs` is a list of Values: TypeError naming the first entry that is not."""
    if isinstance(xs, Value) or not isinstance(xs, Sequence):
        raise TypeError(f"{name}: expected a list of Values as {what}, got {type(xs).__name__}")
    for i, x in enumerate(xs):
        if not isinstance(x, Value):
            raise TypeError(f"{name}: {what} must be Values, got {type(x).__name__} at index {i}")


def _check_pair(name: str, preds: Sequence, targets: Sequence) -> None:
    _check_values(name, preds, "predictions")
    if not preds:
        raise ValueError(f"{name}: got an empty list of predictions")
    if isinstance(targets, Value) or not isinstance(targets, Sequence):
        raise TypeError(f"{name}: expected a list of targets, got {type(targets).__name__}")
    if len(preds) != len(targets):
        raise ValueError(f"{name}: {len(preds)} predictions but {len(targets)} targets")
    for i, t in enumerate(targets):
        if isinstance(t, bool) or not isinstance(t, (Value, Real)):
            raise TypeError(
                f"{name}: targets must be numbers or Values, got {type(t).__name__} at index {i}"
            )


def _check_unit_interval(name: str, xs: Sequence[Target], what: str) -> None:
    """Each entry in [0, 1]; nan and anything outside is a ValueError naming the index."""
    for i, x in enumerate(xs):
        if not 0.0 <= _data(x) <= 1.0:
            raise ValueError(f"{name}: {what} must be in [0, 1], got {_data(x)!r} at index {i}")


def _mean(terms: list[Value]) -> Value:
    return autograd.sum(terms) * (1.0 / len(terms))


def _data(x: Target) -> float:
    return x.data if isinstance(x, Value) else x


def log_softmax(xs: Sequence[Value]) -> list[Value]:
    """x_i - log(sum_j exp(x_j)), computed after shifting by the largest x (no overflow)."""
    _check_values("log_softmax", xs, "logits")
    if not xs:
        raise ValueError("log_softmax: got an empty list")
    top = max(_data(x) for x in xs)
    shifted = [x - top for x in xs]
    log_total = autograd.sum([s.exp() for s in shifted]).log()
    return [s - log_total for s in shifted]


def softmax(xs: Sequence[Value]) -> list[Value]:
    """exp(x_i) / sum_j exp(x_j), computed after shifting by the largest x."""
    _check_values("softmax", xs, "logits")
    if not xs:
        raise ValueError("softmax: got an empty list")
    top = max(_data(x) for x in xs)
    exps = [(x - top).exp() for x in xs]
    total = autograd.sum(exps)
    return [e / total for e in exps]


def mse_loss(preds: Sequence[Value], targets: Sequence[Target]) -> Value:
    """mean((pred - target)**2)."""
    _check_pair("mse_loss", preds, targets)
    return _mean([(p - t) ** 2 for p, t in zip(preds, targets)])


def _clamped_log(p: Value) -> Value:
    """log(p), or the constant -100 where log(p) < -100 (p == 0 included), as PyTorch."""
    if p.data > 0:
        log_p = p.log()
        if log_p.data >= LOG_CLAMP:
            return log_p
    return Value(LOG_CLAMP)


def binary_cross_entropy(probs: Sequence[Value], targets: Sequence[Target]) -> Value:
    """-mean(t * log(p) + (1 - t) * log(1 - p)), each log clamped at -100.

    Probabilities and targets must lie in [0, 1], as PyTorch checks: a p of 1.5
    would give a negative loss and a nan a loss of 100 with no gradient, hiding
    a model that diverged.
    """
    _check_pair("binary_cross_entropy", probs, targets)
    _check_unit_interval("binary_cross_entropy", probs, "probabilities")
    _check_unit_interval("binary_cross_entropy", targets, "targets")
    return -_mean(
        [t * _clamped_log(p) + (1 - t) * _clamped_log(1 - p) for p, t in zip(probs, targets)]
    )


def binary_cross_entropy_with_logits(logits: Sequence[Value], targets: Sequence[Target]) -> Value:
    """binary_cross_entropy(sigmoid(x), t) computed stably from the logits x.

    For x >= 0: (1 - t) * x + log(1 + exp(-x)); for x < 0: -t * x + log(1 + exp(x)).
    The exponent is never positive, so logits of +-1000 give no overflow.
    """
    _check_pair("binary_cross_entropy_with_logits", logits, targets)
    terms = []
    for x, t in zip(logits, targets):
        if x.data >= 0:
            terms.append((1 - t) * x + ((-x).exp() + 1).log())
        else:
            terms.append(-(t * x) + (x.exp() + 1).log())
    return _mean(terms)


def cross_entropy(logits: Sequence[Value], target: int) -> Value:
    """-log_softmax(logits)[target] for one sample's logits and its class index."""
    _check_values("cross_entropy", logits, "logits")
    if not isinstance(target, numbers.Integral) or isinstance(target, bool):
        raise TypeError(f"cross_entropy: target must be a class index (an int), got {target!r}")
    if not 0 <= target < len(logits):
        raise ValueError(
            f"cross_entropy: class index {target} out of range for {len(logits)} logits"
        )
    return -log_softmax(logits)[int(target)]


def hinge_loss(scores: Sequence[Value], targets: Sequence[Target]) -> Value:
    """mean(relu(1 - y * score)) with labels y in {-1, +1} (the SVM max-margin loss)."""
    _check_pair("hinge_loss", scores, targets)
    return _mean([(1 - y * s).relu() for s, y in zip(scores, targets)])


def l2_penalty(params: Sequence[Value], alpha: float) -> Value:
    """alpha * sum(p**2): add it to a loss to pull weights toward zero (one dot node)."""
    _check_values("l2_penalty", params, "parameters")
    return alpha * autograd.dot(params, params)
