"""spec.check: arguments, verdicts, reports, seeds, and targets that misbehave."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import hypothesis
import pytest
from hypothesis.errors import FlakyFailure, FlakyStrategyDefinition, Unsatisfiable

import spec
from impl.queue import DequeQueue
from spec import ClauseStatus, TargetError, UnknownContract, Verdict
from spec._core.checker import Binding, Checker
from spec._core.clauses import ClauseViolation
from spec._core.deadline import Deadline
from spec._core.oracle import _run
from spec._core.signals import watch_interrupts
from spec._core.target import ref_for
from spec.known_bad.queue import LifoQueue, _Queue
from spec.queue import CLAUSES, CONTRACT
from tests._support import replay
from tests.hostile.targets import Custom


def test_check_by_name_and_by_contract_object() -> None:
    by_name = spec.check("queue", DequeQueue, max_examples=5, seed=1)
    by_object = spec.check(CONTRACT, DequeQueue, max_examples=5, seed=1)
    assert by_name.ok
    assert by_object.ok
    assert by_name.verdict is Verdict.HOLDS
    assert by_name.contract == by_object.contract == "queue"
    assert by_name.target == "impl.queue:DequeQueue"
    assert by_name.examples == by_object.examples >= 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_examples": 0}, "max_examples must be a positive integer, got 0"),
        ({"seed": -1}, "seed must be a non-negative integer, got -1"),
        ({"timeout": 0}, "timeout must be a positive number of seconds, got 0"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spec.check("queue", DequeQueue, **kwargs)


def test_unknown_contract_suggests_a_close_name() -> None:
    with pytest.raises(UnknownContract, match=r"unknown contract 'queu'; did you mean 'queue'\? \(known: queue, stack"):
        spec.check("queu", DequeQueue)
    with pytest.raises(UnknownContract, match=r"unknown contract 'zzz' \(known: "):
        spec.get_contract("zzz")


class NeedsAnArgument:
    def __init__(self, size: int) -> None:
        self.size = size


class NoPeek:
    def push(self, item: object) -> None: ...
    def pop(self) -> object: ...


def hangs() -> None:
    threading.Event().wait(0.5)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (42, r"a queue target must be a zero-argument callable \(a class or factory\), got 42"),
        (NeedsAnArgument, r"calling NeedsAnArgument\(\) raised TypeError: .*missing 1 required positional argument"),
        (hangs, r"calling hangs\(\) did not return within 0.05 s"),
        (NoPeek, r"NoPeek\(\) returned a NoPeek without peek, __len__ \(a queue target needs push, pop, peek and"),
    ],
)
def test_targets_of_the_wrong_shape(target: object, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        spec.check("queue", target, timeout=0.05)


def test_same_seed_same_report() -> None:
    first = spec.check("queue", LifoQueue, seed=7)
    second = spec.check("queue", LifoQueue, seed=7)
    assert first.violation == second.violation
    assert first.steps == second.steps
    assert first.examples == second.examples
    assert first.seed == 7


def test_derandomized_settings_use_seed_zero() -> None:
    report = spec.check("queue", DequeQueue, settings=hypothesis.settings(derandomize=True, max_examples=3))
    assert report.seed == 0
    assert report.examples >= 3


def test_violation_report() -> None:
    report = spec.check("queue", LifoQueue, seed=3)
    assert not report.ok
    assert report.verdict is Verdict.VIOLATED
    assert report.violation is not None
    assert report.violation.clause is CLAUSES["Q1"]
    statuses = {r.clause.id: r.status for r in report.clauses}
    assert statuses["Q1"] is ClauseStatus.VIOLATED
    assert ClauseStatus.UNDECIDED in statuses.values()
    assert report.shrunk
    assert report.step_count == 3
    assert report.steps.startswith("state = QueueMachine()")
    text = report.format()
    for part in (
        "queue: spec.known_bad.queue:LifoQueue: VIOLATED",
        str(CLAUSES["Q1"]),
        "Smallest failing program, as Python against your target:",
        "    from spec.known_bad.queue import LifoQueue",
        "    q = LifoQueue()",
        "As Hypothesis printed it:",
        f"rerun: python -m spec check queue spec.known_bad.queue:LifoQueue --seed {report.seed}",
    ):
        assert part in text
    assert isinstance(replay(report), AssertionError)


def test_holding_report_lists_every_clause() -> None:
    report = spec.check("queue", DequeQueue, max_examples=20)
    text = report.format()
    assert text.startswith("queue: impl.queue:DequeQueue: HOLDS")
    for clause in CLAUSES:
        assert f"  {clause.id:<5} held" in text
    assert "rerun" not in text
    assert report.snippet == ""
    assert report.step_count == 0


def test_unexercised_clauses_are_not_reported_as_held() -> None:
    few = hypothesis.settings(max_examples=1, stateful_step_count=1)
    report = spec.check("queue", DequeQueue, settings=few, seed=0)
    assert report.ok
    assert report.unexercised
    assert all(r.status is ClauseStatus.UNEXERCISED for r in report.clauses if r.clause in report.unexercised)
    assert f"warning: {report.unexercised[0].id} was never checked" in report.format()


class RaisesOnPush(_Queue):
    def push(self, item: object) -> None:
        raise RuntimeError("full of itself")


def test_disallowed_exception_is_a_conduct_violation_with_its_traceback() -> None:
    report = spec.check("queue", RaisesOnPush, seed=0)
    assert report.violation is not None
    assert report.violation.clause.id == "Q7"
    assert report.violation.actual == "RuntimeError: full of itself"
    assert "raise RuntimeError" in report.violation.detail
    assert report.violation.program[-1] == "# raises RuntimeError: full of itself"
    assert "Traceback of the target's exception:" in report.format()
    assert isinstance(replay(report), RuntimeError)


def test_target_without_a_name_gets_a_call_to_rerun() -> None:
    report = spec.check("queue", lambda: LifoQueue(), seed=2)  # noqa: PLW0108 - a factory without a name
    assert not report.ok
    assert not report.importable
    assert report.rerun == "spec.check('queue', <your factory>, seed=2)"


class Blocks(_Queue):
    release = threading.Event()

    def pop(self) -> object:
        Blocks.release.wait()
        return super().pop()


def test_hang_in_the_main_thread_is_a_violation_not_shrunk() -> None:
    report = spec.check("queue", "spec.known_bad.queue:NeverReleasesItsLock", timeout=0.1, seed=0)
    assert report.violation is not None
    assert report.violation.clause.id == "Q7"
    assert report.violation.message.endswith(") did not return within 0.1 s")
    assert report.violation.program[-1] == "# does not return within 0.1 s"
    assert not report.shrunk
    assert report.steps == ""
    assert "Failing program as found (not shrunk" in report.format()


def test_hang_outside_the_main_thread_is_a_violation_too() -> None:
    reports: list[spec.Report] = []
    thread = threading.Thread(target=lambda: reports.append(spec.check("queue", Blocks, timeout=0.1, seed=0)))
    try:
        thread.start()
        thread.join(60)
    finally:
        Blocks.release.set()
    assert reports[0].violation is not None
    assert reports[0].violation.message == "q.pop() did not return within 0.1 s"


class Nondeterministic(_Queue):
    """Pops wrongly only the first few times it is ever asked, so a replay passes."""

    misbehaviour = 3

    def pop(self) -> object:
        if Nondeterministic.misbehaviour and len(self.items) >= 2:
            Nondeterministic.misbehaviour -= 1
            return self.items.pop()
        return super().pop()


def test_nondeterministic_target_is_reported_as_such() -> None:
    report = spec.check("queue", Nondeterministic, seed=0)
    assert report.violation is not None
    assert report.violation.clause.id == "Q1"
    assert report.violation.message.endswith("(the same program passed on rerun: the target is nondeterministic)")
    assert not report.shrunk


def _binding() -> Binding:
    return Binding(factory=DequeQueue, ref=ref_for(DequeQueue), deadline=Deadline(None))


def test_flaky_failure_without_a_clause_violation_is_reported_as_nondeterminism() -> None:
    def flaky() -> None:
        raise FlakyFailure("flaky", [ValueError("not ours")])

    found, steps, shrunk = _run(flaky, _binding(), CONTRACT)
    assert found is not None
    assert found.clause.id == "Q7"
    assert found.message == (
        "the target is nondeterministic: the same program ran differently on rerun (Hypothesis raised FlakyFailure)"
    )
    assert found.program == ("from impl.queue import DequeQueue", f"# {found.message}")
    assert (steps, shrunk) == ("", False)


def test_nested_groups_are_searched_for_the_violation() -> None:
    violation = spec.Violation(clause=CLAUSES["Q1"], message="m")

    def flaky() -> None:
        empty = ExceptionGroup("no violation here", [KeyError()])
        inner = ExceptionGroup("inner", [ValueError(), ClauseViolation(violation)])
        raise FlakyFailure("flaky", [ValueError("first"), empty, inner])

    found, _, shrunk = _run(flaky, _binding(), CONTRACT)
    assert found is not None
    assert found.clause is CLAUSES["Q1"]
    assert not shrunk


class Hostile:
    """What a broken target might hand back: comparing or printing it fails."""

    def __eq__(self, other: object) -> bool:
        raise TypeError("no comparing me")

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        raise RuntimeError("no printing me")


class ReturnsHostile(_Queue):
    def pop(self) -> object:
        super().pop()
        return Hostile()


NEVER = threading.Event()


class StuckComparing:
    def __eq__(self, other: object) -> bool:
        NEVER.wait()  # in the main thread, the oracle's alarm interrupts the wait
        return False

    __hash__ = None  # type: ignore[assignment]


class ReturnsStuck(_Queue):
    def pop(self) -> object:
        super().pop()
        return StuckComparing()


def test_hostile_answers_are_judged_not_crashed_on() -> None:
    report = spec.check("queue", ReturnsHostile, seed=0)
    assert report.violation is not None
    assert report.violation.clause.id == "Q1"
    assert "<Hostile object; its repr raised RuntimeError>, which the queue does not hold" in report.violation.message


def test_an_answer_whose_eq_hangs_is_a_conduct_violation() -> None:
    report = spec.check("queue", ReturnsStuck, seed=0, timeout=0.1)
    assert report.violation is not None
    assert report.violation.clause.id == "Q7"
    assert report.violation.message.startswith("q.pop() == ")
    assert report.violation.message.endswith("did not return within 0.1 s")


def test_what_escapes_the_search_is_a_conduct_violation_of_the_program_running() -> None:
    binding = _binding()
    checker = Checker(clauses=CLAUSES, conduct="Q7", binding=binding)
    checker.program.add("q = DequeQueue()", "q.push(1)")

    def exits() -> None:
        raise SystemExit(3)

    found, _, shrunk = _run(exits, binding, CONTRACT)
    assert found is not None
    assert found.clause.id == "Q7"
    assert found.message == "SystemExit: 3 escaped from the program (the traceback shows where it was raised)"
    assert found.program[-3:] == ("q = DequeQueue()", "q.push(1)", f"# {found.message}")
    assert "raise SystemExit(3)" in found.detail
    assert shrunk  # Hypothesis shrinks a SystemExit like any failure

    def custom() -> None:
        raise Custom("mine")

    found, _, shrunk = _run(custom, binding, CONTRACT)
    assert found is not None
    assert found.message.startswith("Custom: mine escaped")
    assert not shrunk


def test_an_error_of_the_search_itself_is_a_spec_error() -> None:
    def unsatisfiable() -> None:
        raise Unsatisfiable("no example")

    with pytest.raises(spec.SpecError, match=r"^the search could not run: Unsatisfiable: no example$"):
        _run(unsatisfiable, _binding(), CONTRACT)


def test_nondeterminism_hypothesis_reports_without_a_group() -> None:
    def flaky() -> None:
        raise FlakyStrategyDefinition("Inconsistent data generation!")

    found, _, _ = _run(flaky, _binding(), CONTRACT)
    assert found is not None
    assert found.message == (
        "the target is nondeterministic: the same program ran differently on rerun"
        " (Hypothesis raised FlakyStrategyDefinition)"
    )


def test_the_users_ctrl_c_passes_through() -> None:
    def press() -> None:
        os.kill(os.getpid(), signal.SIGINT)
        threading.Event().wait(5)

    with watch_interrupts(), pytest.raises(KeyboardInterrupt):
        _run(press, _binding(), CONTRACT)


def test_a_checker_notes_the_largest_size_a_program_reached() -> None:
    binding = _binding()
    checker = Checker(clauses=CLAUSES, conduct="Q7", binding=binding)
    checker.reach(3)
    checker.reach(2)
    assert binding.largest == 3
