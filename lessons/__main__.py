"""``python -m lessons``: list the lessons, or run one (the engine's command line).

It needs a clone of the repository, where the pages (``docs/``) and the engine live.
"""

import sys

from engine.cli import main

sys.exit(main())
