"""History values: exact numbers, keys that compare as JSON and EDN mean, bounded rendering; the persistent sequence."""

from __future__ import annotations

import enum
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec.linearize.edn import Keyword, Symbol
from spec.linearize.seq import Seq
from spec.linearize.values import (
    BadValue,
    BigFloat,
    BigInt,
    float_from_text,
    int_from_text,
    key,
    shorten,
    show_value,
    value_of,
)


def test_numbers_too_big_for_python_are_held_exactly() -> None:
    assert type(int_from_text("12")) is int
    assert type(int_from_text("1" * 5000)) is BigInt
    assert int_from_text("-" + "1" * 5000) == BigInt("-" + "1" * 5000)
    assert float_from_text("1.5") == 1.5
    assert type(float_from_text("1e400")) is BigFloat
    assert type(float_from_text("-1E400")) is BigFloat
    assert type(float_from_text("1e-400")) is BigFloat
    assert float_from_text("0.0e-400") == 0.0  # a zero is a zero
    with pytest.raises(BadValue, match=r"^the number '1e99999999999999999999' is out of range$"):
        float_from_text("1e99999999999999999999")


class Colour(enum.IntEnum):
    RED = 1


class Real(float):
    pass


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (Colour.RED, 1, True),
        (Real(1.5), 1.5, True),
        (Real("nan"), math.nan, True),
        ({1, 2}, frozenset({1, 2}), True),
        ([1, [2]], (1, (2,)), True),
        (Decimal("NaN"), math.nan, True),
        (Decimal("1"), 1, False),
        (Fraction(1, 2), Fraction(2, 4), True),
        (BigInt("5"), 5, True),
        (object, object, True),
    ],
)
def test_keys_of_python_values(a: Any, b: Any, equal: bool) -> None:
    assert (key(a) == key(b)) is equal
    hash(key(a))


def test_the_markers_inside_keys_read_well_and_survive_pickling() -> None:
    import pickle

    assert repr(key(True)) == "_TRUE"
    assert repr(key(1.5)) == "(_FLOAT, 1.5)"
    assert pickle.loads(pickle.dumps(key(True))) is key(True)
    assert pickle.loads(pickle.dumps(key({"a": math.nan}))) == key({"a": math.nan})


def test_keys_refuse_values_nested_too_deeply() -> None:
    for container in (list, tuple, frozenset):
        value: Any = 0
        for _ in range(101):
            value = container([value])
        with pytest.raises(BadValue, match=r"^a value is nested more than 100 deep$"):
            key(value)
    deep: Any = 0
    for _ in range(101):
        deep = {"k": deep}
    with pytest.raises(BadValue):
        key(deep)


@given(
    st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(max_size=3),
            st.fractions(),
            st.sampled_from([Keyword("a"), Symbol("a")]),
        ),
        lambda items: st.one_of(
            st.lists(items, max_size=3).map(tuple),
            st.frozensets(st.one_of(st.integers(), st.text(max_size=2)), max_size=3),
            st.dictionaries(st.text(max_size=2), items, max_size=2),
        ),
        max_leaves=8,
    )
)
def test_a_value_shown_from_its_key_is_a_value_of_the_same_key(value: Any) -> None:
    assert key(value_of(key(value))) == key(value)
    assert len(show_value(value)) < 1000


def test_values_are_shown_bounded_and_exact_as_far_as_they_go() -> None:
    assert show_value(10**50) == "10000000000000000000...(51 digits)...0000000000"
    assert show_value(BigInt("7" * 5000)) == "77777777777777777777...(5000 digits)...7777777777"
    assert show_value(BigFloat("1e400")) == "1E+400"
    assert show_value(Decimal("2.50")) == "2.50M"
    assert show_value(Fraction(-1, 3)) == "-1/3"
    assert show_value(Keyword("x" * 100)).endswith("...(100 characters)")
    assert show_value(Symbol("s")) == "s"
    assert show_value("a" * 100) == "'" + "a" * 30 + "'...(100 characters)...'" + "a" * 10 + "'"
    huge = 1 << 20_000
    assert show_value(huge).startswith("<an integer of 20001 bits ending in ...")
    assert show_value((1, (2, (3, (4, (5, (6,))))))) == "(1, (2, (3, (4, (...)))))"
    assert shorten("abc", 10) == "abc"


def test_showing_a_value_never_raises() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError

    def iterate(self: object) -> Any:
        raise RuntimeError

    # Named as the built-in type, so that the rendering takes it for one, and fails to iterate it.
    lying = type("tuple", (tuple,), {"__iter__": iterate})((1,))
    assert show_value(Broken()) == "<Broken object; its repr raised RuntimeError>"
    assert show_value(lying) == "<tuple object; showing it raised RuntimeError>"
    assert show_value("x" * 10) == "'xxxxxxxxxx'"


# -- Seq ----------------------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.sampled_from(["push", "first", "last"]), st.integers(0, 3)), max_size=40))
def test_a_seq_behaves_as_a_list_and_equals_any_seq_of_the_same_items(moves: list[tuple[str, int]]) -> None:
    seq, items = Seq.EMPTY, list[int]()
    for move, item in moves:
        if move == "push":
            seq, items = seq.push(item), [*items, item]
        elif items and move == "first":
            assert seq.first() == items[0]
            seq, items = seq.pop_first(), items[1:]
        elif items:
            assert seq.last() == items[-1]
            seq, items = seq.pop_last(), items[:-1]
        assert list(seq) == items
        assert len(seq) == len(items)
        assert bool(seq) is bool(items)
        assert seq == Seq.of(items)
        assert hash(seq) == hash(Seq.of(items))


def test_a_seq_popped_at_one_end_then_the_other_reverses_its_chains() -> None:
    seq = Seq.of([1, 2, 3])
    assert seq.pop_first().pop_last() == Seq.of([2])
    assert seq.pop_last().pop_first().first() == 2
    assert Seq.EMPTY.push(1).pop_first().push(2).last() == 2
    front = Seq.of([1, 2, 3]).pop_first()  # the items are now on the front chain only
    assert front.last() == 3
    assert front.pop_last() == Seq.of([2])
    assert repr(seq) == "Seq([1, 2, 3])"
    assert seq != (1, 2, 3)
    assert Seq.of([1, 2]) != Seq.of([2, 1])
    for empty in (Seq.EMPTY.first, Seq.EMPTY.last, Seq.EMPTY.pop_first, Seq.EMPTY.pop_last):
        with pytest.raises(IndexError):
            empty()
