"""One training step of a small CNN, run by hand: python tests/benchmarks/bench_cnn.py

The net: 1x8x8 images, Conv2d(1, 4, 3) -> ReLU -> MaxPool2d(2) -> Flatten ->
Linear(36, 3), mean cross-entropy over a batch of 32 `make_shapes` images, one
SGD step. The same step three ways, all from the same starting numbers:
- chainrule: scalar Values, one `dot` node per conv output, one `max` per window;
- PyTorch scalar by scalar: every number a 0-d float64 tensor and every
  product, sum and maximum a torch op, the way a scalar engine works;
- PyTorch batched (float64), for context: what tensors buy.
The three losses are printed to show that they are the same step. Times are
the process's CPU time (torch on one thread), so other load on a shared
machine counts less than in wall-clock time.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import random  # noqa: E402

import torch  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
from autograd.viz import trace  # noqa: E402
from nn.datasets import make_shapes  # noqa: E402

LR = 0.1
BATCH = 32


def make_model() -> nn.Sequential:
    random.seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 3)
    )


def chainrule_step(model: nn.Sequential, X: list, y: list) -> float:
    losses = [nn.functional.cross_entropy(model(x), t) for x, t in zip(X, y)]
    loss = autograd.sum(losses) / len(losses)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= LR * p.grad
    return loss.data


# --- PyTorch scalar by scalar ---


def scalar_params(model: nn.Sequential) -> dict:
    def leaves(x):
        if isinstance(x, list):
            return [leaves(item) for item in x]
        return torch.tensor(x.data, dtype=torch.float64, requires_grad=True)

    return {
        "conv_w": leaves(model[0].weight),
        "conv_b": leaves(model[0].bias),
        "lin_w": leaves(model[4].weight),
        "lin_b": leaves(model[4].bias),
    }


def scalar_forward(params: dict, image: list, target: int) -> torch.Tensor:
    pixels = [[torch.tensor(v, dtype=torch.float64) for v in row] for row in image[0]]
    features = []
    for kernel, bias in zip(params["conv_w"], params["conv_b"]):
        conv = [
            [
                functools.reduce(
                    torch.add,
                    (kernel[0][a][b] * pixels[i + a][j + b] for a in range(3) for b in range(3)),
                    bias,
                ).relu()
                for j in range(6)
            ]
            for i in range(6)
        ]
        for i in range(0, 6, 2):
            for j in range(0, 6, 2):
                window = [conv[i][j], conv[i][j + 1], conv[i + 1][j], conv[i + 1][j + 1]]
                features.append(functools.reduce(torch.maximum, window))
    logits = [
        functools.reduce(torch.add, (w * f for w, f in zip(row, features)), b)
        for row, b in zip(params["lin_w"], params["lin_b"])
    ]
    top = max(v.item() for v in logits)
    log_total = functools.reduce(torch.add, ((v - top).exp() for v in logits)).log() + top
    return log_total - logits[target]


def scalar_step(params: dict, X: list, y: list) -> float:
    loss = functools.reduce(torch.add, (scalar_forward(params, x, t) for x, t in zip(X, y)))
    loss = loss / len(X)
    leaves = [p for group in params.values() for p in flat(group)]
    for p in leaves:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in leaves:
            p -= LR * p.grad
    return loss.item()


def flat(x: object) -> list:
    return [v for item in x for v in flat(item)] if isinstance(x, list) else [x]


# --- PyTorch batched ---


def batched_step(net: torch.nn.Module, optimizer, batch: torch.Tensor, targets) -> float:
    loss = torch.nn.functional.cross_entropy(net(batch), targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def timed(step, repeats: int) -> tuple[float, float]:
    """(median CPU seconds of `repeats` calls, the first call's loss)."""
    times, first = [], None
    for _ in range(repeats):
        start = time.process_time()
        loss = step()
        times.append(time.process_time() - start)
        first = loss if first is None else first
    return statistics.median(times), first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="steps timed (median)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    X, y = make_shapes(BATCH, seed=0)

    model = make_model()
    loss = autograd.sum(nn.functional.cross_entropy(model(x), t) for x, t in zip(X, y))
    nodes = len(trace(loss))
    model = make_model()
    ours, ours_loss = timed(lambda: chainrule_step(model, X, y), args.repeats)

    params = scalar_params(make_model())
    scalar, scalar_loss = timed(lambda: scalar_step(params, X, y), args.repeats)

    net = make_model().to_torch()
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    batch, targets = torch.tensor(X, dtype=torch.float64), torch.tensor(y)
    batched, batched_loss = timed(
        lambda: batched_step(net, optimizer, batch, targets), args.repeats
    )

    print(f"one SGD step, CNN 1x8x8 -> 4 filters 3x3 -> pool 2 -> 3 classes, {BATCH} images")
    print(f"graph: {nodes} Values; median CPU time of {args.repeats} steps; torch threads 1")
    print(f"{'engine':<28}{'ms/step':>10}{'vs chainrule':>14}{'first loss':>22}")
    for name, seconds, first in [
        ("chainrule (scalar Values)", ours, ours_loss),
        ("PyTorch scalar by scalar", scalar, scalar_loss),
        ("PyTorch batched (context)", batched, batched_loss),
    ]:
        print(f"{name:<28}{seconds * 1e3:>10.2f}{seconds / ours:>13.2f}x{first:>22.15f}")


if __name__ == "__main__":
    main()
