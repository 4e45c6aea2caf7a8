"""The history commands, ``linearize`` and ``stress`` (see :mod:`spec._cli`).

``linearize FILE --model NAME``: exit 0 linearizable, 1 not, 3 unknown (the
time or memory limit ran out), 2 could not run (unreadable or malformed
file, unknown model, a model of one's own that raised).  ``--timeout``
bounds the whole command: loading the model, reading the file, the search,
shrinking the counterexample.  ``stress {queue,stack} TARGET``: exit 0 no
violation found, 1 one found, 2 could not run; a failing run's history is
saved to ``--save-history PATH``, or else to a new temporary file, and the
report names it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from typing import Any

from spec._cli.parsing import (
    EXIT_HOLDS,
    EXIT_VIOLATED,
    PROG,
    Parser,
    UsageError,
    contract_options,
    emit,
    number,
    options_of,
)
from spec._core.checker import describe_exception
from spec._core.errors import TargetError
from spec._core.signals import theirs
from spec._core.target import resolve_target
from spec.linearize.budget import DEFAULT_MAX_MEMORY, Budget, OutOfBudget
from spec.linearize.catalog import MODELS
from spec.linearize.histories import FAIL_MEANS, FORMATS, format_of, parse_history, parse_value, read_text
from spec.linearize.models import Model
from spec.linearize.ops import HistoryError
from spec.linearize.registers import MultiRegisterModel, RegisterModel

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
        "--fail-means",
        choices=FAIL_MEANS,
        default="absent",
        help="what a Jepsen :fail means: absent (default: it did not happen), or false (a failed :cas returned "
        "false, Porcupine's reading of its etcd logs)",
    )
    lin.add_argument(
        "--initial",
        metavar="VALUE",
        help="the registers' initial value, in the file's notation (JSON, or EDN for Jepsen histories; default: "
        "null/nil)",
    )
    lin.add_argument(
        "--nil-reads-any", action="store_true", help="a read of null/nil matches any value (Knossos's rule)"
    )
    lin.add_argument(
        "--timeout",
        dest="limit",
        type=number(float, 1e-3),
        metavar="SECONDS",
        help="time limit of the whole command: reading, searching, shrinking (default: none)",
    )
    lin.add_argument(
        "--max-memory",
        type=number(int, 1),
        default=DEFAULT_MAX_MEMORY // 2**20,
        metavar="MB",
        help=f"memory limit of the process while it checks (default: {DEFAULT_MAX_MEMORY // 2**20})",
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

    budget = Budget(args.limit, args.max_memory * 2**20)
    doing = "loading the model"
    try:
        with budget.armed():
            # A time limit that runs out during the import is the oracle's own
            # signal: loading passes it on (spec._core.signals.theirs).
            model = load_model(args.model)
            doing = "reading the history"
            text = read_text(args.file, budget)
            format = format_of(args.file, text, args.format)
            model = _configured(model, args, format)
            history = parse_history(text, format, fail_means=args.fail_means, check=lambda line: budget.check())
            del text
            budget.check()
    except OutOfBudget as exc:
        print(f"{args.file}: UNKNOWN: the {_LIMITS[exc.limit]} ran out while {doing}")
        return EXIT_UNKNOWN
    # What is left of the time limit (a tiny remainder gives unknown at once).
    remaining = budget.remaining()
    timeout = None if remaining is None else max(remaining, 1e-9)
    result = check_history(history, model, timeout=timeout, max_memory=budget.max_memory, minimize=not args.no_shrink)
    print(f"{args.file}: {result.format()}")
    return {Outcome.LINEARIZABLE: 0, Outcome.NOT_LINEARIZABLE: 1, Outcome.UNKNOWN: EXIT_UNKNOWN}[result.outcome]


_LIMITS = {"time": "time limit (--timeout)", "memory": "memory limit (--max-memory)"}


def _configured(model: Model[Any], args: argparse.Namespace, format: str) -> Model[Any]:
    """``model`` with the register options ``--initial`` and ``--nil-reads-any`` the command line gives."""
    if args.initial is None and not args.nil_reads_any:
        return model
    if not isinstance(model, RegisterModel | MultiRegisterModel):
        raise UsageError("--initial and --nil-reads-any apply to the register models only")
    initial = model.initial_value
    if args.initial is not None:
        try:
            initial = parse_value(args.initial, format)
        except HistoryError as exc:
            raise UsageError(f"--initial: {exc}") from None
    return model.configure(initial=initial, nil_reads_any=args.nil_reads_any)


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
        emit(report.format())
        return EXIT_HOLDS
    path = args.save_history
    if path is None:
        handle, path = tempfile.mkstemp(prefix="spec-stress-", suffix=".json")
        os.close(handle)
    try:
        report = report.save(path)
    except OSError as exc:
        emit(report.format())
        emit(f"{PROG}: cannot save the history to {path!r}: {exc.strerror or exc}", err=True)
    else:
        emit(report.format())
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
        except BaseException as exc:
            raise TargetError(f"{name}() raised {describe_exception(theirs(exc))}") from None
    if not isinstance(obj, Model):
        raise TargetError(f"{name!r} is not a spec.linearize.Model (or a subclass of it), got {obj!r}")
    return obj
