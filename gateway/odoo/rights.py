"""What the Odoo API user may do, against what the configured partners' flows need.

An integrator gives the gateway's user some groups in Odoo (Settings > Users). Without the right ones a flow
fails document by document, found weeks later: an order quarantined "not allowed to create", an 856 held
because Odoo refused a read. Sales: User: Own Documents Only fails quietly: Odoo's record rule on sale
orders (salesperson the user, or none) refuses the orders of customers whose salesperson is someone else,
and hides their orders and invoices from the 855/856/810 extraction, so they are never sent.

`check(client, config)` asks Odoo, for each flow an active partner uses, whether the user may do what the
flow needs: model access by `check_access_rights(operation, raise_exception=False)` on 16-17 and
`has_access(operation)` on an empty recordset from 18 (where the former is deprecated), both callable
over JSON-RPC and JSON-2; and, for the flows on sale orders, whether it is in Sales: All Documents by
`res.users.has_group` (an @api.model method on the caller in 16 and 17.0, a method of one user from saas-17.2,
which a user may call about itself without administration rights). Reading the user's groups instead would miss
those implied by another on 19, whose `group_ids` holds only the groups given (a Sales Administrator).

The daemon runs it when it starts and at each reload (`start` / `reload`, a daemon part): each problem is
logged as a warning and reported by the `odoo:rights` check of /healthz, which `edi-gateway status`
prints; `edi-gateway odoo-check` runs it from the command line. Nothing is stopped: every flow goes on,
and those lacking rights fail as they did.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.config.loader import LoadedConfig
from gateway.config.models import DocumentSettings
from gateway.errors import GatewayError, OdooRejected, OdooStopped, OdooUnavailable
from gateway.odoo.client import OdooClient, connect
from gateway.odoo.scheduler import kind_of

log = logging.getLogger("gateway.odoo.rights")

ALL_DOCUMENTS = "sales_team.group_sale_salesman_all_leads"
OWN_DOCUMENTS = "sales_team.group_sale_salesman"


@dataclass(frozen=True)
class Flow:
    label: str
    needs: tuple[tuple[str, str], ...]        # (model, operation) the flow's calls need
    sales: bool = False                        # its records are under the Own Documents Only record rules


FLOWS: dict[str, Flow] = {
    "orders": Flow("sale orders in", (("sale.order", "read"), ("sale.order", "create"), ("sale.order", "write"),
                                      ("sale.order.line", "create"), ("sale.order.line", "write")), sales=True),
    "ship_to": Flow("new ship-to contacts (create_ship_to)", (("res.partner", "create"),)),
    "order_acks": Flow("order acknowledgments out", (("sale.order", "read"), ("sale.order.line", "read")), sales=True),
    "ship_notices": Flow("ship notices out", (("stock.picking", "read"), ("stock.move", "read"),
                                              ("stock.move.line", "read"), ("sale.order", "read")), sales=True),
    "invoices": Flow("invoices out", (("account.move", "read"), ("account.move.line", "read")), sales=True),
    "stock_feeds": Flow("stock feeds out", (("stock.quant", "read"), ("stock.warehouse", "read"),
                                            ("stock.move", "read"))),
    "receipts": Flow("vendor ship notices in (receipts)", (
        ("purchase.order", "read"), ("stock.picking", "read"), ("stock.picking", "write"), ("stock.move", "write"),
        ("stock.move.line", "create"), ("stock.move.line", "write"))),
    "bills": Flow("vendor invoices in (bills)", (("purchase.order", "read"), ("purchase.order.line", "read"),
                                                 ("account.move", "read"), ("account.move", "create"),
                                                 ("account.move", "write"))),
    "vendor_acks": Flow("vendor order acknowledgments in", (("purchase.order", "read"), ("purchase.order", "write"),
                                                            ("purchase.order.line", "read"))),
    "vendor_stock": Flow("vendor stock feeds in", (("product.supplierinfo", "read"),
                                                   ("product.supplierinfo", "write"))),
}
INBOUND = {"PurchaseOrder": "orders", "Invoice": "bills", "ShipNotice": "receipts", "PurchaseOrderAck": "vendor_acks",
           "InventoryAdvice": "vendor_stock"}
OUTBOUND = {"order_ack": "order_acks", "ship_notice": "ship_notices", "invoice": "invoices",
            "inventory": "stock_feeds"}        # scheduler.kind_of's extraction kinds
# the group that grants a model's access, by model name prefix (Odoo's menu names, then the xml id)
GROUPS = (("sale.", "Sales: User: All Documents", ALL_DOCUMENTS),
          ("stock.", "Inventory: User", "stock.group_stock_user"),
          ("purchase.", "Purchase: User", "purchase.group_purchase_user"),
          ("product.supplierinfo", "Purchase: User", "purchase.group_purchase_user"),
          ("account.", "Invoicing: Billing", "account.group_account_invoice"),
          ("res.partner", "Contact Creation", "base.group_partner_manager"))


@dataclass
class Report:
    """What was found: `problems` (one sentence each, naming the flow, its partners and the group to give), and
    `unchecked`: what Odoo refused to answer (no such model: an app not installed; a method refused), warnings only:
    no group to name, and a refusal of the question is no missing right, so never "not ready" for it."""

    user: str
    flows: dict[str, list[str]] = field(default_factory=dict)       # flow key -> "partner doctype" using it
    problems: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.problems:
            return "; ".join(self.problems)
        names = ", ".join(FLOWS[key].label for key in self.flows) or "none configured"
        return f"the Odoo user {self.user!r} may do what the configured flows need ({names})"


def _flow_of(config: LoadedConfig, doc: DocumentSettings) -> str | None:
    """The flow a partner's document setting runs, None when it does not touch Odoo."""
    if doc.direction == "in":
        if not doc.post:
            return None
        try:
            document = config.profiles.get(doc.profile).document if config.profiles is not None else None
        except GatewayError:
            return None                 # lint names a missing profile
        return INBOUND.get(str(document))
    if doc.trigger == "change_applied":
        return "order_acks"
    kind = kind_of(doc)                         # the scheduler's own reading of a setting
    return OUTBOUND.get(kind) if kind else None


