"""Load gateway.yaml and partners/*.yaml, validate them with the models, point every error at file:line:col.

The files are read with ruamel.yaml's round-trip loader, which remembers where each key and
value sits, then validated by the pydantic models of `gateway.config.models`. Each pydantic
error is mapped back along its location to the YAML node it is about and becomes a
`ConfigError(path, line, column)` with the field, what was expected, and "did you mean" for a
misspelt key. Paths in gateway.yaml and partner files are relative to gateway.yaml's folder.
The Odoo connection may be overridden from the environment, its secret also read from a file
or a systemd credential; the secret is never part of an error message.
"""

from __future__ import annotations

import difflib
import os
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.scalarfloat import ScalarFloat
from ruamel.yaml.scalarint import ScalarInt

from gateway.config.models import FolderChannel, GatewayConfig, PartnerConfig
from gateway.errors import ConfigError, ConfigWarning
from gateway.formats.x12_codes import INTERCHANGE_ID_QUALIFIERS

DEFAULT_LOCATIONS = (Path("gateway.yaml"), Path("/etc/edi-gateway/gateway.yaml"))
ENV_PREFIX = "EDI_GATEWAY_ODOO_"
CREDENTIAL_NAME = "odoo-password"
PARTNER_ID = re.compile(r"^[0-9A-Za-z_][0-9A-Za-z_.-]{0,63}$")   # a folder name: no '/', never '..'


class ConfigErrors(ConfigError):
    """Several configuration errors at once (lint reports them all, not just the first)."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


@dataclass
class LoadedConfig:
    """Everything the daemon runs on: the validated gateway settings, partners, translation profiles."""

    path: Path                                    # the gateway.yaml that was read
    gateway: GatewayConfig                        # with every path made absolute
    partners: dict[str, PartnerConfig] = field(default_factory=dict)
    partner_files: dict[str, Path] = field(default_factory=dict)
    profiles: Any = None                          # gateway.translate.ProfileRegistry when available
    warnings: list[ConfigError] = field(default_factory=list)   # shipped files' problems, ConfigWarnings

    @property
    def base(self) -> Path:
        return self.path.parent


def warning_text(warning: ConfigError) -> str:
    """A LoadedConfig warning as lint prints it and the daemon logs it, after the word "warning": whose it is to
    fix (a shipped profile's problem is the package's) and where."""
    return f": {warning}" if isinstance(warning, ConfigWarning) else f" (shipped profile): {warning}"


def find_config(given: str | Path | None) -> Path:
    """The gateway.yaml to use: the one given, else ./gateway.yaml, else /etc/edi-gateway/gateway.yaml."""
    if given:
        return Path(given)
    for candidate in DEFAULT_LOCATIONS:
        if candidate.is_file():
            return candidate
    return DEFAULT_LOCATIONS[0]


# --------------------------------------------------------------------------- YAML with positions

def _read_yaml(path: Path) -> Any:
    yaml = YAML(typ="rt")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = (f"nor {DEFAULT_LOCATIONS[1]}; give --config PATH, or make a workspace with edi-gateway init DIR"
                if path == DEFAULT_LOCATIONS[0] else None)
        raise ConfigError("file not found", str(path), hint=hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", str(path)) from None
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ConfigError(f"YAML syntax: {yaml_problem(exc)}", str(path), mark.line + 1 if mark else None,
                          mark.column + 1 if mark else None) from None


def yaml_problem(exc: MarkedYAMLError) -> str:
    """ruamel's words for a YAML syntax error, with what to do where the words do not say it."""
    problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    if "'\\t'" in problem or "\t" in problem:
        problem += " (a tab: YAML indents with spaces only; replace the tabs with spaces)"
    return problem


def number_as_written(value: Any) -> str | None:
    """The text of a YAML number that lost what was written (`01` read as 1, `2.10` as 2.1), else None.

    Ids, versions and codes are text: unquoted, `004010` is the number 4010 and `01` (DUNS) the number 1."""
    if isinstance(value, bool) or not isinstance(value, (ScalarInt, ScalarFloat)):
        return None
    width = getattr(value, "_width", None)
    shown = str(value)
    if not width or width <= len(shown):
        return None
    if isinstance(value, ScalarInt):
        return f"{int(value):0{width}d}"
    return shown.ljust(width, "0") if "." in shown else None


def _quote_hint(node: Any) -> str | None:
    """For a number where text is expected (`version: 004010`): what to write instead."""
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        return None
    return f'write it in quotes: "{number_as_written(node) or node}"'


