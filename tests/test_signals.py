"""What is the oracle's and what is the target's: the signals, the user's Ctrl-C, safe rendering, judging."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis.errors import StopTest

import spec
from spec._core.checker import (
    Binding,
    Checker,
    HungViolation,
    TargetFailure,
    describe_exception,
    describe_traceback,
    method,
    quietly,
)
from spec._core.clauses import ClauseViolation, Violation
from spec._core.deadline import Deadline, TargetHung
from spec._core.program import bounded, guarded, show, type_name
from spec._core.signals import oracle_signal, theirs, user_interrupted, watch_interrupts
from spec._core.target import ref_for
from spec.queue import CLAUSES
from tests.hostile.targets import Custom, Queue


def test_the_oracles_own_signals_and_the_rest() -> None:
    violation = Violation(clause=CLAUSES["Q1"], message="m")
    ours = [TargetHung(1), HungViolation(violation), ClauseViolation(violation), StopTest(0)]
    theirs = [SystemExit(0), KeyboardInterrupt(), GeneratorExit(), Custom(), ValueError()]
    assert all(oracle_signal(exc) for exc in ours)
    assert not any(oracle_signal(exc) for exc in theirs)


def test_theirs_returns_the_targets_and_raises_the_oracles_own() -> None:
    error = SystemExit(0)
    assert theirs(error) is error
    hung = TargetHung(1)
    with pytest.raises(TargetHung) as raised:
        theirs(hung)
    assert raised.value is hung


def _press_ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    threading.Event().wait(5)  # interrupted at once


def _nested_watch_pressed() -> None:
    with watch_interrupts():
        assert not user_interrupted()
        with watch_interrupts():  # nested: one watch
            _press_ctrl_c()


def test_a_real_ctrl_c_is_the_users_while_the_watch_lasts() -> None:
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt) as caught:
        _nested_watch_pressed()
    assert signal.getsignal(signal.SIGINT) is before
    assert not user_interrupted()
    assert not oracle_signal(caught.value)  # the watch is over: a KeyboardInterrupt is anyone's again


def test_inside_the_watch_the_users_interrupt_passes_and_a_targets_does_not() -> None:
    seen: list[bool] = []
    with watch_interrupts():
        assert not oracle_signal(KeyboardInterrupt())  # a target's
        try:
            _press_ctrl_c()
        except KeyboardInterrupt as exc:
            seen += [user_interrupted(), oracle_signal(exc), oracle_signal(KeyboardInterrupt())]
    assert seen == [True, True, True]  # once interrupted, every KeyboardInterrupt: the user wants out


def test_nothing_is_watched_where_no_ctrl_c_can_arrive() -> None:
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with watch_interrupts():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, old)
    done: list[bool] = []

    def in_a_thread() -> None:
        with watch_interrupts():
            done.append(not user_interrupted())

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert done == [True]


# -- rendering what a target made -------------------------------------------------------


class Meta(type):
    def __getattribute__(cls, name: str) -> Any:
        if name == "__qualname__":
            raise SystemExit(0)
        return super().__getattribute__(name)


class Nameless(metaclass=Meta):
    def __repr__(self) -> str:
        raise SystemExit(0)


class Loops:
    def __repr__(self) -> str:
        while True:
            pass


class NotText:
    def __repr__(self) -> Any:
        return 3


def test_show_survives_anything_and_abbreviates() -> None:
    assert show(10**5000) == "<int of about 5001 digits>"
    assert show(10**30) == repr(10**30)
    assert show(b"x" * 10) == repr(b"x" * 10)
    assert show(b"x" * 1000) == f"b'{'x' * 80}...'"
    assert show(Nameless()) == "<object object; its repr raised SystemExit>"
    assert show(NotText()) == "<NotText object; its repr raised TypeError>"
    assert show("x" * 1000).startswith("'xxx")
    long_exception = show(Exception("y" * 1000))
    assert "..." in long_exception
    assert len(long_exception) == 80


class Unordered:
    """Its ``<`` never answers: a set of them hangs the repr's sorting, not any one repr."""

    def __lt__(self, other: object) -> bool:
        while True:
            pass

    def __repr__(self) -> str:
        return "Unordered()"


