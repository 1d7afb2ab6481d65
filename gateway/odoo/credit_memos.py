"""Which bill a vendor's credit memo corrects, where only the gateway's journal can tell.

Apart from the Odoo posting modules, so the pipeline can ask it without loading an Odoo client: it reads the
journal and the canonical document only.
"""

from __future__ import annotations

from gateway.journal.api import Journal
from gateway.translate.canonical import Document, Invoice, Reference

BILL_OF = "odoo_bill"       # a credit note's reference to the bill (account.move id) of the invoice it credits
CXML_INVOICE = "InvoiceDetailRequest"


def with_credited_bill(journal: Journal, partner: str, doc: Document) -> Document:
    """A cXML credit memo naming the invoice it corrects only by that invoice's payloadID (its DocumentReference, as
    Ariba sends it), given the bill the gateway made of that invoice (a `BILL_OF` reference): the journal knows which
    message brought the payloadID (`seen_document`) and which account.move it made (its Odoo links); bills keep no
    payloadID, so Odoo alone finds none. Any other document, and a payloadID the journal does not know (Coupa's
    samples put the invoice number there, which the bill's reference finds), is returned as it is."""
    if not isinstance(doc, Invoice) or doc.invoice_type != "credit_note" or \
            doc.source.standard_type != CXML_INVOICE or any(r.qualifier == BILL_OF for r in doc.references):
        return doc
    payload = next((r.value.strip() for r in doc.references if r.qualifier == "OI" and r.value.strip()), None)
    for message in journal.document_messages(partner, f"xml:{CXML_INVOICE}", payload) if payload else []:
        bills = [link.record_id for link in journal.odoo_links(message) if link.model == "account.move"]
        if bills and message != doc.source.message_id:
            return doc.model_copy(update={"references": [*doc.references,
                                                         Reference(qualifier=BILL_OF, value=str(bills[0]))]})
    return doc


def credited_bill(doc: Invoice) -> int | None:
    """The account.move of the invoice a credit note corrects, where the journal knew it (`with_credited_bill`)."""
    return next((int(r.value) for r in doc.references if r.qualifier == BILL_OF and r.value.isdecimal()), None)
