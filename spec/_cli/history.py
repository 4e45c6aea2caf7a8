"""The history commands, ``linearize`` and ``stress`` (see :mod:`spec._cli`).

``linearize FILE --model NAME``: exit 0 linearizable, 1 not, 3 unknown (the
time limit ran out), 2 could not run (unreadable or malformed file, unknown
model).  ``stress {queue,stack} TARGET``: exit 0 no violation found, 1 one
found, 2 could not run; a failing run's history is saved to ``--save-history
PATH``, or else to a new temporary file, and the report names it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import Any

from spec._cli.parsing import EXIT_HOLDS, EXIT_VIOLATED, PROG, Parser, contract_options, number, options_of
from spec._core.errors import TargetError
from spec._core.target import resolve_target
from spec.linearize.histories import FORMATS, read_history
from spec.linearize.models import MODELS, Model

__all__ = ["COMMANDS", "EXIT_UNKNOWN", "add_commands", "run_command"]

COMMANDS = ("linearize", "stress")
EXIT_UNKNOWN = 3


def add_commands(commands: Any, common: Parser) -> None:
    """Add the two commands to ``commands`` (the CLI's subparsers); ``common`` holds the shared options."""
    lin = commands.add_parser(
        "linearize",
        help="check whether a recorded history is linearizable",
        description="Check whether the history in FILE is linearizable under a sequential model.  Exit 0: "
        "linearizable; 1: not linearizable; 3: unknown (the time limit ran out); 2: the check could not run.",
    )
    lin.add_argument("file", metavar="FILE", help="the history: JSON, Jepsen EDN or jepsen.util log lines")
    lin.add_argument(
        "--model", required=True, metavar="NAME", help=f"one of: {', '.join(MODELS)}; or module:attr (a Model)"
    )
    lin.add_argument("--format", choices=FORMATS, help="the file's format (default: from its suffix or content)")
    lin.add_argument(
        "--timeout",
        dest="limit",
        type=number(float, 1e-3),
        metavar="SECONDS",
        help="time limit of the whole check (default: none)",
    )
    lin.add_argument("--no-shrink", action="store_true", help="do not shrink a counterexample")
    stress = commands.add_parser(
        "stress",
        parents=[common, contract_options()],
        help="stress a queue or stack with concurrent clients and check linearizability",
        description="Run generated scenarios against TARGET from several threads (or asyncio tasks, or processes) at "
        "once, drain it when they are done, and check every run's history.  Exit 0: no violation found; 1: one "
        "found (its history is saved as a file that the linearize command reads); 2: the check could not run.",
    )
    stress.add_argument("kind", choices=("queue", "stack"), help="the contract whose model is the truth")
    stress.add_argument("target", metavar="TARGET", help="package.module:attr or path/to/file.py:attr")
    from spec.stress import DEFAULT_RUNS, MODES

    stress.add_argument(
        "--mode",
        choices=MODES,
        help="default: asyncio if a part is a coroutine function or the factory is async, else threads; "
        "processes: one process per client, "
        "sharing the instance (a multiprocessing.Queue) or, if the factory takes an argument, opening the "
        "directory it is given",
    )
    stress.add_argument(
        "--runs",
        type=number(int, 1),
        default=DEFAULT_RUNS,
        metavar="N",
        help=f"runs of each scenario (default: {DEFAULT_RUNS})",
    )
    stress.add_argument(
        "--save-history",
        metavar="PATH",
        help="where to write a failing run's history, as JSON (default: a new file in the temporary directory)",
    )


def run_command(args: argparse.Namespace) -> int:
    """Run the command ``args.command`` (one of :data:`COMMANDS`); return the exit status."""
    if args.command == "linearize":
        return _linearize(args)
    return _stress(args)


def _linearize(args: argparse.Namespace) -> int:
    from spec.linearize import Outcome, check_history

    model = load_model(args.model)
    history = read_history(args.file, args.format)
    result = check_history(history, model, timeout=args.limit, minimize=not args.no_shrink)
    print(f"{args.file}: {result.format()}")
    return {Outcome.LINEARIZABLE: 0, Outcome.NOT_LINEARIZABLE: 1, Outcome.UNKNOWN: EXIT_UNKNOWN}[result.outcome]


def _stress(args: argparse.Namespace) -> int:
    from spec.stress import stress

    report = stress(
        args.kind,
        args.target,
        mode=args.mode,
        max_examples=args.max_examples,
        runs=args.runs,
        seed=args.seed,
        timeout=args.timeout,
        options=options_of(args),
    )
    if report.ok:
        print(report.format())
        return EXIT_HOLDS
    path = args.save_history
    if path is None:
        handle, path = tempfile.mkstemp(prefix="spec-stress-", suffix=".json")
        os.close(handle)
    try:
        report = report.save(path)
    except OSError as exc:
        print(report.format())
        print(f"{PROG}: cannot save the history to {path!r}: {exc.strerror or exc}", file=sys.stderr)
    else:
        print(report.format())
    return EXIT_VIOLATED


def load_model(name: str) -> Model[Any]:
    """The model ``name`` names: a built-in one, or ``module:attr`` (a :class:`Model` or subclass).

    Raises :class:`~spec.linearize.UnknownModel` or :class:`~spec.TargetError`.
    """
    from spec.linearize import get_model

    if ":" not in name:
        return get_model(name)
    obj = resolve_target(name)[0]
    if isinstance(obj, type) and issubclass(obj, Model):
        try:
            obj = obj()
        except Exception as exc:
            raise TargetError(f"{name}() raised {type(exc).__name__}: {exc}") from None
    if not isinstance(obj, Model):
        raise TargetError(f"{name!r} is not a spec.linearize.Model (or a subclass of it), got {obj!r}")
    return obj
