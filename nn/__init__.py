"""chainrule's nn: modules, losses, optimizers and toy data on top of `autograd`."""

from . import datasets, functional, init, optim
from .layers import MLP, Dropout, Layer, Neuron
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
    "Module",
    "Neuron",
    "RMSprop",
    "datasets",
    "functional",
    "init",
    "optim",
]
