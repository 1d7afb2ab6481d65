"""Free space where the gateway writes: the journal, the archive, the quarantine, the outbox, the inboxes.

A full disk loses nothing (everything waits until there is space again), but it stops every partner's
traffic, so it should be seen coming: each filesystem's free bytes are a metric
(`edi_gateway_free_bytes`), and one with less than `ops.min_free_mb` free is named at the top of the
status page. Folders on one filesystem are reported once, with every use they serve.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gateway.config.models import GatewayConfig


@dataclass(frozen=True, slots=True)
class FreeSpace:
    uses: tuple[str, ...]          # what the gateway keeps there: "state", "archive", "inbox", ...
    path: Path                     # the first of those folders
    free: int                      # bytes an unprivileged writer may still use
    total: int


def folders(config: GatewayConfig) -> list[tuple[str, Path]]:
    """(use, folder) for every folder the gateway writes to."""
    found = [("state", config.state_dir), ("archive", config.archive_dir), ("quarantine", config.quarantine_dir),
             ("outbox", config.outbox_dir)]
    found += [("inbox", inbox.path) for inbox in config.inbox]
    if config.sftp_server.enabled:
        found.append(("sftp", config.sftp_server.root))
    return found


def free_space(config: GatewayConfig) -> list[FreeSpace]:
    """One entry per filesystem holding a folder of `folders`; a folder that does not exist yet counts
    where its nearest existing parent is (the gateway creates it there)."""
    seen: dict[int, tuple[list[str], Path, os.statvfs_result]] = {}
    for use, folder in folders(config):
        place = Path(folder).absolute()
        while not place.exists() and place != place.parent:
            place = place.parent
        try:
            device = place.stat().st_dev
            if device not in seen:
                seen[device] = ([], Path(folder), os.statvfs(place))
        except OSError:
            continue
        if use not in seen[device][0]:
            seen[device][0].append(use)
    return [FreeSpace(tuple(uses), path, st.f_bavail * st.f_frsize, st.f_blocks * st.f_frsize)
            for uses, path, st in seen.values()]


def low_space_warnings(spaces: list[FreeSpace], min_free_mb: int) -> list[str]:
    """A sentence per filesystem with less than `min_free_mb` MB free."""
    return [f"only {space.free / 2**20:,.0f} MB free of {space.total / 2**30:,.1f} GB where the gateway keeps its "
            f"{', '.join(space.uses)} ({space.path}; ops.min_free_mb is {min_free_mb}): when it is full, every "
            "partner's traffic waits; free space or move the folder"
            for space in spaces if space.free < min_free_mb * 2**20]
