"""A service's bill control as Odoo sets it: purchase's product.template `_compute_purchase_method` (16-19) makes a
service "On ordered quantities" when it is created or becomes a service, goods "On received quantities". A service
nobody receives in stock is then billed against what was ordered, and the bill check says nothing of receipts for
it. Real cXML through the daemon's pipeline into the sandbox over HTTP, checked with odoorpc."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_cxml_vendor_bills import invoice, post_file
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_vendor15_cxml_service import service
from tests.odoo.test_vendor_bill_checks import bill, po_lines
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [16, 17, 18, 19], ids=["odoo16", "odoo17", "odoo18", "odoo19"],
                                     indirect=True)


def kind_field(sandbox: SandboxServer) -> str:
    return "detailed_type" if sandbox.version < 18 else "type"


async def test_services_as_odoo_makes_them_are_billed_on_what_was_ordered(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Installation and labour created as services, their bill control left as Odoo computes it; the vendor bills
    them on the confirmed PO. Nothing is received of a service, and nothing needs to be: the bill carries no note.
    With every product 'On received quantities' the bill said of each service 'more than was received'."""
    kind = kind_field(sandbox)
    services = [odoo.execute_kw("product.product", "create", [{"name": name.title(), "default_code": name,
                                                                kind: "service"}])
                for name in ("INSTALL", "LABOUR")]
    po, name = purchase(odoo, [(services[0], 1, 150.0), (services[1], 4, 40.0)])
    data = invoice("WW-CX-SVC-R", [(name, [
        service(1, 1, "INSTALL", "150.00"),
        service(2, 2, "LABOUR", "160.00",
                ' quantity="4"|<UnitOfMeasure>EA</UnitOfMeasure><UnitPrice><Money currency="USD">40.00</Money>'
                '</UnitPrice>')])], "310.00")
    [message] = await post_file(tmp_path, examples, sandbox, data)
    assert message.state is State.DONE, message.last_error
    install, labour = po_lines(odoo, po)
    made = bill(odoo, "WW-CX-SVC-R")
    assert sorted(made["lines"]) == sorted([(1.0, 150.0, install), (4.0, 40.0, labour)])
    assert "EDI" not in str(made["narration"] or "")


def test_a_products_bill_control_follows_its_type(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Created as goods: on received quantities; made a service: on ordered ones; goods again: received. One set
    by hand stays as set, on create and beside a type change in the same write."""
    kind = kind_field(sandbox)

    def method(template: int) -> str:
        return str(odoo.execute_kw("product.template", "read", [[template], ["purchase_method"]])[0]["purchase_method"])

    goods = odoo.execute_kw("product.template", "create", [{"name": "Crate"}])
    assert method(goods) == "receive"
    odoo.execute_kw("product.template", "write", [[goods], {kind: "service"}])
    assert method(goods) == "purchase"
    odoo.execute_kw("product.template", "write", [[goods], {kind: "consu"}])
    assert method(goods) == "receive"
    odoo.execute_kw("product.template", "write", [[goods], {kind: "service", "purchase_method": "receive"}])
    assert method(goods) == "receive"
    chosen = odoo.execute_kw("product.template", "create", [{"name": "Audit", kind: "service",
                                                             "purchase_method": "receive"}])
    assert method(chosen) == "receive"
