"""The demo command runs end to end on small settings and rejects bad arguments."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nn.__main__ import main


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
    for name in ("boundary.png", "loss.png", "graph.svg"):
        data = (tmp_path / name).read_bytes()
        assert len(data) > 1000
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")
    out = capsys.readouterr().out
    assert "training accuracy" in out and "wrote" in out


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
    ],
)
def test_bad_arguments_exit_non_zero_with_a_message(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert __import__("re").search(message, capsys.readouterr().err)


def test_help_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "nn", "--help"], capture_output=True, text=True, check=True
    )
    assert "--dataset" in result.stdout and "--optimizer" in result.stdout
