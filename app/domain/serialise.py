"""Records to plain JSON-ready values: the one place the CLI and every export convert records.

Conventions: UUIDs as canonical strings, datetimes as ISO 8601 (UTC offset kept), dates as
YYYY-MM-DD, enums as their values, money as integer minor units (never floats).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import uuid
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from app.domain.leads import LEAD_FIELDS, LeadRecord, display_attribute
from app.domain.review import reason_text

# Reference fields: the LEAD_FIELDS entry carries the display value (email or name); these keys
# follow it with the ids and extra names. Derived columns follow the field they derive from.
_COMPANIONS: dict[str, tuple[str, ...]] = {
    "owner": ("owner_id", "owner_name"),
    "event": ("event_id",),
    "team": ("team_id",),
    "queue": ("queue_id",),
    "phone": ("phone_e164",),
    "mobile": ("mobile_e164",),
}
# LeadRecord attributes already present under their LEAD_FIELDS name.
_ALIASES = frozenset({"owner_email", "event_name", "team_name", "queue_name"})


def to_jsonable(value: Any) -> Any:
    """Convert a value (records, enums, UUIDs, dates, containers) to JSON-serialisable data."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Enum):  # before str/int: StrEnum members are strings too
        return to_jsonable(value.value)
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, LeadRecord):
        return lead_to_dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    as_dict = getattr(value, "_asdict", None)  # NamedTuple
    if callable(as_dict):
        return to_jsonable(as_dict())
    raise TypeError(f"cannot convert {type(value).__name__} to JSON")


def lead_to_dict(record: LeadRecord) -> dict[str, Any]:
    """Every field of a lead, keyed by LEAD_FIELDS names, then ids and derived/system columns.

    ``owner`` is the owner's email (with ``owner_id`` and ``owner_name``), ``event``/``team``/
    ``queue`` are names (with their ids), ``deal_value`` is in minor units.
    """
    # An export converts every field of every lead: the key order is worked out once, and the
    # plain values most fields hold skip the general conversion.
    data: dict[str, Any] = {}
    for key, attribute in _lead_plan():
        value = getattr(record, attribute)
        data[key] = value if value is None or type(value) in _AS_IS else to_jsonable(value)
    if data.get("review_reason"):
        data["review_reason"] = reason_text(data["review_reason"])  # the sentences, not codes
    return data


_AS_IS = frozenset({str, int, float, bool})


def lead_keys() -> tuple[str, ...]:
    """The keys of every ``lead_to_dict``, in its order."""
    return tuple(key for key, _ in _lead_plan())


@functools.cache
def _lead_plan() -> tuple[tuple[str, str], ...]:
    """(key, LeadRecord attribute) pairs in lead_to_dict's order."""
    plan: dict[str, str] = {"id": "id"}
    for spec in LEAD_FIELDS:
        plan[spec.name] = display_attribute(spec.name)
        for companion in _COMPANIONS.get(spec.name, ()):
            plan[companion] = companion
    for field in dataclasses.fields(LeadRecord):
        if field.name not in plan and field.name not in _ALIASES:
            plan[field.name] = field.name
    return tuple(plan.items())
