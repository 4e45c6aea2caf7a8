"""The generator-state contract, and the exact model of CPython's generators.

Target: a zero-argument callable returning a generator-protocol object: a
native generator, or an object with ``__next__``, ``send``, ``throw`` (the
one-argument form), ``close`` and the attributes ``gi_running``,
``gi_suspended`` and ``gi_frame`` that :func:`inspect.getgeneratorstate`
reads.  The oracle drives it with random ``next()``, ``send(v)``,
``throw(e)`` and ``close()`` calls, reads the state after each, and checks
the clauses below, which hold for every generator whatever its body does.

Model: the states and their legal transitions, as data (:class:`GenState`,
:data:`TRANSITIONS`, drawn by :func:`mermaid`).  Beyond the contract, an
exact model of CPython 3.11 to 3.13 predicts, for any program of a small
generator language (:class:`Program`: ``Yield``, ``Return``, ``Raise``,
``Try``, ``YieldFrom`` ...) and any calls, every outcome and every state;
the tests check it against CPython's generators, coroutines and async
generators, and against the hand-written generator of :mod:`impl.genstate`.

Check a generator::

    >>> import spec
    >>> from impl.genstate import native_example
    >>> spec.check("genstate", native_example, max_examples=20).ok
    True

or in a test suite::

    from spec.genstate import GenStateContract

    class TestMyGenerator(GenStateContract):
        factory = my_generator_function
"""

from __future__ import annotations

from impl.genlang import (
    LABELS,
    LAST,
    REENTER_OPS,
    TRANSITIONS,
    Block,
    Exc,
    Flavour,
    GenState,
    Handler,
    Note,
    Program,
    Raise,
    Reenter,
    ReenterOp,
    Reraise,
    Return,
    Stmt,
    Try,
    Value,
    Yield,
    YieldFrom,
    after_one_call,
)
from spec._core.clauses import Clause, Clauses
from spec._core.contract import Contract, machine_runner
from spec._core.testcase import ContractTestCase
from spec.genstate.diagram import mermaid
from spec.genstate.lang import Call, Close, Outcome, Returned, Send, Step, Throw
from spec.genstate.machine import GenStateMachineBase, Thrown, prepare_generator
from spec.genstate.model import VERSIONS, ModelGenerator, Semantics, Unpredictable, predict

__all__ = [
    "CLAUSES",
    "CONTRACT",
    "LABELS",
    "LAST",
    "REENTER_OPS",
    "TRANSITIONS",
    "VERSIONS",
    "Block",
    "Call",
    "Close",
    "Exc",
    "Flavour",
    "GenState",
    "GenStateContract",
    "GenStateMachine",
    "Handler",
    "ModelGenerator",
    "Note",
    "Outcome",
    "Program",
    "Raise",
    "Reenter",
    "ReenterOp",
    "Reraise",
    "Return",
    "Returned",
    "Semantics",
    "Send",
    "Step",
    "Stmt",
    "Throw",
    "Thrown",
    "Try",
    "Unpredictable",
    "Value",
    "Yield",
    "YieldFrom",
    "after_one_call",
    "mermaid",
    "predict",
]

CLAUSES = Clauses(
    Clause(
        "G1",
        "transitions",
        "A new generator must be GEN_CREATED and each call must take it along a legal transition: "
        "a yield leaves it GEN_SUSPENDED, and nothing returns to GEN_CREATED or stays GEN_RUNNING.",
    ),
    Clause(
        "G2",
        "early send",
        "send(v) with v not None on a GEN_CREATED generator must raise TypeError and leave it GEN_CREATED; "
        "send(None) starts it, as next() does.",
    ),
    Clause(
        "G3",
        "early throw",
        "throw(e) on a GEN_CREATED generator must raise e itself and leave it GEN_CLOSED.",
    ),
    Clause(
        "G4",
        "close",
        "close() must leave the generator GEN_CLOSED from any state (a generator that yields in response "
        "to GeneratorExit breaks this); on a new one it returns None.",
    ),
    Clause(
        "G5",
        "closed",
        "GEN_CLOSED is absorbing: next() and send(v) must raise StopIteration, throw(e) must raise e itself, "
        "close() must return None, and the state must stay GEN_CLOSED.",
    ),
    Clause(
        "G6",
        "return value",
        "The return value must arrive exactly once: the call that finishes the generator raises StopIteration "
        "carrying it and leaves it GEN_CLOSED; every later StopIteration carries None.",
    ),
    Clause(
        "G7",
        "errors",
        "An exception other than StopIteration coming out of next() or send(v), or out of throw(e) on a "
        "suspended generator, must leave it GEN_CLOSED (G2's TypeError aside).",
    ),
    Clause(
        "G8",
        "conduct",
        "Every call must return within the time limit, and reading gi_running, gi_suspended and gi_frame "
        "must not raise.",
    ),
    Clause(
        "G9",
        "independence",
        "Each call of the factory must return a new generator, and calls on one generator must not change the "
        "state of another.",
    ),
)


class GenStateMachine(GenStateMachineBase):
    """The genstate state machine: random calls, each judged by the clause that covers it."""

    clauses = CLAUSES
    conduct = "G8"


CONTRACT = Contract(
    name="genstate",
    summary="generator states: next, send, throw, close",
    clauses=CLAUSES,
    target="a zero-argument callable returning a generator, or an object with __next__, send, throw, close, "
    "gi_running, gi_suspended and gi_frame",
    prepare=prepare_generator,
    runner=machine_runner(GenStateMachine),
    references=(
        "impl.genstate:native_example",
        "impl.genstate:class_example",
    ),
)


class GenStateContract(ContractTestCase):
    """Subclass with ``factory = your_generator_function`` to check it in your test suite."""

    contract = "genstate"
