"""A delivery of several packages, whose carrier connector kept each package's tracking number in stock.picking
carrier_tracking_ref ('1Z...84,1Z...93'; UPS joins them with '+'): extracted from the sandbox over real HTTP by
the scheduler, rendered with the example partners' profiles as the pipeline does, and read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import parse
from gateway.journal.api import Direction, Message, State
from gateway.odoo.client import OdooClient
from gateway.odoo.receipts import tracking_numbers
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from gateway.translate.canonical import Document, Party, ShipNotice
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_extraction import deliver
from tests.odoo.test_outbound_taxes_packs import daemon_scheduler, examples  # noqa: F401 - the examples fixture

FIRST, SECOND = "1Z999AA10123456784", "1Z999AA10123456793"
EUROHANDEL_DC = Party(role="ship_to", ids={"gln": "4012345000016"})


async def scheduled(examples: LoadedConfig, client: OdooClient, journal: Any, tmp_path: Path,  # noqa: F811
                    partner_id: str, doc_type: str) -> tuple[Message, bytes, Document]:
    """One run of the daemon's scheduler job for `doc_type`: the one outbound message it made, which must be queued
    (one held in quarantine, its file failing the partner's validation, fails the test with its reason), the file,
    and the file read back with the partner's profile."""
    scheduler, pipeline = daemon_scheduler(examples, client, journal, tmp_path)
    before = {m.id for m in journal.find(direction=Direction.OUT, partner=partner_id, limit=100)}
    await scheduler.run_once(partner_id, doc_type)
    [message] = [m for m in journal.find(direction=Direction.OUT, partner=partner_id, limit=100) if m.id not in before]
    assert message.state is State.QUEUED, message.last_error
    data = pipeline.archive.read(message.sha256)
    partner = examples.partners[partner_id]
    profile = next(d.profile for d in partner.documents if d.type == doc_type)
    [back] = [d for tx in parse(data).transactions for d in translate(tx, partner, examples.profiles, profile=profile)]
    return message, data, back


def segments(data: bytes, tag: str, terminator: str = "~") -> list[str]:
    return [s.strip() for s in data.decode("latin-1").split(terminator) if s.strip().startswith(tag)]


def test_the_numbers_are_split_where_odoos_connectors_join_them() -> None:
    assert tracking_numbers(f"{FIRST},{SECOND}") == tracking_numbers(f"{FIRST}+{SECOND}") == [FIRST, SECOND]
    assert tracking_numbers(f" {FIRST} ; {SECOND}\n") == [FIRST, SECOND]
    assert tracking_numbers("9400 1000 0000 0000 0000 00") == ["9400 1000 0000 0000 0000 00"]   # USPS, grouped
    assert tracking_numbers(False) == tracking_numbers(",") == []


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_two_ups_cartons_go_out_to_a_004010_partner_with_the_master_number(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """Both numbers went into REF*CN and every carton's MAN*CP: 37 characters, over 004010's REF02 of 30, so
    BigBox's 856 of any delivery of two labelled cartons was held. The shipment carries the first (the master)
    number; no carton gets one, since which label is on which carton is not in Odoo (a wrong MAN*CP is worse
    than none)."""
    order_id = odd.ordered(examples, client, "bigbox", "PO-TWO-CARTONS", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 24), odd.line("2", {"buyer": "BB-1002"}, 6)])
    deliver(odoo, order_id, packages=["006141410000123452", "006141410000123469"], tracking=f"{FIRST},{SECOND}")
    _, data, back = await scheduled(examples, client, journal, tmp_path, "bigbox", "856")
    assert segments(data, "REF*CN*") == [f"REF*CN*{FIRST}"] and segments(data, "MAN*CP*") == []
    assert segments(data, "MAN*GM*") == ["MAN*GM*006141410000123452", "MAN*GM*006141410000123469"]
    assert isinstance(back, ShipNotice) and back.tracking_number == FIRST
    assert [p.tracking_number for p in back.orders[0].packs] == [None, None]


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_one_carton_with_one_number_carries_it_and_a_carton_beside_loose_goods_does_not(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """UPS joins its labels' numbers with '+', one for each Odoo package and one for the goods in none ('Bulk
    Content'): the shipment takes the first, the one carton Odoo packed none of them (its own may be either)."""
    order_id = odd.ordered(examples, client, "bigbox", "PO-BULK", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 24), odd.line("2", {"buyer": "BB-1002"}, 6)])
    odd.pack_and_ship(odoo, order_id, ["006141410000123452", None])
    [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": f"{FIRST}+{SECOND}"}])
    _, data, back = await scheduled(examples, client, journal, tmp_path, "bigbox", "856")
    assert segments(data, "REF*CN*") == [f"REF*CN*{FIRST}"] and segments(data, "MAN*CP*") == []
    assert isinstance(back, ShipNotice) and back.tracking_number == FIRST

    order_id = odd.ordered(examples, client, "bigbox", "PO-ONE-CARTON", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 12)])
    deliver(odoo, order_id, packages=["006141410000123476"], tracking=f"{SECOND},")
    _, data, back = await scheduled(examples, client, journal, tmp_path, "bigbox", "856")
    assert segments(data, "REF*CN*") == [f"REF*CN*{SECOND}"] and segments(data, "MAN*CP*") == [f"MAN*CP*{SECOND}"]


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
async def test_a_desadv_of_two_packages_names_the_master_number(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """EuroHandel's DESADV put both numbers in RFF+CN (1154 is an..35): held like the 856. Now RFF+CN has the
    master number and no package a GIN+BN that might be another's."""
    order_id = odd.ordered(examples, client, "eurohandel", "EH-TWO-PACKAGES", EUROHANDEL_DC,
                           [odd.line("1", {"gtin": "00614141000012"}, 10), odd.line("2", {"gtin": "00614141000029"}, 4)])
    deliver(odoo, order_id, packages=["006141410000123452", "006141410000123469"], tracking=f"{FIRST}, {SECOND}")
    _, data, back = await scheduled(examples, client, journal, tmp_path, "eurohandel", "DESADV")
    assert segments(data, "RFF+CN", "'") == [f"RFF+CN:{FIRST}"] and segments(data, "GIN+BN", "'") == []
    assert isinstance(back, ShipNotice) and back.tracking_number == FIRST
