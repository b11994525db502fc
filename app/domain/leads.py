"""The lead: its vocabulary (PRODUCT.md words), its fields, and the record the app passes around."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class LeadStatus(StrEnum):
    """Lifecycle status, in the words of PRODUCT.md, in funnel order."""

    INQUIRY = "inquiry"
    SUSPECT = "suspect"
    PROSPECT = "prospect"
    MQL = "mql"
    SQL = "sql"
    NURTURE = "nurture"
    CONVERTED = "converted"
    WON = "won"
    LOST = "lost"
    DISQUALIFIED = "disqualified"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Still to be worked by sales (counts towards a rep's workload)."""
        return self not in CLOSED_STATUSES


_STATUS_LABELS = {
    LeadStatus.INQUIRY: "Inquiry",
    LeadStatus.SUSPECT: "Suspect",
    LeadStatus.PROSPECT: "Prospect",
    LeadStatus.MQL: "MQL",
    LeadStatus.SQL: "SQL",
    LeadStatus.NURTURE: "Nurture",
    LeadStatus.CONVERTED: "Converted",
    LeadStatus.WON: "Won",
    LeadStatus.LOST: "Lost",
    LeadStatus.DISQUALIFIED: "Disqualified",
}
CLOSED_STATUSES = frozenset({LeadStatus.WON, LeadStatus.LOST, LeadStatus.DISQUALIFIED})
# Leads still waiting to be followed up. A converted lead lives on as an opportunity in the
# sales pipeline, so like a closed one it is never an orphan and never waits in a queue.
FOLLOW_UP_STATUSES = frozenset(s for s in LeadStatus
                               if s not in CLOSED_STATUSES and s is not LeadStatus.CONVERTED)


class Rating(StrEnum):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Channel(StrEnum):
    """How the lead reached us. Kept forever, with the event or campaign."""

    TRADE_SHOW = "trade_show"
    WEB = "web"
    PHONE = "phone"
    EMAIL = "email"
    REFERRAL = "referral"
    PARTNER = "partner"
    ADVERTISING = "advertising"
    IMPORT = "import"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Consent(StrEnum):
    UNKNOWN = "unknown"
    GRANTED = "granted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    EMAIL = "email"
    PHONE = "phone"
    COUNTRY = "country"
    CHOICE = "choice"
    INTEGER = "integer"
    MONEY = "money"
    DATE = "date"
    BOOLEAN = "boolean"
    USER = "user"
    EVENT = "event"
    TEAM = "team"
    QUEUE = "queue"


@dataclass(frozen=True)
class LeadField:
    """One editable lead field: the single place its name, label, kind and group are declared.

    The CLI derives ``--first-name`` options, the detail pane its editors and the history its
    labels from this list, so a field added here shows up everywhere.
    """

    name: str
    label: str
    kind: FieldKind
    group: str
    choices: type[StrEnum] | None = None
    max_length: int = 200
    computed: bool = False  # derived by the app (the score): shown, never typed

    @property
    def cli_option(self) -> str:
        return "--" + self.name.replace("_", "-")


def _f(name: str, label: str, kind: FieldKind, group: str, **kw: Any) -> LeadField:
    return LeadField(name, label, kind, group, **kw)


