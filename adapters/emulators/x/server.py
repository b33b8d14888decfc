"""The X API v2 routes, with X's checks in X's order: credentials, rate window, access tier,
scopes (OAuth 2.0) or app permission (OAuth 1.0a).

Every answer carries ``x-rate-limit-limit/remaining/reset``; faults are applied in the
middleware, before (or after) the handler, exactly where a network or X itself would fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.typedefs import Handler

from ..common.faults import answer_late, bad_gateway_page
from .faults import PROCESSED_KINDS, FaultSpec
from .oauth1 import OAuth1Refused
from .problems import (
    JSON,
    XProblem,
    bad_param,
    client_not_enrolled,
    forbidden,
    invalid_request,
    not_found,
    oauth1_permissions,
    server_error,
    too_many_requests,
    unauthorized,
)
from .reads import ReadRoutes
from .render import Shape, user_json
from .state import User

if TYPE_CHECKING:
    from .emulator import XEmulator

READ = frozenset({"tweet.read", "users.read"})
ANONYMOUS = "-"
X_USER = web.RequestKey("x_user", User)
AUTH_KIND = web.RequestKey("x_auth_kind", str)  # "oauth2", "oauth1" or "" (for the log)
AUTH_ERROR = web.RequestKey("x_auth_error", str)  # why credentials were refused (for the log)
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Caller:
    """Whom a request acts for and what it may do: an OAuth 2.0 token's scopes, or the scopes
    an OAuth 1.0a token's app permission amounts to."""

    user_id: str
    scopes: frozenset[str]
    oauth1: bool = False


@dataclass(frozen=True)
class Endpoint:
    """What an endpoint demands: OAuth 2.0 scopes, and whether the Free tier may call it."""

    scopes: frozenset[str]
    paid: bool = True


ENDPOINTS: dict[str, Endpoint] = {
    "GET /2/users/me": Endpoint(READ, paid=False),
    "GET /2/users/:id/mentions": Endpoint(READ),
    "GET /2/users/:id/tweets": Endpoint(READ),
    "GET /2/tweets/search/recent": Endpoint(READ),
    "GET /2/tweets/:id": Endpoint(READ),
    "GET /2/tweets": Endpoint(READ),
    "PUT /2/tweets/:id/hidden": Endpoint(READ | {"tweet.moderate.write"}),
    "POST /2/tweets": Endpoint(READ | {"tweet.write"}, paid=False),
    "DELETE /2/tweets/:id": Endpoint(READ | {"tweet.write"}, paid=False),
    "GET /2/users/:id/muting": Endpoint(READ | {"mute.read"}),
    "POST /2/users/:id/muting": Endpoint(READ | {"mute.write"}),
    "DELETE /2/users/:id/muting/:id": Endpoint(READ | {"mute.write"}),
}

XHandler = Callable[[web.Request, User], Awaitable[Any]]


def json_response(body: Any, status: int = 200) -> web.Response:
    """X's success answers: ``application/json; charset=utf-8``."""
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode("utf-8"),
        status=status,
        content_type=JSON,
        charset="utf-8",
    )


def problem_response(problem: XProblem) -> web.Response:
    """An error answer in X's shape (problem+json, or JSON for validation errors)."""
    return web.Response(
        body=json.dumps(problem.body, separators=(",", ":")).encode("utf-8"),
        status=problem.status,
        content_type=problem.content_type,
        charset="utf-8" if problem.content_type == JSON else None,
    )


def route_key(request: web.Request) -> str:
    """``PUT /2/tweets/:id/hidden`` for any request that matched that route."""
    resource = request.match_info.route.resource
    template = resource.canonical if resource is not None else request.path
    return f"{request.method} " + re.sub(r"\{[^}]+\}", ":id", template)


