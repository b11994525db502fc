"""Column layouts (our own columns, Salesforce leads, HubSpot contacts) and the CSV writer.

A layout turns one lead dict (``lead_to_dict``) into one row. The CRM layouts use the names the
CRM's importer maps without asking, so an import is upload, check, go:

* Salesforce: the Lead object's field API names (developer.salesforce.com, Object Reference,
  "Lead"), which Data Loader and dataloader.io auto-match and the Data Import Wizard maps to the
  fields listed in Salesforce Help, "Field Mapping for Importing Leads" (First Name, Last Name,
  Company, Title, Email, Phone, Mobile, Street, City, State/Province, Postal Code, Country,
  Lead Source, Lead Status, Rating, Industry, Description). LastName and Company are required
  there: missing ones are written as "[not provided]", as Salesforce's own Web-to-Lead does.
  Status and Rating values are those of the default picklists.
* HubSpot: the labels of HubSpot's default contact properties (knowledge.hubspot.com, "Set up
  your import files": a header matching a property name is mapped automatically; contacts need
  First name, Last name and Email). Lead Status and Lifecycle Stage values are the labels of
  the default options.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import IO, Any

from app.domain.contact_data import country_name
from app.exporters.spreadsheet_safety import (
    PHONE_COLUMNS,
    RISKY_FIRST_CHARACTERS,
    neutralise,
    safe_value,
)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Row], Any]
    phone: bool = False  # holds a phone number (see spreadsheet_safety)


@dataclass(frozen=True)
class Layout:
    name: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...] | None = None  # each column is just this lead_to_dict key (native)

    @property
    def header(self) -> list[str]:
        return [c.header for c in self.columns]

    def row(self, lead: Row) -> list[Any]:
        return [c.value(lead) for c in self.columns]


def native_layout(keys: Sequence[str]) -> Layout:
    """Our own column names (``lead_to_dict`` keys), as the CSV and XLSX exports use them."""
    return Layout("leadline", tuple(Column(key, _field(key), key in PHONE_COLUMNS) for key in keys),
                  tuple(keys))


def _field(key: str) -> Callable[[Row], Any]:
    return lambda lead: lead.get(key)


def _text(key: str) -> Callable[[Row], str]:
    return lambda lead: lead.get(key) or ""


def _phone(key: str) -> Callable[[Row], str]:
    """E.164 when the number could be read (what a CRM stores best), else as typed."""
    return lambda lead: lead.get(f"{key}_e164") or lead.get(key) or ""


def _country(lead: Row) -> str:
    code = lead.get("country") or ""
    return country_name(code) if code else ""


def _or_not_provided(key: str) -> Callable[[Row], str]:
    return lambda lead: lead.get(key) or "[not provided]"


# Salesforce's default Lead Status picklist (Open - Not Contacted, Working - Contacted,
# Closed - Converted, Closed - Not Converted).
_SALESFORCE_STATUS = {
    "inquiry": "Open - Not Contacted", "suspect": "Open - Not Contacted",
    "prospect": "Working - Contacted", "mql": "Working - Contacted",
    "sql": "Working - Contacted", "nurture": "Working - Contacted",
    "converted": "Closed - Converted", "won": "Closed - Converted",
    "lost": "Closed - Not Converted", "disqualified": "Closed - Not Converted",
}
# Salesforce's default Lead Source picklist has Web, Phone Inquiry, Partner Referral, Purchased
# List and Other; the rest keep our words (an unrestricted picklist takes them).
_SALESFORCE_SOURCE = {
    "web": "Web", "phone": "Phone Inquiry", "partner": "Partner Referral", "referral": "Partner "
    "Referral", "import": "Purchased List", "other": "Other", "trade_show": "Trade Show",
    "email": "Email", "advertising": "Advertisement",
}


def _description(lead: Row) -> str:
    parts = [f"Event: {lead['event']}" if lead.get("event") else "",
             f"Campaign: {lead['campaign']}" if lead.get("campaign") else "",
             lead.get("notes") or ""]
    return "\n".join(p for p in parts if p)


SALESFORCE_LEADS = Layout("salesforce", (
    Column("FirstName", _text("first_name")),
    Column("LastName", _or_not_provided("last_name")),
    Column("Company", _or_not_provided("company")),
    Column("Title", _text("title")),
    Column("Email", _text("email")),
    Column("Phone", _phone("phone"), phone=True),
    Column("MobilePhone", _phone("mobile"), phone=True),
    Column("Street", _text("street")),
    Column("City", _text("city")),
    Column("State", _text("region")),
    Column("PostalCode", _text("postal_code")),
    Column("Country", _country),
    Column("LeadSource", lambda lead: _SALESFORCE_SOURCE.get(lead.get("channel") or "", "Other")),
    Column("Status", lambda lead: _SALESFORCE_STATUS.get(lead.get("status") or "", "")),
    Column("Rating", lambda lead: (lead.get("rating") or "").capitalize()),
    Column("Industry", _text("industry")),
    Column("Description", _description),
))

# HubSpot's default Lead Status options (New, Open, In Progress, Open Deal, Unqualified,
# Attempted to Contact, Connected, Bad Timing) and Lifecycle Stage options.
_HUBSPOT_LEAD_STATUS = {
    "inquiry": "New", "suspect": "New", "prospect": "Open", "mql": "Open",
    "sql": "In Progress", "nurture": "Bad Timing", "converted": "Open Deal", "won": "Connected",
    "lost": "Unqualified", "disqualified": "Unqualified",
}
_HUBSPOT_LIFECYCLE = {
    "inquiry": "Lead", "suspect": "Lead", "prospect": "Lead", "nurture": "Lead",
    "mql": "Marketing Qualified Lead", "sql": "Sales Qualified Lead",
    "converted": "Opportunity", "won": "Customer", "lost": "Other", "disqualified": "Other",
}

HUBSPOT_CONTACTS = Layout("hubspot", (
    Column("First Name", _text("first_name")),
    Column("Last Name", _text("last_name")),
    Column("Email", _text("email")),
    Column("Phone Number", _phone("phone"), phone=True),
    Column("Mobile Phone Number", _phone("mobile"), phone=True),
    Column("Company Name", _text("company")),
    Column("Job Title", _text("title")),
    Column("Website URL", _text("website")),
    Column("Street Address", _text("street")),
    Column("City", _text("city")),
    Column("State/Region", _text("region")),
    Column("Postal Code", _text("postal_code")),
    Column("Country/Region", _country),
    Column("Industry", _text("industry")),
    Column("Lead Status", lambda lead: _HUBSPOT_LEAD_STATUS.get(lead.get("status") or "", "")),
    Column("Lifecycle Stage", lambda lead: _HUBSPOT_LIFECYCLE.get(lead.get("status") or "", "")),
))


def csv_cell(value: Any, *, phone: bool = False) -> Any:
    """One CSV field: empty for None, text that could run as a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        value = str(value)
    return safe_value(value, phone=phone)


