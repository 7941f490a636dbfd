"""The demo command runs end to end on small settings and rejects bad arguments."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nn.__main__ import main

SMALL = ["--steps", "3", "--samples", "20", "--hidden", "4", "--grid", "8", "--quiet"]


def test_demo_trains_and_writes_its_pictures(tmp_path, capsys):
    code = main(
        [
            "--steps",
            "3",
            "--samples",
            "20",
            "--hidden",
            "4",
            "--grid",
            "8",
            "--quiet",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    for name in ("boundary.png", "loss.png", "graph.svg", "neuron.svg"):
        data = (tmp_path / name).read_bytes()
        assert len(data) > 1000
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")
    out = capsys.readouterr().out
    assert "training accuracy" in out and "wrote" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "boundary.png",
        "graph.svg",
        "loss.png",
        "neuron.svg",
    ]


def svg_texts(path: Path) -> list[str]:
    return re.findall(r">([^<>]+)</text>", path.read_text())


def test_the_graphs_are_drawn_after_a_backward_pass_with_named_inputs_and_parameters(tmp_path):
    assert main([*SMALL, "--out", str(tmp_path)]) == 0
    network, neuron = svg_texts(tmp_path / "graph.svg"), svg_texts(tmp_path / "neuron.svg")
    assert {"x0", "x1", "loss"} <= set(network)
    assert {"x0", "x1", "w0", "w1", "b", "dot", "relu"} <= set(neuron)
    grads = [text for text in network + neuron if text.startswith("grad ")]
    assert "grad 1.0000" in grads and any(g not in ("grad 0.0000", "grad 1.0000") for g in grads)


def test_neurons_are_drawn_in_order(tmp_path):
    assert main([*SMALL, "--hidden", "12", "--out", str(tmp_path)]) == 0
    tops = {}  # neuron -> its box's y position in the drawing
    for match in re.finditer(
        r"layers\.0\.neurons\.(\d+)</text>", (tmp_path / "graph.svg").read_text()
    ):
        before = (tmp_path / "graph.svg").read_text()[: match.start()]
        tops[int(match.group(1))] = float(re.findall(r'y="(-?[\d.]+)"', before)[-1])
    assert sorted(tops) == list(range(12))
    assert [tops[k] for k in range(12)] == sorted(tops.values())


def test_without_dot_the_graphs_are_dot_text_and_nothing_else(tmp_path):
    code = (
        f"from nn.__main__ import main; raise SystemExit(main({[*SMALL, '--out', str(tmp_path)]}))"
    )
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "apt-get install graphviz" in result.stderr and "Traceback" not in result.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["boundary.png", "graph.dot", "loss.png", "neuron.dot"]
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")


@pytest.mark.parametrize("module", ["tqdm", "matplotlib"])
def test_a_missing_package_is_named_before_any_work(tmp_path, module):
    out = tmp_path / "out"
    code = (
        f"import sys; sys.modules[{module!r}] = None\n"
        "from nn.__main__ import main\n"
        f"raise SystemExit(main(['--out', {str(out)!r}]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"python -m nn: needs {module}, not installed: pip install 'chainrule[demo]'"
    ]
    assert result.stdout == "" and not out.exists()


def test_a_diverging_run_says_so(tmp_path, capsys):
    assert main([*SMALL, "--steps", "30", "--lr", "100", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert re.search(
        r"training diverged at step \d+ \(loss [\d.]+e\+\d+\): try a smaller --lr", err
    )
    assert len(err) < 200 and (tmp_path / "loss.png").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--dataset", "spiral", "--optimizer", "adam", "--lr", "0.01", "--activation", "tanh"],
        ["--dataset", "xor", "--loss", "bce", "--dropout", "0.2", "--init", "he"],
        ["--dataset", "circles", "--optimizer", "rmsprop", "--lr", "0.01"],
    ],
)
def test_demo_options(tmp_path, args):
    assert (
        main(
            [
                *args,
                "--steps",
                "2",
                "--samples",
                "12",
                "--hidden",
                "3,3",
                "--grid",
                "4",
                "--quiet",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["--steps", "0"], "must be a positive integer"),
        (["--hidden", "16,x"], "expected sizes like 16,16"),
        (["--noise", "-1"], "must be >= 0"),
        (["--dropout", "1"], r"must be in \[0, 1\)"),
        (["--optimizer", "lbfgs"], "invalid choice"),
        (["--lr", "nan"], "argument --lr: must be a finite number >= 0, got nan"),
        (["--lr", "inf"], "argument --lr: must be a finite number >= 0, got inf"),
        (["--lr", "-0.1"], "argument --lr: must be a finite number >= 0, got -0.1"),
        (["--lr", "fast"], "argument --lr: expected a number, got 'fast'"),
        (["--samples", "1"], "argument --samples: must be at least 2"),
        (["--out", "/proc/version/out"], "argument --out: cannot create '/proc/version/out'"),
    ],
)
def test_bad_arguments_exit_non_zero_with_a_message(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert re.search(message, err) and out == ""
    assert err.count("\n") == 1 and err.startswith("python -m nn: error: ")


def test_an_out_that_is_a_file_is_refused_before_training(tmp_path, capsys):
    (tmp_path / "taken").write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main(["--out", str(tmp_path / "taken")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("python -m nn: error: argument --out: cannot")


def test_help_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "nn", "--help"], capture_output=True, text=True, check=True
    )
    assert "--dataset" in result.stdout and "--optimizer" in result.stdout
    help_text = " ".join(result.stdout.split())
    for default in ("moons", "100", "0.1", "16,16", "relu", "micrograd", "sgd", "hinge", "out"):
        assert f"(default: {default})" in help_text
    assert help_text.count("(default: ") == 16  # every option but --help
