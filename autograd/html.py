"""The step-through as one web page: `save_html(root, path)` and `python -m autograd.html`.

The page is a single self-contained HTML file (inline CSS, JavaScript and
SVG; nothing fetched, nothing to install to view it) in which a learner
steps through the backward pass of a graph with buttons, a slider or the
arrow keys. The graph is drawn once by Graphviz's `dot` when the page is
saved (via `draw_dot`, so `dot` must be installed then, not when viewing);
the page's script only highlights and writes numbers. Every number comes
from `backward_steps`, the same steps as `step_table`.

From the shell, an expression with its variables' values:

    python -m autograd.html "(x+y)*z" --x -2 --y 5 --z -4 -o steps.html
    python -m autograd.html "q = x + y; f = q * z" --x -2 --y 5 --z -4

Statements `name = expression` label the nodes they make; the last line is
the output. Only numbers, the variables, + - * / **, unary minus and the
Value methods (`x.tanh()` or `tanh(x)`) are accepted: the text is parsed with
`ast` and never run by Python.
"""

from __future__ import annotations

import argparse
import ast
import html
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from . import fused
from .rules import RULES
from .steps import Step, backward_steps, name_of
from .value import Value
from .viz import _require_rendering, draw_dot, node_ids, trace

# --- the page's data: every number formatted once, here ---


def _short(x: float) -> str:
    """As the step table prints a number."""
    return f"{x:.6g}"


def _record(x: float) -> str:
    """As a drawn record prints a number."""
    return f"{x:.4f}"


def _number(x: float) -> dict[str, str]:
    """A number in the page: as shown in text, as shown in the graph, and exactly (repr)."""
    return {"text": _short(x), "record": _record(x), "exact": repr(x)}


def page_data(root: Value, steps: list[Step], ids: dict[Value, str]) -> dict:
    """What the page's script shows at each step, as JSON-ready strings."""
    last_step_into: dict[str, int] = {}
    running: dict[str, float] = {ids[root]: 1.0}
    described = []
    for k, step in enumerate(steps, 1):
        contributions = []
        for c in step.contributions:
            parent = ids[c.parent]
            running[parent] = running.get(parent, 0.0) + c.amount  # as backward adds it
            last_step_into[parent] = k
            contributions.append(
                {
                    "parent": parent,
                    "name": name_of(c.parent),
                    "local": _number(c.local),
                    "amount": _number(c.amount),
                    "sum": _number(running[parent]),
                    "formula": c.formula,
                }
            )
        described.append(
            {
                "node": ids[step.node],
                "name": name_of(step.node),
                "op": step.node.op,
                "upstream": _number(step.upstream),
                "contributions": contributions,
                "line": str(step),
            }
        )
    nodes = {
        ids[v]: {
            "name": name_of(v),
            "op": v.op,
            "data": _number(v.data),
            "start": _number(1.0 if v is root else 0.0),
            "final_step": last_step_into.get(ids[v], 0),
        }
        for v in ids
    }
    return {"root": ids[root], "root_name": name_of(root), "nodes": nodes, "steps": described}


# --- the picture ---

_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def graph_svg(root: Value) -> str:
    """The graph drawn by `dot` (with the final gradients, so every record is wide enough)."""
    graph = draw_dot(root)
    graph.graph_attr.update(ranksep="0.6", nodesep="0.3")  # room for the amounts on the edges
    svg = graph.pipe(format="svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
    svg = svg.replace("<title>%3</title>\n", "", 1)  # the graph's unnamed title, a tooltip
    size = _SVG_SIZE.search(svg)
    if size:  # the page's script scales it from the drawn size in pixels
        width, height = (float(n) * 4 / 3 for n in size.groups())
        svg = _SVG_SIZE.sub(
            f'<svg width="{width:.0f}" height="{height:.0f}" '
            f'data-width="{width:.0f}" data-height="{height:.0f}"',
            svg,
            count=1,
        )
    return svg


# --- the page ---


def render_page(root: Value, title: str | None = None) -> str:
    """The whole page as text. Runs the step-through (from a clean slate) to its end."""
    nodes = trace(root)
    ids = node_ids(nodes)
    steps = list(backward_steps(root))
    data = page_data(root, steps, ids)
    title = title or f"Backward pass of {name_of(root)}, step by step"
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        _PAGE.replace("__TITLE__", html.escape(title))
        .replace("__STYLE__", _STYLE)
        .replace("__SVG__", graph_svg(root))
        .replace("__STEPS__", str(len(steps)))
        .replace("__DATA__", payload)
        .replace("__SCRIPT__", _SCRIPT)
    )


