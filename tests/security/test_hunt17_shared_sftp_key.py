"""Two partners whose SFTP accounts accept the same key (hunt 17).

A partner file copied to set up a new partner, its `authorized_keys` left in, or one key handed to two partners:
whoever holds the key logs into either account (the SSH user name is the client's choice), downloads the other
partner's invoices and ship notices and uploads orders that are taken as the other partner's. Two partners sharing
an SFTP user name was refused; sharing a key was not. lint (and so `run` and a reload) now refuses it, at the line
of the second partner's key; a partner listing one key for two accounts of its own, or a key of an inactive
partner, is fine. Through the real CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers.gateway import Workspace, cli
from tests.transports.sftp_util import make_key


def _account(user: str, pub: Path) -> dict[str, object]:
    return {"channel": "sftp", "user": user, "authorized_keys": [str(pub)]}


def _lint(tmp: Path, globex: dict[str, object]) -> tuple[int, str]:
    key = make_key(tmp / "keys" / "acme")
    copy = tmp / "keys" / "globex.pub"
    shutil.copy(f"{key}.pub", copy)                 # the same key under another file name
    ws = Workspace.create(tmp / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": 0}},
                          partners={"acme": {"inbound": [_account("acme", Path(f"{key}.pub"))],
                                             "outbound": _account("acme-out", Path(f"{key}.pub"))},
                                    "globex": {**globex, "inbound": [_account("globex", copy)]}})
    done = cli("lint", config=ws.config)
    return done.returncode, done.stdout + done.stderr


def test_lint_refuses_a_key_two_partners_accounts_accept(tmp_path: Path) -> None:
    code, said = _lint(tmp_path, {})
    assert code == 1, said
    [line] = [line for line in said.splitlines() if "also accepts" in line]
    assert "partner globex" in line and "partner acme's SFTP account also accepts" in line, line
    assert "globex.yaml:" in line and "log in as either" in line, line


def test_an_inactive_partner_may_keep_the_key_listed(tmp_path: Path) -> None:
    code, said = _lint(tmp_path, {"active": False})
    assert code == 0 and "also accepts" not in said, said
