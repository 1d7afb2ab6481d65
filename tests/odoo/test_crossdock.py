"""Cross-dock ship notices: a DC order whose 850 allocated its lines to stores (SDQ) goes out with one order level
per store, each carton marked for its store (`gateway.odoo.crossdock`), rendered with BigBox's 856 profile."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import x12
from gateway.journal.api import Direction, Message, State
from gateway.journal.sqlite import SqliteJournal
from gateway.odoo.client import OdooClient
from gateway.odoo.crossdock import MixedCarton, by_store
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.models import package_model
from gateway.odoo.scheduler import OdooScheduler
from gateway.translate.canonical import Line, Pack, Party, PurchaseOrder, ShipItem, ShipNotice, ShipOrder
from gateway.translate.outbound import render
from gateway.translate.profile import ProfileRegistry
from tests.helpers.examples import loaded_examples
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_pipeline_posting import SAMPLE, pipeline_for, run
from tests.odoo.test_posting_cancel import submit

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
WIDGET, GADGET, RED = {"buyer": "BB-1001"}, {"buyer": "BB-1003"}, {"buyer": "BB-1002"}


@pytest.fixture(scope="module")
def examples() -> LoadedConfig:
    return loaded_examples()


def allocated(kind: str = "buyer") -> PurchaseOrder:
    """24 Blue Widgets (12 for store 0107, 6 for 0203, 6 for 0311), 6 Gadgets (2 each), 4 Red Widgets to the DC."""
    return order("PO-XD", lines=[
        Line(line_no="1", item_ids=WIDGET, quantity=Decimal(24), allocation_kind=kind,
             allocations={"0107": Decimal(12), "0203": Decimal(6), "0311": Decimal(6)}),
        Line(line_no="2", item_ids=GADGET, quantity=Decimal(6), allocation_kind=kind,
             allocations={"0107": Decimal(2), "0203": Decimal(2), "0311": Decimal(2)}),
        Line(line_no="3", item_ids=RED, quantity=Decimal(4))])


def item(line_no: str, ids: dict[str, str], quantity: int, ordered: int | None = None) -> ShipItem:
    """As extraction gives it: the quantity shipped, and the DC order's (the sale line's) as ordered."""
    return ShipItem(line_no=line_no, item_ids=ids, quantity=Decimal(quantity),
                    ordered_quantity=None if ordered is None else Decimal(ordered))


def shares(orders: list[ShipOrder]) -> list[tuple[str | None, list[tuple[str | None, str | None, int, int | None]]]]:
    """Per order level: its mark-for store, and (SSCC, line, quantity, ordered quantity) of everything in it."""
    out = []
    for o in orders:
        [store] = [next(iter(p.ids.values())) for p in o.parties if p.role == "mark_for"] or [None]
        rows = [(p.sscc, i.line_no, int(i.quantity), None if i.ordered_quantity is None else int(i.ordered_quantity))
                for p in o.packs for i in p.items]
        rows += [(None, i.line_no, int(i.quantity), None if i.ordered_quantity is None else int(i.ordered_quantity))
                 for i in o.items]
        out.append((store, rows))
    return out


def test_loose_quantities_fill_the_stores_in_sdq_order_and_the_rest_stays_the_dcs() -> None:
    """Shipped short (20 of 24 widgets): stores 0107 and 0203 get theirs, 0311 the 2 left; the unallocated red
    widgets are the DC's own order level, without a mark-for party."""
    shipped = ShipOrder(po_number="PO-XD", items=[item("1", WIDGET, 20, 24), item("2", GADGET, 6, 6),
                                                  item("3", RED, 4, 4)])
    got = by_store(shipped, allocated(), bigbox())
    assert shares(got) == [("0107", [(None, "1", 12, 12), (None, "2", 2, 2)]),
                           ("0203", [(None, "1", 6, 6), (None, "2", 2, 2)]),
                           ("0311", [(None, "1", 2, 6), (None, "2", 2, 2)]),
                           (None, [(None, "3", 4, 4)])]
    assert [p.ids for o in got for p in o.parties] == [{"buyer": "0107"}, {"buyer": "0203"}, {"buyer": "0311"}]


