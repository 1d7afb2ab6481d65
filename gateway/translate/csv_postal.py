"""Postal codes a spreadsheet turned into numbers: the leading zeros it dropped, restored.

Excel reads a cell of digits as a number, so Dresden's 01067 is saved as 1067, Rome's 00184 as 184,
Boston's 02134 as 2134 and Oslo's 0150 as 150. Sent on, such an address is wrong on the delivery and the
carrier's label. In a country whose postal codes are all digits of one length, a shorter code of digits
can only be one of those (no code of that country has fewer digits), so it gets its zeros back. Other
countries' codes (letters, spaces, dashes, several lengths) and codes without a country are left as sent.

The CSV base order profile names `after_read` as its hook; a partner profile with hooks of its own calls it.
"""

from __future__ import annotations

from typing import Any

DIGITS = {**dict.fromkeys(("DE", "FR", "IT", "ES", "US", "FI", "MX", "TR", "MY"), 5),
          **dict.fromkeys(("NO", "DK", "AU", "NZ", "ZA"), 4)}
"""ISO country -> the digits of each of its postal codes, for countries where some start with 0 (UPU formats)."""


def restored(code: str, country: str) -> str:
    """`code` with the zeros a spreadsheet took off, when its country's codes are all `DIGITS` long."""
    width = DIGITS.get(country.strip().upper())
    text = code.strip()
    if width is None or not (text.isdecimal() and text.isascii()) or len(text) >= width:
        return code
    return text.zfill(width)


def after_read(data: dict[str, Any], tx: Any = None) -> dict[str, Any]:
    """Each party's postal code with its lost zeros back (see `restored`)."""
    for party in data.get("parties") or []:
        address = party.get("address") or {}
        if address.get("postal_code") and address.get("country"):
            address["postal_code"] = restored(str(address["postal_code"]), str(address["country"]))
    return data
