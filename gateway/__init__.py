"""edi-gateway: an EDI and file-based B2B gateway daemon for distributors that run Odoo."""

__version__ = "0.1.0"
