"""`odoo-sandbox --help` tells its defaults, and its default port is where `init`'s gateway.yaml points.

README's "Running your own gateway" says to point odoo: at `edi-gateway odoo-sandbox --seed demo`; the help said
"port on 127.0.0.1 (0: any free port)" without the port it takes, nor the database, login and password the
gateway.yaml must then name."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ruamel.yaml import YAML

from gateway.cli import build_parser
from tests.helpers.gateway import cli


def test_help_names_each_default_and_the_port_is_init_s_url(tmp_path: Path) -> None:
    assert cli("init", str(tmp_path / "ws")).returncode == 0
    odoo = YAML(typ="safe").load((tmp_path / "ws" / "gateway.yaml").read_text())["odoo"]
    defaults = build_parser().parse_args(["odoo-sandbox"])
    assert urlsplit(odoo["url"]).port == defaults.port
    assert (odoo["database"], odoo["username"]) == (defaults.database, defaults.login)

    shown = " ".join(cli("odoo-sandbox", "--help").stdout.split())
    for said in (f"(default {defaults.port},", f"(default {defaults.host})", f"(default {defaults.odoo_version})",
                 f"(default {defaults.database})", f"(default {defaults.login})",
                 f"(default {defaults.password})", "demo world (default)"):
        assert said in shown, said