def flows_in_use(config: LoadedConfig) -> dict[str, list[str]]:
    """flow key -> the active partners' documents that run it ("bigbox 850")."""
    used: dict[str, list[str]] = {}
    for partner in config.partners.values():
        if not partner.active:
            continue
        for doc in partner.documents:
            key = _flow_of(config, doc)
            if key is None:
                continue
            used.setdefault(key, []).append(f"{partner.id} {doc.type}")
            if key == "orders" and partner.odoo.create_ship_to:
                used.setdefault("ship_to", []).append(f"{partner.id} {doc.type}")
    return {key: used[key] for key in FLOWS if key in used}


def group_for(model: str) -> str:
    """The group to give for access to `model`, as 'Menu Name (xml.id)'."""
    for prefix, name, xml_id in GROUPS:
        if model.startswith(prefix):
            return f"{name} ({xml_id})"
    return "a group that grants it"


def may(client: OdooClient, model: str, operation: str) -> bool:
    """Odoo's model access for the API user (ir.model.access, record rules aside)."""
    if client.version[0] >= 18:
        return bool(client.call(model, "has_access", [], operation=operation))
    return bool(client.call(model, "check_access_rights", operation, raise_exception=False))


def in_group(client: OdooClient, uid: int, group: str) -> bool:
    """res.users has_group for the API user itself: an @api.model method in 16 and 17.0-17.1, on one user from
    saas-17.2 (odoo/odoo#151597; 18, 19). Asked on one user, 17.0 answered "got multiple values for argument
    'group_ext_id'": Own Documents Only went unseen there, a warning at each start saying so."""
    if client.version < (17, 2):
        return bool(client.call("res.users", "has_group", group_ext_id=group))
    return bool(client.call("res.users", "has_group", [uid], group_ext_id=group))


