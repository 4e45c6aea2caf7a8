"""Averagers that are each wrong in one way; see :mod:`spec.known_bad`.

Each starts from a correct averager of its form (a closure, a class, a
generator, an async generator) and breaks one thing.  Type checks are done
first and right (with :class:`numbers.Real`) unless the bug is about them, so
that each entry breaks only the clause it names.
"""

from __future__ import annotations

import asyncio
import collections
import math
import sys
from collections.abc import AsyncGenerator, Callable, Generator
from fractions import Fraction
from numbers import Real
from typing import Any

from spec.known_bad import KnownBad

__all__ = ["CATALOGUE"]

Number = Any  # the answers and totals below are int, float or Fraction, as Python's arithmetic makes them


def _check(value: object) -> None:
    if not isinstance(value, Real):
        raise TypeError(f"can only average real numbers, not {type(value).__name__!r}")


def _averager() -> Callable[[Any], Number]:
    """A correct closure, for the entries that break it from outside."""
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        total += value
        count += 1
        return total / count

    return inner


# -- mean (AV1) ------------------------------------------------------------------


def integer_division() -> Callable[[Any], Number]:
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        total += value
        count += 1
        return total // count

    return inner


def count_from_one() -> Callable[[Any], Number]:
    total: Number = 0
    count = 1

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        total += value
        count += 1
        return total / count

    return inner


def returns_total() -> Callable[[Any], Number]:
    total: Number = 0

    def inner(value: Any) -> Number:
        nonlocal total
        _check(value)
        total += value
        return total

    return inner


def previous_average() -> Callable[[Any], Number]:
    """Answers the mean before the value was added (0.0 at first)."""
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        average = total / count if count else 0.0
        total += value
        count += 1
        return average

    return inner


def float_total() -> Callable[[Any], Number]:
    """Sums into a float from the start, so ints beyond 2**53 lose their last digits."""
    total = 0.0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        total += value
        count += 1
        return total / count

    return inner


def _coroutine(func: Callable[[], Generator[Any, Any, None]]) -> Callable[[], Generator[Any, Any, None]]:
    def primed() -> Generator[Any, Any, None]:
        generator = func()
        next(generator)
        return generator

    return primed


@_coroutine
def primed_twice() -> Generator[Number, Any, None]:
    """Written to be primed by its caller, and decorated to be primed as well.

    It comes back suspended, so it is taken as primed; its first ``send`` is
    spent on the priming ``yield`` and answers ``None``, and every later
    answer lags one value behind.
    """
    yield  # the caller's priming stop
    total: Number = 0
    count = 0
    average = None
    while True:
        value = yield average
        _check(value)
        total += value
        count += 1
        average = total / count


async def async_drops_first() -> AsyncGenerator[Number, Any]:
    """Awaits a 'ready' step after priming, which swallows the first value."""
    total: Number = 0
    count = 0
    average = None
    yield None  # priming
    await asyncio.sleep(0)
    while True:
        value = yield average
        _check(value)
        total += value
        count += 1
        average = total / count


# -- independence (AV2) ------------------------------------------------------------

_TOTAL: Number = 0
_COUNT = 0


def module_global() -> Callable[[Any], Number]:
    def inner(value: Any) -> Number:
        global _TOTAL, _COUNT  # noqa: PLW0603  (the bug)
        _check(value)
        _TOTAL += value
        _COUNT += 1
        return _TOTAL / _COUNT

    return inner


class SharedHistory:
    """Keeps the values in a list that is a class attribute: every instance shares it."""

    values: list[Any] = []  # noqa: RUF012  (the bug)

    def __call__(self, value: Any) -> Number:
        _check(value)
        self.values.append(value)
        return sum(self.values) / len(self.values)


# -- input (AV3) -----------------------------------------------------------------


def seed_closure() -> Callable[[Any], Number]:
    """The seed's closure as written: ``0 + 1j`` and ``0 + Decimal(...)`` work, so nothing is rejected."""
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        total += value
        count += 1
        return total / count

    return inner


def converts_with_float() -> Callable[[Any], Number]:
    """Turns what is not a real number into one with ``float()``: ``'3'`` becomes 3.0."""
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        if not isinstance(value, Real):
            value = float(value)
        total += value
        count += 1
        return total / count

    return inner


def rejects_bool() -> Callable[[Any], Number]:
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        if type(value) not in (int, float, Fraction):
            raise TypeError(f"can only average int, float or Fraction, not {type(value).__name__!r}")
        total += value
        count += 1
        return total / count

    return inner


