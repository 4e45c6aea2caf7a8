"""Reading histories: the JSON format, the EDN reader, Jepsen history maps and log lines."""

from __future__ import annotations

import copy
import math
import pickle
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import spec.linearize.edn
from spec.linearize import (
    UNKNOWN,
    History,
    HistoryError,
    Operation,
    Raised,
    Recorder,
    dump_json,
    histories,
    read_history,
)
from spec.linearize.budget import Budget, OutOfBudget
from spec.linearize.edn import EDNError, Keyword, Symbol, read_all, read_one
from spec.linearize.histories import format_of, parse_history, parse_value, read_text
from spec.linearize.jepsen import _canonical_maps, _flat_maps, _map_event, _operations
from spec.linearize.values import BigFloat, BigInt

# -- operations and histories -------------------------------------------------


def test_an_operation_without_return_is_pending_with_unknown_output() -> None:
    op = Operation(0, "pop", None, 7, 1, None)
    assert op.pending
    assert op.output is UNKNOWN
    done = Operation(1, "push", 3, None, 0, 2)
    assert not done.pending
    assert done.precedes(Operation(2, "pop", None, 3, 3, 4))
    assert not done.precedes(Operation(2, "pop", None, 3, 2, 4))  # equal times overlap
    assert not op.precedes(done)


@pytest.mark.parametrize(
    ("call", "ret", "message"),
    [
        (float("nan"), 1, "call time nan of pop is not a finite number"),
        (True, 1, "call time True of pop is not a finite number"),
        ("0", 1, "call time '0' of pop is not a finite number"),
        (0, float("inf"), "return time inf of pop is not a finite number"),
        (5, 4, "pop returns at 4, before its call at 5"),
    ],
)
def test_operations_with_bad_times_are_refused(call: object, ret: object, message: str) -> None:
    with pytest.raises(HistoryError) as caught:
        Operation(0, "pop", None, None, call, ret, line=3)  # type: ignore[arg-type]
    assert str(caught.value) == f"line 3: {message}"
    with pytest.raises(HistoryError) as caught:
        Operation(0, "pop", None, None, call, ret)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_unknown_and_raised_read_well_and_unknown_is_one_object() -> None:
    assert repr(UNKNOWN) == "UNKNOWN"
    assert repr(Raised("IndexError")) == "raises IndexError"
    assert copy.deepcopy(UNKNOWN) is UNKNOWN
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN


def test_history_is_an_immutable_sequence() -> None:
    ops = [Operation("a", "push", 1, None, 0, 1), Operation("b", "pop", None, 1, 2, 3)]
    history = History(ops)
    assert len(history) == 2
    assert list(history) == ops
    assert history[1] is ops[1]
    assert history[:1] == History(ops[:1])
    assert history != ops
    assert hash(history) == hash(History(ops))
    assert history.clients == ("a", "b")
    assert repr(History(ops[:1])) == f"History([{ops[0]!r}])"
    with pytest.raises(HistoryError, match=r"^element 1 of the history is 'x', not an Operation$"):
        History([ops[0], "x"])  # type: ignore[list-item]


def test_recorder_times_every_call_and_keeps_open_ones_pending() -> None:
    recorder = Recorder()
    first = recorder.begin(0, "push", 1)
    second = recorder.begin(1, "pop")
    recorder.end(first, None)
    third = recorder.begin(0, "pop")
    recorder.end(third, Raised("IndexError"))
    assert list(recorder.history()) == [
        Operation(0, "push", 1, None, 0, 2),
        Operation(0, "pop", None, Raised("IndexError"), 3, 4),
        Operation(1, "pop", None, UNKNOWN, 1, None),
    ]
    recorder.end(second, 1)
    with pytest.raises(KeyError):
        recorder.end(second, 1)


# -- JSON -----------------------------------------------------------------------

EXAMPLE = """{"operations": [
  {"client": 0, "op": "push", "input": 1, "call": 0, "return": 3},
  {"client": 1, "op": "pop", "output": 1, "call": 1, "return": 4},
  {"client": "c", "op": "pop", "raises": "IndexError", "call": 5, "return": 6},
  {"client": 3, "op": "cas", "input": [1, [2, 3]], "call": 7, "return": null}
]}
"""


