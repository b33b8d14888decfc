"""Seed data: the demo school server, and scenario files of (timed) channel messages.

A scenario is YAML or JSON::

    server: {name: Oakfield Academy Parents, id: "1187000000000000001"}   # optional
    bot: {name: Oakfield ModBot, token: demo-token}                         # optional
    message_content_intent: true                                            # optional
    channels:
      - name: general
        messages:
          - text: Thank you for a lovely harvest festival!
            author: Jo Hughes
            delay: 2            # seconds after the previous message is played
            reply_to_previous: false

The server, bot and channels exist before the emulator announces itself; messages are played
live (so they arrive on the gateway), in file order.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..common.scenario import ScenarioError, delay_of, load_file, mapping
from .model import (
    MANAGE_MESSAGES,
    MODERATE_MEMBERS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Guild,
)

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

DEMO_GUILD_ID = "1187000000000000001"
DEMO_GUILD_NAME = "Oakfield Academy Parents"
DEMO_BOT_USER_ID = "1187000000000000010"
DEMO_BOT_NAME = "Oakfield ModBot"
DEMO_BOT_TOKEN = "MTE4NzAwMDAwMDAwMDAwMDAxMA.Oakfld.demo-bot-token-not-a-secret"
DEMO_CHANNELS = {"general": "1187000000000000101", "questions": "1187000000000000102"}
BOT_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | MANAGE_MESSAGES | READ_MESSAGE_HISTORY \
    | MODERATE_MEMBERS
# (channel, author, text, minutes ago): a friendly one, a complaint, abuse, spam, a query and
# personal data (a phone number from Ofcom's drama range, a made-up address).
DEMO_MESSAGES: tuple[tuple[str, str, str, int], ...] = (
    ("general", "Jo Hughes", ("Huge thanks to Mrs Patel and the Year 4 team for the trip to the "
     "Natural History Museum, Amelia hasn't stopped talking about the dinosaurs!"), 55),
    ("general", "Mark Davies", ("Really disappointed that after-school club was cancelled AGAIN "
     "with an hour's notice. Some of us work full time. Who do I complain to about this?"), 41),
    ("general", "Parent 4 Change", ("Mr Thompson is a useless idiot who shouldn't be allowed "
     "near kids. Absolute joke of a teacher."), 30),
    ("general", "Quick Cash UK", ("Make \u00a3500 a day from home!!! DM me or visit "
     "www.quick-cash-uk.biz for details"), 22),
    ("questions", "Sarah Khan", ("Does anyone know if the Year 6 residential letter comes home "
     "this week or next? I can't find it on the website."), 15),
    ("questions", "Lisa Brown", ("Could whoever picked up Oliver Brown's PE bag by mistake ring "
     "me on 07700 900123? We're at 14 Elm Grove, Oakfield."), 6),
)


@dataclass(frozen=True)
class ScenarioMessage:
    text: str
    author: str
    delay: float = 0.0
    reply_to_previous: bool = False


@dataclass(frozen=True)
class ScenarioChannel:
    name: str
    id: str | None = None
    messages: tuple[ScenarioMessage, ...] = ()


@dataclass(frozen=True)
class Scenario:
    server_name: str = DEMO_GUILD_NAME
    server_id: str = DEMO_GUILD_ID
    bot_name: str = DEMO_BOT_NAME
    bot_token: str = DEMO_BOT_TOKEN
    message_content_intent: bool = True
    channels: tuple[ScenarioChannel, ...] = field(default_factory=tuple)


def build_server(emu: DiscordEmulator, *, name: str = DEMO_GUILD_NAME,
                 guild_id: str = DEMO_GUILD_ID, bot_name: str = DEMO_BOT_NAME,
                 bot_token: str = DEMO_BOT_TOKEN, channels: dict[str, str | None] | None = None,
                 bot_permissions: int = BOT_PERMISSIONS) -> Guild:
    """A school server: owner, the bot with its managed role, Staff and Parents roles."""
    world = emu.world
    if world.app is None:
        emu.setup_bot(bot_name, token=bot_token,
                      user_id=DEMO_BOT_USER_ID if guild_id == DEMO_GUILD_ID else None)
    if guild_id in world.guilds:
        return world.guilds[guild_id]
    owner = world.user_named("Head of IT")
    guild = world.add_guild(name, owner, guild_id=guild_id)
    world.add_role(guild.id, "Parents", 0, position=1)
    staff = world.add_role(guild.id, "Staff", MANAGE_MESSAGES, position=2)
    bot_role = world.add_role(guild.id, bot_name, bot_permissions, position=3,
                              bot_id=emu.bot_user_id)
    world.add_member(guild.id, emu.bot_user_id, [bot_role.id])
    world.add_member(guild.id, world.user_named("Mrs Patel").id, [staff.id], nick="Mrs Patel")
    for channel_name, channel_id in (channels or dict(DEMO_CHANNELS)).items():
        world.add_channel(guild.id, channel_name, channel_id=channel_id,
                          topic=f"{name}: {channel_name}")
    return guild


def seed_demo(emu: DiscordEmulator) -> Guild:
    """The demo server with six messages from the last hour (the first poll reads them)."""
    guild = build_server(emu)
    now = emu.world.clock()
    for channel, author, text, minutes in DEMO_MESSAGES:
        emu.post_message(DEMO_CHANNELS[channel], author, text, created=now - minutes * 60)
    return guild


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (``.json``, or YAML for anything else)."""
    return load_file(path, parse_scenario)


