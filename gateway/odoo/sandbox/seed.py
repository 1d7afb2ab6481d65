"""Seed data: Odoo's base records (admin, company, units, locations) and the demo world.

`base()` is what a fresh database with sale_stock, purchase and account installed has;
`demo()` adds exactly the demo world of docs/ARCHITECTURE.md: Acme Distribution, the
customers with their delivery contacts, the five products with barcodes, internal
references and customer codes, Units and Dozens, and the stock in WH/Stock. It also
adds one vendor (Widget Works) for the vendor bill, receipt and availability flows.
"""

from __future__ import annotations

from typing import Any

from gateway.odoo.sandbox.orm import Database, Env, User


def _xid(env: Env, module: str, name: str, model: str, res_id: int) -> int:
    env.create("ir.model.data", [{"module": module, "name": name, "model": model, "res_id": res_id}])
    return res_id


def _one(env: Env, model: str, vals: dict[str, Any], xid: str | None = None) -> int:
    rid = env.create(model, [vals])[0]
    if xid:
        module, name = xid.split(".")
        _xid(env, module, name, model, rid)
    return rid


def api_user(db: Database, login: str, password: str, groups: list[str], api_keys: list[str] | None = None) -> int:
    """A user who is no administrator, with the access groups given (xml ids, e.g. sales_team.group_sale_salesman for
    Sales: User: Own Documents Only): an integrator's EDI user made in Settings > Users. Returns its uid."""
    env = db.env(2)
    partner = _one(env, "res.partner", {"name": login})
    company = env.search("res.company", [], limit=1)
    uid = _one(env, "res.users", {"login": login, "partner_id": partner, "company_ids": [[6, 0, company]]})
    db.users[uid] = User(uid, login, password, list(api_keys or []), admin=False, groups=frozenset(groups))
    return uid