def save_html(root: Value, path: str | Path, title: str | None = None) -> Path:
    """Write the step-through of `root`'s backward pass as one self-contained HTML page.

    The page needs nothing to view it (no network, no Jupyter): open it in any
    browser and step with Next/Previous, the slider or the arrow keys. Saving
    needs the graphviz package and Graphviz's `dot` program (checked first,
    before anything is computed or written).

    Like every step-through it starts from a clean slate: all gradients under
    `root`, the leaves' included, are set to 0 and the root seeded with 1. So
    afterwards every gradient is what one `root.backward()` from zero gives,
    whatever the graph held before (a leaf does not add a second pass, as
    `backward()` would). Returns the path written.
    """
    if not isinstance(root, Value):
        raise TypeError(f"save_html: expected a Value, got {type(root).__name__}")
    _require_rendering("save_html")
    path = Path(path)
    page = render_page(root, title)
    path.write_text(page, encoding="utf-8")
    return path


_STYLE = """
:root { --active: #ff9f1c; --active-soft: #ffe3b8; --flow: #e8590c; --root: #d8f0b0;
  --leaf: #eef1f4; --ink: #1f2933; --muted: #7b8794; --line: #d9dee4; --panel: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f7fa; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", "Malgun Gothic",
    sans-serif; }
header { padding: 14px 24px 6px; }
h1 { font-size: 21px; margin: 0; }
.sub { color: var(--muted); margin: 2px 0 0; font-size: 13.5px; }
.controls { position: sticky; top: 0; z-index: 2; display: flex; align-items: center;
  gap: 8px; padding: 10px 24px; background: #f5f7facc; backdrop-filter: blur(4px);
  border-bottom: 1px solid var(--line); flex-wrap: wrap; }
button { font: inherit; padding: 5px 12px; border: 1px solid #b9c2cc; border-radius: 6px;
  background: #fff; color: var(--ink); cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--flow); }
button:disabled { color: #b0b8c1; cursor: default; }
button.primary { background: var(--ink); color: #fff; border-color: var(--ink); }
button.primary:disabled { background: #9aa5b1; border-color: #9aa5b1; color: #eef; }
#slider { flex: 1 1 220px; min-width: 160px; accent-color: var(--flow); }
#counter { min-width: 104px; text-align: right; font-variant-numeric: tabular-nums;
  color: var(--muted); }
main { padding: 12px 24px 24px; display: grid; gap: 14px;
  grid-template-columns: minmax(0, 3fr) minmax(260px, 2fr); }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
  padding: 12px 16px; }
#graph-panel { grid-column: 1 / -1; padding: 8px; }
#graph { overflow: auto; text-align: center; max-height: 62vh; }
#graph svg { display: block; margin: 0 auto; }
.panel-head { display: flex; align-items: center; justify-content: space-between;
  padding: 0 8px; }
.legend { color: var(--muted); font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px;
  vertical-align: -1px; margin: 0 4px 0 10px; border: 1px solid #8a949e; }
h2 { font-size: 16px; margin: 0 0 8px; }
.mono, td.num, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas,
  "D2Coding", monospace; font-size: 13.5px; }
#step-line { background: #fff7ea; border-left: 4px solid var(--active); padding: 6px 10px;
  margin: 0 0 10px; white-space: pre-wrap; word-break: break-word; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; }
th { font-size: 12.5px; color: var(--muted); font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
#grads-wrap { max-height: 340px; overflow: auto; }
#grads tr.changed td { background: var(--active-soft); }
#grads tr.active td { background: #ffd08a; }
#grads tr.pending td.grad { color: var(--muted); font-style: italic; }
#step-note { color: var(--muted); margin: 10px 0 0; font-size: 13.5px; }
footer { color: var(--muted); font-size: 12.5px; padding: 0 24px 20px; }
kbd { border: 1px solid #b9c2cc; border-bottom-width: 2px; border-radius: 4px;
  padding: 0 5px; font-size: 12px; background: #fff; }
g.node.leaf polygon { fill: var(--leaf); }
g.node.root polygon { fill: var(--root); }
g.node.receiving polygon { fill: var(--active-soft); }
g.node.active polygon, g.node.active ellipse { fill: var(--active); stroke: #b35c00; }
g.node.pending text.grad { fill: #9aa5b1; font-style: italic; }
g.node text.grad.changed { font-weight: bold; }
g.edge.flow path { stroke: var(--flow); stroke-width: 2.6px; }
g.edge.flow polygon { fill: var(--flow); stroke: var(--flow); }
text.amount { fill: #b3400a; font: bold 13px ui-monospace, Menlo, Consolas, monospace;
  paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
@media (max-width: 1120px) { main { grid-template-columns: minmax(0, 1fr); } }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>__STYLE__</style>
</head>
<body>
<header>
<h1>__TITLE__</h1>
<p class="sub">The chain rule node by node (역전파: 연쇄 법칙을 노드마다 한 단계씩).
Every gradient starts at 0 and the output is seeded with 1; each step sends
upstream &times; local gradient to the node's inputs.</p>
</header>
<nav class="controls">
<button id="first" title="first step (Home)">First</button>
<button id="prev" title="previous step (&larr;)">&#x25C0; Previous</button>
<input id="slider" type="range" min="0" max="__STEPS__" value="0" aria-label="step">
<button id="next" class="primary" title="next step (&rarr;)">Next &#x25B6;</button>
<button id="last" title="last step (End)">Last</button>
<button id="play" title="play the steps">Play</button>
<span id="counter">step 0 of __STEPS__</span>
</nav>
<main>
<section id="graph-panel">
<div class="panel-head">
<span class="legend"><span class="swatch" style="background:var(--active)"></span>this step's node
<span class="swatch" style="background:var(--active-soft)"></span>its inputs, receiving
<span class="swatch" style="background:var(--flow);border-color:var(--flow)"></span>gradient sent
<span class="swatch" style="background:#fff"></span><i>grey grad</i>: still waiting for a
consumer</span>
<button id="zoom" title="switch between fitting the page and the drawn size">Actual size</button>
</div>
<div id="graph">__SVG__</div>
</section>
<section id="step-panel">
<h2 id="step-title"></h2>
<p id="step-line" class="mono"></p>
<table id="contributions">
<thead><tr><th>to</th><th>upstream &times; local = amount</th><th>rule</th>
<th>grad so far</th></tr></thead>
<tbody></tbody>
</table>
<p id="step-note"></p>
</section>
<section id="grads-panel">
<h2>Gradients (기울기)</h2>
<div id="grads-wrap"><table id="grads">
<thead><tr><th>node</th><th>op</th><th>data</th><th>grad</th></tr></thead>
<tbody></tbody>
</table></div>
</section>
</main>
<footer>Keys: <kbd>&rarr;</kbd> next, <kbd>&larr;</kbd> previous, <kbd>Home</kbd> / <kbd>End</kbd>
first and last. Made with chainrule's <code>autograd.save_html</code>; the numbers are
<code>autograd.backward_steps</code>.</footer>
<script type="application/json" id="steps-data">__DATA__</script>
<script>__SCRIPT__</script>
</body>
</html>
"""

