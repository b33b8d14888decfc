"""``modbot accounts verify`` for X: the credentials, the API access tier, and each OAuth 2.0
scope or, for OAuth 1.0a, the app's permission level.

X has no endpoint that lists a user token's scopes, so each write scope is probed with a call
that cannot change anything: it names Tweet / user id 1, which does not exist on X (its first
Tweet is 20).  X checks the scope before it looks the object up, so a token without the scope
gets 403 and a token with it gets "not found" (or a harmless no-op).  Each probe costs one
request of its endpoint's 15-minute window (one of the 50 hides).

OAuth 1.0a has no scopes: the app's permission level (as it was when the access token was
generated) covers every write alike, so one probe, of hiding (the write the bot needs most),
tells Read only from Read and write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from adapters.base import (
    AuthExpired,
    Finding,
    PermanentError,
    RateLimited,
    TransientError,
)

from .auth import OAUTH1_REFUSED, READ_ONLY_APP
from .client import XClient
from .errors import AccessLevelTooLow, AppPermissionTooLow, InvalidRequest, Refused, TweetMissing

PROBE_ID = "1"
SCOPE_PURPOSES: dict[str, str] = {
    "tweet.read": "read the account's mentions and the replies to its posts",
    "users.read": "see who wrote them",
    "tweet.write": "post explanation replies",
    "tweet.moderate.write": "hide and unhide replies to the account's posts",
    "mute.write": "mute authors (used only when mute_authors is on)",
    "offline.access": "renew its access (X access tokens last two hours)",
}
NEEDED_SCOPES = tuple(SCOPE_PURPOSES)
REAUTHORISE = ("An administrator of the X account should sign in again through the "
               "moderation app and approve every permission it asks for.")
WRITES = "post explanation replies, hide replies and mute authors"


async def verify_account(client: XClient, user_id: str) -> list[Finding]:
    """Every check, in plain words for a school's IT lead; never raises for a refusal."""
    if client.oauth1:
        return await _verify_oauth1(client, user_id)
    credentials, handle = await _credentials(client, user_id)
    if not credentials.ok:
        return [credentials, Finding(
            "permissions", False, "not checked: the access token itself was refused."
        )]
    findings = [credentials]
    for scope in ("tweet.read", "users.read"):
        findings.append(Finding(
            f"permission {scope}", True, f"granted: the bot can {SCOPE_PURPOSES[scope]}."
        ))
    findings.append(await _access_level(client, user_id))
    probes: dict[str, Callable[[], Awaitable[Any]]] = {
        "tweet.write": lambda: client.call(
            "DELETE /2/tweets/:id", "delete_tweet", PROBE_ID),
        "tweet.moderate.write": lambda: client.call(
            "PUT /2/tweets/:id/hidden", "unhide_reply", PROBE_ID),
        "mute.write": lambda: client.call(
            "DELETE /2/users/:id/muting/:id", "unmute", PROBE_ID),
    }
    for scope, probe in probes.items():
        findings.append(await _probe(scope, probe))
    findings.append(Finding(
        "permission offline.access",
        True,
        "cannot be checked from an access token: make sure it was approved, so that the bot "
        f"can {SCOPE_PURPOSES['offline.access']}" + (f" for @{handle}." if handle else "."),
    ))
    return findings


async def _verify_oauth1(client: XClient, user_id: str) -> list[Finding]:
    """Credentials, tier, the app's permission level, and what lifetime to expect."""
    credentials, handle = await _credentials(client, user_id)
    if not credentials.ok:
        return [credentials, Finding(
            "app permission", False, "not checked: the OAuth 1.0a keys themselves were refused."
        )]
    return [
        credentials,
        await _access_level(client, user_id),
        await _app_permission(client),
        Finding("token lifetime", True, "OAuth 1.0a keys do not expire: they stop working "
                "only when regenerated in the X developer portal or when the account revokes "
                "the app" + (f" (@{handle})." if handle else ".")),
    ]


