"""Cross-dock ship notices: a DC order whose lines the partner allocated to stores (X12 SDQ) is announced with one
order level per store, each carton marked for its store.

A big-box retailer ships such a PO to its distribution centre and sorts the cartons there by the store on their
label, so its 856 must be pick and pack with an order level per store (HL O with N1*Z7, the mark-for party, as the
850's SDQ named it: store number or GLN) holding only that store's cartons. With `odoo.store_orders: one` (the
default) the PO is one sale order to the DC, its allocations in the note; the 850 itself, kept in the journal, says
which store gets how much of each line. What is assumed of the delivery:

- An Odoo package whose contents fit one store's allocations is that store's carton, SSCC and all: the store whose
  open quantities equal the package's, else the first in SDQ order (the order the 850 names the stores in) that
  still wants all of it.
- A package labelled with an SSCC that fits no single store (a mixed carton) cannot be sorted at the DC: the ASN
  is not built (`MixedCarton`, the document is held for a person) rather than list SSCCs no carton carries.
- What is in no package, or in an unlabelled package (Odoo's PACK0000001) that fits no single store, is split
  between the stores in SDQ order, each store filled up to its allocation before the next; it becomes one new carton
  per store when the ASN is written (`outbound.pack_loose_items`, with our SSCC where the profile gives a GS1
  prefix), so the warehouse must label those cartons with the ASN's SSCCs. A quantity shipped short thus leaves the last stores in
  SDQ order short, and a store that gets nothing has no order level. A later delivery of the order (the backorder)
  starts from what the earlier ones gave each store, split again the same way: it fills the stores left short.
- What no store is given (a line's quantity beyond its allocations, a product the 850 did not order, more than was
  allocated) stays at an order level without a mark-for party: the DC's own, with any package holding only such
  goods as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from gateway.config.models import PartnerConfig
from gateway.odoo.lookup import counts_cases
from gateway.odoo.sale_orders import line_sequences
from gateway.translate.canonical import Line, Pack, Party, PurchaseOrder, ShipItem, ShipOrder

# (PO line key, store id) -> quantity still open for that store, in the unit of the line's shipped items
Open = dict[str, dict[str, Decimal]]


class MixedCarton(ValueError):
    """A carton with the warehouse's SSCC label holds goods of more than one store: the DC cannot sort it."""


@dataclass(frozen=True)
class _PoLines:
    """The PO's lines as items find them, built once per ship notice (each item is looked up several times)."""

    numbered: dict[str, tuple[str, Line]]         # Odoo sequence (`line_sequences`: 1 for 001) -> (key, line)
    by_key: dict[str, Line]
    line_of: Callable[[ShipItem], str | None] | None = None

    @staticmethod
    def of(po: PurchaseOrder, line_of: Callable[[ShipItem], str | None] | None = None) -> _PoLines:
        keyed = [(_key(line, index), line) for index, line in enumerate(po.lines, 1)]
        return _PoLines({str(seq): pair for seq, pair in zip(line_sequences(po.lines), keyed, strict=True)},
                        dict(keyed), line_of)

    def key_of(self, item: ShipItem) -> str | None:
        """The allocated PO line an item ships: by line number (the Odoo sequence posting gave the line, or
        `line_of`'s for the item), else, for a line Odoo numbered otherwise, by an identifier; None for a line the
        850 allocated to no store."""
        number = item.line_no if self.line_of is None else self.line_of(item)
        if number in self.numbered:
            key, line = self.numbered[number]
            return key if line.allocations else None
        for key, line in self.by_key.items():
            if line.allocations and any(item.item_ids.get(k) == v for k, v in line.item_ids.items() if v):
                return key
        return None


