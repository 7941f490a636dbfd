"""chainrule's nn: modules, losses, optimizers and toy data on top of `autograd`."""

from . import bridge, datasets, functional, init, optim
from .bridge import from_torch
from .layers import MLP, Dropout, Layer, Neuron
from .linear import Linear
from .module import Module
from .optim import SGD, Adagrad, Adam, AdamW, RMSprop

__all__ = [
    "MLP",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Dropout",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "RMSprop",
    "bridge",
    "datasets",
    "from_torch",
    "functional",
    "init",
    "optim",
]