def test_json_history_reads_every_field() -> None:
    history = histories.parse_json(EXAMPLE)
    assert list(history) == [
        Operation(0, "push", 1, None, 0, 3, line=2),
        Operation(1, "pop", None, 1, 1, 4, line=3),
        Operation("c", "pop", None, Raised("IndexError"), 5, 6, line=4),
        Operation(3, "cas", (1, (2, 3)), UNKNOWN, 7, None, line=5),
    ]


def test_json_history_may_be_a_bare_array_and_other_keys_are_ignored_around_it() -> None:
    assert len(histories.parse_json('[{"client": 0, "op": "read", "call": 0, "return": 1}]')) == 1
    assert len(histories.parse_json("[]")) == 0
    text = '{"model": "queue", "operations": [], "note": {"a": [1, 2]}}'
    assert len(histories.parse_json(text)) == 0


def test_dump_json_reads_back_the_same_history() -> None:
    history = histories.parse_json(EXAMPLE)
    again = histories.parse_json(dump_json(history))
    assert [(op.client, op.name, op.input, op.output, op.call, op.ret) for op in again] == [
        (op.client, op.name, op.input, op.output, op.call, op.ret) for op in history
    ]
    with pytest.raises(TypeError):
        dump_json(History([Operation(0, "push", object(), None, 0, 1)]))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"operations": [\n  {"client": 0,, }\n]}', "line 2: Expecting property name enclosed in double quotes"),
        ('{"ops": []}', 'line 1: a JSON history needs an "operations" array'),
        ('{"operations":\n {"a": 1}}', "line 2: the operations must be an array"),
        ("[\n 3\n]", "line 2: an operation must be an object, got 3"),
        ('[\n\n {"client": 0, "op": "pop", "call": 0, "retrun": 1}]', "line 3: unknown key 'retrun'"),
        ('[{"op": "pop", "call": 0}]', "line 1: the operation has no 'client'"),
        ('[{"client": 0, "call": 0}]', "line 1: the operation has no 'op'"),
        ('[{"client": 0, "op": "pop"}]', "line 1: the operation has no 'call'"),
        ('[{"client": true, "op": "pop", "call": 0}]', "line 1: 'client' must be an integer or a string, got True"),
        ('[{"client": 0, "op": "", "call": 0}]', "line 1: 'op' must be a non-empty string, got ''"),
        ('[{"client": 0, "op": "pop", "raises": 1, "call": 0}]', "line 1: 'raises' must be the exception's name"),
        (
            '[{"client": 0, "op": "pop", "output": 1, "raises": "E", "call": 0}]',
            "line 1: an operation has an 'output' or 'raises', not both",
        ),
        ('[{"client": 0, "op": "pop", "input": {"a": 1}, "call": 0}]', "line 1: inputs and outputs cannot be objects"),
        (
            '[{"client": 0, "op": "pop", "call": 0},\n {"client": 0, "op": "pop", "call": 2, "return": 1}]',
            "line 2: pop",
        ),
    ],
)
def test_malformed_json_names_the_line(text: str, message: str) -> None:
    with pytest.raises(HistoryError) as caught:
        histories.parse_json(text)
    assert str(caught.value).startswith(message)


# -- EDN ------------------------------------------------------------------------


