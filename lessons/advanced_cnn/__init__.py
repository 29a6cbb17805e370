"""Advanced CNN: the code of the page ``docs/advanced-cnn.<lang>.md``.

* ``lesson``: Advanced CNN (lecture 11): an Inception module, the cost of 1×1 convolutions,
  residual blocks.
* ``exercises``: the code behind the worked solutions (``docs/solutions/advanced-
  cnn.<lang>.py``).
"""
