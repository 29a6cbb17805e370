"""From NumPy to nn.Module: the code of the page ``docs/numpy-to-nn-module.<lang>.md``.

* ``lesson``: From NumPy to nn.Module: one regression problem at every level of abstraction.
* ``small_net``: The warm-up notes' small network: fit a noisy parabola with one hidden ReLU
  layer.
* ``exercises``: the code behind the worked solutions (``docs/solutions/numpy-to-nn-
  module.<lang>.py``).
"""
