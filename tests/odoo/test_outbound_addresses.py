"""The state or province of the addresses Odoo gives outbound documents (res.partner state_id, written as its
res.country.state code): extracted from the sandbox over real HTTP by the scheduler or the extraction, rendered
with the example partners' profiles (and the base UBL ones), validated as the partner will and read back."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.formats import parse
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import render, translate
from gateway.translate.canonical import Address, Document, Line, Party, PurchaseOrder
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_extraction import deliver
from tests.odoo.test_outbound_taxes_packs import examples  # noqa: F401 - the examples fixture
from tests.odoo.test_tracking_numbers import EUROHANDEL_DC, scheduled, segments


def located(odoo: odoorpc.ODOO, places: dict[str, tuple[str, str, str]]) -> None:
    """Each named contact given its state (code, name) in its country, as base's res.country.state data has them
    (base.state_us_4 'AR' Arkansas, base.state_de_nw 'NW' Nordrhein-Westfalen)."""
    for name, (country, code, state_name) in places.items():
        [country_id] = odoo.execute_kw("res.country", "search", [[("code", "=", country)]])
        found = odoo.execute_kw("res.country.state", "search", [[("code", "=", code), ("country_id", "=", country_id)]])
        state = found[0] if found else odoo.execute_kw("res.country.state", "create", [
            {"name": state_name, "code": code, "country_id": country_id}])
        [partner] = odoo.execute_kw("res.partner", "search", [[("name", "=", name)]])
        odoo.execute_kw("res.partner", "write", [[partner], {"state_id": state}])


def in_country(odoo: odoorpc.ODOO, name: str, code: str, country_name: str) -> None:
    """The named contact's address moved to another country (res.country as base's data has it)."""
    found = odoo.execute_kw("res.country", "search", [[("code", "=", code)]])
    country = found[0] if found else odoo.execute_kw("res.country", "create", [{"name": country_name, "code": code}])
    [partner] = odoo.execute_kw("res.partner", "search", [[("name", "=", name)]])
    odoo.execute_kw("res.partner", "write", [[partner], {"country_id": country}])


def states(doc: Document) -> dict[str, str | None]:
    return {p.role: p.address.state if p.address else None for p in doc.parties}


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_the_856_and_810_say_each_addresss_state_in_n402(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """Odoo's state_id was not read: BigBox's DC went out N4*Bentonville**72712*US and our warehouse
    N4*Dayton**45402*US, no N402, which US retailers require. Now the state's code is in N402."""
    located(odoo, {"BigBox DC 1": ("US", "AR", "Arkansas"), "BigBox Retail": ("US", "AR", "Arkansas"),
                   "Acme Distribution": ("US", "OH", "Ohio")})
    order_id = odd.ordered(examples, client, "bigbox", "PO-STATES", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 24)])
    deliver(odoo, order_id, packages=["006141410000123452"])
    _, data, back = await scheduled(examples, client, journal, tmp_path, "bigbox", "856")
    assert segments(data, "N4*") == ["N4*Bentonville*AR*72712*US", "N4*Bentonville*AR**US", "N4*Dayton*OH*45402*US"]
    assert states(back) == {"ship_to": "AR", "buyer": "AR", "ship_from": "OH"}
    odd.invoiced(odoo, order_id)
    _, data, back = await scheduled(examples, client, journal, tmp_path, "bigbox", "810")
    assert "N4*Dayton*OH*45402*US" in segments(data, "N4*") and "N4*Bentonville*AR*72712*US" in segments(data, "N4*")
    assert states(back)["seller"] == "OH" and states(back)["ship_to"] == "AR"


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_a_desadv_gives_the_state_in_nad_3229(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """EuroHandel's warehouse in Köln is in Nordrhein-Westfalen: NAD's country sub-entity (3229) says NW."""
    located(odoo, {"EuroHandel Lager Köln": ("DE", "NW", "Nordrhein-Westfalen")})
    order_id = odd.ordered(examples, client, "eurohandel", "EH-STATE", EUROHANDEL_DC,
                           [odd.line("1", {"gtin": "00614141000012"}, 10)])
    deliver(odoo, order_id, packages=["006141410000123452"])
    _, data, back = await scheduled(examples, client, journal, tmp_path, "eurohandel", "DESADV")
    [nad] = segments(data, "NAD+DP", "'")
    assert nad.endswith("+Köln+NW+50667+DE"), nad
    assert states(back)["ship_to"] == "NW"


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
async def test_a_state_code_n402_cannot_hold_is_left_out_not_held(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """Odoo codes Mexico's states by ISO 3166-2 ('AGU' Aguascalientes): in N402 (ID 2/2) it would make the 856
    of a warehouse there fail BigBox's check and be held, for a value that is right in Odoo. It goes out without
    N402 (004010's N4 has no other place for it); the US ship-to keeps its state."""
    in_country(odoo, "Acme Distribution", "MX", "Mexico")
    located(odoo, {"Acme Distribution": ("MX", "AGU", "Aguascalientes"), "BigBox DC 1": ("US", "AR", "Arkansas")})
    order_id = odd.ordered(examples, client, "bigbox", "PO-MEXICO", odd.BIGBOX_DC, [odd.line("1", {"buyer": "BB-1001"}, 6)])
    deliver(odoo, order_id, packages=["006141410000123452"])
    _, data, back = await scheduled(examples, client, journal, tmp_path, "bigbox", "856")
    assert "N4*Dayton**45402*MX" in segments(data, "N4*") and "N4*Bentonville*AR*72712*US" in segments(data, "N4*")
    assert states(back)["ship_to"] == "AR" and states(back)["ship_from"] is None


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_a_005010_partner_gets_such_a_code_in_n407(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """005010 gave N4 a place for a subdivision code of another country (N407, ID 1/3, only without N402):
    Northwind's 856 and 810 say our Mexican warehouse is in AGU there, and read it back."""
    in_country(odoo, "Acme Distribution", "MX", "Mexico")
    located(odoo, {"Acme Distribution": ("MX", "AGU", "Aguascalientes"),
                   "Northwind Store 0042": ("US", "WA", "Washington")})
    order_id = odd.ordered(examples, client, "northwind", "NW-MEXICO", Party(role="ship_to", ids={"store": "0042"}),
                           [odd.line("1", {"buyer": "NW-A1"}, 6)])
    deliver(odoo, order_id)
    odd.invoiced(odoo, order_id)
    for doc_type, ours in (("856", "ship_from"), ("810", "seller")):
        _, data, back = await scheduled(examples, client, journal, tmp_path, "northwind", doc_type)
        assert "N4*Dayton**45402*MX***AGU" in segments(data, "N4*"), doc_type
        assert "N4*Seattle*WA*98101*US" in segments(data, "N4*"), doc_type
        assert states(back)[ours] == "AGU" and states(back)["ship_to"] == "WA", doc_type


@pytest.mark.parametrize("profile", ["x12-005010-850", "x12-005010-860", "x12-004010-850"])
def test_purchase_orders_write_and_read_the_subdivision_where_their_version_has_a_place(
        journal: Any, examples: LoadedConfig, profile: str) -> None:  # noqa: F811
    """The 850/860 base profiles (both directions): 005010 writes and reads a Mexican store's AGU in N407 (a
    partner's 850 to a store in Mexico names it there), 004010 leaves it out; a US state is N402 in both."""
    doc_type = profile.split("-")[-1]
    partner = PartnerConfig.model_validate({"id": "x12-buyer", "x12": examples.partners["northwind"].x12.model_dump(),
                                            "documents": [{"type": doc_type, "direction": d, "profile": profile}
                                                          for d in ("in", "out")]})
    change = "change" if doc_type == "860" else None
    doc = PurchaseOrder(number="PO-MX", purpose="change" if change else "original", order_type="SA", date="2026-11-30",
                        parties=[Party(role="ship_to", name="Tienda 7", address=Address(
                                     city="Aguascalientes", state="AGU", postal_code="20000", country="MX")),
                                 Party(role="bill_to", name="HQ", address=Address(
                                     city="Memphis", state="TN", postal_code="38118", country="US"))],
                        lines=[Line(line_no="1", item_ids={"vendor": "WB-100"}, quantity=Decimal(1), unit="EA",
                                    change=change)])
    data = render(doc, partner, examples.profiles, journal, doc_type, our_ids=examples.gateway.our_ids).data
    mexican = "N4*Aguascalientes**20000*MX***AGU" if "005010" in profile else "N4*Aguascalientes**20000*MX"
    assert segments(data, "N4*") == [mexican, "N4*Memphis*TN*38118*US"]
    [back] = translate(parse(data).transactions[0], partner, examples.profiles)
    assert states(back) == {"ship_to": "AGU" if "005010" in profile else None, "bill_to": "TN"}
