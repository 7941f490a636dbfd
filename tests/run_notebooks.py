"""Re-run notebooks in place so that a second run changes no byte when nothing changed.

    python tests/run_notebooks.py notebooks/*.ipynb notebooks/ko/*.ipynb

Each notebook runs top to bottom in a fresh kernel, in its own folder. What would
differ between two runs of the same code is left out or made stable:
- execution timestamps are not recorded;
- widgets (a `show_steps` slider) get ids numbered in a fixed order (from the
  outputs that show them, through the widgets they hold) instead of random ones;
- printed text that the kernel sent in several pieces is one output;
- a memory address in an object's plain-text repr (`<... at 0x7f...>`), shown
  only when no richer picture is, is dropped.
The kernel talks over local sockets, so it warns about nothing. A notebook
whose text comes out the same is not rewritten. The first failing cell stops
the run with its error.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

import nbclient
import nbformat
from traitlets.config import Config

STATE = "application/vnd.jupyter.widget-state+json"
VIEW = "application/vnd.jupyter.widget-view+json"
REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]{32})")
ADDRESS = re.compile(r" at 0x[0-9a-f]+>")


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [out for cell in notebook.cells for out in cell.get("outputs", [])]


def widget_order(notebook: nbformat.NotebookNode, state: dict) -> list[str]:
    """Widget ids in a fixed order: breadth first from the shown ones, then the rest by content."""
    shown = [out["data"] for out in outputs(notebook) if VIEW in out.get("data", {})]
    queue = [data[VIEW]["model_id"] for data in shown]
    order: list[str] = []
    while queue:
        widget = queue.pop(0)
        if widget in state and widget not in order:
            order.append(widget)
            queue += REFERENCE.findall(json.dumps(state[widget], sort_keys=True))
    rest = [w for w in state if w not in order]
    return order + sorted(rest, key=lambda w: json.dumps(state[w], sort_keys=True))


def stable_text(notebook: nbformat.NotebookNode) -> str:
    """The notebook as text, its widgets numbered in `widget_order` (nbformat sorts keys)."""
    widgets = notebook.metadata.get("widgets", {}).get(STATE, {})
    state = widgets.get("state", {})
    if not state:
        return nbformat.writes(notebook)
    numbers = {w: f"{n:032x}" for n, w in enumerate(widget_order(notebook, state), 1)}
    text = re.sub("|".join(numbers), lambda m: numbers[m.group(0)], nbformat.writes(notebook))
    return nbformat.writes(nbformat.reads(text, as_version=4))


def drop_addresses(notebook: nbformat.NotebookNode) -> None:
    for out in outputs(notebook):
        data = out.get("data", {})
        if len(data) > 1 and "text/plain" in data:
            data["text/plain"] = ADDRESS.sub(">", data["text/plain"])


def merge_streams(notebook: nbformat.NotebookNode) -> None:
    """One output per run of printed text: how a kernel splits a stream varies with load."""
    for cell in notebook.cells:
        merged: list = []
        for out in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                out.get("output_type") == "stream"
                and last is not None
                and last.get("output_type") == "stream"
                and last.get("name") == out.get("name")
            ):
                last["text"] += out["text"]
            else:
                merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged


def execute(notebook: nbformat.NotebookNode, folder: Path) -> None:
    with tempfile.TemporaryDirectory() as sockets:
        local = Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/kernel"}})
        nbclient.NotebookClient(
            notebook,
            config=local,
            kernel_name="python3",
            timeout=300,
            record_timing=False,
            resources={"metadata": {"path": str(folder)}},
        ).execute()


def run(path: Path) -> bool:
    """Execute one notebook in place; True when its text changed."""
    notebook = nbformat.read(path, as_version=4)
    execute(notebook, path.parent)
    merge_streams(notebook)
    drop_addresses(notebook)
    text = stable_text(notebook) + "\n"
    if path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def main(paths: list[str]) -> int:
    for name in paths:
        print(f"{name}: {'updated' if run(Path(name)) else 'unchanged'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
