r"""Typeset the pages' formulas at build time with the site's own KaTeX, run in embedded V8.

``pymdownx.arithmatex`` (generic mode) leaves ``<span class="arithmatex">\(…\)</span>``
and ``<div class="arithmatex">\[…\]</div>`` in the HTML. :func:`typeset` replaces their
TeX with KaTeX's HTML (what the eye sees) and MathML (what a screen reader reads), so
the reader's browser needs only ``katex.min.css`` and its fonts, no JavaScript. A formula
KaTeX cannot parse raises :class:`MathError`. Rendered formulas are kept in memory, so
the second language and ``mkdocs serve`` rebuilds reuse them.
"""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KATEX_JS = ROOT / "docs" / "assets" / "katex" / "katex.min.js"
OPTIONS = {"throwOnError": True, "output": "htmlAndMathml", "strict": "error"}
INLINE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)
DISPLAY = re.compile(r'<div class="arithmatex"([^>]*)>\s*\\\[(.*?)\\\]\s*</div>', re.S)
RENDER = """
function render(tex, display, options) {
  try {
    return {html: katex.renderToString(tex, Object.assign({displayMode: display}, options))};
  } catch (e) {
    return {error: String(e.message || e)};
  }
}
"""


class MathError(ValueError):
    """A formula KaTeX could not typeset."""


@functools.cache
def _engine():
    from py_mini_racer import MiniRacer  # only builds that typeset need V8

    ctx = MiniRacer()
    ctx.eval(KATEX_JS.read_text("utf8"))
    ctx.eval(RENDER)
    return ctx


@functools.cache
def render(tex: str, display: bool) -> str:
    """KaTeX's HTML+MathML for ``tex``; raise :class:`MathError` if it is not valid."""
    result = _engine().call("render", tex, display, OPTIONS)
    if "error" in result:
        raise MathError(f"{result['error']} in {json.dumps(tex, ensure_ascii=False)}")
    return _FUNCTION_IN_SCRIPT.sub(r"<mrow>\1</mrow>\2", result["html"])


# KaTeX 0.19 writes \lambda_{\max} as <msub><mi>λ</mi><mi>max</mi><mo>⁡</mo></msub>: three
# children where MathML allows two (the Nu checker rejects it). Group the last two.
_FUNCTION_IN_SCRIPT = re.compile(r"(<mi>[^<]*</mi><mo>\u2061</mo>)(</(?:msub|msup|munder|mover)>)")


def version() -> str:
    """The vendored KaTeX's version."""
    return _engine().eval("katex.version")


def typeset(content: str, display_attrs: str = "") -> str:
    """Replace every arithmatex formula in ``content`` with KaTeX's output.

    ``display_attrs`` go on each display formula's ``<div>`` (its scroll box on a phone).
    """
    content = INLINE.sub(
        lambda m: f'<span class="arithmatex">{render(html.unescape(m.group(1)), False)}</span>',
        content,
    )
    return DISPLAY.sub(
        lambda m: (
            f'<div class="arithmatex"{m.group(1)}{display_attrs}>'
            f"{render(html.unescape(m.group(2).strip()), True)}</div>"
        ),
        content,
    )
