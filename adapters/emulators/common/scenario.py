"""Reading scenario files, the part every emulator shares: YAML or JSON from disk, and the
checks that name the key path of the first problem.

What a scenario contains (pages and comments, Tweets, channels and messages) is each
platform's; the file handling, the error type and the small checks were the same everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")


class ScenarioError(ValueError):
    """A scenario file that cannot be read, with the key path of the problem."""


def load_file(path: str | Path, parse: Callable[[Any, str], T]) -> T:
    """Read ``path`` (``.json``, or YAML for anything else) and ``parse(raw, where)`` it, where
    is the file name; an unreadable or undecodable file is a :class:`ScenarioError`."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
        raw = json.loads(text) if source.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{source}: {exc}") from exc
    return parse(raw, str(source))


def mapping(value: Any, where: str) -> dict[str, Any]:
    """``value`` if it is a mapping, else ``<where>: expected a mapping``."""
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected a mapping")
    return value


def delay_of(data: dict[str, Any], where: str) -> float:
    """The item's ``delay`` in seconds (0 when absent), neither malformed nor negative."""
    try:
        delay = float(data.get("delay", 0))
    except (TypeError, ValueError):
        raise ScenarioError(f"{where}.delay: expected seconds") from None
    if delay < 0:
        raise ScenarioError(f"{where}.delay: must not be negative")
    return delay
