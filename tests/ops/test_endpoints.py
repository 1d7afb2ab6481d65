"""The ops endpoint over a real journal: metrics parse with Prometheus' own parser, health reports each
check, the status page shows flow / stuck / quarantine / overdue acks with everything escaped."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.ops import start

from .conftest import PARTNERS, Served, World, fetch

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    return await asyncio.to_thread(fetch, url, method)


def samples(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(all_samples: Samples, name: str, **labels: str) -> float:
    return all_samples[(name, frozenset(labels.items()))]


async def test_metrics_are_valid_prometheus_text_with_the_journal_figures(served: Served) -> None:
    world, base, _ = served
    world.age(world.ids["bigbox_856"], 3)              # the unacknowledged ASN went out three hours ago
    status, headers, body = await get(base + "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = body.decode()
    s = samples(text)
    m = "edi_gateway_messages"
    assert value(s, m, direction="in", state="done", partner="bigbox", type="850") == 1
    assert value(s, m, direction="in", state="retry_wait", partner="northwind", type="850") == 1
    assert value(s, m, direction="in", state="quarantined", partner="eurohandel", type="") == 1
    assert value(s, m, direction="out", state="dead", partner="northwind", type="846") == 1
    # latency: one 850 posted for bigbox, none yet for northwind
    h = "edi_gateway_intake_to_odoo_seconds"
    assert value(s, h + "_count", partner="bigbox", type="850") == 1
    assert value(s, h + "_bucket", partner="bigbox", type="850", le="+Inf") == 1
    assert value(s, h + "_bucket", partner="bigbox", type="850", le="86400.0") == 1
    assert not any(k[0] == h + "_count" and ("partner", "northwind") in k[1] for k in s)
    assert value(s, "edi_gateway_retries_total", partner="northwind", direction="in") == 1
    assert value(s, "edi_gateway_dead_letters_total", partner="northwind", direction="out") == 1
    assert value(s, "edi_gateway_quarantined_total", partner="eurohandel", direction="in") == 1
    assert value(s, "edi_gateway_overdue_acks", partner="bigbox") == 1
    assert value(s, "edi_gateway_oldest_unacked_outbound_age_seconds", partner="bigbox") >= 3 * 3600
    assert ("edi_gateway_outbox_depth", frozenset({("partner", "bigbox")})) not in s   # nothing queued
    assert "# TYPE edi_gateway_intake_to_odoo_seconds histogram" in text
    import importlib.metadata
    assert value(s, "edi_gateway_info", version=importlib.metadata.version("edi-gateway")) == 1
    assert value(s, "edi_gateway_ready", check="journal") == 1          # readiness, current at the scrape
    assert value(s, "edi_gateway_ready", check="transport:folder") == 1


async def test_metrics_follow_the_journal_as_it_changes(served: Served) -> None:
    world, base, _ = served
    from gateway.journal.api import Direction, State
    sha = world.archive.put(b"ISA*...810...~")
    msg = world.journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="as2",
                                      filename="bigbox_810.x12", sha256=sha, size=14, source_key=None,
                                      state=State.QUEUED)
    s = samples((await get(base + "/metrics"))[2].decode())
    assert value(s, "edi_gateway_outbox_depth", partner="bigbox") == 1
    world.journal.transition(msg.id, State.RETRY_WAIT, "endpoint down", error="DeliveryRetry: 503")
    s = samples((await get(base + "/metrics"))[2].decode())
    assert value(s, "edi_gateway_outbox_depth", partner="bigbox") == 1
    assert value(s, "edi_gateway_retries_total", partner="bigbox", direction="out") == 1


def test_label_values_are_escaped() -> None:
    from gateway.ops.metrics import Family, render
    fam = Family("x_total", "counter", "help with \\ and\nnewline")
    fam.add(3, partner='we"ird\\name\nline')
    text = render([fam])
    (parsed,) = text_string_to_metric_families(text)
    assert parsed.samples[0].labels["partner"] == 'we"ird\\name\nline'
    assert parsed.documentation == "help with \\ and\nnewline"


async def test_healthz_ready_when_journal_writable_and_transports_listen(world: World) -> None:
    listener = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    world.config.sftp_server.enabled = True
    world.config.sftp_server.port = port
    ctx = SimpleNamespace(config=world.config, journal=world.journal, partners=PARTNERS, ports={})
    stop = await start(ctx)
    try:
        status, _, body = await get(f"http://127.0.0.1:{ctx.ports['ops']}/healthz")
        report = json.loads(body)
        assert status == 200, report
        assert report["status"] == "ready" and report["live"] is True
        assert report["checks"]["journal"]["ok"] is True
        assert report["checks"]["transport:sftp"] == {"ok": True, "detail": f"listening on 127.0.0.1:{port}"}
        assert report["checks"]["transport:folder"]["ok"] is True
        assert "odoo" not in report["checks"]    # Odoo disabled in this gateway
    finally:
        await stop()
        listener.close()
        await listener.wait_closed()


async def test_healthz_names_each_failing_check(world: World) -> None:
    listener = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    closed_port = listener.sockets[0].getsockname()[1]
    listener.close()
    await listener.wait_closed()
    world.config.as2_server.enabled = True
    world.config.as2_server.port = closed_port
    world.config.odoo.enabled = True
    world.config.odoo.url = f"http://127.0.0.1:{closed_port}"
    ctx = SimpleNamespace(config=world.config, journal=world.journal, partners=PARTNERS, ports={})
    stop = await start(ctx)
    blocker = sqlite3.connect(world.journal.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")          # another writer holds the journal
    try:
        status, _, body = await get(f"http://127.0.0.1:{ctx.ports['ops']}/healthz")
        report = json.loads(body)
        assert status == 503
        assert report["status"] == "not ready" and report["live"] is True
        assert report["checks"]["journal"]["ok"] is False and "locked" in report["checks"]["journal"]["detail"]
        assert report["checks"]["odoo"]["ok"] is False and "unreachable" in report["checks"]["odoo"]["detail"]
        assert report["checks"]["transport:as2"]["ok"] is False
        live_status, _, _ = await get(f"http://127.0.0.1:{ctx.ports['ops']}/healthz/live")
        assert live_status == 200
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        await stop()


async def test_daemon_checks_replace_defaults(world: World) -> None:
    async def transports_from_daemon() -> tuple[bool, str]:
        return False, "sftp listener crashed: address in use"
    ctx = SimpleNamespace(config=world.config, journal=world.journal, partners=PARTNERS, ports={},
                          health_checks={"transport:sftp": transports_from_daemon})
    stop = await start(ctx)
    try:
        status, _, body = await get(f"http://127.0.0.1:{ctx.ports['ops']}/healthz")
        assert status == 503
        assert json.loads(body)["checks"]["transport:sftp"]["detail"] == "sftp listener crashed: address in use"
    finally:
        await stop()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_status_page_shows_flow_stuck_quarantine_overdue_and_dead(served: Served) -> None:
    world, base, _ = served
    status, headers, body = await get(base + "/")
    html = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html   # no external assets
    text = _text(html)
    for partner in ("bigbox", "northwind", "eurohandel", "shopmarket", "quietco"):
        assert partner in text
    flow = html.split('id="flow"')[1].split("</section>")[0]
    bigbox_row = next(r for r in flow.split("<tr>") if "bigbox" in r)
    assert re.findall(r'<td class="n">([\d /]+)(?:<br>|</td>)', bigbox_row)[:3] == ["1", "1", "1 / 1"]
    assert "1 sale.order" in bigbox_row
    assert "856: 1" in bigbox_row
    stuck = html.split('id="stuck"')[1].split("</section>")[0]
    assert world.ids["northwind_po"] in stuck and "OdooUnavailable: connection refused" in stuck
    assert world.ids["shop_fresh"] not in stuck          # in flight for seconds: not stuck
    quarantine = html.split('id="quarantine"')[1].split("</section>")[0]
    assert world.ids["bad_file"] in quarantine and "expected 9 digits" in quarantine
    assert "&lt;b&gt;bad&lt;/b&gt;.edi" in quarantine and "<b>bad</b>" not in quarantine
    overdue = html.split('id="overdue"')[1].split("</section>")[0]
    assert world.ids["bigbox_856"] in overdue and "000000002" in overdue
    dead = html.split('id="dead"')[1].split("</section>")[0]
    assert world.ids["northwind_846"] in dead


async def test_stuck_threshold_can_be_narrowed_for_one_look(served: Served) -> None:
    world, base, _ = served
    html = (await get(base + "/?stuck_after=0"))[2].decode()
    stuck = html.split('id="stuck"')[1].split("</section>")[0]
    assert world.ids["shop_fresh"] in stuck and "no progress for more than 0 s" in stuck


async def test_raw_file_view_is_escaped(served: Served) -> None:
    world, base, _ = served
    status, _, body = await get(f"{base}/messages/{world.ids['bad_file']}")
    html = body.decode()
    assert status == 200
    raw = html.split('<pre class="raw">')[1].split("</pre>")[0]
    assert "<script" not in raw and "<img" not in raw and "</pre>" not in raw
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in raw
    assert "&amp;amp;" in raw                                  # the literal "&amp;" in the file, shown as typed
    assert '<span class="ctl">&lt;01&gt;</span>BAD' in raw     # control byte made visible
    assert "expected 9 digits" in html and "quarantined" in html


async def test_message_page_shows_events_and_odoo_links(served: Served) -> None:
    world, base, _ = served
    html = (await get(f"{base}/messages/{world.ids['bigbox_po']}"))[2].decode()
    assert "posted sale.order 7" in html and "sale.order" in html
    assert world.ids["bigbox_997"] in html                     # derived acknowledgement


@pytest.mark.parametrize("path, code", [("/messages/NOPE", 404), ("/messages/..%2F..%2Fetc%2Fpasswd", 404),
                                        ("/nothing-here", 404)])
async def test_unknown_paths_are_404(served: Served, path: str, code: int) -> None:
    _, base, _ = served
    assert (await get(base + path))[0] == code


async def test_the_endpoint_is_read_only(served: Served) -> None:
    _, base, _ = served
    assert (await get(base + "/", "POST"))[0] == 405
    assert (await get(base + "/metrics", "DELETE"))[0] == 405


async def test_binds_loopback_by_default_and_disabled_means_no_listener(world: World) -> None:
    from gateway.config.models import OpsSettings
    assert OpsSettings().host == "127.0.0.1"
    world.config.ops.enabled = False
    ctx = SimpleNamespace(config=world.config, journal=world.journal, partners=PARTNERS, ports={})
    stop = await start(ctx)
    assert "ops" not in ctx.ports
    await stop()


async def test_retrying_or_noting_does_not_reset_the_stuck_clock(served: Served) -> None:
    world, base, _ = served
    from gateway.journal.api import State
    nw = world.ids["northwind_po"]
    world.journal.transition(nw, State.RETRY_WAIT, "Odoo unavailable again", error="OdooUnavailable: 503")
    world.journal.note(nw, error="OdooUnavailable: still 503")
    html = (await get(base + "/"))[2].decode()
    stuck = html.split('id="stuck"')[1].split("</section>")[0]
    assert nw in stuck and ">2 h<" in stuck
    # resuming the step that failed is not progress; getting past it is
    world.journal.transition(nw, State.TRANSLATED, "retry 5")
    world.journal.transition(nw, State.RETRY_WAIT, "Odoo unavailable", error="OdooUnavailable: 503")
    world.journal.transition(nw, State.TRANSLATED, "retry 6")
    html = (await get(base + "/"))[2].decode()
    assert nw in html.split('id="stuck"')[1].split("</section>")[0]
    world.journal.transition(nw, State.POSTED, "posted sale.order 9")
    html = (await get(base + "/"))[2].decode()
    assert nw not in html.split('id="stuck"')[1].split("</section>")[0]


def test_progress_since_ignores_failed_attempts_and_their_retries() -> None:
    from gateway.ops.queries import progress_since
    q, r, s, d = "queued", "retry_wait", "sent", "done"
    assert progress_since([(None, q, "t0"), (q, r, "t1"), (r, q, "t2"), (q, r, "t3"), (r, r, "t4")]) == "t0"
    assert progress_since([(None, q, "t0"), (q, r, "t1"), (r, q, "t2"), (q, s, "t3")]) == "t3"
    assert progress_since([(None, "received", "t0"), ("received", "parsed", "t1"), ("parsed", r, "t2"),
                           (r, "parsed", "t3")]) == "t1"
    assert progress_since([(None, q, "t0"), (q, s, "t1"), (s, d, "t2"), (d, q, "t3")]) == "t3"   # a resend


async def test_healthz_reaches_a_real_odoo_protocol_server(world: World) -> None:
    from gateway.odoo.sandbox import SandboxServer
    with SandboxServer(version=18, seed_name=None) as odoo:
        world.config.odoo.enabled = True
        world.config.odoo.url = odoo.url
        ctx = SimpleNamespace(config=world.config, journal=world.journal, partners=PARTNERS, ports={})
        stop = await start(ctx)
        try:
            status, _, body = await get(f"http://127.0.0.1:{ctx.ports['ops']}/healthz")
        finally:
            await stop()
    report = json.loads(body)
    assert status == 200, report
    assert report["checks"]["odoo"] == {"ok": True, "detail": "Odoo 18.0"}


async def test_an_unreadable_journal_is_a_503_with_the_reason_not_a_crash(world: World, tmp_path: Path) -> None:
    bad = tmp_path / "not-a-journal.sqlite3"
    bad.write_bytes(b"this is not a database, it was overwritten by mistake " * 100)
    ctx = SimpleNamespace(config=world.config, journal=SimpleNamespace(path=bad), partners=PARTNERS, ports={})
    stop = await start(ctx)
    try:
        base = f"http://127.0.0.1:{ctx.ports['ops']}"
        for path in ("/", "/metrics", f"/messages/{world.ids['bad_file']}"):
            status, headers, body = await get(base + path)
            assert status == 503, (path, status)
            assert body.startswith(b"journal unavailable: file is not a database"), body[:100]
            assert headers["X-Content-Type-Options"] == "nosniff"
        status, _, body = await get(base + "/healthz")
        assert status == 503 and json.loads(body)["checks"]["journal"]["ok"] is False
    finally:
        await stop()


async def test_partner_page_shows_only_that_partner(served: Served) -> None:
    world, base, _ = served
    status, _, body = await get(base + "/partners/northwind")
    html = body.decode()
    assert status == 200 and "<title>Partner northwind (Northwind Traders)</title>" in html
    stuck = html.split('id="stuck"')[1].split("</section>")[0]
    assert world.ids["northwind_po"] in stuck
    recent = html.split('id="recent"')[1].split("</section>")[0]
    assert world.ids["northwind_po"] in recent and world.ids["northwind_846"] in recent
    assert world.ids["bigbox_po"] not in html and world.ids["bad_file"] not in html
    assert "The quarantine is empty." in html
    dead = html.split('id="dead"')[1].split("</section>")[0]
    assert world.ids["northwind_846"] in dead


async def test_overview_links_partners_and_lists_the_latest_messages(served: Served) -> None:
    world, base, _ = served
    html = (await get(base + "/"))[2].decode()
    assert '<a href="/partners/bigbox">bigbox</a>' in html
    recent = html.split('id="recent"')[1].split("</section>")[0]
    assert world.ids["shop_fresh"] in recent and world.ids["bad_file"] in recent


@pytest.mark.parametrize("partner, code", [("quietco", 200), ("nobody", 404), ("..", 404), ("a%2Fb", 404)])
async def test_partner_page_for_configured_unknown_and_odd_ids(served: Served, partner: str, code: int) -> None:
    _, base, _ = served
    status, _, body = await get(f"{base}/partners/{partner}")
    assert status == code
    if code == 200:
        assert b"No messages yet." in body
