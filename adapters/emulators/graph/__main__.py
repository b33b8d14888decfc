"""``python -m adapters.emulators.graph``: run the Graph emulator in the foreground."""

from __future__ import annotations

import sys

from .runner import main

sys.exit(main())
