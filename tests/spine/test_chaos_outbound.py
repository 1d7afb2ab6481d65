"""The chaos run's outbound half (a second seeded run, to keep each under a minute): the real daemon takes
Northwind's X12 005010 and EuroHandel's EDIFACT orders from the inbox; in Odoo (the sandbox, over HTTP, now and
then answering 503) people confirm some orders, ship some and post their invoices, so the scheduler sends 855s
(order_confirmed), 856/DESADV, 810/INVOIC and Northwind's 846 every minute; Northwind's documents go over AS2 to
its station, which answers 503 for whole rounds; the daemon is SIGKILLed at random moments or named points, or
now and then stopped with SIGTERM while Odoo hangs (as in tests/spine/test_chaos.py: every call, or a new
Northwind order's create).

After a last clean run settles: each Odoo record's document queued once per version, delivered (the station
holds every AS2 message; a resend comes under the same Message-ID, which its duplicate check absorbs), no
control number twice, nothing stuck.

EDI_CHAOS_SEED / EDI_CHAOS_SEEDS / EDI_CHAOS_ROUNDS / EDI_CHAOS_ODOO as in tests/spine/test_chaos.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import odoorpc
import pytest
from aiohttp import ClientError, web
from ruamel.yaml import YAML

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.odoo.test_extraction import invoice
from tests.odoo.test_xml_orders import cxml_text
from tests.spine.test_chaos import (
    EXAMPLES,
    ODOO_TIMEOUT,
    ROUNDS,
    SAMPLES,
    SEEDS,
    HungOdoo,
    armed_daemon,
    edifact_order,
    end_round,
    replay_set_aside,
    sandbox,  # noqa: F401  (the fixture, shared with the inbound run)
    settle,
    ship,
    sigterm_rounds,
    unsettled,
)
from tests.spine.test_crash import ACTIVE
from tests.transports.as2_peer import serve
from tests.transports.certs import make_cert
from tests.transports.test_delivery_hostile import Partner
from tests.transports.test_sftp_remote import PartnerSshd

MESSAGE_DOCS = {"855", "856", "810", "846", "DESADV", "INVOIC"}


def northwind_order(n: int) -> tuple[str, bytes]:
    """Northwind's first sample 850 as PO NW-9<n> in interchange <n>."""
    text = (SAMPLES / "northwind" / "850_NW-77001.edi").read_text()
    number = f"NW-9{n:04d}"
    text = text.replace("000000481", f"{n:09d}").replace("*481*X*", f"*{n}*X*").replace("GE*1*481", f"GE*1*{n}")
    return number, text.replace("NW-77001", number).encode()


def cxml_order(n: int) -> tuple[str, bytes]:
    """Northwind's cXML OrderRequest CX-<n> (payloadID <n>), no ship-to: to its own address."""
    number = f"CX-{n:05d}"
    text = cxml_text(number, "new", str(n), [("1", "WB-100", 24, None), ("2", "GL-300", 6, None)], header=None)
    return number, text.replace(b"<Identity>bigbox</Identity>", b"<Identity>northwind</Identity>")


