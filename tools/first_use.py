"""Material's JavaScript bundle loads when the reader first interacts, not at page load.

Everything a page shows is in its HTML: formulas typeset at build time, figures as files,
the drawer, the language menu and the palette toggle working without the bundle
(``overrides/``). The bundle adds search, copy buttons, the header title and the table of
contents' tracking. Starting it costs a phone's main thread about 0.4 s at load (Lighthouse,
4× CPU slowdown), even on a page with no other content. :func:`defer_bundle` replaces its
``<script>`` with a loader that fetches it on the first scroll, touch, click, key press or
focus (or at once on a page opened from a search result, whose ``?h=`` needs it), then
replays the ``DOMContentLoaded`` the bundle waits for if the page has already passed it.
Until then the page keeps Material's ``no-js`` styles, except that the loader's class
``first-use`` shows the search button and box (``extra.css``): using them loads the bundle.
"""

from __future__ import annotations

import json
import re

BUNDLE = re.compile(r'<script src="([^"]*assets/javascripts/bundle\.\w+\.min\.js)"></script>')
EVENTS = ("pointerdown", "touchstart", "keydown", "focusin", "wheel", "scroll")
LOADER = (
    "(()=>{document.documentElement.classList.add('first-use');"
    "const T=%s;let on=false;const go=()=>{if(on)return;on=true;"
    "for(const t of T)removeEventListener(t,go,true);const s=document.createElement('script');"
    "s.src=%s;s.onload=()=>{document.readyState!=='loading'&&"
    "document.dispatchEvent(new Event('DOMContentLoaded'))};document.body.append(s)};"
    "for(const t of T)addEventListener(t,go,{capture:true,passive:true});"
    "/[?&]h=/.test(location.search)&&go()})()"
)


class BundleNotFound(ValueError):
    """The page has no ``<script>`` for Material's bundle where one was expected."""


def defer_bundle(output: str) -> str:
    """Replace the bundle's ``<script>`` in ``output`` with the first-use loader."""
    found = BUNDLE.search(output)
    if found is None:
        raise BundleNotFound("Material's bundle <script> not found: has the theme changed?")
    loader = LOADER % (json.dumps(list(EVENTS)), json.dumps(found.group(1)))
    return output[: found.start()] + f"<script>{loader}</script>" + output[found.end() :]
