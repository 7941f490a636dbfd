"""Losses and softmax, built from autograd's ops, with torch.nn.functional's numbers.

Every loss takes lists (predictions as Values, targets as numbers or Values)
and averages over the entries (PyTorch's default mean reduction).
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


def _check_pair(name: str, preds: Sequence, targets: Sequence) -> None:
    if not preds:
        raise ValueError(f"{name}: got an empty list of predictions")
    if len(preds) != len(targets):
        raise ValueError(f"{name}: {len(preds)} predictions but {len(targets)} targets")


def _mean(terms: list[Value]) -> Value:
    return autograd.sum(terms) * (1.0 / len(terms))


def _data(x: Target) -> float:
    return x.data if isinstance(x, Value) else x


def log_softmax(xs: Sequence[Value]) -> list[Value]:
    """x_i - log(sum_j exp(x_j)), computed after shifting by the largest x (no overflow)."""
    if not xs:
        raise ValueError("log_softmax: got an empty list")
    top = max(_data(x) for x in xs)
    shifted = [x - top for x in xs]
    log_total = autograd.sum([s.exp() for s in shifted]).log()
    return [s - log_total for s in shifted]


def softmax(xs: Sequence[Value]) -> list[Value]:
    """exp(x_i) / sum_j exp(x_j), computed after shifting by the largest x."""
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
    """-mean(t * log(p) + (1 - t) * log(1 - p)), each log clamped at -100."""
    _check_pair("binary_cross_entropy", probs, targets)
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
    if not isinstance(target, numbers.Integral) or isinstance(target, bool):
        raise ValueError(f"cross_entropy: target must be a class index, got {target!r}")
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
    return alpha * autograd.dot(params, params)
