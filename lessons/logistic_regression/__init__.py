"""Logistic regression: the code of the page ``docs/logistic-regression.<lang>.md``.

* ``lesson``: Logistic regression: sigmoid, binary cross-entropy by hand and in PyTorch,
  decision boundary.
* ``over_seeds``: Logistic regression over several seeds at once: do the seed-0 results hold for
  other seeds.
* ``stability``: Where ``BCELoss(sigmoid(z))`` breaks in float32, and why
  ``BCEWithLogitsLoss(z)`` does not.
* ``exercises``: the code behind the worked solutions (``docs/solutions/logistic-
  regression.<lang>.py``).
"""
