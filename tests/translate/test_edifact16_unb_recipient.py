"""A partner's internal recipient id in the UNB we send (S003 0014, and 0046 from syntax version 4): some hubs and
retailers route an interchange inside their company by it (a buying office's EDI desk, a DC), and our UNB had no
place for it: `edifact: {recipient_internal: [EDI-IN, DC7]}` next to the partner's ids writes it after its id.
Lint refuses what the partner's syntax version cannot carry (version 3's S003 ends at the routing address, 14
characters). One that comes in (a partner's own, or ours in its UNB to us) is read and ignored: the partner is still
known by its id. Through `edi-gateway render`, `lint` and `translate` on the example workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway import acks
from gateway.cli import main
from gateway.config.loader import load
from gateway.formats import parse
from gateway.journal.sqlite import SqliteJournal
from tests.helpers.examples import example_workspace
from tests.translate_other.conftest import EXAMPLES, HERE

INVOICE = HERE / "fixtures" / "eurohandel_invoice.json"


def workspace(tmp_path: Path, version: str, internal: str) -> Path:
    """The example workspace with EuroHandel on syntax `version` and `recipient_internal: internal`."""
    config = example_workspace(tmp_path / "ws", ("eurohandel",))
    partner = config.parent / "partners" / "eurohandel.yaml"
    text = partner.read_text()
    assert text.count('  syntax_version: "3"\n') == 1
    partner.write_text(text.replace('  syntax_version: "3"\n',
                                    f'  syntax_version: "{version}"\n  recipient_internal: {internal}\n'))
    return config


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize(("version", "internal", "s003"), [
    ("4", "[EDI-IN, DC7]", "+4012345000009:14:EDI-IN:DC7+"),
    ("3", "[ROUTE-7]", "+4012345000009:14:ROUTE-7+"),
    ("4", "['', DC7]", "+4012345000009:14::DC7+"),          # a sub-identification alone
    ("3", "[]", "+4012345000009:14+"),
])
def test_our_unb_names_the_partners_internal_recipient(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       version: str, internal: str, s003: str) -> None:
    config = workspace(tmp_path, version, internal)
    code, out = run(capsys, "lint", "--config", str(config))
    assert code == 0, out
    code, out = run(capsys, "render", str(INVOICE), "--partner", "eurohandel", "--type", "INVOIC",
                    "--config", str(config))
    assert code == 0, out
    [unb] = [s for s in out.split("'") if s.strip().startswith("UNB+")]
    assert f"UNB+UNOC:{version}+0614141000005:14{s003}" in unb.strip() + "+", unb


@pytest.mark.parametrize(("internal", "said"), [
    ("[EDI-IN, DC7]", "a sub-identification (0046)"),
    ("[ROUTING-ADDRESS-15]", "up to 14 characters"),
])
def test_lint_refuses_what_syntax_version_3_cannot_carry(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         internal: str, said: str) -> None:
    code, out = run(capsys, "lint", "--config", str(workspace(tmp_path, "3", internal)))
    assert code != 0 and "recipient_internal" in out and said in out, out
    assert "eurohandel.yaml" in out, out


def test_lint_refuses_an_internal_id_over_35_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "lint", "--config", str(workspace(tmp_path, "4", "[" + "X" * 36 + "]")))
    assert code != 0 and "S003 0014/0046" in out and "has 36" in out, out


def test_internal_ids_in_a_partners_unb_are_read_and_ignored(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """EuroHandel's sample order from its EDI desk (S002 0008) to our order desk (S003 0014): still EuroHandel's,
    still to us, translated with its profile."""
    config = workspace(tmp_path, "3", "[ORDERDESK]")
    sample = (EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012345.edi").read_bytes()
    head = b"UNB+UNOC:3+4012345000009:14+0614141000005:14+"
    assert sample.count(head) == 1
    routed = tmp_path / "ORDERS_routed.edi"
    routed.write_bytes(sample.replace(head, b"UNB+UNOC:3+4012345000009:14:EDI-DESK+0614141000005:14:ORDERDESK+"))
    code, out = run(capsys, "translate", str(routed), "--config", str(config))
    assert code == 0, out
    assert "partner eurohandel" in out and "PurchaseOrder 4500012345" in out, out


def test_our_contrl_is_addressed_so_too(tmp_path: Path) -> None:
    """The CONTRL answering EuroHandel's order goes to the same internal recipient as its DESADV and INVOIC."""
    config = load(workspace(tmp_path, "3", "[ORDERDESK]"))
    sample = (EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012345.edi").read_bytes()
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        [answer] = acks.build(parse(sample), config.partners["eurohandel"], config.gateway.our_ids, journal)
    finally:
        journal.close()
    assert answer.doc_type == "CONTRL" and b"+4012345000009:14:ORDERDESK+" in answer.data.split(b"'")[1]
