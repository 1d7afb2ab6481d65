"""NAD C058, the party's name and address as up to five unstructured lines (3124), read where C080 (the name) and
C059 (the street) are empty: the first line is the name, the next ones the address lines. EANCOM retailers' store
and invoicee NADs often carry only these (`NAD+DP+<GLN>::9+FILIALE 12:INDUSTRIESTR. 5:50667 KOELN'`); they were not
read, so such a party had no name. Through the `translate` command on a file written here, through the pipeline
into the Odoo sandbox (the delivery contact the gateway makes for an unknown store), and written back by a
partner profile that puts the name and address there."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import edifact
from gateway.journal.api import State
from gateway.journal.sqlite import SqliteJournal
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import ProfileRegistry, render, translate
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import odoo, sandbox
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run

__all__ = ["examples", "odoo", "sandbox"]          # fixtures, used by name

EURO_SAMPLE = SAMPLE.parent.parent / "eurohandel" / "ORDERS_4500012345.edi"
DP = "NAD+DP+4012345000016::9++Lager K\xf6ln+Robert-Bosch-Stra\xdfe 7+K\xf6ln++50769+DE'"


def order(*nads: str) -> bytes:
    """A D96A ORDERS with these NAD segments after the buyer's."""
    body = ["BGM+220+PO-C058+9", "DTM+137:20261129:102", "NAD+BY+4012345000009::9", *(n.rstrip("'") for n in nads),
            "LIN+1++0614141000012:EN", "QTY+21:10", "UNS+S"]
    segs = ["UNA:+.? '", "UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0915+501",
            "UNH+1+ORDERS:D:96A:UN:EAN008", *body, f"UNT+{len(body) + 2}+1", "UNZ+1+501"]
    return "".join(s if s.startswith("UNA") else s + "'\r\n" for s in segs).encode("latin-1")


def translated(tmp: Path, data: bytes) -> dict[str, dict[str, object]]:
    """The parties of `data` as `edi-gateway translate --json` prints them, by role."""
    path = tmp / "orders.edi"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-m", "gateway", "translate", str(path), "--json"], cwd=tmp,
                          capture_output=True, text=True, check=True)
    assert "validation" not in done.stderr, done.stderr
    return {p["role"]: p for p in json.loads(done.stdout)["parties"]}


def test_a_party_named_only_in_c058_gets_its_name_and_address_lines(tmp_path: Path) -> None:
    parties = translated(tmp_path, order("NAD+DP+4012345000047::9+FILIALE 12 MARKTKAUF:INDUSTRIESTR. 5:50667 KOELN'",
                                         "NAD+IV+++EINKAUF GMBH+POSTFACH 11 22'"))
    ship_to = parties["ship_to"]
    assert ship_to["name"] == "FILIALE 12 MARKTKAUF"
    assert ship_to["address"] == {"lines": ["INDUSTRIESTR. 5", "50667 KOELN"]}
    # a structured NAD is read as before
    assert parties["bill_to"]["name"] == "EINKAUF GMBH"
    assert parties["bill_to"]["address"] == {"lines": ["POSTFACH 11 22"]}


def test_c080_and_c059_come_before_c058(tmp_path: Path) -> None:
    # Given a NAD with both forms: the structured name and street are the ones read
    parties = translated(tmp_path, order("NAD+DP+4012345000047::9+LAGER 3:ALTE ADRESSE 1+ZENTRALLAGER NORD"
                                         "+HAFENSTR. 9+BREMEN++28195+DE'",
                                         "NAD+SU+0614141000005::9+ACME SUPPLY INC:RIVERSIDE 4+ACME SUPPLY INC'"))
    assert parties["ship_to"]["name"] == "ZENTRALLAGER NORD"
    assert parties["ship_to"]["address"] == {"lines": ["HAFENSTR. 9"], "city": "BREMEN", "postal_code": "28195",
                                             "country": "DE"}
    # and with a name in C080 but no street, C058's lines after the name it repeats are the address
    assert parties["supplier"]["name"] == "ACME SUPPLY INC"
    assert parties["supplier"]["address"] == {"lines": ["RIVERSIDE 4"]}


