"""Audit follow-ups: the findings the audit left open, each pinned by a test that fails without its fix."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import asyncssh.connection
import paramiko
import pytest

from tests.helpers.gateway import Workspace, cli
from tests.security.test_xml_attacks import assert_never_fetched, web  # noqa: F401 - web is a fixture

# --------------------------------------------------------------------------- 1. lint warns about exposure

def _exposed_workspace(root: Path, mode: int) -> tuple[Workspace, Path]:
    """A workspace whose Odoo URL, ops host and secret files are as given; secret files get `mode`."""
    root.mkdir(parents=True)
    creds = root / "creds"
    creds.mkdir()
    for secret in (root / "odoo.pass", root / "our.key", root / "our-2025.key", creds / "odoo-password"):
        secret.write_text("not-a-real-secret\n")
        os.chmod(secret, mode)
    return Workspace.create(root / "gw", {
        "odoo": {"enabled": True, "url": "http://odoo.example.com:8069", "password_file": str(root / "odoo.pass")},
        "ops": {"enabled": True, "host": "0.0.0.0", "port": 0},
        "as2_server": {"private_key": str(root / "our.key"),
                       "previous_keys": [{"certificate": str(root / "our-2025.crt"),
                                          "private_key": str(root / "our-2025.key")}]},
    }), creds


def test_audit_lint_warns_cleartext_odoo_open_ops_and_loose_secret_files(tmp_path: Path) -> None:
    ws, creds = _exposed_workspace(tmp_path / "loose", 0o644)
    done = cli("lint", config=ws.config, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert done.returncode == 0, done.stdout + done.stderr            # warnings, not errors
    warnings = [line for line in done.stdout.splitlines() if line.startswith("warning:")]
    text = "\n".join(warnings)
    assert "odoo.url is plain http:// to odoo.example.com" in text, done.stdout
    assert "ops.host '0.0.0.0' is not a loopback address" in text, done.stdout
    # each at the line of its key in gateway.yaml, as errors are
    config = str(ws.config)
    for key in ("odoo.url is plain", "ops.host '0.0.0.0'", "as2_server.previous_keys[0].private_key:"):
        [line] = [w for w in warnings if key in w]
        assert line.startswith(f"warning: {config}:") and line.split(":", 3)[2].isdecimal(), line
    for name in ("as2_server.private_key:", "as2_server.previous_keys[0].private_key:", "odoo.password_file:",
                 "systemd credential odoo-password:"):
        assert name in text and "readable by group or others" in text, (name, done.stdout)
    assert "not-a-real-secret" not in done.stdout + done.stderr


def test_audit_lint_quiet_for_loopback_and_private_secret_files(tmp_path: Path) -> None:
    ws, creds = _exposed_workspace(tmp_path / "tight", 0o600)
    ws.settings["odoo"]["url"] = "http://127.0.0.1:8069"
    ws.settings["ops"]["host"] = "::1"
    ws.write_config()
    done = cli("lint", config=ws.config, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok" in done.stdout
    assert not [line for line in done.stdout.splitlines() if line.startswith("warning:")], done.stdout
    ws.settings["odoo"]["url"] = "https://odoo.example.com"
    ws.write_config()
    done = cli("lint", config=ws.config, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert not [line for line in done.stdout.splitlines() if line.startswith("warning:")], done.stdout


# --------------------------------------------------------------------------- 2. one certificate, one error

def test_audit_lint_reports_a_shared_bad_certificate_once(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "gw")
    (ws.root / "shared.pem").write_text("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n")
    (ws.root / "our.key").write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    ws.settings["as2_server"] = {"enabled": True, "port": 0, "certificate": "shared.pem", "private_key": "our.key"}
    ws.write_config()
    ws.write_partner("bb", {"name": "BB", "inbound": [{"channel": "as2", "as2_id": "BB", "require_signed": True,
                                                       "certificates": ["shared.pem"]}]})
    done = cli("lint", config=ws.config)
    assert done.returncode != 0
    bad = [line for line in done.stdout.splitlines() if "not a PEM or DER X.509 certificate" in line]
    assert len(bad) == 1, done.stdout


# --------------------------------------------------------------------------- 3. private keys born 0600

@pytest.fixture
def no_chmod(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A login umask and no chmod: a key file's mode is then the mode it was created with."""
    monkeypatch.setattr(os, "chmod", lambda *a, **k: None)
    monkeypatch.setattr(Path, "chmod", lambda *a, **k: None)
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def test_audit_private_keys_are_created_0600(tmp_path: Path, no_chmod: None) -> None:
    from gateway.commands import init
    from gateway.demo import partners, workspace
    from gateway.transports.sftp_server import load_host_key

    stale = tmp_path / "stale.key"                # an older key file, left world-readable: replaced, not reused
    stale.write_text("old")                       # 0644 under the login umask
    assert not _private(stale)
    partners.make_certificate(tmp_path / "demo.pem", tmp_path / "demo.key", "demo")
    init._certificate(tmp_path / "init.pem", stale, "init")
    init._ssh_key(tmp_path / "init_ssh.pub", tmp_path / "init_ssh", "x@y")
    load_host_key(tmp_path / "host_key")
    ws = workspace.Workspace(tmp_path / "ws", workspace.Ports(0, 0, 0, 0), "examples")
    (ws.root / "partners").mkdir(parents=True)
    ws.partner_dir.mkdir()
    (ws.root / "partners" / "p.yaml").write_text("id: p\ninbound: [{channel: sftp, user: puser}]\n")
    workspace._partner_credentials(ws)
    for key in (tmp_path / "demo.key", stale, tmp_path / "init_ssh", tmp_path / "host_key",
                ws.partner_keys["puser"]):
        assert _private(key), f"{key} {stat.filemode(key.stat().st_mode)}"
    assert stale.read_text() != "old"