def _node_at(root: Any, steps: tuple[Any, ...]) -> Any:
    node = root
    for step in steps:
        node = node[step]
    return node


def _plain(node: Any) -> Any:
    """ruamel's round-trip types as plain Python values for pydantic."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def _position(root: Any, loc: tuple[Any, ...]) -> tuple[int | None, int | None, tuple[Any, ...]]:
    """1-based (line, column) of the node at `loc`, plus the part of `loc` that was found.

    Pydantic puts the tag of a discriminated union into the location ('inbound', 0, 'sftp', 'user');
    a step that names no key of the mapping is skipped. A key that does not exist (a missing
    field) points at the mapping that should hold it.
    """
    node = root
    line = getattr(getattr(root, "lc", None), "line", None)
    col = getattr(getattr(root, "lc", None), "col", None)
    found: list[Any] = []
    for step in loc:
        if isinstance(node, CommentedMap) and step in node:
            line, col = node.lc.key(step)
            found.append(step)
            node = node[step]
        elif isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
            line, col = node.lc.item(step)
            found.append(step)
            node = node[step]
        # else: a union tag or a missing key; keep the last position
    return (line + 1 if line is not None else None, col + 1 if col is not None else None, tuple(found))


# --------------------------------------------------------------------------- "did you mean"

def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out.extend(_models_in(arg))
    return out


def _models_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[type[BaseModel]]:
    """The models that may be found at `loc` below `model` (empty when it cannot be told)."""
    candidates: list[type[BaseModel]] = [model]
    for step in loc:
        if isinstance(step, int):
            continue
        nxt: list[type[BaseModel]] = []
        for cand in candidates:
            if step in cand.model_fields:
                nxt.extend(_models_in(cand.model_fields[step].annotation))
        if not nxt:   # a union tag: keep the members whose Literal field carries it
            nxt = [c for c in candidates
                   if any(step in typing.get_args(f.annotation) for f in c.model_fields.values()
                          if typing.get_origin(f.annotation) is typing.Literal)]
        candidates = nxt
        if not candidates:
            return []
    return candidates


def _known_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model found at `loc` below `model` (empty when it cannot be told)."""
    return sorted({name for cand in _models_at(model, loc) for name in cand.model_fields})


