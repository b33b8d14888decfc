"""OAuth 1.0a user context as X checks it: app and access token, HMAC-SHA1 over RFC 5849's
signature base string, a timestamp window and single-use nonces; app permission, not scopes.

Which URL the signature covers: the one the client signed.  tweepy signs X's public URL
(``https://api.twitter.com/2/...``) and the adapter's session then sends that very request to
the configured base URL, so the emulator verifies against X's public origin (``origin``),
as X does whatever proxy or address carried the request.  A request signed for the
emulator's own address is refused, as X refuses one signed for another host: the adapter's
production signing path is the one under test, unchanged.

Written from RFC 5849 with the standard library, not with oauthlib (which tweepy signs
with), so that a signing mistake on the client side is caught rather than mirrored.

Scopes do not exist in OAuth 1.0a: an X app has a permission level (``read``,
``read-write``, ``read-write-dm``), and an access token keeps the level the app had when
the token was generated: after changing the app's permission, the token must be
regenerated.  :data:`PERMISSION_SCOPES` maps a level to the OAuth 2.0 scopes it amounts to,
so the server checks endpoints one way for both kinds of credentials.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import string
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote

from .state import ALL_SCOPES

X_ORIGIN = "https://api.twitter.com"
WINDOW = 300.0  # seconds a timestamp may be off (X does not publish its own value)
PERMISSIONS: tuple[str, ...] = ("read", "read-write", "read-write-dm")
PERMISSION_SCOPES: dict[str, frozenset[str]] = {
    "read": frozenset(s for s in ALL_SCOPES if s.endswith(".read")),
    "read-write": ALL_SCOPES - {"offline.access"},
    "read-write-dm": (ALL_SCOPES - {"offline.access"}) | {"dm.read", "dm.write"},
}
REQUIRED = ("oauth_consumer_key", "oauth_token", "oauth_signature_method", "oauth_timestamp",
            "oauth_nonce", "oauth_signature")
_PARAM = re.compile(r'\s*([A-Za-z0-9_%.~-]+)="([^"]*)"\s*(?:,|$)')
_ALNUM = string.ascii_letters + string.digits


class OAuth1Refused(Exception):
    """Why a request's OAuth 1.0a credentials were refused (X answers 401 for all of these)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class OAuth1App:
    """An X developer app: its consumer key and secret and its permission level."""

    consumer_key: str
    consumer_secret: str = field(repr=False)
    permission: str = "read-write"


@dataclass
class OAuth1Token:
    """An account's access token and secret for one app, with the app's level when made."""

    value: str
    secret: str = field(repr=False)
    user_id: str
    consumer_key: str
    permission: str
    revoked: bool = False

    @property
    def scopes(self) -> frozenset[str]:
        """What the token's permission level allows, in OAuth 2.0 scope names."""
        return PERMISSION_SCOPES[self.permission]


def percent_encode(value: str) -> str:
    """RFC 5849 3.6: UTF-8, then every byte but ``A-Z a-z 0-9 - . _ ~`` as ``%XX``."""
    return quote(value.encode("utf-8"), safe="-._~")


def parse_authorization(header: str) -> dict[str, str]:
    """The parameters of ``Authorization: OAuth k="v", ...`` (values percent-decoded)."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "oauth":
        raise OAuth1Refused("not an OAuth header")
    params: dict[str, str] = {}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if match is None:
            raise OAuth1Refused("malformed Authorization header")
        name, value = unquote(match.group(1)), unquote(match.group(2))
        if name in params:
            raise OAuth1Refused(f"duplicate {name}")
        params[name] = value
        position = match.end()
    return params


def base_string(method: str, base_uri: str, params: Iterable[tuple[str, str]]) -> str:
    """RFC 5849 3.4.1: METHOD & encoded base URI & encoded, sorted, encoded parameters."""
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    return "&".join((method.upper(), percent_encode(base_uri), percent_encode(normalized)))


def hmac_sha1(text: str, consumer_secret: str, token_secret: str) -> str:
    """RFC 5849 3.4.2: base64 of HMAC-SHA1 keyed with both encoded secrets joined by ``&``."""
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def random_key(length: int) -> str:
    """Letters and digits, like X's keys and secrets."""
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


