"""Toy data: two moons, circles, XOR and spirals (2-D points), and small images of shapes.

Each maker returns `(X, y)`: `n_samples` points as `[x1, x2]` lists and labels
in {0, 1} with both classes present. Noise is Gaussian with standard deviation
`noise`. Each draws from its own `random.Random(seed)`, so the same seed gives
the same data and the global `random` state is never touched.
"""

from __future__ import annotations

import math
import random

Data = tuple[list[list[float]], list[int]]


def _check(n_samples: int, noise: float) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"n_samples must be an int >= 2 (both classes), got {n_samples!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")


def _finish(points: list[tuple[float, float, int]], noise: float, rng: random.Random) -> Data:
    """Add noise, shuffle, and split into X and y."""
    rng.shuffle(points)
    X = [[x1 + rng.gauss(0, noise), x2 + rng.gauss(0, noise)] for x1, x2, _ in points]
    return X, [label for _, _, label in points]


def _spaced(n: int, stop: float, endpoint: bool = True) -> list[float]:
    """n evenly spaced numbers from 0 to stop, as numpy.linspace."""
    if n == 1:
        return [0.0]
    step = stop / (n - 1 if endpoint else n)
    return [i * step for i in range(n)]


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Data:
    """Two interleaving half circles (scikit-learn's shapes)."""
    _check(n_samples, noise)
    n_upper = n_samples // 2
    upper = [(math.cos(t), math.sin(t), 0) for t in _spaced(n_upper, math.pi)]
    lower = [(1 - math.cos(t), 0.5 - math.sin(t), 1) for t in _spaced(n_samples - n_upper, math.pi)]
    return _finish(upper + lower, noise, random.Random(seed))


def make_circles(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None, factor: float = 0.5
) -> Data:
    """A circle of radius 1 (class 0) around one of radius `factor` (class 1)."""
    _check(n_samples, noise)
    n_outer = n_samples // 2
    outer = [(math.cos(t), math.sin(t), 0) for t in _spaced(n_outer, 2 * math.pi, False)]
    inner = [
        (factor * math.cos(t), factor * math.sin(t), 1)
        for t in _spaced(n_samples - n_outer, 2 * math.pi, False)
    ]
    return _finish(outer + inner, noise, random.Random(seed))


def make_xor(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Data:
    """Points in the four quadrants of [-1, 1]^2; class 1 where the signs differ."""
    _check(n_samples, noise)
    rng = random.Random(seed)
    quadrants = [(1, 1), (-1, 1), (-1, -1), (1, -1)]
    points = []
    for i in range(n_samples):
        sx, sy = quadrants[i % 4]
        points.append((sx * rng.uniform(0.1, 1), sy * rng.uniform(0.1, 1), int(sx != sy)))
    return _finish(points, noise, rng)


def make_spiral(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Data:
    """Two interleaved spirals, one turn and a half each."""
    _check(n_samples, noise)
    points = []
    for i in range(n_samples):
        label = i % 2
        t = (i // 2 + 1) / ((n_samples + 1) // 2)  # radius from near 0 to 1
        angle = 3 * math.pi * t + label * math.pi
        points.append((t * math.cos(angle), t * math.sin(angle), label))
    return _finish(points, noise, random.Random(seed))


DATASETS = {
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "spiral": make_spiral,
}


# --- a small image set for the CNN lesson ---

SHAPES = ("bar", "cross", "box")
"""The classes of `make_shapes`, in label order."""


def make_shapes(
    n_samples: int = 96, size: int = 8, noise: float = 0.1, seed: int | None = None
) -> tuple[list[list[list[list[float]]]], list[int]]:
    """Small grey images of a bar, a cross or a box, for a first CNN (no download).

    Returns `(X, y)`: `n_samples` images, each one channel `[1][size][size]` (what
    `Conv2d(1, ...)` takes), ink 1.0 on 0.0 plus Gaussian noise of standard
    deviation `noise`, and labels 0, 1, 2 (`SHAPES`: bar, cross, box) in turn
    before shuffling, so the classes are balanced. Each shape sits at a random
    place: a horizontal or vertical bar `size - 1` or `size` long, a plus sign
    5 wide, a square outline 5 wide. Sizes vary little on purpose: a first CNN
    (4 filters 3x3, pool 2, a linear head) reaches 90% on new images after
    about 30 Adam steps on 90 images. Drawn from its own `random.Random(seed)`;
    the global `random` is never touched.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 3:
        raise ValueError(
            f"make_shapes: n_samples must be an int >= 3 (each class), got {n_samples!r}"
        )
    if isinstance(size, bool) or not isinstance(size, int) or size < 6:
        raise ValueError(f"make_shapes: size must be an int >= 6, got {size!r}")
    if not noise >= 0:
        raise ValueError(f"make_shapes: noise must be >= 0, got {noise!r}")
    rng = random.Random(seed)
    drawers = (_bar, _cross, _box)
    samples = []
    for i in range(n_samples):
        label = i % len(drawers)
        ink = drawers[label](rng, size)
        image = [
            [float((r, c) in ink) + rng.gauss(0, noise) for c in range(size)] for r in range(size)
        ]
        samples.append(([image], label))
    rng.shuffle(samples)
    return [x for x, _ in samples], [label for _, label in samples]


def _bar(rng: random.Random, size: int) -> set[tuple[int, int]]:
    length = rng.randint(size - 1, size)
    start, across = rng.randint(0, size - length), rng.randrange(size)
    cells = {(across, start + k) for k in range(length)}
    return cells if rng.random() < 0.5 else {(c, r) for r, c in cells}


def _cross(rng: random.Random, size: int) -> set[tuple[int, int]]:
    r, c = rng.randint(2, size - 3), rng.randint(2, size - 3)
    return {(r + k, c) for k in range(-2, 3)} | {(r, c + k) for k in range(-2, 3)}


def _box(rng: random.Random, size: int) -> set[tuple[int, int]]:
    side = 5
    top, left = rng.randint(0, size - side), rng.randint(0, size - side)
    last = side - 1
    return {
        (top + i, left + j)
        for i in range(side)
        for j in range(side)
        if i in (0, last) or j in (0, last)
    }


def image_text(image: list[list[list[float]]] | list[list[float]], threshold: float = 0.5) -> str:
    """An image (one channel, or `[1][H][W]`) as text, '#' where above `threshold`, for print."""
    plane = image[0] if isinstance(image[0][0], list) else image
    return "\n".join("".join("#" if v > threshold else "." for v in row) for row in plane)
