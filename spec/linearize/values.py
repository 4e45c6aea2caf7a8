"""Values in histories: what a history's inputs and outputs are, how they compare, how they print.

The readers turn JSON and EDN values into Python values: ``null``/``nil``
-> ``None``, booleans, integers -> ``int``, floats -> ``float``, strings,
arrays, vectors and lists -> ``tuple``, EDN sets -> ``frozenset``, EDN maps
-> ``dict``, keywords and symbols -> :class:`Keyword` and :class:`Symbol`,
EDN ratios -> :class:`~fractions.Fraction`, EDN big decimals (``1.5M``) ->
:class:`~decimal.Decimal`.  Numbers of any size are read exactly: an integer
too long for ``int`` (more digits than CPython converts) is a
:class:`BigInt`, a float literal outside a double's range (``1e400``,
``1e-400``: a double would read them as infinity or zero) a :class:`BigFloat`.

Discussion (equality): a model compares what a history says with the
state it holds, and Python's ``==`` does not compare values the way JSON and
EDN mean them: ``True == 1``, ``1 == 1.0``, and a NaN is not equal to
itself.  So the built-in models compare :func:`key` of each value instead:
two values have equal keys exactly when they are the same JSON or EDN
value, that is, of the same kind and equal.  ``true`` is not ``1``, ``1`` is
not ``1.0`` (as in Clojure), the string ``"ok"`` is not the keyword
``:ok``, a NaN equals a NaN (the literal written and the literal read back
are the same value), a vector equals a list with the same items (as in
Clojure), maps and sets compare by their entries.  Keys are hashable, so
model states made of them can be remembered by the search.

Values are rendered by :func:`show_value`: never more than a line, never
raising, and exact as far as it goes (a long integer shows its first and last
digits and how many there are, not a rounded float).
"""

from __future__ import annotations

import math
import reprlib
import sys
from collections.abc import Hashable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, ClassVar, Final, Self

from spec._core.signals import theirs

__all__ = [
    "MAX_DEPTH",
    "BadValue",
    "BigFloat",
    "BigInt",
    "Keyword",
    "Symbol",
    "float_from_text",
    "int_from_text",
    "key",
    "shorten",
    "show_value",
    "value_of",
]

MAX_DEPTH: Final = 100
"""How deeply values may nest (a vector in a vector ... counts each level); readers refuse deeper ones."""


def _int_digits() -> int:
    """How many digits :func:`int_from_text` gives to ``int``.

    CPython converts at most ``sys.get_int_max_str_digits()`` digits between
    ``int`` and ``str`` (4300 by default; the conversion is quadratic, which
    is why the limit exists); longer integers are held as :class:`BigInt`.
    """
    limit = sys.get_int_max_str_digits()
    return min(4000, limit) if limit else 4000


class BadValue(ValueError):
    """A value that cannot be read or compared (nested too deeply, a number beyond every range)."""


