"""A gateway workspace and the real daemon as a subprocess (`python -m gateway run --config ...`).

    ws = Workspace.create(tmp_path)                     # gateway.yaml + partners/ + inbox/ ...
    with GatewayProcess(ws.config) as gw:               # started; READY=1 received over NOTIFY_SOCKET
        ws.drop("a.x12", data)                          # written as .part, then renamed into the inbox
        wait_for(lambda: ws.count(state="received") == 1)
    # leaving the block sends SIGTERM and checks the exit code is 0

`Workspace.messages()` reads the journal with a read-only connection, so a test can look while
the daemon runs. Nothing here binds anything but loopback.
"""

from __future__ import annotations

import io
import itertools
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]


def dump_yaml(data: Any) -> str:
    out = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.dump(data, out)
    return out.getvalue()


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


_LOG_NUMBERS = itertools.count(1)      # daemon logs' names, one per GatewayProcess


@dataclass
class Workspace:
    """A folder laid out like `edi-gateway init` makes, with a gateway.yaml tuned for tests."""

    root: Path
    settings: dict[str, Any] = field(default_factory=dict)

    DEFAULTS: Any = None

    @classmethod
    def create(cls, root: Path, settings: dict[str, Any] | None = None,
               partners: dict[str, dict[str, Any]] | None = None) -> Workspace:
        """`settings` is merged into the defaults (odoo off, ops off, fast inbox, quick retries, no free-space
        warning: the tests' daemons must log the same on a nearly full CI disk)."""
        base = {
            "odoo": {"enabled": False},
            "ops": {"enabled": False, "min_free_mb": 0},
            "inbox": [{"path": "inbox", "processed": "inbox/processed", "min_age": 0.3}],
            "outbox": {"max_attempts": 5, "min_backoff": 0.1, "max_backoff": 0.5, "concurrency_per_channel": 2},
            "drain_seconds": 10.0,
            "log_format": "text",
            "log_level": "INFO",
            "workers": 2,
        }
        ws = cls(root, _merge(base, settings or {}))
        root.mkdir(parents=True, exist_ok=True)
        (root / "partners").mkdir(exist_ok=True)
        (root / "translations").mkdir(exist_ok=True)
        for pid, body in (partners or {}).items():
            ws.write_partner(pid, body)
        ws.write_config()
        return ws

    @property
    def config(self) -> Path:
        return self.root / "gateway.yaml"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def processed(self) -> Path:
        return self.root / "inbox" / "processed"

    @property
    def journal_path(self) -> Path:
        return self.root / self.settings.get("state_dir", "state") / "journal.sqlite3"   # (an absolute one wins)

    def write_config(self) -> None:
        self.config.write_text(dump_yaml(self.settings))

    def write_partner(self, pid: str, body: dict[str, Any]) -> Path:
        path = self.root / "partners" / f"{pid}.yaml"
        path.write_text(dump_yaml({"id": pid, **body}))
        return path

    def drop(self, name: str, data: bytes, folder: Path | None = None) -> Path:
        """Put a file into the inbox the way a careful sender does: write `.part`, then rename."""
        folder = folder or self.inbox
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / f"{name}.part"
        part.write_bytes(data)
        final = folder / name
        os.rename(part, final)
        return final

    # ------------------------------------------------------------------ reading the journal
    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        if not self.journal_path.exists():
            return []
        db = sqlite3.connect(f"file:{self.journal_path}?mode=ro", uri=True, timeout=10)
        db.row_factory = sqlite3.Row
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            return []          # schema not created yet
        finally:
            db.close()

    def messages(self, **where: Any) -> list[dict[str, Any]]:
        """Message rows as dicts, filtered by column=value (state="received", direction="in", ...)."""
        sql = "SELECT * FROM messages"
        if where:
            sql += " WHERE " + " AND ".join(f"{k} = ?" for k in where)
        return [dict(r) for r in self._query(sql + " ORDER BY id", tuple(where.values()))]

    def count(self, **where: Any) -> int:
        return len(self.messages(**where))

    def events(self, message_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._query("SELECT * FROM events WHERE message_id = ? ORDER BY seq",
                                             (message_id,))]

    def archived(self, sha256: str) -> Path:
        return self.root / "archive" / sha256[:2] / sha256[2:4] / sha256


