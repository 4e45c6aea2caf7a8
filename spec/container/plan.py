"""A queue or stack target under the contract options: its shape check, and the plan of its search.

The shape check makes one instance (entered and cleaned up as its factory's
lifecycle says), finds the method that plays each part (``--map``), and
notes which of them are coroutine functions: a target with any is driven on
an event loop.  The :class:`ContainerPlan` it returns says, for the machine
and the stress oracle, how to call each part, what signals "empty", what to
push and how to compare what comes back.

What to push (``--items``): ``any`` is the contract's default draw
(:func:`items`); the other kinds are plain Hypothesis strategies, and
``module:attr`` names one.  Each kind has its own value for the independence
probe, so that a store of bytes is probed with bytes; for a strategy it is
the simplest value the strategy draws.  With ``--empty-returns``, the
sentinel is filtered out of every draw, and the report says so.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import hypothesis
from hypothesis import strategies as st

from spec._core.contract import Prepared, as_factory, call_for_shape
from spec._core.deadline import Deadline
from spec._core.errors import OptionError, TargetError
from spec._core.lifecycle import UNMADE, Lifecycle, Session, lifecycle_of
from spec._core.options import BY_VALUE, PARTS, STRATEGY, Method, Options, Sentinel, exception_name
from spec._core.program import guarded, type_name
from spec._core.values import container_items

__all__ = [
    "ITEM_KINDS",
    "PROBES",
    "Container",
    "ContainerPlan",
    "End",
    "items",
    "prepare_container",
    "unjudged",
]

T = TypeVar("T")


class Container(Protocol[T]):
    """What a queue or stack target offers (one instance), under the default options."""

    def push(self, item: T, /) -> None: ...

    def pop(self) -> T: ...

    def peek(self) -> T: ...

    def __len__(self) -> int: ...


class End(enum.Enum):
    """Which end ``pop()`` takes from: the oldest item (queue) or the newest (stack)."""

    OLDEST = 0
    NEWEST = -1


def items() -> st.SearchStrategy[object]:
    """Items to push: the default ("any") draw of the queue and stack contracts.

    :func:`spec._core.values.container_items`: small ints first, then
    sentinels, values equal across types, objects equal but distinct, NaN and
    mutable, unhashable containers (see :mod:`spec._core.values`).
    """
    return container_items()


def _hashable() -> st.SearchStrategy[object]:
    # Tuples: equal but distinct objects, as the lists of the default draw.
    return st.one_of(
        st.integers(0, 9), st.none(), st.text(max_size=3), st.binary(max_size=3), st.tuples(st.integers(0, 9))
    )


def _picklable() -> st.SearchStrategy[object]:
    return st.one_of(items(), st.text(max_size=3), st.binary(max_size=3), st.floats(), st.tuples(st.integers(0, 9)))


ITEM_KINDS: Mapping[str, Callable[[], st.SearchStrategy[Any]]] = {
    "any": items,
    "bytes": lambda: st.binary(max_size=8),
    "str": lambda: st.text(max_size=8),
    "int": st.integers,
    "float": st.floats,
    "hashable": _hashable,
    "picklable": _picklable,
}
"""The draw of each ``--items`` kind; ``any`` is the contract's default draw."""

# Hashable, so that a target that cannot take unhashable items fails where it
# should (the conduct clause, on a pushed list), not in the independence probe.
_PROBE = ("pushed to another instance",)

PROBES: Mapping[str, object] = {
    "any": _PROBE,
    "bytes": b"pushed to another instance",
    "str": "pushed to another instance",
    "int": 10**9 + 7,
    "float": 1e9 + 0.5,
    "hashable": _PROBE,
    "picklable": _PROBE,
}
"""What the independence probe pushes to a second instance, per ``--items`` kind."""


@dataclass(frozen=True)
class ContainerPlan:
    """How a check calls a container target under its options (see the module docstring).

    ``methods`` maps each part the target has to its method; ``awaiting``
    names the parts whose method is a coroutine function; ``on_loop`` is
    whether programs run on an event loop; ``empty`` are the exceptions that
    mean empty and ``sentinel`` the value that does; ``equal`` is
    ``--compare equal``; ``shape`` the type of the instance the shape check
    made (the stress oracle names a known cause by it); ``kind`` the ``--items``
    kind (the bulk rules push items of it).
    """

    methods: Mapping[str, Method]
    awaiting: frozenset[str]
    lifecycle: Lifecycle
    on_loop: bool
    items: st.SearchStrategy[Any]
    probe: object
    empty: tuple[type[BaseException], ...]
    sentinel: Sentinel | None
    equal: bool
    shape: type
    kind: str = "any"

    def has(self, part: str) -> bool:
        """Whether the target has ``part`` (it is not ``--without`` it)."""
        return part in self.methods

    @property
    def counts_with_len(self) -> bool:
        """Whether the size is ``len(q)`` itself, so that ``bool(q)`` can be judged too."""
        return self.methods.get("len") == Method("__len__")

    def session(self, factory: Callable[[], Any]) -> Session:
        """A session to make this target's instances in (see :class:`~spec._core.lifecycle.Session`)."""
        return Session(factory, self.lifecycle, on_loop=self.on_loop)


