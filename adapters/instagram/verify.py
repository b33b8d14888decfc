"""``modbot accounts verify`` for Instagram: the token, each permission, the webhook subscription.

Every finding is written for a school's IT lead: what is wrong and what to grant or change.
Nothing here raises for a missing permission; only the token check can end the list early
(with a token Meta refuses, nothing else can be asked).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.base import AdapterError, AuthExpired, Finding
from adapters.facebook.errors import ObjectMissing

from .client import InstagramGraph

REQUIRED_PERMISSIONS: dict[str, str] = {
    "instagram_basic": "read the account's posts and the comments on them",
    "instagram_manage_comments": "hide, delete and reply to comments",
    "pages_show_list": "find the Facebook Page the Instagram account is linked to",
    "pages_read_engagement": "read the linked Page and its webhook set-up",
}
WEBHOOK_FIELD = "comments"


async def verify_account(client: InstagramGraph, ig_user_id: str) -> list[Finding]:
    """Findings for the token, each required permission and the ``comments`` webhook."""
    credentials = await _credentials(client, ig_user_id)
    if not credentials.ok:
        return [credentials]
    findings = [credentials, *await _permissions(client)]
    findings.append(await _subscription(client, ig_user_id))
    return findings


async def _credentials(client: InstagramGraph, ig_user_id: str) -> Finding:
    check = "credentials"
    try:
        node = await client.account(ig_user_id)
    except AuthExpired:
        return Finding(check, False, (
            "Meta refused the access token: it has expired or was revoked. Generate a new "
            "access token for the Facebook Page linked to the Instagram account and update "
            "the stored secret."
        ))
    except ObjectMissing:
        return Finding(check, False, (
            f"The access token cannot see Instagram account {ig_user_id}. Check the account "
            "id, and use the token of the Facebook Page that the Instagram professional "
            "account is linked to."
        ))
    except AdapterError as exc:
        return Finding(check, False, f"Could not reach Instagram to check the token ({exc}). "
                       "Try again in a few minutes.")
    username = node.get("username", "") if isinstance(node, Mapping) else ""
    return Finding(check, True, f"The token reaches Instagram account @{username}.")


def _statuses(body: Any) -> dict[str, str]:
    rows = body.get("data") if isinstance(body, Mapping) else None
    statuses: dict[str, str] = {}
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, Mapping) and isinstance(row.get("permission"), str):
            statuses[row["permission"]] = str(row.get("status", ""))
    return statuses


async def _permissions(client: InstagramGraph) -> list[Finding]:
    try:
        statuses = _statuses(await client.permissions())
    except AdapterError as exc:
        return [Finding("permissions", False, (
            f"Could not read the token's permissions ({exc}). Check them in Meta Business "
            "Suite: the app needs " + ", ".join(REQUIRED_PERMISSIONS) + "."
        ))]
    findings = []
    for permission, purpose in REQUIRED_PERMISSIONS.items():
        status = statuses.get(permission)
        check = f"permission {permission}"
        if status == "granted":
            findings.append(Finding(check, True, f"Granted: lets the bot {purpose}."))
            continue
        state = "was declined" if status == "declined" else (
            "has expired" if status == "expired" else "was not granted")
        findings.append(Finding(check, False, (
            f"The permission {permission} {state}, so the bot cannot {purpose}. Ask the "
            "person who connected the account to reconnect the app and allow it."
        )))
    return findings


async def _subscription(client: InstagramGraph, ig_user_id: str) -> Finding:
    check = "webhook subscription"
    try:
        page = await client.linked_page()
        page_id = str(page.get("id", "")) if isinstance(page, Mapping) else ""
        linked = page.get("instagram_business_account") if isinstance(page, Mapping) else None
        linked_id = str(linked.get("id", "")) if isinstance(linked, Mapping) else ""
        if not page_id or linked_id != ig_user_id:
            return Finding(check, False, (
                "The access token is not a token of the Facebook Page linked to Instagram "
                f"account {ig_user_id}, so its webhooks cannot be checked. Use that Page's "
                "token; until then new comments arrive only by polling."
            ))
        apps = await client.subscribed_apps(page_id)
    except AdapterError as exc:
        return Finding(check, False, f"Could not check the webhook subscription ({exc}). New "
                       "comments still arrive by polling.")
    rows = apps.get("data") if isinstance(apps, Mapping) else None
    rows = [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []
    if not rows:
        return Finding(check, False, (
            f"The app is not installed on the Facebook Page {page_id}, so Instagram sends it "
            "no webhooks. Subscribe the app to the Page (subscribed_apps) and to the "
            "Instagram 'comments' field; until then new comments arrive only by polling."
        ))
    fields = {str(f) for r in rows for f in r.get("subscribed_fields") or [] if f}
    if WEBHOOK_FIELD not in fields:
        return Finding(check, False, (
            "The app is not subscribed to Instagram's 'comments' webhook field. In the Meta "
            "App Dashboard, under Webhooks > Instagram, subscribe to 'comments'; until then "
            "new comments arrive only by polling."
        ))
    return Finding(check, True, "Instagram sends new comments to the bot by webhook.")
