"""What every command of the command line shares: one-line errors, numbers, the common options."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from spec._core import journal
from spec._core.options import FLAGS, Options, options_from_text
from spec._core.oracle import DEFAULT_TIMEOUT

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_MAX_MEMORY",
    "EXIT_ERROR",
    "EXIT_HOLDS",
    "EXIT_INTERRUPTED",
    "EXIT_VIOLATED",
    "PROG",
    "SUPERVISOR_OPTIONS",
    "Parser",
    "UsageError",
    "common_options",
    "contract_options",
    "emit",
    "number",
    "options_of",
]

EXIT_HOLDS, EXIT_VIOLATED, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # the user's Ctrl-C, as shells report SIGINT

PROG = "python -m spec"

DEFAULT_BUDGET = 600.0
"""Seconds a supervised command may run in all, import of the target included (``--budget``)."""

DEFAULT_MAX_MEMORY = 2048
"""MiB of address space the process running a supervised search may use (``--max-memory``)."""

DEFAULTS = {
    "max_examples": None,
    "seed": None,
    "timeout": DEFAULT_TIMEOUT,
    "profile": None,
    "in_process": False,
    "budget": DEFAULT_BUDGET,
    "max_memory": DEFAULT_MAX_MEMORY,
    "journal_fd": None,
}
"""The common options' values when the command line gives none (see :func:`common_options`)."""

SUPERVISOR_OPTIONS = frozenset({"in_process", "budget", "max_memory", "journal_fd"})
"""The common options that govern the supervising process, not the search (see :mod:`spec._cli.supervise`)."""


def emit(text: str, *, err: bool = False) -> None:
    """Print ``text`` (a line or a report) as the command's output, or its error line with ``err``.

    In a supervised child the text goes to the supervising process instead
    (see :mod:`spec._core.journal`), which prints it: a target that closes or
    floods standard output cannot garble the verdict.
    """
    if journal.active():
        journal.note("err" if err else "out", text)
        return
    try:
        print(text, file=sys.stderr if err else sys.stdout)
    except ValueError:  # a target closed sys.stdout in this process; its file descriptor stays open
        os.write(2 if err else 1, f"{text}\n".encode())


class UsageError(Exception):
    """The command line is wrong: exit 2 with this one line."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def number(kind: type[int] | type[float], minimum: float) -> Callable[[str], float]:
    """An argument type: an ``int`` or ``float`` of at least ``minimum``."""

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


def common_options() -> Parser:
    """The options every search command takes, as a parent parser.

    Defaults are suppressed, so that the options may come before or after the
    command (``--seed 5 check ...`` or ``check ... --seed 5``) without one
    erasing the other; :data:`DEFAULTS` fills in what neither gave.
    """
    common = Parser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--max-examples",
        type=number(int, 1),
        metavar="N",
        help="programs to try per target (default: the profile's)",
    )
    common.add_argument(
        "--seed",
        type=number(int, 0),
        metavar="S",
        help="seed of the search (default: random; 0 under a derandomized profile)",
    )
    common.add_argument(
        "--timeout",
        type=number(float, 1e-3),
        metavar="SECONDS",
        help=f"time limit of each call into the target (default: {DEFAULT_TIMEOUT:g})",
    )
    common.add_argument(
        "--profile", metavar="NAME", help="Hypothesis settings profile: default, ci, thorough, mutation"
    )
    common.add_argument(
        "--budget",
        type=number(float, 0.1),
        metavar="SECONDS",
        help=f"wall-clock limit of the whole run, import of the target included (default: {DEFAULT_BUDGET:g})",
    )
    common.add_argument(
        "--max-memory",
        type=number(int, 64),
        metavar="MIB",
        help=f"memory limit of the process that runs the search (default: {DEFAULT_MAX_MEMORY})",
    )
    common.add_argument(
        "--in-process",
        action="store_true",
        help="run the search in this process, without a supervising one (no --budget or --max-memory)",
    )
    # The supervising process starts its child with this: where to send the journal.
    common.add_argument("--journal-fd", type=number(int, 0), help=argparse.SUPPRESS)
    return common


def contract_options() -> Parser:
    """The contract options (``--map``, ``--items`` ...), as a parent parser built from :data:`FLAGS`."""
    parser = Parser(add_help=False, argument_default=argparse.SUPPRESS)
    group = parser.add_argument_group(
        "contract options", "queue and stack take them all; averager, pipeline and channel take --items"
    )
    for flag in FLAGS:
        group.add_argument(flag.flag, dest=flag.name, metavar=flag.metavar, help=flag.help)
    return parser


def option_flags(args: argparse.Namespace) -> tuple[str, ...]:
    """The contract options ``args`` gave, as the flags that give them again, unresolved (nothing imported)."""
    given = ((flag.flag, getattr(args, flag.name, None)) for flag in FLAGS)
    return tuple(part for flag, text in given if text is not None for part in (flag, text))


def options_of(args: argparse.Namespace) -> Options:
    """The contract options the command line gave (:class:`~spec.OptionError` if one is wrong).

    An option absent from ``args``, or ``None`` there (the pytest plugin's
    default), is not given.
    """
    given = {flag.name: getattr(args, flag.name, None) for flag in FLAGS}
    return options_from_text({name: text for name, text in given.items() if text is not None})
