"""`Conv2d` and `MaxPool2d` on one sample `[C][H][W]`, laid out and initialised as PyTorch's.

A convolution output is one fused `dot` node (kernel . window + bias) and a
pooling output one `max` node, so a drawn conv layer stays readable; each
output channel (and each pooling window) is recorded as a drawing group
(`nn.groups`), so `draw_dot(loss, groups=model)` draws one cluster each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from numbers import Real
from typing import Any

import autograd
from autograd import Value, dot
from autograd.rules import DOT
from autograd.value import constant, node

from . import bridge, groups
from .linear import check_size, uniform_values
from .module import Module

Pair = int | tuple[int, int]
Image = Sequence[Sequence[Sequence[Value | Real]]]


def _pair(module: str, name: str, x: object, least: int = 1) -> tuple[int, int]:
    """An int or a pair of ints, each >= least, as a pair; else ValueError naming the module."""
    pair = (x, x) if isinstance(x, int) else tuple(x) if isinstance(x, (tuple, list)) else None
    if (
        pair is None
        or len(pair) != 2
        or any(isinstance(n, bool) or not isinstance(n, int) or n < least for n in pair)
    ):
        raise ValueError(f"{module}: {name} must be an int >= {least} or a pair of them, got {x!r}")
    return pair


def _shape(module: str, x: object, channels: int | None = None) -> tuple[int, int, int]:
    """(C, H, W) of a nested list `[C][H][W]`; ValueError naming the module when it is not one."""
    if not isinstance(x, (list, tuple)) or not x or not isinstance(x[0], (list, tuple)):
        raise ValueError(f"{module}: expected an input [C][H][W] (nested lists), got {x!r:.60}")
    if channels is not None and len(x) != channels:
        raise ValueError(f"{module}: expected {channels} input channels, got {len(x)}")
    height = len(x[0])
    width = len(x[0][0]) if height and isinstance(x[0][0], (list, tuple)) else 0
    if not height or not width:
        raise ValueError(f"{module}: expected an input [C][H][W] with H, W >= 1, got {x!r:.60}")
    for c, plane in enumerate(x):
        if not isinstance(plane, (list, tuple)) or len(plane) != height:
            raise ValueError(f"{module}: channel {c} is not {height} rows like channel 0")
        for r, row in enumerate(plane):
            if not isinstance(row, (list, tuple)) or len(row) != width:
                raise ValueError(
                    f"{module}: channel {c} row {r} is not {width} entries like channel 0 row 0"
                )
    return len(x), height, width


def _out_size(module: str, size: int, kernel: int, stride: int, padding: int, axis: str) -> int:
    padded = size + 2 * padding
    if kernel > padded:
        raise ValueError(
            f"{module}: kernel {axis} {kernel} is larger than the padded input {axis} {padded} "
            f"(input {size}, padding {padding})"
        )
    return (padded - kernel) // stride + 1


def _flat_values(x: Image, module: str) -> list[Value]:
    """The entries of [C][H][W], row-major; a number becomes a leaf Value."""
    return [
        v if isinstance(v, Value) else constant(v, module)
        for plane in x
        for row in plane
        for v in row
    ]


class Conv2d(Module):
    """A 2-D convolution (cross-correlation, as PyTorch's) with stride and zero padding.

    `weight[out][in][kh][kw]` and `bias[out]`, initialised as PyTorch's
    (kaiming_uniform with a = sqrt(5): uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    fan_in = in_channels * kh * kw), weight first, then bias, from Python's
    global `random`. Called on `[C][H][W]`, returns `[C_out][H_out][W_out]`,
    each output one `dot` node over the window's in-bounds entries (padding
    adds zeros, so it adds no terms).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Pair,
        stride: Pair = 1,
        padding: Pair = 0,
        bias: bool = True,
    ) -> None:
        self.in_channels = check_size("Conv2d", "in_channels", in_channels)
        self.out_channels = check_size("Conv2d", "out_channels", out_channels)
        self.kernel_size = _pair("Conv2d", "kernel_size", kernel_size)
        self.stride = _pair("Conv2d", "stride", stride)
        self.padding = _pair("Conv2d", "padding", padding, least=0)
        kh, kw = self.kernel_size
        bound = 1.0 / math.sqrt(in_channels * kh * kw)
        self.weight = uniform_values(bound, out_channels, in_channels, kh, kw)
        self.bias = uniform_values(bound, out_channels) if bias else None

    def __call__(self, x: Image) -> list[list[list[Value]]]:
        _, height, width = _shape("Conv2d", x, self.in_channels)
        out_h = _out_size(
            "Conv2d", height, self.kernel_size[0], self.stride[0], self.padding[0], "height"
        )
        out_w = _out_size(
            "Conv2d", width, self.kernel_size[1], self.stride[1], self.padding[1], "width"
        )
        plan = _conv_plan(
            self.in_channels, height, width, self.kernel_size, self.stride, self.padding
        )
        flat = _flat_values(x, "Conv2d") + [constant(0.0, "Conv2d")]  # [-1]: padding's zero
        patches = [tuple(flat[i] for i in taps) for _, taps in plan]
        patch_data = [[v.data for v in patch] for patch in patches]
        forward, out = DOT.forward, []
        for c, kernel in enumerate(self.weight):
            row = tuple(w for plane in kernel for line in plane for w in line)
            row_data = [w.data for w in row]
            tail = () if self.bias is None else (self.bias[c],)
            bias = tail[0].data if tail else None
            with groups.draw_group(self, f"channel {c}"):
                # what `autograd.dot(kernel, window, bias)` builds, each number read once a call
                sums = [
                    node(forward(row_data, data, bias), row + patch + tail, DOT)
                    if keep is None
                    else dot([row[k] for k in keep], patch, *tail)
                    for (keep, _), patch, data in zip(plan, patches, patch_data)
                ]
            out.append([sums[i * out_w : (i + 1) * out_w] for i in range(out_h)])
        return out

    def __repr__(self) -> str:
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None})"
        )


