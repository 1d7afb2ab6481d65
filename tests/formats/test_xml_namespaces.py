"""A partner's in-house XML read by its own profile through `edi-gateway translate --profile`: namespaces are
matched by URI whatever the prefixes, and a document in none of the profile's namespaces is said to be so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.test_csv_encodings import cli_translate, shop_workspace
from tests.translate.test_csv_xml import XML_DATA, XML_PROFILE


def _translated(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                data: bytes) -> tuple[int, dict | list | None, str]:  # type: ignore[type-arg]
    config = shop_workspace(tmp_path)
    (config.parent / "translations" / "inhouse-order.yaml").write_text(XML_PROFILE, encoding="utf-8")
    return cli_translate(capsys, tmp_path / "order.xml", data, "--config", str(config), "--profile", "inhouse-order")


@pytest.mark.parametrize("variant", ["as the profile", "other prefixes", "default namespace"])
def test_namespaces_are_matched_by_uri_not_prefix(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 variant: str) -> None:
    text = XML_DATA.decode()
    if variant == "other prefixes":
        text = text.replace("ord:", "o:").replace("xmlns:ord=", "xmlns:o=").replace("c:", "x:").replace(
            "xmlns:c=", "xmlns:x=")
    elif variant == "default namespace":
        text = text.replace("ord:", "").replace("xmlns:ord=", "xmlns=")
    code, doc, err = _translated(tmp_path, capsys, text.encode())
    assert code == 0, err
    assert isinstance(doc, dict) and doc["number"] == "X-77" and len(doc["lines"]) == 2


@pytest.mark.parametrize(("variant", "sent"), [
    ("no namespace", "none"),
    ("a new version", "urn:example:common:2, urn:example:order:2"),
])
def test_a_document_in_none_of_the_profiles_namespaces_is_said_to_be(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], variant: str, sent: str) -> None:
    """The reason was the first required field, far from the cause: 'XPath ./c:ID (line 2): number is required'."""
    text = XML_DATA.decode()
    if variant == "no namespace":
        text = text.replace("ord:", "").replace("c:", "").replace(
            ' xmlns:ord="urn:example:order" xmlns:c="urn:example:common"', "")
    else:
        text = text.replace("urn:example:order", "urn:example:order:2").replace("urn:example:common",
                                                                                 "urn:example:common:2")
    code, _, err = _translated(tmp_path, capsys, text.encode())
    assert code != 0
    assert f"the document's namespaces ({sent}) are none of those the profile's XPaths name (c: " \
           "urn:example:common, ord: urn:example:order)" in err, err
