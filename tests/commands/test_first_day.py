"""A new coordinator's first day: mistakes made onboarding a partner from README.md alone, each said by the real
`edi-gateway` command at the file and line, with what to write instead, and never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.commands.test_lint_mistakes import lint as lint_errors
from tests.helpers.gateway import cli


def test_unquoted_codes_with_leading_zeros_in_a_profile(ws: Path) -> None:
    """X12 qualifiers are text with leading zeros (N1 `01` DUNS, BEG01 `00`). Unquoted, YAML reads `01` as the
    number 1: lint said ok, the code list mapped "1", which no file carries, and the DUNS went unread."""
    (ws / "translations" / "acme-850.yaml").write_text(
        "extends: x12-004010-850\n"
        "codes:\n"
        "  id_qualifiers: {01: duns, \"9\": duns4}\n"
        "structure:\n"
        "  beg:\n"
        "    when: {1: 00}\n"
        "  lines:\n"
        "    fields:\n"
        "      pack_size: {at: 1.10, number: true}\n"
        "      unit_price: {at: 4, number: true, default: 0.00}\n")   # a figure: 0.0 however written
    said = "translations/acme-850.yaml:{}: {} {} is read by YAML as the number {}, not the code '{}' (write it in quotes: \"{}\")"
    assert lint_errors(ws) == [said.format(3, "key", "01", 1, "01", "01"),
                               said.format(6, "value", "00", 0, "00", "00"),
                               said.format(9, "value", "1.10", 1.1, "1.10", "1.10")]


def test_an_unquoted_id_or_version_in_a_partner_file(ws: Path) -> None:
    """README's example quotes "004010" and the GLN; a coordinator who did not was told
    'expected: Input should be a valid string' at the line, not that YAML had made a number of it, nor what to write."""
    partner = ws / "partners" / "northwind.yaml"
    text = partner.read_text()
    for old, new in (('version: "005010"', "version: 005010"), ('{qualifier: "12", id: "8005551234"}',
                                                                 '{qualifier: 01, id: "8005551234"}')):
        assert old in text, old
        text = text.replace(old, new)
    partner.write_text(text)
    errors = lint_errors(ws)
    assert [e.split(": ", 1)[1] for e in errors] == [
        'x12.ids[0].qualifier: expected text, not the number 1 (write it in quotes: "01")',
        'x12.version: expected text, not the number 5010 (write it in quotes: "005010")']
    assert all(e.startswith("partners/northwind.yaml:") for e in errors)


def test_a_finding_on_every_line_is_one_line_of_translate(ws: Path) -> None:
    """A partner whose units are longer than QTY 6411's three characters (a German wholesaler's GBND, "Gebinde") on
    each of its lines made `translate` print 101 lines of validation errors before the order; now each kind of
    finding is one line saying where else it recurs, and `inspect` lists each."""
    sample = ws / "samples" / "eurohandel" / "ORDERS_4500012345.edi"
    data = sample.read_bytes().replace(b"QTY+21:48:PCE", b"QTY+21:48:GBND").replace(b"QTY+21:4:KAR", b"QTY+21:4:GBND")
    assert data.count(b"GBND") == 2
    odd = ws / "odd.edi"
    odd.write_bytes(data)
    done = cli("translate", str(odd), config=ws / "gateway.yaml")
    assert done.returncode == 0, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("validation error")]
    assert len(errors) == 1, done.stderr
    assert errors[0].endswith("'GBND' (and 1 more like it: segment 23; "
                              f"edi-gateway inspect {odd} lists each)"), errors[0]
    assert done.stdout.startswith("PurchaseOrder 4500012345")
    # and it says what the daemon would do with the file: the order is shown, but would not reach Odoo
    assert ("note: ORDERS 1 is rejected by these errors: the gateway would refuse it (in the 997, 999 or CONTRL the "
            "partner gets) and neither translate nor post it; translated here all the same") in done.stderr


def test_a_pick_of_a_pair_the_pairs_already_read(ws: Path) -> None:
    """README warns against `item_ids.buyer: {pair: CB, at: 6}` (the base's pairs read CB as buyer_catalog, so
    the 855 would send the number back twice), but lint said nothing to the coordinator who wrote it. It warns now,
    at its line; the gateway still starts (a working one is not refused after the upgrade). The code list that
    README recommends instead passes without a word."""
    profile = ws / "translations" / "acme-850.yaml"
    profile.write_text("extends: x12-004010-850\nstructure:\n  lines:\n    fields:\n"
                       "      item_ids.buyer: {pair: CB, at: 6}\n")
    warned = cli("lint", config=ws / "gateway.yaml")
    assert warned.returncode == 0, warned.stdout
    [error] = [line.replace(f"{ws}/", "").removeprefix("warning: ") for line in warned.stdout.splitlines()
               if "picks the CB pair" in line]
    assert error.startswith("translations/acme-850.yaml:5: 'item_ids.buyer' picks the CB pair, which 'item_ids' "
                            "(x12-004010-850.yaml:"), error
    assert error.endswith("already reads as 'buyer_catalog': the number is kept twice, and what we send back "
                          "(855, 856, 810) carries it twice (say it with a code list, not a pick: "
                          "codes: {item_qualifiers: {CB: buyer}})"), error
    profile.write_text("extends: x12-004010-850\ncodes:\n  item_qualifiers: {CB: buyer}\n")
    done = cli("lint", config=ws / "gateway.yaml")
    assert done.returncode == 0 and "picks the" not in done.stdout, done.stdout


def test_a_misspelt_or_unquoted_choice_in_a_partner_file(ws: Path) -> None:
    """`trigger: order_confirmd`, `direction: inn` and `ack: 997` (a number: the choices are text) were refused with
    pydantic's "Input should be 'delivery_done', 'invoice_posted', ..." and no hint of which was meant."""
    partner = ws / "partners" / "northwind.yaml"
    text = partner.read_text()
    for old, new in (("trigger: order_confirmed", "trigger: order_confirmd"),
                     ('type: "850", direction: in', 'type: "850", direction: inn'), ('ack: "999"', "ack: 999")):
        assert old in text, old
        text = text.replace(old, new, 1)
    partner.write_text(text)
    assert [e.split(": ", 1)[1] for e in lint_errors(ws)] == [
        'x12.ack: expected one of: none, 997, 999 (write it in quotes: "999")',
        "documents[0].direction: expected one of: in, out (did you mean 'in'?)",
        ("documents[1].trigger: expected one of: delivery_done, invoice_posted, order_confirmed, change_applied, "
         "schedule, none (did you mean 'order_confirmed'?)")]


