"""Configuration schema: gateway.yaml and partners/*.yaml, declared once.

These pydantic models are the single spec of what a coordinator may write: the loader
validates with them (and maps errors back to file:line:column), `lint` reports from
them, and the README's reference tables are generated from their field descriptions.
Every model forbids unknown keys so that a misspelt key is an error with a hint, not
a silently ignored setting.

Section owners: the channel settings (`inbound`, `outbound`) belong to the transports,
`odoo` to the Odoo integration, `documents` to the translation engine; each may add
fields here, but the shape stays: one partner file, one `PartnerConfig`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, model_validator

from gateway.config.filenames import check_pattern
from gateway.transports.destinations import check_allow_entry, check_nat64_prefix


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


def check_zone(name: str) -> str:
    """An IANA time zone name zoneinfo knows: a misspelt one would otherwise only fail when a schedule is built."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone name (IANA, as 'America/Chicago', 'Europe/Berlin' or "
                         "'UTC')") from None
    return name


TimeZoneName = Annotated[str, AfterValidator(check_zone)]
# An envelope id as a coordinator copies it from a partner's ISA, padded to 15 ("ACMERETAIL     "): envelopes
# are compared without their padding, so the id is kept without it too (else no file would ever match).
EnvelopeId = Annotated[str, AfterValidator(str.strip)]


def _sized(low: int, high: int, what: str) -> AfterValidator:
    """An envelope id that fits its element: a longer one would shift a fixed-width ISA or be cut by the
    partner's translator, which then addresses nothing of ours."""
    def check(value: str) -> str:
        if not low <= len(value) <= high:
            size = f"{low}" if low == high else f"{low} to {high}"
            raise ValueError(f"{what} is {size} characters, {value!r} has {len(value)}")
        return value
    return AfterValidator(check)


# --------------------------------------------------------------------------- gateway.yaml

class OdooSettings(Strict):
    """How to reach Odoo. Env vars EDI_GATEWAY_ODOO_URL/_DATABASE/_USERNAME/_PASSWORD override."""

    enabled: bool = Field(True, description="false: translated documents are kept, not posted")
    url: str = Field("http://127.0.0.1:8069", pattern=r"^https?://[^\s/?#]+",
                     description="http(s)://host[:port] of the Odoo server")
    database: str = "demo"
    username: str = "admin"
    password: SecretStr | None = None
    password_file: Path | None = Field(None, description="file holding the password or API key")
    protocol: Literal["auto", "jsonrpc", "json2"] = "auto"
    timeout: float = 60.0
    retry_max: int = 8
    in_doubt_seconds: float = Field(
        120.0, ge=0, description="after a call that changes records lost its answer (a timeout, a dropped "
        "connection, a stop), how long Odoo may still be running it (its limit_time_real, 120 s by default): "
        "the document is not posted again before then, so a create committed late is found, not made twice")
    company_id: int | None = None
    poll_seconds: float = Field(60.0, description="how often delivery_done / invoice_posted triggers look at Odoo")
    lookback_days: int = Field(30, description="extraction looks at records changed in this many days")
    schedule_timezone: TimeZoneName = Field(
        "UTC", description="time zone (IANA name, e.g. 'America/Chicago') whose wall clock the partners' "
        "`schedule` crontab lines are read in, daylight saving time included; a document's own "
        "`schedule_timezone` overrides it")


class FolderInboxSettings(Strict):
    path: Path = Path("inbox")
    processed: Path | None = Field(Path("inbox/processed"), description="move taken files here; null deletes them")
    min_age: float = Field(2.0, description="seconds size+mtime must be stable before a file is taken")
    partner: str | None = Field(None, description="partner of every file here; else identified from the envelope")


