"""A small in-memory ORM with Odoo's call semantics, over the models of one Odoo version.

`Database` holds the records and serialises calls (one lock, one transaction per RPC
call, rolled back on any exception, as Odoo does per request). `Env` is what a call
runs in: user, context and the ORM methods (`create`, `write`, `read`, `search`, ...)
with Odoo's value formats (many2one as `[id, display_name]`, empty as `False`),
x2many commands, defaults, required-field and selection checks.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.odoo.sandbox import access
from gateway.odoo.sandbox import domain as domains
from gateway.odoo.sandbox.exceptions import (
    AccessError,
    MissingError,
    OdooValueError,
    UserError,
    ValidationError,
)

EMPTY: dict[str, Any] = {"char": False, "text": False, "html": False, "selection": False, "date": False,
                         "datetime": False, "many2one": False, "binary": False, "integer": 0, "float": 0.0,
                         "monetary": 0.0, "boolean": False, "one2many": [], "many2many": []}
MAGIC = ("create_date", "write_date", "create_uid", "write_uid")
TRANSLATIONS = "__translations"                    # a record's key: {field: {language: value}} besides en_US


@dataclass
class Field:
    type: str
    string: str = ""
    relation: str | None = None
    inverse: str | None = None                     # one2many: the many2one on the comodel
    selection: list[tuple[str, str]] | Callable[[Env], list[tuple[str, str]]] | None = None   # callable: Odoo's
    # selection method (res.partner `lang`: the active languages)
    required: bool = False
    readonly: bool = False
    default: Any = None                            # value or callable(env) -> value
    compute: Callable[[Env, int], Any] | None = None
    related: tuple[str, str] | None = None         # (many2one field, field on its comodel)
    help: str = ""
    cascade: bool = False                          # one2many: command 3 deletes the line (ondelete=cascade)
    setter: Callable[[Env, int, Any], None] | None = None   # inverse of a computed field
    digits: str | None = None                      # float: the decimal.precision record it is rounded to
    company_dependent: bool = False                # one value per company (17: ir.property, 18+: by company id)
    translate: bool = False                        # a value per language (16+: jsonb), read in the call's `lang`

    @property
    def stored(self) -> bool:
        return self.compute is None and self.related is None and self.type != "one2many"


@dataclass
class ModelSpec:
    name: str
    description: str
    fields: dict[str, Field]
    order: str = "id"
    rec_name: str = "name"
    parent: str | None = None                      # field walked by child_of / parent_of
    display: Callable[[Env, int], str] | None = None
    pre_create: Callable[[Env, dict[str, Any]], dict[str, Any]] | None = None
    on_create: Callable[[Env, list[int], list[dict[str, Any]]], None] | None = None
    on_write: Callable[[Env, list[int], dict[str, Any]], None] | None = None
    on_unlink: Callable[[Env, list[dict[str, Any]]], None] | None = None     # the records as they were
    transient: bool = False


@dataclass
class User:
    id: int
    login: str
    password: str
    api_keys: list[str] = field(default_factory=list)
    admin: bool = True
    groups: frozenset[str] | None = None           # xml ids given (sandbox.access); None: reads of a few models


def half_up(value: float, digits: int) -> float:
    """Odoo's float_round (HALF-UP, corrected for binary floats): 0.125 to 2 digits is 0.13, where Python's round
    gives 0.12, a binary-exact half rounded to even."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def now_str() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class Database:
    """Records of every model, a lock, and the undo log of the running transaction."""

    def __init__(self, name: str, version: int, models: dict[str, ModelSpec]) -> None:
        self.name = name
        self.version = version
        self.models = models
        self.data: dict[str, dict[int, dict[str, Any]]] = {m: {} for m in models}
        self.next_id: dict[str, int] = {m: 1 for m in models}
        self.sequences: dict[str, int] = {}
        self.users: dict[int, User] = {}
        self.languages: dict[str, bool] = {"en_US": True}     # res.lang code -> active
        self.lock = threading.RLock()
        self._undo: list[tuple[str, str, int, dict[str, Any] | None]] | None = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One RPC call: everything it wrote is undone if it raises (Odoo's per-request rollback)."""
        with self.lock:
            outer = self._undo
            self._undo = [] if outer is None else outer
            try:
                yield
            except BaseException:
                if outer is None:
                    self._rollback()
                raise
            finally:
                if outer is None:
                    self._undo = None

    def _rollback(self) -> None:
        assert self._undo is not None
        for kind, model, rid, old in reversed(self._undo):
            if kind == "create":
                self.data[model].pop(rid, None)
            else:
                assert old is not None
                self.data[model][rid] = old
        self._undo = []

    def remember(self, kind: str, model: str, rid: int) -> None:
        if self._undo is None:
            return
        old = self.data[model].get(rid)
        self._undo.append((kind, model, rid, copy.deepcopy(old) if old is not None else None))

    def next_sequence(self, code: str) -> int:
        self.sequences[code] = self.sequences.get(code, 0) + 1
        return self.sequences[code]

    def env(self, uid: int, context: dict[str, Any] | None = None) -> Env:
        return Env(self, uid, dict(context or {}))

    def authenticate(self, login: str, secret: str) -> int | None:
        for user in self.users.values():
            if user.login == login and (secret == user.password or secret in user.api_keys):
                return user.id
        return None

    def check(self, uid: Any, secret: Any) -> bool:
        user = self.users.get(uid) if isinstance(uid, int) else None
        return bool(user and (secret == user.password or secret in user.api_keys))

    def uid_for_api_key(self, key: str) -> int | None:
        for user in self.users.values():
            if key in user.api_keys:
                return user.id
        return None


class Env:
    """One call's view of the database: the user, the context and the ORM methods."""

    def __init__(self, db: Database, uid: int, context: dict[str, Any]) -> None:
        self.db = db
        self.uid = uid
        self.context = context

    def with_context(self, **extra: Any) -> Env:
        return Env(self.db, self.uid, {**self.context, **extra})

    # ------------------------------------------------------------------ companies
    @property
    def companies(self) -> list[int]:
        """The companies this call works in, as Odoo's `env.companies`: the context's `allowed_company_ids`
        (each one the user may work in, else AccessError), else every company the user may work in, its default
        first. Odoo falls back to all of them for calls "out of context" (odoo/api.py), so a search without
        `allowed_company_ids` sees the records of each; only `company` (what creates get) is the default one."""
        permitted = self.user_companies()
        allowed = self.context.get("allowed_company_ids")
        if not allowed:
            return permitted
        if not isinstance(allowed, list) or any(c not in permitted for c in allowed):
            raise AccessError("Access to unauthorized or invalid companies.")
        return list(allowed)

    @property
    def company(self) -> Any:
        """`env.company`: the first of `allowed_company_ids`, else the user's default company (the default of
        every record's company_id), not the first of `companies`."""
        if self.context.get("allowed_company_ids"):
            return self.companies[0]
        companies = self.user_companies()
        return companies[0] if companies else False

    def user_companies(self) -> list[int]:
        """The companies the user may work in (res.users `company_ids`, with its default `company_id`, first)."""
        user = self.db.data["res.users"].get(self.uid, {})
        default = user.get("company_id") or (min(self.db.data["res.company"]) if self.db.data["res.company"]
                                             else False)
        others = sorted(set(user.get("company_ids") or []) - {default})
        return [default, *others] if default else others

    # ------------------------------------------------------------------ languages
    @property
    def lang(self) -> str:
        """Odoo's `env.lang`, the language translated fields are read, searched and written in: the context's
        `lang`, else en_US (execute_kw starts from an empty context; en_US is always filled). A language the
        database has not active is refused from 17 (`Invalid language code`); 16 reads it as en_US."""
        lang = self.context.get("lang") or "en_US"
        if lang != "en_US" and not self.db.languages.get(lang):
            if self.db.version >= 17:
                raise UserError(f"Invalid language code: {lang}")
            return "en_US"
        return str(lang)

    # ------------------------------------------------------------------ access
    def spec(self, model: str) -> ModelSpec:
        return self.db.models[model]

    def check_access(self, model: str, mode: str) -> None:
        user = self.db.users.get(self.uid)
        if user is None or user.admin:
            return
        if user.groups is not None and access.allowed(user.groups, model, mode):
            return
        if user.groups is None and mode == "read" and model in ("res.partner", "res.users", "res.company",
                                                                 "res.currency"):
            return
        desc = self.spec(model).description
        verb = {"read": "access", "create": "create", "unlink": "delete"}.get(mode, "modify")
        raise AccessError(f"You are not allowed to {verb} "
                          f"'{desc}' ({model}) records.\n\nThis operation is allowed for the following groups:"
                          f"\n\t- Sales/User: Own Documents Only\n\nContact your administrator to request access"
                          f" if necessary.")

    # ------------------------------------------------------------------ raw values
    def all_ids(self, model: str) -> list[int]:
        return list(self.db.data[model])

    def record(self, model: str, rid: int) -> dict[str, Any]:
        rec = self.db.data[model].get(rid)
        if rec is None:
            raise MissingError(f"Record does not exist or has been deleted.\n(Record: {model}({rid},), "
                               f"User: {self.uid})")
        return rec

    def exists(self, model: str, rid: Any) -> bool:
        return isinstance(rid, int) and rid in self.db.data[model]

    def get(self, model: str, rid: int, fname: str) -> Any:
        if fname == "id":
            return rid
        spec = self.spec(model)
        if fname in MAGIC:
            return self.record(model, rid).get(fname, False)
        f = spec.fields[fname]
        if f.related:
            via, target = f.related
            link = self.get(model, rid, via)
            if not link:
                return copy.copy(EMPTY[f.type])
            return self.get(spec.fields[via].relation or "", link, target)
        if f.compute:
            return f.compute(self, rid)
        if f.company_dependent:                    # the value of the call's company; another's is not seen
            raw = self.record(model, rid).get(fname)
            return raw.get(self.company, copy.copy(EMPTY[f.type])) if isinstance(raw, dict) \
                else copy.copy(EMPTY[f.type])
        if f.translate and self.lang != "en_US":    # Odoo: COALESCE(name->>lang, name->>'en_US')
            rec = self.record(model, rid)
            return (rec.get(TRANSLATIONS) or {}).get(fname, {}).get(self.lang) or rec.get(fname, False)
        if f.type == "one2many":
            inverse = f.inverse or ""
            rel = f.relation or ""
            return [i for i, r in self.db.data[rel].items() if r.get(inverse) == rid]
        return self.record(model, rid).get(fname, copy.copy(EMPTY[f.type]))

    def display_name(self, model: str, rid: int) -> str:
        spec = self.spec(model)
        if spec.display:
            return spec.display(self, rid)
        value = self.get(model, rid, spec.rec_name) if spec.rec_name in spec.fields else False
        return str(value) if value else f"{model},{rid}"

    def hierarchy(self, model: str, roots: list[int], down: bool) -> set[int]:
        parent = self.spec(model).parent
        found = {r for r in roots if self.exists(model, r)}
        if not parent:
            return found
        if down:
            changed = True
            while changed:
                changed = False
                for rid, rec in self.db.data[model].items():
                    if rid not in found and rec.get(parent) in found:
                        found.add(rid)
                        changed = True
        else:
            todo = list(found)
            while todo:
                up = self.db.data[model][todo.pop()].get(parent)
                if up and up not in found:
                    found.add(up)
                    todo.append(up)
        return found

    # ------------------------------------------------------------------ search
    def search(self, model: str, domain: Any = None, offset: int = 0, limit: int | None = None,
               order: str | None = None) -> list[int]:
        self.check_access(model, "read")
        spec = self.spec(model)
        ids = self.all_ids(model)
        dom = list(domain or [])
        if "active" in spec.fields and self.context.get("active_test", True) and not _mentions(dom, "active"):
            ids = [i for i in ids if self.db.data[model][i].get("active", True)]
        companies = self.companies
        if "company_id" in spec.fields and spec.fields["company_id"].stored and model != "res.users":
            # Odoo's multi-company record rules: a record of another company is not there for this call
            ids = [i for i in ids if self.db.data[model][i].get("company_id") in (False, None, *companies)]
        ids = domains.filter_ids(self, model, dom, ids)
        ids = self._sort(model, ids, order or spec.order)
        if offset:
            ids = ids[offset:]
        if limit:
            ids = ids[:limit]
        return ids

    def _sort(self, model: str, ids: list[int], order: str) -> list[int]:
        spec = self.spec(model)
        keys = []
        for part in reversed([p.strip() for p in order.split(",") if p.strip()]):
            bits = part.split()
            fname, desc = bits[0], len(bits) > 1 and bits[1].lower() == "desc"
            if fname != "id" and fname not in spec.fields:
                raise OdooValueError(f"Invalid \"order\" specified ({order}). A valid \"order\" specification is a "
                                     f"comma-separated list of valid field names (optionally followed by asc/desc"
                                     f" for the direction)")
            keys.append((fname, desc))
        for fname, desc in keys:
            def key(rid: int, fname: str = fname) -> tuple[int, Any]:
                value = self.get(model, rid, fname)
                if spec.fields.get(fname) is not None and spec.fields[fname].type == "many2one" and value:
                    value = self.display_name(spec.fields[fname].relation or "", value)
                if isinstance(value, list):
                    value = len(value)
                return (0, "") if value is False or value is None else (1, value)
            ids = sorted(ids, key=key, reverse=desc)
        return ids

    # ------------------------------------------------------------------ read
    def read(self, model: str, ids: list[int], fields: list[str] | None = None,
             load: str | None = "_classic_read") -> list[dict[str, Any]]:
        self.check_access(model, "read")
        spec = self.spec(model)
        names = list(fields) if fields else list(spec.fields) + ["display_name"]
        for fname in names:
            if fname not in spec.fields and fname not in MAGIC and fname not in ("id", "display_name"):
                raise OdooValueError(f"Invalid field '{fname}' on model '{model}'")
        out = []
        for rid in ids:
            self.record(model, rid)
            row: dict[str, Any] = {"id": rid}
            for fname in names:
                if fname == "id":
                    continue
                if fname == "display_name":
                    row[fname] = self.display_name(model, rid)
                    continue
                value = self.get(model, rid, fname)
                f = spec.fields.get(fname)
                if f is not None and f.type == "many2one" and value and load == "_classic_read":
                    value = [value, self.display_name(f.relation or "", value)]
                row[fname] = copy.copy(value)
            out.append(row)
        return out

    # ------------------------------------------------------------------ create / write / unlink
    def create(self, model: str, vals_list: list[dict[str, Any]]) -> list[int]:
        self.check_access(model, "create")
        spec = self.spec(model)
        ids = []
        stamp = now_str()
        for vals in vals_list:
            if not isinstance(vals, dict):
                raise OdooValueError(f"create() expects a dict or a list of dicts, not {vals!r}")
            vals = dict(vals)
            self._check_fields(model, vals)
            if spec.pre_create:
                vals = spec.pre_create(self, vals)
            rid = self.db.next_id[model]
            self.db.next_id[model] = rid + 1
            rec: dict[str, Any] = {"create_date": stamp, "write_date": stamp,
                                   "create_uid": self.uid, "write_uid": self.uid}
            self.db.remember("create", model, rid)
            self.db.data[model][rid] = rec
            for fname, f in spec.fields.items():
                if not f.stored or fname in vals:
                    continue
                ctx_default = self.context.get(f"default_{fname}")
                if ctx_default is not None:
                    vals[fname] = ctx_default
                elif f.default is not None:
                    vals[fname] = f.default(self) if callable(f.default) else copy.deepcopy(f.default)
            plain = {k: v for k, v in vals.items() if spec.fields[k].stored}
            later = {k: v for k, v in vals.items() if not spec.fields[k].stored}
            for fname in spec.fields:
                if spec.fields[fname].stored:
                    rec[fname] = copy.copy(EMPTY[spec.fields[fname].type])
            self._assign(model, rid, plain, creating=True)
            self._assign(model, rid, later, creating=True)
            for fname, f in spec.fields.items():
                if f.required and f.stored and rec.get(fname) in (False, None, ""):
                    raise ValidationError(
                        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
                        "- Delete: another model requires the record being deleted. If possible, archive it "
                        f"instead.\n\nModel: {spec.description} ({model})\nField: {f.string or fname} ({fname})")
            ids.append(rid)
        if spec.on_create:
            spec.on_create(self, ids, vals_list)
        return ids

    def write(self, model: str, ids: list[int], vals: dict[str, Any]) -> bool:
        self.check_access(model, "write")
        spec = self.spec(model)
        self._check_fields(model, vals)
        for rid in ids:
            self.record(model, rid)
            self._assign(model, rid, vals, creating=False)
            for fname, f in spec.fields.items():
                if fname in vals and f.required and f.stored and self.db.data[model][rid].get(fname) in (False, None):
                    raise ValidationError(f"The operation cannot be completed:\n- Create/update: a mandatory "
                                          f"field is not set.\n\nModel: {spec.description} ({model})\n"
                                          f"Field: {f.string or fname} ({fname})")
        if spec.on_write:
            spec.on_write(self, ids, vals)
        return True

    def touch(self, model: str, rid: int) -> None:
        self.db.remember("write", model, rid)
        self.db.data[model][rid]["write_date"] = now_str()
        self.db.data[model][rid]["write_uid"] = self.uid

    def unlink(self, model: str, ids: list[int]) -> bool:
        self.check_access(model, "unlink")
        for rid in ids:
            self.record(model, rid)
        gone: list[dict[str, Any]] = []
        for rid in ids:
            if rid not in self.db.data[model]:
                continue
            for fname, f in self.spec(model).fields.items():
                if f.type == "one2many" and f.cascade:
                    self.unlink(f.relation or "", self.get(model, rid, fname))
            self.db.remember("unlink", model, rid)
            gone.append(self.db.data[model].pop(rid))
        spec = self.spec(model)
        if spec.on_unlink and gone:
            spec.on_unlink(self, gone)
        return True

    def _check_fields(self, model: str, vals: dict[str, Any]) -> None:
        spec = self.spec(model)
        for fname in vals:
            if fname not in spec.fields:
                raise OdooValueError(f"Invalid field '{fname}' on model '{model}'")
            f = spec.fields[fname]
            if f.compute is not None and f.setter is None:
                raise OdooValueError(f"Invalid field '{fname}' on model '{model}': it is computed and not stored")

    def _assign(self, model: str, rid: int, vals: dict[str, Any], creating: bool) -> None:
        spec = self.spec(model)
        if not creating:
            self.db.remember("write", model, rid)
        rec = self.db.data[model][rid]
        for fname, value in vals.items():
            f = spec.fields[fname]
            if f.setter is not None:
                f.setter(self, rid, value)
                continue
            if f.company_dependent:
                raw = rec.get(fname)
                rec[fname] = {**(raw if isinstance(raw, dict) else {}), self.company: value if value not in (
                    None, "") else False}
                continue
            if f.related:
                via, target = f.related
                link = rec.get(via)
                if link:
                    self.write(spec.fields[via].relation or "", [link], {target: value})
                continue
            if f.type == "many2one":
                if value in (None, False, 0):
                    value = False
                elif isinstance(value, (list, tuple)) and value and isinstance(value[0], int):
                    value = value[0]
                if value is not False and not self.exists(f.relation or "", value):
                    raise ValidationError(
                        f"The operation cannot be completed: the record {f.relation}({value!r},) referenced by "
                        f"{spec.description} ({model}) field {f.string or fname} ({fname}) does not exist.")
                rec[fname] = value
            elif f.type == "many2many":
                rec[fname] = self._m2m_commands(f, list(rec.get(fname) or []), value)
            elif f.type == "one2many":
                self._o2m_commands(f, rid, value)
            elif f.type == "selection":
                if value not in (False, None) and f.selection and value not in [k for k, _ in self.options(f)]:
                    raise OdooValueError(f"Wrong value for {model}.{fname}: {value!r}")
                rec[fname] = value if value is not None else False
            elif f.type in ("float", "monetary"):
                rec[fname] = float(value or 0.0)
                if f.digits:                       # as Odoo does on write: rounded to the field's precision
                    rec[fname] = half_up(rec[fname], self.precision(f.digits))
            elif f.type == "integer":
                rec[fname] = int(value or 0)
            elif f.type == "boolean":
                rec[fname] = bool(value)
            elif f.translate and self.lang != "en_US":
                # 16+: a create fills en_US and the call's language, a write changes the call's language only
                value = value if value not in (None, "") else False
                rec.setdefault(TRANSLATIONS, {}).setdefault(fname, {})[self.lang] = value
                if creating or not rec.get(fname):
                    rec[fname] = value
            else:
                rec[fname] = value if value not in (None, "") else False
        rec["write_date"] = now_str()
        rec["write_uid"] = self.uid

    def _commands(self, value: Any) -> list[list[Any]]:
        if value in (False, None):
            return [[5]]
        if not isinstance(value, (list, tuple)):
            raise OdooValueError(f"Invalid x2many value {value!r}")
        if all(isinstance(v, int) for v in value):
            return [[6, 0, list(value)]]
        out = []
        for cmd in value:
            if not isinstance(cmd, (list, tuple)) or not cmd or not isinstance(cmd[0], int) or not 0 <= cmd[0] <= 6:
                raise OdooValueError(f"Invalid x2many command {cmd!r}")
            out.append(list(cmd) + [0] * (3 - len(cmd)))
        return out

    def _m2m_commands(self, f: Field, current: list[int], value: Any) -> list[int]:
        rel = f.relation or ""
        for code, rid, data in self._commands(value):
            if code == 0:
                current.append(self.create(rel, [data])[0])
            elif code == 1:
                self.write(rel, [rid], data)
            elif code == 2:
                self.unlink(rel, [rid])
                current = [i for i in current if i != rid]
            elif code == 3:
                current = [i for i in current if i != rid]
            elif code == 4:
                if not self.exists(rel, rid):
                    raise MissingError(f"Record does not exist or has been deleted.\n(Record: {rel}({rid},), "
                                       f"User: {self.uid})")
                if rid not in current:
                    current.append(rid)
            elif code == 5:
                current = []
            elif code == 6:
                for i in data or []:
                    if not self.exists(rel, i):
                        raise MissingError(f"Record does not exist or has been deleted.\n(Record: {rel}({i},),"
                                           f" User: {self.uid})")
                current = list(dict.fromkeys(data or []))
        return current

    def _o2m_commands(self, f: Field, owner: int, value: Any) -> None:
        rel, inverse = f.relation or "", f.inverse or ""
        for code, rid, data in self._commands(value):
            if code == 0:
                self.create(rel, [{**data, inverse: owner}])
            elif code == 1:
                self.write(rel, [rid], data)
            elif code == 2 or (code == 3 and f.cascade):
                self.unlink(rel, [rid])
            elif code == 3:
                self.write(rel, [rid], {inverse: False})
            elif code == 4:
                self.write(rel, [rid], {inverse: owner})
            elif code in (5, 6):
                keep = set(data or []) if code == 6 else set()
                for line in [i for i, r in self.db.data[rel].items() if r.get(inverse) == owner]:
                    if line in keep:
                        continue
                    if f.cascade:
                        self.unlink(rel, [line])
                    else:
                        self.write(rel, [line], {inverse: False})
                for line in keep:
                    self.write(rel, [line], {inverse: owner})

    # ------------------------------------------------------------------ metadata
    def options(self, f: Field) -> list[tuple[str, str]]:
        """A selection field's values, computed when Odoo computes them."""
        return f.selection(self) if callable(f.selection) else list(f.selection or [])

    def precision(self, name: str) -> int:
        """Digits of a decimal.precision record (Settings > Technical > Decimal Accuracy), 2 when missing."""
        for rec in self.db.data.get("decimal.precision", {}).values():
            if rec.get("name") == name:
                return int(rec.get("digits") or 0)
        return 2

    def fields_get(self, model: str, allfields: list[str] | None = None,
                   attributes: list[str] | None = None) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for fname, f in self.spec(model).fields.items():
            if allfields and fname not in allfields:
                continue
            desc: dict[str, Any] = {"type": f.type, "string": f.string or fname.replace("_", " ").title(),
                                    "required": f.required, "readonly": f.readonly or f.compute is not None,
                                    "store": f.stored, "searchable": True, "sortable": f.stored,
                                    "help": f.help, "manual": fname.startswith("x_"), "depends": [],
                                    "company_dependent": f.company_dependent, "groupable": f.stored,
                                    "exportable": True,
                                    "name": fname, "context": {}, "domain": []}
            if f.relation:
                desc["relation"] = f.relation
            if f.inverse:
                desc["relation_field"] = f.inverse
            if f.selection is not None:
                desc["selection"] = [list(s) for s in self.options(f)]
            if f.digits:
                desc["digits"] = [16, self.precision(f.digits)]
            if attributes:
                desc = {k: v for k, v in desc.items() if k in attributes}
            out[fname] = desc
        return out

    def name_search(self, model: str, name: str = "", domain: Any = None, operator: str = "ilike",
                    limit: int = 100) -> list[list[Any]]:
        spec = self.spec(model)
        dom = list(domain or [])
        ids = self.search(model, dom, order=spec.order)
        if name:
            ids = domains.filter_ids(self, model, [("id", "in", [
                i for i in ids if domains._compare_scalar(self.display_name(model, i), operator, name)
                or any(domains._compare_scalar(self.get(model, i, extra), operator, name)
                       for extra in ("default_code", "barcode", "ref") if extra in spec.fields)])], ids)
        return [[i, self.display_name(model, i)] for i in ids[:limit]]


def _mentions(domain: list[Any], fname: str) -> bool:
    return any(isinstance(t, (list, tuple)) and len(t) == 3 and t[0] == fname for t in domain)