def test_edn_reader_reads_every_kind_of_value() -> None:
    text = r"""
    nil true false 42 -7 +3 42N 1.5 -2e3 1.5M "a\"b\n\t\\\u0041" \a \newline \u0041
    :ok :jepsen.util/x sym (1 2) [3 [4]] {:a 1, "b" nil} #{1 2} ; a comment
    #_ ignored #inst "2024" #{} {}
    """
    values = [value for _, value in read_all(text)]
    assert values == [
        None,
        True,
        False,
        42,
        -7,
        3,
        42,
        1.5,
        -2000.0,
        1.5,
        'a"b\n\t\\A',
        "a",
        "\n",
        "A",
        Keyword("ok"),
        Keyword("jepsen.util/x"),
        Symbol("sym"),
        (1, 2),
        (3, (4,)),
        {Keyword("a"): 1, "b": None},
        frozenset({1, 2}),
        "2024",
        frozenset(),
        {},
    ]
    assert repr(Keyword("ok")) == ":ok"
    assert repr(Symbol("x")) == "x"
    assert [line for line, _ in read_all("1\n\n2 3\n")] == [1, 3, 3]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(1 2", "line 1: '(' is never closed"),
        ("\n]", "line 2: unexpected ']'"),
        ("{:a}", "line 1: a map needs an even number of forms"),
        ("#{{:a 1}}", "line 1: a map key or set element is or holds a map, which cannot be one"),
        ('\n\n"\\q"', "line 3: unknown escape \\q in a string"),
        ("1.2.3", "line 1: '1.2.3' is not a number, keyword or symbol"),
        (":", "line 1: ':' is not a number, keyword or symbol"),
        ("#", "line 1: unexpected '#'"),
        ("#_", "line 1: a #_ or a tag with no form after it"),
    ],
)
def test_malformed_edn_names_the_line(text: str, message: str) -> None:
    with pytest.raises(EDNError) as caught:
        read_all(text)
    assert str(caught.value) == message
    assert caught.value.line == int(message.split()[1].rstrip(":"))


def test_read_one_wants_exactly_one_form_and_offsets_its_lines() -> None:
    assert read_one("[1 2]") == (1, 2)
    with pytest.raises(EDNError, match=r"^line 7: more than one form$"):
        read_one("1 2", line=7)
    with pytest.raises(EDNError, match=r"^line 8: '\(' is never closed$"):
        read_one("\n(", line=7)


# -- Jepsen ---------------------------------------------------------------------

EDN_HISTORY = """\
{:process 0, :type :invoke, :f :write, :value 1}
{:process 1, :type :invoke, :f :cas, :value [1 2]}
{:process :nemesis, :type :info, :f :start, :value nil}
{:process 0, :type :ok, :f :write, :value 1}
{:process 1, :type :fail, :f :cas, :value [1 2]}
{:process 0, :type :invoke, :f :read, :value nil}
{:process 0, :type :fail, :f :read, :value :timed-out}
{:process 2, :type :invoke, :f :write, :value 3}
{:process 2, :type :info, :f :write, :value :timed-out}
{:process 3, :type :invoke, :f :read, :value nil}
{:process 3, :type :ok, :f :read, :value 1}
{:process 4, :type :invoke, :f :cas, :value [1 4]}
{:process 4, :type :ok, :f :cas, :value [1 4]}
{:process 5, :type :invoke, :f :read, :value nil}
"""


def test_jepsen_events_pair_up_as_the_module_says() -> None:
    # A failed operation did not happen: the failed cas and read are left out.
    assert list(histories.parse_edn(EDN_HISTORY)) == [
        Operation(0, "write", 1, 1, 0, 3, line=1),
        Operation(2, "write", 3, UNKNOWN, 7, None, line=8),
        Operation(3, "read", None, 1, 9, 10, line=10),
        Operation(4, "cas", (1, 4), True, 11, 12, line=12),
        Operation(5, "read", None, UNKNOWN, 13, None, line=14),
    ]
    # Porcupine's reading of its etcd logs: a failed cas returned false.
    assert list(histories.parse_edn(EDN_HISTORY, fail_means="false"))[1] == Operation(
        1, "cas", (1, 2), False, 1, 4, line=2
    )


