"""A file the intake guard set aside (the gateway was killed each time it took it in, so it never became a message)
was in the log only: `status`, the status page and /metrics showed nothing, and an order nobody sees is lost. They
now list it from the quarantine, its only record, until a person moves or deletes its copy.

The real daemon with the intake18 tests' hook (a SIGKILL whenever the archive is handed the marked file), started
again after each kill as systemd does; then, with the third run up, the real CLI and the ops endpoint over HTTP.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

HOOK = "tests.spine.test_intake18_crash_loop"


def _get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return str(response.read().decode("utf-8"))


def test_a_file_set_aside_at_intake_is_in_status_the_status_page_and_metrics_until_its_copy_goes(
        tmp_path: Path) -> None:
    from tests.helpers.gateway import GatewayProcess, Workspace, cli
    from tests.helpers.net import free_port
    from tests.helpers.wait import wait_for
    from tests.helpers.x12 import purchase_order
    from tests.spine.test_daemon import ACME

    # Given acme's inbox with a file whose intake kills the gateway, which systemd starts again after each kill
    port = free_port()
    ws = Workspace.create(tmp_path, {"inbox": [{"path": "inbox", "processed": "inbox/processed", "min_age": 0.05,
                                                "partner": "acme"}],
                                     "ops": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": ACME})
    ws.inbox.mkdir(exist_ok=True)
    ws.drop("ORDERS.x12", purchase_order(1, po="KILLS1"))
    env = {"EDI_TEST_INTAKE_POISON": "KILLS1"}
    kills = 0
    while True:
        gw = GatewayProcess(ws.config, preload=[HOOK], env=env, wait_ready=False).start()
        assert gw.proc is not None
        deadline = time.monotonic() + 60
        while gw.proc.poll() is None and (ws.inbox / "ORDERS.x12").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if gw.proc.poll() is None:
            break
        gw.kill()
        kills += 1
        assert kills < 4, gw.output()
    try:
        gw.wait_notification("READY=1")
        [kept] = (ws.root / "quarantine" / "acme").glob("ORDERS.x12.killed-*Z")
        assert kills == 2                                   # killed twice while it was taken alone

        # Then `status` says so: the count, then the file with its partner, when, why, where it is, what to do
        text = cli("status", config=ws.config)
        assert text.returncode == 0, text.stderr
        out = text.stdout
        assert "set aside while taken in: 1" in out, out
        assert "acme         ORDERS.x12" in out, out
        assert "the gateway was killed 2 times while taking this file in" in out, out
        assert f"kept as {kept}" in out and f"move the file back into {ws.inbox}" in out, out
        listed = json.loads(cli("status", "--json", config=ws.config).stdout)["set_aside"]
        assert listed["count"] == 1
        [one] = listed["newest"]
        assert (one["partner"], one["file"], one["copy"]) == ("acme", "ORDERS.x12", str(kept))
        assert "killed 2 times" in one["reason"] and "smaller files" in one["next_step"]
        # the status page, its overview and acme's page, with the reason; /metrics counts it for acme
        page = _get(port, "/")
        section = page[page.index('id="set-aside"'):]
        section = section[:section.index("</section>")]
        assert "ORDERS.x12" in section and "killed 2 times" in section and str(kept) in section, section
        assert 'id="set-aside"' in _get(port, "/partners/acme")
        assert 'edi_gateway_intake_set_aside{partner="acme"} 1' in _get(port, "/metrics")

        # When a person has dealt with it (the copy kept in acme's closed/), it leaves every list at once; a file
        # put back under its set-aside name, now a message the pipeline quarantines, is listed as that only
        (kept.parent / "closed").mkdir()
        kept.rename(kept.parent / "closed" / kept.name)
        ws.drop(kept.name, b"not an interchange")
        wait_for(lambda: ws.count(state="quarantined") == 1, message="the file put back quarantined")
        assert len(list((ws.root / "quarantine" / "acme").glob(f"*_{kept.name}"))) == 1
        out = cli("status", config=ws.config).stdout
        assert "set aside" not in out and "needs attention" in out, out
        assert 'id="set-aside"' not in _get(port, "/")
        metrics = _get(port, "/metrics")
        assert "# TYPE edi_gateway_intake_set_aside gauge" in metrics
        assert "edi_gateway_intake_set_aside{" not in metrics
    finally:
        assert gw.stop() == 0, gw.output()


def test_status_lists_the_newest_set_aside_files_and_counts_the_rest(tmp_path: Path) -> None:
    from gateway.journal.sqlite import SqliteJournal
    from gateway.poison import set_aside_file
    from tests.helpers.gateway import Workspace, cli

    # Given a gateway that set seven files aside, the last one's .reason.txt since removed by a person
    ws = Workspace.create(tmp_path)
    (ws.root / "state").mkdir()
    SqliteJournal(ws.root / "state" / "journal.sqlite3").close()
    copies = []
    for n in range(7):
        source = tmp_path / f"PO{n}.x12"
        source.write_bytes(b"ISA")
        copies.append(set_aside_file(source, source.name, ws.root / "quarantine" / ("acme" if n % 2 else "unknown"),
                                     f"killed while taking PO{n} in", f"what to do with PO{n}", move=True))
    Path(f"{copies[-1]}.reason.txt").unlink()

    # When the coordinator asks for the status
    out = cli("status", config=ws.config).stdout

    # Then all seven are counted, the newest five shown newest first, the rest named as a count and where they are
    assert "set aside while taken in: 7" in out, out
    shown = [line.split()[-1] for line in out.splitlines() if line.startswith("  20")]
    assert shown == ["PO6.x12", "PO5.x12", "PO4.x12", "PO3.x12", "PO2.x12"], out
    assert "killed while taking PO5 in" in out and "what to do with PO5" in out, out
    assert "its .reason.txt is gone" in out, out
    assert f"and 2 older (the status page lists them all; ls {ws.root / 'quarantine'}/*/*.killed-*Z)" in out, out


async def test_the_status_page_escapes_a_set_aside_name_and_links_a_partnerless_inbox_page(served: object) -> None:
    import asyncio

    from prometheus_client.parser import text_string_to_metric_families

    from gateway.poison import set_aside_file
    from tests.ops.conftest import fetch

    world, base, ctx = served  # type: ignore[misc]
    # Given a file from an inbox of no partner, named with markup, set aside in the served gateway's quarantine
    quarantine = world.tmp / "quarantine"
    ctx.config = world.config.model_copy(update={"quarantine_dir": quarantine})
    source = world.tmp / "<img src=x onerror=alert(1)>.x12"
    source.write_bytes(b"ISA")
    set_aside_file(source, source.name, quarantine / "unknown", "killed <script>", "move it back", move=True)

    # When the coordinator opens the status page, the link it gives, and Prometheus scrapes /metrics
    status, _, page = await asyncio.to_thread(fetch, f"{base}/")
    link, _, unknown = await asyncio.to_thread(fetch, f"{base}/partners/unknown")
    _, _, metrics = await asyncio.to_thread(fetch, f"{base}/metrics")

    # Then the page shows it escaped, the partnerless inbox's page exists, and the scrape parses with its count
    assert status == 200 and b"<img src=x" not in page and b"&lt;img src=x onerror=alert(1)&gt;.x12" in page
    assert b"killed &lt;script&gt;" in page and b'href="/partners/unknown"' in page
    assert link == 200 and b'id="set-aside"' in unknown and b"&lt;img src=x" in unknown
    [family] = [f for f in text_string_to_metric_families(metrics.decode()) if f.name == "edi_gateway_intake_set_aside"]
    assert [(s.labels, s.value) for s in family.samples] == [({"partner": "unknown"}, 1.0)]
