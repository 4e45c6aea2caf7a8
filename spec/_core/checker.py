"""Checkers and contract machines: calls into the target, evidence out.

A contract's machine applies each operation to its model and to the target,
then compares.  It never calls the target directly: it goes through
:meth:`Checker.call`, which

* records the call as a statement of a replayable :class:`~spec._core.program.Program`,
* runs it under the check's :class:`~spec._core.deadline.Deadline`, and
* turns any exception the contract does not allow into a violation of the
  contract's *conduct* clause (the one that says "calls return in time and raise
  nothing else"), so that a broken target is a verdict, never an oracle crash.

Every comparison goes through :meth:`Checker.require`, which counts the
check against its clause (a clause that was never checked is reported as
unexercised, not as holding) and, when it fails, raises
:class:`~spec._core.clauses.ClauseViolation` with the program so far plus a final
statement that fails when replayed.
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NoReturn, TypeVar

from hypothesis.stateful import RuleBasedStateMachine

from spec._core.clauses import Clauses, ClauseViolation, Violation
from spec._core.deadline import Deadline, TargetHung
from spec._core.options import Options
from spec._core.program import Program, TargetRef, bounded, describe_exception, show
from spec._core.signals import OracleSignal, theirs

__all__ = [
    "Binding",
    "Checker",
    "ContractMachine",
    "HungViolation",
    "TargetFailure",
    "describe_exception",
    "describe_traceback",
    "method",
    "quietly",
    "raises_block",
]

T = TypeVar("T")

_TRACEBACK_FRAMES = 30  # the innermost ones, of each exception in a traceback


def describe_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` as text, bounded in depth and time, never raising.

    Each exception of the chain shows its innermost :data:`_TRACEBACK_FRAMES`
    frames (a runaway recursion has a hundred thousand, and formatting all
    of them at every step of the search once cost minutes).
    """
    text = bounded(
        lambda: "".join(traceback.format_exception(type(exc), exc, _own_frames(exc), limit=-_TRACEBACK_FRAMES))
    )
    return text if text is not None else f"{describe_exception(exc)}\n(its traceback could not be formatted)\n"


_ORACLE_MODULES = frozenset({__name__, "spec._core.deadline"})


