"""Build-time math, the search plugin's light copy, valid markup (``tools/site_markup.py``)."""

from __future__ import annotations

import pytest

from tools import first_use, katex, site_markup

PAGE = (
    '<p>Rate <span class="arithmatex">\\(\\eta &lt; 1\\)</span>.</p>\n'
    '<div class="arithmatex" style="x">\\[v \\leftarrow \\mu v + g\\]</div>'
)


def test_formulas_become_html_and_mathml_without_tex_delimiters():
    out = katex.typeset(PAGE, display_attrs=' tabindex="0" role="group"')
    assert "\\(" not in out and "\\[" not in out
    assert out.count('<span class="katex">') == 2 and out.count("<math") == 2
    assert "<mo>&lt;</mo>" in out  # the entity was unescaped before KaTeX saw it
    # the div keeps its own attributes (its reserved height) and gets the scroll box's
    assert '<div class="arithmatex" style="x" tabindex="0" role="group"><span class="katex-' in out
    assert '<annotation encoding="application/x-tex">v \\leftarrow \\mu v + g</annotation>' in out


def test_a_function_name_in_a_subscript_is_valid_mathml():
    out = katex.render("\\lambda_{\\max}", False)
    assert "<msub><mi>λ</mi><mrow><mi>max</mi><mo>\u2061</mo></mrow></msub>" in out


def test_a_formula_katex_cannot_parse_fails_naming_it():
    with pytest.raises(katex.MathError, match=r"\\\\frac\{"):
        katex.typeset('<span class="arithmatex">\\(\\frac{\\)</span>')


def test_vendored_katex_version():
    assert katex.version() == "0.19.1"


def test_search_copy_keeps_prose_and_defined_names_only():
    code = (
        '<div class="highlight"><pre><span></span><code><span class="k">def</span> '
        '<span class="nf">momentum_step</span><span class="p">(</span>p, v'
        '<span class="p">):</span>\n    <span class="k">return</span> p</code></pre></div>'
    )
    out = site_markup.search_text(f"<p>Heavy ball.</p>{code}{PAGE}<svg><path d='M0'/></svg>")
    assert "<p>Heavy ball.</p>" in out and "<code>momentum_step</code>" in out
    assert "return" not in out and "arithmatex" not in out and "<svg" not in out


def test_output_blocks_leave_nothing_in_the_search_copy():
    block = '<div class="highlight"><pre><code>loss = 0.25</code></pre></div>'
    out = site_markup.search_text(block)
    assert "0.25" not in out


def test_checkbox_toggles_lose_autocomplete():
    html = '<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search" '
    html += 'autocomplete="off">'
    assert "autocomplete" not in site_markup.valid_html(html)


def test_katex_stylesheet_and_fonts_only_on_pages_with_math():
    head = '<link rel="stylesheet" href="../assets/stylesheets/extra.css">'
    assert site_markup.math_styles(head + "<p>no math</p>") == head + "<p>no math</p>"
    out = site_markup.math_styles(head + '<span class="katex">x</span>')
    assert out.index('href="../assets/katex/katex.min.css"') < out.index("extra.css")
    assert 'rel="preload" href="../assets/katex/fonts/KaTeX_Main-Regular.woff2"' in out


def test_repeated_stylesheet_links_are_dropped():
    link = '<link rel="stylesheet" href="a.css">'
    assert site_markup.single_links(f"{link}\n    {link}\n") == f"{link}\n"


def test_the_404_language_selector_leads_to_the_language_roots():
    html = (
        '<a href="./softmax/" hreflang="zh" lang="zh" target="_self">'
        '<a href="./en/softmax/" hreflang="en" lang="en" target="_self">'
    )
    out = site_markup.roots_in_selector(html)
    assert '<a href="./" hreflang="zh"' in out and '<a href="./en/" hreflang="en"' in out


def test_code_wider_than_a_phone_is_a_tab_stop_and_narrow_code_is_not():
    wide = "<pre><span></span><code>" + "x = 1  # " + "&lt;" * 40 + "\n</code></pre>"
    narrow = "<pre><code><span>y</span> = 2\n</code></pre>"
    out = site_markup.focusable_code(wide + narrow)
    assert out.count('tabindex="0"') == 1 and out.startswith(
        '<pre><span></span><code tabindex="0">'
    )


def test_code_loses_spans_drawn_in_the_code_colour_and_merges_neighbours():
    code = (
        '<pre><span></span><code><span class="kn">import</span><span class="w"> </span>'
        '<span class="n">torch</span><span class="p">(</span><span class="p">)</span>'
        "\n</code></pre>"
    )
    prose = '<p><span class="n">kept</span></p>'
    signature = '<code class="highlight language-python"><span class="n">f</span></code>'
    assert site_markup.slim_code(code + prose + signature) == (
        '<pre><span></span><code><span class="kn">import</span> torch<span class="p">()</span>'
        "\n</code></pre>" + prose + '<code class="highlight language-python">f</code>'
    )


def test_the_bundle_script_becomes_a_first_use_loader():
    page = '<body><p>x</p><script src="../assets/javascripts/bundle.a5f9d56c.min.js"></script>'
    out = first_use.defer_bundle(page)
    assert "<script src=" not in out and out.startswith("<body><p>x</p><script>(()=>{")
    assert 's.src="../assets/javascripts/bundle.a5f9d56c.min.js"' in out
    assert all(f'"{event}"' in out for event in first_use.EVENTS)
    with pytest.raises(first_use.BundleNotFound, match="bundle <script> not found"):
        first_use.defer_bundle("<body><p>x</p></body>")
