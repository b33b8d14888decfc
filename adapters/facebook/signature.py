"""Webhook authenticity: ``X-Hub-Signature-256`` over the raw body, and the verify-token check.

Both compare in constant time, and the signature is checked on the exact bytes received before
any parsing, so a forged body never reaches the JSON decoder.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGNATURE_HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name (web frameworks and tests disagree on case)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def sign(app_secret: str, body: bytes) -> str:
    """The header value Meta would send for ``body``."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify_signature(app_secret: str, body: bytes, signature: str | None) -> bool:
    """Whether ``signature`` (the header value) is the app's HMAC-SHA256 of ``body``."""
    if not app_secret or not signature or not signature.startswith(PREFIX):
        return False
    expected = sign(app_secret, body).encode("ascii")
    try:
        given = signature.strip().lower().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given)


def verify_token_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the subscription verify token."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
