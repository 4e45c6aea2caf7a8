"""The pytest plugin, loaded by pytest in any project where the package is installed.

Declared as the ``pytest11`` entry point ``coroutine-spec``, like the console
command, and so in the top layer: it may import anything, nothing imports it.

* **Profiles.** Importing it registers the project's Hypothesis profiles
  (:mod:`spec.profiles`), so ``pytest --hypothesis-profile=thorough`` works in
  any project, with no import of ours in a conftest.
* **Contracts by option.** ``--contract NAME=TARGET`` (repeatable) adds one
  test per contract and target, named ``NAME[TARGET]``, to whatever else the
  run collects, also in a project with no test file.  Each runs the same check
  as ``python -m spec check NAME TARGET``, with the same options under a
  ``--contract-`` prefix (``--contract-seed 3``), taken from the command
  line's own definition of ``check`` (so an option added there is accepted
  here too; ``--profile`` is pytest's ``--hypothesis-profile``).  A failure
  shows the oracle's report, not the plugin's frames, and lines that rerun it
  from the rootdir.  ``path/to/file.py:attr`` targets are read from where
  pytest was started and named relative to the rootdir; module targets are
  imported with the rootdir on ``sys.path``, as ``python -m spec`` started
  there would.
* **Campaigns.** ``--contract-database=DIR`` (or ``redis://HOST:PORT/N``)
  makes that the example database of the run (:func:`spec.profiles.use_database`)
  and turns each contract test into a plain Hypothesis test that saves what it
  finds there and replays it first next time: several workers (pytest-xdist,
  HypoFuzz, other machines) then share one campaign.  The oracle's check, by
  contrast, never uses a database, so that its verdict depends on the seed
  alone; see :mod:`spec._cli.campaign`.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import shlex
import sys
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import Phase

import spec.profiles  # registers the profiles whenever pytest runs
from spec._cli import campaign
from spec._cli.parsing import DEFAULTS, PROG, SUPERVISOR_OPTIONS, Parser, UsageError, common_options
from spec._core.errors import SpecError
from spec._core.registry import get_contract
from spec._core.report import Report

__all__ = ["ContractFailed", "ContractItem", "check_options", "pytest_addoption"]

_PREFIX = "contract_"
# pytest has its own --help and --hypothesis-profile; a contract test runs in
# pytest's process, so the supervising process's options do not apply.
_NOT_OPTIONS = {"help", "profile", *SUPERVISOR_OPTIONS}

# The kinds of option ``check`` may declare, as pytest's addoption spells them.
_KINDS: dict[type[argparse.Action], str] = {
    argparse._StoreAction: "store",
    argparse._StoreTrueAction: "store_true",
    argparse._StoreFalseAction: "store_false",
    argparse._AppendAction: "append",
}


@functools.cache
def check_options() -> list[argparse.Action]:
    """The options of ``python -m spec check``, read off the command line's own parser."""
    from spec._cli import contracts

    parser = Parser(prog=PROG)
    commands = parser.add_subparsers(dest="command", parser_class=Parser)
    contracts.add_commands(commands, common_options())
    check: Parser = commands.choices["check"]
    return [a for a in check._actions if a.option_strings and a.dest not in _NOT_OPTIONS]


def _default(action: argparse.Action) -> Any:
    return DEFAULTS.get(action.dest) if action.default is argparse.SUPPRESS else action.default


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("coroutine-spec", "contract checks (coroutine-spec)")
    group.addoption(
        "--contract",
        action="append",
        default=[],
        metavar="NAME=TARGET",
        help="check TARGET (package.module:attr or path/to/file.py:attr) against contract NAME, as one test; "
        "repeatable",
    )
    for action in check_options():
        kind = _KINDS.get(type(action))
        if kind is None:
            raise TypeError(f"check's option {action.option_strings} is of a kind the plugin does not know")
        extra: dict[str, Any] = {} if kind in ("store_true", "store_false") else {"type": action.type}
        if action.metavar is not None:
            extra["metavar"] = action.metavar
        if action.choices is not None:
            extra["choices"] = action.choices
        group.addoption(
            "--contract-" + max(action.option_strings, key=len).lstrip("-"),
            action=kind,
            dest=_PREFIX + action.dest,
            default=_default(action),
            help=f"as {PROG} check {max(action.option_strings, key=len)}: {action.help}",
            **extra,
        )
    group.addoption(
        "--contract-database",
        metavar="DIR|redis://HOST:PORT/N",
        help="campaign: every contract test becomes a Hypothesis test that saves what it finds in this example "
        "database and replays it first (the database of the whole run)",
    )


@dataclasses.dataclass(frozen=True)
class Request:
    """One ``--contract NAME=TARGET``: what to load, and how to name it from the rootdir."""

    contract: str
    load: str  # the TARGET to load from here (a path target made absolute)
    label: str  # the TARGET as written from the rootdir

    @property
    def name(self) -> str:
        return f"{self.contract}[{self.label}]"


