"""Structured logging: every line says which partner, message and control number it is about.

Context travels in a ContextVar, so a pipeline step sets it once (``with log_context(partner=...,
message_id=..., control_number=...)``) and every log call below it, in any module and across
``await``, carries it. ``bind(logger, partner=...)`` gives a LoggerAdapter for code that prefers
explicit context. Under systemd (``JOURNAL_STREAM`` names our stderr) or with ``log_format: json``
each record is one JSON object per line, which journald stores and ``journalctl -o cat`` shows
as is; otherwise lines are readable text::

    2026-11-29 09:12:01 INFO  gateway.pipeline [partner=acme msg=01J… ctrl=000123] posted sale.order 42

Secrets never reach a handler: `MaskSecrets` rewrites passwords, API keys, tokens and
Authorization headers in the message, its arguments and the traceback, and masks every value
registered with `register_secret()` (the loader registers the Odoo password and key passphrases).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Iterator, Mapping, MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Literal

MASK = "***"

# The fields every record may carry; short names are what text lines show.
CONTEXT_FIELDS: dict[str, str] = {
    "partner": "partner",
    "message_id": "msg",
    "control_number": "ctrl",
    "group_number": "grp",
    "doc_type": "type",
    "channel": "channel",
    "filename": "file",
}

_context: ContextVar[Mapping[str, Any]] = ContextVar("edi_log_context", default=MappingProxyType({}))


# --------------------------------------------------------------------------- context

@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add fields (partner, message_id, control_number, ...) to every record logged inside the block."""
    merged = {**_context.get(), **{k: v for k, v in fields.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


def add_context(**fields: Any) -> None:
    """Inside a `log_context` block: add fields learned on the way (the partner once the envelope is read,
    the control number once parsed). They last until the enclosing block ends, like its own fields."""
    _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})


def current_context() -> dict[str, Any]:
    """The fields the next record logged here would carry."""
    return dict(_context.get())


