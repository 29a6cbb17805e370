"""The course's engine: how a page's code is found, run, cached and shown.

Everything that executes the lessons goes through here, so a page prints the same in the
site build, the tests, the notebooks, the worked solutions, ``python -m lessons run`` and
the GPU check:

* :mod:`engine.pages`: the page model. A lesson page (Markdown) or a worked solution
  (jupytext percent format) parsed once: its Python fences, ``--8<--`` includes expanded
  as the site expands them; the course's order and languages from ``mkdocs.yml``.
* :mod:`engine.executor`: runs a page's fences in one namespace with the site's rules
  (a warning is an error, a figure must draw something and have a text alternative).
* :mod:`engine.cache`: one on-disk cache, one fault policy, for page runs and rendered
  solutions; :mod:`engine.imports` finds the ``lessons`` modules a page's key covers.
* :mod:`engine.prerun`: runs the pages a build is missing on every core.
* :mod:`engine.notebooks`: a lesson page as a Jupyter notebook, and a notebook run in a
  fresh kernel.
* :mod:`engine.solutions`: a worked solution as an executed notebook.
* :mod:`engine.cli`: ``python -m lessons`` (list the lessons, run one).

The ``lessons`` package never imports the engine: a reader's notebook needs only ``lessons``.
``tools/`` adapts the engine to MkDocs (plugins) and checks the built site.
"""