def test_edn_history_may_be_one_vector_and_keys_make_pairs() -> None:
    text = (
        '[{:process 0 :type :invoke :f :get :key "k" :value nil}\n {:process 0 :type :ok :f :get :key "k" :value "x"}]'
    )
    assert list(histories.parse_edn(text)) == [Operation(0, "get", ("k", None), "x", 0, 1, line=1)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{:process 0, :type :invoke, :f :read}\n[1]", "line 2: expected a history map"),
        ("{:process 0, :f :read}", "line 1: the history map has no :type"),
        ("{:process 0, :type :done, :f :read}", "line 1: :type must be :invoke, :ok, :fail or :info, got :done"),
        ("{:process 0, :type :ok, :f 3}", "line 1: :f must be a keyword, got 3"),
        (
            "{:process 0, :type :invoke, :f :read}\n{:process 0, :type :invoke, :f :write}",
            "line 2: process 0 invokes write while its read from line 1 has not completed",
        ),
        ("\n{:process 0, :type :ok, :f :read}", "line 2: process 0 completes read it never invoked"),
        (
            "{:process 0, :type :invoke, :f :read}\n{:process 0, :type :ok, :f :write}",
            "line 2: process 0 completes write, but invoked read on line 1",
        ),
        ("{:process 0, :type :invoke, :f :read", "line 1: '{' is never closed"),
    ],
)
def test_malformed_edn_history_names_the_line(text: str, message: str) -> None:
    with pytest.raises(HistoryError) as caught:
        histories.parse_edn(text)
    assert str(caught.value).startswith(message)


LOG = """\
2015-01-01 INFO  jepsen.core - Running test
INFO  jepsen.util - 0\t:invoke\t:read\tnil
INFO  jepsen.util - :nemesis\t:info\t:start\tnil
INFO  jepsen.util - 3   :invoke :cas    [0 4]
INFO  jepsen.util - 0\t:ok\t:read\t2
INFO  jepsen.util - Timed out
INFO  jepsen.util - 3   :info   :cas    :timed-out
"""


def test_jepsen_log_lines_are_events_and_other_lines_are_not() -> None:
    assert list(histories.parse_jepsen_log(LOG)) == [
        Operation(0, "read", None, 2, 0, 2, line=2),
        Operation(3, "cas", (0, 4), UNKNOWN, 1, None, line=4),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\nINFO  jepsen.util - 0 :invoke :read", "line 2: expected 'PROCESS TYPE F VALUE' after jepsen.util"),
        ("\n\nINFO  jepsen.util - 0 :invoke :read [1", "line 3: '[' is never closed"),
        ("INFO  jepsen.util - 0 invoke :read nil", "line 1: :type must be :invoke, :ok, :fail or :info, got invoke"),
    ],
)
def test_malformed_log_lines_name_the_line(text: str, message: str) -> None:
    with pytest.raises(HistoryError) as caught:
        histories.parse_jepsen_log(text)
    assert str(caught.value).startswith(message)


