"""Linear model: the code of the page ``docs/linear-model.<lang>.md``.

* ``lesson``: Linear model: ŷ = x·w (+ b), the MSE cost, and finding w (and b) by exhaustive
  search.
* ``model_selection``: Training, validation (dev) and test splits: choosing a model, and how
  noisy a small split is.
* ``exercises``: the code behind the worked solutions (``docs/solutions/linear-
  model.<lang>.py``).
"""
