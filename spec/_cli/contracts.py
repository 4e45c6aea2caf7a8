"""The contract commands: ``check``, ``list``, ``selftest``, and the main job (no command)."""

from __future__ import annotations

import argparse
from typing import Any

import hypothesis

from spec._cli.parsing import EXIT_HOLDS, EXIT_VIOLATED, Parser, contract_options, emit, number, options_of
from spec._core.oracle import check
from spec._core.registry import contract_names, get_contract
from spec._core.report import ClauseStatus, Report
from spec._core.table import table
from spec.selftest import selftest

__all__ = ["COMMANDS", "add_commands", "contracts_markdown", "main_job", "run_check", "run_command"]

COMMANDS = ("check", "list", "selftest")


def add_commands(commands: Any, common: Parser) -> None:
    """Add ``check``, ``selftest`` and ``list`` to ``commands`` (the CLI's subparsers)."""
    run = commands.add_parser(
        "check",
        parents=[common, contract_options()],
        help="check a target against a contract",
        description="Check TARGET against CONTRACT.  Exit 0: every clause holds; "
        "1: a clause is violated; 2: the check could not run.",
    )
    run.add_argument("contract", metavar="CONTRACT", help=f"one of: {', '.join(contract_names())}")
    run.add_argument("target", metavar="TARGET", help="package.module:attr or path/to/file.py:attr")
    self_test = commands.add_parser(
        "selftest",
        parents=[common],
        help="check every contract against its references and its known-bad catalogue",
        description="Run every contract (or those named) against its reference implementations, which must hold, "
        "and its known-bad catalogue, each of which must be rejected for the clause it is known to break.  "
        "Exit 0 only if all of that is so and every clause is broken by some known-bad implementation.",
    )
    self_test.add_argument("contracts", nargs="*", metavar="CONTRACT", help="default: every contract")
    self_test.add_argument(
        "--seeds",
        type=number(int, 1),
        default=1,
        metavar="N",
        help="run every check under N seeds (--seed, default 0, and the N - 1 after it) and count, per "
        "implementation, the seeds that gave the expected verdict",
    )
    listing = commands.add_parser("list", help="list every contract with its clauses")
    listing.add_argument("--markdown", action="store_true", help="print the README's contract section")


def run_command(args: argparse.Namespace) -> int:
    """Run ``args.command`` (one of :data:`COMMANDS`); return the exit status."""
    if args.command == "list":
        print(contracts_markdown() if args.markdown else _listing(), end="")
        return EXIT_HOLDS
    if args.command == "check":
        report = run_check(args.contract, args.target, args)
        emit(report.format())
        return EXIT_HOLDS if report.ok else EXIT_VIOLATED
    names = args.contracts or contract_names()
    for name in names:
        get_contract(name)  # an unknown name is exit 2 before any check runs
    result = selftest(names, max_examples=args.max_examples, seed=args.seed, seeds=args.seeds)
    emit(result.format())
    return EXIT_HOLDS if result.ok else EXIT_VIOLATED


def run_check(contract: str, target: str, args: argparse.Namespace) -> Report:
    """Check ``target`` against ``contract`` with the options ``check`` parsed into ``args``.

    The one place that turns those options (the contract options among them)
    into a check: the command line and the pytest plugin (``--contract``,
    ``spec._cli.plugin``) both call it.
    """
    return check(
        contract,
        target,
        max_examples=args.max_examples,
        seed=args.seed,
        timeout=args.timeout,
        options=options_of(args),
    )


def _listing() -> str:
    lines = []
    for name in contract_names():
        contract = get_contract(name)
        lines.append(f"{name}: {contract.summary}")
        lines.append(f"  target: {contract.target}")
        lines.extend(f"  {clause.id:<4} {clause.title:<13} {clause.text}" for clause in contract.clauses)
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def contracts_markdown() -> str:
    """The README's contract section, generated from the clause records."""
    lines = []
    for name in contract_names():
        contract = get_contract(name)
        lines += [f"### `{name}` — {contract.summary}", "", f"Target: {contract.target}.", ""]
        lines += ["| clause | title | statement |", "|---|---|---|"]
        lines += [f"| {c.id} | {c.title} | {_cell(c.text)} |" for c in contract.clauses]
        lines.append("")
    return "\n".join(lines)


def main_job(args: argparse.Namespace) -> int:
    """No command: every reference implementation of every contract, as one table."""
    header = ("contract", "target", "clauses", "examples", "seconds", "verdict")
    rows: list[tuple[str, ...]] = []
    failed: list[Report] = []
    for name in contract_names():
        for target in get_contract(name).references:
            report = run_check(name, target, args)
            held = sum(1 for r in report.clauses if r.status is ClauseStatus.HELD)
            verdict = "holds" if report.violation is None else f"VIOLATED {report.violation.clause.id}"
            rows.append(
                (name, target, f"{held}/{len(report.clauses)}", str(report.examples), f"{report.seconds:.2f}", verdict)
            )
            if not report.ok:
                failed.append(report)
    profile = hypothesis.settings.get_current_profile_name()
    emit(f"{table(header, rows)}\n\n{len(rows) - len(failed)} of {len(rows)} hold (profile {profile})")
    for report in failed:
        emit(f"\n{report.format()}")
    return EXIT_VIOLATED if failed else EXIT_HOLDS
