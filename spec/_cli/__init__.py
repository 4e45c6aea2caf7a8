"""The command line: ``python -m spec [check|list|selftest|linearize|stress] ...``.

The top layer of the package: it may import any area, and nothing in
:mod:`spec` imports it (``tests/test_layering.py`` keeps it so).  Each module
here adds its commands to one parser and runs them:

* :mod:`spec._cli.contracts`: ``check``, ``list``, ``selftest`` and the main
  job (no command: every reference implementation, as a table);
* :mod:`spec._cli.history`: ``linearize`` and ``stress``.

:func:`console` is both ``python -m spec`` and the ``coroutine-spec`` command
(``[project.scripts]``).  The pytest plugin (:mod:`spec._cli.plugin`, with
:mod:`spec._cli.campaign`) is an entry point too, so it lives here as well.

Exit status: 0 every clause holds; 1 a clause is violated; 2 the command could
not run (bad arguments, unknown contract, target missing or of the wrong
shape), with one line on standard error and no traceback.  ``linearize``
adds 3: unknown (its time limit ran out).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import NoReturn

import hypothesis

from spec._cli import contracts, history
from spec._cli.contracts import contracts_markdown
from spec._cli.parsing import DEFAULTS, EXIT_ERROR, PROG, Parser, UsageError, common_options
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
    try:
        args = _parser().parse_args(argv)
        for name, default in DEFAULTS.items():
            setattr(args, name, getattr(args, name, default))
        _load_profile(args.profile)
        if args.command in contracts.COMMANDS:
            return contracts.run_command(args)
        if args.command in history.COMMANDS:
            return history.run_command(args)
        return contracts.main_job(args)
    except (SpecError, UsageError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def console() -> NoReturn:
    """Run the command line and exit with its status: ``python -m spec`` and the ``coroutine-spec`` command."""
    try:
        status = main()
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