class SftpServerSettings(Strict):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 2222
    root: Path = Path("sftp")
    host_key: Path = Path("state/ssh_host_ed25519_key")
    max_file_size: int = 100 * 1024 * 1024
    keep_processed: bool = False
    login_throttle_seconds: float = 1.0
    max_failed_logins: int = Field(5, description="failed logins from one address before it is locked out")
    lockout_seconds: float = Field(300.0, description="how long a locked-out address is refused")
    max_connections: int = Field(100, gt=0, description="SSH connections open at once, logged in or not; more "
                                 "are disconnected at once (too many connections), so a flood cannot use up "
                                 "the daemon's file descriptors")
    max_unauthenticated_per_address: int = Field(
        10, gt=0, description="connections not logged in yet kept at once from one address (an IPv6 /64); one "
        "more is disconnected at once, so that one address cannot hold every slot. Raise it for a VAN or a "
        "partner's translator that opens many connections at once from one address (each waits its key exchange "
        "and login, longer with a password)")
    keepalive_seconds: float = Field(
        60.0, ge=0, description="a logged-in connection silent this long is asked whether its client is still "
        "there; after 3 unanswered asks it is closed (0: never). A connection a network glitch or a NAT's idle "
        "timeout cut without a word otherwise stayed open for hours, counted against max_connections and its "
        "account's share of them, so the partner's new logins were refused")


class As2KeyPair(Strict):
    """One of our AS2 certificates with its key: an earlier one (still opens what partners encrypt to it), or the
    pair of one of our AS2 ids (`as2_server.identities`)."""

    certificate: Path
    private_key: Path
    private_key_password_file: Path | None = None


class As2ServerSettings(Strict):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 4080
    path: str = "/as2"
    as2_id: str = "EDIGATEWAY"
    certificate: Path | None = None         # our signing/decryption certificate (PEM)
    private_key: Path | None = None         # its key (PEM)
    private_key_password_file: Path | None = None
    previous_keys: list[As2KeyPair] = Field(
        default_factory=list, description="our earlier certificates and keys, during a rollover of ours: "
        "messages still encrypted to one of them are opened (and the partner named in a warning); "
        "signing always uses `certificate`")
    identities: dict[str, As2KeyPair] = Field(
        default_factory=dict, description="a key pair of its own for one of our AS2 ids (a second company's), by "
        "that id: messages to it are opened, and what it sends and its MDNs signed, with that pair; every other id "
        "uses `certificate`")
    tls_certificate: Path | None = None     # HTTPS when set
    tls_key: Path | None = None
    duplicate_window_days: int = 30
    max_body: int = 200 * 1024 * 1024
    public_url: str | None = Field(None, description="URL partners send to, used for async MDN receipt")
    max_connections: int = Field(200, gt=0, description="HTTP connections open at once; more are closed at once, "
                                 "so a flood cannot use up the daemon's file descriptors")
    max_in_flight: int = Field(64, gt=0, description="requests handled at once; more are answered 503 with "
                               "Retry-After (partners' AS2 software resends)")
    idle_timeout: float = Field(30.0, gt=0, description="seconds a connection may wait for (the rest of) a "
                                "request's headers")
    body_deadline: float = Field(120.0, gt=0, description="seconds for a request body, plus one more per "
                                 "body_min_rate bytes received: a big body on a slow link gets time, a trickle "
                                 "does not")
    body_min_rate: int = Field(8 * 1024, gt=0, description="bytes per second (see body_deadline)")
    mdn_post_timeout: float = Field(30.0, gt=0, description="seconds for one asynchronous MDN POST to a "
                                    "partner's URL")
    max_connections_per_address: int = Field(
        32, gt=0, description="connections open at once from one address (an IPv6 /64); one more is closed at once, "
        "so that one address (a stranger trickling headers, or idling keep-alive connections) cannot hold every "
        "slot of max_connections, nor, below max_in_flight, every request slot. Raise it for a VAN or a front "
        "proxy that sends every partner's messages from one address")
    min_free_mb: int = Field(
        128, ge=0, description="free space (MB) kept in the work folder's filesystem (state_dir's): a message body "
        "that would leave less is refused with 503 and Retry-After (partners send again later). Bodies are written "
        "before their signature is checked, so without it anyone naming a partner's AS2 id could fill the disk the "
        "journal and archive need")
    nat64_prefixes: list[Annotated[str, AfterValidator(lambda e: str(check_nat64_prefix(e)))]] = Field(
        default_factory=list, description="this site's own NAT64 prefixes besides 64:ff9b::/96 (RFC 6052 lengths: "
        "/32, /40, /48, /56, /64, /96): an async MDN URL's address under one is judged as the IPv4 address it "
        "leads to, so that an inside address reached over the site's NAT64 is refused like the address itself")


