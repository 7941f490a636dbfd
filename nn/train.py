"""Full-batch training of an MLP on 2-D toy data: the loop the demo and notebooks share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from autograd import Value, no_grad

from . import functional as F
from . import optim
from .layers import MLP

OPTIMIZERS: dict[str, Callable[[list[Value], float], optim.Optimizer]] = {
    "sgd": lambda params, lr: optim.SGD(params, lr),
    "momentum": lambda params, lr: optim.SGD(params, lr, momentum=0.9),
    "adam": lambda params, lr: optim.Adam(params, lr),
    "adamw": lambda params, lr: optim.AdamW(params, lr),
    "rmsprop": lambda params, lr: optim.RMSprop(params, lr),
    "adagrad": lambda params, lr: optim.Adagrad(params, lr),
}

LOSSES = ("hinge", "bce")


@dataclass
class History:
    """Loss and training accuracy after each step."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)


def scores(model: MLP, X: list[list[float]]) -> list[Value]:
    return model.batch(X)


def accuracy(outputs: list[Value], y: list[int]) -> float:
    """Share of points on the right side of 0 (label 1 means a positive score)."""
    return sum((s.data > 0) == (label == 1) for s, label in zip(outputs, y)) / len(y)


def loss_of(outputs: list[Value], y: list[int], loss: str) -> Value:
    if loss == "hinge":
        return F.hinge_loss(outputs, [2 * label - 1 for label in y])
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(outputs, y)
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")


def train(
    model: MLP,
    X: list[list[float]],
    y: list[int],
    optimizer: optim.Optimizer,
    steps: int,
    loss: str = "hinge",
    l2: float = 0.0,
    history: History | None = None,
) -> Iterator[History]:
    """Take `steps` full-batch steps, yielding the history after each one."""
    history = history or History()
    params = model.parameters()
    for _ in range(steps):
        model.train()
        outputs = scores(model, X)
        total = loss_of(outputs, y, loss)
        if l2:
            total = total + F.l2_penalty(params, l2)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        history.loss.append(total.data)
        history.accuracy.append(accuracy(outputs, y))
        yield history


@no_grad()
def predict_grid(model: MLP, xs: list[float], ys: list[float]) -> list[list[float]]:
    """The model's score at each grid point (rows follow ys), computed without a graph."""
    model.eval()
    return [[score.data for score in model.batch([[x, y] for x in xs])] for y in ys]
