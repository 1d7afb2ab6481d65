"""The daemon's stop (`Halt`) ends an Odoo call blocked on a socket that never answers, over real loopback HTTP.

Timeouts are 120 s and each wait here gives up after 30 s: a call the stop did not end would still be waiting.
The call ends as OdooStopped (a transient that the pipeline leaves as it stood, no attempt counted), never
as a plain OdooUnavailable (retry-counted) or a rejection (quarantine).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.models import OdooSettings
from gateway.errors import OdooStopped
from gateway.odoo.client import connect
from gateway.odoo.halt import Halt
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from tests.helpers.stalled_odoo import SilentOdoo, StallingProxy, UnreachableOdoo
from tests.helpers.wait import wait_for, wait_for_async
from tests.odoo.conftest import API_KEY_19, order, settings_for
from tests.odoo.test_extraction import deliver
from tests.odoo.test_scheduler import BIGBOX, Ctx, json_render, outbound
from tests.transports.certs import make_cert

WAIT = 30.0


@pytest.fixture
def silent() -> Iterator[SilentOdoo]:
    server = SilentOdoo()
    yield server
    server.close()


def odoo_at(url: str, **kw: Any) -> OdooSettings:
    """Settings for an Odoo that never answers: `odoo.timeout` 120 s and 30 retries, unless `kw` says otherwise."""
    values: dict[str, Any] = {"timeout": 120.0, "retry_max": 30, **kw}
    return OdooSettings(url=url, database="demo", username="admin", password="admin", **values)


def stopped_while(call: Callable[[], Any], waiting: Callable[[], Any], halt: threading.Event) -> BaseException:
    """Run `call` in a thread, as the pipeline's workers run Odoo calls; once `waiting` says it waits on Odoo, set
    the stop (`halt`); what the call raised. Fails if the call still runs WAIT seconds later."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_for(waiting, message="the call waiting on Odoo")
    halt.set()
    thread.join(WAIT)
    assert not thread.is_alive(), "the call still waits on Odoo's socket"
    [error] = outcome
    assert isinstance(error, BaseException), error
    return error


@pytest.mark.parametrize("protocol", ["auto", "jsonrpc", "json2"])
def test_a_stop_ends_a_login_waiting_on_an_odoo_that_never_answers(silent: SilentOdoo, protocol: str) -> None:
    """The first thing a client does (version probe, odoorpc's version_info): Odoo took the connection and says
    nothing. The stop ends the wait at once, with no other attempt, although 30 retries are allowed."""
    halt = Halt()
    settings = odoo_at(f"http://127.0.0.1:{silent.port}", protocol=protocol)
    error = stopped_while(lambda: connect(settings, retry_base=0.01, halt=halt), lambda: silent.accepted, halt)
    assert isinstance(error, OdooStopped), repr(error)
    assert "ended by the stop before Odoo answered" in str(error) and "the gateway is stopping" in str(error)
    assert len(silent.accepted) == 1                                  # not tried again


@pytest.mark.parametrize("protocol", ["jsonrpc", "json2"])
def test_a_stop_ends_a_connect_to_an_address_that_never_answers(protocol: str) -> None:
    """Odoo's host gone behind a firewall that drops packets: the client waits in the TCP connect (SYN_SENT),
    which the stop ends as it ends a read."""
    unreachable = UnreachableOdoo()
    try:
        halt = Halt()
        settings = odoo_at(f"http://127.0.0.1:{unreachable.port}", protocol=protocol)
        error = stopped_while(lambda: connect(settings, retry_base=0.01, halt=halt), unreachable.connecting, halt)
        assert isinstance(error, OdooStopped) and "ended by the stop" in str(error), repr(error)
    finally:
        unreachable.close()


@pytest.mark.parametrize("protocol", ["jsonrpc", "json2"])
def test_a_stop_ends_a_wait_on_an_odoo_behind_tls_that_never_answers(tmp_path: Path, protocol: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTPS: the TLS front end completes the handshake and Odoo behind it never answers; the stop shuts down the
    TLS connection's socket (not through SSLSocket.shutdown, which would pull its TLS state from under the read)."""
    cert = make_cert(tmp_path / "tls", "odoo", dns="localhost")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert.cert_path))         # the client trusts this Odoo's certificate
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert.cert_path, cert.key_path)
    silent = SilentOdoo(tls=tls)
    try:
        halt = Halt()
        settings = odoo_at(f"https://127.0.0.1:{silent.port}", protocol=protocol)
        error = stopped_while(lambda: connect(settings, retry_base=0.01, halt=halt), lambda: silent.greeted, halt)
        assert isinstance(error, OdooStopped) and "ended by the stop" in str(error), repr(error)
        assert len(silent.accepted) == 1
    finally:
        silent.close()


