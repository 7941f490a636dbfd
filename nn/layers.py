"""`Neuron`, `Layer`, `MLP` (micrograd's names and behaviour) and `Dropout`."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from numbers import Real

from autograd import Value, dot
from autograd.fused import matmul
from autograd.value import constant

from .init import INITS
from .module import Module

ACTIVATIONS = {
    "relu": ("ReLU", Value.relu),
    "tanh": ("Tanh", Value.tanh),
    "sigmoid": ("Sigmoid", Value.sigmoid),
    "leaky_relu": ("LeakyReLU", Value.leaky_relu),
    "elu": ("ELU", Value.elu),
    "linear": ("Linear", None),
}

Inputs = Sequence[Value | Real]


def _check_choice(owner: str, kind: str, name: str, choices: dict) -> None:
    if name not in choices:
        raise ValueError(f"{owner}: unknown {kind} {name!r}; choose one of {', '.join(choices)}")


def _check_width(owner: str, name: str, n: object) -> int:
    """A layer width: TypeError unless an int, ValueError below 1 (as torch refuses 0)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{owner}: {name} must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{owner}: {name} must be a positive int, got {n!r}")
    return n


class Neuron(Module):
    """One neuron: activation(w . x + b), the weighted sum and bias one fused `dot` node.

    By default each weight is `random.uniform(-1, 1)` from Python's global
    `random`, in order, and the bias 0, exactly as micrograd.
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        activation: str = "relu",
        init: str = "micrograd",
        rng: random.Random | None = None,
        fan_out: int = 1,
    ) -> None:
        _check_choice("Neuron", "activation", activation, ACTIVATIONS)
        _check_choice("Neuron", "init", init, INITS)
        _check_width("Neuron", "nin", nin)
        self.w = [Value(x) for x in INITS[init](rng or random, nin, fan_out)]
        self.b = Value(0)
        self.nonlin = nonlin
        self.activation = activation if nonlin else "linear"

    @property
    def _activate(self) -> Callable[[Value], Value] | None:
        """The activation method (None when linear), looked up so that a Neuron pickles."""
        return ACTIVATIONS[self.activation][1]

    def __call__(self, x: Inputs) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        act = dot(self.w, x, self.b)
        activate = self._activate
        return activate(act) if activate else act

    def __repr__(self) -> str:
        return f"{ACTIVATIONS[self.activation][0]}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` neurons on the same inputs; returns a list, or one Value when nout == 1."""

    def __init__(self, nin: int, nout: int, **kwargs: object) -> None:
        _check_width("Layer", "nin", nin)
        _check_width("Layer", "nout", nout)
        self.neurons = [Neuron(nin, fan_out=nout, **kwargs) for _ in range(nout)]

    def __call__(self, x: Inputs) -> Value | list[Value]:
        out = self.outputs([x])[0]
        return out[0] if len(out) == 1 else out

    def outputs(self, xs: Sequence[Inputs]) -> list[list[Value]]:
        """The layer's outputs (always a list) for each input of a batch.

        Reads the weights once for the whole batch: what `MLP.batch` is built on.
        """
        nin = len(self.neurons[0].w)
        lifted = []
        for x in xs:
            if len(x) != nin:
                raise ValueError(f"Layer: expected {nin} inputs, got {len(x)}")
            lifted.append([v if isinstance(v, Value) else constant(v, "Layer") for v in x])
        neurons = self.neurons
        activations = [ACTIVATIONS[n.activation][1] for n in neurons]
        return [
            [act(s) if act else s for act, s in zip(activations, sums)]
            for sums in matmul([n.w for n in neurons], lifted, [n.b for n in neurons])
        ]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class Dropout(Module):
    """Inverted dropout: in training, zero each input with probability p, scale the rest.

    Survivors are multiplied by 1 / (1 - p), as PyTorch, so eval mode needs no
    rescaling; draws come from Python's global `random`.
    """

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p!r}")
        self.p = p

    def __call__(self, x: list[Value]) -> list[Value]:
        if not self.training or self.p == 0:
            return x
        if self.p == 1:
            return [v * 0.0 for v in x]
        scale = 1.0 / (1.0 - self.p)
        return [v * 0.0 if random.random() < self.p else v * scale for v in x]

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class MLP(Module):
    """A multi-layer perceptron: hidden layers use `activation`, the last is linear.

    `seed` gives the model its own random stream (the global `random` is left
    alone); `dropout` > 0 puts a `Dropout` after each hidden layer.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        init: str = "micrograd",
        seed: int | None = None,
        dropout: float = 0.0,
    ) -> None:
        _check_width("MLP", "nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence):
            raise TypeError(f"MLP: nouts must be a list of layer sizes, got {type(nouts).__name__}")
        if not nouts:
            raise ValueError("MLP: nouts must name at least one layer size")
        for i, n in enumerate(nouts):
            _check_width("MLP", f"nouts[{i}]", n)
        rng = random.Random(seed) if seed is not None else None
        sizes = [nin, *nouts]
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                nonlin=i != len(nouts) - 1,
                activation=activation,
                init=init,
                rng=rng,
            )
            for i in range(len(nouts))
        ]
        self.dropout = Dropout(dropout)

    def __call__(self, x: Inputs) -> Value | list[Value]:
        return self.batch([x])[0]

    def batch(self, xs: Sequence[Inputs]) -> list[Value | list[Value]]:
        """[model(x) for x in xs], faster: each layer reads its weights once per batch."""
        for layer in self.layers[:-1]:
            xs = [self.dropout(h) for h in layer.outputs(xs)]
        outs = self.layers[-1].outputs(xs)
        return [out[0] if len(out) == 1 else out for out in outs]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
