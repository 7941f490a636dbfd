"""Drawing computation graphs with graphviz, in micrograd's look.

Colours, when `params` is given (as torchviz documents its own):
- light blue: parameters (the leaves in `params`, what an optimizer updates);
- light grey: other leaves (inputs and constants);
- green: the output (the root);
- orange: the node whose step is shown (step frames), and the edges it sends
  gradient along; a grey grad is pending (not all consumers have sent theirs).

Importing `autograd` does not import graphviz: it is imported here, when a
drawing is made, and its absence raises ImportError naming `chainrule[viz]`.
"""

from __future__ import annotations

import re
import shutil
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .steps import Step, StepTable, seed, take_step
from .value import Value

if TYPE_CHECKING:
    import graphviz

LARGE = 300
"""Drawing more Values than this without `groups` warns and suggests grouping."""

PARAM, LEAF, OUTPUT = "lightblue", "lightgrey", "darkolivegreen1"
ACTIVE, PENDING = "orange", "grey50"

INSTALL_DOT = (
    "rendering needs the Graphviz `dot` program, which was not found on PATH. Install it: "
    "Debian/Ubuntu `sudo apt-get install graphviz`, macOS `brew install graphviz`, "
    "conda `conda install -c conda-forge graphviz`. The DOT source is available "
    "without it as `graph.source`."
)


class DotNotFound(RuntimeError):
    """The `dot` program is missing: the message says how to install Graphviz."""


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError as error:
        raise ImportError(
            "draw_dot needs the graphviz Python package: pip install 'chainrule[viz]'"
        ) from error
    return graphviz


_digraph_class: type | None = None


def _Digraph(**kwargs: Any) -> graphviz.Digraph:
    """A graphviz.Digraph whose rendering explains how to install a missing `dot`."""
    global _digraph_class
    if _digraph_class is None:
        graphviz = _graphviz()

        class Digraph(graphviz.Digraph):
            def __repr__(self) -> str:  # no memory address: notebooks re-run byte for byte
                return "<graphviz.Digraph: shown as a picture in Jupyter; .source is its DOT>"

            def pipe(self, *args: Any, **kw: Any) -> Any:
                try:
                    return super().pipe(*args, **kw)
                except graphviz.ExecutableNotFound as error:
                    raise DotNotFound(INSTALL_DOT) from error

            def render(self, *args: Any, **kw: Any) -> Any:
                try:
                    return super().render(*args, **kw)
                except graphviz.ExecutableNotFound as error:
                    raise DotNotFound(INSTALL_DOT) from error

        _digraph_class = Digraph
    return _digraph_class(**kwargs)


def trace(root: Value) -> list[Value]:
    """Every Value under `root`, producers first (leaves, then in creation order).

    Iterative, so a 100,000-node chain traces without recursion.
    """
    seen = {root}
    found = [root]
    stack = [root]
    while stack:
        for parent in stack.pop().parents:
            if parent not in seen:
                seen.add(parent)
                found.append(parent)
                stack.append(parent)
    return sorted(found, key=lambda v: v._seq)  # leaves have 0


def _escape(text: str) -> str:
    """A label as a graphviz record field: special characters escaped, newlines kept."""
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def node_ids(nodes: list[Value]) -> dict[Value, str]:
    """Each Value's node name in the DOT text: its place in trace order, so that the same
    graph built again draws byte for byte the same (no memory addresses)."""
    return {v: f"v{i}" for i, v in enumerate(nodes)}


def _record(v: Value, show_grad: bool, pending: bool) -> str:
    parts = [_escape(v.label)] if v.label else []
    parts.append(f"data {v.data:.4f}")
    if show_grad:
        parts.append(f"grad {v.grad:.4f}" + (" (pending)" if pending else ""))
    return "{ " + " | ".join(parts) + " }"


