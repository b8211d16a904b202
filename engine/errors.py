"""Errors every layer raises. All are ``ValueError`` subclasses so callers can catch one type.

The command line turns any :class:`MmsimError` into one line on stderr and exit code 2.
"""

from __future__ import annotations

import math


class MmsimError(ValueError):
    """Base class of every error mmsim raises on purpose (bad parameters, bad data, bad strategy output).

    Library code names parameters as Python spells them (``window_s``), never command-line options.

    Parameters
    ----------
    message : str
        What went wrong.
    params : tuple of str
        The parameters the message names; the command line shows each as its option (``--window-s``).
    """

    def __init__(self, message: str = "", *, params: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.params = tuple(params)

    def __reduce__(self):  # keep params across processes (a sweep's workers raise these too)
        return type(self), (str(self),), {"params": self.params}


class ConfigError(MmsimError):
    """A parameter is invalid: the message names the field, its value and what was expected."""


class DataError(MmsimError):
    """An input file is malformed: the message names the file, the row and the problem."""


class StrategyError(MmsimError):
    """A strategy raised or returned an invalid quote: the message names the strategy and the simulated time."""


def check_finite(name: str, value: float) -> float:
    """Return ``value`` as a float, or raise :class:`ConfigError` if it is not a finite number."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x):
        raise ConfigError(f"{name} must be finite, got {value!r}")
    return x


def check_positive(name: str, value: float) -> float:
    """Return ``value`` if it is finite and > 0, else raise :class:`ConfigError`."""
    x = check_finite(name, value)
    if x <= 0:
        raise ConfigError(f"{name} must be > 0, got {value!r}")
    return x


def check_non_negative(name: str, value: float) -> float:
    """Return ``value`` if it is finite and >= 0, else raise :class:`ConfigError`."""
    x = check_finite(name, value)
    if x < 0:
        raise ConfigError(f"{name} must be >= 0, got {value!r}")
    return x


def positive(instance, attribute, value) -> None:
    """attrs validator: finite and > 0."""
    check_positive(attribute.name, value)


def non_negative(instance, attribute, value) -> None:
    """attrs validator: finite and >= 0."""
    check_non_negative(attribute.name, value)


def finite(instance, attribute, value) -> None:
    """attrs validator: a finite number."""
    check_finite(attribute.name, value)


def optional_positive(instance, attribute, value) -> None:
    """attrs validator: ``None`` (the field is unset) or finite and > 0."""
    if value is not None:
        check_positive(attribute.name, value)


def optional_non_negative(instance, attribute, value) -> None:
    """attrs validator: ``None`` (the field is unset) or finite and >= 0."""
    if value is not None:
        check_non_negative(attribute.name, value)


def one_of(*allowed: str):
    """attrs validator factory: the value must be one of ``allowed``.

    Parameters
    ----------
    *allowed : str
        The accepted values, named in the error message in this order.

    Returns
    -------
    callable
        An attrs validator that raises :class:`ConfigError` naming the field, the accepted values and the value.
    """
    def check(instance, attribute, value) -> None:
        if value not in allowed:
            raise ConfigError(f"{attribute.name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return check
