"""The field suite: real PyPI queues checked as they are, with nothing but options and fixture-style factories.

Each :class:`Row` is one command run against one library at the default
budget and seed 0, and the verdict it must give; the README's table "Real
libraries checked" is rendered from these rows (a test fails on drift), so
every verdict there is one this suite produced.  The rows need the
libraries at the versions recorded (``pip install -e '.[field]'``); they are
marked ``field`` and run only when asked for::

    python -m pytest -m field tests/field

Every row runs with the temporary directory pointed at a fresh one, which
must be empty afterwards: no run leaves a file behind.  Each real bug found
has a snippet in the README; the suite runs it against
the library (it must still fail the same way) and checks that the oracle
catches the bug at the default budget on each of ten seeds.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import spec
from spec._cli import main
from spec._core.options import FLAGS, options_from_text
from tests._support import ROOT, run_snippet

VERSIONS = {"queuelib": "1.10.0", "persist-queue": "1.1.0", "llist": "0.7.1", "janus": "2.0.0", "culsans": "0.11.0"}
"""The versions the rows were measured on (pinned by the ``field`` extra)."""

_T = "tests.field.targets"
# Stores on disk: a commit may wait on the disk for seconds on a busy machine.
_SLOW = ("--timeout", "30")
_NONE = ("--empty-returns", "None")
_BYTES = (*_NONE, "--items", "bytes", "--compare", "equal", *_SLOW)
_PQ = ("--map", "push=put,pop=get_nowait", "--without", "peek", "--empty", "persistqueue.Empty")
_PQ_FILE = ("--map", "push=put,pop=get_nowait,len=qsize", "--without", "peek", "--empty", "persistqueue.Empty")
_PICKLED = ("--items", "picklable", "--compare", "equal", *_SLOW)
_LLIST_Q = ("--map", "push=append,pop=popleft,peek=__getitem__:0", "--empty", "ValueError,IndexError")
_LLIST_S = ("--map", "push=append,peek=__getitem__:-1", "--empty", "ValueError,IndexError")
_JANUS = ("--map", "push=put,pop=get_nowait,len=qsize", "--without", "peek")
_CULSANS = ("--map", "push=put,pop=get_nowait,peek=peek_nowait", "--empty", "culsans.QueueEmpty")
_SMALL = ("--max-examples", "20", "--runs", "5")


@dataclass(frozen=True)
class Row:
    """One field check: ``python -m spec COMMAND CONTRACT TARGET --seed 0 FLAGS`` gives ``verdict``."""

    library: str
    command: str
    contract: str
    target: str
    flags: tuple[str, ...]
    verdict: str

    @property
    def args(self) -> list[str]:
        return [self.command, self.contract, self.target, "--seed", "0", *self.flags]

    @property
    def cells(self) -> tuple[str, ...]:
        flags = " ".join(self.flags)
        return (
            self.library,
            VERSIONS[self.library],
            f"`{self.command} {self.contract} {self.target}`",
            f"`{flags}`" if flags else "",
            self.verdict,
        )


ROWS = (
    Row("queuelib", "check", "queue", "queuelib.queue:FifoMemoryQueue", _NONE, "holds"),
    Row("queuelib", "check", "stack", "queuelib.queue:LifoMemoryQueue", _NONE, "holds"),
    Row("queuelib", "check", "queue", f"{_T}:fifo_disk", _BYTES, "holds"),
    Row("queuelib", "check", "stack", f"{_T}:lifo_disk", _BYTES, "VIOLATED S1 (LIFO)"),
    Row("queuelib", "check", "queue", f"{_T}:fifo_sqlite", _BYTES, "holds"),
    Row("queuelib", "check", "stack", f"{_T}:lifo_sqlite", _BYTES, "holds"),
    Row("queuelib", "stress", "queue", "queuelib.queue:FifoMemoryQueue", _NONE, "holds"),
    Row("persist-queue", "check", "queue", f"{_T}:file_queue", (*_PQ_FILE, *_PICKLED), "holds"),
    Row("persist-queue", "check", "queue", f"{_T}:sqlite_queue", (*_PQ, *_PICKLED), "VIOLATED Q4 (empty)"),
    Row("persist-queue", "check", "stack", f"{_T}:filo_sqlite_queue", (*_PQ, *_PICKLED), "VIOLATED S4 (empty)"),
    Row(
        "persist-queue",
        "stress",
        "queue",
        f"{_T}:file_queue",
        (*_PQ_FILE, "--items", "picklable", *_SMALL, *_SLOW),
        "holds",
    ),
    Row(
        "persist-queue",
        "stress",
        "queue",
        f"{_T}:sqlite_queue_threads",
        (*_PQ, "--items", "picklable", *_SMALL, *_SLOW),
        "holds",
    ),
    Row("llist", "check", "queue", "llist:dllist", _LLIST_Q, "holds"),
    Row("llist", "check", "stack", "llist:dllist", _LLIST_S, "holds"),
    Row("llist", "check", "queue", "llist:sllist", _LLIST_Q, "holds"),
    Row("llist", "check", "stack", "llist:sllist", _LLIST_S, "holds"),
    Row("llist", "stress", "queue", "llist:dllist", _LLIST_Q, "holds"),
    Row("janus", "check", "queue", f"{_T}:janus_sync", (*_JANUS, "--empty", "queue.Empty"), "holds"),
    Row("janus", "check", "stack", f"{_T}:janus_lifo_sync", (*_JANUS, "--empty", "queue.Empty"), "holds"),
    Row("janus", "check", "queue", f"{_T}:janus_async", (*_JANUS, "--empty", "asyncio.QueueEmpty"), "holds"),
    Row("janus", "stress", "queue", f"{_T}:janus_sync", (*_JANUS, "--empty", "queue.Empty"), "holds"),
    Row("janus", "stress", "queue", f"{_T}:janus_async", (*_JANUS, "--empty", "asyncio.QueueEmpty"), "holds"),
    Row("culsans", "check", "queue", f"{_T}:culsans_sync", _CULSANS, "holds"),
    Row("culsans", "check", "stack", f"{_T}:culsans_lifo_sync", _CULSANS, "holds"),
    Row("culsans", "check", "queue", f"{_T}:culsans_async", _CULSANS, "holds"),
    Row("culsans", "check", "stack", f"{_T}:culsans_lifo_async", _CULSANS, "holds"),
    Row("culsans", "stress", "queue", f"{_T}:culsans_sync", _CULSANS, "holds"),
    Row("culsans", "stress", "queue", f"{_T}:culsans_async", _CULSANS, "holds"),
)


def table() -> str:
    """The README's table of the rows."""
    header = ("library", "version", "command", "options used", "verdict (seed 0)")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row.cells) + " |" for row in ROWS]
    return "\n".join(lines) + "\n"


