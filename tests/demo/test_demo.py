"""`edi-gateway demo` run as a new user would (a subprocess, a fresh folder), then checked against what
really happened: the orders in the Odoo sandbox (odoorpc), the acknowledgement and ASN files the
partners received, the quarantined file; and the status page in headless Chromium during the run."""

from __future__ import annotations

import asyncio
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.ops.browser import dump_dom, needs_chromium, screenshot

pytestmark = pytest.mark.slow

STEP = re.compile(r"^\[(\d+)/(\d+)\] (.+?): (ok|SKIPPED|FAILED) \([\d.]+ s\)\s?(.*)$")
ACK_MARKERS = (b"ST*997*", b"ST*999*", b"+CONTRL:")
ASN_MARKERS = (b"ST*856*", b"+DESADV:")
INVOICE_MARKERS = (b"ST*810*", b"+INVOIC:")
INVENTORY_MARKERS = (b"ST*846*", b"+INVRPT:")


@dataclass
class DemoRun:
    workdir: Path
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    steps: dict[str, tuple[str, str]] = field(default_factory=dict)    # title -> (outcome, detail)
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    odoo_port: int | None = None
    status_url: str | None = None
    exit_code: int | None = None


def _command() -> list[str]:
    script = Path(sys.executable).parent / "edi-gateway"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "gateway"]


