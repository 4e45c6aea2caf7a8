"""The pytest plugin, as a user meets it: pytest started in a project of theirs, no test file needed."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from spec import Options, make_options
from spec._cli import _parser
from spec._cli import plugin as plugin_module
from spec._cli.parsing import DEFAULTS, options_of
from tests._support import ROOT

PYTEST = Path(sys.executable).parent / "pytest"  # the script: unlike python -m, it puts no folder on sys.path

BAD_QUEUE = """\
from collections import deque


class Lifo:
    def __init__(self):
        self._items = deque()

    def push(self, item):
        self._items.append(item)

    def pop(self):
        return self._items.pop()

    def peek(self):
        return self._items[-1]

    def __len__(self):
        return len(self._items)
"""


@dataclass(frozen=True)
class Run:
    code: int
    out: str


def run_pytest(*args: str, cwd: Path, timeout: float = 300) -> Run:
    """``pytest ARGS`` in ``cwd``, a fresh process, as a user would start it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(PYTEST), "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout + done.stderr)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with no test file: an ini file that fixes the rootdir, and a package."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "mypkg").mkdir()
    (tmp_path / "mypkg" / "__init__.py").write_text("")
    (tmp_path / "mypkg" / "mod.py").write_text(BAD_QUEUE)
    return tmp_path


def rerun_line(out: str, start: str) -> list[str]:
    line = next(line for line in out.splitlines() if line.startswith(f"rerun: {start}"))
    return shlex.split(line.removeprefix("rerun: "))


# -- profiles ---------------------------------------------------------------------------------


def test_the_profiles_are_registered_in_any_project(tmp_path: Path) -> None:
    (tmp_path / "test_it.py").write_text(
        "from hypothesis import settings\n\n\n"
        "def test_profile():\n"
        "    assert settings._current_profile == 'thorough'\n"
        "    assert settings().max_examples == 1000\n"
    )
    run = run_pytest("--hypothesis-profile=thorough", cwd=tmp_path)
    assert run.code == 0, run.out
    assert "1 passed" in run.out


# -- --contract: one test per contract and target ---------------------------------------------


def test_contracts_by_option_in_a_project_with_no_test_file(project: Path) -> None:
    run = run_pytest(
        "-v",
        "--contract",
        "queue=impl.queue:DequeQueue",
        "--contract",
        "queue=mypkg.mod:Lifo",
        "--contract",
        "stack=mypkg.mod:Lifo",
        "--contract-seed",
        "1",
        cwd=project,
    )
    assert run.code == 1, run.out
    assert "collected 3 items" in run.out
    assert "contracts::queue[impl.queue:DequeQueue] PASSED" in run.out
    assert "contracts::queue[mypkg.mod:Lifo] FAILED" in run.out
    assert "contracts::stack[mypkg.mod:Lifo] PASSED" in run.out
    # The oracle's report, not the plugin's frames.
    assert "queue: mypkg.mod:Lifo: VIOLATED" in run.out
    assert "Q1 (FIFO): pop() must return the oldest item" in run.out
    assert "from mypkg.mod import Lifo" in run.out
    for harness in ("plugin.py", "def runtest", "ContractFailed", "Traceback"):
        assert harness not in run.out
    assert rerun_line(run.out, "python") == ["python", "-m", "spec", "check", "queue", "mypkg.mod:Lifo", "--seed", "1"]
    rerun = rerun_line(run.out, "pytest")
    assert rerun == [
        "pytest",
        "--contract",
        "queue=mypkg.mod:Lifo",
        *["--contract-seed", "1", "-k", "queue[mypkg.mod:Lifo]"],
    ]
    again = run_pytest(*rerun[1:], cwd=project)
    assert again.code == 1
    assert "collected 1 item" in again.out
    assert "1 failed in" in again.out
    report = [line for line in run.out.splitlines() if line.startswith(("  q.", "    q."))]
    assert report
    assert report == [line for line in again.out.splitlines() if line.startswith(("  q.", "    q."))]


def test_a_file_target_given_from_a_subfolder_reruns_from_the_rootdir(project: Path) -> None:
    sub = project / "sub" / "deeper"
    sub.mkdir(parents=True)
    (sub / "bad.py").write_text(BAD_QUEUE)
    run = run_pytest("--contract", "queue=bad.py:Lifo", "--contract-max-examples", "50", cwd=sub)
    assert run.code == 1, run.out
    assert "queue: sub/deeper/bad.py:Lifo: VIOLATED" in run.out
    check = rerun_line(run.out, "python")
    assert check[4:] == ["queue", "sub/deeper/bad.py:Lifo", "--seed", check[7], "--max-examples", "50"]
    rerun = rerun_line(run.out, "pytest")
    assert rerun[1:5] == ["--contract", "queue=sub/deeper/bad.py:Lifo", "--contract-max-examples", "50"]
    # Both lines work from the rootdir.
    assert run_pytest(*rerun[1:], cwd=project).code == 1
    cli = subprocess.run(
        [sys.executable, *check[1:]], cwd=project, capture_output=True, text=True, timeout=120, check=False
    )
    assert cli.returncode == 1, cli.stderr
    assert "Q1 (FIFO)" in cli.stdout


