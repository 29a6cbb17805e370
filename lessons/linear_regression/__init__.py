"""Linear regression with PyTorch: the code of the page ``docs/linear-regression.<lang>.md``.

* ``lesson``: Linear regression with PyTorch: the four steps and a hand-written check.
* ``optimizers``: Eight optimizers of ``torch.optim`` on the course's linear regression, over
  several seeds.
* ``exercises``: the code behind the worked solutions (``docs/solutions/linear-
  regression.<lang>.py``).
"""
