"""Full-batch training of an MLP on 2-D toy data: the loop the demo and notebooks share.

The default builds the graph afresh each step and calls `backward()`: the
engine a learner reads. `compiled=True` records the step's graph once with
`autograd.compile` and replays it (the same numbers, several times faster):
full-batch training builds the same graph every step, only the weights change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import autograd
from autograd import Value, no_grad

from . import functional as F
from . import optim
from .layers import MLP, Dropout

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


def replayable_bce(logits: list[Value], y: list[int]) -> Value:
    """Binary cross-entropy from logits as mean(softplus(x) - t * x): no branch on `.data`.

    `F.binary_cross_entropy_with_logits` picks its stable formula by the sign
    of each logit while building, which a replayed graph would keep. Softplus
    decides at each replay; with threshold 36 it equals log(1 + exp(x)) to
    the last bit and never overflows.
    """
    terms = [x.softplus(threshold=36.0) - t * x for x, t in zip(logits, y)]
    return autograd.sum(terms) * (1.0 / len(terms))


def train(
    model: MLP,
    X: list[list[float]],
    y: list[int],
    optimizer: optim.Optimizer,
    steps: int,
    loss: str = "hinge",
    l2: float = 0.0,
    history: History | None = None,
    compiled: bool = False,
) -> Iterator[History]:
    """Take `steps` full-batch steps, yielding the history after each one.

    `compiled=True` replays one recorded graph (see `autograd.compile`); a
    dropout mask would stay as recorded, so it is refused with dropout on.
    """
    history = history or History()
    params = model.parameters()
    if compiled:
        yield from _train_compiled(model, X, y, optimizer, steps, loss, l2, history)
        return
    for _ in range(steps):
        model.train()
        outputs, total = _step_graph(model, X, y, loss, l2, params)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        history.loss.append(total.data)
        history.accuracy.append(accuracy(outputs, y))
        yield history


def _step_graph(
    model: MLP,
    X: list[list[float]],
    y: list[int],
    loss: str,
    l2: float,
    params: list[Value],
    replayable: bool = False,
) -> tuple[list[Value], Value]:
    """The outputs and the loss of one full-batch step, as a graph.

    `replayable`: every choice made by ops, none by Python on `.data`, so a
    compiled replay stays exact (see `replayable_bce`).
    """
    outputs = scores(model, X)
    total = (
        replayable_bce(outputs, y) if replayable and loss == "bce" else loss_of(outputs, y, loss)
    )
    if l2:
        total = total + F.l2_penalty(params, l2)
    return outputs, total


def _train_compiled(
    model: MLP,
    X: list[list[float]],
    y: list[int],
    optimizer: optim.Optimizer,
    steps: int,
    loss: str,
    l2: float,
    history: History,
) -> Iterator[History]:
    if any(isinstance(m, Dropout) and m.p > 0 for m in model.modules()):
        raise ValueError("train: compiled=True replays one graph, so dropout would not change")
    if steps < 1:
        return
    model.train()
    params = model.parameters()
    outputs, total = _step_graph(model, X, y, loss, l2, params, replayable=True)
    tape = autograd.compile(total, watch=outputs)
    for _ in range(steps):
        value = tape.forward()
        optimizer.zero_grad()
        tape.backward()
        optimizer.step()
        history.loss.append(value)
        history.accuracy.append(accuracy(outputs, y))
        yield history


@no_grad()
def predict_grid(model: MLP, xs: list[float], ys: list[float]) -> list[list[float]]:
    """The model's score at each grid point (rows follow ys), computed without a graph."""
    model.eval()
    return [[score.data for score in model.batch([[x, y] for x in xs])] for y in ys]
