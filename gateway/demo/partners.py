"""The trading partners of the demo world, played from inside the demo process.

They use independent or partner-side clients, as real partners would: EuroHandel writes files
into the shared folder, ShopMarket and Northwind log into our SFTP server with their SSH keys
(asyncssh client, host key pinned), and BigBox runs an AS2 station (the gateway's own AS2 client
and server classes, configured as BigBox: its certificate, its AS2 id) that sends its 850 and
receives our 997, 856 and 810 with signed MDNs.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from gateway.demo.workspace import Workspace

MALFORMED_NAME = "PO_truncated_0830.x12"
# An 850 whose ISA header stops after ISA08: the envelope cannot be read, so the file is quarantined.
MALFORMED = (b"ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST~"
             b"GS*PO*BIGBOX*ACMEDIST*20261128*0830*77*X*004010VICS~ST*850*0001~BEG*00*SA*PO-77**20261128~")


def samples(ws: Workspace, partner: str, later: bool = False) -> list[Path]:
    """The partner's sample files; `later`: those it sends once its orders are in Odoo (changes)."""
    folder = ws.root / "samples" / partner / ("later" if later else "")
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def _atomic_drop(src_data: bytes, folder: Path, name: str) -> None:
    """Write as a dotfile (the inbox ignores those) and rename: the gateway never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.part"
    tmp.write_bytes(src_data)
    os.replace(tmp, folder / name)


def drop_in_folder(ws: Workspace, partner: str, later: bool = False) -> list[str]:
    """The partner's sample files (`later`: its changes), placed in the shared inbox."""
    names = []
    for path in samples(ws, partner, later):
        _atomic_drop(path.read_bytes(), ws.root / "inbox", path.name)
        names.append(path.name)
    return names


def drop_malformed(ws: Workspace) -> str:
    _atomic_drop(MALFORMED, ws.root / "inbox", MALFORMED_NAME)
    return MALFORMED_NAME


# --------------------------------------------------------------------------- SFTP

def _server_host_key(ws: Workspace) -> Any:
    """The gateway's SSH host key (public half), to pin it instead of trusting on first use."""
    import asyncssh

    yaml = YAML(typ="safe")
    config = yaml.load((ws.config_path).read_text(encoding="utf-8")) or {}
    key_path = Path((config.get("sftp_server") or {}).get("host_key") or "state/ssh_host_ed25519_key")
    if not key_path.is_absolute():
        key_path = ws.root / key_path
    for candidate in (key_path.with_name(key_path.name + ".pub"), key_path):
        if candidate.is_file():
            try:
                return asyncssh.read_public_key(str(candidate))
            except (asyncssh.KeyImportError, ValueError):
                return asyncssh.read_private_key(str(candidate)).convert_to_public()
    return None


async def upload_sftp(ws: Workspace, partner: str) -> list[str]:
    """Log in as the partner (key only, host key pinned) and upload its sample files."""
    import asyncssh

    files = samples(ws, partner)
    if not files:
        return []
    host_key = _server_host_key(ws)
    known_hosts: Any = None       # None: the host key file is missing (then the gateway is not up either)
    if host_key is not None:
        known_hosts = ([host_key], [], [])
    async with asyncssh.connect("127.0.0.1", ws.ports.sftp, username=partner,
                                client_keys=[str(ws.partner_keys[partner])], known_hosts=known_hosts,
                                agent_path=None, config=None) as conn, conn.start_sftp_client() as sftp:
        target = "."
        for name in ("inbound", "inbox", "in", "upload"):
            if await sftp.isdir(name):
                target = name
                break
        for path in files:
            # upload under a temporary name and rename, as careful partners' scripts do
            tmp = f"{target}/{path.name}.part"
            await sftp.put(str(path), tmp)
            await sftp.rename(tmp, f"{target}/{path.name}")
    return [p.name for p in files]


# --------------------------------------------------------------------------- AS2 certificates

