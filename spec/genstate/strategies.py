"""Hypothesis strategies for generator programs and the calls that drive them.

Programs are small (a few statements per block, nesting three deep; block
ending statements only last) because the interesting cases are
combinations, not sizes: a ``yield`` inside an
``except GeneratorExit``, a ``return`` inside a ``finally`` inside a
delegated sub-generator, a ``StopIteration`` thrown into a fresh one.
Strategies list the simplest choice first, so that failures shrink towards
plain ``yield`` statements and ``next()`` calls.
"""

from __future__ import annotations

import functools

from hypothesis import strategies as st

from impl.genlang import (
    LAST,
    REENTER_OPS,
    Block,
    Exc,
    Flavour,
    Handler,
    Note,
    Program,
    Raise,
    Reenter,
    Reraise,
    Return,
    Stmt,
    Try,
    Value,
    Yield,
    YieldFrom,
)
from spec.genstate.lang import Call, Close, Send, Throw

__all__ = ["CAUGHT", "RAISED", "call_sequences", "calls", "programs", "sent_values"]

RAISED: tuple[type[BaseException], ...] = (
    ValueError,
    KeyError,
    StopIteration,
    GeneratorExit,
    RuntimeError,
    StopAsyncIteration,
)
"""What programs raise and calls throw (each with a tag: ``ValueError(12)``)."""

CAUGHT: tuple[type[BaseException], ...] = (
    ValueError,
    GeneratorExit,
    KeyError,
    StopIteration,
    RuntimeError,
    Exception,
    BaseException,
    StopAsyncIteration,
)
"""What ``except`` clauses name."""

_DEPTH = 3


_VALUES: st.SearchStrategy[Value] = st.one_of(st.integers(1, 9), st.just(LAST), st.none())


def _excs(tags: st.SearchStrategy[int]) -> st.SearchStrategy[Exc]:
    return st.builds(lambda kind, tag: Exc(kind, (tag,)), st.sampled_from(RAISED), tags)


_RAISES = _excs(st.integers(10, 19))
_THROWS = _excs(st.integers(30, 39))
_REENTERS = st.sampled_from(REENTER_OPS)

# Each strategy is built once per (flavour, depth, ...) and cached: building
# strategies inside a draw would validate them anew every time.  Composite
# strategies also keep reprs short ("blocks()"): the nested one_of of a
# recursive grammar would print as tens of kilobytes.


@functools.cache
def _blocks(flavour: Flavour, depth: int, in_handler: bool) -> st.SearchStrategy[Block]:
    statements = st.lists(_statements(flavour, depth), max_size=6 if depth == _DEPTH else 3)
    # Statements that end a block (return, raise, re-entrance, which raises)
    # come only last: code after them would never run.
    ends = st.sampled_from(["", "", "return", "", "raise", "reenter", *(["reraise"] if in_handler else [])])

    @st.composite
    def blocks(draw: st.DrawFn) -> Block:
        body = draw(statements)
        end = draw(ends)
        if end == "return":
            body.append(Return(draw(_VALUES)))
        elif end == "raise":
            body.append(Raise(draw(_RAISES)))
        elif end == "reenter":
            body.append(Reenter(draw(_REENTERS)))
        elif end == "reraise":
            body.append(Reraise())
        return tuple(body)

    return blocks()


@functools.cache
def _statements(flavour: Flavour, depth: int) -> st.SearchStrategy[Stmt]:
    # Repeated kinds weigh more: yields and try statements keep a program
    # running long enough for the calls to meet its handlers.
    choices: list[st.SearchStrategy[Stmt]] = [st.builds(Yield, _VALUES), st.builds(Note, st.integers(0, 9))]
    if depth > 0:
        inner = _blocks(flavour, depth - 1, False)
        handlers = st.builds(Handler, st.sampled_from(CAUGHT), _blocks(flavour, depth - 1, True))
        tries = st.one_of(
            st.builds(Try, inner, st.lists(handlers, min_size=1, max_size=2).map(tuple), st.none() | inner),
            st.builds(Try, inner, st.just(()), inner),
        )
        choices += [tries, choices[0], tries]
        if flavour is not Flavour.ASYNC_GENERATOR:
            choices.append(st.builds(YieldFrom, inner))
    kinds = st.sampled_from(range(len(choices)))

    @st.composite
    def statements(draw: st.DrawFn) -> Stmt:
        return draw(choices[draw(kinds)])

    return statements()


def programs(flavour: Flavour = Flavour.GENERATOR) -> st.SearchStrategy[Program]:
    """Programs that can be rendered as ``flavour`` (no ``yield from`` in an async generator)."""
    return st.builds(Program, _blocks(flavour, _DEPTH, False))


_CALLS: tuple[st.SearchStrategy[Call], ...] = (
    st.just(Send(None)),
    st.builds(Throw, _THROWS),
    st.just(Send(None)),
    st.builds(Send, st.integers(20, 29)),
    st.just(Close()),
)
_CALL_KINDS = st.sampled_from(range(len(_CALLS)))


@st.composite
def _one_call(draw: st.DrawFn) -> Call:
    return draw(_CALLS[draw(_CALL_KINDS)])


def calls() -> st.SearchStrategy[Call]:
    """One call: ``next`` (most often), ``throw(e)``, ``send(v)`` with ``v`` not ``None``, or ``close()``."""
    return _one_call()


def call_sequences() -> st.SearchStrategy[tuple[Call, ...]]:
    """Up to eight calls (the run then closes the generator for good)."""
    return st.lists(calls(), min_size=1, max_size=8).map(tuple)


def sent_values() -> st.SearchStrategy[object]:
    """What the genstate contract sends: the default ("any") draw of its ``send`` rule.

    ``None`` (which starts a new generator, as ``next()`` does), small ints,
    and values that are falsy or equal to each other across types (``0``,
    ``False``, ``0.0``, ``''``, ``()``), which code that tests ``if value:``
    or ``value == None``-style conditions mistakes for ``None``.
    """
    return st.one_of(st.integers(0, 9), st.none(), st.sampled_from([False, 0.0, "", (), True]))
