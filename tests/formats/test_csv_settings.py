"""A partner's `csv:` settings as coordinators write them, through `edi-gateway translate` and `lint`."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main
from tests.formats.test_csv_encodings import HEADER, ROW, shop_workspace, translated


@pytest.mark.parametrize("written", ["'\\t'", "tab"])
def test_a_tab_delimiter_written_the_yaml_way_that_keeps_the_backslash_is_the_tab(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str) -> None:
    """`delimiter: '\\t'` (single quotes keep the backslash) passed lint, and reading any of the partner's files
    then raised TypeError ('"delimiter" must be a 1-character string') instead of reading it."""
    config = shop_workspace(tmp_path, delimiter=written)
    code, doc, err = translated(capsys, config, f"{HEADER}\r\n{ROW}\r\n".replace(";", "\t").encode())
    assert code == 0, err
    assert isinstance(doc, dict) and doc["number"] == "SM-2026-9001"


def test_a_delimiter_of_two_characters_is_a_lint_error_at_its_line(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    config = shop_workspace(tmp_path, delimiter='";;"')
    code = main(["lint", "--config", str(config)])
    out, err = capsys.readouterr()
    assert code != 0
    assert "partners/shopmarket.yaml:" in out + err and "a delimiter is one character, ';;' has 2" in out + err


def test_a_quote_character_of_two_characters_is_a_lint_error(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = shop_workspace(tmp_path, quotechar="\"''\"")
    code = main(["lint", "--config", str(config)])
    out, err = capsys.readouterr()
    assert code != 0 and "a quote character is one character (or \"\" for none), \"''\" has 2" in out + err
