"""``python -m adapters.emulators.discord``: run the Discord emulator in the foreground."""

from __future__ import annotations

import sys

from .runner import main

sys.exit(main())
