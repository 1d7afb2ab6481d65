"""Allowance/charge codes across syntaxes: the shipped code lists (`allowance_codes` in x12-common,
edifact-common, ubl-common) read a partner's code (SAC02 D240, ALC 7161 FC) as one canonical word (freight).

Settings keyed by a code, such as a partner's `odoo.charge_products`, were written with the partner's own
codes before the words existed; `charge_key` still finds those.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from gateway.translate.profile import BASE_DIR
from gateway.translate.yamlsrc import load_yaml

SHARED_LISTS = ("x12-common", "edifact-common", "ubl-common")


@functools.cache
def source_codes() -> dict[str, tuple[str, ...]]:
    """Canonical word -> the partner codes the shipped lists read as it ({"freight": ("D240", "FC")})."""
    found: dict[str, list[str]] = {}
    for name in SHARED_LISTS:
        codes = load_yaml(BASE_DIR / f"{name}.yaml").get("codes") or {}
        for code, word in (codes.get("allowance_codes") or {}).items():
            if code != "_out" and str(code) not in found.setdefault(str(word), []):
                found[str(word)].append(str(code))
    return {word: tuple(codes) for word, codes in found.items()}


def charge_key(code: str | None, kind: str, mapping: Mapping[str, str]) -> str | None:
    """The key of `mapping` for an allowance/charge: its code (a canonical word, or a code no list knows, as
    the partner sent it), else a partner code the shipped lists read as that word (`D240` for freight), else
    its kind (`allowance` / `charge`); None when none is there."""
    if code is not None:
        for key in (code, *source_codes().get(code, ())):
            if key in mapping:
                return key
    return kind if kind in mapping else None


def charged_as(product_code: str | None, mapping: Mapping[str, str]) -> tuple[str | None, bool]:
    """What an Odoo line on one of `mapping`'s products (`odoo.charge_products`) was: (the canonical code of the
    allowance/charge, or None when only its kind maps it; whether the product is one at all). The reverse of
    `charge_key`: a partner code the shipped lists know is written back as their word (`D240` as freight)."""
    keys = [key for key, code in mapping.items() if code == product_code] if product_code else []
    coded = [key for key in keys if key not in ("allowance", "charge")]
    if not coded:
        return None, bool(keys)
    words = {code: word for word, codes in source_codes().items() for code in codes}
    return words.get(coded[0], coded[0]), True
