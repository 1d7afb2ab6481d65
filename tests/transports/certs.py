"""Test certificates, generated at test time (never committed)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import itertools
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from gateway.transports.as2.cms import Identity


@dataclass
class Cert:
    name: str
    cert_path: Path
    key_path: Path
    identity: Identity


KEYS_IN_TURN = 16                      # more than any test makes certificates
_keys: list[rsa.RSAPrivateKey] = []
_turn = itertools.count()
_keys_lock = threading.Lock()           # a key is made at most once, whichever thread asks


def _key() -> rsa.RSAPrivateKey:
    """An RSA-2048 key: the slow part of a certificate (about 50 ms of CPU, paid by some 500 certificates a run).
    A process makes at most KEYS_IN_TURN and then hands them out in turn, so any KEYS_IN_TURN certificates in a
    row (all of one test's, an impostor's and a renewed one's included) have keys of their own. A key is never
    changed once made: a test sees no other test's files, only a key another test's certificate also had."""
    with _keys_lock:
        turn = next(_turn) % KEYS_IN_TURN
        while turn >= len(_keys):
            _keys.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _keys[turn]


def make_cert(tmp: Path, name: str, dns: str | None = None, days: int = 30) -> Cert:
    """A self-signed RSA-2048 certificate + key written as PEM files under `tmp`, valid for `days` more
    days (expired that many days ago when negative); its key differs from the last KEYS_IN_TURN - 1 certificates'."""
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=max(1, 1 - days)))
               .not_valid_after(now + dt.timedelta(days=days, hours=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True))
    if dns:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName(dns), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    tmp.mkdir(parents=True, exist_ok=True)
    cert_path = tmp / f"{name}.crt"
    key_path = tmp / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return Cert(name, cert_path, key_path, Identity(cert, key))
