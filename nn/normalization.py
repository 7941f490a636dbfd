"""Normalisation layers: `LayerNorm` and `BatchNorm1d`, built from the engine's ops.

Both compute, over a group of numbers x_1..x_n,

    mean = sum(x) / n,   var = sum((x - mean)^2) / n   (biased),
    y_i  = (x_i - mean) * (var + eps) ** -0.5 * weight + bias

as PyTorch does. LayerNorm's group is one sample's features; BatchNorm1d's
is one feature (channel) across the batch, and in training mode it also
updates running statistics (with the unbiased variance, n / (n - 1) times
the one above) that eval mode then uses instead of the batch's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

import autograd
from autograd import Value

from . import bridge
from .linear import check_size
from .module import Module, _as_float


def normalize(xs: Sequence[Value | Real], eps: float) -> list[Value]:
    """(x_i - mean) * (var + eps) ** -0.5 with the biased variance: one group's graph."""
    n = len(xs)
    mean = autograd.sum(xs) * (1.0 / n)
    centred = [x - mean for x in xs]
    var = autograd.dot(centred, centred) * (1.0 / n)
    inv_std = (var + eps) ** -0.5
    return [c * inv_std for c in centred]


def _constants(n: int, value: float) -> list[Value]:
    return [Value(value) for _ in range(n)]


def _flatten(x: Any) -> list:
    return [leaf for item in x for leaf in _flatten(item)] if isinstance(x, (list, tuple)) else [x]


