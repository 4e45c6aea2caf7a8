"""Contracts that are one @given property, and a report without expected/actual."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import strategies as st

import spec
from spec import Clause, Clauses, ClauseViolation, Contract, Prepared
from spec._cli import main
from spec._core.checker import Binding, Checker
from spec._core.contract import given_runner
from spec._core.deadline import Deadline
from spec._core.options import Options
from spec._core.target import ref_for
from spec.queue import CONTRACT

DOUBLING = Clauses(Clause("D1", "double", "f(x) must return 2 * x."), Clause("D2", "conduct", "f must not raise."))


def doubles(binding: Binding, x: int) -> None:
    checker = Checker(clauses=DOUBLING, conduct="D2", binding=binding)
    f = checker.call("f = make()", binding.factory)
    got = checker.call(f"f({x})", f, x)
    checker.require(got == 2 * x, "D1", f"f({x}) returned {got}", expected=2 * x, actual=got)


def prepare(target: object, deadline: Deadline, options: Options) -> Prepared:
    return Prepared(factory=target, form="function")  # type: ignore[arg-type]


DOUBLING_CONTRACT = Contract(
    name="doubling",
    summary="a toy contract checked by one property",
    clauses=DOUBLING,
    target="a factory of a one-argument function",
    prepare=prepare,
    runner=given_runner(st.integers(), doubles),
    references=(),
)


def make_good() -> object:
    return lambda x: 2 * x


def make_bad() -> object:
    return lambda x: 2 * x if x < 100 else x


def test_given_contract_holds_and_breaks() -> None:
    good = spec.check(DOUBLING_CONTRACT, make_good, max_examples=20)
    assert good.ok
    assert good.form == "function"
    assert good.examples >= 20
    bad = spec.check(DOUBLING_CONTRACT, make_bad)
    assert bad.violation is not None
    assert bad.violation.clause.id == "D1"
    assert bad.violation.message == "f(100) returned 100"
    assert bad.steps == "example(\n    case=100,\n)"
    assert bad.snippet.endswith("f(100)")


def test_report_without_expected_and_actual() -> None:
    bad = spec.check(DOUBLING_CONTRACT, make_bad, seed=0)
    assert bad.violation is not None
    plain = dataclasses.replace(bad, violation=dataclasses.replace(bad.violation, expected="", actual=""))
    assert "expected:" not in plain.format()
    assert "expected:" in bad.format()


def test_main_job_exits_1_and_reports_a_violated_reference(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = dataclasses.replace(CONTRACT, references=("impl.queue:DequeQueue", "spec.known_bad.queue:LifoQueue"))
    monkeypatch.setattr("spec._cli.contracts.contract_names", lambda: ("queue",))
    monkeypatch.setattr("spec._cli.contracts.get_contract", lambda name: broken)
    assert main(["--max-examples", "30", "--seed", "0", "--in-process"]) == 1
    out = capsys.readouterr().out
    assert "1 of 2 hold" in out
    assert "spec.known_bad.queue:LifoQueue  7" not in out
    assert "VIOLATED Q1" in out
    assert "queue: spec.known_bad.queue:LifoQueue: VIOLATED" in out


def _checker() -> Checker:
    binding = Binding(factory=make_good, ref=ref_for(make_good), deadline=Deadline(None))
    return Checker(clauses=DOUBLING, conduct="D2", binding=binding)


def test_an_unexpected_exception_where_another_is_due_breaks_conduct() -> None:
    def refuses() -> None:
        raise KeyError("no")

    with pytest.raises(ClauseViolation) as info:
        _checker().call_raising("f()", refuses, expected=TypeError, clause="D1", why="it must raise TypeError")
    assert info.value.violation.clause.id == "D2"
    assert info.value.violation.message == "f() raised KeyError: 'no'"


def test_an_equality_that_raises_is_not_equal_and_leaves_no_statement() -> None:
    class Odd:
        def __eq__(self, other: object) -> bool:
            raise TypeError("cannot compare")

        __hash__ = object.__hash__

    checker = _checker()
    assert checker.equal("odd == 1", Odd(), 1) is False
    assert checker.program.lines() == ("from tests.test_contract import make_good",)
