"""A PO change's lines' own allowances and charges (X12 POC-loop SAC, EDIFACT ALC in the LIN group) applied as an
850's line's are, and the charge lines of a line the change deletes removed with it, over real HTTP against the
sandbox (17, 19), checked with odoorpc: a changed line's allowances give its discount (of the line as the change
leaves it), its charges update, add or, at zero, remove the charge lines the gateway named for it ("FREIGHT (line
2)"), what cannot be applied is named in the note; once, whatever is retried or replayed. The pipeline tests run
BigBox's sample 850/860 and EuroHandel's ORDERS/ORDCHG with line allowances and charges added."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooUnavailable
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.pipeline import replay
from gateway.transports.base import IntakeMeta
from tests.odoo.test_change_charges import PARTNER, charge_rows, order_note, with_charges, x12_change
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import EH_SAMPLE, submit
from tests.odoo.test_posting_charges import FREIGHT, sac, services, x12_order
from tests.odoo.test_posting_line_changes import CHANGE_860, ORDCHG

__all__ = ["examples", "services"]      # fixtures, re-exported

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

LINE_FREIGHT = sac("C", "D240", amount="500", description="FREIGHT")          # a line's own: 5.00
LINE_PROMO = sac("A", "C310", percent="10", description="LINE PROMO")          # 10 % off the line
DELETE_2 = "POC*2*DI*0**EA***BP*BB-1002"


def goods(odoo: odoorpc.ODOO, ref: str) -> list[tuple[str, float, float]]:
    """(product reference, quantity, discount) of the order's goods lines."""
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]], {"fields": ["order_line"]})
    rows: list[dict[str, Any]] = odoo.execute_kw("sale.order.line", "read", [so["order_line"]], {
        "fields": ["product_id", "product_uom_qty", "discount", "sequence"]})
    return [(r["product_id"][1].split("]")[0].strip("["), r["product_uom_qty"], r["discount"])
            for r in sorted(rows, key=lambda r: (r["sequence"], r["id"])) if "SVC-" not in r["product_id"][1]]


