"""A PO change of the header alone (an X12 860 BCH01 04 without POC lines, an EDIFACT ORDCHG BGM 4 without LIN):
a new requested date, ship-to, reference or charge. It is a valid change (canonical), merged into the quotation
as a line change's header is (ship-to, requested date, the note's references, the charge lines), held for a
confirmed order, and applied once whatever is retried or replayed. Over real HTTP against the sandbox (17, 19),
checked with odoorpc; the pipeline tests run BigBox's sample 860 and EuroHandel's ORDCHG without their lines."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooRejected, OdooUnavailable
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.pipeline import replay
from gateway.translate.canonical import PurchaseOrder
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import bigbox
from tests.odoo.test_change_charges import PARTNER, charge_rows, order_note, with_charges, x12_change
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import EH_SAMPLE, pipeline_orders, sale_orders, submit
from tests.odoo.test_posting_charges import FREIGHT, sac, services, x12_order
from tests.odoo.test_posting_line_changes import CHANGE_860, ORDCHG

__all__ = ["examples", "services"]      # fixtures, re-exported

in_sandboxes = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

DC2 = "0860001000047"
HEADER = ["REF*DP*077", sac("C", "D240", amount="7500", description="FREIGHT"), "DTM*002*20261224",
          f"N1*ST*BIGBOX DC 2*UL*{DC2}"]


def dc2(odoo: odoorpc.ODOO) -> int:
    """A second BigBox distribution centre, the ship-to the change moves the order to."""
    [bigbox_id] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    return int(odoo.execute_kw("res.partner", "create", [{"name": "BigBox DC 2", "parent_id": bigbox_id,
                                                          "type": "delivery", "barcode": DC2}]))


def header(odoo: odoorpc.ODOO, ref: str) -> tuple[str, int, list[float]]:
    """(commitment date, delivery contact, goods line quantities) of the PO's sale order."""
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]],
                           {"fields": ["commitment_date", "partner_shipping_id", "order_line"]})
    rows = odoo.execute_kw("sale.order.line", "read", [so["order_line"]], {"fields": ["product_id", "product_uom_qty"]})
    return (str(so["commitment_date"] or "")[:10], so["partner_shipping_id"][0],
            [r["product_uom_qty"] for r in rows if "SVC-" not in r["product_id"][1]])


def test_an_860_without_poc_lines_is_a_change_of_the_header() -> None:
    """Read from X12 text: no lines, and valid (a replacement or an order without lines still is not)."""
    doc = x12_change("PO-H0", HEADER, pocs=[])
    assert (doc.purpose, doc.lines, doc.reference("department")) == ("change", [], "077")
    with pytest.raises(ValueError, match=r"order PO-H0 has no lines \(only a cancellation or a change may"):
        PurchaseOrder(number="PO-H0", purpose="replace")


