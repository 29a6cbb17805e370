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

from lessons.checks import checked  # noqa: E402

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


def _draw_curves(ax, curves: dict, log: bool, hline=None) -> None:
    """Draw every curve of ``curves`` (label → values) against its step 0, 1, 2, … on ``ax``."""
    for label, values in curves.items():
        ax.plot(list(values), lw=1.5, label=label)
    if hline is not None:  # (y, label) of a dashed reference line
        ax.axhline(hline[0], color="gray", linestyle="--", label=hline[1])
    ax.set_yscale("log" if log else "linear")
    if len(curves) > 1 or hline is not None:  # legend in a row above the axes, off the data
        n = len(curves) + (hline is not None)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(n, 4), fontsize=8)


def _check_curves(curves, **_) -> None:
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict of {label: values}")


def _check_pair(curves, **_) -> None:
    _check_curves(curves)
    values = [list(v) for v in curves.values()]
    if len(values) < 2 or len(values[0]) != len(values[1]):
        raise ValueError("curves must hold at least two curves of equal length")


@checked(_check_curves)
def plot_curves(curves: dict, ylabel: str, xlabel: str = "$t$", log: bool = True, hline=None):
    """One line per entry of ``curves`` against the step index: loss curves, trajectories.

    Args:
        curves: ``{legend label: values}``; labels are math symbols such as ``"$B=1$"``.
        ylabel: Symbol of the y-axis, e.g. ``"$L_t$"``.
        xlabel: Symbol of the x-axis (the step index).
        log: Use a logarithmic y-axis (the default: losses fall geometrically).
        hline: Optional ``(y value, label)`` of a dashed horizontal reference line.

    Returns:
        The figure, with alt text ``"<ylabel> vs <xlabel>: <labels>"``.
    """
    fig, ax = subplots()
    _draw_curves(ax, curves, log, hline)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    fig.set_label(f"{ylabel} vs {xlabel}: " + ", ".join(curves))
    return fig


@checked(_check_pair)
def plot_curves_and_gap(curves: dict, ylabel: str, xlabel: str = "$t$", ylim=None):
    """Curves on the left (log scale); on the right, |second − first| at every step.

    For two runs that should coincide (the right panel shows how far apart they are).

    Args:
        curves: ``{legend label: values}`` with at least two entries of equal length.
        ylabel: Symbol of the y-axis of the left panel, e.g. ``"$J$"``.
        xlabel: Symbol of the x-axis (the step index).
        ylim: Optional ``(bottom, top)`` of the left panel.

    Returns:
        The figure.
    """
    first, second = [list(v) for v in curves.values()][:2]
    fig, (ax, ax2) = subplots(1, 2, figsize=(8, 3.4))
    _draw_curves(ax, curves, log=True)
    ax.set(xlabel=xlabel, ylabel=ylabel, ylim=ylim)
    ax2.plot([abs(a - b) for a, b in zip(second, first, strict=True)], "C1.")
    ax2.set(xlabel=xlabel, ylabel=r"$|\Delta|$", yscale="log")
    fig.set_label(f"{ylabel} vs {xlabel}: " + ", ".join(curves) + rf"; $|\Delta|$ vs {xlabel}")
    return fig
