"""The folders a configuration names (state, archive, quarantine, outbox, inboxes, SFTP jails, delivery folders)
must be folders this process can write, or be creatable: else the daemon would start and fail on the first file.

Warned about by `lint` and when the daemon starts (which then holds back whatever needs the folder until it is
usable, as on a full disk): a folder that does not exist yet is fine (the daemon makes it) unless a file stands
where it or one of its parents should be; one that exists must be writable by this user (under systemd `lint`
runs as root, the daemon as its own user).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gateway.config.models import FolderChannel, GatewayConfig, PartnerConfig


def gateway_folders(gateway: GatewayConfig) -> Iterator[tuple[tuple[Any, ...], Path]]:
    """(key in gateway.yaml, folder) for every folder gateway.yaml names."""
    for name in ("state_dir", "archive_dir", "quarantine_dir", "outbox_dir"):
        yield (name,), getattr(gateway, name)
    for n, inbox in enumerate(gateway.inbox):
        yield ("inbox", n, "path"), inbox.path
        if inbox.processed is not None:
            yield ("inbox", n, "processed"), inbox.processed
    if gateway.sftp_server.enabled:
        yield ("sftp_server", "root"), gateway.sftp_server.root


def partner_folders(partner: PartnerConfig) -> Iterator[tuple[tuple[Any, ...], Path]]:
    """(key in the partner file, folder) for a delivery folder the partner file names."""
    if isinstance(partner.outbound, FolderChannel) and partner.outbound.path is not None:
        yield ("outbound", "path"), partner.outbound.path


def problem(folder: Path) -> str | None:
    """Why `folder` cannot be used, or None."""
    for part in (*reversed(folder.parents), folder):
        try:
            is_dir = part.is_dir()
            exists = is_dir or part.exists()
        except OSError as exc:
            return f"{part}: {exc.strerror or exc}"
        if exists and not is_dir:
            return f"{part} is a file, not a folder" if part == folder else f"{part} is a file, so {folder} cannot be made"
        if not exists:
            return None                           # made by the daemon when it is first needed
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder} is not writable by this user (uid {os.geteuid()})"
    return None


def check(gateway: GatewayConfig, partners: dict[str, PartnerConfig]) -> list[tuple[str | None, tuple[Any, ...], str]]:
    """(partner id or None for gateway.yaml, key, reason) for each folder that cannot be used."""
    found: list[tuple[str | None, tuple[Any, ...], str]] = []
    for loc, folder in gateway_folders(gateway):
        reason = problem(Path(folder))
        if reason is not None:
            found.append((None, loc, reason))
    for pid, partner in partners.items():
        for loc, folder in partner_folders(partner):
            reason = problem(Path(folder))
            if reason is not None:
                found.append((pid, loc, reason))
    return found