@lru_cache(maxsize=64)
def _conv_plan(
    channels: int,
    height: int,
    width: int,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
) -> list[tuple[list[int] | None, list[int]]]:
    """For each output position, row-major: (kernel indices kept, or None for all; input indices).

    Indices are into the row-major flattening of the kernel `[in][kh][kw]` and of the
    input `[C][H][W]`. A window wholly in the padding keeps one zero term (index -1).
    """
    kh, kw = kernel
    out_h = (height + 2 * padding[0] - kh) // stride[0] + 1
    out_w = (width + 2 * padding[1] - kw) // stride[1] + 1
    plan = []
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride[0] - padding[0], j * stride[1] - padding[1]
            keep, taps = [], []
            for c in range(channels):
                for di in range(kh):
                    for dj in range(kw):
                        r, s = top + di, left + dj
                        if 0 <= r < height and 0 <= s < width:
                            keep.append((c * kh + di) * kw + dj)
                            taps.append((c * height + r) * width + s)
            full = len(keep) == channels * kh * kw
            if not keep:
                keep, taps = [0], [-1]
            plan.append((None if full else keep, taps))
    return plan


class MaxPool2d(Module):
    """The largest entry of each window, per channel: one `max` node per output.

    `stride` defaults to `kernel_size`, no padding, as PyTorch's default. The
    gradient goes to the first maximum in the window's row-major scan, as
    PyTorch's `max_pool2d`.
    """

    def __init__(self, kernel_size: Pair, stride: Pair | None = None) -> None:
        self.kernel_size = _pair("MaxPool2d", "kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else _pair("MaxPool2d", "stride", stride)

    def __call__(self, x: Image) -> list[list[list[Value]]]:
        channels, height, width = _shape("MaxPool2d", x)
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        out_h = _out_size("MaxPool2d", height, kh, sh, 0, "height")
        out_w = _out_size("MaxPool2d", width, kw, sw, 0, "width")
        flat = _flat_values(x, "MaxPool2d")
        maximum = autograd.max
        out, named = [], []
        for c in range(channels):
            base = c * height * width
            plane = []
            for i in range(out_h):
                line = []
                for j in range(out_w):
                    top = base + i * sh * width + j * sw
                    window = [flat[top + di * width + dj] for di in range(kh) for dj in range(kw)]
                    line.append(maximum(window))
                    named.append((f"channel {c} window {i},{j}", line[-1]))
                plane.append(line)
            out.append(plane)
        groups.record_each(self, named)
        return out

    def __repr__(self) -> str:
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})"


# --- the bridge ---


def _conv_to_torch(m: Conv2d) -> Any:
    torch = bridge.torch()
    out = torch.nn.Conv2d(
        m.in_channels,
        m.out_channels,
        m.kernel_size,
        stride=m.stride,
        padding=m.padding,
        bias=m.bias is not None,
    ).to(torch.float64)
    with torch.no_grad():
        out.weight.copy_(bridge.tensor(m.weight))
        if m.bias is not None:
            out.bias.copy_(bridge.tensor(m.bias))
    return out


def _conv_from_torch(t: Any) -> Conv2d:
    unsupported = {
        "dilation": (t.dilation, (1, 1)),
        "groups": (t.groups, 1),
        "padding_mode": (t.padding_mode, "zeros"),
    }
    for name, (value, plain) in unsupported.items():
        if value != plain:
            raise ValueError(f"from_torch: Conv2d with {name}={value!r} has no equivalent")
    if isinstance(t.padding, str):
        raise ValueError(f"from_torch: Conv2d with padding={t.padding!r}: give it as ints")
    ours = Conv2d(
        t.in_channels,
        t.out_channels,
        t.kernel_size,
        stride=t.stride,
        padding=t.padding,
        bias=t.bias is not None,
    )
    bridge.set_data(ours.weight, t.weight)
    if t.bias is not None:
        bridge.set_data(ours.bias, t.bias)
    return ours


def _pool_from_torch(t: Any) -> MaxPool2d:
    settings = {
        "padding": t.padding,
        "dilation": t.dilation,
        "ceil_mode": t.ceil_mode,
        "return_indices": t.return_indices,
    }
    plain = {"padding": (0, 0), "dilation": (1, 1), "ceil_mode": False, "return_indices": False}
    for name, value in settings.items():
        if value != plain[name] and _pair_or(value) != plain[name]:
            raise ValueError(f"from_torch: MaxPool2d with {name}={value!r} has no equivalent")
    return MaxPool2d(t.kernel_size, t.stride)


def _pair_or(x: Any) -> Any:
    return (x, x) if isinstance(x, int) and not isinstance(x, bool) else x


def _pool_to_torch(m: MaxPool2d) -> Any:
    return bridge.torch().nn.MaxPool2d(m.kernel_size, stride=m.stride)


bridge.register(Conv2d, "Conv2d", _conv_to_torch, _conv_from_torch)
bridge.register(MaxPool2d, "MaxPool2d", _pool_to_torch, _pool_from_torch)
