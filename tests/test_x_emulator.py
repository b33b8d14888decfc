"""The X emulator over a real socket: recorded shapes, auth, scopes, tier, rules, limits, paging.

Shapes are compared with X API v2 answers recorded in tweepy's test cassettes (bodies reduced
to their key structure, status codes and ``x-rate-limit-limit`` as recorded).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import tweepy
import yarl
from tweepy.asynchronous import AsyncClient

from adapters.emulators.x import XEmulator, compile_query
from adapters.emulators.x.query import QueryError

ACCOUNT = "1072250532645998596"
TOKEN = "oak-token"
# (method, path) -> (status, x-rate-limit-limit, body skeleton) as recorded from X.
TWEET = {"edit_history_tweet_ids": ["str"], "id": "str", "text": "str"}
RECORDED: dict[str, tuple[int, str, Any]] = {
    "mentions": (200, "450", {"data": [TWEET], "meta": {
        "next_token": "str", "result_count": "int", "newest_id": "str", "oldest_id": "str"}}),
    "search": (200, "450", {"data": [TWEET], "meta": {
        "newest_id": "str", "oldest_id": "str", "result_count": "int", "next_token": "str"}}),
    "hide": (200, "50", {"data": {"hidden": "bool"}}),
    "create": (201, "200", {"data": {"id": "str", "text": "str"}}),
    "delete": (200, "50", {"data": {"deleted": "bool"}}),
    "mute": (200, "50", {"data": {"muting": "bool"}}),
    "muted": (200, "15", {"data": [{"id": "str", "name": "str", "username": "str"}],
                          "meta": {"result_count": "int"}}),
    "unmute": (200, "50", {"data": {"muting": "bool"}}),
    "me": (200, "75", {"data": {"id": "str", "name": "str", "username": "str"}}),
}


def skeleton(value: Any) -> Any:
    """A JSON value reduced to its key structure and scalar types."""
    if isinstance(value, dict):
        return {k: skeleton(v) for k, v in value.items()}
    if isinstance(value, list):
        return [skeleton(value[0])] if value else []
    return type(value).__name__


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[XEmulator]:
    emulator = XEmulator()
    emulator.add_account("OakfieldAcademy", "Oakfield Academy", user_id=ACCOUNT,
                         access_token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture(name="http")
async def _http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, emu: XEmulator, method: str, path: str, *,
    token: str | None = TOKEN, params: dict[str, str] | None = None, body: Any = None,
) -> tuple[int, Any, Any]:
    """One raw API call; returns status, headers and the decoded body (text if not JSON)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.request(method, emu.base_url + path, params=params, json=body,
                            headers=headers) as response:
        try:
            decoded: Any = await response.json(content_type=None)
        except ValueError:
            decoded = await response.text()
        return response.status, response.headers, decoded