def _parse_summary(lines: list[str]) -> dict[str, dict[str, int]]:
    start = next(i for i, line in enumerate(lines) if line.startswith("Summary per partner"))
    header = next(i for i in range(start, len(lines)) if lines[i].startswith("partner "))
    columns = re.split(r"\s{2,}", lines[header].strip())
    out: dict[str, dict[str, int]] = {}
    for line in lines[header + 2:]:
        if line.startswith("-") or not line.strip():
            break
        cells = re.split(r"\s{2,}", line.strip())
        out[cells[0]] = {c: int(v) for c, v in zip(columns[1:], cells[1:])}
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """One demo run with --keep-running: parsed output while it stays up; stopped with Ctrl-C (SIGINT)."""
    workdir = tmp_path_factory.mktemp("demo") / "workspace"
    env = {k: v for k, v in os.environ.items() if k not in ("JOURNAL_STREAM", "EDI_GATEWAY_ODOO_PASSWORD")}
    proc = subprocess.Popen([*_command(), "demo", "--workdir", str(workdir), "--keep-running"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            text=True, env=env, cwd=tmp_path_factory.getbasetemp())
    run = DemoRun(workdir, proc)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 150
    try:
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            run.lines.append(line)
            if "press Ctrl-C" in line:
                break
        text = "\n".join(run.lines)
        assert "press Ctrl-C" in text, f"the demo did not reach its summary:\n{text}"
        for line in run.lines:
            m = STEP.match(line)
            if m:
                run.steps[m.group(3)] = (m.group(4), m.group(5))
        run.summary = _parse_summary(run.lines)
        odoo = re.search(r"Odoo sandbox with demo data: ok .*?http://127\.0\.0\.1:(\d+)", text)
        run.odoo_port = int(odoo.group(1)) if odoo else None
        status = re.search(r"status page\s+(http://127\.0\.0\.1:\d+/)", text)
        run.status_url = status.group(1) if status else None
        yield run
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                run.exit_code = proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        run.exit_code = proc.returncode


def test_every_step_ran_or_names_the_missing_part(demo: DemoRun) -> None:
    text = "\n".join(demo.lines)
    assert "Traceback" not in text
    assert len(demo.steps) == 13, text
    failed = {t: d for t, (o, d) in demo.steps.items() if o == "FAILED"}
    assert not failed, failed
    for title, (outcome, detail) in demo.steps.items():
        if outcome == "SKIPPED":
            assert re.search(r"not built|not installed|not running|set aside|not shipped|no example partner"
                             r"|no sample|no Odoo|nothing", detail), (title, detail)
    # the parts that exist today must run for real
    for title in ("Create the workspace", "Start the Odoo sandbox with demo data",
                  "Start the gateway (edi-gateway run)", "BigBox sends an X12 850 over AS2",
                  "Northwind uploads an X12 850 over SFTP", "A malformed file lands in the inbox",
                  "BigBox (X12 860) and EuroHandel (ORDCHG) change orders",
                  "Partners fetch what we sent and acknowledge it"):
        assert demo.steps[title][0] == "ok", (title, demo.steps[title])
    assert "edi-gateway messages --config" in text and "edi-gateway show" in text and demo.status_url


def _partner_refs(workdir: Path) -> dict[str, str]:
    yaml = YAML(typ="safe")
    refs = {}
    for path in (workdir / "partners").glob("*.yaml"):
        data = yaml.load(path.read_text(encoding="utf-8"))
        if (data.get("odoo") or {}).get("partner_ref"):
            refs[data["id"]] = data["odoo"]["partner_ref"]
    return refs


def test_orders_in_the_summary_are_the_orders_in_odoo(demo: DemoRun) -> None:
    import odoorpc

    assert demo.odoo_port is not None
    odoo = odoorpc.ODOO("127.0.0.1", port=demo.odoo_port, timeout=30)
    odoo.login("demo", "admin", "admin")
    refs = _partner_refs(demo.workdir)
    assert refs, "no example partner has an Odoo partner_ref: nothing would be compared"
    for partner, ref in refs.items():
        commercial = odoo.env["res.partner"].search([("ref", "=", ref)])
        assert commercial, f"sandbox has no partner with ref {ref}"
        orders = odoo.env["sale.order"].search([("partner_id", "child_of", commercial),
                                                ("client_order_ref", "!=", False)])
        assert demo.summary[partner]["posted to Odoo"] == len(orders), (partner, demo.summary[partner])
    assert sum(demo.summary[p]["posted to Odoo"] for p in refs) > 0, demo.summary


def test_the_partners_changes_were_merged_into_their_orders(demo: DemoRun) -> None:
    """BigBox's 860 (line 1 up to 36, line 2 removed, line 3 repriced, line 4 added) and EuroHandel's ORDCHG
    (48 -> 60, a line removed, one repriced, one added) are what the confirmed and shipped orders hold."""
    import odoorpc

    assert demo.odoo_port is not None
    odoo = odoorpc.ODOO("127.0.0.1", port=demo.odoo_port, timeout=30)
    odoo.login("demo", "admin", "admin")
    expected = {"4500001234": [("WB-100", 36.0), ("GL-300", 6.0), ("CB-400", 12.0)],
                "4500012345": [("WB-100", 60.0), ("GL-300", 10.0), ("CB-400", 8.0)]}
    for po, lines in expected.items():
        [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", po)]],
                               {"fields": ["order_line", "note", "state"]})
        rows = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_id", "product_uom_qty"]])
        got = [(r["product_id"][1].split("]")[0].strip("["), r["product_uom_qty"]) for r in rows]
        assert sorted(got) == sorted(lines), (po, got)
        assert f"EDI change {po} (interchange " in so["note"] and so["state"] == "sale"
    assert "merged line by line into the quotations of PO 4500001234, 4500012345" in "\n".join(demo.lines)
    assert "each change answered once applied (1 865, 1 ORDRSP)" in "\n".join(demo.lines)


def _received_files(workdir: Path, partner: str) -> list[Path]:
    """Every file the partner got from us: its outbox folder, its SFTP pickup folder, its AS2 server."""
    places = [workdir / "outbox" / partner, workdir / "sftp" / partner / "outbox",
              workdir / "sftp" / partner / "outbound", workdir / "demo-partners" / partner / "received"]
    return [p for place in places if place.is_dir() for p in place.rglob("*") if p.is_file()
            and not p.name.startswith(".")]


def test_acknowledgements_asns_invoices_and_feeds_in_the_summary_are_files_the_partners_got(demo: DemoRun) -> None:
    assert demo.summary, "no summary table parsed: nothing would be compared"
    for partner, row in demo.summary.items():
        if partner.startswith("("):
            continue
        files = [p.read_bytes() for p in _received_files(demo.workdir, partner)]

        def count(markers: tuple[bytes, ...], files: list[bytes] = files) -> int:
            return sum(any(m in data for m in markers) for data in files)

        assert row["acknowledged"] == count(ACK_MARKERS), (partner, row)
        assert row["invoices"] == count(INVOICE_MARKERS), (partner, row)
        assert row["inventory"] == count(INVENTORY_MARKERS), (partner, row)
        if partner == "shopmarket":          # CSV, no envelope: every file it picks up is a shipment confirmation
            assert row["ASNs"] == len(files), (partner, row)
        else:
            assert row["ASNs"] == count(ASN_MARKERS), (partner, row)
    assert sum(r["acknowledged"] for r in demo.summary.values()) > 0, demo.summary
    assert sum(r["ASNs"] for r in demo.summary.values()) > 0 or \
        demo.steps["ASNs, invoices and the inventory feed go out"][0] == "SKIPPED"


def test_northwinds_999s_settled_what_it_fetched(demo: DemoRun) -> None:
    import sqlite3
    db = sqlite3.connect(f"file:{demo.workdir / 'state' / 'journal.sqlite3'}?mode=ro", uri=True)
    acks_in = db.execute("SELECT COUNT(*) FROM messages WHERE direction = 'in' AND partner = 'northwind' "
                         "AND doc_type = '999' AND state = 'done'").fetchone()[0]
    fetched = sorted(p.name for p in (demo.workdir / "demo-partners" / "northwind" / "received").iterdir())
    states = dict(db.execute(f"SELECT filename, state FROM messages WHERE direction = 'out' AND partner = "
                             f"'northwind' AND filename IN ({','.join('?' for _ in fetched)})", fetched).fetchall())
    db.close()
    counter = demo.workdir / "demo-partners" / "northwind" / "isa-counter"
    assert acks_in == int(counter.read_text()) > 0
    assert fetched and states == {name: "done" for name in fetched}    # everything it fetched is settled


def test_northwinds_846_reports_the_restock_on_its_way(demo: DemoRun) -> None:
    """The demo's purchase order (two arrivals of SP-500) is in the inventory feed as QTY 63 + SCH."""
    received = demo.workdir / "demo-partners" / "northwind" / "received"
    feeds = [p for p in received.iterdir() if b"ST*846*" in p.read_bytes()]
    assert feeds
    segments = [s.strip() for s in feeds[0].read_text().split("~")]
    schedules = [(segments[i - 1].split("*")[2], s.split("*")[1]) for i, s in enumerate(segments)
                 if s.startswith("SCH*") and segments[i - 1].startswith("QTY*63*")]
    assert schedules == [("120", "120"), ("80", "80")], segments
    assert "purchase order" in "\n".join(demo.lines) and "120 SP-500 on" in "\n".join(demo.lines)


def test_the_malformed_file_is_quarantined_with_its_reason(demo: DemoRun) -> None:
    text = "\n".join(demo.lines)
    assert "Quarantined: PO_truncated_0830.x12" in text
    reason = text.split("Quarantined: PO_truncated_0830.x12")[1].splitlines()[1]
    assert "reason:" in reason and "it ends after ISA08, where a GS segment begins" in reason
    copies = list((demo.workdir / "quarantine").rglob("*PO_truncated_0830*"))
    assert copies, list((demo.workdir / "quarantine").rglob("*"))
    assert sum(r["quarantined"] for r in demo.summary.values()) >= 1


def _fetch_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
    return body.decode("utf-8")


@needs_chromium
async def test_status_page_during_the_demo_shows_partners_stuck_and_quarantine(demo: DemoRun, tmp_path: Path) -> None:
    assert demo.status_url is not None
    stuck_rows: list[str] = []
    dom = ""
    for _ in range(60):                      # "stuck" means no progress for 10 s in the demo's settings
        page = await asyncio.to_thread(_fetch_text, demo.status_url)
        if re.search(r'id="stuck"><h2>[^<]*<span class="count">\([1-9]', page):
            break
        await asyncio.sleep(1)
    dom = await dump_dom(demo.status_url)    # then the browser's view of it
    stuck = dom.split('id="stuck"')[1].split("</section>")[0]
    stuck_rows = re.findall(r'<a href="/messages/([0-9A-Z]+)"', stuck)
    for partner in _partner_refs(demo.workdir):
        assert partner in dom
    assert stuck_rows, "no stuck message on the status page"
    quarantine = dom.split('id="quarantine"')[1].split("</section>")[0]
    assert "PO_truncated_0830.x12" in quarantine
    shots = Path(os.environ["EDI_SCREENSHOT_DIR"]) if os.environ.get("EDI_SCREENSHOT_DIR") else tmp_path
    await screenshot(demo.status_url, shots / "demo-status-page.png")
    raw = await dump_dom(f"{demo.status_url}messages/{stuck_rows[0]}")
    assert "Events" in raw


def test_ctrl_c_stops_the_demo_and_its_gateway_cleanly(demo: DemoRun) -> None:
    demo.proc.send_signal(signal.SIGINT)
    assert demo.proc.wait(timeout=40) == 0
    assert demo.status_url is not None
    with pytest.raises(OSError):              # the gateway's ops endpoint is gone with the demo
        _fetch_text(demo.status_url)


def test_a_second_demo_replaces_the_first_workspace_but_never_a_foreign_folder(tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    proc = subprocess.run([*_command(), "demo", "--workdir", str(foreign)], capture_output=True, text=True, check=False,
                          timeout=60)
    assert proc.returncode == 1
    assert "not empty and not a demo workspace" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    assert (foreign / "notes.txt").read_text() == "keep me"
