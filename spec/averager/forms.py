"""The three forms of averager target, and how the machine talks to each.

A target is a zero-argument callable (the *factory*); what it returns decides
the form:

* a callable (a closure, or an object with ``__call__``): ``avg(value)``;
* a generator: primed with ``next(avg)`` unless it comes back already primed
  (suspended), then ``avg.send(value)``, ended with ``avg.close()``;
* an async generator: run on an event loop of the machine's own, primed with
  ``loop.run_until_complete(avg.asend(None))``, then
  ``loop.run_until_complete(avg.asend(value))``, ended with ``avg.aclose()``.

A :class:`Driver` knows one form: the source text of each call (so that the
snippet replays it) and the function that makes it.  It judges nothing; the
machine does.

Discussion (disposing of generators quietly): a generator dropped while
suspended is closed by the garbage collector, and whatever its ``close()``
raises then is printed as an "exception ignored" (and is an error under
pytest's ``-W error``).  So the machine closes every generator it made, and
the shape check closes the one it made, with the time limit and swallowing
what they raise (a broken ``close()`` is judged only where the machine closes
the averager under test).  A generator that survives its ``close()`` (one
that yields again on ``GeneratorExit``) is sent a private exception instead,
which ends most of them (not an async generator: after a failed ``aclose()``
it counts as closed, and ``athrow`` no longer runs it).  One that survives
is kept alive in a module-level list, so that the collector never tries
again.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import enum
import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from spec._core.checker import quietly
from spec._core.contract import Prepared, as_factory, call_for_shape
from spec._core.deadline import Deadline
from spec._core.errors import TargetError
from spec._core.options import Options
from spec._core.program import Program, type_name

__all__ = [
    "AsyncDriver",
    "Driver",
    "Form",
    "GeneratorDriver",
    "ResumableDriver",
    "driver_for",
    "form_of",
    "prepare_averager",
]

# Generators that survived both close() and _Abandoned: kept so that no collector closes them again.
_UNCLOSABLE: list[object] = []


class _Abandoned(BaseException):
    """Thrown into a generator that ignored ``GeneratorExit``, to end it all the same."""


class Form(enum.Enum):
    """What an averager target's factory returns."""

    CALLABLE = "callable"
    GENERATOR = "generator"
    ASYNC = "async generator"


def form_of(averager: object) -> Form | None:
    """The form of ``averager``, or ``None`` if it has none of the three."""
    if inspect.isgenerator(averager):
        return Form.GENERATOR
    if inspect.isasyncgen(averager):
        return Form.ASYNC
    if callable(averager):
        return Form.CALLABLE
    return None


def prepare_averager(target: object, deadline: Deadline, options: Options) -> Prepared:
    """The shape check: call the factory once and decide the form.

    Raises :class:`~spec.TargetError` when ``target`` is not callable, when
    calling it raises or hangs, or when it returns something of no form (a
    coroutine, from an ``async def`` without ``yield``, is named as such).
    """
    what = "a zero-argument callable returning a callable, a generator or an async generator"
    factory, name = as_factory(target, f"an averager target must be {what}")
    averager = call_for_shape(f"{name}()", deadline, factory)
    form = form_of(averager)
    if form is None:
        hint = ""
        if inspect.iscoroutine(averager):
            averager.close()  # never awaited, and never to be: no warning
            hint = " (a coroutine: an async def needs a yield to make an async generator)"
        raise TargetError(f"{name}() returned a {type_name(averager)}{hint}; an averager target must be {what}")
    if form is Form.GENERATOR:
        GeneratorDriver().dispose(averager, deadline)
    # An async generator the factory returned has not started: it needs no closing.
    return Prepared(factory=factory, form=form.value)


class Driver:
    """How the machine calls an averager of one form: here the callable form.

    The generator forms add priming and closing (:class:`ResumableDriver`).
    """

    form: ClassVar[Form] = Form.CALLABLE
    noun: ClassVar[str] = "callable"

    def setup(self, program: Program) -> None:
        """Add what every program of this form starts with (nothing, here)."""

    def send_source(self, var: str, expr: str) -> str:
        return f"{var}({expr})"

    def sender(self, averager: Any) -> Callable[[object], object]:
        return averager  # type: ignore[no-any-return]

    def ended(self, averager: Any) -> bool:
        """Whether ``averager`` has ended (a callable never does)."""
        return False

    def form_check(self, var: str) -> str:
        """A statement that fails unless ``var`` has this form."""
        return f"assert callable({var})"

    def dispose(self, averager: Any, deadline: Deadline) -> None:
        """End ``averager`` quietly: within the time limit, swallowing what it raises."""

    def teardown(self, averagers: list[Any], deadline: Deadline) -> None:
        """Dispose of ``averagers`` and release what the driver made."""
        for averager in averagers:
            self.dispose(averager, deadline)


