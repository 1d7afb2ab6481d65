"""Lint of the transport settings beyond the schema: files that must load, ids that must be unique.

`check(gateway, partners, partner_files)` returns ConfigErrors naming the partner file, so
`edi-gateway lint` can report a bad certificate or key before the daemon refuses to start.
"""

from __future__ import annotations

from pathlib import Path

import asyncssh
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gateway.config.models import (
    As2Channel,
    GatewayConfig,
    PartnerConfig,
    SftpAccountChannel,
    SftpRemoteChannel,
)
from gateway.errors import ConfigError
from gateway.transports.keys import load_certificates, load_private_key
from gateway.transports.sftp_server import load_public_keys


def _where(pid: str, files: dict[str, Path]) -> str | None:
    return str(files[pid]) if pid in files else None


def check(gateway: GatewayConfig, partners: dict[str, PartnerConfig],
          partner_files: dict[str, Path] | None = None) -> list[ConfigError]:
    files = partner_files or {}
    errors: list[ConfigError] = []
    as2_ids: dict[str, str] = {}
    users: dict[str, str] = {}
    uses_as2 = False
    for pid, p in partners.items():
        where = _where(pid, files)
        channels = list(p.inbound) + ([p.outbound] if p.outbound else [])
        for ch in channels:
            try:
                if isinstance(ch, As2Channel):
                    uses_as2 = True
                    if ch in p.inbound and as2_ids.setdefault(ch.as2_id, pid) != pid:
                        errors.append(ConfigError(f"AS2 id {ch.as2_id!r} is also used by partner "
                                                  f"{as2_ids[ch.as2_id]}", path=where))
                    for cert in ch.certificates:
                        load_certificates(cert)
                    # the AS2 server also accepts from a partner's outbound channel when it has no inbound one;
                    # AS2-From is a header anyone can write: only the partner's signature says who sent it
                    receives = ch in p.inbound or not any(isinstance(c, As2Channel) for c in p.inbound)
                    if receives and not ch.require_signed:
                        errors.append(ConfigError(f"partner {pid}: inbound AS2 with require_signed: false lets "
                                                  "anyone send documents as this partner", path=where,
                                                  hint="remove require_signed: false"))
                    if (ch.require_signed or ch.encrypt) and not ch.certificates:
                        errors.append(ConfigError(f"partner {pid}: AS2 needs the partner's certificate "
                                                  "(certificates:)", path=where))
                    if ch is p.outbound and not ch.url:
                        errors.append(ConfigError(f"partner {pid}: outbound AS2 needs url:", path=where))
                elif isinstance(ch, SftpAccountChannel):
                    if users.setdefault(ch.user, pid) != pid:
                        errors.append(ConfigError(f"SFTP user {ch.user!r} is also used by partner {users[ch.user]}",
                                                  path=where))
                    load_public_keys(ch.authorized_keys)
                    if ch in p.inbound and not ch.authorized_keys and not ch.password_hash:
                        errors.append(ConfigError(f"partner {pid}: SFTP account {ch.user!r} has neither "
                                                  "authorized_keys nor password_hash", path=where))
                elif isinstance(ch, SftpRemoteChannel):
                    asyncssh.read_private_key(str(ch.key))
            except ConfigError as exc:
                errors.append(exc)
            except (OSError, asyncssh.KeyImportError, ValueError) as exc:
                errors.append(ConfigError(f"partner {pid}: cannot load SFTP key {getattr(ch, 'key', '')}: {exc}",
                                          path=where))
    if uses_as2 and not gateway.as2_server.enabled:
        errors.append(ConfigError("a partner uses AS2 but as2_server.enabled is false (the AS2 transport also "
                                  "sends, and receives the MDNs)"))
    if not gateway.sftp_server.enabled:
        if any(isinstance(ch, SftpAccountChannel) for p in partners.values() for ch in p.inbound):
            errors.append(ConfigError("a partner uploads to our SFTP server (inbound: sftp) but "
                                      "sftp_server.enabled is false"))
        if any(isinstance(p.outbound, SftpAccountChannel) for p in partners.values()):
            errors.append(ConfigError("a partner fetches its files from our SFTP server (outbound: sftp) but "
                                      "sftp_server.enabled is false"))
    settings = gateway.as2_server
    if settings.enabled or uses_as2:
        if not settings.certificate or not settings.private_key:
            errors.append(ConfigError("as2_server.certificate and as2_server.private_key are required "
                                      "when a partner uses AS2"))
        else:
            try:
                our_cert = load_certificates(settings.certificate)[0]
                key = load_private_key(settings.private_key, settings.private_key_password_file)
                if not _belongs(our_cert, key):
                    errors.append(ConfigError("as2_server.certificate does not belong to as2_server.private_key",
                                              path=str(settings.certificate)))
            except ConfigError as exc:
                errors.append(exc)
        for n, pair in enumerate(settings.previous_keys):
            name = f"as2_server.previous_keys[{n}]"
            try:
                if not _belongs(load_certificates(pair.certificate)[0],
                                load_private_key(pair.private_key, pair.private_key_password_file)):
                    errors.append(ConfigError(f"{name}.certificate does not belong to its private_key",
                                              path=str(pair.certificate)))
            except ConfigError as exc:
                errors.append(exc)
        if bool(settings.tls_certificate) != bool(settings.tls_key):
            errors.append(ConfigError("as2_server.tls_certificate and tls_key go together"))
    return errors


def _belongs(cert: x509.Certificate, key: PrivateKeyTypes) -> bool:
    """The certificate carries this private key's public key."""
    spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return cert.public_key().public_bytes(*spki) == key.public_key().public_bytes(*spki)
