"""`make notebooks` re-runs the course byte for byte: tests/run_notebooks.py on a small notebook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).parents[1]
CODE = """\
from autograd import Value, draw_dot, show_steps
x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
f = (x + y) * z
f.backward()
display(draw_dot(f))
show_steps(f)
"""


def run_tool(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "tests" / "run_notebooks.py"), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_second_run_changes_no_byte_and_warns_of_nothing(tmp_path):
    path = tmp_path / "steps.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE)])
    notebook.cells[0].id = "steps"
    nbformat.write(notebook, path)
    first = run_tool(path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"{path}: updated\n" and first.stderr == ""
    text = path.read_text()
    assert '"execution"' not in text and "iopub" not in text  # no timestamps
    assert " at 0x" not in text and "0x7f" not in text  # no memory addresses
    assert '"model_id": "00000000000000000000000000000001"' in text  # widgets numbered
    assert "<title>v0</title>" in text  # graph nodes named by their place
    second = run_tool(path)
    assert second.returncode == 0 and second.stderr == "", second.stderr
    assert second.stdout == f"{path}: unchanged\n" and path.read_text() == text


def test_a_failing_cell_stops_the_run_with_its_error(tmp_path):
    path = tmp_path / "broken.ipynb"
    cell = nbformat.v4.new_code_cell("1 / 0")
    cell.id = "broken"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    before = path.read_text()
    result = run_tool(path)
    assert result.returncode != 0 and "ZeroDivisionError" in result.stderr
    assert path.read_text() == before
