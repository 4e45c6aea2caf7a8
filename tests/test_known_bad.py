"""Every contract rejects every entry of its known-bad catalogue, for the right clause."""

from __future__ import annotations

import pytest

import spec
from spec.known_bad import KnownBad, catalogue
from tests._support import all_known_bad, replay

ENTRIES = all_known_bad()


@pytest.mark.parametrize(("contract", "entry"), ENTRIES, ids=[f"{c}-{e.name}" for c, e in ENTRIES])
def test_oracle_rejects_known_bad_for_its_clause(contract: str, entry: KnownBad) -> None:
    report = spec.check(contract, entry.target, timeout=entry.timeout or spec.DEFAULT_TIMEOUT)
    assert not report.ok, f"{entry.target} ({entry.why}) passed the {contract} contract"
    assert report.violation is not None
    assert report.violation.clause.id == entry.breaks, report.format()
    assert report.step_count <= entry.max_steps, report.format()
    if report.shrunk:
        # Pasting the snippet reproduces the failure.
        assert replay(report) is not None, report.format()


@pytest.mark.parametrize("contract", spec.contract_names())
def test_every_clause_is_broken_by_some_known_bad(contract: str) -> None:
    broken = {entry.breaks for entry in catalogue(contract)}
    clauses = {clause.id for clause in spec.get_contract(contract).clauses}
    assert broken <= clauses, f"catalogue names clauses the contract lacks: {sorted(broken - clauses)}"
    assert clauses <= broken, f"no known-bad implementation breaks {sorted(clauses - broken)}"