def test_extending_profiles_of_two_syntaxes(ws: Path) -> None:
    """An EDIFACT partner's profile that also extends the X12 code library northwind-codes failed inside the
    shipped base profile ("edifact-d96a-orders.yaml:27: format_at: is for an EDIFACT date field"), naming neither
    the coordinator's file nor the cause."""
    (ws / "translations" / "eurohandel-orders.yaml").write_text("extends: [edifact-d96a-orders, northwind-codes]\n")
    errors = lint_errors(ws)
    assert errors[0] == ("translations/eurohandel-orders.yaml:1: extends: profiles of different syntaxes: "
                         "edifact-d96a-orders (edifact), northwind-codes (x12); a profile reads and writes one "
                         "syntax (extend only code lists of this profile's syntax)"), errors


def test_a_misspelt_default(ws: Path) -> None:
    """`defaults: {curency: USD}` passed lint; each order then failed to translate with 'curency: extra inputs are
    not permitted' located in the shipped base profile, not in the coordinator's file."""
    (ws / "translations" / "eurohandel-orders.yaml").write_text(
        "extends: edifact-d96a-orders\ncodes:\n  units: {KAR: DZN, _out: {DZN: KAR}}\ndefaults:\n  curency: EUR\n")
    assert lint_errors(ws) == [("translations/eurohandel-orders.yaml:5: defaults: 'curency' is not a field of "
                                "PurchaseOrder (did you mean 'currency'?)")]


