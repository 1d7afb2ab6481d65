"""Hostile XML is refused with a clear reason, before it can hurt: XXE, billion laughs, oversize, external DTDs."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from gateway.config.models import XmlSettings
from gateway.formats import parse
from gateway.formats import xml as xml_format
from gateway.formats.base import ParseResult

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""


def xxe(target: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE order [ <!ENTITY xxe SYSTEM "{target}"> ]>\n'
            f'<order><note>&xxe;</note></order>').encode()


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        body = b'<!ENTITY leak "leaked">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web() -> Iterator[str]:
    """A real HTTP server on loopback, to prove the parser never calls out."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def assert_never_fetched(web: str) -> None:
    """No hit so far, and a probe shows the recorder does see a real fetch (an empty list proves something)."""
    assert _Recorder.hits == []
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))     # straight to loopback
    with direct.open(f"{web}/probe", timeout=10) as response:
        response.read()
    assert _Recorder.hits == ["/probe"]


def refused(result: ParseResult) -> str:
    errors = result.errors
    assert result.fatal and result.transactions == [] and len(errors) == 1
    return str(errors[0])


def test_billion_laughs_is_refused_with_a_reason() -> None:
    reason = refused(parse(BILLION_LAUGHS))
    assert "declares entities" in reason and "billion-laughs" in reason


def test_xxe_file_read_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    result = parse(xxe(secret.as_uri()))
    reason = refused(result)
    assert "XXE" in reason and "TOP-SECRET" not in repr(result)


def test_xxe_over_the_network_is_refused_and_never_fetched(web: str) -> None:
    refused(parse(xxe(f"{web}/steal")))
    parameter_entity = (f'<?xml version="1.0"?><!DOCTYPE r [ <!ENTITY % ext SYSTEM "{web}/dtd"> %ext; ]>'
                        '<r>&leak;</r>').encode()
    refused(parse(parameter_entity))
    assert_never_fetched(web)


def test_external_dtd_is_named_but_never_loaded(web: str) -> None:
    data = f'<?xml version="1.0"?><!DOCTYPE cXML SYSTEM "{web}/cXML.dtd"><cXML payloadID="1"/>'.encode()
    result = parse(data)
    assert result.errors == [] and result.transactions[0].doc_type == "cXML"
    assert_never_fetched(web)


def test_entities_hidden_after_a_long_prolog_or_in_utf16_are_still_refused() -> None:
    padded = b'<?xml version="1.0"?>' + b"<!-- " + b"x" * 2_000_000 + b" -->" + BILLION_LAUGHS.split(b"?>", 1)[1]
    assert "declares entities" in refused(parse(padded))
    utf16 = BILLION_LAUGHS.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    assert "declares entities" in refused(parse(utf16.encode("utf-16")))


def test_oversized_document_is_refused_before_parsing() -> None:
    big = b"<a>" + b"<b>x</b>" * 200_000 + b"</a>"
    reason = refused(parse(big, xml=XmlSettings(max_bytes=1_000_000)))
    assert "over the 1,000,000-byte limit" in reason


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    deep = b"<a>" * 100_000 + b"</a>" * 100_000
    result = xml_format.parse(deep)
    assert result.fatal and result.errors[0].code == "syntax"


def test_writer_refuses_entity_doctype() -> None:
    with pytest.raises(ValueError):
        xml_format.serialize(xml_format.element("a"), doctype='<!DOCTYPE a [<!ENTITY x "y">]>')