class Station(Partner):
    """Northwind's AS2 station on its own thread: answers each POST (its MDN in the answer, or posted to us
    first when the message asks for it async), or 503 while `busy`; `taken`
    counts the Message-IDs it answered 200, or whose async MDN it posted to a daemon killed meanwhile, each copy (its
    duplicate check keeps the first)."""

    def __init__(self, root: Path) -> None:
        super().__init__(make_cert(root / "certs", "northwind"))
        self.taken: Counter[str] = Counter()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(10)

    def _serve(self, ready: threading.Event) -> None:
        app = web.Application()
        app.router.add_post("/as2", self.handle)
        self.runner, self.port = self.loop.run_until_complete(serve(app))
        ready.set()
        self.loop.run_forever()

    async def handle(self, request: web.Request) -> web.Response:
        try:
            answer = await super().handle(request)
        except ClientError:
            # its async MDN, posted before it answers, met a daemon killed meanwhile (which may have recorded that
            # MDN before it died): the station has the message all the same
            self.taken[request.headers["Message-ID"]] += 1
            raise
        if answer.status == 200:
            self.taken[request.headers["Message-ID"]] += 1
        return answer

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def outbound_workspace(root: Path, odoo_url: str, station: Station, sshd: PartnerSshd) -> Workspace:
    """Northwind: X12 and cXML orders into the inbox, everything back over AS2 (sync or async MDN, changed between
    rounds), an 846 every minute;
    EuroHandel: orders into the inbox, CONTRL, DESADV and INVOIC pushed to its SFTP server (sftp_remote).
    Outbox retries within a second or two."""
    ours = make_cert(root / "certs", "acme")
    odoo = {"enabled": True, "url": odoo_url, "database": "demo", "username": "admin", "password": "admin",
            "timeout": ODOO_TIMEOUT, "retry_max": 1, "poll_seconds": 1, "lookback_days": 2,
            "in_doubt_seconds": 1}     # the sandbox commits before an answer is lost: nothing to wait for
    settings = {"odoo": odoo, "inbox": [{"path": "inbox", "processed": "inbox/processed", "min_age": 0.05}],
                "retry_hours": 1, "workers": 2, "drain_seconds": ODOO_TIMEOUT,
                "outbox": {"min_backoff": 0.5, "max_backoff": 2, "max_attempts": 1000},
                "our_ids": {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "gs": "ACMEDIST", "as2_id": "ACMEDIST",
                            "edifact": {"qualifier": "14", "id": "0614141000005"}},
                "as2_server": {"enabled": True, "host": "127.0.0.1", "port": (port := free_port()), "as2_id": "ACMEDIST",
                               "certificate": str(ours.cert_path), "private_key": str(ours.key_path),
                               "public_url": f"http://127.0.0.1:{port}/as2"}}
    ws = Workspace.create(root / "gw", settings)
    station.ledger_path = ws.root / "state" / "as2.sqlite3"
    shutil.copytree(EXAMPLES / "translations", ws.root / "translations", dirs_exist_ok=True)
    yaml = YAML(typ="safe")
    outbound = {"northwind": {"channel": "as2", "as2_id": "ACMERETAIL-AS2", "url": f"http://127.0.0.1:{station.port}/as2",
                              "mdn": "sync", "certificates": [str(station.theirs.cert_path)], "sign": True,
                              "encrypt": True},
                "eurohandel": {"channel": "sftp_remote", "host": "127.0.0.1", "port": sshd.port, "user": sshd.user,
                               "key": str(sshd.client_key), "known_host_key": sshd.host_pub,
                               "push_dir": str(sshd.remote / "in"), "timeout": 5}}
    for pid, out in outbound.items():
        body = yaml.load((EXAMPLES / "partners" / f"{pid}.yaml").read_text())
        body["inbound"] = [{"channel": "folder"}]
        if pid == "northwind":                       # its cXML orders too, known by their From identity
            body["xml"] = {"ids": ["northwind"]}
            body["documents"].append({"type": "OrderRequest", "direction": "in", "profile": "cxml-orderrequest"})
        body["outbound"] = out
        for doc in body["documents"]:
            if doc.get("trigger") == "schedule":
                doc["schedule"] = "* * * * *"
        ws.write_partner(pid, {k: v for k, v in body.items() if k != "id"})
    return ws


def mdn_mode(ws: Workspace, mode: str) -> None:
    """Northwind's coordinator moves it to a sync or async MDN (read at the next start)."""
    path = ws.root / "partners" / "northwind.yaml"
    path.write_text(re.sub(r"mdn: (sync|async)", f"mdn: {mode}", path.read_text()))


