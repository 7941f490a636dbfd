"""The course, in both editions: every notebook runs top to bottom headless within a minute, its
committed outputs are those of a clean run, and notebooks/X.ipynb and notebooks/ko/X.ipynb run the
same code (only their prose differs), so the two editions can never drift apart.

The list of notebooks is read from the folder: a new notebook is picked up as it lands.
"""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import nbclient
import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager

COURSE = Path(__file__).parents[1] / "notebooks"
ENGLISH = sorted(COURSE.glob("[0-9][0-9]_*.ipynb"))
KOREAN = sorted((COURSE / "ko").glob("[0-9][0-9]_*.ipynb"))
EVERY = ENGLISH + KOREAN
A_MINUTE = 60.0


def _name(path: Path) -> str:
    return path.relative_to(COURSE).with_suffix("").as_posix()


def _code_cells(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def test_the_course_is_numbered_from_01_without_gaps():
    numbers = [int(path.name[:2]) for path in ENGLISH]
    assert len(numbers) >= 6
    assert numbers == list(range(1, len(numbers) + 1)), [path.name for path in ENGLISH]


def test_every_notebook_has_a_korean_edition():
    english, korean = [p.name for p in ENGLISH], [p.name for p in KOREAN]
    assert not set(english) - set(korean), f"no Korean edition: {set(english) - set(korean)}"
    assert not set(korean) - set(english), f"no English edition: {set(korean) - set(english)}"


@pytest.mark.parametrize("path", ENGLISH, ids=_name)
def test_both_editions_run_the_same_code(path):
    korean = COURSE / "ko" / path.name
    assert korean.exists(), f"{_name(path)}: no Korean edition at {korean}"
    english_cells, korean_cells = _code_cells(path), _code_cells(korean)
    for index, (en, ko) in enumerate(zip(english_cells, korean_cells)):
        assert en == ko, f"{path.name}: code cell {index} differs between the editions"
    assert len(english_cells) == len(korean_cells), f"{path.name}: different numbers of code cells"


@pytest.mark.parametrize("path", KOREAN, ids=_name)
def test_the_korean_edition_names_its_post_and_its_terms(path):
    notebook = nbformat.read(path, as_version=4)
    prose = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert any("노트와의 대응" in text for text in prose), f"{path.name}: no 노트와의 대응 cell"
    glossary = [text for text in prose if "용어" in text and "|---" in text]
    assert glossary, f"{path.name}: no 용어 table"


def _punctuation(ch: str) -> bool:
    return ch == "" or unicodedata.category(ch)[0] in "PS"


def _space(ch: str) -> bool:
    return ch == "" or ch.isspace()


def _can_open(before: str, after: str) -> bool:
    return not _space(after) and (not _punctuation(after) or _space(before) or _punctuation(before))


def _can_close(before: str, after: str) -> bool:
    return not _space(before) and (not _punctuation(before) or _space(after) or _punctuation(after))


def unrendered_bold(text: str) -> list[str]:
    """`**` markers that CommonMark (Jupyter, GitHub) does not read as bold.

    A closing `**` right after punctuation needs a space or punctuation after it: in
    `**계산 그래프(graph)**의` the `)` before it and the `의` after it leave the stars as text.
    """
    text = re.sub(r"`[^`\n]*`", lambda m: "c" * len(m.group(0)), text)  # code holds no markup
    broken = []
    for k, marker in enumerate(re.finditer(r"(?<!\*)\*\*(?!\*)", text)):
        before = text[marker.start() - 1] if marker.start() else ""
        after = text[marker.end()] if marker.end() < len(text) else ""
        if not (_can_close if k % 2 else _can_open)(before, after):
            broken.append(text[max(0, marker.start() - 20) : marker.end() + 6])
    return broken


def test_unrendered_bold_is_found():
    assert unrendered_bold("**계산 그래프(graph)**의 노드") and unrendered_bold("a** b**")
    assert not unrendered_bold("**계산 그래프**(graph)의 **`+` copies**, (**분기**, fork)")


@pytest.mark.parametrize("path", EVERY, ids=_name)
def test_bold_text_renders(path):
    notebook = nbformat.read(path, as_version=4)
    prose = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    broken = [where for text in prose for where in unrendered_bold(text)]
    assert not broken, f"{path.name}: ** shown as text, not bold, at {broken}"


@pytest.mark.parametrize("path", EVERY, ids=_name)
def test_committed_outputs_are_those_of_a_clean_run(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: not run top to bottom once"
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors, f"{path.name}: committed with an error in its outputs"
    stamped = [cell for cell in code if "execution" in cell.metadata]
    assert not stamped, f"{path.name}: execution timestamps committed (re-runs would differ)"


@pytest.mark.parametrize("path", EVERY, ids=_name)
def test_notebook_runs_headless_within_a_minute(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    kernel = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(tmp_path / "kernel"))
    client = nbclient.NotebookClient(
        notebook,
        km=kernel,  # local sockets: the kernel has nothing to warn about
        timeout=int(A_MINUTE),
        resources={"metadata": {"path": str(path.parent)}},  # as Jupyter: `import course` works
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell, asserts included
    seconds = time.perf_counter() - start
    assert seconds < A_MINUTE, f"{path.name} took {seconds:.0f} s"
