"""An INVOIC from Odoo is footed before it leaves, as a retailer's EANCOM invoice check adds it up: each line's
QTY+47 x PRI is its MOA+203, the lines are MOA+79, each tax's MOA+125 is the lines it is on plus the allowances and
charges, the taxes' MOA+124 are MOA+176, and MOA+77 is all of it. Its totals are Odoo's and were sent unchecked:
a line no written price makes (30,000 at 9.99 with 21 % VAT in the price, 247,685.95 in Odoo, 8.2562 a unit
written: 247,686.00) went out and came back refused. Held now, naming the line, both figures and that no price
Odoo keeps makes it. Invoices that add up go out (16 to 19), through the daemon's scheduler and EuroHandel's
profile; the other figures are checked on EuroHandel's reviewed INVOIC with one figure changed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import parse
from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Party
from gateway.translate.compliance import _InvoicLine, _lines_not_footing, invoice_not_footing
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_odoo16 import do_all
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import a_tax, examples

__all__ = ["examples"]                             # the fixture, used by name

REVIEWED = Path(__file__).resolve().parents[1] / "translate_other" / "expected" / "eurohandel_INVOIC.edi"
DC = Party(role="ship_to", ids={"gln": "4012345000016"})


def included(odoo: odoorpc.ODOO, name: str, rate: float) -> int:
    """A sales tax included in the price, as each version calls it (price_include_override from 18)."""
    if int(odoo.version.split(".")[0]) >= 18:
        return a_tax(odoo, name, rate, price_include_override="tax_included")
    return a_tax(odoo, name, rate, price_include=True)


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_an_invoic_line_no_written_price_makes_is_held_naming_it(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    vat = included(odoo, "VAT 21% incl.", 21.0)
    order_id = odd.ordered(examples, client, "eurohandel", "EH-NOT-FOOTING", DC, [odd.line("1", {"gtin": "00614141000012"}, 10)])
    odd.invoiced(odoo, order_id, [{"quantity": 30000, "price_unit": 9.99, "tax_ids": [(6, 0, [vat])]}])
    [held] = await one_run(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    reason = held.last_error or ""
    assert held.state is State.QUARANTINED, reason
    assert ("LIN 1: QTY+47 30000 x PRI+AAA 8.2562 is 247686.00, but its MOA+203 (Odoo's subtotal of the line) says "
            "247685.95; no price of six decimals, as Odoo keeps one, makes it: give the line its net price, "
            "without the tax or discount in it") in reason, reason
    assert "MOA+77" not in reason and "MOA+79" not in reason          # Odoo's totals are its lines' and taxes'


@pytest.mark.parametrize("sandbox", [16, 19], indirect=True, ids=["odoo16", "odoo19"])
async def test_invoices_that_add_up_go_out(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """A price with its tax in it (1,000 at 10.00 with 21 %: 8.26446 a unit), a discounted line at 19 % and an
    untaxed one: each line, tax and total adds up, and the INVOIC is sent."""
    vat, reduced = included(odoo, "VAT 21% incl.", 21.0), a_tax(odoo, "VAT 19%", 19.0)
    order_id = odd.ordered(examples, client, "eurohandel", "EH-FOOTING", DC,
                           [odd.line("1", {"gtin": "00614141000012"}, 1000), odd.line("2", {"gtin": "00614141000029"}, 7),
                            odd.line("3", {"gtin": "00614141000036"}, 3)])
    if sandbox.version == 16:                       # 16 validates what is done, the moves' quantity_done
        [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
        do_all(odoo, pick)
    odd.invoiced(odoo, order_id, [{"quantity": 1000, "price_unit": 10.0, "tax_ids": [(6, 0, [vat])]},
                                  {"discount": 3.33, "tax_ids": [(6, 0, [reduced])]}, {"tax_ids": [(6, 0, [])]}])
    [sent] = await one_run(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert sent.state is not State.QUARANTINED, sent.last_error
    written = Archive(tmp_path / "archive").read(sent.sha256).decode("latin-1")
    assert "QTY+47:1000:PCE'\nMOA+203:8264.46'\nPRI+AAA:8.26446'" in written, written


def changed(old: str, new: str) -> str | None:
    """Why EuroHandel's reviewed INVOIC (lines 1,440.00, freight 45.00, 19 % VAT) with `old` made `new` does not
    foot, as the partner adds it up; None when it does."""
    data = REVIEWED.read_bytes()
    assert data.count(old.encode()) == 1
    return invoice_not_footing(parse(data.replace(old.encode(), new.encode())))


def test_the_reviewed_invoic_foots() -> None:
    assert invoice_not_footing(parse(REVIEWED.read_bytes())) is None


def test_a_rate_of_ten_is_named_so() -> None:
    """The tax is named by its rate as written (10, not 1E+1)."""
    data = REVIEWED.read_text(encoding="latin-1").replace(":::19+S'", ":::10.00+S'").replace(
        "MOA+125:1485.00'", "MOA+125:1440.00'")
    reason = invoice_not_footing(parse(data.encode("latin-1")))
    assert reason is not None and "TAX VAT 10 % S: MOA+125 says 1440.00" in reason, reason


def test_two_taxes_of_one_rate_on_the_same_lines_foot() -> None:
    """A group of two taxes of the same rate (a state's 19 % and another 19 %) on every line: two TAX per line, two
    SG50 groups each on the lines' 1,485.00; not one base counted against two."""
    data = REVIEWED.read_text(encoding="latin-1")
    tax = "TAX+7+VAT+++:::19+S'\n"
    summary = tax + "MOA+124:282.15'\nMOA+125:1485.00'\n"
    assert data.count(tax) == 4 and data.count(summary) == 1
    data = data.replace(summary, "\0").replace(tax, tax * 2).replace("\0", summary * 2)
    data = data.replace("MOA+176:282.15'", "MOA+176:564.30'").replace("MOA+77:1767.15'", "MOA+77:2049.30'")
    assert invoice_not_footing(parse(data.encode("latin-1"))) is None


@pytest.mark.parametrize(("old", "new", "named"), [
    ("MOA+79:1440.00'", "MOA+79:1400.00'", ("MOA+79 says 1400.00 (Odoo's untaxed amount), but the lines' MOA+203 add "
                                           "up to 1440.00")),
    ("MOA+125:1485.00'", "MOA+125:1440.00'", ("TAX VAT 19 % S: MOA+125 says 1440.00 (the amount Odoo taxed), but the "
                                             "lines with that tax and the allowances and charges on it add up to 1485.00")),
    ("MOA+124:282.15'", "MOA+124:273.60'", ("MOA+176 says 282.15 (Odoo's tax total), but the TAX groups' MOA+124 add "
                                           "up to 273.60")),
    ("MOA+77:1767.15'", "MOA+77:1722.15'", ("MOA+77 says 1722.15 (Odoo's total), but MOA+79 1440.00, the allowances "
                                           "and charges (45.00) and the tax (282.15) add up to 1767.15")),
    ("MOA+203:420.00'\nPRI+AAA:105.00'", "MOA+203:420.00'\nPRI+AAA:105.10'",
     ("LIN 2: QTY+47 4 x PRI+AAA 105.10 is 420.40, but its MOA+203 (Odoo's subtotal of the line) says 420.00; a price "
     "of 105.00 would make it")),
    ("MOA+203:600.00'\nPRI+AAA:12.50'", "MOA+203:600.00'\nPRI+AAA:1250:::100:PCE'", None),      # per 100 pieces
    ("PRI+AAA:12.50'\nTAX+7+VAT+++:::19+S'", "PRI+AAB:13.00'\nTAX+7+VAT+++:::19+S'\nALC+A++++DI'\nMOA+204:24.00'", None),
], ids=["lines", "taxable", "tax", "total", "price", "price-basis", "gross-price"])
def test_a_figure_that_does_not_add_up_is_named_with_what_it_should_be(old: str, new: str, named: str | None) -> None:
    reason = changed(old, new)
    if named is None:
        assert reason is None
    else:
        assert reason is not None and named in reason, reason


def test_past_three_wrong_lines_the_rest_are_counted() -> None:
    """Five lines off: the first three are named, the other two counted (`SHOWN_LINES`)."""
    lines = [_InvoicLine(str(n), quantity=Decimal(2), amount=Decimal("3.00"), price=("AAA", Decimal(1), Decimal(1)))
             for n in range(1, 6)]
    found = _lines_not_footing(lines)
    assert [f.split(":")[0] for f in found[:3]] == ["LIN 1", "LIN 2", "LIN 3"] and found[3:] == ["and 2 more lines"], found
