"""Hostile targets, from the command line: a verdict or exit 2, never a traceback, a hang or a false "holds".

Each family of ``tests/hostile/targets.py`` is checked as a user would check
it (``python -m spec ...``, supervised by default), with the exit status it
must get, a piece of the answer, and a generous bound on the wall time: a
guard against hangs, not a measure of speed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import spec
from spec._cli import main
from tests._support import ROOT, Run, run_cli
from tests.hostile import targets

T = "tests.hostile.targets"


@dataclass(frozen=True)
class Case:
    """One hostile run: the command line, the exit status, what the answer says, a hang guard."""

    args: tuple[str, ...]
    code: int
    says: str
    seconds: float = 60.0


def case(command: str, code: int, says: str, seconds: float = 60.0) -> Case:
    return Case(tuple(command.replace("T:", f"{T}:").split()), code, says, seconds)


JUDGED = {
    # SystemExit, KeyboardInterrupt and exceptions of the target's own, wherever they come from
    "factory exits (averager)": case("check averager T:exits_when_made", 2, "raised SystemExit: 0"),
    "factory exits (genstate)": case("check genstate T:exits_when_made", 2, "raised SystemExit: 0"),
    "factory exits (scheduler)": case("check scheduler T:exits_when_made", 2, "raised SystemExit: 0"),
    "factory exits (stress)": case("stress queue T:exits_when_made", 2, "raised SystemExit: 0"),
    "sys.exit in a call": case("check queue T:Exits --seed 0", 1, ") raised SystemExit: 0"),
    "KeyboardInterrupt in a call": case("check queue T:Interrupts --seed 0", 1, ") raised KeyboardInterrupt"),
    "KeyboardInterrupt from run()": case(
        "check scheduler T:SchedulerInterrupts --seed 0", 1, "s.run() raised KeyboardInterrupt"
    ),
    "BaseException of its own": case("check queue T:RaisesCustom --seed 0", 1, "raised Custom: not an Exception"),
    "close() exits": case("check averager T:exits_on_close --seed 0", 1, "avg.close() raised SystemExit: 0"),
    "aclose() exits": case(
        "check averager T:async_exits_on_close --seed 0", 1, "run_until_complete(avg.aclose()) raised SystemExit: 0"
    ),
    "gi_frame exits": case(
        "check genstate T:FrameExits --seed 0", 1, "inspect.getgeneratorstate(g) raised SystemExit: 0"
    ),
    # values and exceptions that cannot be printed or compared
    "repr exits": case(
        "check queue T:ReturnsUnprintable --seed 0", 1, "<Unprintable object; its repr raised SystemExit>"
    ),
    "bool of == exits": case("check queue T:ReturnsUntrueEquality --seed 0", 1, "q.pop() returned UntrueEquality()"),
    "str of the exception exits": case(
        "check queue T:RaisesUnspeakable --seed 0", 1, "raised Unspeakable: <str() of the exception failed>"
    ),
    "answer beyond the digit limit": case(
        "check averager T:answers_huge --seed 0", 1, "answered <int of about 5001 digits>"
    ),
    "return value beyond the digit limit": case(
        "check genstate T:returns_huge --seed 0 --max-examples 10", 0, "genstate: tests.hostile.targets:returns_huge"
    ),
    "== loops": case(
        "check averager T:answers_stubborn --seed 0 --timeout 0.3",
        1,
        "avg2(2) == answer1 did not return within 0.3 s",
    ),
    "state leaks between programs": case(
        "check queue T:Leaky --seed 0", 1, "the target is nondeterministic: the same program ran differently"
    ),
    # stress clients that end badly
    "stress client raises KeyboardInterrupt": case(
        "stress queue T:ClientInterrupts --seed 0 --max-examples 5 --runs 2",
        1,
        "pop() raises KeyboardInterrupt",
    ),
    "stress client raises its own BaseException": case(
        "stress queue T:ClientRaisesCustom --seed 0 --max-examples 5 --runs 2", 1, "pop() raises Custom"
    ),
}
"""Families judged the same way in-process and supervised: run in this process (``--in-process``), for speed."""

SUPERVISED = {
    # one of the above, from end to end
    "factory exits (queue)": case("check queue T:exits_when_made", 2, "calling exits_when_made() raised SystemExit: 0"),
    # the process around the check
    "stdout closed": case("check queue T:ClosesStdout --seed 0 --max-examples 10", 0, "ClosesStdout: HOLDS"),
    "stdout closed, in-process": case(
        "check queue T:ClosesStdout --seed 0 --max-examples 10 --in-process", 0, "ClosesStdout: HOLDS"
    ),
    "a thread that never ends": case(
        "check queue T:LeavesAThread --seed 0 --max-examples 10", 0, "LeavesAThread: HOLDS"
    ),
    "os._exit": case("check queue T:ExitsAtOnce --seed 0", 1, "exited with status 0 (os._exit"),
    "os._exit from the factory": case(
        "check queue T:exits_at_once_when_made", 2, "exited with status 0 (os._exit, or an exit outside the main"
    ),
    "the oracle's pipe closed": case(
        "check queue T:ClosesPipes --seed 0", 1, "the process running the search closed the oracle's pipe during"
    ),
    "SIGKILL": case("check queue T:KillsItself --seed 0", 1, "was killed by SIGKILL during "),
    "memory": case("check queue T:EatsMemory --seed 0 --max-memory 300", 1, ") raised MemoryError"),
    # hangs the per-call time limit cannot stop by itself
    "SIGALRM ignored": case(
        "check queue T:IgnoresAlarm --seed 0 --timeout 0.3", 1, "q.pop() did not return within 0.3 s, and its time"
    ),
    "timer cancelled": case(
        "check queue T:CancelsTimer --seed 0 --timeout 0.3", 1, "q.pop() did not return within 0.3 s, and its time"
    ),
    "GIL held": case(
        "check queue T:HoldsTheGil --seed 0 --timeout 0.3", 1, "q.pop() did not return within 0.3 s, and its time"
    ),
    "GIL held by a stress client": case(
        "stress queue T:HoldsTheGil --seed 0 --timeout 0.3 --mode threads", 1, "HoldsTheGil: HANGS"
    ),
    # 2 s on an idle machine, 43 s once under the whole suite's load: the bound
    # is there to tell an answer from the 600 s budget running out.  Under load
    # the unwinding can outlast the grace the supervisor gives the child's own
    # time limit, and then the supervisor ends the child: either way it hangs.
    "recursion limit raised": case(
        "check queue T:RecursesDeeply --seed 0 --timeout 0.5", 1, "did not return within 0.5 s", 150
    ),
    "import sleeps": case(
        "check queue tests.hostile.sleeps_at_import:Queue --budget 1.5",
        2,
        "did not finish within its budget of 1.5 s (importing the target)",
    ),
    "search outlives its budget": case(
        # "(after N programs)" on an idle machine; "(importing the target)" on one too busy to start in time
        "check queue T:Slow --seed 0 --budget 1.5",
        2,
        "did not finish within its budget of 1.5 s (",
    ),
}
"""Families that need the supervising process, or would harm the test process: run as a user runs them."""


def no_traceback(run: Run) -> None:
    """Nothing crashed: no traceback on stderr, none unindented in stdout (a report indents the target's)."""
    assert "Traceback" not in run.err, run.err
    assert "Exception ignored" not in run.err, run.err
    assert not any(line.startswith("Traceback (most recent") for line in run.out.splitlines()), run.out


def judge(hostile: Case, run: Run, elapsed: float) -> None:
    assert run.code == hostile.code, run.out + run.err
    no_traceback(run)
    if hostile.code == 2:
        assert run.out == ""
        assert run.err.count("\n") == 1, run.err
        assert run.err.startswith("python -m spec: error: ")
        assert hostile.says in run.err
    else:
        assert hostile.says in run.out, run.out
        assert ("HOLDS" in run.out.splitlines()[0]) is (hostile.code == 0)
    assert elapsed < hostile.seconds


@pytest.mark.parametrize("name", JUDGED)
def test_hostile_target_gets_a_verdict(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = JUDGED[name]
    started = time.monotonic()
    code = main([*hostile.args, "--in-process"])
    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    judge(hostile, Run(code, out, err), elapsed)


@pytest.mark.parametrize("name", SUPERVISED)
def test_hostile_target_gets_a_verdict_from_the_supervisor(name: str) -> None:
    hostile = SUPERVISED[name]
    started = time.monotonic()
    run = run_cli(*hostile.args, timeout=hostile.seconds + 60)
    judge(hostile, run, time.monotonic() - started)
    if name == "SIGKILL":  # the last program that was running, as the journal recorded it
        snippet = run.out.split("as Python against your target:\n", 1)[1].split("\nrerun: ", 1)[0]
        lines = [line.strip() for line in snippet.splitlines()[:-1]]  # the last line counts programs
        assert f"from {T} import KillsItself" in lines
        assert lines[lines.index(f"from {T} import KillsItself") + 1] == "q = KillsItself()"
        # The bulk rules, the final read and a second instance pop too: a pop
        # in a bulk step's loop is named after a comment.
        assert re.fullmatch(r"(other_)?q\.pop\(\)", lines[-2])
        assert lines[-1] == "# the process was killed by SIGKILL here"
        assert f"rerun: python -m spec check queue {T}:KillsItself --seed 0" in run.out


def test_in_process_a_targets_keyboard_interrupt_is_a_verdict_and_a_real_one_stops_the_check() -> None:
    report = spec.check("queue", targets.Interrupts, seed=0)
    assert report.violation is not None
    assert re.fullmatch(r"q\.push\(.+\) raised KeyboardInterrupt", report.violation.message)
    with pytest.raises(KeyboardInterrupt):
        spec.check("queue", targets.PressesCtrlC, seed=0)


def test_ctrl_c_stops_an_in_process_check_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "queue", f"{T}:PressesCtrlC", "--seed", "0", "--in-process"]) == 130
    assert capsys.readouterr() == ("", "python -m spec: interrupted\n")


def test_ctrl_c_stops_a_supervised_check_with_one_line(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    process = subprocess.Popen(
        [sys.executable, "-m", "spec", "check", "queue", f"{T}:WaitsForCtrlC", "--seed", "0"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SPEC_TEST_MARKER": str(marker)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not marker.exists() and process.poll() is None:
            time.sleep(0.01)  # polling for the target's own signal that it runs, not ordering events
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert (out, err) == ("", "python -m spec: interrupted\n")
