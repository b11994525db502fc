"""Translate the values other tools write in choice columns into ours, and say why.

Exports from lead-retrieval services and CRMs put their own words into the columns we read as
rating, status, channel and consent. Each value is translated by the user's own choice for it
first, then by the default rules (:mod:`app.domain.value_rules`, which also lists the vendor
vocabularies); a value no rule covers is kept verbatim as an original value (the import warns,
the lead shows it) and never costs the row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from app.domain.leads import Channel, Consent, LeadStatus, Rating
from app.domain.value_rules import default_rule, value_key

VOCABULARY_FIELDS: dict[str, type[StrEnum]] = {
    "rating": Rating, "status": LeadStatus, "channel": Channel, "consent": Consent}
KEEP_ORIGINAL = ""  # a user's choice for a value: keep it verbatim, do not translate


class ValueSource(StrEnum):
    """Why a value became what it became; the import preview shows this."""

    OURS = "ours"  # already one of our values
    DEFAULT = "default"  # a default rule
    USER = "user"  # the person's own choice for this value
    KEPT = "kept"  # nobody could translate it: kept verbatim as an original value

    @property
    def label(self) -> str:
        return {"ours": "our value", "default": "default rule", "user": "your choice",
                "kept": "kept as original"}[self.value]


@dataclass(frozen=True)
class ValueTranslation:
    raw: str
    value: str  # one of our enum values; '' when kept as the original
    source: ValueSource
    explanation: str


class ValueMappingError(ValueError):
    """A value mapping names a field without a vocabulary or a value that is not ours."""



def _ours(field: str, key: str) -> str | None:
    for member in VOCABULARY_FIELDS[field]:
        label = str(getattr(member, "label", member.value))
        if key in (value_key(member.value), value_key(label)):
            return member.value
    return None


@lru_cache(maxsize=4096)
def default_translation(field: str, raw: str) -> ValueTranslation:
    """What the default rules make of ``raw`` in ``field`` (KEPT when no rule covers it)."""
    if field not in VOCABULARY_FIELDS:
        raise ValueMappingError(f"'{field}' has no value vocabulary; fields with one: "
                                f"{', '.join(VOCABULARY_FIELDS)}")
    key = value_key(raw)
    ours = _ours(field, key)
    if ours is not None:
        return ValueTranslation(raw, ours, ValueSource.OURS, "already one of our values")
    rule = default_rule(field, raw)
    if rule is None:
        return ValueTranslation(raw, KEEP_ORIGINAL, ValueSource.KEPT,
                                f"no rule knows this {field}")
    return ValueTranslation(raw, rule[0], ValueSource.DEFAULT, rule[1])


@dataclass(frozen=True)
class ValueMapping:
    """The person's own translations: per field, per value (compared by :func:`value_key`).

    Saved with the import template, so the same export needs no work the next time. A choice
    of :data:`KEEP_ORIGINAL` keeps a value verbatim even where a default rule would translate.
    """

    choices: tuple[tuple[str, str, str], ...] = ()  # (field, value as seen, our value or '')

    def __post_init__(self) -> None:
        for field, raw, ours in self.choices:
            check_choice(field, raw, ours)

    def choice(self, field: str, raw: str) -> str | None:
        key = value_key(raw)
        for name, seen, ours in self.choices:
            if name == field and value_key(seen) == key:
                return ours
        return None

    def with_choice(self, field: str, raw: str, ours: str | None) -> ValueMapping:
        """A copy where ``raw`` in ``field`` becomes ``ours`` (None: back to the default rule)."""
        key = value_key(raw)
        kept = tuple(c for c in self.choices if not (c[0] == field and value_key(c[1]) == key))
        return ValueMapping(kept if ours is None else (*kept, (field, raw, ours)))

    def translate(self, field: str, raw: str) -> ValueTranslation:
        chosen = self.choice(field, raw)
        if chosen is None:
            return default_translation(field, raw)
        if chosen == KEEP_ORIGINAL:
            return ValueTranslation(raw, KEEP_ORIGINAL, ValueSource.KEPT,
                                    "your choice")
        label = VOCABULARY_FIELDS[field](chosen)
        return ValueTranslation(raw, chosen, ValueSource.USER, f"your choice: {label.value}")

    def to_data(self) -> dict[str, dict[str, str]]:
        data: dict[str, dict[str, str]] = {}
        for field, raw, ours in self.choices:
            data.setdefault(field, {})[raw] = ours
        return data

    @classmethod
    def from_data(cls, data: Any) -> ValueMapping:
        """From the ``values`` key of a saved template; ValueMappingError names what is wrong."""
        if not isinstance(data, dict):
            raise ValueMappingError("the saved value mapping is not a table of fields")
        choices = []
        for field, values in data.items():
            if not isinstance(values, dict):
                raise ValueMappingError(f"the saved value mapping of '{field}' is not a table")
            choices += [(str(field), str(raw), str(ours)) for raw, ours in values.items()]
        return cls(tuple(choices))

    def __bool__(self) -> bool:
        return bool(self.choices)


def check_choice(field: str, raw: str, ours: str) -> None:
    """Refuse a field without a vocabulary or a target that is not one of our values."""
    vocabulary = VOCABULARY_FIELDS.get(field)
    if vocabulary is None:
        raise ValueMappingError(f"'{field}' has no value vocabulary; fields with one: "
                                f"{', '.join(VOCABULARY_FIELDS)}")
    if not raw.strip():
        raise ValueMappingError(f"an empty value cannot be mapped in {field}")
    if ours != KEEP_ORIGINAL and ours not in {m.value for m in vocabulary}:
        raise ValueMappingError(f"'{ours}' is not a {field}; use one of: "
                                f"{', '.join(m.value for m in vocabulary)}")


def parse_value_mapping(spec: str, into: ValueMapping | None = None) -> ValueMapping:
    """``rating:A=hot,B=warm`` (the CLI's ``--map-values``) added to ``into``.

    ``keep`` as the target keeps the value verbatim. A value containing ',' or '=' cannot be
    written this way; the import wizard can map it.
    """
    mapping = into or ValueMapping()
    field, colon, pairs = spec.partition(":")
    field = field.strip()
    if not colon or not pairs.strip():
        raise ValueMappingError(f"'{spec}' is not FIELD:VALUE=OURS,VALUE=OURS")
    for pair in pairs.split(","):
        raw, equals, ours = pair.partition("=")
        if not equals:
            raise ValueMappingError(f"'{pair}' in '{spec}' is not VALUE=OURS")
        target = ours.strip().casefold()
        target = KEEP_ORIGINAL if target == "keep" else target
        check_choice(field, raw, target)
        mapping = mapping.with_choice(field, raw.strip(), target)
    return mapping


@dataclass
class TranslatedFields:
    values: dict[str, str]  # the row's fields with choice values in our words
    originals: dict[str, str]  # field → the value kept verbatim
    notes: dict[str, str]  # field → why it was kept (a row warning)


def translate_fields(fields: Mapping[str, str], mapping: ValueMapping) -> TranslatedFields:
    """Translate every choice field of one row; untranslatable values move to ``originals``."""
    values = dict(fields)
    originals: dict[str, str] = {}
    notes: dict[str, str] = {}
    for field in VOCABULARY_FIELDS:
        raw = values.get(field)
        if not raw:
            continue
        translation = mapping.translate(field, raw)
        if translation.source is ValueSource.KEPT:
            del values[field]
            originals[field] = raw
            notes[field] = f"'{raw}': {translation.explanation}; kept as the original value"
        else:
            values[field] = translation.value
    return TranslatedFields(values, originals, notes)


def originals_json(originals: Mapping[str, str]) -> str:
    return json.dumps(dict(originals), ensure_ascii=False, sort_keys=True) if originals else ""


def describe_originals(text: str) -> str:
    """``rating 'Tier-1 prospect'; status 'Stage 0'`` from the stored JSON ('' when none)."""
    if not text:
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    return "; ".join(f"{field.replace('_', ' ')} '{value}'" for field, value in data.items())
