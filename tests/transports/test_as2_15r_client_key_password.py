"""A partner's tls_client_key_password_file that cannot be read (mistyped, not yet copied, unreadable by the
gateway's account) is named as such by lint (and at start, reload and each try), at its own line. Since 2b97c64
it was reported as 'TLS client certificate ... or key ... cannot be loaded: No such file or directory' at the
tls_client_key line, sending the operator to check two files that were fine."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization

from tests.helpers.gateway import cli
from tests.transports.certs import make_cert
from tests.transports.test_delivery_hostile import as2_workspace


def test_lint_names_a_password_file_that_cannot_be_read(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    ours, theirs, client = make_cert(certs, "acme"), make_cert(certs, "acmeretail"), make_cert(certs, "tls-client")
    key = serialization.load_pem_private_key(client.key_path.read_bytes(), None)
    locked = certs / "locked.key"
    locked.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.BestAvailableEncryption(b"s3cret")))
    locked.chmod(0o600)
    missing = certs / "tls-client.pass"
    ws = as2_workspace(tmp_path, "https://127.0.0.1:9/as2", ours, theirs, tls_client_certificate=str(client.cert_path),
                       tls_client_key=str(locked), tls_client_key_password_file=str(missing))
    done = cli("lint", config=ws.config)
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    assert (f"outbound.tls_client_key_password_file: partner acme's tls_client_key_password_file {missing} "
            "cannot be read: No such file or directory") in out, out
    assert "s3cret" not in out
