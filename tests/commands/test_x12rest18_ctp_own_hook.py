"""A partner whose 850 profile has an after_read hook of its own (one that knows nothing of CTP) still gets its
orders: the lines' CTP are made into the order's `line_prices` by the reading itself, before any hook, so a PO
stating a retail price is neither refused ('lines.0._stated_prices: extra inputs are not permitted') nor loses it.
Through `edi-gateway translate` on an `init` workspace."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.gateway import cli

HOOK = '''from typing import Any


def after(doc: dict[str, Any], tx: Any) -> dict[str, Any]:
    doc.setdefault("notes", []).append("read by acme")
    return doc
'''


def test_an_own_after_read_hook_keeps_the_retail_prices(ws: Path) -> None:
    (ws / "translations" / "acmehook.py").write_text(HOOK)
    (ws / "translations" / "acme-850.yaml").write_text(
        "extends: x12-004010-850\ndefaults:\n  currency: USD\nhooks:\n  after_read: \"acmehook:after\"\n")
    text = (ws / "samples" / "bigbox" / "850_4500001234.edi").read_text()
    at = text.index("PID*F", text.index("PO1*1*"))
    text = text[:at] + "CTP**RES*19.99~\n" + text[at:]
    text = text.replace("SE*25*0001", "SE*26*0001")
    sample = ws / "ctp.edi"
    sample.write_text(text)
    done = cli("translate", str(sample), "--profile", "acme-850", "--json", config=ws / "gateway.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    [doc] = [json.loads(done.stdout)] if done.stdout.lstrip().startswith("{") else json.loads(done.stdout)
    assert doc["notes"] == ["read by acme"]
    assert doc["line_prices"] == [{"line_no": "1", "line_index": 1, "kind": "retail", "price": "19.99"}]
    assert doc["lines"][0]["unit_price"] == "12.50"
