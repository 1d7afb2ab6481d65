"""What an operator sees: /healthz, /metrics and the coordinator's status page (see `server`).

The daemon calls `start(ctx)` with its context (.config, .journal, .partners; optional .ports,
.health_checks, .archive) and awaits the returned stopper on shutdown.
"""

from gateway.ops.server import build_app, start

__all__ = ["build_app", "start"]
