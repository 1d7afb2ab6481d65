"""Odoo tests: a real sandbox over loopback HTTP per test, in each Odoo version's mode."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.models import OdooSettings, PartnerConfig
from gateway.formats import x12
from gateway.odoo.client import OdooClient, connect
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from gateway.translate.canonical import Document, Line, Party, PurchaseOrder, Source
from tests.helpers.profiles import base_profiles

API_KEY_19 = "3f1c0a9e5b7d42c8a6e0f9b1d2c3e4f5a6b7c8d9"


@pytest.fixture(params=[17, 19], ids=["odoo17", "odoo19"])
def sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    """A fresh demo database per test, by default in 17 and 19 mode. Every difference the sandbox models is a
    threshold (16 | 17+, 17 | 18+, 18 | 19) and the gateway picks each side by the fields it finds (`Names`,
    `client.fields`), not by the version number: 17 and 19 fall on both sides of the thresholds at 18 and 19, and
    on the side of the one at 17 that 18 is on too. 18 only adds its mix (is_storable with product.packaging and
    stock.quant.package): a test where that mix matters asks for 18, one about stock move quantities (quantity_done
    and qty_done until 16) for 16, with `pytest.mark.parametrize("sandbox", [...], indirect=True)`."""
    keys = [API_KEY_19] if request.param >= 19 else []
    server = SandboxServer(version=request.param, seed_name="demo", api_keys=keys)
    server.start()
    yield server
    server.stop()


def settings_for(server: SandboxServer, **kw: Any) -> OdooSettings:
    secret = API_KEY_19 if server.version >= 19 else "admin"
    values: dict[str, Any] = {"url": server.url, "database": "demo", "username": "admin", "password": secret,
                              "timeout": 5.0, "retry_max": 3, **kw}
    return OdooSettings(**values)


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[OdooClient]:
    """The gateway's client; auto protocol: JSON-2 in 19 mode, JSON-RPC before."""
    c = connect(settings_for(sandbox), retry_base=0.01)
    yield c
    c.close()


@pytest.fixture
def odoo(sandbox: SandboxServer) -> odoorpc.ODOO:
    """odoorpc used directly: the independent client that checks what the gateway wrote."""
    o = odoorpc.ODOO("127.0.0.1", port=sandbox.port, timeout=10)
    o.login("demo", "admin", API_KEY_19 if sandbox.version >= 19 else "admin")
    return o


@pytest.fixture
def journal(tmp_path: Path) -> Any:
    from gateway.journal.sqlite import open_journal
    j = open_journal(tmp_path / "state")
    yield j
    j.close()


def bigbox(**odoo: Any) -> PartnerConfig:
    return PartnerConfig(id="bigbox", name="BigBox", odoo={"partner_ref": "BIGBOX", "units": {"CS": "Dozens"}, **odoo})


def northwind(**odoo: Any) -> PartnerConfig:
    return PartnerConfig(id="northwind", odoo={"gln": "0860001000016", **odoo})


def order(number: str = "PO-1001", lines: list[Line] | None = None, ship_to: Party | None = None,
          **kw: Any) -> PurchaseOrder:
    if lines is None:
        lines = [Line(line_no="1", item_ids={"upc": "614141000012", "buyer": "BB-1001"}, quantity=Decimal(24),
                      unit_price=Decimal("12.50")),
                 Line(line_no="2", item_ids={"buyer": "BB-1003"}, quantity=Decimal(2), unit="CS",
                      unit_price=Decimal("504.00"))]
    if ship_to is None:
        ship_to = Party(role="ship_to", name="BigBox DC 1", ids={"gln": "0860001000023"})
    return PurchaseOrder(number=number, parties=[ship_to], lines=lines,
                         source=Source(standard_type="850", message_id="01TESTMESSAGE"), **kw)


def read_x12(body: Sequence[str], gs: str = "PO", sender: str = "BIGBOXRETAIL", app: str = "BIGBOX") -> Document:
    """One transaction set (its ST to the segment before SE, which is added and counted here) in an interchange
    from `sender` (`app` in the group) in a functional group `gs`, read and translated as the pipeline does (the
    base profiles)."""
    segments = [*body, f"SE*{len(body) + 1}*0001"]
    data = "~\n".join([
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*ACMEDIST       *261129*0850*U*00401*000000001*0*P*>",
        f"GS*{gs}*{app}*ACMEDIST*20261129*0850*1*X*004010", *segments, "GE*1*1", "IEA*1*000000001"]) + "~\n"
    [tx] = x12.parse(data.encode("ascii")).transactions
    [doc] = translate(tx, None, base_profiles())
    return doc
