"""The step-through page in a real browser (headless Chromium), and its command line.

Chromium is Debian's `chromium` package (`make test` installs it when missing),
driven by Playwright's Python package; no browser is downloaded.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

import autograd
from autograd import Value, backward_steps, save_html
from autograd.html import main
from autograd.viz import DotNotFound, node_ids, trace
from nn import Neuron

from .examples import worked_example
from .reference import assert_close, torch_leaves

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent

# What the page shows at one moment, read in one round trip.
READ_PAGE = """() => {
  const rows = [...document.querySelectorAll('#contributions tbody tr')];
  const grads = {};
  for (const tr of document.querySelectorAll('#grads tbody tr'))
    grads[tr.dataset.node] = tr.dataset.grad;
  const svgGrads = {};
  for (const g of document.querySelectorAll('#graph g.node')) {
    if (!g.dataset.node.endsWith('op'))
      svgGrads[g.dataset.node] = g.querySelector('text.grad').textContent;
  }
  return {
    counter: document.getElementById('counter').textContent,
    slider: document.getElementById('slider').value,
    active: [...document.querySelectorAll('#graph g.node.active')].map(g => g.dataset.node),
    flows: [...document.querySelectorAll('#graph g.edge.flow')].map(g => g.dataset.edge),
    amounts: [...document.querySelectorAll('#graph text.amount')].map(t => t.textContent),
    node: document.getElementById('step-panel').dataset.node,
    upstream: document.getElementById('step-panel').dataset.upstream,
    rows: rows.map(tr => ({parent: tr.dataset.parent, local: tr.dataset.local,
      amount: tr.dataset.amount, sum: tr.dataset.sum,
      cells: [...tr.cells].map(c => c.textContent)})),
    grads, svgGrads,
    prevDisabled: document.getElementById('prev').disabled,
    nextDisabled: document.getElementById('next').disabled,
  };
}"""


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Walkthrough:
    """The expected frames of a graph's page, from `backward_steps`, and a page to check."""

    def __init__(self, root: Value, page) -> None:
        self.root, self.page = root, page
        self.ids = node_ids(trace(root))
        self.steps = []
        self.grads = [{v: (1.0 if v is root else 0.0) for v in self.ids}]
        for step in backward_steps(root):  # frame k: the grads after step k
            self.steps.append(step)
            self.grads.append({v: v.grad for v in self.ids})

    def check(self, k: int) -> None:
        shown = self.page.evaluate(READ_PAGE)
        n = len(self.steps)
        assert shown["counter"] == f"step {k} of {n}" and shown["slider"] == str(k)
        assert (shown["prevDisabled"], shown["nextDisabled"]) == (k == 0, k == n)
        for v, grad in self.grads[k].items():
            assert float(shown["grads"][self.ids[v]]) == grad, f"step {k}: grad of {v.label}"
            assert shown["svgGrads"][self.ids[v]] == f"grad {grad:.4f}"
        if k == 0:
            root = self.ids[self.root]
            seeded = [root, root + "op"] if self.root.parents else [root]
            assert sorted(shown["active"]) == seeded and shown["flows"] == []
            assert shown["node"] == self.ids[self.root] and shown["rows"] == []
            return
        step = self.steps[k - 1]
        node = self.ids[step.node]
        assert sorted(shown["active"]) == [node, node + "op"] and shown["node"] == node
        assert float(shown["upstream"]) == step.upstream
        sums = dict(self.grads[k - 1])
        assert len(shown["rows"]) == len(step.contributions)
        for row, c in zip(shown["rows"], step.contributions):
            sums[c.parent] += c.amount
            assert row["parent"] == self.ids[c.parent]
            assert (float(row["local"]), float(row["amount"])) == (c.local, c.amount)
            assert float(row["sum"]) == sums[c.parent]
            product = f"{step.upstream:.6g} \u00d7 {c.local:.6g} = {c.amount:.6g}"
            assert row["cells"][1:] == [product, c.formula, f"{sums[c.parent]:.6g}"]
        into = sorted(f"{self.ids[c.parent]}->{node}op" for c in step.contributions)
        assert sorted(shown["flows"]) == sorted([*into, f"{node}op->{node}"])
        labels: dict[str, list[str]] = {}  # one label per drawn edge: a * a's two amounts
        for c in step.contributions:
            labels.setdefault(self.ids[c.parent], []).append(f"{c.amount:.6g}")
        assert shown["amounts"] == [", ".join(texts) for texts in labels.values()]


def open_page(browser, root: Value, path: Path, width: int = 1200) -> Walkthrough:
    save_html(root, path)
    page = browser.new_page(viewport={"width": width, "height": 800})
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text))
    page.on("request", lambda r: r.url.startswith("file://") or problems.append(r.url))
    page.goto(path.as_uri())
    page.problems = problems
    return Walkthrough(root, page)