class OutboxSettings(Strict):
    max_attempts: int = 10
    min_backoff: float = 5.0
    max_backoff: float = 3600.0
    concurrency_per_channel: int = 4


class OpsSettings(Strict):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 8780
    stuck_after_minutes: float = Field(30.0, description="status page: in-flight messages unchanged this long are stuck")
    min_free_mb: int = Field(1024, ge=0, description="status page and daemon log: warn when a filesystem the "
                             "gateway writes to (state, archive, quarantine, outbox, inboxes, SFTP root) has less "
                             "free space than this many MB")


class RetentionSettings(Strict):
    archive_days: int = 400


class GatewayConfig(Strict):
    """gateway.yaml: paths are relative to the file's folder."""

    state_dir: Path = Path("state")                 # journal.sqlite3 lives here
    archive_dir: Path = Path("archive")
    quarantine_dir: Path = Path("quarantine")
    partners_dir: Path = Path("partners")
    translations_dir: Path = Path("translations")
    outbox_dir: Path = Path("outbox")               # default local delivery: outbox/<partner>/
    our_ids: OurIds | None = None
    odoo: OdooSettings = Field(default_factory=OdooSettings)
    inbox: list[FolderInboxSettings] = Field(default_factory=lambda: [FolderInboxSettings()])
    sftp_server: SftpServerSettings = Field(default_factory=SftpServerSettings)
    as2_server: As2ServerSettings = Field(default_factory=As2ServerSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    ops: OpsSettings = Field(default_factory=OpsSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    workers: int = 4
    retry_hours: float = Field(72.0, gt=0, description="inbound: how long a transient failure (Odoo down) is "
                               "retried, backoff capped at outbox.max_backoff, before the message is dead; "
                               "outbound deliveries stop after outbox.max_attempts")
    queue_size: int = 64
    drain_seconds: float = 20.0
    poison_kills: int = Field(3, ge=2, description="a message the gateway was killed while working on this many "
                              "times (2 while it was the only one worked on) is set aside, quarantined with the "
                              "reason, instead of being taken again at every restart")
    log_format: Literal["auto", "text", "json"] = "auto"
    log_level: str = "INFO"


# --------------------------------------------------------------------------- partners/*.yaml

class X12Id(Strict):
    qualifier: Annotated[EnvelopeId, _sized(2, 2, "an ISA qualifier (ISA05/07)")] = "ZZ"
    id: Annotated[EnvelopeId, _sized(1, 15, "an ISA id (ISA06/08)")]


class EdifactId(Strict):
    qualifier: Annotated[EnvelopeId, _sized(0, 4, "a UNB qualifier (0007)")] = ""     # e.g. "14" (GLN), "ZZ"
    id: Annotated[EnvelopeId, _sized(1, 35, "a UNB id (0004/0010)")]


class OurIds(Strict):
    """Our own identifiers as partners see them (receiver on inbound, sender on outbound)."""

    x12: X12Id | None = None
    gs: Annotated[EnvelopeId, _sized(2, 15, "a GS application code (GS02/03)")] | None = None   # when not ISA's
    edifact: EdifactId | None = None
    xml: str | None = None         # cXML From/To identity, UBL party id
    as2_id: str | None = None


def _not_here(value: str | None) -> str | None:
    if value is not None:
        raise ValueError("the AS2 id this partner knows us by is its as2 channel's our_as2_id")
    return value


class PartnerOurIds(OurIds):
    """Our ids as one partner knows them (a vendor number it gave us, a subsidiary's GLN), part by part over
    gateway.yaml's: what it sends is addressed to us under them too, and what we send it comes from them."""

    as2_id: Annotated[str | None, AfterValidator(_not_here)] = None


class DelimiterSettings(Strict):
    element: str = "*"
    component: str = ">"
    segment: str = "~"
    repetition: str = "^"
    suffix: str = "\n"


class X12Settings(Strict):
    ids: list[X12Id] = Field(default_factory=list, description="ISA05/06 (and GS02) values this partner sends as")
    gs_ids: list[EnvelopeId] = Field(default_factory=list)
    version: str = "004010"
    delimiters: DelimiterSettings = Field(default_factory=DelimiterSettings)
    ack: Literal["none", "997", "999"] = "997"
    ta1: bool | Literal["requested"] = Field(default="requested", description=(
        "send a TA1 for interchanges read: requested (default) when their ISA14 asks for one (1), not for one of "
        "TA1s only; true also, "
        "whatever ISA14 says, for one with envelope errors or a repeat; false never. True: our ISA14 asks the "
        "partner for one"))
    accept_with_errors: bool = True
    component_separator_in_text: Literal["error", "warn", "ignore"] = Field(default="warn", description=(
        "the partner's component separator (ISA16) inside a text element ('ATTN: DOCK 4', '10:30' where ISA16 is "
        "':'), which X12 keeps out of data: warn (default) notes it in our findings only, its 997/999 unchanged; "
        "error tells the partner (AK4/IK4 6, the set accepted with errors, rejected under accept_with_errors: "
        "false); ignore says nothing"))
    test: bool = False                       # True: we send and accept ISA15=T
    ack_window_hours: float = 24.0


class EdifactSettings(Strict):
    ids: list[EdifactId] = Field(default_factory=list)
    recipient_internal: list[Annotated[EnvelopeId, _sized(0, 35, "an internal recipient id (S003 0014/0046)")]] = \
        Field(default_factory=list, max_length=2, description=(
            "what our UNB names after the partner's id (its first of `ids`), for a hub or retailer that routes by "
            "it: [0014] or, from syntax version 4, [0014, 0046] (internal identification, sub-identification); "
            "in version 3 0014 is the routing address, up to 14 characters. Read from a UNB and ignored"))
    syntax: str = "UNOC"
    syntax_version: str = "3"
    version: str = "D96A"
    una: bool = True
    decimal: Literal[".", ","] = Field(default=".", description="outbound decimal mark, shown in UNA (inbound "
                                       "numbers are read with either mark, as ISO 9735 allows)")
    contrl: bool | Literal["requested"] = Field(default=True, description=(
        "send CONTRL for interchanges read: true always, false never, requested only when the UNB "
        "asks for one (0031 = 1; then also for a clean interchange). Truthy: our UNBs ask the partner for one"))
    contrl_on_success: bool = True
    test: bool = False
    ack_window_hours: float = 24.0

    @model_validator(mode="after")
    def _fits_its_syntax_version(self) -> EdifactSettings:
        """ISO 9735 version 3's S003 ends at 0014, an..14: a longer id or a 0046 is refused by the partner."""
        internal = self.recipient_internal
        if self.syntax_version < "4" and (len(internal) > 1 or (internal and len(internal[0]) > 14)):
            raise ValueError(f"recipient_internal: syntax version {self.syntax_version}'s UNB has only the routing "
                             f"address (S003 0014, up to 14 characters), not {internal!r}; a sub-identification "
                             "(0046) and 35 characters need syntax_version: \"4\"")
        if joined := [each for each in internal if ":" in each or "*" in each]:
            # our UNB joins S003 with ':' unreleased ('*' repeats in version 4): 'DC:1' reads as 0014 DC, 0046 1
            raise ValueError(f"recipient_internal: {joined[0]!r} holds ':' or '*', which separate the UNB's "
                             "components and repetitions: the partner would read another internal id")
        return self


def check_delimiter(value: str) -> str:
    """One character, as the CSV reader needs: a tab written `'\\t'` (YAML keeps single-quoted backslashes) or
    `tab` is the tab; anything longer made every file of the partner fail to be read at all."""
    if value in ("\\t", "tab", "TAB"):
        return "\t"
    if len(value) != 1:
        raise ValueError(f"a delimiter is one character, {value!r} has {len(value)} (a tab: \"\\t\" in double "
                         "quotes)")
    return value


def check_quotechar(value: str) -> str:
    """One character, or none ("": quotes are data); a longer one failed every file like a long delimiter."""
    if len(value) > 1:
        raise ValueError(f"a quote character is one character (or \"\" for none), {value!r} has {len(value)}")
    return value


class CsvSettings(Strict):
    delimiter: Annotated[str, AfterValidator(check_delimiter)] = ","
    quotechar: Annotated[str, AfterValidator(check_quotechar)] = '"'
    encoding: str = "utf-8"
    header: bool = True
    decimal: str = "."
    number_columns: list[str] | None = Field(
        None, description="the columns (header names or 1-based positions) read as numbers, with the dialect's "
        "thousands separators (1.234,50 or 1,234.50), so that codes such as 10.100.200 or 100,200 in the others "
        "stay as written; default: the columns the partner's "
        "inbound CSV profiles read as numbers (number:, decimals:, int:), or every column when they read none")
    group_by: str | None = None              # column whose value groups rows into one document
    totals_labels: list[str] | None = Field(
        None, description="what a totals row below the data says ('Total', 'Summe'): such a row is skipped, noted "
        "in the message's findings; default: Total, Totals, Grand Total, Subtotal, Sum, Summe, Gesamt, Somme, ...")
    quoting: Literal["minimal", "all", "none"] = Field(
        default="minimal", description="outbound: quote only cells that need it, every cell, or none; "
        "inbound 'none' reads quote characters as data")
    line_end: Literal["crlf", "lf"] = Field(
        default="crlf", description="outbound line ends: CRLF (RFC 4180, Excel) or LF (a Unix importer); "
        "inbound files are read with either, or CR alone")
    formula_escape: Literal["text", "none"] = Field(
        default="text", description="outbound: 'text' writes a text cell starting with = + - @ TAB or CR (a product "
        "name or address from Odoo that a spreadsheet would run as a formula: OWASP CSV injection) with a leading "
        "apostrophe, as Excel reads it (text); number columns and text no formula harms with (-5, a code -A12, a phone "
        "+49 30 1234567: no '=', '|', '!', '[', quote, backslash, nor a parenthesis beside a letter) never, so a "
        "program reading them gets them as sent. 'none' writes every cell as "
        "it is, for a partner whose importer is a program that would keep the apostrophe as data and whose files no "
        "person opens in a spreadsheet")


class XmlSettings(Strict):
    ids: list[str] = Field(default_factory=list, description="cXML From identity / UBL sender party ids")
    max_bytes: int = 50 * 1024 * 1024


class UntaxedLines(Strict):
    """The VAT category of an invoice line with no tax in Odoo (EN 16931 / EANCOM want one on every line)."""

    category: Literal["E", "Z", "AE", "K", "G", "O"] = Field(description="UNCL 5305: E exempt, Z zero rated, AE "
                                                             "reverse charge, K intra-community, G export, O outside "
                                                             "the scope of VAT")
    exemption_reason: str | None = Field(None, pattern=r"^VATEX-[A-Z]{2}(-[A-Z0-9]+)+$", description="a CEF "
                                         "VATEX code, e.g. VATEX-EU-132-1A (Z and S take none)")
    exemption_text: str | None = Field(None, max_length=300, description="the words for it on the invoice")

    @model_validator(mode="after")
    def _zero_rated_is_not_exempt(self) -> UntaxedLines:
        """EN 16931 BR-Z-10: a zero-rated (Z) amount has no exemption reason; a retailer's check refuses one."""
        if self.category == "Z" and (self.exemption_reason or self.exemption_text):
            raise ValueError("category Z (zero rated) takes no exemption_reason or exemption_text (EN 16931 BR-Z-10)")
        return self


class OdooPartnerSettings(Strict):
    partner_ref: str | None = None            # res.partner.ref of the commercial partner
    gln: str | None = None
    create_ship_to: bool = False
    price_policy: Literal["order", "pricelist"] = "order"
    price_tolerance: float = 0.01
    confirm_orders: bool = False
    order_changes: Literal["hold", "revise"] = Field(
        "hold", description="a change of a purchase order (X12 850 BEG01 04 or 860, EDIFACT BGM 1225 4; a "
        "replacement, X12 BEG01 05, EDIFACT 5 or cXML type=update, rewrites a quotation whatever this says): "
        "hold quarantines it for someone to apply in Odoo; revise applies it to the quotation: an "
        "X12 860 or EDIFACT ORDCHG line by line (POC / LIN lines add, delete or change order lines; one without "
        "lines changes the header: dates, ship-to, references, charges), any other change as the whole revised "
        "order, rewriting the quotation like a replacement (a confirmed order is still held); an "
        "original sent again with other content than its sale order has (a new ISA13 or UNB, a corrected CSV/XML "
        "export) is held naming the differences, or with revise replaces a quotation")
    store_orders: Literal["one", "split"] = Field(
        "one", description="a PO whose lines are allocated to stores (X12 SDQ): one sale order to the PO's ship-to "
        "with the allocations in its note, or split: one sale order per store, shipped to the store's delivery "
        "contact (Reference = store number, or its GLN)")
    day_zone: Literal["user", "warehouse"] = Field(
        "user", description="the clock of the days told to this partner (ship, promised and arrival days, the "
        "846 report day) and of its requested dates: the Odoo API user's time zone, or that of the address of "
        "the warehouse concerned (its contact's Timezone; the user's when it has none)")
    order_wait_minutes: float = Field(
        120, ge=0, description="how long a change or cancellation whose order is not in Odoo yet waits for it "
        "(its original a file or a worker behind) before it is quarantined; 0 quarantines at once")
    warehouse: str | None = None
    stock_packaging: str | None = Field(
        None, description="the stock feed (846 / INVRPT / csv-inventory) in the partner's cases: each product in "
        "whole packagings of it (unit CS, X12 CA; part cases are not offered), its GTIN the packaging's barcode. "
        "'sales': the first packaging for sales holding more than one (16-18 product.packaging with Sales ticked, "
        "by sequence; 19 the product's packaging units), or a name: the packaging (16-18: or its package type; 19: "
        "the unit) so named or named so and more ('Case': 'Case of 24'). A packaging whose barcode is the "
        "partner's item code for the product wins. A product without one is left out and logged; null: each "
        "product in its Odoo unit")
    stock_buffer: str | None = Field(
        None, pattern=r"^(\d+(\.\d+)?|(100|\d{1,2}(\.\d+)?)%)$", description="held back from what the stock feed "
        "offers (846 QTY*33, INVRPT QTY+198, the CSV quantity) of each product in each warehouse, so sales made "
        "between two feeds or a miscount do not oversell: a quantity in the product's Odoo unit ('5') or a "
        "percentage of what is free ('10%'); the figure sent is rounded down, never below 0; on hand and "
        "arrivals are not changed")
    stock_cap: float | None = Field(None, ge=0, description="at most this much offered of each product in each "
                                    "warehouse (in its Odoo unit, after stock_buffer; with stock_packaging, before "
                                    "the whole cases are counted), however much is free")
    currency: str | None = None
    units: dict[str, str] = Field(default_factory=dict, description="canonical unit code -> Odoo unit name "
                                  "in English (en_US, whatever the database's language), over the built-in map "
                                  "(EA/C62/PCE: Units, DZN: Dozens, KGM: kg, LBR: lb)")
    gln_field: str = Field("barcode", description="res.partner field holding GLNs (e.g. global_location_number)")
    validate_receipts: bool = Field(False, description="validate the receipt after applying a vendor's ship notice")
    availability_field: str = Field("x_edi_available_qty", description="product.supplierinfo field that receives "
                                    "a vendor's available quantity (846 / INVRPT)")
    tax_type: str = Field("VAT", description="canonical type of the Odoo taxes on this partner's invoices "
                          "(VAT, GST, sales, local, county, city, excise: written as X12 TXI01 / EDIFACT TAX "
                          "5153 through the profile's tax_types codes); a US retailer wants sales")
    tax_types: dict[str, str] = Field(default_factory=dict, description="Odoo tax name (account.tax, in "
                                      "English: en_US) -> canonical tax type, for the taxes that are not tax_type")
    tax_categories: dict[str, Literal["S", "Z", "E", "AE", "K", "G", "O", "L", "M"]] = Field(
        default_factory=dict, description="Odoo tax name (in English, as tax_types) -> its VAT category (UNCL "
        "5305) where the tax has no Tax Category Code (16; 17 without account_edi_ubl_cii_tax_extension; not set): "
        "a domestic reverse-charge 0 % tax is AE, a zero-rated one Z, which the countries would make E")
    untaxed_lines: UntaxedLines | None = Field(None, description="the VAT category (and exemption reason) of an "
                                               "invoice line without any tax in Odoo; default: as Odoo's own UBL "
                                               "export derives a 0 % tax's, from our and the customer's countries, "
                                               "where the invoice profile writes a category (INVOIC, UBL); an 810 or "
                                               "cXML invoice gets the 0 % tax line only when this is set")
    charge_products: dict[str, str] = Field(default_factory=dict, description="allowance/charge code (the "
                                            "canonical word the profiles read X12 SAC02 / EDIFACT ALC 7161 into, "
                                            "e.g. freight for D240 or FC; a partner code is found too) or kind "
                                            "('allowance' / 'charge') as a fallback -> internal reference "
                                            "(default_code) of the Odoo service product that carries it as an "
                                            "order line; unmapped ones go into the order note")


class FolderChannel(Strict):
    channel: Literal["folder"]
    path: Path | None = None                  # inbound: inbox folder; outbound: delivery folder


class SftpAccountChannel(Strict):
    """Partner logs into our SFTP server."""

    channel: Literal["sftp"]
    user: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$",
                      description="account name (letters, digits, _ . -); also the jail folder name")
    authorized_keys: list[Path] = Field(default_factory=list)
    password_hash: SecretStr | None = None


class SftpRemoteChannel(Strict):
    """We log into the partner's SFTP server (poll inbound, push outbound)."""

    channel: Literal["sftp_remote"]
    host: str
    port: int = 22
    user: str
    key: Path
    known_host_key: str = Field(pattern=r"^(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/]+={0,2}(\s.*)?$",
                                description='pinned host key: "ssh-ed25519 AAAA..." (the .pub line)')
    remote_dir: str = "."
    pattern: str = "*"
    interval: float = 60.0
    after: Literal["delete", "move"] = "delete"
    move_to: str | None = None
    push_dir: str | None = Field(None, description="remote folder for outbound files; default remote_dir")
    timeout: float = Field(60.0, description="seconds for connecting and each SFTP operation")
    max_file_size: int = Field(100 * 1024 * 1024, gt=0, description="a remote file larger than this is left "
                               "where it is (with a warning), and a download stops at it: a partner's server "
                               "must not fill the gateway's disk")


def _proxy_url(value: str | None) -> str | None:
    if value is not None and value != "direct" and not value.lower().startswith(("http://", "https://")):
        raise ValueError("proxy is an http:// or https:// URL, or 'direct'")
    return value


class As2Channel(Strict):
    channel: Literal["as2"]
    as2_id: str
    our_as2_id: str | None = Field(None, description="the AS2 id this partner knows us by (AS2-To of what it "
                                   "sends, AS2-From of what we send and of our MDNs), when it is not our_ids.as2_id")
    certificates: list[Path] = Field(default_factory=list, description="partner certs; several during rollover")
    url: str | None = None                    # outbound endpoint
    require_signed: bool = True
    require_encrypted: bool = True
    sign: bool = True
    encrypt: bool = True
    compress: bool = False
    digest: Literal["sha256", "sha384", "sha512", "sha1"] = "sha256"
    encryption: Literal["aes128-cbc", "aes192-cbc", "aes256-cbc", "3des", "aes128-gcm", "aes192-gcm",
                        "aes256-gcm"] = "aes256-cbc"
    key_encryption: Literal["rsa", "rsa-oaep", "rsa-oaep-sha1", "rsa-oaep-sha256", "rsa-oaep-sha384",
                            "rsa-oaep-sha512"] = Field(
        "rsa", description="how the content key is wrapped for the partner's certificate: rsa (RSAES-PKCS1-v1_5, "
        "what every AS2 product reads) or rsa-oaep (RSAES-OAEP with SHA-256, when the partner's policy asks "
        "for it; rsa-oaep-sha1 / -sha384 / -sha512 for OAEP with another digest)")
    mdn: Literal["sync", "async", "none"] = "sync"
    mdn_signed: bool = True
    mdn_timeout_hours: float = Field(0.5, gt=0, description="hours an async MDN may take before the sent "
                                     "message is flagged overdue (never resent by itself)")
    tls_ca: Path | None = Field(None, description="CA file to trust for the partner's HTTPS endpoint")
    tls_client_certificate: Path | None = Field(None, description="our TLS client certificate (PEM, chain "
                                                "after it) for a partner whose HTTPS endpoint requires one")
    tls_client_key: Path | None = Field(None, description="its private key (PEM); keep it chmod 600")
    tls_client_key_password_file: Path | None = None
    proxy: Annotated[str | None, AfterValidator(_proxy_url)] = Field(
        None, description="HTTP proxy for this partner's POSTs ('http://[user:password@]host:port'; CONNECT for "
        "https); unset: HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names the host; 'direct': never a proxy")
    timeout: float = Field(300.0, description="seconds for one AS2 POST including a sync MDN")
    async_mdn_allow: list[Annotated[str, AfterValidator(check_allow_entry)]] = Field(
        default_factory=list, description="where this partner's asynchronous MDN URLs may lead besides public "
        "addresses: addresses or networks ('10.20.0.0/16', '127.0.0.1') and URL prefixes "
        "('https://as2.partner.vpn/mdn'); loopback, private, link-local, multicast and unspecified addresses are "
        "refused otherwise (the MDN is not sent, the message is still taken)")

    @model_validator(mode="after")
    def _client_pair(self) -> As2Channel:
        if (self.tls_client_certificate is None) != (self.tls_client_key is None):
            raise ValueError("tls_client_certificate and tls_client_key go together")
        return self


Channel = Annotated[FolderChannel | SftpAccountChannel | SftpRemoteChannel | As2Channel,
                    Field(discriminator="channel")]


class DocumentSettings(Strict):
    """One document type exchanged with the partner."""

    type: str                                 # "850", "856", "ORDERS", "DESADV", "csv-order", "cxml-OrderRequest"
    direction: Literal["in", "out"]
    profile: str                              # translation profile name (translations/<profile>.yaml)
    trigger: Literal["delivery_done", "invoice_posted", "order_confirmed", "change_applied", "schedule",
                     "none"] = "none"           # change_applied: the answer to a PO change once it is in Odoo
    schedule: str | None = None               # cron expression for schedule triggers
    schedule_timezone: TimeZoneName | None = Field(
        None, description="time zone (IANA name) of `schedule`, e.g. 'America/Chicago' for '0 6 * * 1-5' at 6:00 "
        "in the warehouse's Chicago; default the gateway's `odoo.schedule_timezone`")
    post: bool = True                         # inbound: post to Odoo


class PartnerConfig(Strict):
    id: str
    name: str = ""
    active: bool = True
    odoo: OdooPartnerSettings = Field(default_factory=OdooPartnerSettings)
    x12: X12Settings | None = None
    edifact: EdifactSettings | None = None
    csv: CsvSettings | None = None
    xml: XmlSettings | None = None
    inbound: list[Channel] = Field(default_factory=list)
    outbound: Channel | None = None           # default: folder outbox/<partner id>/
    our_ids: PartnerOurIds | None = Field(None, description="our ids as this partner knows them (x12, gs, "
                                          "edifact, xml), each part over gateway.yaml's our_ids")
    filenames: dict[str, Annotated[str, AfterValidator(check_pattern)]] = Field(
        default_factory=dict, description="names of the files we send, by document type (856, 810, 997, "
        "DESADV, ...) or '*' for any other: a pattern over {partner}, {type}, {control} (required), {number} "
        "and {date} (UTC; {date:%Y%m%d} for another format), e.g. 'ASN_{number}_{control}.txt'; without one, "
        "<partner>_<type>_<control>.<x12|edi|csv|xml>")
    documents: list[DocumentSettings] = Field(default_factory=list)
    line_counts: Literal["hold", "warn"] = Field(default="hold", description=(
        "a stated line count (X12 CTT01, EDIFACT CNT+2) that is not the document's number of lines: hold "
        "(default: a line may be lost; replay posts it) or warn (post it, the warning in its findings and the "
        "order's note: a partner whose translator counts otherwise)"))


def effective_our_ids(partner: PartnerConfig | None, ours: OurIds | None) -> OurIds:
    """The ids `partner` knows us by: its `our_ids:` part by part over gateway.yaml's `ours`. gateway.yaml's
    `gs` goes with gateway.yaml's ISA id: a partner with an ISA id of its own for us has it as GS02/03 too,
    unless it gives a `gs`."""
    base = ours or OurIds()
    own = partner.our_ids if partner is not None else None
    if own is None:
        return base
    return base.model_copy(update={"x12": own.x12 or base.x12, "gs": own.gs or (None if own.x12 else base.gs),
                                   "edifact": own.edifact or base.edifact, "xml": own.xml or base.xml})


GatewayConfig.model_rebuild()
