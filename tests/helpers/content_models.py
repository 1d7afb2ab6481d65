"""Checking a written XML document against content models read from its DTD or XSD (no validator for cXML's
DTDs or UBL's XSDs ships on PyPI, so the tests state the models of the elements a profile writes)."""

from __future__ import annotations

from typing import Any

# tag -> (children in their order, each "Name", "Name?" or "Name*", alternatives "A|B"; required attributes)
Models = dict[str, tuple[list[str], list[str]]]
AMOUNTS = ("Amount", "Money")      # elements whose text is a figure and may not be empty


def problems(element: Any, models: Models) -> list[str]:
    """What under `element` breaks `models`: a required child missing, a child out of order or not in the
    model, a required attribute missing, an empty amount. Elements without a model are not looked at."""
    found: list[str] = []
    for el in element.iter():
        tag = el.tag.split("}")[-1] if isinstance(el.tag, str) else ""
        if tag not in models:
            continue
        model, required = models[tag]
        found += [f"{tag}: no @{a}" for a in required if el.get(a) is None]
        if tag.endswith(AMOUNTS) and len(el) == 0 and not (el.text or "").strip():
            found.append(f"{tag}: empty")
        children, i = [c.tag.split("}")[-1] for c in el if isinstance(c.tag, str)], 0
        for slot in model:
            names, mark = slot.rstrip("?*").split("|"), slot[-1] if slot[-1] in "?*" else ""
            taken = 0
            while i < len(children) and children[i] in names and (mark == "*" or taken == 0):
                i, taken = i + 1, taken + 1
            if taken == 0 and mark == "":
                found.append(f"{tag}: no {slot} where {children[i] if i < len(children) else 'its end'} is")
        if i < len(children):
            found.append(f"{tag}: {children[i]} out of place (children {children})")
    return found
