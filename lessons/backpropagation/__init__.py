"""Backpropagation: the code of the page ``docs/backpropagation.<lang>.md``.

* ``lesson``: Backpropagation: the chain rule by hand, gradient descent, a NumPy network, and
  autograd.
* ``scalar``: A scalar autograd engine in the style of micrograd: ``Value``, a tiny MLP, and checks.
* ``cost``: What a backward pass costs: floating-point operations and the memory autograd keeps;
  finite differences, forward mode and reverse mode compared.
* ``graph``: The computational graph autograd records: drawn from ``grad_fn`` with values and
  gradients, fan-out, gate patterns, the shapes of candidate gradients, and its lifetime.
* ``errors``: Three autograd errors a learner meets, produced by running code, and their fixes.
* ``exercises``: the code behind the worked solutions
  (``docs/solutions/backpropagation.<lang>.py``).
"""
