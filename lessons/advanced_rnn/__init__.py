"""Advanced RNN: the code of the page ``docs/advanced-rnn.<lang>.md``.

* ``lesson``: Lecture 13: a GRU or an LSTM reads a surname character by character and guesses
  its country.
* ``gated_cells``: Lecture 13's gated cells written out: one GRU step and one LSTM step, in
  PyTorch's layout.
* ``names``: An offline surname → country data set, built from the name lists that Faker ships.
* ``reports``: Tables and figures for the names classifier of
  :mod:`lessons.advanced_rnn.lesson`.
* ``exercises``: the code behind the worked solutions (``docs/solutions/advanced-
  rnn.<lang>.py``).
"""