class OAuth1Registry:
    """The apps and access tokens the emulated X knows, and the nonces it has seen."""

    def __init__(
        self, *, origin: str = X_ORIGIN, window: float = WINDOW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.origin = origin.rstrip("/")
        self.window = window
        self.clock = clock
        self.apps: dict[str, OAuth1App] = {}
        self.tokens: dict[str, OAuth1Token] = {}
        self._nonces: set[tuple[str, str, str, str]] = set()
        self._nonce_order: deque[tuple[float, tuple[str, str, str, str]]] = deque()

    def app(self, consumer_key: str | None, consumer_secret: str | None,
            permission: str) -> OAuth1App:
        """The app with that key (created with ``permission`` if new)."""
        if permission not in PERMISSIONS:
            raise ValueError(f"permission must be one of {PERMISSIONS}")
        key = consumer_key or random_key(25)
        found = self.apps.get(key)
        if found is None:
            found = OAuth1App(key, consumer_secret or random_key(50), permission)
            self.apps[key] = found
        elif consumer_secret is not None and consumer_secret != found.consumer_secret:
            raise ValueError("that consumer key is registered with another secret")
        return found

    def add_token(self, app: OAuth1App, user_id: str, value: str | None = None,
                  secret: str | None = None) -> OAuth1Token:
        """Generate the account's access token for ``app`` at the app's current level."""
        token = OAuth1Token(value or f"{user_id}-{random_key(40)}", secret or random_key(45),
                            user_id, app.consumer_key, app.permission)
        self.tokens[token.value] = token
        return token

    def verify(self, method: str, raw_path: str, raw_query: str, header: str,
               form: str = "") -> OAuth1Token:
        """The token a signed request acts with, or :class:`OAuth1Refused` naming the check
        that failed.  ``form`` is an ``application/x-www-form-urlencoded`` body (signed too);
        X API v2 sends JSON, which the signature does not cover."""
        oauth = parse_authorization(header)
        for name in REQUIRED:
            if not oauth.get(name):
                raise OAuth1Refused(f"missing {name}")
        if oauth.get("oauth_version", "1.0") != "1.0":
            raise OAuth1Refused("unsupported oauth_version")
        if oauth["oauth_signature_method"] != "HMAC-SHA1":
            raise OAuth1Refused("unsupported signature method")
        app = self.apps.get(oauth["oauth_consumer_key"])
        if app is None:
            raise OAuth1Refused("unknown consumer key")
        token = self.tokens.get(oauth["oauth_token"])
        if token is None or token.revoked or token.consumer_key != app.consumer_key:
            raise OAuth1Refused("unknown or revoked access token")
        now = self.clock()
        try:
            stamp = int(oauth["oauth_timestamp"])
        except ValueError:
            raise OAuth1Refused("timestamp out of window") from None
        if abs(now - stamp) > self.window:
            raise OAuth1Refused("timestamp out of window")
        params = [(k, v) for k, v in oauth.items() if k not in ("oauth_signature", "realm")]
        params += parse_qsl(raw_query, keep_blank_values=True)
        params += parse_qsl(form, keep_blank_values=True)
        expected = hmac_sha1(base_string(method, self.origin + raw_path, params),
                             app.consumer_secret, token.secret)
        if not hmac.compare_digest(expected, oauth["oauth_signature"]):
            raise OAuth1Refused("bad signature")
        self._remember(app.consumer_key, token.value, oauth["oauth_nonce"], stamp, now)
        return token

    def _remember(self, consumer_key: str, token: str, nonce: str, stamp: int,
                  now: float) -> None:
        """Refuse a nonce seen with the same timestamp (RFC 5849 3.3).  Once twice the window
        has passed, its timestamp is refused anyway, so it is forgotten."""
        while self._nonce_order and now - self._nonce_order[0][0] > 2 * self.window:
            self._nonces.discard(self._nonce_order.popleft()[1])
        key = (consumer_key, token, nonce, str(stamp))
        if key in self._nonces:
            raise OAuth1Refused("replayed nonce")
        self._nonces.add(key)
        self._nonce_order.append((now, key))


__all__ = [
    "PERMISSIONS",
    "PERMISSION_SCOPES",
    "WINDOW",
    "X_ORIGIN",
    "OAuth1App",
    "OAuth1Refused",
    "OAuth1Registry",
    "OAuth1Token",
    "base_string",
    "hmac_sha1",
    "parse_authorization",
    "percent_encode",
]
