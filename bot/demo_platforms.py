"""The emulated accounts ``modbot demo`` moderates: one driver per platform.

Each driver starts its platform's emulator, says how the demo's configuration reaches it, posts
comments as members of the public and reads back, from the emulator's own state, what the
service did there.  The service under demonstration never sees a driver: it talks to the
emulators through the real client libraries, exactly as it would to the platforms.
"""

from __future__ import annotations

from typing import Any, Protocol

from adapters.emulators.discord.emulator import DiscordEmulator
from adapters.emulators.discord.scenario import build_server
from adapters.emulators.graph.emulator import GraphEmulator
from adapters.emulators.graph.ig_emulator import InstagramEmulator
from adapters.emulators.x.emulator import XEmulator


class DemoPlatform(Protocol):
    """One emulated official account in the demo."""

    platform: str
    account: str  # the account's key in the demo configuration
    title: str  # how the live view names it

    async def start(self) -> None:
        """Start the emulator and create the account and its posts."""

    def account_block(self) -> dict[str, Any]:
        """The platform block of the account's configuration (credentials as ``{env: ...}``)."""

    def environ(self) -> dict[str, str]:
        """The credentials the block refers to."""

    async def connect(self, web_base: str) -> str:
        """Point the platform's webhooks at the running service; a line for the live view."""

    async def post(self, thread: int, author: str, text: str, push: bool = True) -> None:
        """A member of the public posts ``text`` under post/channel ``thread``."""

    def outcome(self) -> dict[str, int]:
        """What the platform now shows: {"removed": hidden or deleted, "explanations": n}."""

    async def stop(self) -> None:
        """Stop the emulator."""


class FacebookDemo:
    """A Facebook Page on the Graph emulator; every fourth webhook is 'lost' by the demo."""

    platform = "facebook"
    account = "demo-facebook"
    title = "Facebook"
    POSTS = (
        "Christmas fair this Saturday 10am-1pm in the main hall. All welcome!",
        "Reminder: new uniform policy starts after half term. Details on the website.",
        "Huge congratulations to our Year 6 choir on their performance at the town hall.",
    )

    def __init__(self) -> None:
        self.emu = GraphEmulator()
        self._posts: list[str] = []
        self._page_id = ""

    async def start(self) -> None:
        """Start the emulator and publish the page's posts."""
        await self.emu.start()
        self._page_id = self.emu.add_page("Oakfield Academy").id
        self._posts = [self.emu.add_post(text)["id"] for text in self.POSTS]

    def account_block(self) -> dict[str, Any]:
        """The ``facebook`` block."""
        return {"page_id": self._page_id, "base_url": self.emu.base_url,
                "page_token": {"env": "DEMO_FB_PAGE_TOKEN"},
                "app_secret": {"env": "DEMO_FB_APP_SECRET"},
                "verify_token": {"env": "DEMO_FB_VERIFY_TOKEN"}}

    def environ(self) -> dict[str, str]:
        """Page token, app secret and verify token."""
        return {"DEMO_FB_PAGE_TOKEN": self.emu.page.access_token,
                "DEMO_FB_APP_SECRET": self.emu.app_secret,
                "DEMO_FB_VERIFY_TOKEN": self.emu.verify_token}

    async def connect(self, web_base: str) -> str:
        """Subscribe the page's webhook to the service and run the handshake."""
        self.emu.set_webhook(f"{web_base}/webhooks/{self.account}")
        handshake = await self.emu.verify_webhook()
        return (f"Facebook page 'Oakfield Academy' at {self.emu.base_url} (webhook handshake: "
                f"{'ok' if handshake.get('ok') else 'failed'})")

    async def post(self, thread: int, author: str, text: str, push: bool = True) -> None:
        """A comment on one of the page's posts; ``push=False`` loses its webhook."""
        self.emu.add_comment(self._posts[thread % len(self._posts)], text, author=author,
                             webhook=push)

    def outcome(self) -> dict[str, int]:
        """Hidden or deleted comments, and the page's own replies."""
        comments = self.emu.state().get("comments", [])
        return {"removed": sum(1 for c in comments if c.get("is_hidden") or c.get("deleted")),
                "explanations": sum(1 for c in comments if c.get("by_page"))}

    def webhooks_dropped(self) -> int:
        """Webhooks the emulator dropped on purpose (polling found those comments)."""
        return int(self.emu.state().get("webhooks", {}).get("dropped", 0))

    async def stop(self) -> None:
        """Stop the emulator."""
        await self.emu.stop()


