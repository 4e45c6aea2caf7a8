"""Per-value cost and accuracy of the averagers, against the seed's naive closure.

Each run makes a fresh averager and sends it n values; the cost per value is
the time divided by n.  Every variant runs on every data set in the same
process, interleaved, several times; the table shows the fastest repetition
of each, as a ratio to the naive closure (``total += value; count += 1;
return total / count``, with no type check).  The last columns are the
largest relative error of any answer on the adversarial inputs, against the
exact mean (a Fraction), and whether every answer on them was the float
nearest the exact mean (correctly rounded: its error is at most 2**-53,
1.1e-16, relative).

    python bench/bench_averager.py            # n = 20000, 7 repetitions
    python bench/bench_averager.py --quick    # a smoke run, in seconds

Variants besides the references (``impl.averager``), to show what the
precise averager's design is weighed against:

* ``int units of 2**-1074``: the exact sum as an int in the finest unit any
  float can need, ``n * 2**1074 // d`` per value, ``total / (count << 1074)``
  per answer: exact and simple, but every operation is on 1100-bit ints.
* ``Shewchuk partials``: the exact sum as non-overlapping floats
  (``math.fsum``'s algorithm, in Python), the answer ``fsum(partials) /
  count`` corrected by one ulp when the exact remainder (by an error-free
  product) says it is off; a tie falls back to a Fraction.
* ``Fraction``: ``total += Fraction(value); return float(total / count)``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import random
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from impl.averager import Averager, async_averager, averager, precise_averager, running_averager
from spec.known_bad.averager import seed_closure

Values = list[float]
Run = Callable[[Values], tuple[float, list[Any]]]  # seconds, and the answers


def fixed_units() -> Callable[[float], float]:
    total = 0
    count = 0
    unit = 1 << 1074

    def inner(value: float) -> float:
        nonlocal total, count
        numerator, denominator = value.as_integer_ratio()
        total += numerator * unit // denominator
        count += 1
        return total / (count << 1074)

    return inner


_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for binary64


def _two_product(a: float, b: float) -> tuple[float, float]:
    """``a * b`` as a float and its exact rounding error (Dekker), without fma."""
    product = a * b
    c = _SPLIT * a
    a_hi = c - (c - a)
    a_lo = a - a_hi
    c = _SPLIT * b
    b_hi = c - (c - b)
    b_lo = b - b_hi
    error = ((a_hi * b_hi - product) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return product, error


def shewchuk() -> Callable[[float], float]:
    partials: list[float] = []
    count = 0
    fsum, ulp, nextafter = math.fsum, math.ulp, math.nextafter

    def inner(value: float) -> float:
        nonlocal count
        x = value
        i = 0
        for partial in partials:
            y = partial
            if abs(x) < abs(y):
                x, y = y, x
            high = x + y
            low = y - (high - x)
            if low:
                partials[i] = low
                i += 1
            x = high
        partials[i:] = [x]
        count += 1
        mean = fsum(partials) / count
        # The exact remainder S - mean * count, rounded once: its sign and size
        # against half an ulp of the quotient say whether mean is the nearest.
        product, error = _two_product(mean, float(count))
        remainder = fsum([*partials, -product, -error])
        half = ulp(mean) * count / 2
        if remainder > half:
            return nextafter(mean, math.inf)
        if remainder < -half:
            return nextafter(mean, -math.inf)
        if remainder in (half, -half):
            return float(sum(map(Fraction, partials), Fraction(0)) / count)
        return mean

    return inner


def fraction() -> Callable[[float], float]:
    total = Fraction(0)
    count = 0

    def inner(value: float) -> float:
        nonlocal total, count
        total += Fraction(value)
        count += 1
        return float(total / count)

    return inner


def calling(factory: Callable[[], Callable[[float], Any]]) -> Run:
    def run(values: Values) -> tuple[float, list[Any]]:
        avg = factory()
        answers: list[Any] = []
        append = answers.append
        start = time.perf_counter()
        for value in values:
            append(avg(value))
        return time.perf_counter() - start, answers

    return run


def sending(values: Values) -> tuple[float, list[Any]]:
    avg = running_averager()
    next(avg)
    answers: list[Any] = []
    append = answers.append
    send = avg.send
    start = time.perf_counter()
    for value in values:
        append(send(value))
    seconds = time.perf_counter() - start
    avg.close()
    return seconds, answers


def awaiting(values: Values) -> tuple[float, list[Any]]:
    async def drive() -> tuple[float, list[Any]]:
        avg = async_averager()
        await anext(avg)
        answers: list[Any] = []
        append = answers.append
        asend = avg.asend
        start = time.perf_counter()
        for value in values:
            append(await asend(value))
        seconds = time.perf_counter() - start
        await avg.aclose()
        return seconds, answers

    return asyncio.run(drive())


VARIANTS: dict[str, Run] = {
    "naive closure (seed)": calling(seed_closure),  # the seed's closure, kept in the known-bad catalogue
    "closure (averager)": calling(averager),
    "class (Averager)": calling(Averager),
    "generator (running_averager)": sending,
    "async generator (async_averager)": awaiting,
    "precise (precise_averager)": calling(precise_averager),
    "int units of 2**-1074": calling(fixed_units),
    "Shewchuk partials": calling(shewchuk),
    "Fraction": calling(fraction),
}
BASELINE = "naive closure (seed)"


def data_sets(n: int) -> dict[str, Values]:
    rng = random.Random(20240601)
    return {
        "uniform [0, 1)": [rng.random() for _ in range(n)],
        "normal(0, 1e3)": [rng.gauss(0, 1e3) for _ in range(n)],
        "[1e16, 1, -1e16]*k": [1e16, 1.0, -1e16] * (n // 3),
        "[1e100, 1e50, 1, -1e100, -1e50]*k": [1e100, 1e50, 1.0, -1e100, -1e50] * (n // 5),
    }


ADVERSARIAL = ("[1e16, 1, -1e16]*k", "[1e100, 1e50, 1, -1e100, -1e50]*k")


def accuracy(values: Values, answers: list[Any]) -> tuple[float, bool]:
    """The largest relative error of ``answers``, and whether each was correctly rounded."""
    total, worst, rounded = Fraction(0), Fraction(0), True
    for count, (value, answer) in enumerate(zip(values, answers, strict=True), start=1):
        total += Fraction(value)
        exact = total / count
        rounded = rounded and answer == float(exact)
        if exact:
            worst = max(worst, abs(Fraction(answer) - exact) / abs(exact))
    return float(worst), rounded


def measure(sets: dict[str, Values], repeats: int) -> dict[tuple[str, str], float]:
    """Fastest seconds per value of each variant on each data set, interleaved."""
    best: dict[tuple[str, str], float] = {}
    for _ in range(repeats):
        for name, values in sets.items():
            for variant, run in VARIANTS.items():
                gc.collect()
                seconds, _ = run(values)
                per_value = seconds / len(values)
                best[variant, name] = min(per_value, best.get((variant, name), math.inf))
    return best


def errors(sets: dict[str, Values], length: int) -> dict[tuple[str, str], tuple[float, bool]]:
    """Accuracy of each variant on the first ``length`` values of each adversarial set."""
    found = {}
    for name in ADVERSARIAL:
        values = sets[name][:length]
        for variant, run in VARIANTS.items():
            found[variant, name] = accuracy(values, run(values)[1])
    return found


def table(
    sets: dict[str, Values],
    best: dict[tuple[str, str], float],
    error: dict[tuple[str, str], tuple[float, bool]],
) -> str:
    names = list(sets)
    head = [*names, *(f"max rel. error, {name}" for name in ADVERSARIAL), "correctly rounded"]
    lines = ["| variant | " + " | ".join(head) + " |", "|---|" + "---|" * len(head)]
    for variant in VARIANTS:
        cells = []
        for name in names:
            ratio = best[variant, name] / best[BASELINE, name]
            cells.append(f"{best[variant, name] * 1e9:.0f} ns ({ratio:.2f}×)")
        cells.extend(f"{error[variant, name][0]:.2g}" for name in ADVERSARIAL)
        cells.append("yes" if all(error[variant, name][1] for name in ADVERSARIAL) else "no")
        lines.append(f"| {variant} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer values, fewer repeats")
    args = parser.parse_args(argv)
    n, repeats = (3000, 2) if args.quick else (20000, 7)
    sets = data_sets(n)
    best = measure(sets, repeats)
    error = errors(sets, 300)
    print(f"Cost per value (n = {n}), fastest of {repeats} interleaved runs; ratio to the naive closure")
    print(table(sets, best, error))


if __name__ == "__main__":
    main()
