"""The running daemon refuses hostile XML with a clear reason and goes on with the next file."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.security.test_xml_attacks import BILLION_LAUGHS, xxe

GOOD_ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
       xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
       xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>PO-1</cbc:ID><cbc:IssueDate>2026-11-29</cbc:IssueDate>
  <cac:BuyerCustomerParty><cac:Party><cbc:EndpointID schemeID="GLN">5790000000005</cbc:EndpointID>
  </cac:Party></cac:BuyerCustomerParty>
</Order>"""

BUYER = {"name": "UBL buyer", "xml": {"ids": ["5790000000005"], "max_bytes": 200_000}}


def test_hostile_xml_is_quarantined_with_its_reason_and_the_daemon_goes_on(tmp_path: Path) -> None:
    # Given a running gateway whose inbox belongs to a partner that sends XML
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    ws = Workspace.create(tmp_path / "gw", {"inbox": [{"path": "inbox", "processed": "inbox/processed",
                                                        "min_age": 0.3, "partner": "buyer"}]},
                          partners={"buyer": BUYER})
    with GatewayProcess(ws.config) as gw:
        # When an XXE payload, a billion-laughs bomb and an oversized document arrive, then a good order
        ws.drop("1-xxe.xml", xxe(secret.as_uri()))
        ws.drop("2-lol.xml", BILLION_LAUGHS)
        ws.drop("3-big.xml", b"<a>" + b"<b>x</b>" * 40_000 + b"</a>")
        wait_for(lambda: ws.count(state="quarantined") == 3, message="three hostile files quarantined")
        ws.drop("4-good.xml", GOOD_ORDER)
        good = wait_for(lambda: [m for m in ws.messages(filename="4-good.xml")
                                 if m["state"] not in ("received", "retry_wait")], message="good order parsed")
        # Then the daemon is still running and read the good one
        assert gw.proc is not None and gw.proc.poll() is None
    rows = {m["filename"]: m for m in ws.messages(direction="in")}
    assert "declares entities" in rows["1-xxe.xml"]["last_error"]
    assert "billion-laughs" in rows["2-lol.xml"]["last_error"]
    assert "over the 200,000-byte limit" in rows["3-big.xml"]["last_error"]
    assert all("TOP-SECRET" not in (m["last_error"] or "") for m in rows.values())
    states = [e["to_state"] for e in ws.events(good[0]["id"])]
    assert "parsed" in states, states
    assert rows["4-good.xml"]["doc_type"] == "Order"
    # and each refused file sits in quarantine with a reason a coordinator can read
    for name in ("1-xxe.xml", "2-lol.xml", "3-big.xml"):
        [copy] = (ws.root / "quarantine" / "buyer").glob(f"*_{name}")
        assert "refused" in Path(f"{copy}.reason.txt").read_text()