def group_keys(model: Any, nodes: list[Value], level: str = "neuron") -> dict[Value, str]:
    """Which group each Value belongs to: the groups the model recorded, else parameter names.

    First the groups modules recorded while building the graph (`nn.groups`: a
    conv channel, a pooling window, a time step), named by the module's dotted
    path; a parameter joins a group when every op using it is in that group.
    Then, for the rest, the parameter names: "layers.0.neurons.3.w.1" belongs to
    neuron "layers.0.neurons.3" and layer "layers.0"; a tensor laid out as
    PyTorch's, "0.weight.3.1" or "0.bias.3", to neuron "0.neuron 3" and layer "0".
    An op with a parameter operand belongs to that parameter's group, and a
    one-operand op (an activation) to its operand's group.
    """
    if level not in ("neuron", "layer"):
        raise ValueError(f"draw_dot: level must be 'neuron' or 'layer', got {level!r}")
    groups = sys.modules.get("nn.groups")  # loaded whenever a module has recorded a group
    keys = groups.recorded_keys(model, nodes, level) if groups else {}
    for name, p in model.named_parameters():
        if p not in keys:
            keys[p] = _owner(name, level)
    for v in nodes:  # producers first, so an operand's group is known before its consumers
        if v in keys or not v.parents:
            continue
        owners = [keys[p] for p in v.parents if p in keys and not p.parents]
        if owners:
            keys[v] = owners[0]
        elif len(v.parents) == 1 and v.parents[0] in keys:
            keys[v] = keys[v.parents[0]]
    return keys


_TENSOR_ENTRY = re.compile(r"^(?:(.*)\.)?(?:weight|bias)\.(\d+)(?:\.[\d.]+)?$")


def _owner(name: str, level: str) -> str:
    """The neuron (or layer) a parameter belongs to, from its dotted name."""
    entry = _TENSOR_ENTRY.match(name)
    if entry:
        path, row = entry.group(1) or "", entry.group(2)
        if level == "layer":
            return path or "layer"
        return f"{path}.neuron {row}" if path else f"neuron {row}"
    owner = name.rsplit(".", 2 if ".w." in name else 1)[0] if "." in name else "neuron"
    if level == "layer":
        owner = owner.rsplit(".neurons.", 1)[0] if ".neurons." in owner else owner
    return owner


def draw_dot(
    root: Value,
    format: str = "svg",  # noqa: A002 - micrograd's name
    rankdir: str = "LR",
    *,
    show_grad: bool = True,
    show_local: bool = False,
    params: Iterable[Value] | None = None,
    groups: Any = None,
    level: str = "neuron",
    collapse: bool = False,
    step: Step | None = None,
    pending: set[Value] | None = None,
) -> graphviz.Digraph:
    """A graphviz Digraph of the graph under `root`, in micrograd's look.

    A record per Value (label | data | grad), a small op node between an
    operation and its result, one edge per operand. Options:
    show_grad: False hides the grads.
    show_local: write each edge's local gradient on it.
    params: colour these leaves as parameters, other leaves as inputs and the
        root as the output (see the module docstring for the legend).
    groups: an nn Module: draw each group it recorded (a conv channel, a pooling
        window; see `nn.groups`), else each neuron (`level="neuron"`) or layer
        (`level="layer"`) by its parameter names, as a cluster, or as one box
        with `collapse=True`.
    step: highlight this step of the step-through: its node, and each edge
        labelled upstream × local = amount; `pending` Values' grads are shown
        as not yet final.
    The graph displays inline in Jupyter; `.source` is its DOT text (no `dot`
    program needed); `.render()` or `.pipe()` draw it with Graphviz.
    """
    nodes = trace(root)
    ids = node_ids(nodes)
    keys = group_keys(groups, nodes, level) if groups is not None else {}
    if groups is None and len(nodes) > LARGE:
        warnings.warn(
            f"draw_dot: {len(nodes)} nodes is more than a picture can show; pass groups=model "
            "(and collapse=True) to draw neurons or layers",
            stacklevel=2,
        )
    graph = _Digraph(format=format, graph_attr={"rankdir": rankdir})
    roles = _roles(root, nodes, params)
    pending = pending or set()
    if collapse and keys:
        _draw_collapsed(graph, root, nodes, ids, keys, show_grad, roles)
        return graph
    flows = _step_edges(step)
    clusters: dict[str, list[Value]] = {}
    for v in nodes:
        if v in keys:
            clusters.setdefault(keys[v], []).append(v)
        else:
            _draw_value(graph, graph, v, ids[v], show_grad, step, roles, pending)
    for key, members in clusters.items():
        with graph.subgraph(name=f"cluster_{key}") as sub:
            sub.attr(label=key, style="rounded", color="grey60")
            for v in members:
                _draw_value(graph, sub, v, ids[v], show_grad, step, roles, pending)
    for v in nodes:  # one edge per operand: a + a draws two
        locals_ = v._rule.local(v) if show_local and v.parents else ()
        for i, parent in enumerate(v.parents):
            attrs = {}
            if (parent, v, i) in flows:
                attrs = {"label": flows[(parent, v, i)], "color": ACTIVE, "penwidth": "2"}
            elif show_local:
                attrs = {"label": f"{locals_[i]:.4g}"}
            graph.edge(ids[parent], f"{ids[v]}op", **attrs)
    return graph