async def _app_permission(client: XClient) -> Finding:
    """Read only or Read and write, probed with an unhide of a Tweet that does not exist."""
    check = "app permission"
    try:
        await client.call("PUT /2/tweets/:id/hidden", "unhide_reply", PROBE_ID)
    except AppPermissionTooLow:
        return Finding(check, False, f"the bot cannot {WRITES}: {READ_ONLY_APP}.")
    except AccessLevelTooLow:
        return Finding(check, False, "the app's X API tier does not allow hiding replies: the "
                       "Basic or higher tier is needed.")
    except Refused as exc:
        return Finding(check, False, "X refused a write that Read and write permission "
                       f"allows (X said: {exc.detail or 'Forbidden'}).")
    except RateLimited as exc:
        return Finding(check, False, _later(exc))
    except AuthExpired:
        return Finding(check, False, "not checked: " + OAUTH1_REFUSED)
    except (TweetMissing, InvalidRequest):
        pass  # the permission check passed; the probe's Tweet does not exist, as intended
    except (TransientError, PermanentError) as exc:
        return Finding(check, False, f"could not be checked now: {exc}")
    return Finding(check, True, f"Read and write: the bot can {WRITES}.")


async def _credentials(client: XClient, user_id: str) -> tuple[Finding, str]:
    keys, belong, work = (("OAuth 1.0a keys", "belong", "work") if client.oauth1
                          else ("access token", "belongs", "works"))
    try:
        me = await client.call("GET /2/users/me", "get_me")
    except AuthExpired:
        if client.oauth1:
            return Finding("credentials", False, OAUTH1_REFUSED), ""
        return Finding("credentials", False, "X refused the access token: it has expired or "
                       "was revoked. " + REAUTHORISE), ""
    except Refused as exc:
        return Finding("credentials", False, "X refused to say whose token this is "
                       f"({exc.detail or 'forbidden'}): the token lacks tweet.read or "
                       "users.read. " + REAUTHORISE), ""
    except (TransientError, PermanentError) as exc:
        return Finding("credentials", False, f"could not be checked now: {exc}"), ""
    data = me.get("data") if isinstance(me, dict) else None
    owner = str(data.get("id", "")) if isinstance(data, dict) else ""
    handle = str(data.get("username", "")) if isinstance(data, dict) else ""
    if owner != user_id:
        return Finding("credentials", False, f"the {keys} {belong} to @{handle or '?'} "
                       f"(user {owner or '?'}), not to the configured user {user_id}: fix "
                       "user_id in the configuration or sign in as the school's account."), ""
    return Finding("credentials", True, f"the {keys} {work} for @{handle} ({user_id})."), handle


async def _access_level(client: XClient, user_id: str) -> Finding:
    """Reading mentions needs a paid tier: the Free tier answers 403 client-not-enrolled."""
    check = "API access level"
    try:
        await client.call("GET /2/users/:id/mentions", "get_users_mentions", user_id,
                          max_results=5)
    except AccessLevelTooLow:
        return Finding(check, False, "reading mentions needs the Basic or higher API tier: the "
                       "X developer account behind the app is on a tier (such as Free) that "
                       "cannot read mentions or search replies. Upgrade it in the X developer "
                       "portal; until then the bot cannot see anything posted to the account.")
    except RateLimited as exc:
        return Finding(check, False, _later(exc))
    except (AuthExpired, TransientError, PermanentError) as exc:
        return Finding(check, False, f"X refused to list mentions: {exc}")
    return Finding(check, True, "the app's tier can read mentions and search replies.")


async def _probe(scope: str, call: Callable[[], Awaitable[Any]]) -> Finding:
    check = f"permission {scope}"
    purpose = SCOPE_PURPOSES[scope]
    try:
        await call()
    except AccessLevelTooLow:
        return Finding(check, False, f"the app's X API tier does not allow this: the bot "
                       f"cannot {purpose}. The Basic or higher tier is needed.")
    except Refused as exc:
        return Finding(check, False, f"missing: the access token was not granted {scope}, so "
                       f"the bot cannot {purpose} (X said: {exc.detail or 'Forbidden'}). "
                       + REAUTHORISE)
    except RateLimited as exc:
        return Finding(check, False, _later(exc))
    except AuthExpired:
        return Finding(check, False, "not checked: X refused the access token. " + REAUTHORISE)
    except (TweetMissing, InvalidRequest):
        pass  # the scope check passed; the probe's object does not exist, as intended
    except (TransientError, PermanentError) as exc:
        return Finding(check, False, f"could not be checked now: {exc}")
    return Finding(check, True, f"granted: the bot can {purpose}.")


def _later(exc: RateLimited) -> str:
    return (f"could not be checked now: X's rate limit for this is used up; try again in "
            f"{int(exc.retry_after)} seconds.")
