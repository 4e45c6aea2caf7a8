"""The container machine: pushes, pops and peeks on list models and the target, and compares.

See :mod:`spec.container` for how it attributes a failure to a clause, and
:mod:`spec.container.judge` for how it calls the target through the plan of
the check.  The rules here make one call each (``push``, ``push_same``,
``pop``, ``peek``, and ``push_other``/``pop_other`` on a second live
instance); the bulk rules are :mod:`spec.container.bulk`'s.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from typing import Any

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from spec._core.checker import HungViolation, TargetFailure, describe_exception
from spec._core.deadline import TargetHung
from spec._core.lifecycle import Lifecycle, enclosure
from spec._core.program import literal, show
from spec.container.bulk import BULK_BUDGET, BulkRules, batches
from spec.container.judge import Side, alike
from spec.container.plan import ContainerPlan

__all__ = ["ContainerMachine", "alike"]


def _drawn(machine: ContainerMachine) -> st.SearchStrategy[Any]:
    plan: ContainerPlan = type(machine).binding.plan
    return plan.items


class ContainerMachine(BulkRules):
    """Pushes, pops and peeks, on list models and the target, and compares.

    Subclasses set ``clauses`` (from :func:`~spec.container.container_clauses`),
    ``order`` (the id of its order clause), ``end``, ``noun`` ("queue") and
    ``var`` (the instance's name in snippets, "q"); the other clause ids
    (``peek_clause`` ... ``conduct``) are looked up in ``clauses`` by title.

    Rules: ``push``, ``pop`` and ``peek`` one item at a time; ``push_same``
    pushes an item pushed before (the very object); ``grow``, ``shrink`` and
    ``cycle`` push or pop up to thousands of items at once
    (:mod:`spec.container.bulk`); ``push_other`` and ``pop_other`` drive a
    second live instance, interleaved with the first.  Every program ends
    with the final read (:meth:`teardown`).
    """

    first: Any  # the probe's instance, kept alive to the end of the program

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "clauses" in cls.__dict__:
            ids = map(cls.clauses.id_of, ("peek", "size", "empty", "identity", "independence", "conduct"))
            (cls.peek_clause, cls.size, cls.empty, cls.identity, cls.independence, cls.conduct) = ids
        binding = cls.__dict__.get("binding")
        if binding is not None and not binding.plan.has("peek"):
            # A target --without peek: the check's machine has no peek rule.
            # (Not a precondition that is always false: Hypothesis would still
            # draw the rule, and reject it, at every step, which leaves the
            # steps of a failing program misaligned for the shrinker.)
            cls.peek = None  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        binding = type(self).binding
        self.plan = binding.plan
        self._sources, self._ops = {}, {}
        self.session = self.plan.session(binding.factory)
        imports, before, after = enclosure(self.plan.lifecycle, self.plan.on_loop)
        for line in imports:
            self.program.need(line)
        self.program.enclose(before, after)
        self.other = None
        self.largest = 0
        self.bulk = BULK_BUDGET
        self.batches = batches(self.plan.kind, self.plan.sentinel)
        try:
            self._probe_independence()
        except BaseException:
            # Hypothesis tears down only machines that were made.
            self._clean_up()
            raise

    def teardown(self) -> None:
        """Read what every instance still holds, then clean them up and close the event loop.

        The final read (unless the program has already failed): each item
        still held is peeked at and popped, in order, and checked, and then
        one more ``pop`` must give the empty signal; a second instance is
        read in step with ``q`` once the two hold as many items.  A fault that corrupts
        items below the front (a ``push`` after a ``peek`` that overwrites
        the item under it, a compaction that drops one) shows there, however
        the program ended.  A cleanup that raises or hangs breaks the conduct
        clause, unless the program has already failed (that failure is the
        one to report).
        """
        # Programs that reach thousands of items are rare by design (they are
        # slow); targeting the size asks Hypothesis to spend part of its
        # budget on making the largest program found larger still.
        with contextlib.suppress(hypothesis.errors.InvalidArgument):  # driven outside a search
            hypothesis.target(float(self.largest), label="largest size")
        try:
            if sys.exc_info()[1] is None:
                self._final_read()
        finally:
            self._clean_up()

    def _final_read(self) -> None:
        main, other = self.main, self.other
        if other is not None:
            # The one that holds more is taken down to what the other holds,
            # and then the two are read in step, a peek at each before a pop
            # from each: a cache the instances share, keyed by their size,
            # answers one with the other's item.
            for taller, shorter in ((main, other), (other, main)):
                if len(taller.model) > len(shorter.model):
                    self._take_off(taller, len(taller.model) - len(shorter.model))
            while main.model:
                if self.plan.has("peek"):
                    self._peek(main)
                    self._peek(other)
                self._pop(main)
                self._pop(other)
        for side in (main, other):
            if side is not None:
                if side.model:
                    self._take_off(side, len(side.model))
                self._pop(side)

    def _clean_up(self) -> None:
        in_flight = sys.exc_info()[1] is not None
        session = self.session
        try:
            if self.plan.lifecycle is not Lifecycle.PLAIN or session.loop is not None:
                self._close(in_flight)
        finally:
            # The loop's own leftovers (tasks a stopped call left) are not the contract's business.
            with contextlib.suppress(Exception, TargetHung):
                type(self).binding.deadline.call(session.shutdown)

    def _close(self, in_flight: bool) -> None:
        source = "# the end of the program: every instance is cleaned up"
        try:
            self.attempt(source, self.session.close, record=False)
        except TargetFailure as failure:
            if not in_flight:
                self.program.drop_last()
                error = failure.error
                self.fail(
                    self.conduct,
                    f"cleaning up after the program raised {describe_exception(error)}",
                    expected="no exception",
                    actual=describe_exception(error),
                    ending=(f"# leaving the with block raises {describe_exception(error)}",),
                    detail="".join(traceback.format_exception(error)),
                )
        except HungViolation:
            if not in_flight:
                raise

    # -- the independence probe ------------------------------------------------------

    def _probe_independence(self) -> None:
        """Make an instance, push to it (and peek), then make ``q``: each must be unaffected by the other.

        See the package's Discussion.  The probe leaves only ``q = Name()``
        in the program when it passes.
        """
        cls = type(self)
        plan = self.plan
        v, first = cls.var, f"first_{cls.var}"
        has_len = plan.has("len")
        mark = self.program.mark()
        self.first = self._make(first)
        before = self._size(first, self.first) if has_len else 0
        probe = literal(plan.probe) or repr(plan.probe)
        self.call(self._src("push", probe, var=first), self._op(self.first, "push"), plan.probe)
        if plan.has("peek"):
            # A peek too, which may keep state (a cache), before q is made; what
            # it answers is judged by the other clauses, later, not here.
            try:
                self.attempt(self._src("peek", var=first), self._op(self.first, "peek"))
            except TargetFailure:
                self.program.drop_last()
        held = self._size(first, self.first) if has_len else 0
        target = self._make(v)
        size = 0
        if has_len:
            size = self._size(v, target)
            count = self._src("len", var=v)
            message = (
                f"a new {cls.noun} made after pushing to another one has {count} {size}, where that one had {before}"
            )
            self._require_count(count, size, before, cls.independence, message)
            after = self._size(first, self.first)
            count = self._src("len", var=first)
            message = f"making a new {cls.noun} changed {count} from {held} to {after}"
            self._require_count(count, after, held, cls.independence, message)
        look = "peek" if plan.has("peek") else "pop"
        source = self._src(look, var=v)
        try:
            seen = self.attempt(source, self._op(target, look), record=False)
        except TargetFailure:
            self.program.drop_last()  # an empty answer is judged by the empty clause, not here
        else:
            if not (plan.sentinel is not None and plan.sentinel.matches(seen)):
                self._judge_probe(look, source, seen, probe)
        # The probe passed: the instances are independent so far, and leaving
        # the first one out of the snippets keeps them to the point.
        self.program.truncate(mark)
        self.program.add(self._make_source(v))
        self.main = Side(v, target, size=size)

    def _judge_probe(self, look: str, source: str, seen: object, probe: str) -> None:
        cls = type(self)
        # Equality, not identity: the probe of an earlier program looks the
        # same, and finding it here is just as much proof of shared state.
        self.require(
            not self.equal(f"{source} == {probe}", seen, self.plan.probe),
            cls.independence,
            f"{source} on a new {cls.noun} returned an item pushed to another instance",
            expected=f"{self._signal()} (a new instance is empty)",
            actual=seen,
            ending=self._says_empty(source, f"{self.tag(cls.independence)}: new means empty"),
        )
        if look == "pop":
            # Without peek, the probe pops: an item taken from a new instance is
            # gone, so it cannot be left for the empty clause to find later.
            self.fail(
                cls.empty,
                f"{source} on a new {cls.noun} returned {show(seen)}; a new {cls.noun} is empty",
                expected=self._signal(),
                actual=seen,
                ending=self._says_empty(source, f"{self.tag(cls.empty)}: new means empty"),
            )

    def _other(self) -> Side:
        """The second live instance, made (and judged) the first time a rule drives it."""
        if self.other is None:
            var = f"other_{type(self).var}"
            target = self._make(var)
            self.other = Side(var, target)
            if self.plan.has("len"):
                self._check_untouched(self.other, self._make_source(var))
                self.other.size = self._size(var, target)
        return self.other

    # -- rules ---------------------------------------------------------------

    @rule(item=st.runner().flatmap(_drawn))
    def push(self, item: object) -> None:
        self._push(self.main, item, self._name(item))

    @precondition(lambda self: self.main.history)
    @rule(back=st.integers(0, 7))
    def push_same(self, back: int) -> None:
        """Push an item pushed before (``back`` pushes ago, or the oldest): the very same object."""
        history = self.main.history
        item, expr = history[max(len(history) - 1 - back, 0)]
        self._push(self.main, item, expr)

    @rule()
    def pop(self) -> None:
        self._pop(self.main)

    @rule()
    def peek(self) -> None:
        self._peek(self.main)

    @rule(item=st.runner().flatmap(_drawn))
    def push_other(self, item: object) -> None:
        self._push(self._other(), item, self._name(item))

    @rule()
    def pop_other(self) -> None:
        self._pop(self._other())
