"""Whether a PO's payment terms are Odoo's is a matter of their kind too, not only of their figures. An 850 stating
`ITD*02` (end of month) with the very figures of the customer's plain Odoo term (2 % within 30 days, net 45) was
posted as agreeing, so the invoice went out due 45 days after its date while the retailer paid 45 days after the
month's end, and took the discount as late: a deduction dispute on every invoice. Likewise Odoo terms in instalments
(30 % now, the rest at 45 days) against a PO stating a single net 45: Odoo dunned for the 30 % the retailer never
meant to pay then. Now both are tagged 'EDI terms mismatch' with the note naming the kinds; an Odoo term that is end
of month itself (16's end_month, 17+'s delay_type) agrees. Through the real pipeline and the sandbox over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_order_header_fields import odoo_of, post_file, sale_order, sample
from tests.odoo.test_pipeline_posting import examples

__all__ = ["examples"]          # the module fixture, shared

ALL_VERSIONS = pytest.mark.parametrize("sandbox", [16, 17, 19], ids=["odoo16", "odoo17", "odoo19"], indirect=True)
SAMPLE_TERMS = "ITD*01*3*2**30**45*****2% 30 NET 45"


def _terms_of_bigbox(sandbox: SandboxServer, **line: object) -> None:
    """BigBox's Odoo term "2% 30, Net 45" with its one line changed (`line`), or, with `parts`, in two lines."""
    odoo = odoo_of(sandbox)
    [term] = odoo.execute_kw("account.payment.term", "search", [[("name", "=", "2% 30, Net 45")]])
    lines = odoo.execute_kw("account.payment.term.line", "search", [[("payment_id", "=", term)]])
    odoo.execute_kw("account.payment.term.line", "write", [lines, line])


def _month_end(sandbox: SandboxServer) -> dict[str, object]:
    return {"end_month": True} if sandbox.version <= 16 else {"delay_type": "days_after_end_of_month"}


@ALL_VERSIONS
async def test_an_end_of_month_po_on_a_plain_odoo_term_is_flagged(tmp_path: Path, examples: LoadedConfig,
                                                                 sandbox: SandboxServer) -> None:
    data = sample(after="BEG*", replace=(SAMPLE_TERMS, "ITD*02*3*2**30**45*****2% 30 EOM NET 45"))
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["tag_ids", "note"])
    tags = odoo_of(sandbox).execute_kw("crm.tag", "read", [order["tag_ids"], ["name"]])
    assert [t["name"] for t in tags] == ["EDI terms mismatch"]
    assert ("<p>EDI payment terms: the order says 2% 30 EOM NET 45 (2% within 30 days, net 45 days) (end of month); "
            "BigBox Retail&#x27;s payment terms in Odoo, 2% 30, Net 45, are 2% within 30 days, net 45 days; the order "
            "keeps Odoo&#x27;s</p>") in order["note"]
    assert "<p>payment terms type: end of month</p>" in order["note"]


@ALL_VERSIONS
async def test_an_end_of_month_po_on_an_end_of_month_odoo_term_agrees(tmp_path: Path, examples: LoadedConfig,
                                                                     sandbox: SandboxServer) -> None:
    _terms_of_bigbox(sandbox, **_month_end(sandbox))
    data = sample(after="BEG*", replace=(SAMPLE_TERMS, "ITD*02*3*2**30**45*****2% 30 EOM NET 45"))
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["tag_ids", "note"])
    assert "EDI payment terms" not in order["note"] and order["tag_ids"] == []


async def test_a_plain_po_on_an_end_of_month_odoo_term_is_not_flagged(tmp_path: Path, examples: LoadedConfig,
                                                                     sandbox: SandboxServer) -> None:
    """A PO whose terms are basic (ITD01 01), on an Odoo term counted from the month's end: the retailer pays no
    later than Odoo expects, so there is nothing to settle (as before)."""
    _terms_of_bigbox(sandbox, **_month_end(sandbox))
    result, _ = await post_file(tmp_path, examples, sandbox, sample(after="BEG*"), {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    assert sale_order(sandbox, ["tag_ids"])["tag_ids"] == []


@pytest.mark.parametrize("sandbox", [16, 19], ids=["odoo16", "odoo19"], indirect=True)
async def test_odoo_terms_in_instalments_against_a_single_net_days_are_flagged(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    odoo = odoo_of(sandbox)
    days = "days" if sandbox.version <= 16 else "nb_days"
    term = odoo.execute_kw("account.payment.term", "create", [{"name": "30% Now, Balance 45 Days", "line_ids": [
        [0, 0, {"value": "percent", "value_amount": 30.0, days: 0}],
        [0, 0, {"value": "balance" if sandbox.version <= 16 else "percent", "value_amount": 70.0, days: 45}]]}])
    [bigbox] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    odoo.execute_kw("res.partner", "write", [[bigbox], {"property_payment_term_id": term}])
    data = sample(after="BEG*", replace=(SAMPLE_TERMS, "ITD*01*3*****45*****NET 45"))
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["tag_ids", "note"])
    assert len(order["tag_ids"]) == 1
    assert ("<p>EDI payment terms: the order says NET 45 (net 45 days); BigBox Retail&#x27;s payment terms in Odoo, "
            "30% Now, Balance 45 Days, are net 45 days (the last of 2 instalments); the order keeps Odoo&#x27;s</p>"
            ) in order["note"]
    instalments = data.replace(b"ITD*01*3*****45*****NET 45", b"ITD*04*3*****45*****30 PCT NOW BAL NET 45")
    again, _ = await post_file(tmp_path / "again", examples, sandbox, instalments.replace(b"4500001234", b"4500001299"),
                               {State.QUARANTINED, State.DONE})
    assert again.state is State.DONE, again.last_error
    [agreed] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500001299")],
                                                             ["tag_ids", "note"]])
    assert agreed["tag_ids"] == [] and "EDI payment terms" not in agreed["note"]


@pytest.mark.parametrize("sandbox", [16], ids=["odoo16"], indirect=True)
async def test_an_end_of_month_po_on_odoo_16s_own_end_of_month_term_agrees(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """Odoo 16 counts an end-of-month line as days, then the month's end, then `days_after` (its _get_due_date):
    its 'net 45 days after the end of the month' is days 0, end_month, days_after 45. Read as its days alone, that
    term was net 0: an EOM 45 PO on it was tagged 'EDI terms mismatch', the note saying Odoo's term is 'net 0 days
    from the end of the month'."""
    _terms_of_bigbox(sandbox, days=0, end_month=True, days_after=45)
    data = sample(after="BEG*", replace=(SAMPLE_TERMS, "ITD*02*3*2**30**45*****2% 30 EOM NET 45"))
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["tag_ids", "note"])
    assert "EDI payment terms" not in order["note"] and order["tag_ids"] == []
