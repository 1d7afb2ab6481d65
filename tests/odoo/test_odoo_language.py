"""Names Odoo keeps per language (units, taxes, products) are matched the same whatever the protocol and the
database's languages: a French Odoo 19 whose English was archived answers JSON-2 calls in French unless the call
names a language, and the gateway's JSON-2 calls name en_US, as JSON-RPC's execute_kw reads anyway."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected
from gateway.journal.api import State
from gateway.journal.sqlite import open_journal
from gateway.odoo.client import connect
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Party, PurchaseOrder, Source
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import API_KEY_19, settings_for
from tests.odoo.test_outbound_odd_odoo import (
    BIGBOX_DC,
    invoiced,
    line,
    ordered,
    pack_and_ship,
    rendered_and_read_back,
    tax,
)
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run  # noqa: F401

PROTOCOLS = ["json2", "jsonrpc"]


@pytest.fixture
def french() -> Any:
    """Odoo 19 set up in French, English archived: the API user, the company and the customers speak fr_FR."""
    with SandboxServer(19, api_keys=[API_KEY_19], lang="fr_FR") as server:
        yield server


def odoo_for(server: SandboxServer) -> odoorpc.ODOO:
    o = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=10)
    o.login("demo", "admin", API_KEY_19)
    return o


def json2_names(server: SandboxServer, model: str, headers: dict[str, str] | None = None,
                **body: Any) -> list[str]:
    request = urllib.request.Request(f"{server.url}/json/2/{model}/search_read", method="POST", data=json.dumps(
        {"domain": [], "fields": ["name"], "order": "id", **body}).encode(), headers={
        "Content-Type": "application/json", "Authorization": f"bearer {API_KEY_19}", **(headers or {})})
    with urllib.request.urlopen(request, timeout=5) as response:
        return [r["name"] for r in json.loads(response.read())]


def on_both_protocols(server: SandboxServer, tmp_path: Path, extract: Callable[..., list[Any]],
                      partner: PartnerConfig) -> dict[str, Any]:
    """The one document `extract` finds for `partner` over each protocol, each with a journal of its own."""
    docs = {}
    for protocol in PROTOCOLS:
        client = connect(settings_for(server, protocol=protocol), retry_base=0.01)
        journal = open_journal(tmp_path / protocol)
        [docs[protocol]] = extract(client, partner, journal)
        journal.close()
        client.close()
    return docs


# --------------------------------------------------------------------------- the sandbox's rule, as Odoo's

def test_json2_reads_the_requests_language_and_execute_kw_the_contexts(french: SandboxServer) -> None:
    """JSON-2 without a context: Accept-Language's language if active, else (English archived) the company's;
    execute_kw without one: en_US. A context's lang wins on both; a search compares the names of that language."""
    odoo = odoo_for(french)
    assert json2_names(french, "uom.uom")[:2] == ["Unités", "Douzaines"]
    assert json2_names(french, "uom.uom", headers={"Accept-Language": "en-US,en;q=0.8"})[:2] == ["Unités", "Douzaines"]
    assert json2_names(french, "uom.uom", context={"lang": "en_US"})[:2] == ["Units", "Dozens"]
    assert json2_names(french, "uom.uom", domain=[["name", "=", "Units"]]) == []
    assert [r["name"] for r in odoo.execute_kw("uom.uom", "search_read", [[("name", "=", "Units")], ["name"]])] \
        == ["Units"]
    assert [r["name"] for r in odoo.execute_kw("account.tax", "search_read", [[], ["name"]],
                                               {"context": {"lang": "fr_FR"}})] == ["Taxe 15 %", "Taxe 15 % (achat)"]
    assert odoo.execute_kw("res.users", "context_get", [])["lang"] == "fr_FR"
    french.db.languages["en_US"] = True             # English active again: the request's language is en_US
    assert json2_names(french, "uom.uom")[:2] == ["Units", "Dozens"]
    assert json2_names(french, "uom.uom", headers={"Accept-Language": "fr-FR,fr;q=0.9"})[:2] == ["Unités", "Douzaines"]


def test_a_name_written_in_a_language_changes_that_language_only(french: SandboxServer) -> None:
    odoo = odoo_for(french)
    [units] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])
    odoo.execute_kw("uom.uom", "write", [[units], {"name": "Pièces"}], {"context": {"lang": "fr_FR"}})
    assert odoo.execute_kw("uom.uom", "read", [[units], ["name"]])[0]["name"] == "Units"
    assert json2_names(french, "uom.uom")[0] == "Pièces"


