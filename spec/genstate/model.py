"""The exact model: what CPython does for any program of :mod:`spec.genstate.lang`, any calls.

Two layers, kept apart because CPython keeps them apart:

* **The body** is interpreted by the dumbest method that can suspend:
  *replay* (:mod:`spec.genstate.replay`).  Every call re-runs the body from the
  start, feeding it the values and exceptions it received so far.
* **The protocol** (:class:`ModelGenerator`) is what ``send``, ``throw`` and
  ``close`` (and an async generator's ``asend``, ``athrow`` and ``aclose``)
  do around the body: the checks made before running it, what a finished or
  running generator answers, how an exception leaving the frame is converted
  (PEP 479), how ``close`` reads the outcome.  Differences between CPython
  versions are data: :class:`Semantics`.

:func:`predict` answers, for a program, a flavour and a list of calls, the
:class:`~spec.genstate.lang.Step` of each call: what it gave and the state after
it.  The tests compare it with CPython (:mod:`spec.genstate.render`) and with the
hand-written generator of :mod:`impl.genstate`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from impl.genlang import Exc, Flavour, GenState, Program
from spec.genstate.lang import Call, Close, Outcome, Returned, Send, Step, Throw, observe, validate
from spec.genstate.replay import Finished, Replay, Result, Unpredictable, Yielded, constant

__all__ = ["VERSIONS", "ModelDriver", "ModelGenerator", "Semantics", "Unpredictable", "predict"]

CREATED, RUNNING, SUSPENDED, CLOSED = GenState

VERSIONS: tuple[tuple[int, int], ...] = ((3, 11), (3, 12), (3, 13))
"""The CPython versions the model has been checked against (3.11.7, 3.12.1, 3.13.0)."""


@dataclass(frozen=True)
class Semantics:
    """What differs between CPython versions, as data.

    * ``close_returns_value`` (3.13+): ``close()`` returns the value the
      generator returns after catching ``GeneratorExit``; before, ``None``.
    * ``created_throw_converts`` (3.11 only): ``throw(e)`` into a just-created
      generator goes through the PEP 479 conversion, so ``StopIteration``
      comes out as ``RuntimeError``; from 3.12 the exception is raised before
      the frame's conversion handler and comes out as it went in.
    * ``throw_signature_warns`` (3.12+): ``throw(type, value[, tb])`` issues a
      :class:`DeprecationWarning`; the one-argument form does not.
    * ``has_asyncgen_state`` (3.12+): :func:`inspect.getasyncgenstate` and
      ``ag_suspended`` exist.
    """

    version: tuple[int, int]
    close_returns_value: bool
    created_throw_converts: bool
    throw_signature_warns: bool
    has_asyncgen_state: bool

    @classmethod
    def for_version(cls, version: tuple[int, int]) -> Semantics:
        """The semantics of CPython ``version`` (major, minor).

        Versions after the last of :data:`VERSIONS` are taken to behave like
        it.  Raises :class:`ValueError` for versions before 3.11, which the
        model does not describe (``gi_suspended`` appeared in 3.11).
        """
        if tuple(version) < VERSIONS[0]:
            raise ValueError(f"the model describes CPython 3.11 and later, not {version[0]}.{version[1]}")
        return cls(
            version=version,
            close_returns_value=version >= (3, 13),
            created_throw_converts=version < (3, 12),
            throw_signature_warns=version >= (3, 12),
            has_asyncgen_state=version >= (3, 12),
        )

    @classmethod
    def current(cls) -> Semantics:
        """The semantics of the running interpreter."""
        return cls.for_version((sys.version_info.major, sys.version_info.minor))


# -- the protocol ---------------------------------------------------------------


class ModelGenerator:
    """One generator (or coroutine, or async generator) of the model.

    ``gen_send``, ``gen_throw`` and ``gen_close`` are the generator layer
    that every flavour shares (CPython's ``gen_send_ex``, ``_gen_throw``,
    ``gen_close``); :meth:`call` is what a caller sees, per flavour.  ``root``
    is the outermost generator, the one ``note`` reads and re-entrance calls.
    """

    program: Program
    flavour: Flavour
    semantics: Semantics
    root: ModelGenerator
    state: GenState
    history: list[Send | Throw]
    yieldfrom: ModelGenerator | None
    ag_closed: bool
    ag_running_async: bool
    _notes: list[tuple[int, GenState]]
    _unraisable: list[Exc]
    _taken: tuple[int, int]

    def __init__(
        self, program: Program, flavour: Flavour, semantics: Semantics, *, root: ModelGenerator | None = None
    ) -> None:
        self.program = program
        self.flavour = flavour
        self.semantics = semantics
        self.root = self if root is None else root
        self.state = CREATED
        self.history = []
        self.yieldfrom = None
        self.ag_closed = False
        self.ag_running_async = False
        self._notes = []
        self._unraisable = []
        self._taken = (0, 0)

    def spawn(self, program: Program, flavour: Flavour) -> ModelGenerator:
        """A sub-generator for ``yield from`` (or ``await``), with the same semantics and root."""
        return ModelGenerator(program, flavour, self.semantics, root=self.root)

    @property
    def noun(self) -> str:
        return self.flavour.value

    def take_notes(self) -> tuple[tuple[tuple[int, GenState], ...], tuple[Exc, ...]]:
        """The notes made, and the unraisable exceptions reported, since the last call of this method."""
        notes, unraisable = self._taken
        self._taken = (len(self._notes), len(self._unraisable))
        return tuple(self._notes[notes:]), tuple(self._unraisable[unraisable:])

    # -- the generator layer ----------------------------------------------------

    def _run(self, resumption: Send | Throw | None) -> Result:
        if resumption is not None:
            self.history.append(resumption)
        self.state = RUNNING
        replay = Replay(self)
        result = replay.run()
        assert replay.notes[: len(self._notes)] == self._notes, "a replay repeats the run so far"
        assert replay.unraisable[: len(self._unraisable)] == self._unraisable, "a replay repeats the run so far"
        self._notes, self._unraisable = replay.notes, replay.unraisable
        self.state = SUSPENDED if isinstance(result, Yielded) else CLOSED
        self.yieldfrom = replay.yieldfrom if isinstance(result, Yielded) else None
        return self._leave(result) if isinstance(result, Exc) else result

    def _leave(self, exc: Exc) -> Exc:
        """An exception leaving the frame: PEP 479 turns StopIteration (and StopAsyncIteration) into RuntimeError."""
        stops: tuple[type[BaseException], ...] = (StopIteration,)
        if self.flavour is Flavour.ASYNC_GENERATOR:
            stops = (StopIteration, StopAsyncIteration)
        if issubclass(exc.type, stops):
            return Exc(RuntimeError, (f"{self.noun} raised {exc.type.__name__}",), cause=exc)
        return exc

    def _refusal(self) -> Exc | None:
        """Why a call cannot run the body now, if it cannot: running, or a finished coroutine."""
        if self.state is RUNNING:
            return Exc(ValueError, (f"{self.noun} already executing",))
        if self.state is CLOSED and self.flavour is Flavour.COROUTINE:
            return Exc(RuntimeError, ("cannot reuse already awaited coroutine",))
        return None

    def gen_send(self, value: object) -> Result:
        refusal = self._refusal()
        if refusal is not None:
            return refusal
        if self.state is CLOSED:
            return Finished(None)
        if self.state is CREATED:
            if value is not None:
                return Exc(TypeError, (f"can't send non-None value to a just-started {self.noun}",))
            return self._run(None)
        return self._run(Send(constant(value)))

    def gen_throw(self, exc: Exc) -> Result:
        refusal = self._refusal()
        if refusal is not None:
            return refusal
        if self.state is CLOSED:
            return exc
        if self.state is CREATED:
            # No body code runs: the exception is raised before the first line.
            self.state = CLOSED
            return self._leave(exc) if self.semantics.created_throw_converts else exc
        return self._run(Throw(exc))

    def gen_close(self) -> Finished | Exc:
        if self.state is RUNNING:
            return Exc(ValueError, (f"{self.noun} already executing",))
        if self.state is not SUSPENDED:
            self.state = CLOSED
            return Finished(None)
        result = self._run(Throw(Exc(GeneratorExit)))
        if isinstance(result, Yielded):
            return Exc(RuntimeError, (f"{self.noun} ignored GeneratorExit",))
        if isinstance(result, Exc):
            return Finished(None) if issubclass(result.type, GeneratorExit) else result
        return result if self.semantics.close_returns_value else Finished(None)

    # -- what a caller sees ------------------------------------------------------

    def call(self, call: Call) -> Outcome:
        """The outcome of ``call`` made by a caller, as the flavour presents it."""
        if self.flavour is Flavour.ASYNC_GENERATOR:
            return self._async_call(call)
        if isinstance(call, Close):
            closed = self.gen_close()
            return Returned(closed.value) if isinstance(closed, Finished) else closed
        result = self.gen_send(call.value) if isinstance(call, Send) else self.gen_throw(call.exc)
        if isinstance(result, Yielded):
            return Returned(result.value)
        if isinstance(result, Finished):
            return Exc(StopIteration, () if result.value is None else (result.value,))
        return result

    def _async_call(self, call: Call) -> Outcome:
        """``await agen.asend(v)``, ``await agen.athrow(e)``, ``await agen.aclose()``.

        An awaitable reports its result by raising ``StopIteration``, so a
        ``StopIteration`` coming out of the generator layer *is* a result:
        ``await agen.athrow(StopIteration(5))`` on a just-created async
        generator gives 5 from 3.12 on (on 3.11 the exception is converted
        to ``RuntimeError`` first).
        """
        outcome = self._async_outcome(call)
        if isinstance(outcome, Exc) and issubclass(outcome.type, StopIteration):
            return Returned(outcome.args[0] if outcome.args else None)
        return outcome

    def _async_outcome(self, call: Call) -> Outcome:
        """The async generator layer: ``asend``, ``athrow`` and ``aclose`` around the generator layer.

        Discussion: an async generator adds two flags to the generator layer.
        ``ag_running_async`` is set while an ``asend``/``athrow``/``aclose``
        awaitable runs the body; a second one started meanwhile (re-entrance)
        is refused with ``RuntimeError``.  ``ag_closed`` is set when
        ``aclose()`` starts and when ``StopAsyncIteration`` or
        ``GeneratorExit`` comes out of the body; once set, ``athrow`` and
        ``aclose`` no longer touch a body that is still suspended (it yielded
        in response to ``GeneratorExit``) and raise ``StopAsyncIteration``,
        while ``asend`` still resumes it.
        """
        if isinstance(call, Send):
            if self.ag_running_async:
                return Exc(RuntimeError, ("anext(): asynchronous generator is already running",))
            self.ag_running_async = True
            return self._unwrap(self.gen_send(call.value))
        what = "aclose" if isinstance(call, Close) else "athrow"
        if self.state is CLOSED:
            return Returned(None)
        if self.ag_running_async:
            return Exc(RuntimeError, (f"{what}(): asynchronous generator is already running",))
        if self.ag_closed:
            return Exc(StopAsyncIteration)
        self.ag_running_async = True
        if isinstance(call, Throw):
            return self._unwrap(self.gen_throw(call.exc))
        self.ag_closed = True
        result = self.gen_throw(Exc(GeneratorExit))
        self.ag_running_async = False
        if isinstance(result, Yielded):
            return Exc(RuntimeError, ("async generator ignored GeneratorExit",))
        if isinstance(result, Finished) or issubclass(result.type, StopAsyncIteration | GeneratorExit):
            return Returned(None)
        return result

    def _unwrap(self, result: Result) -> Outcome:
        self.ag_running_async = False
        if isinstance(result, Yielded):
            return Returned(result.value)
        exc = Exc(StopAsyncIteration) if isinstance(result, Finished) else result
        if issubclass(exc.type, StopAsyncIteration | GeneratorExit):
            self.ag_closed = True
        return exc


class ModelDriver:
    """Drives a :class:`ModelGenerator` the way a test drives a real one."""

    def __init__(self, program: Program, flavour: Flavour, semantics: Semantics) -> None:
        validate(program, flavour)
        self.gen = ModelGenerator(program, flavour, semantics)

    @property
    def state(self) -> GenState:
        return self.gen.state

    def step(self, call: Call) -> Step:
        outcome = self.gen.call(call)
        return Step(call, outcome, self.gen.state, *self.gen.take_notes())


def predict(
    program: Program, calls: Sequence[Call], flavour: Flavour = Flavour.GENERATOR, semantics: Semantics | None = None
) -> tuple[Step, ...]:
    """What CPython does for ``program`` as ``flavour`` when driven by ``calls``, then closed.

    ``semantics`` defaults to the running interpreter's.  Raises
    :class:`ValueError` if the program cannot be written as ``flavour``, and
    :class:`Unpredictable` if what CPython does depends on when its cyclic
    garbage collector runs.
    """
    driver = ModelDriver(program, flavour, semantics if semantics is not None else Semantics.current())
    return observe(driver, calls, budget=program.yield_points() + 2)