def write_csv(handle: IO[str], layout: Layout, leads: Iterable[Row]) -> int:
    """The header and one line per lead; returns the number of leads written."""
    out = csv.writer(handle)
    out.writerow(layout.header)
    if layout.keys is not None and len(layout.keys) > 1:
        return _write_native(out, layout, leads)
    cells = [(c.value, c.phone) for c in layout.columns]
    written = 0
    # Most cells are None or plain text that is not risky: those skip csv_cell's checks,
    # which were a quarter of a 100,000-lead export.
    for lead in leads:
        line: list[Any] = []
        for value_of, phone in cells:
            value = value_of(lead)
            if value is None:
                line.append("")
            elif type(value) is str and (not value or value[0] not in RISKY_FIRST_CHARACTERS):
                line.append(value)
            else:
                line.append(csv_cell(value, phone=phone))
        out.writerow(line)
        written += 1
    return written


def write_csv_text(handle: IO[str], layout: Layout, chunks: Iterable[tuple[str, int]]) -> int:
    """``write_csv`` for lines already made (chunks of text in the layout's columns, formula-like
    text neutralised, each with the number of rows it holds); returns the number of rows."""
    csv.writer(handle).writerow(layout.header)
    written = 0
    for text, rows in chunks:
        handle.write(text)
        written += rows
    return written


def _write_native(out: Any, layout: Layout, leads: Iterable[Row]) -> int:
    """Our own columns: a row is picked in one step and handed to the csv module as it is (it
    writes None as an empty field, numbers as digits, other values as their str()); only a
    text cell that starts like a formula is changed."""
    assert layout.keys is not None
    keys = layout.keys
    pick = itemgetter(*keys)
    phones = [key in PHONE_COLUMNS for key in keys]
    written = 0
    for lead in leads:
        try:
            line = list(pick(lead))
        except KeyError:  # a row without some of the columns: those are empty
            line = [lead.get(key) for key in keys]
        for i, cell in enumerate(line):
            if cell.__class__ is str and cell and cell[0] in RISKY_FIRST_CHARACTERS:
                line[i] = neutralise(cell, phone=phones[i])
        out.writerow(line)
        written += 1
    return written
