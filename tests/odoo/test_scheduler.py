"""The scheduler's jobs: Odoo -> extraction -> render -> the real pipeline's outbox queue, once per record version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import GatewayConfig, PartnerConfig
from gateway.formats.base import Syntax
from gateway.journal.api import Direction, Journal, Message, State
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient, connect
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler, kind_of
from gateway.outbound.rendered import RenderedDocument
from gateway.pipeline import Pipeline
from gateway.translate.canonical import Document, to_json
from tests.odoo.conftest import order, settings_for
from tests.odoo.test_extraction import deliver


class Ctx:
    def __init__(self, tmp: Path, journal: Any, partners: dict[str, PartnerConfig]) -> None:
        gateway = GatewayConfig(state_dir=tmp / "state", archive_dir=tmp / "archive", quarantine_dir=tmp / "quarantine")
        self.config = LoadedConfig(path=tmp / "gateway.yaml", gateway=gateway, partners=partners)
        self.journal = journal
        self.pipeline = Pipeline(self.config, journal, Archive(tmp / "archive"))

    @property
    def partners(self) -> dict[str, PartnerConfig]:
        return self.config.partners


def json_render(doc: Document, partner: PartnerConfig, profiles: Any, journal: Any,
                doc_type: str | None = None) -> RenderedDocument:
    """A renderer for the test: the canonical JSON itself, with a control number from the journal."""
    number = journal.next_control_number(partner.id, "json")
    return RenderedDocument(doc_type=doc_type or doc.doc_type, syntax=Syntax.XML, filename=f"{partner.id}_{doc_type}_{number}.json",
                            data=to_json(doc).encode(), control_number=str(number))


BIGBOX = PartnerConfig(id="bigbox", odoo={"partner_ref": "BIGBOX", "confirm_orders": True, "units": {"CS": "Dozens"}},
                       documents=[{"type": "850", "direction": "in", "profile": "p"},
                                  {"type": "856", "direction": "out", "profile": "p", "trigger": "delivery_done"},
                                  {"type": "810", "direction": "out", "profile": "p", "trigger": "invoice_posted"},
                                  {"type": "846", "direction": "out", "profile": "p", "trigger": "schedule",
                                   "schedule": "0 */4 * * *"}])


def outbound(journal: Journal) -> list[Message]:
    return journal.find(direction=Direction.OUT, limit=100)


async def test_delivery_is_queued_once(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                       journal: Any, tmp_path: Path) -> None:
    [link] = post(client, order(), BIGBOX, Cache())
    deliver(odoo, link.record_id, packages=["006141410000123452"])
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": BIGBOX}), lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "856") == 1
    assert await scheduler.run_once("bigbox", "856") == 0
    assert await scheduler.run_once("bigbox", "810") == 0          # not invoiced yet
    [message] = outbound(journal)
    assert message.state is State.QUEUED and message.doc_type == "856" and message.partner == "bigbox"
    assert message.source_key is not None
    assert message.source_key.startswith("odoo:stock.picking,") and message.source_key.endswith(":856")
    data = json.loads(scheduler.ctx.pipeline.archive.read(message.sha256))
    assert data["orders"][0]["packs"][0]["sscc"] == "006141410000123452"


async def test_a_restart_neither_loses_nor_doubles(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                                   journal: Any, tmp_path: Path) -> None:
    [link] = post(client, order(), BIGBOX, Cache())
    deliver(odoo, link.record_id)
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    assert await OdooScheduler(ctx, lambda: client, render=json_render).run_once("bigbox", "856") == 1
    [message] = outbound(journal)
    assert message.source_key is not None
    model, _, rid = message.source_key.removeprefix("odoo:").partition("@")[0].partition(",")
    write_date = message.source_key.partition("@")[2].rpartition(":")[0]
    assert journal.export_mark("bigbox", model, int(rid), write_date, "ship_notice:856") is False   # marked
    again = OdooScheduler(ctx, lambda: client, render=json_render)     # a restarted daemon: no memory
    assert await again.run_once("bigbox", "856") == 0
    assert len(outbound(journal)) == 1


async def test_a_failed_render_is_retried_at_the_next_run(sandbox: SandboxServer, client: OdooClient,
                                                          odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    [link] = post(client, order(), BIGBOX, Cache())
    deliver(odoo, link.record_id)
    calls = {"n": 0}

    def flaky(*args: Any, **kw: Any) -> RenderedDocument:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("profile not loaded")
        return json_render(*args, **kw)

    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": BIGBOX}), lambda: client, render=flaky)
    assert await scheduler.run_once("bigbox", "856") == 0
    assert outbound(journal) == []
    assert await scheduler.run_once("bigbox", "856") == 1
    assert len(outbound(journal)) == 1


async def test_odoo_down_is_a_quiet_retry(sandbox: SandboxServer, client: OdooClient, journal: Any,
                                          tmp_path: Path) -> None:
    sandbox.faults.unavailable = 100
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": BIGBOX}), lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "846", slot="2026-11-29 08:00") == 0
    sandbox.faults.unavailable = 0
    assert await scheduler.run_once("bigbox", "846", slot="2026-11-29 08:00") == 1


async def test_a_refused_login_is_a_quiet_retry_with_a_fresh_client(sandbox: SandboxServer, journal: Any,
                                                                      tmp_path: Path) -> None:
    made: list[OdooClient] = []

    def factory() -> OdooClient:
        made.append(connect(settings_for(sandbox), retry_base=0.01))
        return made[-1]
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": BIGBOX}), factory, render=json_render)
    [user] = [u for u in sandbox.db.users.values() if u.login == "admin"]
    scheduler.client = factory()                       # logged in before the key was revoked
    secret, keys = user.password, list(user.api_keys)
    user.password, user.api_keys = "changed-by-an-admin", []
    assert await scheduler.run_once("bigbox", "846", slot="2026-11-29 08:00") == 0
    assert scheduler.client is None                    # not kept: the next run logs in afresh
    user.password, user.api_keys = secret, keys
    assert await scheduler.run_once("bigbox", "846", slot="2026-11-29 08:00") == 1
    assert len(made) == 2


async def test_jobs_per_partner_document(journal: Any, tmp_path: Path) -> None:
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": BIGBOX}), render=json_render)
    await scheduler.start()
    try:
        jobs = {job.id: job for job in scheduler.scheduler.get_jobs()}
        assert set(jobs) == {"bigbox:856", "bigbox:810", "bigbox:846"}
        assert "cron" in str(jobs["bigbox:846"].trigger) and "interval" in str(jobs["bigbox:856"].trigger)
    finally:
        await scheduler.stop()


@pytest.mark.parametrize("setting,kind", [
    ({"type": "856", "trigger": "delivery_done"}, "ship_notice"), ({"type": "INVOIC", "trigger": "invoice_posted"},
                                                                   "invoice"),
    ({"type": "846", "trigger": "schedule", "schedule": "0 6 * * *"}, "inventory"),
    ({"type": "DESADV", "trigger": "schedule", "schedule": "0 6 * * *"}, "ship_notice"),
    ({"type": "997", "trigger": "none"}, None)])
def test_kind_of(setting: dict[str, Any], kind: str | None) -> None:
    from gateway.config.models import DocumentSettings
    assert kind_of(DocumentSettings(direction="out", profile="p", **setting)) == kind


def breakable_render() -> tuple[Any, dict[str, bool]]:
    """A renderer that refuses every document (as a profile missing a GTIN place would) while `broken["yes"]`, then
    renders canonical JSON: what held documents are tested with."""
    from gateway.errors import TranslationError
    broken = {"yes": True}

    def render(*args: Any, **kw: Any) -> RenderedDocument:
        if broken["yes"]:
            raise TranslationError("item 1 has no GTIN, which LIN03 (UP) requires", "segment 12 LIN",
                                   "bigbox-856.yaml:40")
        return json_render(*args, **kw)
    return render, broken


async def test_a_document_the_profile_cannot_render_is_held_in_quarantine_until_it_renders(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    from gateway.errors import JournalError
    from gateway.outbound.outbox import resend
    [link] = post(client, order(), BIGBOX, Cache())
    deliver(odoo, link.record_id)
    render, broken = breakable_render()

    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    scheduler = OdooScheduler(ctx, lambda: client, render=render)
    for _ in range(2):                       # failing again at the next run: still one entry
        assert await scheduler.run_once("bigbox", "856") == 0
    [held] = outbound(journal)
    assert held.state is State.QUARANTINED and held.doc_type == "856" and held.meta["held"] is True
    assert "item 1 has no GTIN" in (held.last_error or "") and "not sent (the next run tries again)" in (
        held.last_error or "")
    assert json.loads(ctx.pipeline.archive.read(held.sha256))["doc_type"] == "ShipNotice"
    [copy] = (ctx.config.gateway.quarantine_dir / "bigbox").glob(f"{held.id}_*.json")
    assert "no GTIN" in Path(f"{copy}.reason.txt").read_text()
    with pytest.raises(JournalError, match="was never rendered"):
        resend(journal, held.id)             # the canonical JSON must never reach the partner
    broken["yes"] = False                    # the profile is fixed
    assert await scheduler.run_once("bigbox", "856") == 1
    states = {m.id: m.state for m in outbound(journal)}
    assert states[held.id] is State.DONE and sorted(states.values()) == [State.DONE, State.QUEUED]
    assert "rendered after all" in journal.events(held.id)[-1].reason


async def test_a_held_document_a_person_closed_is_not_sent_once_it_renders(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """`close` on a held entry says it was handled otherwise (sent by hand, say): fixing the profile afterwards
    must not send the same record version to the partner a second time."""
    from gateway.commands.close import close
    [link] = post(client, order(), BIGBOX, Cache())
    deliver(odoo, link.record_id)
    render, broken = breakable_render()

    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": BIGBOX}), lambda: client, render=render)
    assert await scheduler.run_once("bigbox", "856") == 0
    [held] = outbound(journal)
    close(journal, held.id, "sent to the buyer's portal by hand", "tester")
    broken["yes"] = False                    # the profile is fixed afterwards
    for _ in range(2):
        assert await scheduler.run_once("bigbox", "856") == 0
    assert [(m.id, m.state) for m in outbound(journal)] == [(held.id, State.CLOSED)]
