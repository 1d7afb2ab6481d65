"""A cXML ShipNoticeRequest's ShipControl as Fulfill.dtd requires it: its CarrierIdentifier needs at least one
ShipmentIdentifier beside it. A freight shipment (an 856 from a less-than-truckload carrier) often has a bill
of lading and no parcel tracking number; the bill of lading is what the buyer tracks it by, so it is written
there. With neither (a carrier's own truck, an LTL load before its PRO number is known), the ship notice's own
number is: it names this shipment to the buyer and to us, and leaving ShipControl out would drop the carrier
the buyer's dock plans the delivery by. The ship notice profile names `before_write` as its hook."""

from __future__ import annotations

from typing import Any

from gateway.translate.cxml_dates import zoned_days


def before_write(data: dict[str, Any]) -> dict[str, Any]:
    """The shipment's identifier: its tracking number, else its bill of lading, else the ship notice number,
    when a carrier is named; its days in their zone."""
    if not data.get("tracking_number") and (data.get("carrier_scac") or data.get("carrier_name")):
        data["tracking_number"] = data.get("bill_of_lading") or data.get("number")
    return zoned_days(data, ("date", "ship_date", "delivery_date"), (("orders", "po_date"),))
