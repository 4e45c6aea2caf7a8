"""The linearizability checker: exact against brute force, right on the Porcupine corpus, readable."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import spec.linearize
import spec.linearize.budget
import spec.linearize.guess
import spec.linearize.shrink
from bench.bench_linearize import generated_queue
from spec import TargetError
from spec._cli.history import load_model
from spec.linearize import (
    MODELS,
    UNKNOWN,
    CASRegisterModel,
    History,
    HistoryError,
    KVModel,
    Model,
    Operation,
    Outcome,
    Raised,
    UnknownModel,
    check_history,
    get_model,
    read_history,
)
from spec.linearize.budget import Budget
from spec.linearize.guess import container_suspects, fifo_order
from spec.linearize.models import EVERY_GROUP, check_operations
from spec.linearize.report import format_history
from spec.linearize.search import Found, SearchResult, event_order, search
from spec.linearize.shrink import refute
from tests._support import ROOT, run_cli

CORPUS = ROOT.parent / "shared" / "data" / "porcupine"
EMPTY = Raised("IndexError")


def _verdicts() -> list[tuple[str, bool]]:
    if not CORPUS.is_dir():
        return []
    rows = (CORPUS / "verdicts.tsv").read_text().splitlines()[1:]
    return [(name, verdict == "true") for name, verdict in (row.split("\t") for row in rows)]


def _model_for(name: str) -> str:
    return "kv" if name.startswith("kv/") else "cas-register"


# -- the corpus ------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the Porcupine corpus is not at {CORPUS}")
@pytest.mark.parametrize(("name", "linearizable"), _verdicts(), ids=[name for name, _ in _verdicts()])
@pytest.mark.parametrize("fail_means", ["absent", "false"])
def test_corpus_verdict_matches_porcupine(name: str, linearizable: bool, fail_means: str) -> None:
    # Porcupine reads a failed CAS as one that returned false; Jepsen's own
    # reading (it did not happen) changes no verdict of this corpus.
    history = read_history(CORPUS / name, fail_means=fail_means)
    result = check_history(history, _model_for(name), minimize=False)
    expected = Outcome.LINEARIZABLE if linearizable else Outcome.NOT_LINEARIZABLE
    assert result.outcome is expected


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the Porcupine corpus is not at {CORPUS}")
def test_corpus_counterexamples_cannot_be_linearized_on_their_own() -> None:
    for name in ("jepsen-etcd/etcd_000.log", "kv/c10-bad.txt"):
        result = check_history(read_history(CORPUS / name), _model_for(name))
        cx = result.counterexample
        assert cx is not None
        assert cx.shrunk
        assert cx.culprit in cx.minimal
        assert check_history(cx.minimal, _model_for(name)).outcome is Outcome.NOT_LINEARIZABLE
        assert check_history(cx.prefix, _model_for(name)).outcome is Outcome.NOT_LINEARIZABLE


# -- exact: the search against brute force -----------------------------------------


def brute_force(ops: Sequence[Operation], model: Model[Any]) -> bool:
    """Linearizable? By trying every order of every choice of the pending operations."""
    done = [op for op in ops if not op.pending]
    pending = [op for op in ops if op.pending]
    for r in range(len(pending) + 1):
        for chosen in itertools.combinations(pending, r):
            for order in itertools.permutations([*done, *chosen]):
                if any(later.precedes(earlier) for i, earlier in enumerate(order) for later in order[i + 1 :]):
                    continue
                state = model.initial()
                for op in order:
                    ok, state = model.step(state, op)
                    if not ok:
                        break
                else:
                    return True
    return False


class WholeKV(Model[tuple[tuple[Hashable, str], ...]]):
    """The kv store as one state (no partitions), to check that partitioning changes nothing."""

    name = "whole kv"
    operations = KVModel.operations

    def initial(self) -> tuple[tuple[Hashable, str], ...]:
        return ()

    def step(self, state: tuple[tuple[Hashable, str], ...], op: Operation) -> tuple[bool, Any]:
        store = dict(state)
        key = op.input[0]
        ok, value = KVModel().step(store.get(key, ""), op)
        store[key] = value
        return ok, tuple(sorted(store.items()))


def histories(names: dict[str, st.SearchStrategy[tuple[Any, Any]]]) -> st.SearchStrategy[list[Operation]]:
    """Up to 6 operations of up to 3 clients, each ``name`` with an (input, output) drawn from ``names``."""

    @st.composite
    def one(draw: st.DrawFn, client: int) -> list[Operation]:
        ops, time = [], draw(st.integers(0, 3))
        for _ in range(draw(st.integers(1, 3))):
            name = draw(st.sampled_from(sorted(names)))
            value, output = draw(names[name])
            length = draw(st.integers(0, 4))
            pending = draw(st.booleans()) if draw(st.integers(0, 3)) == 0 else False
            ops.append(Operation(client, name, value, output, time, None if pending else time + length))
            if pending:
                break
            time += length + draw(st.integers(0, 3))
        return ops

    return st.lists(st.integers(0, 2), min_size=1, max_size=3).flatmap(
        lambda clients: st.tuples(*(one(c) for c in range(len(clients)))).map(
            lambda per_client: [op for ops in per_client for op in ops][:6]
        )
    )


ITEMS = st.sampled_from([1, 2])
QUEUE_OPS = {
    "push": st.tuples(ITEMS, st.none()),
    "pop": st.tuples(st.none(), st.sampled_from([1, 2, EMPTY])),
    "peek": st.tuples(st.none(), st.sampled_from([1, 2, EMPTY])),
    "len": st.tuples(st.none(), st.integers(0, 2)),
    "bool": st.tuples(st.none(), st.booleans()),
}
VALUES = st.sampled_from([None, 1, 2])
CAS_REGISTER_OPS = {
    "read": st.tuples(st.none(), VALUES),
    "write": st.tuples(VALUES, st.none()),
    "cas": st.tuples(st.tuples(VALUES, VALUES), st.booleans()),
}
KV_OPS = {
    "get": st.tuples(st.tuples(st.sampled_from("ab"), st.none()), st.sampled_from(["", "x", "xy", "y"])),
    "put": st.tuples(st.tuples(st.sampled_from("ab"), st.sampled_from(["", "x"])), st.none()),
    "append": st.tuples(st.tuples(st.sampled_from("ab"), st.sampled_from(["x", "y"])), st.none()),
}


def agrees_with_brute_force(ops: list[Operation], model: Model[Any], truth: Model[Any]) -> None:
    """Check the checker against brute force on ``ops`` (its counterexamples too)."""
    result = check_history(ops, model)
    assert result.ok == brute_force(ops, truth), result.format()
    if result.ok:
        for order in filter(None, result.linearizations):
            assert not any(b.precedes(a) for i, a in enumerate(order) for b in order[i + 1 :])
            assert set(order) >= {
                op for op in ops if not op.pending and model.partition(op) == model.partition(order[0])
            }
            state = model.initial()
            for op in order:
                ok, state = model.step(state, op)
                assert ok
    else:
        cx = result.counterexample
        assert cx is not None
        assert not brute_force(cx.minimal, truth)
        assert not brute_force(cx.prefix, truth)


@given(histories(QUEUE_OPS), st.sampled_from(["queue", "stack"]))
def test_container_verdicts_match_brute_force(ops: list[Operation], name: str) -> None:
    agrees_with_brute_force(ops, get_model(name), get_model(name))


@given(histories(CAS_REGISTER_OPS))
def test_register_verdicts_match_brute_force(ops: list[Operation]) -> None:
    agrees_with_brute_force(ops, get_model("cas-register"), get_model("cas-register"))


@given(histories(KV_OPS))
def test_kv_verdicts_match_brute_force_of_the_unpartitioned_store(ops: list[Operation]) -> None:
    agrees_with_brute_force(ops, get_model("kv"), WholeKV())


@given(
    st.one_of(
        st.tuples(histories(QUEUE_OPS), st.sampled_from(["queue", "stack"])),
        st.tuples(histories(CAS_REGISTER_OPS), st.just("cas-register")),
        st.tuples(histories(KV_OPS), st.just("kv")),
    )
)
def test_dropping_a_group_leaves_a_linearizable_history_linearizable(case: tuple[list[Operation], str]) -> None:
    # What shrinking counterexamples and trying suspects rely on (Model.group).
    ops, name = case
    model = get_model(name)
    truth = WholeKV() if name == "kv" else model
    if not brute_force(ops, truth):
        return
    for group in {model.group(o) for o in ops} - {None, EVERY_GROUP}:
        assert brute_force([o for o in ops if model.group(o) not in (group, EVERY_GROUP)], truth), group


# -- the models ---------------------------------------------------------------------


op = Operation


def test_overlapping_pushes_may_go_in_either_order_but_sequential_ones_may_not() -> None:
    overlapping = [op(0, "push", 1, None, 0, 2), op(1, "push", 2, None, 1, 3), op(0, "pop", None, 2, 4, 5)]
    assert check_history(overlapping, "queue").ok
    sequential = [op(0, "push", 1, None, 0, 1), op(1, "push", 2, None, 2, 3), op(0, "pop", None, 2, 4, 5)]
    assert not check_history(sequential, "queue").ok
    assert check_history(sequential, "stack").ok
    touching = [op(0, "push", 1, None, 0, 1), op(1, "push", 2, None, 1, 3), op(0, "pop", None, 2, 4, 5)]
    assert check_history(touching, "queue").ok  # equal times overlap


def test_a_pending_operation_may_or_may_not_have_taken_effect() -> None:
    took_effect = [op(0, "push", 1, None, 0, None), op(1, "pop", None, 1, 1, 2)]
    did_not = [op(0, "push", 1, None, 0, None), op(1, "pop", None, EMPTY, 1, 2), op(1, "len", None, 0, 3, 4)]
    assert check_history(took_effect, "queue").ok
    assert check_history(did_not, "queue").ok
    pending_pop = [op(0, "push", 1, None, 0, 1), op(1, "pop", None, None, 2, None), op(0, "peek", None, EMPTY, 3, 4)]
    assert check_history(pending_pop, "queue").ok


def test_register_examples_from_porcupine() -> None:
    register = CASRegisterModel(initial=0)
    good = [op(0, "write", 100, None, 0, 100), op(1, "read", None, 100, 25, 75), op(2, "read", None, 0, 30, 60)]
    bad = [op(0, "write", 200, None, 0, 100), op(1, "read", None, 200, 10, 30), op(2, "read", None, 0, 40, 90)]
    assert check_history(good, register).ok
    assert check_history(bad, register).outcome is Outcome.NOT_LINEARIZABLE
    cas = [op(0, "cas", (0, 1), True, 0, 1), op(0, "cas", (0, 2), False, 2, 3), op(0, "read", None, 1, 4, 5)]
    assert check_history(cas, register).ok
    assert register.initial() == 0


def test_kv_is_checked_key_by_key() -> None:
    ops = [
        op(0, "put", ("a", "x"), None, 0, 1),
        op(1, "append", ("b", "y"), None, 0, 1),
        op(0, "get", ("a", None), "x", 2, 3),
        op(1, "get", ("b", None), "y", 2, 3),
    ]
    result = check_history(ops, "kv")
    assert result.ok
    assert result.partitions == 2
    assert [[o.name for o in order] for order in result.linearizations] == [["put", "get"], ["append", "get"]]
    bad = check_history([*ops, op(2, "get", ("b", None), "", 4, 5)], "kv")
    assert bad.counterexample is not None
    assert bad.counterexample.partition == "b"


@pytest.mark.parametrize(
    ("model", "operation", "problem"),
    [
        ("queue", op(0, "shift", None, None, 0, 1), "the queue model has no operation 'shift' (known: bool, dequeue, "),
        ("cas-register", op(0, "cas", 1, True, 0, 1), "cas takes a pair (from, to), got 1"),
        ("cas-register", op(0, "cas", (1, 2), 1, 0, 1), "cas returns true or false, got 1"),
        ("register", op(0, "cas", (1, 2), True, 0, 1), "the register model has no operation 'cas' (known: read, "),
        ("kv", op(0, "get", "a", "", 0, 1), "get takes a pair (key, value), got 'a'"),
        ("kv", op(0, "put", ("a", 1), None, 0, 1), "put takes a string value, got 1"),
    ],
)
def test_operations_that_do_not_fit_the_model_are_refused(model: str, operation: Operation, problem: str) -> None:
    read = op(0, "read", None, None, 0, None)
    fine = {"queue": op(0, "pop", None, None, 0, None), "register": read, "cas-register": read}
    with pytest.raises(HistoryError) as caught:
        check_history([fine.get(model, op(0, "get", ("a", None), None, 0, None)), operation], model)
    assert str(caught.value).startswith(f"operation 1: {problem}")
    with pytest.raises(HistoryError, match=r"^line 9: "):
        check_operations(get_model(model), [Operation(0, "frob", None, None, 0, 1, line=9)])


def test_models_describe_operations_and_states() -> None:
    queue, register, kv = MODELS["queue"], MODELS["register"], MODELS["kv"]
    assert queue.describe(op(0, "push", [1], None, 0, 1)) == "push([1])"
    assert queue.describe(op(0, "pop", None, 3, 0, 1)) == "pop() -> 3"
    assert queue.describe(op(0, "pop", None, EMPTY, 0, 1)) == "pop() raises IndexError"
    assert queue.describe(op(0, "peek", None, None, 0, None)) == "peek() -> ?"
    assert register.describe(op(0, "read", None, None, 0, 1)) == "read() -> None"
    assert register.describe(op(0, "write", 3, 3, 0, 1)) == "write(3)"
    assert register.describe(op(0, "cas", (1, 2), False, 0, 1)) == "cas(1, 2) -> False"
    assert kv.describe(op(0, "get", ("k", None), "v", 0, 1)) == "get('k') -> 'v'"
    assert kv.describe(op(0, "append", ("k", "v"), "v", 0, 1)) == "append('k', 'v')"
    assert queue.describe_state((1, 2)) == "(1, 2)"
    assert queue.name == "queue"
    assert MODELS["stack"].name == "stack"


def test_unknown_model_and_bad_timeout_are_refused() -> None:
    with pytest.raises(
        UnknownModel, match=r"^unknown model 'heap' \(known: queue, fifo-queue, stack, unordered-queue, "
    ):
        check_history([], "heap")
    with pytest.raises(ValueError, match=r"^timeout must be a positive number of seconds, got 0$"):
        check_history([], "queue", timeout=0)


class Counter(Model[int]):
    """The module docstring's example of a model of one's own."""

    name = "counter"
    operations = frozenset({"incr", "get"})

    def initial(self) -> int:
        return 0

    def step(self, state: int, op: Operation) -> tuple[bool, int]:
        if op.name == "incr":
            return True, state + 1
        return op.output is UNKNOWN or op.output == state, state


def test_a_model_of_ones_own_works_with_the_defaults() -> None:
    counter = Counter()
    ops = [op(0, "incr", None, None, 0, 2), op(1, "get", None, 1, 1, 3), op(1, "get", None, 0, 4, 5)]
    result = check_history(ops, counter)
    assert result.outcome is Outcome.NOT_LINEARIZABLE
    cx = result.counterexample
    assert cx is not None
    assert cx.shrunk  # the default model drops nothing, so there is nothing more to do
    assert cx.minimal == cx.prefix == tuple(ops)
    assert counter.describe(ops[1]) == "get() -> 1"
    assert counter.describe(ops[0]) == "incr()"
    assert counter.describe(op(0, "incr", 2, UNKNOWN, 0, None)) == "incr(2) -> ?"
    assert counter.partition(ops[0]) is None
    assert counter.group(ops[0]) is None
    assert not counter.observes(ops[1])
    assert check_history(ops[:2], counter).ok


# -- speed heuristics change nothing but speed ------------------------------------


def test_generated_queue_histories_need_no_backtracking() -> None:
    ops = generated_queue(600, 4, 1)
    result = check_history(ops, "queue")
    assert result.ok
    assert result.configurations < len(ops)


def test_fifo_order_guess_survives_conflicting_orders() -> None:
    # 1 is pushed and popped strictly before 2 by one measure and after it by
    # the other: the guess still ranks every item (the search then fails).
    ops = [
        op(0, "push", 1, None, 0, 1),
        op(0, "push", 2, None, 2, 3),
        op(1, "pop", None, 2, 4, 5),
        op(1, "pop", None, 1, 6, 7),
    ]
    assert sorted(fifo_order(ops).values()) == [0, 1]
    assert not check_history(ops, "queue").ok
    # Here 3 is placed out of turn, then becomes free to place again: it is not.
    ops = [
        op(0, "push", 1, None, 0, 3),
        op(1, "pop", None, 1, 5, 6),
        op(0, "push", 2, None, 8, 11),
        op(1, "pop", None, 2, 7, 9),
        op(0, "push", 3, None, 6, 8),
        op(1, "pop", None, 3, 0, 2),
    ]
    assert sorted(fifo_order(ops).values()) == [0, 1, 2]
    assert not check_history(ops, "queue").ok


def test_items_need_not_be_hashable() -> None:
    ops = [op(0, "push", [1], None, 0, 1), op(1, "push", [2], None, 0, 1), op(0, "pop", None, [2], 2, 3)]
    assert check_history(ops, "queue").ok
    assert not check_history([*ops, op(0, "pop", None, [2], 4, 5)], "queue").ok


def test_a_time_limit_gives_unknown_never_a_wrong_verdict() -> None:
    ops = generated_queue(3000, 8, 2)
    result = check_history(ops, "queue", timeout=1e-9)
    assert result.outcome is Outcome.UNKNOWN
    assert result.counterexample is None
    assert result.linearizations == ()
    assert result.limit == "time"
    assert "The time limit (--timeout) ran out before a verdict." in result.format()
    assert search(ops, get_model("queue"), deadline=0).found is Found.UNKNOWN


def test_shrinking_that_runs_out_of_time_keeps_what_it_has(monkeypatch: pytest.MonkeyPatch) -> None:
    ops = QUEUE_BUG

    def no_time(*args: object) -> SearchResult:
        return SearchResult(Found.UNKNOWN, (), None, None, None, 0)

    monkeypatch.setattr(spec.linearize.shrink, "search", no_time)
    cx = check_history(ops, "queue").counterexample
    assert cx is not None
    assert not cx.shrunk
    assert cx.minimal == cx.prefix
    assert cx.prefix == tuple(ops)
    assert "\nNot shrunk (out of time, or not asked to): the 5 operations that cannot be linearized:\n" in (
        check_history(ops, "queue").format()
    )


def test_without_minimize_the_counterexample_is_the_prefix() -> None:
    ops = [op(0, "push", 1, None, 0, 1), op(0, "push", 2, None, 2, 3), op(1, "pop", None, 2, 4, 5)]
    cx = check_history(ops, "queue", minimize=False).counterexample
    assert cx is not None
    assert (cx.minimal, cx.shrunk) == (cx.prefix, False)


def test_the_shortest_failing_prefix_may_end_well_after_the_culprit() -> None:
    # pop() -> 2 cannot return before 1 leaves, and only the pop that returns
    # much later could have taken 1 -- but it says the queue was empty.  The
    # prefixes that end before that return can all be linearized.
    ops = [
        op(0, "push", 1, None, 0, 1),
        op(1, "push", 2, None, 2, 3),
        op(2, "pop", None, EMPTY, 2, 60),
        op(0, "pop", None, 2, 4, 5),
        *(op(3, "push", item, None, 2 * item + 4, 2 * item + 5) for item in range(3, 7)),
        *(op(3, "push", item, None, 61 + item, 62 + item) for item in range(7, 12)),
    ]
    cx = check_history(ops, "queue").counterexample
    assert cx is not None
    assert cx.culprit is ops[3]
    assert cx.prefix == tuple(ops[:8])
    assert cx.minimal == (ops[0], ops[1], ops[3])
    # The prefix that ends one return earlier leaves that pop pending.
    earlier = [*ops[:2], op(2, "pop", None, None, 2, None), *ops[3:8]]
    assert check_history(earlier, "queue").ok


def test_search_without_a_deadline_runs_to_the_end() -> None:
    ops = generated_queue(600, 4, 1)
    found = search(ops, get_model("queue"))
    assert found.found is Found.LINEARIZABLE
    assert found.configurations > 256


def test_long_histories_that_fail_are_refuted_by_a_part_the_model_suspects() -> None:
    ops = generated_queue(3000, 8, 4)
    pops = [i for i, o in enumerate(ops) if o.name == "pop" and not isinstance(o.output, Raised)]
    first, second = pops[500], pops[501]
    ops[second] = op(ops[second].client, "pop", None, ops[first].output, ops[second].call, ops[second].ret)
    result = check_history(ops, "queue")
    cx = result.counterexample
    assert cx is not None
    assert not cx.whole
    assert len(cx.minimal) == 3
    assert sum(o.output == ops[first].output for o in cx.minimal) == 2
    assert result.format().splitlines()[1].startswith("Found in a part of the history checked on its own")


def test_a_long_search_that_the_suspects_cannot_shorten_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec.linearize, "SUSPECT_AFTER", -(10**9))
    assert check_history(generated_queue(1500, 4, 1), "queue").ok


class Suspicious(Counter):
    """A counter that suspects 150 parts, none of which fails."""

    def group(self, op: Operation) -> Hashable | None:
        return ("alone", id(op)) if op.name == "get" else None

    def suspects(self, ops: Sequence[Operation]) -> Iterator[frozenset[Hashable]]:
        for _ in range(150):
            self.asked += 1
            yield frozenset()

    asked = 0


def test_at_most_a_hundred_suspects_are_tried() -> None:
    model = Suspicious()
    ops = [op(0, "incr", None, None, 0, 1), op(0, "get", None, 1, 2, 3)]
    assert refute(ops, model, Budget()) is None
    assert model.asked == 100
    assert list(Counter().suspects(ops)) == []


def _suspects(ops: list[Operation], fifo: bool = True) -> list[list[Any]]:
    return [[(o.name, o.input, o.output) for o in witnesses] for witnesses in container_suspects(ops, fifo=fifo)]


def test_container_suspects_are_the_classic_anomalies(monkeypatch: pytest.MonkeyPatch) -> None:
    push, pop = "push", "pop"
    twice = [op(0, push, 1, None, 0, 1), op(1, pop, None, 1, 2, 3), op(2, pop, None, 1, 2, 3)]
    assert _suspects(twice) == [[(pop, None, 1)]]
    early = [op(0, pop, None, 1, 0, 1), op(1, push, 1, None, 2, 3)]
    assert _suspects(early) == [[(pop, None, 1)]]
    assert _suspects([op(0, pop, None, 1, 0, 1)]) == [[(pop, None, 1)]]
    present = [op(0, push, 1, None, 0, 1), op(1, pop, None, EMPTY, 2, 3), op(1, pop, None, 1, 4, 5)]
    assert _suspects(present) == [[(push, 1, None), (pop, None, EMPTY)]]
    assert _suspects([op(0, pop, None, EMPTY, 0, 1), *present[:1]]) == []
    fifo = [op(0, push, 1, None, 0, 1), op(0, push, 2, None, 2, 3), op(1, pop, None, 2, 4, 5)]
    assert _suspects(fifo) == [[(push, 1, None), (push, 2, None)]]
    assert _suspects([*fifo, op(1, pop, None, 1, 4, 6)]) == []  # the pops overlap: fine
    lifo = [op(0, push, 1, None, 0, 1), op(0, push, 2, None, 2, 3), op(1, pop, None, 1, 4, 5)]
    assert _suspects(lifo, fifo=False) == [[(push, 1, None), (push, 2, None)]]
    assert _suspects([op(1, pop, None, 3, 0, 1), *lifo], fifo=False)[1:] == [[(push, 1, None), (push, 2, None)]]
    others = [op(2, push, 3, None, 0, None), op(2, "peek", None, 1, 0, 1), op(3, "len", None, 0, 0, 1)]
    assert _suspects([*fifo, *others]) == _suspects(fifo)  # pending calls, peeks and len() say nothing
    assert repr(EVERY_GROUP) == "EVERY_GROUP"
    monkeypatch.setattr(spec.linearize.guess, "_STACK_PAIRS", 1)
    assert _suspects(lifo, fifo=False) == []
    for case in (twice, early, present, fifo):
        assert not check_history(case, "queue").ok


def test_event_order_puts_calls_before_returns_at_equal_times() -> None:
    ops = [op(0, "push", 1, None, 0, 1), op(1, "pop", None, 1, 1, 2), op(2, "pop", None, None, 3, None)]
    assert event_order(ops) == [(0, False), (1, False), (0, True), (1, True), (2, False)]


# -- reports ---------------------------------------------------------------------------

QUEUE_BUG = [
    Operation(0, "push", 1, None, 0, 1, line=1),
    Operation(1, "push", 2, None, 2, 3, line=2),
    Operation(2, "pop", None, EMPTY, 2, 6, line=3),
    Operation(0, "pop", None, 2, 4, 5, line=4),
    Operation(1, "push", 3, None, 4, None, line=5),
]


def test_a_counterexample_names_the_culprit_and_the_smallest_part() -> None:
    result = check_history(QUEUE_BUG, "queue")
    cx = result.counterexample
    assert cx is not None
    assert cx.culprit == QUEUE_BUG[3]
    assert cx.partition is None
    assert cx.linearized == (QUEUE_BUG[0], QUEUE_BUG[1])
    assert cx.state == "(1, 2)"
    assert [o.line for o in cx.minimal] == [1, 2, 4]
    assert result.format().splitlines()[1:] == [
        "No linearization gets past the return of pop() -> 2 by client 0, line 4.",
        "The furthest one reached, up to that return, leaves the queue in state (1, 2):",
        "    push(1), push(2)",
        "The shortest prefix that cannot be linearized has 5 operations; the smallest part of it that cannot "
        "either, 3:",
        "    client 0  push(1)     line 1  [-]",
        "    client 1  push(2)     line 2      [-]",
        "    client 0  pop() -> 2  line 4          [-]",
    ]
    assert result.format().startswith("NOT LINEARIZABLE: 5 operations, model queue, ")


def test_format_history_draws_pending_operations_and_skips_long_timelines() -> None:
    text = format_history(QUEUE_BUG, get_model("queue"))
    assert text.splitlines()[2:] == [
        "client 2  pop() raises IndexError  line 3      [-------]",
        "client 0  pop() -> 2               line 4          [-]",
        "client 1  push(3)                  line 5          [----->",
    ]
    many = [op(0, "push", n, None, n, n) for n in range(30)]
    assert format_history(many, get_model("queue")).splitlines()[0] == "client 0  push(0)"


def test_linearizable_and_partitioned_results_read_well() -> None:
    ops = [op(0, "put", ("a", "x"), None, 0, 1), op(1, "put", ("b", "y"), None, 0, 1)]
    text = check_history(ops, "kv").format()
    assert text.startswith("LINEARIZABLE: 2 operations in 2 partitions, model kv, ")
    assert check_history(History(), "queue").format().startswith("LINEARIZABLE: 0 operations, model queue, ")


# -- the command line ----------------------------------------------------------------

LINEARIZABLE_JSON = """{"operations": [
  {"client": 0, "op": "push", "input": 1, "call": 0, "return": 2},
  {"client": 1, "op": "push", "input": 2, "call": 1, "return": 3},
  {"client": 0, "op": "pop", "output": 2, "call": 4, "return": 5}
]}
"""


def test_cli_linearize_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(LINEARIZABLE_JSON)
    run = run_cli("linearize", str(good), "--model", "queue")
    assert (run.code, run.err) == (0, "")
    assert run.out.startswith(f"{good}: LINEARIZABLE: 3 operations, model queue, ")
    bad = tmp_path / "bad.txt"
    bad.write_text(LINEARIZABLE_JSON.replace('"call": 1, "return": 3', '"call": 2.5, "return": 3'))
    run = run_cli("linearize", str(bad), "--model", "queue", "--no-shrink", "--format", "json")
    assert run.code == 1
    assert "pop() -> 2 by client 0, line 4" in run.out
    slow = tmp_path / "slow.json"
    slow.write_text(spec.linearize.dump_json(History(generated_queue(3000, 8, 3))))
    run = run_cli("linearize", str(slow), "--model", "queue", "--timeout", "0.001")
    assert run.code == 3
    assert "UNKNOWN" in run.out


def test_cli_linearize_could_not_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"operations": [\n  {"client": 0, "op": "push", "call": 0, "return": 2},\n  {"client": 0}\n]}')
    assert run_cli("linearize", str(bad), "--model", "queue").err == (
        "python -m spec: error: line 3: the operation has no 'op'\n"
    )
    run = run_cli("linearize", str(bad), "--model", "heap")
    assert (run.code, run.err) == (
        2,
        "python -m spec: error: unknown model 'heap' (known: queue, fifo-queue, stack, unordered-queue, set, register, "
        "cas-register, multi-register, mutex, kv)\n",
    )


def test_cli_linearize_takes_a_model_of_ones_own(tmp_path: Path) -> None:
    history = tmp_path / "h.json"
    history.write_text(
        '[{"client": 0, "op": "incr", "call": 0, "return": 1}, '
        '{"client": 0, "op": "get", "output": 1, "call": 2, "return": 3}]'
    )
    run = run_cli("linearize", str(history), "--model", "tests.test_linearize:Counter")
    assert run.code == 0
    assert run.out.startswith(f"{history}: LINEARIZABLE: 2 operations, model counter, ")
    broken = tmp_path / "broken_model.py"
    broken.write_text('raise RuntimeError("broken")\n')
    run = run_cli("linearize", str(history), "--model", f"{broken}:Model")
    assert (run.code, run.err) == (2, f"python -m spec: error: importing '{broken}' raised RuntimeError: broken\n")


def test_models_are_named_by_name_or_by_target() -> None:
    assert load_model("stack") is MODELS["stack"]
    assert load_model("tests.test_linearize:COUNTER") is COUNTER
    assert isinstance(load_model("tests.test_linearize:Counter"), Counter)
    with pytest.raises(TargetError, match=r"^'tests.test_linearize:op' is not a spec.linearize.Model"):
        load_model("tests.test_linearize:op")
    with pytest.raises(TargetError, match=r"^spec.linearize:Model\(\) raised TypeError: Can't instantiate"):
        load_model("spec.linearize:Model")


COUNTER = Counter()


# -- Jepsen's semantics and the register options, from the command line ---------------------------------------

# A CAS that failed while the register held the value it expected (a rollback,
# say): Jepsen says it did not happen, and the history is linearizable; read as
# "it returned false" (Porcupine's reading of etcd), it is not.
ROLLED_BACK = """\
{:process 0, :type :invoke, :f :write, :value 1}
{:process 0, :type :ok, :f :write, :value 1}
{:process 1, :type :invoke, :f :cas, :value [1 2]}
{:process 1, :type :fail, :f :cas, :value [1 2]}
{:process 0, :type :invoke, :f :read, :value nil}
{:process 0, :type :ok, :f :read, :value 1}
"""


def test_cli_fail_means_absent_by_default_or_false(tmp_path: Path) -> None:
    path = tmp_path / "rolled-back.edn"
    path.write_text(ROLLED_BACK)
    run = run_cli("linearize", str(path), "--model", "cas-register")
    assert (run.code, run.err) == (0, "")
    assert run.out.startswith(f"{path}: LINEARIZABLE: 2 operations, model cas-register, ")
    run = run_cli("linearize", str(path), "--model", "cas-register", "--fail-means", "false")
    assert run.code == 1
    assert "cas(1, 2) -> False by client 1, line 3" in run.out


def test_cli_register_options(tmp_path: Path) -> None:
    edn = tmp_path / "h.edn"
    edn.write_text("{:process 0, :type :invoke, :f :read, :value nil}\n{:process 0, :type :ok, :f :read, :value :x}\n")
    assert run_cli("linearize", str(edn), "--model", "register").code == 1
    assert run_cli("linearize", str(edn), "--model", "register", "--initial", ":x").code == 0
    json_history = tmp_path / "h.json"
    json_history.write_text(
        '[{"client": 0, "op": "write", "input": 1, "call": 0, "return": 1},\n'
        ' {"client": 1, "op": "read", "output": null, "call": 2, "return": 3}]'
    )
    assert run_cli("linearize", str(json_history), "--model", "register").code == 1
    assert run_cli("linearize", str(json_history), "--model", "register", "--nil-reads-any").code == 0
    read_zero = tmp_path / "zero.json"
    read_zero.write_text('[{"client": 1, "op": "read", "output": 0, "call": 2, "return": 3}]')
    assert run_cli("linearize", str(read_zero), "--model", "cas-register", "--initial", "0").code == 0
    assert run_cli("linearize", str(read_zero), "--model", "cas-register", "--initial", "true").code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--model", "queue", "--initial", "0"), "--initial and --nil-reads-any apply to the register models only"),
        (("--model", "queue", "--nil-reads-any"), "--initial and --nil-reads-any apply to the register models only"),
        (("--model", "register", "--initial", "nil"), "--initial: 'nil' is not a JSON value: Expecting value"),
        (("--model", "register", "--max-memory", "0"), "argument --max-memory: must be at least 1, got '0'"),
        (("--model", "register", "--fail-means", "maybe"), "argument --fail-means: invalid choice: 'maybe'"),
        (("--model", "no_such_module:Model"), "no module named 'no_such_module'"),
        (("--model", "tests.test_linearize:op"), "'tests.test_linearize:op' is not a spec.linearize.Model"),
    ],
)
def test_cli_linearize_options_that_cannot_be_used(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    path = tmp_path / "h.json"
    path.write_text("[]")
    run = run_cli("linearize", str(path), *args)
    assert run.code == 2
    assert run.err.startswith(f"python -m spec: error: {message}")
    assert run.err.count("\n") == 1


def test_a_sequential_queue_history_is_checked_in_linear_time_and_memory() -> None:
    # 10^5 operations, 5 * 10^4 items in the queue at its fullest: a quadratic
    # memo (a state per operation, each a copy of the queue) would need
    # gigabytes, and the memory limit would stop the check with unknown.
    n = 100_000
    ops = [op(0, "push", i, None, 2 * i, 2 * i + 1) for i in range(n // 2)]
    ops += [op(0, "pop", None, i, n + 2 * i, n + 2 * i + 1) for i in range(n // 2)]
    from spec.linearize.budget import resident_memory

    result = check_history(ops, "queue", max_memory=resident_memory() + 300 * 2**20)
    assert result.outcome is Outcome.LINEARIZABLE
    assert result.configurations <= n


def test_pending_operations_cost_memory_linear_in_the_history() -> None:
    # Each pending operation is in flight to the end: the plan keeps them once,
    # not once per return.
    from spec.linearize.search import _Plan

    ops = [op(c, "push", c, None, c, None) for c in range(1000)]
    ops += [op(1000 + i, "peek", None, None, 2000 + 2 * i, 2001 + 2 * i) for i in range(1000)]
    plan = _Plan(ops, get_model("queue"))
    assert len(plan.pending) == 1000
    assert sum(len(flight) for flight in plan.in_flight) == 1000
    assert plan.open_pending[-1] == 1000


def test_a_limit_that_runs_out_after_the_explanation_leaves_it_be() -> None:
    from spec.linearize import _Check
    from spec.linearize.catalog import guarded

    model = get_model("queue")
    checker = _Check(History(QUEUE_BUG), model, guarded(model), Budget(), True)
    checker.run()
    explained = checker.counterexample
    assert explained is not None
    checker.stop("time")
    assert checker.counterexample is explained
    assert checker.result(0.0).outcome is Outcome.NOT_LINEARIZABLE


def test_a_search_keeps_the_budget_it_is_given() -> None:
    ops = generated_queue(600, 4, 1)
    assert search(ops, get_model("queue"), None, Budget()).found is Found.LINEARIZABLE
    with pytest.raises(spec.linearize.budget.OutOfBudget):
        search(ops, get_model("queue"), None, Budget(max_memory=1))


def test_shrinking_halves_then_quarters_the_groups_until_one_can_go() -> None:
    # 1 and 2 must leave before 3: what fails is item 3 with one of them, which
    # neither half of the items (1 and 2; 3 and 4) holds, so shrinking splits further.
    pushes = [op(0, "push", item, None, 2 * item, 2 * item + 1) for item in (1, 2, 3, 4)]
    pops = [op(1, "pop", None, item, 20 + 2 * n, 21 + 2 * n) for n, item in enumerate((3, 1, 2, 4))]
    cx = check_history([*pushes, *pops], "queue").counterexample
    assert cx is not None
    assert cx.shrunk
    assert {o.input for o in cx.minimal if o.name == "push"} in ({1, 3}, {2, 3})
    assert len(cx.minimal) == 3