_SCRIPT = r"""
"use strict";
const DATA = JSON.parse(document.getElementById("steps-data").textContent);
const STEPS = DATA.steps, N = STEPS.length;
const $ = (id) => document.getElementById(id);
const slider = $("slider"), graph = $("graph");
const records = {}, opNodes = {}, gradTexts = {}, edges = {};
const SVG_NS = "http://www.w3.org/2000/svg";

// Graphviz's <title>s name the nodes by id (v0, v0op) and show as tooltips: keep the ids
// as data-node and data-edge, and let the tooltips say what a learner sees.
const nameOf = (id) => DATA.nodes[id.replace(/op$/, "")].name;
for (const g of graph.querySelectorAll("g.node")) {
  const title = g.querySelector("title"), id = title.textContent;
  g.dataset.node = id;
  if (id.endsWith("op")) {
    opNodes[id.slice(0, -2)] = g;
    title.textContent = "the op " + DATA.nodes[id.slice(0, -2)].op + " making " + nameOf(id);
    continue;
  }
  records[id] = g;
  title.textContent = nameOf(id) + ": data " + DATA.nodes[id].data.text;
  const texts = g.querySelectorAll("text");
  gradTexts[id] = texts[texts.length - 1];
  gradTexts[id].classList.add("grad");
  if (!DATA.nodes[id].op) g.classList.add("leaf");
  if (id === DATA.root) g.classList.add("root");
}
for (const g of graph.querySelectorAll("g.edge")) {
  const title = g.querySelector("title"), key = title.textContent;
  g.dataset.edge = key;
  const [from, to] = key.split("->");
  const start = from.endsWith("op") ? "the op " + DATA.nodes[to].op : nameOf(from);
  title.textContent = start + " \u2192 " + nameOf(to);
  (edges[key] = edges[key] || []).push(g);
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

const gradRows = {};
for (const [id, node] of Object.entries(DATA.nodes)) {
  const tr = document.createElement("tr");
  tr.dataset.node = id;
  tr.append(cell(node.name), cell(node.op || "leaf"), cell(node.data.text, "num"),
            cell("", "num grad"));
  gradRows[id] = tr;
}
$("grads").tBodies[0].append(...Object.keys(DATA.nodes).reverse().map((id) => gradRows[id]));

function gradsAt(k) {
  const grads = {};
  for (const [id, node] of Object.entries(DATA.nodes)) grads[id] = node.start;
  for (let s = 0; s < k; s++) for (const c of STEPS[s].contributions) grads[c.parent] = c.sum;
  return grads;
}

function labelEdge(edge, text) {
  // a long edge is labelled near its sending end, where edges into one op are furthest apart
  const path = edge.querySelector("path");
  const length = path.getTotalLength(), along = length > 90 ? 0.35 : 0.5;
  const at = path.getPointAtLength(length * along);
  const before = path.getPointAtLength(Math.max(0, length * along - 4));
  let nx = before.y - at.y, ny = at.x - before.x;  // normal to the edge, pointing up
  const norm = Math.hypot(nx, ny) || 1;
  if (ny > 0) { nx = -nx; ny = -ny; }
  const label = document.createElementNS(SVG_NS, "text");
  label.setAttribute("x", at.x + (nx / norm) * 8);
  label.setAttribute("y", at.y + (ny / norm) * 8 + 2);
  label.setAttribute("text-anchor", "middle");
  label.setAttribute("class", "amount");
  label.textContent = text;
  edge.parentNode.appendChild(label);
}

function clearGraph() {
  for (const el of graph.querySelectorAll(".active, .receiving, .flow, .changed, .pending"))
    el.classList.remove("active", "receiving", "flow", "changed", "pending");
  for (const el of graph.querySelectorAll("text.amount")) el.remove();
}

function showGraph(k, grads) {
  clearGraph();
  for (const [id, text] of Object.entries(gradTexts)) {
    text.textContent = "grad " + grads[id].record;
    if (DATA.nodes[id].final_step > k) records[id].classList.add("pending");
  }
  const id = k === 0 ? DATA.root : STEPS[k - 1].node;
  records[id].classList.add("active");
  if (opNodes[id]) opNodes[id].classList.add("active");
  if (k === 0) return;
  for (const e of edges[id + "op->" + id] || []) e.classList.add("flow");
  const amounts = {};  // a * a: two edges, one per operand, drawn on top of each other
  for (const c of STEPS[k - 1].contributions) {
    const key = c.parent + "->" + id + "op";
    (amounts[key] = amounts[key] || []).push(c.amount.text);
    for (const edge of edges[key] || []) edge.classList.add("flow");
    records[c.parent].classList.add("receiving");
    gradTexts[c.parent].classList.add("changed");
  }
  for (const [key, texts] of Object.entries(amounts))
    if (edges[key]) labelEdge(edges[key][0], texts.join(", "));
}

function showStep(k) {
  const body = $("contributions").tBodies[0];
  body.replaceChildren();
  const panel = $("step-panel");
  $("contributions").hidden = k === 0;
  if (k === 0) {
    const root = DATA.nodes[DATA.root];
    panel.dataset.node = DATA.root;
    panel.dataset.upstream = "1.0";
    $("step-title").textContent = "Start: the output " + root.name + " is seeded with 1";
    $("step-line").textContent = root.name + ".grad = 1   (d" + root.name + "/d" + root.name +
      " = 1); every other grad starts at 0";
    $("step-note").textContent = N ? "Press Next or \u2192 to run the first step." :
      "The output is a leaf: there is nothing to step through.";
    return;
  }
  const step = STEPS[k - 1];
  panel.dataset.node = step.node;
  panel.dataset.upstream = step.upstream.exact;
  $("step-title").textContent = "Step " + k + ": " + step.name + " (" + step.op +
    "), upstream " + step.name + ".grad = " + step.upstream.text;
  $("step-line").textContent = step.line;
  for (const c of step.contributions) {
    const tr = document.createElement("tr");
    tr.dataset.parent = c.parent;
    tr.dataset.local = c.local.exact;
    tr.dataset.amount = c.amount.exact;
    tr.dataset.sum = c.sum.exact;
    tr.append(cell(c.name),
      cell(step.upstream.text + " \u00d7 " + c.local.text + " = " + c.amount.text, "num"),
      cell(c.formula, "mono"), cell(c.sum.text, "num"));
    body.append(tr);
  }
  $("step-note").textContent = k === N ?
    "Done: every grad now equals what " + DATA.root_name + ".backward() gives from zero." :
    "Grads in grey still wait for another consumer's step (fan-in adds up).";
}

function showGrads(k, grads) {
  const step = k ? STEPS[k - 1] : null;
  const sent = new Set(step ? step.contributions.map((c) => c.parent) : []);
  for (const [id, tr] of Object.entries(gradRows)) {
    tr.cells[3].textContent = grads[id].text;
    tr.dataset.grad = grads[id].exact;
    tr.classList.toggle("changed", sent.has(id));
    tr.classList.toggle("active", id === (step ? step.node : DATA.root));
    tr.classList.toggle("pending", DATA.nodes[id].final_step > k);
  }
}

const MIN_SCALE = 0.6;  // below this the drawn text is too small: scroll instead
function fitGraph() {
  const svg = graph.querySelector("svg");
  const width = Number(svg.dataset.width), height = Number(svg.dataset.height);
  const fit = Math.min(1, (graph.clientWidth - 4) / width);
  const scale = graph.classList.contains("actual") ? 1 : Math.max(MIN_SCALE, fit);
  svg.setAttribute("width", Math.round(width * scale));
  svg.setAttribute("height", Math.round(height * scale));
}

function keepInView(id) {
  // the step's node, its op and the inputs it sends to; the node alone if they do not fit
  const boxes = [...graph.querySelectorAll("g.node.active, g.node.receiving")].map(
    (g) => g.getBoundingClientRect());
  const own = records[id].getBoundingClientRect(), view = graph.getBoundingClientRect();
  const span = (low, high) => {
    const from = Math.min(...boxes.map((b) => b[low])), to = Math.max(...boxes.map((b) => b[high]));
    return to - from <= view[high] - view[low] ? [from, to] : [own[low], own[high]];
  };
  const [left, right] = span("left", "right"), [top, bottom] = span("top", "bottom");
  if (left < view.left || right > view.right)
    graph.scrollLeft += (left + right) / 2 - (view.left + view.right) / 2;
  if (top < view.top || bottom > view.bottom)
    graph.scrollTop += (top + bottom) / 2 - (view.top + view.bottom) / 2;
}

let current = 0;
function show(k) {
  current = Math.max(0, Math.min(N, k));
  const grads = gradsAt(current);
  slider.value = current;
  $("counter").textContent = "step " + current + " of " + N;
  $("prev").disabled = $("first").disabled = current === 0;
  $("next").disabled = $("last").disabled = current === N;
  showGraph(current, grads);
  keepInView(current ? STEPS[current - 1].node : DATA.root);
  showStep(current);
  showGrads(current, grads);
  history.replaceState(null, "", "#step=" + current);
}

let timer = null;
function stopPlaying() { clearInterval(timer); timer = null; $("play").textContent = "Play"; }
$("play").onclick = () => {
  if (timer) return stopPlaying();
  if (current === N) show(0);
  $("play").textContent = "Pause";
  timer = setInterval(() => (current < N ? show(current + 1) : stopPlaying()), 1200);
};
$("first").onclick = () => show(0);
$("prev").onclick = () => show(current - 1);
$("next").onclick = () => show(current + 1);
$("last").onclick = () => show(N);
slider.oninput = () => show(Number(slider.value));
$("zoom").onclick = () => {
  const actual = graph.classList.toggle("actual");
  $("zoom").textContent = actual ? "Fit to page" : "Actual size";
  fitGraph();
};
window.addEventListener("resize", fitGraph);
fitGraph();
document.addEventListener("keydown", (event) => {
  if (event.target === slider || event.altKey || event.ctrlKey || event.metaKey) return;
  const moves = { ArrowRight: current + 1, ArrowDown: current + 1, ArrowLeft: current - 1,
                  ArrowUp: current - 1, Home: 0, End: N };
  if (event.key in moves) { event.preventDefault(); show(moves[event.key]); }
});
const start = /^#step=(\d+)$/.exec(location.hash);
show(start ? Number(start[1]) : 0);
"""


