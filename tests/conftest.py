"""Test configuration: only the project's Hypothesis profiles.

Everything a user needs to reuse a contract lives in the :mod:`spec` package;
this file only registers the profiles (``--hypothesis-profile=NAME``).
"""

import spec.profiles  # noqa: F401  (registers the profiles)
