"""What deep learning is: the code of the page ``docs/introduction.<lang>.md``.

* ``lesson``: Lecture 1: the curse of dimensionality measured, a learned representation,
  autograd's job.
* ``exercises``: the code behind the worked solutions
  (``docs/solutions/introduction.<lang>.py``).
"""
