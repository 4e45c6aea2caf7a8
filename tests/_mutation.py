"""A pytest plugin for mutation runs only (``[tool.mutmut]`` loads it with ``-p tests._mutation``).

Automatic garbage collection is off while the tests run; a full collection
runs right after each test function instead (before its fixtures are torn
down, so that fixtures that hold garbage on purpose still decide its fate).

Discussion: mutmut learns which tests reach which function by running the
suite once with every function wrapped in a trampoline that sets a
:class:`contextvars.ContextVar` on each call.  On CPython before 3.12 a
collection may start inside ``ContextVar.set`` (it allocates), and a
finalizer that runs there and sets the variable again frees what the outer
``set`` is still using (CPython gh-148891): the process crashes.  The
hand-written generator of :mod:`impl.genstate` has a finalizer (it closes a
generator dropped while suspended, as CPython does) and is often part of a
reference cycle, so this happens within a minute.  Collecting between tests
only, where no ``set`` is in progress, avoids it; it also makes the moment
finalizers run a function of the test alone, which keeps a mutant's status
from depending on when the collector happened to run.
"""

from __future__ import annotations

import gc
from collections.abc import Generator

import pytest


def pytest_configure(config: pytest.Config) -> None:
    gc.disable()


def pytest_unconfigure(config: pytest.Config) -> None:
    gc.enable()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    # Within the call, so that mutmut charges what the finalizers run to the test that made the garbage.
    try:
        return (yield)
    finally:
        gc.collect()
