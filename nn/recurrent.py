"""Recurrent layers on scalar Values: `RNNCell`, `LSTMCell`, `GRUCell`, `RNN`, `LSTM`, `GRU`.

Each is laid out as its PyTorch twin: `weight_ih[gates * hidden][input]`,
`weight_hh[gates * hidden][hidden]`, `bias_ih` and `bias_hh` (the sequence
modules add PyTorch's layer suffix, `weight_ih_l0`, ...), with PyTorch's gate
order (LSTM: input, forget, cell, output; GRU: reset, update, new) and
PyTorch's initialisation, uniform(-1/sqrt(hidden), 1/sqrt(hidden)) drawn from
Python's global `random` in the order weight_ih, weight_hh, bias_ih, bias_hh.

One time step of an RNN is

    h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)

and each unit's weighted sum `W_ih x_t + b_ih + W_hh h_(t-1)` is one `dot`
node over the input and the previous hidden state together.

Backpropagation through time made visible: the sequence modules return the
hidden states they built, so after `loss.backward()` each one's `.grad` is
the gradient that reached that time step. `hidden_grads(outputs)` gives its
norm per step: the quantity whose shrinking with distance is the long-term
dependency problem (plot it for a tanh RNN, an LSTM and a GRU).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

from autograd import Value
from autograd.fused import matvec

from . import bridge
from .linear import check_size, uniform_values
from .module import Module

Vector = Sequence[Value | Real]
NONLINEARITIES = ("tanh", "relu")


def as_values(xs: Vector, where: str) -> list[Value]:
    """Each number as one leaf Value, shared by every row that reads it; Values as they are."""
    out = []
    for x in xs:
        if isinstance(x, Value):
            out.append(x)
        elif isinstance(x, Real) and not isinstance(x, bool):
            out.append(Value(x))
        else:
            raise TypeError(f"{where}: expected numbers or Values, got {type(x).__name__}")
    return out


# --- one time step of each kind, on the four weight tensors ---


def _gate_sums(weights: tuple, x: Vector, h: Vector) -> list[Value]:
    """W_ih x + b_ih + W_hh h + b_hh: one `dot` node per row (plus b_hh when there are biases)."""
    w_ih, w_hh, b_ih, b_hh = weights
    rows = [row_ih + row_hh for row_ih, row_hh in zip(w_ih, w_hh)]
    sums = matvec(rows, [*x, *h], b_ih)
    if b_hh is None:
        return sums
    return [s + b for s, b in zip(sums, b_hh)]


def rnn_step(weights: tuple, x: Vector, h: Vector, nonlinearity: str = "tanh") -> list[Value]:
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu)."""
    sums = _gate_sums(weights, x, h)
    if nonlinearity == "relu":
        return [s.relu() for s in sums]
    return [s.tanh() for s in sums]


def lstm_step(weights: tuple, x: Vector, h: Vector, c: Vector) -> tuple[list[Value], list[Value]]:
    """PyTorch's LSTM cell: gates i, f, g, o; c' = f * c + i * g; h' = o * tanh(c')."""
    n = len(h)
    sums = _gate_sums(weights, x, h)
    i = [s.sigmoid() for s in sums[:n]]
    f = [s.sigmoid() for s in sums[n : 2 * n]]
    g = [s.tanh() for s in sums[2 * n : 3 * n]]
    o = [s.sigmoid() for s in sums[3 * n :]]
    c_new = [fk * ck + ik * gk for fk, ck, ik, gk in zip(f, c, i, g)]
    h_new = [ok * ck.tanh() for ok, ck in zip(o, c_new)]
    return h_new, c_new


def gru_step(weights: tuple, x: Vector, h: Vector) -> list[Value]:
    """PyTorch's GRU cell: gates r, z, n.

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z likewise,
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.
    """
    w_ih, w_hh, b_ih, b_hh = weights
    k = len(h)
    rz_weights = (w_ih[: 2 * k], w_hh[: 2 * k], _part(b_ih, 0, 2 * k), _part(b_hh, 0, 2 * k))
    rz = _gate_sums(rz_weights, x, h)
    r = [s.sigmoid() for s in rz[:k]]
    z = [s.sigmoid() for s in rz[k:]]
    n_in = matvec(w_ih[2 * k :], x, _part(b_ih, 2 * k, 3 * k))
    n_hh = matvec(w_hh[2 * k :], h, _part(b_hh, 2 * k, 3 * k))
    n = [(a + rk * b).tanh() for a, rk, b in zip(n_in, r, n_hh)]
    return [(1 - zk) * nk + zk * hk for zk, nk, hk in zip(z, n, h)]


