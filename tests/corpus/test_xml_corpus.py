"""Every XML file of ../shared/corpus: read safely, named as its SOURCES.md entry says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.formats import detect, parse
from gateway.formats.base import Syntax
from tests.helpers.corpus import corpus_files, needs_corpus

FILES = corpus_files("xml", "*.xml")

pytestmark = needs_corpus


def expected(name: str) -> tuple[str, str]:
    """(doc_type, version prefix) from the file name: ubl-2.1_Order_..., cxml_OrderRequest_..., partner-xml_..."""
    m = re.match(r"ubl-(2\.[01])_([A-Za-z]+)_", name)
    if m:
        return m.group(2), f"UBL-{m.group(1)}"
    m = re.match(r"cxml_([A-Za-z]+)_", name)
    if m:
        return m.group(1), "cXML-1.2"
    return "", ""


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_xml_reads_and_is_named(path: Path) -> None:
    data = path.read_bytes()
    assert detect(data) is Syntax.XML
    result = parse(data)
    assert result.errors == [], [str(i) for i in result.errors]
    [tx] = result.transactions
    doc_type, version = expected(path.name)
    if doc_type:
        assert tx.doc_type == doc_type
        assert tx.version.startswith(version)
        env = result.interchanges[0]
        if doc_type != "RequestForQuotation" and "simplerinvoicing" not in path.name:
            assert env.sender_id, "no sender id found"
        assert tx.control_number or "minimal" in path.name
    else:
        assert tx.doc_type == tx.tree.tag          # in-house XML: its root element names it