def test_c058_without_the_name_c080_has_is_all_address(tmp_path: Path) -> None:
    # Given a NAD whose C058 holds only the address, the name being in C080 (as ediweave's INVOIC sample)
    parties = translated(tmp_path, order("NAD+BY+106321::91+P.O.Box 2021:80803:Munich+Koenig+++++DE'"))
    # Then every C058 line is an address line: the first one is not taken for a name
    assert parties["buyer"]["name"] == "Koenig"
    assert parties["buyer"]["address"] == {"lines": ["P.O.Box 2021", "80803", "Munich"], "country": "DE"}


async def post_sample_with(tmp: Path, examples: LoadedConfig, sandbox: SandboxServer, old: bytes, new: bytes,
                           **odoo: Any) -> None:
    """EuroHandel's sample ORDERS (its PO 4500012345) with `old`, there once, replaced by `new`, posted through the
    pipeline with the partner's `odoo` settings changed by `odoo`; it must end DONE."""
    data = EURO_SAMPLE.read_bytes()
    assert data.count(old) == 1
    pipeline, _ = pipeline_for(tmp, examples, sandbox)
    partner = pipeline.config.partners["eurohandel"]
    pipeline.config.partners["eurohandel"] = partner.model_copy(update={"odoo": partner.odoo.model_copy(update=odoo)})
    message = await pipeline.submit(data.replace(old, new), IntakeMeta(channel="folder", filename="ORDERS_sample.edi"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error


def sample_sale_order(odoo: odoorpc.ODOO, fields: list[str]) -> dict[str, Any]:
    """The sale order made of EuroHandel's sample ORDERS: these fields."""
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500012345")]], {"fields": fields})
    return dict(so)


@pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)
async def test_a_store_named_only_in_c058_becomes_a_named_delivery_contact_in_odoo(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    # Given EuroHandel's sample order shipped to a store Odoo does not know, named only in C058; when it is posted
    await post_sample_with(tmp_path, examples, sandbox, DP.encode("latin-1"),
                           b"NAD+DP+4012345000047::9+FILIALE 12 MARKTKAUF:INDUSTRIESTR. 5:50667 KOELN'",
                           create_ship_to=True)
    # Then the sale order ships to a contact made with the store's name and street
    so = sample_sale_order(odoo, ["partner_shipping_id"])
    [ship] = odoo.execute_kw("res.partner", "read", [[so["partner_shipping_id"][0]], ["name", "street", "street2"]])
    assert (ship["name"], ship["street"]) == ("FILIALE 12 MARKTKAUF", "INDUSTRIESTR. 5")


def test_a_partner_profile_writes_the_name_and_address_into_c058(tmp_path: Path) -> None:
    """A partner whose system reads C058 only says so in its profile: the name on the first line, the address
    lines after it."""
    (tmp_path / "c058-orders.yaml").write_text(
        "profile: c058-orders\nextends: edifact-d96a-orders\nstructure:\n  parties:\n    fields:\n"
        "      name: 3.1\n      address.lines: {at: 3.2, spans: 4, join: lines}\n", encoding="utf-8")
    profiles = ProfileRegistry.load([tmp_path])
    source = edifact.parse(order("NAD+DP+4012345000047::9++ZENTRALLAGER NORD+HAFENSTR. 9:TOR 4'"))
    [doc] = translate(source.transactions[0], None, profiles, profile="edifact-d96a-orders")
    partner = PartnerConfig.model_validate({
        "id": "c058", "edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}]},
        "documents": [{"type": "ORDERS", "direction": "out", "profile": "c058-orders"}]})
    journal = SqliteJournal(tmp_path / "render.sqlite3")
    try:
        our = OurIds.model_validate({"edifact": {"qualifier": "14", "id": "0614141000005"}})
        data = render(doc, partner, profiles, journal, "ORDERS", our_ids=our, now=datetime(2026, 12, 1)).data
    finally:
        journal.close()
    nads = [s.strip() for s in data.decode("latin-1").split("'") if s.strip().startswith("NAD+DP")]
    assert nads == ["NAD+DP+4012345000047::9+ZENTRALLAGER NORD:HAFENSTR. 9:TOR 4"]
    # and the base profile reads it back as it was
    [again] = translate(edifact.parse(data).transactions[0], None, profiles, profile="edifact-d96a-orders")
    [party] = [p for p in again.parties if p.role == "ship_to"]
    assert (party.name, party.address.lines if party.address else None) == ("ZENTRALLAGER NORD",
                                                                             ["HAFENSTR. 9", "TOR 4"])
