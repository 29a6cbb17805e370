"""Gradient accumulation: the code of the page ``docs/gradient-accumulation.<lang>.md``.

* ``lesson``: Gradient accumulation: K micro-batches of size B give the gradient of one batch of
  K·B.
* ``distributed``: Gradient accumulation with ``DistributedDataParallel``: ``no_sync`` and
  counted all-reduces.
* ``memory``: Memory of one optimizer step, measured: accumulation and activation
  checkpointing.
* ``practice``: Gradient accumulation as trainers do it: clipping, schedulers, mixed precision,
  tokens, cost.
* ``training``: Gradient accumulation in training: K micro-batches of B against one batch of
  K·B.
* ``exercises``: the code behind the worked solutions (``docs/solutions/gradient-
  accumulation.<lang>.py``).
"""
