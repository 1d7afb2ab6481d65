"""UBL documents from Odoo with the state of each address (res.partner state_id, as its res.country.state code) in
the place UBL 2.1 has for it, extracted from the sandbox over real HTTP, rendered with the base UBL profiles,
checked against the schema's element order and read back."""

from __future__ import annotations

from typing import Any

import odoorpc
import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import parse
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.lookup import Cache
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import render, translate
from tests.helpers.content_models import problems
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_extraction import deliver
from tests.odoo.test_outbound_addresses import located, states
from tests.odoo.test_outbound_taxes_packs import examples  # noqa: F401 - the examples fixture
from tests.translate import test_ubl_schema as ubl


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
def test_ubl_documents_give_the_state_as_country_subentity_and_it_is_read_once(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """A UBL DespatchAdvice and Invoice carry the state in PostalAddress/CountrySubentity, in the schema's order
    (UBL-CommonAggregateComponents-2.1.xsd AddressType: after PostalZone, before Country), and read it back; the
    invoice's delivery address too (its DeliveryLocation/Address had no place for the state). The states' codes are read once for the run's contacts and once for our company's address,
    not once per party, and not again in the next run with the same cache."""
    located(odoo, {"BigBox DC 1": ("US", "AR", "Arkansas"), "Acme Distribution": ("US", "OH", "Ohio")})
    for number, sscc in (("PO-UBL-1", "006141410000123452"), ("PO-UBL-2", "006141410000123469")):
        order_id = odd.ordered(examples, client, "bigbox", number, odd.BIGBOX_DC, [odd.line("1", {"buyer": "BB-1001"}, 6)])
        deliver(odoo, order_id, packages=[sscc])
        odd.invoiced(odoo, order_id)
    reads: list[str] = []
    real = client.read

    def counting(model: str, *args: Any, **kw: Any) -> Any:
        reads.append(model)
        return real(model, *args, **kw)
    monkeypatch.setattr(client, "read", counting)
    cache = Cache()
    asns = extract_ship_notices(client, examples.partners["bigbox"], journal, cache=cache, claim_marks=False)
    assert len(asns) == 2 and reads.count("res.country.state") == 2    # the contacts', then our company's (cached)
    [invoice, _] = extract_invoices(client, examples.partners["bigbox"], journal, cache=cache, claim_marks=False)
    assert reads.count("res.country.state") == 2
    ours = OurIds.model_validate({"xml": "0614141000005"})
    for doc, doc_type, profile in ((asns[0], "DespatchAdvice", "ubl-2.1-despatchadvice"),
                                   (invoice, "Invoice", "ubl-2.1-invoice")):
        partner = PartnerConfig.model_validate({"id": "ubl-buyer", "xml": {"ids": ["4000000000009"]}, "documents": [
            {"type": doc_type, "direction": d, "profile": profile} for d in ("in", "out")]})
        data = render(doc, partner, examples.profiles, journal, doc_type, our_ids=ours).data
        addresses = [a for a in etree.fromstring(data).iter() if str(a.tag).endswith(("}PostalAddress", "}Address"))]
        assert len(addresses) >= 2 and [p for a in addresses for p in problems(a, ubl.MODELS)] == [], profile
        assert b"<cbc:CountrySubentity>AR</cbc:CountrySubentity>" in data, profile
        assert b"<cbc:CountrySubentity>OH</cbc:CountrySubentity>" in data, profile
        [back] = translate(parse(data).transactions[0], partner, examples.profiles)
        assert states(back)["ship_to"] == "AR" and {"AR", "OH"} <= set(states(back).values()), profile

