"""What a convolution costs: the multiplications of one layer.

The advanced-CNN lesson compares layers by it; the basic-CNN exercises check it against the
shapes a forward pass really has.
"""

from __future__ import annotations

from lessons.checks import check_int, checked


def _check_conv_mults(h, w, c_in, c_out, k, **_) -> None:
    for name, value in (("h", h), ("w", w), ("c_in", c_in), ("c_out", c_out), ("k", k)):
        check_int(name, value, minimum=1)


@checked(_check_conv_mults)
# --8<-- [start:conv_mults]
def conv_mults(h: int, w: int, c_in: int, c_out: int, k: int) -> int:
    """Multiplications of a K×K convolution whose output is ``c_out × h × w``.

    Every one of the ``c_out·h·w`` outputs is a sum of ``c_in·K·K`` products.
    """
    return c_out * h * w * c_in * k * k


# --8<-- [end:conv_mults]
