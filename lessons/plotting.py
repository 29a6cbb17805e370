"""Figures for the lessons: one style, symbols instead of words, and SVG output.

Figures carry math symbols and numbers only (``$w$``, ``$J(w)$``, ``epoch``-free axes
where possible), so the Chinese and English pages share them and no CJK glyph is
ever needed. Text is drawn as paths, so an SVG looks the same on every machine.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")  # headless: the site build and the tests have no display

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "legend.frameon": False,
    "svg.fonttype": "path",  # no font needed to view the SVG
    "svg.hashsalt": "pytorch-in-practice",  # deterministic ids, so builds are byte-identical
}
matplotlib.rcParams.update(STYLE)


def subplots(nrows: int = 1, ncols: int = 1, **kwargs) -> tuple[Figure, object]:
    """Create a figure in the course style (a thin wrapper over ``plt.subplots``).

    Args:
        nrows: Rows of axes.
        ncols: Columns of axes.
        **kwargs: Passed on to ``plt.subplots`` (``figsize``, ``sharey``...).

    Returns:
        ``(fig, axes)`` as ``plt.subplots`` returns them.
    """
    for name, value in (("nrows", nrows), ("ncols", ncols)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    fig, axes = plt.subplots(nrows, ncols, layout="constrained", **kwargs)
    return fig, axes


def has_content(fig: Figure) -> bool:
    """Return True if some axes of ``fig`` draws data (lines, images, patches, collections)."""
    for ax in fig.axes:
        if ax.lines or ax.images or ax.collections or ax.patches or ax.tables:
            return True
    return False


def describe(fig: Figure) -> str:
    """A short text alternative for ``fig``: its label if set, else its axes' titles and labels.

    Args:
        fig: The figure.

    Returns:
        A description such as ``"$J$ vs $t$; GD, SGD"`` (empty if nothing is known).
    """
    if fig.get_label():
        return fig.get_label()
    parts = []
    for ax in fig.axes:
        bits = [ax.get_title()]
        xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
        bits.append(f"{ylabel} vs {xlabel}" if xlabel and ylabel else xlabel or ylabel)
        handles = ax.get_legend_handles_labels()[1]
        if handles:
            bits.append(", ".join(handles))
        text = "; ".join(b for b in bits if b)
        if text:
            parts.append(text)
    return " | ".join(parts)


def to_svg(fig: Figure, prefix: str = "f") -> str:
    """Render ``fig`` as a standalone SVG document, byte-for-byte deterministic.

    The XML prolog and the RDF ``<metadata>`` are dropped, and every ``id`` is renamed
    ``<prefix>-<n>`` in order of appearance: matplotlib derives clip-path ids from object
    addresses, which change from run to run.

    Args:
        fig: The figure to render.
        prefix: Prefix for element ids.

    Returns:
        The ``<svg ...>...</svg>`` markup.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not re.fullmatch(r"[A-Za-z][\w-]*", prefix):
        raise ValueError(f"prefix must be an identifier-like string, got {prefix!r}")
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    ids = list(dict.fromkeys(re.findall(r'id="([^"]+)"', svg)))  # in order of appearance
    if ids:
        names = {old: f"{prefix}-{n}" for n, old in enumerate(ids, start=1)}
        pattern = re.compile(r'(id="|#)(' + "|".join(map(re.escape, ids)) + r')(?=["\)])')
        svg = pattern.sub(lambda m: m.group(1) + names[m.group(2)], svg)
    return "\n".join(line for line in svg.splitlines() if line.strip())
