"""Supervised runs: the search in a child process, a verdict however the child ends.

``check``, ``stress``, ``selftest`` and the main job run their search in a
child process (``python -m spec ... --journal-fd N``) unless ``--in-process``
is given.  The child is the same command, run in-process, with three
differences: it sends its output to the parent through a pipe instead of
printing it, it journals every program and every call into the target before
running them (:mod:`spec._core.journal`: the programs on the pipe, the calls
on a board of shared memory), and it runs under a memory limit
(``--max-memory``, an address-space ``setrlimit``).  The parent holds the
wall-clock budget of the whole run (``--budget``, import of the target
included), stops a call that outlives its own time limit when the child's
timer cannot (C code holding the GIL, a target that ignores or cancels
``SIGALRM``), and turns every way the child can end into an answer:

* it sent its output and exit status: that is the answer (the child then
  ends at once with ``os._exit``, so a target's non-daemon thread or
  ``atexit`` hook cannot keep it alive);
* it died (a signal, ``os._exit``, the kernel's OOM killer), or a call
  outlived its limit and the parent killed it: the target is to blame once
  a program is running, and the answer is exit 1 with a violation of the
  conduct clause and the last program that was running, as the journal
  recorded it; before that (importing the target, checking its shape) the
  check could not run: exit 2, one line;
* the budget ran out while no call was overdue: exit 2, one line (the
  search was too slow for its budget; a target to blame would have been
  stopped by the per-call limit).

The child ignores ``SIGINT``: a Ctrl-C reaches the parent, which stops the
child and exits 130.  Everything the target prints goes, as in-process, to
the terminal: the child shares the parent's standard output and error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from spec._cli.parsing import EXIT_ERROR, EXIT_VIOLATED, PROG, UsageError, emit, option_flags
from spec._core import journal
from spec._core.checker import describe_exception
from spec._core.clauses import Violation
from spec._core.errors import SpecError
from spec._core.oracle import budget_of
from spec._core.registry import get_contract
from spec._core.report import ClauseResult, ClauseStatus, Report, Verdict

__all__ = ["SUPERVISED", "child", "supervise", "supervised"]

SUPERVISED = ("check", "stress", "selftest", None)
"""The commands that run supervised (``None``: the main job)."""

GRACE = 1.0
"""Seconds a call may run past its own time limit before the parent stops it (the child's timer goes first)."""

_POLL = 0.02  # seconds between two looks at the child
_EXIT_WAIT = 10.0  # seconds a child that has answered may take to end before it is killed


def supervised(args: argparse.Namespace) -> bool:
    """Whether ``args`` ask for a supervised run (the command runs in a child; on POSIX only)."""
    return args.command in SUPERVISED and not args.in_process and args.journal_fd is None and os.name == "posix"


# -- the child ------------------------------------------------------------------------


def child(args: argparse.Namespace, run: Callable[[], int]) -> int:
    """Run the command ``run`` as the supervised child of a ``python -m spec`` parent; does not return.

    Its output and exit status go to the parent through the journal; then the
    process ends at once (see the module docstring).
    """
    board = os.environ.get(_BOARD)
    journal.start(args.journal_fd, int(board) if board else None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(int(os.environ.get(_PARENT) or os.getppid()))
    _limit_memory(args.max_memory * 2**20)
    try:
        status = run()
    except (SpecError, UsageError) as exc:
        emit(f"{PROG}: error: {exc}", err=True)
        status = EXIT_ERROR
    except BaseException as exc:  # a fault of the oracle's: one line, and how to see more
        emit(f"{PROG}: error: the oracle failed: {describe_exception(exc)} (--in-process shows where)", err=True)
        status = EXIT_ERROR
    journal.note("exit", str(status))
    for stream in (sys.stdout, sys.stderr):  # what the target printed; it may have closed them
        with contextlib.suppress(BaseException):
            stream.flush()
    os._exit(status)


_PARENT = "SPEC_SUPERVISOR_PID"  # the supervising process's id, for its child
_BOARD = "SPEC_SUPERVISOR_BOARD"  # the file descriptor of the journal's board, for the child
_PR_SET_PDEATHSIG = 1  # prctl(2)


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this child when the supervising process ``parent`` ends, however it ends.

    Discussion: the parent kills its child when the budget runs out, but a
    parent that is itself killed (a CI job cancelled, a test's time limit)
    cannot; a child running a target that never returns would then outlive
    it, holding a core.  Linux's ``PR_SET_PDEATHSIG`` closes that gap.  A
    parent that ended before the request was made is noticed by its id.
    Elsewhere there is no such request, and the budget is all there is.
    """
    if sys.platform != "linux":  # pragma: no cover -- PR_SET_PDEATHSIG is Linux's alone
        return
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(EXIT_ERROR)


def _limit_memory(limit: int) -> None:
    import resource  # POSIX only, as supervised runs are (see supervised)

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))


# -- the parent -----------------------------------------------------------------------


@dataclass
class _Program:
    """A program as the journal describes it: imports, preamble, statements."""

    imports: list[str]
    preamble: list[str]
    body: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)  # blocks the statements are put under
    after: list[str] = field(default_factory=list)

    def lines(self) -> tuple[str, ...]:
        indent = "    " * len(self.before)
        body = [indent + line for line in self.body]
        return (*sorted(self.imports), *self.preamble, *self.before, *body, *self.after)


@dataclass
class _Journal:
    """What the parent has learned from the child's journal so far."""

    programs: dict[int, _Program] = field(default_factory=dict)
    last: int | None = None  # the program changed last
    begun: int = 0
    calls: list[tuple[int, float, float | None]] = field(default_factory=list)  # (number, began, limit), innermost last
    doing: str = ""  # the statement the innermost call runs, if the program does not show it
    seed: int | None = None
    target: str = ""
    scenario: str = ""
    output: list[tuple[bool, str]] = field(default_factory=list)  # (to stderr?, text)
    status: int | None = None
    rest: bytes = b""  # the start of a record the next chunk ends

    def feed(self, chunk: bytes) -> None:
        """Take the records of ``chunk``, read from the pipe (a record may span two chunks)."""
        *lines, self.rest = (self.rest + chunk).split(b"\n")
        for raw in lines:
            with contextlib.suppress(ValueError):  # a record cut short, or not the oracle's
                self.take(raw.decode("utf-8", "replace"))

    def take(self, record: str) -> None:
        """Take one record (see :mod:`spec._core.journal`); :class:`ValueError` if it is malformed."""
        kind, _, rest = record.partition(" ")
        if kind == "program":
            key_text, op, text = rest.split(" ", 2)
            self._program(int(key_text), op, journal.unescape(text))
        elif kind in ("out", "err"):
            self.output.append((kind == "err", journal.unescape(rest)))
        elif kind == "exit":
            self.status = int(rest)
        elif kind == "seed":
            self.seed = int(rest)
        elif kind in ("target", "scenario"):
            setattr(self, kind, journal.unescape(rest))

    def _program(self, key: int, op: str, text: str) -> None:
        if op == "begin":
            self.begun += 1
            if len(self.programs) > 8:  # only the recent ones
                self.programs = {k: v for k, v in self.programs.items() if k > key - 8}
            self.programs[key] = _Program([], text.splitlines())
        else:
            program = self.programs.setdefault(key, _Program([], []))
            if op == "add":
                program.body.append(text)
            elif op == "need":
                program.imports.append(text)
            elif op in ("before", "after"):
                setattr(program, op, text.splitlines())
            else:  # cut
                del program.body[int(text) :]
        self.last = key

    def observe(self, board: journal.Calls, now: float) -> None:
        """Take what the board shows at ``now``: a call seen before keeps the time it was first seen."""
        began = {number: time for number, time, _ in self.calls}
        self.calls = [(number, began.get(number, now), limit) for number, limit in board.calls]
        self.doing = board.doing

    def program(self) -> tuple[str, ...]:
        """The program that ran last, as a snippet: imports, preamble, statements.

        A call in flight that a bulk step made (``doing``) ends it, after a
        comment that the step's earlier calls are not shown.
        """
        if self.last is None:
            return ()
        program = self.programs[self.last]
        doing = self.doing if self.calls else ""
        if not doing:
            return program.lines()
        body = [*program.body, "# ... the calls of a bulk step before this one (not shown), then:", doing]
        return _Program(program.imports, program.preamble, body, program.before, program.after).lines()

    def overdue(self, now: float) -> float | None:
        """The time limit of a call that has outlived it by more than :data:`GRACE`, if any."""
        for _, began, limit in self.calls:
            if limit is not None and now - began > limit + max(GRACE, limit):
                return limit
        return None


def supervise(argv: Sequence[str], args: argparse.Namespace) -> int:
    """Run the command ``argv`` in a supervised child (see the module docstring); its exit status."""
    try:
        shared = tempfile.TemporaryFile()  # noqa: SIM115 (the with below closes it; this try is for its error)
    except OSError as exc:
        raise SpecError(
            f"cannot make the file the search's process shares with this one ({exc.strerror}); "
            "--in-process runs without it"
        ) from None
    read_end, write_end = os.pipe()
    command = [sys.executable, "-m", "spec", *argv, "--journal-fd", str(write_end)]
    started = time.monotonic()
    with shared:
        os.ftruncate(shared.fileno(), journal.Board.SIZE)
        board = journal.Board(shared.fileno())
        environment = {**os.environ, _PARENT: str(os.getpid()), _BOARD: str(shared.fileno())}
        process = subprocess.Popen(
            command, pass_fds=(write_end, shared.fileno()), stdin=subprocess.DEVNULL, env=environment
        )
    os.close(write_end)
    os.set_blocking(read_end, False)
    seen = _Journal()
    try:
        ending = _watch(process, read_end, board, seen, started + args.budget)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(read_end)
        board.map.close()
    if ending is None:
        assert seen.status is not None
        for to_stderr, text in seen.output:
            emit(text, err=to_stderr)
        return seen.status
    return _verdict(args, seen, ending, time.monotonic() - started)


@dataclass(frozen=True)
class _Ending:
    """How a child ended without giving its answer."""

    what: str  # "... was killed by SIGSEGV", said of the process
    hung: float | None = None  # the limit of the call that outlived it
    budget: bool = False


def _watch(
    process: subprocess.Popen[bytes], pipe: int, board: journal.Board, seen: _Journal, deadline: float
) -> _Ending | None:
    """Wait for the child's answer (``None``), or for the way it ended without one.

    It reads the pipe every :data:`_POLL` seconds, all that has come at once
    (a pipe holds far more than the child writes in that time), and then the
    board: a thread woken by every record would cost more than the search it
    watches.
    """
    while _drain(pipe, seen) and seen.status is None:
        now = time.monotonic()
        seen.observe(board.read(), now)
        limit = seen.overdue(now)
        if limit is not None:
            return _Ending("was stopped", hung=limit)
        if now > deadline:
            return _Ending("ran out of its budget", budget=True)
        time.sleep(_POLL)
    if seen.status is not None:
        # It ends by itself at once (os._exit); waiting for that lets it
        # finish what runs at its exit (a coverage tool saving its data).
        _wait(process, time.monotonic() + _EXIT_WAIT)
        return None
    # The pipe ended without an answer: the process ends a moment later, unless
    # something in it closed the pipe and runs on.
    process_status = _wait(process, min(deadline, time.monotonic() + GRACE))
    seen.observe(board.read(), time.monotonic())  # the calls in flight when it died
    if process_status is None:
        return _Ending("closed the oracle's pipe")
    if process_status < 0:
        return _Ending(f"was killed by {_signal_name(-process_status)}")
    return _Ending(f"exited with status {process_status} (os._exit, or an exit outside the main thread)")


def _drain(pipe: int, seen: _Journal) -> bool:
    """Feed ``seen`` all that the pipe holds now; whether it is still open."""
    while True:
        try:
            chunk = os.read(pipe, 1 << 20)
        except BlockingIOError:
            return True
        if not chunk:
            return False
        seen.feed(chunk)


def _wait(process: subprocess.Popen[bytes], deadline: float) -> int | None:
    """The child's exit status once it ends, or ``None`` at ``deadline``."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        return process.wait(max(0.0, deadline - time.monotonic()))
    return None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _verdict(args: argparse.Namespace, seen: _Journal, ending: _Ending, seconds: float) -> int:
    """The answer for a child that ended without giving one (see the module docstring)."""
    program = seen.program() if args.command == "check" else tuple(seen.scenario.splitlines())
    if ending.budget and ending.hung is None:
        where = "importing the target" if seen.seed is None else f"after {seen.begun} programs"
        raise SpecError(f"the run did not finish within its budget of {args.budget:g} s ({where}); raise --budget")
    if seen.seed is None or not program or args.command not in ("check", "stress"):
        doing = "importing the target" if seen.seed is None else f"checking {seen.target or 'the target'}"
        raise SpecError(f"the process running the search {ending.what} while {doing}")
    statement = next((line for line in reversed(program) if not line.startswith("#")), "")
    if args.command == "stress" and program[-1].startswith("#"):
        statement = "the clients"  # the parallel part was running
    if ending.hung is not None:
        message = (
            f"{statement} did not return within {ending.hung:g} s, and its time limit could not stop it "
            "(C code holding the GIL, or a target that blocks SIGALRM): the process was killed"
        )
        ending_line = f"# does not return within {ending.hung:g} s"
    else:
        running = f"during {statement}" if seen.calls else f"after {statement}"
        message = f"the process running the search {ending.what} {running}"
        ending_line = f"# the process {ending.what.split(' (')[0]} here"
    if args.command == "stress":
        emit(_stress_text(args, program, message, seconds, seen.seed))
        return EXIT_VIOLATED
    contract = get_contract(args.contract)
    conduct = contract.clauses[contract.clauses.id_of("conduct")]
    violation = Violation(clause=conduct, message=message, program=(*program, ending_line))
    report = Report(
        contract=contract.name,
        target=args.target,
        form="",
        verdict=Verdict.VIOLATED,
        clauses=tuple(
            ClauseResult(c, ClauseStatus.VIOLATED if c is conduct else ClauseStatus.UNDECIDED, 0)
            for c in contract.clauses
        ),
        violation=violation,
        steps="",
        shrunk=False,
        examples=seen.begun,
        seconds=seconds,
        seed=seen.seed,
        budget=budget_of(args.max_examples, args.timeout),
        flags=option_flags(args),
    )
    emit(report.format())
    return EXIT_VIOLATED


def _stress_text(args: argparse.Namespace, scenario: Sequence[str], message: str, seconds: float, seed: int) -> str:
    verdict = "HANGS" if "did not return" in message else "CRASHES"
    lines = [f"stress {args.kind}: {args.target}: {verdict}", f"  {message}"]
    lines.append("Scenario that was running (not shrunk: the process had to be stopped):")
    lines += [f"    {line}" for line in scenario]
    lines.append(f"{seconds:.2f} s, seed {seed}")
    mode = () if getattr(args, "mode", None) is None else ("--mode", args.mode)
    command = ["stress", args.kind, args.target, *mode, "--seed", str(seed), *option_flags(args)]
    lines.append(f"rerun: {PROG} {shlex.join(command)}")
    return "\n".join(lines)
