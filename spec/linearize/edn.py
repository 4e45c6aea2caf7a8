"""A reader for EDN, the data notation of Clojure and of Jepsen's histories.

It reads what Jepsen writes: ``nil``, booleans, integers (``42``, ``42N``),
floats (``1.5``, ``1e10``, ``##Inf``, ``##NaN``), big decimals (``1.5M``),
ratios (``1/2``), strings, characters (``\\a``, ``\\newline``,
``\\u0041``), keywords (``:ok``), symbols, lists, vectors, maps and sets,
with ``;`` comments, ``#_`` discards, and tagged values (``#inst "..."``,
``#uuid "..."``, a record ``#jepsen.history.Op{...}``), read as the value
without its tag.  Python values are those of :mod:`spec.linearize.values`.

Every error is an :class:`EDNError` naming the line.  The reader has no
recursion (values nest up to :data:`~spec.linearize.values.MAX_DEPTH`
deep), no regular expression that can backtrack, and holds at most a
megabyte of tokens at a time.

Discussion (speed): Jepsen histories repeat the same few tokens (``{``,
``:process``, ``:type``, ``:invoke``, ``nil``, small numbers) hundreds of
thousands of times.  So the text is split into tokens by one regular
expression (``findall``, a megabyte of text at a time), and each distinct
token is read once and remembered: most tokens cost one dictionary look-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final

from spec.linearize.values import (
    MAX_DEPTH,
    BadValue,
    Keyword,
    Symbol,
    float_from_text,
    int_from_text,
    show_value,
)

__all__ = ["EDNError", "Keyword", "Symbol", "read_all", "read_one"]


class EDNError(ValueError):
    """Malformed EDN; ``line`` is where the problem is (1-based)."""

    line: int

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


# One token per match, found by searching: what ``findall`` skips between
# tokens is only whitespace and commas, since every other character starts
# some token (the last alternative catches a quote that opens a string never
# closed, and a lone backslash).  A newline is a token of its own, so that
# lines can be counted without positions; a string is the only token that
# may span lines.  No alternative can backtrack more than linearly.
_TOKENS: Final = re.compile(
    r"""\#_ | \#\{
    | [^\s,()\[\]{}"\\;]+
    | [()\[\]{}\n]
    | "[^"\\]*(?:\\.[^"\\]*)*"
    | ;[^\n]*
    | \\(?:u[0-9A-Fa-f]{4}|o[0-7]{1,3}|[a-z]+|.)
    | ["\\]""",
    re.VERBOSE | re.DOTALL,
)
_CHUNK: Final = 1 << 20  # characters tokenized at a time
_CACHED: Final = 64  # tokens up to this long are remembered ...
_CACHE_SIZE: Final = 100_000  # ... this many of them at most

_INT: Final = re.compile(r"[+-]?(?:0|[1-9]\d*)N?")
_FLOAT: Final = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d*)?(?:[eE][+-]?\d+)?M?")
_RATIO: Final = re.compile(r"[+-]?(?:0|[1-9]\d*)/[1-9]\d*")
_ESCAPE: Final = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)", re.DOTALL)
_ESCAPES: Final = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_CHARS: Final = {
    "newline": "\n",
    "space": " ",
    "tab": "\t",
    "return": "\r",
    "backspace": "\b",
    "formfeed": "\f",
}
_SYMBOLIC: Final = {"##Inf": float("inf"), "##-Inf": float("-inf"), "##NaN": float("nan")}


class _Mark:
    """A token that is not a value: it opens or closes a collection, or is read for its effect."""

    __slots__ = ("closer", "text")

    def __init__(self, text: str, closer: str = "") -> None:
        self.text = text
        self.closer = closer  # for an opening bracket, the closing one


_NEWLINE, _COMMENT, _DISCARD, _TAG = _Mark("\n"), _Mark(";"), _Mark("#_"), _Mark("#tag")
_MARKS: Final = {
    **{opener: _Mark(opener, closer) for opener, closer in (("(", ")"), ("[", "]"), ("{", "}"), ("#{", "}"))},
    **{closer: _Mark(closer) for closer in ")]}"},
    "\n": _NEWLINE,
    "#_": _DISCARD,
}


def _fresh_cache() -> dict[str, Any]:
    cache: dict[str, Any] = {"nil": None, "true": True, "false": False}
    cache.update(_MARKS)
    cache.update(_SYMBOLIC)
    return cache


class _Frame:
    """An open collection: its opening bracket, its items so far, where it began, what it still waits for."""

    __slots__ = ("closer", "items", "line", "lines", "opener", "waiting")

    def __init__(self, opener: _Mark, line: int) -> None:
        self.opener = opener.text
        self.closer = opener.closer
        self.items: list[Any] = []
        self.lines: list[int] = []  # the line of each item (kept at the top level and one level in)
        self.line = line
        self.waiting: list[_Mark] = []  # the #_ and tags read whose form has not come yet