def cli(*args: str, config: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `python -m gateway ARGS [--config CONFIG]` and capture its output."""
    cmd = [sys.executable, "-m", "gateway", *args]
    if config is not None:
        cmd += ["--config", str(config)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False,
                          env={**os.environ, **(env or {})})


class GatewayProcess:
    """`python -m gateway run` in a subprocess, with a NOTIFY_SOCKET to know when it is READY."""

    def __init__(self, config: Path, *, env: dict[str, str] | None = None, wait_ready: bool = True,
                 ready_timeout: float = 30.0, preload: list[str] | None = None,
                 open_files: tuple[int, int] | None = None) -> None:
        """`preload`: modules imported in the daemon process before it starts (test channels); `open_files`:
        the (soft, hard) limit on open files the daemon starts with, as a service manager would set it."""
        self.config = config
        self.preload = preload or []
        self.open_files = open_files
        self.env = env or {}
        self.wait_ready = wait_ready
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.notifications: list[str] = []
        self._sockdir = tempfile.mkdtemp(prefix="gwnotify")
        self._sockpath = os.path.join(self._sockdir, "notify")
        self._sock: socket.socket | None = None
        self._log: BinaryIO | None = None
        # a number of its own: id(self) is reused once an earlier instance is collected, and the log is opened for
        # appending (a restart of this one adds to it), so a reused name showed another daemon's output as its own
        self.log_path = config.parent / f"daemon-{os.getpid()}-{next(_LOG_NUMBERS)}.log"

    def start(self) -> Self:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self._sockpath)
        self._sock.setblocking(False)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - the daemon writes to it until _close()
        env = {k: v for k, v in os.environ.items() if k not in ("WATCHDOG_USEC", "WATCHDOG_PID")}
        env.update({"NOTIFY_SOCKET": self._sockpath, "PYTHONUNBUFFERED": "1", **self.env})
        if self.preload:
            code = "".join(f"import {m}; " for m in self.preload)
            code += "import sys; from gateway.cli import main; sys.exit(main(sys.argv[1:]))"
            cmd = [sys.executable, "-c", code]
        else:
            cmd = [sys.executable, "-m", "gateway"]
        if self.open_files:          # set in a first process that then becomes the daemon (no preexec_fn)
            limit = (f"import os, resource, sys; resource.setrlimit(resource.RLIMIT_NOFILE, {self.open_files}); "
                     "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")
            cmd = [sys.executable, "-c", limit, *cmd[1:]]
        self.proc = subprocess.Popen([*cmd, "run", "--config", str(self.config)],
                                     cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        if self.wait_ready:
            self.wait_notification("READY=1", self.ready_timeout)
        return self

    def poll_notifications(self) -> list[str]:
        assert self._sock is not None
        while True:
            try:
                data = self._sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                break
            self.notifications.extend(data.decode().splitlines())
        return self.notifications

    def wait_notification(self, line: str, timeout: float = 30.0, after: int = 0) -> None:
        """Wait for systemd notification `line` (e.g. "READY=1") beyond the first `after` received."""
        deadline = time.monotonic() + timeout
        while line not in self.poll_notifications()[after:]:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"gateway exited with {self.proc.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {line} from the gateway:\n{self.output()}")
            time.sleep(0.02)

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, like a power cut for the process."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
        self._close()

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)
            raise AssertionError(f"gateway did not stop within {timeout}s:\n{self.output()}") from None
        self._close()
        return code

    def _close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            try:
                os.unlink(self._sockpath)
                os.rmdir(self._sockdir)
            except OSError:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.proc is None:
            return
        if exc_type is not None:
            self.kill()
            return
        code = self.stop()
        assert code == 0, f"gateway exited with {code}:\n{self.output()}"
