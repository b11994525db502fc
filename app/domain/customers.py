"""Customers' orders from an accounting or ERP export: the columns, one parsed order, its key."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from app.domain.contact_data import format_money, parse_date, parse_money
from app.domain.dedupe.normalise import normalise_company

# Fields a customer or order file maps to, with the header words that suggest each, the
# preferred first (net before gross: revenue is counted net). Headers compare without case,
# spaces, punctuation or umlauts, so 'E-Mail-Adresse', 'EmailAddress' and 'email address' agree.
# German (DATEV, Lexware, sevDesk), English (QuickBooks, Xero) and SAP's technical field names.
CUSTOMER_FIELDS: dict[str, tuple[str, ...]] = {
    "company": ("company", "company name", "customer", "customer name", "contact name",
                "firma", "firmenname", "kunde", "kundenname", "name des kunden", "account",
                "account name", "organisation", "organization", "debitor", "debitorname",
                "geschaeftspartner", "name1", "client"),
    "email": ("email", "e-mail", "email address", "contact email", "e-mail-adresse", "mail",
              "smtp_addr", "emailadresse"),
    "domain": ("domain", "website", "web", "homepage", "url", "internet", "webseite"),
    "customer_number": ("customer number", "customer no", "customer id", "customer ref",
                        "kundennummer", "kunden-nr", "kundennr", "kd-nr", "debitorennummer",
                        "debitorenkonto", "account number", "account no", "kunnr", "contact id"),
    "order_number": ("order number", "order no", "order id", "invoice number", "invoice no",
                     "invoice", "num", "auftragsnummer", "auftrags-nr", "auftrag",
                     "rechnungsnummer", "rechnungs-nr", "re-nr", "belegnummer", "belegfeld 1",
                     "beleg-nr", "vbeln", "document number", "transaction number"),
    "order_date": ("order date", "invoice date", "date", "auftragsdatum", "rechnungsdatum",
                   "belegdatum", "datum", "audat", "fkdat", "transaction date", "issue date"),
    "amount": ("net amount", "amount net", "subtotal", "net", "nettobetrag", "betrag netto",
               "netto", "summe netto", "umsatz netto", "netwr", "amount", "total", "revenue",
               "value", "betrag", "umsatz", "summe", "gesamtbetrag", "rechnungsbetrag",
               "bruttobetrag", "betrag brutto", "brutto", "gross", "total amount",
               "invoice amount", "umsatz (ohne soll/haben-kz)"),
    "currency": ("currency", "currency code", "curr", "waehrung", "wahrung", "ccy", "waerk",
                 "wkz", "wahrungskennung", "waehrungskennung"),
}
FIELD_LABELS: dict[str, str] = {
    "company": "Customer company", "email": "Contact email", "domain": "Web domain",
    "customer_number": "Customer number", "order_number": "Order number",
    "order_date": "Order date", "amount": "Amount", "currency": "Currency"}
REQUIRED_FIELDS = ("order_date", "amount")
DEFAULT_CURRENCY = "EUR"
# Every laptop derives an order's id from its key with this namespace: importing the same file
# on two laptops writes the same row, and next month's file updates it.
ORDER_NAMESPACE = uuid.UUID("6f0c3a52-5a4e-4e8b-9d5e-3c1b7f0a2d41")
MAX_ORDER_NUMBER = 100

_SYMBOLS = {"€": "EUR", "us$": "USD", "$": "USD", "£": "GBP", "¥": "JPY", "fr.": "CHF"}
_CODE = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})(?![A-Za-z])")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                          "ß": "ss"})
# What currency columns hold besides ISO codes.
_CURRENCY_WORDS = {"€": "EUR", "EURO": "EUR", "EUROS": "EUR", "$": "USD", "US$": "USD",
                   "£": "GBP", "SFR": "CHF", "SFR.": "CHF", "FR.": "CHF"}
_ISO_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]")


class OrderStatus(StrEnum):
    """customer_order.match_status: whether the order's revenue is credited to a lead."""

    MATCHED = "matched"      # credited to lead_id
    REVIEW = "review"        # lead_id is only a suggestion until someone confirms it
    UNMATCHED = "unmatched"  # no lead found
    REJECTED = "rejected"    # someone said the suggestion was wrong; re-imports keep that

    @property
    def label(self) -> str:
        return {"matched": "Matched", "review": "To review", "unmatched": "No lead",
                "rejected": "Rejected"}[self.value]


class MatchKind(StrEnum):
    EMAIL = "email"
    DOMAIN = "domain"
    COMPANY = "company"  # exact after normalising, or fuzzy with a score
    MANUAL = "manual"    # someone picked or confirmed the lead in the review list
    NONE = "none"


