"""A small reader for EDN, the data notation of Clojure and Jepsen histories.

It reads what histories hold: ``nil``, booleans, integers (``42``,
``42N``), floats, strings, characters, keywords (``:ok``), symbols, lists,
vectors, maps and sets, with ``;`` comments, ``#_`` discards and tagged
values (``#inst "..."``, read as the value without its tag).

Python values: ``nil`` -> ``None``; lists and vectors -> ``tuple``; sets ->
``frozenset``; maps -> ``dict``; keywords -> :class:`Keyword`; symbols ->
:class:`Symbol`.  Every error is an :class:`EDNError` naming the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["EDNError", "Keyword", "Symbol", "read_all", "read_one"]


class EDNError(ValueError):
    """Malformed EDN; ``line`` is where the problem is (1-based)."""

    line: int

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True, slots=True)
class Keyword:
    """An EDN keyword such as ``:invoke`` (``name`` is ``"invoke"``)."""

    name: str

    def __repr__(self) -> str:
        return f":{self.name}"


@dataclass(frozen=True, slots=True)
class Symbol:
    """An EDN symbol other than ``nil``, ``true`` and ``false``."""

    name: str

    def __repr__(self) -> str:
        return self.name


_TOKEN = re.compile(
    r"""
      (?P<space>(?:[\s,]+|;[^\n]*)+)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<open>\#\{|[(\[{])
    | (?P<close>[)\]}])
    | (?P<discard>\#_)
    | (?P<tag>\#[A-Za-z][^\s,()\[\]{}"\\;]*)
    | (?P<char>\\(?:newline|space|tab|return|u[0-9a-fA-F]{4}|[^\s]))
    | (?P<atom>[^\s,()\[\]{}"\\;\#][^\s,()\[\]{}"\\;]*)
    """,
    re.VERBOSE | re.DOTALL,
)
_INT = re.compile(r"[+-]?\d+N?")
_FLOAT = re.compile(r"[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?M?")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_CHARS = {"newline": "\n", "space": " ", "tab": "\t", "return": "\r"}
_CLOSING = {"(": ")", "[": "]", "{": "}", "#{": "}"}


class _Reader:
    """A cursor over the text that reads one form at a time."""

    text: str
    pos: int
    _line: int
    _line_pos: int

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._line = 1
        self._line_pos = 0

    def line(self, pos: int | None = None) -> int:
        """The 1-based line of ``pos`` (default: the cursor).

        Counted on from the last position asked about: the reader only asks
        about positions that never go back (the start of each top-level form,
        then at most one error position within it).
        """
        pos = self.pos if pos is None else pos
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def skip_space(self) -> None:
        match = _TOKEN.match(self.text, self.pos)
        if match is not None and match.lastgroup == "space":
            self.pos = match.end()

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)

    def form(self) -> Any:
        """Read the next form; :class:`EDNError` at the end of the text or on bad input."""
        self.skip_space()
        start = self.pos
        if start >= len(self.text):
            raise EDNError(self.line(), "unexpected end of input")
        match = _TOKEN.match(self.text, start)
        if match is None:
            raise EDNError(self.line(), f"unexpected character {self.text[start]!r}")
        kind, token = match.lastgroup, match.group()
        self.pos = match.end()
        if kind == "string":
            return _ESCAPE.sub(lambda m: self._unescape(m, start), token[1:-1])
        if kind == "open":
            return self._collection(token, start)
        if kind == "close":
            raise EDNError(self.line(start), f"unexpected {token!r}")
        if kind == "discard":
            self.form()
            return self.form()
        if kind == "tag":
            return self.form()
        if kind == "char":
            body = token[1:]
            if body in _CHARS:
                return _CHARS[body]
            return chr(int(body[1:], 16)) if len(body) == 5 and body[0] == "u" else body
        return self._atom(token, start)

    def _unescape(self, match: re.Match[str], start: int) -> str:
        code = match.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code[0] == "u" and len(code) == 5:
            return chr(int(code[1:], 16))
        raise EDNError(self.line(start), f"unknown escape \\{code} in a string")

    def _collection(self, opener: str, start: int) -> Any:
        closer = _CLOSING[opener]
        items: list[Any] = []
        while True:
            self.skip_space()
            if self.pos >= len(self.text):
                raise EDNError(self.line(start), f"{opener!r} is never closed")
            if self.text.startswith(closer, self.pos):
                self.pos += 1
                break
            items.append(self.form())
        if opener in "([":
            return tuple(items)
        try:
            if opener == "#{":
                return frozenset(items)
            if len(items) % 2:
                raise EDNError(self.line(start), "a map needs an even number of forms")
            return dict(zip(items[::2], items[1::2], strict=True))
        except TypeError:
            raise EDNError(self.line(start), "a map key or set element is a map, which cannot be one") from None

    def _atom(self, token: str, start: int) -> Any:
        if token == "nil":
            return None
        if token in ("true", "false"):
            return token == "true"
        if token[0] == ":" and len(token) > 1:
            return Keyword(token[1:])
        if _INT.fullmatch(token):
            return int(token.rstrip("N"))
        if _FLOAT.fullmatch(token):
            return float(token.rstrip("M"))
        if token[0].isdigit() or (token[0] in "+-" and token[1:2].isdigit()) or token[0] == ":":
            raise EDNError(self.line(start), f"{token!r} is not a number, keyword or symbol")
        return Symbol(token)


def read_all(text: str) -> list[tuple[int, Any]]:
    """Every top-level form of ``text`` with the line it starts on."""
    reader = _Reader(text)
    forms: list[tuple[int, Any]] = []
    while not reader.at_end():
        line = reader.line()
        forms.append((line, reader.form()))
    return forms


def read_one(text: str, line: int = 1) -> Any:
    """The one form ``text`` holds; errors name ``line`` plus the lines into ``text``."""
    reader = _Reader(text)
    try:
        value = reader.form()
        if not reader.at_end():
            raise EDNError(reader.line(), "more than one form")
    except EDNError as exc:
        raise EDNError(line + exc.line - 1, str(exc).partition(": ")[2]) from None
    return value
