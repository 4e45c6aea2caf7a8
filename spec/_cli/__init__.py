"""The command line: ``python -m spec [check|list|selftest|linearize|stress] ...``.

The top layer of the package: it may import any area, and nothing in
:mod:`spec` imports it (``tests/test_layering.py`` keeps it so).  Each module
here adds its commands to one parser and runs them:

* :mod:`spec._cli.contracts`: ``check``, ``list``, ``selftest`` and the main
  job (no command: every reference implementation, as a table);
* :mod:`spec._cli.history`: ``linearize`` and ``stress``;
* :mod:`spec._cli.supervise`: runs ``check``, ``stress``, ``selftest`` and
  the main job in a child process under a wall-clock and memory budget.

:func:`console` is both ``python -m spec`` and the ``coroutine-spec`` command
(``[project.scripts]``).  The pytest plugin (:mod:`spec._cli.plugin`, with
:mod:`spec._cli.campaign`) is an entry point too, so it lives here as well.

Exit status: 0 every clause holds; 1 a clause is violated; 2 the command could
not run (bad arguments, unknown contract, target missing or of the wrong
shape), with one line on standard error and no traceback.  ``linearize``
adds 3: unknown (its time limit ran out).  A Ctrl-C ends any command with
130 and one line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

import hypothesis

from spec._cli import contracts, history, supervise
from spec._cli.contracts import contracts_markdown
from spec._cli.parsing import DEFAULTS, EXIT_ERROR, EXIT_INTERRUPTED, PROG, Parser, UsageError, common_options, emit
from spec._core.errors import SpecError

__all__ = ["console", "contracts_markdown", "main"]


def _parser() -> Parser:
    common = common_options()
    parser = Parser(
        prog=PROG,
        parents=[common],
        description="Executable contracts of cooperative multitasking, and an oracle that checks any "
        "implementation against them.  Without a command: check every reference implementation.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    contracts.add_commands(commands, common)
    history.add_commands(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
        for name, default in DEFAULTS.items():
            setattr(args, name, getattr(args, name, default))
        _load_profile(args.profile)
        if args.journal_fd is not None:
            return supervise.child(args, lambda: _run(args))
        if supervise.supervised(args):
            return supervise.supervise(argv, args)
        return _run(args)
    except (SpecError, UsageError) as exc:
        emit(f"{PROG}: error: {exc}", err=True)
        return EXIT_ERROR
    except KeyboardInterrupt:  # the user's: a target's is a verdict (see spec._core.signals)
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    if args.command in contracts.COMMANDS:
        return contracts.run_command(args)
    if args.command in history.COMMANDS:
        return history.run_command(args)
    return contracts.main_job(args)


def console() -> NoReturn:
    """Run the command line and exit with its status: ``python -m spec`` and the ``coroutine-spec`` command."""
    try:
        status = main()
        if not sys.stdout.closed:  # a target checked in this process (--in-process) may have closed it
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`python -m spec list | head`): not an error of
        # ours.  Point stdout at devnull so that the flush at exit does not fail
        # again, as the signal module's documentation recommends.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)


def _load_profile(name: str | None) -> None:
    import spec.profiles  # registers the project's profiles

    if name is not None:
        if name not in spec.profiles.PROFILES:
            raise UsageError(f"unknown profile {name!r} (known: {', '.join(spec.profiles.PROFILES)})")
        hypothesis.settings.load_profile(name)
