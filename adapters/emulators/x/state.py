"""The emulated X world: users, tokens with scopes, Tweets, hidden replies, mutes, snowflake ids.

Pure data and X's rules for changing it, with no HTTP in sight, so the server, the control API
and in-process tests all change the world the same way (and fail with the same X problems).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .problems import forbidden, invalid_request, not_found

TWITTER_EPOCH_MS = 1288834974657
ALL_SCOPES: frozenset[str] = frozenset(
    {
        "tweet.read",
        "users.read",
        "tweet.write",
        "tweet.moderate.write",
        "mute.read",
        "mute.write",
        "offline.access",
    }
)
MAX_TWEET_CHARS = 280
MENTIONS_CAP = 800  # X serves at most the 800 most recent mentions
TIMELINE_CAP = 3200  # and the 3200 most recent Tweets of a user
DUPLICATE_WINDOW = 24 * 3600.0
MEDIA_TYPES = ("photo", "video", "animated_gif")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")


def snowflake(unix: float, sequence: int = 0) -> int:
    """An X id minted at ``unix`` seconds (ids sort by time, as on X)."""
    return ((int(unix * 1000) - TWITTER_EPOCH_MS) << 22) | (sequence & 0x3FFFFF)


def snowflake_time(tweet_id: int | str) -> float:
    """The unix time an X id was minted at."""
    return ((int(tweet_id) >> 22) + TWITTER_EPOCH_MS) / 1000.0


def user_id_for(username: str) -> str:
    """A stable, X-looking numeric id for a member of the public known only by handle."""
    digest = hashlib.sha256(username.lower().encode("utf-8")).hexdigest()
    return "14" + str(int(digest[:15], 16))[:16].rjust(16, "0")


@dataclass
class User:
    """An X account."""

    id: str
    username: str
    name: str
    created_at: float = 0.0


@dataclass
class Token:
    """An OAuth 2.0 user-context access token and the scopes it was granted."""

    value: str
    user_id: str
    scopes: frozenset[str] = ALL_SCOPES
    revoked: bool = False


@dataclass
class HideLog:
    """What moderation did to one reply, counting requests that changed nothing."""

    hides: int = 0
    double_hides: int = 0
    unhides: int = 0
    double_unhides: int = 0

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return dict(self.__dict__)


@dataclass
class Tweet:
    """A post: a conversation root, a reply in a conversation, or a quote."""

    id: str
    author_id: str
    text: str
    created_at: float
    conversation_id: str
    in_reply_to_tweet_id: str | None = None
    in_reply_to_user_id: str | None = None
    quoted_tweet_id: str | None = None
    media: tuple[tuple[str, str], ...] = ()  # (media_key, type)
    hidden: bool = False
    deleted: bool = False
    via_api: bool = False  # created with POST /2/tweets (the bot's replies)
    ops: HideLog = field(default_factory=HideLog)

    @property
    def edit_history_tweet_ids(self) -> list[str]:
        """X lists every version of a Tweet; an unedited one is its own only version."""
        return [self.id]

    def mentions(self) -> set[str]:
        """Lower-cased handles mentioned in the text."""
        return {m.lower() for m in _MENTION.findall(self.text)}


class XState:
    """Every user, token and Tweet in the emulated world, with X's rules for changing them."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.tweets: dict[str, Tweet] = {}
        self.mutes: dict[str, dict[str, float]] = {}  # muter -> muted -> when
        self._sequence = itertools.count(1)
        self._media = itertools.count(1)
        self._last_id = 0

    # ---- users and tokens --------------------------------------------------------------------

    def add_user(self, username: str, name: str | None = None, user_id: str | None = None) -> User:
        """Create an account (or return the one with that handle)."""
        existing = self.user_by_username(username)
        if existing is not None:
            return existing
        uid = user_id or user_id_for(username)
        if uid in self.users:
            raise ValueError(f"user id {uid} is taken by @{self.users[uid].username}")
        user = User(id=uid, username=username, name=name or username, created_at=self.clock())
        self.users[uid] = user
        return user

    def user_by_username(self, username: str) -> User | None:
        """The account with that handle (case-insensitive)."""
        wanted = username.lstrip("@").lower()
        return next((u for u in self.users.values() if u.username.lower() == wanted), None)

    def user(self, ref: str) -> User | None:
        """An account by id or handle."""
        return self.users.get(ref) or self.user_by_username(ref)

    def add_token(
        self, user_id: str, value: str, scopes: Iterable[str] = ALL_SCOPES
    ) -> Token:
        """Grant ``user_id`` an access token with ``scopes``."""
        if user_id not in self.users:
            raise ValueError(f"no user {user_id}")
        token = Token(value=value, user_id=user_id, scopes=frozenset(scopes))
        self.tokens[value] = token
        return token

    def token(self, value: str) -> Token | None:
        """A live token, or None for unknown and revoked ones."""
        found = self.tokens.get(value)
        return found if found is not None and not found.revoked else None

    # ---- tweets ------------------------------------------------------------------------------

    def _mint(self, created_at: float) -> str:
        """A snowflake for ``created_at``; ids minted "now" always grow, as on X."""
        minted = snowflake(created_at, next(self._sequence))
        if created_at >= self.clock() - 1:
            minted = max(minted, self._last_id + 1)
            self._last_id = minted
        return str(minted)

    def tweet(self, tweet_id: str, *, include_deleted: bool = False) -> Tweet | None:
        """A Tweet by id (deleted ones are gone as far as the API is concerned)."""
        found = self.tweets.get(tweet_id)
        if found is None or (found.deleted and not include_deleted):
            return None
        return found

    def add_tweet(
        self,
        author: User,
        text: str,
        *,
        in_reply_to: str | None = None,
        quote_of: str | None = None,
        created_at: float | None = None,
        media: Iterable[str] = (),
        mention_parent: bool = True,
    ) -> Tweet:
        """``author`` posts; a reply made in the app starts with the handles it replies to."""
        when = self.clock() if created_at is None else created_at
        parent = self.tweet(in_reply_to) if in_reply_to else None
        if in_reply_to and parent is None:
            raise forbidden(
                "You attempted to reply to a Tweet that is deleted or not visible to you."
            )
        tweet_id = self._mint(when)
        if parent is not None and mention_parent:
            text = self._reply_prefix(author, parent) + text
        media_pairs = []
        for kind in media:
            if kind not in MEDIA_TYPES:
                raise ValueError(f"media type must be one of {MEDIA_TYPES}")
            media_pairs.append((f"3_{snowflake(when, next(self._media))}", kind))
        tweet = Tweet(
            id=tweet_id,
            author_id=author.id,
            text=text,
            created_at=when,
            conversation_id=parent.conversation_id if parent else tweet_id,
            in_reply_to_tweet_id=parent.id if parent else None,
            in_reply_to_user_id=parent.author_id if parent else None,
            quoted_tweet_id=quote_of,
            media=tuple(media_pairs),
        )
        self.tweets[tweet_id] = tweet
        return tweet

    def _reply_prefix(self, author: User, parent: Tweet) -> str:
        """``@parent_author @root_author `` (without the replier), as the X app writes it."""
        handles: list[str] = []
        root = self.tweets.get(parent.conversation_id)
        for uid in (parent.author_id, root.author_id if root else None):
            user = self.users.get(uid or "")
            if user is not None and user.id != author.id and user.username not in handles:
                handles.append(user.username)
        return "".join(f"@{h} " for h in handles)

    def post_via_api(self, author: User, text: str, in_reply_to: str | None) -> Tweet:
        """``POST /2/tweets``: X's checks (length, duplicates, reply target), then the Tweet."""
        if not text.strip():
            raise invalid_request("Tweet text must not be empty", "text", text)
        if len(text) > MAX_TWEET_CHARS:
            raise invalid_request(
                f"Tweet text is too long: {len(text)} characters, at most {MAX_TWEET_CHARS}",
                "text",
                text[:20],
            )
        now = self.clock()
        for other in self.tweets.values():
            if (
                other.author_id == author.id
                and not other.deleted
                and other.text == text
                and other.created_at >= now - DUPLICATE_WINDOW
            ):
                raise forbidden("You are not allowed to create a Tweet with duplicate content.")
        tweet = self.add_tweet(author, text, in_reply_to=in_reply_to, mention_parent=False)
        tweet.via_api = True
        return tweet

    def set_hidden(self, user: User, tweet_id: str, hidden: bool) -> Tweet:
        """Hide or unhide a reply in a conversation ``user`` started; repeats are logged."""
        tweet = self.tweet(tweet_id)
        if tweet is None:
            raise not_found(f"Could not find tweet with id: [{tweet_id}].")
        root = self.tweets.get(tweet.conversation_id)
        if (
            tweet.id == tweet.conversation_id
            or root is None
            or root.author_id != user.id
            or tweet.author_id == user.id
        ):
            raise forbidden(
                "You can only hide or unhide replies to conversations you authored."
            )
        log = tweet.ops
        if hidden:
            if tweet.hidden:
                log.double_hides += 1
            else:
                log.hides += 1
        elif tweet.hidden:
            log.unhides += 1
        else:
            log.double_unhides += 1
        tweet.hidden = hidden
        return tweet

    def delete(self, user: User, tweet_id: str) -> Tweet:
        """``DELETE /2/tweets/:id``: only the author may delete a Tweet."""
        tweet = self.tweet(tweet_id)
        if tweet is None:
            raise not_found(f"Could not find tweet with id: [{tweet_id}].")
        if tweet.author_id != user.id:
            raise forbidden("You are not allowed to delete a Tweet you did not author.")
        tweet.deleted = True
        return tweet

    def delete_by_author(self, tweet_id: str) -> Tweet:
        """The author deletes their own Tweet in the app."""
        tweet = self.tweet(tweet_id)
        if tweet is None:
            raise KeyError(tweet_id)
        tweet.deleted = True
        return tweet

    # ---- mutes -------------------------------------------------------------------------------

    def mute(self, user: User, target_id: str) -> None:
        """``user`` stops seeing ``target_id`` (idempotent)."""
        if target_id == user.id:
            raise invalid_request("You cannot mute yourself.", "target_user_id", target_id)
        if not target_id.isdigit():
            raise invalid_request(
                f"The `target_user_id` value [{target_id}] is not valid", "target_user_id",
                target_id,
            )
        self.mutes.setdefault(user.id, {}).setdefault(target_id, self.clock())

    def unmute(self, user: User, target_id: str) -> None:
        """Undo a mute (no error when there was none, as X)."""
        self.mutes.get(user.id, {}).pop(target_id, None)

    # ---- queries -----------------------------------------------------------------------------

    def live_tweets(self) -> list[Tweet]:
        """Every Tweet not deleted, newest first."""
        found = [t for t in self.tweets.values() if not t.deleted]
        return sorted(found, key=lambda t: int(t.id), reverse=True)

    def mentions_of(self, user: User) -> list[Tweet]:
        """Tweets by others naming ``@user``, newest first, the most recent 800."""
        handle = user.username.lower()
        found = [t for t in self.live_tweets() if t.author_id != user.id and handle in t.mentions()]
        return found[:MENTIONS_CAP]

    def timeline_of(self, user: User) -> list[Tweet]:
        """``user``'s own Tweets, newest first, the most recent 3200."""
        return [t for t in self.live_tweets() if t.author_id == user.id][:TIMELINE_CAP]

    def reset(self) -> None:
        """Forget Tweets and mutes; users and tokens stay."""
        self.tweets.clear()
        self.mutes.clear()
