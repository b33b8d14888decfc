"""The whole service against the Graph API emulator: webhooks, polling, bad input, expired tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from adapters.emulators.graph.emulator import GraphEmulator
from bot.app import Service
from bot.clock import ManualClock
from bot.settings import Settings, parse_settings
from bot.store.models import AlertRow, HealthRow, IngestFailureRow, ItemRow, TicketRow
from tests.conftest import settings_dict

pytestmark = pytest.mark.storage


@pytest.fixture(name="emu")
async def _emu(clock: ManualClock) -> AsyncIterator[GraphEmulator]:
    emu = GraphEmulator(clock=lambda: clock.now().timestamp())  # the page and service agree on now
    await emu.start()
    emu.add_page("Oakfield Academy")
    yield emu
    await emu.stop()


@pytest.fixture(name="service")
async def _service(db_url: str, emu: GraphEmulator, clock: ManualClock) -> AsyncIterator[Service]:
    data = settings_dict(db_url)
    data["academies"]["oakfield"]["accounts"]["oakfield-fb"]["facebook"].update(
        {"page_id": emu.page_id, "base_url": emu.base_url})
    settings: Settings = parse_settings(data, "test")
    env = {"FB_TOKEN": emu.page.access_token, "FB_SECRET": emu.app_secret,
           "FB_VERIFY": emu.verify_token}
    svc = Service(settings, "test", clock=clock, environ=env)
    await svc.start(schedule=False)
    emu.set_webhook(f"http://127.0.0.1:{svc.web_port}/webhooks/oakfield-fb")
    yield svc
    await svc.stop()


async def _scalar(svc: Service, stmt: Any) -> Any:
    async with svc.sessions() as s:
        return await s.scalar(stmt)


async def _post(svc: Service, body: bytes, headers: dict[str, str]) -> int:
    url = f"http://127.0.0.1:{svc.web_port}/webhooks/oakfield-fb"
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        return r.status


def _sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class TestWebhooks:
    async def test_handshake_echoes_challenge(self, service: Service, emu: GraphEmulator) -> None:
        """The subscription handshake succeeds with the configured verify token."""
        result = await emu.verify_webhook()
        assert result["ok"], result

    async def test_signed_webhook_is_stored_and_acted_on(
        self, service: Service, emu: GraphEmulator
    ) -> None:
        """A signed webhook is stored at once and, once decided, the comment is hidden."""
        post = emu.add_post("Sports day")["id"]
        c = emu.add_comment(post, "Mrs Hughes you are a useless fat cow", author="Troll")
        await emu.flush_webhooks()
        row = await _scalar(service, select(ItemRow).where(ItemRow.external_id == c["id"]))
        assert row is not None and row.source == "webhook"
        assert service.executor is not None
        await service.pipeline.process_pending(service.clock.now())
        await service.executor.run_once(service.clock.now())
        assert emu.comment(c["id"])["is_hidden"] is True

    @pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "sha1=abc"])
    async def test_forged_or_unsigned_webhook_is_rejected_and_counted(
        self, service: Service, signature: str | None
    ) -> None:
        """A webhook without a valid signature gets 403, is counted, and stores nothing."""
        body = json.dumps({"object": "page", "entry": []}).encode()
        headers = {"Content-Type": "application/json"}
        if signature:
            headers["X-Hub-Signature-256"] = signature
        assert await _post(service, body, headers) == 403
        health = await _scalar(service, select(HealthRow))
        assert health is not None and health.rejected_webhooks == 1
        assert await _scalar(service, select(func.count()).select_from(ItemRow)) == 0

    async def test_malformed_signed_payload_is_kept_as_failure(
        self, service: Service, emu: GraphEmulator
    ) -> None:
        """A correctly signed but unreadable body is stored as a failure, not dropped or fatal."""
        body = b'{"object": "page", "entry": [{"changes": [{"value": '
        status = await _post(service, body, {"X-Hub-Signature-256": _sign(emu.app_secret, body)})
        assert status == 200
        failures = await _scalar(service, select(func.count()).select_from(IngestFailureRow))
        assert failures == 1

    async def test_body_arriving_in_pieces_is_verified_whole(
        self, service: Service, emu: GraphEmulator
    ) -> None:
        """A large signed body sent in several chunks is read whole before its signature check."""
        post = emu.add_post("Chunks")["id"]
        value = {"item": "comment", "verb": "add", "comment_id": f"{post}_77", "post_id": post,
                 "parent_id": post, "from": {"id": "9", "name": "P"},
                 "message": "Is there parking? " + "x" * 150_000, "created_time": 1795000000}
        body = json.dumps({"object": "page", "entry": [{"id": emu.page_id, "time": 1795000000,
                                                         "changes": [{"field": "feed",
                                                                      "value": value}]}]}).encode()

        async def pieces():  # noqa: ANN202
            for i in range(0, len(body), 16_384):
                yield body[i:i + 16_384]

        url = f"http://127.0.0.1:{service.web_port}/webhooks/oakfield-fb"
        headers = {"X-Hub-Signature-256": _sign(emu.app_secret, body)}
        async with aiohttp.ClientSession() as http, http.post(url, data=pieces(),
                                                              headers=headers) as r:
            assert r.status == 200
        row = await _scalar(service, select(ItemRow).where(ItemRow.external_id == f"{post}_77"))
        assert row is not None

    async def test_dropped_webhook_is_found_by_polling(
        self, service: Service, emu: GraphEmulator
    ) -> None:
        """A comment whose webhook never arrived is picked up by the next poll."""
        post = emu.add_post("Parents' evening")["id"]
        c = emu.add_comment(post, "Is parking available on site?", webhook=False)
        await service.tick()
        row = await _scalar(service, select(ItemRow).where(ItemRow.external_id == c["id"]))
        assert row is not None and row.source == "poll" and row.state == "assessed"


class TestLifecycleOnThePage:
    async def test_author_deleting_a_question_closes_its_ticket(
        self, service: Service, emu: GraphEmulator
    ) -> None:
        """The platform's "remove" webhook for a question closes the ticket it opened."""
        post = emu.add_post("Trips")["id"]
        c = emu.add_comment(post, "When is the deadline for the trip payment?")
        await emu.flush_webhooks()
        await service.tick()
        emu.delete_comment_by_author(c["id"])
        await emu.flush_webhooks()
        async with service.sessions() as s:
            ticket = (await s.scalars(select(TicketRow))).one()
        assert ticket.state == "closed" and ticket.close_reason == "deleted_by_author"

    async def test_comment_edited_into_personal_data_is_removed(
        self, service: Service, emu: GraphEmulator
    ) -> None:
        """A comment edited after it was kept is assessed again and acted on."""
        post = emu.add_post("Concert")["id"]
        c = emu.add_comment(post, "Lovely concert, well done everyone")
        await emu.flush_webhooks()
        await service.tick()
        emu.edit_comment(c["id"], "Jayden Smith in 4B lives at 14 Elm Road OX4 2AB")
        await emu.flush_webhooks()
        await service.tick()
        await service.tick()
        assert emu.comment(c["id"])["deleted"] is True


class TestExpiredToken:
    async def test_expired_token_alerts_admins_once_and_does_not_crash(
        self, service: Service, emu: GraphEmulator, clock: ManualClock
    ) -> None:
        """A refused token raises one alert to the trust's admins per day; polling carries on."""
        emu.add_fault({"kind": "expired_token", "count": None})
        await service.tick()
        await service.tick()
        alerts = await _scalar(service, select(func.count()).select_from(AlertRow)
                               .where(AlertRow.kind == "token_expired"))
        assert alerts == 1
        alert = await _scalar(service, select(AlertRow).where(AlertRow.kind == "token_expired"))
        assert alert.audience == ["ian"]
        health = await _scalar(service, select(HealthRow))
        assert health.auth_expired is True
        emu.clear_faults()
        post = emu.add_post("After renewal")["id"]
        emu.add_comment(post, "Thank you!", webhook=False)
        clock.advance(timedelta(minutes=20))
        await service.tick()
        health = await _scalar(service, select(HealthRow))
        assert health.auth_expired is False