class InstagramDemo:
    """An Instagram professional account on its own Graph emulator, with signed webhooks."""

    platform = "instagram"
    account = "demo-instagram"
    title = "Instagram"
    POSTS = (
        "Sports day is next Friday! Bring water bottles and sun cream.",
        "Our Year 3 artists have been busy: look at these amazing self-portraits.",
    )

    def __init__(self) -> None:
        self.emu = InstagramEmulator()
        self._media: list[str] = []

    async def start(self) -> None:
        """Start the emulator, create the account and publish its media."""
        await self.emu.start()
        self.emu.add_ig_account("oakfieldacademy", name="Oakfield Academy")
        self._media = [self.emu.add_media(text)["id"] for text in self.POSTS]

    def account_block(self) -> dict[str, Any]:
        """The ``instagram`` block."""
        return {"ig_user_id": self.emu.account.id, "base_url": self.emu.base_url,
                "access_token": {"env": "DEMO_IG_TOKEN"},
                "app_secret": {"env": "DEMO_IG_APP_SECRET"},
                "verify_token": {"env": "DEMO_IG_VERIFY_TOKEN"}}

    def environ(self) -> dict[str, str]:
        """The linked page's token, app secret and verify token."""
        return {"DEMO_IG_TOKEN": self.emu.token_for(),
                "DEMO_IG_APP_SECRET": self.emu.app_secret,
                "DEMO_IG_VERIFY_TOKEN": self.emu.verify_token}

    async def connect(self, web_base: str) -> str:
        """Subscribe the account's comments webhook to the service."""
        self.emu.set_webhook(f"{web_base}/webhooks/{self.account}")
        handshake = await self.emu.verify_webhook()
        return (f"Instagram account @oakfieldacademy at {self.emu.base_url} (webhook "
                f"handshake: {'ok' if handshake.get('ok') else 'failed'})")

    async def post(self, thread: int, author: str, text: str, push: bool = True) -> None:
        """A comment under one of the account's media."""
        username = "".join(ch for ch in author.lower() if ch.isalnum() or ch == "_") or "guest"
        self.emu.add_ig_comment(self._media[thread % len(self._media)], text,
                                username=username, webhook=push)

    def outcome(self) -> dict[str, int]:
        """Hidden or deleted comments, and the account's own comments."""
        totals = self.emu.state()["instagram"]["totals"]
        return {"removed": int(totals["hidden"]) + int(totals["deleted"]),
                "explanations": int(totals["account_replies"])}

    async def stop(self) -> None:
        """Stop the emulator."""
        await self.emu.stop()