def test_a_package_of_one_stores_quantities_is_that_stores_carton_and_a_mixed_one_is_split() -> None:
    """Odoo packages: 6 widgets (0203's exactly, though 0107 wants more: the exact store first), 12 widgets + 2
    gadgets (0107's); the third, unlabelled (Odoo's PACK0000003: no SSCC), mixes 6 widgets and 4 gadgets, which no
    one store wants, so its contents are split by SDQ order and go in new cartons (the renderer gives our SSCCs);
    the fourth holds the red widgets no store is given."""
    packs = [Pack(sscc="006141410000123452", items=[item("1", WIDGET, 6)]),
             Pack(sscc="006141410000123469", items=[item("1", WIDGET, 12), item("2", GADGET, 2)]),
             Pack(items=[item("1", WIDGET, 6), item("2", GADGET, 4)]),
             Pack(sscc="006141410000123483", items=[item("3", RED, 4, 4)])]
    got = by_store(ShipOrder(po_number="PO-XD", packs=packs), allocated(), bigbox())
    assert shares(got) == [("0107", [("006141410000123469", "1", 12, 12), ("006141410000123469", "2", 2, 2)]),
                           ("0203", [("006141410000123452", "1", 6, 6), (None, "2", 2, 2)]),
                           ("0311", [(None, "1", 6, 6), (None, "2", 2, 2)]),
                           (None, [("006141410000123483", "3", 4, 4)])]     # the DC's own carton, label and all


def test_a_labelled_carton_of_several_stores_goods_is_refused_naming_it() -> None:
    """The same mixed carton with the warehouse's SSCC label: re-packed in the ASN under SSCCs of ours, the DC
    would receive a carton it does not list, of goods it cannot sort."""
    packs = [Pack(sscc="006141410000123476", items=[item("1", WIDGET, 6), item("2", GADGET, 4)])]
    with pytest.raises(MixedCarton, match=r"PO PO-XD is allocated to stores \(0107, 0203, 0311\).* carton "
                                          r"006141410000123476 \(line 1: 6, line 2: 4\) is not one store's share"):
        by_store(ShipOrder(po_number="PO-XD", packs=packs), allocated(), bigbox())


def test_a_po_without_allocations_is_one_order_and_a_gln_store_is_marked_by_gln() -> None:
    shipped = ShipOrder(po_number="PO-1001", items=[item("1", WIDGET, 24)])
    assert by_store(shipped, order(), bigbox()) == [shipped]
    [first, *_] = by_store(shipped, allocated("gln"), bigbox())
    assert [p.model_dump(exclude_none=True) for p in first.parties] == [{"role": "mark_for",
                                                                          "ids": {"gln": "0107"}}]


def test_a_dc_line_of_an_allocated_product_stays_the_dcs() -> None:
    """Widgets twice on the PO: line 1 for the stores, line 4 (the same product) for the DC itself. Line 4's
    widgets, known by their line number, are not taken for line 1's; a line Odoo numbered otherwise (9) is found
    by its item."""
    po = allocated()
    po = po.model_copy(update={"lines": [*po.lines, Line(line_no="4", item_ids=WIDGET, quantity=Decimal(5))]})
    shipped = ShipOrder(po_number="PO-XD", items=[item("4", WIDGET, 5, 5), item("9", WIDGET, 12, 24)])
    assert shares(by_store(shipped, po, bigbox())) == [("0107", [(None, "9", 12, 12)]), (None, [(None, "4", 5, 5)])]


def test_cases_ordered_are_allocated_in_cases_and_shipped_in_units() -> None:
    """A PO line of 4 cases of 12 (posted as 48 units, `counts_cases`) allocated 1 / 3 cases: 12 and 36 units."""
    po = order("PO-CS", lines=[Line(line_no="1", item_ids=WIDGET, quantity=Decimal(4), unit="CS",
                                    pack_size=Decimal(12), allocation_kind="buyer",
                                    allocations={"0107": Decimal(1), "0203": Decimal(3)})])
    got = by_store(ShipOrder(po_number="PO-CS", items=[item("1", WIDGET, 48)]), po, bigbox(units={}))
    assert shares(got) == [("0107", [(None, "1", 12, 12)]), ("0203", [(None, "1", 36, 36)])]
    mapped = by_store(ShipOrder(po_number="PO-CS", items=[item("1", WIDGET, 4)]), po, bigbox())   # CS: an Odoo unit
    assert shares(mapped) == [("0107", [(None, "1", 1, 1)]), ("0203", [(None, "1", 3, 3)])]


