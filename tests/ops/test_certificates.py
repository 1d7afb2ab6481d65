"""Certificates that expire: exported as seconds left, named by lint, the status page and the daemon's log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from prometheus_client.parser import text_string_to_metric_families

from gateway.config.models import As2Channel, As2KeyPair, As2ServerSettings, GatewayConfig, PartnerConfig
from gateway.ops import start
from gateway.ops.certificates import certificates_in_use, expiry_warnings
from tests.helpers.gateway import Workspace, cli
from tests.transports.certs import Cert, make_cert

from .conftest import World, fetch


def _setup(tmp: Path) -> tuple[GatewayConfig, dict[str, PartnerConfig], dict[str, Cert]]:
    """Ours expires in 10 days (old one expired: only listed); bigbox is mid-rollover (old expired, new
    good); northwind's only certificate expired; eurohandel's is good for a year."""
    c = {name: make_cert(tmp / "certs", name, days=days) for name, days in
         [("acme", 10), ("acme-old", -40), ("tls", 200), ("bigbox-old", -5), ("bigbox-new", 400),
          ("northwind", -2), ("eurohandel", 365)]}
    gw = GatewayConfig(as2_server=As2ServerSettings(
        enabled=True, certificate=c["acme"].cert_path, private_key=c["acme"].key_path,
        tls_certificate=c["tls"].cert_path, tls_key=c["tls"].key_path,
        previous_keys=[As2KeyPair(certificate=c["acme-old"].cert_path, private_key=c["acme-old"].key_path)]),
        ops={"port": 0}, odoo={"enabled": False})
    partners = {
        "bigbox": PartnerConfig(id="bigbox", inbound=[As2Channel(
            channel="as2", as2_id="BB", certificates=[c["bigbox-old"].cert_path, c["bigbox-new"].cert_path])]),
        "northwind": PartnerConfig(id="northwind", outbound=As2Channel(
            channel="as2", as2_id="NW", url="http://127.0.0.1:9/as2", certificates=[c["northwind"].cert_path])),
        "eurohandel": PartnerConfig(id="eurohandel", inbound=[As2Channel(
            channel="as2", as2_id="EH", certificates=[c["eurohandel"].cert_path])]),
    }
    return gw, partners, c


def test_expiring_and_expired_certificates_are_named_with_what_to_do(tmp_path: Path) -> None:
    gw, partners, c = _setup(tmp_path)
    found = certificates_in_use(gw, partners)
    assert [(f.use, f.partner) for f in found] == [
        ("as2", ""), ("as2_previous", ""), ("as2_tls", ""), ("partner_as2", "bigbox"), ("partner_as2", "bigbox"),
        ("partner_as2", "eurohandel"), ("partner_as2", "northwind")]
    warnings = expiry_warnings(found, datetime.now(UTC))
    assert len(warnings) == 2, warnings
    ours, northwind = warnings
    assert "our AS2 certificate" in ours and "in 10 days" in ours and "previous_keys" in ours
    assert format(c["acme"].identity.cert.serial_number, "X") in ours
    assert "partner northwind's AS2 certificate" in northwind and "expired on" in northwind
    assert "ask northwind for its new certificate" in northwind
    # bigbox's old certificate expired beside a good new one, our previous key is old by design: no warning
    assert not any("bigbox" in w or "previous AS2" in w for w in warnings)
    # a file that does not load is lint's to report, not a crash here
    gw.as2_server.tls_certificate = tmp_path / "missing.crt"
    assert [f.use for f in certificates_in_use(gw, {})] == ["as2", "as2_previous"]


async def test_metrics_and_status_page_show_certificate_expiry(world: World) -> None:
    gw, partners, c = _setup(world.tmp)
    gw.state_dir, gw.archive_dir = world.config.state_dir, world.config.archive_dir
    ctx = SimpleNamespace(config=gw, journal=world.journal, partners=partners, ports={})
    stop = await start(ctx)
    try:
        base = f"http://127.0.0.1:{ctx.ports['ops']}"
        status, _, body = await asyncio.to_thread(fetch, base + "/metrics")
        assert status == 200
        left = {(s.labels["use"], s.labels["partner"], s.labels["serial"]): s.value
                for family in text_string_to_metric_families(body.decode())
                if family.name == "edi_gateway_certificate_expiry_seconds" for s in family.samples}
        serial = format(c["acme"].identity.cert.serial_number, "X")
        assert 9 * 86400 < left[("as2", "", serial)] < 11 * 86400
        nw = format(c["northwind"].identity.cert.serial_number, "X")
        assert left[("partner_as2", "northwind", nw)] < -86400
        assert len(left) == 7
        status, _, page = await asyncio.to_thread(fetch, base + "/")
        text = page.decode()
        assert status == 200 and 'class="notices"' in text
        assert "partner northwind&#x27;s AS2 certificate" in text and "in 10 days" in text
    finally:
        await stop()


def test_lint_warns_about_a_certificate_that_expires_soon(tmp_path: Path) -> None:
    soon, far = make_cert(tmp_path / "certs", "acme", days=5), make_cert(tmp_path / "certs", "bigbox", days=300)
    ws = Workspace.create(tmp_path / "gw", {"as2_server": {
        "enabled": True, "port": 0, "certificate": str(soon.cert_path), "private_key": str(soon.key_path)}},
        partners={"bigbox": {"inbound": [{"channel": "as2", "as2_id": "BB", "certificates": [str(far.cert_path)]}]}})
    done = cli("lint", config=ws.config)
    assert done.returncode == 0, done.stdout + done.stderr
    warnings = [line for line in done.stdout.splitlines() if line.startswith("warning:")]
    assert any("our AS2 certificate" in w and "in 5 days" in w for w in warnings), done.stdout
    assert not any("bigbox" in w for w in warnings), done.stdout


def test_the_daemon_log_repeats_a_warning_once_a_day_while_it_holds() -> None:
    """Logged when it first appears, not again within the day (the check runs hourly), again the next day;
    a warning that no longer holds is forgotten, so it is logged afresh if it comes back."""
    from datetime import timedelta

    from gateway.ops.certificates import Reminders
    start = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    reminders = Reminders()
    expired = "partner northwind's AS2 certificate ... expired on 2026-11-27: ask northwind for its new one"
    assert reminders.due([expired], start) == [expired]
    assert reminders.due([expired], start + timedelta(hours=1)) == []
    assert reminders.due([expired], start + timedelta(hours=23)) == []
    assert reminders.due([expired], start + timedelta(hours=24)) == [expired]
    assert reminders.due([], start + timedelta(hours=25)) == []                 # the partner's new one is in
    assert reminders.due([expired], start + timedelta(hours=26)) == [expired]   # back: logged at once


def test_a_running_daemon_logs_a_certificate_that_expires_soon(tmp_path: Path) -> None:
    from tests.helpers.gateway import GatewayProcess
    from tests.helpers.wait import wait_for
    soon = make_cert(tmp_path / "certs", "acme", days=5)
    ws = Workspace.create(tmp_path / "gw", {"as2_server": {
        "enabled": True, "host": "127.0.0.1", "port": 0, "certificate": str(soon.cert_path),
        "private_key": str(soon.key_path)}})
    with GatewayProcess(ws.config) as gw:
        wait_for(lambda: "certificate: our AS2 certificate" in gw.output(), message="the certificate warning")
        text = gw.output()
    assert "in 5 days" in text and "keep this key in previous_keys" in text, text


def test_a_certificate_file_is_parsed_again_only_when_it_changes(tmp_path: Path) -> None:
    """Every scrape and status page asks for the certificates: an unchanged file is not parsed again; a
    file replaced by the next certificate (a rollover) is."""
    import os
    import shutil

    from gateway.ops import certificates
    first, second = make_cert(tmp_path / "a", "acme", days=100), make_cert(tmp_path / "b", "acme", days=400)
    path = tmp_path / "ours.crt"
    shutil.copy(first.cert_path, path)
    gw = GatewayConfig(as2_server=As2ServerSettings(certificate=path))
    before = certificates._facts.cache_info()
    [a] = certificates_in_use(gw, {})
    [b] = certificates_in_use(gw, {})
    after = certificates._facts.cache_info()
    assert a == b and after.misses == before.misses + 1 and after.hits == before.hits + 1
    shutil.copy(second.cert_path, path)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    [c] = certificates_in_use(gw, {})
    assert c.serial == format(second.identity.cert.serial_number, "X") != a.serial
