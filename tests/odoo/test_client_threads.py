"""The client is shared by the pipeline's worker threads: parallel posting, one connection per thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import odoorpc

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.translate.canonical import Line
from tests.odoo.conftest import bigbox, order


def test_parallel_posting_from_worker_threads(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    cache = Cache()

    def one(i: int) -> str:
        doc = order(f"T-{i}", lines=[Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(1))])
        return post(client, doc, bigbox(), cache)[0].role

    with ThreadPoolExecutor(max_workers=4) as pool:
        roles = list(pool.map(one, range(12)))
    assert roles == ["created"] * 12
    refs = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "like", "T-")], ["client_order_ref"]])
    assert sorted(r["client_order_ref"] for r in refs) == sorted(f"T-{i}" for i in range(12))
