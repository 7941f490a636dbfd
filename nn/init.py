"""Weight initialisation schemes: micrograd's by default, Xavier/Glorot and He."""

from __future__ import annotations

import math
import random
from collections.abc import Callable


def micrograd_uniform(rng: random.Random, nin: int, nout: int) -> list[float]:
    """uniform(-1, 1) per weight, as micrograd draws them."""
    return [rng.uniform(-1, 1) for _ in range(nin)]


def xavier_uniform(rng: random.Random, nin: int, nout: int) -> list[float]:
    """Glorot: uniform(-a, a) with a = sqrt(6 / (fan_in + fan_out)); suits tanh and sigmoid."""
    bound = math.sqrt(6.0 / (nin + nout))
    return [rng.uniform(-bound, bound) for _ in range(nin)]


def he_uniform(rng: random.Random, nin: int, nout: int) -> list[float]:
    """He/Kaiming: uniform(-a, a) with a = sqrt(6 / fan_in); suits ReLU."""
    bound = math.sqrt(6.0 / nin)
    return [rng.uniform(-bound, bound) for _ in range(nin)]


INITS: dict[str, Callable[[random.Random, int, int], list[float]]] = {
    "micrograd": micrograd_uniform,
    "xavier": xavier_uniform,
    "he": he_uniform,
}
