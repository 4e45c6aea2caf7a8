"""The channel contract's independence probe: two live channels of one target, used in turn.

Discussion (why a probe, first in every program): channels that share state
(a class-level deque, a ``closed`` flag set on the class, storage reset in
``__init__``) pass any program that uses one channel, and leak from one
generated program into the next, where a failure would not replay on its
own.  So every program starts with the same small program on a pair of its
own: channels ``a`` and ``b`` (capacity 2) of one ``make_channel``, and a
task that puts into ``a``, puts into ``b``, gets from ``b`` and from ``a``,
gets from the empty ``b``, closes ``a``, and gets from the empty ``b``
again, while a helper task puts into ``b`` the items it waits for.  On
channels that share nothing, every step succeeds in turn.

Only evidence that one channel saw the other counts: ``b`` handing out what
was put into ``a`` (or the reverse), a put into the empty ``b`` that raises
or never returns once ``a`` holds an item, and a put into or a get from the
open ``b`` that raises ``EOFError`` once ``a`` is closed.
A step that fails in any other way is left to the program itself to judge,
with its own clauses, and the probe drops out of the snippet, as it does
when it passes.

Evidence found once is reported again by every later program of the same
check, before anything runs.  State that leaks (a ``closed`` flag set on the
class by the probe's own ``close()``) makes later probes see a channel
that is closed before anything was closed, which a channel that raises
``EOFError`` whenever it is empty also shows; the first probe's evidence is
the clear one, and repeating it keeps the failure the same on every replay,
so that the search shrinks it to the probe alone.  The probe's snippet
shows the evidence by itself, in a fresh interpreter.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, NoReturn

from spec._core.checker import Binding, Checker
from spec._core.deadline import TargetHung
from spec._core.signals import theirs

__all__ = ["probe_independence"]

_TO_A, _TO_B, _TO_B_OPEN, _TO_B_LATER = "to a", "to b", "to b, a open", "to b, a closed"
_PATIENCE = 20  # turns the helper waits for the probe to reach a step

_TASKS = (
    "seen = []",
    "def probe():",
    f"    yield from a.put({_TO_A!r})",
    "    seen.append('a.put')",
    f"    yield from b.put({_TO_B!r})",
    "    seen.append('b.put')",
    "    seen.append(('b.get', (yield from b.get())))",
    "    seen.append(('a.get', (yield from a.get())))",
    "    seen.append(('b.get, a open', (yield from b.get())))",
    "    a.close()",
    "    seen.append('a.close')",
    "    try:",
    "        seen.append(('b.get, a closed', (yield from b.get())))",
    "    except EOFError:",
    "        seen.append('b.get raised EOFError, a closed')",
    "def helper():",
    "    for step, item in (('a.get', 'to b, a open'), ('a.close', 'to b, a closed')):",
    f"        for _ in range({_PATIENCE}):",
    "            if step in seen or any(s[0] == step for s in seen if type(s) is tuple):",
    "                break",
    "            yield",
    "        try:",
    "            yield from b.put(item)",
    "        except EOFError:",
    "            seen.append(f'b.put raised EOFError after {step}')",
)
_SPAWNS = ("ps.spawn(probe())", "ps.spawn(helper())")
_RUN = ("try:", "    ps.run()", "except Exception:", "    pass")


class _Found:
    """The evidence the probe found in a check, kept for its later programs (see the module's Discussion)."""

    binding: Binding | None = None
    evidence: tuple[str, str] = ("", "")


def probe_independence(checker: Checker, clause: str, make_pair: Callable[[], tuple[Any, Any]]) -> None:
    """Run the probe (see the module's Discussion) with ``checker``; fail ``clause`` on evidence of shared state.

    ``make_pair`` calls the target: it returns ``(scheduler, make_channel)``.
    """
    c = checker
    mark = c.program.mark()
    if _Found.binding is c.binding:
        c.program.add(*_made(c), *_TASKS, *_SPAWNS, *_RUN)
        _fail(c, clause, _Found.evidence)
    made = _made(c)
    ps, make = c.call(made[0], make_pair)
    a = c.call(made[1], make, 2)
    b = c.call(made[2], make, 2)
    seen: list[object] = []
    c.program.add(*_TASKS)
    c.call(_SPAWNS[0], ps.spawn, _probe(a, b, seen))
    c.call(_SPAWNS[1], ps.spawn, _helper(b, seen))
    c.program.add(*_RUN)
    try:
        c.binding.deadline.call(ps.run)
    except TargetHung as hung:
        found = _evidence(seen)
        if found is not None:
            c.hung("ps.run()", hung, clause=clause, context=f": {found[0]}")
        c.program.truncate(mark)
        return
    except BaseException as exc:
        theirs(exc)  # the target's: judged by the tasks' progress, below
    found = _evidence(seen)
    if found is not None:
        _Found.binding, _Found.evidence = c.binding, found
        _fail(c, clause, found)
    c.count(clause)
    c.program.truncate(mark)


def _made(c: Checker) -> tuple[str, str, str]:
    return f"ps, make_channel = {c.binding.ref.name}()", "a = make_channel(2)", "b = make_channel(2)"


def _fail(c: Checker, clause: str, evidence: tuple[str, str]) -> NoReturn:
    message, check = evidence
    c.fail(clause, message, ending=(f"assert {check}, {c.tag(clause) + ': ' + message!r}",))


def _probe(a: Any, b: Any, seen: list[object]) -> Generator[Any, Any, None]:
    """The probe's first task, as :data:`_TASKS` spells it; an exception ends it, recorded as ``("raised", exc)``."""
    try:
        yield from a.put(_TO_A)
        seen.append("a.put")
        yield from b.put(_TO_B)
        seen.append("b.put")
        seen.append(("b.get", (yield from b.get())))
        seen.append(("a.get", (yield from a.get())))
        seen.append(("b.get, a open", (yield from b.get())))
        a.close()
        seen.append("a.close")
        try:
            seen.append(("b.get, a closed", (yield from b.get())))
        except EOFError:
            seen.append("b.get raised EOFError, a closed")
    except GeneratorExit:  # the scheduler closes the task: not the channel's failure
        raise
    except BaseException as exc:
        seen.append(("raised", theirs(exc)))


def _helper(b: Any, seen: list[object]) -> Generator[Any, Any, None]:
    """The probe's second task: it puts into ``b`` what the first one waits for, once it waits."""
    try:
        for step, item in (("a.get", _TO_B_OPEN), ("a.close", _TO_B_LATER)):
            for _ in range(_PATIENCE):
                if step in seen or any(s[0] == step for s in seen if type(s) is tuple):
                    break
                yield
            try:
                yield from b.put(item)
            except EOFError:
                seen.append(f"b.put raised EOFError after {step}")
    except GeneratorExit:  # the scheduler closes the task: not the channel's failure
        raise
    except BaseException as exc:
        seen.append(("raised", theirs(exc)))


def _evidence(seen: list[object]) -> tuple[str, str] | None:
    """What in the probe's progress shows shared state, as (message, the snippet's check); ``None`` if nothing.

    Values compare by identity with the probe's own items: a value the target
    made is never compared with ``==``.  What ``a.close()`` did to ``b`` counts
    only if ``b`` first waited for an item while ``a`` was open, as it must:
    a channel that raises ``EOFError`` whenever it is empty is not judged here.
    """
    got = {step[0]: step[1] for step in seen if type(step) is tuple}
    if "a.put" in seen and "b.put" not in seen:
        return "b.put() on the empty channel b did not return once a held an item", "'b.put' in seen"
    if got.get("b.get") is _TO_A:
        return f"b.get() returned {_TO_A!r}, the item put into a", f"('b.get', {_TO_A!r}) not in seen"
    if got.get("a.get") is _TO_B:
        return f"a.get() returned {_TO_B!r}, the item put into b", f"('a.get', {_TO_B!r}) not in seen"
    if got.get("b.get, a open") is not _TO_B_OPEN:
        return None
    if "b.get raised EOFError, a closed" in seen:
        return (
            "b.get() on the open channel b raised EOFError once a was closed",
            "'b.get raised EOFError, a closed' not in seen",
        )
    if "b.put raised EOFError after a.close" in seen:
        return (
            "b.put() on the open channel b raised EOFError once a was closed",
            "'b.put raised EOFError after a.close' not in seen",
        )
    return None