@dataclass(frozen=True)
class CustomerOrder:
    """One order of the file, parsed; ``key`` identifies it again in next month's file."""

    row: int
    key: str
    company: str
    email: str
    domain: str
    customer_number: str
    order_number: str
    order_date: dt.date
    amount: int  # minor units
    currency: str

    @property
    def id(self) -> uuid.UUID:
        return order_id(self.key)

    def describe(self, file_name: str) -> str:
        """'Order 4711: 1,234.50 EUR on 2026-10-01 (customer import orders.csv)'."""
        number = f" {self.order_number}" if self.order_number else ""
        return (f"Order{number}: {format_money(self.amount, self.currency)} on "
                f"{self.order_date.isoformat()} (customer import {file_name})")


@dataclass(frozen=True)
class RejectedLine:
    """A row of the file that is no order, and why, in words a person can fix the row by."""

    row: int
    reason: str


@dataclass(frozen=True)
class OrderOutcome:
    """What the import does with one order (the preview lists the first few)."""

    row: int
    company: str
    order_number: str
    order_date: dt.date
    amount: int
    currency: str
    status: OrderStatus
    lead_id: uuid.UUID | None
    reason: str
    change: str  # created | updated | unchanged
    lead_label: str = ""  # the lead's company and name, '' without a lead