def unjudged(options: Options, peek: str, size: str, identity: str) -> dict[str, str]:
    """The clauses (by id) ``options`` leave unjudged, and why."""
    found = {}
    kind = options.items.kind
    if options.compare == "equal":
        found[identity] = "--compare equal accepts a copy"
    elif kind in BY_VALUE:
        found[identity] = f"--items {kind}: equal {kind} values need not be one object"
    if "peek" in options.without:
        found[peek] = "--without peek"
    if "len" in options.without:
        found[size] = "--without len"
    return found


def prepare_container(kind: str) -> Callable[[object, Deadline, Options], Prepared]:
    """The shape check of a ``kind`` ("queue" or "stack") target, under the options."""
    noun = "queue" if kind == "queue" else "stack"

    def prepare(target: object, deadline: Deadline, options: Options) -> Prepared:
        factory, name = as_factory(target, f"a {kind} target must be a zero-argument callable (a class or factory)")
        lifecycle = lifecycle_of(factory)
        made: object = UNMADE
        if lifecycle is Lifecycle.PLAIN:
            made = call_for_shape(f"{name}()", deadline, factory)
            lifecycle = lifecycle_of(factory, made)
        session = Session(factory, lifecycle, on_loop=False)
        try:
            instance = call_for_shape(f"{name}()", deadline, session.adopt, made)
            methods = {part: options.method(part) for part in PARTS if part not in options.without}
            missing = [m.name for m in methods.values() if not _offers(instance, m)]
            if missing:
                names = [m.text for m in methods.values()]
                needs = f"{', '.join(names[:-1])} and {names[-1]}"
                raise TargetError(
                    f"{name}() returned a {type_name(instance)} without {', '.join(missing)}"
                    f" (a {kind} target needs {needs}; --map and --without say which methods play the parts)"
                )
            awaiting = frozenset(
                part
                for part, m in methods.items()
                if m != Method("__len__")
                and guarded(
                    inspect.iscoroutinefunction, guarded(getattr, instance, m.name, None, default=None), default=False
                )
            )
        finally:
            try:
                call_for_shape(f"the cleanup after {name}()", deadline, session.close)
            finally:
                session.shutdown()
        plan = ContainerPlan(
            methods=methods,
            awaiting=awaiting,
            lifecycle=lifecycle,
            on_loop=lifecycle.is_async or bool(awaiting),
            items=_items(options),
            probe=_probe(options),
            empty=options.empty or (() if options.empty_returns is not None else (IndexError,)),
            sentinel=options.empty_returns,
            equal=options.compare == "equal",
            shape=type(instance),
            kind=options.items.kind,
        )
        return Prepared(
            factory=factory, form="async" if plan.on_loop else "", plan=plan, notes=_notes(plan, options, noun)
        )

    return prepare


def _offers(instance: object, method: Method) -> bool:
    if method == Method("__len__"):
        return guarded(hasattr, type(instance), "__len__", default=False)
    return callable(guarded(getattr, instance, method.name, None, default=None))


def _items(options: Options) -> st.SearchStrategy[Any]:
    kind = options.items.kind
    strategy = options.items.strategy if kind == STRATEGY else ITEM_KINDS[kind]()
    assert strategy is not None
    sentinel = options.empty_returns
    if sentinel is not None:
        return strategy.filter(lambda item: not sentinel.matches(item))
    return strategy


def _probe(options: Options) -> object:
    kind = options.items.kind
    if kind != STRATEGY:
        return PROBES[kind]
    strategy = options.items.strategy
    assert strategy is not None
    sentinel = options.empty_returns
    # The simplest item the strategy draws: found once, before the search,
    # the same on every run (find() shrinks to it).
    try:
        return hypothesis.find(
            strategy,
            lambda item: sentinel is None or not sentinel.matches(item),
            settings=hypothesis.settings(
                database=None, derandomize=True, suppress_health_check=list(hypothesis.HealthCheck)
            ),
        )
    except Exception as exc:
        raise OptionError(f"--items: cannot draw an item from {options.items.text or 'the strategy'}: {exc}") from None


def _notes(plan: ContainerPlan, options: Options, noun: str) -> tuple[str, ...]:
    notes = []
    if options.items.kind != "any":
        notes.append(f"items: push() is given {options.items.text or 'the strategy given'} only")
    renamed = [f"{part} is {m.text}" for part, m in plan.methods.items() if part in options.map]
    if renamed:
        notes.append(f"parts: {', '.join(renamed)}")
    if "len" in plan.methods and not plan.counts_with_len:
        notes.append(f"bool() is not judged: the size is {plan.methods['len'].text}(), not len()")
    if plan.empty and plan.empty != (IndexError,):
        notes.append(f"empty: pop() and peek() raise {' or '.join(map(exception_name, plan.empty))} on an empty {noun}")
    if plan.sentinel is not None:
        notes.append(
            f"empty: pop() and peek() return {plan.sentinel.text} on an empty {noun}, "
            f"so {plan.sentinel.text} is never pushed"
        )
    if plan.on_loop:
        awaited = ", ".join(sorted(plan.awaiting)) or "nothing"
        notes.append(f"async: each program runs on an event loop of its own; awaited: {awaited}")
    if plan.lifecycle is not Lifecycle.PLAIN:
        notes.append(
            f"lifecycle: the factory is {_a(plan.lifecycle.value)}; each instance is cleaned up after its program"
        )
    return tuple(notes)


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"
