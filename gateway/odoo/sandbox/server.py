"""The sandbox's HTTP face: Odoo's external protocols over the in-memory database.

- `POST /web/webclient/version_info` and `/jsonrpc` (JSON-RPC 2.0, errors with HTTP 200
  and `error.data.{name,message,arguments,debug,context}`), what odoorpc speaks.
- `POST /xmlrpc/2/{common,object,db}` with integer fault codes, `allow_none=False`.
- Odoo 19 mode: `POST /json/2/<model>/<method>` with `Authorization: bearer <api key>`,
  named arguments, bare JSON results and real status codes; `GET /web/version`.

A threaded stdlib server: it runs in a thread inside a test process or in the
`edi-gateway odoo-sandbox` command. `faults` injects the failures the gateway must
survive: 503 responses, serialisation failures, and a connection dropped after the
server committed a create.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import threading
import time
import traceback
import xmlrpc.client
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from gateway.odoo.sandbox import business, models, seed
from gateway.odoo.sandbox.business import Method
from gateway.odoo.sandbox.exceptions import (
    AccessDenied,
    AccessError,
    LockError,
    OdooException,
    OdooTypeError,
    SerializationFailure,
)
from gateway.odoo.sandbox.orm import Database
from gateway.odoo.sandbox.service import Service, bind

VERSIONS = (16, 17, 18, 19)
NOT_FOUND_HTML = (b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
                  b"<p>The requested URL was not found on the server. If you entered the URL manually please "
                  b"check your spelling and try again.</p>\n")
UNAVAILABLE_HTML = (b"<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service "
                    b"Unavailable</h1>No server is available to handle this request.</body></html>\n")


@dataclass
class Faults:
    """Failures to inject into the next data calls (object service, JSON-2); thread-safe counters."""

    unavailable: int = 0                                      # answer 503 this many times
    serialization: int = 0                                    # raise a serialisation failure this many times
    lock: int = 0                                             # raise a lock conflict (19: LockError 409)
    drop_after_create: dict[str, int] = field(default_factory=dict)   # model -> creates to commit then drop
    # (also "model.method" -> calls of that method to commit then drop)
    delay: float = 0.0                                        # seconds to sleep before answering
    calls: int = 0                                            # data calls served (for benchmarks)
    lock_: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, name: str) -> bool:
        with self.lock_:
            count = getattr(self, name)
            if count > 0:
                setattr(self, name, count - 1)
                return True
            return False

    def take_drop(self, model: str) -> bool:
        with self.lock_:
            count = self.drop_after_create.get(model, 0)
            if count > 0:
                self.drop_after_create[model] = count - 1
                return True
            return False


class _Drop(Exception):
    """Close the connection without answering (the commit already happened)."""


class SandboxServer:
    """An Odoo of the given version, seeded, listening on 127.0.0.1 (port 0 picks a free one)."""

    def __init__(self, version: int = 17, seed_name: str | None = "demo", database: str = "demo",
                 login: str = "admin", password: str = "admin", api_keys: list[str] | None = None,
                 host: str = "127.0.0.1", port: int = 0, deprecated_rpc: bool = True,
                 without: tuple[str, ...] = (), lang: str | None = None) -> None:
        """`without`: add-ons this database lacks (`models.ADDONS`), as many real ones do; `lang` (fr_FR): the
        database set up in that language, English archived (`seed.in_language`)."""
        if version not in VERSIONS:
            raise ValueError(f"Odoo version {version} is not one the sandbox models (16, 17, 18 or 19)")
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the sandbox listens on loopback only")
        self.version = version
        specs = models.build(version, frozenset(without))
        business.install(specs)
        self.db = Database(database, version, specs)
        keys = list(api_keys) if api_keys is not None else ([password] if version >= 19 else [])
        if seed_name == "demo":
            seed.demo(self.db, login, password, keys)
        elif seed_name in (None, "base"):
            seed.base(self.db, login, password, keys)
        else:
            raise ValueError(f"unknown seed {seed_name!r} (demo or base)")
        if lang is not None:
            seed.in_language(self.db, lang)
        self.service = Service(self.db)
        self.faults = Faults()
        self.deprecated_rpc = deprecated_rpc
        self.sessions: dict[str, int] = {}
        self.host = host
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._httpd is not None, "not started"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> int:
        handler = type("Handler", (_Handler,), {"sandbox": self})
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server_cls = type("Server", (ThreadingHTTPServer,), {"address_family": family, "daemon_threads": True,
                                                               "allow_reuse_address": True,
                                                               "handle_error": _quiet_disconnects})
        self._httpd = server_cls((self.host, self._port), handler)
        # serve_forever checks for stop() once per poll: 0.01 s, so a stop (one per Odoo test) waits 10 ms, not 50
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), name="odoo-sandbox", daemon=True)
        self._thread.start()
        return self.port

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def session_info(self, uid: int) -> dict[str, Any]:
        """The keys of ir.http.session_info() that clients read (uid, db, context, companies, version)."""
        env = self.db.env(uid)
        user = env.read("res.users", [uid], ["login", "name", "partner_id", "company_id"], load=None)[0]
        company = user["company_id"]
        return {"uid": uid, "is_system": uid in (1, 2), "is_admin": uid in (1, 2), "is_public": False,
                "is_internal_user": True, "db": self.db.name, "username": user["login"], "name": user["name"],
                "partner_id": user["partner_id"],
                "partner_display_name": env.display_name("res.partner", user["partner_id"]),
                "user_context": business.context_get(env),
                "server_version": f"{self.version}.0",
                "server_version_info": [self.version, 0, 0, "final", 0, ""],
                "user_companies": {"current_company": company, "allowed_companies": {
                    str(c): {"id": c, "name": env.display_name("res.company", c)} for c in env.user_companies()}},
                "web.base.url": self.url}

    # ------------------------------------------------------------------ data calls with faults
    def data_call(self, model: str, method: str, run: Any) -> Any:
        """Run one object-service / JSON-2 call with the injected faults around it."""
        self.faults.calls += 1
        if self.faults.delay:
            time.sleep(self.faults.delay)
        if self.faults.take("serialization"):
            raise SerializationFailure()
        if self.faults.take("lock"):
            if self.version >= 19:
                raise LockError(f"Cannot acquire a lock on the record(s) of {model}: another transaction holds it.")
            exc = SerializationFailure(f'could not obtain lock on row in relation "{model.replace(".", "_")}"')
            exc.odoo_name = "psycopg2.errors.LockNotAvailable"
            raise exc
        result = run()
        if (method == "create" and self.faults.take_drop(model)) or self.faults.take_drop(f"{model}.{method}"):
            raise _Drop()
        return result


def _jsonable(value: Any) -> Any:
    return value


class _Handler(BaseHTTPRequestHandler):
    sandbox: SandboxServer
    protocol_version = "HTTP/1.1"
    server_version = "Werkzeug/3.0.1"
    sys_version = "Python/3.11"

    def log_message(self, format: str, *args: Any) -> None:
        return

    # ------------------------------------------------------------------ plumbing
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8",
                   headers)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self) -> None:
        sb = self.sandbox
        path = self.path.split("?", 1)[0]
        if path in ("/web/version", "/json/version") and sb.version >= 19:
            v = sb.version
            self._json(200, {"version_info": [v, 0, 0, "final", 0, ""], "version": f"{v}.0"})
        elif path.startswith("/json/2") and sb.version >= 19:
            self._json(404, _error_body("werkzeug.exceptions.NotFound",
                                        "Did you mean POST /json/2/<model>/<method>?", 404))
        else:
            self._send(404, NOT_FOUND_HTML, "text/html; charset=utf-8")

    def do_POST(self) -> None:
        sb = self.sandbox
        path = self.path.split("?", 1)[0]
        body = self._body()
        data_paths = ("/jsonrpc", "/xmlrpc/2/object", "/json/2/")
        if any(path.startswith(p) for p in data_paths) and sb.faults.take("unavailable"):
            self._send(503, UNAVAILABLE_HTML, "text/html", {"Retry-After": "1"})
            return
        try:
            if path == "/jsonrpc" or path in ("/web/webclient/version_info", "/web/database/list") \
                    or path.startswith(("/web/session/", "/web/dataset/call_kw", "/web/dataset/call_button")):
                self._jsonrpc(path, body)
            elif path.startswith("/xmlrpc/2/"):
                self._xmlrpc(path[len("/xmlrpc/2/"):], body)
            elif path.startswith("/json/2/") and sb.version >= 19:
                self._json2(path[len("/json/2/"):], body)
            else:
                self._send(404, NOT_FOUND_HTML, "text/html; charset=utf-8")
        except _Drop:
            self._drop()

    # ------------------------------------------------------------------ JSON-RPC
    def _jsonrpc(self, path: str, body: bytes) -> None:
        sb = self.sandbox
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype not in ("application/json", "application/json-rpc"):
            self._send(415, b"<p>Request inferred type is compatible with ['http'] but /jsonrpc is type=json</p>",
                       "text/html; charset=utf-8")
            return
        try:
            request = json.loads(body or b"{}")
        except ValueError as exc:
            self._json(200, {"jsonrpc": "2.0", "id": None, "error": _rpc_error(OdooException(
                f"Invalid JSON data: {exc}"), 200)})
            return
        rid = request.get("id") if isinstance(request, dict) else None
        params = request.get("params") or {} if isinstance(request, dict) else {}
        headers: dict[str, str] = {}
        try:
            if path.startswith(("/web/session/", "/web/dataset/")):
                result = self._web(path, params, headers)
            elif path == "/web/webclient/version_info":
                result = sb.service.version()
            elif path == "/web/database/list":
                result = sb.service.db_service("list", [])
            else:
                service, method = params.get("service"), str(params.get("method") or "")
                args = list(params.get("args") or [])
                if service == "common":
                    if method in ("login", "authenticate") and not sb.deprecated_rpc:
                        raise _NotFound()
                    result = sb.service.common(method, args)
                elif service == "object":
                    if not sb.deprecated_rpc:
                        raise _NotFound()
                    model = args[3] if len(args) > 3 else ""
                    name = args[4] if len(args) > 4 else ""
                    result = sb.data_call(model, name, lambda: sb.service.object(method, args))
                elif service == "db":
                    result = sb.service.db_service(method, args)
                else:
                    raise _NotFound()
        except _Drop:
            raise
        except _SessionExpired:
            self._json(200, {"jsonrpc": "2.0", "id": rid, "error": {
                "code": 100, "message": "Odoo Session Expired", "data": {
                    "name": "odoo.http.SessionExpiredException", "debug": "", "message": "Session expired",
                    "arguments": ["Session expired"], "context": {}}}})
            return
        except _NotFound:
            self._json(200, {"jsonrpc": "2.0", "id": rid, "error": {
                "code": 404, "message": "404: Not Found", "data": {
                    "name": "werkzeug.exceptions.NotFound", "debug": "", "message": NOT_FOUND_HTML.decode(),
                    "arguments": [], "context": {}}}})
            return
        except Exception as exc:  # noqa: BLE001 - every error becomes Odoo's error payload
            self._json(200, {"jsonrpc": "2.0", "id": rid, "error": _rpc_error(exc, 200)})
            return
        response: dict[str, Any] = {"jsonrpc": "2.0", "id": rid}
        if result is not None:
            response["result"] = result
        if headers:
            self._json(200, response, headers)
            return
        self._json(200, response)

    # ------------------------------------------------------------------ web client session endpoints
    def _session_uid(self) -> int:
        cookie = self.headers.get("Cookie") or ""
        match = re.search(r"(?:^|;\s*)session_id=([^;]+)", cookie)
        uid = self.sandbox.sessions.get(match.group(1)) if match else None
        if uid is None:
            raise _SessionExpired()
        return uid

    def _web(self, path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
        """/web/session/authenticate (cookie), get_session_info, destroy, /web/dataset/call_kw (needs the cookie; runs
        in the user's context, as the session's `context` is `context_get()` from the login on: their language)."""
        sb = self.sandbox
        if path == "/web/session/authenticate":
            if params.get("db") != sb.db.name:
                raise AccessError("Database not found.")
            uid = sb.db.authenticate(str(params.get("login") or ""), str(params.get("password") or ""))
            if uid is None:
                raise AccessDenied()
            sid = secrets.token_hex(20)
            sb.sessions[sid] = uid
            headers["Set-Cookie"] = f"session_id={sid}; HttpOnly; Path=/; Max-Age=604800; SameSite=Lax"
            return sb.session_info(uid)
        uid = self._session_uid()
        if path == "/web/session/get_session_info":
            return sb.session_info(uid)
        if path == "/web/session/destroy":
            cookie = re.search(r"session_id=([^;]+)", self.headers.get("Cookie") or "")
            sb.sessions.pop(cookie.group(1) if cookie else "", None)
            return None
        if path.startswith(("/web/dataset/call_kw", "/web/dataset/call_button")):
            model, method = str(params.get("model") or ""), str(params.get("method") or "")
            args, kwargs = list(params.get("args") or []), dict(params.get("kwargs") or {})
            if isinstance(kwargs.get("context") or {}, dict):    # a session's calls start from the user's context
                kwargs["context"] = {**business.context_get(sb.db.env(uid)), **(kwargs.get("context") or {})}
            return sb.data_call(model, method, lambda: sb.service.execute_kw(uid, model, method, args, kwargs))
        raise _NotFound()

    # ------------------------------------------------------------------ XML-RPC
    def _xmlrpc(self, service: str, body: bytes) -> None:
        sb = self.sandbox
        try:
            params, method = xmlrpc.client.loads(body, use_datetime=True)
            args = [_from_xml(a) for a in params]
            if service == "common":
                result = sb.service.common(method or "", args)
            elif service == "object":
                model = args[3] if len(args) > 3 else ""
                name = args[4] if len(args) > 4 else ""
                result = sb.data_call(model, name, lambda: sb.service.object(method or "", args))
            elif service == "db":
                result = sb.service.db_service(method or "", args)
            else:
                self._send(404, NOT_FOUND_HTML, "text/html; charset=utf-8")
                return
            payload = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except _Drop:
            raise
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, OdooException) and exc.fault_code != 1:
                fault = xmlrpc.client.Fault(exc.fault_code, exc.message)
            else:
                fault = xmlrpc.client.Fault(1, _traceback(exc))
            payload = xmlrpc.client.dumps(fault, methodresponse=True, allow_none=False)
        self._send(200, payload.encode(), "text/xml; charset=utf-8")

    # ------------------------------------------------------------------ JSON-2
    def _json2(self, rest: str, body: bytes) -> None:
        sb = self.sandbox
        parts = rest.split("/")
        auth = self.headers.get("Authorization") or ""
        match = re.match(r"^bearer\s+(.+)$", auth, re.IGNORECASE)
        uid = sb.db.uid_for_api_key(match.group(1).strip()) if match else None
        dbname = self.headers.get("X-Odoo-Database")
        if uid is None or (dbname and dbname != sb.db.name):
            self._json(401, _error_body("werkzeug.exceptions.Unauthorized", "Invalid apikey", 401),
                       {"WWW-Authenticate": "bearer"})
            return
        if len(parts) != 2 or not all(parts):
            self._json(404, _error_body("werkzeug.exceptions.NotFound",
                                        "Did you mean POST /json/2/<model>/<method>?", 404))
            return
        model, name = parts
        if model not in sb.db.models:
            self._json(404, _error_body("werkzeug.exceptions.NotFound", f"the model '{model}' does not exist", 404))
            return
        try:
            kwargs = json.loads(body or b"{}")
            if not isinstance(kwargs, dict):
                raise ValueError("the body must be a JSON object")  # noqa: TRY004 - reported as Odoo's 400
        except ValueError as exc:
            self._json(400, _error_body("werkzeug.exceptions.BadRequest", f"could not parse the body as json: {exc}",
                                        400))
            return
        try:
            method: Method = sb.service.find_method(model, name)
        except OdooException as exc:
            status = 404 if exc.odoo_name == "builtins.AttributeError" else exc.http_status
            self._json(status, _error_body(exc.odoo_name if status != 404 else "werkzeug.exceptions.NotFound",
                                           exc.message, status))
            return
        ids = kwargs.pop("ids", []) or []
        context = kwargs.pop("context", {}) or {}
        if isinstance(context, dict):
            context = {"lang": request_lang(sb.db, uid, self.headers.get("Accept-Language")), **context}
        if ids and not method.on_records:
            self._json(422, _error_body("werkzeug.exceptions.UnprocessableEntity",
                                        f"cannot call {model}.{name} with ids", 422))
            return
        try:
            bound = bind(name, method, [], kwargs, style="json2")
        except OdooTypeError as exc:
            self._json(422, _error_body("werkzeug.exceptions.UnprocessableEntity", exc.message, 422))
            return
        try:
            result = sb.data_call(model, name, lambda: sb.service.run(uid, model, method, list(ids), bound, context))
        except _Drop:
            raise
        except OdooException as exc:
            self._json(exc.http_status, _error_body(exc.odoo_name, exc.message, exc.http_status, exc))
            return
        except Exception as exc:  # noqa: BLE001
            self._json(500, _error_body(f"builtins.{type(exc).__name__}", str(exc), 500, exc))
            return
        if name == "create" and isinstance(result, int):
            result = [result]
        self._json(200, result)


def request_lang(db: Database, uid: int, accept_language: str | None) -> str:
    """The `lang` a JSON-2 call runs in when its context names none. Odoo 19 starts the request's context from the
    session's, whose lang is Accept-Language's best (else en_US), and `ir.http._pre_dispatch` replaces it by
    `get_lang`: that language if active, else the user's company's (its partner's lang), else en_US if active,
    else the first active one. The API user's own language plays no part."""
    active = [code for code, on in db.languages.items() if on]
    wanted = _best_language(accept_language) or "en_US"
    if wanted in active:
        return wanted
    user = db.data["res.users"].get(uid, {})
    company = db.data["res.company"].get(user.get("company_id") or min(db.data["res.company"], default=0), {})
    company_lang = db.data["res.partner"].get(company.get("partner_id") or 0, {}).get("lang")
    if company_lang in active:
        return str(company_lang)
    return "en_US" if "en_US" in active else active[0]


def _best_language(header: str | None) -> str | None:
    """werkzeug's `accept_languages.best` as Odoo reads it: fr-CH -> fr_CH, a bare fr -> fr_FR (babel's alias)."""
    weighted = []
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = params.strip()[2:] if params.strip().startswith("q=") else "1"
        try:
            weighted.append((float(quality), tag.strip()))
        except ValueError:
            continue
    tags = [t for q, t in sorted(weighted, key=lambda w: -w[0]) if t and t != "*" and q > 0]
    if not tags:
        return None
    code, _, territory = tags[0].partition("-")
    if territory:
        return f"{code.lower()}_{territory.upper()}"
    return "en_US" if code.lower() == "en" else f"{code.lower()}_{code.upper()}"


def _quiet_disconnects(self: ThreadingHTTPServer, request: Any, client_address: Any) -> None:
    """A client that hung up (timeout test, dropped connection) is not a server error."""
    import sys
    if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
        return
    ThreadingHTTPServer.handle_error(self, request, client_address)


class _NotFound(Exception):
    pass


class _SessionExpired(Exception):
    pass


def _traceback(exc: BaseException) -> str:
    return "Traceback (most recent call last):\n" + "".join(traceback.format_exception(exc)[1:])


def _name(exc: BaseException) -> str:
    if isinstance(exc, OdooException):
        return exc.odoo_name
    return f"{type(exc).__module__}.{type(exc).__name__}"


def _rpc_error(exc: BaseException, code: int) -> dict[str, Any]:
    message = exc.message if isinstance(exc, OdooException) else str(exc)
    return {"code": code, "message": "Odoo Server Error",
            "data": {"name": _name(exc), "debug": _traceback(exc), "message": message,
                     "arguments": [message], "context": {}}}


def _error_body(name: str, message: str, status: int, exc: BaseException | None = None) -> dict[str, Any]:
    args: list[Any] = [message, status] if name.startswith("werkzeug") else [message]
    return {"name": name, "message": message, "arguments": args, "context": {},
            "debug": _traceback(exc) if exc is not None else ""}


def _from_xml(value: Any) -> Any:
    """XML-RPC datetimes arrive as datetime objects (use_datetime=True); the ORM stores strings."""
    import datetime as _dt
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list):
        return [_from_xml(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_xml(v) for k, v in value.items()}
    return value


__all__ = ["VERSIONS", "AccessDenied", "Faults", "SandboxServer"]
