"""The self-test: references hold, known-bad implementations are rejected for their clause."""

from __future__ import annotations

import pytest

import spec.selftest as _selftest
from spec.known_bad import KnownBad
from spec.selftest import Row, SelfTest, selftest


def test_selftest_of_one_contract_holds() -> None:
    result = selftest(["queue"], max_examples=40, seed=0)
    assert result.ok
    assert not result.unbroken
    references = [row for row in result.rows if row.expected == "holds"]
    assert [row.target for row in references][:2] == ["impl.queue:ListQueue", "impl.queue:DequeQueue"]
    assert all(row.ok for row in result.rows)
    assert "WRONG" not in result.format()


def test_selftest_reports_a_known_bad_that_passes_and_a_clause_nobody_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    # A "known-bad" entry that is in fact correct, claimed to break S1: the
    # self-test must call it WRONG, and S2 ... S7 are then broken by nobody.
    fake = (KnownBad("impl.stack:ListStack", "S1", "is in fact correct"),)
    monkeypatch.setattr(_selftest, "catalogue", lambda name: fake)
    result = selftest(["stack"], max_examples=20, seed=0)
    assert not result.ok
    wrong = [row for row in result.rows if not row.ok]
    assert wrong == [Row("stack", "impl.stack:ListStack", "S1", "holds", 0, wrong[0].seconds, caught=0)]
    assert result.unbroken == tuple(f"stack:S{n}" for n in range(2, 8))
    text = result.format()
    assert "WRONG" in text
    assert "0 of 1 known-bad implementations rejected for their clause; 1 wrong" in text
    assert "no known-bad implementation breaks stack:S2" in text
    assert "every clause" not in text


def test_empty_selftest_is_ok() -> None:
    assert SelfTest((), ()).ok
    assert "every clause" not in SelfTest((), ()).format()


def test_selftest_under_several_seeds_counts_the_seeds_that_caught_each(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = (
        KnownBad("spec.known_bad.stack:FifoStack", "S1", "caught under every seed"),
        KnownBad("impl.stack:ListStack", "S2", "is in fact correct"),
    )
    monkeypatch.setattr(_selftest, "catalogue", lambda name: fake)
    result = selftest(["stack"], max_examples=10, seed=3, seeds=2)
    rows = {row.target: row for row in result.rows}
    assert rows["spec.known_bad.stack:FifoStack"].caught == 2
    assert rows["spec.known_bad.stack:FifoStack"].ok
    assert rows["impl.stack:ListStack"].runs == 2
    wrong = [row for row in result.rows if not row.ok]
    assert [(row.target, row.expected, row.reported, row.caught) for row in wrong] == [
        ("impl.stack:ListStack", "S2", "holds", 0)
    ]
    text = result.format()
    assert " 2/2 " in text
    assert " 0/2 " in text
    assert "seeds" in text.splitlines()[0]
