"""Momentum: the code of the page ``docs/momentum.<lang>.md``.

* ``lesson``: Momentum: PyTorch's heavy-ball and Nesterov updates by hand, on a quadratic and on
  a network.
* ``noise``: Momentum under noise: minibatch SGD with momentum μ at η against plain SGD at
  η/(1−μ).
* ``theory``: Two facts about heavy ball that the momentum lesson checks in code.
* ``exercises``: the code behind the worked solutions (``docs/solutions/momentum.<lang>.py``).
"""