def test_a_file_target_outside_the_rootdir_is_named_by_its_absolute_path(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "bad.py"
    elsewhere.write_text(BAD_QUEUE)
    run = run_pytest("--contract", f"queue={elsewhere}:Lifo", "--contract-max-examples", "50", cwd=project)
    assert run.code == 1, run.out
    assert f"queue: {elsewhere}:Lifo: VIOLATED" in run.out


def test_a_target_that_cannot_be_checked_fails_in_one_line(project: Path) -> None:
    run = run_pytest("--contract", "queue=mypkg.nowhere:Queue", cwd=project)
    assert run.code == 1
    assert "python -m spec: error: no module named 'mypkg.nowhere'" in run.out
    assert "Traceback" not in run.out


def test_an_error_of_the_harness_itself_shows_its_traceback(project: Path) -> None:
    (project / "conftest.py").write_text(
        "import spec._cli.contracts\n\n\n"
        "def broken(*args):\n"
        "    raise RuntimeError('harness broke')\n\n\n"
        "spec._cli.contracts.run_check = broken\n"
    )
    run = run_pytest("--contract", "queue=mypkg.mod:Lifo", cwd=project)
    assert run.code == 1
    assert "RuntimeError: harness broke" in run.out


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("queue", "--contract takes NAME=TARGET, got 'queue'"),
        ("=mypkg.mod:Lifo", "--contract takes NAME=TARGET"),
        ("queu=mypkg.mod:Lifo", "unknown contract 'queu'; did you mean 'queue'?"),
    ],
)
def test_a_bad_contract_option_is_a_usage_error(project: Path, option: str, message: str) -> None:
    run = run_pytest("--contract", option, cwd=project)
    assert run.code == pytest.ExitCode.USAGE_ERROR
    assert message in run.out
    assert "Traceback" not in run.out


def test_a_check_under_a_profile_that_searches_nothing_is_refused(project: Path) -> None:
    run = run_pytest("--contract", "queue=mypkg.mod:Lifo", "--hypothesis-profile=replay", cwd=project)
    assert run.code == pytest.ExitCode.USAGE_ERROR
    assert "the active profile generates no programs, so a check would hold vacuously" in run.out


def test_a_bad_option_value_is_refused_as_the_cli_refuses_it(project: Path) -> None:
    run = run_pytest("--contract", "queue=mypkg.mod:Lifo", "--contract-max-examples", "0", cwd=project)
    assert run.code == pytest.ExitCode.USAGE_ERROR
    assert "must be at least 1, got '0'" in run.out


def test_contract_tests_run_under_xdist_and_k(project: Path) -> None:
    run = run_pytest(
        "-n",
        "2",
        "--contract",
        "queue=impl.queue:DequeQueue",
        "--contract",
        "stack=impl.stack:DequeStack",
        "--contract",
        "queue=mypkg.mod:Lifo",
        "-k",
        "impl",
        cwd=project,
    )
    assert run.code == 0, run.out
    assert "2 passed in" in run.out  # the third deselected (xdist does not count it in this line)


