"""The operations HTTP endpoint: /healthz, /metrics, the status page. Read-only, loopback by default.

    GET /healthz        readiness: 200 with every check ok, else 503 (JSON body lists each check)
    GET /healthz/live   liveness: 200 while the event loop answers
    GET /metrics        Prometheus text format
    GET /               status page (flow, stuck, quarantine, files set aside, overdue acks, dead letters, latest)
    GET /messages/{id}  one message: fields, events, Odoo records, derived messages, raw bytes (escaped)
    GET /partners/{id}  one partner: its flow, stuck, quarantine, overdue acks, dead letters, latest messages

Journal reads run in a worker thread so a slow query never stalls transports on the event loop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import re
import socket
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from gateway.errors import TransportError
from gateway.journal.archive import Archive
from gateway.ops import metrics, pages
from gateway.ops.certificates import CertificateInUse, certificates_in_use, expiry_warnings
from gateway.ops.disk import FreeSpace, free_space, low_space_warnings
from gateway.ops.health import Readiness, default_checks
from gateway.ops.queries import JournalQueries, PartnerFlow
from gateway.ops.setaside import set_aside_files
from gateway.transports.as2.ledger import Ledger, OwedMdn, owed_text

log = logging.getLogger("gateway.ops")

_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")                    # message ids (ULIDs)
_PARTNER = re.compile(r"^[0-9A-Za-z_][0-9A-Za-z_.-]{0,63}$")  # partner ids as partner files name them
Stopper = Callable[[], Awaitable[None]]
MAX_STUCK_AFTER_MINUTES = 10 * 366 * 24 * 60                   # `?stuck_after=` beyond ten years means "ever"

QUERIES = web.AppKey("queries", JournalQueries)
READINESS = web.AppKey("readiness", Readiness)
STATE = web.AppKey("state", dict)


def _now() -> datetime:
    return datetime.now(UTC)


@web.middleware
async def _headers(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                   ) -> web.StreamResponse:
    """No scripts, no framing, no sniffing, no caching: the pages are plain server-rendered reads."""
    if request.method not in ("GET", "HEAD"):
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
    if not _trusted_host(request.host, request.app[STATE]["host_names"]):
        return web.Response(status=421, text="unknown Host: open the status page by address or localhost\n",
                            content_type="text/plain")
    try:
        response = await handler(request)
    except sqlite3.Error as exc:     # journal locked for long, missing, corrupt: say so, do not 500 with a trace
        log.warning("ops %s: journal unreadable: %s", request.path, exc)
        response = web.Response(status=503, text=f"journal unavailable: {exc}\n", content_type="text/plain")
    response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; "
                                                   "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _trusted_host(host: str | None, names: set[str]) -> bool:
    """The Host a browser sent names this machine, not some web site's domain re-resolved to 127.0.0.1
    (DNS rebinding would let any page a user opens read the status page and raw partner files)."""
    if not host:
        return True                                   # HTTP/1.0 clients: no browser sends this
    if host.startswith("["):
        name = host[1:].partition("]")[0]             # [::1]:8780
    else:
        name = host.partition(":")[0] if host.count(":") == 1 else host
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return name.rstrip(".").lower() in names


def _host_names(ops_host: str) -> set[str]:
    """Names this endpoint answers to besides addresses (looked up once: getfqdn may ask DNS)."""
    return {n.rstrip(".").lower() for n in ("localhost", ops_host, socket.gethostname(), socket.getfqdn()) if n}


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


async def healthz(request: web.Request) -> web.Response:
    results = await request.app[READINESS].run()
    ready = all(r.ok for r in results)
    body = {"status": "ready" if ready else "not ready", "live": True,
            "checks": {r.name: {"ok": r.ok, "detail": r.detail} for r in results}}
    return web.json_response(body, status=200 if ready else 503)


async def live(request: web.Request) -> web.Response:
    return web.json_response({"status": "live", "live": True})


def _gateway_config(ctx: Any) -> Any:
    return getattr(ctx.config, "gateway", ctx.config)


def _free_space(ctx: Any) -> list[FreeSpace]:
    return free_space(_gateway_config(ctx))


def _certificates(ctx: Any) -> list[CertificateInUse]:
    """The certificates configured now (read on each request: SIGHUP may change them; a few PEM files)."""
    config = _gateway_config(ctx)
    partners = getattr(ctx, "partners", None) or getattr(ctx.config, "partners", None) or {}
    return certificates_in_use(config, dict(partners))


async def metrics_endpoint(request: web.Request) -> web.Response:
    now = _now()
    queries = request.app[QUERIES]
    results = await request.app[READINESS].run()        # cached for a couple of seconds
    checks = {r.name: r.ok for r in results}
    ctx = request.app[STATE]["ctx"]
    certificates, spaces, kept = await asyncio.gather(
        asyncio.to_thread(_certificates, ctx), asyncio.to_thread(_free_space, ctx),
        asyncio.to_thread(set_aside_files, _gateway_config(ctx).quarantine_dir))
    families = await asyncio.to_thread(metrics.collect, queries, now, checks, certificates, spaces, kept)
    return web.Response(body=metrics.render(families).encode("utf-8"),
                        headers={"Content-Type": metrics.CONTENT_TYPE})


def _stuck_after(request: web.Request) -> timedelta:
    """The configured threshold; `?stuck_after=MINUTES` narrows or widens it for one look."""
    minutes = float(request.app[STATE]["stuck_after_minutes"])
    given = request.query.get("stuck_after")
    if given:
        try:
            asked = float(given)
        except ValueError:
            asked = math.nan
        if math.isfinite(asked):           # inf or 1e300 overflowed the timedelta: a 500 and a traceback
            minutes = min(max(0.0, asked), MAX_STUCK_AFTER_MINUTES)
    return timedelta(minutes=minutes)


def _board(request: web.Request, now: datetime, partner: str | None) -> pages.Board:
    """Read everything a page shows (in a worker thread)."""
    q = request.app[QUERIES]
    stuck_after = _stuck_after(request)
    known = _partner_names(request.app[STATE]["ctx"])
    flows = q.flow()
    present = {f.partner for f in flows}
    flows += [PartnerFlow(partner=p) for p in sorted(known) if p not in present]   # partners with no traffic yet
    if partner is not None:
        flows = [f for f in flows if f.partner == partner]
    return pages.Board(flows=flows, partner_names=known, stuck=q.stuck(now, stuck_after, partner=partner),
                       stuck_after=stuck_after, quarantined=q.quarantined(partner=partner),
                       dead=q.dead(partner=partner), rejected=q.rejected(partner=partner),
                       overdue=q.overdue_acks(now, partner=partner),
                       recent=q.recent(50 if partner else 25, partner=partner),
                       unsent_mdns=_unsent_mdns(request.app[STATE]["as2_ledger"], partner),
                       set_aside=set_aside_files(_gateway_config(request.app[STATE]["ctx"]).quarantine_dir, partner))


def _unsent_mdns(path: Path, partner: str | None) -> list[OwedMdn]:
    """The async MDNs we owe that were refused or given up, newest first (read-only from state/as2.sqlite3);
    none without an AS2 ledger, or with one an earlier release made that the AS2 part has not opened yet."""
    if not path.is_file():
        return []
    try:
        ledger = Ledger(path, read_only=True)
        try:
            found = [m for state in ("refused", "failed") for m in ledger.owed_mdns(partner=partner, state=state,
                                                                                  limit=50)]
        finally:
            ledger.close()
    except sqlite3.Error as exc:
        log.warning("status page: the async MDN queue in %s cannot be read: %s", path, exc)
        return []
    return sorted(found, key=lambda m: m.id, reverse=True)


async def status(request: web.Request) -> web.Response:
    now = _now()
    ctx = request.app[STATE]["ctx"]
    board, checks, certificates, spaces = await asyncio.gather(
        asyncio.to_thread(_board, request, now, None), request.app[READINESS].run(),
        asyncio.to_thread(_certificates, ctx), asyncio.to_thread(_free_space, ctx))
    warnings = low_space_warnings(spaces, _gateway_config(ctx).ops.min_free_mb) + expiry_warnings(certificates, now)
    return _html(pages.status_page(now=now, board=board, checks=checks, warnings=warnings))


async def partner(request: web.Request) -> web.Response:
    now = _now()
    partner_id = request.match_info["id"]
    if not _PARTNER.match(partner_id):
        return _html(pages.not_found(now, "No such partner."), 404)
    board = await asyncio.to_thread(_board, request, now, partner_id)
    if not board.flows and not board.recent and not board.set_aside:
        return _html(pages.not_found(now, f"No partner {partner_id} is configured or has messages."), 404)
    return _html(pages.partner_page(now=now, partner=partner_id, board=board))


async def message(request: web.Request) -> web.Response:
    now = _now()
    message_id = request.match_info["id"]
    if not _ID.match(message_id):
        return _html(pages.not_found(now, "No such message."), 404)
    q = request.app[QUERIES]
    archive_dir: Path = request.app[STATE]["archive_dir"]

    def read() -> dict[str, Any] | None:
        row = q.message(message_id)
        if row is None:
            return None
        raw: bytes | None = None
        error: str | None = None
        try:
            raw = Archive(archive_dir).read(row.sha256)
        except Exception as exc:  # noqa: BLE001 - purged or unreadable: say so on the page
            error = f"The archived bytes are not available: {exc}"
        meta = q.meta(message_id)
        return {"row": row, "events": q.events(message_id), "links": q.odoo_links(message_id),
                "children": q.children(message_id), "raw": raw, "raw_error": error,
                "related": q.related(message_id), "notes": _notes(meta, message_id), "held": bool(meta.get("held")),
                "the_file": meta.get("the_file") if isinstance(meta.get("the_file"), bool) else None,
                "findings": _findings(meta), "line_count_held": bool(meta.get("held_reason"))}

    data = await asyncio.to_thread(read)
    if data is None:
        return _html(pages.not_found(now, f"No message {message_id} in the journal."), 404)
    return _html(pages.message_page(now=now, **data))


def _notes(meta: dict[str, Any], message_id: str) -> list[tuple[str, str]]:
    """(what, text) the message page shows from a message's meta: what became of the async MDN we owe for it."""
    owed = owed_text(meta, message_id)
    return [("Async MDN", owed)] if owed else []


