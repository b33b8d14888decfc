"""The Instagram Graph calls, named for what they do.

Every call goes through :class:`adapters.facebook.client.GraphClient`: facebook-sdk in a thread
pool, its own ``requests`` session whose transport rewrites ``https://graph.facebook.com/`` to
the configured base URL (no module global is touched), usage headers feeding the rate gate,
tenacity retries for 5xx / timeouts / malformed bodies, and Graph errors mapped to the adapter
errors (throttling codes 4/17/32/613 -> RateLimited, 190 -> AuthExpired, gone -> ObjectMissing).
Instagram with Facebook Login is the same Graph API, so nothing of that is repeated here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from adapters.facebook.client import GRAPH_URL, GraphClient, Reconcile

__all__ = ["COMMENT_FIELDS", "GRAPH_URL", "MEDIA_FIELDS", "REPLY_FIELDS", "InstagramGraph"]

MEDIA_FIELDS = "id,timestamp,permalink,comments_count"
REPLY_FIELDS = "id,text,timestamp,username,from{id,username},hidden,parent_id"
COMMENT_FIELDS = f"id,text,timestamp,username,from{{id,username}},hidden,replies{{{REPLY_FIELDS}}}"
MATCH_FIELDS = "id,text,timestamp,from{id,username}"


class InstagramGraph:
    """Async Instagram calls for one access token (the linked Page's token)."""

    def __init__(
        self,
        access_token: str,
        *,
        base_url: str = GRAPH_URL,
        version: str = "v21.0",
        timeout: float = 10.0,
        retry_attempts: int = 4,
        retry_wait: float = 0.5,
        retry_max_wait: float = 8.0,
        rate_limit_wait: float = 60.0,
        slowdown_delay: float = 1.0,
        max_workers: int = 4,
    ) -> None:
        self.graph = GraphClient(
            access_token,
            base_url=base_url,
            version=version,
            timeout=timeout,
            retry_attempts=retry_attempts,
            retry_wait=retry_wait,
            retry_max_wait=retry_max_wait,
            rate_limit_wait=rate_limit_wait,
            slowdown_delay=slowdown_delay,
            max_workers=max_workers,
        )

    @property
    def stats(self) -> dict[str, int]:
        """Calls, retries and slowdowns so far."""
        return {
            "calls": self.graph.calls,
            "retries": self.graph.retries,
            "slowdowns": self.graph.gate.slowdowns,
        }

    async def close(self) -> None:
        """Stop the worker threads and the HTTP session."""
        await self.graph.close()

    # ---- reads -------------------------------------------------------------------------------

    async def account(self, ig_user_id: str) -> Any:
        """``GET /{ig-user-id}?fields=id,username``: proves the token reaches the account."""
        return await self.graph.request(ig_user_id, args={"fields": "id,username"})

    def media_pages(self, ig_user_id: str, limit: int) -> AsyncIterator[list[Any]]:
        """Pages of ``GET /{ig-user-id}/media`` (newest first), following ``paging.next``."""
        args = {"fields": MEDIA_FIELDS, "limit": str(limit)}
        return self.graph.iter_edge(ig_user_id, "media", args)

    async def media(self, media_id: str) -> Any:
        """``GET /{ig-media-id}``: one media's time and permalink."""
        return await self.graph.request(media_id, args={"fields": MEDIA_FIELDS})

    def comment_pages(
        self, media_id: str, limit: int, fields: str = COMMENT_FIELDS
    ) -> AsyncIterator[list[Any]]:
        """Pages of ``GET /{ig-media-id}/comments`` (top level, each with its first replies)."""
        return self.graph.iter_edge(media_id, "comments", {"fields": fields, "limit": str(limit)})

    def reply_pages(
        self, comment_id: str, limit: int, fields: str = REPLY_FIELDS
    ) -> AsyncIterator[list[Any]]:
        """Pages of ``GET /{ig-comment-id}/replies``."""
        return self.graph.iter_edge(comment_id, "replies", {"fields": fields, "limit": str(limit)})

    async def comment(self, comment_id: str, fields: str) -> Any:
        """``GET /{ig-comment-id}?fields=...`` (ObjectMissing once it is deleted)."""
        return await self.graph.request(comment_id, args={"fields": fields})

    # ---- moderation --------------------------------------------------------------------------

    async def set_hidden(self, comment_id: str, hidden: bool) -> Any:
        """``POST /{ig-comment-id} hide=true|false`` (booleans as strings: the SDK form-encodes)."""
        return await self.graph.request(
            comment_id, post_args={"hide": "true" if hidden else "false"}
        )

    async def delete(self, comment_id: str) -> Any:
        """``DELETE /{ig-comment-id}``."""
        return await self.graph.request(comment_id, method="DELETE")

    async def reply(self, comment_id: str, text: str, reconcile: Reconcile) -> Any:
        """``POST /{ig-comment-id}/replies message=``; ``reconcile`` runs before any retry."""
        return await self.graph.request(
            f"{comment_id}/replies", post_args={"message": text}, reconcile=reconcile
        )

    async def comment_on_media(self, media_id: str, text: str, reconcile: Reconcile) -> Any:
        """``POST /{ig-media-id}/comments message=``: a top-level comment by the account."""
        return await self.graph.request(
            f"{media_id}/comments", post_args={"message": text}, reconcile=reconcile
        )

    # ---- set-up checks -----------------------------------------------------------------------

    async def linked_page(self) -> Any:
        """``GET /me?fields=id,name,instagram_business_account``: the token's Page and its link."""
        return await self.graph.request(
            "me", args={"fields": "id,name,instagram_business_account"}
        )

    async def permissions(self) -> Any:
        """``GET /me/permissions``: each permission and whether it is granted."""
        return await self.graph.request("me/permissions")

    async def subscribed_apps(self, page_id: str) -> Any:
        """``GET /{page-id}/subscribed_apps``: apps installed on the Page and their fields."""
        return await self.graph.request(f"{page_id}/subscribed_apps")