# -- files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("h.json", EXAMPLE),
        ("h.edn", EDN_HISTORY),
        ("h.log", LOG),
        ("h.txt", EXAMPLE),
        ("h.txt", "  [ ]"),
        ("h.txt", EDN_HISTORY),
        ("h.txt", LOG),
    ],
)
def test_read_history_tells_the_format_by_suffix_or_content(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert len(read_history(path)) == len(read_history(str(path), _format_of(text)))


def _format_of(text: str) -> str:
    if "jepsen.util" in text:
        return "jepsen-log"
    return "edn" if ":process" in text else "json"


def test_read_history_says_why_it_cannot(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match=r"^cannot read '.*missing.json': No such file or directory$"):
        read_history(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe")
    with pytest.raises(
        HistoryError, match=r"^cannot read '.*bad.json': it is not UTF-8 text \(invalid start byte at byte 0\)$"
    ):
        read_history(tmp_path / "bad.json")
    (tmp_path / "h.txt").write_text("hello")
    with pytest.raises(
        HistoryError, match=r"^cannot tell the format of '.*h.txt'; give one of: json, edn, jepsen-log$"
    ):
        read_history(tmp_path / "h.txt")
    with pytest.raises(HistoryError, match=r"^unknown history format 'xml' \(known: json, edn, jepsen-log\)$"):
        read_history(tmp_path / "h.txt", "xml")


# -- EDN: what Jepsen writes ------------------------------------------------------


def test_edn_reader_reads_ratios_symbolic_values_tags_and_big_numbers() -> None:
    text = r"""
    1/2 -3/6 4/2 ##Inf ##-Inf ##NaN 42N 1.5M 1e400 1e-400 0e5 + - :jepsen.history/op
    #uuid "0b0c" #jepsen.history.Op{:index 0} #_ #_ 1 2 3 [#_ 4 5] \backspace \formfeed \o101 \( \u00e9
    """
    values = [value for _, value in read_all(text)]
    assert values[:3] == [Fraction(1, 2), Fraction(-1, 2), 2]
    assert type(values[2]) is int
    assert values[3:5] == [math.inf, -math.inf]
    assert math.isnan(values[5])
    assert values[6:8] == [42, Decimal("1.5")]
    assert values[8] == BigFloat("1e400")
    assert type(values[8]) is BigFloat
    assert values[9] == BigFloat("1e-400")
    assert values[10] == 0.0
    assert values[11:14] == [Symbol("+"), Symbol("-"), Keyword("jepsen.history/op")]
    assert values[14:] == ["0b0c", {Keyword("index"): 0}, 3, (5,), "\b", "\f", "A", "(", "é"]


def test_edn_integers_of_any_length_are_exact() -> None:
    huge = "7" * 10_000
    [(_, value)] = read_all(huge + "N")
    assert type(value) is BigInt
    assert value == BigInt(huge)
    assert str(value) == huge
    assert read_one("-" + huge) == BigInt("-" + huge)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("##Foo", "line 1: unknown symbolic value '##Foo' (known: ##Inf, ##-Inf, ##NaN)"),
        ("\\foo", "line 1: unknown character '\\\\foo'"),
        ("\\", "line 1: a backslash with no character after it"),
        ('"abc', "line 1: a string is never closed"),
        ("017", "line 1: '017' is not a number, keyword or symbol"),
        ("1/0", "line 1: '1/0' is not a number, keyword or symbol"),
        ("::a", "line 1: '::a' is not a number, keyword or symbol"),
        (
            f"{'1' * 5000}/3",
            "line 1: the number '111111111111111111111111111111'...(5002 characters)...'11111111/3' is out of",
        ),
        ("1e99999999999999999999", "line 1: the number '1e99999999999999999999' is out of range"),
        ("\n\n#{1 1}", "line 3: a map key or set element appears twice"),
        ("{:a 1 :a 2}", "line 1: a map key or set element appears twice"),
        ("[#_]", "line 1: a #_ or a tag with no form after it"),
        ("#inst", "line 1: a #_ or a tag with no form after it"),
        ("[" * 101 + "]" * 101, "line 1: a value is nested more than 100 deep"),
        ('"\\q"', "line 1: unknown escape \\q in a string"),
    ],
)
def test_malformed_edn_of_every_kind_names_the_line(text: str, message: str) -> None:
    with pytest.raises(EDNError) as caught:
        read_all(text)
    assert str(caught.value).startswith(message)


def test_edn_strings_over_several_lines_count_their_lines() -> None:
    assert read_all('"a\nb" 1\n"c\n\nd" \n2') == [(1, "a\nb"), (2, 1), (3, "c\n\nd"), (6, 2)]
    assert read_all('[#_ "x\ny" 1]\n2') == [(1, (1,)), (3, 2)]
    assert read_all('[[["x\ny"] [[]]]]\n1') == [(1, ((("x\ny",), ((),)),)), (3, 1)]


def test_a_one_vector_edn_text_gives_each_element_its_line() -> None:
    text = "[{:a 1}\n {:b 2}\n\n 3\n #_ 4 5]\n"
    assert read_all(text, elements=True) == [(1, {Keyword("a"): 1}), (2, {Keyword("b"): 2}), (4, 3), (5, 5)]
    assert read_all("(1\n2)", elements=True) == [(1, 1), (2, 2)]
    assert read_all("[1]\n[2]", elements=True) == [(1, (1,)), (2, (2,))]  # two forms: the forms themselves
    assert read_all("[1\n2] #_[3\n4]", elements=True) == [(1, 1), (2, 2)]


def test_the_edn_reader_works_a_chunk_at_a_time_and_can_be_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec.linearize.edn, "_CHUNK", 8)
    lines: list[int] = []
    text = '1\n"a long string\nover lines"\n' + "\n".join(str(n) for n in range(2, 40)) + '\n"x"'
    forms = read_all(text, check=lines.append)
    assert [value for _, value in forms] == [1, "a long string\nover lines", *range(2, 40), "x"]
    assert forms[-1][0] == 42
    assert len(lines) > 5
    assert lines == sorted(lines)