# --- the command line: an expression typed at the shell ---

METHODS = tuple(n for n in RULES if n.isidentifier() and callable(getattr(Value, n, None)))
"""The Value methods an expression may call: `x.tanh()` or `tanh(x)`."""

FUNCTIONS = {"max": fused.max, "min": fused.min}
"""The n-ary ops an expression may call: `max(x, y, 0)` is one node."""

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_MAX_LENGTH = 2000
_SHORT = 12
"""Nodes whose expression is at most this long are labelled with it; the rest by op."""


class ExpressionError(ValueError):
    """An expression the command refuses: the message says what and why."""


def _allowed() -> str:
    names = [*METHODS, *(f"{name}(...)" for name in FUNCTIONS)]
    return "numbers, variables, + - * / **, unary minus and " + ", ".join(names)


def parse_program(text: str) -> list[tuple[str | None, ast.expr]]:
    """The statements of `text` as (name or None, expression), checked for allowed syntax."""
    if len(text) > _MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="exec")
    except SyntaxError as error:
        raise ExpressionError(f"cannot parse {text!r}: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(f"cannot parse {text!r}: nested too deeply") from None
    if not tree.body:
        raise ExpressionError("the expression is empty")
    program = []
    for statement in tree.body:
        if isinstance(statement, ast.Expr):
            program.append((None, statement.value))
        elif (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            program.append((statement.targets[0].id, statement.value))
        else:
            raise ExpressionError(
                f"{ast.unparse(statement)!r} is not allowed: write expressions, or "
                "`name = expression` to label a node"
            )
    for _, expression in program:
        _check(expression)
    return program


def _check(expression: ast.expr) -> None:
    for node in ast.walk(expression):
        ok = isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Call, ast.keyword))
        ok = ok or isinstance(node, (ast.Attribute, *_OPERATORS, ast.USub, ast.UAdd))
        if isinstance(node, ast.Constant):
            ok = isinstance(node.value, (int, float, str)) and not isinstance(node.value, bool)
        if isinstance(node, ast.Call):
            ok = _method_name(node) is not None
        if not ok:
            raise ExpressionError(f"{ast.unparse(node)!r} is not allowed; use {_allowed()}")