def _step_edges(step: Step | None) -> dict[tuple[Value, Value, int], str]:
    if step is None:
        return {}
    return {
        (c.parent, step.node, i): f"{step.upstream:.4g} × {c.local:.4g} = {c.amount:.4g}"
        for i, c in enumerate(step.contributions)
    }


def _roles(root: Value, nodes: list[Value], params: Iterable[Value] | None) -> dict[Value, str]:
    if params is None:
        return {}
    roles: dict[Value, str] = {p: PARAM for p in params}
    for v in nodes:
        if not v.parents and v not in roles:
            roles[v] = LEAF
    roles[root] = OUTPUT
    return roles


def _draw_value(graph, target, v, name, show_grad, step, roles, pending) -> None:
    """One Value's record (and its op node) in `target`, the graph or a cluster."""
    style = {"shape": "record"}
    color = ACTIVE if step is not None and v is step.node else roles.get(v)
    if color:
        style.update(style="filled", fillcolor=color)
    if v in pending:
        style["fontcolor"] = PENDING
    target.node(name, label=_record(v, show_grad, v in pending), **style)
    if v.parents:
        target.node(f"{name}op", label=v.op)
        graph.edge(f"{name}op", name)


def _draw_collapsed(graph, root, nodes, ids, keys, show_grad, roles) -> None:
    """One box per group (its output's data and grad), one node per Value outside groups."""
    outputs: dict[str, Value] = {}
    for v in nodes:  # producers first: the last Value of a group is its output
        if v in keys and v.parents:
            outputs[keys[v]] = v
    for key, out in outputs.items():
        grad = f"\\ngrad {out.grad:.4f}" if show_grad else ""
        graph.node(
            f"group {key}",
            label=f"{key}\\n{out.op} = {out.data:.4f}{grad}",
            shape="box",
            style="rounded,filled",
            fillcolor=OUTPUT if out is root else "white",
        )

    def name(v: Value) -> str:
        return f"group {keys[v]}" if v in keys else ids[v]

    for v in nodes:
        if v in keys:
            continue
        style = {"shape": "record"}
        if roles.get(v):
            style.update(style="filled", fillcolor=roles[v])
        graph.node(ids[v], label=_record(v, show_grad, False), **style)
        if v.parents:
            graph.node(f"{ids[v]}op", label=v.op)
            graph.edge(f"{ids[v]}op", ids[v])
    drawn = set()
    for v in nodes:
        for parent in v.parents:
            if parent in keys and not parent.parents:
                continue  # a parameter inside its own box
            src, dst = name(parent), name(v) if v in keys else f"{ids[v]}op"
            if src != dst and (src, dst) not in drawn:
                drawn.add((src, dst))
                graph.edge(src, dst, **(BAND if v in keys else {}))
    _stack_in_order(graph, outputs)
    graph.attr(ranksep="1.2")  # room for the bands between layers


BAND = {"color": "grey55", "penwidth": "0.6", "arrowsize": "0.5"}
"""Edges into a box: thin and grey, so a fully connected layer reads as a band."""

