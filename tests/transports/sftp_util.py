"""Helpers for SFTP tests: client keys, the OpenSSH `sftp` client in batch mode, a private `sshd`."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import asyncssh
import paramiko

from tests.helpers.net import free_port


def make_key(path: Path) -> Path:
    """An ed25519 key pair in OpenSSH format (`path`, `path.pub`), mode 0600."""
    key = asyncssh.generate_private_key("ssh-ed25519", comment=path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.export_private_key())
    path.chmod(0o600)
    path.with_name(path.name + ".pub").write_bytes(key.export_public_key())
    return path


def known_hosts_line(host: str, port: int, host_pub: Path | bytes) -> str:
    pub = host_pub.read_text() if isinstance(host_pub, Path) else host_pub.decode()
    parts = pub.split()
    return f"[{host}]:{port} {parts[0]} {parts[1]}\n"


def paramiko_session(root: Path, key: Path, port: int, user: str = "northwind") -> paramiko.SSHClient:
    """A partner's paramiko client logged into the gateway of workspace `root` on 127.0.0.1:`port`, its host key
    pinned from the workspace's state (RejectPolicy for any other)."""
    known = root / "known_hosts"
    known.write_text(known_hosts_line("127.0.0.1", port, root / "state" / "ssh_host_ed25519_key.pub"))
    ssh = paramiko.SSHClient()
    ssh.load_host_keys(str(known))
    ssh.set_missing_host_key_policy(paramiko.RejectPolicy())
    ssh.connect("127.0.0.1", port=port, username=user, key_filename=str(key), look_for_keys=False,
                allow_agent=False, timeout=20, banner_timeout=20, auth_timeout=20)
    return ssh


def openssh_sftp(tmp: Path, port: int, user: str, key: Path, known_hosts: Path, commands: str,
                 check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run OpenSSH `sftp -b` with the host key pinned (StrictHostKeyChecking=yes, our known_hosts only)."""
    batch = tmp / "batch.txt"
    batch.write_text(commands)
    cmd = ["sftp", "-F", "/dev/null", "-b", str(batch), "-P", str(port), "-i", str(key),
           "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
           "-o", f"UserKnownHostsFile={known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
           "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", f"{user}@127.0.0.1"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


class Sshd:
    """An OpenSSH sshd on a free 127.0.0.1 port with its own config, host key and authorized_keys."""

    def __init__(self, tmp: Path, user_pub: Path) -> None:
        self.dir = tmp / "sshd"
        self.dir.mkdir(parents=True)
        self.host_key = self.dir / "ssh_host_ed25519_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.host_key)], check=True)
        self.authorized = self.dir / "authorized_keys"
        shutil.copy(user_pub, self.authorized)
        self.authorized.chmod(0o600)
        self.port = free_port()
        self.user = os.environ.get("USER") or getpass.getuser()
        self.config = self.dir / "sshd_config"
        self.config.write_text(
            f"ListenAddress 127.0.0.1:{self.port}\nHostKey {self.host_key}\nPidFile {self.dir / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {self.authorized}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "PubkeyAuthentication yes\nUsePAM no\nStrictModes no\nSubsystem sftp internal-sftp\n"
            "ForceCommand internal-sftp\nPermitRootLogin prohibit-password\nLogLevel ERROR\n"
            "MaxStartups 50\nMaxSessions 50\n")
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def host_pub(self) -> str:
        parts = Path(str(self.host_key) + ".pub").read_text().split()
        return f"{parts[0]} {parts[1]}"

    def start(self) -> None:
        self.proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(self.config)],
                                     stdout=subprocess.DEVNULL, stderr=(self.dir / "sshd.log").open("wb"))
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError((self.dir / "sshd.log").read_text())
                time.sleep(0.05)
        raise RuntimeError("sshd did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
