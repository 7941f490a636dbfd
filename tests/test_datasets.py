"""Toy datasets: exact sizes, both classes, deterministic per seed, global random untouched."""

from __future__ import annotations

import math
import random

import pytest

from nn.datasets import DATASETS, make_circles, make_moons


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("n", [2, 3, 7, 100, 101])
def test_shape_and_classes(name, n):
    X, y = DATASETS[name](n, noise=0.1, seed=0)
    assert len(X) == len(y) == n
    assert all(len(p) == 2 and all(type(c) is float for c in p) for p in X)
    assert set(y) == {0, 1} and all(type(label) is int for label in y)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_same_seed_same_data_and_global_random_untouched(name):
    random.seed(123)
    state = random.getstate()
    a = DATASETS[name](50, noise=0.2, seed=4)
    b = DATASETS[name](50, noise=0.2, seed=4)
    c = DATASETS[name](50, noise=0.2, seed=5)
    DATASETS[name](50, noise=0.2)
    assert a == b and a != c
    assert random.getstate() == state


def test_noise_is_the_standard_deviation():
    clean, _ = make_circles(4000, noise=0.0, seed=1)
    noisy, _ = make_circles(4000, noise=0.05, seed=1)
    radii = {round(math.hypot(*p), 9) for p in clean}
    assert radii == {1.0, 0.5}
    moved = sorted(math.hypot(*p) for p in noisy)
    assert 0.3 < moved[0] and moved[-1] < 1.3


def test_moons_without_noise_are_two_half_circles():
    X, y = make_moons(10, seed=0)
    for (x1, x2), label in zip(X, y):
        centre = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.isclose(math.hypot(x1 - centre[0], x2 - centre[1]), 1.0)


@pytest.mark.parametrize("bad", [1, 0, -5, 2.5, True])
def test_bad_sizes(bad):
    with pytest.raises(ValueError, match="n_samples must be an int >= 2"):
        make_moons(bad)


def test_negative_noise():
    with pytest.raises(ValueError, match="noise must be >= 0"):
        make_moons(10, noise=-1)
