"""Outbound X12 segments in the order the standard gives them: a segment out of sequence is refused by strict
translators, and since render counts the reader's warnings such a document is held instead of sent."""

from __future__ import annotations

from pathlib import Path

from gateway.formats import parse
from gateway.translate.canonical import DateValue, Reference, from_json
from tests.helpers.profiles import base_profiles
from tests.translate.conftest import GOLDEN
from tests.translate.helpers import render_x12_base


def test_an_846_with_dates_and_references_is_in_the_standards_order(tmp_path: Path) -> None:
    """The 846 heading has DTM before REF (X12 004010 and 005010: BIA, CUR, DTM, REF, PER); the base profile wrote
    REF first, so a feed with both was held ('segment DTM is out of sequence')."""
    doc = from_json((GOLDEN / "northwind" / "846_inventory.json").read_bytes())
    doc = doc.model_copy(update={"references": [Reference(qualifier="vendor_order", value="FEED-7")],
                                 "dates": [DateValue(qualifier="order", date="2026-12-04")]})
    data = render_x12_base(doc, "846", tmp_path, base_profiles())
    tags = [s.split("*")[0] for s in data.decode().replace("\n", "").split("~")]
    assert tags.index("BIA") < tags.index("DTM") < tags.index("REF") < tags.index("N1")
    assert [str(i) for i in parse(data).issues if i.severity.value != "info"] == []
