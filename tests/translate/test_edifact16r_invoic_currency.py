"""An INVOIC in a currency of three decimals (KWD, BHD, OMR, JOD: Odoo rounds its amounts to the fils, 3.704) is
footed in that currency's units, as Odoo rounded it and as the partner adds it up. 97d5cbf footed every figure in
cents, so no figure with a third decimal ever added up: EuroHandel's invoice in KWD (3 at 1.2345: 3.704) was held
'QTY+47 3 x PRI+AAA 1.2345 is 3.70, but its MOA+203 says 3.704; MOA+79 says 4.954, but the lines' MOA+203 add up
to 4.95', an invoice the retailer would have paid. The example partner's D96A profile, through the outbound
renderer with its compliance check on (as the scheduler renders Odoo's invoices)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.config.loader import LoadedConfig, load
from gateway.errors import TranslationError
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render
from gateway.translate.canonical import from_json
from tests.helpers.examples import example_workspace
from tests.translate.conftest import RENDER_TIME

INVOICE = Path(__file__).resolve().parents[1] / "translate_other" / "fixtures" / "eurohandel_invoice.json"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> LoadedConfig:
    return load(example_workspace(Path(tmp_path_factory.mktemp("ws_kwd")), ("eurohandel",)))


def in_kwd(line_amount: str, vat: bool) -> dict[str, Any]:
    """EuroHandel's invoice from Odoo in KWD: 3 at 1.2345 (Odoo's subtotal `line_amount`) and 10 at 0.125, with
    10 % VAT (Bahrain's rate; Kuwait has none) or none."""
    doc = json.loads(INVOICE.read_text())
    tax = [{"type": "VAT", "category": "S", "rate": "10"}] if vat else []
    doc["currency"] = "KWD"
    doc["lines"] = [{**doc["lines"][0], "quantity": "3", "unit_price": "1.2345", "amount": line_amount, "taxes": tax},
                    {**doc["lines"][2], "quantity": "10", "unit_price": "0.125", "amount": "1.250", "taxes": tax}]
    doc["allowances_charges"] = []
    lines = sum(float(line["amount"]) for line in doc["lines"])
    tax_amount = round(lines * 0.1, 3) if vat else 0
    doc["taxes"] = [{"type": "VAT", "category": "S", "rate": "10", "amount": f"{tax_amount:.3f}",
                     "taxable_amount": f"{lines:.3f}"}] if vat else []
    doc["totals"] = {"line_count": 2, "lines_amount": f"{lines:.3f}", "tax_amount": f"{tax_amount:.3f}",
                     "total_amount": f"{lines + tax_amount:.3f}"}
    return doc


def rendered(config: LoadedConfig, journal: SqliteJournal, doc: dict[str, Any]) -> str:
    return render(from_json(json.dumps(doc).encode()), config.partners["eurohandel"], config.profiles, journal,
                  "INVOIC", our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode("latin-1")


@pytest.mark.parametrize("vat", [False, True], ids=["no-vat", "vat-10"])
def test_an_invoic_in_fils_that_adds_up_goes_out(config: LoadedConfig, journal: SqliteJournal, vat: bool) -> None:
    written = rendered(config, journal, in_kwd("3.704", vat))
    assert "CUX+2:KWD:4'" in written and "MOA+203:3.704'" in written and "MOA+79:4.954'" in written, written
    if vat:
        assert "MOA+124:0.495'" in written and "MOA+77:5.449'" in written, written


def test_an_invoic_a_fils_off_is_held_naming_it_in_fils(config: LoadedConfig, journal: SqliteJournal) -> None:
    """3 x 1.2345 is 3.7035, 3.704 in fils: a line saying 3.705 does not add up, and the reason says 3.704."""
    with pytest.raises(TranslationError) as held:
        rendered(config, journal, in_kwd("3.705", False))
    assert "LIN 1: QTY+47 3 x PRI+AAA 1.2345 is 3.704, but its MOA+203 (Odoo's subtotal of the line) says 3.705" \
        in held.value.message, held.value.message
    assert "MOA+79" not in held.value.message, held.value.message
