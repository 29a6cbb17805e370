"""The glossary: one source of terms, each translated one way, explained where it first appears."""

from __future__ import annotations

import re

import markdown
import pytest

from engine import pages
from tools import glossary

LANGS = ("zh", "en")


def render(text: str, definitions: dict[str, str]) -> str:
    extension = glossary.TermsExtension()
    extension.definitions = definitions
    return markdown.markdown(text, extensions=["admonition", extension])


def test_every_entry_has_both_languages_and_no_form_twice():
    seen: dict[str, int] = {}
    for number, term in enumerate(glossary.terms()):
        for lang in LANGS:
            assert term.forms[lang] and all(f.strip() == f and f for f in term.forms[lang])
            definition = term.definition[lang]
            assert definition.strip() and "\n" not in definition.strip(), term
            for form in term.forms[lang]:
                assert seen.setdefault(f"{lang}:{form.lower()}", number) == number, form
        assert not set(term.rejected) & set(term.forms["zh"]), term


def test_chinese_definitions_use_chinese_punctuation():
    for term in glossary.terms():
        assert '"' not in term.definition["zh"] and not term.definition["zh"].endswith("."), term


def sources() -> list:
    """Every Chinese page and worked solution of the site."""
    docs = pages.ROOT / "docs"
    return sorted(docs.glob("*.zh.md")) + sorted(docs.glob("solutions/*.zh.py"))


@pytest.mark.parametrize("path", sources(), ids=lambda p: p.name)
def test_no_page_translates_a_term_another_way(path):
    text = path.read_text("utf8")
    used = {
        f"{rejected} (for {term.forms['zh'][0]})"
        for term in glossary.terms()
        for rejected in term.rejected
        if rejected in text
    }
    assert not used, f"{path.name} uses {sorted(used)}: the glossary's term is the one to use"


def test_the_first_occurrence_of_each_term_is_marked_and_no_other():
    out = render(
        "使用随机梯度下降求梯度；梯度下降和梯度再次出现。", {"随机梯度下降": "SGD.", "梯度": "G."}
    )
    assert out.count('<abbr class="term"') == 2
    assert '<abbr class="term" tabindex="0" title="SGD.">随机梯度下降</abbr>' in out
    assert '求<abbr class="term" tabindex="0" title="G.">梯度</abbr>；梯度下降和梯度再次出现' in out


def test_latin_terms_match_whole_words_in_any_case_and_acronyms_exactly():
    defs = {"gradient": "G.", "SGD": "S."}
    out = render("Gradients differ. The gradient-free sgd. A Gradient, and SGD.", defs)
    assert re.findall(r'title="(\w)\.">(\w+)<', out) == [("G", "Gradient"), ("S", "SGD")]


def test_code_links_headings_math_and_admonition_titles_are_left_alone():
    text = (
        '## 梯度\n\n`梯度` [梯度](x.md)\n\n!!! note "梯度"\n    正文里的梯度。\n\n```\n梯度\n```\n'
    )
    out = render(text, {"梯度": "G."})
    assert out.count("<abbr") == 1 and '正文里的<abbr class="term"' in out


def test_a_term_inside_emphasis_and_after_it_keeps_the_text_in_order():
    out = render("先**加粗的动量**，后梯度与动量。", {"动量": "M.", "梯度": "G."})
    plain = re.sub(r"<[^>]+>", "", out)
    assert plain == "先加粗的动量，后梯度与动量。"
    assert out.count("<abbr") == 2


@pytest.mark.parametrize("lang", LANGS)
def test_the_glossary_page_lists_every_term_with_its_translation(lang):
    other = "en" if lang == "zh" else "zh"
    rows = glossary.table(lang).split("\n")[2:]
    assert len(rows) == len(glossary.terms())
    for term in glossary.terms():
        row = f"| {term.forms[lang][0]} | {term.forms[other][0]} | {term.definition[lang]} |"
        assert row in rows
