"""The building blocks every settings model uses: strict models, secret references, errors."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and key path."""


class Strict(BaseModel):
    """Unknown keys are errors (a typo never falls back to a default); values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(Strict):
    """Where a secret lives: an environment variable or a file (e.g. a Docker/systemd secret)."""

    env: str | None = None
    file: Path | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("give exactly one of 'env' (a variable name) or 'file' (a path)")
        return self

    def resolve(self, environ: Mapping[str, str]) -> str:
        """Read the secret; raises ``LookupError`` saying which variable or file is missing."""
        if self.env is not None:
            value = environ.get(self.env, "")
            if not value:
                raise LookupError(f"environment variable {self.env} is not set")
            return value
        assert self.file is not None
        try:
            value = self.file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise LookupError(f"secret file {self.file} cannot be read ({exc.strerror})") from exc
        if not value:
            raise LookupError(f"secret file {self.file} is empty")
        return value
