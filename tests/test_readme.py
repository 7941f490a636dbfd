"""The README's examples do what they say.

Every ```python block runs verbatim, in order, in one namespace (a later block uses names
from earlier ones); what it prints must equal the ```text block right under it, and a block
without one must print nothing. Every ```sh line names a make target of the Makefile or an
extra of pyproject.toml, or is a `python -m` command that the test runs and that must succeed.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.M | re.S)


@dataclass
class Block:
    kind: str  # the fence's info string: python, text, sh
    text: str
    line: int  # of the opening fence

    @property
    def next_line(self) -> int:
        """The line right after the closing fence."""
        return self.line + self.text.count("\n") + 2


def blocks(markdown: str) -> list[Block]:
    return [
        Block(m.group(1), m.group(2), markdown.count("\n", 0, m.start()) + 1)
        for m in FENCE.finditer(markdown)
    ]


def examples(markdown: str) -> list[tuple[Block, str]]:
    """Each python block with the output shown right under it ("" when none is)."""
    found = blocks(markdown)
    pairs = []
    for block, after in zip(found, [*found[1:], None]):
        if block.kind != "python":
            continue
        shown = after is not None and after.kind == "text" and after.line == block.next_line
        pairs.append((block, after.text if shown else ""))
    return pairs


def run(code: str, namespace: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), namespace)
    return out.getvalue()


def test_every_python_block_prints_what_the_readme_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a block may write files
    pairs = examples(README.read_text(encoding="utf-8"))
    assert len(pairs) >= 5 and sum(bool(shown) for _, shown in pairs) >= 5
    namespace: dict = {"__name__": "__readme__"}
    for block, shown in pairs:
        printed = run(block.text, namespace)
        assert printed == shown, f"README.md line {block.line}: printed\n{printed}"


def shell_commands(markdown: str) -> list[str]:
    """Every line of every ```sh block, its comment cut off; empty lines dropped."""
    lines = [
        line.split(" #")[0].strip()
        for block in blocks(markdown)
        if block.kind == "sh"
        for line in block.text.splitlines()
    ]
    return [line for line in lines if line and not line.startswith("#")]


def test_every_shell_command_is_a_make_target_or_an_install_extra():
    makefile = (ROOT / "Makefile").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    section = pyproject.split("[project.optional-dependencies]")[1].split("\n[")[0]
    extras = re.findall(r"^(\w+) = \[", section, re.M)
    assert {"viz", "demo", "notebooks", "lab", "test"} <= set(extras)
    commands = shell_commands(README.read_text(encoding="utf-8"))
    assert {"make demo", "make test", "make lab"} <= set(commands)
    for command in commands:
        if command.startswith("python -m "):
            continue  # run by the test below
        if command.startswith("make "):
            target = command.removeprefix("make ")
            assert re.search(rf"^{target}:", makefile, re.M), f"no make target {target!r}"
            continue
        install = re.fullmatch(r"pip install (?:\.|'\.\[(\w+)\]')", command)
        assert install, f"README shows an untested command: {command!r}"
        assert install.group(1) is None or install.group(1) in extras, command


def test_every_python_m_command_runs(tmp_path):
    commands = [c for c in shell_commands(README.read_text(encoding="utf-8")) if "python" in c]
    assert commands, "the README shows no python -m command"
    for command in commands:
        assert command.startswith("python -m "), f"README shows an untested command: {command!r}"
        args = [sys.executable, *shlex.split(command)[1:]]
        done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command}\n{done.stderr}"


def test_a_comment_is_cut_from_a_shell_line():
    markdown = '```sh\nmake demo   # the demo\n\npython -m autograd.html "a#b"\n```\n'
    assert shell_commands(markdown) == ["make demo", 'python -m autograd.html "a#b"']


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ("```python\nprint(1)\n```\n```text\n1\n```\n", [("print(1)\n", "1\n")]),
        ("```python\nx = 1\n```\n\nprose\n```text\n1\n```\n", [("x = 1\n", "")]),
        ("```sh\nmake demo\n```\n```python\npass\n```\n", [("pass\n", "")]),
    ],
)
def test_an_output_block_belongs_to_the_python_block_right_above_it(markdown, expected):
    assert [(block.text, shown) for block, shown in examples(markdown)] == expected


def test_a_wrong_output_is_caught():
    ((block, shown),) = examples("```python\nprint(2)\n```\n```text\n1\n```\n")
    assert run(block.text, {}) != shown
