"""HTTP request headers folded over several lines (obs-fold), as some older AS2 products send long ones.

RFC 9112 5.2 lets a server replace each obs-fold (CRLF then spaces or tabs) with SP before it interprets the
field. aiohttp's parsers refuse them with 400 (its C parser always; its Python one unless lax, which loosens other
checks too), so the AS2 server's connections parse requests with aiohttp's Python parser given headers unfolded
first; everything else it checks is unchanged. A fold before the first field, or a value grown past the field
size limit, is still refused. So is a fold that a front end which does not unfold (RFC 9112 lets it refuse, and
some read a continuation line as a field of its own) would frame otherwise: one inside Content-Length,
Transfer-Encoding or Host, or a continuation line that reads as one of those fields (request smuggling).
"""

from __future__ import annotations

import inspect
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong
from aiohttp.http_parser import HeadersParser, HttpRequestParserPy
from aiohttp.web_protocol import MAX_MSG_QUEUE_SIZE, RequestHandler, RequestPayloadError

_WSP = (b" ", b"\t")
_FRAMING = frozenset({b"content-length", b"transfer-encoding", b"host"})     # never folded by a real sender


def unfold(lines: list[bytes], limit: int) -> list[bytes]:
    """Header lines with each continuation line joined to the field above it by one SP."""
    out: list[bytes] = []
    for line in lines:
        if line[:1] in _WSP and out and out[-1]:
            if {_name(out[-1]), _name(line)} & _FRAMING:
                raise BadHttpMessage("Folded Content-Length, Transfer-Encoding or Host header")
            joined = out[-1].rstrip(b" \t") + b" " + line.strip(b" \t")
            if len(joined) > limit:
                raise LineTooLong(joined[:100] + b"...", limit)
            out[-1] = joined
        else:
            out.append(line)
    return out


def _name(line: bytes) -> bytes:
    """The field name a header line (or a continuation line, read as a field) begins with, lowercased; b"" for a
    line without a colon (the rest of a Subject)."""
    name, colon, _ = line.partition(b":")
    return name.strip(b" \t").lower() if colon else b""


class _UnfoldingHeaders(HeadersParser):
    def parse_headers(self, lines: list[bytes]) -> Any:
        return super().parse_headers(unfold(lines, self.max_field_size))


class _UnfoldingRequestParser(HttpRequestParserPy):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headers_parser = _UnfoldingHeaders(self.max_line_size, self.max_headers, self.max_field_size, False)


# RequestHandler's defaults for the settings its parser is made with (the AS2 server passes none of them)
_DEFAULTS = {name: p.default for name, p in inspect.signature(RequestHandler.__init__).parameters.items()
             if p.default is not inspect.Parameter.empty}


def unfolding_handler(server: web.Server) -> RequestHandler:
    """aiohttp's protocol for one accepted connection, its request parser one that accepts obs-fold."""
    handler = server()
    settings = {**_DEFAULTS, **getattr(server, "_kwargs", {})}
    handler._parser = _UnfoldingRequestParser(
        handler, handler._loop, settings["read_bufsize"], max_line_size=settings["max_line_size"],
        max_field_size=settings["max_field_size"], max_headers=settings["max_headers"],
        payload_exception=RequestPayloadError, auto_decompress=settings["auto_decompress"],
        max_msg_queue_size=MAX_MSG_QUEUE_SIZE)
    return handler
