"""Writing XML from simple relative paths: `cac:Party/cbc:ID[@schemeID='0088']`, `cbc:Quantity/@unitCode`.

Reading uses full XPath (lxml). Writing needs the inverse, so outbound paths are limited
to child steps with optional `[@attr='value']` predicates and a final `@attr`: each step
finds an existing child with that name (and predicate) or creates it, so fields written
in profile order build the document in that order. The last element step may also hold a
predicate on its children (`cac:Delivery[cac:DeliveryLocation or cac:DeliveryParty]`): it
only selects on reading; writing makes the element and the node's fields fill those children.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from gateway.errors import ConfigError
from gateway.translate.yamlsrc import Where

_STEP = re.compile(r"^(?P<name>[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)"
                   r"(?P<preds>(?:\[@[\w:.\-]+=(?:'[^']*'|\"[^\"]*\")\])*)$")
# the context element itself, when it has these attributes (`self::*[@requestedDeliveryDate]`): inbound
# the predicate selects, outbound there is no step to make (the fields are written on the element)
_SELF = re.compile(r"self::\*(?:\[@[\w:.\-]+\])*")
_PRED = re.compile(r"\[@([\w:.\-]+)=(?:'([^']*)'|\"([^\"]*)\")\]")
_NAME = r"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?"
_HAS = re.compile(rf"\[{_NAME}(?: or {_NAME})*\]$")     # [cac:A] or [cac:A or cac:B]: has such a child


XML_NS = "http://www.w3.org/XML/1998/namespace"    # the `xml:` prefix every XML document has (xml:lang)


def qname(name: str, namespaces: Mapping[str, str], where: Where) -> str:
    prefix, _, local = name.rpartition(":")
    if prefix == "xml":
        return f"{{{XML_NS}}}{local}"
    if not prefix:
        default = namespaces.get("", "")               # the profile loader keys the default namespace ""
        return f"{{{default}}}{local}" if default else local
    if prefix not in namespaces:
        raise ConfigError(f"namespace prefix {prefix!r} is not declared under namespaces:", where[0], where[1])
    return f"{{{namespaces[prefix]}}}{local}"


def parse_steps(expr: str, namespaces: Mapping[str, str], where: Where
                ) -> tuple[list[tuple[str, list[tuple[str, str]]]], str | None]:
    """(element steps with attribute predicates, final attribute or None); '.' and `self::*[@attr]`
    steps are skipped."""
    steps: list[tuple[str, list[tuple[str, str]]]] = []
    attr: str | None = None
    parts = [p for p in expr.split("/") if p not in ("", ".") and not _SELF.fullmatch(p)]
    last_element = len(parts) - 2 if parts and parts[-1].startswith("@") else len(parts) - 1
    for i, part in enumerate(parts):
        if part.startswith("@") and i == len(parts) - 1:
            attr = part[1:]
            attr = qname(attr, namespaces, where) if ":" in attr else attr
            continue
        if i == last_element:
            part = _HAS.sub("", part)
        match = _STEP.match(part)
        if not match:
            raise ConfigError(f"XPath {expr!r} cannot be written outbound (step {part!r}); use child steps, "
                              "[@attr='value'] predicates and a final @attr", where[0], where[1])
        preds = [(qname(a, namespaces, where) if ":" in a else a, v1 or v2)
                 for a, v1, v2 in _PRED.findall(match.group("preds"))]
        steps.append((qname(match.group("name"), namespaces, where), preds))
    return steps, attr


def walk(parent: Any, steps: list[tuple[str, list[tuple[str, str]]]], create_last: bool = False) -> Any:
    """Find-or-create each step under `parent`; `create_last` always makes a new final element."""
    node = parent
    for i, (tag, preds) in enumerate(steps):
        found = None
        if not (create_last and i == len(steps) - 1):
            for child in node.iterchildren(tag):
                if all(child.get(a) == v for a, v in preds):
                    found = child
                    break
        if found is None:
            found = etree.SubElement(node, tag)
            for a, v in preds:
                found.set(a, v)
        node = found
    return node


def placer(expr: str, namespaces: Mapping[str, str], where: Where) -> Callable[[Any, str], None]:
    steps, attr = parse_steps(expr, namespaces, where)

    def put(element: Any, raw: str) -> None:
        target = walk(element, steps)
        if attr is not None:
            target.set(attr, raw)
        else:
            target.text = raw
    return put
