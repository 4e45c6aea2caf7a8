"""Every reference implementation and adapter holds its contract, every clause exercised."""

from __future__ import annotations

import pytest

import spec
from spec import ClauseStatus

REFERENCES = [(name, target) for name in spec.contract_names() for target in spec.get_contract(name).references]


@pytest.mark.parametrize(("contract", "target"), REFERENCES, ids=[f"{c}-{t}" for c, t in REFERENCES])
def test_reference_holds(contract: str, target: str) -> None:
    report = spec.check(contract, target)
    assert report.ok, report.format()
    assert all(r.status is ClauseStatus.HELD for r in report.clauses), report.format()
    assert report.violation is None
    assert report.snippet == ""
