"""One Odoo database, several companies: `odoo.company_id` puts what the gateway posts in that company and
lets it see only that company's records, as Odoo's multi-company rules do for a user who switched to it."""

from __future__ import annotations

from decimal import Decimal

import odoorpc
import pytest

from gateway.errors import OdooUnavailable
from gateway.odoo.client import connect
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Line
from tests.odoo.conftest import bigbox, order, settings_for

# by GTIN: products are shared by the companies; the buyer's item numbers (product.customerinfo) belong to one
LINES = [Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(2))]


def second_company(odoo: odoorpc.ODOO, allowed: bool = True) -> int:
    """A second company (Canada), which the API user may work in when `allowed`."""
    partner = odoo.execute_kw("res.partner", "create", [{"name": "Acme Distribution Canada", "is_company": True}])
    company = int(odoo.execute_kw("res.company", "create", [{"name": "Acme Distribution Canada",
                                                               "partner_id": partner}]))
    if allowed:
        [uid] = odoo.execute_kw("res.users", "search", [[("login", "=", "admin")]])
        odoo.execute_kw("res.users", "write", [[uid], {"company_ids": [(4, company)]}])
    return company


def test_orders_go_to_the_configured_company_and_each_company_keeps_its_own(sandbox: SandboxServer,
                                                                           odoo: odoorpc.ODOO) -> None:
    canada = second_company(odoo)
    [home] = odoo.execute_kw("res.users", "read", [[odoo.env.uid], ["company_id"]])[0]["company_id"][:1]
    there = connect(settings_for(sandbox, company_id=canada), retry_base=0.01)
    default = connect(settings_for(sandbox), retry_base=0.01)
    try:
        [made] = post(there, order("PO-MC-1", lines=LINES), bigbox(), Cache())
        [again] = post(there, order("PO-MC-1", lines=LINES), bigbox(), Cache())         # found again in that company
        assert (made.role, again.role, again.record_id) == ("created", "found", made.record_id)
        [home_order] = post(default, order("PO-MC-1", lines=LINES), bigbox(), Cache())   # the other company has none yet
        assert home_order.role == "created" and home_order.record_id != made.record_id
        rows = odoo.execute_kw("sale.order", "read", [[made.record_id, home_order.record_id], ["company_id"]])
        assert {r["id"]: r["company_id"][0] for r in rows} == {made.record_id: canada, home_order.record_id: home}
    finally:
        there.close()
        default.close()


def test_a_company_the_user_may_not_work_in_makes_documents_wait_with_the_reason(sandbox: SandboxServer,
                                                                                odoo: odoorpc.ODOO) -> None:
    canada = second_company(odoo, allowed=False)
    with pytest.raises(OdooUnavailable, match=rf"odoo.company_id {canada}: the user 'admin' may not work in that "
                                              r"company.*Access to unauthorized or invalid companies.*documents "
                                              r"wait") as caught:
        connect(settings_for(sandbox, company_id=canada), retry_base=0.01)
    assert caught.value.transient