def base(db: Database, login: str = "admin", password: str = "admin", api_keys: list[str] | None = None) -> Env:
    """Records every Odoo database has; returns an admin env for further seeding."""
    db.users[1] = User(1, "__system__", "", admin=True)
    db.users[2] = User(2, login, password, list(api_keys or []), admin=True)
    env = db.env(2)
    for model, spec in db.models.items():
        env.create("ir.model", [{"model": model, "name": spec.description, "transient": spec.transient}])
    usd = _one(env, "res.currency", {"name": "USD", "symbol": "$"}, "base.USD")
    _one(env, "res.currency", {"name": "EUR", "symbol": "€"}, "base.EUR")
    us = _one(env, "res.country", {"name": "United States", "code": "US"}, "base.us")
    _one(env, "res.country", {"name": "Germany", "code": "DE"}, "base.de")
    company_partner = _one(env, "res.partner", {"name": "My Company", "is_company": True, "country_id": us},
                           "base.main_partner")
    company = _one(env, "res.company", {"name": "My Company", "partner_id": company_partner, "currency_id": usd,
                                        "country_id": us}, "base.main_company")
    env.write("res.partner", [company_partner], {"company_id": company})
    _one(env, "res.partner", {"name": "OdooBot", "active": False}, "base.partner_root")
    admin_partner = _one(env, "res.partner", {"name": "Mitchell Admin", "email": "admin@example.com"},
                         "base.partner_admin")
    _one(env, "res.users", {"login": "__system__", "partner_id": admin_partner - 1, "active": False}, "base.user_root")
    _one(env, "res.users", {"login": login, "partner_id": admin_partner, "company_ids": [[6, 0, [company]]]},
         "base.user_admin")
    for usage, digits in (("Discount", 2), ("Product Price", 2)):
        _one(env, "decimal.precision", {"name": usage, "digits": digits}, None)
    if db.version < 19:
        unit_cat = _one(env, "uom.category", {"name": "Unit"}, "uom.product_uom_categ_unit")
        weight = _one(env, "uom.category", {"name": "Weight"}, "uom.product_uom_categ_kgm")
        units = _one(env, "uom.uom", {"name": "Units", "category_id": unit_cat, "uom_type": "reference"},
                     "uom.product_uom_unit")
        _one(env, "uom.uom", {"name": "Dozens", "category_id": unit_cat, "uom_type": "bigger", "factor": 1 / 12},
             "uom.product_uom_dozen")
        kg = _one(env, "uom.uom", {"name": "kg", "category_id": weight, "uom_type": "reference"}, "uom.product_uom_kgm")
        _one(env, "uom.uom", {"name": "lb", "category_id": weight, "uom_type": "smaller", "factor": 2.20462},
             "uom.product_uom_lb")
    else:
        units = _one(env, "uom.uom", {"name": "Units"}, "uom.product_uom_unit")
        _one(env, "uom.uom", {"name": "Dozens", "relative_factor": 12.0, "relative_uom_id": units},
             "uom.product_uom_dozen")
        kg = _one(env, "uom.uom", {"name": "kg"}, "uom.product_uom_kgm")
        _one(env, "uom.uom", {"name": "lb", "relative_factor": 0.453592, "relative_uom_id": kg}, "uom.product_uom_lb")
    _one(env, "product.category", {"name": "All"}, "product.product_category_all")
    _one(env, "product.pricelist", {"name": "Default", "currency_id": usd}, "product.list0")
    partners = _one(env, "stock.location", {"name": "Partners", "usage": "view"}, "stock.stock_location_locations_partner")
    _one(env, "stock.location", {"name": "Customers", "usage": "customer", "location_id": partners},
         "stock.stock_location_customers")
    _one(env, "stock.location", {"name": "Vendors", "usage": "supplier", "location_id": partners},
         "stock.stock_location_suppliers")
    virtual = _one(env, "stock.location", {"name": "Virtual Locations", "usage": "view"},
                   "stock.stock_location_locations_virtual")
    _one(env, "stock.location", {"name": "Inventory adjustment", "usage": "inventory", "location_id": virtual},
         "stock.stock_location_inventory")
    view = _one(env, "stock.location", {"name": "WH", "usage": "view"}, "stock.warehouse0_view")
    stock = _one(env, "stock.location", {"name": "Stock", "usage": "internal", "location_id": view},
                 "stock.stock_location_stock")
    wh = _one(env, "stock.warehouse", {"name": "My Company", "code": "WH", "lot_stock_id": stock,
                                       "view_location_id": view, "partner_id": company_partner}, "stock.warehouse0")
    env.write("stock.location", [view, stock], {"warehouse_id": wh})
    customers = env.search("stock.location", [("usage", "=", "customer")])[0]
    vendors = env.search("stock.location", [("usage", "=", "supplier")])[0]
    in_type = _one(env, "stock.picking.type", {"name": "Receipts", "code": "incoming", "sequence_code": "IN",
                                               "warehouse_id": wh, "default_location_src_id": vendors,
                                               "default_location_dest_id": stock}, "stock.picking_type_in")
    out_type = _one(env, "stock.picking.type", {"name": "Delivery Orders", "code": "outgoing", "sequence_code": "OUT",
                                                "warehouse_id": wh, "default_location_src_id": stock,
                                                "default_location_dest_id": customers}, "stock.picking_type_out")
    env.write("stock.warehouse", [wh], {"in_type_id": in_type, "out_type_id": out_type})
    _one(env, "account.journal", {"name": "Customer Invoices", "code": "INV", "type": "sale"}, "account.sale_journal")
    _one(env, "account.journal", {"name": "Vendor Bills", "code": "BILL", "type": "purchase"},
         "account.purchase_journal")
    for code, name in INCOTERMS:
        _one(env, "account.incoterms", {"code": code, "name": name}, f"account.incoterm_{code}")
    _one(env, "account.tax", {"name": "Tax 15%", "amount": 15.0, "type_tax_use": "sale"}, "account.tax_sale_15")
    _one(env, "account.tax", {"name": "Tax 15% (purchase)", "amount": 15.0, "type_tax_use": "purchase"},
         "account.tax_purchase_15")
    _ = units, kg
    return env


INCOTERMS = [  # account/data/account_incoterms_data.xml: the Incoterms 2020 rules Odoo ships
    ("EXW", "EX WORKS"), ("FCA", "FREE CARRIER"), ("FAS", "FREE ALONGSIDE SHIP"), ("FOB", "FREE ON BOARD"),
    ("CFR", "COST AND FREIGHT"), ("CIF", "COST, INSURANCE AND FREIGHT"), ("CPT", "CARRIAGE PAID TO"),
    ("CIP", "CARRIAGE AND INSURANCE PAID TO"), ("DAP", "DELIVERED AT PLACE"), ("DPU", "DELIVERED AT PLACE UNLOADED"),
    ("DDP", "DELIVERED DUTY PAID"),
]

