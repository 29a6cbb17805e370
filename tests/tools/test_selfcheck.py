"""Self-checks: every lesson asks 3-5 questions in each language, graded against its own run."""

from __future__ import annotations

import re

import pytest

from engine import pages
from lessons.printing import answer_key
from tools import selfcheck

EXERCISES = re.compile(r"^## (练习|Exercises)$", re.M)
LESSONS = [  # the lessons proper: pages with exercises (the home page runs code too)
    slug
    for slug in pages.lessons()
    if EXERCISES.search(pages.page_file(slug, pages.default_language()).read_text("utf8"))
]
BLOCK = """```selfcheck
- question: 'Which $\\mu$?'
  options: ['$\\mu=0$', '$\\mu=0.9$']
  answer: lower
- question: 'How much?'
  answer: ratio
  tol: 0.01
  explain: 'Because.'
- question: 'A concept.'
  options: [a, b, c]
  answer: 2
```"""


def page_questions(slug: str, lang: str) -> list[selfcheck.Question]:
    path = pages.page_file(slug, lang)
    text = path.read_text("utf8")
    return [q for block in selfcheck.BLOCK.findall(text) for q in selfcheck.questions(block, path)]


@pytest.mark.parametrize("slug", LESSONS)
def test_every_lesson_asks_three_to_five_questions_before_its_exercises(slug):
    for lang in pages.languages():
        text = pages.page_file(slug, lang).read_text("utf8")
        assert 3 <= len(page_questions(slug, lang)) <= 5, f"{slug}.{lang}"
        block = selfcheck.BLOCK.search(text)
        exercises = EXERCISES.search(text)
        assert block and exercises and block.start() < exercises.start(), f"{slug}.{lang}"


@pytest.mark.parametrize("slug", LESSONS)
def test_every_language_asks_the_same_questions_with_the_same_keys(slug):
    asked = {
        lang: [(q.answer, len(q.options), q.tol) for q in page_questions(slug, lang)]
        for lang in pages.languages()
    }
    assert len(set(map(tuple, asked.values()))) == 1, asked


@pytest.mark.parametrize("slug", LESSONS)
def test_a_page_with_a_computed_key_has_a_key_fence_that_prints_it(slug):
    """Every key a question names is printed by the page's key fence (the build checks values)."""
    page = pages.Page.read(pages.page_file(slug, pages.default_language()))
    named = {q.answer for q in page_questions(slug, pages.default_language())}
    named = {n for n in named if isinstance(n, str)}
    code = "\n".join(f.code for f in selfcheck.key_fences(page))
    assert all(re.search(rf"\b{re.escape(n)}=", code) for n in named), (named, code)


def form(known):
    text = selfcheck.render(BLOCK, known, "docs/x.en.md", "en/x/")
    return text


def test_the_form_is_a_fieldset_per_question_graded_against_the_keys():
    html = form({"lower": 1, "ratio": 0.0526})
    assert html.count('<fieldset class="selfcheck"') == 3 and html.count("<legend>") == 3
    assert re.findall(r'data-answer="([^"]*)"', html) == ["1", "0.0526", "2"]
    assert 'data-tol="0.01"' in html
    assert '<span class="selfcheck-explain" hidden>Because.</span>' in html
    assert html.count('type="radio" name="selfcheck-1-1"') == 2
    assert 'type="text" name="selfcheck-1-2"' in html and 'role="status"' in html
    assert (
        '<span class="arithmatex">' in html
        and 'src="../../assets/javascripts/selfcheck.js"' in html
    )


def test_without_a_run_the_questions_show_without_answers():
    assert re.findall(r'data-answer="([^"]*)"', form(None)) == ["2"]


@pytest.mark.parametrize(
    ("known", "message"),
    [
        ({"ratio": 0.1}, "no key 'lower'"),
        ({"lower": 2, "ratio": 0.1}, "not an option's index"),
        ({"lower": 0, "ratio": "x"}, "not a number"),
        ({"lower": 0, "ratio": float("nan")}, "not a number"),
    ],
)
def test_a_key_that_cannot_be_had_fails_naming_the_page_and_block(known, message):
    with pytest.raises(selfcheck.SelfCheckError, match=r"docs/x\.en\.md: selfcheck block 1: .*"):
        try:
            form(known)
        except selfcheck.SelfCheckError as err:
            assert message in str(err)
            raise


def test_a_malformed_block_fails_naming_the_page():
    with pytest.raises(selfcheck.SelfCheckError, match="docs/x.en.md: selfcheck block 1"):
        selfcheck.render("```selfcheck\n- options: [a]\n```", {}, "docs/x.en.md", "en/x/")


def test_answer_key_prints_json_and_refuses_what_is_not_an_index_or_number(capsys):
    answer_key(b=1, a=0.5)
    assert capsys.readouterr().out == '{"a": 0.5, "b": 1}\n'
    with pytest.raises(TypeError, match="flag"):
        answer_key(flag=True)
    with pytest.raises(selfcheck.SelfCheckError, match="no JSON object"):
        selfcheck.keys("[1]", "docs/x.en.md: Python block 3")


def test_an_option_that_is_a_formula_is_named_as_its_mathml_reads():
    """axe finds no name in a label of KaTeX alone (its HTML is aria-hidden): the input has one."""
    html = form({"lower": 1, "ratio": 0.0526})
    assert re.findall(r'aria-label="([^"]*)"', html) == ["μ=0", "μ=0.9"]
    assert selfcheck.spoken("only ($\\eta$, $\\sqrt{\\mu}$, $10^{-4}$)") == "only (η, √(μ), 10^−4)"
