"""CSV in a partner's dialect: grouping rows into documents, located row/column errors, writing back."""

from __future__ import annotations

from decimal import Decimal

from gateway.config.models import CsvSettings
from gateway.formats import csv as csv_format
from gateway.formats import parse
from gateway.formats.base import Severity, Syntax

ORDERS = (
    "order_no;sku;qty;price;name\r\n"
    "SO-1;WB-100;2;12,50;\"Müller; Hans\"\r\n"
    "SO-1;WR-200;1;1.008,75;\"Müller; Hans\"\r\n"
    "SO-2;GL-300;3;42,00;\"O'Brien \"\"Bob\"\"\"\r\n"
    "\r\n"
    "SO-1;CB-400;1;30;\"Müller; Hans\"\r\n"
).encode("cp1252")
DIALECT = CsvSettings(delimiter=";", encoding="cp1252", decimal=",", group_by="order_no")


def test_rows_are_grouped_into_one_document_per_order_number() -> None:
    r = csv_format.parse(ORDERS, DIALECT)
    assert r.issues == []
    assert [(t.control_number, t.row_numbers) for t in r.transactions] == [("SO-1", [2, 3, 6]), ("SO-2", [4])]
    first = r.transactions[0].rows[0]
    assert first["sku"] == "WB-100" and first["2"] == "WB-100"           # by name and by position
    assert first["name"] == "Müller; Hans"
    assert first["price"] == "12.50"                                      # decimal comma read as a number
    assert r.transactions[0].rows[1]["price"] == "1008.75"                # thousands dots dropped
    assert r.transactions[1].rows[0]["name"] == 'O\'Brien "Bob"'
    assert all(t.syntax is Syntax.CSV and t.doc_type == "csv" for t in r.transactions)


def test_without_header_columns_are_positions_and_one_document_per_file() -> None:
    data = b'102561333,10,48.000,"1011422"\r\n102561334,10,432.000,"1011422"\r\n'
    r = csv_format.parse(data, CsvSettings(header=False))
    [tx] = r.transactions
    assert [row["4"] for row in tx.rows] == ["1011422", "1011422"] and tx.row_numbers == [1, 2]
    grouped = csv_format.parse(data, CsvSettings(header=False, group_by="1"))
    assert [t.control_number for t in grouped.transactions] == ["102561333", "102561334"]


def test_row_errors_name_row_and_column() -> None:
    data = b"order_no,sku,qty\nSO-1,WB-100,2\n,WR-200,1\nSO-2,GL-300,3,EXTRA\nSO-3,CB-400\n"
    r = csv_format.parse(data, CsvSettings(group_by="order_no"))
    found = [(i.severity, i.row, i.column) for i in r.issues]
    assert found == [(Severity.ERROR, 3, "order_no"), (Severity.ERROR, 4, "4"), (Severity.WARNING, 5, "qty")]
    assert str(r.issues[0]).startswith("row 3, column order_no: row 3 has no value in column 'order_no'")
    # row 3 may be SO-1's second line: an order posted without it would be worse than the file held back
    assert "no document of this file is taken" in str(r.issues[0])
    assert [(t.control_number, t.accepted) for t in r.transactions] == [("SO-1", False), ("SO-2", False),
                                                                          ("SO-3", False)]
    r = csv_format.parse(b"order_no,sku,qty\nSO-1,WB-100,2\nSO-3,CB-400,1\n", CsvSettings(group_by="order_no"))
    assert [(t.control_number, t.accepted) for t in r.transactions] == [("SO-1", True), ("SO-3", True)]


