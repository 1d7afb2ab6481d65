"""A PO change's own allowances and charges (X12 860 header SAC, EDIFACT ORDCHG ALC) applied to the charge lines
the gateway made on its sale order (odoo.charge_products), over real HTTP against the sandbox in 17 and 19 mode,
checked with odoorpc as an independent client: a restated code updates its line, a new one adds a line, zero
removes it, one the change does not name stays (the note says so), unmapped ones stay in the note; percents are
of the order as the change leaves it; once, whatever is retried or replayed. The pipeline tests run BigBox's
sample 850/860 and EuroHandel's ORDERS/ORDCHG, each with charges added, through the real pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooRejected, OdooUnavailable
from gateway.formats import x12
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.pipeline import replay
from gateway.translate import translate
from gateway.translate.canonical import PurchaseOrder
from gateway.transports.base import IntakeMeta
from tests.helpers.profiles import base_profiles
from tests.odoo.conftest import bigbox
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import EH_SAMPLE, sale_orders, submit
from tests.odoo.test_posting_charges import CHARGES, DISCOUNT, FREIGHT, HANDLING, sac, services, x12_order
from tests.odoo.test_posting_line_changes import CHANGE_860, ORDCHG

__all__ = ["examples", "services"]      # fixtures, re-exported

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

PARTNER = bigbox(charge_products=CHARGES, order_changes="revise")
BLUE = "POC*1*QI*30**EA*12.50*PE*BP*BB-1001*UP*614141000012"          # line 1: 24 -> 30
KEPT = "POC*1*NC*30**EA*12.50*PE*BP*BB-1001*UP*614141000012"          # (an 860 with no POC is no order)


def x12_change(po: str, sacs: Sequence[str], pocs: Sequence[str] = (BLUE,), control: int = 2,
               purpose: str = "04") -> PurchaseOrder:
    """A BigBox 860 (BCH01 04 change, 05 replace) read and translated as the pipeline does, with these header
    SACs and POC lines."""
    body = ["ST*860*0001", f"BCH*{purpose}*SA*{po}**1*20261129", *sacs, *pocs, f"CTT*{len(pocs)}"]
    body.append(f"SE*{len(body) + 1}*0001")
    data = "~\n".join([
        f"ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *261130*0900*U*00401*{control:09d}*0*P*>",
        f"GS*PC*BIGBOX*ACMEDIST*20261130*0900*{control}*X*004010", *body, f"GE*1*{control}",
        f"IEA*1*{control:09d}"]) + "~\n"
    [tx] = x12.parse(data.encode("ascii")).transactions
    [doc] = translate(tx, None, base_profiles())
    assert isinstance(doc, PurchaseOrder) and doc.purpose == {"04": "change", "05": "replace"}[purpose]
    return doc


def charge_rows(odoo: odoorpc.ODOO, ref: str) -> list[tuple[str, str, float, float]]:
    """(product reference, line name, quantity, price) of the order's lines on the service products."""
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]], {"fields": ["order_line"]})
    rows = odoo.execute_kw("sale.order.line", "read", [so["order_line"]],
                           {"fields": ["product_id", "name", "product_uom_qty", "price_unit", "sequence"]})
    return [(r["product_id"][1].split("]")[0].strip("["), r["name"], r["product_uom_qty"], r["price_unit"])
            for r in sorted(rows, key=lambda r: (r["sequence"], r["id"])) if "SVC-" in r["product_id"][1]]


def order_note(odoo: odoorpc.ODOO, ref: str) -> str:
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]], {"fields": ["note"]})
    return str(so["note"] or "")