def step_through_every_way(walk: Walkthrough) -> None:
    """Buttons forward and back, the arrow keys, Home and End, the slider."""
    page, n = walk.page, len(walk.steps)
    walk.check(0)
    for k in range(1, n + 1):
        page.click("#next")
        walk.check(k)
    for k in range(n - 1, -1, -1):
        page.click("#prev")
        walk.check(k)
    page.click("h1")  # the keys work wherever the focus is not the slider
    for k in range(1, n + 1):
        page.keyboard.press("ArrowRight")
        walk.check(k)
    page.keyboard.press("ArrowLeft")
    walk.check(n - 1)
    page.keyboard.press("Home")
    walk.check(0)
    page.keyboard.press("End")
    walk.check(n)
    for k in range(n + 1):
        page.locator("#slider").fill(str(k))
        walk.check(k)
    page.locator("#slider").fill("0")
    page.focus("#slider")  # the slider's own arrow key moves one step, not two
    page.keyboard.press("ArrowRight")
    walk.check(1)
    assert page.problems == []


def test_worked_example_in_chromium(browser, tmp_path):
    *_, f = worked_example()
    walk = open_page(browser, f, tmp_path / "steps.html")
    assert len(walk.steps) == 2
    step_through_every_way(walk)
    walk.page.close()
    page = browser.new_page()
    page.goto((tmp_path / "steps.html").as_uri() + "#step=2")  # a step has an address
    Walkthrough(f, page).check(2)
    page.close()


def test_a_fork_highlights_both_edges_of_a_times_a(browser, tmp_path):
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    square = a * a
    square.label = "s"
    out = (square + a * b).tanh()
    out.label = "out"
    walk = open_page(browser, out, tmp_path / "fork.html")
    step_through_every_way(walk)
    page = walk.page
    page.keyboard.press("End")  # the last step is a * a: two edges from a
    flows = page.evaluate(READ_PAGE)["flows"]
    assert flows.count(f"{walk.ids[a]}->{walk.ids[square]}op") == 2
    page.close()


def test_a_neuron_in_chromium_at_1000_and_1400_pixels(browser, tmp_path):
    neuron = Neuron(3, activation="tanh", rng=random.Random(1))
    xs = [Value(x, label=f"x{i}") for i, x in enumerate([0.5, -1.0, 2.0])]
    out = neuron(xs)
    for width in (1000, 1400):
        walk = open_page(browser, out, tmp_path / f"neuron{width}.html", width)
        step_through_every_way(walk)
        overflow = walk.page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the page is wider than {width} px"
        walk.page.close()


def test_the_page_ends_with_backward_s_gradients_which_are_pytorchs(tmp_path):
    x, y, z, q, f = worked_example(backward=True)
    f.backward()  # the leaves now hold two passes
    save_html(f, tmp_path / "steps.html")
    assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-4.0, -4.0, 3.0, -4.0, 1.0)
    tx, ty, tz = torch_leaves([-2.0, 5.0, -4.0])
    ((tx + ty) * tz).backward()
    for ours, theirs in ((x, tx), (y, ty), (z, tz)):
        assert_close(ours.grad, theirs.grad.item(), ours.label)


def test_the_page_is_self_contained_and_the_same_every_time(tmp_path):
    first = save_html(worked_example()[-1], tmp_path / "a.html").read_text(encoding="utf-8")
    again = save_html(worked_example()[-1], tmp_path / "b.html").read_text(encoding="utf-8")
    assert first == again  # node ids by trace order, no memory addresses
    assert "0x" not in first and "<link" not in first and " src=" not in first
    urls = {u for u in ("http://", "https://") if u in first.replace("http://www.w3.org/", "")}
    assert not urls
    assert '<svg width="' in first and "<title>v4</title>" in first and "%3" not in first


def test_a_label_cannot_break_out_of_the_page(browser, tmp_path):
    x = Value(2.0, label="</script><script>alert(1)</script>")
    out = x * x
    out.label = "<b>&"
    walk = open_page(browser, out, tmp_path / "label.html")
    walk.check(0)
    walk.page.click("#next")
    walk.check(1)
    assert walk.page.locator("#grads tbody tr").first.locator("td").first.text_content() == "<b>&"
    tooltips = walk.page.eval_on_selector_all("#graph title", "ts => ts.map(t => t.textContent)")
    assert sorted(tooltips) == sorted(
        [
            "</script><script>alert(1)</script>: data 2",
            "<b>&: data 4",
            "the op * making <b>&",
            "</script><script>alert(1)</script> \u2192 <b>&",
            "</script><script>alert(1)</script> \u2192 <b>&",
            "the op * \u2192 <b>&",
        ]
    )
    assert walk.page.problems == []
    walk.page.close()


