"""One Odoo database, several companies: `odoo.company_id` puts what the gateway posts in that company and
lets it see only that company's records, as Odoo's multi-company rules do for a user who switched to it."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooUnavailable
from gateway.journal.api import State
from gateway.odoo.client import connect
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Line
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import bigbox, order, settings_for
from tests.odoo.test_extraction import deliver
from tests.odoo.test_odoo16 import do_all, picking_of
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the pipeline test below

# Odoo's env.company / env.companies are the same in 16-19: 16 (its validation), 17 and 19 (JSON-2, API key)
pytestmark = pytest.mark.parametrize("sandbox", [16, 17, 19], ids=["odoo16", "odoo17", "odoo19"],
                                     indirect=True)

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


def test_a_call_without_allowed_company_ids_searches_every_company_of_the_user_and_creates_in_its_default(
        sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The sandbox as Odoo's env (odoo/api.py 16-19): `env.companies` falls back to every company the user may
    work in, `env.company` (the default of a new record's company_id) to the user's default company; the web
    session lists them all as the user's allowed companies."""
    canada = second_company(odoo)
    [home] = odoo.execute_kw("res.users", "read", [[odoo.env.uid], ["company_id"]])[0]["company_id"][:1]
    ours = odoo.execute_kw("sale.order", "create", [{"partner_id": 1, "client_order_ref": "PO-ANY"}])
    theirs = odoo.execute_kw("sale.order", "create", [{"partner_id": 1, "client_order_ref": "PO-ANY"}],
                             {"context": {"allowed_company_ids": [canada]}})
    rows = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-ANY")], ["company_id"]])
    assert {r["id"]: r["company_id"][0] for r in rows} == {ours: home, theirs: canada}
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-ANY")]],
                           {"context": {"allowed_company_ids": [home]}}) == [ours]
    companies = sandbox.session_info(odoo.env.uid)["user_companies"]
    assert (companies["current_company"], sorted(companies["allowed_companies"])) == (home, sorted(
        [str(home), str(canada)]))


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


async def test_without_a_company_id_a_po_number_of_the_other_company_is_a_new_order_in_the_default_one(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """No `odoo.company_id`, an API user who may work in two companies: Odoo's searches without
    `allowed_company_ids` see both companies' orders (env.companies), so the gateway sends its default company on
    every call. Canada's sale order under BigBox's PO number is not this company's: the 850 makes a new one here."""
    canada = second_company(odoo)
    [home] = odoo.execute_kw("res.users", "read", [[odoo.env.uid], ["company_id"]])[0]["company_id"][:1]
    [bigbox_id] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    theirs = odoo.execute_kw("sale.order", "create", [{"partner_id": bigbox_id, "client_order_ref": "4500001234"}],
                             {"context": {"allowed_company_ids": [canada]}})
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="as2", filename=SAMPLE.name,
                                                                    partner="bigbox"))
    assert run(pipeline, message.id, {State.DONE, State.QUARANTINED}).state is State.DONE
    [link] = [link for link in journal.odoo_links(message.id) if link.model == "sale.order"]
    assert link.role == "created" and link.record_id != theirs
    rows = odoo.execute_kw("sale.order", "read", [[theirs, link.record_id], ["company_id", "client_order_ref"]])
    assert {r["id"]: (r["company_id"][0], r["client_order_ref"]) for r in rows} == {
        theirs: (canada, "4500001234"), link.record_id: (home, "4500001234")}


