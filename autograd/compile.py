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
operands, and the gradients of a group of operands that travel together (a
weight row, a layer's outputs) live in one list: each fused node's amounts
for it wait in a pending list, and are added in order, one slot at a time,
when something reads the list (`_flush`). That keeps the code short for
Python's `compile()` and adds a weight row's amounts from a whole batch at once.

A large graph (`_LARGE` op results or more, such as a training step on a
batch) is written more compactly, since Python's `compile()` spends
microseconds on every statement: a run of `dot` nodes that read whole rows
and one input (a layer's weighted sums for one input, as `matmul` builds them)
becomes one statement forward (`v1, v2, ... = _map(_sum, ...)`) and one
backward (`_dot_steps`, last node first, with the same skip test). Small
graphs keep one line per node.

What is recorded and what is not:
- Ops that depend on data (relu, the kinks, max and min, pow's special
  cases) decide afresh at each replay, from the replayed numbers.
- What Python decided while the graph was built stays as recorded: an `if`
  on `.data`, a dropout mask, a loop's length, which ops were called. Call
  `compile` again when those should change.
- A domain error at replay (`log` of a number <= 0, division by zero) raises
  as the op would.
- `tape.forward()` sets `root.data` (and the `.data` of the nodes passed as
  `watch`); the other interior nodes keep the data they were built with.
  `tape.backward()` adds into the leaves' `.grad` only.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
import sys
from collections.abc import Callable, Generator, Iterable, Sequence
from itertools import repeat
from operator import add, mul

from . import rules
from .backward import interior_order
from .value import Value

_CHUNK = 8
"""Names per line where the code unpacks many at once."""

_GROUP_MIN = 5
"""Operand groups at least this long share a list of gradients (shorter: a line each)."""

_LARGE = 2000
"""In graphs of at least this many op results, runs of `dot` nodes become one statement
each way (Python's `compile()` spends microseconds on every statement)."""

_DOT_RUN_MIN = 4
"""Consecutive `dot` nodes at least this many (in a large graph) form a run."""

_NUMBER = re.compile(r"-?\d+\.\d+")
_RESERVED_NAME = re.compile(r"(v\d+|g_.*|inf|nan)$")
_UPSTREAM = re.compile(r"\b_g\b")


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
        self._pending = None
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


def _flush(grads: list[float], pending: list[tuple[float, Sequence[float]]]) -> None:
    """grads[i] += g * locals_[i] for each pending (g, locals_), in order, then forget them.

    The same additions, in the same order, as the engine's node-by-node steps,
    run in C: one `sum` per slot over many pending amounts (Python 3.11's
    `sum` of floats adds left to right), a chain of `map`s over a few.
    """
    if len(pending) == 1:  # the common case, at the least cost
        g, locals_ = pending.pop()
        grads[:] = map(add, grads, map(mul, repeat(g), locals_))
        return
    if len(pending) <= _FEW or _SUM_COMPENSATES:
        _flush_in_order(grads, pending)
        return
    gs, rows = zip(*pending)
    grads[:] = map(sum, map(map, repeat(mul), repeat(gs), zip(*rows)), grads)
    pending.clear()


def _flush_in_order(grads: list[float], pending: list[tuple[float, Sequence[float]]]) -> None:
    """`_flush` by a chain of `map`s, a few dozen deep at a time: exact on any Python."""
    for start in range(0, len(pending), 64):
        total: Iterable[float] = grads
        for g, locals_ in pending[start : start + 64]:
            total = map(add, total, map(mul, repeat(g), locals_))
        grads[:] = total
    pending.clear()


_FEW = 4
_SUM_COMPENSATES = sys.version_info >= (3, 12)
"""Python 3.12's `sum` of floats compensates rounding: it no longer adds left to right."""


def _dot_steps(
    upstreams: Iterable[float],
    outs: Iterable[float],
    a_pending: Iterable[list],
    bs: Iterable[Sequence[float]],
    b_pending: Iterable[list],
    as_: Iterable[Sequence[float]],
) -> None:
    """Backward's steps for a run of dot nodes `sum(a * b) + bias`, last node first.

    Each node sent exactly 0 (with a finite value) is skipped, as `backward()`
    does; otherwise its amounts for `a` and `b` wait in their lists' pending
    amounts as (g, b) and (g, a). (The biases' gradients are added by the caller.)
    """
    for g, out, pa, b, pb, a in zip(upstreams, outs, a_pending, bs, b_pending, as_):
        if g or out - out:
            pa.append((g, b))
            pb.append((g, a))


def _add_each(grads: list[float], amount: float) -> None:
    """grads[i] += amount for each i."""
    grads[:] = map(amount.__add__, grads)


_HELPERS = {
    "_data": _data,
    "_grads": _grads,
    "_set_data": _set_data,
    "_set_grads": _set_grads,
    "_flush": _flush,
    "_add_each": _add_each,
    "_dot_steps": _dot_steps,
    "_add": add,
    "_repeat": repeat,
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
        for rule in {n._rule for n in self.nodes}:
            if not (rule.forward_src and rule.local_src):
                raise ValueError(f"compile: op {rule.name!r} has no source text in the rule table")
        self.large = len(self.nodes) >= _LARGE
        self.groups = {id(n): self._groups_of(n) for n in self.nodes if n._rule.group_of}
        self.group_keys = {  # each group's members' ids, the key of its list and tuple
            k: [tuple(map(id, members)) for members in groups] for k, groups in self.groups.items()
        }
        self.homes: dict[int, tuple[str, int]] = {}  # id(node) -> (list name, index)
        self.home_of_group: dict[tuple[int, ...], str] = {}
        self.home_members: dict[str, tuple[Value, ...]] = {}
        self._assign_homes()
        self.leaves = self._order_leaves()
        self.names: dict[int, str] = {}
        self._name_all()
        self.grads = {k: "g_" + name for k, name in self.names.items()}  # gradient's name
        self.grads.update((k, f"{name}[{i}]") for k, (name, i) in self.homes.items())
        self.fields: dict[int, dict[str, str]] = {}  # by the forward line, for the backward's
        self.group_names: dict[tuple[int, ...], str] = {}
        self.tuples: dict[str, str] = {}  # a recurring tuple's text -> its name
        self.dirty: set[str] = set()  # lists of gradients with amounts still pending
        self.source = "\n".join(self._lines())

    # gradient homes: a group of operands (at least _GROUP_MIN, all distinct, all
    # leaves or all op results) seen first as a whole keeps its members' gradients
    # in one list

    def _groups_of(self, node: Value) -> list[tuple[Value, ...]]:
        parents = node.parents
        return [
            parents[g.start : g.stop] if type(g) is range else tuple(parents[i] for i in g)
            for g in _group_indices(node)
        ]

    def _assign_homes(self) -> None:
        for node in self.nodes:
            groups = self.groups.get(id(node), ())
            for members, key in zip(groups, self.group_keys.get(id(node), ())):
                if len(members) < _GROUP_MIN or key in self.home_of_group:
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
        return self.grads[id(v)]

    def group_expr(self, members: tuple[Value, ...], key: tuple[int, ...]) -> str:
        name = self.group_names.get(key)
        if name:
            return name
        names = self.names
        return f"({', '.join([names[k] for k in key])}{',' if len(members) == 1 else ''})"

    # the source

    def _lines(self) -> list[str]:
        lines = ["def _replay(_leaves, _watch):", "    # forward: every node from the leaves' data"]
        lines += self._load_leaves()
        runs = self._dot_runs() if self.large else [[node] for node in self.nodes]
        for run in runs:
            for node in run:
                lines += self._define_groups(node)
            if len(run) > 1:
                lines += ["    " + line for line in self._forward_dots(run)]
            else:
                lines.append(f"    {self.name(run[0])} = {self._forward(run[0])}")
        if self.watch:
            lines.append(f"    _set_data(_watch, ({', '.join(map(self.watched, self.watch))},))")
        lines.append(f"    yield {self.name(self.root)}")
        lines.append(f"    # backward: g_v is d({self.name(self.root)})/dv, consumers first")
        backward = [
            line
            for run in reversed(runs)
            for line in (self._backward_dots(run) if len(run) > 1 else self._backward(run[0]))
        ]
        if any(line.startswith("if ") for line in backward):
            lines.append(
                "    # `if g_v or v - v:` skips a node sent exactly 0 (v - v is nan at inf or nan)"
            )
        lines += self._start_grads()
        lines += ["    " + line for line in backward]
        lines += [f"    _flush({home}, _P{home[2:]})" for home in sorted(self.dirty)]
        lines += self._store_grads()
        return lines

    # runs of dot nodes (large graphs): a layer's weighted sums for one input

    def _dot_runs(self) -> list[list[Value]]:
        """The nodes in creation order, cut into runs of `dot` nodes and single nodes.

        A run is at least `_DOT_RUN_MIN` consecutive dot nodes, not the root,
        none an operand of another, whose two operand groups each have a list of
        gradients and whose biases (if any) are distinct scalars: its nodes'
        steps add to distinct gradients or defer to lists in order, so one
        statement over the run adds the same amounts in the same order.
        """
        runs: list[list[Value]] = []
        current: list[Value] = []
        seen: set[int] = set()
        for node in self.nodes:
            if self._fits_run(node):
                bias = node.parents[-1] if self.group_keys[id(node)][2] else None
                clash = bias is not None and id(bias) in seen
                if current and (bias is None) != (not self.group_keys[id(current[0])][2]):
                    clash = True  # a run's nodes all have a bias or none has
                if current and not clash and not any(id(p) in seen for p in node.parents):
                    current.append(node)
                    seen.add(id(node))
                    if bias is not None:
                        seen.add(id(bias))
                    continue
                self._close_run(runs, current)
                current, seen = [node], {id(node)}
                if bias is not None:
                    seen.add(id(bias))
                continue
            self._close_run(runs, current)
            current, seen = [], set()
            runs.append([node])
        self._close_run(runs, current)
        return runs

    def _fits_run(self, node: Value) -> bool:
        if node._rule is not rules.DOT or node is self.root:
            return False
        a, b, c = self.group_keys[id(node)]
        if a not in self.home_of_group or b not in self.home_of_group:
            return False
        return not c or (c[0] not in self.homes and c[0] not in (a + b))

    @staticmethod
    def _close_run(runs: list[list[Value]], run: list[Value]) -> None:
        if len(run) >= _DOT_RUN_MIN:
            runs.append(run)
        else:
            runs.extend([node] for node in run)

    def _sequence(self, items: list[str], lines: list[str]) -> str:
        """`items` as one sequence: `_repeat(item)` when they are all one, else a tuple.

        A tuple that recurs (a layer's rows, their lists of pending amounts) is
        built once, on a line added to `lines` before its first use, and named.
        """
        if len(set(items)) == 1:
            return f"_repeat({items[0]})"
        text = f"({', '.join(items)},)"
        name = self.tuples.get(text)
        if name is None:
            name = self.tuples[text] = f"_s{len(self.tuples)}"
            lines.append(f"{name} = {text}")
        return name

    def _forward_dots(self, run: list[Value]) -> list[str]:
        """v1, v2, ... = [sum(map(mul, a, b), c) for each node]: the same operations."""
        lines: list[str] = []
        keys = [self.group_keys[id(n)] for n in run]
        rows = self._sequence([self.group_names[k[0]] for k in keys], lines)
        inputs = self._sequence([self.group_names[k[1]] for k in keys], lines)
        if rows.startswith("_repeat"):  # one row for all: the inputs' tuple sets the length
            rows, inputs = f"({', '.join(self.group_names[k[0]] for k in keys)},)", inputs
        sums = f"_map(_map, _repeat(_mul), {rows}, {inputs})"
        if keys[0][2]:
            sums += ", " + self._sequence([self.names[k[2][0]] for k in keys], lines)
        targets = ", ".join(self.names[id(n)] for n in run)
        return [*lines, f"{targets}, = _map(_sum, {sums})"]

    def _backward_dots(self, run: list[Value]) -> list[str]:
        """The run's steps, last node first, by `_dot_steps` (its skip test as `if g or v - v:`)."""
        step = _Step(self.dirty)
        nodes = run[::-1]
        for n in nodes:
            home = self.homes.get(id(n))
            if home:
                step.touch(home[0])
        keys = [self.group_keys[id(n)] for n in nodes]
        a_homes = [self.home_of_group[k[0]] for k in keys]
        b_homes = [self.home_of_group[k[1]] for k in keys]
        self.dirty.update(a_homes, b_homes)
        lines = [f"_u = ({', '.join(self.grads[id(n)] for n in nodes)},)"]
        arguments = [
            "_u",
            f"({', '.join(self.names[id(n)] for n in nodes)},)",
            self._sequence([f"_P{h[2:]}" for h in a_homes], lines),
            self._sequence([self.group_names[k[1]] for k in keys], lines),
            self._sequence([f"_P{h[2:]}" for h in b_homes], lines),
            self._sequence([self.group_names[k[0]] for k in keys], lines),
        ]
        lines.append(f"_dot_steps({', '.join(arguments)})")
        if keys[0][2]:  # a node sent 0 adds 0 to its bias: the same sum
            biases = ", ".join(self.grads[k[2][0]] for k in keys)
            lines.append(f"{biases}, = _map(_add, ({biases},), _u)")
        return [*step.before, "; ".join(lines)]

    def _load_leaves(self) -> list[str]:
        lines = ["    _D = _data(_leaves)"]
        for start in range(0, len(self.leaves), _CHUNK):
            chunk = self.leaves[start : start + _CHUNK]
            targets = ", ".join(map(self.name, chunk))
            lines.append(f"    {targets}, = _D[{start}:{start + len(chunk)}]")
        return lines

    def _define_groups(self, node: Value) -> list[str]:
        lines = []
        names = self.names
        for key in self.group_keys.get(id(node), ()):
            if len(key) >= _GROUP_MIN and key not in self.group_names:
                name = self.group_names[key] = f"_t{len(self.group_names)}"
                lines.append(f"    {name} = ({', '.join([names[k] for k in key])})")
        return lines

    def _fields(self, node: Value, keep: bool = False) -> dict[str, str]:
        """The placeholders' text for `node`'s templates (kept from forward to backward)."""
        fields = self.fields.pop(id(node), None)
        if fields is not None:
            return fields
        names = self.names
        fields = {"out": names[id(node)], "arg": repr(node._arg)}
        if keep:
            self.fields[id(node)] = fields
        parents = node.parents
        if node._rule.group_of:
            keys = self.group_keys[id(node)]
            for gname, members, key in zip(node._rule.groups, self.groups[id(node)], keys):
                fields[gname] = self.group_expr(members, key) if members else "()"
        else:
            fields["a"] = names[id(parents[0])]
            fields["b"] = names[id(parents[1])] if len(parents) > 1 else fields["arg"]
        return fields

    def _forward(self, node: Value) -> str:
        rule = node._rule
        if rule.terms and all(len(g) < _GROUP_MIN for g in self.groups[id(node)]):
            return self._forward_terms(node)
        template = rule.forward_src
        if node._rule.group_of:  # "*{c}": the group's members as arguments
            for gname, members in zip(node._rule.groups, self.groups[id(node)]):
                star = "*{" + gname + "}"
                if not members:
                    template = template.replace(", " + star, "")
                else:
                    template = template.replace(star, ", ".join(map(self.name, members)))
        return template.format(**self._fields(node, keep=True))

    def _forward_terms(self, node: Value) -> str:
        """A short fused sum written out: `b + w0 * x0 + w1 * x1`, the same additions."""
        rule = node._rule
        groups = dict(zip(rule.groups, ([self.name(m) for m in g] for g in self.groups[id(node)])))
        start, term = rule.terms
        try:
            first = start.format(**groups)
        except IndexError:  # the start's group is empty
            first = "0.0"
        n = max(map(len, groups.values()))
        if not any(len(g) == n and f"{{{name}[i]}}" in term for name, g in groups.items()):
            n = 0
        terms = [term.replace("[i]", f"[{i}]").format(**groups) for i in range(n)]
        return " + ".join([first, *terms])

    def _backward(self, node: Value) -> list[str]:
        """The node's step, on one line (after any flush of a group's pending amounts).

        As `backward()` does, a fused node sent exactly zero whose rule promises
        finite local gradients for a finite result (`Rule.finite_locals`) is
        skipped: every amount it would send is exactly zero. (A unary or binary
        node's step costs about what the test would, so it always runs.)
        """
        step = _Step(self.dirty)
        upstream = read = self.grad(node)
        if upstream.startswith("_"):  # a slot of a group's list: read it once
            step.touch(self.homes[id(node)][0])
            read, upstream = f"(_g := {upstream})", "_g"
        fields = self._fields(node)
        rule = node._rule
        if not rule.group_of:
            for template, parent in zip(rule.local_src, node.parents):
                amount = _amount(upstream, template.format(**fields))
                step.add(self.grad(parent), amount, self.homes.get(id(parent)))
        else:
            for template, members in zip(rule.local_src, self.groups[id(node)]):
                self._group_step(step, upstream, template, members, fields)
        self.dirty |= step.deferred
        body = "; ".join(step.body)
        if rule.group_of and rule.finite_locals and node is not self.root:
            out = self.name(node)
            line = f"if {read} or {out} - {out}: {body}"
        else:
            line = body
            if read != upstream:  # read the list's slot in place when it is used once
                slot = self.grad(node)
                uses = _UPSTREAM.findall(body)
                line = _UPSTREAM.sub(slot, body) if len(uses) == 1 else f"_g = {slot}; {body}"
        return [*step.before, line]

    def _group_step(
        self,
        step: _Step,
        upstream: str,
        template: str,
        members: tuple[Value, ...],
        fields: dict[str, str],
    ) -> None:
        """One group's share of a fused node's step.

        A group with its own list of gradients defers the amounts (`_defer`:
        summed in order, one slot at a time, when something reads the list);
        any other gets a statement per member.
        """
        if not members:
            return
        local = template.format(**fields)
        home = self.home_of_group.get(tuple(map(id, members)))
        if _NUMBER.fullmatch(local):
            if home:
                step.touch(home)
                step.body.append(f"_add_each({home}, {_amount(upstream, local)})")
                return
            for m in members:
                step.add(self.grad(m), _amount(upstream, local), self.homes.get(id(m)))
            return
        if home:
            step.defer(home, upstream, local)
            return
        if local.startswith("("):  # the members of a short group: read each by name
            names = local[1:-1].rstrip(",").split(", ")
        else:
            if not local.startswith("_t"):
                step.body.append(f"_l = {local}")
                local = "_l"
            names = [f"{local}[{i}]" for i in range(len(members))]
        for m, x in zip(members, names):
            step.add(self.grad(m), f"{upstream} * {x}", self.homes.get(id(m)))

    def _start_grads(self) -> list[str]:
        lines = ["    _L = _grads(_leaves)"]
        start = 0
        for name, members in self.home_members.items():
            lines.append(f"    _P{name[2:]} = []")
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


_GROUP_INDICES: dict[tuple[rules.Rule, int], list[range | list[int]]] = {}


def _group_indices(node: Value) -> list[range | list[int]]:
    """The parents' indices in each of the rule's groups (`Rule.group_of`), kept per arity."""
    key = (node._rule, len(node.parents))
    found = _GROUP_INDICES.get(key)
    if found is None:
        rule, arity = key
        groups: list[list[int]] = [[] for _ in rule.groups]
        for i in range(arity):
            groups[rule.group_of(i, arity)[0]].append(i)
        found = _GROUP_INDICES[key] = [_as_range(g) for g in groups]
    return found


def _as_range(indices: list[int]) -> range | list[int]:
    if indices and indices == list(range(indices[0], indices[-1] + 1)):
        return range(indices[0], indices[-1] + 1)
    return indices


class _Step:
    """The statements of one node's step, and the flushes they need first.

    A list of gradients with deferred amounts must be flushed before anything
    else reads or adds to it: before the node's line when the amounts are
    older (the line may be skipped at run time), inside it when its own.
    """

    def __init__(self, dirty: set[str]) -> None:
        self.dirty = dirty
        self.before: list[str] = []
        self.body: list[str] = []
        self.deferred: set[str] = set()

    def touch(self, home: str) -> None:
        if home in self.dirty:
            self.before.append(f"_flush({home}, _P{home[2:]})")
            self.dirty.discard(home)
        if home in self.deferred:
            self.body.append(f"_flush({home}, _P{home[2:]})")
            self.deferred.discard(home)

    def add(self, target: str, amount: str, home: tuple[str, int] | None) -> None:
        if home:
            self.touch(home[0])
        self.body.append(f"{target} += {amount}")

    def defer(self, home: str, upstream: str, local: str) -> None:
        self.body.append(f"_P{home[2:]}.append(({upstream}, {local}))")
        self.deferred.add(home)


def _amount(upstream: str, local: str) -> str:
    """upstream * local as source; `g * 1.0` is exactly g and `g * -1.0` exactly -g."""
    if local == "1.0":
        return upstream
    if local == "-1.0":
        return "-" + upstream
    if local.isidentifier() or _NUMBER.fullmatch(local):
        return f"{upstream} * {local}"
    return f"{upstream} * ({local})"