def test_an_860_updates_adds_and_removes_the_orders_charge_lines_once(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    """The 850 has freight 50.00, a 2 % discount (of 387.50: -7.75) and unmapped special handling. Its 860 raises
    line 1 from 24 to 30 and restates freight at 75.00 and the 2 % (now of 462.50: -9.25), adds a defective
    allowance (mapped by its kind to the discount product, beside the 2 %) and restates the handling (still
    unmapped); the write's answer is lost and the retry finds its own work. A later 860 sets freight to 0."""
    post(client, x12_order("PO-CC-1", [FREIGHT, DISCOUNT, HANDLING]), PARTNER, Cache())
    assert charge_rows(odoo, "PO-CC-1") == [("SVC-FREIGHT", "FREIGHT", 1.0, 50.0),
                                            ("SVC-DISCOUNT", "PROMO DISCOUNT", 1.0, -7.75)]
    change = x12_change("PO-CC-1", [sac("C", "D240", amount="7500", description="FREIGHT"), DISCOUNT, HANDLING,
                                    sac("A", "C000", amount="1000", description="DAMAGED CARTONS")])
    sandbox.faults.drop_after_create["sale.order.write"] = 1      # the merge lands, its answer is lost
    with pytest.raises(OdooUnavailable):
        post(client, change, PARTNER, Cache())
    assert [link.role for link in post(client, change, PARTNER, Cache())] == ["found"]
    assert post(client, change, PARTNER, Cache())[0].role == "found"          # a replay: nothing more
    assert charge_rows(odoo, "PO-CC-1") == [("SVC-FREIGHT", "FREIGHT", 1.0, 75.0),
                                            ("SVC-DISCOUNT", "PROMO DISCOUNT", 1.0, -9.25),
                                            ("SVC-DISCOUNT", "DAMAGED CARTONS", 1.0, -10.0)]
    text = order_note(odoo, "PO-CC-1")
    assert "<p>charge freight FREIGHT: 75.00 (order line SVC-FREIGHT, 50.00 -&gt; 75.00)</p>" in text
    assert "<p>allowance discount PROMO DISCOUNT: 2% (order line SVC-DISCOUNT, -7.75 -&gt; -9.25)</p>" in text
    assert ("<p>allowance defective_allowance DAMAGED CARTONS: 10.00 (order line SVC-DISCOUNT, -10.00, added)</p>"
            in text)
    assert text.count("charge special_handling SPECIAL HANDLING: 15.00 (not applied to the Odoo order)") == 2
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-CC-1")]],
                           {"fields": ["amount_untaxed"]})
    assert so["amount_untaxed"] == pytest.approx(462.50 + 75 - 9.25 - 10)

    later = x12_change("PO-CC-1", [sac("C", "D240", amount="0", description="FREIGHT")], pocs=[KEPT], control=3)
    assert post(client, later, PARTNER, Cache())[0].role == "updated"
    assert charge_rows(odoo, "PO-CC-1") == [("SVC-DISCOUNT", "PROMO DISCOUNT", 1.0, -9.25),
                                            ("SVC-DISCOUNT", "DAMAGED CARTONS", 1.0, -10.0)]
    text = order_note(odoo, "PO-CC-1")
    assert ("<p>EDI change PO-CC-1 (interchange 000000003 set 0001): no line changes</p>"
            "<p>charge freight FREIGHT: 0.00 (order line SVC-FREIGHT removed, was 75.00)</p>") in text
    assert ("<p>order allowances/charges the change does not restate, kept as they were: PROMO DISCOUNT -9.25; "
            "DAMAGED CARTONS -10.00</p>") in text
    # the same change sent again under another interchange: its content is applied already, found
    resent = x12_change("PO-CC-1", [sac("C", "D240", amount="0", description="FREIGHT")], pocs=[KEPT], control=4)
    assert post(client, resent, PARTNER, Cache())[0].role == "found"
    # the partner's next change removes what is gone already: said, nothing written
    again = x12_change("PO-CC-1", [sac("C", "D240", amount="0", description="FREIGHT"), HANDLING], pocs=[KEPT],
                       control=5)
    post(client, again, PARTNER, Cache())
    assert "charge freight FREIGHT: 0.00 (order line SVC-FREIGHT: none on the order, nothing to remove)" in \
        order_note(odoo, "PO-CC-1")
    assert len(charge_rows(odoo, "PO-CC-1")) == 2


