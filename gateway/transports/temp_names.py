"""The names a file carries while it is still being written, shared by every intake.

Kept apart from the SFTP server so the inbox folders and the poller of a partner's server do not
import it (the daemon runs without the SFTP server module when that part is not built).
"""

from __future__ import annotations

TEMP_SUFFIXES = (".part", ".tmp", ".filepart", ".partial", ".upload", ".uploading", ".writing", ".crdownload", "~")


def is_temp_name(name: str) -> bool:
    """Names a file carries while it is still being written, before its rename to the final name: WinSCP
    `.filepart`, Spring Integration's `.writing`, rclone `.partial`, `.part`/`.tmp`, dot files (lftp, rsync),
    `~`. One list for our SFTP server, the poller of a partner's server and the inbox folders."""
    low = name.lower()
    return name.startswith(".") or low.endswith(TEMP_SUFFIXES)
