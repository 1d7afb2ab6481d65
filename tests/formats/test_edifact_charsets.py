"""The character set a UNB declares (S001 0001) against the bytes a partner really sends, through `edi-gateway
translate` on files written here: what the coordinator sees of a UNOC file written by a Windows system
(Windows-1252), of a UNOD..UNOK file that is really UTF-8, and of a UNOW/UNOY file that is not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.formats import edifact


def order(syntax: str, name: str, encoding: str) -> bytes:
    """A D96A ORDERS declaring `syntax` whose buyer is called `name`, written in `encoding`."""
    body = ["BGM+220+PO-CS+9", "DTM+137:20261129:102", f"NAD+BY+4012345000009::9++{name}",
            "LIN+1++0614141000012:EN", "QTY+21:10", "UNS+S"]
    segs = [f"UNB+{syntax}:3+4012345000009:14+0614141000005:14+261129:0915+501", "UNH+1+ORDERS:D:96A:UN:EAN008",
            *body, f"UNT+{len(body) + 2}+1", "UNZ+1+501"]
    return "".join(s + "'\r\n" for s in segs).encode(encoding)


def translate(tmp: Path, data: bytes) -> tuple[str, str]:
    """(the buyer's name, stderr) as `edi-gateway translate --json` gives them."""
    path = tmp / "orders.edi"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-m", "gateway", "translate", str(path), "--json"], cwd=tmp,
                          capture_output=True, text=True, check=True)
    [buyer] = [p for p in json.loads(done.stdout)["parties"] if p["role"] == "buyer"]
    return buyer["name"], done.stderr


@pytest.mark.parametrize("syntax", ["UNOC", "UNOA", "UNOL"])
def test_windows_1252_text_declared_latin_is_read_as_windows_1252_and_said(tmp_path: Path, syntax: str) -> None:
    # Given a file from a Windows system: its en dash, quotes and euro sign are bytes 0x80-0x9F, controls in ISO 8859
    name = "M\xfcller \u2013 \u201eB\xe4cker\u201c 5\u20ac"
    data = order(syntax, name, "cp1252")
    # Then the name reads as written, and the coordinator is told why
    seen, stderr = translate(tmp_path, data)
    assert seen == name
    assert f"declared {syntax} but byte 0x96 is a control character there and '\u2013' in Windows-1252" in stderr
    # and the interchange is written back byte for byte
    assert edifact.write_result(edifact.parse(data)) == data


def test_latin_1_text_without_windows_characters_stays_latin_1(tmp_path: Path) -> None:
    seen, stderr = translate(tmp_path, order("UNOC", "Lager K\xf6ln \xa7 3", "latin-1"))
    assert seen == "Lager K\xf6ln \xa7 3" and "validation" not in stderr


@pytest.mark.parametrize(("syntax", "name"), [("UNOD", "\u0141\xf3d\u017a Sp. z o.o."), ("UNOE", "\u041e\u041e\u041e \u0420\u043e\u043c\u0430\u0448\u043a\u0430"),
                                              ("UNOK", "\u0130stanbul \u015ei\u015fli"), ("UNOF", "\u0391\u03b8\u03ae\u03bd\u03b1")])
def test_utf_8_text_declared_another_iso_8859_part_is_read_as_utf_8(tmp_path: Path, syntax: str, name: str) -> None:
    # Given a Polish, Russian, Turkish or Greek partner whose system declares its ISO 8859 part but writes UTF-8
    seen, _ = translate(tmp_path, order(syntax, name, "utf-8"))
    # Then the name is read as written, not as 'Ĺ\x81Ăłdĺş'
    assert seen == name
    # and text really in that part is read in it
    seen, stderr = translate(tmp_path, order(syntax, name, edifact.CHARSETS[syntax]))
    assert seen == name and "validation" not in stderr


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_unow_text_that_is_not_utf_8_is_read_as_windows_1252_and_said(tmp_path: Path, encoding: str) -> None:
    # Given a partner declaring UTF-8 (UNOW) whose system writes its Windows code page
    name = "M\xfcller \u2013 K\xf6ln" if encoding == "cp1252" else "M\xfcller K\xf6ln"
    data = order("UNOW", name, encoding)
    # Then the name reads as written, not 'M\ufffdller', and the coordinator is told why
    seen, stderr = translate(tmp_path, data)
    assert seen == name
    assert "declared UNOW but the text is not valid UTF-8 (byte 0xfc" in stderr and "read as Windows-1252" in stderr
    assert edifact.write_result(edifact.parse(data)) == data


