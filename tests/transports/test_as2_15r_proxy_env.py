"""HTTPS_PROXY as hosts set it, through the real daemon: without its scheme ('user:password@proxy.corp:3128', which
curl and pip read as http://), it is that proxy; one that is not an http proxy at all is a retry naming the variable,
never quoting it (it may hold a login). Since daeb003 the first raised ValueError out of the sender for every AS2
message to every partner (logged with a traceback as the channel's unexpected error, retried until dead)."""

from __future__ import annotations

from pathlib import Path

from tests.transports.certs import Cert
from tests.transports.test_as2_15_proxy import LOGIN, ConnectProxy, behind_proxy, sent
from tests.transports.test_delivery_hostile import Partner

__all__ = ["behind_proxy"]       # the fixture

NO_BYPASS = {"NO_PROXY": "", "no_proxy": ""}


async def test_https_proxy_without_its_scheme_is_an_http_proxy(
        tmp_path: Path, behind_proxy: tuple[Partner, ConnectProxy, str, Cert, Cert]) -> None:
    peer, proxy, url, ours, server_cert = behind_proxy
    env = {"HTTPS_PROXY": f"{LOGIN}@127.0.0.1:{proxy.port}", "https_proxy": f"{LOGIN}@127.0.0.1:{proxy.port}",
           **NO_BYPASS}
    final, output = await sent(tmp_path, peer, url, ours, server_cert, ("done", "dead", "rejected"), env=env)
    assert final["state"] == "done", (final["state"], final["last_error"])
    assert len(proxy.tunnels) == 1 and len(peer.posts) == 1
    assert "pr0xy-s3cret" not in output


async def test_https_proxy_that_is_no_http_proxy_is_a_retry_naming_the_variable_not_its_value(
        tmp_path: Path, behind_proxy: tuple[Partner, ConnectProxy, str, Cert, Cert]) -> None:
    peer, proxy, url, ours, server_cert = behind_proxy
    socks = f"socks5://{LOGIN}@127.0.0.1:{proxy.port}"
    final, output = await sent(tmp_path, peer, url, ours, server_cert, ("retry_wait", "dead"),
                               env={"HTTPS_PROXY": socks, "https_proxy": socks, **NO_BYPASS})
    error = str(final["last_error"])
    assert final["state"] == "retry_wait" and "HTTPS_PROXY" in error and "not an http:// URL" in error, error
    assert "pr0xy-s3cret" not in error + output and "Traceback" not in output
    assert proxy.tunnels == [] and peer.posts == []
