"""What a reload does to the SFTP sessions open at the time (review of hunt 17).

07337f9 ends, at a reload, the sessions whose account, key or password the new partner files withdrew. Two cases
it left out or did not show: a reload changing something else of the partner (its name, a line count policy, one
more key) must leave its sessions alone, so that a coordinator's everyday edit does not cut a partner's transfers;
and an account moved to another partner's file (set up under the wrong partner, then put right) kept its
sessions, whose uploads went on as the old partner's (its profile, its Odoo customer) until the client hung up.

The daemon is real; the sessions are paramiko's."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.security.test_hunt17_sftp_inactive import _session, _still_served
from tests.transports.sftp_util import make_key


def _account(*keys: Path) -> dict[str, object]:
    return {"channel": "sftp", "user": "northwind", "authorized_keys": [f"{k}.pub" for k in keys]}


def _reload(gw: GatewayProcess) -> None:
    seen = gw.output().count("reloaded")
    gw.signal(signal.SIGHUP)
    wait_for(lambda: gw.output().count("reloaded") > seen, 30, 0.1, "the reload")


def test_a_reload_that_changes_other_settings_of_the_partner_keeps_its_session(tmp_path: Path) -> None:
    key, other, port = make_key(tmp_path / "keys" / "nw"), make_key(tmp_path / "keys" / "nw-2"), free_port()
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": {"inbound": [_account(key)]}})
    with GatewayProcess(ws.config) as gw:
        ssh, sftp = _session(ws, key, port)
        ws.write_partner("acme", {"name": "ACME Wholesale", "line_counts": "warn", "inbound": [_account(key, other)]})
        _reload(gw)
        assert _still_served(sftp) and "ended: the reload" not in gw.output()
        sftp.close()
        ssh.close()


def test_an_account_moved_to_another_partner_ends_its_sessions(tmp_path: Path) -> None:
    key, port = make_key(tmp_path / "keys" / "nw"), free_port()
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": {"inbound": [_account(key)]}, "globex": {}})
    with GatewayProcess(ws.config) as gw:
        ssh, sftp = _session(ws, key, port)
        assert _still_served(sftp)
        ws.write_partner("acme", {})
        ws.write_partner("globex", {"inbound": [_account(key)]})
        _reload(gw)
        wait_for(lambda: not _still_served(sftp), 30, 0.1, "the session as acme ended")
        assert "SFTP session of 'northwind' from 127.0.0.1 ended" in gw.output()
        ssh.close()
        ssh, sftp = _session(ws, key, port)            # logs in again, now as globex's
        assert _still_served(sftp)
        sftp.close()
        ssh.close()
