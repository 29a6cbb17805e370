"""Argument checks for the functions a learner calls with values of their own.

A check names the argument it rejects. It stays out of the lines a page shows: a private
``_check_<name>`` function beside the lesson's function, attached by :func:`checked` above
the snippet's start marker.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from collections.abc import Callable


def checked(check: Callable[..., None]) -> Callable[[Callable], Callable]:
    """Decorator: validate a lesson function's arguments with ``check`` before it runs.

    It keeps argument checks out of the lines a page shows: put the decorator above the
    snippet's start marker, and the page shows only the function itself::

        @checked(_check_step)
        # --8<-- [start:step]
        def step(p, lr): ...

    Args:
        check: Called with every argument of the function by name, defaults applied
            (it may take ``**_`` for those it ignores); raises ``TypeError``/``ValueError``.

    Returns:
        The decorator.
    """
    if not callable(check):
        raise TypeError(f"check must be callable, got {type(check).__name__}")

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)  # TypeError for a wrong call, as usual
            bound.apply_defaults()
            check(**bound.arguments)
            return fn(*args, **kwargs)

        return wrapper

    return decorate


def check_int(name: str, value: object, minimum: int | None = None) -> int:
    """Check that ``value`` is an int (not a bool) and at least ``minimum``.

    Args:
        name: Argument name, used in the error message.
        value: The value to check.
        minimum: Smallest allowed value, or ``None`` for no bound.

    Returns:
        ``value`` unchanged.

    Raises:
        TypeError: If ``value`` is not an integer.
        ValueError: If ``value`` is below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_ints(name: str, values: object, minimum: int | None = None) -> None:
    """Check that ``values`` is a non-empty sequence of ints, each at least ``minimum``.

    Args:
        name: Argument name, used in the error messages.
        values: The values to check (seeds, sizes, steps).
        minimum: Smallest allowed value, or ``None`` for no bound.

    Raises:
        TypeError: If a value is not an integer.
        ValueError: If ``values`` is empty or a value is below ``minimum``.
    """
    if len(values) == 0:
        raise ValueError(f"{name} must not be empty")
    for value in values:
        check_int(name, value, minimum)


def check_float(
    name: str, value: object, minimum: float | None = None, strict: bool = False
) -> float:
    """Check that ``value`` is a real number and at least (or, with ``strict``, above) ``minimum``.

    Args:
        name: Argument name, used in the error message.
        value: The value to check.
        minimum: Lower bound, or ``None`` for no bound.
        strict: If true, ``value`` must be strictly greater than ``minimum``.

    Returns:
        ``value`` as a float.

    Raises:
        TypeError: If ``value`` is not a real number.
        ValueError: If ``value`` is out of range or not finite.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        op = ">" if strict else ">="
        raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    return value
