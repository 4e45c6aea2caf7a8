"""``python -m spec``: see :mod:`spec._cli`."""

from __future__ import annotations

import sys

from spec._cli import main

sys.exit(main())