class Rewrite:
    """tweepy's ``AsyncClient.session``: send https://api.twitter.com to the emulator."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        target = yarl.URL(self.base + str(url).removeprefix("https://api.twitter.com"),
                          encoded=True)
        return self.http.request(method, target, **kwargs)


def tweepy_client(emu: XEmulator, http: aiohttp.ClientSession, token: str = TOKEN) -> Any:
    client = AsyncClient(bearer_token=token, return_type=dict)
    client.session = Rewrite(http, emu.base_url)
    return client


def conversation(emu: XEmulator, replies: int = 3) -> tuple[str, list[str]]:
    post = emu.post_as_account("Sports day is on Friday!")["id"]
    return post, [emu.add_tweet(f"parent{i}", f"reply {i}", post)["id"] for i in range(replies)]


class TestRecordedShapes:
    """Bodies, status codes and rate-limit headers as X recorded them."""

    async def test_reads(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        for i in range(12):
            emu.add_tweet(f"fan{i}", f"Go @OakfieldAcademy! {i}")
        emu.mutes  # noqa: B018 - no mutes yet
        emu.world.mute(emu.account, emu.add_user("17874544user")["id"])
        answers = {
            "me": await call(http, emu, "GET", "/2/users/me"),
            "mentions": await call(http, emu, "GET", f"/2/users/{ACCOUNT}/mentions"),
            "search": await call(http, emu, "GET", "/2/tweets/search/recent",
                                 params={"query": "OakfieldAcademy"}),
            "muted": await call(http, emu, "GET", f"/2/users/{ACCOUNT}/muting"),
        }
        for name, (status, headers, body) in answers.items():
            want_status, limit, shape = RECORDED[name]
            assert (status, skeleton(body)) == (want_status, shape), name
            assert headers["Content-Type"] == "application/json; charset=utf-8"
            assert headers["x-rate-limit-limit"] == limit
            assert int(headers["x-rate-limit-remaining"]) == int(limit) - 1
            assert int(headers["x-rate-limit-reset"]) > 1_600_000_000

    async def test_writes(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        _, (reply, *_) = conversation(emu)
        other = emu.add_user("someone")["id"]
        answers = [
            ("hide", await call(http, emu, "PUT", f"/2/tweets/{reply}/hidden",
                                body={"hidden": True})),
            ("hide", await call(http, emu, "PUT", f"/2/tweets/{reply}/hidden",
                                body={"hidden": False})),
            ("create", created := await call(http, emu, "POST", "/2/tweets",
                                             body={"text": "Test Tweet"})),
            ("delete", await call(http, emu, "DELETE", f"/2/tweets/{created[2]['data']['id']}")),
            ("mute", await call(http, emu, "POST", f"/2/users/{ACCOUNT}/muting",
                                body={"target_user_id": other})),
            ("unmute", await call(http, emu, "DELETE", f"/2/users/{ACCOUNT}/muting/{other}")),
        ]
        for name, (status, headers, body) in answers:
            want_status, limit, shape = RECORDED[name]
            got = skeleton(body)
            if name == "create":  # X has added edit_history_tweet_ids since the recording
                assert got["data"].pop("edit_history_tweet_ids") == ["str"]
            assert (status, got, headers["x-rate-limit-limit"]) == (want_status, shape, limit)
        assert answers[1][1][1]["x-rate-limit-remaining"] == "48"  # the window counts down
        assert emu.tweet(reply)["ops"] == {"hides": 1, "double_hides": 0, "unhides": 1,
                                           "double_unhides": 0}
        assert emu.mutes() == [] and emu.tweet(created[2]["data"]["id"])["deleted"]


class TestAuthScopesTier:
    """Bearer tokens, OAuth 2.0 scopes per endpoint, and the app's access tier."""

    async def test_bad_tokens(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        """Unknown, missing and revoked tokens get X's 401 problem, with rate headers."""
        revoked = emu.add_token()
        emu.revoke_token(revoked)
        for token in ("nope", None, revoked):
            status, headers, body = await call(http, emu, "GET", "/2/users/me", token=token)
            assert status == 401 and headers["Content-Type"] == "application/problem+json"
            assert body == {"title": "Unauthorized", "detail": "Unauthorized",
                            "type": "about:blank", "status": 401}
            assert "x-rate-limit-reset" in headers

    async def test_missing_scopes(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        """A token without tweet.moderate.write reads but gets X's bare 403 on hide."""
        _, (reply, *_) = conversation(emu)
        reader = emu.add_token(["tweet.read", "users.read"])
        assert (await call(http, emu, "GET", f"/2/users/{ACCOUNT}/mentions", token=reader))[0] \
            == 200
        status, _, body = await call(http, emu, "PUT", f"/2/tweets/{reply}/hidden",
                                     token=reader, body={"hidden": True})
        assert (status, body["detail"]) == (403, "Forbidden") and not emu.hidden_replies()
        only_tweets = emu.add_token(["tweet.read"])  # /2/users/me needs users.read as well
        assert (await call(http, emu, "GET", "/2/users/me", token=only_tweets))[0] == 403

    async def test_free_tier(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        """On Free, mentions and search answer 403 client-not-enrolled; posting still works."""
        emu.set_tier("free")
        for path, params in ((f"/2/users/{ACCOUNT}/mentions", None),
                             ("/2/tweets/search/recent", {"query": "x"})):
            status, _, body = await call(http, emu, "GET", path, params=params)
            assert status == 403 and body["reason"] == "client-not-enrolled"
            assert body["type"].endswith("/client-forbidden")
        assert (await call(http, emu, "GET", "/2/users/me"))[0] == 200
        assert (await call(http, emu, "POST", "/2/tweets", body={"text": "hi"}))[0] == 201
        with pytest.raises(ValueError):
            emu.set_tier("gold")  # type: ignore[arg-type]


class TestRules:
    """What X allows an account to do to Tweets."""

    async def test_hide_only_replies_in_own_conversations(
        self, emu: XEmulator, http: aiohttp.ClientSession
    ) -> None:
        post, (reply, *_) = conversation(emu)
        mention = emu.add_tweet("carpark", "@OakfieldAcademy sort the car park out")["id"]
        elsewhere = emu.add_tweet("fan", "agreed", mention)["id"]
        own_reply = emu.post_as_account("Thanks all", post)["id"]
        for target in (mention, elsewhere, post, own_reply):
            status, _, body = await call(http, emu, "PUT", f"/2/tweets/{target}/hidden",
                                         body={"hidden": True})
            assert status == 403 and "conversations you authored" in body["detail"]
        assert (await call(http, emu, "PUT", "/2/tweets/99/hidden", body={"hidden": True}))[0] \
            == 404
        assert (await call(http, emu, "PUT", f"/2/tweets/{reply}/hidden", body={}))[0] == 400
        for _ in range(2):
            await call(http, emu, "PUT", f"/2/tweets/{reply}/hidden", body={"hidden": True})
        assert emu.hidden_replies() == [reply] and emu.state()["double_hides"] == 1

    async def test_posting_rules(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        """Duplicates and replies to deleted Tweets are refused; text is at most 280."""
        _, (reply, second, _) = conversation(emu)
        ok = await call(http, emu, "POST", "/2/tweets",
                        body={"text": "Thanks", "reply": {"in_reply_to_tweet_id": reply}})
        assert ok[0] == 201
        dup = await call(http, emu, "POST", "/2/tweets", body={"text": "Thanks"})
        assert dup[0] == 403 and "duplicate content" in dup[2]["detail"]
        emu.delete_tweet_by_author(second)
        gone = await call(http, emu, "POST", "/2/tweets",
                          body={"text": "Hello", "reply": {"in_reply_to_tweet_id": second}})
        assert gone[0] == 403 and "deleted or not visible" in gone[2]["detail"]
        assert (await call(http, emu, "POST", "/2/tweets", body={"text": "x" * 281}))[0] == 400
        assert (await call(http, emu, "DELETE", f"/2/tweets/{reply}"))[0] == 403
        posted = emu.posted_replies()
        assert [p["text"] for p in posted] == ["Thanks"]
        assert posted[0]["referenced_tweets"] == [{"type": "replied_to", "id": reply}]
        assert emu.tweet(reply)["text"] == "@OakfieldAcademy reply 0"  # as the X app writes it


class TestRateLimits:
    """Per-endpoint, per-user 15-minute windows; the reset header is always sent."""

    async def test_window(self, http: aiohttp.ClientSession) -> None:
        now = [1_700_000_000.0]
        emu = XEmulator(rate_limits={"PUT /2/tweets/:id/hidden": 2}, clock=lambda: now[0])
        emu.add_account("OakfieldAcademy", user_id=ACCOUNT, access_token=TOKEN)
        _, (reply, *_) = conversation(emu)
        async with emu:
            results = [await call(http, emu, "PUT", f"/2/tweets/{reply}/hidden",
                                  body={"hidden": True}) for _ in range(3)]
            assert [r[0] for r in results] == [200, 200, 429]
            assert results[2][1]["x-rate-limit-remaining"] == "0"
            assert results[2][1]["x-rate-limit-reset"] == str(int(now[0] + 900))
            assert results[2][2]["title"] == "Too Many Requests"
            assert (await call(http, emu, "GET", "/2/users/me"))[0] == 200  # other endpoint
            client = tweepy_client(emu, http)
            with pytest.raises(tweepy.TooManyRequests) as caught:
                await client.hide_reply(reply, user_auth=False)
            assert caught.value.reset_time == int(now[0] + 900)
            now[0] += 901
            assert (await call(http, emu, "PUT", f"/2/tweets/{reply}/hidden",
                               body={"hidden": False}))[0] == 200


class TestPagingAndSearch:
    """Newest-first pages with stable tokens; recent search and its operators."""

    async def test_mentions_pages(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        made = [emu.add_tweet(f"fan{i}", f"@OakfieldAcademy hello {i}")["id"] for i in range(25)]
        client = tweepy_client(emu, http)
        seen: list[str] = []
        token = None
        for _ in range(5):
            page = await client.get_users_mentions(ACCOUNT, max_results=10, user_auth=False,
                                                   pagination_token=token)
            seen += [t["id"] for t in page["data"]]
            if not seen[10:]:  # a Tweet posted between pages never shifts them
                late = emu.add_tweet("late", "@OakfieldAcademy late")["id"]
            token = page["meta"].get("next_token")
            if not token:
                break
        assert seen == sorted(made, key=int, reverse=True)
        newer = await client.get_users_mentions(ACCOUNT, since_id=seen[0], user_auth=False)
        assert [t["id"] for t in newer["data"]] == [late]
        for params in ({"pagination_token": "bogus"}, {"max_results": "4"}, {"since_id": "x"},
                       {"tweet.fields": "id,mood"}):
            assert (await call(http, emu, "GET", f"/2/users/{ACCOUNT}/mentions",
                               params=params))[0] == 400

    async def test_search_and_timeline(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        first, replies_a = conversation(emu, 2)
        second, replies_b = conversation(emu, 2)
        now = emu.world.clock()
        old = emu.post_as_account("Last term", created_at=now - 8 * 86400)["id"]
        late = emu.add_tweet("parent0", "late to the party", old)["id"]  # found: it is recent
        client = tweepy_client(emu, http)
        found = await client.search_recent_tweets(
            f"conversation_id:{first} OR conversation_id:{second} -from:{ACCOUNT} OR "
            f"conversation_id:{old}", user_auth=False, tweet_fields=["conversation_id"])
        assert sorted(t["id"] for t in found["data"]) == sorted(
            replies_a + replies_b + [first, late])
        mine = await client.get_users_tweets(ACCOUNT, user_auth=False, exclude=["replies"])
        assert [t["id"] for t in mine["data"]] == [second, first, old]
        bad = [{"query": "conversation_id:1 " + "OR conversation_id:1 " * 30},
               {"query": "nonsense:1"}, {"query": "(a OR b"}, {"query": "a", "since_id": old},
               {"query": ""}]
        for params in bad:
            status, _, body = await call(http, emu, "GET", "/2/tweets/search/recent",
                                         params=params)
            assert status == 400 and body["title"] == "Invalid Request", params

    def test_query_language(self, emu: XEmulator) -> None:
        """AND binds before OR; ``-`` negates; parentheses group; phrases and handles."""
        post, (r0, r1, _) = conversation(emu)
        tweets = {t.id: t for t in emu.world.live_tweets()}

        def matching(query: str) -> set[str]:
            predicate = compile_query(query, emu.world)
            return {i for i, t in tweets.items() if predicate(t)}

        assert matching("from:parent0 OR from:parent1 reply") == {r0, r1}
        assert matching(f"conversation_id:{post} -is:reply") == {post}
        assert matching('"reply 1" OR (to:OakfieldAcademy from:parent0)') == {r0, r1}
        assert matching(f"@oakfieldacademy in_reply_to_tweet_id:{post} -from:parent2") == {r0, r1}
        with pytest.raises(QueryError):
            compile_query("a )", emu.world)

    async def test_lookups(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        post, (reply, *_) = conversation(emu)
        status, _, body = await call(http, emu, "GET", "/2/tweets/20")
        assert status == 200
        assert body["errors"][0]["detail"] == "Could not find tweet with id: [20]."
        emu.delete_tweet_by_author(post)
        params = {"ids": f"{reply},20", "expansions": "referenced_tweets.id,author_id"}
        _, _, body = await call(http, emu, "GET", "/2/tweets", params=params)
        assert [t["id"] for t in body["data"]] == [reply]
        assert body["includes"]["users"][0]["username"] == "parent0"
        assert {e["value"] for e in body["errors"]} == {"20", post}
        assert (await call(http, emu, "GET", "/2/tweets/abc"))[0] == 400
        assert (await call(http, emu, "GET", "/2/nowhere"))[0] == 404
