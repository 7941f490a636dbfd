"""`autograd.compile`: a recorded graph replayed as straight-line Python.

A training step builds the same graph every time; only the numbers in it
change. `compile(root)` walks the graph under `root` once and writes it out
as Python source, one line per node, forward then backward, the way one
derives backprop by hand:

    q = x + y                     # forward, in the order the graph was built
    f = q * z
    yield f
    g_f = 1.0                     # backward, consumers first
    g_q += g_f * z; g_z += g_f * q
    g_x += g_q; g_y += g_q

The generator holds no derivative of its own: every expression comes from the
rule table (`Rule.forward_src`, `Rule.local_src`), the same rules `backward()`
reads, so the replay computes the same float operations as the engine. A fused
node (`sum`, `dot`, `max`, `min`) stays one expression over tuples of its
operands, and the gradients of a group of operands that always travel
together (a weight row, a layer's outputs) live in one list updated by a
helper, which keeps the code short for Python's `compile()`.

What is recorded and what is not:
- Ops that depend on data (relu, the kinks, max and min, pow's special
  cases) decide afresh at each replay, from the replayed numbers.
- What Python decided while the graph was built stays as recorded: an `if`
  on `.data`, a dropout mask, a loop's length, which ops were called. Call
  `compile` again when those should change.
- A domain error at replay (`log` of a number <= 0, division by zero) raises
  as the op would.
- `tape.forward()` sets `root.data` only; the interior nodes keep the data
  they were built with. `tape.backward()` adds into the leaves' `.grad` only.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from collections.abc import Callable, Generator, Iterable, Sequence
from operator import add, mul

from . import rules
from .backward import interior_order
from .value import Value

_CHUNK = 8
"""Names per line where the code unpacks many at once."""

_NUMBER = re.compile(r"-?\d+\.\d+")
_RESERVED_NAME = re.compile(r"(v\d+|g_.*|inf|nan)$")


def compile(root: Value, watch: Sequence[Value] = ()) -> Tape:  # noqa: A001 - the contract's name
    """Record the graph under `root` once as straight-line Python; see `Tape`.

    `watch`: nodes of the graph (a model's outputs, say) whose `.data`
    `tape.forward()` sets too, beside the root's.
    """
    return Tape(root, watch)


class Tape:
    """The graph under `root` as generated Python: `forward()`, `backward()`, `source`.

    `forward()` recomputes every node from the leaves' current `.data`, sets
    `root.data` and returns it; `backward()` adds d(root)/d(leaf) into each
    leaf's `.grad` at the point of the last `forward()` (running one first if
    none is pending), as `root.backward()` on the rebuilt graph would. Ops that
    depend on data decide afresh at each replay; what Python decided while
    building (an `if` on `.data`, a dropout mask) stays as recorded.
    """

    __slots__ = ("root", "source", "_leaves", "_watch", "_replay", "_pending")

    def __init__(self, root: Value, watch: Sequence[Value] = ()) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"compile: expected a Value, got {type(root).__name__}")
        watch = list(watch)
        program = _Program(root, watch)
        self.root = root
        self.source = program.source
        self._leaves = program.leaves
        self._watch = watch
        namespace = dict(vars(rules), **_HELPERS)
        exec(builtins.compile(self.source, "<autograd.compile>", "exec"), namespace)
        self._replay: Callable[[list[Value]], Generator[float, None, None]] = namespace["_replay"]
        self._pending: Generator[float, None, None] | None = None

    def forward(self) -> float:
        """Recompute the graph from the leaves' current data; set and return `root.data`."""
        run = self._replay(self._leaves, self._watch)
        value = next(run)
        self._pending = run
        self.root.data = value
        return value

    def backward(self) -> None:
        """Add d(root)/d(leaf) into every leaf's `.grad`, at the last forward's numbers."""
        if self._pending is None:
            self.forward()
        run, self._pending = self._pending, None
        for _ in run:
            pass

    def __repr__(self) -> str:
        return f"Tape({len(self._leaves)} leaves, {self.source.count(chr(10)) + 1} lines)"


# --- helpers the generated code calls (names start with `_`, as the rule table's) ---


def _data(leaves: Iterable[Value]) -> list[float]:
    return [v.data for v in leaves]


def _grads(leaves: Iterable[Value]) -> list[float]:
    return [v.grad for v in leaves]


def _set_data(nodes: Iterable[Value], data: Iterable[float]) -> None:
    for v, x in zip(nodes, data):
        v.data = x


def _set_grads(leaves: Iterable[Value], grads: Iterable[float]) -> None:
    for v, g in zip(leaves, grads):
        v.grad = g


def _axpy(grads: list[float], g: float, locals_: Sequence[float]) -> None:
    """grads[i] += g * locals_[i] for each i: one group's share of a fused node's step."""
    grads[:] = map(add, grads, map(mul, [g] * len(grads), locals_))


