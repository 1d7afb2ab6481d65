"""Audit: credentials in a URL (odoo.url, an AS2 partner's url with HTTP basic auth) never reach an error text.

Error texts are stored as the journal's `last_error` and shown by `show`, `status`, the status page
and /healthz; none of these pass through the log filter, so the messages themselves must be clean.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from pydantic import SecretStr

from gateway.config.models import As2Channel, GatewayConfig, OdooSettings, OurIds, PartnerConfig
from gateway.errors import ConfigError, DeliveryRetry, OdooUnavailable
from gateway.journal.api import Direction, State
from gateway.journal.sqlite import SqliteJournal
from gateway.logs import mask, redact_url
from gateway.odoo.client import connect
from gateway.ops.health import odoo_check
from gateway.transports.as2.client import As2Sender
from gateway.transports.as2.ledger import Ledger

SECRET = "s3cret-Pw"


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("protocol", ["auto", "jsonrpc", "json2"])
def test_audit_odoo_unreachable_error_hides_url_password(protocol: str) -> None:
    settings = OdooSettings(url=f"http://admin:{SECRET}@127.0.0.1:{_closed_port()}", password=SecretStr("x"),
                            retry_max=0, protocol=protocol, timeout=5)  # type: ignore[arg-type]
    with pytest.raises(OdooUnavailable) as caught:
        connect(settings, retry_base=0.01)
    assert SECRET not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


def test_audit_odoo_url_config_error_hides_url_password() -> None:
    """An odoo.url with a path (since d7a30d7 a proxy's prefix, no longer a ConfigError): the error quoting the URL
    still hides its password."""
    settings = OdooSettings(url=f"http://admin:{SECRET}@127.0.0.1:{_closed_port()}/odoo", password=SecretStr("x"),
                            retry_max=0, protocol="jsonrpc")
    with pytest.raises((ConfigError, OdooUnavailable)) as caught:
        connect(settings, retry_base=0.01)
    assert SECRET not in str(caught.value) and "***@127.0.0.1" in str(caught.value)


async def test_audit_healthz_odoo_detail_hides_url_password() -> None:
    ok, detail = await odoo_check(f"http://admin:{SECRET}@127.0.0.1:{_closed_port()}", timeout=5)()
    assert not ok
    assert SECRET not in detail and "127.0.0.1" in detail


async def test_audit_as2_delivery_error_hides_basic_auth_password(tmp_path: Path) -> None:
    config = GatewayConfig(our_ids=OurIds(as2_id="ACMEDIST"))
    partner = PartnerConfig(id="bigbox", outbound=As2Channel(
        channel="as2", as2_id="BIGBOX-AS2", url=f"http://acme:{SECRET}@127.0.0.1:{_closed_port()}/as2",
        sign=False, encrypt=False, mdn="none", mdn_signed=False, timeout=5))
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    try:
        msg = journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="as2",
                                    filename="bigbox_856_1.x12", sha256="1" * 64, size=3,
                                    source_key="856:1", state=State.QUEUED)
        sender = As2Sender(config, journal, Ledger(tmp_path / "as2.sqlite3"), tmp_path / "out")
        with pytest.raises(DeliveryRetry) as caught:
            await sender.send(msg, b"ISA", partner)
        assert SECRET not in str(caught.value)
    finally:
        journal.close()


@pytest.mark.parametrize("url", [f"http://u:{SECRET}@h:1/x", f"https://u:p@{SECRET}@[::1]:8/", f"ftp://u:{SECRET}@h"])
def test_audit_url_passwords_are_masked_whole(url: str) -> None:
    """A password holding '@' was cut at its first '@' by the log pattern, leaving the rest in clear."""
    assert SECRET not in redact_url(url)
    assert SECRET not in mask(f"connecting to {url} failed")
