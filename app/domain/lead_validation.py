"""Turn field values as typed (CLI strings, form values) into validated, normalised lead values.

Strict mode (edits, CLI) refuses doubtful contact data with a ``ValidationError`` naming the
field. Lenient mode (booth capture, imports) keeps what was typed and returns review notes,
because an incomplete lead is better than a lost one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.domain.contact_data import (
    normalise_country,
    normalise_email,
    normalise_phone,
    parse_date,
    parse_money,
    parse_yes_no,
)
from app.domain.errors import FieldError, ValidationError
from app.domain.leads import FIELDS_BY_NAME, REFERENCE_KINDS, FieldKind, LeadField, LeadStatus
from app.domain.review import parse_reasons, store_reasons

IDENTIFYING_FIELDS = ("first_name", "last_name", "company", "email", "phone", "mobile", "badge_id")


@dataclass
class NormalisedChanges:
    """Validated values keyed by field name, plus derived columns and review notes."""

    values: dict[str, Any] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)
    review_notes: list[FieldError] = field(default_factory=list)


def normalise_changes(
    changes: dict[str, Any], *, default_region: str | None, lenient: bool = False
) -> NormalisedChanges:
    """Validate every given field; collect all problems before raising, so a form shows them all."""
    result = NormalisedChanges()
    errors: list[FieldError] = []
    region = str(changes.get("country") or "") or default_region
    for name, raw in changes.items():
        spec = FIELDS_BY_NAME.get(name)
        if spec is None:
            errors.append(FieldError(name, "is not a lead field"))
            continue
        if spec.computed:
            errors.append(FieldError(name, "is computed from the scoring rules (see: score "
                                           "--explain); change the rules or the lead instead"))
            continue
        try:
            result.values[name] = _normalise_value(spec, raw)
        except ValueError as exc:
            if lenient and spec.kind in _DROPPABLE_WHEN_LENIENT:
                result.review_notes.append(FieldError(name, str(exc)))  # kept out, flagged
            else:
                errors.append(FieldError(name, str(exc)))
    if "country" in result.values:
        region = result.values["country"] or default_region
    _normalise_contact(result, errors, region, lenient)
    if errors:
        raise ValidationError(errors)
    return result


def _normalise_contact(
    result: NormalisedChanges, errors: list[FieldError], region: str | None, lenient: bool
) -> None:
    values = result.values
    if values.get("email"):
        try:
            values["email"] = normalise_email(values["email"])
        except ValueError as exc:
            _problem(result, errors, FieldError("email", str(exc)), lenient)
    elif "email" in values:
        values["email"] = ""
    for phone_field in ("phone", "mobile"):
        if phone_field not in values:
            continue
        typed = values[phone_field]
        result.derived[f"{phone_field}_e164"] = ""
        if not typed:
            continue
        try:
            result.derived[f"{phone_field}_e164"] = normalise_phone(typed, region)
        except ValueError as exc:
            _problem(result, errors, FieldError(phone_field, str(exc)), lenient)


def _problem(
    result: NormalisedChanges, errors: list[FieldError], problem: FieldError, lenient: bool
) -> None:
    if lenient:
        result.review_notes.append(problem)
    else:
        errors.append(problem)


def _normalise_value(spec: LeadField, raw: Any) -> Any:  # noqa: PLR0911 - one branch per kind
    if spec.kind in REFERENCE_KINDS:
        return raw  # resolved to ids by the service, which can see users and events
    if raw is None:
        return None if spec.kind in _NULLABLE_KINDS else _EMPTY.get(spec.kind, "")
    if spec.kind is FieldKind.CHOICE:
        assert spec.choices is not None
        return _choice(spec, raw)
    if spec.kind is FieldKind.BOOLEAN:
        return _boolean(raw)
    if spec.kind is FieldKind.INTEGER:
        return _integer(raw)
    if spec.kind is FieldKind.DATE:
        return raw if isinstance(raw, dt.date) else (parse_date(raw) if str(raw).strip() else None)
    if spec.kind is FieldKind.MONEY:
        return raw if isinstance(raw, int) else (parse_money(raw) if str(raw).strip() else None)
    text = str(raw).strip()
    if spec.kind is FieldKind.COUNTRY:
        return normalise_country(text)
    if len(text) > spec.max_length:
        raise ValueError(f"is {len(text)} characters long; at most {spec.max_length} fit")
    if spec.name == "review_reason":
        return store_reasons(parse_reasons(text))  # typed sentences or stored codes alike
    return text


# Lenient captures drop these when unreadable (and say so) instead of refusing the lead.
_DROPPABLE_WHEN_LENIENT = frozenset({FieldKind.COUNTRY, FieldKind.DATE, FieldKind.MONEY})
_NULLABLE_KINDS = frozenset({FieldKind.DATE, FieldKind.MONEY, FieldKind.CHOICE})
_EMPTY: dict[FieldKind, Any] = {FieldKind.BOOLEAN: False, FieldKind.INTEGER: 0}


def _choice(spec: LeadField, raw: Any) -> StrEnum | None:
    assert spec.choices is not None
    if isinstance(raw, spec.choices):
        return raw
    text = str(raw).strip().lower().replace(" ", "_").replace("-", "_")
    if not text:
        if spec.name == "rating":
            return None
        raise ValueError("must not be empty")
    for member in spec.choices:
        if text in (member.value, str(getattr(member, "label", "")).lower().replace(" ", "_")):
            return member
    allowed = ", ".join(m.value for m in spec.choices)
    raise ValueError(f"'{raw}' is not one of: {allowed}")


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return bool(parse_yes_no(str(raw)))


def _integer(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = str(raw).strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"'{raw}' is not a whole number") from None


ADDRESS_FIELDS = ("street", "postal_code", "city")


def check_reachable(values: dict[str, Any], doubtful: frozenset[str] = frozenset()) -> None:
    """The one reason an imported row is refused: nobody could reach the person or company.

    An email or a phone (a role address like info@ too), a postal address with a name to put
    on the envelope (a person's or a company's), or a badge id the registration list resolves.
    A ``doubtful`` email or phone (it failed its check) counts only beside a name, because
    alone it is no lead anyone could work. Everything else is optional and never costs the row.
    """
    named = any(str(values.get(name) or "").strip() for name in ("first_name", "last_name",
                                                                  "company"))
    if any(str(values.get(name) or "").strip() and (named or name not in doubtful)
           for name in ("email", "phone", "mobile", "badge_id")):
        return
    street = str(values.get("street") or "").strip()
    place = any(str(values.get(name) or "").strip() for name in ("postal_code", "city"))
    if named and street and place:
        return
    raise ValidationError.single(
        "email", "no way to reach anyone: the row needs an email, a phone, a postal address "
                 "(street and town) with a name, or a badge id")


def check_lead_rules(merged: dict[str, Any]) -> None:
    """Rules over the whole lead after the change (not per field)."""
    errors: list[FieldError] = []
    if not any(merged.get(name) for name in IDENTIFYING_FIELDS):
        errors.append(FieldError(
            "last_name", "a lead needs at least a name, company, email, phone or badge id"))
    status = merged.get("status")
    if status is LeadStatus.DISQUALIFIED and not merged.get("disqualify_reason"):
        errors.append(FieldError(
            "disqualify_reason", "say why the lead is disqualified (competitor, student, spam…)"))
    if status is LeadStatus.NURTURE and not merged.get("come_back_on"):
        errors.append(FieldError(
            "come_back_on", "a lead in nurture needs a come-back date"))
    if errors:
        raise ValidationError(errors)
