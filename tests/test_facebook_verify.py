"""FacebookAdapter.verify() through the real facebook-sdk against the Graph emulator on 127.0.0.1,
and the emulator's ``/me/permissions`` and ``/{page-id}/subscribed_apps`` behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from adapters.base import Finding, PermanentError, VerifiableAdapter
from adapters.emulators.graph import GraphEmulator
from adapters.emulators.graph.ig_emulator import InstagramEmulator
from adapters.facebook import FacebookAdapter, GraphClient
from bot.domain import ActionKind, PlatformAction

PAGE = "1000000000001"
TOKEN = "page-token"
CHECKS = [
    "credentials",
    "permission pages_show_list",
    "permission pages_read_engagement",
    "permission pages_read_user_content",
    "permission pages_manage_engagement",
    "permission pages_manage_metadata",
    "webhook subscription",
]
FAST = {"retry_attempts": 2, "retry_wait": 0.01, "retry_max_wait": 0.02, "timeout": 2.0}


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[GraphEmulator]:
    emulator = GraphEmulator(app_secret="app-secret", verify_token="verify-me")
    emulator.add_page("Oakfield Academy", page_id=PAGE, access_token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


def make_adapter(emu: GraphEmulator, token: str = TOKEN, page_id: str = PAGE) -> FacebookAdapter:
    return FacebookAdapter("oakfield-fb", page_id, token, "app-secret", "verify-me",
                           base_url=emu.base_url, **FAST)


@pytest.fixture(name="fb")
async def _fb(emu: GraphEmulator) -> AsyncIterator[FacebookAdapter]:
    adapter = make_adapter(emu)
    yield adapter
    await adapter.close()


async def findings_of(emu: GraphEmulator, **options: str) -> list[Finding]:
    adapter = make_adapter(emu, **options)
    try:
        return await adapter.verify()
    finally:
        await adapter.close()


def failed(findings: list[Finding]) -> dict[str, str]:
    return {f.check: f.detail for f in findings if not f.ok}


class TestVerify:
    """verify() names what is wrong in plain words and never raises for it."""

    async def test_all_well(self, fb: FacebookAdapter) -> None:
        """Credentials, the five permissions and the ``feed`` subscription all pass."""
        assert isinstance(fb, VerifiableAdapter)
        findings = await fb.verify()
        assert [f.check for f in findings] == CHECKS
        assert all(f.ok for f in findings), failed(findings)
        assert "Oakfield Academy" in findings[0].detail

    async def test_declined_and_missing_permissions(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """A declined, an expired and a never-granted permission are each reported with what
        the bot cannot do; without pages_manage_engagement a hide really fails."""
        emu.set_page_permission("pages_manage_engagement", "declined")
        emu.set_page_permission("pages_read_user_content", "expired")
        del emu.page.permissions["pages_manage_metadata"]
        bad = failed(await fb.verify())
        assert set(bad) == {"permission pages_manage_engagement",
                            "permission pages_read_user_content",
                            "permission pages_manage_metadata"}
        engagement = bad["permission pages_manage_engagement"]
        assert "was declined" in engagement and "cannot hide, reply to or delete" in engagement
        assert "connect it again" in engagement
        assert "has expired" in bad["permission pages_read_user_content"]
        assert "comments people write" in bad["permission pages_read_user_content"]
        assert "was not granted" in bad["permission pages_manage_metadata"]
        comment = emu.add_comment(emu.add_post("Sports day")["id"], "rude")
        hide = PlatformAction(key="h", kind=ActionKind.HIDE, target_id=comment["id"])
        with pytest.raises(PermanentError, match="pages_manage_engagement"):
            await fb.apply(hide)
        emu.set_page_permission("pages_manage_engagement", "granted")
        assert (await fb.apply(hide)).ok

    async def test_no_subscription_or_no_feed_field(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """An app subscribed without ``feed``, or not at all, means polling only."""
        emu.set_page_subscribed_fields(["messages"])
        detail = failed(await fb.verify())["webhook subscription"]
        assert "not to its 'feed' field" in detail and "only by polling" in detail
        emu.set_page_subscribed_fields([])
        detail = failed(await fb.verify())["webhook subscription"]
        assert "not subscribed" in detail and "only by polling" in detail
        assert f"POST /{PAGE}/subscribed_apps?subscribed_fields=feed" in detail

    async def test_revoked_token(self, emu: GraphEmulator) -> None:
        """A refused token gives one credentials finding saying what to do, no exception."""
        findings = await findings_of(emu, token="revoked")
        assert [f.check for f in findings] == ["credentials"]
        assert not findings[0].ok and findings[0].detail.startswith("Meta refused the page token")
        assert "new Page access token" in findings[0].detail

    async def test_expired_mid_check_is_still_a_finding(self, emu: GraphEmulator) -> None:
        """A token that expires between the checks is reported, not raised."""
        emu.add_fault({"kind": "expired_token", "path": "/permissions$"})
        emu.add_fault({"kind": "expired_token", "path": "/subscribed_apps$"})
        bad = failed(await findings_of(emu))
        assert set(bad) == {"permissions", "webhook subscription"}
        assert "Could not read the page token's permissions" in bad["permissions"]
        assert "pages_manage_metadata" in bad["permissions"]

    async def test_wrong_page_or_other_pages_token(self, emu: GraphEmulator) -> None:
        """An unknown page id and a token of another page are told apart."""
        (missing,) = await findings_of(emu, page_id="1999999999999")
        assert not missing.ok and "no Page 1999999999999" in missing.detail
        emu.add_page("Other School", page_id="1000000000002", access_token="other-token")
        (other,) = await findings_of(emu, token="other-token")
        assert not other.ok and "another Page (Other School, 1000000000002)" in other.detail

    async def test_unreadable_permissions_are_reported_plainly(self, emu: GraphEmulator) -> None:
        """When Graph will not list permissions (5xx after retries) the finding says to check
        them by hand and names every one; the other checks still run."""
        emu.add_fault({"kind": "error500", "path": "/me/permissions$", "count": None})
        findings = await findings_of(emu)
        assert [f.check for f in findings] == ["credentials", "permissions",
                                               "webhook subscription"]
        detail = failed(findings)["permissions"]
        assert "Could not read" in detail and "by hand" in detail
        assert all(p in detail for p in ("pages_show_list", "pages_manage_engagement"))


class TestEmulatorPageAccess:
    """A plain GraphEmulator serves permissions and subscriptions per page."""

    async def test_graph_shapes_through_the_sdk(self, emu: GraphEmulator) -> None:
        """``/me/permissions`` rows, and subscribed_apps listed, replaced and removed."""
        client = GraphClient(TOKEN, base_url=emu.base_url, retry_attempts=1)
        try:
            emu.set_page_permission("pages_show_list", "declined")
            rows = (await client.request("me/permissions"))["data"]
            assert {"permission": "pages_show_list", "status": "declined"} in rows
            assert len(rows) == 5
            (app,) = (await client.request(f"{PAGE}/subscribed_apps"))["data"]
            assert app["name"] == "academy-modbot" and app["subscribed_fields"] == ["feed"]
            path = f"{PAGE}/subscribed_apps"
            await client.request(path, post_args={"subscribed_fields": "feed,mention"})
            assert emu.page.subscribed_fields == ["feed", "mention"]
            with pytest.raises(PermanentError):
                await client.request(path, post_args={"subscribed_fields": ""})
            await client.request(path, method="DELETE")
            assert (await client.request(path)) == {"data": []}
            emu.add_page("Other School", page_id="1000000000002")
            with pytest.raises(PermanentError):  # a page token manages only its own page
                await client.request("1000000000002/subscribed_apps")
        finally:
            await client.close()
        with pytest.raises(ValueError):
            emu.set_page_permission("pages_show_list", "maybe")

    async def test_control_api(self, emu: GraphEmulator) -> None:
        """``/_emulator/permissions`` and ``/_emulator/subscription`` change the page."""
        base = f"{emu.base_url}_emulator"
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{base}/permissions",
                                 json={"pages_manage_metadata": "declined"}) as r:
                body: dict[str, Any] = await r.json()
                assert r.status == 200 and body["permissions"]["pages_manage_metadata"] == "declined"
            async with http.post(f"{base}/permissions", json={"x": "sort of"}) as r:
                assert r.status == 400
            async with http.post(f"{base}/subscription", json={"fields": []}) as r:
                assert (await r.json())["subscribed_fields"] == []
            async with http.post(f"{base}/subscription?page_id=404", json={"fields": []}) as r:
                assert r.status == 404
        state = emu.state()["pages"][0]
        assert state["subscribed_fields"] == [] and "pages_manage_metadata" in state["permissions"]

    async def test_instagram_emulator_serves_an_unlinked_page(self) -> None:
        """In an InstagramEmulator a Facebook Page with no Instagram account is answered from
        the page, so the Facebook adapter verifies against it as against a GraphEmulator."""
        emu = InstagramEmulator()
        emu.add_page("Oakfield Academy", page_id=PAGE, access_token=TOKEN)
        emu.add_ig_account("oakfield_academy")  # on a page of its own
        await emu.start()
        try:
            emu.set_page_permission("pages_manage_engagement", "declined")
            assert set(failed(await findings_of(emu))) == {"permission pages_manage_engagement"}
        finally:
            await emu.stop()


async def test_verify_transient_failure_is_not_raised(emu: GraphEmulator) -> None:
    """With Graph gone entirely, verify() still returns a credentials finding."""
    adapter = make_adapter(emu)
    await emu.stop()
    try:
        (finding,) = await adapter.verify()
    finally:
        await adapter.close()
    assert not finding.ok and "Could not reach Facebook" in finding.detail
