"""PyTorch in Practice: the code of the course, one package per page, in the site's order.

Each lesson page has a package named by its slug (``docs/momentum.zh.md`` →
``lessons/momentum/``), in the order of the site's ``nav`` (``mkdocs.yml``). It holds every
line the page shows or calls (its main module is ``lesson.py``) and the code behind its
exercises (``exercises.py``).

Shared by several pages: ``environment`` (the same numbers on every machine), ``seeds``,
``devices``, ``checks`` (argument checks), ``printing`` (tables, an expected error, progress
bars), ``plotting``; the data sets and models used on two pages: ``digits``, ``tabular_mlp``,
``dynamic_net``, ``saved_tensors``, ``conv_cost``.

``python -m lessons`` lists the lessons and runs one from a terminal (it needs a clone of the
repository: the pages live in ``docs/``, the engine that runs them in ``engine/``).
"""
