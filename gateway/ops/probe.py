"""Asking a running gateway's /healthz from this host (`edi-gateway status`, the demo's wait for its gateway).

The ops endpoint is on loopback (or a local address): the request goes straight to it, never through a proxy the
environment names (`http_proxy` without `no_proxy` sent urllib's loopback requests to the proxy)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def ask_healthz(url: str, timeout: float = 5.0) -> dict[str, Any] | str:
    """The /healthz answer (the same JSON with 200 ready and 503 not ready); why there is none, as text, when
    nothing answered with it."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as answer:
            body = answer.read()
    except urllib.error.HTTPError as exc:                  # 503: not ready, with the same JSON
        body = exc.read()
    except (OSError, ValueError) as exc:
        return f"no answer from {url}: {getattr(exc, 'reason', None) or exc}"
    try:
        found = json.loads(body)
    except ValueError:
        return f"{url} did not answer with JSON"
    return found if isinstance(found, dict) else f"{url}: unexpected answer"