# -- recovery (AV4) --------------------------------------------------------------


def increment_before_add() -> Callable[[Any], Number]:
    """Counts the value before checking it: a rejected value still counts."""
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        count += 1
        _check(value)
        total += value
        return total / count

    return inner


class AppendsBeforeChecking:
    """Keeps the values, and appends before checking: a rejected value stays in the sum."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> Number:
        self.values.append(value)
        _check(value)
        return sum(self.values) / len(self.values)


# -- NaN (AV5) and infinity (AV6) ------------------------------------------------------


def ignores_nan() -> Callable[[Any], Number]:
    """Skips NaN as if it were missing data."""
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        if math.isnan(value):
            return total / count if count else 0.0
        total += value
        count += 1
        return total / count

    return inner


def infinities_cancel() -> Callable[[Any], Number]:
    """Counts +inf and -inf apart and lets them cancel in pairs, as if inf - inf were 0."""
    total: Number = 0
    count = 0
    signs = [0, 0]

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        count += 1
        if math.isinf(value):
            signs[value < 0] += 1
        else:
            total += value
        mean = total / count  # NaN stays NaN below
        if signs[0] > signs[1]:
            return mean + math.inf
        if signs[1] > signs[0]:
            return mean - math.inf
        return mean

    return inner


def clamps_infinities() -> Callable[[Any], Number]:
    """Takes inf for the largest float (and -inf for its opposite)."""
    average = _averager()

    def inner(value: Any) -> Number:
        _check(value)
        if math.isinf(value):
            value = math.copysign(sys.float_info.max, value)
        return average(value)

    return inner


# -- protocol (AV7) ---------------------------------------------------------------


def _generator(first: Number = None, values: int | None = None) -> Generator[Number, Any, None]:
    """A generator averager that yields ``first`` when primed and returns after ``values`` values."""
    total: Number = 0
    count = 0
    average = first
    while values is None or count < values:
        value = yield average
        _check(value)
        total += value
        count += 1
        average = total / count


def zero_before_first_value() -> Generator[Number, Any, None]:
    """Starts with ``average = 0.0``, so priming yields 0.0 instead of None."""
    return _generator(first=0.0)


def finishes_after_three() -> Generator[Number, Any, None]:
    return _generator(values=3)


def fails_on_close() -> Generator[Number, Any, Number]:
    """Returns its final mean when closed: closed before any value, ``close()`` raises ZeroDivisionError."""
    total: Number = 0
    count = 0
    average = None
    while True:
        try:
            value = yield average
        except GeneratorExit:
            return total / count
        _check(value)
        total += value
        count += 1
        average = total / count


async def _async_generator(first: Number = None, nap: float = 0) -> AsyncGenerator[Number, Any]:
    """An async averager that yields ``first`` when primed and sleeps ``nap`` seconds on a negative value."""
    total: Number = 0
    count = 0
    average = first
    while True:
        value = yield average
        _check(value)
        if value < 0:
            await asyncio.sleep(nap)
        total += value
        count += 1
        average = total / count


def async_yields_zero_first() -> AsyncGenerator[Number, Any]:
    return _async_generator(first=0.0)


# -- conduct (AV8) ----------------------------------------------------------------


def rejects_negative() -> Callable[[Any], Number]:
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        if value < 0:
            raise ValueError("negative values are not averaged")
        total += value
        count += 1
        return total / count

    return inner


def exact_fraction() -> Callable[[Any], Number]:
    """Sums in Fractions, exactly; but ``Fraction(inf)`` and ``Fraction(nan)`` raise."""
    total = Fraction(0)
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        total += Fraction(value)
        count += 1
        return total / count

    return inner


def spins_on_negative() -> Callable[[Any], Number]:
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        while value < 0:
            pass
        total += value
        count += 1
        return total / count

    return inner


def async_sleeps_on_negative() -> AsyncGenerator[Number, Any]:
    return _async_generator(nap=3600)


# -- families the narrow search missed -------------------------------------------


def float_of_exact_total() -> Callable[[Any], Number]:
    """Sums exactly, then answers ``float(total) / count``: two roundings, off by an ulp past 2**53."""
    total: Number = 0
    count = 0

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        total += value
        count += 1
        return float(total) / count

    return inner


def last_32_values() -> Callable[[Any], Number]:
    """Keeps only the last 32 finite values, "to bound memory": the 33rd pushes out the first.

    NaN and infinities are summed apart, for good, as IEEE arithmetic would.
    """
    values: collections.deque[Any] = collections.deque(maxlen=32)
    special: list[float] = []

    def inner(value: Any) -> Number:
        _check(value)
        if isinstance(value, float) and not math.isfinite(value):
            special.append(value)
        else:
            values.append(value)
        if special:
            return sum(special)
        return sum(values) / len(values)

    return inner


def skips_repeated_float() -> Callable[[Any], Number]:
    """Counts a float only when it differs from the one before: a debounce for a sensor that repeats readings."""
    total: Number = 0
    count = 0
    previous: list[Any] = []

    def inner(value: Any) -> Number:
        nonlocal total, count
        _check(value)
        if not (isinstance(value, float) and previous == [value]):
            total += value
            count += 1
            previous[:] = [value]
        return total / count

    return inner


class ClassTotals:
    """Keeps total and count as class attributes, and resets them in ``__init__``: every averager shares one."""

    total: Number = 0
    count = 0

    def __init__(self) -> None:
        ClassTotals.total = 0
        ClassTotals.count = 0

    def __call__(self, value: Any) -> Number:
        _check(value)
        ClassTotals.total += value
        ClassTotals.count += 1
        return ClassTotals.total / ClassTotals.count


_M = __name__
CATALOGUE = (
    KnownBad(f"{_M}:integer_division", "AV1", "answers total // count"),
    KnownBad(f"{_M}:count_from_one", "AV1", "starts counting at 1"),
    KnownBad(f"{_M}:returns_total", "AV1", "answers the total, not the mean"),
    KnownBad(f"{_M}:previous_average", "AV1", "answers the mean before the value (0.0 first)"),
    KnownBad(f"{_M}:float_total", "AV1", "sums ints into a float, losing digits beyond 2**53"),
    KnownBad(f"{_M}:primed_twice", "AV1", "a generator that must not be primed but is treated as primed"),
    KnownBad(f"{_M}:async_drops_first", "AV1", "an async generator that drops the first value"),
    KnownBad(f"{_M}:module_global", "AV2", "keeps total and count in module globals"),
    KnownBad(f"{_M}:SharedHistory", "AV2", "keeps the values in a class attribute"),
    KnownBad(f"{_M}:seed_closure", "AV3", "accepts complex and Decimal (0 + 1j works)"),
    KnownBad(f"{_M}:converts_with_float", "AV3", "accepts '3' by calling float()"),
    KnownBad(f"{_M}:rejects_bool", "AV3", "raises TypeError for bool"),
    KnownBad(f"{_M}:increment_before_add", "AV4", "counts a value before the check that rejects it"),
    KnownBad(f"{_M}:AppendsBeforeChecking", "AV4", "keeps a rejected value in its list of values"),
    KnownBad(f"{_M}:ignores_nan", "AV5", "skips NaN"),
    KnownBad(f"{_M}:infinities_cancel", "AV6", "lets inf and -inf cancel"),
    KnownBad(f"{_M}:clamps_infinities", "AV6", "takes inf for the largest float"),
    KnownBad(f"{_M}:zero_before_first_value", "AV7", "priming yields 0.0, not None"),
    KnownBad(f"{_M}:finishes_after_three", "AV7", "a generator that returns after three values"),
    KnownBad(f"{_M}:fails_on_close", "AV7", "close() before any value raises ZeroDivisionError"),
    KnownBad(f"{_M}:async_yields_zero_first", "AV7", "async priming answers 0.0, not None"),
    KnownBad(f"{_M}:rejects_negative", "AV8", "raises ValueError for negative values"),
    KnownBad(f"{_M}:exact_fraction", "AV8", "Fraction(inf) raises OverflowError"),
    KnownBad(f"{_M}:spins_on_negative", "AV8", "loops forever on a negative value", timeout=0.25),
    KnownBad(f"{_M}:async_sleeps_on_negative", "AV8", "awaits an hour on a negative value", timeout=0.25),
    KnownBad(f"{_M}:float_of_exact_total", "AV1", "answers float(total) / count: double rounding past 2**53"),
    KnownBad(f"{_M}:last_32_values", "AV1", "averages only the last 32 finite values"),
    KnownBad(f"{_M}:skips_repeated_float", "AV1", "ignores a float equal to the one before"),
    KnownBad(f"{_M}:ClassTotals", "AV2", "total and count are class attributes, reset by __init__"),
)
