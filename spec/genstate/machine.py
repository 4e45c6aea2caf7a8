"""The ``genstate`` contract's state machine: any generator-protocol object, driven at random.

The oracle does not know the target's body, so it checks what holds for
every generator whatever its body does: the state after each call against
the legal transitions, and the calls whose answer does not depend on the
body (before the start, after the end, ``close()``).  Each time a call
closes the generator, the machine makes every call a closed generator must
answer, then starts a new one (:meth:`GenStateMachineBase._renew`).

Discussion (attributing a failure to the right clause): one wrong answer can
often be read as breaking two clauses; the report must name the one that
sends the implementer to the right place.  So a call is judged by the most
specific clause that covers it, and the general transition clause (G1) comes
last, for what no other clause explains:

* a call on a closed generator: G5 (and G6 for a return value repeated),
  checked right after the call that closed it;
* ``send(v)`` with ``v`` not ``None`` on a new generator: G2;
* ``throw(e)`` on a new generator: G3;
* ``close()``: G4;
* a call that finished the generator with ``StopIteration``: G6; one that
  let another exception out: G7;
* only then: the state after the call must be reachable in one call (G1),
  and a call that returned a value must have left the generator suspended.
"""

from __future__ import annotations

import builtins
import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import rule

from impl.genlang import GenState, after_one_call
from spec._core.checker import ContractMachine, TargetFailure, describe_exception, method, quietly
from spec._core.contract import Prepared, as_factory, call_for_shape
from spec._core.deadline import Deadline, TargetHung
from spec._core.errors import TargetError
from spec._core.options import Options
from spec._core.program import guarded, show, type_name
from spec._core.signals import theirs
from spec.genstate.strategies import sent_values

__all__ = ["GenStateMachineBase", "Thrown", "prepare_generator"]

CREATED, RUNNING, SUSPENDED, CLOSED = GenState

_METHODS = ("__next__", "send", "throw", "close")
_ATTRIBUTES = ("gi_running", "gi_suspended", "gi_frame")


class Thrown(Exception):
    """What the oracle throws into generators: an exception no target has a reason to catch."""


class _Abandoned(BaseException):
    """Thrown into a generator that will not close, to end it when the check is over."""


_UNCLOSABLE: list[object] = []
"""Generators that could not be closed, kept alive so that the garbage collector never resumes them."""


def prepare_generator(target: object, deadline: Deadline, options: Options) -> Prepared:
    """The shape check: ``target`` is a zero-argument callable returning a generator-protocol object."""
    if inspect.isgenerator(target):
        raise TargetError(
            "a genstate target must be a zero-argument callable returning a generator, got a generator object;"
            " pass the generator function instead"
        )
    factory, name = as_factory(target, "a genstate target must be a zero-argument callable returning a generator")
    gen = call_for_shape(f"{name}()", deadline, factory)
    try:
        missing = deadline.call(_missing, gen)
    except TargetHung as hung:
        raise TargetError(f"reading the attributes of what {name}() returned {hung}") from None
    if missing:
        raise TargetError(
            f"{name}() returned a {type_name(gen)} without {', '.join(missing)}"
            " (a genstate target needs __next__, send, throw, close, gi_running, gi_suspended and gi_frame)"
        )
    return Prepared(factory=factory)


def _missing(gen: object) -> list[str]:
    """The methods and attributes ``gen`` lacks.

    An attribute that raises something other than ``AttributeError`` when
    read is there: the check reports it, as a conduct violation.
    """
    missing = []
    for name in (*_METHODS, *_ATTRIBUTES):
        try:
            value = getattr(gen, name)
        except AttributeError:
            missing.append(name)
        except BaseException as exc:  # present, but broken: judged by the check
            theirs(exc)
            continue
        else:
            if name in _METHODS and not callable(value):
                missing.append(name)
    return missing


def _state_line(state: GenState, tag: str) -> tuple[str, ...]:
    return (f"assert inspect.getgeneratorstate(g) == {state.value!r}, {tag!r}",)


