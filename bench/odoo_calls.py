"""Odoo round trips and seconds per posted order: the gateway's posting against a plain odoorpc script.

    .venv/bin/python bench/odoo_calls.py                 # 1, 10 and 100 lines, 5 orders each
    .venv/bin/python bench/odoo_calls.py --orders 20

The Odoo sandbox runs as a subprocess (`edi-gateway odoo-sandbox`, demo seed) on loopback, once
in Odoo 17 mode (JSON-RPC) and once in 19 mode (JSON-2). Each order has N lines cycling over
the five demo products, identified by the customer's item number and the UPC, ship-to by GLN.

Posters:
  ours           gateway.odoo.posting.post(): bulk lookups, cached across orders (steady state)
  ours-cold      the same with an empty cache for every order (first order of the day)
  odoorpc-naive  what a straightforward odoorpc script does (the peer): one search per line for
                 the product, one for the unit, then sale.order create with its lines

Calls are counted on the client side (one HTTP request = one call). Seconds are wall time per
order, machine-dependent; calls are not. The ratio column is peer / ours-steady.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.config.models import OdooSettings, PartnerConfig
from gateway.odoo.client import connect
from gateway.odoo.posting import Cache, post
from gateway.translate.canonical import Line, Party, PurchaseOrder

CODES = [("BB-1001", "614141000012", "12.50"), ("BB-1002", "614141000029", "8.75"),
         ("BB-1003", "614141000036", "42.00"), ("BB-1004", "614141000043", "30.00"),
         ("BB-1005", "614141000050", "5.00")]
PARTNER = PartnerConfig(id="bigbox", odoo={"partner_ref": "BIGBOX"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(version: int) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "odoo-sandbox", "--port", str(port), "--odoo-version",
                             str(version)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    proc.stdout.readline()
    return proc, port


def make_order(number: str, n: int) -> PurchaseOrder:
    lines = [Line(line_no=str(i + 1), item_ids={"buyer": CODES[i % 5][0], "upc": CODES[i % 5][1]},
                  quantity=Decimal(1 + i % 4), unit_price=Decimal(CODES[i % 5][2])) for i in range(n)]
    return PurchaseOrder(number=number, lines=lines, parties=[Party(role="ship_to", ids={"gln": "0860001000023"})])


def run_ours(port: int, version: int, n: int, orders: int, cold: bool) -> tuple[float, float]:
    client = connect(OdooSettings(url=f"http://127.0.0.1:{port}", password="admin", timeout=60))
    cache = Cache()
    post(client, make_order(f"WARM-{n}-{cold}", n), PARTNER, cache)
    calls, started = client.calls, time.perf_counter()
    for i in range(orders):
        post(client, make_order(f"O-{n}-{cold}-{i}", n), PARTNER, Cache() if cold else cache)
    return (client.calls - calls) / orders, (time.perf_counter() - started) / orders


def run_naive(port: int, n: int, orders: int) -> tuple[float, float]:
    import odoorpc
    odoo = odoorpc.ODOO("127.0.0.1", port=port, timeout=60)
    odoo.login("demo", "admin", "admin")
    count = {"calls": 0}
    real_json = odoo.json

    def counting(url: str, params: dict[str, Any]) -> Any:
        count["calls"] += 1
        return real_json(url, params)

    odoo.json = counting
    uom_field = "product_uom_id" if odoo.version.startswith("19") else "product_uom"
    started = time.perf_counter()
    for i in range(orders):
        doc = make_order(f"N-{n}-{i}", n)
        customer = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])[0]
        ship_to = odoo.execute_kw("res.partner", "search", [[("barcode", "=", "0860001000023")]])[0]
        if odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", doc.number)]]):
            continue
        lines = []
        for line in doc.lines:
            product = odoo.execute_kw("product.customerinfo", "search_read",
                                      [[("partner_id", "=", customer), ("product_code", "=", line.item_ids["buyer"])],
                                       ["product_id"]])[0]["product_id"][0]
            uom = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])[0]
            lines.append((0, 0, {"product_id": product, "product_uom_qty": float(line.quantity), uom_field: uom}))
        odoo.execute_kw("sale.order", "create", [{"partner_id": customer, "partner_shipping_id": ship_to,
                                                  "client_order_ref": doc.number, "order_line": lines}])
    return count["calls"] / orders, (time.perf_counter() - started) / orders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=5)
    parser.add_argument("--lines", default="1,10,100")
    args = parser.parse_args()
    sizes = [int(x) for x in args.lines.split(",")]
    print(f"{'odoo':>5} {'lines':>5} {'poster':<14} {'calls/order':>11} {'ms/order':>9} {'calls ratio':>11} "
          f"{'time ratio':>10}")
    for version in (17, 19):
        proc, port = start_sandbox(version)
        try:
            for n in sizes:
                ours = run_ours(port, version, n, args.orders, cold=False)
                cold = run_ours(port, version, n, args.orders, cold=True)
                naive = run_naive(port, n, args.orders)
                for name, (calls, secs) in (("ours", ours), ("ours-cold", cold), ("odoorpc-naive", naive)):
                    print(f"{version:>5} {n:>5} {name:<14} {calls:>11.1f} {secs * 1000:>9.1f} "
                          f"{calls / ours[0]:>10.1f}x {secs / ours[1]:>9.1f}x")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
    print("protocol: Odoo 17 = JSON-RPC (odoorpc) for every poster; Odoo 19 = JSON-2 for ours, JSON-RPC for odoorpc")


if __name__ == "__main__":
    main()
