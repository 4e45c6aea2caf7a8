"""coroutine-spec: executable contracts of cooperative multitasking, and their oracle.

Each contract (``python -m spec list``) is a set of numbered clauses, a model
and a Hypothesis state machine.  :func:`check` runs a contract against any
target and returns a :class:`Report` naming the clause broken, with the
smallest program that breaks it::

    >>> import spec
    >>> report = spec.check("queue", "impl.queue:DequeQueue", max_examples=20)
    >>> report.ok, report.verdict
    (True, <Verdict.HOLDS: 'holds'>)

A real library is checked as it is, with contract options instead of glue
(``map``, ``empty``, ``empty_returns``, ``items``, ``compare``, ``without``:
keywords of :func:`check`, flags of ``python -m spec check``, one
:class:`Options` record), and a factory may be a generator function that
yields the instance and cleans up after it (:func:`temporary_directory` gives
it a fresh directory)::

    >>> import queue
    >>> spec.check("queue", queue.SimpleQueue, map="push=put,pop=get_nowait,len=qsize",
    ...            empty=queue.Empty, without="peek", max_examples=20).ok
    True

The package, bottom to top (imports point down only; ``tests/test_layering.py``
keeps them so):

``spec._core``
    what every contract shares: errors, clauses, programs, the per-call
    deadline, target loading, the checker every call into a target goes
    through, the contract record, reports, the registry, the oracle
    (:func:`check`) and the test-case base.  Imports nothing else of ``spec``.
areas
    one per contract or checker; an area's public module is its package (or
    its single module), its helpers live beside it and other areas do not
    import them:

    * ``spec.queue``, ``spec.stack`` (sharing ``spec.container``),
      ``spec.averager``, ``spec.pipeline``, ``spec.genstate``,
      ``spec.scheduler``, ``spec.channel``: the seven contracts;
    * ``spec.multitasking``: atomicity, preemption and parallelism, as checks;
    * ``spec.linearize``: the linearizability checker and its history formats;
    * ``spec.stress``: the stress oracle for live concurrent queues and stacks;
    * ``spec.adapters``, ``spec.profiles``: adapters of standard containers,
      the Hypothesis profiles;
    * ``spec.known_bad``: the catalogues of broken implementations, and
      ``spec.selftest``, which runs every contract against them.
``spec._cli``
    the entry points, the top layer: nothing imports it.  The command line
    (``python -m spec``, ``coroutine-spec``) and the pytest plugin
    (``--contract NAME=TARGET``, campaigns; the profiles in every pytest run).

The reference implementations (:mod:`impl`) import nothing of ``spec``.
"""

from __future__ import annotations

from spec._core.checker import ContractMachine
from spec._core.clauses import Clause, Clauses, ClauseViolation, Violation
from spec._core.contract import Contract, Prepared
from spec._core.deadline import TargetHung
from spec._core.errors import OptionError, SpecError, TargetError, TargetNotFound, UnknownContract
from spec._core.lifecycle import temporary_directory
from spec._core.options import Options, make_options
from spec._core.oracle import DEFAULT_TIMEOUT, check
from spec._core.registry import contract_names, get_contract
from spec._core.report import ClauseResult, ClauseStatus, Report, Verdict
from spec._core.target import load_target
from spec._core.testcase import ContractTestCase

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
    "OptionError",
    "Options",
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
    "make_options",
    "temporary_directory",
]
