"""OAuth 1.0a user context end to end: the real tweepy AsyncClient signs (oauthlib), the X
emulator verifies for real (its own RFC 5849 HMAC-SHA1, against X's public URL), and
TwitterAdapter polls, hides, replies and mutes with keys that do not expire."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import yarl
from oauthlib.oauth1 import Client as OAuthSigner

from adapters.base import AuthExpired, PermanentError
from adapters.emulators.x import DEMO_OAUTH1, DEMO_USER_ID, XEmulator, parse_scenario, seed_demo
from adapters.emulators.x.oauth1 import X_ORIGIN, base_string, hmac_sha1, parse_authorization
from adapters.emulators.x.scenario import ScenarioError, apply_scenario_account
from adapters.twitter import TwitterAdapter
from bot.domain import ActionKind, PlatformAction
from tests.x_support import (
    ACCOUNT,
    FAST,
    adapter_maker,
    running_emulator,
)

UNAUTHORIZED = {"title": "Unauthorized", "detail": "Unauthorized", "type": "about:blank",
                "status": 401}


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[XEmulator]:
    async with running_emulator(token="oauth2-token") as emulator:
        yield emulator


@pytest.fixture(name="keys")
def _keys(emu: XEmulator) -> dict[str, str]:
    return emu.add_oauth1_credentials()


@pytest.fixture(name="make")
async def _make(emu: XEmulator) -> AsyncIterator[Any]:
    def build(keys: dict[str, str], base_url: str = "", **overrides: Any) -> TwitterAdapter:
        return TwitterAdapter(
            "oak-x", ACCOUNT, keys["access_token"], base_url or emu.base_url,
            consumer_key=keys["consumer_key"], consumer_secret=keys["consumer_secret"],
            access_token_secret=keys["access_token_secret"], **{**FAST, **overrides},
        )

    async with adapter_maker(build) as make:
        yield make


def act(kind: ActionKind, target: str, **fields: Any) -> PlatformAction:
    return PlatformAction(key=f"{kind}:{target}", kind=kind, target_id=target, **fields)


def thread(emu: XEmulator) -> tuple[str, list[str]]:
    post = emu.post_as_account("Sports day is on Friday!")["id"]
    return post, [emu.add_tweet(f"parent{i}", f"reply {i}", post)["id"] for i in range(2)]


def sign(keys: dict[str, str], url: str, **fixed: str) -> dict[str, str]:
    """An Authorization header as a client makes it (oauthlib, as tweepy uses it)."""
    signer = OAuthSigner(keys["consumer_key"], keys["consumer_secret"], keys["access_token"],
                         keys["access_token_secret"], **fixed)
    return signer.sign(url, "GET")[1]


async def send(emu: XEmulator, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(
        yarl.URL(emu.base_url + path, encoded=True), headers=headers
    ) as response:
        return response.status, await response.json(content_type=None)


class TestEmulatorVerifies:
    """The emulator checks signatures, nonces and timestamps for real, as X does."""

    def test_x_documented_example(self) -> None:
        """X's "Creating a signature" example: its base string, and the HMAC-SHA1 every
        conforming signer gets from it (the docs print a value that does not reproduce)."""
        params = [("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
                  ("include_entities", "true"), ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
                  ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
                  ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "1318622958"),
                  ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
                  ("oauth_version", "1.0")]
        text = base_string("post", "https://api.twitter.com/1.1/statuses/update.json", params)
        assert text == (
            "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities"
            "%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFa"
            "bxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestam"
            "p%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%2"
            "6oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a"
            "%2520signed%2520OAuth%2520request%2521")
        assert hmac_sha1(text, "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                         "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE") == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        header = 'OAuth oauth_nonce="a%2Bb", realm="x",oauth_token="t"'
        assert parse_authorization(header) == {"oauth_nonce": "a+b", "realm": "x",
                                               "oauth_token": "t"}

    async def test_replayed_nonce_and_stale_timestamp(
        self, emu: XEmulator, keys: dict[str, str]
    ) -> None:
        headers = sign(keys, X_ORIGIN + "/2/users/me", nonce="n1", timestamp=str(int(time.time())))
        status, body = await send(emu, "/2/users/me", headers)
        assert status == 200 and body["data"]["id"] == ACCOUNT
        assert await send(emu, "/2/users/me", headers) == (401, UNAUTHORIZED)
        stale = sign(keys, X_ORIGIN + "/2/users/me", timestamp=str(int(time.time()) - 3600))
        assert await send(emu, "/2/users/me", stale) == (401, UNAUTHORIZED)
        assert [r["auth_error"] for r in emu.request_log] == [
            "", "replayed nonce", "timestamp out of window"]

    async def test_signature_covers_origin_path_and_query(
        self, emu: XEmulator, keys: dict[str, str]
    ) -> None:
        own_address = sign(keys, emu.base_url + "/2/users/me")
        assert (await send(emu, "/2/users/me", own_address))[0] == 401
        signed = sign(keys, X_ORIGIN + "/2/users/me?user.fields=id")
        assert (await send(emu, "/2/users/me?user.fields=name", signed))[0] == 401
        assert (await send(emu, "/2/users/me?user.fields=id", signed))[0] == 200
        stranger = {**keys, "consumer_key": "not-an-app"}
        assert (await send(emu, "/2/users/me", sign(stranger, X_ORIGIN + "/2/users/me")))[0] == 401
        assert [r["auth_error"] for r in emu.request_log] == [
            "bad signature", "bad signature", "", "unknown consumer key"]


class TestAdapter:
    """TwitterAdapter with OAuth 1.0a keys, through tweepy over 127.0.0.1."""

    async def test_poll_hide_reply_mute(
        self, emu: XEmulator, keys: dict[str, str], make: Any
    ) -> None:
        post, (reply, other) = thread(emu)
        adapter = make(keys)
        await adapter.start()
        assert adapter.username == "OakfieldAcademy" and adapter.auth_method == "OAuth 1.0a"
        fetched = await adapter.poll({})
        assert {reply, other} <= {item.external_id for item in fetched.items}
        emu.add_fault({"kind": "error500", "method": "PUT", "count": 1})  # retried, re-signed
        assert (await adapter.apply(act(ActionKind.HIDE, reply))).detail == "hidden"
        assert emu.hidden_replies() == [reply]
        answer = act(ActionKind.REPLY, other, thread_id=post, text="Thank you, we will reply.")
        result = await adapter.apply(answer)
        assert result.ok and [t["id"] for t in emu.posted_replies()] == [result.external_id]
        assert await adapter.is_applied(answer)
        author = emu.tweet(reply)["author_id"]
        assert (await adapter.apply(act(ActionKind.MUTE, reply, author_id=author))).ok
        assert emu.mutes() == [author]
        assert {r["auth"] for r in emu.request_log} == {"oauth1"}
        assert [r["status"] for r in emu.request_log if r["fault"]] == [503]
        assert not [r for r in emu.request_log if r["auth_error"]]

    @pytest.mark.parametrize("wrong", ["consumer_secret", "access_token_secret"])
    async def test_forged_signature_is_auth_expired(
        self, emu: XEmulator, keys: dict[str, str], make: Any, wrong: str
    ) -> None:
        with pytest.raises(AuthExpired, match="OAuth 1.0a keys") as caught:
            await make({**keys, wrong: "forged-secret"}).start()
        assert "forged-secret" not in str(caught.value)
        assert [(r["status"], r["auth_error"]) for r in emu.request_log] == [
            (401, "bad signature")]  # refused once, not retried
        findings = await make({**keys, wrong: "forged-secret"}).verify()
        assert [f.ok for f in findings] == [False, False]
        assert "Keys and tokens" in findings[0].detail

    async def test_revoked_token(self, emu: XEmulator, keys: dict[str, str], make: Any) -> None:
        _, (reply, _) = thread(emu)
        adapter = make(keys)
        await adapter.start()
        emu.revoke_token(keys["access_token"])
        with pytest.raises(AuthExpired):
            await adapter.apply(act(ActionKind.HIDE, reply))
        assert emu.request_log[-1]["auth_error"] == "unknown or revoked access token"

    async def test_read_only_app(self, emu: XEmulator, make: Any) -> None:
        _, (reply, other) = thread(emu)
        read_only = emu.add_oauth1_credentials(permission="read")
        adapter = make(read_only)
        await adapter.start()
        assert (await adapter.poll({})).items  # reading is allowed
        with pytest.raises(PermanentError, match="Read and write.*regenerate the access token"):
            await adapter.apply(act(ActionKind.HIDE, reply))
        with pytest.raises(PermanentError, match="Read only"):
            await adapter.apply(act(ActionKind.REPLY, other, text="Thank you"))
        assert emu.hidden_replies() == [] and emu.posted_replies() == []
        assert {r["status"] for r in emu.calls("PUT")} == {403}
        findings = {f.check: f for f in await adapter.verify()}
        assert findings["credentials"].ok and findings["API access level"].ok
        permission = findings["app permission"]
        assert not permission.ok and "cannot post explanation replies, hide" in permission.detail
        assert "set the app's permissions to Read and write" in permission.detail
        assert "regenerate the access token" in permission.detail
        # changing the app's permission does not change a token made before it
        emu.set_app_permission(read_only["consumer_key"], "read-write")
        with pytest.raises(PermanentError, match="Read only"):
            await adapter.apply(act(ActionKind.HIDE, reply))
        regenerated = emu.add_oauth1_credentials(consumer_key=read_only["consumer_key"])
        assert (await make(regenerated).apply(act(ActionKind.HIDE, reply))).ok

    async def test_verify_read_write(self, keys: dict[str, str], make: Any) -> None:
        findings = await make(keys).verify()
        assert [f.check for f in findings] == [
            "credentials", "API access level", "app permission", "token lifetime"]
        assert all(f.ok for f in findings), findings
        assert "OAuth 1.0a keys work for @OakfieldAcademy" in findings[0].detail
        assert "do not expire" in findings[3].detail

    async def test_secrets_never_shown(
        self, emu: XEmulator, keys: dict[str, str], make: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        _, (reply, _) = thread(emu)
        caplog.set_level(logging.DEBUG)
        adapter = make(keys)
        await adapter.start()
        await adapter.apply(act(ActionKind.HIDE, reply))
        await adapter.verify()
        shown = caplog.text + repr(adapter) + repr(adapter._client) + json.dumps(emu.state())
        shown += json.dumps(list(emu.request_log))
        for secret in (keys["consumer_secret"], keys["access_token_secret"]):
            assert secret not in shown
        with pytest.raises(ValueError, match="missing: consumer_secret, access_token_secret"):
            TwitterAdapter("oak-x", ACCOUNT, "token", consumer_key="ck-only")


class TestSeededKeys:
    """``modbot emulate x`` prints working OAuth 1.0a keys; OAuth 2.0 still works beside them."""

    async def test_demo_and_scenario_keys(self, make: Any) -> None:
        async with XEmulator() as emu:
            seed_demo(emu)
            info = emu.info()["oauth1"]
            assert info == {**DEMO_OAUTH1, "access_token": info["access_token"],
                            "signature_origin": "https://api.twitter.com"}
            assert info["access_token"].startswith(f"{DEMO_USER_ID}-")
            demo = TwitterAdapter("demo", DEMO_USER_ID, info["access_token"], emu.base_url,
                                  consumer_key=info["consumer_key"],
                                  consumer_secret=info["consumer_secret"],
                                  access_token_secret=info["access_token_secret"], **FAST)
            oauth2 = TwitterAdapter("demo", DEMO_USER_ID, emu.info()["access_token"],
                                    emu.base_url, **FAST)
            try:
                await demo.start()
                await oauth2.start()
                assert oauth2.auth_method == "OAuth 2.0"
                assert [r["auth"] for r in emu.request_log] == ["oauth1", "oauth2"]
            finally:
                await demo.close()
                await oauth2.close()
        scenario = parse_scenario({"account": {"id": "42", "oauth1": {"permission": "read"}}})
        other = XEmulator()
        apply_scenario_account(other, scenario)
        assert other.info()["oauth1"]["permission"] == "read"
        assert other.info()["oauth1"]["access_token"].startswith("42-")
        with pytest.raises(ScenarioError, match="account.oauth1"):
            parse_scenario({"account": {"oauth1": {"permission": "admin"}}})
