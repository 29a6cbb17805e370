"""PyTorch in Practice: the code of every lesson, one module per lesson (see the site).

Every lesson module imports :mod:`lessons.common`, which pins the execution environment
(:mod:`lessons.environment`), so a reader's run gives the numbers printed on the site.
"""