def parse_scenario(raw: Any, where: str = "scenario") -> Scenario:
    """Check a decoded scenario, naming the key path of the first problem."""
    root = mapping(raw or {}, where)
    server = mapping(root.get("server") or {}, f"{where}: server")
    bot = mapping(root.get("bot") or {}, f"{where}: bot")
    channels = root.get("channels") or []
    if not isinstance(channels, list):
        raise ScenarioError(f"{where}: channels: expected a list")
    return Scenario(
        server_name=str(server.get("name", DEMO_GUILD_NAME)),
        server_id=str(server.get("id", DEMO_GUILD_ID)),
        bot_name=str(bot.get("name", DEMO_BOT_NAME)),
        bot_token=str(bot.get("token", DEMO_BOT_TOKEN)),
        message_content_intent=bool(root.get("message_content_intent", True)),
        channels=tuple(_channel(c, f"{where}: channels[{i}]") for i, c in enumerate(channels)),
    )


def _channel(raw: Any, where: str) -> ScenarioChannel:
    data = mapping(raw, where)
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise ScenarioError(f"{where}.name: required text")
    messages = data.get("messages") or []
    if not isinstance(messages, list):
        raise ScenarioError(f"{where}.messages: expected a list")
    return ScenarioChannel(
        name=data["name"], id=str(data["id"]) if data.get("id") is not None else None,
        messages=tuple(_message(m, f"{where}.messages[{i}]") for i, m in enumerate(messages)),
    )


def _message(raw: Any, where: str) -> ScenarioMessage:
    data = mapping(raw, where)
    if not isinstance(data.get("text"), str):
        raise ScenarioError(f"{where}.text: required text")
    delay = delay_of(data, where)
    return ScenarioMessage(text=data["text"], author=str(data.get("author", "A Parent")),
                           delay=delay, reply_to_previous=bool(data.get("reply_to_previous")))


def apply_scenario_server(emu: DiscordEmulator, scenario: Scenario) -> Guild:
    """Create the scenario's server, bot and channels (before the emulator announces itself)."""
    names = {c.name: c.id for c in scenario.channels} or dict(DEMO_CHANNELS)
    guild = build_server(emu, name=scenario.server_name, guild_id=scenario.server_id,
                         bot_name=scenario.bot_name, bot_token=scenario.bot_token,
                         channels=names)
    emu.set_message_content_intent(scenario.message_content_intent)
    return guild


async def play_scenario(emu: DiscordEmulator, scenario: Scenario, *, speed: float = 1.0) -> int:
    """Post every message with its delay; returns how many were posted."""
    guild = apply_scenario_server(emu, scenario)
    by_name = {emu.world.channels[c].name: c for c in guild.channel_ids}
    posted = 0
    for channel in scenario.channels:
        previous: str | None = None
        for message in channel.messages:
            if message.delay > 0 and speed > 0:
                await asyncio.sleep(message.delay / speed)
            made = emu.post_message(by_name[channel.name], message.author, message.text,
                                    reply_to=previous if message.reply_to_previous else None)
            previous = made["id"]
            posted += 1
    return posted
