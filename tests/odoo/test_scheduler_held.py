"""Record versions held in quarantine (the profile could not render them) whose record Odoo then deleted or
cancelled, and the journal searches a run makes for held entries: through the scheduler, against the sandbox
over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.models import DocumentSettings, PartnerConfig
from gateway.errors import TranslationError
from gateway.journal.api import Message, State
from gateway.odoo import scheduler as scheduler_module
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from tests.odoo.conftest import order
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_scheduler import BIGBOX, Ctx, json_render, outbound
from tests.odoo.test_scheduler_hostile import failing_on, next_second

ACKING = BIGBOX.model_copy(update={"documents": [
    *BIGBOX.documents, DocumentSettings(type="855", direction="out", profile="p", trigger="order_confirmed")]})


def refusing(refused: str) -> Any:
    """The test renderer, refusing every document of the type `refused` (as a profile missing a mapping would)."""
    def render(doc: Any, partner: PartnerConfig, profiles: Any, journal: Any, doc_type: str | None = None) -> Any:
        if doc_type == refused:
            raise TranslationError(f"{doc_type} {doc.number}: no mapping for the seller's order number", "BAK08")
        return json_render(doc, partner, profiles, journal, doc_type=doc_type)
    return render


def held(journal: Any, doc_type: str) -> list[Message]:
    return [m for m in outbound(journal) if m.meta.get("held") and m.doc_type == doc_type]


def by_id_searches(client: OdooClient, monkeypatch: pytest.MonkeyPatch, model: str) -> list[Any]:
    """The searches of `model` by record id the client makes from now on (held records looked up again)."""
    calls: list[Any] = []
    real = client.search_read

    def spy(name: str, domain: list[Any], *args: Any, **kw: Any) -> list[dict[str, Any]]:
        if name == model and any(isinstance(c, (list, tuple)) and c[:2] in (("id", "in"), ["id", "in"])
                                 for c in domain):
            calls.append(domain)
        return real(name, domain, *args, **kw)
    monkeypatch.setattr(client, "search_read", spy)
    return calls


def held_searches(journal: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The journal searches for quarantined messages made from now on (each is a held-entries search)."""
    calls: list[Any] = []
    real = journal.find

    def spy(**kw: Any) -> list[Message]:
        if kw.get("state") is State.QUARANTINED:
            calls.append(kw)
        return list(real(**kw))
    monkeypatch.setattr(journal, "find", spy)
    return calls


async def test_a_held_acknowledgment_of_an_order_cancelled_in_odoo_is_settled_once(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The 855 of a confirmed order is held (the profile refused it); then the customer cancels the order and it
    is cancelled in Odoo. The held 855 was looked up by id at every poll, and stayed on the status page, until a
    person closed it; it is closed by the run that finds the order cancelled, saying so, and looked up no more."""
    [link] = post(client, order(), ACKING, Cache())                       # confirmed: an 855 is owed
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": ACKING}), lambda: client, render=refusing("855"))
    assert await scheduler.run_once("bigbox", "855") == 0
    assert await scheduler.run_once("bigbox", "855") == 0                  # still owed: still that one entry
    [entry] = held(journal, "855")
    assert entry.state is State.QUARANTINED
    [so] = odoo.execute_kw("sale.order", "read", [[link.record_id], ["name"]])
    odoo.execute_kw("sale.order", "action_cancel", [[link.record_id]], {"context": {"disable_cancel_warning": True}})
    assert await scheduler.run_once("bigbox", "855") == 0
    assert journal.get(entry.id).state is State.DONE
    reason = f"sale order {so['name']} was cancelled in Odoo; the held 855 is no longer owed"
    assert journal.events(entry.id)[-1].reason == reason
    lookups = by_id_searches(client, monkeypatch, "sale.order")
    for _ in range(2):
        assert await scheduler.run_once("bigbox", "855") == 0
    assert lookups == []                                                    # settled: not looked up again
    assert [e.reason for e in journal.events(entry.id)].count(reason) == 1
    assert [m.state for m in outbound(journal)] == [State.DONE]


async def test_a_held_invoice_deleted_in_odoo_is_settled_and_one_reset_to_draft_is_not(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """Reset to draft, an invoice is not owed as it was held, but it may be posted again (then its new version
    is sent or held in its turn): its entry stays open. Deleted, it never comes back: the entry is closed naming
    the invoice, which Odoo no longer has (the name comes from the held document)."""
    [link] = post(client, order(), BIGBOX, Cache())
    deliver(odoo, link.record_id)
    move = invoice(odoo, link.record_id)
    odoo.execute_kw("account.move", "action_post", [[move]])
    [name] = [r["name"] for r in odoo.execute_kw("account.move", "read", [[move], ["name"]])]
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": BIGBOX}), lambda: client, render=refusing("810"))
    assert await scheduler.run_once("bigbox", "810") == 0
    [entry] = held(journal, "810")
    next_second()
    odoo.execute_kw("account.move", "button_draft", [[move]])
    assert await scheduler.run_once("bigbox", "810") == 0
    assert journal.get(entry.id).state is State.QUARANTINED                # a draft: it may be posted again
    odoo.execute_kw("account.move", "unlink", [[move]])
    assert await scheduler.run_once("bigbox", "810") == 0
    assert journal.get(entry.id).state is State.DONE
    assert journal.events(entry.id)[-1].reason == f"invoice {name} was deleted in Odoo; the held 810 is no longer owed"


async def test_a_poll_searches_held_entries_only_when_the_journal_has_some(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every poll (each second with poll_seconds: 1) searched the partner's quarantined messages for held
    versions, nearly always to find none: the run's own read of the partner's recent outbound messages says
    whether there are any. When those are not all of them (KNOWN_WINDOW), the search is still made."""
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    refused = {"BAD"}
    scheduler = OdooScheduler(ctx, lambda: client, render=failing_on(refused))
    assert await scheduler.run_once("bigbox", "856") == 1                  # sent; nothing held
    searches = held_searches(journal, monkeypatch)
    assert await scheduler.run_once("bigbox", "856") == 0
    assert searches == []
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "BAD"}])
    assert await scheduler.run_once("bigbox", "856") == 0                  # the correction is held
    [entry] = held(journal, "856")
    searches.clear()
    assert await scheduler.run_once("bigbox", "856") == 0                  # held: looked for, still held
    assert len(searches) == 1 and journal.get(entry.id).state is State.QUARANTINED
    monkeypatch.setattr(scheduler_module, "KNOWN_WINDOW", 1)              # the recent messages: the newest only
    refused.clear()                                                        # the profile is fixed
    assert await scheduler.run_once("bigbox", "856") == 1                  # found by the search, sent at last
    assert journal.get(entry.id).state is State.DONE


