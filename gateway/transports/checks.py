"""Lint of the transport settings beyond the schema: files that must load, ids that must be unique.

`check(gateway, partners, partner_files)` returns ConfigErrors naming the partner file, so
`edi-gateway lint` can report a bad certificate or key before the daemon refuses to start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gateway.config.models import (
    As2Channel,
    As2ServerSettings,
    GatewayConfig,
    PartnerConfig,
    SftpAccountChannel,
    SftpRemoteChannel,
)
from gateway.errors import ConfigError, ConfigWarning, DeliveryRetry
from gateway.transports.keys import load_certificates, load_private_key


def _where(pid: str, files: dict[str, Path]) -> str | None:
    return str(files[pid]) if pid in files else None


def _at(error: ConfigError, loc: tuple[Any, ...]) -> ConfigError:
    """`error` with the key it is about (`loc`: its place in the partner file, or in gateway.yaml for an error
    without a path), so that `gateway.config.loader.check_transports` can name the file's line and the key."""
    error.loc = loc  # type: ignore[attr-defined]
    return error


def _about(exc: ConfigError, where: str | None, loc: tuple[Any, ...]) -> ConfigError:
    """A certificate or key file's own error (it names that file) as an error of the setting that names it."""
    error = _at(ConfigError(str(exc), path=where), loc)
    error.file_error = str(exc)  # type: ignore[attr-defined]
    return error


def _secret_file(path: Path, loc: tuple[Any, ...], where: str | None, what: str = "") -> ConfigError | None:
    """A key or password file that is not there. Its value is not repeated: a password or a pasted PEM key
    where a file name belongs would be printed in the error."""
    if path.exists():
        return None
    return _at(ConfigError(f"{what}no such file: give the name of the file that holds the "
                           f"{loc[-1].replace('_', ' ')} (relative to gateway.yaml's folder), not the secret itself",
                           path=where), loc)


