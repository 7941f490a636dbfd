"""The demo: python -m nn trains an MLP on toy data and writes plots and a graph.

python -m nn                          # two moons, MLP 2-16-16-1, SGD
python -m nn --dataset spiral --hidden 32,32 --optimizer adam --lr 0.01 --steps 300
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import MLP
from .datasets import DATASETS
from .train import LOSSES, OPTIMIZERS, History, predict_grid, train


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def sizes(text: str) -> list[int]:
    try:
        return [positive_int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 16,16, got {text!r}") from None


def non_negative(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def probability(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nn", description="Train an MLP on 2-D toy data with chainrule."
    )
    p.add_argument("--dataset", choices=sorted(DATASETS), default="moons")
    p.add_argument("--samples", type=positive_int, default=100, help="points (default 100)")
    p.add_argument("--noise", type=non_negative, default=0.1, help="noise std (default 0.1)")
    p.add_argument("--hidden", type=sizes, default=[16, 16], help="hidden sizes (default 16,16)")
    p.add_argument(
        "--activation",
        choices=["relu", "tanh", "sigmoid", "leaky_relu", "elu"],
        default="relu",
    )
    p.add_argument("--init", choices=["micrograd", "xavier", "he"], default="micrograd")
    p.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="sgd")
    p.add_argument("--lr", type=float, default=0.1, help="learning rate (default 0.1)")
    p.add_argument("--loss", choices=LOSSES, default="hinge", help="max-margin or cross-entropy")
    p.add_argument("--l2", type=non_negative, default=1e-4, help="L2 penalty (default 1e-4)")
    p.add_argument("--dropout", type=probability, default=0.0, help="dropout after hidden layers")
    p.add_argument("--steps", type=positive_int, default=100, help="training steps (default 100)")
    p.add_argument("--seed", type=int, default=1, help="seed for data and weights")
    p.add_argument("--grid", type=positive_int, default=50, help="boundary plot resolution")
    p.add_argument("--out", type=Path, default=Path("out"), help="where to write the pictures")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def plot(model: MLP, X, y, history: History, args: argparse.Namespace) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = [args.out / "boundary.png", args.out / "loss.png"]
    xs_all, ys_all = [p[0] for p in X], [p[1] for p in X]
    pad = 0.5
    x0, x1 = min(xs_all) - pad, max(xs_all) + pad
    y0, y1 = min(ys_all) - pad, max(ys_all) + pad
    n = args.grid
    gx = [x0 + (x1 - x0) * i / (n - 1) for i in range(n)] if n > 1 else [x0]
    gy = [y0 + (y1 - y0) * i / (n - 1) for i in range(n)] if n > 1 else [y0]
    grid = predict_grid(model, gx, gy)

    fig, ax = plt.subplots(figsize=(5, 5))
    if n > 1:
        ax.contourf(
            gx, gy, [[s > 0 for s in row] for row in grid], levels=1, cmap="RdBu", alpha=0.4
        )
    ax.scatter(xs_all, ys_all, c=y, cmap="RdBu", edgecolors="k", s=20)
    ax.set_title(f"{args.dataset}: decision boundary, MLP 2-{'-'.join(map(str, args.hidden))}-1")
    fig.savefig(paths[0], dpi=100, bbox_inches="tight")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(history.loss, label="loss")
    ax.plot(history.accuracy, label="training accuracy")
    ax.set_xlabel("step")
    ax.legend()
    fig.savefig(paths[1], dpi=100, bbox_inches="tight")
    plt.close(fig)
    return paths


def draw_graph(model: MLP, x: list[float], out: Path) -> Path:
    """Render one sample's forward pass, grouped by neuron (a full drawing is unreadable)."""
    from autograd import draw_dot
    from autograd.viz import DotNotFound

    graph = draw_dot(model(x), groups=model, collapse=True, params=model.parameters())
    try:
        return Path(graph.render(out / "graph", format="svg", cleanup=True))
    except DotNotFound as error:
        print(f"warning: {error}", file=sys.stderr)
        path = out / "graph.dot"
        path.write_text(graph.source)
        return path


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from tqdm import tqdm

    from .optim import Optimizer

    X, y = DATASETS[args.dataset](args.samples, noise=args.noise, seed=args.seed)
    model = MLP(
        2,
        [*args.hidden, 1],
        activation=args.activation,
        init=args.init,
        seed=args.seed,
        dropout=args.dropout,
    )
    optimizer: Optimizer = OPTIMIZERS[args.optimizer](model.parameters(), args.lr)
    print(
        f"{args.dataset}: {len(X)} points; {model.__class__.__name__} with "
        f"{len(model.parameters())} parameters; {args.optimizer} lr={args.lr}"
    )
    bar = tqdm(
        train(model, X, y, optimizer, args.steps, loss=args.loss, l2=args.l2),
        total=args.steps,
        disable=args.quiet,
        desc="training",
    )
    history = History()
    for history in bar:
        bar.set_postfix(loss=f"{history.loss[-1]:.4f}", acc=f"{history.accuracy[-1]:.0%}")
    args.out.mkdir(parents=True, exist_ok=True)
    written = plot(model, X, y, history, args)
    model.eval()
    written.append(draw_graph(model, X[0], args.out))
    print(f"final loss {history.loss[-1]:.4f}, training accuracy {history.accuracy[-1]:.1%}")
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
