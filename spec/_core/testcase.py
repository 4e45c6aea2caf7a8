"""A unittest base class per contract, for users who want the check in their suite.

Usage (pytest and unittest both collect it)::

    from spec.queue import QueueContract

    class TestMyQueue(QueueContract):
        factory = MyQueue          # any zero-argument callable
        max_examples = 200         # optional; also seed, timeout, settings
        items = "bytes"            # contract options by name: map, empty,
        compare = "equal"          # empty_returns, items, compare, without

A failing check fails ``test_contract`` with the report: the broken clause and
the smallest program that breaks it.

``seed``: without one, each run searches afresh (0 under a derandomized
profile such as Hypothesis's ``ci``); set it (``seed = 20261127``) to pin a CI
job's verdict to the code it checks, and search unpinned elsewhere.
"""

from __future__ import annotations

import unittest
from collections.abc import Callable
from typing import Any, ClassVar, Final

import hypothesis

from spec._core.options import FLAGS, options_from
from spec._core.oracle import DEFAULT_TIMEOUT, check

UNSET: Final = object()
"""The value of an option attribute that a test case leaves at the contract's default."""

__all__ = ["UNSET", "ContractTestCase"]


class ContractTestCase(unittest.TestCase):
    """Base class: subclasses of a contract's test case set ``factory``.

    The contract's own class (``QueueContract``) sets ``contract`` and is not
    collected by pytest (``__test__ = False``); a subclass that sets
    ``factory`` is.  Under plain unittest a class without a factory skips.
    The contract options are attributes of the same names as
    :func:`spec.check`'s keywords; one left :data:`UNSET` keeps its default.
    """

    contract: ClassVar[str]
    factory: ClassVar[Callable[[], Any] | None] = None
    settings: ClassVar[hypothesis.settings | None] = None
    max_examples: ClassVar[int | None] = None
    seed: ClassVar[int | None] = None
    timeout: ClassVar[float | None] = DEFAULT_TIMEOUT
    map: ClassVar[object] = UNSET
    empty: ClassVar[object] = UNSET
    empty_returns: ClassVar[object] = UNSET
    items: ClassVar[object] = UNSET
    compare: ClassVar[object] = UNSET
    without: ClassVar[object] = UNSET

    __test__ = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A plain function stored on a class would become a method; keep it plain.
        factory = cls.__dict__.get("factory")
        if factory is not None and not isinstance(factory, staticmethod):
            cls.factory = staticmethod(factory)
        cls.__test__ = cls.factory is not None

    def test_contract(self) -> None:
        cls = type(self)
        if cls.factory is None:
            self.skipTest(f"{cls.__qualname__} sets no factory")
        report = check(
            cls.contract,
            cls.factory,
            settings=cls.settings,
            max_examples=cls.max_examples,
            seed=cls.seed,
            timeout=cls.timeout,
            options=options_from({f.name: getattr(cls, f.name) for f in FLAGS if getattr(cls, f.name) is not UNSET}),
        )
        if not report.ok:
            self.fail("\n" + report.format())