def readme_section(name: str) -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {name}:begin[^\n]*-->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)
    assert match, f"README has no {name} section"
    return match.group(1)


def test_the_readme_table_is_these_rows() -> None:
    assert readme_section("field-table") == table(), "README's field table drifted from tests/field/test_field.py"


def test_every_row_uses_only_options_and_factories() -> None:
    for row in ROWS:
        flags = dict(zip(row.flags[::2], row.flags[1::2], strict=True))
        known = {flag.flag for flag in FLAGS} | {"--max-examples", "--runs", "--timeout"}
        assert set(flags) <= known, row


@pytest.mark.field
@pytest.mark.parametrize("row", ROWS, ids=[f"{r.command}-{r.contract}-{r.target}" for r in ROWS])
def test_every_rows_options_are_well_formed(row: Row) -> None:
    _installed(row.library)  # --empty names the library's exceptions
    flags = dict(zip(row.flags[::2], row.flags[1::2], strict=True))
    options_from_text({flag.name: flags[flag.flag] for flag in FLAGS if flag.flag in flags})


def _installed(library: str) -> None:
    try:
        version = importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"{library} is not installed (pip install -e '.[field]')")
    assert version == VERSIONS[library], f"the rows were measured on {library} {VERSIONS[library]}, not {version}"


