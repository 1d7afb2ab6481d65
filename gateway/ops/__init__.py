"""What an operator sees: /healthz, /metrics and the coordinator's status page (see `server`).

The daemon calls `start(ctx)` with its context (.config, .journal, .partners; optional .ports,
.health_checks, .archive) and awaits the returned stopper on shutdown.

`start` and `build_app` are imported from `server` when first used: importing the package for one of
its small modules (`certificates`, which lint uses) brought in aiohttp's server, ~0.5 s of CPU.
"""

from typing import Any

__all__ = ["build_app", "start"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from gateway.ops import server
        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
