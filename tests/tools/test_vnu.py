"""The Nu HTML checker wrapper (``tools/vnu.py``) reports each error with its page and line.

Needs Java (``apt-get install default-jre-headless``) and npm's ``vnu-jar``, which
``tools/node.py`` installs into ``.cache/node`` on first use.
"""

from __future__ import annotations

from tools import vnu

VALID = '<!doctype html><html lang="en"><head><title>t</title></head><body><p>ok</p></body></html>'


def test_a_valid_page_passes_and_an_invalid_one_is_named(tmp_path):
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "index.html").write_text(VALID)
    bad = VALID.replace("<p>ok</p>", '<label for="x" tabindex="">x</label><input id="x">')
    (tmp_path / "index.html").write_text(bad)
    errors = vnu.check(tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith("index.html:1: error:") and "tabindex" in errors[0]
