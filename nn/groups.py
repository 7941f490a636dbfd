"""Drawing groups: a module names the parts of the graph it builds, so a drawing can cluster them.

The protocol
------------
Every op result gets an increasing creation number (`Value._seq`). During its
forward pass a module wraps the code that builds one part in

    with self.draw_group("channel 2"):
        ...  # the nodes built here form the group "channel 2"

Entering draws a fresh creation number, leaving draws another, and the module
records the pair with the name: every op result made in between belongs to
the group. A part that is already built can be recorded after the fact with
`record(module, name, nodes)` (the range from its first node to its last),
or `record_each(module, [(name, node), ...])` when each group is one node (a
pooling window), which costs less than a `with` block per node.

`draw_dot(root, groups=model)` (through `autograd.viz.group_keys`) reads the
records of every module inside `model` and names each group by the module's
dotted path in the model and the recorded name: "0.channel 2" for the
`Conv2d` at index 0 of a `Sequential`, just "channel 2" for the model itself.
Groups may nest (a time step holding its attention heads): a node belongs to
the innermost one. A parameter joins a group when every op that uses it in
the drawn graph is in that group (a conv channel's kernel and bias). Nodes
outside every recorded group fall back to grouping by parameter names (a
neuron, or a layer).

Rules for a module that records:
- one group per part a learner should see as one box: a channel, a pooling
  window, a time step, a head;
- names are short and stable between calls ("step 3", "head 0"), so the
  same part of two calls lands in the same group;
- records are kept per module in a bounded deque (the latest `KEEP`), so
  training never grows memory; draw soon after the forward pass you draw.
  Records made under `no_grad` are harmless: no recorded node carries them.
"""

from __future__ import annotations

import heapq
import weakref
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from autograd import Value
from autograd.value import _next_seq

KEEP = 4096
"""How many groups each module remembers: the latest ones."""

_records: weakref.WeakKeyDictionary[Any, deque] = weakref.WeakKeyDictionary()


def _log(module: Any) -> deque:
    log = _records.get(module)
    if log is None:
        log = _records[module] = deque(maxlen=KEEP)
    return log


class draw_group:  # noqa: N801 - used as a context manager, like `no_grad`
    """`with draw_group(module, name):` the op results built inside form one group."""

    __slots__ = ("_log", "_name", "_start")

    def __init__(self, module: Any, name: str) -> None:
        self._log = _log(module)
        self._name = name

    def __enter__(self) -> draw_group:
        self._start = _next_seq()
        return self

    def __exit__(self, *exc: object) -> None:
        self._log.append((self._start, _next_seq(), self._name))


def record(module: Any, name: str, nodes: Iterable[Value]) -> None:
    """Record already built `nodes` (and anything built between them) as one group."""
    seqs = [v._seq for v in nodes if v._seq]
    if seqs:
        _log(module).append((min(seqs) - 1, max(seqs) + 1, name))


def record_each(module: Any, named: Iterable[tuple[str, Value]]) -> None:
    """Record each (name, node) pair as a group of that one node: a pooling window."""
    log = _log(module)
    log.extend((v._seq - 1, v._seq + 1, name) for name, v in named if v._seq)


def recorded(module: Any) -> list[tuple[int, int, str]]:
    """The groups `module` remembers: (start, end, name), start < node._seq < end."""
    return list(_records.get(module, ()))


def forget(module: Any) -> None:
    """Drop the groups `module` recorded."""
    _records.pop(module, None)


def named_modules(module: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, module) for `module` ("") and every submodule below it."""
    from .module import Module

    yield prefix.rstrip("."), module
    for name, item in vars(module).items():
        subs = enumerate(item) if isinstance(item, (list, tuple)) else [(None, item)]
        for i, sub in subs:
            if isinstance(sub, Module):
                path = f"{prefix}{name}" if i is None else f"{prefix}{name}.{i}"
                yield from named_modules(sub, path + ".")


def recorded_keys(model: Any, nodes: list[Value], level: str = "neuron") -> dict[Value, str]:
    """The recorded group of each op result in `nodes` (innermost first), and of parameters.

    With `level="layer"` the group is the recording module's path instead.
    """
    ranges = []
    for path, module in named_modules(model):
        for start, end, name in _records.get(module, ()):
            key = (path or type(module).__name__) if level == "layer" else _join(path, name)
            ranges.append((start, end, key))
    if not ranges:
        return {}
    keys = _sweep(sorted(ranges), sorted((v for v in nodes if v._seq), key=lambda v: v._seq))
    _adopt_parameters(model, nodes, keys)
    return keys


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _sweep(ranges: list[tuple[int, int, str]], nodes: list[Value]) -> dict[Value, str]:
    """Each node's innermost range: the open range that started last (a heap, lazy pops)."""
    keys: dict[Value, str] = {}
    open_: list[tuple[int, int, str]] = []
    i = 0
    for v in nodes:
        seq = v._seq
        while i < len(ranges) and ranges[i][0] < seq:
            start, end, key = ranges[i]
            heapq.heappush(open_, (-start, end, key))
            i += 1
        while open_ and open_[0][1] <= seq:  # ended before this node: never open again
            heapq.heappop(open_)
        if open_:
            keys[v] = open_[0][2]
    return keys


def _adopt_parameters(model: Any, nodes: list[Value], keys: dict[Value, str]) -> None:
    """A parameter joins a group when every op using it in `nodes` is in that group."""
    params = {id(p) for p in model.parameters()}
    users: dict[Value, set[str | None]] = {}
    for v in nodes:
        for parent in v.parents:
            if id(parent) in params:
                users.setdefault(parent, set()).add(keys.get(v))
    for p, groups in users.items():
        if len(groups) == 1 and None not in groups:
            keys[p] = next(iter(groups))