_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def _stack_in_order(graph: Any, keys: Iterable[str]) -> None:
    """Keep the numbered boxes of one layer in index order (neuron 0 on top).

    Graphviz reorders the nodes of a rank to cut edge crossings; invisible edges
    inside a `rank=same` subgraph pin the order.
    """
    columns: dict[str, list[tuple[int, str]]] = {}
    for key in keys:
        numbered = _NUMBERED.match(key)
        if numbered:
            columns.setdefault(numbered.group(1), []).append((int(numbered.group(2)), key))
    for members in columns.values():
        if len(members) < 2:
            continue
        names = [f"group {key}" for _, key in sorted(members)]
        with graph.subgraph() as column:
            column.attr(rank="same")
            for upper, lower in zip(names, names[1:]):
                column.edge(upper, lower, style="invis")


# --- the step-through as pictures ---


def _consumer_counts(nodes: list[Value]) -> dict[Value, int]:
    counts: dict[Value, int] = {}
    for v in nodes:
        for parent in v.parents:
            counts[parent] = counts.get(parent, 0) + 1
    return counts


def step_frames(
    root: Value,
    format: str = "svg",  # noqa: A002
    **options: Any,
) -> list[graphviz.Digraph]:
    """The backward pass as pictures: frame 0 is the seeded root, frame k after step k.

    Runs the step-through, which starts from a clean slate (every gradient under
    `root`, the leaves' included, set to 0), so the frames show one pass alone and
    grads end as one `backward()` from zero leaves them. In each frame the node of
    that step and the amounts it sends are highlighted, and grads still waiting
    for a consumer's step are pending.
    """
    nodes = trace(root)
    waiting = _consumer_counts(nodes)
    pending = {v for v in nodes if waiting.get(v)}
    order = seed(root)
    frames = [draw_dot(root, format, pending=set(pending), **options)]
    for node in order:
        step = take_step(node)
        for c in step.contributions:
            waiting[c.parent] -= 1
            if not waiting[c.parent]:
                pending.discard(c.parent)
        frames.append(draw_dot(root, format, step=step, pending=set(pending), **options))
    return frames


def save_frames(
    root: Value,
    directory: str | Path,
    format: str = "svg",  # noqa: A002
    **options: Any,
) -> list[Path]:
    """Write `step_frames` as files frame_000.svg (or .png), ... in `directory`.

    Needs the graphviz Python package and Graphviz's `dot` program; either one
    missing raises before anything is computed or written.
    """
    _require_rendering("save_frames")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, frame in enumerate(step_frames(root, format, **options)):
        path = directory / f"frame_{k:03d}.{format}"
        path.write_bytes(frame.pipe(format=format))
        paths.append(path)
    return paths


def _require_rendering(caller: str) -> None:
    """Raise, naming `caller` and what to install, when graphviz or `dot` is missing."""
    try:
        import graphviz  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f"{caller} needs the graphviz Python package: pip install 'chainrule[viz]'"
        ) from error
    if shutil.which("dot") is None:
        raise DotNotFound(f"{caller}: {INSTALL_DOT}")


def _fit_width(svg: str) -> str:
    """An SVG that shrinks to the width of the notebook instead of overflowing it."""
    return svg.replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)


def show_steps(root: Value, **options: Any) -> Any:
    """In Jupyter: the step-through with a slider that steps forward and back.

    Like every step-through it starts from zero gradients, so showing it again
    (or after `backward()`) shows the same numbers.
    """
    try:
        import ipywidgets
    except ImportError as error:
        message = "show_steps needs ipywidgets: pip install 'chainrule[notebooks]'"
        raise ImportError(message) from error
    frames = step_frames(root, **options)
    table = StepTable(take_step(node) for node in seed(root))  # the same steps, as text
    svgs = [_fit_width(frame.pipe(format="svg").decode()) for frame in frames]
    lines = ["before the first step: the root is seeded with 1", *map(str, table)]
    picture = ipywidgets.HTML(svgs[0])
    caption = ipywidgets.Label(lines[0])
    slider = ipywidgets.IntSlider(min=0, max=len(svgs) - 1, value=0, description="step")

    def show(change: dict) -> None:
        picture.value = svgs[change["new"]]
        caption.value = lines[change["new"]]

    slider.observe(show, names="value")
    return ipywidgets.VBox([slider, caption, picture])
