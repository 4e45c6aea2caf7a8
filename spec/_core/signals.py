"""What is the oracle's and what is the target's: the one place that decides.

Target code can raise anything, :class:`BaseException` subclasses included
(``SystemExit``, ``KeyboardInterrupt``, ``GeneratorExit``, classes of its
own).  All of it is the target's behaviour, to be judged: a call that raises
what its contract does not allow breaks the contract's conduct clause, and no
exception from target code may end the check, turn into a traceback or be
taken for a verdict.  Every place that calls target code therefore catches
:class:`BaseException` and hands back to the oracle only what
:func:`oracle_signal` says is the oracle's own:

* :class:`OracleSignal` subclasses: the per-call time limit
  (:class:`~spec._core.deadline.TargetHung`) and a hang already judged
  (:class:`~spec._core.checker.HungViolation`);
* :class:`~spec._core.clauses.ClauseViolation`: a clause the oracle found
  broken inside a callback it handed the target (a scheduler's task, a
  pipeline's sink), on its way out through the target's frames;
* Hypothesis's :class:`~hypothesis.errors.StopTest`, with which the search
  stops an example whose data ran out;
* a :class:`KeyboardInterrupt` that comes from a real Ctrl-C, which
  :func:`watch_interrupts` tells apart from one the target raises.

Discussion (telling the user's Ctrl-C from the target's KeyboardInterrupt):
Python raises ``KeyboardInterrupt`` from its ``SIGINT`` handler, in the main
thread, between two bytecodes of whatever runs there -- often target code.
A target may raise the same exception itself.  While a check runs,
:func:`watch_interrupts` puts a handler in front of the one installed, which
notes that the signal arrived before handing it on; a ``KeyboardInterrupt``
counts as the user's exactly when that note was made.  So ``raise
KeyboardInterrupt`` in a target is a conduct violation, and the user's Ctrl-C
stops the check as it stops any program.  (A target that sends its own
process ``SIGINT``, or calls ``_thread.interrupt_main``, is taken for the
user; the command line's supervising process is not fooled by that, since it
watches its own ``SIGINT``.)
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from hypothesis.errors import StopTest

from spec._core.clauses import ClauseViolation

__all__ = ["OracleSignal", "oracle_signal", "theirs", "user_interrupted", "watch_interrupts"]


class OracleSignal(BaseException):
    """Base class of the oracle's own control exceptions, which pass through target code untouched.

    A :class:`BaseException`, so that a target's ``except Exception`` does not
    swallow it, and Hypothesis does not shrink it (see
    :class:`~spec._core.deadline.TargetHung`).
    """


_SIGNALS = (OracleSignal, ClauseViolation, StopTest)


class _Watch:
    """Whether :func:`watch_interrupts` is watching, and whether a real Ctrl-C arrived meanwhile."""

    watching = False
    interrupted = False


def oracle_signal(exc: BaseException) -> bool:
    """Whether ``exc`` is the oracle's own (see the module docstring); the rest from target code is the target's."""
    return isinstance(exc, _SIGNALS) or (isinstance(exc, KeyboardInterrupt) and _Watch.interrupted)


def theirs(exc: BaseException) -> BaseException:
    """``exc``, caught from target code: returned when it is the target's, raised again when it is the oracle's own.

    Every place that calls target code catches :class:`BaseException` and
    hands what it caught to this function first::

        except BaseException as exc:
            error = theirs(exc)
    """
    if oracle_signal(exc):
        raise exc
    return exc


def user_interrupted() -> bool:
    """Whether a real Ctrl-C (``SIGINT``) arrived while :func:`watch_interrupts` was watching."""
    return _Watch.interrupted


def _on_sigint(previous: Any) -> Any:
    def handler(signum: int, frame: FrameType | None) -> Any:
        _Watch.interrupted = True
        return previous(signum, frame)

    return handler


@contextlib.contextmanager
def watch_interrupts() -> Iterator[None]:
    """Note a real Ctrl-C while the block runs (see the module's Discussion).

    Only the main thread can watch, and only a Python-level ``SIGINT``
    handler (the default one raises ``KeyboardInterrupt``) can be watched.
    Elsewhere a real Ctrl-C raises nothing in the block at all, so every
    ``KeyboardInterrupt`` there is the target's.  Nested blocks watch once.
    """
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if _Watch.watching or not callable(previous):
        yield
        return
    signal.signal(signal.SIGINT, _on_sigint(previous))
    _Watch.watching, _Watch.interrupted = True, False
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _Watch.watching, _Watch.interrupted = False, False