def _description(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """The description of the field at `loc` (below `model`), when it has one."""
    if not loc or not isinstance(loc[-1], str):
        return None
    for cand in _models_at(model, loc[:-1]):
        info = cand.model_fields.get(loc[-1])
        if info is not None and info.description:
            return info.description
    return None


def _elsewhere(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """Where the unknown key at `loc` is a key after all: a level above (`odoo: {retry_hours}`, a top-level key)
    or a section just below (`confirm_orders` in a partner file, an `odoo:` key). None when neither."""
    key, here = loc[-1], loc[:-1]
    level = set(_models_at(model, here))
    for depth in range(len(here) - 1, -1, -1):
        if level <= set(_models_at(model, here[:depth])):
            continue                      # the same level: a list's item or a union's tag (inbound[0], outbound.sftp)
        if key in _known_fields(model, here[:depth]):
            where = f"under {_field_name(here[:depth])}" if depth else "at the top level"
            return f"'{key}' belongs {where}, not under {_field_name(here)}"
    for cand in _models_at(model, here):
        for name, info in cand.model_fields.items():
            if any(key in sub.model_fields for sub in _models_in(info.annotation)):
                return f"'{key}' belongs under {_field_name((*here, name))}"
    return None


def _hint(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    if not loc or not isinstance(loc[-1], str):
        return None
    elsewhere = _elsewhere(model, loc)
    if elsewhere:
        return elsewhere
    known = _known_fields(model, loc[:-1])
    close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known keys: {', '.join(known)}" if known else None


def _field_name(loc: tuple[Any, ...]) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(document)"


def _errors_of(exc: ValidationError, model: type[BaseModel], root: Any, path: Path) -> list[ConfigError]:
    errors: list[ConfigError] = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        line, col, found = _position(root, loc + ("channel",) if kind.startswith("union_tag") else loc)
        if kind == "missing" or (kind == "extra_forbidden" and found[-1:] != loc[-1:]):
            found += loc[-1:]
        name = _field_name(found)
        hint = None
        if kind == "extra_forbidden":
            message, hint = f"unknown key '{loc[-1]}'", _hint(model, loc)
        elif kind == "missing":
            message = f"'{loc[-1]}' is required"
        elif kind == "union_tag_invalid":
            ctx = err.get("ctx") or {}
            tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
            message = f"expected one of: {', '.join(tags)}"
            close = difflib.get_close_matches(str(ctx.get("tag", "")), tags, n=1)
            hint = f"did you mean '{close[0]}'?" if close else None
        elif kind == "string_pattern_mismatch" and _description(model, loc):
            message = f"expected {_description(model, loc)}"     # the field's words, not its regular expression
        elif kind == "literal_error" and found == loc:
            allowed = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
            message = f"expected one of: {', '.join(allowed)}" if allowed else f"expected: {err['msg']}"
            given = _node_at(root, found)
            close = difflib.get_close_matches(str(given), allowed, n=1)
            hint = (_quote_hint(given) if str(given) in allowed or number_as_written(given) in allowed
                    else f"did you mean '{close[0]}'?" if close else None)
        elif kind == "string_type" and found == loc and _quote_hint(_node_at(root, found)):
            message, hint = f"expected text, not the number {_node_at(root, found)}", _quote_hint(_node_at(root, found))
        elif kind == "value_error":          # a validator's own words, without pydantic's "Value error, "
            message = str((err.get("ctx") or {}).get("error") or err["msg"])
        else:
            message = f"expected: {err['msg']}"
        error = ConfigError(f"{name}: {message}", str(path), line, col, hint)
        error.field = name  # type: ignore[attr-defined]
        errors.append(error)
    return errors


def _validate(model: type[BaseModel], path: Path, empty: str | None = None) -> tuple[Any, Any]:
    """(validated model, YAML tree) or raise ConfigErrors naming every problem in the file. An empty file is
    all defaults, or, with `empty`, that error at its first line."""
    root = _read_yaml(path)
    if root is None and empty is not None:
        raise ConfigError(empty, str(path), 1, 1)
    if root is None:
        root = CommentedMap()
    if not isinstance(root, CommentedMap):
        raise ConfigError("expected a mapping of keys at the top of the file", str(path), 1, 1)
    try:
        return model.model_validate(_plain(root)), root
    except ValidationError as exc:
        raise ConfigErrors(_errors_of(exc, model, root, path)) from None


# --------------------------------------------------------------------------- paths and secrets

def _absolute_paths(obj: BaseModel, base: Path) -> None:
    """Make every relative Path in `obj` (recursively) relative to `base`."""
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if isinstance(value, Path) and not value.is_absolute():
            setattr(obj, name, base / value)
        elif isinstance(value, BaseModel):
            _absolute_paths(value, base)
        elif isinstance(value, list):
            fixed = []
            for item in value:
                if isinstance(item, BaseModel):
                    _absolute_paths(item, base)
                elif isinstance(item, Path) and not item.is_absolute():
                    item = base / item
                fixed.append(item)
            setattr(obj, name, fixed)


def _odoo_from_environment(config: GatewayConfig, root: Any, path: Path,
                           environ: typing.Mapping[str, str]) -> None:
    odoo = config.odoo
    for key in ("url", "database", "username"):
        value = environ.get(ENV_PREFIX + key.upper())
        if value:
            setattr(odoo, key, value)
    if environ.get(ENV_PREFIX + "PASSWORD"):
        odoo.password = SecretStr(environ[ENV_PREFIX + "PASSWORD"])
        return
    if odoo.password is not None:
        return
    if odoo.password_file is not None:
        try:
            odoo.password = SecretStr(odoo.password_file.read_text(encoding="utf-8").strip())
        except OSError as exc:
            line, col, _ = _position(root, ("odoo", "password_file"))
            # not found: not repeated, it may be the password itself written where its file's name belongs
            what = ("no such file: give the name of the file that holds the password or API key (relative to "
                    "gateway.yaml's folder), not the secret itself" if isinstance(exc, FileNotFoundError)
                    else f"cannot read {odoo.password_file}: {exc.strerror or exc}")
            raise ConfigError(f"odoo.password_file: {what}", str(path), line, col) from None
        return
    credentials = environ.get("CREDENTIALS_DIRECTORY")
    if credentials and (Path(credentials) / CREDENTIAL_NAME).is_file():
        secret = (Path(credentials) / CREDENTIAL_NAME).read_text(encoding="utf-8").strip()
        odoo.password = SecretStr(secret)


# --------------------------------------------------------------------------- the entry points

def _load_gateway(path: Path, environ: typing.Mapping[str, str] | None) -> tuple[GatewayConfig, Any]:
    config, root = _validate(GatewayConfig, path)
    _absolute_paths(config, path.resolve().parent)
    _odoo_from_environment(config, root, path, os.environ if environ is None else environ)
    return config, root


def load_gateway(path: Path, environ: typing.Mapping[str, str] | None = None) -> GatewayConfig:
    """gateway.yaml alone, validated, paths absolute, Odoo overrides applied."""
    return _load_gateway(path, environ)[0]


def load_partners(partners_dir: Path, base: Path) -> tuple[dict[str, PartnerConfig], dict[str, Path],
                                                            list[ConfigError]]:
    """Every partners/*.yaml; returns partners by id, their files, and the errors found."""
    partners: dict[str, PartnerConfig] = {}
    files: dict[str, Path] = {}
    errors: list[ConfigError] = []
    if not partners_dir.is_dir():
        return partners, files, errors
    for file in sorted([*partners_dir.glob("*.yaml"), *partners_dir.glob("*.yml")]):
        if file.name.startswith("."):
            continue
        try:
            partner, root = _validate(PartnerConfig, file, empty=f"the partner file is empty: it needs at least "
                                      f"`id: {file.stem}` and what the partner sends (README, Adding a partner); "
                                      "or remove the file")
        except ConfigErrors as exc:
            errors.extend(exc.errors)
            continue
        except ConfigError as exc:
            errors.append(exc)
            continue
        if not PARTNER_ID.match(partner.id):
            line, col, _ = _position(root, ("id",))
            errors.append(ConfigError("id: letters, digits, _ . - only (the id names the partner's folders, "
                                      "outbox/<id>/ and quarantine/<id>/)", str(file), line, col))
            continue
        if partner.id in partners:
            line, col, _ = _position(root, ("id",))
            errors.append(ConfigError(f"id: partner '{partner.id}' is already defined in {files[partner.id]}",
                                      str(file), line, col))
            continue
        _absolute_paths(partner, base)
        partners[partner.id] = partner
        files[partner.id] = file
    return partners, files, errors


def _load_profiles(translations_dir: Path, our_ids: Any) -> tuple[Any, list[ConfigError]]:
    """Translation profiles through the translation engine, when it is installed, and their lint."""
    try:
        from gateway.translate import ProfileRegistry
    except ImportError as exc:       # a broken install: with no profiles every file would be quarantined
        return None, [ConfigError(f"the translation engine cannot be imported: {type(exc).__name__}: {exc}",
                                  str(translations_dir))]
    try:
        registry = ProfileRegistry.load(translations_dir, our_ids=our_ids)
    except ConfigError as exc:
        from gateway.translate.lint import misspelt_nodes, mixed_syntaxes
        said = mixed_syntaxes(translations_dir) + misspelt_nodes(translations_dir)
        return None, said + list(getattr(exc, "errors", None) or [exc])
    except Exception as exc:  # noqa: BLE001 - a bug in the engine must read as an error, never as a traceback
        return None, [ConfigError(f"translation profiles could not be loaded: {type(exc).__name__}: {exc}",
                                  str(translations_dir))]
    try:
        from gateway.translate import lint_profiles
    except ImportError:
        return registry, []
    try:
        return registry, list(lint_profiles(registry))
    except Exception as exc:  # noqa: BLE001 - likewise for a bug in its lint
        return registry, [ConfigError(f"translation profiles could not be checked: {type(exc).__name__}: {exc}",
                                      str(translations_dir))]


TRIGGER_DOCUMENTS = {"delivery_done": "ShipNotice", "invoice_posted": "Invoice", "order_confirmed": "PurchaseOrderAck",
                     "change_applied": "PurchaseOrderAck"}
"""What an outbound trigger produces: the profile a document names must write that canonical document."""


def key_position(file: Path, dotted: str) -> tuple[int | None, int | None]:
    """(line, column) of a setting written `odoo.url` or `as2_server.previous_keys[0].private_key` in `file`;
    (None, None) when the file does not hold it (a default, an environment variable) or cannot be read."""
    loc: list[Any] = []
    for part in dotted.split("."):
        name, _, rest = part.partition("[")
        loc.append(name)
        if rest:
            loc.append(int(rest.rstrip("]")))
    try:
        line, col, found = _position(_read_yaml(file), tuple(loc))
    except ConfigError:
        return None, None
    return (line, col) if len(found) == len(loc) else (None, None)


def _line_of(file: Path, loc: tuple[Any, ...]) -> tuple[int | None, int | None]:
    """1-based (line, column) of the key at `loc` in a YAML file that was read before."""
    line, col, _ = _position(_read_yaml(file), loc)
    return line, col


def _check_document_types(partners: dict[str, PartnerConfig], files: dict[str, Path]) -> list[ConfigError]:
    """One document of a type and direction per partner: the gateway picks a partner's document by its type
    (one scheduler job per partner and type, one profile per inbound type), so a second one would never
    be used, or would be used instead of the first."""
    errors = []
    for pid, partner in partners.items():
        seen: dict[tuple[str, str], int] = {}
        for index, doc in enumerate(partner.documents):
            first = seen.setdefault((doc.type, doc.direction), index)
            if first != index:
                line, col = _line_of(files[pid], ("documents", index, "type"))
                errors.append(ConfigError(
                    f"documents[{index}].type: '{doc.type}' ({doc.direction}) is already documents[{first}]: one "
                    "document of a type and direction per partner; remove one", str(files[pid]), line, col))
    return errors


def _check_schedules(partners: dict[str, PartnerConfig], files: dict[str, Path]) -> list[ConfigError]:
    """A scheduled document's `schedule` must be a crontab line the scheduler can use (without one the document
    runs at every Odoo poll); a bad one passed lint and only the daemon's start found it. A `schedule_timezone`
    on a document without a schedule would look like it moved something, and moves nothing."""
    from gateway.odoo.crontab import cron_trigger
    errors = []
    for pid, partner in partners.items():
        for index, doc in enumerate(partner.documents):
            if doc.schedule_timezone and (doc.trigger != "schedule" or not doc.schedule):
                line, col = _line_of(files[pid], ("documents", index, "schedule_timezone"))
                errors.append(ConfigError(f"documents[{index}].schedule_timezone: only the clock of a `schedule` "
                                          "(with trigger: schedule); this document has none, so it is unused",
                                          str(files[pid]), line, col))
            if doc.trigger != "schedule" or not doc.schedule:
                continue                          # without a schedule it runs at every Odoo poll
            try:
                cron_trigger(doc.schedule)
            except ValueError as exc:
                line, col = _line_of(files[pid], ("documents", index, "schedule"))
                errors.append(ConfigError(f"documents[{index}].schedule: {doc.schedule!r} is not a crontab line "
                                          "('minute hour day month weekday', on the clock of its schedule_timezone, "
                                          f"e.g. '0 */4 * * *'): {exc}", str(files[pid]), line, col))
    return errors


def _check_profile_names(partners: dict[str, PartnerConfig], files: dict[str, Path], profiles: Any) -> list[ConfigError]:
    """Each partner document must name a profile that exists, and a triggered one a profile writing what the
    trigger produces (an 865 profile under `delivery_done` would only fail when the first delivery is done)."""
    names = set(profiles.names()) if profiles is not None and hasattr(profiles, "names") else None
    if names is None:
        return []
    errors = []
    for pid, partner in partners.items():
        for index, doc in enumerate(partner.documents):
            if doc.profile not in names:
                line, col = _line_of(files[pid], ("documents", index, "profile"))
                close = difflib.get_close_matches(doc.profile, sorted(names), n=1)
                errors.append(ConfigError(f"documents[{index}].profile: no translation profile '{doc.profile}'",
                                          str(files[pid]), line, col,
                                          f"did you mean '{close[0]}'?" if close else None))
                continue
            if profiles.is_abstract(doc.profile):
                line, col = _line_of(files[pid], ("documents", index, "profile"))
                errors.append(ConfigError(f"documents[{index}].profile: '{doc.profile}' is abstract (shared code "
                                          "lists, only extended): name a profile that extends it",
                                          str(files[pid]), line, col))
                continue
            try:
                profile = profiles.get(doc.profile)
            except ConfigError:
                continue                          # the profile's own error is reported with the profiles
            wanted = TRIGGER_DOCUMENTS.get(doc.trigger)
            writes = profile.document
            if wanted is not None and (writes != wanted or doc.direction != "out"):
                line, col = _line_of(files[pid], ("documents", index, "trigger"))
                what = (f"profile '{doc.profile}' writes {writes}" if writes != wanted
                        else "it is an inbound document")
                errors.append(ConfigError(f"documents[{index}].trigger: {doc.trigger} sends a {wanted}, but {what}",
                                          str(files[pid]), line, col))
            elif profile.syntax in ("x12", "edifact") and profile.message and doc.type != profile.message:
                # the type picks the profile for a file (an 850 read with the 860 profile) and names what is sent
                line, col = _line_of(files[pid], ("documents", index, "type"))
                errors.append(ConfigError(f"documents[{index}].type: '{doc.type}', but profile '{doc.profile}' is "
                                          f"for {profile.syntax.upper()} {profile.message}", str(files[pid]), line,
                                          col, f"type: \"{profile.message}\", or a profile for {doc.type}"))
    return errors


def _sender_ids(partner: PartnerConfig) -> list[tuple[tuple[Any, ...], tuple[Any, ...], str]]:
    """(claim, location in the partner file, text) of each envelope id that makes a file this partner's."""
    claims: list[tuple[tuple[Any, ...], tuple[Any, ...], str]] = []
    if partner.x12 is not None:
        claims += [(("x12", i.qualifier, i.id), ("x12", "ids", n), f"ISA sender {i.qualifier}/{i.id}")
                   for n, i in enumerate(partner.x12.ids)]
        claims += [(("gs", g), ("x12", "gs_ids", n), f"GS sender {g}") for n, g in enumerate(partner.x12.gs_ids)]
    if partner.edifact is not None:
        claims += [(("edifact", i.qualifier, i.id), ("edifact", "ids", n),
                    f"UNB sender {i.id}" + (f":{i.qualifier}" if i.qualifier else ""))
                   for n, i in enumerate(partner.edifact.ids)]
    if partner.xml is not None:
        claims += [(("xml", x), ("xml", "ids", n), f"XML sender {x}") for n, x in enumerate(partner.xml.ids)]
    return claims


def _same_sender(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    if a[0] == b[0] == "edifact":               # an id without a qualifier is claimed under any qualifier
        return a[2] == b[2] and (not a[1] or not b[1] or a[1] == b[1])
    return a == b


def _check_sender_ids(gateway: GatewayConfig, partners: dict[str, PartnerConfig],
                      files: dict[str, Path]) -> list[ConfigError]:
    """Two active partners claiming the same envelope id: a file in a shared inbox (an `inbox:` entry without
    `partner:`) from that sender would silently go to the first of them, whose file sorts first."""
    if all(inbox.partner for inbox in gateway.inbox):
        return []                                 # every file arrives over a channel that names its partner
    errors: list[ConfigError] = []
    seen: list[tuple[tuple[Any, ...], str]] = []
    for pid, partner in partners.items():
        if not partner.active:
            continue
        for claim, loc, text in _sender_ids(partner):
            other = next((owner for known, owner in seen if owner != pid and _same_sender(known, claim)), None)
            if other is not None:
                line, col, found = _position(_read_yaml(files[pid]), loc)
                errors.append(ConfigError(f"{_field_name(found)}: {text} is also partner {other}'s "
                                          f"({files[other]}): a file from it in the shared inbox would go to "
                                          f"{other}", str(files[pid]), line, col,
                                          "each partner needs its own sender ids"))
            seen.append((claim, pid))
    return errors


def _check_isa_qualifiers(partners: dict[str, PartnerConfig], files: dict[str, Path]) -> list[ConfigError]:
    """A partner's ISA05 qualifier off X12's I05 list: its interchanges are read with a TA1 E (005), every one, and
    a strict partner refuses ours under such a qualifier. A warning: such a partner may really send it."""
    warnings: list[ConfigError] = []
    for pid, partner in partners.items():
        for n, x12_id in enumerate(partner.x12.ids if partner.x12 is not None else []):
            if x12_id.qualifier not in INTERCHANGE_ID_QUALIFIERS:
                line, col, _ = _position(_read_yaml(files[pid]), ("x12", "ids", n))
                warnings.append(ConfigWarning(
                    f"x12.ids: qualifier {x12_id.qualifier!r} of {x12_id.id} is not an X12 interchange id "
                    "qualifier (I05: 01-38, AM, NR, SA, SN, ZZ)", str(files[pid]), line, col,
                    "check it with the partner: its interchanges are answered with a TA1 E (005) while it stays"))
    return warnings


def _check_partner_inboxes(gateway: GatewayConfig, partners: dict[str, PartnerConfig], files: dict[str, Path],
                           config_path: Path) -> list[ConfigError]:
    """A partner's `inbound: [{channel: folder, path: X}]` is only a label: what watches a folder is an `inbox:`
    entry of gateway.yaml. A path no entry names would never be read (files left there wait forever)."""
    watched = {Path(inbox.path).resolve() for inbox in gateway.inbox}
    errors = []
    for pid, partner in partners.items():
        for n, channel in enumerate(partner.inbound):
            if isinstance(channel, FolderChannel) and channel.path is not None \
                    and Path(channel.path).resolve() not in watched:
                line, col = _line_of(files[pid], ("inbound", n, "path"))
                errors.append(ConfigError(
                    f"inbound[{n}].path: no inbox watches {channel.path}: a folder is watched by an inbox: entry "
                    f"in {config_path.name}", str(files[pid]), line, col,
                    f"add '- {{path: {channel.path}, partner: {pid}}}' under inbox: in {config_path.name}, "
                    "or leave path out (the shared inbox)"))
    return errors


_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _shipped(path: str | None) -> bool:
    """True for a file inside the installed gateway package (base profiles), not the workspace."""
    if not path:
        return False
    try:
        Path(path).resolve().relative_to(_PACKAGE_DIR)
    except ValueError:
        return False
    return True


def _raw_partners_dir(path: Path) -> str:
    try:
        root = _read_yaml(path)
    except ConfigError:
        return "partners"
    value = root.get("partners_dir") if isinstance(root, dict) else None
    return str(value) if isinstance(value, str) else "partners"


def load(path: str | Path | None = None, environ: typing.Mapping[str, str] | None = None) -> LoadedConfig:
    """Load and validate the whole configuration; raise ConfigErrors listing every problem."""
    path = find_config(path)
    base = path.resolve().parent
    try:
        gateway, root = _load_gateway(path, environ)
    except ConfigError as exc:
        # still lint the partner files, so that one run shows every problem
        errors = list(getattr(exc, "errors", None) or [exc])
        if path.is_file():
            _, _, partner_errors = load_partners(base / _raw_partners_dir(path), base)
            errors.extend(partner_errors)
        raise ConfigErrors(errors) from None
    partners, files, errors = load_partners(gateway.partners_dir, base)
    for index, inbox in enumerate(gateway.inbox):
        if inbox.partner and inbox.partner not in partners and not any(
                e.path and Path(e.path).parent == gateway.partners_dir for e in errors):
            line, col, _ = _position(root, ("inbox", index, "partner"))
            hint = difflib.get_close_matches(inbox.partner, list(partners), n=1)
            errors.append(ConfigError(f"inbox[{index}].partner: no partner file has id '{inbox.partner}'",
                                      str(path), line, col, f"did you mean '{hint[0]}'?" if hint else None))
    errors.extend(_check_document_types(partners, files))
    errors.extend(_check_schedules(partners, files))
    errors.extend(_check_sender_ids(gateway, partners, files))
    errors.extend(_check_partner_inboxes(gateway, partners, files, path))
    profiles, profile_errors = _load_profiles(gateway.translations_dir, gateway.our_ids)
    # problems in the package's own base profiles are ours to fix, not the coordinator's: warnings, as long as
    # the profiles loaded; so are findings lint only warns of (ConfigWarning: the gateway works as configured). None loaded (a shipped profile that no longer compiles, as after a package upgrade
    # under a running daemon) is an error whoever is to fix it: a configuration without profiles quarantined
    # every file it was given, and a reload onto it was taken
    warnings = [e for e in profile_errors if _shipped(e.path) or isinstance(e, ConfigWarning)] \
        if profiles is not None else []
    warnings += _check_isa_qualifiers(partners, files)
    errors.extend(e for e in profile_errors if profiles is None or not (_shipped(e.path) or isinstance(e, ConfigWarning)))
    errors.extend(_check_profile_names(partners, files, profiles))
    if errors:
        raise ConfigErrors(errors)
    partners = {pid: _with_number_columns(partner, profiles) for pid, partner in partners.items()}
    return LoadedConfig(path=path.resolve(), gateway=gateway, partners=partners, partner_files=files,
                        profiles=profiles, warnings=warnings)


def _with_number_columns(partner: PartnerConfig, profiles: Any) -> PartnerConfig:
    """A CSV partner without `number_columns` gets the columns its inbound profiles read as numbers: only
    those are read with thousands separators, so an article number such as 10.100.200 (decimal comma) or
    100,200 (decimal point) in any other column stays as written (read as a number it would be 10100200)."""
    csv = partner.csv
    if csv is None or csv.number_columns is not None or profiles is None:
        return partner
    columns: list[str] = []
    for doc in partner.documents:
        if doc.direction != "in" or profiles.is_abstract(doc.profile):
            continue
        profile = profiles.get(doc.profile)
        if profile.syntax != "csv" or profile.root is None:
            continue
        for node in profile.root.walk():
            for fld in node.fields_in:
                if fld.numeric and fld.address and fld.address not in columns:
                    columns.append(fld.address)
    if not columns:
        return partner
    return partner.model_copy(update={"csv": csv.model_copy(update={"number_columns": columns})})


def _paths_in(value: Any) -> list[Path]:
    """Every Path a settings model refers to (certificates, keys), recursively."""
    if isinstance(value, Path):
        return [value]
    if isinstance(value, BaseModel):
        return [p for name in type(value).model_fields for p in _paths_in(getattr(value, name))]
    if isinstance(value, list):
        return [p for item in value for p in _paths_in(item)]
    return []


def check_transports(config: LoadedConfig) -> list[ConfigError]:
    """`gateway.transports.checks.check` (certificates and keys load, AS2 ids and SFTP users unique,
    the servers on that partners need), each partner's error pointing at its partner file.

    Not part of `load()`: a test or a tool may load a configuration whose keys live elsewhere;
    `lint`, `run` and the SIGHUP reload call it. Skipped when the transports are not installed.
    """
    try:
        from gateway.transports import checks
    except ImportError:
        return []
    try:
        found = checks.check(config.gateway, config.partners, config.partner_files)
    except ImportError:         # the SFTP server, imported by the check only for SFTP partners, is not installed
        return []
    except Exception as exc:  # noqa: BLE001 - a bug in a check must read as an error, never as a traceback
        return [ConfigError(f"transport settings could not be checked: {type(exc).__name__}: {exc}", str(config.path))]
    owner: dict[Path, str] = {}
    for pid, partner in config.partners.items():
        for referenced in _paths_in(partner.inbound) + _paths_in(partner.outbound):
            owner.setdefault(referenced.resolve(), pid)
    files = {str(f) for f in config.partner_files.values()}
    errors = []
    for error in found:
        loc = getattr(error, "loc", None)
        if loc is not None and (error.path is None or error.path in files):
            # the key it is about, at its line: in the partner file, else in gateway.yaml
            file = Path(error.path) if error.path is not None else config.path
            try:
                line, col, at = _position(_read_yaml(file), loc)
            except ConfigError:
                line, col, at = None, None, ()
            if not at:
                line = col = None                   # not written at all: no line to show
            error = type(error)(f"{_field_name(loc)}: {error.message}", str(file), line, col, error.hint)
        elif error.path is None:                    # a gateway.yaml setting (a server that must be enabled)
            error = ConfigError(error.message, str(config.path), hint=error.hint)
        elif error.path not in files:                # a certificate or key file: say whose it is
            owner_id = owner.get(Path(error.path).resolve())
            if owner_id is not None and owner_id in config.partner_files:
                where = ConfigError(error.message, error.path, error.line, error.column)
                error = ConfigError(f"partner {owner_id}: {where}", str(config.partner_files[owner_id]),
                                    hint=error.hint)
        errors.append(error)
    # a certificate used by our AS2 server and a partner fails in both checks: say it once
    return list({str(e): e for e in errors}.values())


def check_folders(config: LoadedConfig) -> list[ConfigError]:
    """Folders the configuration names that are not folders this user can write, nor can be made
    (`gateway.config.folders`), each at the key that names it. Warnings, not errors: the daemon starts and
    holds back what needs such a folder until it is fixed (an archive on a disk not mounted yet)."""
    from gateway.config import folders
    errors = []
    for pid, loc, reason in folders.check(config.gateway, config.partners):
        file = config.partner_files.get(pid, config.path) if pid is not None else config.path
        try:
            line, col = _line_of(file, loc)
        except ConfigError:
            line = col = None
        errors.append(ConfigError(f"{_field_name(loc)}: {reason}", str(file), line, col))
    return errors


def load_checked(path: str | Path | None = None, environ: typing.Mapping[str, str] | None = None) -> LoadedConfig:
    """`load()` plus the transport checks: what `run` and the SIGHUP reload start from."""
    config = load(path, environ)
    found = check_transports(config)
    config.warnings.extend(w for w in found if isinstance(w, ConfigWarning))    # lint says them; run still starts
    errors = [e for e in found if not isinstance(e, ConfigWarning)]
    if errors:
        raise ConfigErrors(errors)
    return config


def lint(path: str | Path | None = None, environ: typing.Mapping[str, str] | None = None) -> list[ConfigError]:
    """Every configuration error, empty when the configuration is good."""
    try:
        load_checked(path, environ)
    except ConfigErrors as exc:
        return list(exc.errors)
    except ConfigError as exc:
        return [exc]
    return []

