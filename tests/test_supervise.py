"""The supervising process: how it reads the child's journal and answers for a child that gave no answer.

The hostile targets of ``tests/test_hostile.py`` drive it from end to end;
these tests pin the parts a hostile target reaches only by luck.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator

import pytest

from spec._cli.parsing import DEFAULTS
from spec._cli.supervise import GRACE, _Ending, _Journal, _signal_name, _verdict, supervise
from spec._core import journal
from spec._core.errors import SpecError
from spec._core.program import Program
from tests._support import ROOT


def records(*lines: str) -> _Journal:
    seen = _Journal()
    text = "".join(f"{line}\n" for line in lines).encode()
    for chunk in (text[:7], text[7:20], text[20:]):  # records span chunks
        seen.feed(chunk)
    return seen


@pytest.fixture
def boards() -> Iterator[tuple[journal.Board, journal.Board]]:
    """A board as the child writes it and as the parent reads it: two mappings of one file."""
    with tempfile.TemporaryFile() as shared:
        os.ftruncate(shared.fileno(), journal.Board.SIZE)
        written, read = journal.Board(shared.fileno()), journal.Board(shared.fileno())
        yield written, read
        written.map.close()
        read.map.close()


def test_the_journal_rebuilds_the_last_program() -> None:
    seen = records(
        "target queue mod:Q",
        "seed 7",
        "program 1 begin from mod import Q",
        "program 1 add q = Q()",
        "program 2 begin from mod import Q",
        "program 2 add q = Q()",
        "program 2 need import inspect",
        "program 2 add q.push(1)",
        "program 2 add len(q)",
        "program 2 cut 2",
        "program 2 add q.pop()",
        "garbage that is not a record",
        "program 3 add",
    )
    assert (seen.target, seen.seed, seen.begun, seen.status) == ("queue mod:Q", 7, 2, None)
    assert seen.program() == ("import inspect", "from mod import Q", "q = Q()", "q.push(1)", "q.pop()")


def test_a_call_a_bulk_step_makes_is_named_after_the_program(boards: tuple[journal.Board, journal.Board]) -> None:
    child, parent = boards
    seen = records("program 1 begin from mod import Q", "program 1 add q = Q()")
    for _ in range(2):
        child.doing("q.pop()")
        child.begin(5.0)
        seen.observe(parent.read(), 0.0)
        child.end()
    child.doing("q.pop()")
    child.begin(5.0)
    seen.observe(parent.read(), 1.0)
    assert seen.program() == (
        "from mod import Q",
        "q = Q()",
        "# ... the calls of a bulk step before this one (not shown), then:",
        "q.pop()",
    )
    # A call that the program shows (no doing text before it) ends it as it is ...
    child.end()
    child.begin(1.0)
    seen.observe(parent.read(), 2.0)
    assert seen.program() == ("from mod import Q", "q = Q()")
    # ... and so does a program between calls.
    child.doing("q.pop()")
    child.end()
    seen.observe(parent.read(), 3.0)
    assert (seen.calls, seen.program()) == ([], ("from mod import Q", "q = Q()"))


def test_the_board_shows_nested_calls_and_the_doing_text_of_the_last_to_begin(
    boards: tuple[journal.Board, journal.Board],
) -> None:
    child, parent = boards
    assert parent.read() == journal.Calls()
    child.end()  # a return whose call began before the journal: nothing to end
    child.doing("q.push(b[0])")
    child.begin(None)
    assert parent.read() == journal.Calls(((1, None),), "q.push(b[0])")
    child.doing("len(q)")
    child.begin(0.5)
    assert parent.read() == journal.Calls(((1, None), (2, 0.5)), "len(q)")
    child.end()
    assert parent.read() == journal.Calls(((1, None),), "len(q)")
    for _ in range(journal.Board.SLOTS + 2):  # deeper than the board shows: counted, not shown
        child.begin(1.0)
    assert parent.read() == journal.Calls(((1, None), *((n, 1.0) for n in range(3, 10))))
    for _ in range(journal.Board.SLOTS + 2):
        child.end()
    assert parent.read() == journal.Calls(((1, None),))
    child.end()
    assert parent.read() == journal.Calls()
    child.doing("é" * journal.Board.SIZE)  # cut to what fits, whole characters or not
    child.begin(1.0)
    doing = parent.read().doing
    assert doing.startswith("éé")
    assert len(doing.encode()) <= journal.Board.SIZE


def test_the_journal_rebuilds_a_program_put_under_blocks() -> None:
    with contextlib.ExitStack() as stack:
        read_end, write_end = os.pipe()
        stack.callback(os.close, read_end)
        stack.callback(os.close, write_end)
        journal.start(write_end)
        stack.callback(journal.stop)
        program = Program(("from mod import Q",))
        program.enclose(("async def program():", "    async with Q() as q:"), ("asyncio.run(program())",))
        program.add("await q.put(1)")
        journal.note_call(1.0)
        lines = os.read(read_end, 65536).decode().splitlines()
    seen = records(*lines)
    assert seen.program() == program.lines()
    assert seen.program()[-2:] == ("        await q.put(1)", "asyncio.run(program())")


def test_a_call_is_on_the_board_after_the_statements_before_it_are_on_the_pipe() -> None:
    with contextlib.ExitStack() as stack:
        read_end, write_end = os.pipe()
        stack.callback(os.close, read_end)
        stack.callback(os.close, write_end)
        shared = stack.enter_context(tempfile.TemporaryFile())
        os.ftruncate(shared.fileno(), journal.Board.SIZE)
        journal.start(write_end, shared.fileno())
        stack.callback(journal.stop)
        parent = journal.Board(shared.fileno())
        stack.callback(parent.map.close)
        program = Program(("from mod import Q",))
        program.add("q = Q()")
        journal.note_doing("q.push(b[0])")
        journal.note_call(1.0)
        assert records(*os.read(read_end, 65536).decode().splitlines()).program() == program.lines()
        assert parent.read() == journal.Calls(((1, 1.0),), "q.push(b[0])")
        journal.note_return()
        journal.note_call(None)  # nothing held: nothing written
        assert parent.read() == journal.Calls(((2, None),))
        os.set_blocking(read_end, False)
        with pytest.raises(BlockingIOError):
            os.read(read_end, 1)


def test_the_journal_knows_which_call_is_overdue(boards: tuple[journal.Board, journal.Board]) -> None:
    child, parent = boards
    seen = _Journal()
    child.begin(None)
    child.begin(0.5)
    seen.observe(parent.read(), 10.0)
    child.begin(2)
    seen.observe(parent.read(), 11.0)
    for _ in range(3):
        child.end()
    seen.observe(parent.read(), 12.0)
    assert seen.overdue(1e9) is None
    child.begin(0.5)
    seen.observe(parent.read(), 13.0)
    seen.observe(parent.read(), 14.0)  # the same call, seen again: it began when it was first seen
    assert seen.calls == [(4, 13.0, 0.5)]
    assert seen.overdue(13.0 + 0.5 + GRACE / 2) is None
    assert seen.overdue(13.0 + 0.5 + GRACE + 0.01) == 0.5
    assert records().program() == ()


def test_the_answer_and_what_was_printed_arrive_in_order() -> None:
    seen = records("out report\\nend", "err a line", "exit 1", "scenario q = Q()")
    assert seen.output == [(False, "report\nend"), (True, "a line")]
    assert seen.status == 1
    assert seen.scenario == "q = Q()"


def args(command: str | None, **given: object) -> argparse.Namespace:
    namespace = argparse.Namespace(command=command, **DEFAULTS)
    for name, value in given.items():
        setattr(namespace, name, value)
    return namespace


def test_a_death_outside_a_checked_program_is_a_spec_error() -> None:
    died = _Ending("was killed by SIGKILL")
    with pytest.raises(SpecError, match=r"^the process running the search was killed by SIGKILL while importing"):
        _verdict(args("check", contract="queue", target="m:Q"), _Journal(), died, 1.0)
    main_job = records("target queue impl.queue:DequeQueue", "seed 0", "program 1 begin ", "program 1 add x")
    with pytest.raises(SpecError, match=r"killed by SIGKILL while checking queue impl.queue:DequeQueue$"):
        _verdict(args(None), main_job, died, 1.0)


def test_a_stress_run_that_dies_in_its_sequential_start_names_the_statement(capsys: pytest.CaptureFixture[str]) -> None:
    seen = records("seed 3", "scenario q = Q()\\nq.push(1)")
    seen.observe(journal.Calls(((1, 0.5),)), 0.0)
    code = _verdict(args("stress", kind="queue", target="m:Q"), seen, _Ending("was killed by SIGSEGV"), 2.0)
    assert code == 1
    out = capsys.readouterr().out
    assert out.splitlines()[:2] == [
        "stress queue: m:Q: CRASHES",
        "  the process running the search was killed by SIGSEGV during q.push(1)",
    ]
    assert out.endswith("rerun: python -m spec stress queue m:Q --seed 3\n")


def test_the_rerun_line_of_a_killed_child_gives_its_options_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    given = {"map": "push=put,pop=take", "empty": "mymod.Empty", "without": "peek"}
    seen = records("seed 3", "program 1 begin from m import Q", "program 1 add q = Q()")
    died = _Ending("was killed by SIGKILL")
    assert _verdict(args("check", contract="queue", target="m:Q", max_examples=50, **given), seen, died, 1.0) == 1
    # mymod is not imported: the supervising process runs nothing the target names.
    assert capsys.readouterr().out.splitlines()[-1] == (
        "rerun: python -m spec check queue m:Q --seed 3 --max-examples 50 "
        "--map push=put,pop=take --empty mymod.Empty --without peek"
    )
    seen = records("seed 4", "scenario q = Q()\\nq.put(1)")
    stress = args("stress", kind="queue", target="m:Q", mode="threads", items="module:strategy x", **given)
    assert _verdict(stress, seen, died, 1.0) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "rerun: python -m spec stress queue m:Q --mode threads --seed 4 --map push=put,pop=take "
        "--empty mymod.Empty --items 'module:strategy x' --without peek"
    )


def test_no_room_for_the_board_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def full() -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    with pytest.raises(SpecError, match=r"^cannot make the file .* \(No space left on device\); --in-process runs"):
        supervise(["check", "queue", "m:Q"], args("check", contract="queue", target="m:Q"))


def test_signals_are_named() -> None:
    assert _signal_name(9) == "SIGKILL"
    assert _signal_name(99) == "signal 99"


def test_a_failure_of_the_oracle_in_the_child_is_one_line_and_the_child_ends() -> None:
    read_end, write_end = os.pipe()
    code = (
        "import argparse\n"
        "from spec._cli.supervise import child\n"
        f"child(argparse.Namespace(journal_fd={write_end}, max_memory=2048), lambda: 1 // 0)\n"
        "print('not reached')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        pass_fds=(write_end,),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        lines = pipe.read().splitlines()
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "")
    assert lines == [
        "err python -m spec: error: the oracle failed: ZeroDivisionError: integer division or modulo by zero"
        " (--in-process shows where)",
        "exit 2",
    ]


def test_a_journal_whose_reader_is_gone_stops_quietly() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    journal.start(write_end)
    try:
        journal.note("out", "nobody reads this")  # EPIPE: the journal stops, the check goes on
        assert not journal.active()
    finally:
        journal.stop()
        os.close(write_end)


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(word) for word in listing.read().split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (a wait for an event, not an ordering of events)."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG and /proc are Linux's")
def test_a_child_whose_supervisor_is_killed_ends_too() -> None:
    # The child runs a target holding the GIL in C code for hours: nothing in
    # it can notice that the parent is gone; the kernel must end it.
    parent = subprocess.Popen(
        [sys.executable, "-m", "spec", "check", "queue", "tests.hostile.targets:HoldsTheGil", "--seed", "0"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _until(lambda: bool(_children(parent.pid)), 60), "the supervisor started no child"
        (child,) = _children(parent.pid)
        parent.kill()
        parent.wait(30)
        assert _until(lambda: not _alive(child), 30), "the child outlived its supervisor"
    finally:
        parent.kill()
        parent.wait(30)


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_whose_supervisor_ended_before_it_asked_stops_at_once() -> None:
    code = "from spec._cli.supervise import _die_with_parent; _die_with_parent(-1); print('ran on')"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout) == (2, "")
