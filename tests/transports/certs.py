"""Test certificates, generated at test time (never committed)."""

from __future__ import annotations

import datetime as dt
import ipaddress
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


def make_cert(tmp: Path, name: str, dns: str | None = None, days: int = 30) -> Cert:
    """A self-signed RSA-2048 certificate + key written as PEM files under `tmp`, valid for `days` more
    days (expired that many days ago when negative)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
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