def _verdict(out: str) -> str:
    lines = out.splitlines()
    head = lines[0].rpartition(": ")[2]
    if head == "VIOLATED":
        return f"VIOLATED {lines[1].partition(':')[0]}"
    return head.lower()


_MEMORY = Path("/dev/shm")


@pytest.fixture
def scratch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A fresh temporary directory for the stores of one test, which must be empty at its end.

    In memory (``/dev/shm``) where there is one: the rows judge what a store
    answers, not how long the disk takes to make it durable, and a commit
    that waits on a shared disk makes the SQLite rows ten times slower.
    """
    memory = _MEMORY.is_dir() and os.access(_MEMORY, os.W_OK)
    path = Path(tempfile.mkdtemp(dir=_MEMORY)) if memory else tmp_path
    monkeypatch.setattr(tempfile, "tempdir", str(path))  # this process (spec.check)
    monkeypatch.setenv("TMPDIR", str(path))  # the supervised child of a command
    try:
        yield path
        assert list(path.iterdir()) == [], "the run left files behind"
    finally:
        if memory:
            shutil.rmtree(path)


@pytest.mark.field
@pytest.mark.parametrize("row", ROWS, ids=[f"{r.command}-{r.contract}-{r.target}" for r in ROWS])
def test_row(row: Row, capsys: pytest.CaptureFixture[str], scratch: Path) -> None:
    _installed(row.library)
    code = main(row.args)
    out = capsys.readouterr().out
    assert _verdict(out) == row.verdict, out
    assert code == (0 if row.verdict == "holds" else 1)


# -- the bugs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bug:
    """A real bug: the README snippet that shows it, and how to tell the oracle caught it."""

    library: str
    row: Row
    error: type[BaseException] | str
    caught: Callable[[spec.Report], bool]


def _peek_then_push(report: spec.Report) -> bool:
    lines = report.snippet.splitlines()
    peeks = [n for n, line in enumerate(lines) if ".peek()" in line]
    return bool(peeks) and any(".push(" in line for line in lines[peeks[0] :])


def _loses_none(report: spec.Report) -> bool:
    return report.violation is not None and "put(None)" in report.snippet and report.violation.clause.title == "empty"


BUGS = {
    "queuelib-lifo-disk": Bug("queuelib", ROWS[3], "OSError", _peek_then_push),
    "persist-queue-none": Bug("persist-queue", ROWS[8], "persistqueue.exceptions.Empty", _loses_none),
}


@pytest.mark.field
@pytest.mark.parametrize("name", BUGS)
def test_the_readme_snippet_still_shows_the_bug(name: str) -> None:
    bug = BUGS[name]
    _installed(bug.library)
    snippet = readme_section(f"field-bug-{name}")
    code = re.search(r"```py\n(.*?)```", snippet, re.DOTALL)
    assert code, snippet
    assert f"{bug.library} {VERSIONS[bug.library]}" in snippet
    raised = run_snippet(code.group(1))
    assert raised is not None, f"the README snippet of {name} no longer fails"
    assert f"{type(raised).__module__}.{type(raised).__qualname__}".endswith(str(bug.error)), raised


@pytest.mark.field
@pytest.mark.parametrize("name", BUGS)
@pytest.mark.parametrize("seed", range(10))
def test_the_bug_is_caught_at_the_default_budget(name: str, seed: int, scratch: Path) -> None:
    bug = BUGS[name]
    _installed(bug.library)
    row = bug.row
    flags = dict(zip(row.flags[::2], row.flags[1::2], strict=True))
    options = options_from_text({flag.name: flags[flag.flag] for flag in FLAGS if flag.flag in flags})
    report = spec.check(row.contract, row.target, seed=seed, options=options, timeout=float(flags["--timeout"]))
    assert report.violation is not None, report.format()
    assert bug.caught(report), report.format()
