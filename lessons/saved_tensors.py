"""What autograd saves for backward: the activation memory of a forward pass, measured.

The backpropagation lesson counts it by depth and batch size; the gradient-accumulation
lesson shows how K micro-batches divide it by K.
"""

from __future__ import annotations

import torch


# --8<-- [start:saved_bytes]
def saved_bytes(model, x):
    """Run ``model(x)``; return the output and the bytes autograd keeps for backward.

    Parameters are not counted: what remains are the activations, which grow with the batch.
    """
    params = {p.data_ptr() for p in model.parameters()}
    saved = {}

    def pack(t):  # called for every tensor autograd saves for backward
        if t.data_ptr() not in params:
            saved[t.data_ptr(), t.numel()] = t.numel() * t.element_size()  # count each once
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(x)
    return out, sum(saved.values())


# --8<-- [end:saved_bytes]