def test_a_contacts_language_is_one_the_database_has(french: SandboxServer) -> None:
    """res.partner `lang` is a selection of the active languages, by default the call's: none over execute_kw
    without a context, the company's over JSON-2 (English archived), and en_US is refused."""
    odoo = odoo_for(french)
    plain = odoo.execute_kw("res.partner", "create", [{"name": "Sans langue"}])
    assert odoo.execute_kw("res.partner", "read", [[plain], ["lang"]])[0]["lang"] is False
    with pytest.raises(odoorpc.error.RPCError, match="Wrong value for res.partner.lang: 'en_US'"):
        odoo.execute_kw("res.partner", "create", [{"name": "English"}], {"context": {"lang": "en_US"}})
    request = urllib.request.Request(f"{french.url}/json/2/res.partner/create", method="POST", data=json.dumps(
        {"vals_list": [{"name": "Client"}]}).encode(), headers={"Content-Type": "application/json",
                                                                 "Authorization": f"bearer {API_KEY_19}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        [made] = json.loads(response.read())
    assert odoo.execute_kw("res.partner", "read", [[made], ["lang"]])[0]["lang"] == "fr_FR"


def test_odoo_17_refuses_a_language_the_database_has_not(french: SandboxServer) -> None:
    with SandboxServer(17) as server:
        odoo = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=10)
        odoo.login("demo", "admin", "admin")
        with pytest.raises(odoorpc.error.RPCError, match="Invalid language code: de_DE"):
            odoo.execute_kw("uom.uom", "search_read", [[], ["name"]], {"context": {"lang": "de_DE"}})


# --------------------------------------------------------------------------- the gateway

@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_an_850_in_units_and_dozens_posts_on_a_french_odoo(tmp_path: Path, examples: LoadedConfig,  # noqa: F811
                                                                 french: SandboxServer, protocol: str) -> None:
    """BigBox's 850 with a line in EA and one in DZ: the units are Odoo's "Units" and "Dozens" by their English
    names (the gateway's built-in map). Over JSON-2 the French database answered "Unités": every order was
    quarantined, "unit 'EA' maps to Odoo unit 'Units', which does not exist in Odoo"."""
    data = SAMPLE.read_bytes().replace(b"PO1*3*6*EA*42.00*", b"PO1*3*1*DZ*504.00*").replace(
        b"PO4*12*1*EA~\nCTT*3*78~", b"CTT*3*73~").replace(b"SE*25*", b"SE*24*")
    pipeline, journal = pipeline_for(tmp_path, examples, french, protocol=protocol)
    message = await pipeline.submit(data, IntakeMeta(channel="as2", filename=SAMPLE.name, partner="bigbox"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [link] = journal.odoo_links(message.id)
    odoo = odoo_for(french)
    lines = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", link.record_id)],
                                                               ["product_uom_id", "product_uom_qty"]], {"order": "id"})
    assert [(r["product_uom_id"][1], r["product_uom_qty"]) for r in lines] == [("Units", 24.0), ("Units", 48.0),
                                                                              ("Dozens", 1.0)]


def test_an_invoice_reads_the_same_on_both_protocols(tmp_path: Path, examples: LoadedConfig,  # noqa: F811
                                                     french: SandboxServer) -> None:
    """An invoice's tax is named in English ("Tax 15%", which the partner's `odoo.tax_types` maps) and its units
    too (Units: EA), over JSON-2 as over JSON-RPC; the item descriptions are Odoo's, in the customer's French on
    both. Over JSON-2 the tax was "Taxe 15 %" (sent as the partner's default type) and the unit "Unités"."""
    odoo = odoo_for(french)
    poster = connect(settings_for(french, protocol="jsonrpc"), retry_base=0.01)
    order_id = ordered(examples, poster, "bigbox", "PO-FR-1", BIGBOX_DC,
                       [line("1", {"buyer": "BB-1001"}, 24), line("2", {"buyer": "BB-1003"}, 1, "DZN")])
    sales = tax(odoo, "Tax 15%", 15.0)
    invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [sales])]}, {"tax_ids": [(6, 0, [sales])]}])
    partner = examples.partners["bigbox"].model_copy(deep=True)
    partner.odoo = partner.odoo.model_copy(update={"tax_types": {"Tax 15%": "local"}})
    docs = on_both_protocols(french, tmp_path, extract_invoices, partner)
    doc = docs["json2"]
    assert [(ln.unit, ln.description, [(t.type, t.amount) for t in ln.taxes]) for ln in doc.lines] == [
        ("EA", "[WB-100] Widget bleu", [("local", Decimal("45.00"))]),
        ("DZN", "[GL-300] Grand gadget", [("local", Decimal("75.60"))])]
    assert doc.model_dump() == docs["jsonrpc"].model_dump()
    journal = open_journal(tmp_path / "render")
    data, _back = rendered_and_read_back(examples, journal, "bigbox", doc, "810")
    journal.close()
    assert b"TXI*LT*45" in data and b"IT1*2*1*DZ*504" in data