async def test_held_versions_a_run_finds_superseded_are_settled_with_one_search(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Three held deliveries corrected in Odoo at once: their held versions are closed as superseded by one
    search of the held entries, not one each."""
    picks = []
    for number in ("PO-A", "PO-B", "PO-C"):
        [link] = post(client, order(number), BIGBOX, Cache())
        picks.append(deliver(odoo, link.record_id, tracking="BAD"))
    refused = {"BAD", "BAD AGAIN"}
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": BIGBOX}), lambda: client, render=failing_on(refused))
    assert await scheduler.run_once("bigbox", "856") == 0
    assert len(held(journal, "856")) == 3
    next_second()
    odoo.execute_kw("stock.picking", "write", [picks, {"carrier_tracking_ref": "BAD AGAIN"}])
    searches = held_searches(journal, monkeypatch)
    assert await scheduler.run_once("bigbox", "856") == 0                  # held again, the first ones superseded
    assert len(searches) == 2                                              # the held records, then the settling
    states = sorted(m.state.value for m in held(journal, "856"))
    assert states == ["done"] * 3 + ["quarantined"] * 3
    assert all("superseded" in journal.events(m.id)[-1].reason for m in held(journal, "856") if m.state is State.DONE)


async def test_an_order_acknowledgment_is_owed_once_per_confirmation_whatever_is_written_after(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """The 855's version is the confirmation (`date_order`, which confirming sets), not write_date: a promised date
    or a note written after it sends no second 855 (a second original for one PO is a duplicate to the partner;
    a change after the acknowledgment is an 865's business), while an order cancelled, set back to quotation
    and confirmed again is acknowledged again."""
    [link] = post(client, order(), ACKING, Cache())
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": ACKING}), lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "855") == 1
    [before] = odoo.execute_kw("sale.order", "read", [[link.record_id], ["write_date", "date_order"]])
    next_second()
    odoo.execute_kw("sale.order", "write", [[link.record_id], {"commitment_date": "2026-12-24 15:00:00"}])
    odoo.execute_kw("sale.order", "write", [[link.record_id], {"note": "<p>dock 4, mornings only</p>"}])
    [after] = odoo.execute_kw("sale.order", "read", [[link.record_id], ["write_date", "date_order"]])
    assert after["write_date"] > before["write_date"] and after["date_order"] == before["date_order"]
    assert await scheduler.run_once("bigbox", "855") == 0
    odoo.execute_kw("sale.order", "action_cancel", [[link.record_id]], {"context": {"disable_cancel_warning": True}})
    odoo.execute_kw("sale.order", "write", [[link.record_id], {"state": "draft"}])       # Set to Quotation
    next_second()
    odoo.execute_kw("sale.order", "action_confirm", [[link.record_id]])
    assert await scheduler.run_once("bigbox", "855") == 1
    assert await scheduler.run_once("bigbox", "855") == 0
    assert len({m.source_key for m in outbound(journal)}) == 2
