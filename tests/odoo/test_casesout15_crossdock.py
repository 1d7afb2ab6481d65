"""A cross-dock line ordered by its case's GTIN (PO1*1*10*CA*300.00**UK*<case of 24>, SDQ*CA*92*0107*4*0203*6) is
split between the stores in its cases. On 16-18, where the line is 240 Units in the packaging, the SDQ's cases were
counted as units: store 0107 got 4 EA, 0203 6 EA, and the other 230 went out under the DC's own order level, an ASN
the retailer's cross-dock cannot receive against. Now 4 CA and 6 CA under the case's GTIN (19 already so, its line
being 10 of the packaging unit). The 850 through the pipeline, the scheduler's 856 and BigBox's profile (17, 19)."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import CASE_GTIN, examples
from tests.odoo.test_crossdock import sample_with, sent_rows, shipped_asn, store_items
from tests.odoo.test_extraction import deliver
from tests.odoo.test_stock15_cases import packaging

__all__ = ["examples"]          # the module's fixture, shared


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
async def test_a_cross_dock_line_ordered_by_its_case_gtin_is_split_between_the_stores_in_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    edi = sample_with([f"PO1*1*10*CA*300.00**UK*{CASE_GTIN}", "SDQ*CA*92*0107*4*0203*6", "CTT*1*10"])
    pipeline, messages = await shipped_asn(tmp_path, examples, sandbox, client, odoo, lambda so: deliver(odoo, so),
                                           edi=edi)
    assert store_items(sent_rows(pipeline, messages)) == [("0107", "1", "4", "CA"), ("0203", "1", "6", "CA")]
    [asn] = [pipeline.archive.read(m.sha256) for m in messages]
    assert asn.count(f"LIN*1*BP*BB-1001*VN*WB-100*UK*{CASE_GTIN}~".encode()) == 2, asn      # the case, each store
