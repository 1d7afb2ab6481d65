"""Audit: one log record is one line, whatever a partner put in a file name.

An SFTP upload name may hold newlines and ESC; the daemon logs it ("SFTP upload ... committed").
In text format a newline forged a whole log line (level, logger, context of the attacker's choosing)
for whoever reads the log, and ESC sequences acted on the terminal of whoever tails it.
"""

from __future__ import annotations

import io
import logging

from gateway import logs


def test_audit_partner_text_cannot_forge_a_log_line() -> None:
    stream = io.StringIO()
    handler = logs.make_handler("text", stream)
    logger = logging.getLogger("gateway.test_audit")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        name = "po.x12\n2026-11-29 10:00:00 INFO  gateway.pipeline [partner=bigbox] posted sale.order 1\x1b[2J"
        logger.info("SFTP upload %s committed", name)
        with logs.log_context(partner="acme", control_number="42\n2026-11-29 10:00:01 ERROR  forged \x1b[31m"):
            logger.info("parsed")              # the control number is read from the partner's envelope
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("with a traceback, which keeps its lines")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert "committed" in lines[0] and "posted sale.order 1" in lines[0]
    assert "parsed" in lines[1] and "forged" in lines[1]
    assert not any(line.startswith("2026-11-29 10:00:0") for line in lines[1:])
    assert "\x1b" not in stream.getvalue()
    assert any(line.startswith("Traceback") for line in lines)
