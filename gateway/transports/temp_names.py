"""The names a file carries while it is still being written, and the one a taken file moves to beside another
of its name, shared by every intake.

Kept apart from the SFTP server so the inbox folders and the poller of a partner's server do not
import it (the daemon runs without the SFTP server module when that part is not built).
"""

from __future__ import annotations

import os

NAME_MAX = 255               # bytes in a file name (Linux, and most SFTP servers' filesystems)
TEMP_SUFFIXES = (".part", ".tmp", ".filepart", ".partial", ".upload", ".uploading", ".writing", ".crdownload", "~")


def is_temp_name(name: str) -> bool:
    """Names a file carries while it is still being written, before its rename to the final name: WinSCP
    `.filepart`, Spring Integration's `.writing`, rclone `.partial`, `.part`/`.tmp`, dot files (lftp, rsync),
    `~`. One list for our SFTP server, the poller of a partner's server and the inbox folders."""
    low = name.lower()
    return name.startswith(".") or low.endswith(TEMP_SUFFIXES)


def processed_name(name: str, message_id: str) -> str:
    """`<name>.<message id>`, for a taken file whose name the processed folder already holds; a long name is cut
    so that it fits NAME_MAX (a partner's 240-byte name could otherwise never leave the inbox)."""
    suffix = os.fsencode(f".{message_id}")
    return os.fsdecode(os.fsencode(name)[:NAME_MAX - len(suffix)] + suffix)
