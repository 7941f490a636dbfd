"""What the course's notebooks share: the language of figure text, and readable defaults.

Each notebook starts with `import course` and `course.setup()`. The English and the Korean
edition run the same code; only this module differs between them (`ko/course.py` re-uses this
file and swaps the labels and the font). So every word that appears inside a figure goes
through `course.t`:

    plt.title(course.t("Loss per step"))     # "Loss per step", or "스텝별 손실" in ko/
"""

from __future__ import annotations

LANGUAGE = "en"
FONT = "DejaVu Sans"  # matplotlib's own font; the Korean edition needs a CJK font
LABELS: dict[str, str] = {}  # English text -> this edition's text (empty: English as written)
STRICT = False  # True in a translated edition: a label with no translation is an error


def t(text: str) -> str:
    """This edition's words for `text` (figure titles, axis labels, legends, graph labels)."""
    if STRICT and text not in LABELS:
        raise KeyError(f"course.t: no {LANGUAGE} text for {text!r}; add it to LABELS in course.py")
    return LABELS.get(text, text)


def setup() -> None:
    """matplotlib defaults that read well at the ~1000 px a notebook is shown at."""
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "figure.figsize": (9, 4.5),
            "figure.dpi": 110,
            "font.family": "sans-serif",
            "font.sans-serif": [FONT, "DejaVu Sans"],
            "font.size": 12,
            "axes.titlesize": 14,
            "axes.labelsize": 13,
            "legend.fontsize": 11,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.unicode_minus": False,  # CJK fonts lack the Unicode minus sign
            "lines.linewidth": 2,
        }
    )


def style(graph):
    """Give a graphviz graph this edition's font (Korean labels need a CJK font); returns it."""
    for attrs in (graph.graph_attr, graph.node_attr, graph.edge_attr):
        attrs["fontname"] = FONT
    return graph