def test_missing_group_column_and_bad_bytes_and_bad_quotes() -> None:
    r = csv_format.parse(b"a,b\n1,2\n", CsvSettings(group_by="order_no"))
    assert r.errors[0].column == "order_no" and "no column 'order_no'" in r.errors[0].message
    r = csv_format.parse(b"a,b\n1,K\xf6ln\n", CsvSettings())
    assert [(i.row, i.column) for i in r.errors if i.row] == [(2, "b")]
    assert r.transactions[0].accepted is False
    r = csv_format.parse(b'a,b\n1,"x"y\n2,3\n', CsvSettings())
    assert [(i.row, i.code) for i in r.errors] == [(2, "syntax")]
    assert [t.rows[0]["a"] for t in r.transactions] == ["2"]


def test_empty_and_unknown_encoding_never_raise() -> None:
    assert csv_format.parse(b"", CsvSettings()).fatal
    assert csv_format.parse(b"a,b\n", CsvSettings()).errors[0].code == "empty"
    assert csv_format.parse(b"a,b\n1,2\n", CsvSettings(encoding="no-such-codec")).errors[0].code == "encoding"


def test_utf8_bom_is_not_part_of_the_first_header() -> None:
    r = csv_format.parse("\ufeffSKU,Quantity\nA,1\n".encode(), CsvSettings())
    assert r.transactions[0].rows[0]["SKU"] == "A"


def test_writer_in_partner_dialect_reads_back() -> None:
    # numbers are Decimals (the engine hands them so); text that looks like a number is written as sent
    rows = [{"order_no": "SO-1", "tracking": "1Z;99", "weight": Decimal("12.5")},
            {"order_no": "SO-2", "weight": Decimal(3)}]
    data = csv_format.write(rows, DIALECT)
    assert data.decode("cp1252").splitlines() == ["order_no;tracking;weight", 'SO-1;"1Z;99";12,5', "SO-2;;3"]
    back = csv_format.parse(data, DIALECT)
    assert [t.rows[0]["weight"] for t in back.transactions] == ["12.5", "3"]
    assert csv_format.write(rows, CsvSettings(header=False), columns=["weight"]) == b"12.5\r\n3\r\n"


def test_formats_parse_reads_csv_only_for_a_csv_partner() -> None:
    r = parse(b"a,b\n1,2\n", csv=CsvSettings())
    assert r.syntax is Syntax.CSV and r.transactions[0].rows[0]["b"] == "2"


def test_quoting_all_and_none() -> None:
    rows = [{"a": "1", "b": "x,y"}]
    assert csv_format.write(rows, CsvSettings(quoting="all")) == b'"a","b"\r\n"1","x,y"\r\n'
    assert csv_format.write(rows, CsvSettings(quoting="none", delimiter=";")) == b"a;b\r\n1;x,y\r\n"
    r = csv_format.parse(b'a;b\n"1";x"y\n', CsvSettings(quoting="none", delimiter=";"))
    assert r.transactions[0].rows[0] == {"1": '"1"', "2": 'x"y', "a": '"1"', "b": 'x"y'}


GERMAN = CsvSettings(delimiter=";", decimal=",", group_by="order_no")


def test_german_thousands_are_read_as_thousands() -> None:
    # Given a decimal-comma partner sending German thousands, with and without decimals
    data = b"order_no;qty;price\nSO-1;1.000;1.234,50\nSO-1;-2.500.000;12,50\n"
    # When it is read
    r = csv_format.parse(data, GERMAN)
    # Then "1.000" is a thousand (not 1) and "1.234,50" is 1234.50 (not 1.234), with no finding
    assert r.issues == []
    rows = r.transactions[0].rows
    assert (rows[0]["qty"], rows[0]["price"]) == ("1000", "1234.50")
    assert (rows[1]["qty"], rows[1]["price"]) == ("-2500000", "12.50")     # plain 12,50 as before


