"""PyTorch in Practice: the code of every lesson, one module per lesson (see the site).

Importing the package pins the execution environment (:mod:`lessons.environment`), so a
reader's run gives the numbers printed on the site.
"""

from lessons import environment as _environment

_environment.apply()
