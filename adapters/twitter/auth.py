"""Which user-context credentials an X account uses, and what to tell a person when X refuses
them.

OAuth 1.0a (the app's consumer key and secret with the account's access token and secret) do
not expire, so a long-running service keeps working; an OAuth 2.0 user-context access token
alone expires after two hours.  With OAuth 1.0a every request is signed (tweepy does it with
oauthlib, for X's public URL ``https://api.twitter.com/...``: see :mod:`.client` for why that
stays valid when the request is sent to another base URL).

OAuth 1.0a has no scopes: the app has a permission level (Read; Read and write; Read and write
and Direct message), and an access token keeps the level the app had when it was generated.
No value here is ever logged or shown in a ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

READ_ONLY_APP = (
    "the X app has Read only permission. In the X developer portal, set the app's "
    "permissions to Read and write (User authentication settings), then regenerate the "
    "access token and secret (a token keeps the permission it was generated with) and put "
    "the new pair in the configuration"
)
OAUTH1_REFUSED = (
    "X refused the OAuth 1.0a keys: the consumer key or secret or the access token or secret "
    "is wrong or was regenerated, the account revoked the app, or this server's clock is more "
    "than a few minutes out. Check the clock, then copy the four values again from the app's "
    "Keys and tokens page in the X developer portal (regenerate the access token and secret, "
    "signed in as the school's account, if they are lost)."
)


@dataclass(frozen=True)
class OAuth1Keys:
    """The OAuth 1.0a values that go with the access token (none shown by ``repr``)."""

    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token_secret: str = field(repr=False)


def oauth1_keys(
    consumer_key: str | None, consumer_secret: str | None, access_token_secret: str | None
) -> OAuth1Keys | None:
    """All three given: OAuth 1.0a.  None: OAuth 2.0.  Some: a ValueError naming (never
    showing) the missing ones, since a half-configured account would silently use the
    two-hour token instead."""
    given = {"consumer_key": consumer_key, "consumer_secret": consumer_secret,
             "access_token_secret": access_token_secret}
    missing = [name for name, value in given.items() if not value]
    if len(missing) == len(given):
        return None
    if missing:
        raise ValueError("OAuth 1.0a needs consumer_key, consumer_secret and "
                         f"access_token_secret together; missing: {', '.join(missing)}")
    return OAuth1Keys(str(consumer_key), str(consumer_secret), str(access_token_secret))


__all__ = ["OAUTH1_REFUSED", "READ_ONLY_APP", "OAuth1Keys", "oauth1_keys"]
