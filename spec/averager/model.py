"""The averager's model: the exact mean, and how far a float answer may stray from it.

The model keeps the exact sum of the values sent (a :class:`Fraction`), their
count, the sum of their magnitudes, whether any was a float, and the IEEE sum
of the non-finite ones.  It never computes in floats, except to say what IEEE
arithmetic makes of infinities and NaN.

Discussion (the error bound): the mean clause must accept the plainest
implementation, ``total += value; return total / count``, and nothing much
worse.  With floats that implementation rounds at every addition, so the
clause allows exactly the error that left-to-right summation followed by one
division can make, by the classical bound (Higham, *Accuracy and Stability of
Numerical Algorithms*, 2nd ed., §4.2): with ``u = 2**-53`` and
``γ(n) = n·u / (1 - n·u)``, the computed sum ``s`` of ``k`` values satisfies
``|s - S| <= γ(k-1)·Σ|x_i|``, and the division adds at most half an ulp,
``u·|s|/k``, or, when the quotient is subnormal, ``2**-1075`` absolutely:

    ``|answer - S/k| <= (γ(n)·A + u·(|S| + γ(n)·A)) / k + 2**-1075``

where ``A = Σ|x_i|``.  ``n`` is ``k - 1`` when every value is a float; when
ints or Fractions are mixed with floats, each may be rounded once more where
it meets a float (``0.5 + Fraction(1, 3)`` rounds the Fraction first), so
``n = k``.  The bound holds as long as no partial sum overflows, which is why
the values the machine draws stay below ``1e300`` in magnitude.  Every
quantity is a Fraction: the check itself makes no rounding error.

With ints and Fractions only, exact arithmetic is what Python gives for free
(``total`` stays an int or a Fraction), so the clause asks for the exact mean
or the float nearest to it (``int / int`` and ``Fraction.__float__`` both
round correctly): nothing else.  A float total would not do: it loses ints
beyond ``2**53``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from numbers import Rational

from spec._core.program import show
from spec._core.signals import theirs

__all__ = ["MeanModel", "bound", "gamma", "same"]

U = Fraction(1, 2**53)
"""The unit roundoff of binary64."""

_HALF_SUBNORMAL = Fraction(1, 2**1075)


def gamma(n: int) -> Fraction:
    """``γ(n) = n·u / (1 - n·u)``: the relative error bound of ``n`` roundings."""
    return n * U / (1 - n * U)


def bound(total: Fraction, magnitude: Fraction, count: int, additions: int) -> Fraction:
    """How far a float mean may be from ``total / count`` (see the module Discussion).

    ``magnitude`` is the sum of the values' magnitudes and ``additions`` the
    number of roundings a value's contribution may suffer before the division.
    """
    g = gamma(additions)
    return (g * magnitude + U * (abs(total) + g * magnitude)) / count + _HALF_SUBNORMAL


def same(a: object, b: object) -> bool:
    """``a == b``, or both NaN: two answers that are the same answer."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b)
    except BaseException as exc:  # an answer whose == raises is not the same as anything
        theirs(exc)
        return False


@dataclass
class MeanModel:
    """The values sent to one averager, summarised exactly."""

    total: Fraction = Fraction(0)
    magnitude: Fraction = Fraction(0)
    count: int = 0
    floats: int = 0
    nan_sent: bool = False
    special: float | None = None  # the IEEE sum of the non-finite values sent

    def add(self, value: int | float | Fraction) -> None:
        """Take one real number (finite or not)."""
        self.count += 1
        if isinstance(value, float) and not math.isfinite(value):
            self.nan_sent = self.nan_sent or math.isnan(value)
            self.special = value if self.special is None else self.special + value
            return
        exact = Fraction(value)
        self.total += exact
        self.magnitude += abs(exact)
        self.floats += isinstance(value, float)

    @property
    def mean(self) -> Fraction:
        """The exact mean of the finite values (there is at least one)."""
        return self.total / self.count

    @property
    def nearest(self) -> float:
        """The float nearest the exact mean."""
        return float(self.mean)

    @property
    def exact(self) -> bool:
        """No float was sent: the answer must be the exact mean or the float nearest it."""
        return self.floats == 0

    @property
    def tolerance(self) -> Fraction:
        """How far a float answer may be from the exact mean (0 in the exact case)."""
        if self.exact:
            return Fraction(0)
        additions = self.count - 1 if self.floats == self.count else self.count
        return bound(self.total, self.magnitude, self.count, additions)

    def wrong_mean(self, answer: object) -> str | None:
        """Why ``answer`` is not an acceptable mean of the finite values sent, or ``None``."""
        if not isinstance(answer, float | Rational):
            return f"{show(answer)} is not a number (int, float or Fraction)"
        if isinstance(answer, float) and not math.isfinite(answer):
            return f"{show(answer)} is not finite, but every value sent was"
        got = Fraction(answer)
        if self.exact:
            if got == self.mean or (isinstance(answer, float) and answer == self.nearest):
                return None
            return "it is neither the exact mean nor the float nearest it"
        error = abs(got - self.mean)
        if error <= self.tolerance:
            return None
        return f"it is off by {float(error):.3g}, more than left-to-right summation can err ({self.tolerance_text})"

    @property
    def tolerance_text(self) -> str:
        return f"±{float(self.tolerance):.3g}"

    def wrong_special(self, answer: object) -> str | None:
        """Why ``answer`` is not what IEEE arithmetic answers after the non-finite values sent."""
        assert self.special is not None
        if math.isnan(self.special):
            if isinstance(answer, float) and math.isnan(answer):
                return None
            return f"{show(answer)} is not NaN"
        if isinstance(answer, float) and answer == self.special:
            return None
        return f"{show(answer)} is not {self.special!r}"
