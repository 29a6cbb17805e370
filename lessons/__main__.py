"""``python -m lessons``: list the lessons, or run one from a terminal. See :mod:`lessons.cli`."""

import sys

from lessons.cli import main

sys.exit(main())
