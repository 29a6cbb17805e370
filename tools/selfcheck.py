r"""Self-checks: questions at the end of a lesson, graded in the reader's browser.

A page writes its questions in its own language, in a ```` ```selfcheck ```` block of YAML::

    - question: After 80 steps, which $\mu$ is closest to the minimum?
      options: ['$\mu=0$', '$\mu=0.5$', '$\mu=0.9$']   # single quotes: YAML keeps \ as is
      answer: closest      # a key printed by the page's key fence: the right option's index
    - question: What is $f(x_{80})$ for $\mu=0.9$?
      answer: f_80         # no options: the reader types a number, right within ``tol``
      tol: 0.01            # relative; default 1e-3
      explain: Why, shown once the answer is right (optional).

Where a question is about a number or a behaviour, its answer comes from the page's own run:
a ```` ```python selfcheck ```` fence, byte-identical in every language like all fences,
computes the keys from the names the page's fences defined and prints them with
:func:`lessons.printing.answer_key`. The engine runs it as any fence (build, tests, notebook,
cache), so a changed lesson cannot leave a wrong key behind. The site does not show that
fence (it holds the answers); a question about a concept may give its answer as a literal
index instead of a key's name. A key that is missing, of the wrong kind or out of range fails
the build, naming the page.

The form is plain HTML: a ``fieldset`` per question with its ``legend``, radio buttons or a
text field, a check button and a live status line (``assets/javascripts/selfcheck.js``
grades and keeps the reader's answers in the browser's storage). Why not a quiz plugin:
mkdocs-quiz and its kin take the right answer as a literal in the Markdown, so a key can't
come from the page's run, and they render with their own JavaScript before the answers are
known to be right.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass

import markdown
import yaml

from engine import pages
from tools import katex, languages

BLOCK = re.compile(r"^```selfcheck[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
INFO = "selfcheck"  # the word on a Python fence that makes it the page's key fence
SCRIPT = "assets/javascripts/selfcheck.js"
DEFAULT_TOL = 1e-3


class SelfCheckError(ValueError):
    """A self-check block is malformed or its key can't be had; the message names the page."""


@dataclass(frozen=True)
class Question:
    """One question: its text, its options (none: a number to type), and how it is graded."""

    text: str
    options: tuple[str, ...]
    answer: str | int  # a key's name, or the right option's index
    tol: float = DEFAULT_TOL
    explain: str = ""


def questions(block: str, where: str) -> list[Question]:
    """Parse one ```` ```selfcheck ```` block's YAML."""
    try:
        entries = yaml.safe_load(block)
        found = [
            Question(
                text=str(e["question"]),
                options=tuple(str(o) for o in e.get("options", ())),
                answer=e["answer"],
                tol=float(e.get("tol", DEFAULT_TOL)),
                explain=str(e.get("explain", "")),
            )
            for e in entries
        ]
    except (yaml.YAMLError, TypeError, KeyError, ValueError) as err:
        raise SelfCheckError(f"{where}: a selfcheck block can't be read: {err!r}") from None
    if not found:
        raise SelfCheckError(f"{where}: a selfcheck block has no question")
    return found


def key_fences(page: pages.Page) -> list[pages.Fence]:
    """The page's key fences (```` ```python selfcheck ````), which the site does not show."""
    lines = page.text.split("\n")
    return [f for f in page.fences if INFO in lines[f.start].split()[1:]]


def keys(stdout: str, where: str) -> dict:
    """The keys a key fence printed (one JSON object)."""
    try:
        found = json.loads(stdout)
    except ValueError:
        raise SelfCheckError(f"{where}: the selfcheck fence printed no JSON object") from None
    if not isinstance(found, dict):
        raise SelfCheckError(f"{where}: the selfcheck fence printed no JSON object")
    return found


def right_answer(question: Question, known: dict | None, where: str) -> int | float | None:
    """The answer a question is graded against (``None`` when the page's code did not run)."""
    if isinstance(question.answer, int) and not isinstance(question.answer, bool):
        value = question.answer
    elif known is None:
        return None
    elif question.answer in known:
        value = known[question.answer]
    else:
        raise SelfCheckError(f"{where}: no key {question.answer!r} for {question.text!r}")
    if question.options:
        if not (isinstance(value, int) and 0 <= value < len(question.options)):
            raise SelfCheckError(
                f"{where}: the key {question.answer!r} is {value!r}, not an option's index "
                f"(0 to {len(question.options) - 1}) for {question.text!r}"
            )
    elif not (isinstance(value, int | float) and math.isfinite(value)):
        raise SelfCheckError(f"{where}: the key {question.answer!r} is {value!r}, not a number")
    return value