async def test_a_failed_read_of_the_default_company_makes_the_order_wait(tmp_path: Path, examples: LoadedConfig,
                                                                         sandbox: SandboxServer,
                                                                         odoo: odoorpc.ODOO) -> None:
    """The user's default company is read at the login (res.users company_id): while that read fails the order
    waits (transient, the failed call named) and nothing is posted in no company; then it is posted in it."""
    second_company(odoo)
    [home] = odoo.execute_kw("res.users", "read", [[odoo.env.uid], ["company_id"]])[0]["company_id"][:1]
    sandbox.faults.drop_after_create["res.users.read"] = 99          # each answer lost, the retries too
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="as2", filename=SAMPLE.name,
                                                                    partner="bigbox"))
    first = pipeline.advance(message.id)
    assert first.state is State.RETRY_WAIT and re.search(r"cannot read the default company of the user 'admin', "
                                                         r"the company the gateway works in without odoo.company_id "
                                                         r"\(res.users.read: .*\); documents wait", first.last_error or "")
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500001234")]]) == []
    sandbox.faults.drop_after_create["res.users.read"] = 0
    assert run(pipeline, message.id, {State.DONE, State.QUARANTINED}).state is State.DONE
    [link] = [link for link in journal.odoo_links(message.id) if link.model == "sale.order"]
    assert odoo.execute_kw("sale.order", "read", [[link.record_id], ["company_id"]])[0]["company_id"][0] == home


def test_the_default_company_is_read_at_each_login(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Read once per connection: a client keeps the company it logged in with (the documents of one run stay in
    one company); a user whose default company was changed in Odoo is seen so at the next login (a restart)."""
    canada = second_company(odoo)
    [home] = odoo.execute_kw("res.users", "read", [[odoo.env.uid], ["company_id"]])[0]["company_id"][:1]
    before = connect(settings_for(sandbox), retry_base=0.01)
    odoo.execute_kw("res.users", "write", [[odoo.env.uid], {"company_id": canada}])
    after = connect(settings_for(sandbox), retry_base=0.01)
    try:
        made = [post(client, order(f"PO-LOGIN-{n}", lines=LINES), bigbox(), Cache())[0].record_id
                for n, client in enumerate((before, after))]
        rows = odoo.execute_kw("sale.order", "read", [made, ["company_id"]])
        assert [r["company_id"][0] for r in rows] == [home, canada]
        assert (before.company, after.company) == (home, canada)
    finally:
        before.close()
        after.close()


def test_documents_extracted_in_the_configured_company_name_that_company_as_ours(
        sandbox: SandboxServer, odoo: odoorpc.ODOO, journal: Any) -> None:
    """The ship-from of an ASN (and the seller of an 855, 810, 846) is the company the gateway works in: it was the
    API user's default company whatever `odoo.company_id` said, so a gateway working for Canada told partners it was
    the US company, with that company's GLN and address."""
    canada = second_company(odoo)
    there = connect(settings_for(sandbox, company_id=canada), retry_base=0.01)
    try:
        [link] = post(there, order("PO-MC-2", lines=LINES), bigbox(confirm_orders=True), Cache())
        if sandbox.version == 16:                     # 16 validates what was done (else its immediate transfer)
            do_all(odoo, picking_of(odoo, link.record_id))
        deliver(odoo, link.record_id)
        [asn] = extract_ship_notices(there, bigbox(), journal)
    finally:
        there.close()
    ship_from = asn.party("ship_from")
    assert ship_from is not None and ship_from.name == "Acme Distribution Canada", ship_from


def test_a_user_of_several_companies_without_company_id_is_warned_what_the_gateway_does_not_see(
        sandbox: SandboxServer, odoo: odoorpc.ODOO, caplog: pytest.LogCaptureFixture) -> None:
    """Without odoo.company_id the gateway works in the user's default company only; a gateway that served all of
    a user's companies before this release would silently stop sending the others' documents, so it says so."""
    default = connect(settings_for(sandbox), retry_base=0.01)
    default.close()
    assert "more companies" not in caplog.text                       # one company: nothing to say
    second_company(odoo)
    default = connect(settings_for(sandbox), retry_base=0.01)
    default.close()
    assert re.search(r"the Odoo user 'admin' may work in 1 more companies than its default one \(id \d+\).*one "
                     r"gateway per company", caplog.text), caplog.text