def check(gateway: GatewayConfig, partners: dict[str, PartnerConfig],
          partner_files: dict[str, Path] | None = None) -> list[ConfigError]:
    """Each error carries `loc`, the key it is about, when it is about one."""
    files = partner_files or {}
    errors: list[ConfigError] = []
    as2_ids: dict[str, str] = {}
    users: dict[str, str] = {}
    keys: dict[bytes, str] = {}            # an SFTP account's public key -> the (active) partner it logs in as
    as2_users: list[str] = []
    for pid, p in partners.items():
        where = _where(pid, files)
        channels: list[tuple[Any, tuple[Any, ...]]] = [(ch, ("inbound", n)) for n, ch in enumerate(p.inbound)]
        if p.outbound:
            channels.append((p.outbound, ("outbound",)))
        for ch, at in channels:
            try:
                if isinstance(ch, As2Channel):
                    if pid not in as2_users:
                        as2_users.append(pid)
                    if ch in p.inbound and as2_ids.setdefault(ch.as2_id, pid) != pid:
                        errors.append(_at(ConfigError(f"AS2 id {ch.as2_id!r} is also used by partner "
                                                      f"{as2_ids[ch.as2_id]}", path=where), (*at, "as2_id")))
                    for n, cert in enumerate(ch.certificates):
                        try:
                            load_certificates(cert)
                        except ConfigError as exc:
                            errors.append(_about(exc, where, (*at, "certificates", n)))
                    # the AS2 server also accepts from a partner's outbound channel when it has no inbound one;
                    # AS2-From is a header anyone can write: only the partner's signature says who sent it
                    receives = ch in p.inbound or not any(isinstance(c, As2Channel) for c in p.inbound)
                    if receives and not ch.require_signed:
                        errors.append(_at(ConfigError(f"partner {pid}: inbound AS2 with require_signed: false lets "
                                                      "anyone send documents as this partner", path=where,
                                                      hint="remove require_signed: false"), (*at, "require_signed")))
                    if (ch.require_signed or ch.encrypt) and not ch.certificates:
                        errors.append(_at(ConfigError(f"partner {pid}: AS2 needs the partner's certificate "
                                                      "(certificates:)", path=where), (*at, "certificates")))
                    if ch is p.outbound and not ch.url:
                        errors.append(_at(ConfigError(f"partner {pid}: outbound AS2 needs url:", path=where),
                                          (*at, "url")))
                    if ch is p.outbound and (ch.tls_ca or ch.tls_client_certificate):
                        # imported here: the AS2 package brings in aiohttp, which lint otherwise never needs
                        from gateway.transports.as2.egress import tls_context
                        try:
                            tls_context(ch, pid)
                        except DeliveryRetry as exc:
                            key = next((k for k in ("tls_ca", "tls_client_key_password_file") if f"{k} " in str(exc)),
                                       "tls_client_key")
                            errors.append(_at(ConfigError(str(exc), path=where), (*at, key)))
                elif isinstance(ch, SftpAccountChannel):
                    if users.setdefault(ch.user, pid) != pid:
                        errors.append(_at(ConfigError(f"SFTP user {ch.user!r} is also used by partner "
                                                      f"{users[ch.user]}", path=where), (*at, "user")))
                    for n, pub in enumerate(ch.authorized_keys):
                        try:
                            blobs = _public_keys(pub)
                        except ConfigError as exc:
                            errors.append(_about(exc, where, (*at, "authorized_keys", n)))
                            continue
                        # whoever holds a key two partners list logs in as either: downloads the other's documents,
                        # uploads orders in its name (a partner file copied for a new partner, its keys left in). A
                        # warning: a VAN or service provider logging in for several partners may use one key, and a
                        # working gateway must not be refused at start after an upgrade
                        shared = sorted({keys.setdefault(b, pid) for b in blobs if p.active} - {pid})
                        if shared:
                            errors.append(_at(ConfigWarning(
                                f"partner {pid}: {pub} holds a key partner {shared[0]}'s SFTP account also accepts: "
                                "whoever holds it can log in as either", path=where,
                                hint="unless one party (a VAN, a service provider) logs in for both, give each "
                                "partner a key of its own"), (*at, "authorized_keys", n)))
                    if ch in p.inbound and not ch.authorized_keys and not ch.password_hash:
                        errors.append(_at(ConfigError(f"partner {pid}: SFTP account {ch.user!r} has neither "
                                                      "authorized_keys nor password_hash", path=where),
                                          (*at, "authorized_keys")))
                elif isinstance(ch, SftpRemoteChannel):
                    missing = _secret_file(ch.key, (*at, "key"), where, f"partner {pid}: cannot load SFTP key: ")
                    if missing is not None:
                        errors.append(missing)
                    else:
                        _read_ssh_key(ch.key)
            except ConfigError as exc:
                errors.append(exc)
            except (OSError, ValueError) as exc:
                errors.append(_at(ConfigError(f"partner {pid}: cannot load SFTP key {getattr(ch, 'key', '')}: "
                                              f"{exc}", path=where), (*at, "key")))
    if as2_users and not gateway.as2_server.enabled:
        errors.append(_at(ConfigError(f"{_who(as2_users)} AS2 but as2_server.enabled is false "
                                      "(the AS2 transport also sends, and receives the MDNs)"),
                          ("as2_server", "enabled")))
    if not gateway.sftp_server.enabled:
        uploads = [pid for pid, p in partners.items() if any(isinstance(ch, SftpAccountChannel) for ch in p.inbound)]
        if uploads:
            errors.append(_at(ConfigError(f"{_who(uploads, 'uploads', 'upload')} to our SFTP server (inbound: sftp) but "
                                          "sftp_server.enabled is false"), ("sftp_server", "enabled")))
        fetches = [pid for pid, p in partners.items() if isinstance(p.outbound, SftpAccountChannel)]
        if fetches:
            errors.append(_at(ConfigError(f"{_who(fetches, 'fetches', 'fetch')} files from our SFTP server (outbound: sftp) "
                                          "but sftp_server.enabled is false"),
                              ("sftp_server", "enabled")))
    errors.extend(_check_our_keys(gateway.as2_server, uses_as2=bool(as2_users)))
    errors.extend(_check_our_as2_id(gateway))
    errors.extend(_check_id_keys(gateway, partners))
    # a broken certificate named by our AS2 server and a partner (or by two partners): said once
    seen: set[str] = set()
    unique = []
    for error in errors:
        said = getattr(error, "file_error", None)
        if said is None or said not in seen:
            unique.append(error)
            seen.add(said or "")
    return unique


def _public_keys(path: Path) -> list[bytes]:
    """An SFTP account's authorized key, as the server reads it. Imported here, with asyncssh, for the same
    reason as `_read_ssh_key`."""
    from gateway.transports.sftp_server import load_public_keys

    return load_public_keys([path])


def _read_ssh_key(path: Path) -> None:
    """Raise ValueError if `path` is no private key asyncssh can read. asyncssh and the SFTP server are
    imported here: at module level every `edi-gateway lint` and daemon start paid ~0.2 s of CPU for them,
    also without any SFTP partner."""
    import asyncssh

    try:
        asyncssh.read_private_key(str(path))
    except asyncssh.KeyImportError as exc:
        raise ValueError(str(exc)) from exc


