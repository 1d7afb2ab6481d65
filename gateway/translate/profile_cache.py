"""A disk cache of parsed profile YAML: a start-up need not parse the same profile files again.

ruamel's round-trip parser is pure Python: parsing the shipped and a workspace's profiles was
about 1 s of the 2-3 s of CPU every `edi-gateway` command, daemon start and SIGHUP reload took.
A file's parsed tree depends only on its bytes and on the code that parses it, so an entry is
keyed by a SHA-256 of the file's bytes, ruamel's version and the source of this module and of
yamlsrc, and holds the tree as JSON with line numbers (the path is the reader's, put back on
reading: the same file in two workspaces shares an entry). An edited file has another key.

An entry is only a shortcut, never trusted: one that cannot be read, is not JSON, names another
key or holds anything but the shapes written here is ignored and the file parsed again. A tree
the JSON form cannot hold exactly (a tagged scalar, a date, a block string) is not cached.

Where (`cache_dir`): $EDI_GATEWAY_CACHE_DIR (set but empty: no cache), else systemd's
$CACHE_DIRECTORY (`CacheDirectory=` in the unit), else $XDG_CACHE_HOME/edi-gateway, else
~/.cache/edi-gateway. A folder that cannot be made or written, that another user owns or that
others may write to means no cache, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import ruamel.yaml
from ruamel.yaml.scalarfloat import ScalarFloat

from gateway.translate import yamlsrc
from gateway.translate.yamlsrc import YMap

FORMAT = "1"
MAX_ENTRIES = 512          # beyond this the least recently used half is removed (edited profiles pile up)
_SCALARS = (str, int, bool, type(None))


class _Unfit(Exception):
    """The tree holds a value the JSON form does not keep exactly, or an entry is not one we wrote."""


def cache_dir() -> Path | None:
    """The folder entries live in, or None (no cache): read each time, tests and services set it in the environment."""
    explicit = os.environ.get("EDI_GATEWAY_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) / "profiles" if explicit else None
    systemd = os.environ.get("CACHE_DIRECTORY", "").split(":")[0]
    if systemd:
        return Path(systemd) / "profiles"
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "edi-gateway" / "profiles"
    try:
        return Path.home() / ".cache" / "edi-gateway" / "profiles"
    except RuntimeError:       # no home directory to speak of
        return None


@cache
def _code_digest() -> str:
    """The parser's identity: a change to ruamel or to how we convert its nodes makes every entry stale."""
    digest = hashlib.sha256(f"{FORMAT}\0{ruamel.yaml.__version__}\0".encode())
    for module_file in (__file__, yamlsrc.__file__):
        digest.update(Path(module_file).read_bytes())
    return digest.hexdigest()


def entry_key(data: bytes) -> str:
    return hashlib.sha256(_code_digest().encode() + b"\0" + data).hexdigest()


def _trusted(folder: Path) -> bool:
    """Ours and writable by us only: an entry in a folder others may write to could be anything."""
    try:
        st = folder.stat()
    except OSError:
        return False
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _usable(folder: Path) -> bool:
    """A folder we may keep entries in: made if missing; read-only (systemd's ProtectSystem) means no cache."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return False
    return _trusted(folder) and os.access(folder, os.W_OK | os.X_OK)


def load(path: Path, data: bytes) -> YMap | None:
    """The parsed tree of `data` (the bytes of `path`) if an intact entry holds it, else None. The folder is opened
    once and the entry read through that handle (not followed if a link): the folder checked is the folder read,
    even if someone who may write its parent swaps it in between."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)     # (systemd's CACHE_DIRECTORY is a link: followed)
    except OSError:
        return None
    try:
        st = os.fstat(handle)
        if st.st_uid != os.geteuid() or st.st_mode & 0o022:
            return None    # not ours alone: an entry in it could be anything
        key = entry_key(data)
        name = f"{key}.json"
        with os.fdopen(os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=handle), "rb") as entry:
            raw = json.loads(entry.read())
        if not isinstance(raw, dict) or raw.get("key") != key:
            return None
        tree = _decode(raw.get("tree"), str(path))
        if not isinstance(tree, YMap):
            return None
        with contextlib.suppress(OSError):
            os.utime(name, dir_fd=handle)    # recently used: kept when the folder is trimmed
        return tree
    except (OSError, ValueError, RecursionError, _Unfit):
        return None        # missing, unreadable, torn or not ours: parse the file
    finally:
        os.close(handle)


