"""Asynchronous MDNs we owe a partner that did not go out, through the real daemon: noted on the inbound message
(`edi-gateway show`, the status page), listed by `edi-gateway mdn list`, and sent by `edi-gateway mdn resend` from a
second process once the partner's settings (reloaded with SIGHUP) or its URL are fixed.

The partner is openssl + curl; its MDN endpoints are aiohttp apps on 127.0.0.1. Three messages:
- `named`: Receipt-Delivery-Option http://localhost:<sink>/mdn, a name that passes the look at the URL and resolves
  to loopback when the MDN is POSTed: refused at send time (the case the journal did not hear of);
- `down`: an allowed URL where nobody listens: given up after outbox.max_attempts;
- `literal`: http://127.0.0.1:<sink>/mdn, refused as the message is received (kept unsent in the queue).
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.transports.as2_peer import as2_headers, build_message, curl_post, serve, verify_mdn
from tests.transports.certs import Cert, make_cert

pytestmark = pytest.mark.slow

PAYLOAD = b"ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260101*1200*U*00401*000000001*0*P*>~\n"


class Sink:
    """A partner's async MDN endpoint (POST /mdn) on 127.0.0.1: the (headers, body) it got."""

    def __init__(self) -> None:
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.runner: web.AppRunner | None = None

    async def start(self, port: int = 0) -> int:
        async def take(request: web.Request) -> web.Response:
            self.got.append((dict(request.headers), await request.read()))
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/mdn", take)
        self.runner, bound = await serve(app, port)
        return bound

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


def bigbox(theirs: Cert, allow: list[str]) -> dict[str, Any]:
    return {"inbound": [{"channel": "as2", "as2_id": "BIGBOX-AS2", "certificates": [str(theirs.cert_path)],
                         "async_mdn_allow": allow}]}


