"""Figures as files: one SVG per figure under the site's ``figures/``, named by its content.

Lesson pages (``tools/lesson_pages.py``) and worked solutions (``tools/solution_pages.py``)
both show a figure as an ``<img>`` of that file, so a figure drawn by both languages, or by a
lesson and its solutions, is stored and downloaded once.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

FOLDER = "figures"  # folder of the site that holds every figure, once


def size(svg: str) -> tuple[int, int]:
    """The CSS pixel size of a matplotlib SVG (its ``viewBox`` is in points)."""
    box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if not box:
        raise ValueError("figure SVG has no viewBox")
    return round(float(box.group(1)) * 4 / 3), round(float(box.group(2)) * 4 / 3)


def write(svg: str, site_dir: str | Path) -> str:
    """Write ``svg`` into the site's figure folder (once); return its file name."""
    data = svg.encode()
    name = f"{hashlib.sha256(data).hexdigest()[:16]}.svg"
    path = Path(site_dir, FOLDER, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(data)
    return name


def tag(svg: str, alt: str, url: str, number: int) -> str:
    """The ``<figure>`` showing the figure file at ``url`` (its size read from ``svg``).

    Every figure but a page's first loads lazily; the first may be in view at once.
    """
    width, height = size(svg)
    lazy = ' loading="lazy"' if number > 1 else ""
    alt = html.escape(alt, quote=True)
    return (
        f'<figure class="docexec-figure"><img src="{url}" alt="{alt}" '
        f'width="{width}" height="{height}"{lazy} decoding="async"></figure>'
    )


def figure_html(svg: str, alt: str, number: int, page_url: str, site_dir: str | Path) -> str:
    """Write the figure file; return the ``<figure>`` for the page at ``page_url``."""
    name = write(svg, site_dir)
    up = "../" * page_url.count("/")
    return tag(svg, alt, f"{up}{FOLDER}/{name}", number)
