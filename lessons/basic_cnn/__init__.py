"""Basic CNN: the code of the page ``docs/basic-cnn.<lang>.md``.

* ``lesson``: Basic CNN (lecture 10): convolution and max pooling by hand, output sizes, a CNN
  on digits.
* ``exercises``: the code behind the worked solutions (``docs/solutions/basic-cnn.<lang>.py``).
"""