K = FieldKind
LEAD_FIELDS: tuple[LeadField, ...] = (
    _f("first_name", "First name", K.TEXT, "Person", max_length=100),
    _f("last_name", "Last name", K.TEXT, "Person", max_length=100),
    _f("title", "Job title", K.TEXT, "Person"),
    _f("birth_date", "Date of birth", K.DATE, "Person"),
    _f("company", "Company", K.TEXT, "Company"),
    _f("industry", "Industry", K.TEXT, "Company", max_length=100),
    _f("company_size", "Company size", K.TEXT, "Company", max_length=50),
    _f("website", "Website", K.TEXT, "Company"),
    _f("email", "Email", K.EMAIL, "Contact", max_length=254),
    _f("phone", "Phone", K.PHONE, "Contact", max_length=50),
    _f("mobile", "Mobile", K.PHONE, "Contact", max_length=50),
    _f("street", "Street", K.TEXT, "Address"),
    _f("postal_code", "Postal code", K.TEXT, "Address", max_length=20),
    _f("city", "City", K.TEXT, "Address", max_length=100),
    _f("region", "State / region", K.TEXT, "Address", max_length=100),
    _f("country", "Country", K.COUNTRY, "Address", max_length=2),
    _f("channel", "Channel", K.CHOICE, "Source", choices=Channel),
    _f("event", "Event", K.EVENT, "Source"),
    _f("campaign", "Campaign", K.TEXT, "Source"),
    _f("badge_id", "Badge id", K.TEXT, "Source", max_length=100),
    _f("status", "Status", K.CHOICE, "Qualification", choices=LeadStatus),
    _f("rating", "Rating", K.CHOICE, "Qualification", choices=Rating),
    _f("score", "Score", K.INTEGER, "Qualification", computed=True),
    _f("product_interest", "Product interest", K.TEXT, "Qualification"),
    _f("budget", "Budget (BANT)", K.TEXT, "Qualification"),
    _f("authority", "Authority (BANT)", K.TEXT, "Qualification"),
    _f("need", "Need (BANT)", K.TEXT, "Qualification"),
    _f("timeline", "Timeline (BANT)", K.TEXT, "Qualification"),
    _f("come_back_on", "Come back on", K.DATE, "Qualification"),
    _f("disqualify_reason", "Disqualify reason", K.TEXT, "Qualification"),
    _f("deal_value", "Deal value", K.MONEY, "Qualification"),
    _f("owner", "Owner", K.USER, "Ownership"),
    _f("team", "Team", K.TEAM, "Ownership"),
    _f("queue", "Queue", K.QUEUE, "Ownership"),
    _f("consent", "Marketing consent", K.CHOICE, "Consent", choices=Consent),
    _f("consent_text", "Consent wording", K.LONG_TEXT, "Consent", max_length=2000),
    _f("do_not_contact", "Do not contact", K.BOOLEAN, "Consent"),
    _f("needs_review", "Needs review", K.BOOLEAN, "Review"),
    _f("review_reason", "Review reason", K.TEXT, "Review", max_length=500),
    _f("notes", "Notes", K.LONG_TEXT, "Notes", max_length=20_000),
)
FIELDS_BY_NAME: dict[str, LeadField] = {f.name: f for f in LEAD_FIELDS}
# What a person, an import or a merge may set; computed fields follow from the others.
EDITABLE_FIELDS: tuple[LeadField, ...] = tuple(f for f in LEAD_FIELDS if not f.computed)
REFERENCE_KINDS = frozenset({K.USER, K.EVENT, K.TEAM, K.QUEUE})


@dataclass(frozen=True)
class LeadRecord:
    """An immutable snapshot of one lead, as services hand it to the UI and CLI.

    References (owner, event, team, queue) carry both the id and a display value so screens
    never have to look anything up.
    """

    id: uuid.UUID
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    birth_date: dt.date | None = None
    company: str = ""
    company_source: str = ""  # '' given by the person; else where the guess came from
    industry: str = ""
    company_size: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    phone_e164: str = ""
    mobile: str = ""
    mobile_e164: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    channel: Channel = Channel.OTHER
    event_id: uuid.UUID | None = None
    event_name: str = ""
    campaign: str = ""
    badge_id: str = ""
    status: LeadStatus = LeadStatus.INQUIRY
    rating: Rating | None = None
    score: int = 0
    product_interest: str = ""
    budget: str = ""
    authority: str = ""
    need: str = ""
    timeline: str = ""
    come_back_on: dt.date | None = None
    disqualify_reason: str = ""
    deal_value: int | None = None
    owner_id: uuid.UUID | None = None
    owner_email: str = ""
    owner_name: str = ""
    team_id: uuid.UUID | None = None
    team_name: str = ""
    queue_id: uuid.UUID | None = None
    queue_name: str = ""
    consent: Consent = Consent.UNKNOWN
    consent_text: str = ""
    consent_at: dt.datetime | None = None
    do_not_contact: bool = False
    needs_review: bool = False
    review_reason: str = ""
    notes: str = ""
    original_values: str = ""  # JSON {field: value} no rule could translate
    awaiting_registration: bool = False
    captured_by_id: uuid.UUID | None = None
    first_touch_at: dt.datetime | None = None
    last_touch_at: dt.datetime | None = None
    next_due_at: dt.datetime | None = None
    merged_into_id: uuid.UUID | None = None
    score_reasons: str = ""  # "+20 title contains Director; -10 free-mail address"
    first_touch_due_at: dt.datetime | None = None  # the first-touch service level's deadline
    sla_breached_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    device_id: uuid.UUID | None = None

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.company or self.badge_id or "(no name)"

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.next_due_at is not None and self.next_due_at < now

    def value_of(self, field_name: str) -> Any:
        """The stored value of a LEAD_FIELDS entry (references give the display value)."""
        return getattr(self, display_attribute(field_name))