def _own_frames(exc: BaseException) -> TracebackType | None:
    """The traceback of ``exc`` from the first frame that is not the checker's or the deadline's."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_globals.get("__name__") in _ORACLE_MODULES:
        tb = tb.tb_next
    return tb


@dataclass
class Binding:
    """What one check binds a contract's machine to.

    Shared by every machine instance of the check: the factory to call, how
    snippets name it, the per-call deadline, the contract options and the
    plan the shape check made under them (see
    :class:`~spec._core.contract.Prepared`), and the tallies the report reads
    (programs run, checks made per clause, and how far the search went: the
    most calls into the target one program made, and the largest size any
    program reached, as the contract measures size; see :meth:`Checker.reach`).
    """

    factory: Callable[[], Any]
    ref: TargetRef
    deadline: Deadline
    form: str = ""
    options: Options = field(default_factory=Options)
    plan: Any = None
    programs: int = 0
    checks: Counter[str] = field(default_factory=Counter)
    longest: int = 0
    largest: int = 0
    last: Checker | None = None  # the checker of the program made last: the one running


class TargetFailure(Exception):
    """The target raised, inside a call the machine made; carries what it raised."""

    error: BaseException

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error

    def __str__(self) -> str:
        # Computed when asked for, not for every IndexError a contract expects.
        return describe_exception(self.error)


class HungViolation(OracleSignal):
    """A call into the target hung: the conduct clause is broken, search over.

    Like :class:`~spec._core.deadline.TargetHung` it is a :class:`BaseException`, so
    Hypothesis lets it through at once instead of shrinking (each attempt
    would cost a whole time limit); it carries the program that hung.
    """

    violation: Violation

    def __init__(self, violation: Violation) -> None:
        super().__init__(violation.message)
        self.violation = violation


class Checker:
    """Evidence gathering for one program run against the target.

    It holds the program so far and offers the calls and checks described in
    the module docstring.  :class:`ContractMachine` is a checker; a contract
    whose test is not a state machine (an ``@given`` test) makes one per
    example with ``Checker(clauses=..., conduct=..., binding=...)``.

    ``conduct`` is the id of the clause a hang or a disallowed exception breaks.
    """

    clauses: Clauses
    conduct: str
    binding: Binding
    program: Program
    calls: int  # calls into the target this program made

    def __init__(self, *, clauses: Clauses, conduct: str, binding: Binding) -> None:
        self.clauses = clauses
        self.conduct = conduct
        self.binding = binding
        binding.programs += 1
        binding.last = self
        self.program = Program(binding.ref.imports)
        self.calls = 0

    # -- calling the target -------------------------------------------------

    def attempt(self, source: str, fn: Callable[..., Any], *args: Any, record: bool = True) -> Any:
        """Record ``source`` and return ``fn(*args)``, or raise :class:`TargetFailure`.

        A hang is a conduct violation straight away (there is nothing useful a
        caller could do with it, see :meth:`hung`); an exception -- any
        :class:`BaseException` but the oracle's own signals
        (:mod:`spec._core.signals`) -- is handed to the caller, who decides
        whether the contract allows it.  With ``record=False`` (for queries
        such as ``len(q)`` made only to check) the statement stays in the
        program only if the call fails.
        """
        self.calls += 1
        self.binding.longest = max(self.binding.longest, self.calls)
        return self._guarded(source, fn, args, record=record)

    def judge(self, source: str, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)``: oracle code that runs target code on values the target returned.

        Judging an answer runs the answer's own ``==``, ``__float__`` or
        ``__repr__``; so it runs like a call, under the time limit, and what it
        raises breaks the conduct clause, with ``source`` (``answer == 2.0``)
        as the statement that failed.  It is not counted as a call.
        """
        try:
            return self._guarded(source, fn, args, record=False)  # type: ignore[no-any-return]
        except TargetFailure as failure:
            self.raised(source, failure.error)

    def _guarded(self, source: str, fn: Callable[..., Any], args: tuple[Any, ...], *, record: bool) -> Any:
        self.program.add(source)
        error: BaseException | None = None
        try:
            value = self.binding.deadline.call(fn, *args)
        except TargetHung as hung:
            self.hung(source, hung)
        except BaseException as exc:
            error = theirs(exc)
        if error is not None:
            # Raised outside the handler, so that the target's exception is not
            # its __context__: Hypothesis walks that chain at every failure.
            raise TargetFailure(error)
        self.count(self.conduct)
        if not record:
            self.program.drop_last()
        return value

    def call(self, source: str, fn: Callable[..., Any], *args: Any, record: bool = True) -> Any:
        """Like :meth:`attempt`, but any exception is a conduct violation."""
        try:
            return self.attempt(source, fn, *args, record=record)
        except TargetFailure as failure:
            self.raised(source, failure.error)

    def call_raising(
        self,
        source: str,
        fn: Callable[..., Any],
        *args: Any,
        expected: type[BaseException],
        clause: str,
        why: str,
    ) -> BaseException:
        """Call ``fn(*args)``, which must raise ``expected`` (a check of ``clause``).

        Returning normally breaks ``clause``; raising something else breaks the
        conduct clause.  Returns the exception raised.
        """
        try:
            value = self.attempt(source, fn, *args)
        except TargetFailure as failure:
            if isinstance(failure.error, expected):
                self.count(clause)
                self.count(self.conduct)
                # Replayed, the statement must not stop the program where the
                # target behaved: it raises the expected exception, suppressed.
                self.program.drop_last()
                self.program.need("from contextlib import suppress")
                self.program.add(f"with suppress({expected.__name__}): {source}")
                return failure.error
            self.raised(source, failure.error)
        self.fail(
            clause,
            f"{source} returned {show(value)}; {why}",
            expected=f"raises {expected.__name__}",
            actual=f"returned {show(value)}",
            ending=raises_block(source, expected, f"{self.tag(clause)}: {why}"),
            replace_last=True,
        )

    def equal(self, source: str, a: object, b: object) -> bool:
        """``a == b`` where either may be the target's object, so ``__eq__`` is target code.

        It runs under the time limit, and so does ``bool()`` of its result,
        which is target code too (a hang is a conduct violation, as for any
        call); an exception counts as "not equal".  ``source`` names the
        comparison in the snippet, should it hang.
        """
        try:
            return self.attempt(source, _equal, a, b, record=False)  # type: ignore[no-any-return]
        except TargetFailure:
            self.program.drop_last()
            return False

    def reach(self, size: int) -> None:
        """Note that this program reached ``size`` (items held, tasks run ...; the contract says what).

        The report of a check that holds says the largest size reached, so that
        a user can tell how far the search went.
        """
        self.binding.largest = max(self.binding.largest, size)

    # -- checking -----------------------------------------------------------

    def tag(self, clause: str) -> str:
        """``Q1 (FIFO)``: how assertion messages in snippets name a clause."""
        return f"{clause} ({self.clauses[clause].title})"

    def count(self, clause: str, times: int = 1) -> None:
        """Tally ``times`` checks of ``clause`` (they passed)."""
        assert clause in self.clauses, clause
        self.binding.checks[clause] += times

    def require(
        self,
        ok: bool,
        clause: str,
        message: str,
        *,
        expected: object = "",
        actual: object = "",
        ending: Sequence[str] = (),
        replace_last: bool = False,
    ) -> None:
        """Count a check of ``clause``; if ``ok`` is false, fail it (see :meth:`fail`)."""
        if not ok:
            self.fail(
                clause,
                message,
                expected=expected,
                actual=actual,
                ending=ending,
                replace_last=replace_last,
            )
        self.count(clause)

    def fail(
        self,
        clause: str,
        message: str,
        *,
        expected: object = "",
        actual: object = "",
        ending: Sequence[str] = (),
        replace_last: bool = False,
        detail: str = "",
    ) -> NoReturn:
        """Raise :class:`ClauseViolation` for ``clause``, or the clause :meth:`attribute` names.

        ``ending`` are statements appended to the program (or replacing its
        last statement) that fail when the program is replayed.  ``expected``
        and ``actual`` are shown as given when they are strings, else as reprs.
        """
        clause, message, ending = self.attribute(clause, message, ending)
        self.count(clause)
        raise ClauseViolation(
            Violation(
                clause=self.clauses[clause],
                message=message,
                expected=expected if isinstance(expected, str) else show(expected),
                actual=actual if isinstance(actual, str) else show(actual),
                program=self.program.lines(ending=ending, replace_last=replace_last),
                detail=detail,
            )
        )

    def attribute(self, clause: str, message: str, ending: Sequence[str]) -> tuple[str, str, Sequence[str]]:
        """The clause a failure found as a violation of ``clause`` is blamed on, with its message and ending.

        As found, here; a contract whose evidence can point at a more specific
        clause than the check that found it overrides this (the pipeline
        contract blames a failure at a size edge on its edge clause when the
        sizes nearby hold).
        """
        return clause, message, ending

    def raised(self, source: str, error: BaseException) -> NoReturn:
        """Fail the conduct clause: ``source`` raised ``error``, which is not allowed."""
        described = describe_exception(error)
        detail = describe_traceback(error)
        BaseException.with_traceback(error, None)  # not needed again (a runaway recursion holds 10**5 frames)
        self.fail(
            self.conduct,
            f"{source} raised {described}",
            expected="no exception",
            actual=described,
            ending=(f"# raises {described}",),
            detail=detail,
        )

    def hung(self, source: str, hung: TargetHung, *, clause: str = "", context: str = "") -> NoReturn:
        """Fail ``clause`` (default: the conduct clause): ``source`` did not return in time.

        Raises :class:`HungViolation`, which ends the search at once; the
        program is the one that hung, not shrunk.  ``context`` is added to
        the message (``" after the channel was closed"``).
        """
        broken = self.clauses[clause or self.conduct]
        self.binding.checks[broken.id] += 1
        raise HungViolation(
            Violation(
                clause=broken,
                message=f"{source} {hung}{context}",
                expected=f"returns within {hung.seconds:g} s",
                actual="still running",
                program=self.program.lines(ending=(f"# does not return within {hung.seconds:g} s",)),
            )
        ) from None


