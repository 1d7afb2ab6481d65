"""The sandbox speaks Odoo's wire protocols: payloads and error shapes as Odoo sends them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import xmlrpc.client
from collections.abc import Callable
from typing import Any

import odoorpc
import pytest

from gateway.odoo.sandbox import SandboxServer
from tests.odoo.conftest import API_KEY_19


def jsonrpc(server: SandboxServer, service: str, method: str, *args: Any) -> dict[str, Any]:
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 7,
                       "params": {"service": service, "method": method, "args": list(args)}}).encode()
    req = urllib.request.Request(server.url + "/jsonrpc", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200
        reply: dict[str, Any] = json.loads(resp.read())
    return reply


def secret(server: SandboxServer) -> str:
    return API_KEY_19 if server.version >= 19 else "admin"


def obj(server: SandboxServer, model: str, method: str, args: list[Any], kw: dict[str, Any] | None = None) -> Any:
    return jsonrpc(server, "object", "execute_kw", "demo", 2, secret(server), model, method, args, kw or {})


def json2(server: SandboxServer, model: str, method: str, body: Any, key: str | None = API_KEY_19,
          raw: bytes | None = None) -> tuple[int, Any, dict[str, str]]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"bearer {key}"
    data = raw if raw is not None else json.dumps(body).encode()
    req = urllib.request.Request(f"{server.url}/json/2/{model}/{method}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read()), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        payload = exc.read()
        return exc.code, json.loads(payload) if payload.startswith(b"{") else payload, dict(exc.headers)


# ---------------------------------------------------------------------------- JSON-RPC

def test_version_info_and_common_service(sandbox: SandboxServer) -> None:
    v = sandbox.version
    version = jsonrpc(sandbox, "common", "version")["result"]
    assert version == {"server_version": f"{v}.0", "server_version_info": [v, 0, 0, "final", 0, ""],
                       "server_serie": f"{v}.0", "protocol_version": 1}
    assert jsonrpc(sandbox, "common", "login", "demo", "admin", secret(sandbox))["result"] == 2
    assert jsonrpc(sandbox, "common", "login", "demo", "admin", "wrong")["result"] is False
    error = jsonrpc(sandbox, "common", "authenticate", "demo", "admin", "wrong", {})["error"]
    assert error["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert error["data"]["message"] == "Access Denied"
    assert jsonrpc(sandbox, "db", "list")["result"] == ["demo"]


def test_jsonrpc_error_payload_has_odoos_shape(sandbox: SandboxServer) -> None:
    reply = obj(sandbox, "no.such.model", "search", [[]])
    assert set(reply) == {"jsonrpc", "id", "error"} and reply["id"] == 7
    error = reply["error"]
    assert error["code"] == 200 and error["message"] == "Odoo Server Error"
    assert error["data"]["name"] == "odoo.exceptions.UserError"
    assert error["data"]["message"] == "Object no.such.model doesn't exist"
    assert error["data"]["arguments"] == ["Object no.such.model doesn't exist"]
    assert error["data"]["debug"].startswith("Traceback (most recent call last):")


@pytest.mark.parametrize("model,method,args,name,fragment", [
    ("sale.order", "_create_invoices", [[1]], "odoo.exceptions.AccessError", "Private methods"),
    ("res.partner", "read", [[99999], ["name"]], "odoo.exceptions.MissingError", "Record does not exist"),
    ("sale.order", "create", [{"client_order_ref": "X"}], "odoo.exceptions.ValidationError", "mandatory field"),
    ("res.partner", "frobnicate", [[1]], "builtins.AttributeError", "does not exist on the model"),
    ("res.partner", "search", [[("nope", "=", 1)]], "builtins.ValueError", "Invalid field res.partner.nope"),
    ("res.partner", "read", [[1]], "builtins.TypeError", None),
])
def test_every_error_class_travels(sandbox: SandboxServer, model: str, method: str, args: list[Any], name: str,
                                   fragment: str | None) -> None:
    kw = {"bogus": 1} if name == "builtins.TypeError" else {}
    error = obj(sandbox, model, method, args, kw)["error"]
    assert error["data"]["name"] == name
    if fragment:
        assert fragment in error["data"]["message"]


def test_result_none_leaves_out_the_result_key(sandbox: SandboxServer) -> None:
    # action_post returns False (not None) in 17+; a JSON null result would omit the key
    reply = jsonrpc(sandbox, "common", "version")
    assert "result" in reply and "error" not in reply


def test_odoorpc_browse_reads_many2one_as_ids(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    Partner = odoo.env["res.partner"]
    dc = Partner.browse(Partner.search([("barcode", "=", "0860001000023")])[0])
    assert dc.parent_id.ref == "BIGBOX"            # load=_classic_write then a lazy read of the parent
    assert dc.type == "delivery"
    assert odoo.env.ref("uom.product_uom_dozen").name == "Dozens"   # ir.model.data check_object_reference
    assert "sale.order" in odoo.env and "no.such.model" not in odoo.env   # ir.model search
    assert odoo.env.context["uid"] == 2


def test_read_formats(sandbox: SandboxServer) -> None:
    row = obj(sandbox, "res.partner", "read", [[8], ["parent_id", "ref", "child_ids"]])["result"][0]
    assert row == {"id": 8, "parent_id": [4, "BigBox Retail"], "ref": False, "child_ids": []}
    raw = obj(sandbox, "res.partner", "read", [[8], ["parent_id"]], {"load": "_classic_write"})["result"][0]
    assert raw["parent_id"] == 4
    fields = obj(sandbox, "sale.order", "fields_get", [], {"attributes": ["type", "relation"]})["result"]
    assert fields["partner_id"] == {"type": "many2one", "relation": "res.partner"}
    assert fields["state"]["type"] == "selection"
    names = obj(sandbox, "product.product", "name_search", ["WB-1"])["result"]
    assert names == [[1, "[WB-100] Blue Widget"]]
    assert obj(sandbox, "product.product", "search_count", [[("list_price", ">", 10)]])["result"] == 3
    ctx = obj(sandbox, "res.users", "context_get", [])["result"]
    assert ctx["uid"] == 2 and ctx["lang"] == "en_US"


@pytest.mark.parametrize("sandbox", [17, 18, 19], ids=["odoo17", "odoo18", "odoo19"], indirect=True)  # 18: its own names
def test_version_specific_field_names(sandbox: SandboxServer) -> None:
    line = obj(sandbox, "sale.order.line", "fields_get", [], {"attributes": ["type"]})["result"]
    product = obj(sandbox, "product.product", "fields_get", [], {"attributes": ["type"]})["result"]
    uom = obj(sandbox, "uom.uom", "fields_get", [], {"attributes": ["type"]})["result"]
    move = obj(sandbox, "stock.move", "fields_get", [], {"attributes": ["type"]})["result"]
    assert "quantity" in move and "picked" in move and "quantity_done" not in move
    if sandbox.version == 17:
        assert {"product_uom", "tax_id"} <= set(line) and "detailed_type" in product and "is_storable" not in product
        assert "category_id" in uom
    elif sandbox.version == 18:
        assert {"product_uom", "tax_id"} <= set(line) and "is_storable" in product and "detailed_type" not in product
    else:
        assert {"product_uom_id", "tax_ids"} <= set(line) and "product_uom" not in line
        assert "relative_factor" in uom and "category_id" not in uom
        error = obj(sandbox, "sale.order.line", "search_read", [[], ["product_uom"]])["error"]
        assert error["data"]["name"] == "builtins.ValueError"


# ---------------------------------------------------------------------------- XML-RPC

def test_xmlrpc_fault_codes(sandbox: SandboxServer) -> None:
    common = xmlrpc.client.ServerProxy(f"{sandbox.url}/xmlrpc/2/common")
    models = xmlrpc.client.ServerProxy(f"{sandbox.url}/xmlrpc/2/object")
    uid = common.authenticate("demo", "admin", secret(sandbox), {})
    assert uid == 2
    rows = models.execute_kw("demo", uid, secret(sandbox), "res.partner", "search_read",
                             [[("ref", "=", "NORTHWIND")]], {"fields": ["name"]})
    assert rows == [{"id": 5, "name": "Northwind Traders"}]
    cases: list[tuple[Callable[[], object], int, str]] = [
             (lambda: common.authenticate("demo", "admin", "bad", {}), 3, "Access Denied"),
             (lambda: models.execute_kw("demo", uid, secret(sandbox), "nope", "search", [[]]), 2,
              "Object nope doesn't exist"),
             (lambda: models.execute_kw("demo", uid, secret(sandbox), "res.partner", "_private", [[]]), 4,
              "Private methods"),
             (lambda: common.no_such_method(), 1, "Method not found")]
    for call, code, text in cases:
        with pytest.raises(xmlrpc.client.Fault) as info:
            call()
        assert info.value.faultCode == code and text in info.value.faultString


# ---------------------------------------------------------------------------- JSON-2

def test_json2_only_in_19(sandbox: SandboxServer) -> None:
    status, body, _headers = json2(sandbox, "res.partner", "search", {"domain": []})
    if sandbox.version < 19:
        assert status == 404
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(sandbox.url + "/web/version", timeout=5)
        return
    assert status == 200 and isinstance(body, list)
    with urllib.request.urlopen(sandbox.url + "/web/version", timeout=5) as resp:
        assert json.loads(resp.read()) == {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}


@pytest.fixture
def odoo19() -> Any:
    with SandboxServer(version=19, api_keys=[API_KEY_19]) as server:
        yield server


def test_json2_calls_and_errors(odoo19: SandboxServer) -> None:
    status, ids, _ = json2(odoo19, "res.partner", "search", {"domain": [["ref", "=", "BIGBOX"]]})
    assert (status, ids) == (200, [4])
    status, rows, headers = json2(odoo19, "res.partner", "read", {"ids": [4], "fields": ["name"]})
    assert rows == [{"id": 4, "name": "BigBox Retail"}] and headers["Content-Type"].startswith("application/json")
    status, created, _ = json2(odoo19, "crm.tag", "create", {"vals_list": [{"name": "a"}]})
    assert status == 200 and isinstance(created, list) and len(created) == 1
    status, body, headers = json2(odoo19, "res.partner", "search", {"domain": []}, key="wrong")
    assert status == 401 and body["name"] == "werkzeug.exceptions.Unauthorized" and body["message"] == "Invalid apikey"
    assert headers["WWW-Authenticate"] == "bearer"
    status, body, _ = json2(odoo19, "res.partner", "search", {"domain": []}, key="admin")   # a password is no key
    assert status == 401
    status, body, _ = json2(odoo19, "no.model", "search", {"domain": []})
    assert status == 404 and body["message"] == "the model 'no.model' does not exist"
    status, body, _ = json2(odoo19, "res.partner", "search", {"domain": [], "badparameter": 1})
    assert status == 422 and body["message"] == "got an unexpected keyword argument 'badparameter'"
    status, body, _ = json2(odoo19, "res.partner", "search", {})
    assert status == 422 and body["message"] == "missing a required argument: 'domain'"
    status, body, _ = json2(odoo19, "res.partner", "create", {"ids": [1], "vals_list": [{}]})
    assert status == 422 and body["message"] == "cannot call res.partner.create with ids"
    status, body, _ = json2(odoo19, "res.partner", "search", None, raw=b"{not json")
    assert status == 400 and body["message"].startswith("could not parse the body as json")
    status, body, _ = json2(odoo19, "res.partner", "read", {"ids": [99999], "fields": ["name"]})
    assert status == 404 and body["name"] == "odoo.exceptions.MissingError"
    status, body, _ = json2(odoo19, "sale.order", "create", {"vals_list": [{"client_order_ref": "x"}]})
    assert status == 422 and body["name"] == "odoo.exceptions.ValidationError"
    status, body, _ = json2(odoo19, "sale.order", "action_confirm", {"ids": [12345]})
    assert status == 404


def test_deprecated_rpc_can_be_turned_off() -> None:
    with SandboxServer(version=19, deprecated_rpc=False) as server:
        reply = jsonrpc(server, "object", "execute_kw", "demo", 2, "admin", "res.partner", "search", [[]], {})
        assert reply["error"]["code"] == 404
        assert jsonrpc(server, "common", "version")["result"]["server_version"] == "19.0"


# ---------------------------------------------------------------------------- web client endpoints, None results

def test_web_session_and_call_kw_need_the_cookie(sandbox: SandboxServer) -> None:
    import http.cookiejar
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def web(path: str, params: dict[str, Any], use: Any = opener) -> dict[str, Any]:
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}).encode()
        req = urllib.request.Request(sandbox.url + path, data=body, headers={"Content-Type": "application/json"})
        with use.open(req, timeout=5) as resp:
            reply: dict[str, Any] = json.loads(resp.read())
        return reply

    call = {"model": "res.partner", "method": "search_read", "args": [[("ref", "=", "BIGBOX")], ["name"]],
            "kwargs": {}}
    expired = web("/web/dataset/call_kw/res.partner/search_read", call)["error"]
    assert expired["code"] == 100 and expired["data"]["name"] == "odoo.http.SessionExpiredException"
    denied = web("/web/session/authenticate", {"db": "demo", "login": "admin", "password": "nope"})["error"]
    assert denied["data"]["name"] == "odoo.exceptions.AccessDenied"
    info = web("/web/session/authenticate", {"db": "demo", "login": "admin", "password": secret(sandbox)})["result"]
    assert info["uid"] == 2 and info["db"] == "demo" and "session_id" not in info
    assert any(c.name == "session_id" for c in jar)
    assert web("/web/dataset/call_kw/res.partner/search_read", call)["result"] == [{"id": 4, "name": "BigBox Retail"}]
    assert web("/web/session/get_session_info", {})["result"]["username"] == "admin"
    web("/web/session/destroy", {})
    assert web("/web/dataset/call_kw", call)["error"]["code"] == 100


def test_none_results(sandbox: SandboxServer) -> None:
    """`button_draft` returns None: JSON-RPC leaves `result` out; XML-RPC cannot marshal it (fault 1)."""
    move = obj(sandbox, "account.move", "create", [{"move_type": "out_invoice", "partner_id": 4, "invoice_line_ids": [
        [0, 0, {"product_id": 1, "quantity": 1}]]}])["result"]
    assert obj(sandbox, "account.move", "action_post", [[move]])["result"] is False
    reply = obj(sandbox, "account.move", "button_draft", [[move]])
    assert "result" not in reply and "error" not in reply
    models = xmlrpc.client.ServerProxy(f"{sandbox.url}/xmlrpc/2/object")
    with pytest.raises(xmlrpc.client.Fault) as info:
        models.execute_kw("demo", 2, secret(sandbox), "account.move", "button_draft", [[move]])
    assert info.value.faultCode == 1 and "cannot marshal None" in info.value.faultString
