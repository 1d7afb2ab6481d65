"""Sub-commands of `edi-gateway`, one module each (see gateway/cli.py)."""
