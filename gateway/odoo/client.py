"""One Odoo client interface, two wire protocols, and the line between transient and permanent.

`connect(settings)` returns an `OdooClient`:

- `JsonRpcClient` speaks JSON-RPC (`/jsonrpc`) through odoorpc, Odoo 8 to 19;
- `Json2Client` speaks JSON-2 (`/json/2/<model>/<method>`, bearer API key), Odoo 19+.

`settings.protocol` picks one; `auto` asks the server's version (`/web/webclient/version_info`)
and takes JSON-2 from 19 on, because `/jsonrpc` is deprecated there.

Both are synchronous (odoorpc is); asyncio code calls them through `in_thread()` so the
event loop never blocks. Every failure leaves as one of two errors from gateway.errors:

- `OdooUnavailable` (transient): network errors, timeouts, HTTP 5xx, Odoo's serialisation,
  lock and concurrency errors. Read-only calls, and calls the server certainly did not
  run (503, refused connection, serialisation failure: rolled back), are retried here with
  exponential backoff; a write whose outcome is unknown (connection dropped, timeout) is
  not, because posting is idempotent one level up and re-runs its search first. A client made with
  `halt` (the daemon's stop, one per daemon) ends a backoff wait as soon as it is set and raises
  `OdooStopped` instead of another attempt: a stop while Odoo is down waits for no retries. Given a
  `gateway.odoo.halt.Halt`, the stop also shuts down the sockets of calls in flight (an Odoo that
  never answers), and those calls end as `OdooStopped` too, never as a failed attempt.
- `OdooRejected` (permanent): access, validation, missing record, bad arguments. It
  carries Odoo's own message and exception name (`odoo.exceptions.ValidationError`).
"""

from __future__ import annotations

import abc
import asyncio
import http.client
import json
import logging
import random
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from gateway.config.models import OdooSettings
from gateway.errors import ConfigError, OdooCredentialsRefused, OdooRejected, OdooStopped, OdooUnavailable
from gateway.logs import redact_url
from gateway.odoo.halt import opener

log = logging.getLogger("gateway.odoo")
# odoorpc logs whole requests at DEBUG, and execute_kw carries the password in its args.
logging.getLogger("odoorpc").setLevel(logging.INFO)

T = TypeVar("T")

TRANSIENT_NAMES = {
    "psycopg2.errors.SerializationFailure", "psycopg2.errors.LockNotAvailable", "psycopg2.errors.DeadlockDetected",
    "psycopg2.extensions.TransactionRollbackError", "psycopg2.OperationalError", "psycopg2.errors.AdminShutdown",
    "odoo.exceptions.LockError", "odoo.exceptions.ConcurrencyError", "odoo.http.SessionExpiredException",
    "odoo.service.model.RetryableJobError", "werkzeug.exceptions.ServiceUnavailable",
    "werkzeug.exceptions.TooManyRequests",
}
# authentication refused: Odoo's AccessDenied (a login, or every JSON-RPC call's password), JSON-2's 401
CREDENTIAL_NAMES = {"odoo.exceptions.AccessDenied", "werkzeug.exceptions.Unauthorized"}
# methods that change nothing: safe to retry whatever happened to the first attempt
READ_METHODS = {"search", "search_read", "search_count", "read", "fields_get", "name_search", "context_get",
                "check_object_reference", "default_get", "exists", "version"}
# methods that read or compare records' values: in English on JSON-2 (see Json2Client)
ENGLISH_READS = {"search", "search_read", "search_count", "read", "name_search"}
# JSON-2 takes named arguments only: the positional order of Odoo's Python signatures
POSITIONAL: dict[str, list[str]] = {
    "search": ["domain", "offset", "limit", "order"],
    "search_read": ["domain", "fields", "offset", "limit", "order"],
    "search_count": ["domain", "limit"],
    "create": ["vals_list"], "fields_get": ["allfields", "attributes"],
    "name_search": ["name", "domain", "operator", "limit"], "default_get": ["fields_list"],
    "check_object_reference": ["module", "xml_id", "raise_on_access_error"], "context_get": [],
    "read": ["fields", "load"], "write": ["vals"],
}
MODEL_METHODS = {"search", "search_read", "search_count", "create", "fields_get", "name_search", "default_get",
                 "check_object_reference", "context_get"}