class _Name:
    """A name interned per subclass, so that equality and hashing are by identity: fast, and never a string's."""

    __slots__ = ("name",)
    _interned: ClassVar[dict[str, Any]]
    name: str

    def __new__(cls, name: str) -> Self:
        found = cls._interned.get(name)
        if found is None:
            found = object.__new__(cls)
            object.__setattr__(found, "name", name)
            cls._interned[name] = found
        return found

    def __setattr__(self, attr: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[type[_Name], tuple[str]]:
        return (type(self), (self.name,))


class Keyword(_Name):
    """An EDN keyword such as ``:invoke`` (``name`` is ``"invoke"``); one object per name."""

    __slots__ = ()
    _interned: ClassVar[dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f":{self.name}"


class Symbol(_Name):
    """An EDN symbol other than ``nil``, ``true`` and ``false`` (``name`` is its text); one object per name."""

    __slots__ = ()
    _interned: ClassVar[dict[str, Any]] = {}

    def __repr__(self) -> str:
        return self.name


class BigInt(Decimal):
    """An integer literal with more digits than CPython converts to ``int``, held exactly.

    It equals (and hashes like) the ``int`` of the same value.
    """

    __slots__ = ()


class BigFloat(Decimal):
    """A float literal outside a double's range (it would read as infinity or zero), held exactly."""

    __slots__ = ()


def int_from_text(text: str) -> int | BigInt:
    """The integer ``text`` spells (optional sign, decimal digits), exactly; :class:`BigInt` if very long."""
    if len(text) <= _int_digits():
        return int(text)
    return BigInt(text)


def float_from_text(text: str) -> float | BigFloat:
    """The float ``text`` spells (a finite decimal literal), as a double unless a double cannot hold it.

    A double rounds the digits, as every JSON and EDN reader does; but a
    literal beyond its range would become infinity, or zero, and so equal
    to other literals that are different numbers: those are kept exact.
    Raises :class:`BadValue` for an exponent beyond every range.
    """
    number = float(text)
    if math.isinf(number) or (number == 0 and any(c in "123456789" for c in text.partition("e")[0].partition("E")[0])):
        try:
            return BigFloat(text)
        except InvalidOperation:
            raise BadValue(f"the number {show_value(text)} is out of range") from None
    return number


class _Tag:
    """A private marker inside keys: no value read from a file can be one."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name

    def __reduce__(self) -> str:
        return self._name


_TRUE: Final = _Tag("_TRUE")
_FALSE: Final = _Tag("_FALSE")
_NAN: Final = _Tag("_NAN")
_FLOAT: Final = _Tag("_FLOAT")
_DECIMAL: Final = _Tag("_DECIMAL")
_RATIO: Final = _Tag("_RATIO")
_MAP: Final = _Tag("_MAP")
_OTHER: Final = _Tag("_OTHER")

_PLAIN = frozenset({int, str, type(None), Keyword, Symbol})


def key(value: Any, depth: int = 0) -> Hashable:
    """A hashable stand-in for ``value`` whose equality is the value's as JSON and EDN mean it.

    See the module docstring.  Raises :class:`BadValue` for a value nested
    more than :data:`MAX_DEPTH` deep.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value  # type: ignore[no-any-return]
    if kind is tuple or kind is list:
        if depth >= MAX_DEPTH:
            raise BadValue(f"a value is nested more than {MAX_DEPTH} deep")
        if kind is tuple:
            for item in value:
                if type(item) not in _PLAIN:
                    break
            else:
                return value  # type: ignore[no-any-return]  # plain items are their own keys
        return tuple([key(item, depth + 1) for item in value])
    if kind is bool:
        return _TRUE if value else _FALSE
    if kind is float:
        return _NAN if math.isnan(value) else (_FLOAT, value)
    if kind is BigInt:
        return value  # type: ignore[no-any-return]
    if kind is BigFloat:
        return (_FLOAT, value)
    if kind is Decimal:
        return _NAN if value.is_nan() else (_DECIMAL, value)
    if kind is Fraction:
        return (_RATIO, value)
    if kind is frozenset or kind is set:
        if depth >= MAX_DEPTH:
            raise BadValue(f"a value is nested more than {MAX_DEPTH} deep")
        return frozenset([key(item, depth + 1) for item in value])
    if kind is dict:
        if depth >= MAX_DEPTH:
            raise BadValue(f"a value is nested more than {MAX_DEPTH} deep")
        return (_MAP, frozenset([(key(k, depth + 1), key(v, depth + 1)) for k, v in value.items()]))
    if isinstance(value, bool | int):  # an int subclass from Python (IntEnum ...): its value
        return key(bool(value) if isinstance(value, bool) else int(value), depth)
    if isinstance(value, float):
        return key(float(value), depth)
    try:
        hash(value)
    except TypeError:
        return (_OTHER, show_value(value))
    return value  # type: ignore[no-any-return]


def value_of(k: Any) -> Any:
    """A value whose :func:`key` is ``k`` (to show model states, which hold keys)."""
    kind = type(k)
    if kind is tuple:
        head = k[0] if k else None
        if head is _FLOAT or head is _DECIMAL or head is _RATIO:
            return k[1]
        if head is _MAP:
            return {value_of(a): value_of(b) for a, b in k[1]}
        if head is _OTHER:
            return _Shown(k[1])
        return tuple(value_of(item) for item in k)
    if kind is frozenset:
        return frozenset(value_of(item) for item in k)
    if k is _TRUE or k is _FALSE:
        return k is _TRUE
    if k is _NAN:
        return math.nan
    return k


class _Shown:
    """A value already rendered (an unhashable object a Python history held)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class _ValueRepr(reprlib.Repr):
    """Bounded, exact-as-far-as-it-goes rendering of history values (see :func:`show_value`)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 4
        self.maxtuple = self.maxlist = self.maxset = self.maxfrozenset = 10
        self.maxdict = 6
        self.maxstring = 60
        self.maxother = 60

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > _int_digits() * 3:  # beyond str(): the bits it has, and its low digits
            return f"<an integer of {x.bit_length()} bits ending in ...{abs(x) % 10**12:012d}>"
        return _digits(str(x))

    def repr_BigInt(self, x: BigInt, level: int) -> str:
        return _digits(str(Decimal(x)))

    def repr_BigFloat(self, x: BigFloat, level: int) -> str:
        return _digits(str(Decimal(x)))

    def repr_Decimal(self, x: Decimal, level: int) -> str:
        return _digits(str(x)) + "M"

    def repr_Fraction(self, x: Fraction, level: int) -> str:
        return f"{self.repr_int(x.numerator, level)}/{self.repr_int(x.denominator, level)}"

    def repr_Keyword(self, x: Keyword, level: int) -> str:
        return ":" + shorten(x.name, self.maxstring)

    def repr_Symbol(self, x: Symbol, level: int) -> str:
        return shorten(x.name, self.maxstring)

    def repr_str(self, x: str, level: int) -> str:
        if len(x) <= self.maxstring:
            return repr(x)
        return repr(x[: self.maxstring // 2]) + f"...({len(x)} characters)..." + repr(x[-10:])

    def repr_instance(self, x: object, level: int) -> str:
        try:
            text = repr(x)
        except BaseException as exc:
            return f"<{type(x).__name__} object; its repr raised {type(theirs(exc)).__name__}>"
        return shorten(text, self.maxother)


def _digits(text: str) -> str:
    """A number's text, its middle elided (with the count of digits) when it is long."""
    if len(text) <= 40:
        return text
    digits = sum(c.isdigit() for c in text)
    return f"{text[:20]}...({digits} digits)...{text[-10:]}"


def shorten(text: str, limit: int = 200) -> str:
    """``text`` cut to about ``limit`` characters, saying how long it was."""
    return text if len(text) <= limit else f"{text[: limit - 10]}...({len(text)} characters)"


_REPR = _ValueRepr()


def show_value(value: object) -> str:
    """``value`` as a short text for reports: bounded, one line, never raising."""
    try:
        return _REPR.repr(value)
    except BaseException as exc:  # a Python value whose parts misbehave (a __len__ that raises ...)
        return f"<{type(value).__name__} object; showing it raised {type(theirs(exc)).__name__}>"
