"""An upgrade that changes what invoices and ship notices carry must not hold the invoices, nor replace the ASNs,
sent before it. The scheduler compares a record's new document with the digest kept on its last message; a digest
an earlier release made (no `content_version`, another document) differed from every rebuilt one: the first payment
on each recent invoice held it for a person, the first write on each recent delivery sent a replacement ASN. Now the
rebuilt digest becomes the baseline, said on the earlier message, and later real changes are compared with it."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import types
import typing
from pathlib import Path
from typing import Any

import odoorpc
import pytest
from pydantic import BaseModel

from gateway.config.loader import LoadedConfig
from gateway.journal.api import Message, State
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient
from gateway.odoo.extract import versions
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from gateway.translate.canonical import Invoice, ShipNotice
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.conftest import order
from tests.odoo.test_extraction import deliver
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import examples
from tests.odoo.test_scheduler import BIGBOX, Ctx, json_render, outbound
from tests.odoo.test_scheduler_hostile import invoice_sent, next_second, repriced, sent

__all__ = ["examples"]                             # the fixture, used by name

# The canonical Invoice and ShipNotice models the current CONTENT_VERSION digests: their fields' names and types,
# through every nested model. Not their JSON schema: its text changes with pydantic releases (2.12 gave Decimal a
# string pattern, later ones made it opt-in), and `pip install -e .` takes the newest pydantic.
SCHEMA_VERSION = 4
SCHEMA_HASH = "583e3dcadb48eab135a701154100e95d00fd60827f111c6fdc0a8d1b50141e3b"
EARLIER = "0" * 64                  # a digest an earlier release kept: of a document without today's fields


def _kind(tp: Any, models: dict[str, Any]) -> Any:
    """A type as plain JSON (models by name, their fields noted in `models`), the same for every pydantic."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _kind(args[0], models)
    if origin is typing.Literal:
        return ["literal", sorted(repr(a) for a in args)]
    if origin in (typing.Union, types.UnionType):
        return ["union", sorted((_kind(a, models) for a in args), key=json.dumps)]
    if origin is not None:
        return [getattr(origin, "__name__", repr(origin)), [_kind(a, models) for a in args]]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp.__name__ not in models:
            models[tp.__name__] = {}
            hints = typing.get_type_hints(tp)
            models[tp.__name__] = {name: _kind(hints[name], models) for name in tp.model_fields}
        return tp.__name__
    return getattr(tp, "__name__", repr(tp))


def _schema_hash() -> str:
    models: dict[str, Any] = {}
    top = [_kind(m, models) for m in (Invoice, ShipNotice)]
    return hashlib.sha256(json.dumps([top, models], sort_keys=True).encode()).hexdigest()


def test_the_content_version_is_bumped_with_the_invoice_and_ship_notice_schemas() -> None:
    assert (versions.CONTENT_VERSION, _schema_hash()) == (SCHEMA_VERSION, SCHEMA_HASH), (
        "the canonical Invoice/ShipNotice fields changed (a name or a type): bump gateway.odoo.extract.versions.CONTENT_VERSION and set "
        f"SCHEMA_VERSION to it and SCHEMA_HASH to {_schema_hash()} in this test. Without the bump, the first write "
        "in Odoo after the upgrade holds every recent invoice for a person and replaces every recent ASN")


def as_earlier_release(journal: Any, message: Message) -> None:
    """The message's meta as a release before content versions left it: another digest, no `content_version`."""
    meta = {k: v for k, v in message.meta.items() if k != "content_version"} | {"content": EARLIER}
    with sqlite3.connect(journal.path) as db:
        db.execute("UPDATE messages SET meta = ? WHERE id = ?", (json.dumps(meta), message.id))


def settled(journal: Any, message: Message) -> None:
    """The baseline noted on the earlier message: the current version's digest, the earlier one kept, an event."""
    now = journal.get(message.id)
    assert now.meta["content_version"] == versions.CONTENT_VERSION
    assert now.meta["content"] not in (None, EARLIER) and now.meta["content_earlier"] == EARLIER
    said = [e.reason for e in journal.events(message.id)]
    assert any("sent by an earlier release; its record written again at" in (r or "") and
               "compared from now on" in (r or "") for r in said), said


