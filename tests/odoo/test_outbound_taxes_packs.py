"""Odoo's invoice taxes and partly packed deliveries on the outbound path: extracted from the sandbox over real
HTTP, rendered with the example partners' profiles, validated as the partner will and read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig, load
from gateway.odoo.client import OdooClient
from gateway.odoo.extraction import extract_ship_notices
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Party, ShipNotice
from tests.odoo import test_outbound_odd_odoo as odd

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"


@pytest.fixture(scope="module")
def examples() -> LoadedConfig:
    return load(EXAMPLES / "gateway.yaml")


def hierarchy(data: bytes) -> tuple[str, list[tuple[str, str]]]:
    """BSN05 and each HL's level with its parent's level, as the partner's translator walks them."""
    segments = [s.split("*") for s in data.decode().replace("\n", "").split("~") if s]
    levels = {s[1]: s[3] for s in segments if s[0] == "HL"}
    [bsn] = [s for s in segments if s[0] == "BSN"]
    return bsn[5], [(s[3], levels.get(s[2], "")) for s in segments if s[0] == "HL"]


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
def test_a_partly_packed_delivery_puts_its_loose_lines_in_a_pack_of_their_own(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """BigBox's 856 is pick and pack (BSN05 0001: shipment/order/pack/item). A delivery whose warehouse packed
    one line and not the other wrote the unpacked line as HL I directly under the order, beside the pack, which a
    VICS reader takes for an item of no carton. Now it is a pack level of its own; that pack has no SSCC (MAN*GM):
    no carton was labelled for it, and one of our numbers would match no label at BigBox's dock."""
    order_id = odd.ordered(examples, client, "bigbox", "PO-MIXED", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 24), odd.line("2", {"buyer": "BB-1002"}, 6)])
    odd.pack_and_ship(odoo, order_id, ["006141410000123452", None])
    [asn] = extract_ship_notices(client, examples.partners["bigbox"], journal)
    assert asn.structure == "SOPI" and asn.package_count == 1
    data, back = odd.rendered_and_read_back(examples, journal, "bigbox", asn, "856")
    structure, levels = hierarchy(data)
    assert structure == "0001"
    assert levels == [("S", ""), ("O", "S"), ("P", "O"), ("I", "P"), ("P", "O"), ("I", "P")]
    assert [s for s in data.decode().replace("\n", "").split("~") if s.startswith("MAN*")] == [
        "MAN*GM*006141410000123452"]
    assert "TD1*CTN25*1~" in data.decode()            # one carton counted: the warehouse's
    assert isinstance(back, ShipNotice)
    assert [[(i.line_no, i.quantity) for i in p.items] for p in back.orders[0].packs] == [[("1", 24)], [("2", 6)]]
    assert back.orders[0].items == []


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
def test_an_unpacked_delivery_is_a_shipment_order_item_856(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """Northwind takes shipment/order/item 856s (BSN05 0004), and a delivery nobody packed is one: it went out
    as 0001 (pick and pack) with no pack level at all. Now its BSN05 says the hierarchy it has."""
    order_id = odd.ordered(examples, client, "northwind", "NW-LOOSE", Party(role="ship_to", ids={"store": "0042"}),
                           [odd.line("1", {"buyer": "NW-A1"}, 10), odd.line("2", {"buyer": "NW-A2"}, 4)])
    odd.pack_and_ship(odoo, order_id, [])
    [asn] = extract_ship_notices(client, examples.partners["northwind"], journal)
    assert asn.structure == "SOI"
    data, back = odd.rendered_and_read_back(examples, journal, "northwind", asn, "856")
    assert hierarchy(data) == ("0004", [("S", ""), ("O", "S"), ("I", "O"), ("I", "O")])
    assert isinstance(back, ShipNotice) and back.structure == "SOI"
    assert sorted((i.item_ids["buyer"], i.quantity) for i in back.all_items()) == [("NW-A1", 10), ("NW-A2", 4)]