@pytest.mark.parametrize("protocol", ["jsonrpc", "json2"])
def test_a_stop_ends_a_tls_handshake_odoo_never_answers(silent: SilentOdoo, protocol: str) -> None:
    """HTTPS to a server that takes the connection and never answers the TLS ClientHello: the client waits in the
    handshake, which the stop ends as it ends a read."""
    halt = Halt()
    settings = odoo_at(f"https://127.0.0.1:{silent.port}", protocol=protocol)
    error = stopped_while(lambda: connect(settings, retry_base=0.01, halt=halt), lambda: silent.accepted, halt)
    assert isinstance(error, OdooStopped) and "ended by the stop" in str(error), repr(error)
    assert len(silent.accepted) == 1


def test_a_plain_event_still_leaves_the_socket_to_its_timeout(silent: SilentOdoo) -> None:
    """Only a Halt shuts sockets down (a plain Event ends backoff waits only): the control for the test above."""
    halt = threading.Event()
    settings = odoo_at(f"http://127.0.0.1:{silent.port}", protocol="json2", timeout=1.0, retry_max=0)
    error = stopped_while(lambda: connect(settings, halt=halt), lambda: silent.accepted, halt)
    assert isinstance(error, OdooStopped) and "timed out" in str(error), repr(error)


def test_a_call_begun_after_the_stop_is_not_made(sandbox: SandboxServer) -> None:
    """A scheduler run's next read, a posting's next call: once the stop is set, none reaches Odoo."""
    halt = Halt()
    client = connect(settings_for(sandbox), retry_base=0.01, halt=halt)
    served = sandbox.faults.calls
    halt.set()
    with pytest.raises(OdooStopped, match="not begun: the gateway is stopping"):
        client.search("res.partner", [("ref", "=", "BIGBOX")])
    assert sandbox.faults.calls == served


def test_a_create_whose_answer_the_stop_cut_off_is_found_not_doubled(sandbox: SandboxServer) -> None:
    """Odoo committed the create, its answer hangs in a proxy; the stop ends the call as OdooStopped (not
    tried again), and the record exists once: what the next start's search-before-create finds."""
    proxy = StallingProxy(sandbox.port, stall=lambda request: b"crm.tag" in request and b"create" in request)
    try:
        halt = Halt()
        settings = settings_for(sandbox, url=f"http://127.0.0.1:{proxy.port}", timeout=120.0, retry_max=30)
        client = connect(settings, retry_base=0.01, halt=halt)
        error = stopped_while(lambda: client.create("crm.tag", {"name": "cut off"}), lambda: proxy.stalled, halt)
        assert isinstance(error, OdooStopped), repr(error)
        assert len(proxy.stalled) == 1                                     # sent once, not tried again
    finally:
        proxy.close()
    odoo = odoorpc.ODOO("127.0.0.1", port=sandbox.port, timeout=10)
    odoo.login("demo", "admin", API_KEY_19 if sandbox.version >= 19 else "admin")
    assert odoo.execute_kw("crm.tag", "search_count", [[("name", "=", "cut off")]]) == 1


async def test_a_scheduler_run_stops_between_its_reads_from_an_odoo_that_answers(
        sandbox: SandboxServer, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """A ship notice run reading a slow Odoo (each call answered after 0.2 s): the stop comes after its second
    read. No read after it reaches Odoo, nothing is queued or marked, and the next start's run sends the notice."""
    [link] = post(connect(settings_for(sandbox)), order(), BIGBOX, Cache())
    deliver(odoo, link.record_id)
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    client = connect(settings_for(sandbox, timeout=120.0), retry_base=0.01, halt=ctx.pipeline.halt)
    sandbox.faults.delay = 0.2
    begun = sandbox.faults.calls
    run = asyncio.create_task(OdooScheduler(ctx, lambda: client, render=json_render).run_once("bigbox", "856"))
    await wait_for_async(lambda: sandbox.faults.calls >= begun + 2, message="the run's second read")
    ctx.pipeline.halt.set()
    at_stop = sandbox.faults.calls
    assert await asyncio.wait_for(run, WAIT) == 0
    assert sandbox.faults.calls <= at_stop + 1          # at most a read already on its way as the stop came
    assert outbound(journal) == []
    # the next start: a new client (not stopping), Odoo quick again, and the whole run
    sandbox.faults.delay = 0.0
    again = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    fresh = connect(settings_for(sandbox), retry_base=0.01, halt=again.pipeline.halt)
    before = sandbox.faults.calls
    assert await OdooScheduler(again, lambda: fresh, render=json_render).run_once("bigbox", "856") == 1
    assert sandbox.faults.calls - before > at_stop + 1 - begun       # the stop did cut the run short
    assert len(outbound(journal)) == 1