class ContractMachine(Checker, RuleBasedStateMachine):
    """Base class for contract state machines: a :class:`Checker` Hypothesis drives.

    Subclasses set ``clauses`` and ``conduct`` as class attributes; the oracle
    makes a further subclass per check with ``binding`` set (see
    :func:`spec._core.contract.machine_runner`).
    """

    def __init__(self) -> None:
        RuleBasedStateMachine.__init__(self)
        cls = type(self)
        Checker.__init__(self, clauses=cls.clauses, conduct=cls.conduct, binding=cls.binding)


def quietly(deadline: Deadline, fn: Callable[..., object], *args: Any) -> bool:
    """Call target code whose outcome does not matter (cleanup); whether it returned.

    It runs under ``deadline``; what it raises, and a hang, are swallowed --
    all but the oracle's own signals (:mod:`spec._core.signals`).
    """
    try:
        deadline.call(fn, *args)
    except TargetHung:
        return False
    except BaseException as exc:
        theirs(exc)
        return False
    return True


def method(obj: Any, name: str) -> Callable[..., Any]:
    """``obj.name`` as a function that looks the method up when called.

    Looking up an attribute of a target's object runs target code (a
    property, ``__getattr__``); passed to :meth:`Checker.call`, the lookup runs
    with the call, under the time limit and the checker's judgement.
    """

    def call(*args: Any) -> Any:
        return getattr(obj, name)(*args)

    return call


def _equal(a: object, b: object) -> bool:
    return bool(a == b)


def raises_block(source: str, expected: type[BaseException], why: str) -> tuple[str, ...]:
    """Statements that fail with ``AssertionError(why)`` unless ``source`` raises ``expected``."""
    return (
        "try:",
        f"    {source}",
        f"except {expected.__name__}:",
        "    pass",
        "else:",
        f"    raise AssertionError({why!r})",
    )
