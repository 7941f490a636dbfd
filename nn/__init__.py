"""chainrule's nn: modules, losses, optimizers and toy data on top of `autograd`."""

from . import bridge, datasets, functional, groups, init, optim, recurrent
from .activation import ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .attention import MultiheadAttention
from .bridge import from_torch
from .conv import Conv2d, MaxPool2d
from .embedding import Embedding
from .layers import MLP, Dropout, Layer, Neuron
from .linear import Flatten, Linear, Sequential
from .module import Module
from .normalization import BatchNorm1d, LayerNorm
from .optim import SGD, Adagrad, Adam, AdamW, RMSprop
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

__all__ = [
    "ELU",
    "GELU",
    "MLP",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Conv2d",
    "Dropout",
    "Flatten",
    "Layer",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "Module",
    "Neuron",
    "RMSprop",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "RNNCell",
    "BatchNorm1d",
    "Embedding",
    "LayerNorm",
    "MultiheadAttention",
    "bridge",
    "datasets",
    "from_torch",
    "functional",
    "groups",
    "init",
    "optim",
    "recurrent",
]
