"""Onboarding an EDIFACT partner by YAML only.

Given a new retailer ("Nordkauf") whose D96A ORDERS differ from the base profile in five ways:
  1. the order number travels in RFF+ON, BGM 1004 is empty;
  2. it orders in "STK" (Stück) and "KRT" (a carton of 6 for this partner -> canonical "CS");
  3. its own article number comes as PIA+5 ...:IN and must become the `buyer` id Odoo matches on;
  4. the requested delivery date is DTM+69 (promised date) in CCYYMMDDHHMM (203), written back as 203;
  5. it sends a department in RFF+API under the buyer NAD,
when its partner profile (written here, no Python) extends edifact-d96a-orders,
then the order translates with every one of those read the partner's way, and renders back.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import parse
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import ProfileRegistry, render, translate
from gateway.translate.canonical import PurchaseOrder
from tests.translate_other.conftest import RENDER_TIME

ORDER = (
    "UNA:+.? '\n"
    "UNB+UNOC:3+4098765000002:14+0614141000005:14+261130:0700+NK0001'\n"
    "UNH+1+ORDERS:D:96A:UN:EAN008'\n"
    "BGM+220++9'\n"
    "DTM+137:20261130:102'\n"
    "DTM+69:202612081400:203'\n"
    "RFF+ON:NK-2026-5512'\n"
    "NAD+BY+4098765000002::9++Nordkauf AG'\n"
    "RFF+API:Abt. 12 Haushalt'\n"
    "NAD+DP+4098765000019::9++Filiale Kiel'\n"
    "LIN+1++0614141000012:EN'\n"
    "PIA+5+NK-778812:IN'\n"
    "QTY+21:30:STK'\n"
    "LIN+2++0614141000036:EN'\n"
    "PIA+5+NK-778830:IN'\n"
    "QTY+21:2:KRT'\n"
    "UNS+S'\n"
    "CNT+2:2'\n"
    "UNT+17+1'\n"
    "UNZ+1+NK0001'\n"
).encode("latin-1")

PROFILE = """\
# Nordkauf AG: ORDERS D96A with five differences from the base, each said here.
extends: edifact-d96a-orders
codes:
  units: {STK: EA, KRT: CS, _out: {EA: STK, CS: KRT}}      # 2. their units
  item_types: {IN: buyer, _out: {buyer: IN}}               # 3. their article number (IN) is *the* buyer id
  date_qualifiers: {"69": requested_delivery, _out: {requested_delivery: "69"}}   # 4. DTM+69 is the date
structure:
  bgm:
    fields:
      number: 2.1                                          # 1. may be empty here ...
  order_number:
    _before: references
    seg: RFF
    when: {1.1: ON}
    fields:
      number: {at: 1.2, required: true}                    # 1. ... the number is in RFF+ON
  parties:
    children:
      department:
        seg: RFF
        when: {1.1: API}
        fields: {ids.department: 1.2}                      # 5. buyer department
"""


def test_partner_onboarded_by_yaml_only(tmp_path: Path) -> None:
    (tmp_path / "nordkauf-orders.yaml").write_text(PROFILE, encoding="utf-8")
    registry = ProfileRegistry.load([tmp_path])
    partner = PartnerConfig.model_validate({
        "id": "nordkauf", "edifact": {"ids": [{"qualifier": "14", "id": "4098765000002"}]},
        "documents": [{"type": "ORDERS", "direction": "in", "profile": "nordkauf-orders"},
                      {"type": "ORDERS", "direction": "out", "profile": "nordkauf-orders"}]})
    result = parse(ORDER)
    assert [str(i) for i in result.errors] == []

    [doc] = translate(result.transactions[0], partner, registry)

    assert isinstance(doc, PurchaseOrder)
    assert doc.number == "NK-2026-5512"
    assert [(ln.item_ids, ln.quantity, ln.unit) for ln in doc.lines] == [
        ({"ean": "0614141000012", "buyer": "NK-778812"}, Decimal(30), "EA"),
        ({"ean": "0614141000036", "buyer": "NK-778830"}, Decimal(2), "CS")]
    assert [(d.qualifier, d.date) for d in doc.dates] == [("requested_delivery", "2026-12-08")]
    buyer = doc.party("buyer")
    assert buyer is not None and buyer.ids == {"gln": "4098765000002", "department": "Abt. 12 Haushalt"}
    assert doc.check() == []

    # and the same profile writes the partner's codes back
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        out = render(doc, partner, registry, journal, "ORDERS",
                     our_ids=OurIds.model_validate({"edifact": {"qualifier": "14", "id": "0614141000005"}}),
                     now=RENDER_TIME).data
    finally:
        journal.close()
    assert b"QTY+21:30:STK'" in out and b"QTY+21:2:KRT'" in out and b"RFF+ON:NK-2026-5512'" in out
    assert b"PIA+5+NK-778812:IN'" in out and b"DTM+69:202612081400:203'" in out
