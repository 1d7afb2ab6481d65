"""Odoo's exception classes as the sandbox raises them.

Each class carries the `name` real Odoo serialises into JSON-RPC `error.data.name`
(`module.ClassName`), the XML-RPC fault code of `xmlrpc_handle_exception_int`, and the
JSON-2 HTTP status (`exc.http_status`, 18+). Clients key on these, so they are data here.
"""

from __future__ import annotations


class OdooException(Exception):
    odoo_name = "builtins.Exception"
    fault_code = 1          # anything unknown: fault 1 with the traceback
    http_status = 500

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class UserError(OdooException):
    odoo_name = "odoo.exceptions.UserError"
    fault_code = 2
    http_status = 422


class ValidationError(UserError):
    odoo_name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    odoo_name = "odoo.exceptions.MissingError"
    http_status = 404


class RedirectWarning(OdooException):
    odoo_name = "odoo.exceptions.RedirectWarning"
    fault_code = 2
    http_status = 422


class AccessError(UserError):
    odoo_name = "odoo.exceptions.AccessError"
    fault_code = 4
    http_status = 403


class AccessDenied(OdooException):
    odoo_name = "odoo.exceptions.AccessDenied"
    fault_code = 3
    http_status = 403

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class LockError(UserError):
    """19's LockError (409); the sandbox raises it for the 19 mode lock-conflict fault."""

    odoo_name = "odoo.exceptions.LockError"
    http_status = 409


class SerializationFailure(OdooException):
    """What psycopg2 raises when Odoo's own five serialisation retries were exhausted."""

    odoo_name = "psycopg2.errors.SerializationFailure"
    fault_code = 1
    http_status = 500

    def __init__(self, message: str = "could not serialize access due to concurrent update") -> None:
        super().__init__(message)


class OdooValueError(OdooException):
    odoo_name = "builtins.ValueError"


class OdooTypeError(OdooException):
    odoo_name = "builtins.TypeError"


class OdooAttributeError(OdooException):
    odoo_name = "builtins.AttributeError"


class MethodNotFound(OdooException):
    """`common` / `db` service: unknown method (a plain Exception in Odoo)."""

    odoo_name = "builtins.Exception"
