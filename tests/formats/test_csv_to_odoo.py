"""A marketplace's Excel export through the real pipeline into the Odoo sandbox over HTTP: the ship-to contact
Odoo makes carries the names as the customer typed them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import odoorpc

from gateway.config.loader import load
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.formats.test_csv_encodings import HEADER, ROW
from tests.helpers.examples import EXAMPLES
from tests.odoo.test_pipeline_posting import pipeline_for
from tests.spine.test_repeated_documents import run


def test_an_excel_csv_utf8_export_for_a_windows_1252_partner_reaches_odoo_with_its_accents(tmp_path: Path) -> None:
    """ShopMarket set up for Windows-1252 ('CSV' from a German Excel), then sent Excel's 'CSV UTF-8' with its
    headers retyped in capitals: the contact was 'JÃ¼rgen WeiÃŸ' in 'KÃ¶ln' (before that, with the mark, the
    file was quarantined: no row had a Bestellnummer)."""
    examples = load(EXAMPLES / "gateway.yaml")
    shop = examples.partners["shopmarket"]
    assert shop.csv is not None
    partners = {**examples.partners, "shopmarket": shop.model_copy(
        update={"csv": shop.csv.model_copy(update={"encoding": "cp1252"})})}
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    try:
        pipeline, _ = pipeline_for(tmp_path, dataclasses.replace(examples, partners=partners), server)
        export = b"\xef\xbb\xbf" + f"{HEADER.upper()}\r\n{ROW}\r\n".encode()
        message = run(pipeline, export, "orders_20261130.csv", "shopmarket", channel="sftp")
        assert message.state is State.DONE, message.last_error
        odoo = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=10)
        odoo.login("demo", "admin", "admin")
        [order] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "SM-2026-9001")]],
                                  {"fields": ["partner_shipping_id"]})
        [contact] = odoo.execute_kw("res.partner", "read", [[order["partner_shipping_id"][0]]],
                                    {"fields": ["name", "street", "city"]})
        assert (contact["name"], contact["street"], contact["city"]) == ("Jürgen Weiß", "Lindenallee 12", "Köln")
    finally:
        server.stop()
