"""AS2 (RFC 4130): receive over HTTP(S) with MDNs, send with the partner's security settings.

`start(ctx)` is the daemon hook: it configures the outbound `as2` channel (always) and
starts the receiver when `as2_server.enabled`. It returns an async `stop()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any


async def start(ctx: Any) -> Callable[[], Awaitable[None]]:
    """ctx: .config (GatewayConfig or LoadedConfig), .partners, .journal, .pipeline (Intake); optional .ports."""
    from gateway.outbound.as2_channel import AS2
    from gateway.transports.as2.client import As2Sender
    from gateway.transports.as2.ledger import Ledger
    from gateway.transports.as2.server import As2Server

    config = getattr(ctx.config, "gateway", ctx.config)
    partners = getattr(ctx, "partners", None) or getattr(ctx.config, "partners", {})
    state = Path(config.state_dir)
    ledger = Ledger(state / "as2.sqlite3")
    sender = As2Sender(config, ctx.journal, ledger, state / "as2-out")
    AS2.sender = sender
    server: As2Server | None = None
    if config.as2_server.enabled:
        server = As2Server(config, partners, ctx.pipeline, ledger, state / "as2-in", on_mdn=sender.receipt,
                           journal=ctx.journal)
        server.isolation = getattr(ctx, "isolation", None)
        await server.start()
        ports = getattr(ctx, "ports", None)
        if isinstance(ports, dict):
            ports["as2"] = server.port

    _running["server"] = server

    async def stop() -> None:
        if server is not None:
            await server.close()
        if AS2.sender is sender:
            AS2.sender = None
        _running.pop("server", None)
        ledger.close()

    return stop


_running: dict[str, Any] = {}


async def reload(ctx: Any) -> None:
    """After SIGHUP: take the new partner table (AS2 ids, certificates); keep the old one if it fails."""
    from gateway.errors import ConfigError
    from gateway.transports.as2.server import log, partner_table

    server = _running.get("server")
    if server is None:
        return
    partners = getattr(ctx, "partners", None) or getattr(ctx.config, "partners", {})
    try:
        server.partners = partner_table(partners)
    except ConfigError as exc:
        log.error("AS2 partners not reloaded, keeping the previous ones: %s", exc)

