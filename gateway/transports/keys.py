"""Loading certificates and private keys from PEM/DER files, with errors that name the file."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_der_private_key, load_pem_private_key

from gateway.errors import ConfigError


def load_certificates(path: Path) -> list[x509.Certificate]:
    """All certificates in a PEM file (a chain or a rollover bundle) or one DER certificate."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read certificate: {exc.strerror}", path=str(path)) from exc
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise ConfigError("not a PEM or DER X.509 certificate", path=str(path)) from exc


def write_secret(path: Path, data: bytes) -> None:
    """Write a private key readable by its owner only from the first byte, whatever the umask.

    Writing then chmod-ing leaves a window in which others can read the key, and an existing
    file keeps its old mode; so the bytes go to a new file created 0600 that replaces `path`.
    """
    _replace(path, data, 0o600)


def write_public(path: Path, data: bytes) -> None:
    """Write a public key whole or not at all (a reader never finds it empty or cut), readable by all."""
    _replace(path, data, 0o644)


def _replace(path: Path, data: bytes, mode: int) -> None:
    """`data` in a new file created with `mode` (umask permitting), fsynced, renamed over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)                   # left by a crash; O_EXCL below must create it anew
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_private_key(path: Path, password_file: Path | None = None
                     ) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """An RSA or EC private key (PEM or DER), optionally encrypted with the password in `password_file`."""
    try:
        data = path.read_bytes()
        password = password_file.read_bytes().strip() if password_file else None
    except OSError as exc:
        raise ConfigError(f"cannot read private key: {exc.strerror}", path=str(path)) from exc
    try:
        key = (load_pem_private_key(data, password) if b"-----BEGIN" in data
               else load_der_private_key(data, password))
    except (ValueError, TypeError) as exc:
        raise ConfigError("private key cannot be loaded (wrong format or password)", path=str(path)) from exc
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise ConfigError("only RSA and EC private keys are supported", path=str(path))
    return key
