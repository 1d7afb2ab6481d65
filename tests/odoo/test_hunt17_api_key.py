"""Odoo 19 given the user's password, as 16-18 took it, says that it needs an API key.

A database upgraded from 18 to 19 with the gateway's configuration unchanged: `protocol: auto` now speaks JSON-2,
which authenticates by API key only, and Odoo answers 401 "Invalid apikey". The gateway said "Odoo refused the API
key of 'admin' ...: it was changed, has expired or was revoked", and the integrator looked for a key it never had.
The refusal now says JSON-2 takes an API key, never the password, and where to make one. The sandbox in 19 mode over
HTTP, which accepts only its API keys on JSON-2 as Odoo does.
"""

from __future__ import annotations

import pytest

from gateway.errors import OdooCredentialsRefused
from gateway.odoo.client import connect
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.conftest import settings_for


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
def test_a_password_given_to_odoo_19_is_refused_saying_an_api_key_is_needed(sandbox: SandboxServer) -> None:
    with pytest.raises(OdooCredentialsRefused) as caught:
        connect(settings_for(sandbox, password="the-users-password", retry_max=0), retry_base=0.01)
    assert "(Odoo 19's JSON-2 takes an API key, never the user's password, which 16-18 took: make one in Odoo under " \
           "Preferences > Account Security > New API Key)" in str(caught.value)
    assert "the-users-password" not in str(caught.value)          # the secret itself is never said
