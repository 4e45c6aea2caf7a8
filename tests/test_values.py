"""The value strategies: equal but distinct objects, spelled so that snippets keep them distinct."""

from __future__ import annotations

import math
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from spec._core.values import EDGE_SIZES, MAX_SIZE, container_items, sizes, spelling


@given(st.data())
def test_items_equal_across_draws_are_distinct_objects(data: st.DataObject) -> None:
    first = data.draw(container_items())
    second = data.draw(container_items())
    if first is second:
        # Only literals and singletons come back as the same object.
        assert spelling(first) is None
        assert not isinstance(first, list | dict | set | bytearray | SimpleNamespace)


@given(container_items())
def test_a_spelling_builds_a_fresh_equal_object(item: object) -> None:
    spelled = spelling(item)
    if spelled is None:
        return
    source, needed = spelled
    namespace: dict[str, object] = {}
    if needed:
        exec(needed, namespace)
    made = eval(source, namespace)
    made_again = eval(source, namespace)
    assert type(made) is type(item)
    assert made == item
    assert made is not made_again  # built at run time, not a shared constant


def test_spellings_of_each_kind() -> None:
    assert spelling(10**20) == ("int('100000000000000000000')", "")
    assert spelling(7) is None  # a cached small int: its literal is the object
    assert spelling("ab") == ("''.join(['a', 'b'])", "")
    assert spelling("a") is None
    assert spelling(b"ab") == ("bytes([97, 98])", "")
    assert spelling((1, None)) == ("tuple([1, None])", "")
    assert spelling(()) is None
    assert spelling(SimpleNamespace(n=1)) == ("SimpleNamespace(n=1)", "from types import SimpleNamespace")
    assert spelling([1]) is None
    assert spelling(math.nan) is None


@given(sizes())
def test_sizes_stay_within_bounds(size: int) -> None:
    assert 0 <= size <= MAX_SIZE


def test_edges_include_powers_of_two_bounds_and_recursion_depths() -> None:
    for size in (7, 8, 9, 40, 63, 64, 65, 100, 1000, 1025, 4096, 4097):
        assert size in EDGE_SIZES
