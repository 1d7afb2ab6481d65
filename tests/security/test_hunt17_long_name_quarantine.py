"""A file whose name a partner made long got no quarantine copy and no .reason.txt (hunt 17).

Our SFTP server takes names up to 255 bytes (Linux's limit); the quarantine names its copy `<message id>_<name>`
and puts `<that>.reason.txt` beside it, 38 bytes more. A bad file named with 218 bytes or more was quarantined in
the journal, but its copy failed with 'File name too long': no copy in quarantine/<partner>/ and no .reason.txt,
the two things the operator is sent to (the reason only said the copy failed). The copy's name now keeps the end
of a long name (its extension) within the limit.

The daemon is real; the partner is the OpenSSH `sftp` client."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.transports.sftp_util import known_hosts_line, make_key, openssh_sftp

NAME = "ORDERS_" + "0123456789ABCDEF" * 14 + "_ACME_DC_0042.edi"        # 248 bytes


def test_a_long_named_bad_file_is_kept_in_quarantine_with_its_reason(tmp_path: Path) -> None:
    assert len(NAME.encode()) == 248
    key, port = make_key(tmp_path / "keys" / "northwind"), free_port()
    account = {"channel": "sftp", "user": "northwind", "authorized_keys": [f"{key}.pub"]}
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"northwind": {"inbound": [account]}})
    local = tmp_path / "bad.edi"
    local.write_bytes(b"ISA*not an interchange at all~")
    with GatewayProcess(ws.config):
        known = tmp_path / "known_hosts"
        known.write_text(known_hosts_line("127.0.0.1", port, ws.root / "state" / "ssh_host_ed25519_key.pub"))
        openssh_sftp(tmp_path, port, "northwind", key, known, f"put {local} inbound/{NAME}\n")
        [row] = wait_for(lambda: ws.messages(state="quarantined"), 30, 0.1, "the file quarantined")
    assert "copy to quarantine failed" not in str(row["last_error"]), row["last_error"]
    folder = ws.root / "quarantine" / "northwind"
    [copy] = [p for p in folder.glob(f"{row['id']}_*") if not p.name.endswith(".reason.txt")]
    assert copy.read_bytes() == local.read_bytes() and copy.name.endswith("_ACME_DC_0042.edi")
    reason = folder / f"{copy.name}.reason.txt"
    assert NAME in reason.read_text(encoding="utf-8")                      # the name as sent, whole