def check(client: OdooClient, config: LoadedConfig) -> Report:
    """Each flow in use against the user's access; raises OdooUnavailable (try later) and OdooStopped."""
    user = config.gateway.odoo.username
    report = Report(user, flows_in_use(config))
    asked: dict[tuple[str, str], bool | str] = {}
    for key, partners in report.flows.items():
        flow = FLOWS[key]
        missing: dict[str, list[str]] = {}      # group -> "create sale.order"
        for model, operation in flow.needs:
            if (model, operation) not in asked:
                try:
                    asked[model, operation] = may(client, model, operation)
                except OdooRejected as exc:     # a model this database lacks (no purchase app), a method refused
                    asked[model, operation] = str(exc)
            answer = asked[model, operation]
            if isinstance(answer, str):
                report.unchecked.append(f"{flow.label} ({', '.join(partners)}): could not check whether the Odoo "
                                        f"user {user!r} may {operation} {model}: {answer}")
            elif not answer:
                missing.setdefault(group_for(model), []).append(f"{operation} {model}")
        if missing:
            wants = "; ".join(f"give it {group} (it may not {', '.join(what)})" for group, what in missing.items())
            then = ("each such document is quarantined as Odoo refuses it (replay it once the group is given)"
                    if key in INBOUND.values() or key == "ship_to" else "Odoo refuses the reads and none is sent")
            report.problems.append(f"{flow.label} ({', '.join(partners)}): the Odoo user {user!r} lacks access: "
                                   f"{wants}; until then {then}")
    sales = [key for key in report.flows if FLOWS[key].sales]
    if sales:
        uid = int((client.call("res.users", "context_get") or {}).get("uid") or 0)
        try:
            own_only = in_group(client, uid, OWN_DOCUMENTS) and not in_group(client, uid, ALL_DOCUMENTS)
        except OdooRejected as exc:
            log.warning("cannot tell whether the Odoo user %r sees every sale order: %s", user, exc)
            own_only = False
        if own_only:
            labels = ", ".join(f"{FLOWS[key].label} ({', '.join(report.flows[key])})" for key in sales)
            report.problems.append(
                f"the Odoo user {user!r} has Sales: User: Own Documents Only: Odoo refuses the orders of customers "
                "whose salesperson is someone else and hides their orders and invoices, which are then never "
                f"acknowledged, shipped or invoiced by EDI ({labels}); give it Sales: User: All Documents "
                f"({ALL_DOCUMENTS})")
    return report


def connect_and_check(config: LoadedConfig, halt: Any = None) -> Report:
    """A connection of its own, checked, then closed. Not retried within (odoo.retry_max): the daemon's check is
    asked again after poll_seconds, and each retry of an Odoo that is down logged a 'retry N' warning, eight a
    round, every round of an outage."""
    client = connect(config.gateway.odoo.model_copy(update={"retry_max": 0}), halt=halt)
    try:
        return check(client, config)
    finally:
        client.close()


# --------------------------------------------------------------------------- daemon part

class _Checker:
    """The daemon's check: run at start and at each reload in the background, tried again while Odoo is down."""

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None
        self.state: tuple[bool, str] = (True, "not checked yet")

    async def health(self) -> tuple[bool, str]:
        return self.state

    def begin(self, ctx: Any) -> None:
        if self.task is not None:
            self.task.cancel()
        self.state = (True, "not checked yet")
        self.task = asyncio.create_task(self._run(ctx), name="odoo-rights")

    async def _run(self, ctx: Any) -> None:
        config: LoadedConfig = ctx.config
        halt = getattr(getattr(ctx, "pipeline", None), "halt", None)
        while True:
            try:
                report = await asyncio.to_thread(connect_and_check, config, halt)
            except OdooStopped:
                return
            except OdooUnavailable as exc:      # down, or refused a read the check needs: asked again later
                if self.state[1] == "not checked yet":      # said once an outage, not at each round
                    log.info("Odoo rights: not checked yet (%s): asked again every %gs", exc,
                             config.gateway.odoo.poll_seconds)
                self.state = (True, f"not checked yet: {exc}")
                await asyncio.sleep(config.gateway.odoo.poll_seconds)
                continue
            except GatewayError as exc:         # no password, refused credentials: said elsewhere, asked at reload
                self.state = (True, f"not checked: {exc}")
                return
            for problem in report.problems + report.unchecked:
                log.warning("Odoo rights: %s", problem)
            if not report.problems:
                log.info("Odoo rights: %s", report.summary())
            self.state = (not report.problems, "; ".join([report.summary(), *report.unchecked]))
            return

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None


_checkers: dict[int, _Checker] = {}      # by daemon context: tests run several daemons in one process


async def start(ctx: Any) -> Callable[[], Awaitable[None]]:
    """Daemon hook: check in the background (the start does not wait for Odoo); `odoo:rights` on /healthz."""
    checker = _checkers[id(ctx)] = _Checker()
    checks = getattr(ctx, "health_checks", None)
    if isinstance(checks, dict):
        checks["odoo:rights"] = checker.health
    checker.begin(ctx)

    async def stop() -> None:
        await checker.stop()
        _checkers.pop(id(ctx), None)
    return stop


async def reload(ctx: Any) -> None:
    """After SIGHUP: partners (so flows) may have changed, and the user's groups in Odoo with them."""
    checker = _checkers.get(id(ctx))
    if checker is not None:
        checker.begin(ctx)
