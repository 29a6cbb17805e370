"""The course's engine: how a page's code is found, run, cached and shown.

The site build, the tests, the notebooks, the worked solutions, ``python -m lessons`` and the
GPU check all run the course's code through it (``engine/README.md`` tells how). The
``lessons`` package never imports it; ``tools/`` adapts it to MkDocs and checks the site.
"""
