"""The demo's workspace: what `edi-gateway init` creates, set up to run on this machine alone.

`init` (when built) lays out gateway.yaml, partners/, translations/ and samples/; without it the
shipped examples (gateway/examples) are copied the same way. Then the demo turns on what a
realistic day needs, on free loopback ports: Odoo (the sandbox), the SFTP and AS2 servers, the
ops endpoint; and it creates the partners' credentials that a real partner would bring (SSH keys
for the SFTP accounts, AS2 certificates), keeping the partners' private halves under demo-partners/.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SANDBOX_PASSWORD = "admin"          # the sandbox's demo admin; never a real credential
ODOO_POLL_SECONDS = 2.0            # production default 60 s: the demo's day is compressed into a minute
STUCK_AFTER_MINUTES = 0.1667         # a demo day lasts a minute: "stuck" after 10 s (production default: 30 min)


@dataclass
class Ports:
    odoo: int
    sftp: int
    as2: int
    ops: int
    partner_as2: dict[str, int] = field(default_factory=dict)   # partner id -> its own AS2 server's port


@dataclass
class Workspace:
    root: Path
    ports: Ports
    created_by: str                                   # "init" or "examples"
    partner_keys: dict[str, Path] = field(default_factory=dict)   # SFTP user -> partner's private key
    as2_partners: dict[str, tuple[str, Path, Path]] = field(default_factory=dict)  # id -> (AS2 id, cert, key)
    sftp_pickup: list[str] = field(default_factory=list)    # partners who fetch our files over SFTP
    compressed: dict[str, dict[str, str]] = field(default_factory=dict)   # partner -> doc type -> its cron

    def our_as2(self) -> tuple[str, Path]:
        """The gateway's AS2 id and certificate, as a partner is told them."""
        yaml = YAML(typ="safe")
        data: Any = yaml.load(self.config_path.read_text(encoding="utf-8")) or {}
        as2_id = ((data.get("our_ids") or {}).get("as2_id") or (data.get("as2_server") or {}).get("as2_id")
                  or "EDIGATEWAY")
        cert = Path(data["as2_server"]["certificate"])
        return str(as2_id), cert if cert.is_absolute() else self.root / cert

    @property
    def config_path(self) -> Path:
        return self.root / "gateway.yaml"

    @property
    def partner_dir(self) -> Path:
        return self.root / "demo-partners"

    @property
    def log_path(self) -> Path:
        return self.root / "logs" / "gateway.log"


MARKER = ".edi-gateway-demo"      # marks a folder the demo made (and may replace), holds its ops port


def previous_demo(root: Path) -> int | None:
    """The ops port of the demo workspace at `root`, or None when `root` is not one."""
    try:
        return int((root / MARKER).read_text().strip())
    except (OSError, ValueError):
        return None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _copy_examples(root: Path) -> None:
    for name in ("gateway.yaml",):
        if (EXAMPLES / name).is_file() and not (root / name).exists():
            shutil.copy2(EXAMPLES / name, root / name)
    for name in ("partners", "translations", "samples"):
        if (EXAMPLES / name).is_dir():
            shutil.copytree(EXAMPLES / name, root / name, dirs_exist_ok=True)


def _init_with_command(root: Path) -> bool:
    """Use `edi-gateway init` itself when it is built (its output is not the demo's); False when it is not."""
    try:
        module = importlib.import_module("gateway.commands.init")
    except ModuleNotFoundError:
        return False
    with contextlib.redirect_stdout(io.StringIO()):
        code = module.run(argparse.Namespace(dir=root, force=True))
    return code == 0 and (root / "gateway.yaml").is_file()


