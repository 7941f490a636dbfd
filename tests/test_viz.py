"""Drawing: DOT source, rendered SVG, step frames, grouping, size, missing dot or graphviz."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings

import pytest

import autograd
from autograd import Value, draw_dot, save_frames, step_frames
from autograd.viz import LARGE, DotNotFound, node_ids, trace
from nn import MLP

from .examples import worked_example


def names(root: Value) -> dict[Value, str]:
    """Each Value's node name in the DOT text of `draw_dot(root)`."""
    return node_ids(trace(root))


def records(source: str) -> list[str]:
    return re.findall(r'label="(\{[^"]*\})"', source)


def test_micrograd_look_in_the_dot_source():
    *_, f = worked_example(backward=True)
    source = draw_dot(f).source
    assert "rankdir=LR" in source
    assert sorted(records(source)) == sorted(
        [
            "{ x | data -2.0000 | grad -4.0000 }",
            "{ y | data 5.0000 | grad -4.0000 }",
            "{ z | data -4.0000 | grad 3.0000 }",
            "{ q | data 3.0000 | grad -4.0000 }",
            "{ f | data -12.0000 | grad 1.0000 }",
        ]
    )
    assert re.findall(r'\[label="([+*])"\]', source) == ["+", "*"]
    assert source.count("->") == 4 + 2  # one per operand, one per op node to its result


def test_unlabelled_values_have_no_label_part_and_a_plus_a_draws_two_edges():
    a = Value(3.0)
    b = a + a
    source = draw_dot(b).source
    assert "{ data 3.0000 | grad 0.0000 }" in source
    n = names(b)
    assert source.count(f"{n[a]} -> {n[b]}op") == 2


def test_options_hide_grads_write_local_gradients_and_colour_roles():
    x, y, z, q, f = worked_example(backward=True)
    assert "grad" not in draw_dot(f, show_grad=False).source
    source = draw_dot(f, show_local=True).source
    n = names(f)
    assert f"{n[q]} -> {n[f]}op [label=-4]" in source
    assert f"{n[z]} -> {n[f]}op [label=3]" in source
    source = draw_dot(f, params=[x, y]).source
    assert re.search(rf"{n[x]} \[label=.*fillcolor=lightblue", source)
    assert re.search(rf"{n[z]} \[label=.*fillcolor=lightgrey", source)
    assert re.search(rf"{n[f]} \[label=.*fillcolor=darkolivegreen1", source)
    assert draw_dot(f, rankdir="TB").graph_attr["rankdir"] == "TB"


def test_rendered_by_dot_to_svg_and_png(tmp_path):
    *_, f = worked_example(backward=True)
    svg = draw_dot(f).pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "data &#45;12.0000" in svg and "grad 3.0000" in svg
    assert draw_dot(f, format="png").pipe()[:4] == b"\x89PNG"
    assert "<svg" in draw_dot(f)._repr_image_svg_xml()


def test_step_frames_highlight_the_node_and_its_edges(tmp_path):
    x, y, z, q, f = worked_example(backward=True)
    frames = step_frames(f)
    assert len(frames) == 3
    assert "orange" not in frames[0].source and "(pending)" in frames[0].source
    first = frames[1].source
    n = names(f)
    assert re.search(rf"{n[f]} \[label=.*fillcolor=orange", first)
    assert 'label="1 × -4 = -4" color=orange' in first and 'label="1 × 3 = 3"' in first
    assert "{ x | data -2.0000 | grad 0.0000 (pending) }" in first
    second = frames[2].source
    assert re.search(rf"{n[q]} \[label=.*fillcolor=orange", second)
    assert 'label="-4 × 1 = -4"' in second and "(pending)" not in second
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)  # leaves zeroed first, one pass
    paths = save_frames(f, tmp_path, format="png")
    assert [p.name for p in paths] == ["frame_000.png", "frame_001.png", "frame_002.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)


def test_grouped_mlp_by_neuron_and_layer():
    model = MLP(2, [3, 2, 1], seed=0)
    out = model([0.5, -1.0])
    source = draw_dot(out, groups=model).source
    assert source.count('subgraph "cluster_') == 3 + 2 + 1
    assert 'cluster_layers.0.neurons.2"' in source
    source = draw_dot(out, groups=model, level="layer").source
    assert source.count('subgraph "cluster_') == 3
    collapsed = draw_dot(out, groups=model, collapse=True).source
    assert len(re.findall(r'^\t"group [^"]*" \[label=', collapsed, re.M)) == 6  # one box a neuron
    edges = re.findall(r'"group [^"]*" -> "group.*', collapsed)
    assert len([e for e in edges if "invis" not in e]) == 3 * 2 + 2 * 1
    assert len([e for e in edges if "invis" in e]) == 2 + 1  # neurons kept in order
    assert len(re.findall(r'^\tv\d+ -> "group', collapsed, re.M)) == 2 * 3  # inputs to layer 0
    assert "relu = " in collapsed and "dot = " in collapsed
    assert "subgraph" not in collapsed
    svg = draw_dot(out, groups=model, collapse=True).pipe(format="svg").decode()
    assert "layers.1.neurons.0" in svg
    with pytest.raises(ValueError, match="level must be"):
        draw_dot(out, groups=model, level="weights")


def test_large_graph_warns_and_suggests_grouping():
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.1, 0.2])
    with pytest.warns(UserWarning, match="groups=model"):
        draw_dot(out)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draw_dot(out, groups=model, collapse=True)
    assert LARGE < 400


def test_a_100k_node_chain_draws_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(50_000):
        y = (y * 1.0).relu()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = draw_dot(y).source
    assert source.count("shape=record") == 100_001 + 50_000  # values incl. the 1.0 leaves


def test_missing_dot_program_says_how_to_install(monkeypatch):
    *_, f = worked_example(backward=True)
    graph = draw_dot(f)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert "digraph" in graph.source  # the source needs no dot
    with pytest.raises(DotNotFound, match="apt-get install graphviz.*brew install graphviz"):
        graph.pipe(format="svg")
    with pytest.raises(DotNotFound, match="conda"):
        graph.render("/tmp/never")


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}
    )


def test_importing_autograd_does_not_import_graphviz():
    result = run_python("import sys, autograd, nn; print('graphviz' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr


def test_draw_dot_without_the_python_package_names_the_extra():
    code = (
        "import sys; sys.modules['graphviz'] = None\n"
        "from autograd import Value, draw_dot\n"
        "try:\n    draw_dot(Value(1.0))\nexcept ImportError as e:\n    print(e)\n"
    )
    assert "chainrule[viz]" in run_python(code).stdout


def test_exports():
    assert callable(autograd.show_steps)