def _unflatten(flat: list, shape: tuple[int, ...]) -> list:
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0]
    return [_unflatten(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def _shape(x: Any) -> tuple[int, ...]:
    """The shape of nested lists (by their first entries)."""
    shape = []
    while isinstance(x, (list, tuple)):
        shape.append(len(x))
        x = x[0] if x else None
    return tuple(shape)


class LayerNorm(Module):
    """PyTorch's LayerNorm over the last dimensions of its input, `normalized_shape`.

    On a list of `normalized_shape` features it returns the normalised list;
    on a longer nesting (a sequence of vectors) it normalises each innermost
    block. `weight` starts at ones and `bias` at zeros, laid out with the
    normalized shape.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
    ) -> None:
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        if not isinstance(shape, (tuple, list)) or not shape:
            raise ValueError(
                "LayerNorm: normalized_shape must be an int or a tuple of ints, "
                f"got {normalized_shape!r}"
            )
        self.normalized_shape = tuple(check_size("LayerNorm", "normalized_shape", n) for n in shape)
        self.eps = _check_eps("LayerNorm", eps)
        self.elementwise_affine = bool(elementwise_affine)
        size = math.prod(self.normalized_shape)
        affine = self.elementwise_affine
        self.weight = _unflatten(_constants(size, 1.0), self.normalized_shape) if affine else None
        self.bias = (
            _unflatten(_constants(size, 0.0), self.normalized_shape) if affine and bias else None
        )

    def __call__(self, x: Any) -> list:
        shape, block = _shape(x), self.normalized_shape
        if shape[len(shape) - len(block) :] != block or len(shape) < len(block):
            raise ValueError(
                f"LayerNorm: expected an input whose last dimensions are {list(block)}, "
                f"got shape {list(shape)}"
            )
        return self._apply(x, len(shape) - len(block))

    def _apply(self, x: Any, outer: int) -> list:
        if outer:
            return [self._apply(item, outer - 1) for item in x]
        flat = _flatten(x)
        if len(flat) != math.prod(self.normalized_shape):
            raise ValueError(
                f"LayerNorm: expected blocks of shape {list(self.normalized_shape)}, got a ragged "
                f"block of {len(flat)} numbers"
            )
        ys = normalize(flat, self.eps)
        if self.weight is not None:
            ys = [y * w for y, w in zip(ys, _flatten(self.weight))]
        if self.bias is not None:
            ys = [y + b for y, b in zip(ys, _flatten(self.bias))]
        return _unflatten(ys, self.normalized_shape)

    def __repr__(self) -> str:
        return (
            f"LayerNorm({self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine})"
        )


class BatchNorm1d(Module):
    """PyTorch's BatchNorm1d on a batch of N samples of `num_features` (a list of N lists).

    Training mode: each feature is normalised with its batch mean and biased
    variance, and `running_mean` / `running_var` (lists of floats) move by
    `momentum` toward the batch mean and the unbiased variance
    (`momentum=None`: a cumulative average, as PyTorch). Eval mode: the
    running statistics are used, and nothing is updated. `weight` starts at
    ones, `bias` at zeros.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ) -> None:
        self.num_features = check_size("BatchNorm1d", "num_features", num_features)
        self.eps = _check_eps("BatchNorm1d", eps)
        if momentum is not None and not (isinstance(momentum, Real) and 0 <= momentum <= 1):
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] or None, got {momentum!r}")
        self.momentum = momentum
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        self.weight = _constants(num_features, 1.0) if affine else None
        self.bias = _constants(num_features, 0.0) if affine else None
        self.running_mean = [0.0] * num_features if track_running_stats else None
        self.running_var = [1.0] * num_features if track_running_stats else None
        self.num_batches_tracked = 0 if track_running_stats else None

    def __call__(self, batch: Sequence[Sequence[Value | Real]]) -> list[list[Value]]:
        columns = self._columns(batch)
        use_batch = self.training or not self.track_running_stats
        if use_batch and len(batch) < 2:
            raise ValueError(
                "BatchNorm1d: expected more than 1 value per channel when training, "
                f"got a batch of {len(batch)}"
            )
        if use_batch:
            normalized = [normalize(col, self.eps) for col in columns]
            if self.training and self.track_running_stats:
                self._update_running_stats(columns)
        else:
            normalized = [self._with_running_stats(c, col) for c, col in enumerate(columns)]
        if self.affine:
            normalized = [
                [y * w + b for y in col] for col, w, b in zip(normalized, self.weight, self.bias)
            ]
        return [list(row) for row in zip(*normalized)]

    def _columns(self, batch: Any) -> list[list]:
        if not isinstance(batch, (list, tuple)) or not batch:
            raise ValueError(
                f"BatchNorm1d: expected a non-empty batch (a list of samples), got {batch!r}"
            )
        for n, sample in enumerate(batch):
            if not isinstance(sample, (list, tuple)) or len(sample) != self.num_features:
                got = len(sample) if isinstance(sample, (list, tuple)) else type(sample).__name__
                raise ValueError(
                    f"BatchNorm1d: expected {self.num_features} features in sample {n}, got {got}"
                )
        return [list(col) for col in zip(*batch)]

    def _with_running_stats(self, c: int, column: list) -> list[Value]:
        mean, inv_std = self.running_mean[c], 1.0 / math.sqrt(self.running_var[c] + self.eps)
        return [(x - mean) * inv_std for x in column]

    def _update_running_stats(self, columns: list[list]) -> None:
        self.num_batches_tracked += 1
        factor = self.momentum if self.momentum is not None else 1.0 / self.num_batches_tracked
        n = len(columns[0])
        for c, col in enumerate(columns):
            data = [x.data if isinstance(x, Value) else float(x) for x in col]
            mean = math.fsum(data) / n
            unbiased = math.fsum((x - mean) ** 2 for x in data) / (n - 1)
            self.running_mean[c] = (1 - factor) * self.running_mean[c] + factor * mean
            self.running_var[c] = (1 - factor) * self.running_var[c] + factor * unbiased

    def _buffers(self) -> dict[str, float]:
        if not self.track_running_stats:
            return {}
        state = {f"running_mean.{i}": v for i, v in enumerate(self.running_mean)}
        state.update({f"running_var.{i}": v for i, v in enumerate(self.running_var)})
        state["num_batches_tracked"] = self.num_batches_tracked
        return state

    def state_dict(self) -> dict[str, float]:
        """Parameters, then the running statistics under PyTorch's buffer names."""
        return {**super().state_dict(), **self._buffers()}

    def load_state_dict(self, state: dict[str, float]) -> None:
        where = "BatchNorm1d.load_state_dict"
        if not isinstance(state, dict):
            raise ValueError(f"{where}: expected a dict, got {type(state).__name__}")
        buffers = self._buffers()
        for key in buffers:
            if key not in state:
                raise ValueError(f"{where}: missing key {key!r}")
        new = {key: _as_float(where, key, state[key]) for key in buffers}
        super().load_state_dict({k: v for k, v in state.items() if k not in buffers})
        for key, value in new.items():
            name, _, index = key.partition(".")
            if name == "num_batches_tracked":
                self.num_batches_tracked = int(value)
            else:
                getattr(self, name)[int(index)] = value

    def __repr__(self) -> str:
        return f"BatchNorm1d({self.num_features}, eps={self.eps}, momentum={self.momentum})"


