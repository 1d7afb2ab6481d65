"""Odoo domains evaluated in Python, with the semantics of `osv/expression.py`.

Prefix notation (`&`, `|` take two operands, `!` one; terms are joined by an implicit
`&`), dotted paths across many2one and x2many ("any line matches"), `child_of` /
`parent_of` over the model's parent field, and Odoo's NULL rules: `!=` and `not in`
also match empty values, comparisons never do, `('f', '=', False)` matches empty.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from gateway.odoo.sandbox.exceptions import OdooValueError

if TYPE_CHECKING:
    from gateway.odoo.sandbox.orm import Env

OPERATORS = {"=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like", "ilike",
             "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any"}
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)

Node = tuple[Any, ...]


def parse(domain: Any) -> Node:
    """Turn a domain list into a tree of ('&', a, b) / ('|', a, b) / ('!', a) / ('term', f, op, v)."""
    if domain is None:
        domain = []
    if not isinstance(domain, (list, tuple)):
        raise OdooValueError(f"Invalid domain: {domain!r}")
    items = list(domain)
    pos = 0

    def take() -> Node:
        nonlocal pos
        if pos >= len(items):
            raise OdooValueError(f"Invalid domain {domain!r}: an operator is missing an operand")
        item = items[pos]
        pos += 1
        if item in ("&", "|"):
            left = take()
            right = take()
            return (item, left, right)
        if item == "!":
            return ("!", take())
        return _term(item, domain)

    nodes: list[Node] = []
    while pos < len(items):
        nodes.append(take())
    if not nodes:
        return ("true",)
    tree = nodes[-1]
    for node in reversed(nodes[:-1]):
        tree = ("&", node, tree)
    return tree


def _term(item: Any, domain: Any) -> Node:
    if isinstance(item, (list, tuple)) and len(item) == 3:
        left, op, right = item
        if (left, op, right) in (TRUE_LEAF, (1, "=", 1)):
            return ("true",)
        if (left, op, right) == FALSE_LEAF:
            return ("false",)
        if not isinstance(left, str) or not isinstance(op, str):
            raise OdooValueError(f"Invalid leaf {list(item)!r}")
        op = op.lower()
        if op == "<>":
            op = "!="
        if op not in OPERATORS:
            raise OdooValueError(f"Invalid leaf {list(item)!r}: unknown operator {op!r}")
        return ("term", left, op, right)
    raise OdooValueError(f"Invalid leaf {item!r} in domain {domain!r}")


def filter_ids(env: Env, model: str, domain: Any, ids: list[int]) -> list[int]:
    tree = parse(domain)
    _check(env, model, tree)
    return [rid for rid in ids if _match(env, model, rid, tree)]


def _check(env: Env, model: str, node: Node) -> None:
    kind = node[0]
    if kind in ("&", "|"):
        _check(env, model, node[1])
        _check(env, model, node[2])
    elif kind == "!":
        _check(env, model, node[1])
    elif kind == "term":
        current = model
        path = node[1].split(".")
        for i, fname in enumerate(path):
            spec = env.db.models[current]
            if fname != "id" and fname not in spec.fields:
                raise OdooValueError(f"Invalid field {current}.{fname} in leaf {[node[1], node[2], node[3]]!r}")
            if fname == "id":
                break
            field = spec.fields[fname]
            if field.relation and i < len(path) - 1:
                current = field.relation


def _match(env: Env, model: str, rid: int, node: Node) -> bool:
    kind = node[0]
    if kind == "true":
        return True
    if kind == "false":
        return False
    if kind == "&":
        return _match(env, model, rid, node[1]) and _match(env, model, rid, node[2])
    if kind == "|":
        return _match(env, model, rid, node[1]) or _match(env, model, rid, node[2])
    if kind == "!":
        return not _match(env, model, rid, node[1])
    return _match_term(env, model, rid, node[1], node[2], node[3])


def _match_term(env: Env, model: str, rid: int, path: str, op: str, value: Any) -> bool:
    head, _, rest = path.partition(".")
    if head == "id":
        return _compare_relational(env, model, [rid], op, value)
    field = env.db.models[model].fields[head]
    raw = env.get(model, rid, head)
    if rest:
        targets = _as_ids(raw)
        if op in ("!=", "not in", "not like", "not ilike"):
            # Odoo: a negative operator over a path means "no related record matches the positive one"
            positive = {"!=": "=", "not in": "in", "not like": "like", "not ilike": "ilike"}[op]
            return not any(_match_term(env, field.relation or "", t, rest, positive, value) for t in targets)
        return any(_match_term(env, field.relation or "", t, rest, op, value) for t in targets)
    if field.relation:
        if op in ("any", "not any"):
            sub = filter_ids(env, field.relation, value, _as_ids(raw))
            return bool(sub) if op == "any" else not sub
        return _compare_relational(env, field.relation, _as_ids(raw), op, value)
    return _compare_scalar(raw, op, value)


def _as_ids(raw: Any) -> list[int]:
    if not raw:
        return []
    if isinstance(raw, int):
        return [raw]
    return list(raw)


def _resolve_names(env: Env, model: str, value: Any) -> Any:
    """A many2one compared with a name (string) compares with the records of that name."""
    if isinstance(value, str):
        return [r for r in env.all_ids(model) if env.display_name(model, r) == value]
    if isinstance(value, (list, tuple)) and any(isinstance(v, str) for v in value):
        names = {v for v in value if isinstance(v, str)}
        ids = [v for v in value if isinstance(v, int)]
        return ids + [r for r in env.all_ids(model) if env.display_name(model, r) in names]
    return value


def _compare_relational(env: Env, comodel: str, ids: list[int], op: str, value: Any) -> bool:
    if op in ("child_of", "parent_of"):
        roots = _as_ids(_resolve_names(env, comodel, value)) if not isinstance(value, int) else [value]
        related = env.hierarchy(comodel, roots, down=(op == "child_of"))
        return any(i in related for i in ids)
    if op in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
        names = [env.display_name(comodel, i) for i in ids]
        if op.startswith("not"):
            return not any(_compare_scalar(n, op[4:], value) for n in names)
        return any(_compare_scalar(n, op, value) for n in names)
    if op == "=?":
        if value is None or value is False:
            return True
        op = "="
    value = _resolve_names(env, comodel, value)
    if op in ("=", "!="):
        if value is False or value is None:
            hit = not ids
        elif isinstance(value, list):
            hit = any(i in value for i in ids)
        else:
            hit = value in ids
        return hit if op == "=" else not hit
    if op in ("in", "not in"):
        wanted = set(value if isinstance(value, (list, tuple, set)) else [value])
        hit = (not ids and False in wanted) or any(i in wanted for i in ids)
        return hit if op == "in" else not hit
    if op in ("<", ">", "<=", ">="):
        return any(_compare_scalar(i, op, value) for i in ids)
    raise OdooValueError(f"Invalid operator {op!r} for a relational field")


def _like_regex(pattern: str, wrap: bool, flags: int) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    body = "".join(out)
    if wrap:
        body = f".*{body}.*"
    return re.compile(f"^{body}$", flags | re.DOTALL)


def _compare_scalar(raw: Any, op: str, value: Any) -> bool:
    empty = raw is False or raw is None or raw == ""
    if op == "=?":
        if value is None or value is False:
            return True
        op = "="
    if op == "=":
        if value is False or value is None:
            return empty if not isinstance(raw, bool) else raw is False
        return raw == value if not empty or isinstance(raw, bool) else False
    if op == "!=":
        if value is False or value is None:
            return not empty if not isinstance(raw, bool) else raw is True
        return empty or raw != value
    if op in ("in", "not in"):
        seq = list(value) if isinstance(value, (list, tuple, set)) else [value]
        hit = raw in seq or (empty and False in seq)
        return hit if op == "in" else not hit
    if op in ("like", "ilike", "=like", "=ilike", "not like", "not ilike"):
        negate = op.startswith("not ")
        base = op[4:] if negate else op
        if value is False or value is None:
            hit = empty
        elif empty:
            hit = False
        else:
            flags = re.IGNORECASE if "ilike" in base else 0
            hit = bool(_like_regex(str(value), not base.startswith("="), flags).match(str(raw)))
        return (not hit) if negate else hit
    if op in ("<", ">", "<=", ">="):
        if empty and not isinstance(raw, (int, float)) or value is False or value is None:
            return False
        try:
            if op == "<":
                return bool(raw < value)
            if op == ">":
                return bool(raw > value)
            if op == "<=":
                return bool(raw <= value)
            return bool(raw >= value)
        except TypeError:
            return False
    raise OdooValueError(f"Invalid operator {op!r}")
