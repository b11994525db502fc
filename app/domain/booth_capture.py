"""What the booth form holds and what a capture is checked for before it is first written."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.domain.card_pictures import CardPicture, CardSide, picture_bytes
from app.domain.data_quality import SuppressionIndex, review
from app.domain.enrichment import ENRICHABLE
from app.domain.lead_validation import normalise_changes
from app.domain.leads import LeadRecord
from app.domain.review import with_reasons

NEW, EXISTING, REJECTED = "new", "existing", "rejected"
#: What the capture screening reads: contact data it checks, and the blanks the directory fills.
_SCREENED = ("email", "phone", "mobile", *ENRICHABLE)
#: The company directory: (lead values) -> (blanks it fills, the file it came from).
DirectoryFills = Callable[[Mapping[str, Any]], tuple[dict[str, str], str]]


@dataclass(frozen=True)
class ScanReading:
    """What a scan means before anything is saved: the form to fill, or why it was refused."""

    status: str  # new | existing | rejected
    badge_id: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    lead: LeadRecord | None = None  # the lead already captured with this badge at this event
    reason: str = ""
    warnings: tuple[str, ...] = ()
    format: str = ""
    registered: bool = False  # the badge id was found in the event's registration list


@dataclass(frozen=True)
class CardOnForm:
    """A business card read into the form: where it came from, the guesses nobody checked yet
    (field -> how sure the reading was) and the pictures kept with the lead once it is saved."""

    source: str
    unchecked: Mapping[str, float] = field(default_factory=dict)
    pictures: tuple[CardPicture, ...] = ()


@dataclass(frozen=True)
class CaptureForm:
    """What the booth form holds for one visitor, saved or not: every field, answer and tick."""

    event_id: uuid.UUID | None
    values: Mapping[str, str] = field(default_factory=dict)  # fields, notes, rating, badge extras
    answers: Mapping[uuid.UUID, str] = field(default_factory=dict)
    consent: bool = False
    lead_id: uuid.UUID | None = None  # the captured lead being added to, if any
    card: CardOnForm | None = None  # a business card read into the form, until it is saved

    @property
    def title(self) -> str:
        """Who this is, as staff would say it: name and company, else email or badge id."""
        values = self.values
        name = " ".join(p for p in (values.get("first_name", ""), values.get("last_name", "")) if p)
        who = " · ".join(p for p in (name, values.get("company", "")) if p)
        return who or values.get("email", "") or values.get("badge_id", "") or \
            values.get("phone", "") or values.get("mobile", "") or values.get("notes", "")[:40] or \
            "a visitor without a name yet"


@dataclass(frozen=True)
class BoothDraft:
    """A half-typed visitor put aside (a scan arrived, another draft was opened)."""

    id: uuid.UUID
    form: CaptureForm
    saved_at: dt.datetime


@dataclass(frozen=True)
class CaptureResult:
    lead: LeadRecord
    created: bool


@dataclass(frozen=True)
class RegistrationImport:
    added: int
    updated: int
    skipped: tuple[str, ...]
    resolved_leads: int
    columns: Mapping[str, str]


def screen_capture(clean: dict[str, Any], before: LeadRecord | None, region: str,
                   fills_for: DirectoryFills, suppressed: SuppressionIndex) -> str:
    """Directory fills, role address, company from the email domain, suppression list, all
    added to ``clean`` (the capture's values) before the lead is written: flag, never refuse.
    ``before`` is the lead being added to, if any. Returns the history text of what the
    directory filled in ("" for nothing)."""
    known = {name: before.value_of(name) for name in _SCREENED} if before else {}
    given = {name: clean[name] for name in _SCREENED if name in clean}
    normalised = normalise_changes(given, default_region=region, lenient=True)
    values: dict[str, Any] = {name: known.get(name) for name in ("email", *ENRICHABLE)}
    values.update(phone_e164=before.phone_e164 if before else "",
                  mobile_e164=before.mobile_e164 if before else "")
    values.update(normalised.values)
    values.update(normalised.derived)
    fills, source = fills_for(values)
    if fills:
        clean.update(fills)
        values.update(fills)
        if "company" in fills:
            clean["company_source"] = f"company directory ({source})"
    changes, notes = review(values, suppressed)
    clean.update(changes)
    if notes:
        reasons = str(clean.get("review_reason") or (before.review_reason if before else ""))
        clean.update(needs_review=True, review_reason=with_reasons(reasons, notes))
    return f"{', '.join(fills)} from the company directory ({source})" if fills else ""


def draft_to_json(draft: BoothDraft) -> dict[str, Any]:
    form = draft.form
    return {"id": str(draft.id), "saved_at": draft.saved_at.isoformat(),
            "event_id": str(form.event_id) if form.event_id else None,
            "values": dict(form.values),
            "answers": {str(k): v for k, v in form.answers.items()},
            "consent": form.consent,
            "lead_id": str(form.lead_id) if form.lead_id else None,
            "card": _card_to_json(form.card) if form.card else None}


def draft_from_json(item: Mapping[str, Any]) -> BoothDraft:
    form = CaptureForm(
        event_id=uuid.UUID(item["event_id"]) if item["event_id"] else None,
        values={str(k): str(v) for k, v in item["values"].items()},
        answers={uuid.UUID(k): str(v) for k, v in item["answers"].items()},
        consent=bool(item["consent"]),
        lead_id=uuid.UUID(item["lead_id"]) if item["lead_id"] else None,
        card=_card_from_json(item["card"]) if item.get("card") else None)  # older drafts: none
    return BoothDraft(uuid.UUID(item["id"]), form, dt.datetime.fromisoformat(item["saved_at"]))


def _card_to_json(card: CardOnForm) -> dict[str, Any]:
    return {"source": card.source, "unchecked": dict(card.unchecked),
            "pictures": [{"side": p.side.value, "width": p.width, "height": p.height,
                          "jpeg": p.stored} for p in card.pictures]}


def _card_from_json(item: Mapping[str, Any]) -> CardOnForm:
    pictures = tuple(CardPicture(CardSide(p["side"]), picture_bytes(p["jpeg"]), int(p["width"]),
                                 int(p["height"])) for p in item["pictures"])
    return CardOnForm(str(item["source"]), {str(k): float(v) for k, v in item["unchecked"].items()},
                      tuple(p for p in pictures if p.jpeg))
