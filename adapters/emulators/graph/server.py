"""The Graph API routes: ``/{version}/{id}`` and ``/{version}/{id}/{edge}`` with Graph's answers.

Every Graph response is ``application/json`` with the usage headers; faults are applied in a
middleware before (or after) the handler, exactly where a real network or platform would fail.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.typedefs import Handler

from ..common.faults import answer_late, bad_gateway_page, truncated_json
from . import render
from .faults import FaultSpec
from .page_access import MODERATE_PERMISSION, permissions_body, require, subscribed_apps
from .state import GraphError, Page, permission_error
from .usage import usage_headers

if TYPE_CHECKING:
    from .emulator import GraphEmulator

JSON = "application/json"
VERSION_PATTERN = r"v\d+(?:\.\d+)?"
POST_EDGES = ("posts", "feed", "published_posts")
THROTTLE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
}


def json_response(body: Any, status: int = 200) -> web.Response:
    """A response with exactly ``Content-Type: application/json``, as the SDK expects."""
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode("utf-8"),
        status=status,
        content_type=JSON,
    )


def _emptied(response: web.StreamResponse) -> web.StreamResponse:
    """The same listing with its ``data`` dropped and its ``paging`` (``next``) kept."""
    if not isinstance(response, web.Response) or not isinstance(response.body, bytes):
        return response
    body = json.loads(response.body) if response.status == 200 else None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return response  # not a listing
    return json_response({**body, "data": []})


def error_response(error: GraphError, trace_id: str) -> web.Response:
    """Graph's error body, with ``WWW-Authenticate`` on token errors."""
    response = json_response(error.body(trace_id), status=error.status)
    if error.code in (104, 190):
        response.headers["WWW-Authenticate"] = (
            f'OAuth "Facebook Platform" "invalid_token" "{error.message}"'
        )
    return response


def expired_token() -> GraphError:
    """Code 190 / subcode 463, what Graph says about an expired (or unknown) page token."""
    return GraphError(
        190,
        "Error validating access token: Session has expired on Sunday, 22-Nov-26 10:00:00 PST.",
        subcode=463,
    )


def _token(request: web.Request, params: dict[str, str]) -> str:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith(("bearer ", "oauth ")):
        return auth.split(" ", 1)[1].strip()
    return params.get("access_token", "")