def _part(bias: list[Value] | None, start: int, stop: int) -> list[Value] | None:
    return None if bias is None else bias[start:stop]


# --- the modules ---


class _Recurrent(Module):
    """The shared shape of every recurrent module: sizes, weights, checks, the bridge."""

    kind = "RNN"  # the PyTorch class name, used in messages
    gates = 1  # rows per hidden unit in weight_ih: 1, 4 for LSTM, 3 for GRU
    suffix = ""  # "_l0" for the sequence modules, as PyTorch names one layer's tensors

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        self.input_size = check_size(self.kind, "input_size", input_size)
        self.hidden_size = check_size(self.kind, "hidden_size", hidden_size)
        rows, bound = self.gates * hidden_size, 1.0 / math.sqrt(hidden_size)
        setattr(self, "weight_ih" + self.suffix, uniform_values(bound, rows, input_size))
        setattr(self, "weight_hh" + self.suffix, uniform_values(bound, rows, hidden_size))
        setattr(self, "bias_ih" + self.suffix, uniform_values(bound, rows) if bias else None)
        setattr(self, "bias_hh" + self.suffix, uniform_values(bound, rows) if bias else None)

    @property
    def bias(self) -> bool:
        return self.weights()[2] is not None

    def weights(self) -> tuple:
        """(weight_ih, weight_hh, bias_ih, bias_hh), the biases None without bias."""
        s = self.suffix
        return tuple(
            getattr(self, name + s) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )

    def _input(self, x: Any, step: int | None = None) -> Vector:
        if not isinstance(x, (list, tuple)) or len(x) != self.input_size:
            where = "" if step is None else f" at step {step}"
            got = len(x) if isinstance(x, (list, tuple)) else type(x).__name__
            raise ValueError(
                f"{self.kind}: expected an input of size {self.input_size}{where}, got {got}"
            )
        return as_values(x, self.kind)

    def _state(self, h: Any, name: str = "hidden state") -> Vector:
        if h is None:
            return [Value(0.0) for _ in range(self.hidden_size)]
        if not isinstance(h, (list, tuple)) or len(h) != self.hidden_size:
            got = len(h) if isinstance(h, (list, tuple)) else type(h).__name__
            raise ValueError(
                f"{self.kind}: expected a {name} of size {self.hidden_size}, got {got}"
            )
        return as_values(h, self.kind)

    def _pair(self, state: Any) -> tuple[Vector, Vector]:
        if state is None:
            return self._state(None), self._state(None)
        pair = isinstance(state, (list, tuple)) and len(state) == 2
        if not pair or not all(isinstance(part, (list, tuple)) for part in state):
            raise ValueError(f"{self.kind}: the state must be a pair (h, c), got {state!r}")
        return self._state(state[0]), self._state(state[1], "cell state")

    def __repr__(self) -> str:
        return f"{self.kind}({self.input_size}, {self.hidden_size}, bias={self.bias})"


class RNNCell(_Recurrent):
    """One step of an Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh), as PyTorch's."""

    kind = "RNNCell"

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh"
    ) -> None:
        super().__init__(input_size, hidden_size, bias)
        self.nonlinearity = _check_nonlinearity(self.kind, nonlinearity)

    def __call__(self, x: Vector, h: Vector | None = None) -> list[Value]:
        return rnn_step(self.weights(), self._input(x), self._state(h), self.nonlinearity)


class LSTMCell(_Recurrent):
    """One LSTM step, as PyTorch's: `cell(x, (h, c))` returns `(h', c')`."""

    kind, gates = "LSTMCell", 4

    def __call__(self, x: Vector, state: Any = None) -> tuple[list[Value], list[Value]]:
        h, c = self._pair(state)
        return lstm_step(self.weights(), self._input(x), h, c)


class GRUCell(_Recurrent):
    """One GRU step, as PyTorch's: `cell(x, h)` returns h'."""

    kind, gates = "GRUCell", 3

    def __call__(self, x: Vector, h: Vector | None = None) -> list[Value]:
        return gru_step(self.weights(), self._input(x), self._state(h))


class _Sequence(_Recurrent):
    """A one-layer recurrent module run over a whole sequence, one draw group per time step."""

    suffix = "_l0"

    def _inputs(self, xs: Any) -> list[Vector]:
        if not isinstance(xs, (list, tuple)) or not xs:
            raise ValueError(f"{self.kind}: expected a non-empty list of inputs, got {xs!r}")
        return [self._input(x, t) for t, x in enumerate(xs)]


