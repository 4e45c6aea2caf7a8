"""Running averages: a closure, a class, a generator coroutine, an async generator.

Every averager here follows the ``averager`` contract (``python -m spec list``):
it takes real numbers one at a time (``int``, ``bool``, ``float``,
``Fraction``) and answers each with the mean of all the values it has taken
so far.  A value that is not a real number (``str``, ``None``, ``complex``,
``Decimal``, any other object) raises :class:`TypeError` with the message
``can only average real numbers, not 'TYPE'`` and changes nothing; the
generator forms end instead (an exception that leaves a generator finishes
it).  NaN and infinities follow IEEE arithmetic.

The four plain forms (:func:`averager`, :class:`Averager`,
:func:`running_averager`, :func:`async_averager`) keep ``total`` and ``count``
and answer ``total / count``: ints and Fractions are summed exactly (the
answer is the float nearest the exact mean, or the exact Fraction), floats by
left-to-right float addition, whose error grows under cancellation.  They
agree bit for bit on the same inputs.  :func:`precise_averager` answers the
float nearest the exact mean whatever the inputs.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, Callable, Generator, Iterable
from fractions import Fraction
from math import isfinite, trunc
from numbers import Rational, Real
from typing import NoReturn, ParamSpec, TypeVar

__all__ = [
    "Averager",
    "async_averager",
    "averager",
    "coroutine",
    "precise_averager",
    "primed_running_averager",
    "running_averager",
    "running_averages",
]

P = ParamSpec("P")
Y = TypeVar("Y")
S = TypeVar("S")
R = TypeVar("R")

Number = int | float | Fraction
"""What the plain averagers answer: the type ``total / count`` has."""


def _not_real(value: object) -> NoReturn:
    raise TypeError(f"can only average real numbers, not {type(value).__name__!r}")


def averager() -> Callable[[Number], Number]:
    """A closure that answers each value with the mean so far.

    ``inner(value)`` raises :class:`TypeError` for a value that is not a real
    number and leaves the mean as it was.  Runtime complexity: O(1) per value.
    """
    total: Number = 0
    count = 0

    def inner(value: Number) -> Number:
        nonlocal total, count
        if type(value) is not float and not isinstance(value, Real):
            _not_real(value)
        # The addition comes first: if it raised, count would be off by one.
        total += value
        count += 1
        return total / count

    return inner


class Averager:
    """The closure as a class: ``Averager()(value)`` answers the mean so far.

    Raises :class:`TypeError` for a value that is not a real number, and then
    changes nothing.  ``total`` and ``count`` are readable.
    """

    __slots__ = ("count", "total")

    total: Number
    count: int

    def __init__(self) -> None:
        self.total = 0
        self.count = 0

    def __call__(self, value: Number) -> Number:
        if type(value) is not float and not isinstance(value, Real):
            _not_real(value)
        self.total += value
        self.count += 1
        return self.total / self.count

    def __repr__(self) -> str:
        return f"Averager(total={self.total!r}, count={self.count})"


def running_averager() -> Generator[Number | None, Number, NoReturn]:
    """A generator coroutine: prime it with ``next()``, then ``send(value)``.

    The first ``next()`` yields ``None``; each ``send(value)`` yields the mean
    so far.  A value that is not a real number raises :class:`TypeError`,
    which ends the generator.  ``close()`` ends it cleanly.
    """
    total: Number = 0
    count = 0
    average: Number | None = None
    while True:
        value = yield average
        if type(value) is not float and not isinstance(value, Real):
            _not_real(value)
        total += value
        count += 1
        average = total / count


def coroutine(func: Callable[P, Generator[Y, S, R]]) -> Callable[P, Generator[Y, S, R]]:
    """Decorate a generator function so that its generators come back primed.

    The decorated function calls ``func``, advances the generator to its
    first ``yield`` (discarding the value yielded) and returns it, suspended
    and ready for ``send``.  It keeps ``func``'s name, docstring and signature
    (:func:`functools.wraps`).  A generator that finishes before its first
    ``yield`` raises :class:`RuntimeError` naming ``func`` (its
    :class:`StopIteration` is the cause) instead of leaking ``StopIteration``
    to the caller.
    """

    @functools.wraps(func)
    def primed(*args: P.args, **kwargs: P.kwargs) -> Generator[Y, S, R]:
        generator = func(*args, **kwargs)
        try:
            next(generator)
        except StopIteration as stop:
            raise RuntimeError(f"{func.__qualname__}() finished before its first yield") from stop
        return generator

    return primed


primed_running_averager = coroutine(running_averager)
""":func:`running_averager`, returned primed (suspended, ready for ``send``)."""


def running_averages(values: Iterable[Number]) -> list[Number]:
    """The running averages of ``values``, in order: the seed's driver.

    Primes a :func:`running_averager`, sends it every value, closes it and
    returns its answers.  Raises :class:`TypeError` at the first value that
    is not a real number.
    """
    generator = running_averager()
    next(generator)
    try:
        return [generator.send(value) for value in values]  # type: ignore[misc]
    finally:
        generator.close()


async def async_averager() -> AsyncGenerator[Number | None, Number]:
    """An async generator: prime it with ``await asend(None)``, then ``asend(value)``.

    Behaves as :func:`running_averager`, awaited: the priming ``asend(None)``
    answers ``None``; each ``asend(value)`` the mean so far; a value that is
    not a real number raises :class:`TypeError` and ends it; ``aclose()``
    ends it cleanly.
    """
    total: Number = 0
    count = 0
    average: Number | None = None
    while True:
        value = yield average
        if type(value) is not float and not isinstance(value, Real):
            _not_real(value)
        total += value
        count += 1
        average = total / count


# -- the precise averager ------------------------------------------------------

_NAN = float("nan")

# Above this scale the fast path is off (see precise_averager's Discussion).
_MAX_FAST_SHIFT = 958


def precise_averager() -> Callable[[Number], float]:
    """A closure whose every answer is the float nearest the exact mean.

    Correctly rounded whatever the inputs, cancellation included
    (``[1e16, 1.0, -1e16]`` averages to ``1/3``, not ``0.0``).  Raises
    :class:`TypeError` for a value that is not a real number and then changes
    nothing.  With NaN or infinities it answers what IEEE arithmetic answers
    for their sum (NaN once a NaN or both infinities were sent).

    Runtime complexity: O(1) per float for inputs of a bounded exponent
    range; see the Discussion below for the rest.

    Discussion: every finite float is an integer multiple of ``2**-1074``, so
    the exact sum of floats and ints is an integer ``total`` in units of
    ``2**-shift``, where ``shift`` is the finest unit any value so far needed
    (it grows, and ``total`` is rescaled, when a finer value arrives).  The
    mean is ``total / (count << shift)``, and CPython's ``int / int`` is
    correctly rounded.  The fast path, for a ``float`` whose units are not
    finer than ``shift``, avoids the slow parts of that:

    * ``value * scale`` (``scale = 2.0**shift``) is exact, and it is an
      integer exactly when the value needs no finer unit, which
      ``float.is_integer`` tells for ~15 ns where ``as_integer_ratio`` costs
      ~150 ns; ``math.trunc`` turns it into an int.
    * ``total / count * 2.0**-shift``: ``total / count`` is correctly rounded,
      and scaling by a power of two is exact as long as the result is not
      subnormal.  For a nonzero ``total`` it is not: ``|total / count|`` is at
      least ``1/count``, so the result is at least ``2**-shift / count``,
      normal for ``shift <= 958`` and fewer than ``2**64`` values.  When
      ``total / count`` is too large for a float (huge values in fine units)
      the exact division answers instead.

    Everything else goes through the slow path: ints, Fractions, other real
    numbers, values that need a finer unit, NaN and infinities, and every
    value once ``shift`` exceeds 958 (values below ``2**-905``), once a
    non-finite value or a Fraction whose denominator is not a power of two
    was sent (the latter are summed apart, in a ``Fraction``).  The slow path
    sets ``scale`` to NaN to keep the fast path off: ``NaN.is_integer()`` is
    false.
    """
    total = 0  # the exact sum of the dyadic values, in units of 2**-shift
    count = 0
    shift = 0
    scale = 1.0  # 2.0**shift, or NaN while the fast path is off
    unscale = 1.0  # 2.0**-shift
    rest = Fraction(0)  # the exact sum of the non-dyadic rationals
    special: float | None = None  # the IEEE sum of the non-finite values

    def slow(value: object) -> float:
        nonlocal total, count, shift, scale, unscale, rest, special
        if isinstance(value, int):
            numerator, denominator = int(value), 1
        elif isinstance(value, Rational):
            numerator, denominator = int(value.numerator), int(value.denominator)
        elif isinstance(value, Real):
            number = float(value)
            if not isfinite(number):
                special = number if special is None else special + number
                scale = _NAN
            numerator, denominator = number.as_integer_ratio() if special is None else (0, 1)
        else:
            _not_real(value)
        count += 1
        if special is not None:
            return special
        if denominator & (denominator - 1):
            rest += Fraction(numerator, denominator)
            scale = _NAN
        else:
            unit = denominator.bit_length() - 1
            if unit > shift:
                total <<= unit - shift
                shift = unit
                unscale = 2.0**-shift
                if scale is not _NAN:  # the fast path is on
                    scale = 2.0**shift if shift <= _MAX_FAST_SHIFT else _NAN
            total += numerator << (shift - unit)
        if rest:
            return float((Fraction(total, 1 << shift) + rest) / count)
        return total / (count << shift)

    def inner(value: Number) -> float:
        nonlocal total, count
        if type(value) is float:
            scaled = value * scale
            if scaled.is_integer():
                total += trunc(scaled)
                count += 1
                try:
                    return total / count * unscale
                except OverflowError:
                    return total / (count << shift)
        return slow(value)

    return inner