class GenStateMachineBase(ContractMachine):
    """Calls ``next``, ``send``, ``throw`` and ``close`` at random and judges each answer.

    Subclasses set ``clauses`` (ids ``G1`` to ``G9``: G1 to G7 in the order
    of the module docstring, G8 conduct, G9 independence) and ``conduct = "G8"``.
    """

    clause_ids: ClassVar[tuple[str, ...]] = ("G1", "G2", "G3", "G4", "G5", "G6", "G7", "G8", "G9")

    gen: Any
    state: GenState  # as last observed, and found legal
    throws: int

    def __init__(self) -> None:
        super().__init__()
        self.program.need("import inspect")
        self.throws = 0
        self._start(self._probe_independence())

    def _probe_independence(self) -> Any:
        """Make a generator, then ``g``: they must be two, and resuming the first must leave ``g`` as it was.

        Checked first in every program, before anything else is judged: a
        factory that hands out one generator again and again (a cached
        generator function) would otherwise hand the next program a generator
        this one closed, and be blamed for that.  The probe leaves only
        ``g = Name()`` in the program when it passes.
        """
        binding = type(self).binding
        name = binding.ref.name
        mark = self.program.mark()
        first = self.call(f"first = {name}()", binding.factory)
        gen = self.call(f"g = {name}()", binding.factory)
        self.require(
            gen is not first,
            "G9",
            f"{name}() returned the same generator twice",
            expected="a new generator",
            actual="the generator it returned before",
            ending=(f"assert g is not first, {self.tag('G9')!r}",),
        )
        try:
            before = GenState(self.call("inspect.getgeneratorstate(g)", inspect.getgeneratorstate, gen, record=False))
            self._settle("next(first)", builtins.next, first)
            after = GenState(self.call("inspect.getgeneratorstate(g)", inspect.getgeneratorstate, gen, record=False))
            self.require(
                after is before,
                "G9",
                f"next(first) changed the state of another generator, g, from {before.value} to {after.value}",
                expected=before.value,
                actual=after.value,
                ending=_state_line(before, self.tag("G9")),
            )
        finally:
            self._dispose(first)
        self.program.truncate(mark)
        self.program.add(f"g = {name}()")
        return gen

    def _start(self, gen: Any = None) -> None:
        binding = type(self).binding
        self.gen = gen if gen is not None else self.call(f"g = {binding.ref.name}()", binding.factory)
        self.state = self._observe()
        self.require(
            self.state is CREATED,
            "G1",
            f"a new generator is {self.state.value}",
            expected=CREATED.value,
            actual=self.state.value,
            ending=_state_line(CREATED, self.tag("G1")),
        )

    def teardown(self) -> None:
        """Close the generator, so that the garbage collector never runs its body."""
        self._dispose(self.gen)

    def _dispose(self, gen: Any) -> None:
        """Close the generator for good, if the target lets itself be closed.

        Discussion: a generator dropped while suspended is closed by the
        garbage collector, at a moment nobody chose, and a generator that
        yields in response reports "Exception ignored" from wherever that
        moment falls (under pytest, as an error of whichever test is
        running).  So the oracle closes what it made: ``close()`` (a few
        times: each failed attempt moves the body on), then an exception
        of its own, which only a body that catches ``BaseException`` stops.
        A generator that survives all that is kept alive for good rather
        than left to the collector.
        """
        deadline = type(self).binding.deadline
        close = method(gen, "close")
        for attempt in (close, close, close, lambda: gen.throw(_Abandoned())):
            if self._closed(gen, deadline):
                return
            quietly(deadline, attempt)
        if not self._closed(gen, deadline):
            _UNCLOSABLE.append(gen)

    @staticmethod
    def _closed(gen: object, deadline: Deadline) -> bool:
        state: list[str] = []
        quietly(deadline, lambda: state.append(inspect.getgeneratorstate(gen)))  # type: ignore[arg-type]
        return state == [CLOSED.value]

    def _observe(self) -> GenState:
        return GenState(self.call("inspect.getgeneratorstate(g)", inspect.getgeneratorstate, self.gen, record=False))

    def _settle(self, source: str, fn: Callable[..., Any], *args: Any) -> tuple[object, BaseException | None]:
        """Make the call; return (value, None) or (None, the exception it raised)."""
        try:
            return self.attempt(source, fn, *args), None
        except TargetFailure as failure:
            # Replayed, the statement must not stop the snippet where the target behaved.
            self.program.drop_last()
            self.program.need("from contextlib import suppress")
            kind = type(failure.error)
            name = guarded(lambda: kind.__name__ if getattr(builtins, kind.__name__, None) is kind else "", default="")
            name = name or "BaseException"
            self.program.add(f"with suppress({name}): {source}")
            return None, failure.error

    def _expect_state(self, want: GenState, got: GenState, clause: str, why: str) -> None:
        self.require(
            got is want,
            clause,
            f"{why}, but the generator is {got.value}",
            expected=want.value,
            actual=got.value,
            ending=_state_line(want, f"{self.tag(clause)}: {why}"),
        )

    def _transition(self, source: str, before: GenState, after: GenState, *, yielded: bool) -> None:
        """G1: the state after the call is reachable in one call, and a yield leaves GEN_SUSPENDED."""
        if yielded:
            self._expect_state(SUSPENDED, after, "G1", f"{source} returned a value, so the generator yielded")
        legal = after_one_call(before)
        self.require(
            after in legal,
            "G1",
            f"{source} moved the generator from {before.value} to {after.value}",
            expected=" or ".join(sorted(s.value for s in legal)),
            actual=after.value,
            ending=_state_line(next(iter(sorted(legal, key=lambda s: s.value))), self.tag("G1")),
        )
        self.state = after

    # -- rules -------------------------------------------------------------------
    #
    # Each rule makes one call, then `_renew`: a generator the call closed is
    # put through every call a closed generator must answer (G5, G6), and a
    # new one takes its place, so that the rules always drive a generator
    # with something left to do.

    @rule()
    def new_generator(self) -> None:
        """Start over with a new generator (the old one is closed first, as in :meth:`teardown`)."""
        self._dispose(self.gen)
        self._start()

    @rule()
    def next(self) -> None:
        self._resume("next(g)", builtins.next, self.gen)
        self._renew()

    @rule(value=sent_values())
    def send(self, value: object) -> None:
        self._send(value)
        self._renew()

    @rule(generator_exit=st.booleans())
    def throw(self, generator_exit: bool) -> None:
        self.throws += 1
        self._throw(GeneratorExit() if generator_exit else Thrown(self.throws))
        self._renew()

    @rule()
    def close(self) -> None:
        self._close()
        self._renew()

    def _renew(self) -> None:
        if self.state is not CLOSED:
            return
        # The calls pass on a correct target, and change nothing: a snippet
        # that fails later does not need them.
        mark = self.program.mark()
        self._resume("next(g)", builtins.next, self.gen)
        self._send(0)
        self.throws += 1
        self._throw(Thrown(self.throws))
        self._close()
        self.program.truncate(mark)
        self._start()

    # -- judging one call ----------------------------------------------------------

    def _send(self, value: object) -> None:
        source = f"g.send({self.program.name(value)})"
        if self.state is not CREATED:
            self._resume(source, method(self.gen, "send"), value)
            return
        if value is None:
            self._send_none(source)
            return
        why = "send(v) with v not None must raise TypeError on a new generator"
        self.call_raising(source, method(self.gen, "send"), value, expected=TypeError, clause="G2", why=why)
        self._expect_state(CREATED, self._observe(), "G2", f"{source} on a new generator raised TypeError")

    def _send_none(self, source: str) -> None:
        """``send(None)`` on a new generator starts it: a TypeError that leaves it new breaks G2."""
        value, raised = self._settle(source, method(self.gen, "send"), None)
        after = self._observe()
        if isinstance(raised, TypeError) and after is CREATED:
            self.fail(
                "G2",
                f"{source} on a new generator raised {describe_exception(raised)}; send(None) must start it",
                expected="the generator starts, as with next(g)",
                actual=describe_exception(raised),
                ending=(f"{source}  # raises {describe_exception(raised)}",),
                replace_last=True,
            )
        self.count("G2")
        self._resume_judged(source, CREATED, value, raised, after)

    def _throw(self, error: BaseException) -> None:
        self.program.need("from spec.genstate import Thrown")
        name = self.program.name(error, prefix="e")
        source = f"g.throw({name})"
        before = self.state
        if before is SUSPENDED:
            self._resume(source, method(self.gen, "throw"), error)
            return
        value, raised = self._settle(source, method(self.gen, "throw"), error)
        clause = "G5" if before is CLOSED else "G3"
        where = "a closed" if before is CLOSED else "a new"
        got = f"returned {show(value)}" if raised is None else f"raised {describe_exception(raised)}"
        self.require(
            raised is error,
            clause,
            f"{source} on {where} generator {got}; it must raise {name} itself",
            expected=f"raises {name}",
            actual=got,
            ending=_raises_itself(source, name, f"{self.tag(clause)}: throw(e) on {where} generator raises e"),
            replace_last=True,
        )
        after = self._observe()
        self._expect_state(CLOSED, after, clause, f"{source} on {where} generator raised it")
        self._transition(source, before, after, yielded=False)

    def _close(self) -> None:
        source = "g.close()"
        before = self.state
        value, raised = self._settle(source, method(self.gen, "close"))
        after = self._observe()
        if before is SUSPENDED:
            self._expect_state(CLOSED, after, "G4", "close() must close the generator")
        else:
            clause = "G5" if before is CLOSED else "G4"
            what = "change nothing" if before is CLOSED else "close it"
            got = f"returned {show(value)}" if raised is None else f"raised {describe_exception(raised)}"
            self.require(
                raised is None and value is None,
                clause,
                f"{source} on a {before.value} generator {got}; it must return None and {what}",
                expected="returns None",
                actual=got,
                ending=(f"assert {source} is None, {self.tag(clause)!r}",),
                replace_last=True,
            )
            self._expect_state(CLOSED, after, clause, f"close() must {what}")
        self._transition(source, before, after, yielded=False)

    def _resume(self, source: str, fn: Callable[..., Any], *args: Any) -> None:
        """``next``, ``send`` or ``throw``: judged by what it gave and the state it left."""
        before = self.state
        value, raised = self._settle(source, fn, *args)
        self._resume_judged(source, before, value, raised, self._observe())

    def _resume_judged(
        self, source: str, before: GenState, value: object, raised: BaseException | None, after: GenState
    ) -> None:
        if before is CLOSED:
            self._after_the_end(source, raised, value, after)
        elif isinstance(raised, StopIteration):
            self._expect_state(CLOSED, after, "G6", f"{source} raised StopIteration, so the generator returned")
        elif raised is not None:
            self._expect_state(
                CLOSED, after, "G7", f"{source} raised {describe_exception(raised)}, so the exception left the body"
            )
        self._transition(source, before, after, yielded=raised is None)

    def _after_the_end(self, source: str, raised: BaseException | None, value: object, after: GenState) -> None:
        got = f"returned {show(value)}" if raised is None else f"raised {describe_exception(raised)}"
        self.require(
            isinstance(raised, StopIteration),
            "G5",
            f"{source} on a closed generator {got}; it must raise StopIteration",
            expected="raises StopIteration",
            actual=got,
            ending=_raises(source, "StopIteration", f"{self.tag('G5')}: a closed generator raises StopIteration"),
            replace_last=True,
        )
        assert isinstance(raised, StopIteration)
        returned = self.judge("# reading its StopIteration's value", getattr, raised, "value")
        self.require(
            returned is None,
            "G6",
            f"{source} on a closed generator raised StopIteration({show(returned)}); the return value arrives once",
            expected="StopIteration with value None",
            actual=f"StopIteration({show(returned)})",
            ending=_stop_value_none(source, f"{self.tag('G6')}: the return value arrives once"),
            replace_last=True,
        )
        self._expect_state(CLOSED, after, "G5", f"{source} on a closed generator must change nothing")


def _raises(source: str, name: str, why: str) -> tuple[str, ...]:
    return ("try:", f"    {source}", f"except {name}:", "    pass", "else:", f"    raise AssertionError({why!r})")


def _raises_itself(source: str, name: str, why: str) -> tuple[str, ...]:
    return (
        "try:",
        f"    {source}",
        "except BaseException as raised:",
        f"    assert raised is {name}, {why!r}",
        "else:",
        f"    raise AssertionError({why!r})",
    )


def _stop_value_none(source: str, why: str) -> tuple[str, ...]:
    return ("try:", f"    {source}", "except StopIteration as stop:", f"    assert stop.value is None, {why!r}")