def test_decimal_point_in_a_decimal_comma_file_is_kept_as_text_and_warned() -> None:
    # Given values that only read as numbers with a decimal point, in a decimal-comma dialect
    data = b"order_no;qty;price;delivery\nSO-1;1.5;1,234.50;29.11.2026\nSO-1;1.0000;7;x\n"
    r = csv_format.parse(data, GERMAN)
    # Then they are left as text, not converted
    rows = r.transactions[0].rows
    assert (rows[0]["qty"], rows[0]["price"], rows[1]["qty"]) == ("1.5", "1,234.50", "1.0000")
    assert rows[0]["delivery"] == "29.11.2026"                   # a date is not a number: no finding
    # And each is a WARNING naming row and column; the document is still accepted
    found = [(i.severity, i.row, i.column, i.code) for i in r.issues]
    assert found == [(Severity.WARNING, 2, "qty", "decimal"), (Severity.WARNING, 2, "price", "decimal"),
                     (Severity.WARNING, 3, "qty", "decimal")]
    assert r.issues[0].message.startswith("1.5 uses '.' but this partner's decimal mark is ','")
    assert str(r.issues[0]).startswith("transaction 1, row 2, column qty: 1.5 uses '.'")
    assert r.transactions[0].accepted is True


def test_number_columns_keep_dotted_codes_in_the_other_columns_as_written() -> None:
    # Given a decimal-comma partner whose item codes look like German thousands ("10.100.200", "1.000")
    data = b"order_no;sku;qty;price;ean\nSO-1;10.100.200;1.000;12,50;1.5\n"
    # When every column may hold numbers (the default), the codes are mangled: that is what the setting is for
    default = csv_format.parse(data, GERMAN).transactions[0].rows[0]
    assert default["sku"] == "10100200"
    # And with number_columns (by name or 1-based position) only those are read as numbers, warned only there
    settings = GERMAN.model_copy(update={"number_columns": ["qty", "4"]})
    r = csv_format.parse(data, settings)
    row = r.transactions[0].rows[0]
    assert (row["sku"], row["qty"], row["price"], row["ean"]) == ("10.100.200", "1000", "12.50", "1.5")
    assert r.issues == []                        # "1.5" in a code column is not an ambiguous number


def test_decimal_point_partner_is_not_affected() -> None:
    # Given a partner whose decimal mark is '.', the same cells are plain data with no finding
    data = b"order_no,qty,price\nSO-1,1.5,1.000\n"
    r = csv_format.parse(data, CsvSettings(group_by="order_no"))
    assert r.issues == []
    assert (r.transactions[0].rows[0]["qty"], r.transactions[0].rows[0]["price"]) == ("1.5", "1.000")


def test_without_header_the_warning_names_the_column_position() -> None:
    r = csv_format.parse(b"SO-1;2.75\n", CsvSettings(delimiter=";", decimal=",", header=False))
    assert [(i.row, i.column) for i in r.issues] == [(1, "2")]


def test_a_binary_file_where_csv_is_expected_says_what_it_is() -> None:
    """A PDF or an Excel workbook sent instead of the CSV export: the reason says which and what to do, instead
    of a header row of binary garbage. Excel's UTF-16 'Unicode text' starts with its byte-order mark: it is read
    (tests/formats/test_csv_encodings.py)."""
    found = {}
    for name, data in (("xlsx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256))),
                       ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00"),
                       ("other", b"\x13\x37garbage\x00\x01")):
        result = csv_format.parse(data, DIALECT)
        assert result.transactions == [] and len(result.errors) == 1, name
        found[name] = result.errors[0].message
    assert found["xlsx"] == "this is a zip file (or an Excel .xlsx), not CSV text; ask the partner for the CSV export"
    assert found["pdf"] == "this is a PDF, not CSV text; ask the partner for the CSV export"
    assert found["other"] == ("this is a binary file, not CSV text (it holds NUL bytes); ask the partner for "
                              "the CSV export")
    utf16 = csv_format.parse("order_no;sku\r\n1;A\r\n".encode("utf-16"),
                             CsvSettings(delimiter=";", encoding="utf-16", group_by="order_no"))
    [[row]] = [tx.rows for tx in utf16.transactions]              # with its encoding set, it reads
    assert (row["order_no"], row["sku"]) == ("1", "A")