def hl_levels(data: bytes) -> list[tuple[str, str, str]]:
    """(HL01, HL02, HL03) of each HL: its number, its parent's and its level code."""
    result = x12.parse(data)
    assert [str(i) for i in result.errors] == []
    return [(s.get(1), s.get(2), s.get(3)) for s in result.transactions[0].segments if s.tag == "HL"]


def test_bigbox_renders_an_order_level_per_store_with_its_cartons(examples: LoadedConfig, tmp_path: Path) -> None:
    """Loose quantities split by store are one carton per store with our SSCC, under that store's HL O with
    N1*Z7 (mark-for) and the store number as the 850 gave it (92); the parents, HL count and CTT agree."""
    shipped = ShipOrder(po_number="PO-XD", items=[item("1", WIDGET, 24), item("2", GADGET, 6)])
    notice = ShipNotice(number="WH/OUT/00009", date="2026-11-30", structure="SOI",
                        parties=[Party(role="ship_to", ids={"gln": "0860001000023"})],
                        orders=by_store(shipped, allocated(), bigbox()))
    journal: Any = SqliteJournal(tmp_path / "journal.sqlite3")
    data = render(notice, examples.partners["bigbox"], examples.profiles, journal, "856",
                  our_ids=examples.gateway.our_ids).data
    levels = hl_levels(data)
    assert [(parent, code) for _, parent, code in levels] == [
        ("", "S"), ("1", "O"), ("2", "P"), ("3", "I"), ("3", "I"),
        ("1", "O"), ("6", "P"), ("7", "I"), ("7", "I"), ("1", "O"), ("10", "P"), ("11", "I"), ("11", "I")]
    text = data.decode()
    assert [s for s in text.replace("\n", "").split("~") if s.startswith("N1*Z7")] == [
        "N1*Z7**92*0107", "N1*Z7**92*0203", "N1*Z7**92*0311"]
    assert len({s for s in text.replace("\n", "").split("~") if s.startswith("MAN*GM*")}) == 3
    assert "CTT*13~" in text and "BSN*00*WH/OUT/00009*" in text and "*0001~" in text


def test_a_guide_that_wants_n1_by_for_the_store_says_so_in_the_partners_856(examples: LoadedConfig,
                                                                             tmp_path: Path) -> None:
    """Walmart-style order levels (N1*BY with the store number) from BigBox's profile plus one code list line."""
    profiles_dir = tmp_path / "translations"
    profiles_dir.mkdir()
    (profiles_dir / "bigbox-856.yaml").write_text(
        (EXAMPLES / "translations" / "bigbox-856.yaml").read_text() + "codes:\n  party_roles: {_out: {mark_for: BY}}\n")
    profiles = ProfileRegistry.load([profiles_dir])
    shipped = ShipOrder(po_number="PO-XD", items=[item("1", WIDGET, 24)])
    notice = ShipNotice(number="WH/OUT/00010", date="2026-11-30", orders=by_store(shipped, allocated(), bigbox()))
    data = render(notice, examples.partners["bigbox"], profiles, SqliteJournal(tmp_path / "journal.sqlite3"), "856",
                  our_ids=examples.gateway.our_ids).data
    assert [s for s in data.decode().replace("\n", "").split("~") if s.startswith("N1*")] == [
        "N1*BY**92*0107", "N1*BY**92*0203", "N1*BY**92*0311"]


def sdq_850() -> bytes:
    """BigBox's sample 850 (24 Blue Widgets, 48 Red Widgets, 6 Gadgets to DC 1) with every line allocated to
    stores 0107, 0203 and 0311 (SDQ after each line's PO4, in that order)."""
    sdq = iter([b"SDQ*EA*92*0107*12*0203*6*0311*6~\n", b"SDQ*EA*92*0107*16*0203*16*0311*16~\n",
                b"SDQ*EA*92*0107*2*0203*2*0311*2~\n"])
    text = b"".join(line + next(sdq) if line.startswith(b"PO4*") else line
                    for line in SAMPLE.read_bytes().splitlines(keepends=True))
    return text.replace(b"SE*25*0001", b"SE*28*0001")


def segment_rows(data: bytes) -> list[list[str]]:
    result = x12.parse(data)                    # the gateway's own reader: envelopes, SE/CTT counts, structure
    assert [str(i) for i in result.errors] == []
    return [[s.tag, *(s.get(i) for i in range(1, 6))] for s in result.transactions[0].segments]


