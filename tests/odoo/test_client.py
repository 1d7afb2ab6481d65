"""The gateway's Odoo client over real HTTP: protocol choice, error mapping, retries where safe."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from gateway.config.models import OdooSettings
from gateway.errors import OdooRejected, OdooStopped, OdooUnavailable
from gateway.odoo.client import Json2Client, JsonRpcClient, OdooClient, backoff_delay, connect, version_of
from gateway.odoo.sandbox import SandboxServer
from tests.helpers.wait import wait_for
from tests.odoo.conftest import API_KEY_19, settings_for


def test_auto_protocol_follows_the_version(sandbox: SandboxServer, client: OdooClient) -> None:
    assert client.version == (sandbox.version, 0)
    assert client.protocol == ("json2" if sandbox.version >= 19 else "jsonrpc")
    assert client.search_read("res.partner", [("ref", "=", "BIGBOX")], ["name"]) == [{"id": 4, "name": "BigBox Retail"}]


def test_jsonrpc_can_be_forced_on_19() -> None:
    with SandboxServer(19, api_keys=[API_KEY_19]) as server:
        c = connect(settings_for(server, protocol="jsonrpc"))
        assert isinstance(c, JsonRpcClient) and c.version == (19, 0)
        assert c.create("crm.tag", {"name": "x"}) > 0


@pytest.mark.parametrize("model,method,args,kwargs,name,text", [
    ("sale.order", "_create_invoices", [[1]], {}, "odoo.exceptions.AccessError", "Private methods"),
    ("res.partner", "read", [[99999], ["name"]], {}, "odoo.exceptions.MissingError", "Record does not exist"),
    ("sale.order", "create", [{"client_order_ref": "x"}], {}, "odoo.exceptions.ValidationError", "mandatory"),
    ("sale.order", "action_confirm", [[]], {}, None, None),
    ("res.partner", "search", [[("nope", "=", 1)]], {}, "builtins.ValueError", "Invalid field"),
])
def test_odoo_errors_become_rejections_with_odoos_message(client: OdooClient, model: str, method: str,
                                                           args: list[Any], kwargs: dict[str, Any], name: str | None,
                                                           text: str | None) -> None:
    if name is None:
        assert client.call(model, method, *args, **kwargs) is True
        return
    with pytest.raises(OdooRejected) as info:
        client.call(model, method, *args, **kwargs)
    assert info.value.odoo_error == name
    assert text is not None and text in str(info.value) and name in str(info.value)


def test_user_error_from_a_business_method(client: OdooClient) -> None:
    order = client.create("sale.order", {"partner_id": 4, "order_line": [[0, 0, {"product_id": 1}]]})
    client.call("sale.order", "action_confirm", [order])
    with pytest.raises(OdooRejected) as info:
        client.call("sale.order", "action_confirm", [order])
    assert info.value.odoo_error == "odoo.exceptions.UserError"
    assert "not in a state requiring confirmation" in str(info.value)


def test_access_error_for_a_restricted_user() -> None:
    with SandboxServer(17) as server:
        c = connect(OdooSettings(url=server.url, username="portal", password="portal", timeout=5))
        with pytest.raises(OdooRejected) as info:
            c.search("sale.order", [])
        assert info.value.odoo_error == "odoo.exceptions.AccessError"
        assert "You are not allowed to access 'Sales Order' (sale.order) records" in str(info.value)


def test_503_and_serialization_failures_are_retried(sandbox: SandboxServer, client: OdooClient) -> None:
    sandbox.faults.unavailable = 2
    sandbox.faults.serialization = 1
    before = client.calls
    tag = client.create("crm.tag", {"name": "retried"})      # a write: retried because Odoo surely did not run it
    assert client.calls - before == 4
    assert client.search("crm.tag", [("name", "=", "retried")]) == [tag]


def test_lock_conflict_is_transient(sandbox: SandboxServer, client: OdooClient) -> None:
    sandbox.faults.lock = 1
    assert client.search("res.partner", [("ref", "=", "BIGBOX")]) == [4]


def test_retries_exhausted_is_unavailable(sandbox: SandboxServer, client: OdooClient) -> None:
    sandbox.faults.unavailable = 10
    with pytest.raises(OdooUnavailable, match="503"):
        client.search("res.partner", [])


def test_a_daemons_stop_ends_the_retry_wait_without_another_attempt(sandbox: SandboxServer) -> None:
    """Odoo answers 503 (retried with backoff); the daemon's stop ends its client's wait at once with OdooStopped,
    after the one attempt. Each daemon has its own stop (tests run several in one process): another's client,
    not stopped, retries on and gets its answer."""
    halt, other = threading.Event(), threading.Event()
    # a backoff of 10 to 20 s: a wait the stop did not end would not fit the join below
    client = connect(settings_for(sandbox, retry_max=5), retry_base=20.0, halt=halt)
    sandbox.faults.unavailable = 1
    outcome: list[BaseException | list[int]] = []
    before = client.calls
    worker = threading.Thread(target=lambda: outcome.append(_outcome(client)))
    worker.start()
    wait_for(lambda: sandbox.faults.unavailable == 0, message="the first attempt answered 503")
    halt.set()
    worker.join(30)
    assert not worker.is_alive()
    [error] = outcome
    assert isinstance(error, OdooStopped) and error.transient and "the gateway is stopping" in str(error), error
    assert client.calls - before == 1                          # no attempt after the stop
    sandbox.faults.unavailable = 1
    running = connect(settings_for(sandbox, retry_max=5), retry_base=0.01, halt=other)
    assert running.search("res.partner", [("ref", "=", "BIGBOX")]) == [4]


def _outcome(client: OdooClient) -> BaseException | list[int]:
    try:
        return client.search("res.partner", [("ref", "=", "BIGBOX")])
    except OdooUnavailable as exc:
        return exc


def test_a_dropped_write_is_not_retried_blindly(sandbox: SandboxServer, client: OdooClient) -> None:
    sandbox.faults.drop_after_create["crm.tag"] = 1
    with pytest.raises(OdooUnavailable):
        client.create("crm.tag", {"name": "committed"})
    # the server committed before dropping the connection: exactly one record, not two
    assert len(client.search("crm.tag", [("name", "=", "committed")])) == 1


def test_timeout_is_unavailable(sandbox: SandboxServer) -> None:
    c = connect(settings_for(sandbox, retry_max=0).model_copy(update={"timeout": 0.3}), retry_base=0.01)
    sandbox.faults.delay = 1.0
    with pytest.raises(OdooUnavailable):
        c.search("res.partner", [])
    sandbox.faults.delay = 0.0


def test_nobody_listening_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(OdooUnavailable, match="cannot reach Odoo"):
        connect(OdooSettings(url=f"http://127.0.0.1:{port}", password="x", timeout=2, retry_max=1), retry_base=0.01)


def test_wrong_secret_is_unavailable_not_a_document_problem(sandbox: SandboxServer) -> None:
    with pytest.raises(OdooUnavailable, match="refused"):
        connect(OdooSettings(url=sandbox.url, password="wrong", timeout=5))


def test_json2_maps_positional_arguments_to_names() -> None:
    with SandboxServer(19, api_keys=[API_KEY_19]) as server:
        c = connect(settings_for(server))
        assert isinstance(c, Json2Client)
        assert c.call("res.partner", "search", [("ref", "=", "BIGBOX")], 0, 1) == [4]
        assert c.call("res.partner", "read", [4], ["ref"]) == [{"id": 4, "ref": "BIGBOX"}]
        assert c.call("res.partner", "write", [4], {"comment": "<p>x</p>"}) is True
        assert isinstance(c.create("crm.tag", {"name": "one"}), int)
        assert len(c.create_many("crm.tag", [{"name": "a"}, {"name": "b"}])) == 2
        assert c.call("ir.model.data", "check_object_reference", "base", "main_company") == ["res.company", 1]


def test_backoff_grows_and_is_capped() -> None:
    assert all(0.25 <= backoff_delay(1, 0.5) <= 0.5 for _ in range(20))
    assert all(backoff_delay(10, 0.5, cap=3.0) <= 3.0 for _ in range(20))


def test_secret_from_a_password_file(tmp_path: Path) -> None:
    from gateway.errors import ConfigError
    from gateway.odoo.client import resolve_secret
    (tmp_path / "odoo-key").write_text("s3cret\n")
    assert resolve_secret(OdooSettings(password_file=tmp_path / "odoo-key")) == "s3cret"
    with pytest.raises(ConfigError, match="no Odoo password"):
        resolve_secret(OdooSettings())


@pytest.mark.parametrize("info,expected", [([17, 0, 0, "final", 0, ""], (17, 0)), (["saas~19", 1, 0, "final", 0], (19, 1)),
                                           (["saas~18", 3], (18, 3)), (["x"], (0, 0)), ([], (0, 0))])
def test_server_versions_of_odoo_online_read_as_their_major(info: list[Any], expected: tuple[int, int]) -> None:
    """Odoo Online answers version_info with "saas~19"; read as 0, `auto` would speak the deprecated /jsonrpc."""
    assert version_of(info) == expected