@in_sandboxes
def test_a_header_only_860_moves_the_date_ship_to_and_freight_once(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    """The 850 ships to DC 1 with freight 50.00; its 860 without POC lines moves the requested date to Dec 24, the
    ship-to to DC 2 and freight to 75.00, in the merge's one write: its answer is lost, the retry and a replay
    find it, the order's lines untouched."""
    post(client, x12_order("PO-H1", [FREIGHT]), PARTNER, Cache())
    contact = dc2(odoo)
    _, before, quantities = header(odoo, "PO-H1")
    change = x12_change("PO-H1", HEADER, pocs=[])
    sandbox.faults.drop_after_create["sale.order.write"] = 1
    with pytest.raises(OdooUnavailable):
        post(client, change, PARTNER, Cache())
    assert [link.role for link in post(client, change, PARTNER, Cache())] == ["found"]
    assert post(client, change, PARTNER, Cache())[0].role == "found"
    assert header(odoo, "PO-H1") == ("2026-12-24", contact, quantities) and before != contact
    assert charge_rows(odoo, "PO-H1") == [("SVC-FREIGHT", "FREIGHT", 1.0, 75.0)]
    text = order_note(odoo, "PO-H1")
    assert text.count("EDI change PO-H1 (interchange 000000002 set 0001)") == 1
    assert ("EDI change PO-H1 (interchange 000000002 set 0001): no line changes; requested date 2026-12-24; "
            "ship-to BIGBOX DC 2</p>") in text
    assert "<p>department: 077</p>" in text
    assert "charge freight FREIGHT: 75.00 (order line SVC-FREIGHT, 50.00 -&gt; 75.00)" in text


@in_sandboxes
def test_a_header_only_change_is_held_for_a_confirmed_order_and_by_default(
        client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    [created] = post(client, x12_order("PO-H2", [FREIGHT]), PARTNER, Cache())
    dc2(odoo)
    change = x12_change("PO-H2", HEADER, pocs=[])
    with pytest.raises(OdooRejected, match=r"odoo.order_changes: revise"):
        post(client, change, bigbox(charge_products=PARTNER.odoo.charge_products), Cache())
    odoo.execute_kw("sale.order", "action_confirm", [[created.record_id]])
    with pytest.raises(OdooRejected, match=r"cannot be changed: sale order .* is confirmed"):
        post(client, change, PARTNER, Cache())
    assert header(odoo, "PO-H2")[0] != "2026-12-24"
    assert charge_rows(odoo, "PO-H2") == [("SVC-FREIGHT", "FREIGHT", 1.0, 50.0)]


# --------------------------------------------------------------------------- through the pipeline

@in_sandboxes
async def test_pipeline_bigbox_860_without_poc_lines_moves_the_requested_date(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """BigBox's sample 850, then its sample 860 with only its header (DTM*002 Dec 24, REF*DP): merged, answered
    by an 865 without POC lines (CTT*0); the file sent again and replayed changes nothing."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    quantities = header(odoo, "4500001234")[2]
    text = CHANGE_860.read_text()
    head, rest = text.split("POC*1*", 1)
    change = (head.replace("DTM*002*20261210", "DTM*002*20261224") + "CTT*0~\nSE*6*0001~\n"
              + rest.split("SE*11*0001~\n")[1]).encode()
    second = await submit(pipeline, change, "860_header.edi")
    done = run(pipeline, second.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    assert header(odoo, "4500001234")[0::2] == ("2026-12-24", quantities)
    note = order_note(odoo, "4500001234")
    assert "EDI change 4500001234 (interchange 000001210 set 0001): no line changes; requested date 2026-12-24" in note
    [answer] = [m for m in journal.children(second.id) if m.doc_type == "865"]
    sent = pipeline.archive.read(answer.sha256).decode()
    assert "BCA*00*AD*4500001234*" in sent and "POC*" not in sent and "CTT*0~" in sent
    dup = run(pipeline, (await submit(pipeline, change, "860_header.edi")).id, {State.DUPLICATE})
    replay(journal, dup.id)
    assert run(pipeline, dup.id, {State.DONE}).state is State.DONE
    assert [(link.record_id, link.role) for link in journal.odoo_links(dup.id)] == [(so["id"], "found")]
    assert order_note(odoo, "4500001234") == note


@in_sandboxes
async def test_pipeline_eurohandel_ordchg_without_lin_moves_the_date_and_freight(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        services: dict[str, int]) -> None:
    """EuroHandel's ORDERS with freight 25.00, then its ORDCHG with no LIN: DTM 2 Dec 18, freight 30.00; its ORDRSP
    answers the PO without lines."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    with_charges(pipeline.config, "eurohandel")
    orders = EH_SAMPLE.read_bytes().replace(b"LIN+1++", b"ALC+C++++FC'MOA+23:25.00'LIN+1++", 1)
    orders = orders.replace(b"UNT+34+1", b"UNT+36+1")
    head, rest = ORDCHG.read_bytes().split(b"LIN+1+3+", 1)
    change = (head.replace(b"DTM+2:202612051000:203'", b"DTM+2:202612181000:203'")
              + b"ALC+C++++FC'MOA+23:30.00'UNS+S'CNT+2:0'UNT+11+1'" + rest.split(b"UNT+19+1'")[1])
    for data, name in ((orders, EH_SAMPLE.name), (change, "ORDCHG_header.edi")):
        message = await pipeline.submit(data, IntakeMeta(channel="folder", filename=name))
        done = run(pipeline, message.id, {State.DONE})
        assert done.state is State.DONE, done.last_error
    [so] = sale_orders(odoo, "4500012345")
    assert header(odoo, "4500012345")[0] == "2026-12-18"
    assert charge_rows(odoo, "4500012345") == [("SVC-FREIGHT", "freight", 1.0, 30.0)]
    assert "EDI change 4500012345 (interchange EH000431 set 1): no line changes; requested date 2026-12-18" in \
        order_note(odoo, "4500012345")
    assert so["state"] in ("draft", "sent")
    # the ORDRSP answers the change for the PO, with no LIN of its own
    [answer] = [m for m in journal.children(message.id) if m.doc_type == "ORDRSP"]
    sent = pipeline.archive.read(answer.sha256).decode("latin-1")
    assert "RFF+ON:4500012345'" in sent and "LIN+" not in sent