def _check_eps(module: str, eps: object) -> float:
    if not isinstance(eps, Real) or isinstance(eps, bool) or not eps > 0:
        raise ValueError(f"{module}: eps must be a positive number, got {eps!r}")
    return float(eps)


# --- the bridge to torch.nn ---


def _layer_norm_to_torch(m: LayerNorm) -> Any:
    torch = bridge.torch()
    out = torch.nn.LayerNorm(
        m.normalized_shape,
        eps=m.eps,
        elementwise_affine=m.elementwise_affine,
        bias=m.bias is not None,
    ).to(torch.float64)
    with torch.no_grad():
        if m.weight is not None:
            out.weight.copy_(bridge.tensor(m.weight))
        if m.bias is not None:
            out.bias.copy_(bridge.tensor(m.bias))
    return out


def _layer_norm_from_torch(t: Any) -> LayerNorm:
    ours = LayerNorm(
        tuple(t.normalized_shape),
        eps=t.eps,
        elementwise_affine=t.elementwise_affine,
        bias=t.bias is not None,
    )
    if t.weight is not None:
        bridge.set_data(ours.weight, t.weight)
    if t.bias is not None:
        bridge.set_data(ours.bias, t.bias)
    return ours


def _batch_norm_to_torch(m: BatchNorm1d) -> Any:
    torch = bridge.torch()
    out = torch.nn.BatchNorm1d(
        m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats
    ).to(torch.float64)
    with torch.no_grad():
        if m.affine:
            out.weight.copy_(bridge.tensor(m.weight))
            out.bias.copy_(bridge.tensor(m.bias))
        if m.track_running_stats:
            out.running_mean.copy_(bridge.tensor(m.running_mean))
            out.running_var.copy_(bridge.tensor(m.running_var))
            out.num_batches_tracked.fill_(m.num_batches_tracked)
    return out.train(m.training)


def _batch_norm_from_torch(t: Any) -> BatchNorm1d:
    ours = BatchNorm1d(t.num_features, t.eps, t.momentum, t.affine, t.track_running_stats)
    if t.affine:
        bridge.set_data(ours.weight, t.weight)
        bridge.set_data(ours.bias, t.bias)
    if t.track_running_stats:
        ours.running_mean = t.running_mean.detach().to(bridge.torch().float64).tolist()
        ours.running_var = t.running_var.detach().to(bridge.torch().float64).tolist()
        ours.num_batches_tracked = int(t.num_batches_tracked)
    ours.train(t.training)
    return ours


bridge.register(LayerNorm, "LayerNorm", _layer_norm_to_torch, _layer_norm_from_torch)
bridge.register(BatchNorm1d, "BatchNorm1d", _batch_norm_to_torch, _batch_norm_from_torch)
