"""Gradient descent: the code of the page ``docs/gradient-descent.<lang>.md``.

* ``lesson``: Gradient descent for ŷ = x·w: batch, stochastic and mini-batch; learning rates;
  saddle points.
* ``methods``: Batch, stochastic and mini-batch gradient descent compared, over several seeds.
* ``exercises``: the code behind the worked solutions (``docs/solutions/gradient-
  descent.<lang>.py``).
"""
