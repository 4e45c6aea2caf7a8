"""The project's Hypothesis settings profiles, registered in this one place.

=============  ===============================================================
``default``    fast: the everyday suite and ``python -m spec``
``ci``         Hypothesis's own CI profile (derandomized, no database), with
               the same example counts as ``default``; Hypothesis loads it by
               itself when the ``CI`` environment variable is set
``thorough``   deep runs: ten times the examples, longer programs
``mutation``   derandomized with fixed counts, so that a mutant's status does
               not flip between runs
``replay``     no search: only what the example database holds is run again
               (a campaign's failures, see :func:`use_database`); pytest only
=============  ===============================================================

Select one with ``pytest --hypothesis-profile=NAME`` or ``python -m spec
--profile NAME`` (any but ``replay``: a check that searches nothing would
hold vacuously, so :data:`PROFILES` leaves it out).  Importing :mod:`spec` does not import this module: a user's
own profiles are theirs.  The pytest plugin imports it, so the profiles are
registered whenever pytest runs with the package installed; the CLI imports
it too.
"""

from __future__ import annotations

from hypothesis import Phase, settings
from hypothesis.database import ExampleDatabase

__all__ = ["CAMPAIGN", "PROFILES", "REPLAY", "use_database"]

PROFILES = ("default", "ci", "thorough", "mutation")
"""The profiles a check may run under (``python -m spec --profile NAME``)."""

REPLAY = "replay"

CAMPAIGN = "campaign"
"""The profile :func:`use_database` registers and loads."""

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
settings.register_profile(REPLAY, _FAST, phases=(Phase.explicit, Phase.reuse))


def use_database(database: ExampleDatabase) -> None:
    """Make ``database`` the example database of every test from now on.

    Registers and loads the ``campaign`` profile: the active profile with
    ``database`` and without ``derandomize`` (a derandomized run uses no
    database).  This is how a campaign's workers share what they find; the
    oracle's own checks (``spec.check``, ``python -m spec check``) never use
    a database, whatever the profile says.
    """
    settings.register_profile(CAMPAIGN, settings(), database=database, derandomize=False)
    settings.load_profile(CAMPAIGN)
