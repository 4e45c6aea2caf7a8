"""``python -m spec``: see :mod:`spec._cli`."""

from __future__ import annotations

from spec._cli import console

console()