class Transient(Exception):
    """Internal: a failure that may be retried; `certain` when the server surely did not run the call."""

    def __init__(self, message: str, certain: bool) -> None:
        super().__init__(message)
        self.certain = certain


def resolve_secret(settings: OdooSettings) -> str:
    """The password or API key. The config loader has already folded EDI_GATEWAY_ODOO_PASSWORD and the
    systemd credential `odoo-password` into `settings.password`; `password_file` is read here for
    settings built without the loader (tests, scripts)."""
    if settings.password is not None:
        return settings.password.get_secret_value()
    if settings.password_file is not None:
        try:
            return Path(settings.password_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the Odoo password file: {exc.strerror}", str(settings.password_file)) from exc
    raise ConfigError("no Odoo password or API key: set odoo.password_file, EDI_GATEWAY_ODOO_PASSWORD or the "
                      "systemd credential odoo-password")


def backoff_delay(attempt: int, base: float, cap: float = 10.0) -> float:
    """Exponential backoff with full jitter: attempt 1 waits up to `base`, then doubles, capped."""
    return random.uniform(base / 2, min(cap, base * 2 ** (attempt - 1)))


def retrying(fn: Callable[[], T], what: str, retry_max: int, base: float, safe: bool = True,
             halt: threading.Event | None = None) -> T:
    """Run `fn`, retrying Transient failures with backoff when safe (or certainly not executed). `halt` set
    (the daemon stops) ends the backoff wait at once with OdooStopped, and no further attempt is made; an
    attempt is not begun once it is set, and one that fails after it (its socket shut down by the stop, see
    gateway.odoo.halt) is OdooStopped too: the stop's doing, not Odoo's, so it counts as no attempt."""
    attempt = 0
    while True:
        attempt += 1
        if halt is not None and halt.is_set():
            raise OdooStopped(f"{what}: not begun: the gateway is stopping")
        try:
            return fn()
        except Transient as exc:
            error: OdooUnavailable | None = None
            if halt is not None and halt.is_set():
                error = OdooStopped(f"{what}: ended by the stop before Odoo answered ({exc}): the gateway is "
                                    "stopping")
            elif not (exc.certain or safe) or attempt > retry_max:
                error = OdooUnavailable(f"{what}: {exc}")
            if error is not None:
                error.in_doubt = not (exc.certain or safe)
                raise error from exc
            delay = backoff_delay(attempt, base)
            if halt is None or not halt.is_set():
                # `what` is a call ("sale.order.create") or a sentence ("cannot reach Odoo at URL"): "odoo %s
                # failed" read "odoo cannot reach Odoo at URL failed"; the logger's name says it is Odoo
                log.warning("%s: %s; retry %d in %.1fs", what, exc, attempt, delay)
            if halt is None:
                time.sleep(delay)
            elif halt.wait(delay):
                raise OdooStopped(f"{what}: {exc}; not tried again: the gateway is stopping") from exc


def map_error(name: str, message: str) -> Exception:
    """Odoo's exception name and message -> Transient (retry), OdooCredentialsRefused (documents wait) or
    OdooRejected (quarantine)."""
    if name in TRANSIENT_NAMES or name.startswith("psycopg2.errors.") and "Serialization" in name:
        return Transient(f"{name}: {message}", certain=True)
    if name in CREDENTIAL_NAMES:
        return credentials_refused(f"{name}: {message}" if message else name)
    return OdooRejected(message, odoo_error=name)


class RequiredFieldMissing(OdooRejected):
    """A create Odoo refused for a field a module or Studio made required, which the gateway does not fill."""


# Odoo's text for a NOT NULL violation (odoo/service/model.py, 16-19): model and field, each with its technical name
NOT_NULL = re.compile(r"a mandatory field is not set\..*?Model: (.*?) \(([\w.]+)\)\s*Field: (.*?) \((\w+)\)", re.DOTALL)


def required_missing(exc: OdooRejected) -> RequiredFieldMissing | None:
    """Odoo's "The operation cannot be completed: a mandatory field is not set" said as what to do about it (it
    also speaks of a delete, and names no document): None for any other refusal."""
    found = NOT_NULL.search(str(exc)) if exc.odoo_error == "odoo.exceptions.ValidationError" else None
    if found is None:
        return None
    model_name, model, field_name, field = found.groups()
    return RequiredFieldMissing(
        f"{field_name} ({field}) is mandatory on each {model_name} ({model}), made so by a module or Studio, and the "
        "gateway does not fill it: give the field a default value in Odoo (in Studio, the field's Default Value; else "
        "a User-defined Default, Settings > Technical in developer mode), then replay", odoo_error=exc.odoo_error)


def credentials_refused(detail: str, who: str = "the gateway's password or API key") -> OdooCredentialsRefused:
    """`detail`: Odoo's exception name and message, kept (`.detail`) for a caller that says more of `who`."""
    exc = OdooCredentialsRefused(f"Odoo refused {who} ({detail}): it was changed, has expired or was revoked; "
                                 "documents wait and are posted once Odoo accepts it again (a new one in the "
                                 "configuration takes effect on restart)")
    exc.detail = detail
    return exc


class OdooClient(abc.ABC):
    """The calls the gateway makes; `call()` has execute_kw semantics (record ids first for record methods)."""

    version: tuple[int, int]
    protocol: str

    def __init__(self, settings: OdooSettings, retry_base: float = 0.5, halt: threading.Event | None = None) -> None:
        self.settings = settings
        self.retry_base = retry_base
        self.halt = halt            # the daemon's stop: ends retry waits (see retrying)
        self.calls = 0
        # the company every call works in (`allowed_company_ids`): odoo.company_id, else the API user's default
        # company, read by connect() (default_company)
        self.company: int | None = settings.company_id
        self._fields: dict[str, dict[str, Any]] = {}
        self._models: dict[str, bool] = {}

    # ------------------------------------------------------------------ the wire (one attempt)
    @abc.abstractmethod
    def _execute(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """One call; raises Transient, OdooRejected or OdooUnavailable."""

    def close(self) -> None:
        """Release connections (nothing to do for the stateless protocols)."""

    # ------------------------------------------------------------------ retries
    def call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """`model.method(*args, **kwargs)` with retries where they are safe; in `self.company` once known
        (`allowed_company_ids` in the context: what Odoo creates gets it, searches see its records)."""
        company = self.company
        if company is not None and "allowed_company_ids" not in (kwargs.get("context") or {}):
            kwargs["context"] = {**(kwargs.get("context") or {}), "allowed_company_ids": [company]}

        def once() -> Any:
            self.calls += 1
            return self._execute(model, method, list(args), kwargs)
        try:
            return retrying(once, f"{model}.{method}", self.settings.retry_max, self.retry_base,
                            safe=method in READ_METHODS, halt=self.halt)
        except OdooRejected as exc:
            if method == "create" and (missing := required_missing(exc)) is not None:
                raise missing from exc
            raise

    # ------------------------------------------------------------------ conveniences
    def search(self, model: str, domain: list[Any], *, offset: int = 0, limit: int | None = None,
               order: str | None = None, context: dict[str, Any] | None = None) -> list[int]:
        kw: dict[str, Any] = {k: v for k, v in (("offset", offset), ("limit", limit), ("order", order),
                                                 ("context", context)) if v}
        return list(self.call(model, "search", domain, **kw))

    def search_read(self, model: str, domain: list[Any], fields: list[str], *, offset: int = 0,
                    limit: int | None = None, order: str | None = None,
                    context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        kw: dict[str, Any] = {k: v for k, v in (("offset", offset), ("limit", limit), ("order", order),
                                                 ("context", context)) if v}
        return list(self.call(model, "search_read", domain, fields, **kw))

    def read(self, model: str, ids: list[int], fields: list[str],
             context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if not ids:
            return []
        kw = {"context": context} if context else {}
        return list(self.call(model, "read", ids, fields, **kw))

    def create(self, model: str, vals: dict[str, Any], context: dict[str, Any] | None = None) -> int:
        kw = {"context": context} if context else {}
        result = self.call(model, "create", [vals], **kw)
        return int(result[0] if isinstance(result, list) else result)

    def create_many(self, model: str, vals_list: list[dict[str, Any]]) -> list[int]:
        return [int(i) for i in self.call(model, "create", vals_list)] if vals_list else []

    def write(self, model: str, ids: list[int], vals: dict[str, Any],
              context: dict[str, Any] | None = None) -> bool:
        kw = {"context": context} if context else {}
        return bool(self.call(model, "write", ids, vals, **kw))

    def fields(self, model: str) -> dict[str, Any]:
        """fields_get of a model, cached for the client's life (field names differ between versions)."""
        if model not in self._fields:
            self._fields[model] = self.call(model, "fields_get", [], ["type", "relation", "company_dependent"])
        return self._fields[model]

    def has_model(self, model: str) -> bool:
        """Whether the database has `model` (an add-on's), cached for the client's life like `fields`."""
        if model not in self._models:
            self._models[model] = bool(self.search("ir.model", [("model", "=", model)], limit=1))
        return self._models[model]


# --------------------------------------------------------------------------- JSON-RPC via odoorpc

class UnderPath(urllib.request.BaseHandler):
    """Puts `path` in front of each request's path: odoorpc builds its URLs from host and port alone
    (`http://host:port/jsonrpc`), and an Odoo that a reverse proxy serves under a path (`https://erp.example.com/odoo`,
    the proxy stripping `/odoo`) answers only there. Runs before the cookie handler, so the session cookie is
    matched against the URL really asked."""

    handler_order = 100

    def __init__(self, path: str) -> None:
        self.path = path

    def http_request(self, request: urllib.request.Request) -> urllib.request.Request:
        parts = urlsplit(request.full_url)
        if not (parts.path + "/").startswith(self.path + "/"):
            request.full_url = urlunsplit(parts._replace(path=self.path + parts.path))
        return request

    https_request = http_request


class JsonRpcClient(OdooClient):
    """odoorpc, one logged-in connection per thread: odoorpc objects are not thread-safe, and the
    pipeline's workers post in parallel."""

    protocol = "jsonrpc"

    def __init__(self, settings: OdooSettings, secret: str, retry_base: float = 0.5,
                 halt: threading.Event | None = None) -> None:
        super().__init__(settings, retry_base, halt)
        import odoorpc
        self._odoorpc = odoorpc
        parts = urlsplit(settings.url)
        self._path = parts.path.rstrip("/")             # a proxy serving Odoo under a path (/odoo): see UnderPath
        self._host = parts.hostname or "127.0.0.1"
        self._ssl = parts.scheme == "https"
        self._port = parts.port or (443 if self._ssl else 80)
        self._secret = secret
        self._local = threading.local()
        raw = self._connection().version or "0.0"      # proves the credentials before the first document
        digits = [int(p) for p in "".join(c for c in raw if c.isdecimal() or c == ".").split(".") if p][:2]
        self.version = (digits + [0, 0])[0], (digits + [0, 0])[1]

    def _connection(self) -> Any:
        """This thread's logged-in odoorpc.ODOO (version_info, login, context_get on first use)."""
        odoo = getattr(self._local, "odoo", None)
        if odoo is not None:
            return odoo
        s = self.settings

        def login() -> Any:
            urls = opener(self.halt, cookies=True)
            if self._path:
                urls.add_handler(UnderPath(self._path))
            conn = self._wire(lambda: self._odoorpc.ODOO(self._host, protocol="jsonrpc+ssl" if self._ssl
                                                         else "jsonrpc", port=self._port, timeout=s.timeout,
                                                         opener=urls),
                              "version_info")
            self._wire(lambda: conn.login(s.database, s.username, self._secret), "login")
            return conn

        try:
            odoo = retrying(login, f"cannot reach Odoo at {redact_url(s.url)}", s.retry_max, self.retry_base,
                            halt=self.halt)
        except (OdooRejected, OdooCredentialsRefused) as exc:
            # every worker thread logs in on its first call: a refusal there is the same as mid-run
            raise credentials_refused(getattr(exc, "detail", str(exc)), f"the login of {s.username!r} on "
                                      f"{s.database!r} at {redact_url(s.url)}") from exc
        self._local.odoo = odoo
        return odoo

    def _wire(self, fn: Callable[[], T], what: str) -> T:
        try:
            return fn()
        except self._odoorpc.error.RPCError as exc:
            info = exc.info if isinstance(getattr(exc, "info", None), dict) else {}
            data = info.get("data") or {}
            name = data.get("name") or ("odoo.exceptions.AccessDenied" if "login" in str(exc).lower()
                                        else "odoorpc.error.RPCError")
            raise map_error(name, data.get("message") or str(exc)) from exc
        except urllib.error.HTTPError as exc:
            raise _http_status_error(exc.code, what) from exc
        except (urllib.error.URLError, ConnectionRefusedError) as exc:
            reason = getattr(exc, "reason", exc)
            refused = isinstance(reason, ConnectionRefusedError) or isinstance(exc, ConnectionRefusedError)
            raise Transient(f"{what}: {reason}", certain=refused) from exc
        except (http.client.HTTPException, ConnectionError, TimeoutError, OSError) as exc:
            raise Transient(f"{what}: {type(exc).__name__}: {exc or 'connection lost'}", certain=False) from exc
        except ValueError as exc:       # a body that is not JSON (a proxy's HTML page)
            raise Transient(f"{what}: unreadable answer: {exc}", certain=False) from exc

    def _execute(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        odoo = self._connection()
        return self._wire(lambda: odoo.execute_kw(model, method, args, kwargs), f"{model}.{method}")

    def close(self) -> None:
        self._local = threading.local()


def _http_status_error(status: int, what: str) -> Exception:
    if status == 401:
        return credentials_refused(f"{what}: HTTP 401")
    if status in (503, 429):
        return Transient(f"{what}: HTTP {status}", certain=True)
    if status >= 500:
        return Transient(f"{what}: HTTP {status}", certain=False)
    return OdooRejected(f"{what}: HTTP {status}", odoo_error=f"http.{status}")


# --------------------------------------------------------------------------- JSON-2

class Json2Client(OdooClient):
    """JSON-2 calls; the reads (`ENGLISH_READS`) in English (`lang: en_US` in their context) unless the caller
    names a language.

    Since 16 Odoo keeps a unit's, a tax's, a product's or a payment term's name per language, and reads and searches
    them in the context's `lang`. execute_kw (JSON-RPC, XML-RPC) starts from an empty context, so its names are
    en_US; JSON-2 starts from the HTTP request's, whose `lang` Odoo 19 takes from Accept-Language, else en_US while
    English is active, else the company's language. A database whose English was archived then answered "Unités"
    where the partner's settings name "Units", and an invoice's tax came back under a name `odoo.tax_types` does not
    hold. Read in English, names match the settings, and what is read for a partner (product names, units, taxes)
    is the same text on both protocols. Writes keep Odoo's language for the call: in en_US a new contact's
    language would default to en_US, which such a database refuses ("Wrong value for res.partner.lang"). Odoo's
    own texts for a partner (a sale line's description, in the customer's language) do not depend on the caller."""

    protocol = "json2"

    def __init__(self, settings: OdooSettings, api_key: str, retry_base: float = 0.5,
                 halt: threading.Event | None = None) -> None:
        super().__init__(settings, retry_base, halt)
        self._base = settings.url.rstrip("/")
        self._key = api_key
        self._opener = opener(halt)
        self.version = probe_version(settings.url, settings.timeout, settings.retry_max, retry_base, halt)
        # whoami: proves the key works before the first document depends on it
        try:
            self.call("res.users", "context_get")
        except (OdooRejected, OdooCredentialsRefused) as exc:
            raise credentials_refused(getattr(exc, "detail", str(exc)), f"the API key of {settings.username!r} at "
                                      f"{redact_url(settings.url)} (Odoo 19's JSON-2 takes an API key, never the "
                                      "user's password, which 16-18 took: make one in Odoo under Preferences > "
                                      "Account Security > New API Key)") from exc

    def _execute(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        body = dict(kwargs)
        if method in ENGLISH_READS:
            body["context"] = {"lang": "en_US", **(body.get("context") or {})}
        single = method == "create" and args and isinstance(args[0], dict)
        if method not in MODEL_METHODS and args:
            raw = args.pop(0)
            body["ids"] = [raw] if isinstance(raw, int) else list(raw)
        names = POSITIONAL.get(method)
        if args:
            if names is None or len(args) > len(names):
                raise TypeError(f"JSON-2 takes named arguments: call {model}.{method} with keywords")
            body.update(zip(names, args))
        if single:
            body["vals_list"] = [body["vals_list"]]
        result = self._post(f"/json/2/{model}/{method}", body, f"{model}.{method}")
        if single and isinstance(result, list) and len(result) == 1:
            return result[0]
        return result

    def _post(self, path: str, body: dict[str, Any], what: str) -> Any:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Authorization": f"bearer {self._key}",
                   "X-Odoo-Database": self.settings.database, "User-Agent": "edi-gateway"}
        request = urllib.request.Request(self._base + path, data=data, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.settings.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            payload = exc.read()
            try:
                err = json.loads(payload)
            except ValueError:
                err = None
            if isinstance(err, dict) and err.get("name"):
                if exc.code >= 500 and err["name"] not in TRANSIENT_NAMES and not err["name"].startswith("psycopg2"):
                    raise OdooRejected(err.get("message") or "", odoo_error=err["name"]) from exc
                mapped = map_error(err["name"], err.get("message") or "")
                if isinstance(mapped, Transient) or exc.code < 500:
                    raise mapped from exc
                raise Transient(f"{what}: HTTP {exc.code}", certain=False) from exc
            raise _http_status_error(exc.code, what) from exc
        except urllib.error.URLError as exc:
            refused = isinstance(exc.reason, ConnectionRefusedError)
            raise Transient(f"{what}: {exc.reason}", certain=refused) from exc
        except (http.client.HTTPException, ConnectionError, TimeoutError, OSError) as exc:
            raise Transient(f"{what}: {type(exc).__name__}: {exc or 'connection lost'}", certain=False) from exc
        except ValueError as exc:
            raise Transient(f"{what}: unreadable answer: {exc}", certain=False) from exc


# --------------------------------------------------------------------------- choosing

def probe_version(url: str, timeout: float = 10.0, retry_max: int = 0, retry_base: float = 0.5,
                  halt: threading.Event | None = None) -> tuple[int, int]:
    """The server's (major, minor) from /web/webclient/version_info (every version since 8)."""
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}).encode()
    request = urllib.request.Request(url.rstrip("/") + "/web/webclient/version_info", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    path = urlsplit(url).path.rstrip("/")       # a page of the web client pasted from the browser (/odoo, /web)?
    hint = (f" (odoo.url ends in {path}: Odoo's API answers at the server's address, without a page of its web client "
            "such as /odoo or /web; keep a path only where a proxy serves Odoo under it)") if path else ""

    def once() -> dict[str, Any]:
        try:
            with opener(halt).open(request, timeout=timeout) as response:
                return json.loads(response.read()).get("result") or {}
        except urllib.error.HTTPError as exc:
            raise Transient(f"HTTP {exc.code}{hint if exc.code == 404 else ''}", certain=True) from exc
        except json.JSONDecodeError as exc:
            raise Transient(f"the answer is no JSON (a web page?){hint}", certain=True) from exc
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            raise Transient(str(getattr(exc, "reason", exc)), certain=True) from exc

    result = retrying(once, f"cannot reach Odoo at {redact_url(url)}", retry_max, retry_base, halt=halt)
    return version_of(result.get("server_version_info") or [0, 0])


def version_of(info: list[Any]) -> tuple[int, int]:
    """(major, minor) of `server_version_info`: [17, 0, 0, "final", 0], and Odoo Online's ["saas~19", 1, ...]
    (a major of "saas~19" read as 0 would send a 19 to the deprecated /jsonrpc); (0, 0) when unreadable."""
    digits = "".join(c for c in str(info[0] if info else "") if c.isdecimal())
    minor = info[1] if len(info) > 1 and isinstance(info[1], int) else 0
    return (int(digits), minor) if digits.isascii() and digits else (0, 0)


def connect(settings: OdooSettings, retry_base: float = 0.5, halt: threading.Event | None = None) -> OdooClient:
    """A logged-in client for `settings` (protocol `auto`: JSON-2 from Odoo 19 on, JSON-RPC before); `halt`: the
    daemon's stop, which ends its retry waits (each daemon has its own: tests run several in one process)."""
    secret = resolve_secret(settings)
    protocol = settings.protocol
    if protocol == "auto":
        major = probe_version(settings.url, settings.timeout, settings.retry_max, retry_base, halt)[0]
        protocol = "json2" if major >= 19 else "jsonrpc"
    client: OdooClient = Json2Client(settings, secret, retry_base, halt) if protocol == "json2" else \
        JsonRpcClient(settings, secret, retry_base, halt)
    refuse_old(client, settings)
    if settings.company_id is None:
        client.company = default_company(client, settings)
    else:
        try:
            client.call("res.company", "search", [("id", "=", settings.company_id)])
        except OdooRejected as exc:   # the user's permissions, not a document's fault: documents wait
            raise OdooUnavailable(f"odoo.company_id {settings.company_id}: the user {settings.username!r} may not "
                                  f"work in that company, or there is none ({exc}); documents wait until the user "
                                  "may (Odoo: Settings > Users > Allowed Companies), or the id is corrected "
                                  "(restart)") from None
    return client


def default_company(client: OdooClient, settings: OdooSettings) -> int:
    """The API user's default company (res.users `company_id`), which the gateway works in without
    `odoo.company_id`. A call without `allowed_company_ids` creates in that company (Odoo's `env.company`) but
    searches every company the user may work in (`env.companies` falls back to all of them, odoo/api.py 16-19):
    a PO number of another company's sale order would be taken for this one's. Read once per connection (a
    changed default company is seen at the next one: restart), and sent on every call as a configured one is."""
    from gateway.odoo.lookup import m2o_id  # lookup builds on this module
    try:
        uid = (client.call("res.users", "context_get") or {}).get("uid")
        rows = client.read("res.users", [int(uid)], ["company_id", "company_ids"]) if uid else []
    except (OdooStopped, OdooCredentialsRefused):
        raise
    except (OdooRejected, OdooUnavailable) as exc:   # the user's own record, not a document's fault: they wait
        raise OdooUnavailable(f"cannot read the default company of the user {settings.username!r}, the company the "
                              f"gateway works in without odoo.company_id ({exc}); documents wait") from exc
    company = m2o_id(rows[0].get("company_id")) if rows else None
    if company is None:
        raise OdooUnavailable(f"the user {settings.username!r} has no default company in Odoo (uid {uid}); documents "
                              "wait until it has one, or odoo.company_id is set")
    others = len(rows[0].get("company_ids") or []) - 1
    if others > 0:      # what a gateway working for all of them before this release no longer sees
        log.warning("the Odoo user %r may work in %d more companies than its default one (id %d), which the gateway "
                    "works in without odoo.company_id: their deliveries, invoices and purchase orders are not seen "
                    "(run one gateway per company, each with its odoo.company_id)", settings.username, others, company)
    return company


OLDEST_MAJOR = 16
"""The oldest Odoo the gateway's calls are written for (16: `move_ids`, `stock.lot`, the `detailed_type` of products;
15 still has `move_lines` and `stock.production.lot`)."""


def refuse_old(client: OdooClient, settings: OdooSettings) -> None:
    """An Odoo older than 16 would fail document by document on a missing model or field: refused at login
    instead, naming the version, while documents wait for the upgrade. An unreadable version (0) is let through."""
    major, minor = client.version
    if 0 < major < OLDEST_MAJOR:
        client.close()
        raise OdooUnavailable(f"Odoo {major}.{minor} at {redact_url(settings.url)} is not supported: the gateway works "
                              f"with Odoo {OLDEST_MAJOR} to 19; documents wait until Odoo is upgraded")


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking Odoo call (or a whole posting) off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)
