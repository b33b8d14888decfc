"""``python -m adapters.emulators.x``: run the X API v2 emulator in the foreground."""

from __future__ import annotations

import sys

from .runner import main

sys.exit(main())
