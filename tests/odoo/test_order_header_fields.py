"""What a real partner's order header carries, as an Odoo integrator expects it on the sale order: the currency the
partner orders in, its bill-to and its terms of delivery. Each through the real pipeline and the sandbox over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import API_KEY_19
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run

__all__ = ["examples"]          # the module fixture, shared


def odoo_of(sandbox: SandboxServer) -> odoorpc.ODOO:
    odoo = odoorpc.ODOO("127.0.0.1", port=sandbox.port)
    odoo.login("demo", "admin", API_KEY_19 if sandbox.version >= 19 else "admin")
    return odoo


def sample(*, after: str, add: str = "", replace: tuple[str, str] | None = None) -> bytes:
    """BigBox's sample 850 with `add` (segments, each ending in ~) after the segment starting `after`, SE counted."""
    text = SAMPLE.read_text()
    if replace is not None:
        text = text.replace(*replace)
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(after))
    added = [segment + "~\n" for segment in add.split("~") if segment.strip()]
    lines[at + 1:at + 1] = added
    text = "".join(lines)
    return text.replace("SE*25*0001", f"SE*{25 + len(added)}*0001").encode("ascii")


async def post_file(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, data: bytes,
                    until: set[State]) -> Any:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(data, IntakeMeta(channel="as2", filename="850.edi", partner="bigbox"))
    return run(pipeline, message.id, until), journal


def sale_order(sandbox: SandboxServer, fields: list[str]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = odoo_of(sandbox).execute_kw(
        "sale.order", "search_read", [[("client_order_ref", "=", "4500001234")], fields])
    assert len(rows) == 1
    return rows[0]


async def test_an_order_in_another_currency_than_a_customer_without_pricelist_is_held(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """BigBox has no pricelist of its own: Odoo makes its orders in the company's currency (USD). An 850 in euros
    (CUR*BY*EUR) was posted as a USD quotation; it is held naming both currencies, and nothing is made."""
    result, _ = await post_file(tmp_path, examples, sandbox, sample(after="BEG*", add="CUR*BY*EUR~"),
                                {State.QUARANTINED, State.DONE})
    assert result.state is State.QUARANTINED
    assert "currency mismatch: the order is in EUR but BigBox Retail has no pricelist in Odoo" in result.last_error
    assert "Acme Distribution, USD" in result.last_error
    assert odoo_of(sandbox).execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500001234")]]) == []


async def test_an_order_in_the_company_currency_is_posted(tmp_path: Path, examples: LoadedConfig,
                                                         sandbox: SandboxServer) -> None:
    result, _ = await post_file(tmp_path, examples, sandbox, sample(after="BEG*", add="CUR*BY*USD~"),
                                {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    assert sale_order(sandbox, ["currency_id"])["currency_id"][1] == "USD"