_REFERENCE_DISPLAY = {
    "owner": "owner_email",
    "event": "event_name",
    "team": "team_name",
    "queue": "queue_name",
}


def display_attribute(field_name: str) -> str:
    """The LeadRecord attribute that holds a LEAD_FIELDS entry's value as people read it."""
    return _REFERENCE_DISPLAY.get(field_name, field_name)


class SortKey(StrEnum):
    """Columns a lead list can be ordered by (the storage layer maps each to SQL)."""

    NAME = "name"
    COMPANY = "company"
    EMAIL = "email"
    PHONE = "phone"
    COUNTRY = "country"
    STATUS = "status"
    RATING = "rating"
    SCORE = "score"
    OWNER = "owner"
    EVENT = "event"
    NEXT_DUE = "next_due"
    LAST_TOUCH = "last_touch"
    CREATED = "created"
    UPDATED = "updated"


class FirstTouch(StrEnum):
    """Where a lead stands against its first-touch service level (dashboard click-through)."""

    MET = "met"  # touched by the deadline
    MISSED = "missed"  # touched late, or not touched and the deadline has passed
    PENDING = "pending"  # not touched yet, deadline still ahead

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class LeadQuery:
    """What a lead list shows: filters, search text and order. Immutable; compare to detect change."""

    search: str = ""
    statuses: tuple[LeadStatus, ...] = ()
    ratings: tuple[Rating, ...] = ()
    owner_id: uuid.UUID | None = None
    unassigned: bool = False
    event_id: uuid.UUID | None = None
    overdue: bool = False
    needs_review: bool = False
    open_only: bool = False
    captured_by_id: uuid.UUID | None = None
    created_since: dt.datetime | None = None
    invalid_email: bool = False  # an email was kept that did not pass the syntax check
    invalid_phone: bool = False  # a phone or mobile was typed that is not a possible number
    untouched_days: int | None = None  # open leads nobody contacted for this many days
    do_not_contact: bool = False
    queue_id: uuid.UUID | None = None  # waiting in this queue
    no_queue: bool = False  # in no queue (with unassigned: the true orphans)
    orphaned: bool = False  # waiting for follow-up (FOLLOW_UP_STATUSES), and nobody can work
    #                         it: no owner and no queue, or the owner is away or inactive
    channel: Channel | None = None  # how the lead reached us
    created_before: dt.datetime | None = None  # exclusive (with created_since: an age band)
    first_touch: FirstTouch | None = None  # against the first-touch service level
    lead_ids: tuple[uuid.UUID, ...] = ()  # exactly these leads (what an automatic job changed)
    awaiting_registration: bool = False  # badge-only leads waiting for the registration list
    sort: SortKey = SortKey.CREATED
    descending: bool = True

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.search.strip()
            or self.statuses
            or self.ratings
            or self.owner_id
            or self.unassigned
            or self.event_id
            or self.overdue
            or self.needs_review
            or self.open_only
            or self.captured_by_id
            or self.created_since
            or self.invalid_email
            or self.invalid_phone
            or self.untouched_days is not None
            or self.do_not_contact
            or self.queue_id
            or self.no_queue
            or self.orphaned
            or self.channel is not None
            or self.created_before is not None
            or self.first_touch is not None
            or bool(self.lead_ids)
            or self.awaiting_registration
        )