def create(root: Path) -> Workspace:
    """A fresh workspace at `root` with the example partners, on free ports."""
    root.mkdir(parents=True, exist_ok=True)
    created_by = "init" if _init_with_command(root) else "examples"
    if created_by == "examples":
        _copy_examples(root)
    ports = Ports(odoo=free_port(), sftp=free_port(), as2=free_port(), ops=free_port())
    ws = Workspace(root=root, ports=ports, created_by=created_by)
    (root / MARKER).write_text(f"{ports.ops}\n")
    for sub in ("inbox", "outbox", "state", "archive", "quarantine", "logs", "keys", "demo-partners"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    _configure(ws)
    _compress_schedules(ws)
    _sftp_pickup(ws)
    _partner_credentials(ws)
    _as2_certificates(ws)
    return ws


def _configure(ws: Workspace) -> None:
    """Turn gateway.yaml into the demo's: Odoo sandbox, SFTP, AS2 and ops on free loopback ports."""
    yaml = _yaml()
    data: Any = yaml.load(ws.config_path.read_text(encoding="utf-8")) if ws.config_path.is_file() else {}
    data = data or {}
    odoo = data.setdefault("odoo", {})
    odoo.update({"enabled": True, "url": f"http://127.0.0.1:{ws.ports.odoo}", "database": "demo",
                 "username": "admin", "poll_seconds": ODOO_POLL_SECONDS})
    data.setdefault("sftp_server", {}).update({"enabled": True, "host": "127.0.0.1", "port": ws.ports.sftp})
    data.setdefault("as2_server", {}).update({"enabled": True, "host": "127.0.0.1", "port": ws.ports.as2})
    data.setdefault("ops", {}).update({"enabled": True, "host": "127.0.0.1", "port": ws.ports.ops,
                                       "stuck_after_minutes": STUCK_AFTER_MINUTES})
    for inbox in data.get("inbox") or []:
        inbox["min_age"] = 0.2     # the demo writes files atomically; no need to wait for slow uploads
    with ws.config_path.open("w", encoding="utf-8") as f:
        yaml.dump(data, f)


def _compress_schedules(ws: Workspace) -> None:
    """Scheduled documents (the 846 every 4 hours) run on every Odoo poll instead, at most once a minute.

    The scheduler claims inventory feeds per minute slot, so this gives one feed per minute of the
    demo rather than one at 04:00; the partner file in the workspace says so in a comment.
    """
    yaml = _yaml()
    for partner_file in sorted((ws.root / "partners").glob("*.yaml")):
        data: Any = yaml.load(partner_file.read_text(encoding="utf-8")) or {}
        changed = []
        for doc in data.get("documents") or []:
            if doc.get("trigger") == "schedule" and doc.get("schedule"):
                cron = doc.pop("schedule")
                ws.compressed.setdefault(partner_file.stem, {})[str(doc.get("type"))] = str(cron)
                changed.append(f"{doc.get('type')} '{cron}'")
        if changed:
            data.yaml_set_comment_before_after_key(
                "documents", before=f"demo: scheduled documents run on every Odoo poll (was: {', '.join(changed)})")
            with partner_file.open("w", encoding="utf-8") as f:
                yaml.dump(data, f)


def restore_schedules(ws: Workspace) -> list[str]:
    """Put the production schedules back (the demo's day is over); the gateway reloads them on SIGHUP."""
    yaml = _yaml()
    restored = []
    for partner, crons in ws.compressed.items():
        path = ws.root / "partners" / f"{partner}.yaml"
        if not path.is_file():
            continue
        data: Any = yaml.load(path.read_text(encoding="utf-8")) or {}
        for doc in data.get("documents") or []:
            cron = crons.get(str(doc.get("type")))
            if cron and doc.get("trigger") == "schedule":
                doc["schedule"] = DoubleQuotedScalarString(cron)
                restored.append(f"{partner} {doc.get('type')} at '{cron}'")
        comments = data.ca.items.get("documents")
        if comments:
            data.ca.items.pop("documents")          # the "demo: every Odoo poll" note no longer holds
        with path.open("w", encoding="utf-8") as f:
            yaml.dump(data, f)
    ws.compressed.clear()
    return restored


def _sftp_pickup(ws: Workspace) -> None:
    """Partners who send over our SFTP server fetch what we send from it too: outbound `sftp` channel.

    A partner file that delivers into a folder under the partner's SFTP home instead is switched
    to the `sftp` channel: the SFTP server only shows a partner its inbound/ and outbound/, and
    settles a message when the partner fetches and deletes it.
    """
    yaml = _yaml()
    for partner_file in sorted((ws.root / "partners").glob("*.yaml")):
        data: Any = yaml.load(partner_file.read_text(encoding="utf-8")) or {}
        users = [c["user"] for c in data.get("inbound") or [] if c.get("channel") == "sftp"]
        out = data.get("outbound") or {}
        if users and out.get("channel") == "sftp":
            ws.sftp_pickup.append(partner_file.stem)          # already fetches from its outbound/
            continue
        if users and out.get("channel") == "folder" and str(out.get("path", "")).startswith(f"sftp/{users[0]}/"):
            data["outbound"] = {"channel": "sftp", "user": users[0]}
            ws.sftp_pickup.append(partner_file.stem)
            with partner_file.open("w", encoding="utf-8") as f:
                yaml.dump(data, f)


def _partner_credentials(ws: Workspace) -> None:
    """SSH key pairs for the partners' SFTP accounts: public half where the partner file says, private kept."""
    import asyncssh

    from gateway.transports.keys import write_secret

    yaml = _yaml()
    for partner_file in sorted((ws.root / "partners").glob("*.yaml")):
        data: Any = yaml.load(partner_file.read_text(encoding="utf-8")) or {}
        for channel in data.get("inbound") or []:
            if channel.get("channel") != "sftp":
                continue
            user = str(channel["user"])
            private = ws.partner_dir / f"{user}_ed25519"
            key = asyncssh.generate_private_key("ssh-ed25519", comment=f"{user}@demo-partner")
            write_secret(private, key.export_private_key())
            ws.partner_keys[user] = private
            listed = list(channel.get("authorized_keys") or [])
            if not listed:
                listed = [f"keys/{user}.pub"]
                channel["authorized_keys"] = listed
                with partner_file.open("w", encoding="utf-8") as f:
                    yaml.dump(data, f)
            for rel in listed:
                target = Path(rel) if Path(rel).is_absolute() else ws.root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                key.write_public_key(str(target))


def _as2_certificates(ws: Workspace) -> None:
    """Our AS2 certificate and key (gateway.yaml as2_server), and each AS2 partner's certificate.

    The partner's private key is kept under demo-partners/<partner>.key for the demo's AS2 station.
    """
    from gateway.demo.partners import make_certificate

    yaml = _yaml()
    data: Any = yaml.load(ws.config_path.read_text(encoding="utf-8"))
    server = data.setdefault("as2_server", {})
    cert = Path(server.get("certificate") or "certs/acmedist.pem")
    key = Path(server.get("private_key") or "keys/acmedist.key")
    make_certificate(ws.root / cert if not cert.is_absolute() else cert,
                     ws.root / key if not key.is_absolute() else key, "Acme Distribution AS2")
    server["certificate"], server["private_key"] = str(cert), str(key)
    with ws.config_path.open("w", encoding="utf-8") as f:
        yaml.dump(data, f)
    for partner_file in sorted((ws.root / "partners").glob("*.yaml")):
        pdata: Any = yaml.load(partner_file.read_text(encoding="utf-8")) or {}
        for channel in pdata.get("inbound") or []:
            if channel.get("channel") != "as2":
                continue
            certs = list(channel.get("certificates") or [])
            if not certs:
                continue
            pcert = Path(certs[0]) if Path(certs[0]).is_absolute() else ws.root / certs[0]
            pkey = ws.partner_dir / f"{partner_file.stem}.key"
            make_certificate(pcert, pkey, f"{pdata.get('name') or partner_file.stem} AS2")
            ws.as2_partners[partner_file.stem] = (str(channel["as2_id"]), pcert, pkey)
            # an AS2 partner receives over AS2 too: the demo runs its AS2 server on a free port
            port = free_port()
            ws.ports.partner_as2[partner_file.stem] = port
            pdata["outbound"] = {"channel": "as2", "as2_id": str(channel["as2_id"]), "certificates": certs,
                                 "url": f"http://127.0.0.1:{port}/as2", "mdn": "sync", "mdn_signed": True}
            with partner_file.open("w", encoding="utf-8") as f:
                yaml.dump(pdata, f)


def set_aside_broken_partners(ws: Workspace) -> dict[str, str]:
    """Move partner files that do not lint (e.g. a translation profile not written yet) to partners.unready/.

    The gateway refuses to start on any configuration error, as it should; the demo instead runs
    with the partners that are complete and says which ones it set aside and why.
    """
    from gateway.config.loader import lint

    aside: dict[str, str] = {}
    for _ in range(10):
        errors = lint(ws.config_path)
        if not errors:
            break
        by_file: dict[Path, str] = {}
        for error in errors:
            path = Path(error.path).resolve() if error.path else None
            if path is not None and path.parent == (ws.root / "partners").resolve() and path not in by_file:
                by_file[path] = error.message + (f" ({error.hint})" if error.hint else "")
        if not by_file:
            break          # an error outside the partner files: the gateway will say it
        target = ws.root / "partners.unready"
        target.mkdir(exist_ok=True)
        for path, why in by_file.items():
            shutil.move(str(path), str(target / path.name))
            aside[path.stem] = why
    return aside
