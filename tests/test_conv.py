"""Conv2d and MaxPool2d against PyTorch float64, their graphs, errors and drawing groups;
the shapes image set and a small CNN that learns it."""

from __future__ import annotations

import math
import random
import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, draw_dot
from autograd.viz import group_keys, trace
from nn import groups
from nn.datasets import SHAPES, image_text, make_shapes

from .reference import assert_close
from .test_layers_torch import check_against_torch, flat, nested


@st.composite
def conv_settings(draw):
    """A Conv2d's settings and an input size that fits its (padded) kernel."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), 6))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), 6))
    return kernel, stride, padding, height, width


@settings(max_examples=40, deadline=None)
@given(
    conv_settings(),
    st.integers(1, 3),
    st.integers(1, 3),
    st.booleans(),
    st.integers(0, 10**6),
)
def test_conv2d_equals_torch(shape, c_in, c_out, bias, seed):
    kernel, stride, padding, height, width = shape
    random.seed(seed)
    conv = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=bias)
    x = nested((c_in, height, width), random.Random(seed))
    check_against_torch(conv, x, seed=seed)


def test_conv_and_pool_gradients_agree_with_central_differences():
    random.seed(2)
    conv, pool = nn.Conv2d(2, 2, 2, stride=1, padding=1), nn.MaxPool2d(2, 1)
    numbers = [random.gauss(0, 1) for _ in range(2 * 3 * 3)]
    weights = [random.gauss(0, 1) for _ in range(2 * 3 * 3)]

    def f(*pixels):
        rows = [list(pixels[k : k + 3]) for k in range(0, 18, 3)]
        image = [rows[:3], rows[3:]]
        return autograd.dot(flat(pool(conv(image))), weights)

    assert autograd.gradcheck(f, numbers)


def test_conv2d_each_output_is_one_dot_node_over_the_in_bounds_window():
    random.seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=1)
    out = conv(nested((2, 4, 5), random.Random(1)))
    assert (len(out), len(out[0]), len(out[0][0])) == (3, 4, 5)
    assert all(v.op == "dot" for v in flat(out))
    assert len(out[0][1][1].parents) == 2 * (2 * 9) + 1  # a full window: kernel, inputs, bias
    assert len(out[0][0][0].parents) == 2 * (2 * 4) + 1  # a corner: 4 of 9 taps in bounds
    assert out[2][0][0].parents[-1] is conv.bias[2]


def test_conv2d_window_wholly_in_the_padding_is_its_bias():
    random.seed(0)
    for bias in (True, False):
        conv = nn.Conv2d(1, 1, 1, padding=1, bias=bias)
        x = [[[Value(2.0)]]]
        out = conv(x)
        assert_close(out[0][0][0].data, conv.bias[0].data if bias else 0.0, "corner")
        check_against_torch(conv, x)


def test_conv2d_layout_init_and_state_dict_follow_torch():
    random.seed(3)
    conv = nn.Conv2d(2, 3, (2, 3))
    random.seed(3)
    bound = 1 / math.sqrt(2 * 2 * 3)
    expected = [random.uniform(-bound, bound) for _ in range(3 * 2 * 2 * 3 + 3)]
    assert [p.data for p in conv.parameters()] == expected
    gain = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5))
    assert_close(bound, gain * math.sqrt(3 / 12), "kaiming_uniform(a=sqrt(5)) bound")
    assert len(conv.weight[2][1][1]) == 3 and len(conv.bias) == 3
    theirs = conv.to_torch()
    assert theirs.weight.dtype == torch.float64
    assert theirs.weight[2, 1, 1, 2].item() == conv.weight[2][1][1][2].data
    assert "weight.2.1.1.2" in conv.state_dict() and "bias.2" in conv.state_dict()
    assert nn.Conv2d(1, 1, 2, bias=False).bias is None


def test_conv2d_errors_name_the_module_and_the_bad_value():
    conv = nn.Conv2d(3, 2, 3)
    with pytest.raises(ValueError, match="^Conv2d: expected 3 input channels, got 2"):
        conv(nested((2, 4, 4), random.Random(0)))
    with pytest.raises(ValueError, match="^Conv2d: kernel height 3 is larger than the padded"):
        conv(nested((3, 2, 4), random.Random(0)))
    with pytest.raises(ValueError, match="^Conv2d: channel 1 row 2 is not 4 entries"):
        x = nested((3, 4, 4), random.Random(0))
        x[1][2].pop()
        conv(x)
    with pytest.raises(ValueError, match=r"^Conv2d: expected an input \[C\]\[H\]\[W\]"):
        conv([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="^Conv2d: kernel_size must be an int >= 1 .*got 0"):
        nn.Conv2d(1, 1, 0)
    with pytest.raises(ValueError, match=r"^Conv2d: padding must be an int >= 0 .*\(1, -1\)"):
        nn.Conv2d(1, 1, 2, padding=(1, -1))
    with pytest.raises(ValueError, match="^Conv2d: out_channels must be a positive int"):
        nn.Conv2d(1, 0, 2)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(1, 3),
    st.one_of(st.none(), st.integers(1, 3)),
    st.integers(1, 2),
    st.integers(0, 10**6),
    st.booleans(),
)
def test_maxpool2d_equals_torch_ties_included(kh, kw, stride, channels, seed, ties):
    rng = random.Random(seed)
    height, width = rng.randint(kh, 6), rng.randint(kw, 6)
    pool = nn.MaxPool2d((kh, kw), stride)
    x = nested((channels, height, width), rng)
    if ties:  # few distinct numbers: windows with several maxima
        for v in flat(x):
            v.data = float(rng.randint(0, 1))
    check_against_torch(pool, x, seed=seed)


def test_maxpool2d_tie_sends_the_gradient_to_the_first_maximum_row_major():
    x = [[[Value(1.0), Value(3.0)], [Value(3.0), Value(3.0)]]]
    out = nn.MaxPool2d(2)(x)
    assert out[0][0][0].op == "max" and len(out[0][0][0].parents) == 4
    out[0][0][0].backward()
    assert [v.grad for v in flat(x)] == [0.0, 1.0, 0.0, 0.0]


def test_maxpool2d_errors_and_settings():
    pool = nn.MaxPool2d(3)
    assert pool.stride == (3, 3) and nn.MaxPool2d(2, 1).stride == (1, 1)
    with pytest.raises(ValueError, match="^MaxPool2d: kernel width 3 is larger than the padded"):
        pool(nested((1, 4, 2), random.Random(0)))
    with pytest.raises(ValueError, match="^MaxPool2d: stride must be an int >= 1"):
        nn.MaxPool2d(2, 0)


def small_cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 3)
    )


def test_small_cnn_equals_torch():
    random.seed(11)
    model = small_cnn()
    X, _ = make_shapes(3, seed=1)
    x = [[[Value(v) for v in row] for row in plane] for plane in X[0]]
    check_against_torch(model, x)


# --- drawing groups ---


def test_conv_net_draws_a_cluster_per_channel_and_per_pooling_window():
    random.seed(0)
    model = small_cnn()
    X, y = make_shapes(3, seed=2)
    loss = nn.functional.cross_entropy(model(X[0]), y[0])
    source = draw_dot(loss, groups=model).source
    clusters = re.findall(r'subgraph "cluster_([^"]*)"', source)
    channels = [c for c in clusters if re.fullmatch(r"0\.channel \d", c)]
    windows = [c for c in clusters if re.fullmatch(r"2\.channel \d window \d,\d", c)]
    assert len(channels) == 4 and len(windows) == 4 * 3 * 3
    assert "4.neuron 2" in clusters  # the Linear head, by its parameter names
    keys = group_keys(model, trace(loss))
    assert keys[model[0].weight[1][0][2][2]] == keys[model[0].bias[1]] == "0.channel 1"
    collapsed = draw_dot(loss, groups=model, collapse=True).source
    boxes = re.findall(r'^\t"group ([^"]*)" \[label=', collapsed, re.M)
    assert len(boxes) == 4 + 36 + 3 and "subgraph" not in collapsed
    assert '"group 0.channel 1" -> "group 2.channel 1 window 0,0"' in collapsed
    layers = set(group_keys(model, trace(loss), level="layer").values())
    assert layers == {"0", "2", "4"}


def test_groups_nest_innermost_first_and_memory_is_bounded():
    class Steps(nn.Module):
        def __init__(self):
            self.w = Value(2.0)

        def __call__(self, x):
            for t in range(3):
                with self.draw_group(f"step {t}"):
                    with self.draw_group(f"step {t} inner"):
                        x = x * self.w
                    x = x.tanh()
            return x

    model = Steps()
    out = model(Value(0.1))
    keys = group_keys(model, trace(out))
    assert keys[out] == "step 2"
    assert keys[out.parents[0]] == "step 2 inner"
    assert not keys[model.w].startswith("step")  # used in three groups: in none of them
    for _ in range(groups.KEEP // 6 + 10):
        model(Value(0.1))
    assert len(groups.recorded(model)) == groups.KEEP


def test_a_module_outside_the_model_does_not_name_groups():
    random.seed(0)
    conv = nn.Conv2d(1, 1, 2)
    other = nn.Sequential(nn.Linear(4, 1))
    out = other(nn.Flatten()(conv(nested((1, 3, 3), random.Random(0)))))[0]
    assert set(group_keys(other, trace(out)).values()) == {"0.neuron 0"}


# --- the image set ---


def test_make_shapes_is_seeded_balanced_and_leaves_the_global_random_alone():
    state = random.getstate()
    X, y = make_shapes(30, seed=4)
    assert random.getstate() == state
    assert (X, y) == make_shapes(30, seed=4) and X != make_shapes(30, seed=5)[0]
    assert sorted(y) == [0] * 10 + [1] * 10 + [2] * 10
    assert all(len(x) == 1 and len(x[0]) == 8 and len(x[0][0]) == 8 for x in X)
    clean, labels = make_shapes(6, size=7, noise=0.0, seed=1)
    assert {v for x in clean for row in x[0] for v in row} == {0.0, 1.0}
    text = image_text(clean[labels.index(SHAPES.index("box"))])
    assert text.count("\n") == 6 and text.count("#####") == 2 and text.count("#...#") == 3
    with pytest.raises(ValueError, match="^make_shapes: n_samples"):
        make_shapes(2)
    with pytest.raises(ValueError, match="^make_shapes: size"):
        make_shapes(9, size=5)


def test_a_small_cnn_learns_the_shapes_in_seconds():
    random.seed(0)
    model = small_cnn()
    X, y = make_shapes(90, seed=0)
    test_X, test_y = make_shapes(60, seed=1)
    optimizer = nn.Adam(model.parameters(), lr=0.05)
    for step in range(30):
        batch = range(step % 3 * 30, step % 3 * 30 + 30)
        losses = [nn.functional.cross_entropy(model(X[i]), y[i]) for i in batch]
        loss = autograd.sum(losses) / len(losses)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with autograd.no_grad():
        scores = [[v.data for v in model(x)] for x in test_X]
    predictions = [s.index(max(s)) for s in scores]
    accuracy = sum(p == t for p, t in zip(predictions, test_y)) / len(test_y)
    assert accuracy >= 0.9, accuracy