def test_a_misspelt_node_name(ws: Path) -> None:
    """`line:` for the base's `lines:` (and `descripton:` under it) made a new node without a selector, and lint
    said only "node 'line' needs exactly one of seg, loop, hl, rows, xpath", not that the base has no such node
    to override, nor which was meant."""
    profile = ws / "translations" / "eurohandel-orders.yaml"
    profile.write_text("extends: edifact-d96a-orders\nstructure:\n  line:\n    fields:\n      unit: {at: 1.3}\n")
    errors = lint_errors(ws)
    assert errors[0] == ("translations/eurohandel-orders.yaml:3: node 'line' is no node of the profiles it extends, "
                         "and says no seg, loop, hl, rows, xpath of its own (did you mean 'lines'?)"), errors
    profile.write_text("extends: edifact-d96a-orders\nstructure:\n  lines:\n    children:\n"
                       "      quantitty:\n        fields: {quantity: 1.2}\n")
    errors = lint_errors(ws)
    assert errors[0].startswith("translations/eurohandel-orders.yaml:5: node 'quantitty' is no node of the "
                                "profiles it extends"), errors
    assert errors[0].endswith("(did you mean 'quantity'?)"), errors


def test_a_partner_id_copied_with_its_isa_padding(ws: Path) -> None:
    """ISA06 is padded to 15 characters; a coordinator who copied it as sent ("BIGBOXRETAIL   ", quoted) got a
    clean lint, and then every file of that partner was 'no partner matches ISA05/06 ZZ/BIGBOXRETAIL'."""
    partner = ws / "partners" / "bigbox.yaml"
    text = partner.read_text()
    old = "- {qualifier: ZZ, id: BIGBOXRETAIL}\n  gs_ids: [BIGBOX]"
    assert old in text
    partner.write_text(text.replace(old, '- {qualifier: "ZZ ", id: "BIGBOXRETAIL   "}\n  gs_ids: ["BIGBOX "]'))
    done = cli("translate", str(ws / "samples" / "bigbox" / "850_4500001234.edi"), config=ws / "gateway.yaml")
    assert done.returncode == 0, done.stderr
    assert "partner bigbox]" in done.stdout.splitlines()[0], done.stdout + done.stderr


def test_translate_with_a_profile_of_another_syntax(ws: Path) -> None:
    """`translate ORDERS.edi --profile x12-004010-850` (a guess at the profile to use) answered 'number: field
    required; dates.0.date: field required ... (the profile maps no value there)', located in the X12 base
    profile, rather than that the profile is for another syntax and message."""
    sample = ws / "samples" / "eurohandel" / "ORDERS_4500012345.edi"
    done = cli("translate", str(sample), "--profile", "x12-004010-850", config=ws / "gateway.yaml")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (f"error: {sample}: profile x12-004010-850 reads X12 850, and this file "
                                            "is EDIFACT ORDERS"), done.stderr


def test_lint_where_there_is_no_gateway_yaml(tmp_path: Path) -> None:
    """`edi-gateway lint` run before `init`, or outside the workspace, said only 'gateway.yaml: file not found'."""
    if Path("/etc/edi-gateway/gateway.yaml").exists():
        pytest.skip("this machine has /etc/edi-gateway/gateway.yaml, which lint would take")
    done = subprocess.run([sys.executable, "-m", "gateway", "lint"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=60, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout.splitlines()[0] == ("gateway.yaml: file not found (nor /etc/edi-gateway/gateway.yaml; give "
                                           "--config PATH, or make a workspace with edi-gateway init DIR)")


def test_a_code_list_entry_that_is_not_one_word(ws: Path) -> None:
    """`item_qualifiers: {CB: [buyer]}` (a list, as the coordinator had seen `extends: [...]`) and `units: {CT: true}`
    passed lint; the engine keyed the text "['buyer']" and "True", so no line ever had a buyer item or a unit."""
    (ws / "translations" / "acme-850.yaml").write_text(
        "extends: x12-004010-850\ncodes:\n  item_qualifiers: {CB: [buyer]}\n  units: {CT: true}\n")
    assert lint_errors(ws) == [
        ("translations/acme-850.yaml:3: code list 'item_qualifiers': CB maps to ['buyer'], not to one word "
         "(write {CB: buyer})"),
        "translations/acme-850.yaml:4: code list 'units': CT maps to true, not to one word (write {CT: WORD})"]
