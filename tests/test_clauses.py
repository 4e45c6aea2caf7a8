"""Clauses as data, and replayable programs."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from spec import Clause, Clauses, ClauseViolation, Violation
from spec._core.program import Program, literal, show


def test_clause_ids_titles_and_text_are_checked() -> None:
    clause = Clause("Q1", "FIFO", "pop() must return the oldest item.")
    assert str(clause) == "Q1 (FIFO): pop() must return the oldest item."
    with pytest.raises(ValueError, match="clause id 'q1' is not a prefix plus a number"):
        Clause("q1", "FIFO", "text")
    with pytest.raises(ValueError, match="clause Q2 needs a title and a one-line text"):
        Clause("Q2", "", "text")
    with pytest.raises(ValueError, match="clause Q2 needs a title and a one-line text"):
        Clause("Q2", "t", "two\nlines")


def test_clauses_collection() -> None:
    a, b = Clause("X1", "a", "A."), Clause("X2", "b", "B.")
    clauses = Clauses(a, b)
    assert list(clauses) == [a, b]
    assert len(clauses) == 2
    assert clauses["X2"] is b
    assert "X1" in clauses
    assert "X3" not in clauses
    assert repr(clauses) == "Clauses(X1, X2)"
    with pytest.raises(KeyError):
        clauses["X3"]
    with pytest.raises(ValueError, match="duplicate clause id X1"):
        Clauses(a, a)
    with pytest.raises(ValueError, match="a contract needs at least one clause"):
        Clauses()
    with pytest.raises(ValueError, match="duplicate clause title 'a'"):
        Clauses(a, Clause("X3", "a", "Another A."))


def test_a_clause_is_found_by_its_title_wherever_it_stands() -> None:
    a, b = Clause("X1", "a", "A."), Clause("X2", "b", "B.")
    assert Clauses(a, b).id_of("b") == "X2"
    assert Clauses(b, a).id_of("b") == "X2"
    with pytest.raises(KeyError, match="no clause titled 'c'"):
        Clauses(a, b).id_of("c")


def test_clause_violation_is_an_assertion_error_carrying_the_evidence() -> None:
    violation = Violation(Clause("X1", "a", "A."), "went wrong", expected="1", actual="2", program=("f()",))
    error = ClauseViolation(violation)
    assert isinstance(error, AssertionError)
    assert str(error) == "X1 (a) violated: went wrong"
    assert error.violation is violation


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (None, "None"),
        (True, "True"),
        (0.1, "0.1"),
        ("s", "'s'"),
        (b"b", "b'b'"),
        (float("nan"), "float('nan')"),
        (float("inf"), "float('inf')"),
        (float("-inf"), "-float('inf')"),
        ([1], None),
        (Fraction(1, 3), None),
    ],
)
def test_literals(value: object, text: str | None) -> None:
    assert literal(value) == text
    if text is not None:
        back = eval(text)
        assert back == value or (math.isnan(back) and math.isnan(value))  # type: ignore[arg-type]


def test_program_names_values_and_renders() -> None:
    program = Program(("from m import F",))
    program.add("q = F()")
    assert program.name(3) == "3"
    assert program.name([0]) == "x1"
    assert program.name(Fraction(1, 3), prefix="v") == "v2"
    program.need("from fractions import Fraction")  # already needed: not twice
    mark = program.mark()
    program.add("probe()")
    program.truncate(mark)
    program.add("q.pop()", "len(q)")
    program.drop_last()
    assert program.lines() == (
        "from fractions import Fraction",
        "from m import F",
        "q = F()",
        "x1 = [0]",
        "v2 = Fraction(1, 3)",
        "q.pop()",
    )
    assert program.lines(ending=("assert q.pop() == 1",), replace_last=True)[-2:] == (
        "v2 = Fraction(1, 3)",
        "assert q.pop() == 1",
    )


class Plain:
    def __repr__(self) -> str:
        return "Plain()"


class Broken:
    def __repr__(self) -> str:
        raise ValueError


def test_show_abbreviates_and_survives_broken_reprs() -> None:
    assert show([1, None]) == "[1, None]"
    assert show(Plain()) == "Plain()"
    assert show(Broken()) == "<Broken object; its repr raised ValueError>"
    assert len(show("x" * 1000)) < 100
    assert show(list(range(100))).endswith("...]")
