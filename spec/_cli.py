"""The command line: ``python -m spec [check|list|selftest|linearize|stress] ...``.

Exit status: 0 every clause holds; 1 a clause is violated; 2 the command could
not run (bad arguments, unknown contract, target missing or of the wrong
shape), with one line on standard error and no traceback.  ``linearize``
adds 3: unknown (its time limit ran out); see :mod:`spec._lin_cli`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

import hypothesis

from spec._errors import SpecError
from spec._lin_cli import COMMANDS, add_commands, run_command
from spec._oracle import DEFAULT_TIMEOUT, check
from spec._registry import contract_names, get_contract
from spec._report import ClauseStatus, Report
from spec._selftest import selftest
from spec._table import table

__all__ = ["contracts_markdown", "main"]

EXIT_HOLDS, EXIT_VIOLATED, EXIT_ERROR = 0, 1, 2

_PROG = "python -m spec"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see {self.prog} --help)")


def _number(kind: type[int] | type[float], minimum: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            noun = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"must be {noun}, got {text!r}") from None
        if not value >= minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum:g}, got {text!r}")
        return value

    return parse


_DEFAULTS = {"max_examples": None, "seed": None, "timeout": DEFAULT_TIMEOUT, "profile": None}


def _options() -> _Parser:
    # Suppressed defaults: the options may come before or after the command
    # (`--seed 5 check ...` or `check ... --seed 5`) without one erasing the other.
    common = _Parser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--max-examples",
        type=_number(int, 1),
        metavar="N",
        help="programs to try per target (default: the profile's)",
    )
    common.add_argument(
        "--seed",
        type=_number(int, 0),
        metavar="S",
        help="seed of the search (default: random; 0 under a derandomized profile)",
    )
    common.add_argument(
        "--timeout",
        type=_number(float, 1e-3),
        metavar="SECONDS",
        help=f"time limit of each call into the target (default: {DEFAULT_TIMEOUT:g})",
    )
    common.add_argument(
        "--profile", metavar="NAME", help="Hypothesis settings profile: default, ci, thorough, mutation"
    )
    return common


def _parser() -> _Parser:
    common = _options()
    parser = _Parser(
        prog=_PROG,
        parents=[common],
        description="Executable contracts of cooperative multitasking, and an oracle that checks any "
        "implementation against them.  Without a command: check every reference implementation.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    run = commands.add_parser(
        "check",
        parents=[common],
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
    listing = commands.add_parser("list", help="list every contract with its clauses")
    listing.add_argument("--markdown", action="store_true", help="print the README's contract section")
    add_commands(commands, common, _number)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        args = _parser().parse_args(argv)
        for name, default in _DEFAULTS.items():
            setattr(args, name, getattr(args, name, default))
        _load_profile(args.profile)
        if args.command == "list":
            print(contracts_markdown() if args.markdown else _listing(), end="")
            return EXIT_HOLDS
        if args.command == "check":
            return _check(args)
        if args.command == "selftest":
            return _selftest(args)
        if args.command in COMMANDS:
            return run_command(args)
        return _main_job(args)
    except (SpecError, _UsageError) as exc:
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _load_profile(name: str | None) -> None:
    import spec.profiles  # registers the project's profiles

    if name is not None:
        if name not in spec.profiles.PROFILES:
            raise _UsageError(f"unknown profile {name!r} (known: {', '.join(spec.profiles.PROFILES)})")
        hypothesis.settings.load_profile(name)


def _run(contract: str, target: str, args: argparse.Namespace) -> Report:
    return check(contract, target, max_examples=args.max_examples, seed=args.seed, timeout=args.timeout)


def _check(args: argparse.Namespace) -> int:
    report = _run(args.contract, args.target, args)
    print(report.format())
    return EXIT_HOLDS if report.ok else EXIT_VIOLATED


def _selftest(args: argparse.Namespace) -> int:
    names = args.contracts or contract_names()
    for name in names:
        get_contract(name)  # an unknown name is exit 2 before any check runs
    result = selftest(names, max_examples=args.max_examples, seed=args.seed)
    print(result.format())
    return EXIT_HOLDS if result.ok else EXIT_VIOLATED


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


def _main_job(args: argparse.Namespace) -> int:
    header = ("contract", "target", "clauses", "examples", "seconds", "verdict")
    rows: list[tuple[str, ...]] = []
    failed: list[Report] = []
    for name in contract_names():
        for target in get_contract(name).references:
            report = _run(name, target, args)
            held = sum(1 for r in report.clauses if r.status is ClauseStatus.HELD)
            verdict = "holds" if report.violation is None else f"VIOLATED {report.violation.clause.id}"
            rows.append(
                (name, target, f"{held}/{len(report.clauses)}", str(report.examples), f"{report.seconds:.2f}", verdict)
            )
            if not report.ok:
                failed.append(report)
    print(table(header, rows))
    profile = hypothesis.settings.get_current_profile_name()
    print(f"\n{len(rows) - len(failed)} of {len(rows)} hold (profile {profile})")
    for report in failed:
        print()
        print(report.format())
    return EXIT_VIOLATED if failed else EXIT_HOLDS
