"""Dataset and DataLoader: the code of the page ``docs/dataset-and-dataloader.<lang>.md``.

* ``lesson``: Lecture 8, Dataset and DataLoader: epochs, batches and iterations; a CSV-backed
  ``Dataset``.
* ``batch_size``: Lecture 8, Dataset and DataLoader: iteration counts, batch-size experiments
  over seeds, plots.
* ``exercises``: the code behind the worked solutions (``docs/solutions/dataset-and-
  dataloader.<lang>.py``).
"""