def _survives(frame: _Frame) -> bool:
    """Whether the form just read stays, after the #_ and tags that wait for it (innermost first)."""
    waiting = frame.waiting
    while waiting:
        if waiting.pop() is _DISCARD:
            return False
    return True


def read_all(text: str, *, elements: bool = False, check: Callable[[int], None] | None = None) -> list[tuple[int, Any]]:
    """Every top-level form of ``text`` with the line it starts on.

    With ``elements``, a text that is one vector or list gives its elements
    instead, each with its own line (a Jepsen history written as one
    vector).  ``check(line)``, if given, is called every megabyte or so
    (to stop a long read: whatever it raises goes through).
    """
    reader = _Reader()
    pos = 0
    while pos < len(text):
        end = _cut(text, pos, _CHUNK)
        tokens = _TOKENS.findall(text, pos, end)
        while end < len(text) and '"' in tokens:  # a string runs past the cut: cut further on
            end = _cut(text, pos, 4 * (end - pos))
            tokens = _TOKENS.findall(text, pos, end)
        reader.feed(tokens)
        if check is not None and end < len(text):
            check(reader.line)
        pos = end
    return reader.forms(elements)


class _Reader:
    """The forms read so far from a stream of tokens, and the collections still open."""

    def __init__(self) -> None:
        self.top = _Frame(_Mark(""), 1)
        self.stack = [self.top]
        self.cache = _fresh_cache()
        self.line = 1
        self.inner: list[int] = []  # the lines of the elements of the last collection read at the top level

    def feed(self, tokens: list[str]) -> None:
        """Read the next tokens (the hot loop: a token seen before costs a dictionary look-up)."""
        cache, stack = self.cache, self.stack
        frame = stack[-1]
        items, lines = frame.items, frame.lines
        for token in tokens:
            value = cache.get(token, cache)
            if value is cache:
                value = _token(token, self.line)
                if type(value) is str and "\n" in token:  # a string over several lines: not remembered
                    if not frame.waiting or _survives(frame):
                        items.append(value)
                        if len(stack) < 3:
                            lines.append(self.line)
                    self.line += token.count("\n")
                    continue
                if len(token) <= _CACHED and len(cache) < _CACHE_SIZE:
                    cache[token] = value
            if type(value) is _Mark:
                if value is _NEWLINE:
                    self.line += 1
                elif value.closer:
                    frame = self._open(value)
                    items, lines = frame.items, frame.lines
                elif value.text == frame.closer:
                    closed = stack.pop()
                    value = _close(closed)
                    frame = stack[-1]
                    items, lines = frame.items, frame.lines
                    if frame.waiting and not _survives(frame):
                        continue
                    items.append(value)
                    if len(stack) < 3:
                        lines.append(closed.line)
                        if frame is self.top:
                            self.inner = closed.lines
                elif value is _COMMENT:
                    continue
                elif value is _DISCARD or value is _TAG:
                    frame.waiting.append(value)
                else:
                    raise EDNError(self.line, f"unexpected {value.text!r}")
                continue
            if frame.waiting and not _survives(frame):
                continue
            items.append(value)
            if len(stack) < 3:  # the top level, or a collection in it: keep the line of each form
                lines.append(self.line)

    def _open(self, opener: _Mark) -> _Frame:
        if len(self.stack) > MAX_DEPTH:
            raise EDNError(self.line, f"a value is nested more than {MAX_DEPTH} deep")
        frame = _Frame(opener, self.line)
        self.stack.append(frame)
        return frame

    def forms(self, elements: bool) -> list[tuple[int, Any]]:
        """The top-level forms with their lines (or the elements of the only one; see :func:`read_all`)."""
        top = self.top
        if len(self.stack) > 1:
            raise EDNError(self.stack[-1].line, f"{self.stack[-1].opener!r} is never closed")
        if top.waiting:
            raise EDNError(self.line, "a #_ or a tag with no form after it")
        if elements and len(top.items) == 1 and type(top.items[0]) is tuple:
            return list(zip(self.inner, top.items[0], strict=True))
        return list(zip(top.lines, top.items, strict=True))


def _cut(text: str, pos: int, size: int) -> int:
    """Where to stop tokenizing from ``pos``: just after a newline about ``size`` on, or the end."""
    if len(text) - pos <= size:
        return len(text)
    return text.find("\n", pos + size) + 1 or len(text)


def _close(frame: _Frame) -> Any:
    """The value of a collection whose closing bracket was just read."""
    items = frame.items
    if frame.waiting:
        raise EDNError(frame.line, "a #_ or a tag with no form after it")
    opener = frame.opener
    if opener in ("(", "["):
        return tuple(items)
    try:
        if opener == "#{":
            value: Any = frozenset(items)
            size = len(value)
        else:
            if len(items) % 2:
                raise EDNError(frame.line, "a map needs an even number of forms")
            pairs = iter(items)
            value = dict(zip(pairs, pairs, strict=True))
            size = 2 * len(value)
    except TypeError:
        raise EDNError(frame.line, "a map key or set element is or holds a map, which cannot be one") from None
    if size != len(items):
        raise EDNError(frame.line, "a map key or set element appears twice")
    return value


