"""``InstagramEmulator``: the Graph emulator with Instagram accounts, media and comments.

A :class:`.emulator.GraphEmulator` (so Facebook pages, faults, usage headers, the control API
and the webhook sender all work as before) whose server also answers Instagram's Graph calls
and whose webhooks include Instagram's signed ``comments`` field::

    emu = InstagramEmulator()
    account = seed_instagram_demo(emu)        # or emu.add_ig_account("oakfield_academy")
    base_url = await emu.start()
    ...
    await emu.stop()
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .control import ControlRoutes
from .emulator import GraphEmulator
from .ig_control import InstagramControlRoutes
from .ig_render import comment_json, comments_payload, ig_snapshot, media_json
from .ig_routes import InstagramRoutes
from .instagram import IgAccount, InstagramState, ig_user_id_for
from .page_access import checked_status
from .server import GraphRoutes


class InstagramEmulator(GraphEmulator):
    """A Graph API server on 127.0.0.1 speaking Instagram (and Facebook), its world in memory."""

    platform = "instagram"

    def __init__(self, **options: Any) -> None:
        """Takes the options of :class:`GraphEmulator` (secrets, faults, drop rate, clock)."""
        super().__init__(**options)
        self.ig = InstagramState(clock=self.world.clock)

    def build_app(self) -> web.Application:
        """Control routes, then the versioned Graph path, answered by Instagram's routes.

        aiohttp allows one handler per path pattern, so Instagram's handler owns
        ``/{version}/{path}`` and passes every non-Instagram request to the Facebook handler;
        the catch-all for unversioned paths is Facebook's, as in :meth:`GraphRoutes.install`.
        """
        graph = GraphRoutes(self)
        app = web.Application(middlewares=[graph.middleware])
        ControlRoutes(self).install(app)
        InstagramControlRoutes(self).install(app)
        InstagramRoutes(self, fallback=graph.handle).install(app)
        app.router.add_route("*", "/{path:.*}", graph.unknown)
        return app

    # ---- world -------------------------------------------------------------------------------

    @property
    def account(self) -> IgAccount:
        """The first Instagram account."""
        return self.ig.default_account()

    def add_ig_account(
        self,
        username: str,
        *,
        ig_user_id: str | None = None,
        name: str = "",
        page_id: str | None = None,
        access_token: str | None = None,
    ) -> IgAccount:
        """An Instagram professional account and the Facebook Page it is linked to.

        The page's access token is the credential for the account (Facebook Login).
        """
        page = self.world.pages.get(page_id or "") or self.add_page(
            name or username, page_id=page_id, access_token=access_token
        )
        return self.ig.add_account(username, page_id=page.id, ig_user_id=ig_user_id, name=name)

    def token_for(self, account: IgAccount | None = None) -> str:
        """The access token that reaches an account (its linked page's token)."""
        target = account or self.account
        return self.world.pages[target.page_id].access_token

    def add_media(
        self,
        caption: str,
        *,
        owner_id: str | None = None,
        timestamp: float | None = None,
        media_type: str = "IMAGE",
        media_product_type: str = "FEED",
    ) -> dict[str, Any]:
        """Publish a media as the account; returns it as the control API shows it."""
        media = self.ig.add_media(
            caption,
            owner_id=owner_id,
            timestamp=timestamp,
            media_type=media_type,
            media_product_type=media_product_type,
        )
        return media_json(media)

    def add_ig_comment(
        self,
        target_id: str,
        text: str,
        *,
        username: str = "a_parent",
        from_id: str | None = None,
        timestamp: float | None = None,
        webhook: bool = True,
    ) -> dict[str, Any]:
        """A member of the public comments on a media, or replies to a comment (``target_id``)."""
        comment = self.ig.add_comment(
            target_id,
            text,
            from_id=from_id or ig_user_id_for(username),
            username=username,
            timestamp=timestamp,
        )
        if webhook:
            self.publish_changes()
        else:
            self.ig.drain_changes()
        return comment_json(comment)

    def delete_ig_comment_by_author(self, comment_id: str) -> dict[str, Any]:
        """The author deletes their comment (Instagram sends no webhook for that)."""
        return comment_json(self.ig.delete_by_author(comment_id))

    def ig_comment(self, comment_id: str) -> dict[str, Any]:
        """One comment with flags and op counts (deleted ones included)."""
        return comment_json(self.ig.comment(comment_id, include_deleted=True))

    def set_permission(self, permission: str, status: str = "declined") -> None:
        """Grant or decline one permission of the account's token (``status``: granted/declined).

        A declined permission both shows in ``/me/permissions`` and makes the calls needing it
        fail with Graph's code 10.
        """
        self.account.permissions[permission] = checked_status(status)

    def set_subscribed_fields(self, fields: list[str]) -> None:
        """The webhook fields the app is subscribed to for the account (empty: none)."""
        self.account.subscribed_fields = [str(f) for f in fields]

    def state(self) -> dict[str, Any]:
        """The Graph state dump with an ``instagram`` section."""
        dump = super().state()
        dump["instagram"] = ig_snapshot(self.ig)
        return dump

    def reset(self) -> None:
        """Forget posts, media, comments, faults and counters; pages and accounts stay."""
        super().reset()
        self.ig.reset()

    def publish_changes(self) -> None:
        """Send the page feed changes and one ``comments`` webhook per new Instagram comment."""
        super().publish_changes()
        now = int(self.world.clock())
        for change in self.ig.drain_changes():
            media = self.ig.media[change.comment.media_id]
            self.webhooks.send(comments_payload(change.comment, media, now))

    def info(self) -> dict[str, Any]:
        """What a client needs to connect to the Instagram account: the CLI's first line."""
        account = next(iter(self.ig.accounts.values()), None)
        page = self.world.pages.get(account.page_id) if account else None
        return {
            "platform": "instagram",
            "base_url": self.base_url,
            "graph_version": self.graph_version,
            "control_url": self.control_url,
            "ig_user_id": account.id if account else None,
            "username": account.username if account else None,
            "page_id": page.id if page else None,
            "access_token": page.access_token if page else None,
            "app_secret": self.app_secret,
            "verify_token": self.verify_token,
        }
