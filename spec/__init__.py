"""coroutine-spec: executable contracts of cooperative multitasking, and their oracle.

Each contract (``python -m spec list``) is a set of numbered clauses, a model
and a Hypothesis state machine.  :func:`check` runs a contract against any
target and returns a :class:`Report` naming the clause broken, with the
smallest program that breaks it::

    >>> import spec
    >>> report = spec.check("queue", "impl.queue:DequeQueue", max_examples=20)
    >>> report.ok, report.verdict
    (True, <Verdict.HOLDS: 'holds'>)
"""

from __future__ import annotations

from spec._clauses import Clause, Clauses, ClauseViolation, Violation
from spec._contract import Contract, Prepared
from spec._deadline import TargetHung
from spec._errors import SpecError, TargetError, TargetNotFound, UnknownContract
from spec._machine import ContractMachine
from spec._oracle import DEFAULT_TIMEOUT, check
from spec._registry import contract_names, get_contract
from spec._report import ClauseResult, ClauseStatus, Report, Verdict
from spec._target import load_target
from spec._testcase import ContractTestCase

__all__ = [
    "DEFAULT_TIMEOUT",
    "Clause",
    "ClauseResult",
    "ClauseStatus",
    "ClauseViolation",
    "Clauses",
    "Contract",
    "ContractMachine",
    "ContractTestCase",
    "Prepared",
    "Report",
    "SpecError",
    "TargetError",
    "TargetHung",
    "TargetNotFound",
    "UnknownContract",
    "Verdict",
    "Violation",
    "check",
    "contract_names",
    "get_contract",
    "load_target",
]