def test_a_module_target_imports_with_the_rootdir_on_the_path_also_under_python_m(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--contract", "stack=mypkg.mod:Lifo"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert "1 passed" in done.stdout


RENAMED_BAD_QUEUE = """\
class Renamed:
    def __init__(self):
        self._items = []

    def put(self, item):
        self._items.append(item)

    def take(self):
        if not self._items:
            raise KeyError("empty")
        return self._items.pop()  # the newest: a stack

    def __len__(self):
        return len(self._items)
"""


def test_the_contract_options_reach_the_check_and_its_rerun_lines(project: Path) -> None:
    (project / "mypkg" / "renamed.py").write_text(RENAMED_BAD_QUEUE)
    options = ["--contract-map", "push=put,pop=take", "--contract-without", "peek", "--contract-empty", "KeyError"]
    run = run_pytest("--contract", "stack=mypkg.renamed:Renamed", *options, cwd=project)
    assert run.code == 0, run.out  # a stack, through its own names
    run = run_pytest("--contract", "queue=mypkg.renamed:Renamed", "--contract-seed", "2", *options, cwd=project)
    assert run.code == 1, run.out
    assert "Q1 (FIFO)" in run.out
    assert "q.put(" in run.out
    assert "q.take()" in run.out
    assert rerun_line(run.out, "python")[4:] == [
        *("queue", "mypkg.renamed:Renamed", "--seed", "2"),
        *("--map", "push=put,pop=take", "--empty", "KeyError", "--without", "peek"),
    ]
    rerun = rerun_line(run.out, "pytest")
    assert rerun[1:3] == ["--contract", "queue=mypkg.renamed:Renamed"]
    assert set(options) <= set(rerun)
    again = run_pytest(*rerun[1:], cwd=project)
    assert again.code == 1, again.out
    assert "Q1 (FIFO)" in again.out
    bad = run_pytest("--contract", "queue=mypkg.renamed:Renamed", "--contract-without", "pop", cwd=project)
    assert bad.code == 1
    assert "python -m spec: error: --without: 'pop' is not an operation a target may lack" in bad.out


# -- the options are the command line's ----------------------------------------------------


def test_every_option_of_check_is_accepted_and_parsed_as_the_cli_parses_it(pytester: pytest.Pytester) -> None:
    values = {
        "--max-examples": "7",
        "--seed": "3",
        "--timeout": "2.5",
        "--map": "push=put,pop=get_nowait",
        "--empty": "queue.Empty",
        "--empty-returns": "None",
        "--items": "bytes",
        "--compare": "equal",
        "--without": "peek",
    }
    names = {max(action.option_strings, key=len) for action in plugin_module.check_options()}
    assert names == set(values), "a new option of check: give it a value here"
    words = [word for option, value in values.items() for word in (option, value)]
    cli = _parser().parse_args(["check", "queue", "impl.queue:DequeQueue", *words])
    config = pytester.parseconfig(*[w.replace("--", "--contract-", 1) if w.startswith("--") else w for w in words])
    plugin_args = plugin_module._args(config)
    assert {name: getattr(cli, name, DEFAULTS.get(name)) for name in vars(plugin_args)} == vars(plugin_args)
    expected = make_options(
        map="push=put,pop=get_nowait", empty="queue.Empty", empty_returns=None, items="bytes", compare="equal"
    )
    assert options_of(plugin_args) == options_of(cli) == dataclasses.replace(expected, without=frozenset({"peek"}))
    assert options_of(plugin_args).command_line() == words[6:]
    defaults = plugin_module._args(pytester.parseconfig())
    assert {name: value for name, value in vars(defaults).items() if name in DEFAULTS} == DEFAULTS
    assert options_of(defaults) == Options()  # the contract options' None is "not given"


def test_options_of_every_kind_carry_into_pytest_and_the_rerun_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    parser = argparse.ArgumentParser()
    fake = [
        parser.add_argument("--flag", action="store_true", help="a flag"),
        parser.add_argument("--no-shrink", dest="shrink", action="store_false", help="a negative flag"),
        parser.add_argument("--method", action="append", metavar="A=B", help="repeatable"),
        parser.add_argument("--mode", choices=("a", "b"), default="a", help="a choice"),
        parser.add_argument("--seed", type=int, default=argparse.SUPPRESS, help="the seed"),
    ]
    monkeypatch.setattr(plugin_module, "check_options", lambda: fake)
    config = pytester.parseconfig(
        "--contract-flag", "--contract-no-shrink", "--contract-method", "push=put", "--contract-method", "pop=get"
    )
    args = plugin_module._args(config)
    assert (args.flag, args.shrink, args.method) == (True, False, ["push=put", "pop=get"])
    assert (args.mode, args.seed) == ("a", None)
    assert plugin_module._rerun_options(config) == [
        "--contract-flag",
        "--contract-no-shrink",
        "--contract-method",
        "push=put",
        "--contract-method",
        "pop=get",
    ]


def test_an_option_of_a_kind_the_plugin_does_not_know_fails_loudly(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    parser = argparse.ArgumentParser()
    odd = parser.add_argument("--level", action="count")
    monkeypatch.setattr(plugin_module, "check_options", lambda: [odd])
    with pytest.raises(Exception, match="pytest11") as failed:  # pytest: "an installed plugin failed to load"
        pytester.parseconfig()
    assert isinstance(failed.value.__cause__, TypeError)
    assert "--level" in str(failed.value.__cause__)


def test_the_entry_points_are_declared() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert 'coroutine-spec = "spec._cli:console"' in text
    assert 'coroutine-spec = "spec._cli.plugin"' in text