def scheduler(pipeline: Any, client: OdooClient) -> OdooScheduler:
    """The daemon's scheduler on the test's pipeline: `run_once(partner, type)` is one poll."""
    ctx = SimpleNamespace(config=pipeline.config, journal=pipeline.journal, pipeline=pipeline,
                          partners=pipeline.config.partners)
    return OdooScheduler(ctx, lambda: client)


async def shipped_asn(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
                      odoo: odoorpc.ODOO, ship: Callable[[int], object], sent: int = 1,
                      edi: bytes | None = None, **settings: Any) -> tuple[Any, list[Message]]:
    """The SDQ 850 (or `edi`) through the pipeline into the sandbox (one sale order to DC 1, `store_orders: one`,
    BigBox's other `odoo:` `settings`), confirmed, shipped by `ship(sale order id)`, then the scheduler's 856 run
    (queuing `sent` documents): the pipeline and the outbound 856 messages."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    bigbox_config = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = bigbox_config.model_copy(update={"odoo": bigbox_config.odoo.model_copy(
        update=settings)})
    message = await submit(pipeline, sdq_850() if edi is None else edi, "850_crossdock.edi")
    done = run(pipeline, message.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500001234")]])
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    ship(so)
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == sent
    return pipeline, [m for m in journal.find(direction=Direction.OUT, limit=50) if m.doc_type == "856"]


def sent_rows(pipeline: Any, messages: list[Message]) -> list[list[str]]:
    """The segments of the one 856 sent, read back."""
    [message] = messages
    return segment_rows(pipeline.archive.read(message.sha256))


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_a_dc_order_for_three_stores_is_announced_cross_dock(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The 850 through the pipeline is one sale order to DC 1 (`store_orders: one`); the warehouse ships 20 of the
    24 widgets, loose; the scheduler's 856 is S / O x3 / P / I: one order level per store with its mark-for N1*Z7,
    one carton (our SSCC) each, the short widgets missing from the last store in SDQ order (0311: 2 of 6)."""
    [widget] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    rows = sent_rows(*await shipped_asn(tmp_path, examples, sandbox, client, odoo,
                                        lambda so: deliver(odoo, so, partial={widget: 20.0})))
    hls = [row for row in rows if row[0] == "HL"]
    codes = {row[1]: row[3] for row in hls}
    assert [(row[3], codes.get(row[2] or "")) for row in hls] == [
        ("S", None), *[("O", "S"), ("P", "O"), ("I", "P"), ("I", "P"), ("I", "P")] * 3]
    assert [int(row[1]) for row in hls] == list(range(1, 17))       # HL01 counts up
    assert all(int(row[2]) < int(row[1]) for row in hls[1:])          # each parent comes before its child
    assert [row[1] for row in rows if row[0] == "CTT"] == [str(len(hls))]
    assert [row[5] for row in rows if row[0] == "BSN"] == ["0001"]    # pick and pack
    assert [row[3:5] for row in rows if row[:2] == ["N1", "ST"]] == [["UL", "0860001000023"]]   # the DC, once
    shipped: dict[str, dict[str, int]] = {}
    store = line = ""
    for row in rows:
        if row[0] == "N1" and row[1] == "Z7":
            assert row[3] == "92"
            store = row[4]
        elif row[0] == "LIN":
            line = row[1]
        elif row[0] == "SN1":
            shipped.setdefault(store, {})[line] = int(row[2])
    assert shipped == {"0107": {"1": 12, "2": 16, "3": 2}, "0203": {"1": 6, "2": 16, "3": 2},
                       "0311": {"1": 2, "2": 16, "3": 2}}
    assert len({row[2] for row in rows if row[0] == "MAN" and row[1] == "GM"}) == 3
    assert [row[1:3] for row in rows if row[0] == "TD1"] == [["CTN25", "3"]]