def _add_each(grads: list[float], amount: float) -> None:
    """grads[i] += amount for each i."""
    grads[:] = map(amount.__add__, grads)


_HELPERS = {
    "_data": _data,
    "_grads": _grads,
    "_set_data": _set_data,
    "_set_grads": _set_grads,
    "_axpy": _axpy,
    "_add_each": _add_each,
    "inf": math.inf,
    "nan": math.nan,
}


# --- the generator ---


class _Program:
    """Names, groups and gradient homes for every node, then the source text."""

    def __init__(self, root: Value, watch: list[Value]) -> None:
        self.root = root
        self.watch = watch
        self.nodes = interior_order(root)[::-1]  # creation order: producers first
        self.groups = {id(n): self._groups_of(n) for n in self.nodes if n._rule.group_of}
        self.homes: dict[int, tuple[str, int]] = {}  # id(node) -> (list name, index)
        self.home_of_group: dict[tuple[int, ...], str] = {}
        self.home_members: dict[str, tuple[Value, ...]] = {}
        self._assign_homes()
        self.leaves = self._order_leaves()
        self.names: dict[int, str] = {}
        self._name_all()
        self.group_names: dict[tuple[int, ...], str] = {}
        self.source = "\n".join(self._lines())

    # gradient homes: a group of operands (length >= 2, all distinct) seen first
    # as a whole keeps its members' gradients in one list

    def _groups_of(self, node: Value) -> list[tuple[Value, ...]]:
        rule, parents = node._rule, node.parents
        groups: list[list[Value]] = [[] for _ in rule.groups]
        for i, parent in enumerate(parents):
            groups[rule.group_of(i, len(parents))[0]].append(parent)
        return [tuple(g) for g in groups]

    def _assign_homes(self) -> None:
        for node in self.nodes:
            for members in self.groups.get(id(node), ()):
                key = tuple(map(id, members))
                if len(members) < 2 or key in self.home_of_group:
                    continue
                if len(set(key)) < len(key) or any(k in self.homes for k in key):
                    continue
                if len({not m.parents for m in members}) > 1:  # leaves and op results apart
                    continue
                name = f"_G{len(self.home_of_group)}"
                self.home_of_group[key] = name
                self.home_members[name] = members
                for i, member in enumerate(members):
                    self.homes[id(member)] = (name, i)

    def _order_leaves(self) -> list[Value]:
        """Leaves homed in a group first, group by group (so each is a slice), then the rest."""
        if not self.root.parents:
            return [self.root]
        homed = [m for ms in self.home_members.values() for m in ms if not m.parents]
        seen = set(map(id, homed))
        rest = []
        for node in self.nodes:
            for parent in node.parents:
                if not parent.parents and id(parent) not in seen:
                    seen.add(id(parent))
                    rest.append(parent)
        return homed + rest

    def _name_all(self) -> None:
        used: set[str] = set()
        for k, v in enumerate(self.leaves + self.nodes):
            label = v.label
            ok = label.isidentifier() and not keyword.iskeyword(label)
            if ok and not label.startswith("_") and not _RESERVED_NAME.match(label):
                if label not in used:
                    used.add(label)
                    self.names[id(v)] = label
                    continue
            self.names[id(v)] = f"v{k}"

    # references

    def name(self, v: Value) -> str:
        return self.names[id(v)]

    def watched(self, v: Value) -> str:
        if id(v) not in self.names:
            raise ValueError("compile: a watched Value is not in the graph under the root")
        return self.name(v)

    def grad(self, v: Value) -> str:
        home = self.homes.get(id(v))
        return f"{home[0]}[{home[1]}]" if home else "g_" + self.name(v)

    def group_expr(self, members: tuple[Value, ...]) -> str:
        if len(members) == 1:
            return f"({self.name(members[0])},)"
        return self.group_names[tuple(map(id, members))]

    # the source

    def _lines(self) -> list[str]:
        lines = ["def _replay(_leaves, _watch):", "    # forward: every node from the leaves' data"]
        lines += self._load_leaves()
        for node in self.nodes:
            lines += self._define_groups(node)
            lines.append(f"    {self.name(node)} = {self._forward(node)}")
        if self.watch:
            lines.append(f"    _set_data(_watch, ({', '.join(map(self.watched, self.watch))},))")
        lines.append(f"    yield {self.name(self.root)}")
        lines.append(f"    # backward: g_v is d({self.name(self.root)})/dv, consumers first")
        lines += self._start_grads()
        for node in reversed(self.nodes):
            lines.append("    " + "; ".join(self._backward(node)))
        lines += self._store_grads()
        return lines

    def _load_leaves(self) -> list[str]:
        lines = ["    _D = _data(_leaves)"]
        for start in range(0, len(self.leaves), _CHUNK):
            chunk = self.leaves[start : start + _CHUNK]
            targets = ", ".join(map(self.name, chunk))
            lines.append(f"    {targets}, = _D[{start}:{start + len(chunk)}]")
        return lines

    def _define_groups(self, node: Value) -> list[str]:
        lines = []
        for members in self.groups.get(id(node), ()):
            key = tuple(map(id, members))
            if len(members) > 1 and key not in self.group_names:
                name = self.group_names[key] = f"_t{len(self.group_names)}"
                lines.append(f"    {name} = ({', '.join(map(self.name, members))})")
        return lines

    def _fields(self, node: Value) -> dict[str, str]:
        fields = {"out": self.name(node), "arg": repr(node._arg)}
        parents = node.parents
        if node._rule.group_of:
            for gname, members in zip(node._rule.groups, self.groups[id(node)]):
                fields[gname] = self.group_expr(members) if members else "()"
        else:
            fields["a"] = self.name(parents[0])
            fields["b"] = self.name(parents[1]) if len(parents) > 1 else fields["arg"]
        return fields

    def _forward(self, node: Value) -> str:
        template = node._rule.forward_src
        if node._rule.group_of:  # "*{c}": the group's members as arguments
            for gname, members in zip(node._rule.groups, self.groups[id(node)]):
                star = "*{" + gname + "}"
                if not members:
                    template = template.replace(", " + star, "")
                else:
                    template = template.replace(star, ", ".join(map(self.name, members)))
        return template.format(**self._fields(node))

    def _backward(self, node: Value) -> list[str]:
        upstream = self.grad(node)
        statements = []
        if upstream.startswith("_"):  # a slot of a group's list: read it once
            statements.append(f"_g = {upstream}")
            upstream = "_g"
        fields = self._fields(node)
        rule = node._rule
        if not rule.group_of:
            for template, parent in zip(rule.local_src, node.parents):
                amount = _amount(upstream, template.format(**fields))
                statements.append(f"{self.grad(parent)} += {amount}")
            return statements
        for template, members in zip(rule.local_src, self.groups[id(node)]):
            statements += self._group_step(upstream, template, members, fields)
        return statements

    def _group_step(
        self, upstream: str, template: str, members: tuple[Value, ...], fields: dict[str, str]
    ) -> list[str]:
        """One group's share of a fused node's step: a helper on its list, or one line each."""
        if not members:
            return []
        local = template.format(**fields)
        home = self.home_of_group.get(tuple(map(id, members)))
        if _NUMBER.fullmatch(local):
            if home:
                return [f"_add_each({home}, {_amount(upstream, local)})"]
            return [f"{self.grad(m)} += {_amount(upstream, local)}" for m in members]
        if home:
            return [f"_axpy({home}, {upstream}, {local})"]
        statements = []
        if not local.startswith("_t"):
            statements.append(f"_l = {local}")
            local = "_l"
        return statements + [
            f"{self.grad(m)} += {upstream} * {local}[{i}]" for i, m in enumerate(members)
        ]

    def _start_grads(self) -> list[str]:
        lines = ["    _L = _grads(_leaves)"]
        start = 0
        for name, members in self.home_members.items():
            if members[0].parents:
                lines.append(f"    {name} = [0.0] * {len(members)}")
            else:
                lines.append(f"    {name} = _L[{start}:{start + len(members)}]")
                start += len(members)
        scalars = self.leaves[start:]
        for i in range(0, len(scalars), _CHUNK):
            chunk = scalars[i : i + _CHUNK]
            targets = ", ".join(self.grad(v) for v in chunk)
            lines.append(f"    {targets}, = _L[{start + i}:{start + i + len(chunk)}]")
        interior = [n for n in self.nodes if id(n) not in self.homes and n is not self.root]
        for i in range(0, len(interior), _CHUNK):
            chunk = interior[i : i + _CHUNK]
            lines.append("    " + " = ".join(self.grad(v) for v in chunk) + " = 0.0")
        root = self.grad(self.root)
        lines.append(f"    {root} += 1.0" if not self.root.parents else f"    {root} = 1.0")
        return lines

    def _store_grads(self) -> list[str]:
        lines = []
        start = 0
        for name, members in self.home_members.items():
            if not members[0].parents:
                lines.append(f"    _L[{start}:{start + len(members)}] = {name}")
                start += len(members)
        scalars = self.leaves[start:]
        for i in range(0, len(scalars), _CHUNK):
            chunk = scalars[i : i + _CHUNK]
            values = ", ".join(self.grad(v) for v in chunk)
            lines.append(f"    _L[{start + i}:{start + i + len(chunk)}] = {values},")
        lines.append("    _set_grads(_leaves, _L)")
        return lines


def _amount(upstream: str, local: str) -> str:
    """upstream * local as source; `g * 1.0` is exactly g and `g * -1.0` exactly -g."""
    if local == "1.0":
        return upstream
    if local == "-1.0":
        return "-" + upstream
    if local.isidentifier() or _NUMBER.fullmatch(local):
        return f"{upstream} * {local}"
    return f"{upstream} * ({local})"