def _requests(config: pytest.Config) -> list[Request]:
    found = []
    for text in config.getoption("contract"):
        contract, sep, target = text.partition("=")
        if not sep or not contract or not target:
            raise pytest.UsageError(f"--contract takes NAME=TARGET, got {text!r}")
        try:
            get_contract(contract)
        except SpecError as exc:
            raise pytest.UsageError(f"--contract {text}: {exc}") from None
        found.append(_request(contract, target, config.invocation_params.dir, config.rootpath))
    return found


def _request(contract: str, target: str, here: Path, root: Path) -> Request:
    where, _, attr = target.rpartition(":")
    path = here / where
    if not where or not path.is_file():
        return Request(contract, target, target)  # a module, or an error the check will name
    path = path.resolve()
    return Request(contract, f"{path}:{attr}", f"{_rooted(path, root)}:{attr}")


def _rooted(path: Path, root: Path) -> str:
    """``path`` (absolute) as named from ``root``: relative when it is inside, else absolute."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _args(config: pytest.Config) -> argparse.Namespace:
    """The options of ``check`` as the command line would have parsed them."""
    args = argparse.Namespace(**DEFAULTS)
    for action in check_options():
        setattr(args, action.dest, config.getoption(_PREFIX + action.dest))
    return args


def _rerun_options(config: pytest.Config) -> list[str]:
    """The ``--contract-*`` options this run was given, seed aside, as words of a command line."""
    words = []
    for action in check_options():
        value = config.getoption(_PREFIX + action.dest)
        if action.dest == "seed" or value == _default(action):
            continue
        option = "--contract-" + max(action.option_strings, key=len).lstrip("-")
        if isinstance(value, bool):
            words.append(option)
        else:
            for one in value if isinstance(value, list) else [value]:
                words += [option, str(one)]
    return words


@pytest.hookimpl(trylast=True)  # after Hypothesis's plugin has loaded --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    config.stash[_REQUESTS] = requests = _requests(config)
    database = config.getoption("contract_database")
    if requests and database is None and Phase.generate not in hypothesis.settings().phases:
        raise pytest.UsageError(
            "--contract: the active profile generates no programs, so a check would hold vacuously; "
            "the replay profile replays a campaign's database (--contract-database)"
        )
    if database is not None:
        try:
            spec.profiles.use_database(campaign.open_database(database))
        except UsageError as exc:
            raise pytest.UsageError(f"--contract-database: {exc}") from None
    root = str(config.rootpath)
    if requests and root not in sys.path:
        sys.path.insert(0, root)


_REQUESTS = pytest.StashKey[list[Request]]()


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    requests = config.stash[_REQUESTS]
    if requests:
        # Through a collector, so that pytest counts and reports them as collected.
        collector = Contracts.from_parent(session, name="contracts", nodeid="contracts")
        items.extend(session.genitems(collector))


class Contracts(pytest.Collector):
    """Every ``--contract NAME=TARGET`` of the run, one test each."""

    def collect(self) -> list[pytest.Item]:
        config = self.config
        database = config.getoption("contract_database")
        items: list[pytest.Item] = []
        for request in config.stash[_REQUESTS]:
            if database is not None:
                try:
                    test = campaign.campaign_test(request.contract, request.load, _args(config))
                except SpecError:
                    pass  # the ContractItem below runs the check, which fails with the same one line
                else:
                    replay = ["pytest", "--contract", f"{request.contract}={request.label}", *_rerun_options(config)]
                    replay += ["--contract-database", _from_root(database, config), "--hypothesis-profile=replay"]
                    replay += ["-k", request.name]
                    items.append(campaign.CampaignItem.build(self, request.name, test, shlex.join(replay)))
                    continue
            items.append(ContractItem.from_parent(self, name=request.name, request=request))
        return items


def _from_root(database: str, config: pytest.Config) -> str:
    """The database as named from the rootdir (a directory) or as given (redis://)."""
    if database.startswith("redis://"):
        return database
    return _rooted((config.invocation_params.dir / database).resolve(), config.rootpath)


class ContractFailed(Exception):
    """A contract test's verdict was "violated": carries the report to show."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class ContractItem(pytest.Item):
    """The test of one ``--contract NAME=TARGET``: the oracle's check, its report on failure."""

    def __init__(self, *, request: Request, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request = request

    def runtest(self) -> None:
        from spec._cli.contracts import run_check

        report = run_check(self.request.contract, self.request.load, _args(self.config))
        if not report.ok:
            raise ContractFailed(self._text(dataclasses.replace(report, target=self.request.label)))

    def _text(self, report: Report) -> str:
        rerun = ["pytest", "--contract", f"{self.request.contract}={self.request.label}"]
        rerun += [*_rerun_options(self.config), "--contract-seed", str(report.seed), "-k", self.request.name]
        return f"{report.format()}\nrerun: {shlex.join(rerun)}\n(either from the rootdir, {self.config.rootpath})"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | Any:
        if isinstance(excinfo.value, ContractFailed):
            return excinfo.value.text
        if isinstance(excinfo.value, SpecError):  # the check could not run: one line, as the CLI's exit 2
            return f"{PROG}: error: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"contract {self.name}"