def _inline(text: str) -> str:
    """A question's or option's Markdown as inline HTML (math is typeset later, with the page)."""
    md = markdown.Markdown(extensions=["pymdownx.arithmatex"], extension_configs=_MATH)
    return re.sub(r"^<p>(.*)</p>$", r"\1", md.convert(text), flags=re.S)


_MATH = {"pymdownx.arithmatex": {"generic": True}}
_INLINE_MATH = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)


def _script_mark(match: re.Match) -> str:
    return f"{match.group(2)}{'^' if match.group(1) == 'msup' else '_'}"


def spoken(text: str) -> str:
    """An option's text as a screen reader should hear it: formulas as KaTeX's MathML reads.

    A label whose option is only a formula has no accessible name for axe (KaTeX's HTML is
    ``aria-hidden``), so such an option's input gets this as its ``aria-label``.
    """

    def mathml_text(match: re.Match) -> str:
        mathml = re.search(r"<math.*?</math>", katex.render(html.unescape(match.group(1)), False))
        spoken = re.sub(r"<annotation.*?</annotation>", "", mathml.group(0), flags=re.S)
        spoken = spoken.replace("<msqrt>", "√(").replace("</msqrt>", ")")
        return re.sub(r"<(msup|msub)>(<(\w+)[^>]*>[^<]*</\3>)", _script_mark, spoken)

    plain = re.sub(r"<[^>]+>", "", _INLINE_MATH.sub(mathml_text, _inline(text)))
    return " ".join(html.unescape(plain).split())


def _name_of(option: str) -> str:
    """An ``aria-label`` attribute for an option with a formula (see :func:`spoken`)."""
    return f' aria-label="{html.escape(spoken(option))}"' if "$" in option else ""


def form(found: list[Question], known: dict | None, number: int, url: str, where: str) -> str:
    """The HTML of one block of questions; ``number`` makes its names unique on the page."""
    label = languages.LABELS[languages.language_of(url)]
    parts = []
    for q, question in enumerate(found, start=1):
        name = f"selfcheck-{number}-{q}"
        answer = right_answer(question, known, where)
        data = {"data-answer": json.dumps(answer)} if answer is not None else {}
        if not question.options:
            data["data-tol"] = repr(question.tol)
        attrs = "".join(f' {k}="{html.escape(v)}"' for k, v in data.items())
        explain = ""
        if question.explain:  # shown once the answer is right
            explain = f' <span class="selfcheck-explain" hidden>{_inline(question.explain)}</span>'
        if question.options:
            choices = "".join(
                f'<label><input type="radio" name="{name}" value="{i}"{_name_of(o)}> '
                f"{_inline(o)}</label>"
                for i, o in enumerate(question.options)
            )
        else:
            choices = (
                f'<label>{label["selfcheck number"]} <input type="text" name="{name}" '
                f'inputmode="decimal" autocomplete="off"></label>'
            )
        parts.append(
            f'<fieldset class="selfcheck"{attrs}><legend>{q}. {_inline(question.text)}</legend>'
            f"{choices}"
            f'<button type="button" class="md-button">{label["selfcheck check"]}</button>'
            f'<p class="selfcheck-feedback" role="status" aria-live="polite">'
            f'<span class="selfcheck-verdict"></span>{explain}</p></fieldset>'
        )
    words = f'data-right="{label["selfcheck right"]}" data-wrong="{label["selfcheck wrong"]}"'
    return f'<div class="selfchecks" data-page="{html.escape(url)}" {words}>{"".join(parts)}</div>'


def known_keys(page: pages.Page, results: list | None) -> dict | None:
    """The keys the page's key fences printed (``None`` when its code did not run)."""
    if results is None:
        return None
    known: dict = {}
    for fence in key_fences(page):
        known |= keys(results[fence.index - 1].stdout, f"{page.path}: Python block {fence.index}")
    return known


def render(text: str, known: dict | None, path: str, url: str) -> str:
    """Replace the selfcheck blocks of a page's Markdown ``text`` by their forms."""
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        count += 1
        where = f"{path}: selfcheck block {count}"
        return form(questions(match.group(1), where), known, count, url, where)

    text = BLOCK.sub(replace, text)
    if count:
        text += f'\n\n<script src="{"../" * url.count("/")}{SCRIPT}" defer></script>\n'
    return text
