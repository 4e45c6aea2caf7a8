"""Contract options: one record, read alike from flags, keywords and attributes, and written back exactly."""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import strategies as st

import spec
from spec._core.options import (
    FLAGS,
    Items,
    Method,
    Options,
    Sentinel,
    exception_name,
    make_options,
    number_of,
    options_from,
    options_from_text,
)
from tests._support import run_cli

BYTES = st.binary()
NOT_A_STRATEGY = 3


class Boom(Exception):
    pass


def test_the_defaults_are_the_contracts_own() -> None:
    options = make_options()
    assert options == Options()
    assert options.given == ()
    assert options.command_line() == []
    assert options.keywords() == ""
    assert [options.method(part) for part in ("push", "pop", "peek", "len")] == [
        Method("push"),
        Method("pop"),
        Method("peek"),
        Method("__len__"),
    ]


def test_every_option_parsed_from_text() -> None:
    options = options_from_text(
        {
            "map": "push=put, pop=get_nowait,len=qsize",
            "empty": "queue.Empty,ValueError",
            "empty_returns": "None",
            "items": "bytes",
            "compare": "equal",
            "without": "peek",
        }
    )
    assert options.map == {"push": Method("put"), "pop": Method("get_nowait"), "len": Method("qsize")}
    assert options_from_text({"map": "peek=__getitem__:0"}).map == {"peek": Method("__getitem__", (0,))}
    assert options.empty == (queue.Empty, ValueError)
    assert options.empty_returns == Sentinel(None)
    assert options.items == Items("bytes")
    assert options.compare == "equal"
    assert options.without == frozenset({"peek"})
    assert options.given == ("map", "empty", "empty_returns", "items", "compare", "without")


def test_the_command_line_text_reads_back_as_the_same_options() -> None:
    options = make_options(
        map={"pop": "get_nowait", "peek": "__getitem__:-1"},
        empty=[asyncio.QueueEmpty, "builtins.LookupError"],
        empty_returns=b"",
        items="tests.test_options:BYTES",
        compare="equal",
        without=["len"],
    )
    flags = options.command_line()
    assert flags == [
        "--map",
        "pop=get_nowait,peek=__getitem__:-1",
        "--empty",
        "asyncio.QueueEmpty,LookupError",
        "--empty-returns",
        "b''",
        "--items",
        "tests.test_options:BYTES",
        "--compare",
        "equal",
        "--without",
        "len",
    ]
    texts = dict(zip(flags[::2], flags[1::2], strict=True))
    assert options_from_text({flag.name: texts[flag.flag] for flag in FLAGS}) == options
    assert options.keywords() == (
        "map='pop=get_nowait,peek=__getitem__:-1', empty='asyncio.QueueEmpty,LookupError', empty_returns=b'', "
        "items='tests.test_options:BYTES', compare='equal', without='len'"
    )


