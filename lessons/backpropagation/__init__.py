"""Backpropagation: the code of the page ``docs/backpropagation.<lang>.md``.

* ``lesson``: Backpropagation: the chain rule by hand, gradient descent, a NumPy network, and
  autograd.
* ``cost``: What a backward pass costs: floating-point operations and the memory autograd keeps.
* ``graph``: The computational graph autograd records: drawn from ``grad_fn``, fan-out, and its
  lifetime.
* ``exercises``: the code behind the worked solutions
  (``docs/solutions/backpropagation.<lang>.py``).
"""
