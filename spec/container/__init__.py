"""What the queue and stack contracts share: clauses, protocol, shape check, machine.

The two contracts differ in one thing only, the end an item leaves from.  This
package holds everything else once (:mod:`spec.container.plan`: the target
under the contract options; :mod:`spec.container.judge`: calls through the
plan and the judging of one answer; :mod:`spec.container.machine`: the
machine and its one-call rules; :mod:`spec.container.bulk`: its bulk rules);
``spec/queue.py`` and ``spec/stack.py`` hold the clauses (their words differ)
and pick the end.

Discussion (attributing a failure to the right clause): a wrong answer can
often be read as breaking more than one clause, and a report that names the
wrong one sends the implementer to the wrong place.  The machine therefore
judges each observation by the most specific evidence it has:

* An item that was pushed to the other live instance, and never to this one,
  coming out of ``pop()`` or ``peek()``: the independence clause.
* ``pop()`` returned an object equal to the right one but not it (even one
  that is also held, as when a target keeps one object per equal value): the
  identity clause.  Another item that is in the container: the order clause.
  Signalled empty while items are held: the empty clause.
* ``peek()`` answering another item is wrong either way; the machine then
  calls ``pop()`` at once: if the two disagree, the peek clause is broken; if
  they agree on the wrong item, the order clause.
* A size that moved when the operation should not have moved it (or by the
  wrong amount) breaks the operation's clause; a size that is off by a
  constant breaks the size clause.
* ``pop()`` and ``peek()`` are one rule each, empty or not (the model says
  which answer is due).  Rules gated by preconditions on emptiness left the
  shrinker stuck with runs of useless empty pops; one rule per operation
  shrinks to the minimal program every time.
* Independence is probed at the start of every program, before anything
  else: a first instance is made, pushed to and peeked, then ``q`` is made;
  ``q`` must be as new (its size that of a new instance, no item of the
  first in it) and making it must not change the first.  Probing first
  matters: a target whose instances share storage, a cache, or state reset
  in ``__init__`` would otherwise carry state from one program into the next
  and fail later checks in ways no single program reproduces (or be blamed
  on another clause).  A target ``--without peek`` is probed with ``pop()``,
  and an item it gives out then breaks the empty clause (a new instance is
  empty), since it cannot be left for later checks to find.  Later,
  ``push_other`` and ``pop_other`` drive a second live instance between
  ``q``'s operations, and every operation on one checks that the other's
  size did not move; the final read takes the two in step.
* Sizes that cross edges: the bulk rules (:mod:`spec.container.bulk`) push
  and pop thousands of items in one step, each call checked, and a failure
  among them is reported as if the calls had been made one by one.

Discussion (the contract options, see :mod:`spec._core.options`): every part
is called through the method ``--map`` names, awaited when it is a
coroutine function; "empty" is what ``--empty`` and ``--empty-returns`` say
(only that: ``IndexError`` no longer counts once another signal is named);
under ``--compare equal`` an item that is :func:`~spec.container.judge.alike`
the one due stands for it, the identity clause is never counted (it is
reported as not judged), and the order clause finds a held item by likeness,
the first one alike; items of the plain kinds (``--items bytes``, ``str``,
``int``, ``float``) are told apart by value the same way.  The bulk rules
push items of the ``--items`` kind (numbered ones for the plain kinds, one-int
tuples for ``hashable``; none for a strategy of the user's) and never the
``--empty-returns`` sentinel.  ``--without peek`` drops the peek rule (the bulk
rules then pop without peeking) and leaves the peek clause unjudged;
``--without len`` drops every size check and leaves the size clause
unjudged.  When the size is not ``len(q)`` itself (``--map len=qsize``),
``bool(q)`` is not judged: the target's truth is then not its size's.
"""

from __future__ import annotations

from collections.abc import Callable

from spec._core.clauses import Clause, Clauses
from spec._core.options import Options
from spec.container.machine import ContainerMachine, alike
from spec.container.plan import ITEM_KINDS, Container, ContainerPlan, End, items, prepare_container, unjudged

__all__ = [
    "ITEM_KINDS",
    "OPTIONS",
    "Container",
    "ContainerMachine",
    "ContainerPlan",
    "End",
    "alike",
    "container_clauses",
    "container_unjudged",
    "items",
    "prepare_container",
]

OPTIONS = ("map", "empty", "empty_returns", "items", "compare", "without")
"""The contract options the queue and stack contracts take: all of them."""


def container_clauses(prefix: str, noun: str, var: str, order: tuple[str, str]) -> Clauses:
    """The seven clauses of a container contract; only the order clause differs.

    The ids are ``{prefix}1`` (order) to ``{prefix}7`` (conduct); the order
    clause is titled ``order[0]``, the others by what they judge (``peek``,
    ``size``, ``empty``, ``identity``, ``independence``, ``conduct``).
    """
    title, text = order
    return Clauses(
        Clause(f"{prefix}1", title, text),
        Clause(
            f"{prefix}2", "peek", "peek() must return the item the next pop() would return, and must remove nothing."
        ),
        Clause(
            f"{prefix}3",
            "size",
            f"len({var}) must equal pushes minus successful pops, and bool({var}) must be len({var}) > 0.",
        ),
        Clause(
            f"{prefix}4",
            "empty",
            f"pop() and peek() must raise IndexError exactly when the {noun} is empty, and then change nothing.",
        ),
        Clause(
            f"{prefix}5",
            "identity",
            "pop() and peek() must return the very object pushed (is), never a copy or an equal object.",
        ),
        Clause(
            f"{prefix}6",
            "independence",
            "Instances must not share state: pushing to one changes neither the length nor the items of another.",
        ),
        Clause(
            f"{prefix}7",
            "conduct",
            "Every call must return within the time limit; push() accepts any object (None, unhashable) and "
            "raises nothing, pop() and peek() raise nothing but IndexError.",
        ),
    )


def container_unjudged(clauses: Clauses) -> Callable[[Options], dict[str, str]]:
    """The clauses of a container contract that the options leave unjudged, and why."""
    ids = [clauses.id_of(title) for title in ("peek", "size", "identity")]

    def find(options: Options) -> dict[str, str]:
        return unjudged(options, *ids)

    return find