def mdn(ws: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    return cli("mdn", *args, "--config", str(ws.config))


def listed(ws: Workspace, state: str) -> list[dict[str, Any]]:
    result = mdn(ws, "list", "--state", state, "--json")
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def settled(ws: Workspace) -> list[str]:
    """The queue's states, oldest MDN first, read straight from state/as2.sqlite3 (for the waits: the command is
    a process start each time)."""
    db = sqlite3.connect(f"file:{ws.root / 'state' / 'as2.sqlite3'}?mode=ro", uri=True, timeout=10)
    try:
        return [{0: "queued", 1: "sent", 2: "failed", 3: "refused"}[done]
                for (done,) in db.execute("SELECT done FROM mdn_out ORDER BY id")]
    finally:
        db.close()


def noted(ws: Workspace) -> dict[str, str | None]:
    """What each inbound message's `async_mdn` note says became of its MDN (None: nothing yet), by message id. The
    daemon notes it after the queue row says so (`settled`), in a journal write of its own: the waits need both."""
    return {m["id"]: (json.loads(m["meta"]).get("async_mdn") or {}).get("state") for m in ws.messages(direction="in")}


def show(ws: Workspace, mid: str) -> str:
    result = cli("show", mid, config=ws.config)
    assert result.returncode == 0, result.stderr
    return result.stdout


def page(url: str) -> str:
    r = subprocess.run(["curl", "-sS", "--noproxy", "*", "-f", url], capture_output=True, timeout=30, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode()


def original_id(tmp: Path, got: tuple[dict[str, str], bytes], ours: Cert) -> str:
    """The Original-Message-ID of an MDN the sink got, once openssl verified our signature on it."""
    headers, body = got
    report = verify_mdn(tmp, headers["Content-Type"], body, ours).decode()
    return report.split("Original-Message-ID:")[1].split("\r\n")[0].strip()


async def test_an_mdn_refused_or_given_up_is_noted_listed_and_sent_again_after_the_fix(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    ours, theirs = make_cert(certs, "acme"), make_cert(certs, "bigbox")
    sink, late = Sink(), Sink()
    sink_port, down_port, port, ops_port = await sink.start(), free_port(), free_port(), free_port()
    ws = Workspace.create(tmp_path / "gw", {
        "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "as2_id": "ACMEDIST",
                       "certificate": str(ours.cert_path), "private_key": str(ours.key_path)},
        "outbox": {"max_attempts": 2, "min_backoff": 0.1, "max_backoff": 0.2},
        "ops": {"enabled": True, "host": "127.0.0.1", "port": ops_port}},
        partners={"bigbox": bigbox(theirs, [f"http://127.0.0.1:{down_port}/"])})
    urls = {"named": f"http://localhost:{sink_port}/mdn", "down": f"http://127.0.0.1:{down_port}/mdn",
            "literal": f"http://127.0.0.1:{sink_port}/mdn"}
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        for name, url in urls.items():
            ctype, body, _ = build_message(tmp_path / name, PAYLOAD, signer=theirs, recipient=ours)
            reply = await asyncio.to_thread(curl_post, f"http://127.0.0.1:{port}/as2", body, as2_headers(
                "BIGBOX-AS2", "ACMEDIST", f"<{name}@bigbox>", ctype, async_url=url), tmp_path)
            assert reply.status == 200
        ids = {json.loads(m["meta"])["as2_message_id"].strip("<>").split("@")[0]: m["id"]
               for m in ws.messages(direction="in")}
        assert set(ids) == set(urls)
        # the daemon gives up on both; the refusal and the failure are on the messages, not only in the log
        await asyncio.to_thread(wait_for, lambda: settled(ws) == ["refused", "failed", "refused"], 60, 0.05,
                                "the MDNs refused and given up")
        await asyncio.to_thread(wait_for, lambda: noted(ws) == {ids["named"]: "refused", ids["down"]: "failed",
                                                                ids["literal"]: "refused"}, 30, 0.05, "each told")
        assert [r["journal_id"] for r in listed(ws, "refused")] == [ids["literal"], ids["named"]]
        for name, state, why in (("named", "refused", "is a loopback address"),
                                 ("down", "failed", "given up after 2 attempts"),
                                 ("literal", "refused", "async_mdn_allow does not list")):
            note = json.loads(ws.messages(id=ids[name])[0]["meta"])["async_mdn"]
            assert note["state"] == state and note["url"] == urls[name] and why in note["reason"]
            if name != "literal":
                shown = show(ws, ids[name])
                assert f"asynchronous MDN not sent, {state}" in shown and why in shown
                assert f"edi-gateway mdn resend {ids[name]}" in shown
        assert "Async MDN" in page(f"http://127.0.0.1:{ops_port}/messages/{ids['named']}")
        for where in ("/", "/partners/bigbox"):          # the overview and the partner's page list all three
            section = page(f"http://127.0.0.1:{ops_port}{where}").split('id="mdns"')[1].split("</section>")[0]
            assert all(f'href="/messages/{ids[name]}"' in section for name in urls)
            assert "<td>failed</td>" in section and "is a loopback address" in section
        assert "asynchronous MDNs not sent: 1 failed, 2 refused" in cli("status", config=ws.config).stdout
        text = mdn(ws, "list", "--partner", "bigbox").stdout
        assert all(ids[name] in text for name in urls) and "<named@bigbox>" in text and "refused" in text
        assert sink.got == []

        # still not allowed by the partner file: the literal address is not queued, and the command says why
        early = mdn(ws, "resend", ids["literal"])
        assert early.returncode == 1 and "list it in async_mdn_allow" in early.stderr and early.stdout == ""
        assert [r["journal_id"] for r in listed(ws, "refused")].count(ids["literal"]) == 1

        # the coordinator lists the partner's MDN address, reloads, and sends the MDNs again from a second process
        ws.write_partner("bigbox", bigbox(theirs, [f"http://127.0.0.1:{down_port}/", f"http://localhost:{sink_port}/"]))
        seen = len(gw.poll_notifications())
        gw.signal(signal.SIGHUP)
        await asyncio.to_thread(gw.wait_notification, "READY=1", 30.0, seen)
        await late.start(down_port)                     # the partner's other endpoint is up again
        by_message_id = mdn(ws, "resend", "<named@bigbox>")
        assert by_message_id.returncode == 0, by_message_id.stdout + by_message_id.stderr
        assert "queued for" in by_message_id.stdout
        assert mdn(ws, "resend", ids["down"]).returncode == 0
        elsewhere = mdn(ws, "resend", ids["literal"], "--url", f"http://localhost:{sink_port}/mdn")
        assert elsewhere.returncode == 0, elsewhere.stdout
        await asyncio.to_thread(wait_for, lambda: len(sink.got) == 2 and len(late.got) == 1, 60, 0.1,
                                "the MDNs sent again")
        assert sorted(original_id(tmp_path, got, ours) for got in sink.got) == ["<literal@bigbox>", "<named@bigbox>"]
        assert original_id(tmp_path, late.got[0], ours) == "<down@bigbox>"
        await asyncio.to_thread(wait_for, lambda: settled(ws) == ["sent"] * 3, 30, 0.05, "all three sent")
        await asyncio.to_thread(wait_for, lambda: set(noted(ws).values()) == {"sent"}, 30, 0.05, "each told")
        assert len(listed(ws, "sent")) == 3
        assert "MDNs not sent" not in cli("status", config=ws.config).stdout
        assert 'id="mdns"' not in page(f"http://127.0.0.1:{ops_port}/")
        for name in urls:
            assert json.loads(ws.messages(id=ids[name])[0]["meta"])["async_mdn"]["state"] == "sent"
        assert "asynchronous MDN sent" in show(ws, ids["named"])
        again = mdn(ws, "resend", ids["named"])
        assert again.returncode == 1 and "nothing to send again" in again.stderr and again.stdout == ""
        assert len(sink.got) == 2
    finally:
        await asyncio.to_thread(gw.stop)
        await sink.stop()
        await late.stop()
