"""Settings that work but expose a secret or a page: `lint` warns about them, `run` still starts.

They are warnings, not errors, because each has a legitimate setup (Odoo behind a trusted private
network, the status page behind a firewall, a key file shared with a service group); the operator
should still see them once, with the reason.
"""

from __future__ import annotations

import ipaddress
import os
import stat
import typing
from pathlib import Path
from urllib.parse import urlsplit

from gateway.config.loader import CREDENTIAL_NAME, LoadedConfig, key_position
from gateway.config.models import As2Channel, Channel, PartnerConfig, SftpAccountChannel, SftpRemoteChannel
from gateway.errors import ConfigError


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1); False for names and other addresses."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _readable_by_others(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False                     # a missing file is lint's error to report, not a warning


def _writable_by_others(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & stat.S_IWOTH)
    except OSError:
        return False


def _channels(partner: PartnerConfig) -> list[tuple[str, Channel]]:
    """A partner's channels with where its file names them (`inbound[0]`, `outbound`)."""
    named: list[tuple[str, Channel]] = [(f"inbound[{n}]", ch) for n, ch in enumerate(partner.inbound)]
    return named + ([("outbound", partner.outbound)] if partner.outbound is not None else [])


def _partner_secrets(partner: PartnerConfig) -> list[tuple[str, Path]]:
    """The private keys and passwords a partner's channels name: our SSH key for its SFTP server (which OpenSSH's
    own client refuses to use when others can read it), our TLS client key for its AS2 endpoint."""
    found: list[tuple[str, Path]] = []
    for where, ch in _channels(partner):
        if isinstance(ch, SftpRemoteChannel):
            found.append((f"{where}.key", ch.key))
        elif isinstance(ch, As2Channel) and where == "outbound":
            found += [(f"{where}.{name}", path) for name, path in (
                ("tls_client_key", ch.tls_client_key), ("tls_client_key_password_file", ch.tls_client_key_password_file))
                if path is not None]
    return found


def _authorized_keys(partner: PartnerConfig) -> list[tuple[str, Path]]:
    """The authorized_keys files of a partner's accounts on our SFTP server (OpenSSH's StrictModes refuses them
    when others may write them)."""
    return [(f"{where}.authorized_keys[{n}]", path) for where, ch in _channels(partner)
            if isinstance(ch, SftpAccountChannel) for n, path in enumerate(ch.authorized_keys)]


def exposure_warnings(config: LoadedConfig,
                      environ: typing.Mapping[str, str] | None = None) -> list[ConfigError]:
    """Odoo's secret sent in clear, an ops page reachable from the network, secret files others may read."""
    environ = os.environ if environ is None else environ
    gateway, where = config.gateway, str(config.path)
    warnings: list[ConfigError] = []
    url = urlsplit(gateway.odoo.url)
    if gateway.odoo.enabled and url.scheme == "http" and not is_loopback(url.hostname or ""):
        warnings.append(ConfigError(f"odoo.url is plain http:// to {url.hostname}: the Odoo password or API key "
                                    "travels in clear", where, *key_position(config.path, "odoo.url"),
                                    hint="use https://"))
    if gateway.ops.enabled and not is_loopback(gateway.ops.host):
        warnings.append(ConfigError(f"ops.host {gateway.ops.host!r} is not a loopback address: the status page "
                                    "has no login and shows partner files", where,
                                    *key_position(config.path, "ops.host"),
                                    hint="keep 127.0.0.1 and reach it through an SSH tunnel or a proxy with login"))
    secrets = {"as2_server.private_key": gateway.as2_server.private_key,
               "as2_server.private_key_password_file": gateway.as2_server.private_key_password_file,
               "odoo.password_file": gateway.odoo.password_file}
    for n, pair in enumerate(gateway.as2_server.previous_keys):
        secrets[f"as2_server.previous_keys[{n}].private_key"] = pair.private_key
        secrets[f"as2_server.previous_keys[{n}].private_key_password_file"] = pair.private_key_password_file
    for as2_id, pair in gateway.as2_server.identities.items():
        secrets[f"as2_server.identities.{as2_id}.private_key"] = pair.private_key
        secrets[f"as2_server.identities.{as2_id}.private_key_password_file"] = pair.private_key_password_file
    for pid, partner in config.partners.items():     # keys named in its partner file
        file = config.partner_files.get(pid, config.path)
        for key_name, key in _partner_secrets(partner):
            if _readable_by_others(key):
                warnings.append(ConfigError(f"partner {pid} {key_name}: {key} is readable by group or others",
                                            str(file), *key_position(file, key_name), hint=f"chmod 600 {key}"))
        for key_name, key in _authorized_keys(partner):
            if _writable_by_others(key):
                warnings.append(ConfigError(f"partner {pid} {key_name}: {key} is writable by others, who could add "
                                            f"a key of their own and log in as {pid}", str(file),
                                            *key_position(file, key_name), hint=f"chmod o-w {key}"))
    credentials = environ.get("CREDENTIALS_DIRECTORY")
    if credentials:
        secrets[f"systemd credential {CREDENTIAL_NAME}"] = Path(credentials) / CREDENTIAL_NAME
    for name, path in secrets.items():
        if path is not None and _readable_by_others(path):
            at = key_position(config.path, name) if not name.startswith("systemd") else (None, None)
            warnings.append(ConfigError(f"{name}: {path} is readable by group or others", where, *at,
                                        hint=f"chmod 600 {path}"))
    return warnings
