"""`edi-gateway init DIR`: a complete working workspace (gateway.yaml, example partners, translations,
sample files, inbox/ and outbox/<partner>/), runnable with no network peer."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from gateway.cli import EXIT_ERROR, EXIT_OK

HELP = "create a working workspace in DIR: gateway.yaml, example partners, translations, samples, inbox, outbox"

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, help="folder to create (must be empty or absent)")
    parser.add_argument("--force", action="store_true", help="write into a folder that is not empty")


def run(args: argparse.Namespace) -> int:
    target: Path = args.dir
    if target.exists() and any(target.iterdir()) and not args.force:
        print(f"error: {target} is not empty (use --force to write into it)")
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
    print(f"workspace ready in {target}")
    print(f"  partners: {', '.join(partners) or '(none)'}")
    print(f"  check:    edi-gateway lint --config {target / 'gateway.yaml'}")
    print(f"  run:      edi-gateway run --config {target / 'gateway.yaml'}")
    if (target / "samples").is_dir():
        print(f"  then copy a file from {target / 'samples'} into {target / 'inbox'}")
    return EXIT_OK