class XDemo:
    """An X account on the X API v2 emulator: replies to its posts, and a mention elsewhere."""

    platform = "twitter"
    account = "demo-x"
    title = "X"
    POSTS = (
        "Parents' evening for Years 7-9 is on Thursday from 4pm. Book your slots online.",
        "Well done to our netball team, county champions for the second year running!",
    )

    def __init__(self) -> None:
        self.emu = XEmulator()
        self._posts: list[str] = []
        self._account: dict[str, Any] = {}

    async def start(self) -> None:
        """Start the emulator, create the school's account and its posts."""
        await self.emu.start()
        self._account = self.emu.add_account("OakfieldAcademy", "Oakfield Academy")
        self._posts = [self.emu.post_as_account(text)["id"] for text in self.POSTS]

    def account_block(self) -> dict[str, Any]:
        """The ``twitter`` block."""
        return {"user_id": self._account["id"], "username": self._account["username"],
                "base_url": self.emu.base_url, "access_token": {"env": "DEMO_X_TOKEN"}}

    def environ(self) -> dict[str, str]:
        """The account's OAuth 2.0 user-context token."""
        return {"DEMO_X_TOKEN": str(self._account["access_token"])}

    async def connect(self, web_base: str) -> str:
        """X has no webhooks at these tiers: the service polls."""
        return f"X account @OakfieldAcademy at {self.emu.base_url} (polled; X sends no webhooks)"

    async def post(self, thread: int, author: str, text: str, push: bool = True) -> None:
        """A reply to one of the account's posts; thread -1 is a mention in another thread."""
        handle = "".join(ch for ch in author if ch.isalnum() or ch == "_")[:15] or "guest"
        if thread < 0:
            elsewhere = self.emu.add_tweet("LocalNewsDesk", "Traffic chaos outside schools "
                                           "again this morning")
            self.emu.add_tweet(handle, f"@OakfieldAcademy {text}", elsewhere["id"],
                               name=author, mention_parent=False)
            return
        self.emu.add_tweet(handle, text, self._posts[thread % len(self._posts)], name=author)

    def outcome(self) -> dict[str, int]:
        """Hidden replies and the account's API replies."""
        return {"removed": len(self.emu.hidden_replies()),
                "explanations": len(self.emu.posted_replies())}

    async def stop(self) -> None:
        """Stop the emulator."""
        await self.emu.stop()


class DiscordDemo:
    """The parents' Discord server on the Discord emulator (REST and gateway)."""

    platform = "discord"
    account = "demo-discord"
    title = "Discord"
    CHANNELS = ("general", "questions")

    def __init__(self) -> None:
        self.emu = DiscordEmulator()
        self._channels: list[str] = []
        self._guild_id = ""

    async def start(self) -> None:
        """Start the emulator and build the school's server with the bot in it."""
        await self.emu.start()
        guild = build_server(self.emu, name="Oakfield Academy Parents",
                             channels=dict.fromkeys(self.CHANNELS))
        self._guild_id = guild.id
        by_name = {self.emu.world.channels[c].name: c for c in guild.channel_ids}
        self._channels = [by_name[name] for name in self.CHANNELS]

    def account_block(self) -> dict[str, Any]:
        """The ``discord`` block; authors of abuse get a ten-minute timeout."""
        return {"guild_id": self._guild_id, "channel_ids": list(self._channels),
                "bot_token": {"env": "DEMO_DISCORD_TOKEN"},
                "api_base_url": self.emu.api_base_url, "gateway_url": self.emu.gateway_url,
                "timeout_minutes": 10}

    def environ(self) -> dict[str, str]:
        """The bot's token."""
        return {"DEMO_DISCORD_TOKEN": self.emu.bot_token}

    async def connect(self, web_base: str) -> str:
        """The bot is already connected to the gateway by the service."""
        return (f"Discord server 'Oakfield Academy Parents' at {self.emu.api_base_url} "
                "(gateway connected by the service's bot)")

    def monitor_id(self, name: str) -> str:
        """The Discord user id of a member of staff (created in the server)."""
        user = self.emu.world.user_named(name)
        self.emu.world.add_member(self._guild_id, user.id)
        return user.id

    async def post(self, thread: int, author: str, text: str, push: bool = True) -> None:
        """A member of the server posts in one of the watched channels."""
        self.emu.post_message(self._channels[thread % len(self._channels)], author, text)

    def outcome(self) -> dict[str, int]:
        """Messages the bot deleted, its channel notices (DMs are alerts, not counted here)."""
        return {"removed": len(self.emu.deleted_by_bot()),
                "explanations": len(self.emu.notices()), "dms": len(self.emu.dms()),
                "timeouts": len(self.emu.timeouts())}

    async def stop(self) -> None:
        """Stop the emulator."""
        await self.emu.stop()