async def test_invoices_sent_before_the_upgrade_and_paid_after_it_are_not_held(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    """A payment registered on an invoice the earlier release sent: nothing held, nothing sent; a price changed
    afterwards is still held for a person, as a changed invoice is."""
    ctx, _earlier, move = await invoice_sent(client, odoo, journal, tmp_path)
    [first] = outbound(journal)
    assert first.meta["content_version"] == versions.CONTENT_VERSION        # kept beside the digest
    as_earlier_release(journal, first)
    next_second()
    odoo.execute_kw("account.move", "write", [[move], {"payment_state": "paid"}])   # what reconciling writes
    upgraded = OdooScheduler(ctx, lambda: client, render=json_render)
    with caplog.at_level(logging.INFO, logger="gateway"):
        assert await upgraded.run_once("bigbox", "810") == 0
        assert await upgraded.run_once("bigbox", "810") == 0
    assert [m.id for m in outbound(journal)] == [first.id]                     # nothing held, nothing queued
    settled(journal, first)
    assert len([r for r in caplog.records if "sent by an earlier release" in r.getMessage()]) == 1
    await repriced(upgraded, odoo, move)
    assert await upgraded.run_once("bigbox", "810") == 0
    [held] = [m for m in outbound(journal) if m.state is State.QUARANTINED]
    assert "went out before with other figures" in (held.last_error or "")


async def test_an_asn_sent_before_the_upgrade_is_not_replaced_until_its_delivery_changes(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Any) -> None:
    """The delivery written again after the upgrade (the same tracking number saved again): no replacement ASN,
    which a retailer charges back; a tracking number corrected afterwards is sent as a replacement."""
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    assert await OdooScheduler(ctx, lambda: client, render=json_render).run_once("bigbox", "856") == 1
    [first] = outbound(journal)
    as_earlier_release(journal, first)
    upgraded = OdooScheduler(ctx, lambda: client, render=json_render)
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456784"}])
    assert await upgraded.run_once("bigbox", "856") == 0
    assert [m.id for m in outbound(journal)] == [first.id]
    settled(journal, first)
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456799"}])
    assert await upgraded.run_once("bigbox", "856") == 1
    earlier, replacement = sent(ctx, journal)
    assert (replacement["purpose"], replacement["tracking_number"]) == ("replace", "1Z999AA10123456799")
    assert replacement["number"] == earlier["number"]


async def test_the_newest_asns_the_last_run_before_the_upgrade_read_are_not_replaced(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Any) -> None:
    """The first run after the upgrade builds again the versions of the newest second the last one read (a write in
    that second would look like them) and compared them with the earlier release's digest: a replacement ASN for
    a delivery nobody touched."""
    [link] = post(client, order(), BIGBOX, Cache())
    deliver(odoo, link.record_id)
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    assert await OdooScheduler(ctx, lambda: client, render=json_render).run_once("bigbox", "856") == 1
    [first] = outbound(journal)
    as_earlier_release(journal, first)
    assert await OdooScheduler(ctx, lambda: client, render=json_render).run_once("bigbox", "856") == 0
    assert [m.id for m in outbound(journal)] == [first.id]
    assert journal.get(first.id).meta["content_version"] == versions.CONTENT_VERSION
    assert any("sent by an earlier release; its record read again at" in (e.reason or "")
               for e in journal.events(first.id))


async def test_an_invoice_held_before_the_upgrade_stays_held_when_paid_after_it(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Any) -> None:
    """An invoice corrected after it went out was held for a person by the earlier release: a payment registered
    after the upgrade must not make its new version the baseline (the held one closed as superseded, the changed
    figures told to no one); it is held again, as the earlier release did."""
    ctx, scheduler, move = await invoice_sent(client, odoo, journal, tmp_path)
    await repriced(scheduler, odoo, move)
    assert await scheduler.run_once("bigbox", "810") == 0
    [first] = [m for m in outbound(journal) if m.state is State.QUEUED]
    as_earlier_release(journal, first)
    next_second()
    odoo.execute_kw("account.move", "write", [[move], {"payment_state": "paid"}])
    assert await OdooScheduler(ctx, lambda: client, render=json_render).run_once("bigbox", "810") == 0
    [held] = [m for m in outbound(journal) if m.state is State.QUARANTINED]
    assert "went out before with other figures" in (held.last_error or "")
    assert journal.get(first.id).meta.get("content") == EARLIER


async def test_the_856_the_example_bigbox_gets_after_the_upgrade(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """Through the daemon's scheduler and BigBox's X12 profile: the delivery written again after the upgrade sends
    nothing; its tracking number corrected then goes out as BSN*05 (replace) under the same shipment number."""
    order_id = odd.ordered(examples, client, "bigbox", "PO-UPGRADE-856", odd.BIGBOX_DC,
                           [odd.line("1", {"gtin": "00614141000012"}, 12)])
    pick = deliver(odoo, order_id, packages=["006141410000123452"])
    [first] = await one_run(examples, client, journal, tmp_path, "bigbox", "856")
    assert first.state is State.QUEUED, first.last_error
    as_earlier_release(journal, journal.get(first.id))
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456784"}])
    assert await one_run(examples, client, journal, tmp_path, "bigbox", "856") == []
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456799"}])
    [replacement] = await one_run(examples, client, journal, tmp_path, "bigbox", "856")
    archive = Archive(tmp_path / "archive")
    was, now = (archive.read(m.sha256).decode() for m in (first, replacement))
    assert "BSN*00*" in was and "BSN*05*" in now, now
    assert was.split("BSN*00*")[1].split("*")[0] == now.split("BSN*05*")[1].split("*")[0]
    assert "1Z999AA10123456799" in now
