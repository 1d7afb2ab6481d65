"""The `common`, `object` and `db` services and Odoo's `call_kw` semantics, protocol-free.

`execute_kw` checks credentials, the model and the method name (private methods are
refused), pops `context`, takes record ids from `args[0]` unless the method is
`@api.model`, binds the remaining arguments to the method's Python signature, runs the
call in one transaction, and downgrades what it returns (a recordset becomes ids).
The HTTP layer (server.py) only encodes requests and errors for each protocol.
"""

from __future__ import annotations

from typing import Any

from gateway.odoo.sandbox import access, business
from gateway.odoo.sandbox.business import REQUIRED, Method
from gateway.odoo.sandbox.exceptions import (
    AccessDenied,
    AccessError,
    MethodNotFound,
    OdooAttributeError,
    OdooTypeError,
    OdooValueError,
    UserError,
)
from gateway.odoo.sandbox.orm import Database, Env


def _search(env: Env, model: str, domain: Any, offset: int = 0, limit: Any = None, order: Any = None) -> list[int]:
    return env.search(model, domain, offset or 0, limit or None, order or None)


def _search_read(env: Env, model: str, domain: Any = None, fields: Any = None, offset: int = 0,
                 limit: Any = None, order: Any = None) -> list[dict[str, Any]]:
    return env.read(model, _search(env, model, domain, offset, limit, order), fields or None)


def _search_count(env: Env, model: str, domain: Any, limit: Any = None) -> int:
    n = len(env.search(model, domain))
    return min(n, limit) if limit else n


def _create(env: Env, model: str, vals_list: Any) -> Any:
    if isinstance(vals_list, dict):
        return env.create(model, [vals_list])[0]
    if not isinstance(vals_list, list):
        raise OdooValueError(f"create() expects a dict or a list of dicts, got {type(vals_list).__name__}")
    return env.create(model, vals_list)


def _read(env: Env, model: str, ids: list[int], fields: Any = None, load: Any = "_classic_read") -> Any:
    return env.read(model, ids, fields or None, load)


def _write(env: Env, model: str, ids: list[int], vals: dict[str, Any]) -> bool:
    return env.write(model, ids, vals)


def _unlink(env: Env, model: str, ids: list[int]) -> bool:
    return env.unlink(model, ids)


def _exists(env: Env, model: str, ids: list[int]) -> list[int]:
    return [i for i in ids if env.exists(model, i)]


def _fields_get(env: Env, model: str, allfields: Any = None, attributes: Any = None) -> Any:
    return env.fields_get(model, allfields, attributes)


def _default_get(env: Env, model: str, fields_list: list[str]) -> dict[str, Any]:
    out = {}
    for fname in fields_list:
        f = env.spec(model).fields.get(fname)
        if f is not None and f.default is not None:
            out[fname] = f.default(env) if callable(f.default) else f.default
    return out


def _name_get(env: Env, model: str, ids: list[int]) -> list[list[Any]]:
    return [[i, env.display_name(model, i)] for i in ids]


def _check_access_rights(env: Env, model: str, operation: str, raise_exception: bool = True) -> bool:
    """16-19 (deprecated in 18 for has_access / check_access): the model's access rights for `operation`."""
    if operation not in access.LETTER:
        raise OdooValueError("Invalid access mode")
    try:
        env.check_access(model, operation)
    except AccessError:
        if raise_exception:
            raise
        return False
    return True


def _has_access(env: Env, model: str, ids: list[int], operation: str) -> bool:
    """18+: whether the user may `operation` the records (on an empty recordset: the model's access rights)."""
    return _check_access_rights(env, model, operation, raise_exception=False)


def _has_group(env: Env, uid: int, group_ext_id: str) -> bool:
    user = env.db.users.get(uid)
    return user is not None and access.has_group(user.groups, user.admin, group_ext_id)