@dataclass
class CustomerImportReport:
    """What an import would do (preview) or did (run): rows read, orders by match outcome and
    by what was written, rows rejected with their number and reason."""

    read: int = 0
    matched: int = 0
    review: int = 0
    unmatched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    leads_won: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)
    sample: list[OrderOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a deal value left for mixed currencies
    batch_id: uuid.UUID | None = None

    def to_json(self) -> dict[str, object]:
        return {"batch_id": str(self.batch_id) if self.batch_id else None, "read": self.read,
                "matched": self.matched, "review": self.review, "unmatched": self.unmatched,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "leads_won": self.leads_won,
                "rejected": [{"row": r.row, "reason": r.reason} for r in self.rejected],
                "notes": list(self.notes)}


def order_id(key: str) -> uuid.UUID:
    return uuid.uuid5(ORDER_NAMESPACE, key)


def header_word(text: str) -> str:
    """A header as compared: 'E-Mail-Adresse' → 'emailadresse', 'Währung' → 'waehrung'."""
    return re.sub(r"[^0-9a-z]+", "", text.translate(_UMLAUTS).casefold())


_FIELD_OF_WORD = {header_word(w): name for name, words in CUSTOMER_FIELDS.items() for w in words}


def header_score(cells: Sequence[str]) -> int:
    """How many distinct customer fields a row names: finds the header row of a customer file
    (the table reader's own detector knows only lead fields)."""
    return len({_FIELD_OF_WORD[w] for w in map(header_word, cells) if w in _FIELD_OF_WORD})


def suggest_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Target field → header, for the headers that plainly name a customer field."""
    by_word: dict[str, str] = {}
    for header in headers:
        by_word.setdefault(header_word(header), header)
    mapping: dict[str, str] = {}
    for target, words in CUSTOMER_FIELDS.items():
        taken = set(mapping.values())
        header = next((by_word[w] for w in map(header_word, words)
                       if w in by_word and by_word[w] not in taken), None)
        if header is not None:
            mapping[target] = header
    return mapping


def check_mapping(mapping: Mapping[str, str], headers: Sequence[str]) -> list[str]:
    """Problems with a mapping, in words; empty when it can be imported."""
    problems = [f"'{name}' is not a customer field (one of {', '.join(CUSTOMER_FIELDS)})"
                for name in mapping if name not in CUSTOMER_FIELDS]
    problems += [f"the file has no column '{header}' (for {FIELD_LABELS.get(name, name)})"
                 for name, header in mapping.items() if header not in headers]
    problems += [f"map a column to {FIELD_LABELS[name]}" for name in REQUIRED_FIELDS
                 if name not in mapping]
    if not any(name in mapping for name in ("company", "email", "domain")):
        problems.append("map a column to Customer company, Contact email or Web domain")
    return problems


def parse_amount(text: str) -> tuple[int, str]:
    """'1.234,50 €', '1,234.50', 'EUR 1234.5', '$99', '1.234,50-' → (minor units, currency code
    or ''). Negative amounts (credit notes) raise ValueError, as parse_money does."""
    cleaned = text.strip()
    lowered = cleaned.casefold()
    currency = ""
    for symbol, code in _SYMBOLS.items():
        if symbol in lowered:
            currency = code
            at = lowered.index(symbol)
            cleaned = cleaned[:at] + cleaned[at + len(symbol):]
            break
    code_match = _CODE.search(cleaned)
    if code_match:
        currency = code_match.group(1).upper()
        cleaned = cleaned[:code_match.start()] + cleaned[code_match.end():]
    cleaned = cleaned.strip()
    if cleaned.startswith("-") or cleaned.endswith("-") or (
            cleaned.startswith("(") and cleaned.endswith(")")):
        raise ValueError(f"'{text}' is negative (a credit note?): only orders are imported")
    if not cleaned:
        raise ValueError(f"'{text}' is not an amount")
    return parse_money(cleaned), currency


def parse_order(row: int, values: Mapping[str, str]) -> CustomerOrder:
    """One mapped row → an order; ValueError naming the problem when it cannot be one."""
    date_text = values.get("order_date", "").strip()
    if not date_text:
        raise ValueError("the order date is missing")
    iso = _ISO_PREFIX.match(date_text)  # XLSX and ERP timestamps: '2026-10-01 00:00:00'
    try:
        order_date = parse_date(iso.group(1) if iso else date_text)
    except ValueError as exc:
        raise ValueError(f"order date {exc}") from None
    amount_text = values.get("amount", "").strip()
    if not amount_text:
        raise ValueError("the amount is missing")
    try:
        amount, symbol_currency = parse_amount(amount_text)
    except ValueError as exc:
        raise ValueError(f"amount {exc}") from None
    currency = values.get("currency", "").strip().upper()
    currency = _CURRENCY_WORDS.get(currency, currency) or symbol_currency or DEFAULT_CURRENCY
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(f"currency '{currency}' is not a three-letter code such as EUR")
    email = first_email(values.get("email", ""))
    domain = domain_of(values.get("domain", "")) or (email.rpartition("@")[2] if email else "")
    company = values.get("company", "").strip()[:200]
    if not (company or email or domain):
        raise ValueError("no company, email or domain to match the customer by")
    order_number = values.get("order_number", "").strip()
    if len(order_number) > MAX_ORDER_NUMBER:
        raise ValueError(f"the order number is longer than {MAX_ORDER_NUMBER} characters")
    customer_number = values.get("customer_number", "").strip()[:100]
    order = CustomerOrder(row, "", company, email, domain[:253], customer_number,
                          order_number, order_date, amount, currency)
    return replace(order, key=order_key(order))


def first_email(text: str) -> str:
    """The first address of a cell that may hold several ('a@x.de; b@x.de'); '' if none."""
    for part in re.split(r"[;,\s]+", text.strip().lower()):
        part = part.strip("<>\"'")
        local, at, domain = part.rpartition("@")
        if at and local and "." in domain:
            return part[:254]
    return ""


def order_key(order: CustomerOrder) -> str:
    """The file's order number; without one, a hash of customer, date, amount and currency (so
    an order without a number whose amount changes next month is a new order)."""
    if order.order_number:
        return f"no:{order.order_number}"
    customer = (order.customer_number or order.email or order.domain
                or normalise_company(order.company.translate(_UMLAUTS)))
    text = "|".join((customer, order.order_date.isoformat(), str(order.amount), order.currency))
    return "h:" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def domain_of(text: str) -> str:
    """'https://www.acme.com/de' → 'acme.com'; 'info@acme.com' → 'acme.com'."""
    text = text.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0].split("@")[-1].split(":")[0]
    text = text.removeprefix("www.")
    return text if "." in text and " " not in text else ""


def company_keys(company: str) -> tuple[str, ...]:
    """Normalised names for lookups: both 'mueller' and 'muller' spellings of 'Müller'."""
    if not company.strip():
        return ()
    spelled = normalise_company(company.translate(_UMLAUTS))
    plain = normalise_company(company)
    return (spelled,) if spelled == plain else (spelled, plain)


@dataclass(frozen=True)
class CustomerOrderRecord:
    """A stored order as the review list and the command line show it."""

    id: uuid.UUID
    order_key: str
    order_number: str
    company: str
    email: str
    domain: str
    customer_number: str
    order_date: dt.date
    amount: int
    currency: str
    status: OrderStatus
    kind: MatchKind
    score: int
    reason: str
    lead_id: uuid.UUID | None  # credited (matched) or suggested (review)
    lead_label: str  # the lead's company and name, '' without a lead
    file_name: str


@dataclass(frozen=True)
class CustomerUndoResult:
    removed: int  # orders the import had created
    restored: int  # orders it had updated, back to their earlier values
    leads_restored: int  # leads it had won, back to their earlier status and deal value
    leads_kept: int  # leads changed since, left as they are