def test_a_strategy_object_has_no_command_line() -> None:
    options = make_options(items=st.integers())
    assert options.items.kind == "module:attr"
    assert options.command_line() is None
    assert options.keywords() == "items=<your strategy>"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"map": "push"}, "--map: expected PART=NAME, got 'push'"),
        ({"map": "push=put,"}, "--map: expected a comma-separated list, got 'push=put,'"),
        ({"map": ""}, "--map: expected a comma-separated list, got ''"),
        ({"map": "shove=put"}, "--map: unknown part 'shove' (parts: push, pop, peek, len)"),
        ({"map": "push=put,push=append"}, "--map: push is named twice"),
        ({"map": "pop=get-nowait"}, "--map: pop='get-nowait': 'get-nowait' is not a method name"),
        ({"map": "peek=__getitem__:x"}, "the argument must be a Python literal"),
        ({"map": {"push": 3}}, "--map: the method for push must be a name, got 3"),
        ({"map": 3}, "map: expected 'push=NAME,...' or a mapping, got 3"),
        ({"map": "len=qsize", "without": "len"}, "--map names a method for len, which --without says"),
        ({"empty": "no_such_module_at_all.Empty"}, "--empty: no exception named 'no_such_module_at_all.Empty'"),
        ({"empty": "queue.Nothing"}, "--empty: no exception named 'queue.Nothing'"),
        ({"empty": "queue.Queue"}, "--empty: 'queue.Queue' is not an exception class"),
        ({"empty": "queue:Queue"}, "--empty: 'queue:Queue' is not an exception class"),
        ({"empty": "a b"}, "--empty: 'a b' is not a dotted name"),
        ({"empty": "a:b:c"}, "--empty: 'a:b:c' is not a dotted name"),
        ({"empty": [int]}, "--empty: <class 'int'> is not an exception class"),
        ({"empty": []}, "--empty: name at least one exception"),
        ({"empty": 3}, "--empty: expected exception names or classes, got 3"),
        ({"empty_returns": float("nan")}, "--empty-returns must be None, a bool, an int, a float other than NaN"),
        ({"empty_returns": object}, "--empty-returns must be None, a bool, an int, a float other than NaN"),
        ({"items": "byte"}, "--items: unknown kind 'byte' (kinds: any, bytes, str, int, float, hashable, picklable"),
        ({"items": "tests.test_options:NOT_A_STRATEGY"}, "--items: 'tests.test_options:NOT_A_STRATEGY' is not a"),
        ({"items": "tests.test_options:NOTHING"}, "--items: 'tests.test_options' has no attribute 'NOTHING'"),
        ({"items": 3}, "--items: expected a kind or module:attr, got 3"),
        ({"compare": "same"}, "--compare: expected identity or equal, got 'same'"),
        ({"without": "push"}, "--without: 'push' is not an operation a target may lack (only: peek, len)"),
        ({"without": ["peek", "pop"]}, "--without: 'pop' is not an operation"),
    ],
)
def test_a_wrong_option_is_one_line(given: Mapping[str, object], message: str) -> None:
    with pytest.raises(spec.OptionError) as info:
        options_from(given)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_an_exception_whose_module_fails_to_import_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "breaks_on_import.py").write_text("raise RuntimeError('no')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(spec.OptionError, match=r"^--empty: importing 'breaks_on_import' raised RuntimeError: no$"):
        make_options(empty="breaks_on_import.Empty")


def test_unknown_option_names_are_refused() -> None:
    with pytest.raises(spec.OptionError, match=r"^unknown option 'item' \(known: map, empty, empty_returns"):
        options_from({"item": "bytes"})


@pytest.mark.parametrize(
    ("text", "value"),
    [("None", None), ("0", 0), ("-1", -1), ("b''", b""), ("'empty'", "empty"), ("False", False), ("2.5", 2.5)],
)
def test_empty_returns_reads_a_literal(text: str, value: object) -> None:
    sentinel = options_from_text({"empty_returns": text}).empty_returns
    assert sentinel is not None
    assert sentinel.value == value
    assert type(sentinel.value) is type(value)
    assert sentinel.text == text


@pytest.mark.parametrize("text", ["nothing", "[]", "float('nan')", "1 +", "x" * 3])
def test_empty_returns_refuses_what_is_not_a_plain_literal(text: str) -> None:
    with pytest.raises(spec.OptionError, match="--empty-returns must be"):
        options_from_text({"empty_returns": text})


def test_a_sentinel_matches_its_own_type_only() -> None:
    zero = Sentinel(0)
    assert zero.matches(0)
    assert not zero.matches(False)
    assert not zero.matches(0.0)
    assert Sentinel(None).matches(None)
    assert not Sentinel(b"").matches("")


def test_exception_names_read_back_as_the_class() -> None:
    assert exception_name(queue.Empty) == "queue.Empty"  # defined in _queue
    assert exception_name(asyncio.QueueEmpty) == "asyncio.QueueEmpty"  # defined in asyncio.queues
    assert exception_name(KeyError) == "KeyError"
    assert exception_name(Boom) == "tests.test_options.Boom"

    class Local(Exception):
        pass

    assert exception_name(Local) == "tests.test_options.test_exception_names_read_back_as_the_class.<locals>.Local"
    for name in ("queue.Empty", "asyncio.QueueEmpty", "KeyError", "tests.test_options.Boom", "tests.test_options:Boom"):
        (found,) = options_from_text({"empty": name}).empty
        assert exception_name(found) in name.replace(":", ".")


def test_number_of_reads_numbered_items_back() -> None:
    assert [number_of(kind, item) for kind, item in [("any", 3), ("str", "3"), ("bytes", b"3"), ("float", 3.5)]] == [
        3,
        3,
        3,
        3,
    ]
    for kind, item in [("any", True), ("str", "03"), ("str", "x"), ("float", 3.0), ("any", -1), ("int", [3])]:
        assert number_of(kind, item) is None
    assert number_of("float", float("inf")) is None


def test_keywords_override_a_record() -> None:
    base = make_options(items="bytes", compare="equal")
    report = spec.check("queue", "impl.queue:DequeQueue", max_examples=5, seed=0, options=base, items="str")
    assert report.options == make_options(items="str", compare="equal")


def test_a_contract_refuses_options_it_does_not_take() -> None:
    with pytest.raises(spec.OptionError, match=r"^the averager contract takes no --map \(it takes --items\)$"):
        spec.check("averager", "impl.averager:averager", map="push=put")
    with pytest.raises(spec.OptionError, match=r"^the genstate contract takes no --items \(it takes no option\)$"):
        spec.check("genstate", "impl.genstate:HandGenerator", items="bytes")
    with pytest.raises(spec.OptionError, match=r"^the pipeline contract takes no --items strategy \(it takes any, "):
        spec.check("pipeline", "impl.pipeline:coordinator", items=st.integers())


def test_the_test_case_takes_the_options_as_attributes() -> None:
    from spec.queue import QueueContract

    class Strict(QueueContract):
        factory = queue.SimpleQueue
        map = "push=put,pop=get_nowait,len=qsize"
        empty = queue.Empty
        without = "peek"
        max_examples = 10

    result = Strict("test_contract").run()
    assert result is not None
    assert result.wasSuccessful(), result.failures

    class Wrong(Strict):
        compare = "same"

    result = Wrong("test_contract").run()
    assert result is not None
    assert len(result.errors) == 1
    assert "--compare: expected identity or equal, got 'same'" in result.errors[0][1]


# -- the command line -------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--map", "push", "--map: expected PART=NAME, got 'push'"),
        ("--map", "shove=put", "--map: unknown part 'shove'"),
        ("--empty", "queue.Nothing", "--empty: no exception named 'queue.Nothing'"),
        ("--empty-returns", "nothing", "--empty-returns must be a Python literal"),
        ("--items", "byte", "--items: unknown kind 'byte'"),
        ("--items", "impl.queue:DequeQueue", "--items: 'impl.queue:DequeQueue' is not a Hypothesis strategy"),
        ("--compare", "same", "--compare: expected identity or equal, got 'same'"),
        ("--without", "push", "--without: 'push' is not an operation a target may lack"),
    ],
)
@pytest.mark.parametrize("command", ["check", "stress"])
def test_a_bad_option_value_is_exit_2_with_one_line(command: str, flag: str, value: str, message: str) -> None:
    run = run_cli(command, "queue", "impl.queue:DequeQueue", flag, value)
    assert run.code == 2
    assert run.out == ""
    assert run.err.count("\n") == 1, run.err
    assert run.err.startswith("python -m spec: error: ")
    assert message in run.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "averager", "impl.averager:averager", "--map", "push=put"], "the averager contract takes no --map"),
        (["check", "channel", "impl.channel:scheduler_and_channels", "--compare", "equal"], "takes no --compare"),
        (["check", "averager", "impl.averager:averager", "--items", "bytes"], "takes no --items bytes"),
        (
            ["stress", "queue", "impl.queue:DequeQueue", "--items", "tests.test_options:BYTES"],
            "takes no --items strategy",
        ),
        (["stress", "queue", "impl.queue:DequeQueue", "--empty-returns", "3"], "--empty-returns 3: stress pushes"),
        (["check", "queue", "collections:deque", "--map", "push=put"], "deque() returned a deque without put"),
        (["check", "queue", "impl.queue:DequeQueue", "--map"], "argument --map: expected one argument"),
    ],
)
def test_options_that_do_not_apply_are_exit_2(args: list[str], message: str) -> None:
    run = run_cli(*args)
    assert run.code == 2, run.out
    assert run.err.count("\n") == 1, run.err
    assert message in run.err


def test_every_flag_is_taken_and_written_into_the_rerun_line() -> None:
    run = run_cli(
        "check",
        "stack",
        "spec.known_bad.stack:FifoStack",
        "--seed",
        "1",
        "--map",
        "push=push,pop=pop",
        "--empty",
        "IndexError",
        "--empty-returns",
        "-1",
        "--items",
        "int",
        "--compare",
        "equal",
        "--without",
        "peek",
    )
    assert run.code == 1, run.err
    rerun = run.out.splitlines()[-1]
    assert rerun == (
        "rerun: python -m spec check stack spec.known_bad.stack:FifoStack --seed 1 --map push=push,pop=pop "
        "--empty IndexError --empty-returns -1 --items int --compare equal --without peek"
    )
    again = run_cli(*rerun.removeprefix("rerun: python -m spec ").split())
    assert again.code == 1
    assert again.out.splitlines()[:-2] == run.out.splitlines()[:-2]