DEMO_PRODUCTS = [  # default_code, name, GTIN-14, list price, stock, BigBox code, Northwind code
    ("WB-100", "Blue Widget", "00614141000012", 12.50, 500, "BB-1001", "NW-A1"),
    ("WR-200", "Red Widget", "00614141000029", 8.75, 300, "BB-1002", "NW-A2"),
    ("GL-300", "Gadget Large", "00614141000036", 42.00, 120, "BB-1003", "NW-A3"),
    ("CB-400", "Cable Bundle", "00614141000043", 30.00, 80, "BB-1004", "NW-A4"),
    ("SP-500", "Spare Part Kit", "00614141000050", 5.00, 0, "BB-1005", "NW-A5"),
]


def demo(db: Database, login: str = "admin", password: str = "admin", api_keys: list[str] | None = None) -> None:
    """The demo world of docs/ARCHITECTURE.md on top of `base()`."""
    env = base(db, login, password, api_keys)

    def ref(xid: str) -> int:
        module, name = xid.split(".")
        found = env.search("ir.model.data", [("module", "=", module), ("name", "=", name)], limit=1)
        return int(env.db.data["ir.model.data"][found[0]]["res_id"])

    usd, eur, us, de = ref("base.USD"), ref("base.EUR"), ref("base.us"), ref("base.de")
    company_partner = ref("base.main_partner")
    env.write("res.partner", [company_partner], {"name": "Acme Distribution", "barcode": "0614141000005",
                                                 "street": "1 Commerce Way", "city": "Dayton", "zip": "45402"})
    env.write("res.company", [ref("base.main_company")], {"name": "Acme Distribution"})
    env.write("stock.warehouse", [ref("stock.warehouse0")], {"name": "Acme Warehouse"})
    eur_list = _one(env, "product.pricelist", {"name": "EUR Pricelist", "currency_id": eur}, "demo.pricelist_eur")
    storable = {"detailed_type": "product"} if db.version <= 17 else {"is_storable": True}
    units, stock = ref("uom.product_uom_unit"), ref("stock.stock_location_stock")

    def customer(xid: str, name: str, ref_: str, gln: str | None, **extra: Any) -> int:
        return _one(env, "res.partner", {"name": name, "ref": ref_, "barcode": gln or False, "is_company": True,
                                         "customer_rank": 1, **extra}, xid)

    # BigBox's agreed terms, as its 850s state them (ITD*01*3*2**30**45: 2 % within 30 days, net 45)
    days = "nb_days" if db.version >= 17 else "days"
    discount = {"discount_percentage": 2.0, "discount_days": 30}
    terms = _one(env, "account.payment.term", {
        "name": "2% 30, Net 45", **({"early_discount": True, **discount} if db.version >= 17 else {}),
        "line_ids": [[0, 0, {"value": "percent", "value_amount": 100.0, days: 45,
                             **(discount if db.version <= 16 else {})}]]}, "demo.terms_2_30_net_45")
    bigbox = customer("demo.bigbox", "BigBox Retail", "BIGBOX", "0860001000009", city="Bentonville", country_id=us,
                      property_payment_term_id=terms)
    northwind = customer("demo.northwind", "Northwind Traders", "NORTHWIND", "0860001000016", city="Seattle",
                         country_id=us)
    eurohandel = customer("demo.eurohandel", "EuroHandel GmbH", "EUROHANDEL", "4012345000009", city="Köln",
                          country_id=de, property_product_pricelist=eur_list)
    # the marketplace's German storefront: its orders are in euros (partners/shopmarket.yaml odoo.currency EUR)
    shopmarket = customer("demo.shopmarket", "ShopMarket Online", "SHOPMARKET", None, city="Austin", country_id=us,
                          property_product_pricelist=eur_list)
    _one(env, "res.partner", {"name": "BigBox DC 1", "parent_id": bigbox, "type": "delivery",
                              "barcode": "0860001000023", "street": "100 Distribution Dr", "city": "Bentonville",
                              "zip": "72712", "country_id": us}, "demo.bigbox_dc1")
    _one(env, "res.partner", {"name": "Northwind Store 0042", "parent_id": northwind, "type": "delivery",
                              "ref": "0042", "street": "42 Pike St", "city": "Seattle", "zip": "98101",
                              "country_id": us}, "demo.northwind_0042")
    _one(env, "res.partner", {"name": "Northwind Store 0107", "parent_id": northwind, "type": "delivery",
                              "ref": "0107", "street": "107 Burnside St", "city": "Portland", "zip": "97209",
                              "country_id": us}, "demo.northwind_0107")
    _one(env, "res.partner", {"name": "EuroHandel Lager Köln", "parent_id": eurohandel, "type": "delivery",
                              "barcode": "4012345000016", "street": "Lagerstraße 1", "city": "Köln", "zip": "50667",
                              "country_id": de}, "demo.eurohandel_koeln")
    vendor = _one(env, "res.partner", {"name": "Widget Works Inc.", "ref": "WIDGETWORKS", "barcode": "0860001000030",
                                       "is_company": True, "supplier_rank": 1, "city": "Toledo", "country_id": us},
                  "demo.widgetworks")
    _ = shopmarket, usd
    for code, name, gtin, price, qty, bb, nw in DEMO_PRODUCTS:
        product = _one(env, "product.product", {"name": name, "default_code": code, "barcode": gtin, "list_price": price,
                                                "standard_price": round(price * 0.6, 2), "uom_id": units,
                                                "invoice_policy": "delivery", **storable},
                       f"demo.product_{code.replace('-', '_').lower()}")
        tmpl = env.get("product.product", product, "product_tmpl_id")
        for partner, pcode in ((bigbox, bb), (northwind, nw)) if "product.customerinfo" in env.db.models else ():
            env.create("product.customerinfo", [{"partner_id": partner, "product_tmpl_id": tmpl, "product_id": product,
                                                  "product_code": pcode, "product_name": name}])
        env.create("product.supplierinfo", [{"partner_id": vendor, "product_tmpl_id": tmpl, "product_id": product,
                                              "product_code": f"WW-{code}", "price": round(price * 0.6, 2)}])
        if qty:
            env.create("stock.quant", [{"product_id": product, "location_id": stock, "quantity": float(qty)}])
    if "delivery.carrier" in env.db.models:
        _one(env, "delivery.carrier", {"name": "UPS Ground"}, "demo.carrier_ups")
        _one(env, "delivery.carrier", {"name": "FedEx Ground"}, "demo.carrier_fedex")
    _one(env, "crm.tag", {"name": "EDI"}, "demo.tag_edi")
    db.users[3] = User(3, "portal", "portal", admin=False)
    portal_partner = _one(env, "res.partner", {"name": "Portal User"})
    _one(env, "res.users", {"login": "portal", "partner_id": portal_partner}, "demo.user_portal")


