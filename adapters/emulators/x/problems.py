"""X API v2 error answers: RFC 7807 "problem" bodies and the ``errors`` arrays of partial errors.

X answers a failed request with ``{"title", "detail", "type", "status"}`` (``application/problem+
json``), validation failures with an ``errors`` array beside title/detail/type, and a lookup of a
missing Tweet with HTTP 200 and an ``errors`` entry instead of ``data``.  Each helper below
returns one of those shapes so the server and the state speak with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROBLEMS = "https://api.twitter.com/2/problems/"
PROBLEM_JSON = "application/problem+json"
JSON = "application/json"


@dataclass
class XProblem(Exception):
    """An error answer: HTTP ``status`` with ``body`` (already in X's shape)."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    content_type: str = PROBLEM_JSON

    def __str__(self) -> str:
        return f"{self.status} {self.body.get('title', '')}: {self.body.get('detail', '')}"


def _problem(status: int, title: str, detail: str, type_: str = "about:blank") -> XProblem:
    return XProblem(status, {"title": title, "detail": detail, "type": type_, "status": status})


def unauthorized() -> XProblem:
    """A missing, unknown, expired or revoked token."""
    return _problem(401, "Unauthorized", "Unauthorized")


def forbidden(detail: str = "Forbidden") -> XProblem:
    """X's generic refusal; a token without the endpoint's scope gets exactly this body."""
    return _problem(403, "Forbidden", detail)


def oauth1_permissions() -> XProblem:
    """An OAuth 1.0a request whose token's app permission (e.g. Read only) lacks the endpoint."""
    return _problem(
        403,
        "Forbidden",
        "Your client app is not configured with the appropriate oauth1 app permissions for "
        "this endpoint.",
        PROBLEMS + "oauth1-permissions",
    )


def client_not_enrolled(client_id: str) -> XProblem:
    """The app's access level (tier) does not include the endpoint (e.g. mentions on Free)."""
    problem = _problem(
        403,
        "Client Forbidden",
        "When authenticating requests to the Twitter API v2 endpoints, you must use keys and "
        "tokens from a Twitter developer App that is attached to a Project. You currently have "
        "access to a subset of X API V2 endpoints only. If you need access to this endpoint, "
        "you may need a different access level.",
        PROBLEMS + "client-forbidden",
    )
    del problem.body["status"]
    problem.body.update(
        {
            "client_id": client_id,
            "reason": "client-not-enrolled",
            "required_enrollment": "Appropriate Level of API Access",
            "registration_url": "https://developer.x.com/en/portal/product",
        }
    )
    return problem


def too_many_requests() -> XProblem:
    """The endpoint's window is used up (the rate-limit headers say until when)."""
    return _problem(429, "Too Many Requests", "Too Many Requests")


def not_found(detail: str = "Not Found") -> XProblem:
    """An unknown path, or a write on a Tweet that does not exist."""
    return _problem(404, "Not Found Error", detail, PROBLEMS + "resource-not-found")


def server_error(status: int = 503) -> XProblem:
    """What X answers when it is over capacity or broken."""
    titles = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
              504: "Gateway Timeout"}
    title = titles.get(status, "Internal Server Error")
    return _problem(status, title, title)


def invalid_request(message: str, parameter: str | None = None, value: str = "") -> XProblem:
    """A 400 with X's validation ``errors`` array (parameter and message)."""
    error: dict[str, Any] = {"message": message}
    if parameter is not None:
        error["parameters"] = {parameter: [value]}
    return XProblem(
        400,
        {
            "errors": [error],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": PROBLEMS + "invalid-request",
        },
        content_type=JSON,
    )


def bad_param(parameter: str, value: str, why: str = "is not valid") -> XProblem:
    """``The `since_id` query parameter value [abc] is not valid``, as X words it."""
    return invalid_request(
        f"The `{parameter}` query parameter value [{value}] {why}", parameter, value
    )


def resource_missing(value: str, resource_type: str = "tweet", parameter: str = "id") -> dict:
    """One partial-error entry of a 200 answer for an id that does not exist."""
    noun = "tweet" if resource_type == "tweet" else "user"
    return {
        "value": value,
        "detail": f"Could not find {noun} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": PROBLEMS + "resource-not-found",
    }
