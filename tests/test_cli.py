"""The command line, run as a user runs it: a subprocess, its exit status and output."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import hypothesis
import pytest

from spec import contract_names
from spec._cli import main
from tests._support import ROOT, run_cli

BAD_QUEUES = textwrap.dedent(
    """
    class Lifo:
        def __init__(self): self.items = []
        def push(self, item): self.items.append(item)
        def pop(self): return self.items.pop()
        def peek(self): return self.items[-1]
        def __len__(self): return len(self.items)

    class Spins(Lifo):
        def pop(self):
            while True:
                pass

    class Raises(Lifo):
        def push(self, item):
            raise ZeroDivisionError("no room")

    class NoPop:
        def push(self, item): pass

    NOT_CALLABLE = 3
    """
)


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "bad_queues.py"
    path.write_text(BAD_QUEUES)
    return path


def test_check_holds() -> None:
    run = run_cli("check", "queue", "impl.queue:DequeQueue", "--max-examples", "20", "--seed", "1")
    assert run.code == 0, run.err
    assert run.out.startswith("queue: impl.queue:DequeQueue: HOLDS\n")
    assert "seed 1" in run.out
    assert run.err == ""


def test_check_violated_prints_clause_snippet_and_rerun(bad: Path) -> None:
    target = f"{bad}:Lifo"
    run = run_cli("check", "queue", target, "--seed", "5")
    assert run.code == 1, run.err
    out = run.out
    assert "VIOLATED" in out
    assert "Q1 (FIFO): pop() must return the oldest item not yet popped" in out
    assert "  expected: " in out
    assert "  actual:   " in out
    assert f"    Lifo = load_target({target!r})" in out
    assert "    q = Lifo()" in out
    assert f"rerun: python -m spec check queue {target} --seed 5" in out
    # The snippet, pasted, reproduces the failure.
    snippet = out.split("as Python against your target:\n", 1)[1].split("As Hypothesis printed it:", 1)[0]
    with pytest.raises(AssertionError, match=r"Q1 \(FIFO\)"):
        exec(textwrap.dedent(snippet), {})
    # The same seed gives the same report, up to the timing.
    again = run_cli("check", "queue", target, "--seed", "5")
    assert again.out.splitlines()[:-2] == out.splitlines()[:-2]


def test_hang_is_a_violation_not_a_hang(bad: Path) -> None:
    run = run_cli("check", "queue", f"{bad}:Spins", "--timeout", "0.2", "--seed", "0")
    assert run.code == 1, run.err
    assert "Q7 (conduct)" in run.out
    assert "did not return within 0.2 s" in run.out


def test_target_exception_is_a_violation_that_shows_it(bad: Path) -> None:
    run = run_cli("check", "queue", f"{bad}:Raises", "--seed", "0")
    assert run.code == 1, run.err
    assert "raised ZeroDivisionError: no room" in run.out
    assert "Traceback of the target's exception:" in run.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "queu", "impl.queue:DequeQueue"], "unknown contract 'queu'; did you mean 'queue'?"),
        (["check", "queue", "no_such_module_anywhere:X"], "no module named 'no_such_module_anywhere'"),
        (["check", "queue", "/no/such/file.py:X"], "no such file: '/no/such/file.py'"),
        (["check", "queue", "impl.queue:Nope"], "'impl.queue' has no attribute 'Nope'"),
        (["check", "queue", "impl.queue"], "TARGET must be 'package.module:attr' or 'path/to/file.py:attr'"),
        (["check", "queue", "{bad}:NoPop"], "NoPop() returned a NoPop without pop, peek, __len__"),
        (["check", "queue", "{bad}:NOT_CALLABLE"], "a queue target must be a zero-argument callable"),
        (["check", "queue", "impl.queue:DequeQueue", "--max-examples", "0"], "argument --max-examples: must be at"),
        (["check", "queue", "impl.queue:DequeQueue", "--timeout", "soon"], "argument --timeout: must be a number"),
        (["check", "queue", "impl.queue:DequeQueue", "--seed", "1.5"], "argument --seed: must be an integer"),
        (["--profile", "fastest", "list"], "unknown profile 'fastest' (known: default, ci, thorough, mutation)"),
        (["check", "queue"], "the following arguments are required: TARGET"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_could_not_run_is_exit_2_with_one_line(bad: Path, args: list[str], message: str) -> None:
    run = run_cli(*(arg.replace("{bad}", str(bad)) for arg in args))
    assert run.code == 2
    assert run.out == ""
    assert run.err.count("\n") == 1, run.err
    assert run.err.startswith("python -m spec: error: ")
    assert message in run.err
    assert "Traceback" not in run.err


def test_list_prints_every_contract_and_clause() -> None:
    run = run_cli("list")
    assert run.code == 0
    for name in contract_names():
        assert f"\n{name}: " in f"\n{run.out}"
    assert "  Q1   FIFO          pop() must return the oldest item" in run.out


def test_main_job_prints_the_table_and_holds() -> None:
    run = run_cli("--max-examples", "10", "--seed", "0")
    assert run.code == 0, run.out + run.err
    lines = run.out.splitlines()
    assert lines[0].split() == ["contract", "target", "clauses", "examples", "seconds", "verdict"]
    assert any(line.split()[:2] == ["queue", "impl.queue:DequeQueue"] and line.endswith("holds") for line in lines)
    assert lines[-1].startswith(f"{len(lines) - 3} of {len(lines) - 3} hold (profile ")


def test_main_in_process_options_before_and_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seed", "3", "check", "stack", "impl.stack:ListStack", "--max-examples", "5"]) == 0
    assert capsys.readouterr().out.splitlines()[-2].endswith("seed 3")
    profile = hypothesis.settings.get_current_profile_name()
    try:
        assert main(["--profile", "ci", "check", "stack", "impl.stack:DequeStack", "--max-examples", "5"]) == 0
    finally:
        hypothesis.settings.load_profile(profile)
    assert capsys.readouterr().out.splitlines()[-2].endswith("seed 0")


def test_a_reader_that_goes_away_is_not_an_error_with_a_traceback() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "spec", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()
    err = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(60) == 1
    assert err == ""


def test_selftest_command_prints_the_matrix() -> None:
    # The queue's catalogue: the stack's takes twice as long at this budget.
    run = run_cli("selftest", "queue", "--max-examples", "40", "--seed", "0", timeout=600)
    assert run.code == 0, run.out + run.err
    assert run.out.splitlines()[0].split() == ["contract", "implementation", "expected", "reported", "steps", "seconds"]
    assert "spec.known_bad.queue:LifoQueue" in run.out
    assert run.out.rstrip().splitlines()[-2:] == [
        "20 of 20 known-bad implementations rejected for their clause; 0 wrong",
        "every clause (7, of 1 contract) is broken by at least one of them",
    ]


def test_selftest_of_an_unknown_contract_is_exit_2() -> None:
    run = run_cli("selftest", "stak")
    assert run.code == 2
    assert "unknown contract 'stak'; did you mean 'stack'?" in run.err
