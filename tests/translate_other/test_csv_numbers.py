"""A decimal-comma CSV partner: only the columns its profile reads as numbers are read in the German
thousands form, so an article number with dots stays as the partner wrote it."""

from __future__ import annotations

from decimal import Decimal

from gateway.config.loader import LoadedConfig
from gateway.formats import parse
from gateway.translate import translate
from tests.translate_other.conftest import EXAMPLES

SAMPLE = (EXAMPLES / "samples" / "shopmarket" / "orders_20261128_0600.csv").read_text(encoding="utf-8")


def test_number_columns_come_from_the_partner_inbound_profile(config: LoadedConfig) -> None:
    csv = config.partners["shopmarket"].csv
    assert csv is not None and csv.decimal == ","
    assert csv.number_columns is not None
    assert {"Menge", "Einzelpreis", "Gesamtpreis"} <= set(csv.number_columns)
    assert not {"Artikelnummer", "EAN", "PLZ", "Position"} & set(csv.number_columns)


def test_an_article_number_with_dots_is_kept_and_a_quantity_in_thousands_is_read(config: LoadedConfig) -> None:
    partner = config.partners["shopmarket"]
    header, first, *rest = SAMPLE.splitlines()
    cells = first.split(";")
    columns = header.split(";")
    cells[columns.index("Artikelnummer")] = "10.100.200"
    cells[columns.index("Menge")] = "1.000"
    cells[columns.index("Gesamtpreis")] = "12.500,00"
    data = "\n".join([header, ";".join(cells), *rest]).encode()
    result = parse(data, csv=partner.csv)
    assert [str(i) for i in result.errors] == []
    doc = translate(result.transactions[0], partner, config.profiles)[0]
    line = doc.lines[0]                                                   # type: ignore[attr-defined]
    assert line.item_ids["vendor"] == "10.100.200"
    assert (line.quantity, line.amount) == (Decimal(1000), Decimal(12500))
