"""GS1 check digits and invoice footing, as a retailer's compliance check sees what we send: a product Barcode typed
one digit wrong in Odoo, our company's GLN typed wrong, an 810 whose TDS01 is not its lines plus its taxes. Each
goes from the Odoo sandbox over real HTTP through the daemon's scheduler and the example partners' profiles, and
is held in quarantine naming what to correct, not sent. Inbound, a PO line's UPC with a wrong check digit is noted
in the file's findings (`edi-gateway inspect`), and the order is acknowledged as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats.gs1 import check_digit
from gateway.journal.api import Direction, Message, State
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_extraction import deliver
from tests.odoo.test_outbound_taxes_packs import a_tax, daemon_scheduler, examples  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]


def wrong(digits: str) -> str:
    """`digits` (a GS1 number without its check digit) ended by a check digit one off the right one."""
    return digits + str((int(check_digit(digits)) + 1) % 10)


async def one_run(examples: LoadedConfig, client: OdooClient, journal: Any, tmp_path: Path,  # noqa: F811
                  partner_id: str, doc_type: str) -> list[Message]:
    """The outbound messages one run of the daemon's scheduler job made."""
    scheduler, _ = daemon_scheduler(examples, client, journal, tmp_path)
    before = {m.id for m in journal.find(direction=Direction.OUT, partner=partner_id, limit=100)}
    await scheduler.run_once(partner_id, doc_type)
    return [m for m in journal.find(direction=Direction.OUT, partner=partner_id, limit=100) if m.id not in before]


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_a_product_barcode_typed_wrong_holds_the_856_naming_it(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """BigBox's 856 names each item by its UPC (LIN ... UP): a Barcode one digit off went out and the retailer's
    receiving refused the ASN. Held now, naming the product, the barcode and the digit it should end in."""
    bad = wrong("61414100009")
    product = odoo.execute_kw("product.product", "create", [{"name": "Green Widget", "default_code": "GW-900",
                                                             "barcode": bad, "list_price": 9.5, "type": "consu"}])
    assert product
    order_id = odd.ordered(examples, client, "bigbox", "PO-BAD-UPC", odd.BIGBOX_DC,
                           [odd.line("1", {"vendor": "GW-900"}, 12)])
    deliver(odoo, order_id, packages=["006141410000123452"])
    [held] = await one_run(examples, client, journal, tmp_path, "bigbox", "856")
    reason = held.last_error or ""
    assert held.state is State.QUARANTINED, reason
    right = bad[:-1] + check_digit(bad[:-1])
    assert "'Green Widget'" in reason and f"UPC {bad}" in reason and f"should be {right[-1]} ({right})" in reason


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_our_gln_typed_wrong_holds_the_856_naming_it(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """N1*SF carries our company's GLN (the company contact's Barcode): typed wrong, the 856 is held naming it."""
    [company] = odoo.execute_kw("res.company", "search_read", [[], ["partner_id"]], {"limit": 1})
    bad = wrong("061414100000")
    odoo.execute_kw("res.partner", "write", [[company["partner_id"][0]], {"barcode": bad}])
    order_id = odd.ordered(examples, client, "bigbox", "PO-BAD-GLN", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 12)])
    deliver(odoo, order_id, packages=["006141410000123452"])
    [held] = await one_run(examples, client, journal, tmp_path, "bigbox", "856")
    assert held.state is State.QUARANTINED and f"GLN {bad}" in (held.last_error or "")
    assert "ship-from" in (held.last_error or "")


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_an_810_with_a_price_including_its_tax_foots_and_goes_out(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """1000 at 10.00 with 21 % VAT in the price: Odoo's line is 8264.46, its tax 1735.54, its total 10000.00. The
    810 stated the price per unit to four decimals, 8.2645, and the retailer added 1000 x 8.2645 + 1735.54 =
    10000.04 against TDS01 10000.00: the footing check held this ordinary invoice. The price is written with the
    decimals it takes to add up (six at most, as Odoo keeps a price), 8.26446, and the 810 goes out."""
    vat = a_tax(odoo, "VAT 21% incl.", 21.0, price_include_override="tax_included")
    order_id = odd.ordered(examples, client, "bigbox", "PO-INCLUDED", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 1000)])
    odd.invoiced(odoo, order_id, [{"quantity": 1000, "price_unit": 10.0, "tax_ids": [(6, 0, [vat])]}])
    [sent] = await one_run(examples, client, journal, tmp_path, "bigbox", "810")
    assert sent.state is not State.QUARANTINED, sent.last_error
    written = Archive(tmp_path / "archive").read(sent.sha256).decode()
    assert "IT1*1*1000*EA*8.26446*" in written and "TDS*1000000~" in written


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_an_810_whose_tds_is_not_its_lines_and_taxes_is_held_naming_both(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, tmp_path: Path) -> None:  # noqa: F811
    """30000 at 9.99 with 21 % VAT in the price: Odoo's line is 247685.95 (8.2561983... a unit), which no price of
    four to six decimals times 30000 makes (8.256198: 247685.94). The retailer adds the 810's 8.2562 x 30000 +
    52014.05 = 299700.05 against TDS01 299700.00 and refuses it: held, naming both figures."""
    vat = a_tax(odoo, "VAT 21% incl.", 21.0, price_include_override="tax_included")
    order_id = odd.ordered(examples, client, "bigbox", "PO-NOT-FOOTING", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 1000)])
    odd.invoiced(odoo, order_id, [{"quantity": 30000, "price_unit": 9.99, "tax_ids": [(6, 0, [vat])]}])
    assert odd.odoo_totals(odoo, odoo.execute_kw("account.move", "search", [[]], {"limit": 1, "order": "id desc"})[0])[2] == 299700
    [held] = await one_run(examples, client, journal, tmp_path, "bigbox", "810")
    reason = held.last_error or ""
    assert held.state is State.QUARANTINED, reason
    assert "TDS01 says 299700.00" in reason and "add up to 299700.05" in reason


