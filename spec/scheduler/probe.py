"""The scheduler contract's independence probe: two live schedulers of one target, used in turn.

Discussion (why a probe, first in every program): schedulers that share
state (a ready queue or a list of failures on the class, a queue reset by
``__init__``, a "current scheduler" that ``spawn()`` consults) pass any
program that uses one scheduler, and leak from one generated program into
the next, where a failure would not replay on its own.  So every program
starts with the same small program on schedulers of its own::

    first = Target()
    first.spawn(p())      # p spawns r into second, then raises
    second = Target()
    second.spawn(q())
    first.run()           # runs p alone (and raises p's exception)
    second.run()          # runs q and r, and returns
    third = Target()
    third.run()           # runs nothing, and returns

Only evidence that one scheduler saw another counts: ``first.run()``
running ``q`` or ``r``, ``second.run()`` running ``p`` or raising ``p``'s
exception, ``third.run()`` running any of them or raising ``p``'s exception.
Anything else that goes wrong is left to the program itself to judge, with
its own clauses, and the probe drops out of the snippet, as it does when it
passes.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from spec._core.checker import Checker
from spec._core.deadline import TargetHung
from spec._core.signals import theirs

__all__ = ["probe_independence"]

_FAILURE = "p, a task of first"

_TASKS = (
    "seen = []",
    "def p():",
    "    seen.append('p')",
    "    second.spawn(r())",
    f"    raise ValueError({_FAILURE!r})",
    "    yield",
    "def q():",
    "    seen.append('q')",
    "    yield",
    "def r():",
    "    seen.append('r')",
    "    yield",
)


def _run(name: str) -> tuple[str, ...]:
    """A run whose exception is kept, marked in ``seen`` where it begins and ends."""
    return (
        f"{name}_raised = None",
        f"seen.append('{name} runs')",
        "try:",
        f"    {name}.run()",
        "except Exception as exc:",
        f"    {name}_raised = exc",
        f"seen.append('{name} ran')",
    )


def probe_independence(checker: Checker, clause: str, factory: Callable[[], Any]) -> None:
    """Run the probe (see the module's Discussion) with ``checker``; fail ``clause`` on evidence of shared state.

    ``factory`` makes a scheduler.
    """
    c = checker
    mark = c.program.mark()
    name = c.binding.ref.name
    seen: list[str] = []
    error = ValueError(_FAILURE)
    schedulers: dict[str, Any] = {}

    def p() -> Generator[None, None, None]:
        yield from ()  # a generator, of one step
        seen.append("p")
        schedulers["second"].spawn(_step(seen, "r"))
        raise error

    c.program.add(*_TASKS)
    first = c.call(f"first = {name}()", factory)
    c.call("first.spawn(p())", first.spawn, p())
    schedulers["second"] = second = c.call(f"second = {name}()", factory)
    c.call("second.spawn(q())", second.spawn, _step(seen, "q"))
    raised = {"first": _run_one(c, first, "first", seen)}
    raised["second"] = _run_one(c, second, "second", seen)
    third = c.call(f"third = {name}()", factory)
    raised["third"] = _run_one(c, third, "third", seen)
    found = _evidence(seen, raised, error)
    if found is not None:
        message, check = found
        c.fail(clause, message, ending=(f"assert {check}, {c.tag(clause) + ': ' + message!r}",))
    c.count(clause)
    c.program.truncate(mark)


def _step(seen: list[str], name: str) -> Generator[None, None, None]:
    seen.append(name)
    yield


def _run_one(c: Checker, scheduler: Any, name: str, seen: list[str]) -> BaseException | None:
    """``scheduler.run()`` under the time limit; what it raised (a hang is the conduct clause's, as anywhere)."""
    c.program.add(*_run(name))
    seen.append(f"{name} runs")
    try:
        c.binding.deadline.call(scheduler.run)
    except TargetHung as hung:
        c.hung(f"{name}.run()", hung)
    except BaseException as exc:
        return theirs(exc)
    finally:
        seen.append(f"{name} ran")
    return None


def _evidence(seen: list[str], raised: dict[str, BaseException | None], error: BaseException) -> tuple[str, str] | None:
    """What in the probe's progress shows shared state, as (message, the snippet's check); ``None`` if nothing."""
    for run, foreign in (("first", ("q", "r")), ("second", ("p",)), ("third", ("p", "q", "r"))):
        during = f"seen[seen.index('{run} runs') : seen.index('{run} ran')]"
        span = seen[seen.index(f"{run} runs") : seen.index(f"{run} ran")]
        ran = [task for task in span if task in foreign]
        if ran:
            owner = "first" if ran[0] == "p" else "second"
            return f"{run}.run() ran {ran[0]}, a task spawned to {owner}", f"{ran[0]!r} not in {during}"
    for run in ("second", "third"):
        if _holds(raised[run], error):
            return (
                f"{run}.run() raised the exception of p, a task of first",
                f"{_FAILURE!r} not in repr({run}_raised)",
            )
    return None


def _holds(raised: BaseException | None, error: BaseException) -> bool:
    """Whether ``raised`` is ``error`` or holds it, through groups, causes and contexts."""
    pending = [raised]
    visited: set[int] = set()
    while pending:
        exc = pending.pop()
        if exc is None or id(exc) in visited:
            continue
        visited.add(id(exc))
        if exc is error:
            return True
        if isinstance(exc, BaseExceptionGroup):
            pending.extend(exc.exceptions)
        pending += [exc.__cause__, exc.__context__]
    return False