def user_methods(version: int) -> dict[tuple[str, str], Method]:
    """res.users has_group: 16 and 17.0 an @api.model method on the caller (17.0's web client asks it `args:
    [group]`; its fallback on the env user went in saas-17.2, odoo/odoo#151597), 18+ a record method on one user
    (`ensure_one`), as odoo/addons/base/models/res_users.py has them. The sandbox's 17 is 17.0."""
    if version < 18:
        return {("res.users", "has_group"): Method(lambda env, group_ext_id: _has_group(env, env.uid, group_ext_id),
                                                   False, [("group_ext_id", REQUIRED)])}

    def on_one(env: Env, ids: list[int], group_ext_id: str) -> bool:
        if len(ids) != 1:
            raise OdooValueError(f"Expected singleton: res.users{tuple(ids)}")
        return _has_group(env, ids[0], group_ext_id)
    return {("res.users", "has_group"): Method(on_one, True, [("group_ext_id", REQUIRED)])}


def generic_methods(version: int) -> dict[str, Method]:
    domain_arg = "domain" if version >= 19 else "args"
    methods = {
        "search": Method(_search, False, [("domain", REQUIRED), ("offset", 0), ("limit", None), ("order", None)]),
        "search_read": Method(_search_read, False, [("domain", None), ("fields", None), ("offset", 0),
                                                    ("limit", None), ("order", None)]),
        "search_count": Method(_search_count, False, [("domain", REQUIRED), ("limit", None)]),
        "create": Method(_create, False, [("vals_list", REQUIRED)]),
        "read": Method(_read, True, [("fields", None), ("load", "_classic_read")]),
        "write": Method(_write, True, [("vals", REQUIRED)]),
        "unlink": Method(_unlink, True, []),
        "exists": Method(_exists, True, []),
        "fields_get": Method(_fields_get, False, [("allfields", None), ("attributes", None)]),
        "default_get": Method(_default_get, False, [("fields_list", REQUIRED)]),
        "name_search": Method(lambda env, model, name="", domain=None, operator="ilike", limit=100, **kw:
                              env.name_search(model, name, domain if domain is not None else kw.get("args"),
                                              operator, limit),
                              False, [("name", ""), (domain_arg, None), ("operator", "ilike"), ("limit", 100)]),
    }
    methods["check_access_rights"] = Method(_check_access_rights, False, [("operation", REQUIRED),
                                                                          ("raise_exception", True)])
    if version < 18:
        methods["name_get"] = Method(_name_get, True, [])
    else:
        methods["has_access"] = Method(_has_access, True, [("operation", REQUIRED)])
    return methods


