"""Workspaces made of the shipped example partners (gateway/examples), for translation tests."""

from __future__ import annotations

import copy
import dataclasses
import shutil
from functools import cache
from pathlib import Path

from gateway.commands.init import write_stand_in_credentials
from gateway.config.loader import LoadedConfig, load

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


@cache
def _examples_once() -> LoadedConfig:
    return load(EXAMPLES / "gateway.yaml")


def loaded_examples() -> LoadedConfig:
    """gateway/examples/gateway.yaml as the loader reads it, for the Odoo tests' module fixtures. Reading it is about
    0.35 s of CPU, once per process here instead of once per module (some 65 modules). Each call gets its own copy
    of the settings and partners, which a test may change; the compiled profiles are shared, as tests only read them
    (see tests/helpers/profiles.py)."""
    once = _examples_once()
    return dataclasses.replace(once, gateway=copy.deepcopy(once.gateway), partners=copy.deepcopy(once.partners),
                               partner_files=dict(once.partner_files), warnings=list(once.warnings))