async def read_params(request: web.Request) -> dict[str, str]:
    """Query string merged with a form or JSON body (the body wins), as flat strings."""
    params = dict(request.query)
    if request.method in ("POST", "DELETE") and request.body_exists:
        if request.content_type == JSON:
            try:
                body = await request.json()
            except ValueError:
                raise GraphError(100, "(#100) Invalid JSON body") from None
            if isinstance(body, dict):
                params.update(
                    {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
                )
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def _limit(params: dict[str, str]) -> int:
    try:
        limit = int(params.get("limit", "25"))
    except ValueError:
        raise GraphError(100, "(#100) Param limit must be an integer") from None
    return max(1, min(limit, 100))


def _time_param(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        return int(float(raw))
    except ValueError:
        pass
    try:
        return int(datetime.fromisoformat(raw.replace("+0000", "+00:00")).timestamp())
    except ValueError:
        raise GraphError(100, f"(#100) Param {name} must be a unix time or a date") from None


def _bool_param(params: dict[str, str], name: str) -> bool:
    value = params.get(name)
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise GraphError(100, f"(#100) Param {name} must be a boolean (true or false), got {value!r}")


class GraphRoutes:
    """The Graph handlers, bound to one emulator."""

    def __init__(self, emu: GraphEmulator) -> None:
        self.emu = emu

    def install(self, app: web.Application) -> None:
        """Add ``/{version}/{path}``, and Graph-shaped errors for any other path or method."""
        app.router.add_route("*", f"/{{version:{VERSION_PATTERN}}}/{{path:.*}}", self.handle)
        app.router.add_route("*", "/{path:.*}", self.unknown)

    async def unknown(self, request: web.Request) -> web.Response:
        """Paths without a version (or unknown control paths) get Graph's JSON error too."""
        error = GraphError(100, f"Unknown path components: {request.path}", status=404)
        return error_response(error, secrets.token_urlsafe(9))

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Count the call, apply any armed fault, and stamp the usage headers."""
        if request.path.startswith("/_emulator"):
            return await handler(request)
        emu = self.emu
        emu.meter.record()
        trace_id = secrets.token_urlsafe(9)
        fault = emu.faults.take(request.method, request.path)
        percent, regain = emu.meter.percent(), 0
        response: web.StreamResponse
        if fault is None:
            response = await handler(request)
        else:
            response, percent, regain = await self._faulted(
                fault, request, handler, trace_id, percent
            )
        page = emu.world.page_for_token(_token(request, dict(request.query)))
        page_id = page.id if page else (emu.page_id or "0")
        for name, value in usage_headers(page_id, percent, regain).items():
            response.headers[name] = value
        response.headers["facebook-api-version"] = request.match_info.get(
            "version", emu.graph_version
        )
        response.headers["x-fb-trace-id"] = trace_id
        emu.log_request(request, response.status, fault.kind if fault else "")
        return response

    async def _faulted(
        self, fault: FaultSpec, request: web.Request, handler: Handler, trace_id: str, percent: int
    ) -> tuple[web.StreamResponse, int, int]:
        if fault.kind == "error500":
            error = GraphError(
                2,
                "An unexpected error has occurred. Please retry your request later.",
                status=500,
                is_transient=True,
            )
            return error_response(error, trace_id), percent, 0
        if fault.kind == "throttle":
            error = GraphError(fault.code, THROTTLE_MESSAGES[fault.code], is_transient=True)
            return error_response(error, trace_id), 100, fault.regain_minutes
        if fault.kind == "expired_token":
            return error_response(expired_token(), trace_id), percent, 0
        if fault.kind == "slow":
            await answer_late(request, fault.delay)
            return await handler(request), percent, 0
        if fault.kind == "usage":
            return await handler(request), fault.percent, 0
        if fault.kind == "empty_page":
            return _emptied(await handler(request)), percent, 0
        if fault.body == "html":
            return bad_gateway_page(), percent, 0
        return truncated_json(await handler(request)), percent, 0

    async def handle(self, request: web.Request) -> web.Response:
        """Authenticate, dispatch on the path shape, render Graph errors."""
        trace_id = secrets.token_urlsafe(9)
        try:
            if request.method not in ("GET", "POST", "DELETE"):
                raise GraphError(100, f"Unsupported method {request.method}", status=405)
            params = await read_params(request)
            token = _token(request, params)
            if not token:
                raise GraphError(104, "An access token is required to request this resource.")
            page = self.emu.world.page_for_token(token)
            if page is None:
                raise expired_token()
            segments = [s for s in request.match_info["path"].split("/") if s]
            if len(segments) == 1:
                body = self._node(request, page, segments[0], params)
            elif len(segments) == 2:
                body = self._edge(request, page, segments[0], segments[1], params)
            else:
                raise GraphError(100, "Unknown path components: /" + "/".join(segments[2:]))
        except GraphError as error:
            return error_response(error, trace_id)
        finally:
            self.emu.publish_changes()
        return json_response(body)

    # ---- nodes -------------------------------------------------------------------------------

    def _node(self, request: web.Request, page: Page, node_id: str, params: dict[str, str]) -> Any:
        state = self.emu.world
        if node_id == "me":
            node_id = page.id
        if request.method == "GET":
            spec = params.get("fields")
            if node_id in state.pages:
                return render.render_page(
                    state.pages[node_id], render.parse_fields(spec or render.PAGE_DEFAULT)
                )
            if node_id in state.posts:
                fields = render.parse_fields(spec or render.POST_DEFAULT)
                links = self._links(request, params)
                return render.render_post(state, state.posts[node_id], fields, links)
            comment = state.comment(node_id)
            return render.render_comment(
                state, comment, render.parse_fields(spec or render.COMMENT_DEFAULT)
            )
        if request.method == "DELETE":
            if node_id in state.posts or node_id in state.pages:
                raise permission_error("only comments can be deleted here")
            require(page.permissions, MODERATE_PERMISSION)
            state.delete(page, node_id)
            return {"success": True}
        if node_id in state.posts or node_id in state.pages:
            raise GraphError(100, "(#100) This object cannot be updated through this endpoint")
        state.comment(node_id)
        if "is_hidden" not in params:
            raise GraphError(100, "(#100) No valid parameters were given (try is_hidden)")
        require(page.permissions, MODERATE_PERMISSION)
        state.set_hidden(page, node_id, _bool_param(params, "is_hidden"))
        return {"success": True}

    # ---- edges -------------------------------------------------------------------------------

    def _edge(
        self, request: web.Request, page: Page, node_id: str, edge: str, params: dict[str, str]
    ) -> Any:
        state = self.emu.world
        if node_id == "me":
            if edge == "permissions" and request.method == "GET":
                return permissions_body(page.permissions)  # what the token itself was granted
            node_id = page.id
        method = request.method
        if edge in POST_EDGES and node_id in state.pages:
            if method == "POST" and edge == "feed":
                self._own(page, node_id)
                return {"id": state.add_post(params.get("message", ""), page_id=node_id).id}
            if method == "GET":
                return self._list_posts(request, node_id, params)
        if edge == "comments":
            if method == "POST":
                require(page.permissions, MODERATE_PERMISSION)
                return {"id": state.reply_as_page(page, node_id, params.get("message", "")).id}
            if method == "GET":
                return self._list_comments(request, node_id, params)
        if edge == "blocked" and node_id in state.pages:
            self._own(page, node_id)
            return self._blocked(request, page, params)
        if edge == "subscribed_apps" and node_id in state.pages:
            self._own(page, node_id)
            return subscribed_apps(method, page, params)
        if node_id not in state.pages and node_id not in state.posts:
            state.comment(node_id)
        raise GraphError(100, f"(#100) Unsupported {method} request on edge '{edge}'")

    @staticmethod
    def _own(page: Page, node_id: str) -> None:
        if page.id != node_id:
            raise permission_error("a page token may only manage its own page")

    def _list_posts(self, request: web.Request, page_id: str, params: dict[str, str]) -> Any:
        state = self.emu.world
        posts = state.page_posts(page_id)
        since, until = _time_param(params, "since"), _time_param(params, "until")
        posts = [
            p
            for p in posts
            if (since is None or p.created_time >= since)
            and (until is None or p.created_time <= until)
        ]
        spec = render.parse_fields(params.get("fields") or render.POST_DEFAULT)
        links = self._links(request, params)
        return render.paginate(
            posts,
            key=lambda p: (p.created_time, p.seq),
            render=lambda p: render.render_post(state, p, spec, links),
            url=request.url,
            query=dict(request.query) | self._token_query(request, params),
            limit=_limit(params),
            descending=True,
        )

    def _list_comments(self, request: web.Request, object_id: str, params: dict[str, str]) -> Any:
        state = self.emu.world
        if object_id not in state.posts:
            state.comment(object_id)
        filter_ = params.get("filter", "toplevel")
        order = params.get("order", "chronological")
        if filter_ not in ("toplevel", "stream") or order not in (
            "chronological",
            "reverse_chronological",
        ):
            raise GraphError(100, "(#100) Invalid filter or order")
        comments = state.thread_comments(object_id, stream=filter_ == "stream")
        since, until = _time_param(params, "since"), _time_param(params, "until")
        comments = [
            c
            for c in comments
            if (since is None or c.created_time >= since)
            and (until is None or c.created_time <= until)
        ]
        descending = order == "reverse_chronological"
        if descending:
            comments.reverse()
        spec = render.parse_fields(params.get("fields") or render.COMMENT_DEFAULT)
        return render.paginate(
            comments,
            key=lambda c: (c.created_time, c.seq),
            render=lambda c: render.render_comment(state, c, spec),
            url=request.url,
            query=dict(request.query) | self._token_query(request, params),
            limit=_limit(params),
            descending=descending,
        )

    @staticmethod
    def _links(request: web.Request, params: dict[str, str]) -> render.EdgeLinks:
        """Where ``next`` URLs of edges nested in a node point: this server, version and token."""
        root = request.url.with_path(f"/{request.match_info['version']}/").with_query(None)
        return render.EdgeLinks(root=root, token=_token(request, params))

    @staticmethod
    def _token_query(request: web.Request, params: dict[str, str]) -> dict[str, str]:
        """Graph's ``next`` URLs carry the access token (facebook-sdk relies on it)."""
        return {"access_token": _token(request, params)}

    def _blocked(self, request: web.Request, page: Page, params: dict[str, str]) -> Any:
        state = self.emu.world
        users = [u for u in (params.get("user") or params.get("uid") or "").split(",") if u]
        if request.method == "GET":
            rows = [
                {"id": uid, "name": name}
                for uid, name in page.blocked.items()
                if not users or uid in users
            ]
            return {"data": rows[: _limit(params)]}
        if not users:
            raise GraphError(100, "(#100) Param user must be a user id")
        if request.method == "DELETE":
            for uid in users:
                state.unblock(page, uid)
            return {"success": True}
        for uid in users:
            state.block(page, uid)
        return {uid: True for uid in users}
