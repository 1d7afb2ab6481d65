"""Workspaces made of the shipped example partners (gateway/examples), for translation tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from gateway.commands.init import write_stand_in_credentials

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "gateway" / "examples"


def example_workspace(target: Path, partners: tuple[str, ...]) -> Path:
    """A gateway.yaml workspace with only these example partners and their translation overrides.

    Lint checks that the certificates and keys a partner file names exist, so the stand-ins
    `edi-gateway init` writes are written here too (one way to make them). Returns gateway.yaml.
    """
    (target / "partners").mkdir(parents=True)
    (target / "translations").mkdir()
    shutil.copy(EXAMPLES / "gateway.yaml", target / "gateway.yaml")
    for partner in partners:
        shutil.copy(EXAMPLES / "partners" / f"{partner}.yaml", target / "partners")
        for profile in (EXAMPLES / "translations").glob(f"{partner}-*.yaml"):
            shutil.copy(profile, target / "translations")
    write_stand_in_credentials(target)
    return target / "gateway.yaml"
