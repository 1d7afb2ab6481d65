"""End-to-end tests: the real daemon with the Odoo sandbox over loopback HTTP (the fixtures of tests/odoo)."""

from tests.odoo.conftest import odoo, sandbox

__all__ = ["odoo", "sandbox"]
