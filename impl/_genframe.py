"""The frame of the hand-written generator: where its body is, and how it runs.

A :class:`Frame` executes a program's body until the next ``yield``,
keeping where it is as a stack of blocks, each a statement list and a
position in it: the function body, a ``try`` body, an ``except`` handler, a
``finally`` block with what it must do when it ends (go on, return,
re-raise).  An exception unwinds that stack to the nearest handler, the way
CPython's block stack (now its exception table) does.  The generator layer
around it is :class:`impl.genstate.ClassGenerator`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from impl.genlang import (
    LAST,
    Block,
    Note,
    Program,
    Raise,
    Reenter,
    Reraise,
    Return,
    Stmt,
    Try,
    Value,
    Yield,
    YieldFrom,
)

if TYPE_CHECKING:
    from impl.genstate import ClassGenerator

__all__ = ["Frame"]


@dataclass
class _Raise:
    """An exception unwinding the frame."""

    error: BaseException


@dataclass
class _Return:
    """A return unwinding the frame (``finally`` blocks still run)."""

    value: object


@dataclass
class _Yield:
    """The frame stops at a ``yield``."""

    value: object


_Action = _Raise | _Return


@dataclass
class _Block:
    """A statement list being executed, and why: ``body``, ``try``, ``except`` or ``finally``."""

    stmts: Block
    role: Literal["body", "try", "except", "finally"]
    owner: Try | None = None
    pending: _Action | None = None  # a finally block's: what to do when it ends
    pc: int = 0


class Frame:
    """Where a generator's body is: a stack of blocks, the variable ``v``, the exceptions being handled.

    ``yieldfrom`` is the sub-generator a ``yield from`` delegates to while
    the frame is suspended in it.
    """

    stack: list[_Block]
    v: object
    handled: list[BaseException]
    yieldfrom: ClassGenerator | None

    def __init__(self, body: Block) -> None:
        self.stack = [_Block(body, "body")]
        self.v = None
        self.handled = []
        self.yieldfrom = None

    def resume(self, gen: ClassGenerator, value: object, error: BaseException | None) -> tuple[bool, object]:
        """Run until the next ``yield`` or the end; raise the exception that leaves the body.

        ``value`` is what the suspended ``yield`` evaluates to, unless
        ``error`` is raised there instead.  Returns ``(True, v)`` at a
        ``yield v``, ``(False, r)`` when the body returns ``r``.
        """
        action: _Action | _Yield | None = None
        if self.yieldfrom is not None:
            action = self._delegate(value, error)
        elif error is not None:
            action = _Raise(error)
        else:
            self.v = value
        while True:
            if isinstance(action, _Yield):
                return True, action.value
            if action is not None:
                escaping = self._unwind(action)
                if escaping is not None:
                    if isinstance(escaping, _Raise):
                        # The exception's traceback holds this frame: no local
                        # may hold the exception, or the cycle would keep every
                        # generator on the stack alive until the cyclic
                        # collector runs, and a suspended one would be
                        # finalized late (CPython's are freed at once).
                        error = escaping.error
                        del action, escaping
                        try:
                            raise error
                        finally:
                            del error
                    return False, escaping.value
            block = self.stack[-1]
            if block.pc == len(block.stmts):
                action = self._end(self.stack.pop())
                continue
            stmt = block.stmts[block.pc]
            block.pc += 1
            action = self._execute(gen, stmt)

    def _execute(self, gen: ClassGenerator, stmt: Stmt) -> _Action | _Yield | None:
        if isinstance(stmt, Yield):
            return _Yield(self._operand(stmt.value))
        if isinstance(stmt, Return):
            return _Return(self._operand(stmt.value))
        if isinstance(stmt, Raise):
            return _Raise(stmt.exc.make())
        if isinstance(stmt, Reraise):
            return _Raise(self.handled[-1])
        if isinstance(stmt, Note):
            gen.note(stmt.n)
            return None
        if isinstance(stmt, Try):
            self.stack.append(_Block(stmt.body, "try", stmt))
            return None
        if isinstance(stmt, YieldFrom):
            self.yieldfrom = gen.spawn(Program(stmt.body))
            return self._delegate(None, None)
        return self._reenter(gen.root, stmt)

    @staticmethod
    def _reenter(root: Any, stmt: Reenter) -> _Raise | None:
        """Call into ``root`` (normally the generator running, which refuses); what it raises is raised here."""
        try:
            if stmt.op == "next":
                next(root)
            elif stmt.op == "throw":
                root.throw(KeyError(0))
            else:
                root.close()
        except BaseException as error:  # raised in the body, where the program may catch it
            return _Raise(error)
        return None

    def _operand(self, value: Value) -> object:
        return self.v if value is LAST else value

    def _delegate(self, value: object, error: BaseException | None) -> _Action | _Yield | None:
        """One step of ``yield from``: pass the call on to the sub-generator.

        It yields: so does this frame.  It returns: its value is the value
        of the ``yield from``, and the body goes on.  It raises: the
        exception is raised here.  ``GeneratorExit`` is not passed on: the
        sub-generator is closed, then ``GeneratorExit`` is raised here.

        Discussion: once the ``yield from`` is over, nothing may keep the
        sub-generator alive.  CPython drops it there and then, and one
        still suspended (it yielded in response to ``GeneratorExit``) is
        finalized at once, before any handler here runs: its ``__del__``
        closes it again.  The exception it raised would keep it alive (the
        frames of its methods, in the traceback, hold it), so the traceback
        goes; the exception is raised here afresh anyway.
        """
        sub = self.yieldfrom
        assert sub is not None
        try:
            if error is None:
                return _Yield(sub.send(value))
            if not isinstance(error, GeneratorExit):
                return _Yield(sub.throw(error))
            sub.close()
        except StopIteration as stop:
            self.yieldfrom = None
            self.v = stop.value
            return None
        except BaseException as raised:  # whatever the sub-generator raises is raised here
            self.yieldfrom = None
            del sub
            return _Raise(raised.with_traceback(None))
        self.yieldfrom = None
        return _Raise(error)

    def _unwind(self, action: _Action) -> _Action | None:
        """Pop blocks until one handles ``action``; return it if it leaves the body."""
        while self.stack:
            block = self.stack.pop()
            owner = block.owner
            if block.role == "try":
                assert owner is not None
                if isinstance(action, _Raise):
                    handler = next((h for h in owner.handlers if isinstance(action.error, h.catch)), None)
                    if handler is not None:
                        self.handled.append(action.error)
                        self.stack.append(_Block(handler.body, "except", owner))
                        return None
            elif block.role == "except":
                self.handled.pop()
            if block.role in ("try", "except") and owner is not None and owner.final is not None:
                self.stack.append(_Block(owner.final, "finally", owner, pending=action))
                return None
            # A finally block being left drops what it was pending: the new action wins.
        return action

    def _end(self, block: _Block) -> _Action | None:
        """A block ran to its end: what comes next."""
        owner = block.owner
        if block.role == "body":
            return _Return(None)
        if block.role == "finally":
            return block.pending
        if block.role == "except":
            self.handled.pop()
        assert owner is not None
        if owner.final is not None:
            self.stack.append(_Block(owner.final, "finally", owner))
        return None
