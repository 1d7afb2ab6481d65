"""Review of f1235c0 (an 856 item in cases read in units by its PO4): the item's PO4s were taken out by the base
856's after_read hook, so a partner 856 profile with an after_read hook of its own (one that knows nothing of PO4)
had every notice carrying a PO4 refused ('..._case_packs: extra inputs are not permitted'): Walmart-style notices
carry one on every item. The reading itself now sizes the cases, before any hook, as it makes the 850's CTP into
line_prices. Through `edi-gateway translate` on an `init` workspace."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.gateway import cli
from tests.odoo.test_vendor_receipts_pipeline import asn

HOOK = '''from typing import Any


def after(doc: dict[str, Any], tx: Any) -> dict[str, Any]:
    doc.setdefault("notes", []).append("read by widgetworks")
    return doc
'''


def test_an_own_after_read_hook_gets_the_cases_in_units(ws: Path) -> None:
    (ws / "translations" / "wwhook.py").write_text(HOOK)
    (ws / "translations" / "ww-856.yaml").write_text(
        "extends: x12-004010-856\nhooks:\n  after_read: \"wwhook:after\"\n")
    sample = ws / "asn.edi"
    sample.write_bytes(asn(1801, "00", "ASN-1801", "P00001", [], items=[
        "HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**5*CA", "PO4*12", "HL*5*3*I", "LIN*2*VN*WW-WR-200", "SN1**24*EA",
        "PO4*1*24*EA"]))
    done = cli("translate", str(sample), "--profile", "ww-856", "--json", config=ws / "gateway.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    [doc] = [json.loads(done.stdout)] if done.stdout.lstrip().startswith("{") else json.loads(done.stdout)
    assert doc["notes"] == ["read by widgetworks"]
    [pack] = doc["orders"][0]["packs"]
    assert [(i["quantity"], i["unit"]) for i in pack["items"]] == [("60", "EA"), ("24", "EA")]