def test_a_leaf_root_has_nothing_to_step(browser, tmp_path):
    walk = open_page(browser, Value(3.0, label="w"), tmp_path / "leaf.html")
    walk.check(0)
    assert "nothing to step through" in walk.page.text_content("#step-note")
    walk.page.close()


def test_save_html_without_dot_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr("autograd.viz.shutil.which", lambda name: None)
    with pytest.raises(DotNotFound, match="^save_html: .*apt-get install graphviz"):
        save_html(worked_example()[-1], tmp_path / "steps.html")
    assert not (tmp_path / "steps.html").exists()
    with pytest.raises(TypeError, match="^save_html: expected a Value, got float"):
        save_html(1.0, tmp_path / "steps.html")
    assert autograd.save_html is save_html


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograd.html", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_the_command_writes_the_page(browser, tmp_path):
    done = command("(x+y)*z", "--x", "-2", "--y", "5", "--z", "-4", "-o", "f.html", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    uri = (tmp_path / "f.html").as_uri()
    assert done.stdout == f"wrote f.html (2 steps): open {uri} in a browser\n"
    page = browser.new_page()
    page.goto((tmp_path / "f.html").as_uri())
    page.keyboard.press("End")
    grads = page.evaluate(READ_PAGE)["grads"]
    assert sorted(float(g) for g in grads.values()) == [-4.0, -4.0, -4.0, 1.0, 3.0]
    assert page.text_content("h1") == "Backward pass of f, step by step"
    page.close()


def test_the_command_labels_nodes_by_name_and_by_text(tmp_path):
    from autograd.html import evaluate, parse_program

    f = evaluate(parse_program("q = x + y; q * z"), {"x": -2.0, "y": 5.0, "z": -4.0})
    assert (f.label, f.parents[0].label, f.data) == ("f", "q", -12.0)
    o = evaluate(parse_program("tanh(x*w + b).exp() / 2"), {"x": 1.0, "w": 2.0, "b": -1.0})
    expected = Value(1.0) * Value(2.0) + Value(-1.0)
    assert o.data == expected.tanh().exp().data / 2 and o.label == "f"
    assert o.parents[0].parents[0].parents[0].label == "x * w + b"
    top = evaluate(parse_program("max(x, y * 2, 0) + min(x, -1)"), {"x": 1.5, "y": 1.0})
    assert top.data == 1.0 and [p.op for p in top.parents] == ["max", "min"]
    leaky = evaluate(parse_program("x.leaky_relu(0.2) + x.elu(alpha=0.5)"), {"x": -1.0})
    assert_close(leaky.data, -0.2 + 0.5 * (2.718281828459045**-1 - 1), "leaky_relu + elu")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x.__class__", "--x", "1"], "is not allowed"),
        (["(lambda: 1)()"], "is not allowed"),
        (["x +"], "cannot parse"),
        (["import os"], "is not allowed"),
        (["(x+y)*z", "--x", "1", "--z", "2"], "the following arguments are required: --y"),
        (["x*2", "--x", "1", "--w", "3"], "unrecognized arguments: --w 3"),
        (["x*2", "--x", "one"], "argument --x: invalid float value: 'one'"),
        (["log(x)", "--x", "-1"], "log: needs x > 0, got x = -1.0"),
        (["x / 0", "--x", "1"], "/: division by zero"),
        (["x", "--x", "1"], "the output must be computed from the variables by an op"),
        (["x*2", "--x", "1", "-o", "no/such/dir/f.html"], "cannot write"),
        (["+".join(["x"] * 1500), "--x", "1"], "longer than 2000 characters"),
    ],
)
def test_the_command_refuses_bad_input_in_one_line(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    try:
        status = main(args)
    except SystemExit as stopped:  # argparse's own errors
        status = stopped.code
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("python -m autograd.html: error: ")
    assert message in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_the_command_refuses_code_from_the_shell(tmp_path):
    done = command("__import__('os').system('touch hacked')", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(
        "python -m autograd.html: error: \"__import__('os').system('touch hacked')\" is not "
        "allowed; use numbers, variables, + - * / **, unary minus and exp, log, relu, "
    )
    assert done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_the_command_s_help_lists_the_expression_s_variables_in_order(capsys):
    from autograd.html import parse_program, variables_of

    program = parse_program("q = x + y; f = q * tanh(z) + y.exp() + max(w, q)")
    assert variables_of(program) == ["x", "y", "z", "w"]
    with pytest.raises(SystemExit) as stopped:
        main(["(b+a)*c", "--help"])
    assert stopped.value.code == 0
    shown = capsys.readouterr().out
    options = [line.split()[0] for line in shown.splitlines() if "NUMBER  " in line]
    assert options == ["--b", "--a", "--c"]
    assert "(default: steps.html)" in shown and "max(...)" in shown