def _findings(meta: dict[str, Any]) -> list[str]:
    """What the parse step and the consistency checks noted of a message (meta `parse.issues`, at most 50 and a
    count of the rest, as the pipeline keeps them); a value that is not text is shown as text."""
    parsed = meta.get("parse")
    issues = parsed.get("issues") if isinstance(parsed, dict) else None
    return [str(issue) for issue in issues] if isinstance(issues, list) else []


def _partner_names(ctx: Any) -> dict[str, str]:
    """id -> display name of the configured partners, read on each request (SIGHUP may change them)."""
    partners = getattr(ctx, "partners", None) or getattr(ctx.config, "partners", None) or {}
    return {pid: (getattr(p, "name", "") or "") for pid, p in dict(partners).items()}


def build_app(ctx: Any) -> web.Application:
    """The aiohttp application for a gateway described by `ctx` (.config, .journal, .partners)."""
    config = getattr(ctx.config, "gateway", ctx.config)
    db_path = getattr(ctx.journal, "path", None) or Path(config.state_dir) / "journal.sqlite3"
    app = web.Application(middlewares=[_headers])
    app[QUERIES] = JournalQueries(db_path)
    app[READINESS] = Readiness(default_checks(ctx))
    app[STATE] = {"stuck_after_minutes": config.ops.stuck_after_minutes, "host_names": _host_names(config.ops.host),
                  "archive_dir": Path(getattr(getattr(ctx, "archive", None), "root", None) or config.archive_dir),
                  "as2_ledger": Path(config.state_dir) / "as2.sqlite3",
                  "ctx": ctx}
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/healthz/live", live)
    app.router.add_get("/metrics", metrics_endpoint)
    app.router.add_get("/", status)
    app.router.add_get("/messages/{id}", message)
    app.router.add_get("/partners/{id}", partner)

    async def close_queries(app: web.Application) -> None:
        app[QUERIES].close()
    app.on_cleanup.append(close_queries)
    return app


async def start(ctx: Any) -> Stopper:
    """Serve the operations endpoint on `ops.host:ops.port`; return the coroutine function that stops it.

    The bound port is written to `ctx.ports["ops"]` when ctx has a `ports` dict (tests bind port 0).
    """
    config = getattr(ctx.config, "gateway", ctx.config)
    settings = config.ops
    if not settings.enabled:
        async def nothing() -> None:
            return None
        return nothing
    runner = web.AppRunner(build_app(ctx), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, reuse_address=True)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise TransportError(f"ops endpoint cannot listen on {settings.host}:{settings.port}: "
                             f"{exc.strerror or exc}") from exc
    port = settings.port
    server = getattr(site, "_server", None)
    if server is not None and server.sockets:
        port = server.sockets[0].getsockname()[1]
    ports = getattr(ctx, "ports", None)
    if isinstance(ports, dict):
        ports["ops"] = port
    log.info("ops endpoint on http://%s:%d/ (status page, /healthz, /metrics)", settings.host, port)

    async def stop() -> None:
        await runner.cleanup()
    return stop
