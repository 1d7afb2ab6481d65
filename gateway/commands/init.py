"""`edi-gateway init DIR`: a complete working workspace (gateway.yaml, example partners, translations,
sample files, inbox/ and outbox/<partner>/), runnable with no network peer."""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
from pathlib import Path

from gateway.cli import EXIT_ERROR, EXIT_OK

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, help="folder to create (must be empty or absent)")
    parser.add_argument("--force", action="store_true", help="write into a folder that is not empty")


def run(args: argparse.Namespace) -> int:
    target: Path = args.dir
    if target.exists() and any(target.iterdir()) and not args.force:
        print(f"error: {target} is not empty (use --force to write into it)", file=sys.stderr)
        return EXIT_ERROR
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(EXAMPLES / "gateway.yaml", target / "gateway.yaml")
    for name in ("partners", "translations", "samples"):
        if (EXAMPLES / name).is_dir():
            shutil.copytree(EXAMPLES / name, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif name != "samples":
            (target / name).mkdir(exist_ok=True)
    for folder in ("inbox", "inbox/processed", "outbox", "state", "archive", "quarantine"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    partners = sorted(p.stem for p in (target / "partners").glob("*.yaml"))
    for pid in partners:
        (target / "outbox" / pid).mkdir(exist_ok=True)
    made = write_stand_in_credentials(target)
    print(f"workspace ready in {target}")
    print(f"  partners: {', '.join(partners) or '(none)'}")
    print(f"  check:    edi-gateway lint --config {target / 'gateway.yaml'}")
    print(f"  run:      edi-gateway run --config {target / 'gateway.yaml'}")
    if (target / "samples").is_dir():
        print(f"  then copy a file from {target / 'samples'} into {target / 'inbox'}")
    if made:
        print(f"  stand-in certificates and keys (replace with your partners' real ones): {', '.join(made)}")
        print(f"  the partners' private halves, for trying the channels yourself: {target / PARTNER_SIDE}")
    return EXIT_OK


PARTNER_SIDE = "partner-credentials"


def write_stand_in_credentials(workspace: Path) -> list[str]:
    """Write the certificates and keys the workspace's partner files name but that do not exist yet.

    So an example workspace lints and runs as shipped: lint refuses an AS2 partner without a
    loadable certificate (and without our AS2 server and its certificate), an SFTP account
    without its public keys. The partners' private halves go to `partner-credentials/`, never
    where the gateway reads its own secrets; files that exist are left alone, so a second call
    writes nothing. Returns the files written where the gateway reads them, relative to
    `workspace`. `init` calls it; tests and tools that build a workspace of their own call it
    too (one way to make stand-ins).
    """
    from gateway.config.loader import load_partners
    from gateway.config.models import As2Channel, SftpAccountChannel

    partners, _files, _errors = load_partners(workspace / "partners", workspace.resolve())
    made: list[str] = []
    uses_as2 = False
    for pid, partner in partners.items():
        for channel in partner.inbound:
            if isinstance(channel, As2Channel):
                uses_as2 = True
                for cert in channel.certificates:
                    if not cert.exists():
                        _certificate(cert, workspace / PARTNER_SIDE / f"{pid}.key", f"{partner.name or pid} AS2")
                        made.append(str(cert.relative_to(workspace.resolve())))
            elif isinstance(channel, SftpAccountChannel):
                for public in channel.authorized_keys:
                    if not public.exists():
                        _ssh_key(public, workspace / PARTNER_SIDE / f"{channel.user}_ed25519",
                                 f"{channel.user}@partner")
                        made.append(str(public.relative_to(workspace.resolve())))
    if uses_as2:
        made += _our_as2_certificate(workspace)
    return made


def _our_as2_certificate(target: Path) -> list[str]:
    """A partner uses AS2: our AS2 server needs a certificate and key, and must be on (loopback)."""
    from ruamel.yaml import YAML

    config = target / "gateway.yaml"
    text = config.read_text(encoding="utf-8")
    server = dict((YAML(typ="safe").load(text) or {}).get("as2_server") or {})
    if server.get("certificate") and server.get("private_key"):
        return []
    cert, key = "certs/acmedist.pem", "keys/acmedist.key"
    _certificate(target / cert, target / key, "Acme Distribution AS2")
    server.update(enabled=True, certificate=cert, private_key=key)
    flow = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in server.items())
    lines: list[str] = []
    in_block = False
    for line in text.splitlines():
        if in_block and line.startswith((" ", "\t")):
            continue                              # the old block-style settings, now in the one line
        in_block = line.startswith("as2_server:")
        lines.append(f"as2_server: {{{flow}}}" if in_block else line)
    if not any(line.startswith("as2_server:") for line in lines):
        lines.append(f"as2_server: {{{flow}}}")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [cert, key]


def _certificate(cert_path: Path, key_path: Path, common_name: str) -> None:
    """A self-signed RSA-2048 certificate (AS2 signing and encryption), valid for a year."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from gateway.transports.keys import write_secret

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    for path in (cert_path, key_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    write_secret(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))


def _ssh_key(public_path: Path, private_path: Path, comment: str) -> None:
    """An ed25519 key pair: the public half where the partner file lists it, the private half aside."""
    import asyncssh

    from gateway.transports.keys import write_secret

    key = asyncssh.generate_private_key("ssh-ed25519", comment=comment)
    for path in (public_path, private_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    write_secret(private_path, key.export_private_key())
    key.write_public_key(str(public_path))