def test_a_repr_that_hangs_is_stopped_once_and_not_called_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("spec._core.program.SHOW_SECONDS", 0.1)
    assert show({Unordered(), Unordered()}) == "<set object; its repr did not return within 0.1 s>"
    assert show([Loops()]) == "<list object; its repr did not return within 0.1 s>"
    assert show(Loops()) == "<Loops object; its repr did not return within 0.1 s>"  # at once


def test_bounded_and_guarded_answer_a_default_for_what_fails() -> None:
    assert bounded(str, 3) == "3"
    assert bounded(lambda: 3) is None
    assert bounded(exit_) is None
    assert guarded(exit_, default="d") == "d"
    assert guarded(len, [1], default=0) == 1
    assert type_name(Nameless()) == "object"
    assert type_name(3) == "int"


def exit_() -> str:
    raise SystemExit(0)


class Unspeakable(Exception):
    def __str__(self) -> str:
        raise SystemExit(0)


class Unformattable(Exception):
    @property
    def __traceback__(self) -> Any:  # type: ignore[override]
        raise SystemExit(0)


def test_exceptions_are_described_safely() -> None:
    assert describe_exception(ValueError("x")) == "ValueError: x"
    assert describe_exception(ValueError()) == "ValueError"
    assert describe_exception(Unspeakable()) == "Unspeakable: <str() of the exception failed>"
    assert describe_exception(ValueError("z" * 1000)) == f"ValueError: {'z' * 497}..."
    assert describe_traceback(Unformattable("u")).endswith("(its traceback could not be formatted)\n")
    try:
        _recurse(0)
    except RecursionError as exc:
        text = describe_traceback(exc)
    assert text.count("_recurse") < 40  # the innermost frames only


def _recurse(n: int) -> int:
    return _recurse(n + 1) + 1


# -- judging ------------------------------------------------------------------------------


def checker(deadline: Deadline) -> Checker:
    binding = Binding(factory=Queue, ref=ref_for(Queue), deadline=deadline)
    return Checker(clauses=CLAUSES, conduct="Q7", binding=binding)


def test_checker_catches_everything_of_the_targets_and_passes_the_oracles_own() -> None:
    with Deadline(1) as deadline:
        c = checker(deadline)
        for error in (SystemExit(0), KeyboardInterrupt(), Custom()):
            with pytest.raises(TargetFailure) as caught:
                c.attempt("q.push(1)", raiser(error))
            assert caught.value.error is error
            assert caught.value.__context__ is None
            assert str(caught.value) == describe_exception(error)
        with pytest.raises(StopTest):
            c.attempt("q.push(1)", raiser(StopTest(0)))


def raiser(error: BaseException) -> Callable[[], None]:
    def raises() -> None:
        raise error

    return raises


def test_judge_runs_target_code_on_answers_under_the_limit() -> None:
    with Deadline(0.1) as deadline:
        c = checker(deadline)
        assert c.judge("answer == 1", lambda: True) is True
        with pytest.raises(ClauseViolation) as raised:
            c.judge("answer == 1", raiser(SystemExit(0)))
        assert raised.value.violation.message == "answer == 1 raised SystemExit: 0"
        with pytest.raises(HungViolation) as hung:
            c.judge("answer == 1", Loops().__repr__)
        assert hung.value.violation.message == "answer == 1 did not return within 0.1 s"


def test_quietly_and_method() -> None:
    with Deadline(0.1) as deadline:
        assert quietly(deadline, len, [1])
        assert not quietly(deadline, raiser(SystemExit(0)))
        assert not quietly(deadline, Loops().__repr__)
        with pytest.raises(StopTest):
            quietly(deadline, raiser(StopTest(0)))
        q = Queue()
        method(q, "push")(5)
        assert method(q, "pop")() == 5


class Looks(Queue):
    """Its ``pop`` attribute cannot even be read once it holds an item."""

    def __getattribute__(self, name: str) -> Any:
        if name == "pop" and super().__getattribute__("items"):
            raise SystemExit(0)
        return super().__getattribute__(name)


def test_reading_a_method_is_a_call_into_the_target() -> None:
    report = spec.check("queue", Looks, seed=0, max_examples=20)
    assert report.violation is not None
    assert report.violation.clause.id == "Q7"
    assert "raised SystemExit: 0" in report.violation.message