def make_certificate(cert_path: Path, key_path: Path, common_name: str) -> None:
    """A self-signed RSA-2048 certificate for AS2 signing and encryption (demo only)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from gateway.transports.keys import write_secret

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edi-gateway demo")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    write_secret(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))


# --------------------------------------------------------------------------- picking up and acknowledging

@dataclass
class X12Party:
    qualifier: str
    id: str


def x12_functional_ack(data: bytes, kind: str, sender: X12Party, receiver: X12Party, control: int) -> bytes | None:
    """The 997 or 999 a partner's translator sends back for an X12 interchange it accepted.

    Written from the interchange's own envelope (delimiters from the ISA, GS01/GS06/GS08, each
    ST01/ST02), independently of the gateway's acknowledgement builder. None when `data` is not
    X12 or is itself an acknowledgement.
    """
    text = data.decode("latin-1")
    if not text.startswith("ISA") or len(text) < 106:
        return None
    el, seg = text[3], text[105]
    segments = [s.strip("\r\n") for s in text.split(seg) if s.strip("\r\n")]
    groups = [s.split(el) for s in segments if s.startswith("GS" + el)]
    sets = [s.split(el) for s in segments if s.startswith("ST" + el)]
    if not groups or not sets or sets[0][1] in ("997", "999", "TA1"):
        return None
    gs = groups[0]
    now = dt.datetime.now(dt.UTC)
    version = gs[8]
    ack_version = "005010X231A1" if kind == "999" else version
    body = [el.join(["ST", kind, "0001"] + ([ack_version] if kind == "999" else [])),
            el.join(["AK1", gs[1], gs[6]] + ([version] if kind == "999" else []))]
    for st in sets:
        body.append(el.join(["AK2", st[1], st[2]]))
        body.append(el.join(["IK5" if kind == "999" else "AK5", "A"]))
    body.append(el.join(["AK9", "A", str(len(sets)), str(len(sets)), str(len(sets))]))
    body.append(el.join(["SE", str(len(body) + 1), "0001"]))
    isa = el.join(["ISA", "00", " " * 10, "00", " " * 10, f"{sender.qualifier:<2}", f"{sender.id:<15}",
                   f"{receiver.qualifier:<2}", f"{receiver.id:<15}", now.strftime("%y%m%d"), now.strftime("%H%M"),
                   "^" if version >= "00402" else "U", version[:5], f"{control:09d}", "0", "P", ":"])
    head = el.join(["GS", "FA", gs[3], gs[2], now.strftime("%Y%m%d"), now.strftime("%H%M"), str(control), "X",
                    ack_version])
    out = [isa, head, *body, el.join(["GE", "1", str(control)]), el.join(["IEA", "1", f"{control:09d}"])]
    return "".join(s + seg + "\n" for s in out).encode("latin-1")


def _parties(ws: Workspace, partner: str) -> tuple[X12Party, X12Party, str] | None:
    """(the partner's X12 id, ours, the ack it sends) from the workspace's partner file and gateway.yaml."""
    yaml = YAML(typ="safe")
    pdata = yaml.load((ws.root / "partners" / f"{partner}.yaml").read_text(encoding="utf-8")) or {}
    gdata = yaml.load(ws.config_path.read_text(encoding="utf-8")) or {}
    x12 = pdata.get("x12") or {}
    ours = ((gdata.get("our_ids") or {}).get("x12")) or {}
    if not x12.get("ids") or not ours or x12.get("ack", "997") == "none":
        return None
    theirs = x12["ids"][0]
    return (X12Party(str(theirs.get("qualifier", "ZZ")), str(theirs["id"])),
            X12Party(str(ours.get("qualifier", "ZZ")), str(ours["id"])), str(x12.get("ack", "997")))


async def pick_up_sftp(ws: Workspace, partner: str) -> tuple[list[str], list[str]]:
    """Log in as the partner, fetch and delete what waits in outbound/, answer X12 documents with a 997/999.

    Returns (files fetched, acknowledgements uploaded). Fetched files go to demo-partners/<partner>/received.
    """
    import asyncssh

    host_key = _server_host_key(ws)
    known_hosts: Any = ([host_key], [], []) if host_key is not None else None
    received = ws.partner_dir / partner / "received"
    received.mkdir(parents=True, exist_ok=True)
    parties = _parties(ws, partner)
    counter = ws.partner_dir / partner / "isa-counter"
    fetched: list[str] = []
    acks: list[str] = []
    async with asyncssh.connect("127.0.0.1", ws.ports.sftp, username=partner,
                                client_keys=[str(ws.partner_keys[partner])], known_hosts=known_hosts,
                                agent_path=None, config=None) as conn, conn.start_sftp_client() as sftp:
        for name in sorted(await sftp.listdir("outbound")):
            if name in (".", ".."):
                continue
            local = received / name
            await sftp.get(f"outbound/{name}", str(local))
            await sftp.remove(f"outbound/{name}")            # fetched: the gateway settles the message
            fetched.append(name)
            if parties is None:
                continue
            control = int(counter.read_text()) + 1 if counter.is_file() else 1
            ack = x12_functional_ack(local.read_bytes(), parties[2], parties[0], parties[1], control)
            if ack is None:
                continue
            counter.write_text(str(control))
            ack_name = f"{parties[2]}_{control:09d}.x12"
            async with sftp.open(f"inbound/{ack_name}.part", "wb") as f:
                await f.write(ack)
            await sftp.rename(f"inbound/{ack_name}.part", f"inbound/{ack_name}")
            acks.append(ack_name)
    return fetched, acks


def edifact_contrl(data: bytes, control: int) -> bytes | None:
    """The CONTRL a partner's translator sends for an EDIFACT interchange it accepted (UCI action 7).

    Written from our interchange's UNB (sender, recipient, reference, syntax), with the default
    delimiters; None when `data` is not EDIFACT or is itself a CONTRL.
    """
    text = data.decode("latin-1")
    if text.startswith("UNA"):
        comp, el, rel, seg = text[3], text[4], text[6], text[8]
        text = text[9:]
    else:
        comp, el, rel, seg = ":", "+", "?", "'"
    segments = [s.strip("\r\n") for s in text.split(seg) if s.strip("\r\n")]
    unb = next((s.split(el) for s in segments if s.startswith("UNB" + el)), None)
    if unb is None or any(f"{el}CONTRL{comp}" in s for s in segments if s.startswith("UNH")):
        return None
    if rel in "".join(unb):
        return None                        # released characters in the envelope: not for this simple writer
    now = dt.datetime.now(dt.UTC)
    out = [
        el.join(["UNB", unb[1], unb[3], unb[2], now.strftime("%y%m%d") + comp + now.strftime("%H%M"),
                 f"C{control:08d}"]),
        el.join(["UNH", "1", comp.join(["CONTRL", "D", "3", "UN"])]),
        el.join(["UCI", unb[5], unb[2], unb[3], "7"]),
        el.join(["UNT", "3", "1"]),
        el.join(["UNZ", "1", f"C{control:08d}"]),
    ]
    return (f"UNA{comp}{el}.{rel} {seg}\n" + "".join(s + seg + "\n" for s in out)).encode("latin-1")


def acknowledge_folder_deliveries(ws: Workspace, partner: str) -> list[str]:
    """A folder partner reads what we delivered to it and drops a CONTRL for each interchange into the inbox."""
    yaml = YAML(typ="safe")
    pdata = yaml.load((ws.root / "partners" / f"{partner}.yaml").read_text(encoding="utf-8")) or {}
    out = pdata.get("outbound") or {}
    if out.get("channel") != "folder" or not (pdata.get("edifact") or {}):
        return []
    folder = Path(out.get("path") or f"outbox/{partner}")
    folder = folder if folder.is_absolute() else ws.root / folder
    state = ws.partner_dir / partner
    state.mkdir(parents=True, exist_ok=True)
    done_file = state / "acknowledged.txt"
    done = set(done_file.read_text().split()) if done_file.is_file() else set()
    counter = state / "unb-counter"
    sent = []
    for path in sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith(".")):
        if path.name in done:
            continue
        control = int(counter.read_text()) + 1 if counter.is_file() else 1
        contrl = edifact_contrl(path.read_bytes(), control)
        done.add(path.name)
        if contrl is None:
            continue
        counter.write_text(str(control))
        name = f"CONTRL_{partner}_{control:06d}.edi"
        _atomic_drop(contrl, ws.root / "inbox", name)
        sent.append(name)
    done_file.write_text("\n".join(sorted(done)) + "\n")
    return sent
