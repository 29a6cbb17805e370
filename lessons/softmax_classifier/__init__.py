"""Softmax classifier: the code of the page ``docs/softmax-classifier.<lang>.md``.

* ``lesson``: Softmax classification (lecture 9): softmax, cross-entropy by hand, and an MLP on
  the digits.
* ``exercises``: the code behind the worked solutions (``docs/solutions/softmax-
  classifier.<lang>.py``).
"""
