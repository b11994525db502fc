"""Which lead a customer's order belongs to: by email, by business domain, by company name.

Only evidence that names one company is sure: the same email, or the same business domain
with the same company name, or the same company name without a contradicting domain. A
near-miss spelling ('Schmidt AG' / 'Schmitt AG' are two companies), a subsidiary on the
parent's domain, and a lead captured only after the order are suggestions someone confirms.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from app.domain.customers import CustomerOrder, MatchKind, OrderStatus, company_keys
from app.domain.data_quality import FREE_MAIL_DOMAINS
from app.domain.leads import LeadStatus

SURE_SCORE = 95    # at or above: the order is credited without asking
REVIEW_SCORE = 80  # from here below SURE_SCORE: someone confirms the suggested lead


@dataclass(frozen=True)
class LeadCandidate:
    """What matching needs of a live lead."""

    id: uuid.UUID
    email: str
    company: str
    created_at: dt.datetime
    status: LeadStatus

    @property
    def business_domain(self) -> str:
        domain = self.email.rpartition("@")[2].strip().lower()
        return "" if domain in FREE_MAIL_DOMAINS else domain


@dataclass(frozen=True)
class Match:
    kind: MatchKind
    score: int  # 0-100
    lead_id: uuid.UUID | None
    reason: str

    @property
    def status(self) -> OrderStatus:
        if self.lead_id is None:
            return OrderStatus.UNMATCHED
        return OrderStatus.MATCHED if self.score >= SURE_SCORE else OrderStatus.REVIEW


NO_MATCH = Match(MatchKind.NONE, 0, None, "no lead with this email, domain or company")


class CandidateIndex:
    """Leads by email, by business email domain and by normalised company, built in one pass;
    every order is then matched by dictionary lookups (fuzzy company names only within the
    names sharing the first two letters)."""

    def __init__(self, leads: Sequence[LeadCandidate]) -> None:
        self.by_email: dict[str, list[LeadCandidate]] = {}
        self.by_domain: dict[str, list[LeadCandidate]] = {}
        self.by_company: dict[str, list[LeadCandidate]] = {}
        self.blocks: dict[str, list[str]] = {}
        keys_of: dict[str, tuple[str, ...]] = {}  # many leads share a company: normalise once
        # Oldest first: several leads of one customer credit the first one captured.
        for lead in sorted(leads, key=lambda c: (c.created_at, c.id.hex)):
            email = lead.email.strip().lower()
            if email:
                self.by_email.setdefault(email, []).append(lead)
            if lead.business_domain:
                self.by_domain.setdefault(lead.business_domain, []).append(lead)
            keys = keys_of.get(lead.company)
            if keys is None:
                keys = keys_of[lead.company] = company_keys(lead.company)
            for key in keys:
                if key not in self.by_company:
                    self.blocks.setdefault(key[:2], []).append(key)
                self.by_company.setdefault(key, []).append(lead)

    def match(self, order: CustomerOrder) -> Match:
        """Email first, then the email's business domain, then the company name."""
        if order.email in self.by_email:
            return _dated(order, self.by_email[order.email], MatchKind.EMAIL, 100,
                          f"same email {order.email}")
        company = self._company_match(order)
        domain = order.domain if order.domain not in FREE_MAIL_DOMAINS else ""
        if domain and domain in self.by_domain:
            return self._domain_match(order, domain, company)
        return company or NO_MATCH

    def _domain_match(self, order: CustomerOrder, domain: str, company: Match | None) -> Match:
        leads = self.by_domain[domain]
        names = {company_keys(lead.company)[:1] for lead in leads}
        if not order.company:
            if len(names) == 1:
                return _dated(order, leads, MatchKind.DOMAIN, SURE_SCORE, f"same domain {domain}")
            return _dated(order, leads, MatchKind.DOMAIN, REVIEW_SCORE,
                          f"same domain {domain}, several companies use it")
        keys = company_keys(order.company)
        scored = [(_similarity(keys, company_keys(lead.company)), lead) for lead in leads]
        best = max(score for score, _lead in scored)
        if best >= SURE_SCORE:
            same = [lead for score, lead in scored if score == best]
            return _dated(order, same, MatchKind.DOMAIN, 100, f"same domain {domain} and company")
        if company is not None and company.score >= SURE_SCORE:
            return company
        # Same domain, another company name (a subsidiary, a reseller): someone decides.
        nearest = next(lead for score, lead in scored if score == best)
        return _dated(order, [nearest], MatchKind.DOMAIN, REVIEW_SCORE,
                      f"same domain {domain}, but the lead's company is '{nearest.company}'")

    def _company_match(self, order: CustomerOrder) -> Match | None:
        keys = company_keys(order.company)
        for key in keys:
            if key in self.by_company:
                return self._exact_company(order, self.by_company[key])
        best_key, best_score = "", 0.0
        for key in keys:
            found = process.extractOne(key, self.blocks.get(key[:2], ()), scorer=fuzz.ratio,
                                       score_cutoff=REVIEW_SCORE)
            if found is not None and found[1] > best_score:
                best_key, best_score = found[0], found[1]
        if not best_key:
            return None
        lead = self.by_company[best_key][0]
        # A near-miss spelling is never sure: 'Schmidt AG' and 'Schmitt AG' are two companies.
        score = min(int(best_score), SURE_SCORE - 1)
        return _dated(order, [lead], MatchKind.COMPANY, score,
                      f"similar company name '{lead.company}' ({best_score:.0f}%)")

    @staticmethod
    def _exact_company(order: CustomerOrder, leads: Sequence[LeadCandidate]) -> Match:
        domain = order.domain if order.domain not in FREE_MAIL_DOMAINS else ""
        others = {lead.business_domain for lead in leads} - {""}
        if domain and others and domain not in others:
            # Two companies of one name ('Müller GmbH' is common): the domains tell them apart.
            return _dated(order, leads, MatchKind.COMPANY, REVIEW_SCORE,
                          f"same company name '{leads[0].company}', but the lead's email "
                          f"domain is {sorted(others)[0]}, the customer's {domain}")
        return _dated(order, leads, MatchKind.COMPANY, 100, f"same company {leads[0].company}")


def _dated(order: CustomerOrder, leads: Sequence[LeadCandidate], kind: MatchKind, score: int,
           reason: str) -> Match:
    """The oldest lead captured by the order's date; a lead captured only later did not win
    the customer (they bought before), so its match is a suggestion."""
    for lead in leads:
        if lead.created_at.date() <= order.order_date:
            return Match(kind, score, lead.id, reason)
    lead = leads[0]
    return Match(kind, min(score, REVIEW_SCORE), lead.id,
                 f"{reason}; but the lead was captured on {lead.created_at.date().isoformat()}, "
                 "after the order")


def _similarity(a: Sequence[str], b: Sequence[str]) -> float:
    return max((fuzz.ratio(x, y) for x in a for y in b if x and y), default=0.0)
