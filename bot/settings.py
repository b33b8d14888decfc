"""Typed settings: one YAML file describing trust -> academies -> accounts -> people.

The file is validated once, at start-up, and every problem is reported with the file, the key
path and what is wrong; the service refuses to start rather than run half-configured.  Secrets
never live in the YAML: a credential names an environment variable or a secret file.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain import PLATFORMS
from bot.settings_base import ConfigError, SecretRef
from bot.settings_base import Strict as _Strict
from bot.settings_platforms import (
    DiscordAccount,
    FacebookAccount,
    InstagramAccount,
    TwitterAccount,
)

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


class Away(BaseModel):
    """Dates (inclusive, the academy's local dates) when a person is away, and who covers."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    starts: date = Field(alias="from")
    ends: date = Field(alias="to")
    delegate: Key | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Away:
        if self.ends < self.starts:
            raise ValueError("'to' must not be earlier than 'from'")
        return self


class Person(_Strict):
    """A member of staff the service may alert."""

    name: str
    email: str | None = None
    apprise: tuple[str, ...] = ()  # chat/SMS notification URLs (apprise syntax)
    discord_id: str | None = None  # a Discord user id: alerts also come as a DM from the bot
    role: str = ""
    away: tuple[Away, ...] = ()  # the ladder uses the delegate on these dates


class LadderLevel(_Strict):
    """One rung of an escalation ladder (DESIGN §5)."""

    people: tuple[Key, ...] = Field(min_length=1)
    wait_minutes: float = Field(default=30, gt=0)


class CalendarSettings(_Strict):
    """An academy's working calendar (DESIGN §4)."""

    timezone: str = "Europe/London"
    days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = (
        "mon", "tue", "wed", "thu", "fri",
    )
    opens: time = time(8, 0)
    closes: time = time(17, 0)
    region: Literal["ENG", "WLS", "SCT", "NIR"] = "ENG"
    closures: tuple[str, ...] = ()  # "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD"
    ics_file: Path | None = None  # term dates / closures as iCalendar
    response_hours: float = Field(default=24, gt=0)
    at_risk_hours: float = Field(default=4, ge=0)

    @field_validator("closures", mode="before")
    @classmethod
    def _dates_as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 2027-01-04 as a date; accept it as the same closure.
        if isinstance(value, list | tuple):
            return tuple(v.isoformat() if isinstance(v, date) else v for v in value)
        return value

    @field_validator("opens", "closes", mode="before")
    @classmethod
    def _sexagesimal_time(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted 17:30 as the base-60 integer 1050 (minutes since midnight).
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            return time(value // 60, value % 60)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _open_before_close(self) -> CalendarSettings:
        if self.opens >= self.closes:
            raise ValueError("'opens' must be earlier than 'closes'")
        return self


class ModerationSettings(_Strict):
    """How an academy turns assessments into actions (DESIGN §3)."""

    hide_threshold: float = Field(default=0.8, ge=0, le=1)
    review_threshold: float = Field(default=0.5, ge=0, le=1)
    profanity: Literal["hide", "keep"] = "hide"
    personal_data: Literal["delete", "hide"] = "delete"
    ticket_all_comments: bool = False
    explanation_window_minutes: float = Field(default=10, ge=0)
    explanation_batch_seconds: float = Field(default=20, ge=0)
    allow_contacts: tuple[str, ...] = ()  # the academy's own published phone numbers, emails
    # The school's own lists of groups of people (format: moderation_rules/lexicons/
    # people_groups.yaml), added to the shipped list: abuse of them is hidden as abuse.
    people_groups: tuple[Path, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> ModerationSettings:
        if self.review_threshold > self.hide_threshold:
            raise ValueError("review_threshold must not exceed hide_threshold")
        return self


class Account(_Strict):
    """One official account on one platform."""

    platform: str
    mode: Literal["shadow", "assist", "enforce"] = "shadow"
    monitors: tuple[Key, ...]
    ladder: tuple[LadderLevel, ...] = ()
    poll_seconds: float = Field(default=60, gt=0)
    facebook: FacebookAccount | None = None
    instagram: InstagramAccount | None = None
    twitter: TwitterAccount | None = None
    discord: DiscordAccount | None = None

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str) -> str:
        if value not in PLATFORMS:
            raise ValueError(f"unknown platform {value!r}; expected one of {', '.join(PLATFORMS)}")
        return value

    @field_validator("monitors")
    @classmethod
    def _two_monitors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) < 2:
            raise ValueError(
                "an account needs at least two named monitors (policy 001, 'Process for "
                f"creating new accounts'); found {len(set(value))}"
            )
        return value

    @model_validator(mode="after")
    def _platform_block(self) -> Account:
        needs = {
            "facebook": "page_id, credentials",
            "instagram": "ig_user_id, credentials",
            "twitter": "user_id, access_token",
            "discord": "guild_id, channel_ids, bot_token",
        }
        if getattr(self, self.platform, None) is None:
            raise ValueError(
                f"a {self.platform} account needs a '{self.platform}' block "
                f"({needs[self.platform]})"
            )
        for other in PLATFORMS:
            if other != self.platform and getattr(self, other, None) is not None:
                raise ValueError(f"a {self.platform} account cannot carry a '{other}' block")
        return self

    def levels(self) -> tuple[LadderLevel, ...]:
        """The ladder, with the monitors as level 1 when none is configured."""
        return self.ladder or (LadderLevel(people=self.monitors, wait_minutes=30),)


class RotaEntry(BaseModel):
    """Who holds the safeguarding phone out of hours (evenings, weekends, holidays)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    people: tuple[Key, ...] = Field(min_length=1)
    starts: date | None = Field(default=None, alias="from")
    ends: date | None = Field(default=None, alias="to")


class Academy(_Strict):
    """One school, its calendar, its key people and its accounts."""

    name: str
    calendar: CalendarSettings = CalendarSettings()
    moderation: ModerationSettings = ModerationSettings()
    headteacher: Key | None = None
    chair_of_governors: Key | None = None
    dsl: tuple[Key, ...] = ()  # Designated Safeguarding Lead and deputy
    press_lead: Key | None = None
    complaints_procedure_url: str = ""
    accounts: dict[Key, Account] = Field(default_factory=dict)
    # Optional extras (SLA, escalation, reports); all have safe defaults.
    safeguarding_rota: tuple[RotaEntry, ...] = ()
    safeguarding_wait_minutes: float = Field(default=15, gt=0)
    courtesy_reply: bool | str = False  # True: the default text; a string: {url} is replaced
    weekly_report_to: tuple[Key, ...] = ()  # default: the headteacher


class MailSettings(_Strict):
    """Outgoing mail (SMTP)."""

    host: str = "127.0.0.1"
    port: int = Field(default=25, gt=0, lt=65536)
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: SecretRef | None = None
    sender: str = "modbot@localhost"
    auth: Literal["password", "xoauth2"] = "password"
    oauth_token: SecretRef | None = None  # XOAUTH2 access token (a file a token helper renews)
    verify_certificates: bool = True
    ca_file: Path | None = None
    timeout_seconds: float = Field(default=30, gt=0)


class WebSettings(_Strict):
    """The service's own HTTP endpoint (webhooks, acknowledge links)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, lt=65536)
    public_url: str = ""
    link_secret: SecretRef | None = None  # signs acknowledge links; default: kept in the database
    ack_link_hours: float = Field(default=168, gt=0)


class ServiceSettings(_Strict):
    """Process-wide settings."""

    database_url: str = "sqlite+aiosqlite:///modbot-data/modbot.db"
    web: WebSettings = WebSettings()
    mail: MailSettings = MailSettings()
    executor_interval_seconds: float = Field(default=2, gt=0)
    action_max_attempts: int = Field(default=8, ge=1)
    action_lease_seconds: float = Field(default=300, gt=0)  # a crashed worker's actions rerun after


class Trust(_Strict):
    """The academy trust that owns the accounts."""

    name: str
    admins: tuple[Key, ...] = Field(min_length=1)
    weekly_report_to: tuple[Key, ...] = ()  # the trust-wide summary; default: the admins


class Settings(_Strict):
    """The whole configuration file."""

    trust: Trust
    service: ServiceSettings = ServiceSettings()
    people: dict[Key, Person]
    academies: dict[Key, Academy] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Settings:
        problems = list(_dangling_people(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def accounts(self) -> list[tuple[str, str, Account]]:
        """Every (academy key, account key, account), in file order."""
        return [(a, k, acc) for a, ac in self.academies.items() for k, acc in ac.accounts.items()]

    def academy_of(self, account_key: str) -> tuple[str, Academy]:
        """The academy an account belongs to."""
        for key, academy in self.academies.items():
            if account_key in academy.accounts:
                return key, academy
        raise KeyError(account_key)


def _dangling_people(s: Settings) -> list[str]:
    known = set(s.people)
    out: list[str] = []

    def check(path: str, keys: tuple[str, ...] | list[str]) -> None:
        for k in keys:
            if k not in known:
                out.append(f"{path}: {k!r} is not a person under 'people'")

    check("trust.admins", s.trust.admins)
    check("trust.weekly_report_to", s.trust.weekly_report_to)
    for pk, person in s.people.items():
        for i, away in enumerate(person.away):
            if away.delegate:
                check(f"people.{pk}.away.{i}.delegate", [away.delegate])
    for ak, ac in s.academies.items():
        base = f"academies.{ak}"
        for role in ("headteacher", "chair_of_governors", "press_lead"):
            value = getattr(ac, role)
            if value:
                check(f"{base}.{role}", [value])
        check(f"{base}.dsl", ac.dsl)
        check(f"{base}.weekly_report_to", ac.weekly_report_to)
        for i, entry in enumerate(ac.safeguarding_rota):
            check(f"{base}.safeguarding_rota.{i}.people", entry.people)
        for ck, acc in ac.accounts.items():
            check(f"{base}.accounts.{ck}.monitors", acc.monitors)
            for i, level in enumerate(acc.ladder):
                check(f"{base}.accounts.{ck}.ladder.{i}.people", level.people)
    return out


def _format_loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def parse_settings(data: Any, source: str) -> Settings:
    """Validate already-loaded YAML data; ``source`` names the file in error messages."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{source}: {_format_loc(err['loc'])}: {msg}")
        raise ConfigError("\n".join(lines)) from None


def load_settings(path: Path) -> Settings:
    """Read and validate the YAML file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: (top level): expected a mapping with trust, people, academies")
    return parse_settings(data, str(path))
