"""What the app may do with a page token: ``/me/permissions`` and ``/{page-id}/subscribed_apps``.

One set of rules for both sides of the emulator: the Facebook routes answer from the
:class:`.state.Page` itself, the Instagram routes (for a page linked to an Instagram account)
from its :class:`.instagram.IgAccount`; the shapes, the status values and the code-10 refusal
are the same, so they live here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from .state import GraphError

APP_ID = "880000000000001"
APP_NAME = "academy-modbot"
STATUSES = ("granted", "declined", "expired")
MODERATE_PERMISSION = "pages_manage_engagement"  # a Page's hides, deletes and replies


class Subscriber(Protocol):
    """Whatever holds the webhook fields the app is subscribed to (a page, an IG account)."""

    subscribed_fields: list[str]


def checked_status(status: str) -> str:
    """``status`` if Graph could report it for a permission, else ValueError."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    return status


def no_permission(what: str) -> GraphError:
    """Graph's code 10: the token lacks the permission the call needs."""
    return GraphError(
        10, f"(#10) Application does not have permission for this action: {what}", status=403
    )


def require(permissions: Mapping[str, str], permission: str) -> None:
    """Refuse the call (code 10) unless ``permission`` is granted."""
    if permissions.get(permission) != "granted":
        raise no_permission(f"it needs {permission}")


def permissions_body(permissions: Mapping[str, str]) -> dict[str, Any]:
    """``GET /me/permissions``: one row per permission the token was asked for."""
    return {"data": [{"permission": name, "status": s} for name, s in permissions.items()]}


def subscribed_apps(method: str, holder: Subscriber, params: Mapping[str, str]) -> dict[str, Any]:
    """``GET|POST|DELETE /{page-id}/subscribed_apps`` against ``holder``'s webhook fields.

    GET lists the app (none once unsubscribed); POST replaces the fields with the
    comma-separated ``subscribed_fields``; DELETE unsubscribes.
    """
    if method == "GET":
        if not holder.subscribed_fields:
            return {"data": []}
        app = {
            "category": "Business",
            "link": "https://www.example.sch.uk/modbot",
            "name": APP_NAME,
            "id": APP_ID,
            "subscribed_fields": list(holder.subscribed_fields),
        }
        return {"data": [app]}
    if method == "DELETE":
        holder.subscribed_fields = []
        return {"success": True}
    fields = [f for f in params.get("subscribed_fields", "").split(",") if f]
    if not fields:
        raise GraphError(100, "(#100) Param subscribed_fields must be non-empty")
    holder.subscribed_fields = fields
    return {"success": True}
