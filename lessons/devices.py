"""Devices: lessons compute on the CPU by default and use CUDA when it is present.

``LESSONS_DEVICE`` (``auto``, ``cpu`` or ``cuda``) decides what ``device=None`` means: the
site build and the tests set it to ``cpu`` (:func:`lessons.environment.pin_site_device`),
``python -m lessons run --device`` to what it is asked.
"""

from __future__ import annotations

import os

import torch


# --8<-- [start:default_device]
def default_device() -> torch.device:
    """Return ``cuda`` when a GPU is available, else ``cpu``. Lessons never require CUDA."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


# --8<-- [end:default_device]


def resolve_device(device: str | torch.device | None) -> torch.device:
    """Turn ``None``/``"auto"`` into :func:`default_device`, and validate anything else.

    Args:
        device: ``None``, ``"auto"``, ``"cpu"``, ``"cuda"`` or a ``torch.device``.

    Returns:
        The device to use.

    Raises:
        ValueError: If ``device`` names CUDA on a machine without a GPU, or is unknown.
    """
    if device is None:
        device = os.environ.get("LESSONS_DEVICE", "auto")  # python -m lessons run --device
    if device == "auto":
        return default_device()
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a str or torch.device, got {type(device).__name__}")
    try:
        dev = torch.device(device)
    except RuntimeError as err:
        raise ValueError(f"device: unknown device {device!r}") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device: 'cuda' was asked for but no GPU is available")
    return dev