def test_read_one_reads_atoms_and_flat_vectors_quickly_and_the_rest_fully() -> None:
    assert read_one("nil") is None
    assert read_one("[1  nil :a]") == (1, None, Keyword("a"))
    assert read_one('[1 "two"]') == (1, "two")
    assert read_one('"a\\nb"') == "a\nb"
    with pytest.raises(EDNError, match=r"^line 4: no form$"):
        read_one(" ", line=4)
    with pytest.raises(EDNError, match=r"^line 2: '1\.2\.3' is not a number, keyword or symbol$"):
        read_one("[1.2.3]", line=2)


def test_keywords_and_symbols_are_interned_and_immutable() -> None:
    assert Keyword("ok") is Keyword("ok")
    others: list[object] = [Symbol("ok"), "ok"]
    assert all(other != Keyword("ok") for other in others)
    assert pickle.loads(pickle.dumps(Keyword("ok"))) is Keyword("ok")
    assert copy.deepcopy(Symbol("x")) is Symbol("x")
    with pytest.raises(AttributeError, match=r"^Keyword is immutable$"):
        Keyword("ok").name = "no"


# -- Jepsen: :fail, :info, and the fast path ---------------------------------------------------------------


def test_a_failed_operation_did_not_happen_unless_fail_means_false_for_a_cas() -> None:
    text = (
        "{:process 0, :type :invoke, :f :cas, :value [1 2]}\n{:process 0, :type :fail, :f :cas, :value [1 2]}\n"
        "{:process 1, :type :invoke, :f :write, :value 3}\n{:process 1, :type :fail, :f :write, :value 3}\n"
    )
    assert list(histories.parse_edn(text)) == []
    assert list(histories.parse_edn(text, fail_means="false")) == [Operation(0, "cas", (1, 2), False, 0, 1, line=1)]
    log = "INFO jepsen.util - 0 :invoke :cas [1 2]\nINFO jepsen.util - 0 :fail :cas [1 2]\n"
    assert list(histories.parse_jepsen_log(log)) == []
    [failed] = histories.parse_jepsen_log(log, fail_means="false")
    assert failed.output is False
    with pytest.raises(HistoryError, match=r"^fail_means must be one of absent, false, got 'maybe'$"):
        histories.parse_edn(text, fail_means="maybe")
    with pytest.raises(HistoryError, match=r"^fail_means must be one of absent, false, got 'maybe'$"):
        parse_history(text, "edn", fail_means="maybe")


def test_a_lone_info_is_an_operation_that_may_have_happened_at_any_time_after_it() -> None:
    text = (
        "{:process 0, :type :info, :f :write, :value 1}\n"
        '{:process 1, :type :info, :f :put, :key "k", :value "x"}\n'
        "{:process 0, :type :invoke, :f :read, :value nil}\n{:process 0, :type :ok, :f :read, :value 1}\n"
    )
    assert list(histories.parse_edn(text)) == [
        Operation(0, "write", 1, UNKNOWN, 0, None, line=1),
        Operation(1, "put", ("k", "x"), UNKNOWN, 1, None, line=2),
        Operation(0, "read", None, 1, 2, 3, line=3),
    ]
    with pytest.raises(HistoryError, match=r"^line 1: process 0 completes write it never invoked$"):
        histories.parse_edn("{:process 0, :type :ok, :f :write, :value 1}")


def test_maps_may_carry_other_keys_and_blank_lines() -> None:
    text = (
        "\n{:index 0, :time 123, :process 0, :type :invoke, :f :read, :value nil}\n\n"
        '{:process 0, :type :ok, :f "read", :value [1 2], :time 456}\n'
    )
    assert list(histories.parse_edn(text)) == [Operation(0, "read", None, (1, 2), 0, 1, line=2)]


def test_a_map_key_twice_is_refused_on_either_path() -> None:
    with pytest.raises(HistoryError, match=r"^line 1: a map key appears twice$"):
        histories.parse_edn("{:process 0, :type :invoke, :f :read, :f :write}")
    with pytest.raises(HistoryError, match=r"^line 1: a map key or set element appears twice$"):
        histories.parse_edn("[{:process 0, :type :invoke, :f :read, :f :write}]")


