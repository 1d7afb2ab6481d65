"""A vendor's 810 that cancels (BIG08 01) or deletes (03) an invoice, or an INVOIC that does (BGM 1225 1, 3), through the pipeline into the sandbox over
HTTP. BIG08 was not read (nor BGM 1225): a cancellation of an invoice already billed found its bill and was done, the bill left
to be paid and no one told; one of an invoice not billed yet became a bill, money owed on an invoice the vendor
withdrew. Now either is held for a person with the reason, no bill written; an original (00) or a replacement (05)
is billed as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import TranslationError
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor18_po_digits import VENDOR
from tests.odoo.test_vendor_bill_checks import on_ordered_quantities, read_invoic, x12_810
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]


async def test_a_cancelled_invoice_is_held_with_no_bill_written(tmp_path: Path, examples: LoadedConfig,
                                                                sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    on_ordered_quantities(odoo)
    _po, name = purchase(odoo, [(1, 10, 7.5)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(control: int, number: str, purpose: str) -> Any:
        data = x12_810(control, number, name, ["IT1*1*4*EA*7.50**VN*WW-WB-100"], ["TDS*3000"])
        data = data.replace(f"**{name}~".encode(), f"**{name}****{purpose}~".encode())
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=f"810_{control}.edi",
                                                         partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)

    def bills(number: str) -> list[Any]:
        return list(odoo.execute_kw("account.move", "search_read", [[("ref", "=", number)], ["state"]]))

    billed = await send(1301, "WW-INV-1301", "00")
    assert billed.state is State.DONE, billed.last_error
    cancelled = await send(1302, "WW-INV-1301", "01")
    assert cancelled.state is State.QUARANTINED
    assert "cancels invoice WW-INV-1301 (BIG 01, cancellation): no bill is written" in str(cancelled.last_error), cancelled.last_error
    assert [b["state"] for b in bills("WW-INV-1301")] == ["draft"]
    deleted = await send(1303, "WW-INV-1303", "03")             # a deletion of one never billed: no bill
    assert deleted.state is State.QUARANTINED and bills("WW-INV-1303") == []
    replaced = await send(1304, "WW-INV-1304", "05")
    assert replaced.state is State.DONE, replaced.last_error
    assert len(bills("WW-INV-1304")) == 1


def test_an_invoic_cancelling_an_invoice_is_refused_when_read() -> None:
    """BGM+380+WW-INV-7+1: the INVOIC cancels invoice WW-INV-7; BGM+380+WW-INV-8+9, an original, is read."""
    body = ["DTM+137:20261129:102", "RFF+ON:P00001", "NAD+SU+4000000000009::9", "LIN+1", "PIA+5+WW-WB-100:SA",
            "QTY+47:4:PCE", "PRI+AAA:7.50", "UNS+S", "MOA+77:30"]
    with pytest.raises(TranslationError, match=r"cancels invoice WW-INV-7 \(BGM 1, cancellation\): no bill"):
        read_invoic(["BGM+380+WW-INV-7+1", *body])
    assert read_invoic(["BGM+380+WW-INV-8+9", *body]).number == "WW-INV-8"
