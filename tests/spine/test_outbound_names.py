"""Names of the files we send, from the partner's own patterns (`filenames:` in its partner file)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from gateway.config.loader import lint
from gateway.formats.base import Syntax
from gateway.outbound.rendered import RenderedDocument
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_pipeline import Make, make  # noqa: F401  (fixture)

ACME = {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}]},
        "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}],
        "filenames": {"997": "FA_{partner}_{date:%Y%m%d}_{control}.txt", "*": "{type}-{number}-{control}.dat"}}


def test_the_997_of_a_real_order_gets_the_partners_name(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    with GatewayProcess(ws.config):
        before = datetime.now(UTC).strftime("%Y%m%d")      # the day it is queued: this one or the next (midnight)
        ws.drop("po.x12", purchase_order(601))
        wait_for(lambda: [m for m in ws.messages(direction="out") if m["state"] in ("sent", "done")],
                 message="the 997 delivered")
    [ack] = ws.messages(direction="out")
    days = "|".join({before, datetime.now(UTC).strftime("%Y%m%d")})
    assert re.fullmatch(rf"FA_acme_({days})_\d{{9}}\.txt", ack["filename"]), ack["filename"]
    assert ack["filename"].endswith(f"_{ack['control_number']}.txt")
    assert (ws.root / "outbox" / "acme" / ack["filename"]).is_file()


def test_csv_and_xml_files_are_numbered_by_a_counter_and_numbers_are_made_safe(make: Make) -> None:  # noqa: F811
    pipeline = make()
    acme = pipeline.config.partners["acme"].model_copy(update={"filenames": ACME["filenames"]})
    names = []
    for i in range(2):
        doc = RenderedDocument(doc_type="ship-confirm", syntax=Syntax.CSV, filename="acme_ship-confirm_X.csv",
                               data=f"order,tracking\nPO/2026/7,1Z{i}\n".encode(), number="PO/2026/7")
        names.append(pipeline.queue_outbound(acme, doc, key=f"test:csv:{i}").filename)
    assert names == ["ship-confirm-PO_2026_7-000000001.dat", "ship-confirm-PO_2026_7-000000002.dat"]
    plain = pipeline.config.partners["euro"]                        # no patterns: the gateway's own names
    doc = RenderedDocument(doc_type="DESADV", syntax=Syntax.EDIFACT, filename="euro_DESADV_7.edi", data=b"UNB",
                           control_number="7", number="ASN-1")
    assert pipeline.queue_outbound(plain, doc, key="test:edi").filename == "euro_DESADV_7.edi"


def test_a_pattern_that_could_give_two_files_one_name_is_refused_where_it_is_written(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": {**ACME, "filenames": {"856": "ASN_{number}.txt",
                                                                              "810": "INV_{nummer}_{control}"}}})
    errors = {e.line: str(e) for e in lint(ws.config, environ={})}
    partner_file = str(ws.root / "partners" / "acme.yaml")
    assert all(e.startswith(partner_file) for e in errors.values())
    texts = " | ".join(errors.values())
    assert "filenames.856" in texts and "needs {control}" in texts and "overwrite the first" in texts
    assert "filenames.810" in texts and "unknown field {nummer}" in texts