PLAIN = st.one_of(
    st.integers(-5, 10**20),
    st.sampled_from(["nil", "true", ":ok", ":x/y", "sym", "1.5", "1/2", "##NaN", "[1 2]", "[]", '"s t"', '"é"']),
)


@st.composite
def history_maps(draw: st.DrawFn) -> str:
    canonical = draw(st.booleans())  # Knossos's order, or any order with other keys too
    lines = []
    for process in draw(st.lists(st.integers(0, 3), max_size=8)):
        f = draw(st.sampled_from([":read", ":write", '"cas"'] if not canonical else [":read", ":write"]))
        fields = [("process", str(process)), ("type", ":invoke"), ("f", f)]
        if draw(st.booleans()):
            fields.append(("key", str(draw(PLAIN))))
        fields.append(("value", str(draw(PLAIN))))
        if not canonical:
            if draw(st.booleans()):
                fields.append(("time", str(draw(PLAIN))))
            fields = draw(st.permutations(fields))
        separator = draw(st.sampled_from([", ", " ", ",", " , "]))
        lines.append("{" + separator.join(f":{k} {v}" for k, v in fields) + "}")
        done = [("process", str(process)), ("type", draw(st.sampled_from([":ok", ":fail", ":info"]))), ("f", f)]
        done.append(("value", str(draw(PLAIN))))
        lines.append("{" + ", ".join(f":{k} {v}" for k, v in done) + "}")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "  ", ","])))
    return "\n".join(lines)


@given(history_maps())
def test_the_fast_paths_for_plain_maps_read_what_the_full_reader_reads(text: str) -> None:
    full = []
    for number, form in read_all(text, elements=True):
        full.append(_map_event(number, {k.name: v for k, v in form.items() if type(k) is Keyword}))
    count = text.count("\n") + 1
    canonical = spec.linearize.jepsen._CANONICAL.findall(text)
    flat = spec.linearize.jepsen._FLAT_LINE.findall(text)
    assert len(flat) == count  # every text here goes one of the fast ways
    if len(canonical) == count:
        assert [_key(event) for event in _canonical_maps(canonical, None)] == [_key(event) for event in full]
    assert [_key(event) for event in _flat_maps(flat, None)] == [_key(event) for event in full]
    # By repr: an operation holding NaN equals another only if it is the same
    # NaN object, which 3.13's reader and this one need not share.
    assert list(map(repr, _operations(full, "absent"))) == list(map(repr, histories.parse_edn(text)))


def _key(event: tuple[Any, ...]) -> Any:
    from spec.linearize.values import key

    return tuple(key(part) for part in event)


def test_the_fast_path_calls_check_every_few_thousand_lines() -> None:
    events = [f"{{:process {i % 7}, :type :invoke, :f :read, :value nil}}" for i in range(9000)]
    text = "\n".join(line for i, event in enumerate(events) for line in (event, event.replace(":invoke", ":ok")))
    seen: list[int] = []
    assert len(histories.parse_edn(text, check=seen.append)) == 9000
    assert seen == [4096, 8192, 12288, 16384]
    seen.clear()
    any_order = text.replace("{:process", "{:index 0, :process")  # not Knossos's order: the other fast way
    assert len(histories.parse_edn(any_order, check=seen.append)) == 9000
    assert seen == [4096, 8192, 12288, 16384]
    log = "\n".join(
        f"INFO jepsen.util - {i % 7} :invoke :read nil\nINFO jepsen.util - {i % 7} :ok :read 1" for i in range(3000)
    )
    seen.clear()
    assert len(histories.parse_jepsen_log(log, check=seen.append)) == 3000
    assert seen == [4096]


