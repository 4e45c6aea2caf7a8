"""Knossos's models, the register options, and values compared as JSON and EDN mean them."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec.linearize import (
    MODELS,
    UNKNOWN,
    CASRegisterModel,
    HistoryError,
    Model,
    MultiRegisterModel,
    Operation,
    Outcome,
    Raised,
    RegisterModel,
    check_history,
    get_model,
)
from spec.linearize.edn import Keyword, Symbol
from spec.linearize.seq import Seq
from spec.linearize.values import BigFloat, BigInt, key
from tests.test_linearize import agrees_with_brute_force, histories

op = Operation
EMPTY = Raised("IndexError")


def verdict(ops: list[Operation], model: str | Model[Any]) -> Outcome:
    return check_history(ops, model).outcome


OK, NOT = Outcome.LINEARIZABLE, Outcome.NOT_LINEARIZABLE


# -- every model: a history that is linearizable and one that is not -------------------------------------

# (model, linearizable history, not linearizable history): each a one-line example of what the model means.
EXAMPLES: list[tuple[str, list[Operation], list[Operation]]] = [
    (
        "register",
        [op(0, "write", 1, None, 0, 2), op(1, "read", None, 1, 1, 3)],
        [op(0, "write", 1, None, 0, 1), op(1, "read", None, None, 2, 3)],
    ),
    (
        "cas-register",
        [op(0, "write", 1, None, 0, 1), op(1, "cas", (1, 2), True, 2, 3), op(0, "read", None, 2, 4, 5)],
        [op(0, "write", 1, None, 0, 1), op(1, "cas", (2, 3), True, 2, 3)],
    ),
    (
        "multi-register",
        [
            op(0, "txn", (("write", "x", 1), ("write", "y", 2)), None, 0, 1),
            op(1, "txn", (("read", "x", None), ("read", "y", None)), (("read", "x", 1), ("read", "y", 2)), 2, 3),
        ],
        [
            op(0, "txn", (("write", "x", 1), ("write", "y", 2)), None, 0, 1),
            op(1, "txn", (("read", "x", None), ("read", "y", None)), (("read", "x", 1), ("read", "y", None)), 2, 3),
        ],
    ),
    (
        "mutex",
        [op(0, "acquire", None, None, 0, 1), op(0, "release", None, None, 2, 3), op(1, "acquire", None, None, 2, 4)],
        [op(0, "acquire", None, None, 0, 1), op(1, "acquire", None, None, 2, 3)],
    ),
    (
        "set",
        [op(0, "add", 1, None, 0, 2), op(1, "read", None, frozenset(), 1, 3), op(1, "read", None, (1,), 4, 5)],
        [op(0, "add", 1, None, 0, 1), op(1, "read", None, frozenset(), 2, 3)],
    ),
    (
        "unordered-queue",
        [op(0, "enqueue", 1, None, 0, 1), op(0, "enqueue", 2, None, 2, 3), op(1, "dequeue", None, 2, 4, 5)],
        [op(0, "enqueue", 1, None, 0, 1), op(1, "dequeue", None, 1, 2, 3), op(1, "dequeue", None, 1, 4, 5)],
    ),
    (
        "fifo-queue",
        [op(0, "enqueue", 1, None, 0, 1), op(0, "enqueue", 2, None, 2, 3), op(1, "dequeue", None, 1, 4, 5)],
        [op(0, "enqueue", 1, None, 0, 1), op(0, "enqueue", 2, None, 2, 3), op(1, "dequeue", None, 2, 4, 5)],
    ),
]


def test_every_model_has_an_example() -> None:
    assert {name for name, _, _ in EXAMPLES} | {"queue", "stack", "kv"} == set(MODELS)


@pytest.mark.parametrize(("name", "good", "bad"), EXAMPLES, ids=[name for name, _, _ in EXAMPLES])
def test_each_model_tells_a_linearizable_history_from_one_that_is_not(
    name: str, good: list[Operation], bad: list[Operation]
) -> None:
    assert verdict(good, name) is OK
    result = check_history(bad, name)
    assert result.outcome is NOT
    assert result.counterexample is not None
    assert check_history(result.counterexample.minimal, name).outcome is NOT
    assert result.format().startswith(f"NOT LINEARIZABLE: {len(bad)} operations, model ")


def test_fifo_queue_is_the_queue() -> None:
    assert get_model("fifo-queue") is get_model("queue")
    assert get_model("fifo-queue").name == "queue"


# -- each model against brute force -------------------------------------------------------------------------

ITEMS = st.sampled_from([1, 2])
VALUES = st.sampled_from([None, 1, 2])


@given(histories({"read": st.tuples(st.none(), VALUES), "write": st.tuples(VALUES, st.none())}))
def test_register_verdicts_match_brute_force(ops: list[Operation]) -> None:
    agrees_with_brute_force(ops, get_model("register"), get_model("register"))


@given(
    histories(
        {
            "txn": st.sampled_from(
                [
                    ((("write", "x", 1),), None),
                    ((("write", "x", 2), ("write", "y", 1)), None),
                    ((("read", "x", None), ("read", "y", None)), (("read", "x", 1), ("read", "y", None))),
                    ((("read", "x", None),), (("read", "x", 2),)),
                    ((("read", "y", None), ("write", "y", 2)), (("read", "y", 1), ("write", "y", 2))),
                ]
            )
        }
    )
)
def test_multi_register_verdicts_match_brute_force(ops: list[Operation]) -> None:
    agrees_with_brute_force(ops, get_model("multi-register"), get_model("multi-register"))


@given(histories({"acquire": st.just((None, None)), "release": st.just((None, None))}))
def test_mutex_verdicts_match_brute_force(ops: list[Operation]) -> None:
    agrees_with_brute_force(ops, get_model("mutex"), get_model("mutex"))


@given(
    histories(
        {
            "add": st.tuples(ITEMS, st.none()),
            "read": st.tuples(st.none(), st.sampled_from([frozenset(), frozenset({1}), (1, 2), (2,)])),
        }
    )
)
def test_set_verdicts_match_brute_force(ops: list[Operation]) -> None:
    agrees_with_brute_force(ops, get_model("set"), get_model("set"))


@given(histories({"enqueue": st.tuples(ITEMS, st.none()), "dequeue": st.tuples(st.none(), ITEMS)}))
def test_unordered_queue_verdicts_match_brute_force(ops: list[Operation]) -> None:
    # Items may repeat: the state is a multiset.
    agrees_with_brute_force(ops, get_model("unordered-queue"), get_model("unordered-queue"))


# -- what the models refuse ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "operation", "problem"),
    [
        ("register", op(0, "cas", (1, 2), True, 0, 1), "the register model has no operation 'cas' (known: read, "),
        ("multi-register", op(0, "txn", (("frob", "x", 1),), None, 0, 1), "txn takes a list of [read|write, key"),
        ("multi-register", op(0, "txn", 3, None, 0, 1), "txn takes a list of [read|write, key, value], got 3"),
        ("multi-register", op(0, "txn", (("read", "x", None),), 5, 0, 1), "txn returns its list of [f, key, value]"),
        (
            "multi-register",
            op(0, "txn", (("write", "x", 1),), (("write", "x", 2),), 0, 1),
            "txn returns its own micro-ops (the values read filled in), got",
        ),
        ("set", op(0, "read", None, 3, 0, 1), "read returns the set's items, got 3"),
        ("unordered-queue", op(0, "dequeue", None, EMPTY, 0, 1), "dequeue returns an item in the unordered-queue"),
        ("mutex", op(0, "lock", None, None, 0, 1), "the mutex model has no operation 'lock' (known: acquire, release)"),
        ("multi-register", op(0, "read", None, 1, 0, 1), "the multi-register model has no operation 'read'"),
    ],
)
def test_operations_that_do_not_fit_a_model_are_refused(model: str, operation: Operation, problem: str) -> None:
    with pytest.raises(HistoryError) as caught:
        check_history([operation], model)
    assert str(caught.value).startswith(f"operation 0: {problem}")


# -- register options -----------------------------------------------------------------------------------------


def test_a_register_starts_as_its_initial_value() -> None:
    read_zero = [op(0, "read", None, 0, 0, 1)]
    assert verdict(read_zero, "register") is NOT
    assert verdict(read_zero, RegisterModel(initial=0)) is OK
    assert RegisterModel(initial=0).initial_value == 0
    assert verdict(read_zero, RegisterModel().configure(initial=0)) is OK
    cas = [op(0, "cas", (0, 1), True, 0, 1)]
    assert verdict(cas, CASRegisterModel(initial=0)) is OK
    assert verdict(cas, "cas-register") is NOT
    txn = [op(0, "txn", (("read", "k", None),), (("read", "k", 7),), 0, 1)]
    assert verdict(txn, MultiRegisterModel(initial=7)) is OK
    assert verdict(txn, "multi-register") is NOT
    with pytest.raises(ValueError, match=r"^initial value: a value is nested more than 100 deep$"):
        RegisterModel(initial=_nested(200))


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = (value,)
    return value


def test_knossos_rule_a_read_of_nil_matches_any_value() -> None:
    # Porcupine's etcd reading (the default): a read of nil saw an empty register.
    ops = [op(0, "write", 3, None, 0, 1), op(1, "read", None, None, 2, 3)]
    assert verdict(ops, "register") is NOT
    assert verdict(ops, RegisterModel(nil_reads_any=True)) is OK
    assert verdict(ops, CASRegisterModel().configure(nil_reads_any=True)) is OK
    assert CASRegisterModel().configure(nil_reads_any=True).name == "cas-register"
    txn = [
        op(0, "txn", (("write", "x", 1),), None, 0, 1),
        op(1, "txn", (("read", "x", None),), (("read", "x", None),), 2, 3),
    ]
    assert verdict(txn, "multi-register") is NOT
    assert verdict(txn, MultiRegisterModel(nil_reads_any=True)) is OK
    # Only a nil read matches anything: a read of another value still has to be right.
    assert verdict([*ops[:1], op(1, "read", None, 4, 2, 3)], RegisterModel(nil_reads_any=True)) is NOT


def test_a_failed_cas_is_a_cas_that_did_not_swap() -> None:
    # What a CAS returning false means for the model (the reader decides when a Jepsen :fail is one).
    ops = [op(0, "write", 1, None, 0, 1), op(1, "cas", (1, 2), False, 2, 3)]
    assert verdict(ops, "cas-register") is NOT
    assert verdict([*ops[:1], op(1, "cas", (5, 2), False, 2, 3), op(0, "read", None, 1, 4, 5)], "cas-register") is OK


# -- the multi-register, the set, the unordered queue, the mutex in more detail ------------------------------


def test_a_transaction_reads_its_own_writes_and_keywords_name_micro_ops() -> None:
    read, write = Keyword("read"), Keyword("write")
    own = [op(0, "txn", ((write, "x", 1), (read, "x", None)), ((write, "x", 1), (read, "x", 1)), 0, 1)]
    assert verdict(own, "multi-register") is OK
    model = get_model("multi-register")
    assert model.describe(own[0]) == "txn(((:write, 'x', 1), (:read, 'x', 1)))"
    pending = op(1, "txn", ((write, "x", 2),), None, 0, None)
    assert model.describe(pending) == "txn(((:write, 'x', 2),))"
    assert model.describe_state(frozenset({("x", 1)})) == "{'x': 1}"
    assert not model.observes(pending)
    assert model.group(own[0]) is None
    read_only = op(1, "txn", ((read, "x", None),), ((read, "x", None),), 0, 1)
    assert model.group(read_only) is not None
    # A pending transaction's writes may take effect, its reads say nothing.
    assert verdict([pending, op(2, "txn", ((read, "x", None),), ((read, "x", 2),), 1, 2)], "multi-register") is OK


def test_a_set_read_is_every_item_added() -> None:
    model = get_model("set")
    ops = [op(0, "add", 1, None, 0, 1), op(0, "add", 1, None, 2, 3), op(1, "read", None, frozenset({1}), 4, 5)]
    assert verdict(ops, model) is OK
    assert verdict([*ops, op(1, "read", None, [2, 1], 6, 7)], model) is NOT
    assert verdict([*ops, op(1, "read", None, None, 6, None)], model) is OK
    assert model.describe_state(frozenset({1})) == "frozenset({1})"
    assert model.group(ops[0]) is None
    assert model.group(ops[2]) is not None


def test_an_unordered_queue_is_a_multiset() -> None:
    model = get_model("unordered-queue")
    twice = [op(0, "enqueue", 1, None, 0, 1), op(0, "enqueue", 1, None, 2, 3)]
    out = [op(1, "dequeue", None, 1, 4, 5), op(1, "dequeue", None, 1, 6, 7)]
    assert verdict([*twice, *out], model) is OK
    assert verdict([*twice[:1], *out], model) is NOT
    # A pending dequeue removed nothing, or something: either way later dequeues are not helped.
    assert verdict([*twice, op(2, "dequeue", None, None, 0, None), *out], model) is OK
    assert model.describe(twice[0]) == "enqueue(1)"
    assert model.describe(out[0]) == "dequeue() -> 1"
    assert model.describe_state(frozenset({(2, 0), (1, 0), (1, 1)})) == "[1, 1, 2]"
    assert model.group(op(2, "dequeue", None, None, 0, None)) is None


def test_a_mutex_is_held_by_one_at_a_time() -> None:
    model = get_model("mutex")
    pending = [op(0, "acquire", None, None, 0, None), op(1, "acquire", None, None, 1, 2)]
    assert verdict(pending, model) is OK  # the pending acquire may not have happened
    release = [op(0, "release", None, None, 0, 1)]
    assert verdict(release, model) is NOT
    assert model.describe(release[0]) == "release()"
    assert model.describe_state(True) == "held"
    assert model.describe_state(False) == "free"


# -- values compare as JSON and EDN mean them --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read", "same"),
    [
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        (1, 1.0, False),
        (math.nan, math.nan, True),
        (math.nan, float("nan"), True),
        (0.0, -0.0, True),
        ("ok", Keyword("ok"), False),
        (Keyword("ok"), Keyword("ok"), True),
        (Symbol("ok"), Keyword("ok"), False),
        ((1, 2), [1, 2], True),
        ((1, True), (1, 1), False),
        (frozenset({1, 2}), frozenset({2, 1}), True),
        ({"a": 1}, {"a": 1}, True),
        ({"a": 1}, {"a": True}, False),
        ({"a": 1}, frozenset({("a", 1)}), False),
        (Fraction(1, 2), 0.5, False),
        (Decimal("1.5"), 1.5, False),
        (BigInt("1" * 5000), BigInt("1" * 5000), True),
        (BigFloat("1e400"), BigFloat("10e399"), True),
        (BigFloat("1e400"), math.inf, False),
        (None, None, True),
    ],
)
def test_a_register_compares_values_by_kind_and_value(written: Any, read: Any, same: bool) -> None:
    ops = [op(0, "write", written, None, 0, 1), op(1, "read", None, read, 2, 3)]
    assert verdict(ops, "register") is (OK if same else NOT)
    assert (key(written) == key(read)) is same


def test_queues_sets_and_stores_compare_by_kind_too() -> None:
    queue = [op(0, "push", True, None, 0, 1), op(1, "pop", None, 1, 2, 3)]
    assert verdict(queue, "queue") is NOT
    assert verdict([queue[0], op(1, "pop", None, True, 2, 3)], "queue") is OK
    nan = [op(0, "push", math.nan, None, 0, 1), op(1, "pop", None, math.nan, 2, 3)]
    assert verdict(nan, "stack") is OK
    assert verdict([op(0, "add", 1, None, 0, 1), op(1, "read", None, (True,), 2, 3)], "set") is NOT
    assert verdict([op(0, "get", ("k", None), 0, 0, 1)], "kv") is NOT


def test_a_python_value_that_cannot_be_hashed_is_compared_by_its_rendering() -> None:
    class Box:
        __hash__ = None  # type: ignore[assignment]

        def __repr__(self) -> str:
            return "Box()"

    ops = [op(0, "push", Box(), None, 0, 1), op(1, "pop", None, Box(), 2, 3)]
    assert verdict(ops, "queue") is OK
    assert get_model("queue").describe_state(Seq.of([key(Box())])) == "(Box(),)"


def test_states_are_shown_as_the_values_they_hold() -> None:
    queue = get_model("queue")
    assert queue.describe_state(Seq.of([key(True), key(1.5), key({"a": (1,)}), key(math.nan)])) == (
        "(True, 1.5, {'a': (1,)}, nan)"
    )
    assert get_model("register").describe_state(key(Fraction(1, 3))) == "1/3"
    assert get_model("register").describe_state(key(Decimal("2.5"))) == "2.5M"
    assert get_model("cas-register").describe(op(0, "cas", (1, 2), UNKNOWN, 0, None)) == "cas(1, 2) -> ?"
