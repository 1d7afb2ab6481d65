"""Audit: lint refuses an AS2 partner whose inbound messages need no signature.

AS2-From is a header anyone can write and encryption uses our public certificate, so without a
required signature any party reaching the AS2 port could post documents (orders into Odoo) as that
partner. The AS2 server also accepts inbound messages on a partner's outbound channel when it has
no inbound one, so that channel's require_signed counts too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config.models import As2Channel, As2ServerSettings, GatewayConfig, PartnerConfig
from gateway.transports import checks
from tests.transports.certs import make_cert


@pytest.mark.parametrize("where", ["inbound", "outbound"])
def test_audit_unsigned_inbound_as2_is_a_lint_error(tmp_path: Path, where: str) -> None:
    cert = make_cert(tmp_path, "bigbox")
    ch = As2Channel(channel="as2", as2_id="BIGBOX-AS2", certificates=[cert.cert_path], require_signed=False,
                    url="http://127.0.0.1:9/as2")
    partner = PartnerConfig(id="bigbox", **({"inbound": [ch]} if where == "inbound" else {"outbound": ch}))
    gateway = GatewayConfig(as2_server=As2ServerSettings(enabled=True))
    errors = checks.check(gateway, {"bigbox": partner})
    assert any("require_signed" in str(e) for e in errors), errors
    partner_ok = PartnerConfig(id="bigbox", **({"inbound": [ch.model_copy(update={"require_signed": True})]}
                                               if where == "inbound" else
                                               {"outbound": ch.model_copy(update={"require_signed": True})}))
    assert not [e for e in checks.check(gateway, {"bigbox": partner_ok}) if "require_signed" in str(e)]
