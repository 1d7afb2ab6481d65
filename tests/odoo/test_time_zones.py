"""Days and times exchanged with partners are in the Odoo user's time zone, not Odoo's stored UTC: an evening
shipment in New York is announced with that day's date (an ASN dated tomorrow earns retailers' chargebacks),
and so are an evening order and an evening arrival in the 846; a PO's requested delivery at 08:00 shows as
08:00 in Odoo. Sandbox over HTTP, odoorpc as the user."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

import odoorpc
import pytest
from lxml import etree

from gateway.config.models import OurIds, PartnerConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.common import local_day
from gateway.odoo.extract.inventory import extract_inventory
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.extract.versions import content_digest
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import render
from gateway.translate.canonical import DateValue, from_json
from tests.helpers.profiles import base_profiles
from tests.odoo.conftest import bigbox, northwind, order
from tests.odoo.test_extraction import deliver
from tests.odoo.test_extraction_incoming import by_code, purchase
from tests.translate.conftest import GOLDEN


def set_time_zone(odoo: odoorpc.ODOO, name: str) -> None:
    odoo.execute_kw("res.users", "write", [[odoo.env.uid], {"tz": name}])


def test_local_day() -> None:
    ny = ZoneInfo("America/New_York")
    assert local_day("2026-12-05 02:30:00", ny) == "2026-12-04"        # 21:30 the evening before
    assert local_day("2026-12-05 15:00:00", ny) == "2026-12-05"
    assert local_day("2026-12-05 20:00:00", ZoneInfo("Australia/Sydney")) == "2026-12-06"
    assert local_day("2026-12-05 02:30", UTC) == "2026-12-05"
    assert local_day("2026-12-05", ny) == "2026-12-05"                 # a date field is a day already
    assert local_day(False, ny) is None and local_day("", ny) is None


def test_an_evening_shipment_in_new_york_is_announced_on_its_own_day(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    set_time_zone(odoo, "America/New_York")
    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    picking = deliver(odoo, link.record_id)
    # validated at 21:40 in New York on 4 December, which Odoo stores as 02:40 UTC on the 5th
    odoo.execute_kw("stock.picking", "write", [[picking], {"date_done": "2026-12-05 02:40:00"}])
    odoo.execute_kw("sale.order", "write", [[link.record_id], {"date_order": "2026-12-02 23:15:00"}])
    [asn] = extract_ship_notices(client, bigbox(), journal)
    assert asn.ship_date == "2026-12-04" and asn.date == "2026-12-04"
    assert asn.orders[0].po_date == "2026-12-02"                       # 18:15 in New York
    # cXML dates are timestamps with their offset: that day's start in New York (a bare day, or midnight UTC, is
    # the day before to a buyer on the west coast)
    cxml = PartnerConfig.model_validate({"id": "cxml-buyer", "xml": {"ids": ["AN01"]}, "documents": [
        {"type": "ShipNoticeRequest", "direction": "out", "profile": "cxml-shipnoticerequest"}]})
    data = render(asn, cxml, base_profiles(), journal, "ShipNoticeRequest",
                  our_ids=OurIds.model_validate({"xml": "0614141000005"})).data
    request = etree.fromstring(data).find("Request/ShipNoticeRequest")
    assert request is not None
    header = request.find("ShipNoticeHeader")
    assert header is not None and header.get("noticeDate") == header.get("shipmentDate") == "2026-12-04T00:00:00-05:00"
    assert request.find("ShipNoticePortion/OrderReference").get("orderDate") == "2026-12-02T00:00:00-05:00"  # type: ignore[union-attr]


@pytest.mark.parametrize("zone, day", [("UTC", "2026-12-11"), ("America/Los_Angeles", "2026-12-10")])
def test_846_arrivals_and_report_day_follow_the_users_time_zone(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, zone: str, day: str) -> None:
    set_time_zone(odoo, zone)
    purchase(odoo, sandbox.version, [("SP-500", 120, "Units", "2026-12-11 05:00:00")])   # 21:00 on the 10th in LA
    [doc] = extract_inventory(client, northwind(), journal, slot="2026-12-04 03:00")
    assert by_code(doc)["SP-500"][2:] == [("on_order", 120, "EA", day)]
    assert doc.date == ("2026-12-04" if zone == "UTC" else "2026-12-03")


def test_an_unknown_time_zone_falls_back_to_utc(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                               journal: Any) -> None:
    # Odoo's list of zones (pytz) and this machine's (zoneinfo) can differ: a name we do not know is UTC
    set_time_zone(odoo, "Mars/Olympus_Mons")
    purchase(odoo, sandbox.version, [("SP-500", 5, "Units", "2026-12-11 05:00:00")])
    [doc] = extract_inventory(client, northwind(), journal, slot="2026-12-04 03:00")
    assert by_code(doc)["SP-500"][2:] == [("on_order", 5, "EA", "2026-12-11")]


@pytest.mark.parametrize("time, stored", [("08:00", "2026-12-20 13:00:00"), (None, "2026-12-20 17:00:00")])
def test_a_requested_delivery_is_stored_as_the_partners_local_time(
        client: OdooClient, odoo: odoorpc.ODOO, time: str | None, stored: str) -> None:
    set_time_zone(odoo, "America/New_York")
    doc = order(dates=[DateValue(qualifier="requested_delivery", date="2026-12-20", time=time)])
    [created] = post(client, doc, bigbox(), Cache())
    [row] = odoo.execute_kw("sale.order", "read", [[created.record_id], ["commitment_date"]])
    assert row["commitment_date"] == stored          # what Odoo shows a New York user as 08:00 (or noon)


def los_angeles_warehouse(odoo: odoorpc.ODOO) -> int:
    """The (only) warehouse gets an address in Los Angeles; the API user stays in New York."""
    set_time_zone(odoo, "America/New_York")
    address = odoo.execute_kw("res.partner", "create", [{"name": "West DC", "tz": "America/Los_Angeles"}])
    [warehouse] = odoo.execute_kw("stock.warehouse", "search", [[]])
    odoo.execute_kw("stock.warehouse", "write", [[warehouse], {"partner_id": address}])
    return int(warehouse)


@pytest.mark.parametrize("day_zone, day", [("user", "2026-12-05"), ("warehouse", "2026-12-04")])
def test_with_day_zone_warehouse_a_shipment_is_dated_by_its_warehouses_clock(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, day_zone: str, day: str) -> None:
    los_angeles_warehouse(odoo)
    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    picking = deliver(odoo, link.record_id)
    # validated at 21:30 on 4 December in Los Angeles: 00:30 on the 5th in New York, 05:30 UTC
    odoo.execute_kw("stock.picking", "write", [[picking], {"date_done": "2026-12-05 05:30:00"}])
    [asn] = extract_ship_notices(client, bigbox(day_zone=day_zone), journal)
    assert asn.ship_date == day


@pytest.mark.parametrize("day_zone, stored", [("user", "2026-12-20 17:00:00"), ("warehouse", "2026-12-20 20:00:00")])
def test_with_day_zone_warehouse_a_requested_date_is_noon_at_the_warehouse(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, day_zone: str, stored: str) -> None:
    los_angeles_warehouse(odoo)
    [code] = [w["code"] for w in odoo.execute_kw("stock.warehouse", "search_read", [[]], {"fields": ["code"]})]
    doc = order(dates=[DateValue(qualifier="requested_delivery", date="2026-12-20")])
    [link] = post(client, doc, bigbox(day_zone=day_zone, warehouse=code), Cache())
    [so] = odoo.execute_kw("sale.order", "read", [[link.record_id], ["commitment_date"]])
    assert so["commitment_date"] == stored


@pytest.mark.parametrize("day_zone, day", [("user", "2026-12-11"), ("warehouse", "2026-12-10")])
def test_with_day_zone_warehouse_846_arrivals_follow_the_warehouse(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, day_zone: str, day: str) -> None:
    los_angeles_warehouse(odoo)
    purchase(odoo, sandbox.version, [("SP-500", 120, "Units", "2026-12-11 05:00:00")])   # 21:00 on the 10th in LA
    [doc] = extract_inventory(client, northwind(day_zone=day_zone), journal, slot="2026-12-04 03:00")
    assert by_code(doc)["SP-500"][2:] == [("on_order", 120, "EA", day)]


def test_the_day_zone_a_document_keeps_is_not_part_of_its_content_digest() -> None:
    """A document's day zone and its cXML order's payloadID came after the digests the journal holds: a shipment
    announced before, whose transfer Odoo writes again (printed), is the same document, not a new one to send."""
    asn = from_json((GOLDEN / "bigbox" / "856_ship_notice.json").read_bytes())
    zoned = asn.model_copy(update={"source": asn.source.model_copy(update={"day_zone": "America/New_York",
                                                                           "order_payload_id": "1@bigbox"})})
    assert content_digest(zoned) == content_digest(asn)
