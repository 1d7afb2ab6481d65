"""An Odoo sandbox: Odoo's external protocols over an in-memory model of the EDI objects.

    with SandboxServer(version=18, seed_name="demo") as odoo:
        odoo.url   # http://127.0.0.1:<port>, database "demo", admin/admin
"""

from gateway.odoo.sandbox.server import VERSIONS, Faults, SandboxServer

__all__ = ["VERSIONS", "Faults", "SandboxServer"]