def _method_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in METHODS:
        return func.attr
    if isinstance(func, ast.Name) and func.id in METHODS and call.args:
        return func.id
    if isinstance(func, ast.Name) and func.id in FUNCTIONS and call.args and not call.keywords:
        return func.id
    return None


def variables_of(program: list[tuple[str | None, ast.expr]]) -> list[str]:
    """The names a program reads before assigning them, in order of first use."""
    assigned: set[str] = set()
    found: list[str] = []
    for name, expression in program:
        nodes = list(ast.walk(expression))
        functions = {id(c.func) for c in nodes if isinstance(c, ast.Call)}
        names = [n for n in nodes if isinstance(n, ast.Name) and id(n) not in functions]
        for node in sorted(names, key=lambda n: (n.lineno, n.col_offset)):
            if node.id not in assigned and node.id not in found:
                found.append(node.id)
        if name:
            assigned.add(name)
    return found


def evaluate(program: list[tuple[str | None, ast.expr]], values: dict[str, float]) -> Value:
    """Build the graph: variables become labelled leaves, `name = ...` labels its node."""
    scope: dict[str, Value | float] = {n: Value(x, label=n) for n, x in values.items()}
    result: Value | float = 0.0
    for k, (name, expression) in enumerate(program):
        result = _build(expression, scope)
        if name is None and k == len(program) - 1:  # the output, unnamed: f, as in f(x, y, z)
            name = "f" if "f" not in scope else "out"
        if name and isinstance(result, Value) and result.parents:
            result.label = name
        if name:
            scope[name] = result
    if not isinstance(result, Value) or not result.parents:
        raise ExpressionError("the output must be computed from the variables by an op")
    return result


