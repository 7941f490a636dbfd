"""The bridge to PyTorch: `Module.to_torch()` and `nn.from_torch(module)`.

The only place in `nn` that imports torch, and only when a conversion is
asked for; the core keeps no runtime dependency. Each module family registers
its pair of converters here with `register`, from its own file, so adding a
module is adding one `register` call beside it.

The mapping (ours <-> `torch.nn`, float64, numbers copied index for index):
- `Linear`, `Conv2d`, `MaxPool2d`, `Flatten` (torch's default `Flatten()`),
  `Sequential`, `Dropout` and the activations `ReLU`, `Tanh`, `Sigmoid`,
  `LeakyReLU`, `ELU`, `GELU`, `SiLU`, `Softmax` (dim=-1): the class of the same
  name, parameters under the same names (`weight`, `bias`).
- `Neuron(nin)` -> `Sequential(Linear(nin, 1), <activation>)`; `Layer(nin, nout)`
  -> `Sequential(Linear(nin, nout), <activation>)`; `MLP` -> one `Sequential` of
  its layers' `Linear` and activation modules (and `Dropout` after each hidden
  layer when it has one). A linear neuron or layer has no activation module.
  `from_torch` of these gives our `Sequential`, not a Neuron, Layer or MLP.
- Our modules take one sample (a list, or `[C][H][W]`); the torch modules are
  called on a batch: `torch_model(torch.tensor([x]))[0]` is our `model(x)`.

`from_torch` builds our module without drawing from Python's global `random`:
its numbers all come from the torch module. Both keep the training mode.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from autograd import Value

_TO_TORCH: dict[type, Callable[[Any], Any]] = {}
_FROM_TORCH: dict[str, Callable[[Any], Any]] = {}


def torch() -> Any:
    """The torch module, or an ImportError that names it."""
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            "the PyTorch bridge needs torch: pip install torch (chainrule's tests pin 2.13.0)"
        ) from error
    return torch


def register(
    ours: type, torch_name: str, to: Callable[[Any], Any], from_: Callable[[Any], Any]
) -> None:
    """Teach the bridge one module: `to(our_module)` and `from_(torch_module)`.

    `torch_name` is the `torch.nn` class name that `from_torch` dispatches on.
    """
    _TO_TORCH[ours] = to
    _FROM_TORCH[torch_name] = from_


def to_torch(module: Any) -> Any:
    """The equivalent float64 `torch.nn` module, with identical numbers."""
    torch()
    _register_micrograd_modules()
    for cls in type(module).__mro__:
        if cls in _TO_TORCH:
            return _TO_TORCH[cls](module).train(module.training)
    raise TypeError(f"to_torch: no PyTorch equivalent known for {type(module).__name__}")


def from_torch(module: Any) -> Any:
    """Our module equal to a `torch.nn` module (its numbers copied, index for index)."""
    torch()
    _register_micrograd_modules()
    name = type(module).__name__
    if name not in _FROM_TORCH:
        known = ", ".join(sorted(_FROM_TORCH))
        raise TypeError(f"from_torch: no chainrule module for torch.nn.{name}; known: {known}")
    state = random.getstate()  # our constructors draw an initialisation that is overwritten
    try:
        return _FROM_TORCH[name](module).train(module.training)
    finally:
        random.setstate(state)


def tensor(values: Any) -> Any:
    """A float64 tensor of the `.data` of a (nested) list of Values or floats."""
    return torch().tensor(_data(values), dtype=torch().float64)


def parameter(values: Any) -> Any:
    """A float64 `torch.nn.Parameter` holding the data of (nested) Values."""
    return torch().nn.Parameter(tensor(values))


def values(t: Any) -> Any:
    """Nested lists of fresh leaf Values holding a tensor's numbers (float64)."""
    return _lift(t.detach().to(torch().float64).tolist())


def set_data(ours: Any, t: Any) -> None:
    """Copy a tensor's numbers into existing (nested) Values, index for index."""
    numbers = t.detach().to(torch().float64).tolist()
    _assign(ours, numbers)


def _data(x: Any) -> Any:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, (list, tuple)):
        return [_data(item) for item in x]
    return float(x)


def _lift(x: Any) -> Any:
    return [_lift(item) for item in x] if isinstance(x, list) else Value(x)


def _assign(ours: Any, numbers: Any) -> None:
    if isinstance(ours, Value):
        ours.data = float(numbers)
        return
    if len(ours) != len(numbers):
        raise ValueError(f"from_torch: shape mismatch, {len(ours)} != {len(numbers)}")
    for o, n in zip(ours, numbers):
        _assign(o, n)


# --- micrograd's modules (nn.layers predates the bridge, so they are registered here) ---

_TORCH_ACTIVATIONS = {
    "relu": ("ReLU", ()),
    "tanh": ("Tanh", ()),
    "sigmoid": ("Sigmoid", ()),
    "leaky_relu": ("LeakyReLU", (0.01,)),
    "elu": ("ELU", (1.0,)),
    "linear": (None, ()),
}


def _dense(weight: list, bias: list, activation: str) -> list:
    """[torch Linear holding these numbers, then the activation's module if any]."""
    nn = torch().nn
    linear = nn.Linear(len(weight[0]), len(weight)).to(torch().float64)
    with torch().no_grad():
        linear.weight.copy_(tensor(weight))
        linear.bias.copy_(tensor(bias))
    name, args = _TORCH_ACTIVATIONS[activation]
    return [linear] if name is None else [linear, getattr(nn, name)(*args)]


def _layer_parts(layer: Any) -> list:
    activations = {n.activation for n in layer.neurons}
    if len(activations) != 1:
        names = ", ".join(sorted(activations))
        raise ValueError(f"to_torch: a Layer's neurons must share one activation, got {names}")
    weight = [n.w for n in layer.neurons]
    return _dense(weight, [n.b for n in layer.neurons], activations.pop())


def _neuron_to_torch(neuron: Any) -> Any:
    return torch().nn.Sequential(*_dense([neuron.w], [neuron.b], neuron.activation))


def _layer_to_torch(layer: Any) -> Any:
    return torch().nn.Sequential(*_layer_parts(layer))


def _mlp_to_torch(mlp: Any) -> Any:
    parts = []
    for i, layer in enumerate(mlp.layers):
        parts += _layer_parts(layer)
        if i < len(mlp.layers) - 1 and mlp.dropout.p > 0:
            parts.append(torch().nn.Dropout(mlp.dropout.p))
    return torch().nn.Sequential(*parts)


def _register_micrograd_modules() -> None:
    from .layers import MLP, Dropout, Layer, Neuron

    if Neuron in _TO_TORCH:
        return
    _TO_TORCH[Neuron] = _neuron_to_torch
    _TO_TORCH[Layer] = _layer_to_torch
    _TO_TORCH[MLP] = _mlp_to_torch
    register(Dropout, "Dropout", lambda m: torch().nn.Dropout(m.p), lambda t: Dropout(t.p))
