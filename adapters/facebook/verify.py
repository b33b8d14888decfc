"""``modbot accounts verify`` for a Facebook Page: the token, each permission, the webhook.

Every finding is written for a school's IT lead: what is wrong and what to grant or change.
Nothing here raises for a missing permission; only the token check can end the list early
(with a token Meta refuses, nothing else can be asked).

About permissions, honestly: ``GET /me/permissions`` belongs to the User node, and on the real
Graph API a *page* token may not be able to list its permissions there; the dependable source
is ``GET /debug_token?input_token=...`` called with an app token (app id and secret), which this
adapter is not given. We read ``/me/permissions`` as the emulator serves it and, when Graph will
not answer it, say so plainly and list what to check by hand instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.base import AdapterError, AuthExpired, Finding, PermanentError

from .client import GraphClient
from .errors import ObjectMissing

# permission -> what the bot does with it (read as "the bot can / cannot ...")
REQUIRED_PERMISSIONS: dict[str, str] = {
    "pages_show_list": (
        "find the Page among the Pages the connecting account manages (Meta needs this to "
        "issue a Page token)"
    ),
    "pages_read_engagement": "read the Page's posts and details",
    "pages_read_user_content": "read the comments people write on the Page's posts",
    "pages_manage_engagement": "hide, reply to or delete comments",
    "pages_manage_metadata": "subscribe to the Page's webhooks and hear of new comments at once",
}
WEBHOOK_FIELD = "feed"
SUBSCRIBE_HOW = (
    "a Page admin subscribes the app to the Page with the 'feed' field "
    "(POST /{page_id}/subscribed_apps?subscribed_fields=feed, step 3 of the Facebook set-up)"
)
RECONNECT = (
    "Ask the Page admin who connected the app to connect it again, allowing this permission, "
    "and store the new Page token."
)


async def verify_page(client: GraphClient, page_id: str) -> list[Finding]:
    """Findings for the token, each required permission and the ``feed`` webhook."""
    credentials = await _credentials(client, page_id)
    if not credentials.ok:
        return [credentials]
    return [credentials, *await _permissions(client), await _subscription(client, page_id)]


async def _credentials(client: GraphClient, page_id: str) -> Finding:
    check = "credentials"
    try:
        page = await client.request(page_id, args={"fields": "id,name"})
        me = await client.request("me", args={"fields": "id,name"})
    except AuthExpired:
        return Finding(check, False, (
            "Meta refused the page token: it has expired or was revoked (for example after a "
            "password change, or when the person who connected the Page lost their role). "
            "Generate a new Page access token and update the stored secret."
        ))
    except ObjectMissing:
        return Finding(check, False, (
            f"Facebook shows no Page {page_id} to this token. Check the page id in the "
            "settings, and that the token is the access token of that Page, not of another."
        ))
    except AdapterError as exc:
        return Finding(check, False, f"Could not reach Facebook to check the page token "
                       f"({exc}). Try again in a few minutes.")
    name = str(page.get("name", "")) if isinstance(page, Mapping) else ""
    owner = str(me.get("id", "")) if isinstance(me, Mapping) else ""
    if owner != page_id:
        other = str(me.get("name", "")) if isinstance(me, Mapping) else ""
        return Finding(check, False, (
            f"The token is the access token of another Page ({other or '?'}, {owner or '?'}), "
            f"not of '{name}' ({page_id}). Store the access token of Page {page_id}."
        ))
    return Finding(check, True, f"The page token reaches the Page '{name}' ({page_id}).")


def _statuses(body: Any) -> dict[str, str] | None:
    """``permission -> status`` from ``/me/permissions``, or None if the body has no list."""
    rows = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(rows, list):
        return None
    return {
        row["permission"]: str(row.get("status", ""))
        for row in rows
        if isinstance(row, Mapping) and isinstance(row.get("permission"), str)
    }


async def _permissions(client: GraphClient) -> list[Finding]:
    try:
        statuses = _statuses(await client.request("me/permissions"))
        problem = "" if statuses is not None else "Graph's answer had no list of permissions"
    except AdapterError as exc:
        statuses, problem = None, str(exc)
    if statuses is None:
        return [Finding("permissions", False, (
            f"Could not read the page token's permissions ({problem}). Check them by hand "
            "with Meta's Access Token Debugger (developers.facebook.com/tools/debug/"
            "accesstoken): the app needs "
            + ", ".join(REQUIRED_PERMISSIONS) + "."
        ))]
    findings = []
    for permission, purpose in REQUIRED_PERMISSIONS.items():
        status = statuses.get(permission)
        check = f"permission {permission}"
        if status == "granted":
            findings.append(Finding(check, True, f"Granted: the bot can {purpose}."))
            continue
        state = {"declined": "was declined", "expired": "has expired"}.get(
            status or "", "was not granted")
        findings.append(Finding(check, False, (
            f"The permission {permission} {state}, so the bot cannot {purpose}. {RECONNECT}"
        )))
    return findings


async def _subscription(client: GraphClient, page_id: str) -> Finding:
    check = "webhook subscription"
    until = SUBSCRIBE_HOW.format(page_id=page_id)
    try:
        apps = await client.request(f"{page_id}/subscribed_apps")
    except PermanentError as exc:
        return Finding(check, False, (
            f"Meta would not show which apps are subscribed to the Page ({exc}); usually "
            "pages_manage_metadata is missing. New comments arrive only by polling until "
            f"{until}."
        ))
    except AdapterError as exc:
        return Finding(check, False, f"Could not check the webhook subscription ({exc}). New "
                       "comments still arrive by polling.")
    rows = apps.get("data") if isinstance(apps, Mapping) else None
    rows = [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []
    if not rows:
        return Finding(check, False, (
            f"The app is not subscribed to the Page's webhooks, so new comments arrive only by "
            f"polling until {until}."
        ))
    fields = {str(f) for r in rows for f in r.get("subscribed_fields") or [] if f}
    if WEBHOOK_FIELD not in fields:
        return Finding(check, False, (
            "The app is subscribed to the Page but not to its 'feed' field, which carries "
            f"comments, so new comments arrive only by polling until {until}."
        ))
    return Finding(check, True, "Facebook sends new comments on the Page to the bot by webhook.")