def test_a_caller_that_names_a_language_gets_it(french: SandboxServer) -> None:
    client = connect(settings_for(french, protocol="json2"), retry_base=0.01)
    assert [r["name"] for r in client.search_read("uom.uom", [], ["name"], order="id")][:2] == ["Units", "Dozens"]
    assert [r["name"] for r in client.search_read("uom.uom", [], ["name"], order="id", context={"lang": "fr_FR"})][
        :2] == ["Unités", "Douzaines"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_unit_named_as_french_users_see_it_is_refused_saying_names_are_english(
        examples: LoadedConfig, french: SandboxServer, protocol: str) -> None:  # noqa: F811
    """A partner's `odoo.units` naming "Unités" (as the French screens show it) matches on neither protocol, and the
    reason says why: Odoo's names are read in English."""
    partner = examples.partners["bigbox"].model_copy(deep=True)
    partner.odoo = partner.odoo.model_copy(update={"units": {"EA": "Unités"}})
    doc = PurchaseOrder(number="PO-FR-2", parties=[BIGBOX_DC], lines=[line("1", {"buyer": "BB-1001"}, 24)],
                        source=Source(standard_type="850", message_id="01FRENCH"))
    client = connect(settings_for(french, protocol=protocol), retry_base=0.01)
    with pytest.raises(OdooRejected, match=r"Odoo unit 'Unités', which does not exist in Odoo \(units are named as "
                                           r"Odoo keeps them in English, en_US"):
        post(client, doc, partner, Cache())


def test_a_ship_notice_names_its_items_the_same_on_both_protocols(tmp_path: Path, examples: LoadedConfig,  # noqa: F811
                                                                 french: SandboxServer) -> None:
    """The 856's item descriptions are the products' names in the customer's language, as its 810 (Odoo's invoice
    line text) names them ("Widget bleu"), and its units Odoo's unit names read back to codes in English (EA and
    DZN), the same on both protocols. Over JSON-2 the units were "Unités", which no partner setting maps (the notice
    was held at its unit element)."""
    poster = connect(settings_for(french, protocol="jsonrpc"), retry_base=0.01)
    order_id = ordered(examples, poster, "bigbox", "PO-FR-3", BIGBOX_DC,
                       [line("1", {"buyer": "BB-1001"}, 24), line("2", {"buyer": "BB-1003"}, 1, "DZN")])
    pack_and_ship(odoo_for(french), order_id, [])
    docs = on_both_protocols(french, tmp_path, extract_ship_notices, examples.partners["bigbox"])
    items = [(i.description, i.unit, i.quantity) for i in docs["json2"].all_items()]
    assert items == [("Widget bleu", "EA", Decimal(24)), ("Grand gadget", "DZN", Decimal(1))]
    assert docs["json2"].model_dump() == docs["jsonrpc"].model_dump()


def test_a_web_session_reads_in_its_users_language(french: SandboxServer) -> None:
    """The one place the API user's language counts: a web session's context is the user's (`context_get` at the
    login), so /web/dataset/call_kw reads French, and session_info's user_context says fr_FR."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def web(path: str, params: dict[str, Any]) -> Any:
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}).encode()
        request = urllib.request.Request(french.url + path, data=body, headers={"Content-Type": "application/json"})
        with opener.open(request, timeout=5) as response:
            return json.loads(response.read())["result"]

    info = web("/web/session/authenticate", {"db": "demo", "login": "admin", "password": API_KEY_19})
    assert info["user_context"]["lang"] == "fr_FR"
    rows = web("/web/dataset/call_kw", {"model": "uom.uom", "method": "search_read", "args": [[], ["name"]],
                                        "kwargs": {"limit": 1}})
    assert rows[0]["name"] == "Unités"
    rows = web("/web/dataset/call_kw", {"model": "uom.uom", "method": "search_read", "args": [[], ["name"]],
                                        "kwargs": {"limit": 1, "context": {"lang": "en_US"}}})
    assert rows[0]["name"] == "Units"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_new_delivery_address_is_made_on_a_french_odoo(examples: LoadedConfig, french: SandboxServer,  # noqa: F811
                                                         protocol: str) -> None:
    """A ship-to Odoo does not have yet, made as the partner's settings allow (`odoo.create_ship_to`): its
    language is Odoo's default for the call, which must be one the database has. In English (every call of
    JSON-2 once carried lang en_US) a database whose English is archived refused the contact: "Wrong value for
    res.partner.lang: 'en_US'"; only reads are made in English."""
    partner = examples.partners["bigbox"].model_copy(deep=True)
    partner.odoo = partner.odoo.model_copy(update={"create_ship_to": True})
    store = Party(role="ship_to", name="BigBox Magasin 7", ids={"gln": "0860001000078"})
    doc = PurchaseOrder(number="PO-FR-4", parties=[store], lines=[line("1", {"buyer": "BB-1001"}, 24)],
                        source=Source(standard_type="850", message_id="01FRENCH4"))
    client = connect(settings_for(french, protocol=protocol), retry_base=0.01)
    link = next(k for k in post(client, doc, partner, Cache()) if k.model == "sale.order")
    [order] = odoo_for(french).execute_kw("sale.order", "read", [[link.record_id], ["partner_shipping_id"]])
    assert order["partner_shipping_id"][1].endswith("BigBox Magasin 7")
