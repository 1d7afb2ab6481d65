"""YAML that remembers where every key came from, and `extends:` merging that keeps it.

Profiles are merged (a partner file over a base) before they are compiled; every error
the engine or `lint` reports must still name the file and line the coordinator wrote. So the
loader turns ruamel's round-trip nodes into plain `YMap`/`list` values that carry
`(path, line)` per key, and `merge()` keeps the location of whichever file set a key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from gateway.config.loader import yaml_problem
from gateway.errors import ConfigError

Where = tuple[str, int]   # (file, 1-based line)


class YMap(dict[Any, Any]):
    """A dict with the location of the mapping itself (`where`) and of each key (`key_where`)."""

    where: Where
    key_where: dict[Any, Where]

    def __init__(self, *args: Any, where: Where = ("", 0), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.where = where
        self.key_where = {}

    def loc(self, key: Any) -> Where:
        """Location of `key` (falls back to the mapping's own location)."""
        return self.key_where.get(key, self.where)


def fmt_where(where: Where) -> str:
    return f"{where[0]}:{where[1]}" if where[0] else "<profile>"


def _convert(node: Any, path: str) -> Any:
    if isinstance(node, CommentedMap):
        out = YMap(where=(path, node.lc.line + 1))
        for key, value in node.items():
            out[key] = _convert(value, path)
            try:
                out.key_where[key] = (path, node.lc.key(key)[0] + 1)
            except (KeyError, TypeError):       # a key brought in by a `<<:` merge: where the mapping is
                out.key_where[key] = out.where
        return out
    if isinstance(node, CommentedSeq):
        return [_convert(v, path) for v in node]
    return node


_CACHE: dict[tuple[str, bytes], YMap] = {}


def load_yaml(path: Path) -> YMap:
    """Read a YAML mapping with locations; any syntax problem is a ConfigError at file:line.

    Round-trip parsing is slow (~30 ms a profile), so results are kept per (path, bytes): a reload after an
    edit reads the file again, even one that kept its size and mtime (a copy keeping times, a coarse clock).
    Callers must not mutate the result.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc}", str(path)) from None
    key = (str(path), raw)
    if key not in _CACHE:
        _CACHE[key] = _load_yaml(path, raw)
    return _CACHE[key]


def _load_yaml(path: Path, raw: bytes) -> YMap:
    """Parse `raw` (the bytes of `path`), or take its tree from the disk cache (profile_cache) when it has them."""
    from gateway.translate import profile_cache  # it imports this module
    cached = profile_cache.load(path, raw)
    if cached is not None:
        return cached
    result = _parse(path, raw)
    profile_cache.store(path, raw, result)
    return result


def _parse(path: Path, raw: bytes) -> YMap:
    yaml = YAML(typ="rt")
    try:
        # as read_text() reads it: universal newlines; the bytes parsed are the bytes the cache entry is keyed by
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ConfigError(f"YAML syntax: {yaml_problem(exc)}", str(path), mark.line + 1 if mark else None,
                          mark.column + 1 if mark else None) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", str(path)) from None
    if not isinstance(data, CommentedMap):
        raise ConfigError("a translation profile must be a YAML mapping", str(path), 1)
    result = _convert(data, str(path))
    assert isinstance(result, YMap)
    return result


REPLACE_UNDER = frozenset({"fields", "when"})   # a field spec / condition is replaced whole, never merged


def merge(base: Any, over: Any, parent: Any = None) -> Any:
    """Deep-merge `over` onto `base`: mappings merge key by key, `null` deletes a key, anything else replaces.

    Under `fields:` and `when:` an entry replaces the base entry whole (an override that says
    `{pair: IN, at: 6}` must not inherit the base's `first:`).

    Keys new in `over` go at the end unless the override mapping says `_after: <key>` /
    `_before: <key>` (used to insert a structure node at a given place).
    """
    if not (isinstance(base, YMap) and isinstance(over, YMap)):
        return over
    out = YMap(where=over.where)
    out.update(base)
    out.key_where.update(base.key_where)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
            out.key_where.pop(key, None)
            continue
        if key in base and parent not in REPLACE_UNDER:
            out[key] = merge(base[key], value, key)
        else:
            out[key] = _strip_placement(value) if isinstance(value, YMap) else value
            anchor = value.get("_after") if isinstance(value, YMap) else None
            before = value.get("_before") if isinstance(value, YMap) else None
            if anchor in out or before in out:
                out = _move(out, key, anchor, before)
        out.key_where[key] = over.loc(key)
    return out


def _strip_placement(value: YMap) -> YMap:
    if "_after" not in value and "_before" not in value:
        return value
    out = YMap(where=value.where)
    for k, v in value.items():
        if k not in ("_after", "_before"):
            out[k] = v
            out.key_where[k] = value.loc(k)
    return out


def _move(m: YMap, key: Any, after: Any, before: Any) -> YMap:
    out = YMap(where=m.where)
    out.key_where = dict(m.key_where)
    value = m[key]
    for k, v in m.items():
        if k == key:
            continue
        if k == before:
            out[key] = value
        out[k] = v
        if k == after:
            out[key] = value
    if key not in out:
        out[key] = value
    return out
