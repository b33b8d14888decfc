"""Instagram's Graph routes: IG users, media, comments and replies, plus the page-level calls an
Instagram integration makes (linked account, permissions, webhook subscription).

Registered in front of :class:`.server.GraphRoutes` on the same ``/{version}/{path}`` pattern;
any request that is not about Instagram is handed to the Facebook handler unchanged, so the
middleware (faults, usage headers, request log) and every Facebook route behave as before.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import render
from .ig_render import (
    COMMENT_DEFAULT,
    IG_USER_DEFAULT,
    MEDIA_DEFAULT,
    CommentRenderer,
    render_account,
    render_media,
)
from .instagram import READ_PERMISSION, WRITE_PERMISSION, IgAccount
from .page_access import permissions_body, require, subscribed_apps
from .server import (
    VERSION_PATTERN,
    _bool_param,
    _limit,
    _token,
    error_response,
    expired_token,
    json_response,
    read_params,
)
from .state import GraphError, Page, missing_object, permission_error

if TYPE_CHECKING:
    from .ig_emulator import InstagramEmulator

Fallback = Callable[[web.Request], Awaitable[web.Response]]
PAGE_EDGES = ("permissions", "subscribed_apps")
LINK_FIELD = "instagram_business_account"


class InstagramRoutes:
    """The Instagram handlers, bound to one emulator, falling back to the Facebook ones."""

    def __init__(self, emu: InstagramEmulator, fallback: Fallback) -> None:
        self.emu = emu
        self.fallback = fallback

    def install(self, app: web.Application) -> None:
        """Add ``/{version}/{path}`` (before the Facebook routes, which take everything else)."""
        app.router.add_route("*", f"/{{version:{VERSION_PATTERN}}}/{{path:.*}}", self.handle)

    def _page_of(self, node: str, page: Page | None) -> Page | None:
        if node == "me":
            return page
        return self.emu.world.pages.get(node)

    def _claims(
        self, request: web.Request, segments: list[str], page: Page | None, params: dict[str, str]
    ) -> bool:
        """Whether a request is about Instagram (everything else goes to the Facebook routes)."""
        if not segments or len(segments) > 2:
            return False
        node, edge = segments[0], (segments[1] if len(segments) == 2 else None)
        ig = self.emu.ig
        if node in ig.accounts or node in ig.media or node in ig.comments:
            return True
        target = self._page_of(node, page)
        if target is None or ig.account_for_page(target.id) is None:
            return False
        if edge in PAGE_EDGES:
            return True
        return edge is None and request.method == "GET" and LINK_FIELD in params.get("fields", "")

    async def handle(self, request: web.Request) -> web.Response:
        """Authenticate, dispatch Instagram paths, render Graph errors; hand the rest on."""
        try:
            params = await read_params(request)
        except GraphError:
            return await self.fallback(request)  # let the Facebook handler report it
        token = _token(request, params)
        page = self.emu.world.page_for_token(token) if token else None
        segments = [s for s in request.match_info["path"].split("/") if s]
        if not self._claims(request, segments, page, params):
            return await self.fallback(request)
        trace_id = secrets.token_urlsafe(9)
        try:
            if request.method not in ("GET", "POST", "DELETE"):
                raise GraphError(100, f"Unsupported method {request.method}", status=405)
            if not token:
                raise GraphError(104, "An access token is required to request this resource.")
            if page is None:
                raise expired_token()
            account = self.emu.ig.account_for_page(page.id)
            if account is None:
                raise missing_object(segments[0])
            body = self._dispatch(request, page, account, segments, params, token)
        except GraphError as error:
            return error_response(error, trace_id)
        finally:
            self.emu.publish_changes()
        return json_response(body)

    # ---- dispatch ----------------------------------------------------------------------------

    def _dispatch(
        self,
        request: web.Request,
        page: Page,
        account: IgAccount,
        segments: list[str],
        params: dict[str, str],
        token: str,
    ) -> Any:
        node, edge = segments[0], (segments[1] if len(segments) == 2 else None)
        ig, method = self.emu.ig, request.method
        if self._page_of(node, page) is not None:
            return self._page_call(request, page, account, node, edge, params)
        if method == "GET":
            self._need(account, READ_PERMISSION)
        else:
            self._need(account, WRITE_PERMISSION)
        if node in ig.accounts:
            if node != account.id:
                raise missing_object(node)
            if edge is None and method == "GET":
                spec = render.parse_fields(params.get("fields") or IG_USER_DEFAULT)
                return render_account(ig, account, spec)
            if edge == "media" and method == "GET":
                return self._list_media(request, account, params, token)
        elif node in ig.media:
            media = ig.get_media(node)
            if media.owner_id != account.id:
                raise missing_object(node)
            if edge is None and method == "GET":
                spec = render.parse_fields(params.get("fields") or MEDIA_DEFAULT)
                return render_media(ig, media, spec)
            if edge == "comments" and method == "GET":
                return self._list_comments(request, node, params, token)
            if edge == "comments" and method == "POST":
                return {"id": ig.post_as_account(account, node, params.get("message", "")).id}
        else:
            return self._comment_call(request, account, node, edge, params, token)
        raise GraphError(100, f"(#100) Unsupported {method} request on edge '{edge or ''}'")

    def _comment_call(
        self,
        request: web.Request,
        account: IgAccount,
        node: str,
        edge: str | None,
        params: dict[str, str],
        token: str,
    ) -> Any:
        ig, method = self.emu.ig, request.method
        if edge is None and method == "DELETE":
            ig.delete(account, node)
            return {"success": True}
        comment = ig.comment(node)
        if comment.owner_id != account.id:
            raise missing_object(node)
        if edge is None and method == "GET":
            spec = render.parse_fields(params.get("fields") or COMMENT_DEFAULT)
            return self._renderer(request, token).render(comment, spec)
        if edge is None and method == "POST":
            if "hide" not in params:
                raise GraphError(100, "(#100) No valid parameters were given (try hide)")
            ig.set_hidden(account, node, _bool_param(params, "hide"))
            return {"success": True}
        if edge == "replies" and method == "GET":
            spec = render.parse_fields(params.get("fields") or COMMENT_DEFAULT)
            query = {k: v for k, v in request.query.items() if k in ("after", "before")}
            return self._renderer(request, token).replies_page(
                comment, spec, query, limit=_limit(params)
            )
        if edge == "replies" and method == "POST":
            return {"id": ig.post_as_account(account, node, params.get("message", "")).id}
        raise GraphError(100, f"(#100) Unsupported {method} request on edge '{edge or ''}'")

    def _page_call(
        self,
        request: web.Request,
        page: Page,
        account: IgAccount,
        node: str,
        edge: str | None,
        params: dict[str, str],
    ) -> Any:
        target = self._page_of(node, page)
        if target is None or target.id != page.id:
            raise permission_error("a page token may only read its own page")
        if edge == "permissions" and request.method == "GET":
            return permissions_body(account.permissions)
        if edge == "subscribed_apps":
            return subscribed_apps(request.method, account, params)
        if edge is None and request.method == "GET":
            spec = render.parse_fields(params.get("fields") or render.PAGE_DEFAULT)
            link = spec.pop(LINK_FIELD, None)
            body = render.render_page(page, spec)
            linked = {"id": account.id, "username": account.username, "name": account.name}
            body[LINK_FIELD] = {k: v for k, v in linked.items() if k == "id" or k in (link or {})}
            return body
        raise GraphError(100, f"(#100) Unsupported {request.method} request on edge '{edge}'")

    @staticmethod
    def _need(account: IgAccount, permission: str) -> None:
        require(account.permissions, permission)

    # ---- listings ----------------------------------------------------------------------------

    def _renderer(self, request: web.Request, token: str) -> CommentRenderer:
        version = request.match_info.get("version", self.emu.graph_version)
        return CommentRenderer(self.emu.ig, url=request.url, version=version, token=token)

    def _list_media(
        self, request: web.Request, account: IgAccount, params: dict[str, str], token: str
    ) -> Any:
        ig = self.emu.ig
        spec = render.parse_fields(params.get("fields") or MEDIA_DEFAULT)
        return render.paginate(
            ig.account_media(account.id),
            key=lambda m: (m.timestamp, m.seq),
            render=lambda m: render_media(ig, m, spec),
            url=request.url,
            query=dict(request.query) | {"access_token": token},
            limit=_limit(params),
            descending=True,
        )

    def _list_comments(
        self, request: web.Request, media_id: str, params: dict[str, str], token: str
    ) -> Any:
        spec = render.parse_fields(params.get("fields") or COMMENT_DEFAULT)
        renderer = self._renderer(request, token)
        return render.paginate(
            self.emu.ig.top_level(media_id),
            key=lambda c: (c.timestamp, c.seq),
            render=lambda c: renderer.render(c, spec),
            url=request.url,
            query=dict(request.query) | {"access_token": token},
            limit=_limit(params),
            descending=True,
        )
