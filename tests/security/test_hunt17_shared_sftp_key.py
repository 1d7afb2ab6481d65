"""Two partners whose SFTP accounts accept the same key (hunt 17, its review).

A partner file copied to set up a new partner, its `authorized_keys` left in, or one key handed to two partners:
whoever holds the key logs into either account (the SSH user name is the client's choice), downloads the other
partner's invoices and ship notices and uploads orders that are taken as the other partner's. lint warns of it at
the line of the second partner's key. A warning, not an error: a VAN or a service provider that logs in for several
of our partners often uses one key for all their accounts, and a gateway working so before the upgrade must still
`run` (the review found the first version refused to start it). A partner listing one key for two accounts of its
own, or a key of an inactive partner, is not warned of. Through the real CLI and the real daemon."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.net import free_port
from tests.transports.sftp_util import known_hosts_line, make_key, openssh_sftp


def _account(user: str, pub: Path) -> dict[str, object]:
    return {"channel": "sftp", "user": user, "authorized_keys": [str(pub)]}


def _world(tmp: Path, globex: dict[str, object], port: int = 0) -> tuple[Workspace, Path]:
    key = make_key(tmp / "keys" / "acme")
    copy = tmp / "keys" / "globex.pub"
    shutil.copy(f"{key}.pub", copy)                 # the same key under another file name
    ws = Workspace.create(tmp / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": {"inbound": [_account("acme", Path(f"{key}.pub"))],
                                             "outbound": _account("acme-out", Path(f"{key}.pub"))},
                                    "globex": {**globex, "inbound": [_account("globex", copy)]}})
    return ws, key


def _lint(tmp: Path, globex: dict[str, object]) -> tuple[int, str]:
    done = cli("lint", config=_world(tmp, globex)[0].config)
    return done.returncode, done.stdout + done.stderr


def test_lint_warns_of_a_key_two_partners_accounts_accept(tmp_path: Path) -> None:
    code, said = _lint(tmp_path, {})
    assert code == 0, said
    [line] = [line for line in said.splitlines() if "also accepts" in line]
    assert line.startswith("warning: ") and "globex.yaml:" in line, line
    assert "partner globex" in line and "partner acme's SFTP account also accepts" in line, line
    assert "log in as either" in line and "a VAN" in line, line


def test_an_inactive_partner_may_keep_the_key_listed(tmp_path: Path) -> None:
    code, said = _lint(tmp_path, {"active": False})
    assert code == 0 and "also accepts" not in said, said


def test_a_van_logs_into_both_accounts_with_its_one_key(tmp_path: Path) -> None:
    """The daemon starts with the shared key (the warning in its log) and the holder gets into each account."""
    port = free_port()
    ws, key = _world(tmp_path, {}, port)
    known = tmp_path / "known_hosts"
    with GatewayProcess(ws.config) as gw:
        known.write_text(known_hosts_line("127.0.0.1", port, ws.root / "state" / "ssh_host_ed25519_key.pub"))
        for user in ("acme", "globex"):
            openssh_sftp(tmp_path, port, user, key, known, "ls outbound\n")
        assert "also accepts" in gw.output()


def test_edi_gateway_reload_says_the_warning(tmp_path: Path) -> None:
    """The daemon's reload takes the configuration without a word of it; `edi-gateway reload`, which README's
    partner onboarding ends with, says it before it signals (here no gateway runs: it says so and stops)."""
    done = cli("reload", config=_world(tmp_path, {})[0].config)
    [line] = [line for line in done.stderr.splitlines() if "also accepts" in line]
    assert line.startswith("warning: ") and "globex.yaml:" in line, done.stderr
    assert "no gateway runs" in done.stderr, done.stderr