class ResumableDriver(Driver, abc.ABC):
    """A generator form: it is primed before the first value and closed at the end."""

    finished: ClassVar[type[Exception]]
    """What a send raises once the generator has finished."""

    @abc.abstractmethod
    def needs_priming(self, averager: Any) -> bool: ...

    @abc.abstractmethod
    def prime_source(self, var: str) -> str: ...

    @abc.abstractmethod
    def primer(self, averager: Any) -> Callable[[], object]: ...

    @abc.abstractmethod
    def close_source(self, var: str) -> str: ...

    @abc.abstractmethod
    def closer(self, averager: Any) -> Callable[[], object]: ...

    def dispose(self, averager: Any, deadline: Deadline) -> None:
        if self.ended(averager):
            return
        quietly(deadline, self.closer(averager))
        if not self.ended(averager):
            self._abandon(averager, deadline)
        if not self.ended(averager):
            _UNCLOSABLE.append(averager)

    def _abandon(self, averager: Any, deadline: Deadline) -> None:
        """Try to end a generator that survived ``close()`` (see the module Discussion)."""


class GeneratorDriver(ResumableDriver):
    """A generator: ``next(avg)`` to prime (unless it came primed), ``avg.send(value)``, ``avg.close()``."""

    form = Form.GENERATOR
    finished = StopIteration
    noun = "generator"

    def send_source(self, var: str, expr: str) -> str:
        return f"{var}.send({expr})"

    def sender(self, averager: Any) -> Callable[[object], object]:
        return averager.send  # type: ignore[no-any-return]

    def needs_priming(self, averager: Any) -> bool:
        return inspect.getgeneratorstate(averager) == inspect.GEN_CREATED

    def prime_source(self, var: str) -> str:
        return f"next({var})"

    def primer(self, averager: Any) -> Callable[[], object]:
        return lambda: next(averager)

    def ended(self, averager: Any) -> bool:
        return inspect.getgeneratorstate(averager) == inspect.GEN_CLOSED

    def close_source(self, var: str) -> str:
        return f"{var}.close()"

    def closer(self, averager: Any) -> Callable[[], object]:
        return averager.close  # type: ignore[no-any-return]

    def _abandon(self, averager: Any, deadline: Deadline) -> None:
        quietly(deadline, averager.throw, _Abandoned())

    def form_check(self, var: str) -> str:
        return f"assert inspect.isgenerator({var})"


class AsyncDriver(ResumableDriver):
    """An async generator, run on an event loop of the driver's own (one per program).

    Every async generator is primed with ``asend(None)``: whether one has
    started cannot be told before Python 3.12, so none may come started.
    """

    form = Form.ASYNC
    finished = StopAsyncIteration
    noun = "async generator"

    loop: asyncio.AbstractEventLoop

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def setup(self, program: Program) -> None:
        # A snippet stops at its failing assert: atexit closes the loop all the same,
        # where an unclosed loop would warn whenever the collector got to it.
        program.need("import asyncio")
        program.need("import atexit")
        program.add("loop = asyncio.new_event_loop()", "atexit.register(loop.close)")

    def send_source(self, var: str, expr: str) -> str:
        return f"loop.run_until_complete({var}.asend({expr}))"

    def sender(self, averager: Any) -> Callable[[object], object]:
        return lambda value: self.loop.run_until_complete(averager.asend(value))

    def needs_priming(self, averager: Any) -> bool:
        return True

    def prime_source(self, var: str) -> str:
        return self.send_source(var, "None")

    def primer(self, averager: Any) -> Callable[[], object]:
        return lambda: self.loop.run_until_complete(averager.asend(None))

    def ended(self, averager: Any) -> bool:
        return averager.ag_frame is None

    def close_source(self, var: str) -> str:
        return f"loop.run_until_complete({var}.aclose())"

    def closer(self, averager: Any) -> Callable[[], object]:
        return lambda: self.loop.run_until_complete(averager.aclose())

    def form_check(self, var: str) -> str:
        return f"assert inspect.isasyncgen({var})"

    def teardown(self, averagers: list[Any], deadline: Deadline) -> None:
        """Cancel what a hang left pending, dispose of ``averagers``, close the loop.

        A loop still running in an abandoned worker thread (after a hang, when
        the time limit cannot use a signal) can be neither run nor closed; it
        is left to die with the process, and so are its async generators.
        """
        loop = self.loop
        if loop.is_running():
            _UNCLOSABLE.extend(averagers)
            return
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            quietly(deadline, loop.run_until_complete, asyncio.gather(*pending, return_exceptions=True))
        super().teardown(averagers, deadline)
        with contextlib.suppress(RuntimeError):  # still running: a worker thread hung in the gather
            loop.close()


def driver_for(form: Form) -> Driver:
    """A fresh driver for ``form`` (the async one makes its event loop)."""
    if form is Form.GENERATOR:
        return GeneratorDriver()
    if form is Form.ASYNC:
        return AsyncDriver()
    return Driver()