class OutboundChaos:
    """One seeded run: the orders sent, and what people did to them in Odoo."""

    def __init__(self, ws: Workspace, server: SandboxServer, hung: HungOdoo, station: Station, sshd: PartnerSshd,
                 seed: int) -> None:
        self.ws, self.server, self.station, self.rng, self.seed = ws, server, station, random.Random(seed), seed
        self.hung, self.sigterms, self.terms = hung, sigterm_rounds(seed), 0
        self.sshd = sshd
        self.numbers: dict[str, str] = {}            # order number -> partner
        self.confirmed: set[int] = set()             # sale.order ids confirmed by a person
        self.tried: set[int] = set()                 # ... whose delivery was validated (or tried: out of stock)
        self.shipped: set[int] = set()
        self.invoices: set[int] = set()              # account.move ids posted
        self.dropped: list[str] = []                 # sha256 of each file put in the inbox
        self.control = 1
        self.set_aside: list[str] = []               # set aside by the poison guard after the chaos's kills, replayed
        self.quiet: list[float] = []                 # the longest time without an event in each settling
        self.odoo = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=30)
        self.odoo.login("demo", "admin", "admin")

    def drop(self, count: int) -> None:
        for _ in range(count):
            make = self.rng.choice([northwind_order, edifact_order, cxml_order])
            number, data = make(self.control)
            self.numbers[number] = "eurohandel" if make is edifact_order else "northwind"
            self.ws.drop(f"order-{self.control}.{'xml' if make is cxml_order else 'edi'}", data)
            self.dropped.append(hashlib.sha256(data).hexdigest())
            self.control += 1

    def feed(self) -> None:
        """A new Northwind X12 order into the inbox (no draw: the seed's choices stay as they were)."""
        number, data = northwind_order(self.control)
        self.numbers[number] = "northwind"
        self.ws.drop(f"order-{self.control}.edi", data)
        self.dropped.append(hashlib.sha256(data).hexdigest())
        self.control += 1

    def work(self, everything: bool = False) -> None:
        """People in Odoo: confirm some orders, ship some confirmed ones, invoice and post some shipped ones
        (`everything`: all of them); not while the sandbox plays an outage."""
        if self.server.faults.unavailable:
            return
        chance = (lambda: True) if everything else (lambda: self.rng.random() < 0.4)
        found = self.odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "in", sorted(self.numbers))],
                                                                   ["id", "state"]])
        for row in found:
            oid = row["id"]
            if oid not in self.confirmed and chance():
                if row["state"] in ("draft", "sent"):
                    self.odoo.execute_kw("sale.order", "action_confirm", [[oid]])
                self.confirmed.add(oid)
            elif oid in self.confirmed and oid not in self.tried and chance():
                self.tried.add(oid)
                if ship(self.odoo, oid):
                    self.shipped.add(oid)
            elif oid in self.shipped and chance() and not self._invoiced(oid):
                move = invoice(self.odoo, oid)
                self.odoo.execute_kw("account.move", "action_post", [[move]])
                self.invoices.add(move)
        if not everything:
            self.touch()

    def touch(self) -> None:
        """Edits that change a record's write_date, not its document: Send & Print on an invoice, a note on a
        done delivery or on a confirmed order. None may send anything again."""
        for move in sorted(self.invoices):
            if self.rng.random() < 0.3:
                self.odoo.execute_kw("account.move", "write", [[move], {"is_move_sent": True}])
        for oid in sorted(self.confirmed):
            if self.rng.random() < 0.2:
                self.odoo.execute_kw("sale.order", "write", [[oid], {"note": f"<p>checked {self.control}</p>"}])
        if self.shipped and self.rng.random() < 0.5:
            picks = self.odoo.execute_kw("stock.picking", "search", [[("sale_id", "in", sorted(self.shipped)),
                                                                      ("state", "=", "done")]])
            self.odoo.execute_kw("stock.picking", "write", [picks[:3], {"note": "<p>pallet checked</p>"}])

    def _invoiced(self, order_id: int) -> bool:
        return bool(self.odoo.execute_kw("sale.order", "read", [[order_id], ["invoice_ids"]])[0]["invoice_ids"])

    def settled(self) -> bool:
        if any(p.is_file() for p in self.ws.inbox.iterdir()):
            return False
        rows = self.ws.messages()
        if any(r["state"] in ACTIVE for r in rows):
            return False
        if any(json.loads(r["meta"]).get("awaits") for r in rows if r["partner"] == "northwind"):
            return False                             # an async MDN still to come
        out = Counter(r["doc_type"] for r in rows if r["direction"] == "out")
        wanted = Counter({"855": len(self.confirmed & self._of("northwind"))})
        return all(out[t] >= n for t, n in wanted.items()) and not self.missing()

    def unsettled(self, gw: GatewayProcess) -> str:
        waiting = [r["id"] for r in self.ws.messages() if json.loads(r["meta"]).get("awaits")]
        return (f"nothing queued for {self.missing()}, {Counter(r['state'] for r in self.ws.messages())}, MDN "
                f"awaited for {waiting}, the station's MDN posts answered {self.station.mdn_answers}\n"
                f"{unsettled(self.ws)}\n{gw.output()[-4000:]}")

    def _of(self, partner: str) -> set[int]:
        refs = [n for n, p in self.numbers.items() if p == partner]
        return set(self.odoo.execute_kw("sale.order", "search", [[("client_order_ref", "in", refs)]]))

    def missing(self) -> set[str]:
        """The shipped pickings and posted invoices with no document queued (or held)."""
        keys = {r["source_key"].removeprefix("held:").split("@")[0] for r in self.ws.messages(direction="out")
                if r["source_key"]}                 # held ones too: check() names them
        picks = self.odoo.execute_kw("stock.picking", "search", [[("sale_id", "in", sorted(self.shipped)),
                                                                  ("state", "=", "done")]])
        wanted = {f"odoo:stock.picking,{p}" for p in picks}                  # not their backorders
        wanted |= {f"odoo:account.move,{m}" for m in self.invoices}
        return wanted - keys

    def run(self) -> None:
        for turn in range(ROUNDS):
            self.drop(self.rng.randint(1, 3))
            mdn_mode(self.ws, self.rng.choice(["sync", "async"]))
            gw = armed_daemon(self.ws, self.rng)
            if self.rng.random() < 0.25:                       # Odoo answers 503 for a while
                self.server.faults.unavailable = self.rng.randint(1, 8)
            self.station.busy = "1" if self.rng.random() < 0.35 else None   # Northwind's station is down
            sftp_down = self.rng.random() < 0.35                              # EuroHandel's SFTP server too
            if sftp_down:
                self.sshd.stop()
            time.sleep(self.rng.uniform(0.3, 1.5))
            self.work()
            time.sleep(self.rng.uniform(0.0, 1.5))
            if self.rng.random() < 0.5:                        # ... and back
                self.station.busy = None
                if sftp_down:
                    self.sshd.start()
                    sftp_down = False
            time.sleep(self.rng.uniform(0.0, 1.0))
            self.terms += end_round(gw, self.hung, self.sigterms.get(turn), f"seed {self.seed}", self.feed)
            if sftp_down:
                self.sshd.start()
        self.server.faults.unavailable = 0
        self.station.busy = None
        with GatewayProcess(self.ws.config) as gw:
            for _ in range(4):                                 # people finish the work, the gateway settles
                self.work(everything=True)
                self.set_aside += replay_set_aside(self.ws)
                self.quiet.append(settle(self.ws, self.settled, f"seed {self.seed}", lambda: self.unsettled(gw)))
            assert "Traceback" not in gw.output(), gw.output()[-3000:]


