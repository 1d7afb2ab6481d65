"""Structured logging: context on every line, JSON under journald, text otherwise, no secrets."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gateway import logs

Capture = tuple[logging.Logger, io.StringIO, Callable[[str], None]]


@pytest.fixture
def capture() -> Iterator[Capture]:
    """A logger wired to a fresh gateway handler writing into a StringIO; returns (logger, buffer, set_format)."""
    buffer = io.StringIO()
    logger = logging.getLogger("test.edi.logs")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handlers: list[logging.Handler] = []

    def use(fmt: str) -> None:
        for h in handlers:
            logger.removeHandler(h)
        handlers.clear()
        handler = logs.make_handler(fmt, buffer)  # type: ignore[arg-type]
        handlers.append(handler)
        logger.addHandler(handler)

    use("text")
    yield logger, buffer, use
    for h in handlers:
        logger.removeHandler(h)


def lines(buffer: io.StringIO) -> list[str]:
    return [line for line in buffer.getvalue().splitlines() if line]


def test_text_line_carries_partner_message_and_control_number(capture: Capture) -> None:
    logger, buffer, _ = capture
    with logs.log_context(partner="acme", message_id="01JABC", control_number="000123"):
        logger.info("posted sale.order %d", 42)
    (line,) = lines(buffer)
    assert "[partner=acme msg=01JABC ctrl=000123] posted sale.order 42" in line
    assert " INFO " in line and "test.edi.logs" in line


def test_json_line_has_fields_and_context_is_gone_after_block(capture: Capture) -> None:
    logger, buffer, use = capture
    use("json")
    with logs.log_context(partner="bigbox", message_id="01JX"):
        with logs.log_context(control_number="7"):
            logger.warning("retrying")
        logger.info("inner done")
    logger.info("outside")
    first, second, third = (json.loads(x) for x in lines(buffer))
    assert first["partner"] == "bigbox" and first["message_id"] == "01JX" and first["control_number"] == "7"
    assert first["level"] == "WARNING" and first["msg"] == "retrying" and first["ts"].endswith("Z")
    assert "control_number" not in second and second["partner"] == "bigbox"
    assert "partner" not in third


def test_fields_learned_inside_a_block_last_until_it_ends(capture: Capture) -> None:
    logger, buffer, use = capture
    use("json")
    with logs.log_context(message_id="01JZ"):
        logger.info("received")
        logs.add_context(partner="eurohandel", control_number="EH000417")
        logger.info("parsed")
    logger.info("after")
    received, parsed, after = (json.loads(x) for x in lines(buffer))
    assert "partner" not in received and received["message_id"] == "01JZ"
    assert parsed["partner"] == "eurohandel" and parsed["control_number"] == "EH000417"
    assert "partner" not in after and "message_id" not in after


async def test_context_follows_each_task_separately(capture: Capture) -> None:
    logger, buffer, use = capture
    use("json")

    async def step(partner: str) -> None:
        with logs.log_context(partner=partner):
            await asyncio.sleep(0)
            logger.info("step")

    await asyncio.gather(step("a"), step("b"), step("c"))
    assert sorted(json.loads(x)["partner"] for x in lines(buffer)) == ["a", "b", "c"]


def test_json_lines_escape_the_controls_json_itself_leaves_raw(capture: Capture) -> None:
    """journalctl -o cat prints the JSON as it is: a partner's file name with a bidi override or a C1 control
    (\x9b is CSI) would act on the operator's terminal. They are written as \\uXXXX escapes, still the same
    text once the JSON is read."""
    logger, buffer, use = capture
    use("json")
    name = "invoice\u202etxt.exe \x9b2J \x7f \u2066x\u2069 \x1b[31m"
    with logs.log_context(filename=name):
        logger.warning("took %s", name)
    [line] = lines(buffer)
    assert not any(c in line for c in "\u202e\x9b\x7f\u2066\u2069\x1b"), line
    record = json.loads(line)
    assert record["msg"] == f"took {name}" and record["filename"] == name


def test_adapter_binds_fields_on_top_of_ambient_context(capture: Capture) -> None:
    logger, buffer, use = capture
    use("json")
    log = logs.bind(logger, partner="northwind", doc_type="850")
    with logs.log_context(message_id="01JM", partner="ignored-by-bound"):
        log.info("parsed")
    (record,) = (json.loads(x) for x in lines(buffer))
    assert record["partner"] == "northwind" and record["doc_type"] == "850" and record["message_id"] == "01JM"


@pytest.mark.parametrize("text, secret", [
    ("login with password=hunter2 to odoo", "hunter2"),
    ("settings {'password': 's3cr3t!', 'user': 'admin'}", "s3cr3t!"),
    ('payload {"params": {"args": ["demo", 2, "Pa55word"], "api_key": "k-123456"}}', "k-123456"),
    ("headers {'Authorization': 'Basic YWRtaW46aHVudGVyMg=='}", "YWRtaW46aHVudGVyMg=="),
    ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
    ("GET https://admin:topsecret@odoo.example/web", "topsecret"),
    ("ODOO_API_KEY: 0123abcd", "0123abcd"),
    ("key -----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY----- loaded", "MIIEabc"),
])
def test_secrets_are_masked_in_both_formats(capture: Capture, text: str, secret: str) -> None:
    logger, buffer, use = capture
    for fmt in ("text", "json"):
        use(fmt)
        logger.info(text)
        logger.info("%s", text)
    out = buffer.getvalue()
    assert secret not in out
    assert logs.MASK in out


def test_registered_secret_is_masked_in_args_and_traceback(capture: Capture) -> None:
    logger, buffer, use = capture
    logs.register_secret("Pa55-from-a-file")
    for fmt in ("text", "json"):
        use(fmt)
        try:
            raise RuntimeError("connect failed for admin/Pa55-from-a-file")
        except RuntimeError:
            logger.exception("odoo login %s", ["admin", "Pa55-from-a-file"])
    out = buffer.getvalue()
    assert "Pa55-from-a-file" not in out
    assert "RuntimeError: connect failed for admin/***" in out
    assert "odoo login ['admin', '***']" in out


def test_ordinary_text_is_untouched(capture: Capture) -> None:
    logger, buffer, _ = capture
    text = "ISA*00*          *00*          *ZZ*BIGBOXRETAIL   ~ password_file /etc/edi/odoo.key tokens left 3"
    logger.info(text)
    assert text in buffer.getvalue()


def test_bad_format_arguments_do_not_raise_or_leak(capture: Capture) -> None:
    logger, buffer, _ = capture
    logger.info("two args %s %s", "password=abc12345")  # noqa: PLE1206 - the mistake under test
    assert "abc12345" not in buffer.getvalue()
    assert "unformattable" in buffer.getvalue()


def test_json_chosen_only_when_journal_stream_is_our_stderr(tmp_path: Path) -> None:
    """systemd sets JOURNAL_STREAM=dev:inode of the stream it connected; a redirect elsewhere stays text."""
    target = tmp_path / "err.log"
    code = ("import logging, gateway.logs as L; L.configure('auto'); "
            "import contextlib\nwith L.log_context(partner='p1'): logging.getLogger('x').info('hello')")
    with open(target, "w") as err:
        st = os.fstat(err.fileno())
        env = {**os.environ, "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}
        subprocess.run([sys.executable, "-c", code], stderr=err, env=env, check=True)
        with tempfile.TemporaryFile() as other:
            ost = os.fstat(other.fileno())
        env_other = {**os.environ, "JOURNAL_STREAM": f"{ost.st_dev}:{ost.st_ino + 1}"}
        subprocess.run([sys.executable, "-c", code], stderr=err, env=env_other, check=True)
    first, second = target.read_text().splitlines()
    assert json.loads(first)["partner"] == "p1"
    assert first.startswith("{") and not second.startswith("{")
    assert "[partner=p1] hello" in second


def test_configure_replaces_its_own_handler_only() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        h1 = logs.configure("text", "DEBUG", io.StringIO())
        h2 = logs.configure("json", "INFO", io.StringIO())
        assert h1 not in root.handlers and h2 in root.handlers
        assert all(h in root.handlers for h in before)
        assert root.level == logging.INFO
    finally:
        root.removeHandler(h2)
        root.setLevel(level)


def test_config_secrets_are_registered_so_positional_passwords_are_masked(capture: Capture, tmp_path: Path) -> None:
    from gateway.config.models import GatewayConfig
    key = tmp_path / "odoo.key"
    key.write_text("ak-9f8e7d6c5b4a\n")
    old_pass = tmp_path / "as2-2025.pass"
    old_pass.write_text("0ld-K3y-Phrase\n")
    config = GatewayConfig.model_validate({
        "odoo": {"password": "Inl1ne-Pass", "password_file": str(key)},
        "as2_server": {"previous_keys": [{"certificate": "old.crt", "private_key": "old.key",
                                          "private_key_password_file": str(old_pass)}]}})
    logs.register_config_secrets(config)
    logger, buffer, _ = capture
    logger.debug("execute_kw %s", ["demo", 2, "Inl1ne-Pass", "sale.order", "create"])
    logger.debug("execute_kw %s", ["demo", 2, "ak-9f8e7d6c5b4a", "sale.order", "create"])
    logger.debug("loading %s", ["old.key", "0ld-K3y-Phrase"])         # a previous AS2 key's passphrase
    out = buffer.getvalue()
    assert "Inl1ne-Pass" not in out and "ak-9f8e7d6c5b4a" not in out and "0ld-K3y-Phrase" not in out
    assert out.count("'***'") == 3
