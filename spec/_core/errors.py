"""Errors meaning "the check could not run" (CLI exit status 2).

They are about the *request* (an unknown contract, a target that cannot be
found or has the wrong shape), never about the target's behaviour: a target
that misbehaves is a :class:`~spec.Violation`, not an error.
"""

from __future__ import annotations

__all__ = ["OptionError", "SpecError", "TargetError", "TargetNotFound", "UnknownContract"]


class SpecError(Exception):
    """Base class: the check could not run.  ``str(err)`` is one line."""


class UnknownContract(SpecError, LookupError):
    """No contract is registered under the given name."""


class TargetNotFound(SpecError, LookupError):
    """A ``TARGET`` string names a module, file or attribute that is not there."""


class TargetError(SpecError, TypeError):
    """The target exists but has the wrong shape for the contract."""


class OptionError(SpecError, ValueError):
    """A contract option is malformed, names something missing, or is not one the contract takes."""
