"""Odd but real marketplace CSV exports (ShopMarket): what a spreadsheet does to a file before it is
sent is either read right or refused with the row and the column."""

from __future__ import annotations

import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import TranslationError
from gateway.formats import parse
from gateway.translate import translate
from tests.translate_other.conftest import EXAMPLES

SAMPLE = (EXAMPLES / "samples" / "shopmarket" / "orders_20261128_0600.csv").read_text(encoding="utf-8")
HEADER, FIRST, *REST = SAMPLE.splitlines()
COLUMNS = HEADER.split(";")


def _with(cells: dict[str, str], row: str = FIRST) -> bytes:
    values = row.split(";")
    for name, value in cells.items():
        values[COLUMNS.index(name)] = value
    return "\n".join([HEADER, ";".join(values), *REST]).encode()


@pytest.mark.parametrize("ean", ["6,14141E+11", "6.14141E+11", "6,14141E+12"])
def test_a_gtin_in_excel_scientific_notation_is_refused_naming_row_and_column(config: LoadedConfig,
                                                                             ean: str) -> None:
    partner = config.partners["shopmarket"]
    result = parse(_with({"EAN": ean}), csv=partner.csv)
    with pytest.raises(TranslationError) as info:
        translate(result.transactions[0], partner, config.profiles)
    text = str(info.value)
    assert "row 2" in text and "column EAN" in text and "scientific notation" in text


def test_a_gtin_that_lost_its_leading_zero_is_kept_as_digits(config: LoadedConfig) -> None:
    partner = config.partners["shopmarket"]
    result = parse(_with({"EAN": "614141000012"}), csv=partner.csv)
    doc = translate(result.transactions[0], partner, config.profiles)[0]
    assert doc.lines[0].item_ids["ean"] == "614141000012"                # type: ignore[attr-defined]