def pack_by_store(odoo: odoorpc.ODOO, order_id: int, cartons: dict[str, dict[str, float]]) -> None:
    """What a cross-dock warehouse does: each store's quantities in a carton of its own (SSCC -> product code ->
    quantity; "": shipped in no package), a move line per carton, then validate."""
    [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
    lines = odoo.execute_kw("stock.move.line", "search_read", [[("picking_id", "=", pick)]],
                            {"fields": ["move_id", "product_id", "product_uom_id", "location_id", "location_dest_id"]})
    by_code = {odoo.execute_kw("product.product", "read", [[line["product_id"][0]], ["default_code"]])[0]
               ["default_code"]: line for line in lines}
    packs = package_model(int(odoo.version.split(".")[0]))
    used: set[int] = set()
    for sscc, contents in cartons.items():
        package = odoo.execute_kw(packs, "create", [{"name": sscc}]) if sscc else False      # "": loose
        for code, quantity in contents.items():
            line = by_code[code]
            vals = {"quantity": quantity, "result_package_id": package}
            if line["id"] in used:
                odoo.execute_kw("stock.move.line", "create", [{
                    "picking_id": pick, "move_id": line["move_id"][0], "product_id": line["product_id"][0],
                    "product_uom_id": line["product_uom_id"][0], "location_id": line["location_id"][0],
                    "location_dest_id": line["location_dest_id"][0], **vals}])
            else:
                odoo.execute_kw("stock.move.line", "write", [[line["id"]], vals])
                used.add(line["id"])
    odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_cartons_the_warehouse_packed_per_store_keep_their_sscc(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Three Odoo packages, one per store's quantities, named with the warehouse's SSCC labels: each is its store's
    carton under that store's order level, and no SSCC of ours is added."""
    cartons = {"006141410000123452": {"WB-100": 6.0, "WR-200": 16.0, "GL-300": 2.0},      # 0203's (or 0311's)
               "006141410000123469": {"WB-100": 12.0, "WR-200": 16.0, "GL-300": 2.0},     # 0107's
               "006141410000123476": {"WB-100": 6.0, "WR-200": 16.0, "GL-300": 2.0}}
    rows = sent_rows(*await shipped_asn(tmp_path, examples, sandbox, client, odoo,
                                        lambda so: pack_by_store(odoo, so, cartons)))
    marks = [row[4] if row[0] == "N1" else row[2] for row in rows if row[:2] in (["N1", "Z7"], ["MAN", "GM"])]
    assert marks == ["0107", "006141410000123469", "0203", "006141410000123452", "0311", "006141410000123476"]


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
async def test_a_delivery_in_one_labelled_carton_for_three_stores_is_held_for_a_person(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Everything in one package labelled 006141410000123452: no 856 goes out; the ship notice is held in
    quarantine (on the status page) with the reason naming the carton, as an invoice whose taxes cannot be sent."""
    pipeline, outbound = await shipped_asn(tmp_path, examples, sandbox, client, odoo,
                                           lambda so: deliver(odoo, so, packages=["006141410000123452"]), sent=0)
    assert [m.state for m in outbound] == [State.QUARANTINED]
    assert "carton 006141410000123452 (line 1: 24, line 2: 48, line 3: 6) is not one store's share" in str(
        outbound[0].last_error)
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == 0      # the next poll: still held, once
    assert [m.id for m in pipeline.journal.find(direction=Direction.OUT, limit=50) if m.doc_type == "856"] == [
        outbound[0].id]


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_the_backorder_goes_to_the_stores_the_first_delivery_left_short(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """20 of 24 widgets first (0311 got 2 of its 6), then Odoo's backorder of 4: its 856 is marked for 0311 only,
    the first delivery read again from Odoo and split as it was, not for 0107, the first store in SDQ order."""
    [widget] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    pipeline, first = await shipped_asn(tmp_path, examples, sandbox, client, odoo,
                                        lambda so: deliver(odoo, so, partial={widget: 20.0}))
    [back] = odoo.execute_kw("stock.picking", "search", [[("backorder_id", "!=", False)]])
    odoo.execute_kw("stock.picking", "button_validate", [[back]])
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == 1
    [second] = [m for m in pipeline.journal.find(direction=Direction.OUT, limit=50)
                if m.doc_type == "856" and m.id not in {f.id for f in first}]
    rows = sent_rows(pipeline, [second])
    assert [row[4] for row in rows if row[:2] == ["N1", "Z7"]] == ["0311"]
    assert [row[1:4] for row in rows if row[0] == "LIN"] == [["1", "BP", "BB-1001"]]
    assert [row[2] for row in rows if row[0] == "SN1"] == ["4"]


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_a_replacement_850s_allocations_are_the_ones_shipped_by(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The PO replaced (BEG01 05) before it was confirmed, store 0311 dropped and its share moved to 0107: the 856
    marks the cartons for the replacement's two stores, not the original's three."""
    replacement = sdq_850()
    for old, new in ((b"BEG*00*", b"BEG*05*"), (b"000001201", b"000001202"), (b"*1201*X*", b"*1202*X*"),
                     (b"GE*1*1201~", b"GE*1*1202~"), (b"0107*12*0203*6*0311*6~", b"0107*18*0203*6~"),
                     (b"0107*16*0203*16*0311*16~", b"0107*32*0203*16~"), (b"0107*2*0203*2*0311*2~", b"0107*4*0203*2~")):
        assert old in replacement
        replacement = replacement.replace(old, new)
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    for name, data in (("850_original.edi", sdq_850()), ("850_replacement.edi", replacement)):
        message = await submit(pipeline, data, name)
        done = run(pipeline, message.id, {State.DONE})
        assert done.state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500001234")]])
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    deliver(odoo, so)
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == 1
    rows = sent_rows(pipeline, [m for m in journal.find(direction=Direction.OUT, limit=50) if m.doc_type == "856"])
    assert [row[4] for row in rows if row[:2] == ["N1", "Z7"]] == ["0107", "0203"]
    assert [row[2] for row in rows if row[0] == "SN1"] == ["18", "32", "4", "6", "16", "2"]


def padded_850() -> bytes:
    """BigBox's sample 850 with zero-padded line numbers: 001, 24 Blue Widgets for stores 0107 and 0203 (12 each),
    and 002, 6 more Blue Widgets for the DC itself (no SDQ). Odoo's sequences are the numbers, 1 and 2."""
    return sample_with(["PO1*001*24*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100", "PID*F****BLUE WIDGET",
                        "PO4*12*1*EA", "SDQ*EA*92*0107*12*0203*12",
                        "PO1*002*6*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100", "PID*F****BLUE WIDGET",
                        "PO4*12*1*EA", "CTT*2*30"])


def sample_with(body: list[str]) -> bytes:
    """BigBox's sample 850 with `body` (its segments from the first PO1 to CTT) for its lines."""
    segments = SAMPLE.read_bytes().decode().replace("\n", "").split("~")
    head = segments[:segments.index(next(s for s in segments if s.startswith("PO1*")))]
    count = len(head) - head.index(next(s for s in head if s.startswith("ST*"))) + len(body) + 1
    return "~\n".join([*head, *body, f"SE*{count}*0001", "GE*1*1201", "IEA*1*000001201", ""]).encode()


def ship_lines(odoo: odoorpc.ODOO, order_id: int, done: dict[int, float]) -> None:
    """The warehouse ships, loose, `done` of the order line with each sequence (the rest not at all)."""
    [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
    for line in odoo.execute_kw("stock.move.line", "search_read", [[("picking_id", "=", pick)], ["move_id"]]):
        [move] = odoo.execute_kw("stock.move", "read", [[line["move_id"][0]], ["sale_line_id"]])
        [sale_line] = odoo.execute_kw("sale.order.line", "read", [[move["sale_line_id"][0]], ["sequence"]])
        odoo.execute_kw("stock.move.line", "write", [[line["id"]], {"quantity": done[sale_line["sequence"]]}])
    odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_a_dc_line_of_an_allocated_product_is_known_by_its_zero_padded_number(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """PO lines 001 (for the stores) and 002 (the DC's own) of one product; 18 of line 001's 24 shipped and all 6
    of line 002. Odoo numbers them 1 and 2, which are those lines: 0107 gets 12 and 0203 6 of line 001, and line
    002's 6 stay at the DC's own order level; they are not taken for line 001's, which would give store 0203 the
    DC's widgets. Each LIN names the line as the partner numbered it, 001 and 002."""
    rows = sent_rows(*await shipped_asn(tmp_path, examples, sandbox, client, odoo,
                                        lambda so: ship_lines(odoo, so, {1: 18.0, 2: 6.0}), edi=padded_850()))
    assert [(store, line, quantity) for store, line, quantity, _ in store_items(rows)] == [
        ("0107", "001", "12"), ("0203", "001", "6"), (None, "002", "6")]          # LIN01: the partner's number



@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_the_invoice_names_each_line_by_the_partners_zero_padded_number(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The same PO (lines 001 and 002 of one product) shipped and invoiced: the 810's IT101 are 001 and 002, the
    numbers of the partner's PO1, not Odoo's 1 and 2."""
    pipeline, _ = await shipped_asn(tmp_path, examples, sandbox, client, odoo,
                                    lambda so: ship_lines(odoo, so, {1: 24.0, 2: 6.0}), edi=padded_850())
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500001234")]])
    odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
    assert await scheduler(pipeline, client).run_once("bigbox", "810") == 1
    [sent] = [m for m in pipeline.journal.find(direction=Direction.OUT, limit=50) if m.doc_type == "810"]
    rows = segment_rows(pipeline.archive.read(sent.sha256))
    assert [row[1:3] for row in rows if row[0] == "IT1"] == [["001", "24"], ["002", "6"]]

def store_items(rows: list[list[str]]) -> list[tuple[str | None, str, str, str]]:
    """(the store its order level is marked for, None for the DC's own; LIN01; SN102; SN103) of each item of an
    856's rows."""
    found: list[tuple[str | None, str, str, str]] = []
    store: str | None = None
    line = ""
    for row in rows:
        if row[0] == "HL" and row[3] == "O":
            store = None
        elif row[0] == "N1" and row[1] == "Z7":
            store = row[4]
        elif row[0] == "LIN":
            line = row[1]
        elif row[0] == "SN1":
            found.append((store, line, row[2], row[3]))
    return found


async def unlabelled_asn(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
                         odoo: odoorpc.ODOO, ship: Callable[[int], object]) -> list[list[str]]:
    """`shipped_asn`'s 856 rows for BigBox without the `sscc:` of its 856 profile (a partner who labels no cartons)."""
    translations = tmp_path / "translations"
    shutil.copytree(EXAMPLES / "translations", translations)
    profile = translations / "bigbox-856.yaml"
    labels = 'sscc:\n  extension: "0"\n  company_prefix: "0614141"\n'
    assert labels in profile.read_text()
    profile.write_text(profile.read_text().replace(labels, ""))
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.profiles = ProfileRegistry.load([translations], our_ids=examples.gateway.our_ids)
    message = await submit(pipeline, sdq_850(), "850_crossdock.edi")
    assert (done := run(pipeline, message.id, {State.DONE})).state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500001234")]])
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    ship(so)
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == 1
    return sent_rows(pipeline, [m for m in journal.find(direction=Direction.OUT, limit=50) if m.doc_type == "856"])


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
async def test_an_unlabelled_carton_for_several_stores_is_no_pack_level_for_a_partner_without_ssccs(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Everything in one Odoo package, PACK0000001 (no SSCC), holding the three stores' goods: split by store, no
    carton is any store's, so the 856 is shipment/order/item, BSN05 0004 with no HL P and no package count, as for a
    delivery nothing was packed in; it said 0001 (pick and pack) with no pack level under it."""
    rows = await unlabelled_asn(tmp_path, examples, sandbox, client, odoo,
                                lambda so: deliver(odoo, so, packages=["PACK0000001"]))
    assert [row[5] for row in rows if row[0] == "BSN"] == ["0004"]
    assert [row[3] for row in rows if row[0] == "HL"] == ["S", *["O", "I", "I", "I"] * 3]
    assert [row for row in rows if row[0] in ("MAN", "TD1")] == []


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_when_one_store_has_its_carton_the_others_goods_are_cartons_too(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Store 0107's share packed in PACK0000001, the rest shipped loose: pick and pack (0001), so stores 0203 and
    0311 each get a pack level of their own too, three in TD1; they were orders with items directly under them."""
    rows = await unlabelled_asn(tmp_path, examples, sandbox, client, odoo, lambda so: pack_by_store(odoo, so, {
        "PACK0000001": {"WB-100": 12.0, "WR-200": 16.0, "GL-300": 2.0},
        "": {"WB-100": 12.0, "WR-200": 32.0, "GL-300": 4.0}}))
    assert [row[5] for row in rows if row[0] == "BSN"] == ["0001"]
    assert [row[3] for row in rows if row[0] == "HL"] == ["S", *["O", "P", "I", "I", "I"] * 3]
    assert [row[1:3] for row in rows if row[0] == "TD1"] == [["CTN25", "3"]]
    assert [row for row in rows if row[0] == "MAN"] == []


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_a_line_in_cases_shipped_in_units_is_split_in_units(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """2 CS of Blue Widgets (CS mapped to Odoo's Dozens), one case for store 0107 and one for 0203; the warehouse
    ships 20 Units (a move line in the product's own unit, as Odoo writes one when the reservation is no whole
    number of Dozens). Compared in Units, 0107 gets 12 and 0203 8: not 1 and 1 with 18 left to the DC, as 20
    against allocations of 1 Dozen each."""
    def in_units(so: int) -> None:
        [pick] = odoo.execute_kw("sale.order", "read", [[so], ["picking_ids"]])[0]["picking_ids"]
        [units] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])
        [line] = odoo.execute_kw("stock.move.line", "search", [[("picking_id", "=", pick)]])
        odoo.execute_kw("stock.move.line", "write", [[line], {"quantity": 20.0, "product_uom_id": units}])
        odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})

    edi = sample_with(["PO1*1*2*CS*150.00*PE*BP*BB-1001*UP*614141000012*VN*WB-100", "PID*F****BLUE WIDGET",
                       "SDQ*CS*92*0107*1*0203*1", "CTT*1*2"])
    rows = sent_rows(*await shipped_asn(tmp_path, examples, sandbox, client, odoo, in_units, edi=edi,
                                        units={"CS": "Dozens"}))
    assert store_items(rows) == [("0107", "1", "12", "EA"), ("0203", "1", "8", "EA")]


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_a_line_shipped_in_a_unit_that_does_not_compare_is_held_naming_the_units(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The allocated widgets' move line written in kg (a unit of another kind than the order line's Units): the
    store split cannot count it, so the 856 is held for a person naming the line and both units."""
    def in_kg(so: int) -> None:
        [pick] = odoo.execute_kw("sale.order", "read", [[so], ["picking_ids"]])[0]["picking_ids"]
        [kg] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "kg")]])
        [widget] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
        [line] = odoo.execute_kw("stock.move.line", "search", [[("picking_id", "=", pick),
                                                                ("product_id", "=", widget)]])
        odoo.execute_kw("stock.move.line", "write", [[line], {"product_uom_id": kg}])
        odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})

    _, outbound = await shipped_asn(tmp_path, examples, sandbox, client, odoo, in_kg, sent=0)
    assert [m.state for m in outbound] == [State.QUARANTINED]
    assert "PO 4500001234 is allocated to stores, and line 1 in Units and kg cannot be compared by Odoo's unit " \
           "factors" in str(outbound[0].last_error)


async def split_po(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> tuple[Any, Any]:
    """PO lines A (widgets for stores 0107 and 0203), B and C (for the DC) through the pipeline with `store_orders:
    split`: three sale orders (0107's, 0203's, the DC's)."""
    edi = sample_with(["PO1*A*24*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100", "SDQ*EA*92*0107*12*0203*12",
                       "PO1*B*48*EA*8.75*PE*BP*BB-1002*UP*614141000029*VN*WR-200",
                       "PO1*C*6*EA*42.00*PE*BP*BB-1003*UP*614141000036*VN*GL-300", "CTT*3*78"])
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    bigbox_config = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = bigbox_config.model_copy(update={"odoo": bigbox_config.odoo.model_copy(
        update={"store_orders": "split", "create_ship_to": True})})
    message = await submit(pipeline, edi, "850_split.edi")
    assert (done := run(pipeline, message.id, {State.DONE})).state is State.DONE, done.last_error
    return pipeline, journal


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
async def test_orders_split_by_store_name_the_lines_they_hold(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """PO lines A (widgets for stores 0107 and 0203), B and C (for the DC), with `store_orders: split`: the DC's own
    sale order holds B and C, which Odoo numbers 1 and 2 in it. Its 856 and 810 name them B and C, not A and B (the
    whole PO's first two lines)."""
    pipeline, journal = await split_po(tmp_path, examples, sandbox)
    dc = [so["id"] for so in odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500001234")]],
                                             {"fields": ["order_line"]}) if len(so["order_line"]) == 2]
    odoo.execute_kw("sale.order", "action_confirm", [dc])
    deliver(odoo, dc[0])
    odoo.execute_kw("account.move", "action_post", [[invoice(odoo, dc[0])]])
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == 1
    assert await scheduler(pipeline, client).run_once("bigbox", "810") == 1
    sent = {m.doc_type: segment_rows(pipeline.archive.read(m.sha256))
            for m in journal.find(direction=Direction.OUT, limit=50) if m.doc_type in ("856", "810")}
    assert [row[1] for row in sent["856"] if row[0] == "LIN"] == ["B", "C"]
    assert [row[1] for row in sent["810"] if row[0] == "IT1"] == ["B", "C"]