# --------------------------------------------------------------------------- 4. SFTP server: no GSSAPI login

class _KerberosReady:
    """Stands in for asyncssh's GSSServer on a machine with python-gssapi and a host keytab."""

    def __init__(self, host: str, store: object) -> None:
        self.host = host
        self.mechs = [b"\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"]    # the Kerberos V5 OID, DER
        self.complete = False

    def reset(self) -> None:
        pass


def _offered_auth(port: int) -> list[str]:
    """The methods the server lists after a `none` attempt (RFC 4252 5.2), seen by paramiko."""
    transport = paramiko.Transport(("127.0.0.1", port))
    try:
        transport.start_client(timeout=20)
        try:
            transport.auth_none("northwind")
        except paramiko.BadAuthenticationType as exc:
            return list(exc.allowed_types)
        raise AssertionError("the server accepted a login without credentials")
    finally:
        transport.close()


async def test_audit_sftp_server_offers_no_gssapi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway.config.models import PartnerConfig, SftpAccountChannel, SftpServerSettings
    from gateway.transports.sftp_server import SftpServer, hash_password
    from tests.transports.conftest import JournalIntake
    from tests.transports.sftp_util import make_key

    monkeypatch.setattr(asyncssh.connection, "GSSServer", _KerberosReady)
    key = make_key(tmp_path / "keys" / "northwind")
    partners = {"northwind": PartnerConfig(id="northwind", inbound=[SftpAccountChannel(
        channel="sftp", user="northwind", authorized_keys=[Path(f"{key}.pub")],
        password_hash=hash_password("s3cret", iterations=1000))])}
    settings = SftpServerSettings(enabled=True, host="127.0.0.1", port=0, root=tmp_path / "sftp",
                                  host_key=tmp_path / "state" / "ssh_host_ed25519_key")
    intake = JournalIntake(tmp_path / "state")
    server = SftpServer(settings, partners, intake, intake.journal)
    await server.start()
    try:
        assert server.port is not None
        offered = await asyncio.to_thread(_offered_auth, server.port)
    finally:
        await server.close()
        intake.journal.close()
    assert not [m for m in offered if m.startswith("gssapi")], offered
    assert set(offered) <= {"publickey", "password", "keyboard-interactive"}, offered
    assert "publickey" in offered


# --------------------------------------------------------------------------- 5. XSD imports stay local

