"""PyTorch in Practice: the code of every lesson, one module per lesson (see the site)."""