def bearer(request: web.Request) -> str:
    """The token of ``Authorization: Bearer ...`` (empty when absent)."""
    auth = request.headers.get("Authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


async def json_body(request: web.Request) -> dict[str, Any]:
    """A JSON object body, or X's 400."""
    try:
        body = await request.json() if request.body_exists else None
    except ValueError:
        raise invalid_request("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid_request("Request body must be a JSON object")
    return body


class XRoutes:
    """The handlers and the middleware, bound to one emulator."""

    def __init__(self, emu: XEmulator) -> None:
        self.emu = emu
        self.reads = ReadRoutes(emu)

    def install(self, app: web.Application) -> None:
        """Register the X API v2 routes, then X-shaped 404s for anything else."""
        routes: list[tuple[str, str, XHandler]] = [
            ("GET", "/2/users/me", self.me),
            ("GET", "/2/users/{id}/mentions", self.reads.mentions),
            ("GET", "/2/users/{id}/tweets", self.reads.user_tweets),
            ("GET", "/2/users/{id}/muting", self.muted),
            ("POST", "/2/users/{id}/muting", self.mute),
            ("DELETE", "/2/users/{id}/muting/{target}", self.unmute),
            ("GET", "/2/tweets/search/recent", self.reads.search_recent),
            ("GET", "/2/tweets", self.reads.lookup_many),
            ("POST", "/2/tweets", self.create),
            ("GET", "/2/tweets/{id}", self.reads.lookup_one),
            ("DELETE", "/2/tweets/{id}", self.delete),
            ("PUT", "/2/tweets/{id}/hidden", self.hide),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, self._wrap(handler))
        app.router.add_route("*", "/{path:.*}", self.unknown)

    async def unknown(self, request: web.Request) -> web.Response:
        """Paths X does not have."""
        return problem_response(not_found(f"Unknown path: {request.method} {request.path}"))

    def _wrap(self, handler: XHandler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                result = await handler(request, request[X_USER])
            except XProblem as problem:
                return problem_response(problem)
            return result if isinstance(result, web.StreamResponse) else json_response(result)

        return wrapped

    # ---- the middleware ----------------------------------------------------------------------

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Credentials, faults, rate window, tier and scopes; then stamp headers, log the call."""
        if request.path.startswith("/_emulator"):
            return await handler(request)
        emu = self.emu
        key = route_key(request)
        caller = await self._authenticate(request)
        who = caller.user_id if caller else ANONYMOUS
        fault = emu.faults.take(request.method, request.path)
        headers = emu.limiter.peek(who, key)
        response: web.StreamResponse
        if fault is not None and fault.kind not in PROCESSED_KINDS:
            response, headers = self._fault_answer(fault, who, key, headers)
        elif fault is not None and fault.kind == "malformed" and fault.body == "html":
            response = bad_gateway_page()
        elif fault is not None and fault.kind == "malformed" and fault.body == "portal":
            html = "<html><body><h1>This site is blocked by your school</h1></body></html>"
            response = web.Response(text=html, status=200, content_type="text/html")
        else:
            if fault is not None and fault.kind == "slow":
                await answer_late(request, fault.delay)
            response, headers = await self._checked(request, handler, caller, key, headers)
            if fault is not None and fault.kind == "malformed":
                response = _truncated(response)
            elif fault is not None and fault.kind == "empty_page":
                response = _emptied(response)
        for name, value in headers.items():
            response.headers[name] = value
        emu.log_request(request, response.status, fault.kind if fault else "")
        return response

    def _fault_answer(
        self, fault: FaultSpec, who: str, key: str, headers: dict[str, str]
    ) -> tuple[web.StreamResponse, dict[str, str]]:
        if fault.kind == "expired_token":
            return problem_response(unauthorized()), headers
        if fault.kind == "throttle":
            return problem_response(too_many_requests()), self.emu.limiter.exhaust(
                who, key, fault.reset_in
            )
        return problem_response(server_error(fault.status)), headers

    async def _authenticate(self, request: web.Request) -> Caller | None:
        """The caller of a Bearer (OAuth 2.0) or OAuth (1.0a, signature checked) request;
        None when the credentials are missing or refused (the reason goes to the log)."""
        header = request.headers.get("Authorization", "")
        if header[:6].lower() == "oauth ":
            request[AUTH_KIND] = "oauth1"
            form = ""
            if request.content_type == FORM and request.can_read_body:
                form = (await request.read()).decode("utf-8", "replace")
            try:
                token = self.emu.oauth1.verify(
                    request.method, request.rel_url.raw_path, request.rel_url.raw_query_string,
                    header, form,
                )
            except OAuth1Refused as refused:
                request[AUTH_ERROR] = refused.reason
                return None
            return Caller(token.user_id, token.scopes, oauth1=True)
        request[AUTH_KIND] = "oauth2" if bearer(request) else ""
        found = self.emu.world.token(bearer(request))
        if found is None:
            request[AUTH_ERROR] = "unknown or revoked token" if bearer(request) else "none"
            return None
        return Caller(found.user_id, found.scopes)

    async def _checked(
        self,
        request: web.Request,
        handler: Handler,
        caller: Caller | None,
        key: str,
        headers: dict[str, str],
    ) -> tuple[web.StreamResponse, dict[str, str]]:
        emu = self.emu
        endpoint = ENDPOINTS.get(key)
        if endpoint is None:
            return await handler(request), headers
        if caller is None:
            return problem_response(unauthorized()), headers
        allowed, headers = emu.limiter.consume(caller.user_id, key)
        if not allowed:
            return problem_response(too_many_requests()), headers
        if endpoint.paid and emu.tier == "free":
            return problem_response(client_not_enrolled(emu.client_id)), headers
        if not endpoint.scopes <= caller.scopes:
            refusal = oauth1_permissions() if caller.oauth1 else forbidden()
            return problem_response(refusal), headers
        request[X_USER] = emu.world.users[caller.user_id]
        return await handler(request), headers

    # ---- users -------------------------------------------------------------------------------

    async def me(self, request: web.Request, user: User) -> Any:
        """``GET /2/users/me``."""
        shape = Shape.from_params(request.query)
        return {"data": user_json(user, shape.user_fields)}

    def _own_path(self, request: web.Request, user: User) -> None:
        if request.match_info["id"] != user.id:
            raise forbidden("You are not permitted to perform this action on behalf of another "
                            "user.")

    async def muted(self, request: web.Request, user: User) -> Any:
        """``GET /2/users/:id/muting``."""
        self._own_path(request, user)
        muted = [self.emu.world.users[m] for m in self.emu.world.mutes.get(user.id, {})
                 if m in self.emu.world.users]
        if not muted:
            return {"meta": {"result_count": 0}}
        return {"data": [user_json(u) for u in muted], "meta": {"result_count": len(muted)}}

    async def mute(self, request: web.Request, user: User) -> Any:
        """``POST /2/users/:id/muting`` ``{"target_user_id"}``."""
        self._own_path(request, user)
        body = await json_body(request)
        target = body.get("target_user_id")
        if not isinstance(target, str):
            raise invalid_request("target_user_id is required", "target_user_id", str(target))
        self.emu.world.mute(user, target)
        return {"data": {"muting": True}}

    async def unmute(self, request: web.Request, user: User) -> Any:
        """``DELETE /2/users/:source/muting/:target``."""
        self._own_path(request, user)
        self.emu.world.unmute(user, request.match_info["target"])
        return {"data": {"muting": False}}

    # ---- tweets ------------------------------------------------------------------------------

    def _tweet_id(self, request: web.Request) -> str:
        tweet_id = request.match_info["id"]
        if not tweet_id.isdigit():
            raise bad_param("id", tweet_id)
        return tweet_id

    async def create(self, request: web.Request, user: User) -> web.Response:
        """``POST /2/tweets`` ``{"text", "reply": {"in_reply_to_tweet_id"}}`` -> 201."""
        body = await json_body(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise invalid_request("text is required when no media is attached", "text", "")
        reply = body.get("reply")
        target: str | None = None
        if reply is not None:
            target = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
            if not isinstance(target, str) or not target.isdigit():
                raise invalid_request("reply.in_reply_to_tweet_id must be a Tweet id",
                                      "reply.in_reply_to_tweet_id", str(target))
        tweet = self.emu.world.post_via_api(user, text, target)
        data = {"edit_history_tweet_ids": tweet.edit_history_tweet_ids, "id": tweet.id,
                "text": tweet.text}
        return json_response({"data": data}, status=201)

    async def delete(self, request: web.Request, user: User) -> Any:
        """``DELETE /2/tweets/:id`` (the author's own Tweets only)."""
        self.emu.world.delete(user, self._tweet_id(request))
        return {"data": {"deleted": True}}

    async def hide(self, request: web.Request, user: User) -> Any:
        """``PUT /2/tweets/:id/hidden`` ``{"hidden": true|false}``."""
        tweet_id = self._tweet_id(request)
        body = await json_body(request)
        hidden = body.get("hidden")
        if not isinstance(hidden, bool):
            raise invalid_request("hidden must be true or false", "hidden", str(hidden))
        self.emu.world.set_hidden(user, tweet_id, hidden)
        return {"data": {"hidden": hidden}}


def _emptied(response: web.StreamResponse) -> web.StreamResponse:
    """The same listing with its Tweets (and their ``includes``) dropped, ``next_token`` kept."""
    if not isinstance(response, web.Response) or not isinstance(response.body, bytes):
        return response
    body = json.loads(response.body) if response.status == 200 else None
    if not isinstance(body, dict) or not isinstance(body.get("meta"), dict):
        return response  # not a listing
    meta = {k: v for k, v in body["meta"].items() if k == "next_token"}
    return json_response({"meta": {"result_count": 0, **meta}})


def _truncated(response: web.StreamResponse) -> web.StreamResponse:
    """The same answer with its JSON body cut in half (a broken proxy, a dropped connection)."""
    if not isinstance(response, web.Response) or not isinstance(response.body, bytes):
        return response
    raw = response.body
    return web.Response(
        body=raw[: max(1, len(raw) // 2)], status=response.status, content_type=JSON,
        charset="utf-8",
    )
