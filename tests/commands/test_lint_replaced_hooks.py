"""A partner profile's own hook replaces its base's: the base's hook reads part of the document (an INVOIC line's
RFF+ON order line, X12 price bases, store allocations), so a partner hook that does not call it lost that part
without a word; lint now says so at the hook's line, and says nothing when the partner's hook calls the base's."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import cli

PROFILE = """profile: acme-invoic
extends: edifact-d96a-invoic
hooks:
  after_read: "acme_hooks:after_read"
"""


def _lint(ws: Path, body: str) -> str:
    (ws / "translations" / "acme-invoic.yaml").write_text(PROFILE)
    (ws / "translations" / "acme_hooks.py").write_text(body)
    done = cli("lint", config=ws / "gateway.yaml")
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout.replace(f"{ws}/", "")


def test_a_hook_that_replaces_the_base_hook_is_warned_at_its_line(ws: Path) -> None:
    out = _lint(ws, "def after_read(data, tx=None):\n    data['notes'] = 'acme'\n    return data\n")
    assert ("warning: translations/acme-invoic.yaml:4: hooks.after_read: acme_hooks:after_read replaces "
            "gateway.translate.edifact_fields:invoice_order_lines, which edifact-d96a-invoic runs; what that one "
            "reads or writes is lost unless yours calls it") in out, out
    assert "call gateway.translate.edifact_fields:invoice_order_lines(data, tx) in yours" in out


def test_a_hook_that_calls_the_base_hook_is_not_warned(ws: Path) -> None:
    out = _lint(ws, "from gateway.translate import edifact_fields\n\n\n"
                    "def after_read(data, tx=None):\n    data = edifact_fields.invoice_order_lines(data, tx)\n"
                    "    data['notes'] = 'acme'\n    return data\n")
    assert "replaces" not in out and out.endswith("ok (4 partners)\n"), out


def test_a_hook_that_calls_the_base_hook_reads_an_invoic_with_a_tax_declaration(ws: Path, tmp_path: Path) -> None:
    """FTX+TXD got a node of its own today (the exemption words we write); read, it was folded into the notes by a
    new base hook, so a partner hook calling `edifact_fields.invoice_order_lines`, as the base's hook was named
    before, left `_tax_declarations` in the document: every INVOIC of that partner carrying an FTX+TXD was refused
    ('extra inputs are not permitted'). The hook it calls folds them now."""
    _lint(ws, "from gateway.translate import edifact_fields\n\n\n"
              "def after_read(data, tx=None):\n    data = edifact_fields.invoice_order_lines(data, tx)\n"
              "    return data\n")
    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "edifact"
    text = (corpus / "INVOIC_D96A_bots_dutchic.edi").read_text(encoding="latin-1")
    text = text.replace("RFF+AAK:2028'", "FTX+TXD+++Intra-Community supply'\nRFF+AAK:2028'", 1)
    invoice = tmp_path / "invoic.edi"
    invoice.write_text(text, encoding="latin-1")
    done = cli("translate", str(invoice), "--profile", "acme-invoic", "--json", config=ws / "gateway.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Intra-Community supply" in done.stdout and "extra inputs" not in done.stdout + done.stderr
