"""What a check withstands: hard histories under time and memory limits, hostile files, models that misbehave.

Every case asserts the outcome or the exit status and that no traceback is
printed, never a time: the limits themselves make the runs end.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from spec.linearize import (
    History,
    HistoryError,
    Model,
    ModelError,
    Operation,
    Outcome,
    check_history,
    dump_json,
    read_history,
)
from spec.linearize.budget import Budget, OutOfBudget, resident_memory
from spec.linearize.models import GuardedModel
from tests._support import run_cli
from tests.test_linearize import Counter

op = Operation


def hard_register(writers: int) -> list[Operation]:
    """Writes of distinct values all at once, and a read of a value none wrote, in the middle of them.

    Not linearizable, and the search must try every subset of the writes in
    every order before it knows (the register model suggests no suspects):
    exponential in ``writers``, in time and in the memo's size.
    """
    writes = [op(client, "write", client, None, 0, 1000) for client in range(writers)]
    return [*writes, op(writers, "read", None, -1, 500, 600)]


def test_a_hard_history_stops_at_the_time_limit_with_unknown() -> None:
    result = check_history(hard_register(40), "register", timeout=0.5)
    assert result.outcome is Outcome.UNKNOWN
    assert result.limit == "time"
    assert result.configurations > 0
    assert result.format().splitlines()[1] == "The time limit (--timeout) ran out before a verdict."


def test_a_hard_history_stops_at_the_memory_limit_with_unknown() -> None:
    result = check_history(hard_register(40), "register", max_memory=resident_memory() + 30 * 2**20)
    assert result.outcome is Outcome.UNKNOWN
    assert result.limit == "memory"
    assert result.format().splitlines()[1] == "The memory limit (--max-memory) ran out before a verdict."


def test_unknown_says_how_many_partitions_were_decided() -> None:
    easy = [op(0, "put", ("a", "x"), None, 0, 1)]
    hard = [op(c, "put", ("b", str(c)), None, 0, 1000) for c in range(1, 40)]
    result = check_history([*easy, *hard, op(99, "get", ("b", None), "none", 500, 600)], "kv", timeout=0.5)
    assert result.outcome is Outcome.UNKNOWN
    assert (result.decided, result.partitions) == (1, 2)
    assert result.format().splitlines()[1] == (
        "The time limit (--timeout) ran out before a verdict; 1 of 2 partitions were found linearizable by then."
    )


def test_the_time_limit_holds_outside_the_main_thread_too() -> None:
    results: list[Outcome] = []
    worker = threading.Thread(
        target=lambda: results.append(check_history(hard_register(40), "register", timeout=0.3).outcome)
    )
    worker.start()
    worker.join(60)
    assert results == [Outcome.UNKNOWN]


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^max_memory must be a positive number of bytes, got 0$"):
        check_history([], "queue", max_memory=0)


def test_a_limit_that_runs_out_while_shrinking_keeps_the_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    import spec.linearize.shrink

    def out_of_memory(*args: object) -> object:
        raise MemoryError

    monkeypatch.setattr(spec.linearize.shrink, "_shrink", out_of_memory)
    ops = [op(0, "push", 1, None, 0, 1), op(0, "push", 2, None, 2, 3), op(1, "pop", None, 2, 4, 5)]
    result = check_history(ops, "queue")
    assert result.outcome is Outcome.NOT_LINEARIZABLE
    assert result.counterexample is not None
    assert not result.counterexample.shrunk


def test_a_timer_that_fires_as_the_check_ends_keeps_the_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    import spec.linearize.shrink

    real = spec.linearize.shrink.counterexample

    def then_time_is_up(*args: Any, **kwargs: Any) -> Any:
        if kwargs["minimize"]:
            raise OutOfBudget("time")
        return real(*args, **kwargs)

    monkeypatch.setattr(spec.linearize, "counterexample", then_time_is_up)
    ops = [op(0, "push", 1, None, 0, 1), op(0, "push", 2, None, 2, 3), op(1, "pop", None, 2, 4, 5)]
    result = check_history(ops, "queue", timeout=60)
    assert result.outcome is Outcome.NOT_LINEARIZABLE
    assert result.counterexample is not None
    assert not result.counterexample.shrunk


class _FiresAtOnce:
    """An armed timer that fires as the block is entered."""

    def __enter__(self) -> None:
        raise OutOfBudget("time")

    def __exit__(self, *args: object) -> None:
        pass  # pragma: no cover -- never entered


def test_a_timer_that_fires_as_the_check_begins_gives_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Budget, "armed", lambda self: _FiresAtOnce())
    result = check_history([op(0, "push", 1, None, 0, 1)], "queue", timeout=60)
    assert (result.outcome, result.limit) == (Outcome.UNKNOWN, "time")


def test_the_budget_timer_restores_what_it_replaced_and_stays_quiet_once_disarmed() -> None:
    import signal

    before = signal.getsignal(signal.SIGALRM)
    budget = Budget(timeout=0.05)
    with pytest.raises(OutOfBudget), budget.armed():
        time.sleep(5)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    quiet = Budget(timeout=60)
    with quiet.armed():
        quiet.disarm()
        quiet._on_alarm(signal.SIGALRM, None)  # a late signal: nothing happens
        with Budget(timeout=1).armed():  # a timer is running already: the inner block relies on check()
            pass
    assert Budget().remaining() is None


def test_the_budget_timer_does_not_raise_where_the_exception_would_be_lost() -> None:
    import gc
    import signal
    import sys

    budget = Budget(timeout=60)
    raised: list[bool] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        try:
            budget._on_alarm(signal.SIGALRM, sys._getframe())
        except OutOfBudget:
            raised.append(True)
        else:
            raised.append(False)

    gc.callbacks.append(callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(callback)
    assert raised
    assert not any(raised)
    with pytest.raises(OutOfBudget):
        budget._on_alarm(signal.SIGALRM, sys._getframe())


# -- models of one's own that misbehave -------------------------------------------------------------------------


class Loops(Counter):
    def step(self, state: int, op: Operation) -> tuple[bool, int]:
        while True:
            pass


class Sleeps(Counter):
    def step(self, state: int, op: Operation) -> tuple[bool, int]:
        time.sleep(600)
        return True, state


class Raises(Counter):
    def step(self, state: int, op: Operation) -> tuple[bool, int]:
        raise ZeroDivisionError("boom")


class Exits(Counter):
    def step(self, state: int, op: Operation) -> tuple[bool, int]:
        raise SystemExit(0)


class Answers(Counter):
    """A step that answers ``answer``: not a pair, or a state that cannot be hashed."""

    answer: Any = 3

    def step(self, state: int, op: Operation) -> Any:
        return self.answer


class Unhashable(Answers):
    answer = (True, [1])


class BadInitial(Counter):
    def initial(self) -> Any:
        return {}


class BadPartition(Counter):
    def partition(self, op: Operation) -> Hashable:
        return [op.client]  # type: ignore[return-value]


class BadGroup(Counter):
    def group(self, op: Operation) -> Hashable | None:
        return {}  # type: ignore[return-value]


class BadKeys(Counter):
    def search_keys(self, ops: Sequence[Operation]) -> list[Any]:
        return [object() for _ in ops]


class ShortKeys(Counter):
    def search_keys(self, ops: Sequence[Operation]) -> list[Any]:
        return []


class BadSuspects(Counter):
    def group(self, op: Operation) -> Hashable | None:
        return ("alone", id(op))

    def suspects(self, ops: Sequence[Operation]) -> Iterator[frozenset[Hashable]]:
        yield [[1]]  # type: ignore[misc]


class GoodSuspects(Counter):
    def group(self, op: Operation) -> Hashable | None:
        return ("alone", id(op))

    def suspects(self, ops: Sequence[Operation]) -> Iterator[frozenset[Hashable]]:
        yield frozenset({("alone", id(ops[0]))})


class Unspeakable(Exception):
    def __str__(self) -> str:
        raise RuntimeError


class RaisesUnspeakably(Counter):
    def step(self, state: int, op: Operation) -> tuple[bool, int]:
        raise Unspeakable


class BadValidate(Counter):
    def validate(self, op: Operation) -> str | None:
        raise KeyError(op.name)


class BadDescribe(Counter):
    def describe(self, op: Operation) -> str:
        raise RuntimeError

    def describe_state(self, state: int) -> str:
        raise RuntimeError


COUNTS = [op(0, "incr", None, None, 0, 1), op(1, "get", None, 2, 2, 3)]


@pytest.mark.parametrize("model", [Loops(), Sleeps()], ids=["loops", "sleeps"])
def test_a_step_that_never_returns_stops_at_the_time_limit(model: Model[int]) -> None:
    result = check_history(COUNTS, model, timeout=0.3)
    assert (result.outcome, result.limit) == (Outcome.UNKNOWN, "time")


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (Raises(), "the model's step() raised ZeroDivisionError: boom"),
        (Exits(), "the model's step() raised SystemExit: 0"),
        (Answers(), "the model's step() answered 3, not a pair (legal, next state) whose state can be hashed"),
        (Unhashable(), "the model's step() answered (True, [1]), not a pair (legal, next state) whose state can"),
        (BadInitial(), "the model's initial() answered {}, which cannot be hashed (a state must be)"),
        (BadPartition(), "the model's partition() answered [0], which cannot be hashed"),
        (BadKeys(), "the model's search_keys() answered [<object object"),
        (ShortKeys(), "the model's search_keys() answered [], not one sort key per operation, all comparable"),
        (BadValidate(), "the model's validate() raised KeyError: 'incr'"),
        (RaisesUnspeakably(), "the model's step() raised Unspeakable"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Model) else "",
)
def test_a_model_that_misbehaves_stops_the_check_with_a_model_error(model: Model[int], message: str) -> None:
    with pytest.raises(ModelError) as caught:
        check_history(COUNTS, model)
    assert str(caught.value).startswith(message)


def test_groups_and_suspects_are_guarded_too() -> None:
    failing = [op(0, "incr", None, None, 0, 1), op(1, "get", None, 5, 2, 3)]
    with pytest.raises(ModelError, match=r"^the model's group\(\) answered \{\}, which cannot be hashed$"):
        check_history(failing, BadGroup())
    guarded = GuardedModel(BadSuspects())
    with pytest.raises(ModelError, match=r"^the model's suspects\(\) answered \[\[1\]\], not a set of groups$"):
        list(guarded.suspects(failing))
    assert list(GuardedModel(Counter()).suspects(failing)) == []
    assert list(GuardedModel(GoodSuspects()).suspects(failing)) == [frozenset({("alone", id(failing[0]))})]
    assert GuardedModel(Counter()).observes(failing[1]) is False


def test_a_describe_that_raises_falls_back_to_the_default() -> None:
    result = check_history([op(0, "incr", None, None, 0, 1), op(1, "get", None, 5, 2, 3)], BadDescribe())
    assert result.outcome is Outcome.NOT_LINEARIZABLE
    text = result.format()
    assert "get() -> 5 by client 1" in text
    assert "leaves the counter in state 1:" in text


# -- hostile files, from the command line -------------------------------------------------------------------------


def _one_line_error(run: Any) -> str:
    assert run.code == 2, (run.out, run.err)
    assert run.err.count("\n") == 1
    assert "Traceback" not in run.err
    assert run.err.startswith("python -m spec: error: ")
    return str(run.err[len("python -m spec: error: ") : -1])


def test_cli_hard_history_gives_unknown_at_the_time_limit(tmp_path: Path) -> None:
    path = tmp_path / "hard.json"
    path.write_text(dump_json(History(hard_register(40))))
    run = run_cli("linearize", str(path), "--model", "register", "--timeout", "1")
    assert (run.code, run.err) == (3, "")
    assert run.out.splitlines()[1] == "The time limit (--timeout) ran out before a verdict."


def test_cli_hard_history_gives_unknown_at_the_memory_limit(tmp_path: Path) -> None:
    path = tmp_path / "hard.json"
    path.write_text(dump_json(History(hard_register(40))))
    run = run_cli("linearize", str(path), "--model", "register", "--max-memory", "150", "--timeout", "120")
    assert (run.code, run.err) == (3, "")
    assert run.out.splitlines()[1] == "The memory limit (--max-memory) ran out before a verdict."


def test_cli_model_that_loops_gives_unknown_and_one_that_raises_gives_one_line(tmp_path: Path) -> None:
    path = tmp_path / "counts.json"
    path.write_text(dump_json(History(COUNTS)))
    run = run_cli("linearize", str(path), "--model", "tests.test_linearize_limits:Loops", "--timeout", "1")
    assert (run.code, run.err) == (3, "")
    assert "UNKNOWN" in run.out
    error = _one_line_error(run_cli("linearize", str(path), "--model", "tests.test_linearize_limits:Raises"))
    assert error == "the model's step() raised ZeroDivisionError: boom"


def test_cli_the_time_limit_covers_reading_a_pipe_that_never_ends(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.log"
    os.mkfifo(fifo)
    run = run_cli("linearize", str(fifo), "--model", "register", "--timeout", "0.5")
    assert (run.code, run.err) == (3, "")
    assert run.out == f"{fifo}: UNKNOWN: the time limit (--timeout) ran out while reading the history\n"


def test_cli_a_file_larger_than_the_memory_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_text("INFO  jepsen.util - 0\t:invoke\t:read\tnil\n" * 80_000)  # about 3 MB
    run = run_cli("linearize", str(path), "--model", "register", "--max-memory", "1")
    assert (run.code, run.err) == (3, "")
    assert run.out == f"{path}: UNKNOWN: the memory limit (--max-memory) ran out while reading the history\n"


def test_cli_loading_a_model_that_hangs_is_under_the_time_limit(tmp_path: Path) -> None:
    (tmp_path / "sleepy_model.py").write_text("import time\ntime.sleep(600)\n")
    path = tmp_path / "h.json"
    path.write_text("[]")
    run = run_cli("linearize", str(path), "--model", f"{tmp_path / 'sleepy_model.py'}:Model", "--timeout", "0.5")
    assert (run.code, run.err) == (3, "")
    assert run.out == f"{path}: UNKNOWN: the time limit (--timeout) ran out while loading the model\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("zero", b"\0" * 100, "cannot read '{path}': it holds NUL bytes, so it is not a text history"),
        ("binary", b"\xff\xfe\x00garbage", "cannot read '{path}': it holds NUL bytes, so it is not a text history"),
        ("latin", b"caf\xe9!", "cannot read '{path}': it is not UTF-8 text (invalid continuation byte at byte 3)"),
        (
            "garbage.txt",
            b"%$#@! not a history",
            "cannot tell the format of '{path}'; give one of: json, edn, jepsen-log",
        ),
        # 3.11 and 3.12's json module stops at its recursion limit (nested
        # too deep); 3.13's reads it all, and the first operation is no object.
        ("deep.json", b"[" * 5000 + b"]" * 5000, "line 1: "),
        (
            "deep-value.json",
            b'[{"client": 0, "op": "push", "input": ' + b"[" * 150 + b"]" * 150 + b', "call": 0}]',
            "line 1: a value is nested more than 100 deep",
        ),
        ("deep.edn", b"[" * 600 + b"]" * 600, "line 1: a value is nested more than 100 deep"),
        ("exponent.json", b'[{"client": 0, "op": "push", "input": 1e99999999999999999999, "call": 0}]', "line 1:"),
    ],
)
def test_cli_hostile_files_give_one_line(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    error = _one_line_error(run_cli("linearize", str(path), "--model", "queue"))
    assert error.startswith(message.format(path=path))


def test_cli_dev_zero_gives_one_line() -> None:
    error = _one_line_error(run_cli("linearize", "/dev/zero", "--model", "queue"))
    assert error == "cannot read '/dev/zero': it holds NUL bytes, so it is not a text history"


def test_numbers_of_any_size_are_read_exactly_and_shown_within_bounds(tmp_path: Path) -> None:
    huge = "9" * 100_000
    path = tmp_path / "huge.json"
    path.write_text(
        f'[{{"client": 0, "op": "write", "input": {huge}, "call": 1e400, "return": 2e400}},\n'
        f' {{"client": 1, "op": "read", "output": {huge}8, "call": 1{"0" * 400}, "return": 1{"0" * 401}}}]'
    )
    history = read_history(path)
    assert history[0].call > 10**399
    run = run_cli("linearize", str(path), "--model", "register")
    assert run.code == 1, run.err
    assert "write(99999999999999999999...(100000 digits)...9999999999)" in run.out
    assert max(len(line) for line in run.out.splitlines()) < 300


def test_a_log_line_with_a_huge_run_of_spaces_is_read_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "spaces.log"
    spaces = " " * 1_000_000
    path.write_text(
        f"INFO  jepsen.util - 0 :invoke :write [1{spaces}2]\nINFO  jepsen.util - 0 :ok :write [1{spaces}2]{spaces}\n"
    )
    history = read_history(path)  # quadratic would not end in the lifetime of this test run
    assert [o.input for o in history] == [(1, 2)]


def test_history_errors_stay_history_errors() -> None:
    with pytest.raises(HistoryError, match=r"^line 1: a value is nested more than 100 deep$"):
        Operation(0, "push", _deep(101), None, 0, 1, line=1)


def _deep(depth: int) -> Any:
    value: Any = ()
    for _ in range(depth):
        value = [value]
    return value