def by_store(shipped: ShipOrder, po: PurchaseOrder, partner: PartnerConfig,
             before: Sequence[ShipOrder] = (), scale: Mapping[str, Decimal] | None = None,
             line_of: Callable[[ShipItem], str | None] | None = None) -> list[ShipOrder]:
    """`shipped` (one DC order as Odoo delivered it) as one order per store the PO's allocations name, in SDQ order,
    then the DC's own order for what no store is given; `[shipped]` when the PO allocated nothing. `before`: the
    order's earlier deliveries, oldest first, split the same way first, so a backorder goes to the stores they left
    short. `scale`: the items' unit per unit of the Odoo order line, by the line's sequence, where the deliveries
    give a line's items in another unit than the order line's (20 Units of a line of 2 Dozens: 12). `line_of`: the
    sequence posting gave the PO line an item ships (None: no line of the PO), where its order line's sequence may
    differ (a person reordered the lines in Odoo): items, and `scale`, are then known by it. Raises MixedCarton for
    a labelled package of this delivery that is not one store's."""
    lines = _PoLines.of(po, line_of)
    per_unit = {key: _factor(line, partner) * (scale or {}).get(seq, Decimal(1))
                for seq, (key, line) in lines.numbered.items()}
    wanted: Open = {key: {store: qty * per_unit[key] for store, qty in line.allocations.items() if qty > 0}
                    for key, line in lines.by_key.items() if line.allocations}
    if not wanted:
        return [shipped]
    left: Open = {key: dict(stores) for key, stores in wanted.items()}
    for earlier in before:                   # its labelled mixed cartons were a person's to announce: as loose
        _split(earlier, po, lines, per_unit, wanted, left, strict=False)
    return _split(shipped, po, lines, per_unit, wanted, left, strict=True)


def _split(shipped: ShipOrder, po: PurchaseOrder, lines: _PoLines, per_unit: dict[str, Decimal], wanted: Open,
           left: Open, strict: bool) -> list[ShipOrder]:
    """`by_store` for one delivery, taking what it gives each store from `left`."""
    stores = list(dict.fromkeys(store for shares in wanted.values() for store in shares))
    packs: dict[str | None, list[Pack]] = {store: [] for store in [*stores, None]}
    items: dict[str | None, list[ShipItem]] = {store: [] for store in [*stores, None]}
    loose = list(shipped.items)
    mixed: list[Pack] = []
    for pack in shipped.packs:
        if all(lines.key_of(item) is None for item in _contents(pack)):
            packs[None].append(pack)           # none of it allocated: the DC's own carton, as labelled
            continue
        store = _store_of(pack, lines, left)
        if store is None and pack.sscc:
            mixed.append(pack)
        if store is None:
            loose += _contents(pack)
            continue
        for item in pack.items:
            key = lines.key_of(item)
            assert key is not None             # _store_of found every item's line
            left[key][store] -= item.quantity
        packs[store].append(pack.model_copy(update={"items": [_for_store(i, lines, wanted, store)
                                                              for i in pack.items]}))
    if mixed and strict:
        raise MixedCarton(f"PO {po.number} is allocated to stores ({', '.join(stores)}), and the DC sorts its cartons "
                          f"by the store on their label, but {'; '.join(_described(p) for p in mixed)} "
                          f"{'is' if len(mixed) == 1 else 'are'} not one store's share: pack each store's goods "
                          "apart in Odoo, or send this ship notice by hand")
    for item in loose:
        key = lines.key_of(item)
        rest = item.quantity
        shares = left[key] if key is not None else {}
        for store, open_qty in shares.items():
            take = min(open_qty, rest)
            if take > 0:
                items[store].append(_for_store(item, lines, wanted, store, take))
                shares[store] = open_qty - take
                rest -= take
        if rest > 0:
            items[None].append(item.model_copy(update={"quantity": rest,
                                                       "ordered_quantity": _dc_share(item, lines, per_unit)}))
    out = []
    for store in [*stores, None]:
        if packs[store] or items[store]:
            mark = [] if store is None else [_mark_for(store, po)]
            out.append(shipped.model_copy(update={"parties": [*shipped.parties, *mark], "packs": packs[store],
                                                  "items": items[store]}))
    return out or [shipped]