class RNN(_Sequence):
    """An Elman RNN over a sequence: `rnn(xs, h0=None)` returns `(outputs, h_T)`.

    `outputs[t]` is the hidden state h_(t+1) itself (the Values the next step
    reads), so its `.grad` after backward is what reached that step.
    """

    kind = "RNN"

    def __init__(
        self, input_size: int, hidden_size: int, nonlinearity: str = "tanh", bias: bool = True
    ) -> None:
        super().__init__(input_size, hidden_size, bias)
        self.nonlinearity = _check_nonlinearity(self.kind, nonlinearity)

    def __call__(self, xs: Sequence[Vector], h0: Vector | None = None) -> tuple[list, list]:
        weights, h = self.weights(), self._state(h0)
        outputs = []
        for t, x in enumerate(self._inputs(xs)):
            with self.draw_group(f"step {t}"):
                h = rnn_step(weights, x, h, self.nonlinearity)
            outputs.append(h)
        return outputs, h


class LSTM(_Sequence):
    """An LSTM over a sequence: `lstm(xs, (h0, c0)=None)` returns `(outputs, (h_T, c_T))`."""

    kind, gates = "LSTM", 4

    def __call__(self, xs: Sequence[Vector], state: Any = None) -> tuple[list, tuple]:
        weights, (h, c) = self.weights(), self._pair(state)
        outputs = []
        for t, x in enumerate(self._inputs(xs)):
            with self.draw_group(f"step {t}"):
                h, c = lstm_step(weights, x, h, c)
            outputs.append(h)
        return outputs, (h, c)


class GRU(_Sequence):
    """A GRU over a sequence: `gru(xs, h0=None)` returns `(outputs, h_T)`."""

    kind, gates = "GRU", 3

    def __call__(self, xs: Sequence[Vector], h0: Vector | None = None) -> tuple[list, list]:
        weights, h = self.weights(), self._state(h0)
        outputs = []
        for t, x in enumerate(self._inputs(xs)):
            with self.draw_group(f"step {t}"):
                h = gru_step(weights, x, h)
            outputs.append(h)
        return outputs, h


def _check_nonlinearity(kind: str, nonlinearity: object) -> str:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"{kind}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return nonlinearity


def hidden_grads(outputs: Sequence[Sequence[Value]]) -> list[float]:
    """The norm of the gradient that reached each time step's hidden state, after backward.

    `outputs` is what an `RNN`, `LSTM` or `GRU` returned (or any list of
    hidden states built by calling a cell in a loop). Entry t is
    sqrt(sum_k (dL/dh_t[k])^2): with a loss on the last step only, it shows
    how the gradient fades (or not) as it travels back through time.
    """
    return [math.sqrt(sum(v.grad * v.grad for v in h)) for h in outputs]


# --- the bridge to torch.nn ---


def _to_torch(module: _Recurrent) -> Any:
    torch = bridge.torch()
    cls = getattr(torch.nn, module.kind)
    kwargs = {"bias": module.bias}
    if hasattr(module, "nonlinearity"):
        kwargs["nonlinearity"] = module.nonlinearity
    out = cls(module.input_size, module.hidden_size, **kwargs).to(torch.float64)
    with torch.no_grad():
        for name, values in zip(_NAMES, module.weights()):
            if values is not None:
                getattr(out, name + module.suffix).copy_(bridge.tensor(values))
    return out


_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _from_torch(ours_cls: type[_Recurrent]) -> Any:
    def convert(t: Any) -> _Recurrent:
        _check_one_layer(ours_cls.kind, t)
        kwargs = {"bias": t.bias}
        if hasattr(t, "nonlinearity"):
            kwargs["nonlinearity"] = t.nonlinearity
        ours = ours_cls(t.input_size, t.hidden_size, **kwargs)
        for name, values in zip(_NAMES, ours.weights()):
            if values is not None:
                bridge.set_data(values, getattr(t, name + ours.suffix))
        return ours

    return convert


def _check_one_layer(kind: str, t: Any) -> None:
    settings = {
        "num_layers": (getattr(t, "num_layers", 1), 1),
        "bidirectional": (getattr(t, "bidirectional", False), False),
        "proj_size": (getattr(t, "proj_size", 0), 0),
    }
    for name, (value, supported) in settings.items():
        if value != supported:
            raise ValueError(f"from_torch: {kind} with {name}={value!r} is not supported")


for _cls in (RNNCell, LSTMCell, GRUCell, RNN, LSTM, GRU):
    bridge.register(_cls, _cls.kind, _to_torch, _from_torch(_cls))