def check(chaos: OutboundChaos) -> None:
    """Once per record and version, each delivered, nothing doubled or stuck."""
    ws, label = chaos.ws, f"seed {chaos.seed}"
    found = chaos.odoo.execute_kw("sale.order", "search_read",
                                  [[("client_order_ref", "in", sorted(chaos.numbers))], ["client_order_ref"]])
    assert Counter(r["client_order_ref"] for r in found) == Counter(set(chaos.numbers)), label
    rows = ws.messages()
    stuck = [(r["id"], r["doc_type"], r["state"], r["last_error"]) for r in rows
             if r["state"] not in ("done", "duplicate", "sent")]
    assert not stuck, f"{label}: {stuck}"
    outbound = [r for r in rows if r["direction"] == "out"]
    keys = Counter(r["source_key"] or f"{r['parent_id']}:{r['doc_type']}" for r in outbound)
    assert all(n == 1 for n in keys.values()), f"{label}: {keys.most_common(3)}"
    originals = [r for r in rows if r["direction"] == "in" and r["state"] != "duplicate"]
    assert Counter(r["sha256"] for r in originals) == Counter(set(chaos.dropped)), f"{label}: processed once"
    acks = Counter((r["parent_id"], r["doc_type"]) for r in outbound if r["doc_type"] in ("999", "CONTRL"))
    wanted = {(r["id"], "CONTRL" if r["partner"] == "eurohandel" else "999") for r in originals
              if r["doc_type"] != "OrderRequest"}                  # cXML answers in the HTTP response only
    assert set(acks) == wanted and all(n == 1 for n in acks.values()), f"{label}: {acks} {wanted}"
    controls = Counter((r["partner"], r["doc_type"], r["control_number"]) for r in outbound if r["control_number"])
    assert all(n == 1 for n in controls.values()), f"{label}: {controls.most_common(3)}"
    # one document per Odoo record: an 855 per confirmed Northwind order, a notice per shipped picking, an
    # invoice per posted invoice (none of them changed after it went out), an 846 per minute it ran in
    records = Counter((r["doc_type"], r["source_key"].split("@")[0]) for r in outbound
                      if r["doc_type"] in MESSAGE_DOCS and r["doc_type"] != "846")
    assert all(n == 1 for n in records.values()), f"{label}: {records.most_common(3)}"
    northwind = chaos.confirmed & chaos._of("northwind")
    assert {k for t, k in records if t == "855"} == {f"odoo:sale.order,{o}" for o in northwind}, label
    assert sum(1 for t, _ in records if t in ("810", "INVOIC")) == len(chaos.invoices), f"{label}: {records}"
    assert sum(1 for t, _ in records if t in ("856", "DESADV")) == len(chaos.shipped), f"{label}: {records}"
    assert any(r["doc_type"] == "846" for r in outbound), label
    # Northwind's station holds each AS2 message; a copy only under the Message-ID it already has
    as2 = {r["id"] for r in outbound if r["partner"] == "northwind"}      # its 999s too
    taken = {mid.strip("<>").split("@")[0] for mid in chaos.station.taken}
    waiting = [r["id"] for r in outbound if json.loads(r["meta"]).get("awaits")]
    assert not waiting, f"{label}: MDN never settled {waiting}"
    assert taken == as2, f"{label}: never {as2 - taken}, unknown {taken - as2}"
    # EuroHandel's server holds each pushed file once, whole, under its name; no temporary file left
    pushed = {p.name: p.read_bytes() for p in (chaos.sshd.remote / "in").iterdir()}
    eurohandel = {r["filename"]: ws.archived(r["sha256"]).read_bytes() for r in outbound
                  if r["partner"] == "eurohandel"}
    assert pushed == eurohandel, f"{label}: never {set(eurohandel) - set(pushed)}, else {set(pushed) - set(eurohandel)}"
    print(f"{label}: {len(chaos.numbers)} orders, {len(chaos.confirmed)} confirmed, {len(chaos.shipped)} shipped, "
          f"{len(chaos.invoices)} invoiced, {chaos.terms} SIGTERMs while Odoo hung, "
          f"{len(chaos.set_aside)} set aside by the poison guard and replayed, at most {max(chaos.quiet):.1f} s "
          f"without an event while settling, {Counter(r['doc_type'] for r in outbound)}, "
          f"{sum(chaos.station.taken.values())} AS2 copies taken of {len(chaos.station.posts)} posts, "
          f"{Counter(r['state'] for r in rows)}")


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    peer = Station(tmp_path)
    yield peer
    peer.close()


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[PartnerSshd]:
    server = PartnerSshd(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/sbin/sshd").exists(), reason="openssh-server not installed")
@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_while_acks_notices_invoices_and_stock_go_out(tmp_path: Path, sandbox: SandboxServer,  # noqa: F811
                                                               station: Station, sshd: PartnerSshd, seed: int) -> None:
    hung = HungOdoo(sandbox)
    try:
        ws = outbound_workspace(tmp_path, hung.url, station, sshd)
        chaos = OutboundChaos(ws, sandbox, hung, station, sshd, seed)
        chaos.run()
    finally:
        hung.close()
    check(chaos)


def test_the_northwind_orders_are_its_sample_renumbered() -> None:
    number, data = northwind_order(7)
    assert number == "NW-90007" and b"*000000007*0*P*" in data and b"GS*PO*NORTHWIND*ACMEDIST*20261128*0615*7*X*" in data
    assert b"BEG*00*SA*NW-90007**" in data and b"GE*1*7~" in data and b"NW-77001" not in data
