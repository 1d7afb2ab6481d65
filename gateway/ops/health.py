"""Liveness and readiness for /healthz.

Liveness: the event loop answers (the handler runs at all). Readiness: the gateway can do its
work right now, i.e. every check passes:

- ``journal``: a write transaction can be opened on the journal (``BEGIN IMMEDIATE``, then rolled
  back: no data written) and the archive folder is writable;
- ``odoo``: Odoo answers its version endpoint (skipped when ``odoo.enabled`` is false);
- ``transport:<name>``: each enabled listening transport accepts a TCP connection, each inbox folder exists.

The daemon may hand its own checks in ``ctx.health_checks`` (name -> async callable returning
``(ok, detail)``); they replace the default check of the same name. Results are cached for a
couple of seconds so a tight probe loop cannot hammer Odoo.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from gateway.logs import mask, redact_url

CheckFn = Callable[[], Awaitable[tuple[bool, str]]]
CHECK_TIMEOUT = 3.0


@dataclass(slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def _journal_sync(db_path: Path, archive_dir: Path | None) -> tuple[bool, str]:
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=rw", uri=True, timeout=1.0, isolation_level=None)
    except sqlite3.Error as exc:
        return False, f"cannot open {db_path}: {exc}"
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
    except sqlite3.Error as exc:
        return False, f"{db_path} is not writable: {exc}"
    finally:
        db.close()
    if archive_dir is not None:
        if not archive_dir.is_dir():
            return False, f"archive folder {archive_dir} is missing"
        if not os.access(archive_dir, os.W_OK | os.X_OK):
            return False, f"archive folder {archive_dir} is not writable"
    return True, "writable"


def journal_check(db_path: Path, archive_dir: Path | None) -> CheckFn:
    async def check() -> tuple[bool, str]:
        return await asyncio.to_thread(_journal_sync, db_path, archive_dir)
    return check


def odoo_check(url: str, timeout: float = CHECK_TIMEOUT) -> CheckFn:
    """Odoo answers JSON-RPC /web/webclient/version_info (no login, no secret involved)."""
    endpoint = url.rstrip("/") + "/web/webclient/version_info"
    shown = redact_url(url)        # the detail is on /healthz and the status page: no credentials

    async def check() -> tuple[bool, str]:
        body = {"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session, \
                    session.post(endpoint, json=body) as response:
                if response.status != 200:
                    return False, f"{shown} answered HTTP {response.status}"
                payload = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            return False, f"{shown} unreachable: {type(exc).__name__}: {mask(str(exc))}".rstrip(": ")
        result = payload.get("result") if isinstance(payload, dict) else None
        if not isinstance(result, dict):
            return False, f"{shown} did not answer like Odoo"
        return True, f"Odoo {result.get('server_version', '?')}"
    return check


def listening_check(host: str, port: int, timeout: float = CHECK_TIMEOUT) -> CheckFn:
    async def check() -> tuple[bool, str]:
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        except (TimeoutError, OSError) as exc:
            return False, f"nothing listening on {host}:{port} ({type(exc).__name__})"
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
        return True, f"listening on {host}:{port}"
    return check


def folder_check(path: Path) -> CheckFn:
    async def check() -> tuple[bool, str]:
        if path.is_dir() and os.access(path, os.R_OK | os.W_OK | os.X_OK):
            return True, f"watching {path}"
        return False, f"inbox folder {path} is missing or not writable"
    return check


def _bound_port(ctx: Any, name: str, configured: int) -> int:
    """The port a transport really listens on (tests bind port 0): ctx.ports[name] when given."""
    ports = getattr(ctx, "ports", None) or {}
    return int(ports.get(name, configured))


def default_checks(ctx: Any) -> dict[str, CheckFn]:
    """The readiness checks of a running gateway described by `ctx` (.config, .journal)."""
    config = getattr(ctx.config, "gateway", ctx.config)
    checks: dict[str, CheckFn] = {}
    db_path = getattr(ctx.journal, "path", None) or Path(config.state_dir) / "journal.sqlite3"
    checks["journal"] = journal_check(Path(db_path), Path(config.archive_dir))
    if config.odoo.enabled:
        checks["odoo"] = odoo_check(config.odoo.url)
    if config.sftp_server.enabled:
        checks["transport:sftp"] = listening_check(config.sftp_server.host,
                                                   _bound_port(ctx, "sftp", config.sftp_server.port))
    if config.as2_server.enabled:
        checks["transport:as2"] = listening_check(config.as2_server.host,
                                                  _bound_port(ctx, "as2", config.as2_server.port))
    for index, inbox in enumerate(config.inbox):
        checks["transport:folder" if index == 0 else f"transport:folder{index + 1}"] = folder_check(Path(inbox.path))
    extra: Mapping[str, CheckFn] = getattr(ctx, "health_checks", None) or {}
    checks.update(extra)
    return checks


class Readiness:
    """Runs the checks concurrently, each bounded in time, and caches the answer for `ttl` seconds."""

    def __init__(self, checks: Mapping[str, CheckFn], ttl: float = 2.0) -> None:
        self.checks = dict(checks)
        self.ttl = ttl
        self._at = 0.0
        self._last: list[CheckResult] = []
        self._lock = asyncio.Lock()

    async def _one(self, name: str, fn: CheckFn) -> CheckResult:
        try:
            ok, detail = await asyncio.wait_for(fn(), CHECK_TIMEOUT + 1)
        except TimeoutError:
            return CheckResult(name, False, "check timed out")
        except Exception as exc:  # noqa: BLE001 - a broken check reports not-ready, it does not break /healthz
            return CheckResult(name, False, f"check failed: {type(exc).__name__}: {exc}")
        return CheckResult(name, bool(ok), str(detail))

    async def run(self) -> list[CheckResult]:
        async with self._lock:
            if self._last and time.monotonic() - self._at < self.ttl:
                return self._last
            self._last = list(await asyncio.gather(*(self._one(n, f) for n, f in self.checks.items())))
            self._at = time.monotonic()
            return self._last
