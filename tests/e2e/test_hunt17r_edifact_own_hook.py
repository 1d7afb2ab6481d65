"""A partner ORDERS profile with an after_read hook of its own that does not call the base one (lint warns it loses
the store allocations, nothing more) still reads its orders, priced at the net PRI.

762f6a3 read every PRI of a line into a list `_prices` and left the choice of the net one to the base profile's
hook: with a partner hook in its place that list reached the canonical model, and every ORDERS of that partner was
refused ('lines.0._prices: extra inputs are not permitted') where it had been read before. Through `edi-gateway
translate`, with the retailer sample of tests/e2e/test_hunt17_edifact_retailer.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.gateway import Workspace, cli

SAMPLE = Path(__file__).parent / "samples" / "hunt17_suedmarkt_orders.edi"
HOOK = "def after_read(data, tx=None):\n    data.setdefault('notes', []).append('read by our hook')\n    return data\n"


def test_an_order_read_by_a_partner_hook_of_its_own_keeps_its_net_prices(tmp_path: Path) -> None:
    partner = {"name": "Südmarkt", "odoo": {"partner_ref": "SUEDMARKT"},
               "edifact": {"ids": [{"qualifier": "14", "id": "4300001000006"}], "syntax": "UNOC", "version": "D01B"},
               "inbound": [{"channel": "folder"}],
               "documents": [{"type": "ORDERS", "direction": "in", "profile": "suedmarkt-orders"}]}
    ws = Workspace.create(tmp_path / "gw", {"our_ids": {"edifact": {"qualifier": "14", "id": "0614141000005"}}},
                          partners={"suedmarkt": partner})
    translations = tmp_path / "gw" / "translations"
    (translations / "suedmarkt-orders.yaml").write_text(
        "profile: suedmarkt-orders\nextends: edifact-d01b-orders\nhooks:\n  after_read: \"suedmarkt_hooks:after_read\"\n")
    (translations / "suedmarkt_hooks.py").write_text(HOOK)
    done = cli("translate", str(SAMPLE), "--json", config=ws.config)
    assert done.returncode == 0, done.stdout + done.stderr
    order = json.loads(done.stdout)
    assert "read by our hook" in order["notes"], order["notes"]
    assert [(line["unit_price"], line["price_basis"]) for line in order["lines"]] == [("12.5", "AAA"),
                                                                                      ("8.75", "AAA")]
