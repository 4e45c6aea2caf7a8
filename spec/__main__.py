"""``python -m spec``: see :mod:`spec._cli`."""

from __future__ import annotations

import os
import sys

from spec._cli import main

try:
    status = main()
    if not sys.stdout.closed:  # a target checked in this process (--in-process) may have closed it
        sys.stdout.flush()
except BrokenPipeError:
    # The reader went away (`python -m spec list | head`): not an error of
    # ours.  Point stdout at devnull so that the flush at exit does not fail
    # again, as the signal module's documentation recommends.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    status = 1
sys.exit(status)
