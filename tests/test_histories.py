"""Reading histories: the JSON format, the EDN reader, Jepsen history maps and log lines."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

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
from spec.linearize.edn import EDNError, Keyword, Symbol, read_all, read_one

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
        ("#{{:a 1}}", "line 1: a map key or set element is a map, which cannot be one"),
        ('\n\n"\\q"', "line 3: unknown escape \\q in a string"),
        ("1.2.3", "line 1: '1.2.3' is not a number, keyword or symbol"),
        (":", "line 1: ':' is not a number, keyword or symbol"),
        ("#", "line 1: unexpected character '#'"),
        ("#_", "line 1: unexpected end of input"),
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
    assert list(histories.parse_edn(EDN_HISTORY)) == [
        Operation(0, "write", 1, 1, 0, 3, line=1),
        Operation(1, "cas", (1, 2), False, 1, 4, line=2),
        Operation(2, "write", 3, UNKNOWN, 7, None, line=8),
        Operation(3, "read", None, 1, 9, 10, line=10),
        Operation(4, "cas", (1, 4), True, 11, 12, line=12),
        Operation(5, "read", None, UNKNOWN, 13, None, line=14),
    ]


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
    with pytest.raises(HistoryError, match=r"^cannot read '.*bad.json': .*codec can't decode"):
        read_history(tmp_path / "bad.json")
    (tmp_path / "h.txt").write_text("hello")
    with pytest.raises(
        HistoryError, match=r"^cannot tell the format of '.*h.txt'; give one of: json, edn, jepsen-log$"
    ):
        read_history(tmp_path / "h.txt")
    with pytest.raises(HistoryError, match=r"^unknown history format 'xml' \(known: json, edn, jepsen-log\)$"):
        read_history(tmp_path / "h.txt", "xml")
