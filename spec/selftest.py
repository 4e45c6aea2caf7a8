"""The self-test (``python -m spec selftest``): the spec checked against its own catalogues.

A contract earns trust by rejecting what is wrong, not only by passing what is
right.  The self-test runs every registered contract against every reference
implementation (each must hold) and every entry of its known-bad catalogue
(each must be rejected for exactly the clause it is known to break), and checks
that every clause of every contract is broken by some entry.

With ``seeds=N`` every check runs under N seeds (``seed``, ``seed + 1``, ...)
and each row says how many of them gave the expected verdict: a known-bad
implementation caught under some seeds only is found by luck, and a row that
is not N of N is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spec._core.oracle import DEFAULT_TIMEOUT, check
from spec._core.registry import get_contract
from spec._core.table import table
from spec.known_bad import catalogue

__all__ = ["Row", "SelfTest", "selftest"]


@dataclass(frozen=True)
class Row:
    """One implementation checked: what it had to get and what it got."""

    contract: str
    target: str
    expected: str  # "holds", or the id of the clause it must break
    reported: str  # "holds", or the id of the clause the oracle named (the first one not expected, if any)
    steps: int  # of the longest counterexample
    seconds: float  # in all
    caught: int = 1  # runs that gave the expected verdict (with one run: 1 if reported is expected, else 0)
    runs: int = 1  # seeds tried

    @property
    def ok(self) -> bool:
        return self.caught == self.runs


@dataclass(frozen=True)
class SelfTest:
    """Every row, and the clauses no known-bad implementation breaks."""

    rows: tuple[Row, ...]
    unbroken: tuple[str, ...]  # "contract:clause" for each clause no entry breaks

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows) and not self.unbroken

    def format(self) -> str:
        seeds = max((r.runs for r in self.rows), default=1)
        header: tuple[str, ...] = ("contract", "implementation", "expected", "reported", "steps", "seconds")
        if seeds > 1:
            header += ("seeds",)
        cells = []
        for r in self.rows:
            cell: tuple[str, ...] = (r.contract, r.target, r.expected, r.reported, str(r.steps), f"{r.seconds:.2f}")
            if seeds > 1:
                cell += (f"{r.caught}/{r.runs}",)
            cells.append((*cell, "ok" if r.ok else "WRONG"))
        lines = [table((*header, ""), cells)]
        wrong = sum(1 for r in self.rows if not r.ok)
        rejected = sum(1 for r in self.rows if r.expected != "holds" and r.ok)
        known_bad = sum(1 for r in self.rows if r.expected != "holds")
        lines.append("")
        lines.append(f"{rejected} of {known_bad} known-bad implementations rejected for their clause; {wrong} wrong")
        for clause in self.unbroken:
            lines.append(f"no known-bad implementation breaks {clause}")
        if known_bad and not self.unbroken:
            broken = {(r.contract, r.expected) for r in self.rows if r.expected != "holds"}
            contracts = {r.contract for r in self.rows}
            noun = "contract" if len(contracts) == 1 else "contracts"
            lines.append(f"every clause ({len(broken)}, of {len(contracts)} {noun}) is broken by at least one of them")
        return "\n".join(lines)


def selftest(
    contracts: Iterable[str], *, max_examples: int | None = None, seed: int | None = None, seeds: int = 1
) -> SelfTest:
    """Run the self-test over ``contracts`` (registered names), each check under ``seeds`` seeds.

    With one seed, ``seed`` is passed on as it is (``None``: the profile's
    choice); with more, the seeds are ``seed`` (default 0), ``seed + 1``, ...
    """
    rows: list[Row] = []
    unbroken: list[str] = []
    tried = [seed] if seeds == 1 else [(seed or 0) + n for n in range(seeds)]
    for name in contracts:
        contract = get_contract(name)
        entries = catalogue(name)
        checks = [(target, "holds", DEFAULT_TIMEOUT) for target in contract.references]
        checks += [(e.target, e.breaks, e.timeout or DEFAULT_TIMEOUT) for e in entries]
        for target, expected, timeout in checks:
            verdicts, steps, seconds = [], 0, 0.0
            for one in tried:
                report = check(name, target, max_examples=max_examples, seed=one, timeout=timeout)
                verdicts.append("holds" if report.violation is None else report.violation.clause.id)
                steps, seconds = max(steps, report.step_count), seconds + report.seconds
            caught = verdicts.count(expected)
            reported = next((v for v in verdicts if v != expected), expected)
            rows.append(Row(name, target, expected, reported, steps, seconds, caught, len(tried)))
        broken = {entry.breaks for entry in entries}
        unbroken += [f"{name}:{clause.id}" for clause in contract.clauses if clause.id not in broken]
    return SelfTest(tuple(rows), tuple(unbroken))