def _build(node: ast.expr, scope: dict[str, Value | float]) -> Value | float:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            raise ExpressionError(f"{node.value!r}: text is allowed only as a method's argument")
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in scope:
            raise ExpressionError(f"{node.id!r} has no value")
        return scope[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _build(node.operand, scope)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _build(node.left, scope), _build(node.right, scope)
        return _named(_apply(_OPERATORS[type(node.op)], left, right), node)
    if isinstance(node, ast.Call):
        return _named(_call(node, scope), node)
    raise ExpressionError(f"{ast.unparse(node)!r} is not allowed; use {_allowed()}")


def _named(result: Value | float, node: ast.expr) -> Value | float:
    """Label an op's node by its text when short (`x + y`), so the steps can name it."""
    text = ast.unparse(node)
    if isinstance(result, Value) and not result.label and len(text) <= _SHORT:
        result.label = text
    return result


def _apply(op: str, left: Value | float, right: Value | float) -> Value | float:
    if not isinstance(left, Value) and not isinstance(right, Value):
        left = Value(left)  # numbers only: still one node, drawn with its operands
    return {
        "+": lambda: left + right,
        "-": lambda: left - right,
        "*": lambda: left * right,
        "/": lambda: left / right,
        "**": lambda: left**right,
    }[op]()


def _call(node: ast.Call, scope: dict[str, Value | float]) -> Value:
    name = _method_name(node)
    if name in FUNCTIONS and isinstance(node.func, ast.Name):
        return FUNCTIONS[name]([_build(argument, scope) for argument in node.args])
    if isinstance(node.func, ast.Attribute):
        operand, args = _build(node.func.value, scope), node.args
    else:
        operand, args = _build(node.args[0], scope), node.args[1:]
    constants = [_constant(a, name) for a in args]
    keywords = {k.arg: _constant(k.value, name) for k in node.keywords}
    operand = operand if isinstance(operand, Value) else Value(operand)
    try:
        return getattr(operand, name)(*constants, **keywords)
    except TypeError as error:
        raise ExpressionError(f"{name}: {error}") from None


def _constant(node: ast.expr, method: str) -> float | str:
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1.0, node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
        return node.value if isinstance(node.value, str) else sign * float(node.value)
    raise ExpressionError(f"{method}: its arguments must be numbers, got {ast.unparse(node)!r}")


class _Parser(argparse.ArgumentParser):
    """Bad arguments are one line on stderr and exit status 2, without the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser(variables: Sequence[str] = (), first_pass: bool = False) -> argparse.ArgumentParser:
    """The command's options; `variables` add one option each. The first pass only looks for
    the expression (whose variables are not known yet), so it neither helps nor insists."""
    parser = _Parser(
        prog="python -m autograd.html",
        add_help=not first_pass,
        description="Write a web page that steps through the backward pass of an expression. "
        "Give each variable its value with an option of its name: --x -2.",
        epilog='example: python -m autograd.html "(x+y)*z" --x -2 --y 5 --z -4 -o steps.html',
        allow_abbrev=False,
    )
    parser.add_argument(
        "expression",
        nargs="?" if first_pass else None,
        help="an expression such as '(x+y)*z' or 'n = x*w + b; o = n.tanh()'; "
        f"allowed: {_allowed()}",
    )
    parser.add_argument(
        "-o", "--output", default="steps.html", help="the page to write (default: %(default)s)"
    )
    parser.add_argument("--title", default=None, help="the page's title")
    for name in variables:
        parser.add_argument(
            f"--{name}", type=float, required=True, metavar="NUMBER", help=f"the value of {name}"
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The command: parse, build the graph, write the page. Returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    first, _ = _parser(first_pass=True).parse_known_args(argv)
    if first.expression is None:
        _parser().parse_args(argv)  # prints the help, or says the expression is missing
    prog = "python -m autograd.html"
    try:
        program = parse_program(first.expression)
        variables = variables_of(program)
        taken = [v for v in variables if v in ("output", "title", "help", "expression")]
        if taken:
            raise ExpressionError(f"{taken[0]!r} cannot be a variable name (an option's name)")
        args = _parser(variables).parse_args(argv)
        root = evaluate(program, {v: getattr(args, v) for v in variables})
        output = Path(args.output)
        if not output.parent.is_dir():
            raise ExpressionError(f"cannot write {str(output)!r}: no folder {str(output.parent)!r}")
        save_html(root, output, title=args.title)
    except (ExpressionError, ArithmeticError, ValueError, TypeError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    except (ImportError, RuntimeError) as error:  # graphviz or `dot` missing
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 1
    steps = sum(1 for v in trace(root) if v.parents)
    counted = f"{steps} step" + ("" if steps == 1 else "s")
    print(f"wrote {output} ({counted}): open {output.resolve().as_uri()} in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
