"""The project's Hypothesis settings profiles, registered in this one place.

=============  ===============================================================
``default``    fast: the everyday suite and ``python -m spec``
``ci``         Hypothesis's own CI profile (derandomized, no database), with
               the same example counts as ``default``; Hypothesis loads it by
               itself when the ``CI`` environment variable is set
``thorough``   deep runs: ten times the examples, longer programs
``mutation``   derandomized with fixed counts, so that a mutant's status does
               not flip between runs
=============  ===============================================================

Select one with ``pytest --hypothesis-profile=NAME`` or ``python -m spec
--profile NAME``.  Importing :mod:`spec` does not import this module: a user's
own profiles are theirs; the test suite and the CLI import it.
"""

from __future__ import annotations

from hypothesis import settings

__all__ = ["PROFILES"]

PROFILES = ("default", "ci", "thorough", "mutation")

_FAST = settings(max_examples=100, stateful_step_count=30, deadline=None)

settings.register_profile("default", _FAST)
settings.register_profile(
    "ci",
    settings(
        settings.get_profile("ci"), max_examples=_FAST.max_examples, stateful_step_count=_FAST.stateful_step_count
    ),
    print_blob=False,
)
settings.register_profile("thorough", _FAST, max_examples=1000, stateful_step_count=100)
settings.register_profile("mutation", _FAST, derandomize=True, database=None, print_blob=False)
