"""The demo: python -m nn trains an MLP on toy data and writes plots and a graph.

python -m nn                          # two moons, MLP 2-16-16-1, SGD
python -m nn --dataset spiral --hidden 32,32 --optimizer adam --lr 0.01 --steps 300

Every argument is checked before any work: a bad one gives one line on stderr
and exit status 2. Missing plotting packages are named before training starts.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from autograd import Value

from . import MLP
from .datasets import DATASETS
from .train import LOSSES, OPTIMIZERS, History, loss_of, predict_grid, train

DIVERGED = 1e6
"""A loss this many times the first step's (or not finite) stops training as diverged."""


class Parser(argparse.ArgumentParser):
    """argparse, with an error as one line on stderr (exit status 2) instead of usage + error."""

    def error(self, message: str) -> Any:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def sample_count(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2 (a point of each class), got {text}")
    return value


def sizes(text: str) -> list[int]:
    try:
        return [positive_int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 16,16, got {text!r}") from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def non_negative(text: str) -> float:
    value = _number(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def learning_rate(text: str) -> float:
    value = _number(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def probability(text: str) -> float:
    value = _number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="python -m nn",
        description="Train an MLP on 2-D toy data with chainrule; write plots and its graph.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--dataset", choices=sorted(DATASETS), default="moons", help="toy data")
    p.add_argument("--samples", type=sample_count, default=100, help="number of points")
    p.add_argument("--noise", type=non_negative, default=0.1, help="noise std")
    p.add_argument("--hidden", type=sizes, default="16,16", help="hidden layer sizes")
    p.add_argument(
        "--activation",
        choices=["relu", "tanh", "sigmoid", "leaky_relu", "elu"],
        default="relu",
        help="activation of the hidden layers",
    )
    p.add_argument(
        "--init",
        choices=["micrograd", "xavier", "he"],
        default="micrograd",
        help="weight initialisation",
    )
    p.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="sgd", help="optimizer")
    p.add_argument("--lr", type=learning_rate, default=0.1, help="learning rate")
    p.add_argument("--loss", choices=LOSSES, default="hinge", help="max-margin or cross-entropy")
    p.add_argument("--l2", type=non_negative, default=1e-4, help="L2 penalty")
    p.add_argument("--dropout", type=probability, default=0.0, help="dropout after hidden layers")
    p.add_argument("--steps", type=positive_int, default=100, help="training steps")
    p.add_argument("--seed", type=int, default=1, help="seed for data and weights")
    p.add_argument("--grid", type=positive_int, default=100, help="boundary plot resolution")
    p.add_argument("--out", type=Path, default=Path("out"), help="where to write the pictures")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def make_out(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Create `--out` (or refuse it, as a bad argument) before any work."""
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        p.error(f"argument --out: cannot create {str(args.out)!r}: {error.strerror}")
    if not os.access(args.out, os.W_OK | os.X_OK):
        p.error(f"argument --out: cannot write into {str(args.out)!r}")


def load_tools() -> tuple[ModuleType, ModuleType] | None:
    """matplotlib's pyplot and tqdm, or None after saying on stderr what to install."""
    missing = []
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        missing.append("matplotlib")
    try:
        import tqdm
    except ImportError:
        missing.append("tqdm")
    try:
        import graphviz  # noqa: F401
    except ImportError:
        missing.append("graphviz")
    if missing:
        print(
            f"python -m nn: needs {' and '.join(missing)}, not installed: "
            "pip install 'chainrule[demo]'",
            file=sys.stderr,
        )
        return None
    return plt, tqdm


def plot_boundary(plt: ModuleType, model: MLP, X, y, args: argparse.Namespace) -> Path:
    """The data and the model's decision boundary (score 0), from a grid of scores."""
    path = args.out / "boundary.png"
    xs_all, ys_all = [p[0] for p in X], [p[1] for p in X]
    pad, n = 0.5, max(args.grid, 2)
    x0, x1 = min(xs_all) - pad, max(xs_all) + pad
    y0, y1 = min(ys_all) - pad, max(ys_all) + pad
    gx = [x0 + (x1 - x0) * i / (n - 1) for i in range(n)]
    gy = [y0 + (y1 - y0) * i / (n - 1) for i in range(n)]
    grid = predict_grid(model, gx, gy)
    low, high = min(map(min, grid)), max(map(max, grid))

    fig, ax = plt.subplots(figsize=(5.5, 5))
    if low < 0 < high:  # the scores, cut at 0 between grid points: a smooth boundary
        ax.contourf(gx, gy, grid, levels=[low, 0, high], colors=["#f4a582", "#92c5de"], alpha=0.5)
        ax.contour(gx, gy, grid, levels=[0], colors="k", linewidths=1)
    else:
        ax.set_facecolor("#92c5de" if low >= 0 else "#f4a582")
    ax.scatter(xs_all, ys_all, c=y, cmap="RdBu", edgecolors="k", s=20)
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    net = "-".join(map(str, [2, *args.hidden, 1]))
    ax.set_title(f"{args.dataset}: decision boundary of MLP {net}")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_history(plt: ModuleType, history: History, args: argparse.Namespace) -> Path:
    """Loss (left axis) and training accuracy (right axis) after each step."""
    path = args.out / "loss.png"
    steps = range(1, len(history.loss) + 1)
    fig, loss_ax = plt.subplots(figsize=(6.5, 3.5))
    acc_ax = loss_ax.twinx()
    loss_line = loss_ax.plot(steps, history.loss, color="tab:blue", label=f"{args.loss} loss")
    acc_line = acc_ax.plot(steps, history.accuracy, color="tab:orange", label="training accuracy")
    loss_ax.set_xlabel("step")
    loss_ax.set_ylabel("loss", color="tab:blue")
    acc_ax.set_ylabel("training accuracy", color="tab:orange")
    acc_ax.set_ylim(0, 1.05)
    loss_ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    title = f"{args.dataset}: training, {args.optimizer} lr={args.lr}"
    if diverged(history):
        title += ", diverged"
        if min(history.loss) > 0:
            loss_ax.set_yscale("log")
    lines = loss_line + acc_line
    loss_ax.legend(lines, [line.get_label() for line in lines], loc="center right")
    loss_ax.set_title(title)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def label_parameters(model: MLP) -> None:
    """Name each weight and bias as a drawing shows it: w0, w1, ..., b."""
    for name, p in model.named_parameters():  # "layers.0.neurons.3.w.1", "layers.0.neurons.3.b"
        parts = name.split(".")
        p.label = f"w{parts[-1]}" if parts[-2:-1] == ["w"] else parts[-1]


def sample_graph(model: MLP, x: list[float], target: int, loss: str) -> Value:
    """One sample's loss, backpropagated: every gradient in the drawings is this pass's."""
    inputs = [Value(xi, label=f"x{i}") for i, xi in enumerate(x)]
    score = model(inputs)
    score.label = "score"
    total = loss_of([score], [target], loss)
    total.label = "loss"
    total.backward()
    return total


def first_neuron(model: MLP, root: Value) -> Value:
    """The output of the first hidden neuron in the graph under `root`."""
    from autograd.viz import group_keys, trace

    nodes = trace(root)
    keys = group_keys(model, nodes)
    return [v for v in nodes if keys.get(v) == "layers.0.neurons.0" and v.parents][-1]


def draw_graphs(model: MLP, x: list[float], target: int, args: argparse.Namespace) -> list[Path]:
    """The network neuron by neuron, and its first neuron in full, after one sample's backward.

    Without the `dot` program the DOT text is written instead (graph.dot, neuron.dot).
    """
    from autograd import draw_dot

    model.eval()
    label_parameters(model)
    root = sample_graph(model, x, target, args.loss)
    params = model.parameters()
    graphs = {
        "graph": draw_dot(root, groups=model, collapse=True, params=params),
        "neuron": draw_dot(first_neuron(model, root), params=params),
    }
    if shutil.which("dot") is None:
        print(
            "python -m nn: the Graphviz `dot` program is missing, so the graphs are written as "
            "DOT text; to draw them install Graphviz (Debian/Ubuntu: apt-get install graphviz)",
            file=sys.stderr,
        )
        written = [args.out / f"{name}.dot" for name in graphs]
        for path, graph in zip(written, graphs.values()):
            path.write_text(graph.source)
        return written
    written = [args.out / f"{name}.svg" for name in graphs]
    for path, graph in zip(written, graphs.values()):
        path.write_bytes(graph.pipe(format="svg"))
    return written


def diverged(history: History) -> bool:
    last = history.loss[-1]
    return not math.isfinite(last) or abs(last) > DIVERGED * max(abs(history.loss[0]), 1.0)


def fit(model: MLP, X, y, tqdm: ModuleType, args: argparse.Namespace) -> History:
    """Train with a progress bar; stop early, saying so, when the loss diverges."""
    optimizer = OPTIMIZERS[args.optimizer](model.parameters(), args.lr)
    # The recorded graph replayed is the same training, faster; a dropout mask must change.
    compiled = args.dropout == 0
    steps = train(model, X, y, optimizer, args.steps, loss=args.loss, l2=args.l2, compiled=compiled)
    bar = tqdm.tqdm(steps, total=args.steps, disable=args.quiet, desc="training")
    history = History()
    for history in bar:
        bar.set_postfix(loss=f"{history.loss[-1]:.4g}", acc=f"{history.accuracy[-1]:.0%}")
        if diverged(history):
            bar.close()
            break
    return history


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    tools = load_tools()
    if tools is None:
        return 1
    make_out(p, args)
    plt, tqdm = tools
    X, y = DATASETS[args.dataset](args.samples, noise=args.noise, seed=args.seed)
    model = MLP(
        2,
        [*args.hidden, 1],
        activation=args.activation,
        init=args.init,
        seed=args.seed,
        dropout=args.dropout,
    )
    print(
        f"{args.dataset}: {len(X)} points; MLP {'-'.join(map(str, [2, *args.hidden, 1]))} with "
        f"{len(model.parameters())} parameters; {args.optimizer} lr={args.lr}"
    )
    history = fit(model, X, y, tqdm, args)
    written = [plot_history(plt, history, args)]
    if diverged(history):
        print(
            f"python -m nn: training diverged at step {len(history.loss)} "
            f"(loss {history.loss[-1]:.4g}): try a smaller --lr than {args.lr}",
            file=sys.stderr,
        )
        print(f"wrote {written[0]}")
        return 1
    written.append(plot_boundary(plt, model, X, y, args))
    written += draw_graphs(model, X[0], y[0], args)
    print(f"final loss {history.loss[-1]:.4f}, training accuracy {history.accuracy[-1]:.1%}")
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
