"""Finding duplicate leads: a bulk scan of the database, and a quick check for one new lead.

Both use :func:`app.domain.dedupe.match` and its one threshold, so the booth, the importer and
the scan agree on what a duplicate is and say why in the same words.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from app.domain.contact_data import normalise_phone
from app.domain.dedupe.keys import DEFAULT_MIN_SCORE, CandidatePair, MatchKeys, ScanStats, display_name
from app.domain.dedupe.normalise import canonical_first_name
from app.domain.dedupe.scan import find_duplicates
from app.domain.dedupe.scoring import match, needs_linkage
from app.domain.record_linkage.normalise import fold_name, name_variants
from app.services.context import ServiceContext
from app.storage.repositories.dedupe import (
    add_dismissed_pair,
    count_live,
    dismissed_pairs,
    iter_match_keys,
    lookup_candidates,
    match_keys_for,
)

Progress = Callable[[int, int], None]
_UNSAVED = uuid.UUID(int=0)


class DedupeService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.db = context.db
        self.last_stats = ScanStats()

    def scan(self, min_score: float = DEFAULT_MIN_SCORE, progress: Progress | None = None,
             cancelled: Callable[[], bool] | None = None) -> list[CandidatePair]:
        """Every likely duplicate pair among live leads, best first.

        Reading is streamed in batches inside one read transaction (a consistent snapshot);
        ``progress`` is reported against the lead count while reading, then while comparing.
        """
        stats = ScanStats()
        with self.db.read() as session:
            total = count_live(session)

            def records() -> Any:
                for done, keys in enumerate(iter_match_keys(session), 1):
                    if progress is not None and done % 50_000 == 0:
                        progress(done, total * 2)
                    yield keys

            pairs = find_duplicates(
                records(), min_score=min_score, cancelled=cancelled, stats=stats,
                progress=None if progress is None else
                lambda done, blocks: progress(total + done * total // max(blocks, 1), total * 2))
            dismissed = dismissed_pairs(session)
        self.last_stats = stats
        return [p for p in pairs if _pair_key(p.a, p.b) not in dismissed]

    def dismiss(self, a: uuid.UUID, b: uuid.UUID) -> None:
        """Remember that these two are different people (never proposed again, also after sync)."""
        first, second = _pair_key(a, b)
        now = self.context.clock()
        with self.db.write() as session:
            if (first, second) not in dismissed_pairs(session):
                add_dismissed_pair(session, first, second, now, self.context.device_id)

    def candidates_for(self, values: Mapping[str, Any], event_id: uuid.UUID | None
                       ) -> list[tuple[uuid.UUID, float, tuple[str, ...]]]:
        """Saved leads that are probably the same person as ``values`` (a lead not yet saved).

        ``values`` uses the lead field names (first_name, last_name, company, email, phone,
        mobile, badge_id, country, street, postal_code, city, region, birth_date); phones may
        be typed in any format. Returns (lead id, score, reasons), best first. Looks only at
        leads sharing an email, phone, the badge at this event or a last-name prefix with the
        first initial (also swapped; for a person known only by name and address also the
        initials of the first name's nicknames and formal names), via indexes.
        """
        new = self._keys_of(values, event_id)
        last, first = new.last_name.strip(), new.first_name.strip()
        names: set[tuple[str, str]] = set()
        initials = {first[:1], canonical_first_name(first)[:1]} if first else {""}
        by_address = needs_linkage(new)
        if first and by_address:
            # Known by name and address only: Bob may be stored as Robert.
            initials.update(v[:1].upper() for v in name_variants(fold_name(first)))
        if last:
            names.update((last[:3], initial) for initial in initials)
        if first and last:
            names.add((first[:3], last[:1]))  # first and last swapped
        with self.db.read() as session:
            others = lookup_candidates(
                session, emails=[new.email.strip().lower()],
                phones=[new.phone_e164, new.mobile_e164], badge_id=new.badge_id.strip(),
                event_id=event_id, names=sorted(names), with_address=by_address)
        found = []
        for other in others:
            pair = match(new, other)
            if pair is not None:
                found.append((other.id, pair.score, pair.reasons))
        found.sort(key=lambda item: (-item[1], str(item[0])))
        return found

    def display_names(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Names to show for the leads of some pairs, read in a few queries, not one per lead."""
        with self.db.read() as session:
            keys = match_keys_for(session, ids)
        return {k.id: display_name(k) for k in keys}

    def _keys_of(self, values: Mapping[str, Any], event_id: uuid.UUID | None) -> MatchKeys:
        region = str(values.get("country") or "") or self.context.default_country or None

        def phone(name: str) -> str:
            if values.get(f"{name}_e164"):
                return str(values[f"{name}_e164"])
            typed = str(values.get(name) or "").strip()
            if not typed:
                return ""
            try:
                return normalise_phone(typed, region)
            except ValueError:
                return ""  # a phone we cannot read is no evidence either way

        def text(name: str) -> str:
            return str(values.get(name) or "")

        return MatchKeys(key=-1, id=_UNSAVED, first_name=text("first_name"),
                         last_name=text("last_name"), company=text("company"),
                         email=text("email"), phone_e164=phone("phone"),
                         mobile_e164=phone("mobile"), badge_id=text("badge_id"),
                         event_id=event_id, street=text("street"),
                         postal_code=text("postal_code"), city=text("city"),
                         region=text("region"), birth_date=_date_of(values.get("birth_date")))


def _date_of(value: object) -> dt.date | None:
    """A date of birth as given (a date, or ISO text from a form); anything else is no evidence."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _pair_key(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (a, b) if a.hex < b.hex else (b, a)
