"""A retailer's X12 line naming its item by IN alone (the buyer's item number, `PO1*1*24*EA*12.50**IN*BB-1001`) is
answered with that number once, as IN, in the 855, the 856 and the 810. The 850 base picked `item_ids.buyer` from BP,
else IN, beside its pairs' own IN (`buyer_item`), so the canonical line held the number twice and each answer named it
twice, `BP*BB-1001*IN*BB-1001`: a BP the retailer never sent, which its compliance check compares with what it ordered.
A line with BP and IN is answered with both, as sent. The product is still found by the customer's code in Odoo
(`lookup.buyer_number`: `buyer`, else `buyer_item`). BigBox's 850 through the pipeline into the sandbox over HTTP,
the answers through the scheduler and BigBox's profiles (17, 19)."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import CASE_GTIN, acknowledged, examples, ordered_in_cases
from tests.odoo.test_casesout15_ship_bill import line_of
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_outbound_changed_lines import segments, sent
from tests.odoo.test_outbound_odd_odoo import invoiced

__all__ = ["examples"]          # the module's fixture, shared

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


START = {"855": 6, "856": 2, "810": 6}      # where a line's item id pairs start: PO106, LIN02, IT106


def qualified(row: list[str], start: int) -> list[tuple[str, str]]:
    """A segment's qualifier/value pairs from element `start` on (PO106/07 ..., LIN02/03 ...)."""
    return [(q, v) for q, v in zip(row[start::2], row[start + 1::2]) if q or v]


async def answers(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
                  odoo: odoorpc.ODOO, line: bytes) -> dict[str, list[str]]:
    """BigBox's 850 with its Blue Widget line `line` through the pipeline; line 1 of the 855, 856 (LIN) and 810 that
    answer it once the order is confirmed, delivered and invoiced."""
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo, line)
    assert first["product_id"][1].endswith("Blue Widget"), first
    po1 = line_of(segments(await acknowledged(pipeline, client, odoo, first), "PO1"), "1")
    so = odoo.execute_kw("sale.order.line", "read", [[first["id"]], ["order_id"]])[0]["order_id"][0]
    invoiced(odoo, so)
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    return {"855": po1, "856": line_of(segments(sent(pipeline, "856"), "LIN"), "1"),
            "810": line_of(segments(sent(pipeline, "810"), "IT1"), "1")}


async def answered(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
                   odoo: odoorpc.ODOO, ids: str) -> dict[str, list[tuple[str, str]]]:
    """BigBox orders 24 Blue Widgets naming them by `ids` (PO106 on): the item id pairs of `answers`."""
    line = f"PO1*1*24*EA*12.50**{ids}~\nPID*F****BLUE WIDGET~\n".encode()
    rows = await answers(tmp_path, examples, sandbox, client, odoo, line)
    return {doc: qualified(row, START[doc]) for doc, row in rows.items()}


async def test_an_item_named_by_in_alone_is_answered_once_as_in(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    said = await answered(tmp_path, examples, sandbox, client, odoo, "IN*BB-1001")
    for doc, pairs in said.items():
        assert [p for p in pairs if p[1] == "BB-1001"] == [("IN", "BB-1001")], (doc, pairs)
        assert "BP" not in dict(pairs), (doc, pairs)


async def test_an_item_named_by_bp_and_in_is_answered_with_both_as_sent(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    said = await answered(tmp_path, examples, sandbox, client, odoo, "BP*BB-1001*IN*77001")
    for doc, pairs in said.items():
        assert [p for p in pairs if p[0] in ("BP", "IN")] == [("BP", "BB-1001"), ("IN", "77001")], (doc, pairs)


async def test_an_in_other_than_odoos_customer_code_is_answered_without_odoos_as_bp(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """BigBox names the Blue Widget by its UPC and its item number 77001 (IN), where Odoo still has its older code
    BB-1001: the answers name 77001 as IN, and not Odoo's BB-1001 as a BP beside it, which contradicts the line."""
    said = await answered(tmp_path, examples, sandbox, client, odoo, "UP*614141000012*IN*77001")
    for doc, pairs in said.items():
        assert ("IN", "77001") in pairs and "BP" not in dict(pairs), (doc, pairs)


async def test_a_case_line_named_by_in_is_answered_once_as_in_in_its_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """10 cases by the case's GTIN (UK) and BigBox's item number as IN: the 855, 856 and 810, in cases, name the
    item number once as IN (`extraction._case_ids` put Odoo's customer code beside it as BP)."""
    line = f"PO1*1*10*CA*300.00**UK*{CASE_GTIN}*IN*BB-1001~\nPID*F****BLUE WIDGET CASE OF 24~\n".encode()
    for doc, row in (await answers(tmp_path, examples, sandbox, client, odoo, line)).items():
        pairs = qualified(row, START[doc])
        assert row[2:4] == ["10", "CA"] or doc == "856", (doc, row)
        assert ("UK", CASE_GTIN) in pairs and [p for p in pairs if p[1] == "BB-1001"] == [("IN", "BB-1001")], \
            (doc, pairs)


async def test_a_gtin_shaped_code_named_by_in_stays_the_ordered_item_on_the_856_and_810(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """BigBox's code for the Blue Widget reads as a GTIN (400123456782, a right check digit by chance) and comes as
    IN: Odoo's product (its own UPC) is the item the line ordered, known by that customer code
    (`standing_orders.same_item`), not a substitute a person put on the line, which the 856 and 810 would name by
    Odoo's numbers alone, without the number the retailer's match keys on."""
    code = "400123456782"
    [info] = odoo.execute_kw("product.customerinfo", "search", [[("product_code", "=", "BB-1001")]])
    odoo.execute_kw("product.customerinfo", "write", [[info], {"product_code": code}])
    said = await answered(tmp_path, examples, sandbox, client, odoo, f"IN*{code}")
    for doc, pairs in said.items():
        assert [p for p in pairs if p[1] == code] == [("IN", code)], (doc, pairs)
