"""Basic RNN: the code of the page ``docs/basic-rnn.<lang>.md``.

* ``lesson``: Lecture 12: RNNCell vs RNN, and learning "hello" → "ohlol" three ways.
* ``bptt``: Lecture 12 by hand: the RNN recurrence, backpropagation through time, gradient
  decay.
* ``exercises``: the code behind the worked solutions (``docs/solutions/basic-rnn.<lang>.py``).
"""