def test_log_lines_take_any_whitespace_and_windows_line_ends() -> None:
    log = "x jepsen.util - 0  :invoke\t:write   3 \r\nx jepsen.util -  0 :ok :write 3\r\n"
    assert list(histories.parse_jepsen_log(log)) == [Operation(0, "write", 3, 3, 0, 1, line=1)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("INFO jepsen.util - 0 :done :read nil", "line 1: :type must be :invoke, :ok, :fail or :info, got :done"),
        ("INFO jepsen.util - 0 :invoke 7 nil", "line 1: :f must be a keyword, got 7"),
        ("INFO jepsen.util - 0 :invoke :read [1", "line 1: '[' is never closed"),
        ("INFO jepsen.util - 0x :invoke :read nil", "line 1: expected 'PROCESS TYPE F VALUE' after jepsen.util, got"),
        ('{:process 0, :type "ok", :f :read}', "line 1: :type must be :invoke, :ok, :fail or :info, got 'ok'"),
    ],
)
def test_malformed_events_name_the_line(text: str, message: str) -> None:
    with pytest.raises(HistoryError) as caught:
        parse_history(text, "jepsen-log" if "jepsen.util" in text else "edn")
    assert str(caught.value).startswith(message)


def test_a_process_of_many_digits_is_a_process_too() -> None:
    process = "1" * 30
    log = f"INFO jepsen.util - {process} :invoke :read nil\nINFO jepsen.util - {process} :ok :read 1\n"
    assert [o.client for o in histories.parse_jepsen_log(log)] == [int(process)]


# -- JSON: numbers of any size, NaN ----------------------------------------------------------


def test_json_numbers_are_exact_and_nan_reads_back_as_nan() -> None:
    huge = "1" * 5000
    text = (
        f'[{{"client": {huge}, "op": "write", "input": [1e400, 1e-400, {huge}, 2.5], "call": 0, "return": 1}},\n'
        ' {"client": 1, "op": "read", "output": NaN, "call": Infinity}]'
    )
    with pytest.raises(HistoryError, match=r"^line 2: call time inf of read is not a finite number$"):
        histories.parse_json(text)
    first, _ = text.split("\n")
    [op] = histories.parse_json(first.rstrip(",") + "]")
    assert op.client == BigInt(huge)
    assert op.input == (BigFloat("1e400"), BigFloat("1e-400"), BigInt(huge), 2.5)
    [late] = histories.parse_json('[{"client": 1, "op": "read", "call": 0, "return": 1e400}]')
    assert late.ret == BigFloat("1e400")
    [nan] = histories.parse_json('[{"client": 1, "op": "read", "output": NaN, "call": 0, "return": 1}]')
    assert math.isnan(nan.output)


def test_parse_value_reads_one_value_in_the_files_notation() -> None:
    assert parse_value("[1, null]", "json") == (1, None)
    assert parse_value("1e400", "json") == BigFloat("1e400")
    assert parse_value("[1 nil]", "edn") == (1, None)
    assert parse_value(":ok", "jepsen-log") is Keyword("ok")
    with pytest.raises(HistoryError, match=r"^'nil' is not a JSON value: Expecting value$"):
        parse_value("nil", "json")
    with pytest.raises(HistoryError, match=r"^'\[1' is not an EDN value: '\[' is never closed$"):
        parse_value("[1", "edn")
    with pytest.raises(HistoryError, match=r"is not a JSON value: a value is nested more than 100 deep$"):
        parse_value("[" * 5000 + "]" * 5000, "json")
    with pytest.raises(HistoryError, match=r"^the value: inputs and outputs cannot be objects"):
        parse_value('{"a": 1}', "json")


# -- files and their limits -----------------------------------------------------------------------------


def test_read_text_keeps_a_budget(tmp_path: Path) -> None:
    path = tmp_path / "h.log"
    path.write_text("x" * 3_000_000)
    assert len(read_text(path, Budget())) == 3_000_000
    with pytest.raises(OutOfBudget) as caught:
        read_text(path, Budget(max_memory=2**20))
    assert caught.value.limit == "memory"
    assert format_of(path, "", "edn") == "edn"
    with pytest.raises(HistoryError, match=r"^unknown history format 'xml' \(known: json, edn, jepsen-log\)$"):
        parse_history("", "xml")
    with pytest.raises(HistoryError, match=r"^unknown history format 'xml' \(known: json, edn, jepsen-log\)$"):
        format_of(path, "", "xml")