def _who(pids: list[str], one: str = "uses", many: str = "use") -> str:
    """'partner a uses' / 'partners a, b use'."""
    if len(pids) == 1:
        return f"partner {pids[0]} {one}"
    return f"partners {', '.join(pids)} {many}"


def _check_our_as2_id(gateway: GatewayConfig) -> list[ConfigError]:
    """as2_server.as2_id is used only when our_ids.as2_id is not set: written beside another our_ids.as2_id (the
    init workspace has one) it was ignored without a word, and partners sending to it were refused."""
    server_id, ours = gateway.as2_server.as2_id, gateway.our_ids.as2_id if gateway.our_ids else None
    if "as2_id" not in gateway.as2_server.model_fields_set or not ours or ours == server_id:
        return []
    return [_at(ConfigError(f"{server_id!r} is not used: our_ids.as2_id {ours!r} is our AS2 id "
                            "(the AS2-To partners send, the AS2-From we send); keep one of the two"),
                ("as2_server", "as2_id"))]


def _check_id_keys(gateway: GatewayConfig, partners: dict[str, PartnerConfig]) -> list[ConfigError]:
    """A pair in as2_server.identities under an id we are not known by (ACME_EU for ACME-EU) is never used: that id's
    partners would get signatures by the current pair and have what they encrypt to its own refused."""
    ours = {gateway.our_ids.as2_id if gateway.our_ids and gateway.our_ids.as2_id else gateway.as2_server.as2_id}
    ours |= {ch.our_as2_id for p in partners.values() for ch in (*p.inbound, p.outbound)
             if isinstance(ch, As2Channel) and ch.our_as2_id}
    return [_at(ConfigError(f"as2_server.identities has a key pair for {as2_id!r}, which is not one of our AS2 ids "
                            f"({', '.join(sorted(ours))}: our_ids.as2_id and the partners' our_as2_id)"),
                ("as2_server", "identities", as2_id)) for as2_id in gateway.as2_server.identities if as2_id not in ours]


def _check_our_keys(settings: As2ServerSettings, uses_as2: bool) -> list[ConfigError]:
    """Our AS2 certificate and key, and the earlier pairs kept during a rollover."""
    errors: list[ConfigError] = []
    if not (settings.enabled or uses_as2):
        return errors
    if not settings.certificate or not settings.private_key:
        missing = "certificate" if not settings.certificate else "private_key"
        errors.append(_at(ConfigError("as2_server.certificate and as2_server.private_key are required "
                                      "when a partner uses AS2"), ("as2_server", missing)))
    else:
        errors.extend(_pair_errors(settings.certificate, settings.private_key, settings.private_key_password_file,
                                   ("as2_server",), "as2_server.certificate does not belong to "
                                   "as2_server.private_key"))
    for n, pair in enumerate(settings.previous_keys):
        errors.extend(_pair_errors(pair.certificate, pair.private_key, pair.private_key_password_file,
                                   ("as2_server", "previous_keys", n),
                                   f"as2_server.previous_keys[{n}].certificate does not belong to its private_key"))
    for as2_id, pair in settings.identities.items():
        errors.extend(_pair_errors(pair.certificate, pair.private_key, pair.private_key_password_file,
                                   ("as2_server", "identities", as2_id),
                                   f"as2_server.identities.{as2_id}.certificate does not belong to its private_key"))
    if bool(settings.tls_certificate) != bool(settings.tls_key):
        errors.append(_at(ConfigError("as2_server.tls_certificate and tls_key go together"),
                          ("as2_server", "tls_key" if settings.tls_certificate else "tls_certificate")))
    return errors


def _pair_errors(certificate: Path, private_key: Path, password_file: Path | None, at: tuple[Any, ...],
                 mismatch: str) -> list[ConfigError]:
    errors = [e for e in (_secret_file(private_key, (*at, "private_key"), None),
                          _secret_file(password_file, (*at, "private_key_password_file"), None)
                          if password_file else None) if e is not None]
    try:
        cert = load_certificates(certificate)[0]
    except ConfigError as exc:
        return [*errors, _about(exc, None, (*at, "certificate"))]
    if errors:
        return errors
    try:
        key = load_private_key(private_key, password_file)
    except ConfigError as exc:
        return [_about(exc, None, (*at, "private_key"))]
    if not _belongs(cert, key):
        return [_at(ConfigError(mismatch), (*at, "certificate"))]
    return []


def _belongs(cert: x509.Certificate, key: PrivateKeyTypes) -> bool:
    """The certificate carries this private key's public key."""
    spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return cert.public_key().public_bytes(*spki) == key.public_key().public_bytes(*spki)
