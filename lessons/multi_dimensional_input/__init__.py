"""Multi-dimensional input: the code of the page ``docs/multi-dimensional-input.<lang>.md``.

* ``lesson``: Lecture 7, multi-dimensional input: a sample is a row of features, a layer is a
  matrix product.
* ``architectures``: Lecture 7, multi-dimensional input: comparing MLP architectures over seeds,
  and the plots.
* ``exercises``: the code behind the worked solutions (``docs/solutions/multi-dimensional-
  input.<lang>.py``).
"""
