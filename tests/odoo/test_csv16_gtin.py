"""An item number Excel took the leading zeros off, through the real daemon (a file dropped into its inbox) and the
Odoo sandbox over HTTP (17, 19).

A marketplace's 'Artikelnummer' column holding the GTIN: Excel saves the GTIN-14 00614141000012 as 614141000012
(a number), and the UPC 012345678905 as 12345678905. Such an order was quarantined 'no product in Odoo for vendor
614141000012'. A CSV's item number of 8 to 13 digits whose GS1 check digit is right is now also looked up with its
zeros back, as a product's barcode or as our internal reference, in the lookup's second round (no more calls for
an order of more lines); a number whose check digit is wrong is not.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import odoorpc

from gateway.config.loader import load
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.formats.test_csv_encodings import HEADER, ROW
from tests.helpers.examples import EXAMPLES
from tests.helpers.gateway import GatewayProcess
from tests.helpers.wait import wait_for
from tests.odoo.conftest import API_KEY_19
from tests.odoo.test_pipeline_posting import pipeline_for
from tests.spine.test_repeated_documents import run
from tests.translate_other.test_csv16_currency import INBOX, line_values, shop_daemon


def _line(number: str, item: str, position: int = 1, ean: str = "") -> str:
    return ROW.replace("SM-2026-9001", number).replace(";1;WB-100;0614141000012;", f";{position};{item};{ean};")


def _products_of(odoo: odoorpc.ODOO, number: str) -> list[str]:
    return [product[1] for product in line_values(odoo, number, "product_id")]


def test_item_numbers_excel_stripped_of_their_zeros_find_their_products(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    server = sandbox
    # a distributor whose internal reference is the UPC, and a product with none but its UPC barcode
    odoo.execute_kw("product.product", "create", [{"name": "UPC Lamp", "default_code": "012345678905"}])
    odoo.execute_kw("product.product", "create", [{"name": "UPC Shade", "barcode": "036000291452"}])
    ws = shop_daemon(tmp_path, server.url)
    secret = API_KEY_19 if server.version >= 19 else "admin"
    with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": secret}):
        rows = [_line("SM-16-20", "614141000012"), _line("SM-16-20", "12345678905", 2),
                _line("SM-16-20", "36000291452", 3), _line("SM-16-20", "WR-200", 4)]
        ws.drop("orders_zeros.csv", "\r\n".join([HEADER, *rows, ""]).encode(), ws.root / INBOX)
        wait_for(lambda: ws.count(direction="in", state="done") == 1, message="the order posted")
        assert _products_of(odoo, "SM-16-20") == ["[WB-100] Blue Widget", "[012345678905] UPC Lamp", "UPC Shade",
                                               "[WR-200] Red Widget"]

        # one digit off: its check digit is wrong, so it is no GTIN and is not looked up with zeros
        ws.drop("orders_typo.csv", f"{HEADER}\r\n{_line('SM-16-21', '614141000013')}\r\n".encode(), ws.root / INBOX)
        [held] = wait_for(lambda: ws.messages(state="quarantined"), message="the order held")
        assert "no product in Odoo for vendor 614141000013" in held["last_error"], held
    assert _products_of(odoo, "SM-16-21") == []


def test_an_order_of_three_stripped_numbers_costs_the_calls_of_one(tmp_path: Path, sandbox: SandboxServer) -> None:
    server = sandbox
    examples = load(EXAMPLES / "gateway.yaml")
    calls = []
    for number, items in (("SM-16-29", ["SP-500"]), ("SM-16-30", ["614141000043"]),  # the first: calls made once
                          ("SM-16-31", ["614141000012", "614141000029", "614141000036"])):
        pipeline, _ = pipeline_for(tmp_path / number, dataclasses.replace(examples), server)   # a cold cache each
        rows = [_line(number, item, i) for i, item in enumerate(items, 1)]
        before = server.faults.calls
        message = run(pipeline, "\r\n".join([HEADER, *rows, ""]).encode(), f"{number}.csv", "shopmarket", "sftp")
        assert message.state is State.DONE, message.last_error
        calls.append(server.faults.calls - before)
    assert calls[1] == calls[2], calls
