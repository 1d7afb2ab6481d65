"""Files the gateway cannot read say why in words a coordinator can pass on, not as raw bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.errors import FormatError
from gateway.formats import parse

SAMPLE = (Path(__file__).resolve().parents[2] / "gateway" / "examples" / "samples" / "bigbox"
          / "850_4500001234.edi").read_text()
ORDERS = "UNA:+.? 'UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0850+7'UNZ+0+7'"


@pytest.mark.parametrize(("data", "what", "wide"), [
    (SAMPLE.encode("utf-16"), "X12", "UTF-16"),                  # Windows Notepad's "Unicode": with a BOM
    (SAMPLE.encode("utf-16-le"), "X12", "UTF-16"),               # no BOM
    (SAMPLE.encode("utf-16-be"), "X12", "UTF-16"),
    (SAMPLE.encode("utf-32"), "X12", "UTF-32"),
    (ORDERS.encode("utf-16"), "EDIFACT", "UTF-16"),
])
def test_edi_saved_two_bytes_a_character_is_named_as_such(data: bytes, what: str, wide: str) -> None:
    with pytest.raises(FormatError, match=f"the file is {what} saved as {wide} text .*{what} is sent as ASCII or "
                                          "UTF-8.*ask the partner to send it so"):
        parse(data)


def test_an_empty_or_blank_file_says_so() -> None:
    with pytest.raises(FormatError, match=r"the file is empty \(0 bytes\)"):
        parse(b"")
    with pytest.raises(FormatError, match=r"the file holds only blank space \(5 bytes\)"):
        parse(b" \r\n\t ")


def test_an_xml_syntax_error_gives_its_place_once() -> None:
    result = parse(b'<?xml version="1.0"?>\n<Order xmlns="urn:x">\n<cbc:ID>1</cbc:ID>\n</Order>')
    [error] = result.errors
    assert str(error) == ("interchange 1: not well-formed XML: Namespace prefix cbc on ID is not defined, "
                          "line 3, column 8")