def test_a_deleted_lines_own_charge_line_goes_with_it_once(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    """The 850's line 2 carries its own freight (5.00, the line 'FREIGHT (line 2)'); the 860 deletes line 2: both
    go, the order's own freight stays. The write's answer is lost; the retry and a replay find it."""
    post(client, x12_order("PO-LC-1", [FREIGHT], line2=[LINE_FREIGHT]), PARTNER, Cache())
    assert charge_rows(odoo, "PO-LC-1") == [("SVC-FREIGHT", "FREIGHT", 1.0, 50.0),
                                            ("SVC-FREIGHT", "FREIGHT (line 2)", 1.0, 5.0)]
    change = x12_change("PO-LC-1", [], pocs=[DELETE_2])
    sandbox.faults.drop_after_create["sale.order.write"] = 1
    with pytest.raises(OdooUnavailable):
        post(client, change, PARTNER, Cache())
    assert [link.role for link in post(client, change, PARTNER, Cache())] == ["found"]
    assert post(client, change, PARTNER, Cache())[0].role == "found"
    assert charge_rows(odoo, "PO-LC-1") == [("SVC-FREIGHT", "FREIGHT", 1.0, 50.0)]
    assert [g[0] for g in goods(odoo, "PO-LC-1")] == ["WB-100"]
    assert "line 2: [WR-200] Red Widget removed, with its charge line FREIGHT (line 2) 5.00" in order_note(odoo,
                                                                                                      "PO-LC-1")


def test_a_changed_lines_own_allowances_and_charges_are_applied_once(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    """The 850's line 1 is 10 % off, line 2 has its own freight 5.00. The 860 raises line 1 to 30 at 15 % off with
    special handling (unmapped: noted) and restates line 2's freight at 7.00; the write's answer is lost, the retry
    and a replay find it. A later 860 sets line 2's freight to 0, gives line 1 freight of its own (added) and
    sends line 3 as unchanged (POC02 NC) with an allowance, which is named in the note, not applied."""
    post(client, x12_order("PO-LC-2", [], line1=[LINE_PROMO], line2=[LINE_FREIGHT]), PARTNER, Cache())
    assert goods(odoo, "PO-LC-2") == [("WB-100", 24.0, 10.0), ("WR-200", 10.0, 0.0)]
    change = x12_change("PO-LC-2", [], pocs=[
        "POC*1*QI*30**EA*12.50*PE*BP*BB-1001*UP*614141000012", sac("A", "C310", percent="15", description="LINE PROMO"),
        sac("C", "H090", amount="300", description="SPECIAL HANDLING"),
        "POC*2*PC*10**EA*8.75*PE*BP*BB-1002", sac("C", "D240", amount="700", description="FREIGHT")])
    sandbox.faults.drop_after_create["sale.order.write"] = 1
    with pytest.raises(OdooUnavailable):
        post(client, change, PARTNER, Cache())
    assert [link.role for link in post(client, change, PARTNER, Cache())] == ["found"]
    assert post(client, change, PARTNER, Cache())[0].role == "found"
    assert goods(odoo, "PO-LC-2") == [("WB-100", 30.0, 15.0), ("WR-200", 10.0, 0.0)]
    assert charge_rows(odoo, "PO-LC-2") == [("SVC-FREIGHT", "FREIGHT (line 2)", 1.0, 7.0)]
    text = order_note(odoo, "PO-LC-2")
    assert "<p>line 1: allowance discount LINE PROMO: 15% (order line discount 15.00%, was 10.00%)</p>" in text
    assert ("<p>line 1: charge special_handling SPECIAL HANDLING: 3.00 (not applied to the Odoo order)</p>"
            in text)
    assert "<p>line 2: charge freight FREIGHT: 7.00 (order line SVC-FREIGHT, 5.00 -&gt; 7.00)</p>" in text

    later = x12_change("PO-LC-2", [], control=3, pocs=[
        "POC*2*PC*10**EA*8.75*PE*BP*BB-1002", sac("C", "D240", amount="0", description="FREIGHT"),
        "POC*1*PC*30**EA*12.50*PE*BP*BB-1001*UP*614141000012", sac("C", "D240", amount="400", description="FREIGHT"),
        "POC*3*NC*1**EA*9.00*PE*BP*BB-1003", sac("A", "C310", percent="50", description="HALF OFF")])
    assert post(client, later, PARTNER, Cache())[0].role == "updated"
    assert charge_rows(odoo, "PO-LC-2") == [("SVC-FREIGHT", "FREIGHT (line 1)", 1.0, 4.0)]
    assert goods(odoo, "PO-LC-2") == [("WB-100", 30.0, 15.0), ("WR-200", 10.0, 0.0)]      # no allowance restated
    text = order_note(odoo, "PO-LC-2")
    assert "<p>line 2: charge freight FREIGHT: 0.00 (order line SVC-FREIGHT removed, was 7.00)</p>" in text
    assert "<p>line 1: charge freight FREIGHT: 4.00 (order line SVC-FREIGHT, 4.00, added)</p>" in text
    assert ("line 3: marked unchanged, so its 1 allowance(s)/charge(s) are not applied (the partner must send the "
            "line as changed)") in text


def test_an_added_lines_own_charges_are_named_by_its_number_and_go_with_it(
        client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    """The 850's freight line took sequence 3, so the 860's added line 3 (with its own freight 6.00 and unmapped
    special handling) is put at sequence 4: its charge line is still named 'FREIGHT (line 3)', as the partner
    numbers it, and its handling is in the note. The next 860 sends the addition again (not added twice); a later
    one deleting line 3 removes both."""
    post(client, x12_order("PO-LC-3", [FREIGHT]), PARTNER, Cache())
    add = x12_change("PO-LC-3", [], pocs=["POC*3*AI*2**EA*42.00*PE*BP*BB-1003", LINE_FREIGHT.replace("500", "600"),
                                          sac("C", "H090", amount="300", description="SPECIAL HANDLING")])
    post(client, add, PARTNER, Cache())
    assert charge_rows(odoo, "PO-LC-3") == [("SVC-FREIGHT", "FREIGHT", 1.0, 50.0),
                                            ("SVC-FREIGHT", "FREIGHT (line 3)", 1.0, 6.0)]
    assert "<p>line 3: charge special_handling SPECIAL HANDLING: 3.00 (not applied to the Odoo order)</p>" in \
        order_note(odoo, "PO-LC-3")
    # the partner's next change sends the addition again, with a quantity change of line 1: not added twice
    again = x12_change("PO-LC-3", [], control=3, pocs=["POC*1*QI*30**EA*12.50*PE*BP*BB-1001*UP*614141000012",
                                                       "POC*3*AI*2**EA*42.00*PE*BP*BB-1003",
                                                       LINE_FREIGHT.replace("500", "600")])
    post(client, again, PARTNER, Cache())
    assert [g[:2] for g in goods(odoo, "PO-LC-3")] == [("WB-100", 30.0), ("WR-200", 10.0), ("GL-300", 2.0)]
    assert len(charge_rows(odoo, "PO-LC-3")) == 2
    assert "line 3: [GL-300] Gadget Large is on the order already (added before)" in order_note(odoo, "PO-LC-3")
    post(client, x12_change("PO-LC-3", [], pocs=["POC*3*DI*0**EA***BP*BB-1003"], control=4), PARTNER, Cache())
    assert charge_rows(odoo, "PO-LC-3") == [("SVC-FREIGHT", "FREIGHT", 1.0, 50.0)]
    assert [g[0] for g in goods(odoo, "PO-LC-3")] == ["WB-100", "WR-200"]


def test_a_changed_lines_amount_off_kept_as_its_percent_is_said(
        client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    """The 850 takes 30.00 off line 1 (24 x 12.50 = 300.00: a 10 % discount); the 860 raises it to 30 without
    restating the allowance: the line keeps 10 %, which now takes 37.50 off, and the note says so."""
    post(client, x12_order("PO-LC-4", [], line1=[sac("A", "C310", amount="3000", description="PROMO")]), PARTNER,
         Cache())
    assert goods(odoo, "PO-LC-4")[0] == ("WB-100", 24.0, 10.0)
    post(client, x12_change("PO-LC-4", []), PARTNER, Cache())
    assert goods(odoo, "PO-LC-4")[0] == ("WB-100", 30.0, 10.0)
    assert ("<p>line 1: its discount 10.00% includes an amount off (30.00) and is kept as a percent, not recomputed: "
            "the change does not restate it; of the line as changed (375.00) it takes 37.50 off, of the line as it "
            "was 30.00</p>") in order_note(odoo, "PO-LC-4")


# --------------------------------------------------------------------------- through the pipeline

async def test_pipeline_bigbox_860_line_allowance_and_deleted_lines_charge(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        services: dict[str, int]) -> None:
    """BigBox's sample 850 with its own freight on line 2 (5.00); its sample 860 (line 1 24 -> 36, line 2 deleted,
    ...) with 5 % off line 1 in the POC loop: line 1 at 5 %, line 2's freight gone with it; a replayed duplicate
    changes nothing."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    with_charges(pipeline.config, "bigbox")
    first = SAMPLE.read_bytes().replace(b"PO1*3*", LINE_FREIGHT.encode() + b"~\nPO1*3*", 1)
    first = first.replace(b"SE*25*0001", b"SE*26*0001")
    assert run(pipeline, (await submit(pipeline, first, SAMPLE.name)).id, {State.DONE}).state is State.DONE
    assert charge_rows(odoo, "4500001234") == [("SVC-FREIGHT", "FREIGHT (line 2)", 1.0, 5.0)]
    spring = sac("A", "C310", percent="5", description="SPRING").encode()
    change = CHANGE_860.read_bytes().replace(b"POC*2*", spring + b"~\nPOC*2*", 1)
    change = change.replace(b"SE*11*0001", b"SE*12*0001")
    second = await submit(pipeline, change, CHANGE_860.name)
    done = run(pipeline, second.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    assert charge_rows(odoo, "4500001234") == []
    assert goods(odoo, "4500001234")[0] == ("WB-100", 36.0, 5.0)
    text = order_note(odoo, "4500001234")
    assert "line 2: [WR-200] Red Widget removed, with its charge line FREIGHT (line 2) 5.00" in text
    dup = run(pipeline, (await submit(pipeline, change, CHANGE_860.name)).id, {State.DUPLICATE})
    replay(journal, dup.id)
    assert run(pipeline, dup.id, {State.DONE}).state is State.DONE
    assert order_note(odoo, "4500001234") == text and goods(odoo, "4500001234")[0] == ("WB-100", 36.0, 5.0)


async def test_pipeline_eurohandel_ordchg_line_alc_and_deleted_lines_charge(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        services: dict[str, int]) -> None:
    """EuroHandel's ORDERS with freight 4.00 of its own on LIN 2; its ORDCHG (LIN 1 48 -> 60, LIN 2 deleted, ...)
    with 5 % off LIN 1 (ALC+A DI, PCD 5 in the LIN group): LIN 1 at 5 %, LIN 2's freight gone with it."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    with_charges(pipeline.config, "eurohandel")
    orders = EH_SAMPLE.read_bytes().replace(b"LIN+3++", b"ALC+C++++FC'MOA+23:4.00'LIN+3++", 1)
    orders = orders.replace(b"420.00'\nPRI+AAA:105", b"424.00'\nPRI+AAB:105")   # gross, its amount with the freight
    orders = orders.replace(b"UNT+34+1", b"UNT+36+1")
    change = ORDCHG.read_bytes().replace(b"LIN+2+2+", b"ALC+A++++DI'PCD+3:5'LIN+2+2+", 1)
    change = change.replace(b"UNT+19+1", b"UNT+21+1")
    message = await pipeline.submit(orders, IntakeMeta(channel="folder", filename=EH_SAMPLE.name))
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    assert charge_rows(odoo, "4500012345") == [("SVC-FREIGHT", "freight (line 2)", 1.0, 4.0)]
    message = await pipeline.submit(change, IntakeMeta(channel="folder", filename=ORDCHG.name))
    done = run(pipeline, message.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    assert charge_rows(odoo, "4500012345") == []
    assert goods(odoo, "4500012345")[0] == ("WB-100", 60.0, 5.0)
    text = order_note(odoo, "4500012345")
    assert "line 1: allowance discount: 5% (order line discount 5.00%, was 0.00%)" in text
    assert "line 2: [WR-200] Red Widget removed, with its charge line freight (line 2) 4.00" in text


async def test_pipeline_eurohandel_ordchg_says_an_amount_off_it_does_not_restate_now_takes_more(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        services: dict[str, int]) -> None:
    """EuroHandel's ORDERS takes 60.00 off LIN 1 (48 x 12.50 = 600.00: 10 %); its ORDCHG raises LIN 1 to 60 and
    does not restate the allowance: the note says the kept 10 % now takes 75.00 off."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    orders = EH_SAMPLE.read_bytes().replace(b"LIN+2++", b"ALC+A++++DI'MOA+204:60.00'LIN+2++", 1)
    orders = orders.replace(b"600.00'\nPRI+AAA:12.50", b"540.00'\nPRI+AAB:12.50")    # gross, its amount net
    orders = orders.replace(b"UNT+34+1", b"UNT+36+1")
    for data, name in ((orders, EH_SAMPLE.name), (ORDCHG.read_bytes(), ORDCHG.name)):
        message = await pipeline.submit(data, IntakeMeta(channel="folder", filename=name))
        done = run(pipeline, message.id, {State.DONE})
        assert done.state is State.DONE, done.last_error
    assert goods(odoo, "4500012345")[0] == ("WB-100", 60.0, 10.0)
    assert ("line 1: its discount 10.00% includes an amount off (60.00) and is kept as a percent, not recomputed: the "
            "change does not restate it; of the line as changed (750.00) it takes 75.00 off, of the line as it was "
            "60.00") in order_note(odoo, "4500012345")
