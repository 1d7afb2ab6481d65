"""Security review 2: each test is an attack over loopback that worked before its fix."""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest

from tests.transports.conftest import JournalIntake, intake  # noqa: F401 - intake is a fixture
from tests.transports.sftp_util import make_key
from tests.transports.test_sftp_server import SftpWorld, sftp  # noqa: F401 - sftp is a fixture

# --------------------------------------------------------------------------- SFTP: which user names exist


async def _offer_keys(w: SftpWorld, user: str, keys: list[Path]) -> int:
    """Log in as `user` offering `keys` (none of them the account's); the failures counted for 127.0.0.1."""
    w.server.failures.clear()
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncssh.connect("127.0.0.1", w.port, username=user, known_hosts=str(w.known_hosts),
                               client_keys=[str(k) for k in keys], agent_path=None, password=None,
                               preferred_auth="publickey")
    return len(w.server.failures.get("127.0.0.1", []))


async def test_refused_keys_count_alike_for_real_and_unknown_users(sftp: SftpWorld) -> None:  # noqa: F811
    """A client offering two keys it was not given: for a real account one failure was counted (and one
    throttle pause taken), for an unknown user name two, the second pause twice as long. The pause and the
    lockout told an attacker which user names exist; the failure count is what both follow."""
    keys = [sftp.stranger, make_key(sftp.tmp / "keys" / "other")]
    known = await _offer_keys(sftp, "northwind", keys)
    unknown = await _offer_keys(sftp, "no-such-partner", keys)
    assert known == unknown == 1