class Service:
    """The sandbox's Odoo: one database, its users and the RPC services over it."""

    def __init__(self, db: Database, list_db: bool = True) -> None:
        self.db = db
        self.list_db = list_db
        self.generic = generic_methods(db.version)
        self.versioned = user_methods(db.version)

    # ------------------------------------------------------------------ common / db
    def version(self) -> dict[str, Any]:
        v = self.db.version
        return {"server_version": f"{v}.0", "server_version_info": [v, 0, 0, "final", 0, ""],
                "server_serie": f"{v}.0", "protocol_version": 1}

    def common(self, method: str, args: list[Any]) -> Any:
        if method == "version":
            return self.version()
        if method == "about":
            return "See http://openerp.com"
        if method in ("login", "authenticate"):
            if len(args) < 3:
                raise OdooTypeError(f"exp_{method}() missing required positional arguments")
            db, login, password = args[0], args[1], args[2]
            uid = self.db.authenticate(login, password) if db == self.db.name else None
            if uid is None:
                if method == "login":
                    return False
                raise AccessDenied()
            return uid
        raise MethodNotFound(f"Method not found: {method}")

    def db_service(self, method: str, args: list[Any]) -> Any:
        if method == "list":
            if not self.list_db:
                raise AccessDenied()
            return [self.db.name]
        if method == "server_version":
            return f"{self.db.version}.0"
        if method in ("db_exist",):
            return bool(args) and args[0] == self.db.name
        raise MethodNotFound(f"Method not found: {method}")

    # ------------------------------------------------------------------ object
    def object(self, method: str, args: list[Any]) -> Any:
        if method not in ("execute", "execute_kw"):
            raise MethodNotFound(f"Method not found: {method}")
        if len(args) < 5:
            raise OdooTypeError(f"{method}() missing required positional arguments")
        db, uid, password, model, name = args[:5]
        if db != self.db.name or not self.db.check(uid, password):
            raise AccessDenied()
        if method == "execute":
            return self.execute_kw(uid, model, name, list(args[5:]), {})
        call_args = list(args[5]) if len(args) > 5 and args[5] is not None else []
        kwargs = dict(args[6]) if len(args) > 6 and args[6] else {}
        return self.execute_kw(uid, model, name, call_args, kwargs)

    def find_method(self, model: str, name: str) -> Method:
        if model not in self.db.models:
            raise UserError(f"Object {model} doesn't exist")
        if name.startswith("_"):
            raise AccessError(f"Private methods (such as {model}.{name}) cannot be called remotely.")
        method = business.METHODS.get((model, name)) or self.versioned.get((model, name)) or self.generic.get(name)
        if method is None:
            raise OdooAttributeError(f"The method '{name}' does not exist on the model '{model}'")
        return method

    def execute_kw(self, uid: int, model: str, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        method = self.find_method(model, name)
        kwargs = dict(kwargs)
        context = kwargs.pop("context", None) or {}
        if not isinstance(context, dict):
            raise OdooValueError("context must be a dictionary")
        ids: list[int] = []
        if method.on_records:
            if not args:
                raise OdooTypeError(f"{name}() missing 1 required positional argument: 'self' (record ids)")
            raw = args[0]
            ids = [raw] if isinstance(raw, int) else list(raw or [])
            args = args[1:]
        bound = bind(name, method, args, kwargs, style="python")
        return self.run(uid, model, method, ids, bound, context)

    def run(self, uid: int, model: str, method: Method, ids: list[int], bound: dict[str, Any],
            context: dict[str, Any]) -> Any:
        if _holds_nul(bound):
            # psycopg2 refuses such a query parameter whatever the column: Odoo answers with its ValueError
            raise OdooValueError("A string literal cannot contain NUL (0x00) characters.")
        with self.db.transaction():
            env = self.db.env(uid, context)
            if any(method is m for m in self.generic.values()):
                if method.on_records:
                    return method.fn(env, model, ids, **bound)
                return method.fn(env, model, **bound)
            if method.on_records:
                return method.fn(env, ids, **bound)
            return method.fn(env, **bound)


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False


def bind(name: str, method: Method, args: list[Any], kwargs: dict[str, Any], style: str) -> dict[str, Any]:
    """Bind arguments to the method's parameters with Python's (execute_kw) or inspect's (JSON-2) messages."""
    params = method.params
    if len(args) > len(params):
        raise OdooTypeError(f"{name}() takes {len(params) + 1} positional arguments but {len(args) + 1} were given")
    bound = {pname: value for (pname, _), value in zip(params, args)}
    known = {p for p, _ in params}
    if name == "name_search":
        known |= {"args", "domain"}
    for key, value in kwargs.items():
        if key not in known:
            raise OdooTypeError(f"got an unexpected keyword argument '{key}'" if style == "json2"
                                else f"{name}() got an unexpected keyword argument '{key}'")
        if key in bound:
            raise OdooTypeError(f"{name}() got multiple values for argument '{key}'")
        bound[key] = value
    for pname, default in params:
        if pname not in bound and default is REQUIRED:
            raise OdooTypeError(f"missing a required argument: '{pname}'" if style == "json2"
                                else f"{name}() missing 1 required positional argument: '{pname}'")
    return bound