FRENCH = {  # xid -> the name Odoo's fr_FR translation gives it
    "uom.product_uom_unit": "Unités", "uom.product_uom_dozen": "Douzaines",
    "account.tax_sale_15": "Taxe 15 %", "account.tax_purchase_15": "Taxe 15 % (achat)",
    "demo.product_wb_100": "Widget bleu", "demo.product_wr_200": "Widget rouge", "demo.product_gl_300": "Grand gadget",
    "demo.product_cb_400": "Faisceau de câbles", "demo.product_sp_500": "Kit de pièces détachées",
}
TRANSLATED = {"fr_FR": FRENCH}


def in_language(db: Database, lang: str) -> None:
    """The seeded database as one set up in `lang` (fr_FR) whose English was then archived (Settings > Languages;
    Odoo allows it once no user or contact uses en_US): the API user, the company and the customers speak `lang`,
    units, taxes and products have their `lang` names. Odoo 19's JSON-2 then reads names in the company's language
    when a call's context names none (`ir.http._pre_dispatch`: `get_lang`); execute_kw still reads en_US."""
    names = TRANSLATED.get(lang)
    if names is None:
        raise ValueError(f"the sandbox has no {lang!r} names (it has {', '.join(TRANSLATED)})")
    db.languages[lang] = True
    env = db.env(2, {"lang": lang})
    for xid, name in names.items():
        module, xml_id = xid.split(".")
        found = env.search("ir.model.data", [("module", "=", module), ("name", "=", xml_id)], limit=1)
        if found:
            row = db.data["ir.model.data"][found[0]]
            model = "product.template" if row["model"] == "product.product" else str(row["model"])
            rid = int(row["res_id"])
            if model == "product.template":
                rid = int(db.data["product.product"][rid]["product_tmpl_id"])
            env.write(model, [rid], {"name": name})
    env.write("res.users", env.search("res.users", [("active", "in", [True, False])]), {"lang": lang})
    env.write("res.partner", env.search("res.partner", [("active", "in", [True, False])]), {"lang": lang})
    db.languages["en_US"] = False