def store(path: Path, data: bytes, tree: YMap) -> None:
    """Keep `tree` (parsed from `data`, the bytes of `path`) for the next start; any failure just means no entry."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        encoded = _encode(tree, str(path))
        if not _same(_decode(json.loads(json.dumps(encoded)), str(path)), tree):
            return         # the JSON form would not give back exactly what the parser gave
    except (_Unfit, ValueError, RecursionError):
        return
    if not _usable(folder):
        return
    tmp = None
    try:
        key = entry_key(data)          # (reads this module's source: an install without it has no cache)
        with tempfile.NamedTemporaryFile("w", dir=folder, prefix=".tmp-", suffix=".json", delete=False,
                                         encoding="utf-8") as out:
            tmp = out.name
            json.dump({"key": key, "tree": encoded}, out, separators=(",", ":"))
        os.replace(tmp, folder / f"{key}.json")      # readers see the whole entry or none
        tmp = None
        _trim(folder)
    except OSError:
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _trim(folder: Path) -> None:
    entries = list(folder.glob("*.json"))
    if len(entries) <= MAX_ENTRIES:
        return
    aged = []
    for entry in entries:
        with contextlib.suppress(OSError):
            aged.append((entry.stat().st_mtime_ns, entry))
    aged.sort()
    for _, entry in aged[:len(aged) - MAX_ENTRIES // 2]:
        with contextlib.suppress(OSError):
            entry.unlink()


# ---------------------------------------------------------------- the JSON form
# str, int, bool, None and float as JSON; a list {"l": [...]}; a mapping {"m": line, "k": [[key, line, value]...]};
# ruamel's ScalarFloat (it keeps how the number was written) {"f": [number, {attribute: value}]}.

def _encode(value: Any, path: str) -> Any:
    kind = type(value)
    if kind in _SCALARS or kind is float:
        return value
    if kind is list:
        return {"l": [_encode(v, path) for v in value]}
    if kind is YMap:
        if value.where[0] != path or any(w[0] != path for w in value.key_where.values()) \
                or list(value.key_where) != list(value):
            raise _Unfit("a mapping with locations of another shape")
        return {"m": value.where[1], "k": [[_encode(k, path), value.key_where[k][1], _encode(v, path)]
                                          for k, v in value.items()]}
    if kind is ScalarFloat:
        attrs = vars(value)
        if not all(_plain(v) for v in attrs.values()):
            raise _Unfit("a float with an anchor or comment")
        return {"f": [float(value), attrs]}
    raise _Unfit(f"a {kind.__name__}")


def _plain(value: Any) -> bool:
    return type(value) in _SCALARS or type(value) is list and all(type(v) in _SCALARS for v in value)


def _decode(value: Any, path: str) -> Any:
    kind = type(value)
    if kind in _SCALARS or kind is float:
        return value
    if kind is not dict or len(value) not in (1, 2):
        raise _Unfit("not a value this module writes")
    if "l" in value and len(value) == 1 and type(value["l"]) is list:
        return [_decode(v, path) for v in value["l"]]
    if "m" in value and type(value["m"]) is int and type(value.get("k")) is list:
        out = YMap(where=(path, value["m"]))
        for item in value["k"]:
            if type(item) is not list or len(item) != 3 or type(item[1]) is not int:
                raise _Unfit("not a mapping entry")
            key = _decode(item[0], path)
            if type(key) in (list, YMap):
                raise _Unfit("a key that is not a scalar")
            out[key] = _decode(item[2], path)
            out.key_where[key] = (path, item[1])
        return out
    if "f" in value and len(value) == 1 and type(value["f"]) is list and len(value["f"]) == 2:
        number, attrs = value["f"]
        if type(number) not in (float, int) or type(attrs) is not dict or not all(map(_plain, attrs.values())) \
                or not all(type(k) is str and k.startswith("_") for k in attrs):
            raise _Unfit("not a float entry")
        out_float = ScalarFloat(float(number))
        out_float.__dict__.update(attrs)
        return out_float
    raise _Unfit("not a value this module writes")


def _same(a: Any, b: Any) -> bool:
    """Equal, of the same types, with the same locations and float attributes, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, YMap):
        return (a.where == b.where and list(a) == list(b) and a.key_where == b.key_where
                and all(_same(k1, k2) and _same(a[k1], b[k2]) for k1, k2 in zip(a, b, strict=True)))
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, ScalarFloat):
        return float(a) == float(b) and vars(a) == vars(b)
    return bool(a == b)
