"""Campaigns: contract tests that share an example database across workers and machines.

Discussion: the oracle's check turns the example database off
(``spec._core.oracle.search_settings``), so that a verdict depends on the seed
and the target alone and ``--seed`` repeats it.  A campaign wants the
opposite: many workers, on one machine or several, searching the same targets
for hours, each starting from what the others found.  Hypothesis does that
with its example database, and HypoFuzz drives Hypothesis tests adaptively
over many targets; both need a *Hypothesis test*, not a check that wraps one.

So in a campaign (``pytest --contract NAME=TARGET --contract-database=DB``)
each contract test is the contract's own Hypothesis test, bound to the target
as the oracle binds it (same shape check, same per-call time limit, same
search settings), with the run's database in place of none:

* a failure it finds is saved under a key of its own (the test's id, which
  names contract and target), shrunk, and replayed first by every later run
  that uses the same database; ``--hypothesis-profile=replay`` runs only that;
* HypoFuzz (``hypothesis fuzz -- --contract ... --contract-database=DB``)
  collects these tests like any other and its workers share the database.

A database is a directory (:class:`~hypothesis.database.DirectoryBasedExampleDatabase`:
one machine, any number of processes) or ``redis://HOST:PORT/N``
(:class:`~hypothesis.extra.redis.RedisExampleDatabase`: several machines;
needs the ``redis`` extra).  Only the options ``--contract-max-examples``,
``--contract-seed`` and ``--contract-timeout``, and the contract options
(``--contract-map``, ``--contract-items`` ...), apply to a campaign test.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from spec._cli.parsing import UsageError, options_of
from spec._core.checker import HungViolation
from spec._core.clauses import ClauseViolation
from spec._core.deadline import Deadline
from spec._core.oracle import bind, require, search_settings
from spec._core.registry import get_contract
from spec._core.target import resolve_target

__all__ = ["CampaignItem", "campaign_test", "open_database"]


def open_database(where: str) -> ExampleDatabase:
    """The example database ``where`` names: ``redis://HOST:PORT/N`` or a directory.

    Raises :class:`UsageError` (one line) when the redis client is missing or
    the server does not answer.
    """
    if not where.startswith("redis://"):
        return DirectoryBasedExampleDatabase(Path(where))
    try:
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase
    except ImportError:
        raise UsageError("a redis:// database needs the redis client: pip install 'coroutine-spec[redis]'") from None
    client = redis.Redis.from_url(where)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise UsageError(f"cannot reach {where}: {exc}") from None
    return RedisExampleDatabase(client)


def campaign_test(contract_name: str, target: str, args: argparse.Namespace) -> Callable[[], None]:
    """The contract's Hypothesis test bound to ``target``, saving to the active profile's database.

    Raises :class:`~spec.SpecError` when the check could not run (as ``check`` would).
    """
    contract = get_contract(contract_name)
    options = require(contract, options_of(args))
    obj, ref = resolve_target(target)
    # Never entered: each call runs on the deadline's worker thread, so the
    # limit holds whichever thread the fuzzer runs the test on.
    deadline = Deadline(args.timeout)
    binding, _ = bind(contract, obj, ref, deadline, options)
    searched, seed = search_settings(None, max_examples=args.max_examples, seed=args.seed)
    campaign_settings = hypothesis.settings(
        searched,
        database=hypothesis.settings().database,
        # HypoFuzz will not fuzz a test that would let a nested @given pass;
        # no contract nests one, so that check may as well stay on.
        suppress_health_check=[check for check in HealthCheck if check is not HealthCheck.nested_given],
    )
    return contract.runner(binding, campaign_settings, seed)


class CampaignItem(pytest.Function):
    """A campaign's contract test: a plain Hypothesis test, shown as the oracle shows a violation."""

    replay: str = ""  # the command that replays this test's saved failures alone

    @classmethod
    def build(cls, parent: pytest.Collector, name: str, test: Callable[[], None], replay: str) -> CampaignItem:
        """The item running ``test``, keyed in the database by its id."""
        item: CampaignItem = cls.from_parent(parent, name=name, callobj=test)
        item.replay = replay
        # One key per contract and target, the test's id: HypoFuzz keys the
        # tests it collects the same way (and Hypothesis's own plugin keys a
        # parametrized test so), so that both find each other's failures.
        test.hypothesis.inner_test._hypothesis_internal_add_digest = item.nodeid.encode()  # type: ignore[attr-defined]
        return item

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"contract {self.name}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str | Any:  # type: ignore[override]  # as pytest.Function's
        if not isinstance(excinfo.value, ClauseViolation | HungViolation):
            return super().repr_failure(excinfo)
        v = excinfo.value.violation
        lines = [str(v.clause), f"  {v.message}"]
        if v.expected or v.actual:
            lines += [f"  expected: {v.expected}", f"  actual:   {v.actual}"]
        lines += ["Smallest failing program found, as Python against your target:"]
        lines += [textwrap.indent("\n".join(v.program), "    ")]
        # Hypothesis notes the failing example on whatever it lets through.
        notes = [note for note in getattr(excinfo.value, "__notes__", ()) if note.strip()]
        lines += ["As Hypothesis printed it:", textwrap.indent("\n".join(notes), "    ")]
        lines += ["It is saved in the example database; this replays it alone (from the rootdir):"]
        lines += [f"    {self.replay}"]
        return "\n".join(lines)
