"""MkDocs plugin ``glossary``: the course's terms, from one file, on every page that uses them.

``docs/glossary.yml`` is the one source of the course's terms: each entry has the term's
forms in English and in Chinese and a one-line definition in each language, and may name
the Chinese translations the course does not use (``zh_not``; ``tests/tools/test_glossary.py``
fails on a page that uses one). From it:

- the glossary page of each language (``docs/glossary.<lang>.md``, at its :data:`MARKER`);
- on every other page, the first place each term appears in the prose becomes
  ``<abbr class="term" title="definition" tabindex="0">``: the browser shows the title on
  hover, ``extra.css`` shows it on keyboard focus (or a tap on a phone), and screen readers
  read it as the term's description. No JavaScript, so it works before Material's bundle
  has loaded (``tools/first_use.py``).

Why not Python-Markdown's ``abbr``: it matches a term only between word boundaries, and
Chinese has none (梯度 inside 使用梯度下降 is never found); it marks every occurrence, not
the first; and it takes one set of definitions for the build, not one per language.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import yaml
from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from mkdocs.plugins import BasePlugin

from engine import pages
from tools import languages

SOURCE = pages.ROOT / "docs" / "glossary.yml"
MARKER = "<!-- glossary -->"  # where a glossary page gets its table
SKIPPED = {"a", "abbr", "code", "pre", "kbd", "script", "style", "sup", "svg", "math"}
SKIPPED |= {f"h{level}" for level in range(1, 7)}  # headings feed the table of contents
HEADINGS = {"zh": ("术语", "English", "释义"), "en": ("Term", "中文", "Definition")}


@dataclass(frozen=True)
class Term:
    """One entry of the glossary: its forms and definition in each language."""

    forms: dict[str, tuple[str, ...]]  # language -> the forms a page may write, first the term
    definition: dict[str, str]  # language -> one sentence
    rejected: tuple[str, ...] = ()  # Chinese translations the course does not use
    tooltip: bool = True  # False where a form is also an everyday word (速度, speed)


@functools.cache
def terms() -> tuple[Term, ...]:
    """The glossary's entries, in the file's order."""
    entries = yaml.safe_load(SOURCE.read_text("utf8"))
    return tuple(
        Term(
            forms={lang: tuple(e[lang]) for lang in ("en", "zh")},
            definition={lang: e[f"{lang}_def"] for lang in ("en", "zh")},
            rejected=tuple(e.get("zh_not", ())),
            tooltip=e.get("tooltip", True),
        )
        for e in entries
    )


def table(lang: str) -> str:
    """The glossary page's Markdown table in ``lang``: term, other language, definition."""
    other = "en" if lang == "zh" else "zh"
    rows = [f"| {' | '.join(HEADINGS[lang])} |", "|---|---|---|"]
    for term in sorted(terms(), key=lambda t: t.forms[lang][0].lower()):
        rows.append(f"| {term.forms[lang][0]} | {term.forms[other][0]} | {term.definition[lang]} |")
    return "\n".join(rows)


def pattern(forms: list[str]) -> re.Pattern:
    """One regular expression for ``forms``, longest first.

    A form in Latin letters matches as a whole word, in any case if written in lower case
    (a sentence may start with it); a Chinese form matches anywhere, since Chinese text has
    no spaces between words, and the longest form wins (随机梯度下降 over 梯度下降 over 梯度).
    """

    def one(form: str) -> str:
        if not form.isascii():
            return re.escape(form)
        word = re.escape(form) if not form.islower() else f"(?i:{re.escape(form)})"
        return rf"(?<![\w-]){word}(?![\w-])"

    return re.compile("|".join(one(f) for f in sorted(forms, key=len, reverse=True)))


class TermsProcessor(Treeprocessor):
    """Mark the first place each term appears in a page's prose (see the module's docstring)."""

    def __init__(self, md, extension: TermsExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        """Walk the page's tree in reading order, marking each term once."""
        definitions = self.extension.definitions
        if definitions:
            self.found = pattern(list(definitions))
            self.seen: set[str] = set()
            self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        if element.tag in SKIPPED or "admonition-title" in element.get("class", ""):
            return
        element.text, marked = self._mark(element.text)
        element[0:0] = marked
        for child in list(element)[len(marked) :]:
            self._walk(child)
            child.tail, marked = self._mark(child.tail)
            index = list(element).index(child) + 1
            element[index:index] = marked

    def _mark(self, text: str | None) -> tuple[str | None, list[etree.Element]]:
        """``text`` up to its first unseen term, and an ``abbr`` per unseen term (with tails)."""
        if not text or isinstance(text, AtomicString):
            return text, []
        definitions, marked, lead, end = self.extension.definitions, [], text, None
        for match in self.found.finditer(text):
            definition = definitions[self._form(match.group(0))]
            if definition in self.seen:
                continue
            self.seen.add(definition)
            abbr = etree.Element("abbr", {"class": "term", "title": definition, "tabindex": "0"})
            abbr.text = AtomicString(match.group(0))
            if marked:
                marked[-1].tail = text[end : match.start()]
            else:
                lead = text[: match.start()]
            marked.append(abbr)
            end = match.end()
        if marked:
            marked[-1].tail = text[end:]
        return lead, marked

    def _form(self, written: str) -> str:
        """The glossary's form for ``written`` (a lower-case form matches in any case)."""
        definitions = self.extension.definitions
        return written if written in definitions else written.lower()


class TermsExtension(Extension):
    """The Markdown side of the plugin: ``definitions`` is set per page, by its language."""

    def __init__(self) -> None:
        super().__init__()
        self.definitions: dict[str, str] = {}  # form -> definition, for the page being built

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        """Run after the inline patterns, so code and links are already elements."""
        md.treeprocessors.register(TermsProcessor(md, self), "glossary-terms", 6)


class Glossary(BasePlugin):
    """Fill the glossary pages; give every other page its language's definitions."""

    def __init__(self) -> None:
        self.extension = TermsExtension()

    def on_config(self, config):
        """Add the extension (one instance, whose definitions change per page)."""
        config.markdown_extensions.append(self.extension)
        return config

    def on_page_markdown(self, markdown, page, config, files):
        """Fill a glossary page; or set the page's language's definitions for its terms."""
        lang = languages.language_of(page.url)
        self.extension.definitions = {}
        if MARKER in markdown:
            return markdown.replace(MARKER, table(lang))
        if page.file.src_uri.startswith("reference."):  # the API reference is not prose
            return markdown
        self.extension.definitions = {
            form: term.definition[lang]
            for term in terms()
            if term.tooltip
            for form in term.forms[lang]
        }
        return markdown
