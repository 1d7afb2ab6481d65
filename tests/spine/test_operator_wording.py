"""The words an operator reads, as the operator walkthrough found them wanting: each test asserts the new text.

- "no company in Odoo with reference 'X' or GLN 0012345000009, 0012345000009": the GLN said twice;
- "the partner sends no CSV" for a file in the shared inbox, where no partner was identified;
- "odoo cannot reach Odoo at URL failed (...)" in the log while Odoo is down;
- "cannot write outbox/acme/x: File exists" when outbox/acme is a file: nothing said which, nor that it is in the way;
- `min_backoff` read as a floor, while each pause is a random half to all of it.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.config.models import OdooSettings, PartnerConfig
from gateway.errors import OdooRejected, OdooUnavailable
from gateway.odoo.client import connect
from gateway.odoo.lookup import Cache, commercial_partner
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Line, Party, PurchaseOrder, Source
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.spine.test_daemon import _queue_outbound

GLN = "0012345000009"


def test_a_gln_the_partner_file_and_the_order_both_give_is_named_once() -> None:
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    client = connect(OdooSettings(url=server.url, database="demo", username="admin", password="admin", timeout=5.0),
                     retry_base=0.01)
    try:
        partner = PartnerConfig(id="acme", odoo={"partner_ref": "NOSUCHREF", "gln": GLN})
        order = PurchaseOrder(number="PO-1", parties=[Party(role="buyer", ids={"gln": GLN})], lines=[
            Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(1))],
            source=Source(standard_type="850", message_id="01TESTMESSAGE"))
        with pytest.raises(OdooRejected) as caught:
            commercial_partner(client, partner, order, Cache())
    finally:
        client.close()
        server.stop()
    assert str(caught.value) == f"partner acme: no company in Odoo with reference 'NOSUCHREF' or GLN {GLN}"


def test_a_retry_of_odoo_says_what_failed_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "gateway.odoo")
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(OdooUnavailable):
        connect(OdooSettings(url=url, database="demo", username="admin", password="admin", timeout=2.0, retry_max=1),
                retry_base=0.01)
    [line] = [r.getMessage() for r in caplog.records if "retry 1 in" in r.getMessage()]
    assert line.startswith(f"cannot reach Odoo at {url}: ") and "failed" not in line and "odoo cannot" not in line


def test_not_edi_in_the_shared_inbox_names_no_partner_and_a_file_in_the_outbox_is_named(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", partners={"acme": {"name": "ACME"}})
    (ws.root / "outbox").mkdir()
    (ws.root / "outbox" / "acme").write_text("a file where the partner's folder should be")
    with GatewayProcess(ws.config):
        ws.drop("notes.txt", b"hello, this is not EDI\n")
        [bad] = wait_for(lambda: ws.messages(state="quarantined"), message="quarantined")
        out = _queue_outbound(ws, "acme", "acme_856_1.x12", b"ISA*...~")
        wait_for(lambda: ws.messages(id=out)[0]["state"] == "dead", timeout=60, message="dead after its attempts")
    assert bad["last_error"] == ("parse: not an X12, EDIFACT or XML document, nor CSV from a partner with `csv:` "
                                 "settings (file starts with b'hello, this is n')")
    folder = ws.root / "outbox" / "acme"
    assert ws.messages(id=out)[0]["last_error"].endswith(
        f"({folder} is a file, where the partner's outbound folder {folder} should be: move it away)")


def test_the_example_configuration_says_min_backoff_is_not_a_floor(tmp_path: Path) -> None:
    assert cli("init", str(tmp_path / "ws")).returncode == 0
    text = (tmp_path / "ws" / "gateway.yaml").read_text()
    assert ("  min_backoff: 5.0               # seconds before the first retry, doubling per attempt up to max_backoff; "
            "each\n                                 # pause is a random half to all of that (2.5-5 s first), so not a "
            "floor\n") in text