@pytest.mark.parametrize("kind", ["import", "include"])
def test_audit_xsd_remote_import_is_refused_not_fetched(tmp_path: Path, web: str, kind: str) -> None:  # noqa: F811
    from gateway.formats import xml as xml_format

    namespace = 'namespace="urn:remote" ' if kind == "import" else ""
    xsd = tmp_path / f"{kind}.xsd"
    xsd.write_text(f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:{kind} {namespace}schemaLocation="{web}/x.xsd"/>
  <xs:element name="note" type="xs:string"/>
</xs:schema>""")
    tx = xml_format.parse(b"<note>hello</note>").transactions[0]
    issues = xml_format.validate_xsd(tx, xsd)
    assert [i.code for i in issues] == ["schema"], issues
    assert f"{web}/x.xsd" in str(issues[0]) and "refused" in str(issues[0]), issues
    assert_never_fetched(web)



# --------------------------------------------------------------------------- 6. unsigned failed MDNs

async def test_audit_unsigned_failed_mdn_must_quote_our_mic_to_reject(tmp_path: Path) -> None:
    """With `mdn_signed: false` anyone can POST an MDN; only one that quotes the MIC we computed
    (known to the partner, never sent in clear to anyone else) may turn SENT into REJECTED."""
    import aiohttp

    from gateway.journal.api import Direction, State
    from gateway.transports.as2 import mdn
    from gateway.transports.as2.ledger import SentRecord
    from tests.transports.certs import make_cert
    from tests.transports.conftest import JournalIntake, bigbox_as2, sending_gateway

    acme, bigbox = make_cert(tmp_path / "certs", "acme"), make_cert(tmp_path / "certs", "bigbox")
    intake = JournalIntake(tmp_path / "in")
    ours = sending_gateway(tmp_path / "s", acme, bigbox_as2(bigbox, mdn="async", mdn_signed=False), intake)
    journal, ledger, server = ours.journal, ours.ledger, ours.server
    failed = mdn.Disposition("processed", "error", "decryption-failed")

    def sent_message(n: int) -> tuple[str, str]:
        msg = journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="as2",
                                    filename=f"bigbox_856_{n}.x12", sha256=f"{n}" * 64, size=10,
                                    source_key=f"856:{n}", state=State.QUEUED)
        ledger.record_sent(SentRecord(f"<{msg.id}@ACMEDIST>", msg.id, "bigbox", "b3VyLW1pYw==", "sha256"))
        journal.transition(msg.id, State.SENT, "posted, awaiting async MDN", expect=State.QUEUED)
        return msg.id, f"<{msg.id}@ACMEDIST>"

    async def post(original: str, disposition: mdn.Disposition, mic: tuple[str, str] | None) -> str:
        headers, body = mdn.build(original_message_id=original, our_id="BIGBOX-AS2", partner_id="ACMEDIST",
                                  disposition=disposition, mic=mic, text="unsigned", signer=None)
        assert server.port is not None
        async with aiohttp.ClientSession() as session, session.post(
                f"http://127.0.0.1:{server.port}/as2/mdn", data=body, headers=headers) as resp:
            assert resp.status == 200
            return await resp.text()

    await server.start()
    try:
        first, first_as2 = sent_message(1)
        for disposition, mic in ((failed, None), (failed, ("Zm9yZ2Vk", "sha-256")),
                                 (mdn.Disposition("processed"), ("Zm9yZ2Vk", "sha-256"))):
            answer = await post(first_as2, disposition, mic)
            assert "ignored" in answer, answer
            assert journal.get(first).state is State.SENT, (disposition, mic)
        # the partner's real (unsigned) failure quotes our MIC: that one rejects
        await post(first_as2, failed, ("b3VyLW1pYw==", "sha-256"))
        assert journal.get(first).state is State.REJECTED
        second, second_as2 = sent_message(2)
        await post(second_as2, mdn.Disposition("processed"), ("b3VyLW1pYw==", "sha-256"))
        assert journal.get(second).state is State.DONE
    finally:
        await server.close()
        journal.close()
        intake.journal.close()