def _token(token: str, line: int) -> Any:
    """The value (or :class:`_Mark`) of a token seen for the first time."""
    first = token[0]
    if first == ";":
        return _COMMENT
    if first == '"':
        if len(token) == 1:
            raise EDNError(line, "a string is never closed")
        body = token[1:-1]
        return _ESCAPE.sub(lambda m: _unescape(m, line), body) if "\\" in body else body
    if first == "\\":
        if len(token) == 1:
            raise EDNError(line, "a backslash with no character after it")
        return _char(token, line)
    if first == "#":
        if token.startswith("##"):
            raise EDNError(line, f"unknown symbolic value {show_value(token)} (known: ##Inf, ##-Inf, ##NaN)")
        if len(token) > 1 and token[1].isalpha():
            return _TAG
        raise EDNError(line, f"unexpected {show_value(token)}")
    return _atom(token, line)


def _atom(token: str, line: int) -> Any:
    first = token[0]
    try:
        if first == ":":
            if len(token) > 1 and token[1] != ":":
                return Keyword(token[1:])
        elif first.isdigit() or (first in "+-" and token[1:2].isdigit()):
            if _INT.fullmatch(token):
                return int_from_text(token.rstrip("N"))
            if _FLOAT.fullmatch(token):
                if token.endswith("M"):
                    return Decimal(token[:-1])
                return float_from_text(token)
            if _RATIO.fullmatch(token):
                return _ratio(token)
        else:
            return Symbol(token)
    except (BadValue, InvalidOperation) as exc:
        raise EDNError(line, f"the number {show_value(token)} is out of range") from exc
    raise EDNError(line, f"{show_value(token)} is not a number, keyword or symbol")


def _ratio(token: str) -> int | Fraction:
    numerator, _, denominator = token.partition("/")
    top, bottom = int_from_text(numerator), int_from_text(denominator)
    if not (isinstance(top, int) and isinstance(bottom, int)):
        raise BadValue("a ratio too long")
    ratio = Fraction(top, bottom)
    return ratio.numerator if ratio.denominator == 1 else ratio


def _char(token: str, line: int) -> str:
    body = token[1:]
    if len(body) == 1:
        return body
    if body in _CHARS:
        return _CHARS[body]
    if body[0] == "u" and len(body) == 5:
        return chr(int(body[1:], 16))
    if body[0] == "o" and body[1:].isdigit():
        return chr(int(body[1:], 8))
    raise EDNError(line, f"unknown character {show_value(token)}")


def _unescape(match: re.Match[str], line: int) -> str:
    code = match.group(1)
    if code in _ESCAPES:
        return _ESCAPES[code]
    if len(code) == 5:
        return chr(int(code[1:], 16))
    raise EDNError(line, f"unknown escape \\{show_value(code)[1:-1]} in a string")


_ATOM: Final = r"""[^\s,()\[\]{}"\\;#][^\s,()\[\]{}"\\;]*"""
_ATOM_ONLY: Final = re.compile(_ATOM)
_PLAIN_STRING: Final = re.compile(r'"[^"\\\n]*"')
_FLAT_VECTOR: Final = re.compile(rf"""\[ *({_ATOM}(?: +{_ATOM})*) *\]""")
_CONSTANTS: Final = {"nil": None, "true": True, "false": False}


def _scalar(atom: str, line: int) -> Any:
    """The value of one atom: a constant, a small natural number (the common cases, quickly), or any other."""
    if atom in _CONSTANTS:
        return _CONSTANTS[atom]
    if atom.isdigit() and atom.isascii() and len(atom) < 19 and (atom[0] != "0" or len(atom) == 1):
        return int(atom)
    return _atom(atom, line)


def read_one(text: str, line: int = 1) -> Any:
    """The one form ``text`` holds; errors name ``line`` plus the lines into ``text``.

    A lone atom (``nil``, ``42``, ``:ok``), a string without escapes and a
    vector of atoms (``[1 2]``), what Jepsen's histories mostly hold, are
    read without the full reader.
    """
    first = text[:1]
    if first == "[":
        found = _FLAT_VECTOR.fullmatch(text)
        if found:
            return tuple([_scalar(atom, line) for atom in found[1].split()])
    elif first == '"':
        if _PLAIN_STRING.fullmatch(text):
            return text[1:-1]
    elif _ATOM_ONLY.fullmatch(text):
        return _scalar(text, line)
    try:
        forms = read_all(text)
    except EDNError as exc:
        raise EDNError(line + exc.line - 1, str(exc).partition(": ")[2]) from None
    if len(forms) != 1:
        raise EDNError(line + (forms[1][0] - 1 if forms else 0), "more than one form" if forms else "no form")
    return forms[0][1]
