"""Access groups of a sandbox user given some (`User.groups`), as Odoo's ir.model.access and res.groups have them.

Only the groups an EDI API user is given and the models the gateway touches are modelled, from the add-ons'
security/ir.model.access.csv (stock, sale_stock, purchase_stock, 16-19) and their groups' implied_ids (a Sales
Administrator is a User: All Documents, which is a User: Own Documents Only, which is an internal user). A model
not listed is readable by every internal user and changed by none but an administrator. Record rules (the
Own Documents Only user's `user_id` rule on sale orders) are not modelled: the gateway only asks for the groups.
"""

from __future__ import annotations

from collections.abc import Iterable

INTERNAL = "base.group_user"
SALESMAN = "sales_team.group_sale_salesman"                     # Sales: User: Own Documents Only
ALL_LEADS = "sales_team.group_sale_salesman_all_leads"          # Sales: User: All Documents
STOCK_USER = "stock.group_stock_user"
PURCHASE_USER = "purchase.group_purchase_user"
BILLING = "account.group_account_invoice"

IMPLIED: dict[str, tuple[str, ...]] = {
    "sales_team.group_sale_manager": (ALL_LEADS,), ALL_LEADS: (SALESMAN,), SALESMAN: (INTERNAL,),
    "stock.group_stock_manager": (STOCK_USER,), STOCK_USER: (INTERNAL,),
    "purchase.group_purchase_manager": (PURCHASE_USER,), PURCHASE_USER: (INTERNAL,),
    "account.group_account_manager": ("account.group_account_user",), "account.group_account_user": (BILLING,),
    BILLING: (INTERNAL,), "base.group_partner_manager": (),
}

# model -> group -> the operations it grants (r read, w write, c create, u unlink)
ACCESS: dict[str, dict[str, str]] = {
    "sale.order": {SALESMAN: "rwc", "sales_team.group_sale_manager": "rwcu", STOCK_USER: "rw", BILLING: "rw"},
    "sale.order.line": {SALESMAN: "rwcu", STOCK_USER: "rw", BILLING: "rw"},
    "stock.picking": {STOCK_USER: "rwcu", SALESMAN: "rwc"},
    "stock.move": {STOCK_USER: "rwc", SALESMAN: "rwc"},
    "stock.move.line": {INTERNAL: "rwcu"},
    "stock.quant": {STOCK_USER: "rwc", INTERNAL: "r"},
    "purchase.order": {PURCHASE_USER: "rwc", STOCK_USER: "r"},
    "purchase.order.line": {PURCHASE_USER: "rwcu", STOCK_USER: "r"},
    "account.move": {BILLING: "rwcu"},
    "account.move.line": {BILLING: "rwcu"},
    "product.supplierinfo": {PURCHASE_USER: "rwcu", INTERNAL: "r"},
    "res.partner": {"base.group_partner_manager": "rwc", INTERNAL: "r"},
    "crm.tag": {SALESMAN: "rwc"},
}
LETTER = {"read": "r", "write": "w", "create": "c", "unlink": "u"}


def closure(groups: Iterable[str]) -> set[str]:
    """The groups given and every group they imply (res.groups implied_ids, transitively)."""
    found: set[str] = set()
    todo = list(groups)
    while todo:
        group = todo.pop()
        if group not in found:
            found.add(group)
            todo.extend(IMPLIED.get(group, ()))
    return found


def allowed(groups: Iterable[str], model: str, operation: str) -> bool:
    """Whether a user in `groups` may `operation` (read, write, create, unlink) records of `model`."""
    mine = closure(groups)
    granted = ACCESS.get(model, {INTERNAL: "r"})
    return any(LETTER[operation] in perms for group, perms in granted.items() if group in mine)


def has_group(user_groups: frozenset[str] | None, admin: bool, group: str) -> bool:
    """res.users has_group: an administrator is in every group modelled here (Odoo's admin is a manager of each
    app), a user given groups in those and the ones they imply, one without (portal) in none."""
    if admin:
        return True
    return group in closure(user_groups or ())