def one_order(orders: Sequence[ShipOrder]) -> ShipOrder:
    """`by_store`'s orders as one, for a ship notice that holds one order (an EANCOM DESADV): each store's cartons
    with every item marked for its store (`allocations`, written as LOC+7/QTY+11 under its LIN), that store's loose
    goods one carton of their own (labelled from the notice, as the X12 path's), and the DC's own as they are."""
    packs: list[Pack] = []
    items: list[ShipItem] = []
    for order in orders:
        mark = next((p for p in order.parties if p.role == "mark_for"), None)
        if mark is None:
            packs += order.packs
            items += order.items
            continue
        kind, store = next(iter(mark.ids.items()))
        packs += [_marked(pack, store, kind) for pack in order.packs]
        if order.items:
            packs.append(_marked(Pack(items=order.items), store, kind))
    first = orders[0]
    return first.model_copy(update={"parties": [p for p in first.parties if p.role != "mark_for"], "packs": packs,
                                    "items": items})


def _marked(pack: Pack, store: str, kind: str) -> Pack:
    """A store's carton, each item in it (and in the packs inside it) allocated whole to the store."""
    return pack.model_copy(update={
        "items": [i.model_copy(update={"allocations": {store: i.quantity}, "allocation_kind": kind}) for i in pack.items],
        "packs": [_marked(inner, store, kind) for inner in pack.packs]})


def _key(line: Line, index: int) -> str:
    return line.line_no or str(index)


def _factor(line: Line, partner: PartnerConfig) -> Decimal:
    """Odoo order line units per allocated unit: SDQ counts in the PO1 unit, a case posted as `pack_size` units."""
    return (line.pack_size or Decimal(1)) if counts_cases(partner, line.unit, line.pack_size) else Decimal(1)


def _store_of(pack: Pack, lines: _PoLines, left: Open) -> str | None:
    """The one store a package is for: each of its items of an allocated line, within what that store still wants
    (exactly that first, else the first in SDQ order); None for a mixed or nested package."""
    if pack.packs or not pack.items:
        return None
    need: dict[str, Decimal] = {}
    for item in pack.items:
        key = lines.key_of(item)
        if key is None:
            return None
        need[key] = need.get(key, Decimal(0)) + item.quantity
    candidates = list(dict.fromkeys(store for key in need for store in left[key]))
    fits = [s for s in candidates if all(left[key].get(s, Decimal(0)) >= qty for key, qty in need.items())]
    exact = [s for s in fits if all(left[key].get(s) == qty for key, qty in need.items())]
    return next(iter(exact or fits), None)


def _described(pack: Pack) -> str:
    return f"carton {pack.sscc} (" + ", ".join(f"line {i.line_no or '?'}: {i.quantity}" for i in _contents(pack)) + ")"


def _contents(pack: Pack) -> list[ShipItem]:
    return [*pack.items, *(item for inner in pack.packs for item in _contents(inner))]


def _for_store(item: ShipItem, lines: _PoLines, wanted: Open, store: str,
               quantity: Decimal | None = None) -> ShipItem:
    """The item as shipped to one store: its quantity, and the store's allocation as the ordered quantity."""
    key = lines.key_of(item)
    ordered = wanted[key].get(store) if key is not None else None
    return item.model_copy(update={"quantity": item.quantity if quantity is None else quantity,
                                   "ordered_quantity": ordered})


def _dc_share(item: ShipItem, lines: _PoLines, per_unit: dict[str, Decimal]) -> Decimal | None:
    """What the DC itself ordered of an item's line: the line's quantity less its allocations (None: not known)."""
    key = lines.key_of(item)
    line = lines.by_key.get(key) if key is not None else None
    if line is None or key is None:
        return item.ordered_quantity
    rest = (line.quantity or Decimal(0)) - sum(line.allocations.values(), Decimal(0))
    return rest * per_unit[key] if rest > 0 else None


def _mark_for(store: str, po: PurchaseOrder) -> Party:
    """The store as the 850 named it: its SDQ02 qualifier (92 buyer's store number, UL GLN) and id."""
    kind = next((line.allocation_kind for line in po.lines if store in line.allocations and line.allocation_kind),
                None)
    return Party(role="mark_for", ids={kind or "buyer": store})