def test_a_renamed_charge_updates_its_line_and_an_unknowable_one_is_held(
        client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    """The 860 restates freight under another description (or none): still the 850's freight line, as the order's
    note says the gateway put freight there. An allowance whose line cannot be told among two on its product is
    held, nothing written."""
    post(client, x12_order("PO-CC-2", [FREIGHT]), PARTNER, Cache())
    post(client, x12_change("PO-CC-2", [sac("C", "D240", amount="6000", description="FREIGHT CHARGE")]),
         PARTNER, Cache())
    post(client, x12_change("PO-CC-2", [sac("C", "D240", amount="6500")], control=3), PARTNER, Cache())
    assert charge_rows(odoo, "PO-CC-2") == [("SVC-FREIGHT", "FREIGHT", 1.0, 65.0)]

    two = [sac("A", "C310", amount="500", description="PROMO"), sac("A", "F800", amount="300", description="PROMO")]
    post(client, x12_order("PO-CC-3", two), PARTNER, Cache())
    assert [r[1:] for r in charge_rows(odoo, "PO-CC-3")] == [("PROMO", 1.0, -5.0), ("PROMO", 1.0, -3.0)]
    with pytest.raises(OdooRejected, match=r"allowance discount: sale order lines 'PROMO', 'PROMO' are all on "
                                           r"SVC-DISCOUNT, and none is named 'SPRING PROMO'"):
        post(client, x12_change("PO-CC-3", [sac("A", "C310", amount="800", description="SPRING PROMO")]),
             PARTNER, Cache())
    assert [r[3] for r in charge_rows(odoo, "PO-CC-3")] == [-5.0, -3.0]


def test_a_replacement_860_carries_the_whole_orders_charges(client: OdooClient, odoo: odoorpc.ODOO,
                                                              services: dict[str, int]) -> None:
    """An 860 replacing the order (BCH01 05) takes the other path, the whole order rewritten: its charges are the
    order's, so freight it restates is rewritten and the 850's discount, which it does not carry, is gone."""
    post(client, x12_order("PO-CC-5", [FREIGHT, DISCOUNT]), PARTNER, Cache())
    replacement = x12_change("PO-CC-5", [sac("C", "D240", amount="6000", description="FREIGHT")], purpose="05",
                             pocs=["POC*1*CA*30**EA*12.50*PE*BP*BB-1001*UP*614141000012"])
    assert post(client, replacement, PARTNER, Cache())[0].role == "updated"
    assert post(client, replacement, PARTNER, Cache())[0].role == "found"
    assert charge_rows(odoo, "PO-CC-5") == [("SVC-FREIGHT", "FREIGHT", 1.0, 60.0)]


def test_a_change_charge_mapped_to_a_product_odoo_lacks_is_refused_naming_it(
        client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    partner = bigbox(charge_products={**CHARGES, "insurance": "SVC-INSURANCE"}, order_changes="revise")
    post(client, x12_order("PO-CC-6", [FREIGHT]), partner, Cache())
    with pytest.raises(OdooRejected, match=r"charge insurance: no product with internal reference 'SVC-INSURANCE' "
                                           r"in Odoo \(partner setting odoo.charge_products maps 'insurance' to it\)"):
        post(client, x12_change("PO-CC-6", [sac("C", "D980", amount="1200")]), partner, Cache())
    assert charge_rows(odoo, "PO-CC-6") == [("SVC-FREIGHT", "FREIGHT", 1.0, 50.0)]


def test_a_confirmed_orders_charges_are_left_to_a_person(client: OdooClient, odoo: odoorpc.ODOO,
                                                         services: dict[str, int]) -> None:
    [created] = post(client, x12_order("PO-CC-4", [FREIGHT]), PARTNER, Cache())
    odoo.execute_kw("sale.order", "action_confirm", [[created.record_id]])
    with pytest.raises(OdooRejected, match=r"cannot be changed: sale order .* is confirmed"):
        post(client, x12_change("PO-CC-4", [sac("C", "D240", amount="9900")]), PARTNER, Cache())
    assert charge_rows(odoo, "PO-CC-4") == [("SVC-FREIGHT", "FREIGHT", 1.0, 50.0)]


# --------------------------------------------------------------------------- through the pipeline

def with_charges(loaded: LoadedConfig, partner: str) -> None:
    """The example partner with the freight and discount products mapped."""
    config = loaded.partners[partner]
    loaded.partners[partner] = config.model_copy(
        update={"odoo": config.odoo.model_copy(update={"charge_products": CHARGES})})


async def test_pipeline_bigbox_860_restates_its_850s_freight(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        services: dict[str, int]) -> None:
    """BigBox's sample 850 with freight 40.00, then its sample 860 (line 1 24 -> 36, line 2 deleted, line 3 at
    39.90, line 4 added) with freight 55.00 and a new 5 % discount: of the order as the 860 leaves it, priced as
    BigBox prices it (the order policy): 450.00 + 239.40 + 360.00 = 1,049.40, so -52.47. A replay changes
    nothing."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    with_charges(pipeline.config, "bigbox")
    freight = sac("C", "D240", amount="4000", description="FREIGHT").encode()
    first = SAMPLE.read_bytes().replace(b"TD5*", freight + b"~\nTD5*", 1)
    first = first.replace(b"SE*25*0001", b"SE*26*0001")
    assert run(pipeline, (await submit(pipeline, first, SAMPLE.name)).id, {State.DONE}).state is State.DONE
    assert charge_rows(odoo, "4500001234") == [("SVC-FREIGHT", "FREIGHT", 1.0, 40.0)]
    sacs = [sac("C", "D240", amount="5500", description="FREIGHT"), sac("A", "C310", percent="5", description="SPRING")]
    change = CHANGE_860.read_bytes().replace(b"DTM*002*", "~\n".join(sacs).encode() + b"~\nDTM*002*", 1)
    change = change.replace(b"SE*11*0001", b"SE*13*0001")
    second = await submit(pipeline, change, CHANGE_860.name)
    done = run(pipeline, second.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    spring = [("SVC-FREIGHT", "FREIGHT", 1.0, 55.0), ("SVC-DISCOUNT", "SPRING", 1.0, -52.47)]
    assert charge_rows(odoo, "4500001234") == spring
    text = order_note(odoo, "4500001234")
    assert "charge freight FREIGHT: 55.00 (order line SVC-FREIGHT, 40.00 -&gt; 55.00)" in text
    assert "allowance discount SPRING: 5% (order line SVC-DISCOUNT, -52.47, added)" in text
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500001234")]],
                           {"fields": ["amount_untaxed"]})
    assert so["amount_untaxed"] == pytest.approx(1049.40 + 55 - 52.47)
    # BigBox sends the file again: a duplicate, which a coordinator replays; the change finds its own work
    dup = run(pipeline, (await submit(pipeline, change, CHANGE_860.name)).id, {State.DUPLICATE})
    assert dup.state is State.DUPLICATE
    replay(journal, dup.id)
    again = run(pipeline, dup.id, {State.DONE})
    assert again.state is State.DONE, again.last_error
    assert [(link.model, link.role) for link in journal.odoo_links(dup.id)] == [("sale.order", "found")]
    assert charge_rows(odoo, "4500001234") == spring
    assert order_note(odoo, "4500001234") == text


async def test_pipeline_eurohandel_ordchg_applies_its_alc(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        services: dict[str, int]) -> None:
    """EuroHandel's ORDERS with freight (ALC+C FC, MOA 23) 25.00 and a 3 % discount (ALC+A DI, PCD 3) of its
    1,440.00; its ORDCHG restates freight at 30.00 and the 3 % of the changed order (60 x 12.50 + 10 x 39.90 +
    8 x 30.00 = 1,389.00: -41.67)."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    with_charges(pipeline.config, "eurohandel")
    alcs = b"ALC+C++++FC'MOA+23:25.00'ALC+A++++DI'PCD+3:3'"
    orders = EH_SAMPLE.read_bytes().replace(b"LIN+1++", alcs + b"LIN+1++", 1).replace(b"UNT+34+1", b"UNT+38+1")
    change = ORDCHG.read_bytes().replace(b"LIN+1+3+", b"ALC+C++++FC'MOA+23:30.00'ALC+A++++DI'PCD+3:3'LIN+1+3+", 1)
    change = change.replace(b"UNT+19+1", b"UNT+23+1")
    for data, name in ((orders, EH_SAMPLE.name), (change, ORDCHG.name)):
        message = await pipeline.submit(data, IntakeMeta(channel="folder", filename=name))
        done = run(pipeline, message.id, {State.DONE})
        assert done.state is State.DONE, done.last_error
    assert charge_rows(odoo, "4500012345") == [("SVC-FREIGHT", "freight", 1.0, 30.0),
                                                ("SVC-DISCOUNT", "discount", 1.0, -41.67)]
    [so] = sale_orders(odoo, "4500012345")
    assert "charge freight: 30.00 (order line SVC-FREIGHT, 25.00 -&gt; 30.00)" in order_note(odoo, "4500012345")
    assert so["state"] in ("draft", "sent")



def test_a_percent_of_the_order_the_change_does_not_restate_is_kept_and_said(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    """The 850's 2 % of 387.50 is -7.75. A first 860 leaves the lines as they are and restates only freight: the
    note names the 2 % line as kept. A second raises line 1 from 24 to 30, again restating only freight: the 2 %
    line keeps -7.75 (whether the partner's percent had a base amount of its own is not known), and the note says
    so with what 2 % of the changed lines (462.50) would be. Once, under a lost answer and a replay."""
    post(client, x12_order("PO-CC-7", [FREIGHT, DISCOUNT]), PARTNER, Cache())
    same = "POC*1*NC*24**EA*12.50*PE*BP*BB-1001*UP*614141000012"
    post(client, x12_change("PO-CC-7", [sac("C", "D240", amount="5500", description="FREIGHT")], pocs=[same]),
         PARTNER, Cache())
    assert ("<p>order allowances/charges the change does not restate, kept as they were: PROMO DISCOUNT -7.75</p>"
            in order_note(odoo, "PO-CC-7"))
    change = x12_change("PO-CC-7", [sac("C", "D240", amount="6000", description="FREIGHT")], control=3)
    sandbox.faults.drop_after_create["sale.order.write"] = 1
    with pytest.raises(OdooUnavailable):
        post(client, change, PARTNER, Cache())
    assert [link.role for link in post(client, change, PARTNER, Cache())] == ["found"]
    assert post(client, change, PARTNER, Cache())[0].role == "found"
    assert charge_rows(odoo, "PO-CC-7") == [("SVC-FREIGHT", "FREIGHT", 1.0, 60.0),
                                            ("SVC-DISCOUNT", "PROMO DISCOUNT", 1.0, -7.75)]
    said = ("<p>order allowances/charges the change does not restate, kept as they were: PROMO DISCOUNT -7.75 (2%, "
            "kept at its amount, not recomputed: the change does not restate it; 2% of the lines as changed would be "
            "-9.25)</p>")
    assert order_note(odoo, "PO-CC-7").count(said) == 1


async def test_pipeline_eurohandel_ordchg_keeps_the_orders_percent_and_says_so(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        services: dict[str, int]) -> None:
    """EuroHandel's ORDERS with a 3 % discount (ALC+A DI, PCD 3) of its 1,440.00 (-43.20); its ORDCHG changes the
    lines (to 1,389.00) and restates only freight: the -43.20 stays, the note saying 3 % of the changed lines
    would be -41.67."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    with_charges(pipeline.config, "eurohandel")
    orders = EH_SAMPLE.read_bytes().replace(b"LIN+1++", b"ALC+A++++DI'PCD+3:3'LIN+1++", 1)
    orders = orders.replace(b"UNT+34+1", b"UNT+36+1")
    change = ORDCHG.read_bytes().replace(b"LIN+1+3+", b"ALC+C++++FC'MOA+23:30.00'LIN+1+3+", 1)
    change = change.replace(b"UNT+19+1", b"UNT+21+1")
    for data, name in ((orders, EH_SAMPLE.name), (change, ORDCHG.name)):
        message = await pipeline.submit(data, IntakeMeta(channel="folder", filename=name))
        done = run(pipeline, message.id, {State.DONE})
        assert done.state is State.DONE, done.last_error
    assert charge_rows(odoo, "4500012345") == [("SVC-DISCOUNT", "discount", 1.0, -43.2),
                                                ("SVC-FREIGHT", "freight", 1.0, 30.0)]
    assert ("kept as they were: discount -43.20 (3%, kept at its amount, not recomputed: the change does not "
            "restate it; 3% of the lines as changed would be -41.67)") in order_note(odoo, "4500012345")