class ContextAdapter(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A logger with fixed context fields; the ambient `log_context` still applies on top."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        extra = dict(kwargs.get("extra") or {})
        bound = dict(self.extra or {})
        bound.update(extra.pop("edi", {}) or {})
        extra["edi"] = bound
        kwargs["extra"] = extra
        return msg, kwargs


def bind(logger: logging.Logger | str, **fields: Any) -> ContextAdapter:
    """A LoggerAdapter that adds `fields` to each record it logs."""
    if isinstance(logger, str):
        logger = logging.getLogger(logger)
    return ContextAdapter(logger, {k: v for k, v in fields.items() if v is not None})


def record_context(record: logging.LogRecord) -> dict[str, Any]:
    """The context of a record: ambient fields, overridden by fields bound on its adapter."""
    fields = dict(getattr(record, "edi_ctx", None) or _context.get())
    fields.update(getattr(record, "edi", None) or {})
    return fields


class ContextFilter(logging.Filter):
    """Freezes the ambient context onto the record, so a QueueHandler thread still sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "edi_ctx"):
            record.edi_ctx = dict(_context.get())
        return True


# --------------------------------------------------------------------------- secrets

_SECRET_KEYS = r"(?:password|passwd|pwd|passphrase|secret|api[_-]?key|apikey|access[_-]?token|" \
               r"refresh[_-]?token|token|private[_-]?key|client[_-]?secret)"
_SECRET_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization: Basic abc / Bearer xyz (HTTP headers, repr of header dicts)
    (re.compile(r"(?i)(\b(?:proxy-)?authorization['\"]?\s*[:=]\s*['\"]?(?:(?:basic|bearer|digest|token)\s+)?)"
                r"[^\s'\",;}]+"), r"\1" + MASK),
    # "password": "x"  /  'api_key': 'x'  (JSON, Python reprs)
    (re.compile(r"(?i)(['\"][\w-]*" + _SECRET_KEYS + r"['\"]\s*:\s*)(['\"])(?:\\.|(?!\2).)*\2"), r"\1\2" + MASK + r"\2"),
    # password=x  api_key: x  (query strings, key=value text, YAML)
    (re.compile(r"(?i)(\b[\w-]*" + _SECRET_KEYS + r"\s*[=:]\s*)(?!['\"]?\*\*\*)[^\s&,;'\"}]+"), r"\1" + MASK),
    # scheme://user:password@host
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^\s/]*(@)"), r"\1" + MASK + r"\2"),
    # PEM private keys
    (re.compile(r"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.*?-----END \1PRIVATE KEY-----", re.DOTALL),
     "-----BEGIN PRIVATE KEY-----" + MASK + "-----END PRIVATE KEY-----"),
]

_registered: set[str] = set()
_registered_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Never log this exact value (a password read from a file, a key passphrase)."""
    if value and len(value) >= 4:   # shorter values would mask ordinary words
        with _registered_lock:
            _registered.add(value)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """`text` with control characters escaped (`\\x1b`, `\\n`): file names and errors quote what partners
    sent, and raw they would forge log lines or act on the operator's terminal (ESC, BEL, CR, bidi)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))


def redact_url(url: str) -> str:
    """`url` with any `user:password@` part replaced by `***@`, for messages that name where we connect.

    Error texts end up in the journal (`last_error`), `show`, the status page and /healthz, none of
    which pass through the log filter."""
    head, sep, rest = url.partition("://")
    if not sep:
        return url
    end = next((i for i, c in enumerate(rest) if c in "/?#"), len(rest))
    authority = rest[:end]
    if "@" not in authority:
        return url
    return f"{head}://{MASK}@{authority.rpartition('@')[2]}{rest[end:]}"


def mask(text: str) -> str:
    """`text` with every recognisable or registered secret replaced by ***."""
    for value in sorted(_registered, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class MaskSecrets(logging.Filter):
    """Renders the record's message with secrets masked, before any formatter or handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not take the process down, nor leak args
            message = f"{record.msg!r} (unformattable arguments)"
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        record.exc_info = None   # exc_text now holds the (masked) traceback
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        extra = getattr(record, "edi", None)
        if extra:
            record.edi = {k: mask(v) if isinstance(v, str) else v for k, v in extra.items()}
        return True


# --------------------------------------------------------------------------- formatters

def _iso(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the context fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": _iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record_context(record).items():
            out[key] = value if isinstance(value, (int, float, bool)) or value is None else str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        # json escapes \x00-\x1f itself; DEL, the C1 controls and the bidi overrides it leaves raw
        return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(out, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """`2026-11-29 09:12:01 INFO  gateway.pipeline [partner=acme msg=01J… ctrl=1] text`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-5s %(name)s %(edi_text)s%(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        fields = record_context(record)
        if fields:
            parts = [f"{CONTEXT_FIELDS.get(k, k)}={printable(v)}" for k, v in fields.items()]
            record.edi_text = "[" + " ".join(parts) + "] "
        else:
            record.edi_text = ""
        return super().format(record)

    def formatMessage(self, record: logging.LogRecord) -> str:
        """One record, one line: a newline in a partner's file name must not forge a log line."""
        record.message = printable(record.message)
        return super().formatMessage(record)


# --------------------------------------------------------------------------- set-up

def under_journald(stream: IO[str] | None = None) -> bool:
    """True when `stream` (stderr by default) is the journald stream systemd gave us.

    systemd sets JOURNAL_STREAM=<device>:<inode> of the service's stdout/stderr; comparing
    it with the stream's own fstat avoids emitting JSON when stderr was redirected elsewhere.
    """
    value = os.environ.get("JOURNAL_STREAM", "")
    if not value:
        return False
    stream = stream or sys.stderr
    try:
        device, inode = (int(x) for x in value.split(":", 1))
        st = os.fstat(stream.fileno())
    except (ValueError, OSError, AttributeError):
        return True   # set but not comparable: trust systemd
    return (st.st_dev, st.st_ino) == (device, inode)


def make_handler(log_format: Literal["auto", "text", "json"] = "auto",
                 stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler with context, masking and the right formatter for where it writes."""
    stream = stream if stream is not None else sys.stderr
    use_json = log_format == "json" or (log_format == "auto" and under_journald(stream))
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.addFilter(MaskSecrets())
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    handler.set_name("edi-gateway")
    return handler


def configure(log_format: Literal["auto", "text", "json"] = "auto", level: str | int = "INFO",
              stream: IO[str] | None = None) -> logging.Handler:
    """Install the gateway's handler on the root logger (replacing one installed before)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() == "edi-gateway":
            root.removeHandler(old)
    handler = make_handler(log_format, stream)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    for noisy in ("asyncssh", "aiohttp.access", "watchdog", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler


def register_config_secrets(config: Any) -> None:
    """Register the secrets a GatewayConfig points at (Odoo password or key file, AS2 key passphrase).

    Needed because some protocols carry a password positionally (JSON-RPC `execute_kw` args),
    where no key name tells the patterns it is one.
    """
    odoo = getattr(config, "odoo", None)
    password = getattr(odoo, "password", None)
    if password is not None:
        register_secret(password.get_secret_value() if hasattr(password, "get_secret_value") else str(password))
    register_secret(os.environ.get("EDI_GATEWAY_ODOO_PASSWORD"))
    as2 = getattr(config, "as2_server", None)
    for path in (getattr(odoo, "password_file", None), getattr(as2, "private_key_password_file", None),
                 *(pair.private_key_password_file for pair in getattr(as2, "previous_keys", None) or []),
                 *(pair.private_key_password_file for pair in (getattr(as2, "identities", None) or {}).values())):
        if path:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                register_secret(Path(path).read_text(encoding="utf-8").strip())