def test_a_utf_8_file_with_one_stray_byte_keeps_its_utf_8(tmp_path: Path) -> None:
    data = order("UNOW", "M\xfcller", "utf-8").replace(b"PO-CS", b"PO-\xfc")
    seen, stderr = translate(tmp_path, data)
    assert seen == "M\xfcller" and "undecodable bytes replaced" in stderr


@pytest.mark.parametrize(("syntax", "name"), [("UNOD", "PHU G\xd3\u0141KOWSKI"), ("UNOE", "Sklad \u0427\u0418\u0422\u0410")])
def test_iso_8859_text_that_happens_to_be_valid_utf_8_stays_in_its_part(tmp_path: Path, syntax: str, name: str) -> None:
    # Given a Polish or Russian partner's file really in its part, whose few letters pair up as UTF-8 would
    # ('\xd3\xa3' is Ó Ł in ISO 8859-2, U+04E3 in UTF-8; '\xc7\xb8\xc2\xb0' is ЧИТА in ISO 8859-5, 'Ǹ°' in UTF-8)
    data = order(syntax, name, edifact.CHARSETS[syntax])
    data.decode("utf-8")
    # Then the name is read in the part it declares, not as letters of another script
    seen, stderr = translate(tmp_path, data)
    assert seen == name and "read as UTF-8" not in stderr


def test_utf_8_declared_unoe_with_guillemets_and_a_dash_is_read_as_utf_8(tmp_path: Path) -> None:
    # ISO 8859-5 has no « » or en dash: a Russian system writing UTF-8 puts them in company names all the same
    name = "\u041e\u041e\u041e \xab\u0420\u043e\u043c\u0430\u0448\u043a\u0430\xbb \u2013 \u2116 5"
    seen, _ = translate(tmp_path, order("UNOE", name, "utf-8"))
    assert seen == name


def test_utf_8_declared_unoe_with_a_letter_iso_8859_5_lacks_is_read_as_utf_8(tmp_path: Path) -> None:
    # ISO 8859-5 has no Ukrainian Ґ: a Ukrainian system declaring UNOE and writing UTF-8 has it in names all the same
    name = "\u0422\u041e\u0412 \xab\u0490\u0430\u043b\u0438\u0446\u044c\u043a\u0430 \u0491\u0443\u0440\u0430\u043b\u044c\u043d\u044f\xbb"
    seen, _ = translate(tmp_path, order("UNOE", name, "utf-8"))
    assert seen == name


@pytest.mark.parametrize(("syntax", "page", "name"), [
    ("UNOD", "cp1250", "\u015al\u0105sk Sp. z o.o. \u2013 \u0141\xf3d\u017a, \u017d\u010f\xe1r \u0160\u0165astn\xfd"),
    ("UNOK", "cp1254", "\u015ei\u015fli \u2013 \u0130stanbul \u2018Ofis\u2019")])
def test_a_central_european_or_turkish_windows_file_is_read_in_its_code_page_and_said(
        tmp_path: Path, syntax: str, page: str, name: str) -> None:
    # Given a Polish/Czech partner declaring UNOD (ISO 8859-2) whose Windows system writes Windows-1250, where
    # ś Ś ź š ž ť and the dash are bytes 0x80-0x9F, controls in ISO 8859-2, and a Turkish one declaring UNOK
    data = order(syntax, name, page)
    # Then the name reads as written, not '\x8cl\u0161sk ... \x96', and the coordinator is told why
    seen, stderr = translate(tmp_path, data)
    assert seen == name
    assert f"declared {syntax} but byte 0x" in stderr and f"text read as Windows-{page[2:]}" in stderr
    assert edifact.write_result(edifact.parse(data)) == data
