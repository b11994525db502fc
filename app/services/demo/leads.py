"""One demo lead with its open tasks and history, every draw from one seeded ``Random``."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field
from random import Random
from typing import Any

from app.domain.history import ActivityKind
from app.domain.leads import CLOSED_STATUSES, Channel, Consent, LeadStatus, Rating
from app.domain.people import Availability, Role
from app.domain.review import parse_reasons, store_reasons
from app.domain.scoring import DEFAULT_SCORING_CONFIG, Scorer, ScoringFacts, email_flags
from app.domain.service_levels import (
    DEFAULT_SERVICE_LEVELS,
    SLA_STATUSES,
    first_touch_deadline,
)
from app.domain.tasks import TaskKind, TaskOutcome
from app.domain.working_time import DEFAULT_CALENDAR
from app.services.demo.organisation import Org, Person, Rows, Show
from app.services.demo.pools import Company, PhoneStem, Pools
from app.services.demo.reference import (
    COUNTRIES,
    COUNTRY_BY_CODE,
    INACTIVE_SINCE_DAYS,
    Country,
    slug,
)
from app.services.demo.seeded import Weighted, demo_id
from app.services.demo.vocabulary import (
    AUTHORITIES,
    BUDGETS,
    CADENCE,
    CALL_OUTCOMES,
    CAMPAIGNS,
    CHANNELS,
    CREATED_TEXT,
    DISQUALIFY_REASONS,
    EARLY_TOUCH,
    FREE_LOCAL_PART,
    FUNNEL_PICK,
    LATE_TOUCH,
    LOCAL_PART,
    NEEDS,
    NEXT_STEPS,
    NOTE_TEMPLATES,
    OTHER_CONSENT,
    PATHS,
    PRODUCTS,
    RATING_PICK,
    REVIEW_REASONS,
    SHOW_CONSENT,
    TIMELINES,
    TOUCH_TEXT,
    TOUCHES,
    TYPED_FORM,
    UNOWNED,
)

S = LeadStatus
_MINUTE = dt.timedelta(minutes=1)

_COUNTRY_PICK = Weighted((c.code, c.weight) for c in COUNTRIES)


@dataclass
class LeadRows:
    """The lead, task and activity rows of one chunk, filled lead by lead."""

    leads: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)

    def as_batch(self) -> Rows:
        return {"lead": self.leads, "task": self.tasks, "activity": self.activities}


class LeadFactory:
    """Builds lead, task and activity rows; every random draw comes from one seeded ``Random``."""

    def __init__(self, org: Org, pools: dict[str, Pools], rng: Random, now: dt.datetime,
                 device_id: uuid.UUID) -> None:
        self.org, self.pools, self.rng, self.now, self.device_id = org, pools, rng, now, device_id
        self.codes = [c.code for c in COUNTRIES]
        self.reps = org.by_role(Role.REP)
        self.booth = org.by_role(Role.BOOTH)
        self.managers = org.by_role(Role.MANAGER)
        self.admin = org.by_role(Role.ADMIN)
        # The inactive rep left INACTIVE_SINCE_DAYS ago: before that they captured and owned
        # leads like everyone else (their open ones are orphans now), afterwards nothing.
        self.inactive_since = now - dt.timedelta(days=INACTIVE_SINCE_DAYS)
        staying = [p for p in self.reps if p.spec.availability is not Availability.INACTIVE]
        self.territory: dict[str, list[Person]] = {
            code: [p for p in self.reps if code in p.spec.territories] or self.reps
            for code in self.codes}
        self.territory_later: dict[str, list[Person]] = {
            code: [p for p in staying if code in p.spec.territories] or staying or self.reps
            for code in self.codes}
        self.sellers = self.reps + self.managers
        self.sellers_later = staying + self.managers
        self.end_of_today = dt.datetime.combine(now.date(), dt.time(23, 59), dt.UTC)
        # Demo scores come from the real default rules, so editing a demo lead (which
        # re-scores it) never makes its score jump, and every score has its reasons.
        self.scorer = Scorer(DEFAULT_SCORING_CONFIG)
        self.served = frozenset(code for p in self.reps
                                if p.spec.availability is Availability.ACTIVE
                                for code in p.spec.territories)

    # -- helpers ------------------------------------------------------------------------------
    def _status(self, age_days: float) -> LeadStatus:
        for limit, statuses in FUNNEL_PICK:
            if age_days < limit:
                return statuses.pick(self.rng)
        raise AssertionError("the funnel ends with an infinite age")

    def _owner(self, country: str, created: dt.datetime) -> Person:
        if created < self.inactive_since:
            return self.rng.choice(self.territory[country])
        return self.rng.choice(self.territory_later[country])

    def _seller(self, created: dt.datetime) -> Person:
        """A rep or manager who worked here at ``created`` (booth duty, taking a call)."""
        return self.rng.choice(self.sellers if created < self.inactive_since
                               else self.sellers_later)

    def _phone(self, stems: tuple[PhoneStem, ...]) -> tuple[str, str]:
        stem = self.rng.choice(stems)
        last = f"{self.rng.randrange(10_000):04d}"
        template = stem.typed[TYPED_FORM.pick(self.rng) % len(stem.typed)]
        return template.format(*last), stem.e164_head + last

    def _email(self, first: str, last: str, company: Company, country: Country) -> str:
        rng = self.rng
        f, la = slug(first) or "info", slug(last) or "contact"
        if rng.random() < 0.12:  # free mail: says nothing about the company
            local = FREE_LOCAL_PART.pick(rng).format(f=f, l=la, i=f[0])
            digits = str(rng.randrange(100)) if rng.random() < 0.5 else ""
            return f"{local}{digits}@{rng.choice(country.free_mail)}"
        local = LOCAL_PART.pick(rng).format(f=f, l=la, i=f[0])
        return f"{local}@{company.domain}"

    def _id(self, when: dt.datetime) -> uuid.UUID:
        return demo_id(self.rng, when)

    def _activity(self, out: LeadRows, lead_id: uuid.UUID, kind: ActivityKind, when: dt.datetime,
                  actor: uuid.UUID | None, **values: str) -> None:
        out.activities.append({
            "id": self._id(when), "lead_id": lead_id, "kind": kind, "occurred_at": when,
            "actor_id": actor, "updated_at": when, "device_id": self.device_id, **values})

    # -- the lead ---------------------------------------------------------------------------
    def add(self, out: LeadRows, created: dt.datetime, show: Show | None) -> None:
        """Append one lead, its open tasks and its history to ``out``."""
        rng, now = self.rng, self.now
        if show is not None:
            channel = Channel.TRADE_SHOW
            code = show.spec.country if rng.random() < 0.7 else _COUNTRY_PICK.pick(rng)
        else:
            channel = CHANNELS.pick(rng)
            code = _COUNTRY_PICK.pick(rng)
        country = COUNTRY_BY_CODE[code]
        pools = self.pools[code]
        names = pools if rng.random() < 0.85 else self.pools[rng.choice(self.codes)]
        first, last = rng.choice(names.first_names), rng.choice(names.last_names)
        company = rng.choice(pools.companies)
        city_index = rng.randrange(len(country.cities))
        city, region, _pattern = country.cities[city_index]
        street_name = rng.choice(pools.streets)
        number = rng.randint(1, 180)
        street = f"{number} {street_name}" if country.number_first else f"{street_name} {number}"
        age_days = (now - created).total_seconds() / 86_400
        status = self._status(age_days)
        lead_id = self._id(created)
        product = rng.choice(PRODUCTS)
        rating = RATING_PICK[status].pick(rng)

        lead: dict[str, Any] = {
            "id": lead_id, "created_at": created, "device_id": self.device_id,
            "first_name": first, "last_name": last, "company": company.name,
            "title": rng.choice(pools.titles), "industry": company.industry,
            "company_size": company.size, "street": street,
            "postal_code": rng.choice(pools.postcodes[city_index]), "city": city,
            "region": region, "country": code, "channel": channel, "status": status,
            "rating": rating,
        }
        if rng.random() < 0.8:
            lead["website"] = f"https://www.{company.domain}"
        if rng.random() < 0.94:
            lead["email"] = self._email(first, last, company, country)
        if rng.random() < 0.75 and pools.fixed:
            lead["phone"], lead["phone_e164"] = self._phone(pools.fixed)
        if rng.random() < 0.4 and pools.mobile:
            lead["mobile"], lead["mobile_e164"] = self._phone(pools.mobile)
        if rng.random() < 0.7:
            lead["product_interest"] = product

        # Source and capture.
        captured_by: uuid.UUID | None
        if show is not None:
            lead["event_id"] = show.id
            if rng.random() < 0.9:
                lead["badge_id"] = f"{show.spec.badge_prefix}{show.starts_on:%y}-" \
                                   f"{rng.randrange(1_000_000):06d}"
            at_booth = rng.choice(self.booth) if self.booth and rng.random() < 0.6 \
                else self._seller(created)
            captured_by = at_booth.id
            created_text = f"Scanned at the booth, {show.name}"
            consent = SHOW_CONSENT.pick(rng)
        else:
            lead["campaign"] = rng.choice(CAMPAIGNS[channel]) if channel in CAMPAIGNS else ""
            if channel in (Channel.PHONE, Channel.EMAIL, Channel.REFERRAL):
                captured_by = self._seller(created).id
            elif channel is Channel.IMPORT:
                captured_by = self.admin[0].id if self.admin else None
            else:
                captured_by = None
            created_text = CREATED_TEXT[channel]
            consent = OTHER_CONSENT.pick(rng)
        lead["captured_by_id"] = captured_by
        lead["consent"] = consent
        lead["do_not_contact"] = consent is Consent.DECLINED and rng.random() < 0.6

        # Ownership: some leads never got an owner, some owners left or are away (orphans).
        owner: Person | None = None
        if rng.random() >= UNOWNED.get(status, 0.03):
            owner = self._owner(code, created)
        territory_team = owner.spec.team if owner else self.territory[code][0].spec.team
        if owner is not None:
            lead["owner_id"] = owner.id
            lead["team_id"] = self.org.teams.get(owner.spec.team or "")
        elif rng.random() < 0.65:
            lead["queue_id"] = self.org.queues.get(None)
        else:
            lead["queue_id"] = self.org.queues.get(territory_team)
            lead["team_id"] = self.org.teams.get(territory_team or "")
        actor = owner.id if owner else (self.managers[0].id if self.managers else None)

        if rng.random() < 0.25:
            lead["notes"] = rng.choice(NOTE_TEMPLATES).format(
                product=product.lower(), industry=company.industry.lower())
        if status in (S.SQL, S.CONVERTED, S.WON, S.LOST) or (status is S.MQL
                                                              and rng.random() < 0.4):
            lead["budget"] = rng.choice(BUDGETS)
            lead["authority"] = rng.choice(AUTHORITIES)
            lead["need"] = rng.choice(NEEDS)
            lead["timeline"] = rng.choice(TIMELINES)
        if rng.random() < 0.03:
            reason = rng.choice(REVIEW_REASONS)
            if reason == "Badge scan without email" and show is None:
                reason = REVIEW_REASONS[0]
            if reason == "Badge scan without email":
                lead["email"] = ""
            lead["needs_review"] = True
            lead["review_reason"] = store_reasons(parse_reasons(reason))

        # History: created, touches, status changes.
        self._activity(out, lead_id, ActivityKind.CREATED, created, captured_by, text=created_text)
        latest = created
        touches = self._touches(status, rating, created)
        for when, kind in touches:
            outcome = ""
            if kind is ActivityKind.CALL:
                outcome = CALL_OUTCOMES.pick(rng)
            elif kind is ActivityKind.MEETING:
                outcome = TaskOutcome.REACHED.value
            text = rng.choice(TOUCH_TEXT[kind]).format(product=product.lower(),
                                                       company=company.name)
            self._activity(out, lead_id, kind, when, actor, text=text, outcome=outcome)
        if touches:
            lead["first_touch_at"] = touches[0][0]
            lead["last_touch_at"] = latest = touches[-1][0]
        path = PATHS[status]
        if path:
            horizon = min(now - _MINUTE, latest + dt.timedelta(hours=rng.uniform(0.2, 72)))
            horizon = max(horizon, created)
            span = (horizon - created).total_seconds()
            times = sorted(created + dt.timedelta(seconds=span * rng.uniform(0.05, 1.0))
                           for _ in path)
            previous = S.INQUIRY
            for when, new in zip(times, path, strict=True):
                self._activity(out, lead_id, ActivityKind.STATUS_CHANGED, when, actor,
                               field="status", old_value=previous.label, new_value=new.label)
                previous = new
            latest = max(latest, times[-1])

        # Status-specific fields.
        if status is S.NURTURE:
            lead["come_back_on"] = latest.date() + dt.timedelta(days=rng.randint(30, 180))
        elif status is S.DISQUALIFIED:
            reason = DISQUALIFY_REASONS.pick(rng)
            lead["disqualify_reason"] = reason
            if reason in ("Competitor", "Spam"):
                lead["do_not_contact"] = True
        elif status is S.WON or (status in (S.CONVERTED, S.LOST) and rng.random() < 0.5):
            value = rng.lognormvariate(math.log(35_000), 0.8)
            lead["deal_value"] = int(min(900_000, max(2_000, round(value, -2)))) * 100

        # Open follow-up tasks for owned open leads; next_due_at is the earliest.
        if owner is not None and status not in CLOSED_STATUSES:
            dues, planned = self._tasks(out, lead, owner, show, product, status, len(touches),
                                        latest)
            lead["next_due_at"] = min(dues)
            latest = max(latest, planned)
        lead["updated_at"] = latest
        self._score(lead, created, len(touches))
        if status in SLA_STATUSES or lead.get("first_touch_at"):
            # The first-touch deadline, so the accountability report has met and missed ones.
            lead["first_touch_due_at"] = first_touch_deadline(
                rating, created, DEFAULT_SERVICE_LEVELS, DEFAULT_CALENDAR)
            if lead.get("first_touch_at") is None and lead["first_touch_due_at"] < now:
                lead["sla_breached_at"] = lead["first_touch_due_at"]
        out.leads.append(lead)

    def _score(self, lead: dict[str, Any], created: dt.datetime, touches: int) -> None:
        email = lead.get("email", "")
        free, role = email_flags(email)
        result = self.scorer.score(ScoringFacts(
            created_at=created, title=lead["title"], company_size=lead["company_size"],
            industry=lead["industry"], country=lead["country"],
            product_interest=lead.get("product_interest", ""), email=email,
            rating=lead["rating"], activity_count=touches,
            last_touch_at=lead.get("last_touch_at"), is_free_mail=free, is_role_address=role,
            served_countries=self.served), self.now)
        lead["score"], lead["score_reasons"] = result.total, result.explain()

    def _touches(self, status: LeadStatus, rating: Rating | None, created: dt.datetime
                 ) -> list[tuple[dt.datetime, ActivityKind]]:
        low, high = TOUCHES[status]
        count = self.rng.randint(low, high) if high else (1 if self.rng.random() < 0.05 else 0)
        if not count:
            return []
        rng = self.rng
        if rating is Rating.HOT:
            when = created + dt.timedelta(hours=rng.uniform(0.5, 24))
        elif rng.random() < 0.15:
            when = created + dt.timedelta(days=rng.uniform(10, 60))  # the slow ones
        else:
            when = created + dt.timedelta(days=rng.expovariate(1 / 4))
        touches: list[tuple[dt.datetime, ActivityKind]] = []
        late = status in (S.SQL, S.CONVERTED, S.WON, S.LOST)
        for _ in range(count):
            if when >= self.now - _MINUTE:
                break
            kind = (LATE_TOUCH if late else EARLY_TOUCH).pick(rng)
            touches.append((when, kind))
            when += dt.timedelta(days=rng.expovariate(1 / 7), minutes=rng.randint(5, 600))
        return touches

    def _tasks(self, out: LeadRows, lead: dict[str, Any], owner: Person, show: Show | None,
               product: str, status: LeadStatus, touched: int, planned: dt.datetime
               ) -> tuple[list[dt.datetime], dt.datetime]:
        """Open tasks for the lead; returns their due times and when they were planned.

        About a third were planned after the last activity and never done (overdue); the rest
        were (re)planned in the last three days, due today or in the next three weeks.
        Nurture leads wait for their come-back date, which may have passed.
        """
        rng, now = self.rng, self.now
        if status is S.NURTURE:
            created = planned
            first_due = dt.datetime.combine(lead["come_back_on"], dt.time(8), dt.UTC)
            kind, title, step = TaskKind.CALL, "Nurture: re-contact", None
        else:
            bucket = rng.random()
            room = (now - planned).total_seconds()
            if bucket < 0.32 and room > 7_200:
                created = planned
                wait = min(room * 0.95, rng.uniform(3_600, 14 * 86_400))
                first_due = planned + dt.timedelta(seconds=wait)
            else:
                created = max(planned, now - dt.timedelta(hours=rng.uniform(0, 72)))
                if bucket < 0.45:
                    first_due = now + max(self.end_of_today - now, dt.timedelta(0)) * rng.random()
                else:
                    first_due = dt.datetime.combine(
                        now.date() + dt.timedelta(days=rng.randint(1, 21)),
                        dt.time(rng.randint(7, 17), rng.choice((0, 15, 30, 45))), dt.UTC)
            if show is not None and touched < len(CADENCE):
                kind, title, _days = CADENCE[touched]
                title, step = title.format(event=show.name), touched + 1
            else:
                kind, title = rng.choice(NEXT_STEPS)
                title, step = title.format(product=product.lower()), None
        first_due = first_due.replace(second=0, microsecond=0)
        dues = [first_due]
        if rng.random() < 0.25:
            dues.append(first_due + dt.timedelta(days=rng.randint(2, 10)))
        for n, due in enumerate(dues):
            out.tasks.append({
                "id": self._id(created), "lead_id": lead["id"], "owner_id": owner.id,
                "kind": kind if n == 0 else TaskKind.CALL,
                "title": title if n == 0 else "Check in again",
                "due_at": due, "cadence_step": step if n == 0 else None,
                "created_at": created, "updated_at": created, "device_id": self.device_id})
        return dues, created
