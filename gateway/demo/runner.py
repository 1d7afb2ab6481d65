"""`edi-gateway demo`: a realistic day of EDI, played against the real gateway and the Odoo sandbox.

The demo is a *user* of the gateway: it starts `edi-gateway run` as a separate process on a fresh
workspace, plays the partners (they send over the shared folder, SFTP and AS2 with in-process
clients), plays the warehouse and accounting in Odoo (through the external API, like a person in
the Odoo UI), and reads the results where an operator would: the journal, the outbox folders, the
status page. Every step either runs for real, is skipped naming the part of the gateway that is
not available, or fails with one line saying why; the demo always carries on to the summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from gateway.demo import odoo_day, partners, summary, watch, workspace
from gateway.demo.progress import Progress
from gateway.demo.workspace import Workspace
from gateway.ops.probe import ask_healthz

INBOUND_TIMEOUT = 25.0      # seconds to wait for the partners' orders to reach Odoo
OUTBOUND_TIMEOUT = 20.0     # seconds to wait for ASNs, invoices and the inventory feed
ACK_TIMEOUT = 15.0          # seconds for the partners' 997/999 to be read and matched
PARTNER_BACK_AFTER = 60.0   # --keep-running: the partner down for maintenance comes back after this


class Unavailable(Exception):
    """A part of the gateway this step needs is not built or not running: the step is skipped."""


class StepFailed(Exception):
    """The step ran and did not get the expected result (one line for the user)."""


def _part_available(module: str, *names: str) -> bool:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return False
    return all(hasattr(mod, n) for n in names)


@dataclass
class Demo:
    workdir: Path
    keep_running: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stdout)
    tty: bool | None = None
    ws: Workspace | None = None
    sandbox: Any = None
    gateway: subprocess.Popen[bytes] | None = None
    ops_in_demo: Callable[[], Awaitable[None]] | None = None
    sent: dict[str, list[str]] = field(default_factory=dict)      # partner -> file names sent
    malformed: str | None = None
    odoo: Any = None
    notes: list[str] = field(default_factory=list)
    receivers: dict[str, Any] = field(default_factory=dict)       # partner -> its AS2 server (As2Receiver)
    expect_out: dict[str, int] = field(default_factory=dict)      # outbound documents Odoo's work calls for
    _log_stream: TextIO | None = None

    # ------------------------------------------------------------------ plumbing
    @property
    def journal_path(self) -> Path:
        assert self.ws is not None
        return self.ws.root / "state" / "journal.sqlite3"

    def status_url(self) -> str:
        assert self.ws is not None
        return f"http://127.0.0.1:{self.ws.ports.ops}/"

    def _record(self, partner: str, name: str) -> None:
        self.sent.setdefault(partner, []).append(name)

    def steps(self) -> list[tuple[str, Callable[[Progress], Awaitable[str]]]]:
        return [
            ("Create the workspace", self.create_workspace),
            ("Start the Odoo sandbox with demo data", self.start_sandbox),
            ("Start the gateway (edi-gateway run)", self.start_gateway),
            ("EuroHandel drops EDIFACT ORDERS into the shared folder", self.send_folder),
            ("ShopMarket uploads CSV orders over SFTP", self.send_shopmarket),
            ("Northwind uploads an X12 850 over SFTP", self.send_northwind),
            ("BigBox sends an X12 850 over AS2", self.send_bigbox),
            ("A malformed file lands in the inbox", self.send_malformed),
            ("Orders reach Odoo, acknowledgements go back", self.wait_inbound),
            ("BigBox (X12 860) and EuroHandel (ORDCHG) change orders", self.send_changes),
            ("The warehouse ships and accounting invoices, in Odoo", self.work_in_odoo),
            ("ASNs, invoices and the inventory feed go out", self.wait_outbound),
            ("Partners fetch what we sent and acknowledge it", self.partners_pick_up),
        ]

    async def run(self) -> int:
        steps = self.steps()
        progress = Progress(len(steps), self.stream, self.tty)
        for title, step in steps:
            progress.begin(title)
            try:
                detail = await step(progress)
                progress.end("ok", detail)
            except Unavailable as exc:
                progress.end("skipped", str(exc))
            except StepFailed as exc:
                progress.end("failed", str(exc))
            except Exception as exc:  # noqa: BLE001 - never a traceback to a new user: one line, carry on
                progress.end("failed", f"{type(exc).__name__}: {exc}")
            if self.ws is None:
                break            # without a workspace no other step has anything to work on
        progress.finish()
        self.print_summary(progress)
        failed = [r for r in progress.results if r.outcome == "failed"]
        if self.keep_running and self.gateway is not None:
            await self.wait_for_interrupt()
        await self.stop()
        return 1 if failed else 0

    # ------------------------------------------------------------------ steps
    async def create_workspace(self, progress: Progress) -> str:
        if self.workdir.exists() and any(self.workdir.iterdir()):
            previous = workspace.previous_demo(self.workdir)
            if previous is None:
                raise StepFailed(f"{self.workdir} is not empty and not a demo workspace; "
                                 f"give a new folder with --workdir")
            if await asyncio.to_thread(_healthz, previous) is not None:
                raise StepFailed(f"a demo is still running in {self.workdir} (status page "
                                 f"http://127.0.0.1:{previous}/); stop it with Ctrl-C first")
            await asyncio.to_thread(shutil.rmtree, self.workdir)
            progress.note(f"replacing the previous demo workspace {self.workdir}")
        self.ws = await asyncio.to_thread(workspace.create, self.workdir)
        self._log_partners_to_file()
        names = sorted(p.stem for p in (self.ws.root / "partners").glob("*.yaml"))
        how = "edi-gateway init" if self.ws.created_by == "init" else "the shipped examples (init not built)"
        return f"{self.ws.root} from {how}; partners: {', '.join(names) or 'none'}"

    async def start_sandbox(self, progress: Progress) -> str:
        assert self.ws is not None
        self.sandbox = await asyncio.to_thread(odoo_day.start_sandbox, self.ws.ports.odoo)
        if self.sandbox is None:
            raise Unavailable("the Odoo sandbox (gateway.odoo.sandbox) is not built; orders stay in the journal")
        self.odoo = await asyncio.to_thread(odoo_day.connect, self.ws.ports.odoo, workspace.SANDBOX_PASSWORD)
        progress.note(await asyncio.to_thread(odoo_day.restock, self.odoo))
        return f"http://127.0.0.1:{self.ws.ports.odoo} ({odoo_day.describe(self.odoo)})"

    async def start_gateway(self, progress: Progress) -> str:
        assert self.ws is not None
        if not _part_available("gateway.daemon", "run"):
            await self._serve_ops_here()
            raise Unavailable("the gateway daemon (gateway.daemon) is not built; nothing will process files")
        if self.sandbox is None:
            await asyncio.to_thread(_disable_odoo, self.ws.config_path)
        set_aside = await asyncio.to_thread(workspace.set_aside_broken_partners, self.ws)
        for partner, why in set_aside.items():
            self.notes.append(f"partner {partner} set aside (partners.unready/): {why}")
            progress.note(f"{partner} set aside: {why}")
        await self._open_partner_as2_servers(progress)
        env = {**os.environ, "EDI_GATEWAY_ODOO_PASSWORD": workspace.SANDBOX_PASSWORD, "PYTHONUNBUFFERED": "1"}
        env.pop("JOURNAL_STREAM", None)
        log = self.ws.log_path.open("ab")
        self.gateway = subprocess.Popen(   # noqa: ASYNC220 - starting it does not block; waiting is threaded
            [sys.executable, "-m", "gateway.demo.child", "run", "--config", str(self.ws.config_path)],
            cwd=self.ws.root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)
        log.close()
        started = time.monotonic()
        health: dict[str, Any] | None = None
        while time.monotonic() - started < 20:
            if self.gateway.poll() is not None:
                code = self.gateway.returncode
                self.gateway = None
                await self._serve_ops_here()
                raise StepFailed(f"the gateway exited with code {code}: {self._log_tail()}")
            health = await asyncio.to_thread(_healthz, self.ws.ports.ops)
            # ready, or answering but with a part down for more than a few seconds: go on and say which
            if health is not None and (health.get("status") == "ready" or time.monotonic() - started > 3):
                break
            await asyncio.sleep(0.2)
        if health is None:
            return f"pid {self.gateway.pid}; its ops endpoint did not answer on port {self.ws.ports.ops}"
        down = [f"{name} ({c['detail']})" for name, c in health.get("checks", {}).items() if not c.get("ok")]
        suffix = f"; partners set aside: {', '.join(set_aside)}" if set_aside else ""
        if down:
            return f"pid {self.gateway.pid}; not ready: {'; '.join(down)}{suffix}"
        return f"pid {self.gateway.pid}, ready{suffix}"

    async def _open_partner_as2_servers(self, progress: Progress) -> None:
        """The AS2 partners' own servers, where the gateway delivers our 997/856/810 to them."""
        assert self.ws is not None
        from gateway.demo.as2_station import As2Receiver
        our_id, our_cert = self.ws.our_as2()
        for partner, (as2_id, cert, key) in self.ws.as2_partners.items():
            if not (self.ws.root / "partners" / f"{partner}.yaml").is_file():
                continue
            receiver = As2Receiver(work=self.ws.partner_dir / partner, as2_id=as2_id, cert=cert, key=key,
                                   gateway_as2_id=our_id, gateway_cert=our_cert,
                                   port=self.ws.ports.partner_as2[partner])
            await receiver.start()
            self.receivers[partner] = receiver
            progress.note(f"{partner}'s AS2 server listens on 127.0.0.1:{receiver.port}")

    async def send_folder(self, progress: Progress) -> str:
        assert self.ws is not None
        if not (self.ws.root / "partners" / "eurohandel.yaml").is_file():
            raise Unavailable("no example partner 'eurohandel' in partners/ (not shipped yet, or set aside)")
        names = await asyncio.to_thread(partners.drop_in_folder, self.ws, "eurohandel")
        if not names:
            raise Unavailable("no EuroHandel sample files in the workspace (gateway/examples/samples/eurohandel)")
        for name in names:
            self._record("eurohandel", name)
        return ", ".join(names)

    async def _send_sftp(self, partner: str, progress: Progress) -> str:
        assert self.ws is not None
        if self.gateway is None:
            raise Unavailable("the gateway is not running, so its SFTP server is not either")
        if not _part_available("gateway.transports.sftp_server", "start"):
            raise Unavailable("the SFTP server (gateway.transports.sftp_server) is not built")
        if partner not in self.ws.partner_keys or not (self.ws.root / "partners" / f"{partner}.yaml").is_file():
            raise Unavailable(f"no example partner '{partner}' with an SFTP account in partners/ "
                              f"(not shipped yet, or set aside)")
        names = await partners.upload_sftp(self.ws, partner)
        if not names:
            raise Unavailable(f"no sample files for {partner} (gateway/examples/samples/{partner})")
        for name in names:
            self._record(partner, name)
        return ", ".join(names)

    async def send_shopmarket(self, progress: Progress) -> str:
        return await self._send_sftp("shopmarket", progress)

    async def send_northwind(self, progress: Progress) -> str:
        return await self._send_sftp("northwind", progress)

    async def send_bigbox(self, progress: Progress) -> str:
        assert self.ws is not None
        if self.gateway is None:
            raise Unavailable("the gateway is not running, so its AS2 server is not either")
        if "bigbox" not in self.ws.as2_partners or not (self.ws.root / "partners" / "bigbox.yaml").is_file():
            raise Unavailable("no example partner 'bigbox' with an AS2 channel in partners/")
        files = partners.samples(self.ws, "bigbox")
        if not files:
            raise Unavailable("no BigBox sample files (gateway/examples/samples/bigbox)")
        return await self._send_as2("bigbox", files, progress) + " signed and encrypted, signed MDN checked"

    async def _send_as2(self, partner: str, files: list[Path], progress: Progress) -> str:
        """The partner's AS2 station sends `files` to our AS2 server, one message each, and checks the MDNs."""
        assert self.ws is not None
        from gateway.demo.as2_station import As2Station
        as2_id, cert, key = self.ws.as2_partners[partner]
        our_id, our_cert = self.ws.our_as2()
        station = As2Station(work=self.ws.partner_dir / partner, as2_id=as2_id, cert=cert, key=key,
                             gateway_as2_id=our_id, gateway_cert=our_cert,
                             url=f"http://127.0.0.1:{self.ws.ports.as2}/as2")
        sent = []
        try:
            for path in files:
                detail = await station.send(path.name, path.read_bytes())
                self._record(partner, path.name)
                sent.append(f"{path.name} ({detail})")
                progress.note(sent[-1])
        finally:
            station.close()
        return ", ".join(sent)

    async def send_changes(self, progress: Progress) -> str:
        """Partners change orders that are in Odoo by now: BigBox's 860 and EuroHandel's ORDCHG list only the
        lines that change, and both partners say `odoo.order_changes: revise`, so each is merged line by line."""
        assert self.ws is not None
        if self.gateway is None:
            raise Unavailable("the gateway is not running, nothing would take the changes")
        sent: list[str] = []
        configured = {p.stem for p in (self.ws.root / "partners").glob("*.yaml")}
        changes = partners.samples(self.ws, "bigbox", later=True)
        if changes and "bigbox" in configured and "bigbox" in self.ws.as2_partners:
            sent.append("BigBox " + await self._send_as2("bigbox", changes, progress))
        if "eurohandel" in configured:
            dropped = await asyncio.to_thread(partners.drop_in_folder, self.ws, "eurohandel", True)
            for name in dropped:
                self._record("eurohandel", name)
            if dropped:
                sent.append("EuroHandel " + ", ".join(dropped) + " into the shared folder")
        if not sent:
            raise Unavailable("no example partner with changes to send (samples/<partner>/later)")
        expected = sum(len(v) for v in self.sent.values()) + (1 if self.malformed else 0)
        finished, text = await watch.wait_for_inbound(self.journal_path, expected, INBOUND_TIMEOUT, progress.note)
        if not finished:
            raise StepFailed(text)
        merged = await asyncio.to_thread(odoo_day.changed_orders, self.odoo) if self.odoo is not None else []
        answers = [f"{n} {kind}" for kind in ("865", "ORDRSP")
                   if (n := await asyncio.to_thread(watch.outbound_count, self.journal_path, (kind,)))]
        return "; ".join(sent) + (f"; merged line by line into the quotations of PO {', '.join(merged)} "
                                  "(each order's note says what changed)" if merged else f"; {text}") + (
            f"; each change answered once applied ({', '.join(answers)})" if answers else "")

    async def send_malformed(self, progress: Progress) -> str:
        assert self.ws is not None
        self.malformed = await asyncio.to_thread(partners.drop_malformed, self.ws)
        return f"{self.malformed} (an 850 whose ISA is cut short)"

    async def wait_inbound(self, progress: Progress) -> str:
        if self.gateway is None:
            raise Unavailable("the gateway is not running, nothing processes the files")
        expected = sum(len(v) for v in self.sent.values()) + (1 if self.malformed else 0)
        finished, text = await watch.wait_for_inbound(self.journal_path, expected, INBOUND_TIMEOUT, progress.note)
        if not finished and watch.MISSING_PART in text:
            raise Unavailable(text)
        if not finished:
            raise StepFailed(text)
        return text

    async def work_in_odoo(self, progress: Progress) -> str:
        if self.odoo is None:
            raise Unavailable("no Odoo sandbox running")
        down = await self._partner_goes_down("bigbox")
        done, per_ref = await asyncio.to_thread(odoo_day.ship_and_invoice, self.odoo, progress.note)
        self.expect_out = self._expected_outbound(per_ref)
        return done + (f"; meanwhile {down}" if down else "")

    def _expected_outbound(self, per_ref: dict[str, dict[str, int]]) -> dict[str, int]:
        """How many ASNs and invoices the gateway should produce for what Odoo just did, by partner set-up."""
        assert self.ws is not None
        from ruamel.yaml import YAML
        want = {"ASNs": 0, "invoices": 0}
        for path in (self.ws.root / "partners").glob("*.yaml"):
            data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
            counts = per_ref.get(str((data.get("odoo") or {}).get("partner_ref") or ""), {})
            triggers = {d.get("trigger") for d in data.get("documents") or [] if d.get("direction") == "out"}
            if "delivery_done" in triggers:
                want["ASNs"] += counts.get("shipped", 0)
            if "invoice_posted" in triggers:
                want["invoices"] += counts.get("invoiced", 0)
        return want

    async def _end_of_day(self) -> str:
        """The compressed schedules (an 846 every minute) go back to production; SIGHUP reloads them."""
        assert self.ws is not None and self.gateway is not None
        restored = await asyncio.to_thread(workspace.restore_schedules, self.ws)
        if not restored:
            return ""
        mark = self.ws.log_path.stat().st_size if self.ws.log_path.is_file() else 0
        self.gateway.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:          # the gateway logs "reloaded" (or why it refused)
            with self.ws.log_path.open("rb") as f:
                f.seek(mark)
                tail = f.read().decode("utf-8", "replace")
            if "reloaded" in tail or "reload refused" in tail:
                break
            await asyncio.sleep(0.1)
        return ", ".join(restored)

    async def _partner_goes_down(self, partner: str) -> str:
        """A partner's AS2 server goes down for maintenance: what we send it waits in the outbox, retrying."""
        receiver = self.receivers.get(partner)
        if receiver is None or not receiver.running:
            return ""
        await receiver.stop()
        text = (f"{partner}'s AS2 server went down for maintenance: documents for {partner} wait in the "
                f"outbox and are retried with backoff (the status page lists them as stuck)")
        self.notes.append(text)
        return text

    async def wait_outbound(self, progress: Progress) -> str:
        if self.gateway is None:
            raise Unavailable("the gateway is not running")
        if self.odoo is None:
            raise Unavailable("no Odoo sandbox: nothing was shipped or invoiced")
        if not _part_available("gateway.odoo.scheduler", "start"):
            raise Unavailable("the Odoo scheduler (gateway.odoo.scheduler) is not built: nothing polls Odoo")
        want = {**self.expect_out, "inventory feeds": 1}
        finished, text = await watch.wait_for_outbound(self.journal_path, want, OUTBOUND_TIMEOUT, progress.note)
        if not finished and watch.MISSING_PART in text:
            raise Unavailable(text)
        if not finished:
            raise StepFailed(text)
        return text

    async def partners_pick_up(self, progress: Progress) -> str:
        """SFTP partners fetch and delete what waits for them (Northwind answers with 999s); EuroHandel reads
        its folder and drops a CONTRL per interchange into the shared inbox."""
        assert self.ws is not None
        if self.gateway is None:
            raise Unavailable("the gateway is not running, nothing would read the partners' acknowledgements")
        configured = {p.stem for p in (self.ws.root / "partners").glob("*.yaml")}
        parts: list[str] = []
        total_acks = 0
        restored = await self._end_of_day()
        if restored:
            parts.append(f"schedules back to production ({restored})")
        pickers = [p for p in self.ws.sftp_pickup if p in configured]
        if pickers and not _part_available("gateway.transports.sftp_server", "start"):
            parts.append("SFTP pickup skipped: the SFTP server (gateway.transports.sftp_server) is not built")
            pickers = []
        for partner in pickers:
            fetched, acks = await partners.pick_up_sftp(self.ws, partner)
            total_acks += len(acks)
            parts.append(f"{partner} fetched {len(fetched)} over SFTP"
                         + (f", sent {len(acks)} {acks[0][:3]}s" if acks else ""))
            progress.note(parts[-1])
        for partner in sorted(configured - set(pickers)):
            contrls = await asyncio.to_thread(partners.acknowledge_folder_deliveries, self.ws, partner)
            if contrls:
                total_acks += len(contrls)
                parts.append(f"{partner} sent {len(contrls)} CONTRLs to the shared folder")
                progress.note(parts[-1])
        if not total_acks and not parts:
            raise Unavailable("no example partner fetches or acknowledges what we sent")
        text = "; ".join(parts)
        if total_acks:
            finished, seen = await watch.wait_for_partner_acks(self.journal_path, total_acks, ACK_TIMEOUT,
                                                               progress.note)
            if not finished:
                raise StepFailed(f"{text}; {seen}")
            text += f"; {seen}"
        return text

    # ------------------------------------------------------------------ end
    def print_summary(self, progress: Progress) -> None:
        out = self.stream
        if self.ws is None:
            out.write("\nThe demo could not create its workspace; nothing else ran.\n")
            return
        partner_ids = sorted(p.stem for p in (self.ws.root / "partners").glob("*.yaml"))
        rows = summary.collect(self.journal_path, partner_ids)
        out.write("\nSummary per partner (from the journal):\n\n")
        out.write(summary.table(rows) + "\n\n" + summary.LEGEND + "\n")
        for name, reason in summary.quarantined(self.journal_path):
            out.write(f"\nQuarantined: {name}\n  reason: {reason}\n  copy and reason file: "
                      f"{self.ws.root / 'quarantine'}\n")
        for note in self.notes:
            out.write(f"\nNote: {note}\n")
        ran = [r for r in progress.results if r.outcome == "ok"]
        skipped = [r for r in progress.results if r.outcome != "ok"]
        out.write(f"\n{len(ran)} of {len(progress.results)} steps ran for real.")
        if skipped:
            out.write(" Not run:\n" + "".join(f"  - {r.title}: {r.outcome}: {r.detail}\n" for r in skipped))
        else:
            out.write("\n")
        cfg = self.ws.config_path
        out.write("\nWhere to look next:\n"
                  f"  edi-gateway messages --config {cfg}          every message and its state\n"
                  f"  edi-gateway show MESSAGE_ID --config {cfg}   one message: events, Odoo records, bytes\n"
                  f"  edi-gateway messages --state quarantined --config {cfg}   what a person must look at\n"
                  + (f"  status page   {self.status_url()}   (metrics: {self.status_url()}metrics, "
                     f"health: {self.status_url()}healthz)\n" if self.keep_running and self.gateway is not None else
                     f"  status page   {self.status_url()} while a gateway runs on this workspace: "
                     f"edi-gateway run --config {cfg}\n"
                     f"                (or see it live with: edi-gateway demo --keep-running)\n")
                  + f"  gateway log   {self.ws.log_path}\n"
                  f"  outbox        {self.ws.root / 'outbox'}\n")
        if self.keep_running and self.gateway is not None:
            down = [p for p, r in self.receivers.items() if not r.running]
            if down:
                out.write(f"\n{', '.join(down)}'s AS2 server comes back in {PARTNER_BACK_AFTER:g} s: watch the "
                          f"stuck documents leave the status page as the outbox retries.\n")
        out.flush()

    async def wait_for_interrupt(self) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        # said only now: a Ctrl-C right after it reaches the handler above, not a bare KeyboardInterrupt
        self.stream.write("\nThe gateway and the Odoo sandbox keep running; press Ctrl-C to stop them.\n")
        self.stream.flush()
        back_at = time.monotonic() + PARTNER_BACK_AFTER
        try:
            while not stop.is_set():
                if self.gateway is not None and self.gateway.poll() is not None:
                    self.stream.write(f"The gateway stopped (exit {self.gateway.returncode}).\n")
                    break
                if back_at and time.monotonic() >= back_at:
                    back_at = 0.0
                    await self._partners_come_back()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.5)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    async def _partners_come_back(self) -> None:
        """Maintenance over: the partner's AS2 server is back, and the outbox's next retry delivers."""
        for partner, receiver in self.receivers.items():
            if not receiver.running:
                try:
                    await receiver.start()
                except OSError as exc:
                    self.stream.write(f"{partner}'s AS2 server could not come back: {exc.strerror or exc}\n")
                    continue
                self.stream.write(f"{partner}'s AS2 server is back from maintenance: the documents waiting for "
                                  f"it go out at their next retry (watch {self.status_url()}).\n")
                self.stream.flush()

    async def stop(self) -> None:
        if self.gateway is not None and self.gateway.poll() is None:
            self.gateway.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.gateway.wait, 25)
            except subprocess.TimeoutExpired:
                self.gateway.kill()
                await asyncio.to_thread(self.gateway.wait)
        if self.ops_in_demo is not None:
            await self.ops_in_demo()
        for receiver in self.receivers.values():
            await receiver.stop()
        if self._log_stream is not None:
            self._log_stream.flush()
        if self.sandbox is not None:
            await asyncio.to_thread(odoo_day.stop_sandbox, self.sandbox)

    def _log_partners_to_file(self) -> None:
        """What the partners' clients and servers log in this process goes to logs/demo-partners.log."""
        assert self.ws is not None
        from gateway import logs
        stream = (self.ws.root / "logs" / "demo-partners.log").open("a", encoding="utf-8")
        self._log_stream = stream
        logs.configure("text", "INFO", stream)

    async def _serve_ops_here(self) -> None:
        """Without a running daemon, the demo serves the status page itself (same journal, read-only)."""
        assert self.ws is not None
        from types import SimpleNamespace

        from gateway.config.loader import load
        from gateway.journal.sqlite import open_journal
        from gateway.ops import start
        loaded = await asyncio.to_thread(load, self.ws.config_path)
        journal = await asyncio.to_thread(open_journal, loaded.gateway.state_dir)
        ctx = SimpleNamespace(config=loaded, journal=journal, partners=loaded.partners, ports={})
        stop = await start(ctx)

        async def stopper() -> None:
            await stop()
            journal.close()
        self.ops_in_demo = stopper

    def _log_tail(self, lines: int = 3) -> str:
        assert self.ws is not None
        try:
            text = self.ws.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(text[-lines:]) + f" (log: {self.ws.log_path})"


def _healthz(port: int) -> dict[str, Any] | None:
    """The gateway's /healthz answer (ready or not), or None while nothing answers."""
    found = ask_healthz(f"http://127.0.0.1:{port}/healthz")
    return found if isinstance(found, dict) else None


def _disable_odoo(config_path: Path) -> None:
    from ruamel.yaml import YAML
    yaml = YAML(typ="rt")
    data = yaml.load(config_path.read_text(encoding="utf-8"))
    data["odoo"]["enabled"] = False
    with config_path.open("w", encoding="utf-8") as f:
        yaml.dump(data, f)


def run(workdir: Path, keep_running: bool = False, stream: TextIO | None = None, tty: bool | None = None) -> int:
    demo = Demo(workdir=workdir, keep_running=keep_running, stream=stream or sys.stdout, tty=tty)
    try:
        return asyncio.run(demo.run())
    except KeyboardInterrupt:
        # the gateway child gets SIGTERM from the kernel as this process ends (gateway.demo.child)
        demo.stream.write("\nInterrupted: the demo stops, and its gateway and Odoo sandbox with it.\n")
        return 130
