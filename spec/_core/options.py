"""Contract options: a real library checked as it is, without glue.

A real queue rarely has the contract's exact protocol: it calls its methods
``put`` and ``get_nowait``, says "empty" with ``queue.Empty`` or by returning
``None``, stores only bytes, or hands back a copy of what was pushed.  Options
say so, in one record (:class:`Options`) that the command line
(``python -m spec check``, ``stress``), :func:`spec.check` keywords and the
test-case classes' attributes all build the same way, and that every report
carries into its rerun line:

=================  ====================  ==============================================
option             command line          meaning
=================  ====================  ==============================================
``map``            ``--map``             ``push=NAME,pop=NAME,peek=NAME,len=NAME``: the
                                         method that plays each part; ``NAME:ARG``
                                         passes one literal argument
                                         (``peek=__getitem__:0``)
``empty``          ``--empty``           ``EXC[,EXC...]``: the exceptions (dotted names)
                                         that mean "empty", instead of ``IndexError``
``empty_returns``  ``--empty-returns``   a literal (``None``) that ``pop()``/``peek()``
                                         return when empty; it is then never pushed
``items``          ``--items``           what is pushed or sent: ``any`` (the
                                         contract's default), ``bytes``, ``str``,
                                         ``int``, ``float``, ``hashable``,
                                         ``picklable``, or ``module:attr`` naming a
                                         Hypothesis strategy
``compare``        ``--compare``         ``identity`` (default) or ``equal``: whether a
                                         copy of an item counts as the item
``without``        ``--without``         ``peek,len``: operations the target lacks; the
                                         clauses only they can judge are not judged
=================  ====================  ==============================================

Which contract takes which option is the contract's to say
(:attr:`~spec.Contract.options`); a check given an option its contract does
not take cannot run (:class:`~spec.OptionError`, exit status 2).

:data:`FLAGS` defines the command-line flags once: the ``check`` and
``stress`` commands (and anything else that offers the options) build their
arguments from it, and :func:`options_from_text` reads them back.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack, cast

from hypothesis.strategies import SearchStrategy

from spec._core.errors import OptionError, SpecError
from spec._core.program import literal
from spec._core.target import load_target

__all__ = [
    "BY_VALUE",
    "COMPARES",
    "FLAGS",
    "ITEM_KINDS",
    "NUMBERED",
    "OPTIONAL_PARTS",
    "PARTS",
    "STRATEGY",
    "Flag",
    "Items",
    "Method",
    "OptionKeywords",
    "Options",
    "Sentinel",
    "exception_name",
    "make_options",
    "number_of",
    "options_from",
    "options_from_text",
]

PARTS = ("push", "pop", "peek", "len")
"""The parts of the queue and stack protocol that ``map`` can name."""

OPTIONAL_PARTS = ("peek", "len")
"""The parts a target may be ``without``."""

ITEM_KINDS = ("any", "bytes", "str", "int", "float", "hashable", "picklable")
"""The kinds of item ``items`` names; ``module:attr`` names a strategy instead."""

BY_VALUE = ("bytes", "str", "int", "float")
"""The kinds whose items are plain values: equal ones may or may not be one object, so they are told apart by value."""

STRATEGY = "module:attr"
"""How :attr:`~spec.Contract.item_kinds` says a contract takes a strategy of its own."""

COMPARES = ("identity", "equal")

NUMBERED: Mapping[str, Callable[[int], object]] = {
    "any": int,
    "int": int,
    "hashable": int,
    "picklable": int,
    "str": str,
    "bytes": lambda n: str(n).encode(),
    "float": lambda n: n + 0.5,
}
"""Item number ``n`` in each ``--items`` kind (``3``, ``'3'``, ``b'3'``, ``3.5``), where a contract numbers items."""


def number_of(kind: str, value: object) -> int | None:
    """The ``n >= 0`` whose item of ``kind`` :data:`NUMBERED` makes is ``value`` (same type, equal), or ``None``.

    Only plain ints, strs, bytes and floats are read, so no code of another
    object's runs.
    """
    if type(value) not in (int, str, bytes, float):
        return None
    try:
        n = int(value)  # type: ignore[call-overload]
    except (ValueError, OverflowError):
        return None
    made = NUMBERED[kind](n)
    return n if n >= 0 and type(made) is type(value) and made == value else None


@dataclass(frozen=True)
class Method:
    """The method that plays a part: its name, and the literal arguments passed first."""

    name: str
    args: tuple[object, ...] = ()

    @property
    def text(self) -> str:
        """``get_nowait``, or ``__getitem__:0``: how ``--map`` spells it."""
        return ":".join((self.name, *(str(literal(arg)) for arg in self.args)))


@dataclass(frozen=True)
class Sentinel:
    """The value a target returns to say "empty" (``--empty-returns``)."""

    value: object

    @property
    def text(self) -> str:
        """The value as Python source (it is a literal)."""
        return str(literal(self.value))

    def matches(self, value: object) -> bool:
        """``value`` is the sentinel: the very object, or one of its type equal to it.

        Only for the plain literal types a sentinel can have, so the comparison
        runs no target code.
        """
        return value is self.value or (type(value) is type(self.value) and value == self.value)


@dataclass(frozen=True)
class Items:
    """What a contract pushes or sends: a kind, ``module:attr``, or a strategy given from Python.

    ``text`` is ``None`` only for a strategy object passed from Python, which no
    command line can name.
    """

    text: str | None = "any"
    strategy: SearchStrategy[Any] | None = None

    @property
    def kind(self) -> str:
        """The kind (one of :data:`ITEM_KINDS`), or :data:`STRATEGY` for a strategy."""
        return self.text if self.strategy is None and self.text is not None else STRATEGY


@dataclass(frozen=True)
class Options:
    """Contract options, resolved (build one with :func:`make_options`; see the module docstring).

    ``map`` holds only the parts that are renamed; ``empty`` the exception
    classes that mean "empty" (``()``: the contract's own, ``IndexError``).
    """

    map: Mapping[str, Method] = field(default_factory=dict)
    empty: tuple[type[BaseException], ...] = ()
    empty_returns: Sentinel | None = None
    items: Items = field(default_factory=Items)
    compare: str = "identity"
    without: frozenset[str] = frozenset()

    def method(self, part: str) -> Method:
        """The method that plays ``part`` (one of :data:`PARTS`)."""
        return self.map.get(part, Method("__len__" if part == "len" else part))

    @property
    def given(self) -> tuple[str, ...]:
        """The names of the options set to something other than their default, in :data:`FLAGS` order."""
        return tuple(name for name, text in self.texts() if text != "")

    def texts(self) -> tuple[tuple[str, str | None], ...]:
        """(name, command-line text) per option; ``""`` at the default, ``None`` if no text can say it."""
        items = self.items.text if self.items.strategy is None or self.items.text is not None else None
        return (
            ("map", ",".join(f"{part}={self.map[part].text}" for part in PARTS if part in self.map)),
            ("empty", ",".join(map(exception_name, self.empty))),
            ("empty_returns", "" if self.empty_returns is None else self.empty_returns.text),
            ("items", "" if items == "any" else items),
            ("compare", "" if self.compare == "identity" else self.compare),
            ("without", ",".join(part for part in OPTIONAL_PARTS if part in self.without)),
        )

    def command_line(self) -> list[str] | None:
        """The flags that give these options (``["--items", "bytes"]``), or ``None`` if one cannot be said."""
        args: list[str] = []
        for name, text in self.texts():
            if text is None:
                return None
            if text:
                args += [_FLAG_OF[name], text]
        return args

    def keywords(self) -> str:
        """These options as :func:`spec.check` keywords (``items='bytes'``), for a rerun written in Python."""
        parts = []
        for name, text in self.texts():
            if text is None:
                parts.append(f"{name}=<your strategy>")
            elif text:
                parts.append(f"{name}={text if name == 'empty_returns' else repr(text)}")
        return ", ".join(parts)

    def require(self, who: str, accepted: Sequence[str], kinds: Sequence[str]) -> None:
        """Raise :class:`~spec.OptionError` unless ``who`` (``"the queue contract"``) takes every option given.

        ``accepted`` names the options it takes; ``kinds`` the item kinds (and
        :data:`STRATEGY` if it takes a strategy).
        """
        refused = [name for name in self.given if name not in accepted]
        if refused:
            takes = ", ".join(_FLAG_OF[name] for name in accepted) or "no option"
            raise OptionError(f"{who} takes no {_FLAG_OF[refused[0]]} (it takes {takes})")
        if "items" in accepted and self.items.kind not in kinds:
            what = "strategy" if self.items.kind == STRATEGY else self.items.kind
            raise OptionError(f"{who} takes no --items {what} (it takes {', '.join(kinds)})")


class OptionKeywords(TypedDict, total=False):
    """The options as keywords of :func:`spec.check`, :func:`spec.stress.stress` and :func:`make_options`.

    Each takes the command line's text, or the thing itself: a mapping of
    parts to method names, exception classes, the sentinel value, a
    strategy, an iterable of part names.
    """

    map: str | Mapping[str, str]
    empty: str | type[BaseException] | Iterable[str | type[BaseException]]
    empty_returns: object
    items: str | SearchStrategy[Any]
    compare: str
    without: str | Iterable[str]


def make_options(**given: Unpack[OptionKeywords]) -> Options:
    """The :class:`Options` the keywords describe; :class:`~spec.OptionError` (one line) if one is wrong."""
    options = Options(
        map=_parse_map(given["map"]) if "map" in given else {},
        empty=_parse_empty(given["empty"]) if "empty" in given else (),
        empty_returns=_parse_sentinel(given["empty_returns"]) if "empty_returns" in given else None,
        items=_parse_items(given["items"]) if "items" in given else Items(),
        compare=_parse_compare(given.get("compare", "identity")),
        without=_parse_without(given["without"]) if "without" in given else frozenset(),
    )
    for part in options.without:
        if part in options.map:
            raise OptionError(f"--map names a method for {part}, which --without says the target lacks")
    return options


@dataclass(frozen=True)
class Flag:
    """One command-line flag of the options: ``--items KIND``, stored as ``items``."""

    name: str
    flag: str
    metavar: str
    help: str


FLAGS = (
    Flag(
        "map",
        "--map",
        "PART=NAME,...",
        "the method playing each part: push=NAME,pop=NAME,peek=NAME,len=NAME "
        "(NAME:ARG passes one literal argument, e.g. peek=__getitem__:0)",
    ),
    Flag("empty", "--empty", "EXC,...", "exceptions (dotted names) meaning empty, instead of IndexError"),
    Flag(
        "empty_returns",
        "--empty-returns",
        "VALUE",
        "a literal that pop() and peek() return when empty (e.g. None); it is then never pushed",
    ),
    Flag(
        "items",
        "--items",
        "KIND",
        f"what is pushed or sent: {', '.join(ITEM_KINDS)} (default any), or module:attr naming a Hypothesis strategy",
    ),
    Flag(
        "compare",
        "--compare",
        "HOW",
        "identity (default) or equal: equal accepts a copy of an item (the identity clause is then not judged)",
    ),
    Flag("without", "--without", "PART,...", "operations the target lacks: peek, len"),
)
"""The flags of the options, defined once: every command that takes options builds them from here."""

_FLAG_OF = {flag.name: flag.flag for flag in FLAGS}


def options_from_text(texts: Mapping[str, str]) -> Options:
    """The :class:`Options` that command-line texts give (``{"items": "bytes"}``), keyed by :attr:`Flag.name`."""
    return options_from({name: _literal(text) if name == "empty_returns" else text for name, text in texts.items()})


def options_from(values: Mapping[str, object]) -> Options:
    """The :class:`Options` that values keyed by option name give (as :func:`make_options` takes them)."""
    for name in values:
        if name not in _FLAG_OF:
            raise OptionError(f"unknown option {name!r} (known: {', '.join(_FLAG_OF)})")
    return make_options(**cast(OptionKeywords, dict(values)))


# -- parsing ------------------------------------------------------------------


def _split(text: str, flag: str) -> list[str]:
    parts = [part.strip() for part in text.split(",")]
    if not text.strip() or not all(parts):
        raise OptionError(f"{flag}: expected a comma-separated list, got {text!r}")
    return parts


def _parse_map(value: str | Mapping[str, str]) -> dict[str, Method]:
    if isinstance(value, str):
        pairs = []
        for entry in _split(value, "--map"):
            part, sep, name = entry.partition("=")
            if not sep:
                raise OptionError(f"--map: expected PART=NAME, got {entry!r}")
            pairs.append((part.strip(), name.strip()))
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        raise OptionError(f"map: expected 'push=NAME,...' or a mapping, got {value!r}")
    methods: dict[str, Method] = {}
    for part, name in pairs:
        if part not in PARTS:
            raise OptionError(f"--map: unknown part {part!r} (parts: {', '.join(PARTS)})")
        if part in methods:
            raise OptionError(f"--map: {part} is named twice")
        if not isinstance(name, str):
            raise OptionError(f"--map: the method for {part} must be a name, got {name!r}")
        methods[part] = _parse_method(part, name)
    return methods


def _parse_method(part: str, text: str) -> Method:
    name, sep, arg = text.partition(":")
    if not name.isidentifier():
        raise OptionError(f"--map: {part}={text!r}: {name!r} is not a method name")
    if not sep:
        return Method(name)
    value = _literal(arg, f"--map: {part}={text!r}: the argument")
    return Method(name, (value,))


def _literal(text: str, what: str = "--empty-returns") -> object:
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise OptionError(f"{what} must be a Python literal (None, 0, b'', 'text' ...), got {text!r}") from None
    return _plain_literal(value, what, text)


def _plain_literal(value: object, what: str, given: object) -> object:
    if literal(value) is None or (isinstance(value, float) and math.isnan(value)):
        raise OptionError(f"{what} must be None, a bool, an int, a float other than NaN, a str or bytes; got {given!r}")
    return value


def _parse_sentinel(value: object) -> Sentinel:
    return Sentinel(_plain_literal(value, "--empty-returns", value))


def _parse_empty(
    value: str | type[BaseException] | Iterable[str | type[BaseException]],
) -> tuple[type[BaseException], ...]:
    entries: list[object]
    if isinstance(value, str):
        entries = list(_split(value, "--empty"))
    elif isinstance(value, type):
        entries = [value]
    elif isinstance(value, Iterable):
        entries = list(value)
    else:
        raise OptionError(f"--empty: expected exception names or classes, got {value!r}")
    if not entries:
        raise OptionError("--empty: name at least one exception")
    found: list[type[BaseException]] = []
    for entry in entries:
        if isinstance(entry, str):
            found.append(_exception(entry))
        elif isinstance(entry, type) and issubclass(entry, BaseException):
            found.append(entry)
        else:
            raise OptionError(f"--empty: {entry!r} is not an exception class")
    return tuple(found)


def _exception(name: str) -> type[BaseException]:
    """The exception class a dotted name (``queue.Empty``, ``ValueError``, ``pkg.mod:Cls``) names."""
    if not all(p.isidentifier() for p in name.replace(":", ".").split(".")) or name.count(":") > 1:
        raise OptionError(f"--empty: {name!r} is not a dotted name")
    module_name, colon, attr = name.rpartition(":")
    if colon:
        candidates = [(module_name, attr.split("."))]
    else:
        parts = name.split(".")
        candidates = [(".".join(parts[:cut]), parts[cut:]) for cut in range(len(parts) - 1, 0, -1)]
        candidates.append(("builtins", parts))
    for module_name, attrs in candidates:
        try:
            obj: object = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        except Exception as exc:
            raise OptionError(f"--empty: importing {module_name!r} raised {type(exc).__name__}: {exc}") from None
        for attr_name in attrs:
            obj = getattr(obj, attr_name, None)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            return obj
        if obj is not None:
            raise OptionError(f"--empty: {name!r} is not an exception class")
    raise OptionError(f"--empty: no exception named {name!r}")


def exception_name(exc: type[BaseException]) -> str:
    """The shortest dotted name that imports back as ``exc`` (``queue.Empty``, not ``_queue.Empty``).

    Tried in order: the builtin name, then each prefix of the defining module
    (and of its name without a leading underscore) that already holds ``exc``
    under its qualified name; the defining module's own path otherwise.
    """
    module, qualname = exc.__module__, exc.__qualname__
    if getattr(builtins, qualname, None) is exc:
        return qualname
    pieces = module.split(".")
    prefixes = [".".join(pieces[:n]) for n in range(1, len(pieces) + 1)]
    for prefix in [p.lstrip("_") for p in prefixes[:1]] + prefixes:
        found: object = sys.modules.get(prefix)
        for part in qualname.split("."):
            found = getattr(found, part, None)
        if found is exc:
            return f"{prefix}.{qualname}"
    return f"{module}.{qualname}"


def _parse_items(value: str | SearchStrategy[Any]) -> Items:
    if isinstance(value, SearchStrategy):
        return Items(text=None, strategy=value)
    if not isinstance(value, str):
        raise OptionError(f"--items: expected a kind or module:attr, got {value!r}")
    if value in ITEM_KINDS:
        return Items(text=value)
    if ":" not in value:
        raise OptionError(f"--items: unknown kind {value!r} (kinds: {', '.join(ITEM_KINDS)}; or module:attr)")
    try:
        strategy = load_target(value)
    except SpecError as exc:
        raise OptionError(f"--items: {exc}") from None
    if not isinstance(strategy, SearchStrategy):
        raise OptionError(f"--items: {value!r} is not a Hypothesis strategy, got {strategy!r}")
    return Items(text=value, strategy=strategy)


def _parse_compare(value: str) -> str:
    if value not in COMPARES:
        raise OptionError(f"--compare: expected identity or equal, got {value!r}")
    return value


def _parse_without(value: str | Iterable[str]) -> frozenset[str]:
    parts = _split(value, "--without") if isinstance(value, str) else list(value)
    for part in parts:
        if part not in OPTIONAL_PARTS:
            raise OptionError(f"--without: {part!r} is not an operation a target may lack (only: peek, len)")
    return frozenset(parts)