def inspected(sample: str, old: bytes, new: str, tmp_path: Path) -> tuple[str, str]:
    """`edi-gateway inspect` of an example sample with `old` replaced by `new`: its check-digit note and output."""
    path = tmp_path / Path(sample).name
    path.write_bytes((ROOT / "gateway" / "examples" / "samples" / sample).read_bytes().replace(old, new.encode()))
    shown = subprocess.run([sys.executable, "-m", "gateway", "inspect", str(path)], capture_output=True, text=True,
                           check=False, cwd=ROOT)
    assert shown.returncode == 0, shown.stderr
    [note] = [line for line in shown.stdout.splitlines() if "check digit" in line]
    return note, shown.stdout


def test_a_po_lines_upc_with_a_wrong_check_digit_is_noted_not_refused(tmp_path: Path) -> None:
    """BigBox's 850 with PO1 09 one digit off: the file's findings say where and what the digit should be; the set
    is accepted (no warning or error: the 997 says A, a check digit is no X12 syntax)."""
    bad = wrong("61414100001")
    note, shown = inspected("bigbox/850_4500001234.edi", b"UP*614141000012", f"UP*{bad}", tmp_path)
    assert "PO1" in note and "element 9" in note and f"UPC {bad}" in note and "check digit is 2" in note
    assert "0 error(s), 0 warning(s), 1 note(s)" in shown


def test_an_edifact_lin_ean_with_a_wrong_check_digit_is_noted(tmp_path: Path) -> None:
    """The same for EuroHandel's ORDERS: LIN 3 (C212 7140 with 7143 EN) one digit off is a note, not an error."""
    bad = wrong("061414100001")
    note, shown = inspected("eurohandel/ORDERS_4500012345.edi", b"LIN+1++0614141000012:EN", f"LIN+1++{bad}:EN",
                            tmp_path)
    assert "LIN" in note and "element 3.1" in note and f"EAN {bad}" in note and "check digit is 2" in note
    assert "0 error(s), 0 warning(s), 1 note(s)" in shown
