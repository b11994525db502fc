"""Guess which lead field each column of an exported table holds, and apply that choice to rows.

Organisers' lead-retrieval exports, registration lists and CRM exports name the same columns in
many ways (BADGE-FORMATS.md §3.1): ``First Name``, ``firstName``, ``FIRST_NAME``, ``Vorname``,
``Prénom``, ``Nombre``… (:mod:`app.importers.header_names` reads them). The guess is only a proposal:
the import dialog shows it, the user corrects it, and a corrected mapping is saved as a template
keyed by :attr:`ColumnMapping.signature` so the next file with the same headers needs no work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from app.domain.errors import LeadlineError
from app.domain.leads import FIELDS_BY_NAME
from app.domain.value_vocabulary import ValueMapping, ValueMappingError
from app.importers.header_names import (
    FRAGMENT_RANK,
    FULL_NAME,
    PHONE_TARGETS,
    QUESTION_PREFIX,
    header_key,
    header_target,
)
from app.importers.rows import SourceRow


class MappingError(LeadlineError):
    """A saved mapping cannot be used (damaged JSON or an unknown target); the message says why."""


class MatchConfidence(Enum):
    """How sure the guess is that a column feeds its target; the mapping page shows it."""

    NAME = "name"  # the header is a known name of the field ("E-Mail", "Vorname")
    PART = "part"  # a known word inside a longer header ("Telefon geschäftlich")
    QUESTION = "question"  # reads as a question: a qualifier answer
    NONE = "none"  # nothing matched: not imported unless someone chooses

    @property
    def label(self) -> str:
        return {"name": "High: the column's name", "part": "Check: a word in the name",
                "question": "High: a question", "none": "Not matched"}[self.value]


def match_confidence(header: str, target: str) -> MatchConfidence:
    """Why ``header`` was guessed to be ``target`` (NONE when the guess would not give it)."""
    if not target:
        return MatchConfidence.NONE
    if target.startswith(QUESTION_PREFIX):
        return MatchConfidence.QUESTION
    guessed, rank = header_target(header)
    related = guessed == target or (guessed in PHONE_TARGETS and target in PHONE_TARGETS) or (
        guessed == FULL_NAME and target == "last_name")
    if not related:
        return MatchConfidence.NONE
    return MatchConfidence.PART if rank >= FRAGMENT_RANK else MatchConfidence.NAME


def _valid_target(target: str) -> bool:
    return (target == "" or target == FULL_NAME or target in FIELDS_BY_NAME
            or (target.startswith(QUESTION_PREFIX) and len(target) > len(QUESTION_PREFIX)))


def _single_valued(target: str) -> bool:
    return bool(target) and not target.startswith(QUESTION_PREFIX)


@dataclass(frozen=True)
class ColumnMapping:
    """Which target each header feeds, in the file's column order.

    A target is a lead field name (``LEAD_FIELDS``), ``"full_name"`` (split into first and
    last name), ``"question:<text>"`` (a qualifier answer kept under its header text) or ``""``
    (ignored). Immutable, so the dialog can keep the guess and the user's version side by side.
    ``values`` holds the person's translations of choice values (rating: A → hot), saved with
    the template.
    """

    columns: tuple[tuple[str, str], ...]
    values: ValueMapping = field(default_factory=ValueMapping)

    def target(self, header: str) -> str:
        """The header's target; a header spelled differently (case, spaces) matches too."""
        for name, target in self.columns:
            if name == header:
                return target
        key = header_key(header)
        for name, target in self.columns:
            if header_key(name) == key:
                return target
        return ""

    def with_target(self, header: str, target: str) -> ColumnMapping:
        """A copy where ``header`` feeds ``target``.

        A single-valued target moves: the column that held it before is set to ignored, so the
        mapping never writes two columns into one field.
        """
        if not _valid_target(target):
            raise MappingError(f"'{target}' is not a lead field, full_name or question.")
        if all(name != header for name, _t in self.columns):
            raise MappingError(f"The file has no column '{header}'.")
        columns = []
        for name, old in self.columns:
            if name == header:
                columns.append((name, target))
            elif _single_valued(target) and old == target:
                columns.append((name, ""))
            else:
                columns.append((name, old))
        return ColumnMapping(tuple(columns), self.values)

    def with_values(self, values: ValueMapping) -> ColumnMapping:
        return replace(self, values=values)

    def to_json(self) -> str:
        """Template text for storage; versioned so the format can change later. Templates saved
        before value mappings existed have no ``values`` key and read as none."""
        data: dict[str, object] = {"version": 1, "columns": [list(pair) for pair in self.columns]}
        if self.values:
            data["values"] = self.values.to_data()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        try:
            data = json.loads(text)
            pairs = data["columns"]
            columns = tuple((str(header), str(target)) for header, target in pairs)
        except (ValueError, TypeError, KeyError) as exc:
            raise MappingError(f"The saved column mapping is damaged ({exc}).") from exc
        bad = [target for _h, target in columns if not _valid_target(target)]
        if bad:
            raise MappingError(f"The saved column mapping names unknown fields: {', '.join(bad)}.")
        try:
            values = ValueMapping.from_data(data.get("values", {}))
        except ValueMappingError as exc:
            raise MappingError(f"The saved value mapping is damaged ({exc}).") from exc
        return cls(columns, values)

    @property
    def signature(self) -> str:
        """Stable hash of the header list, to offer a saved template again.

        Headers are compared by :func:`header_key` and sorted, so ``First Name`` and
        ``first_name``, or the same columns in another order, give the same signature (the
        mapping is by header, not by position).
        """
        keys = sorted(header_key(name) for name, _t in self.columns)
        return hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()[:32]


def guess_mapping(headers: Sequence[str]) -> ColumnMapping:
    """Propose a target for every header.

    Each single-valued target goes to the header that names it most precisely (ties: the
    leftmost). Phone-like columns are the exception, because exports commonly carry work, mobile
    and home numbers: surplus ones fill whichever of ``phone``/``mobile`` is still free and the
    rest are ignored. ``Name`` beside a ``Vorname``/``First Name`` column is the last name (the
    German convention), not a full name.
    """
    candidates = [header_target(h) for h in headers]
    targets = ["" for _ in headers]
    best: dict[str, int] = {}
    for index, (target, rank) in enumerate(candidates):
        if not target:
            continue
        if target.startswith(QUESTION_PREFIX):
            targets[index] = target
            continue
        current = best.get(target)
        if current is None or rank < candidates[current][1]:
            best[target] = index
    for target, index in best.items():
        targets[index] = target

    if FULL_NAME in best and "first_name" in best and "last_name" not in best \
            and header_key(headers[best[FULL_NAME]]) == "name":
        targets[best[FULL_NAME]] = "last_name"

    free = [t for t in PHONE_TARGETS if t not in best]
    for index, (target, _rank) in enumerate(candidates):
        if target in PHONE_TARGETS and targets[index] == "" and free:
            targets[index] = free.pop(0)
    return ColumnMapping(tuple((h, t) for h, t in zip(headers, targets, strict=True)))


_PREFIXES = frozenset(header_key(p) for p in (
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "herr", "frau", "m", "mme", "mlle", "sr",
    "sra", "srta", "don", "doña", "dipl-ing", "ing", "mag", "dott", "sir", "madam"))
_SUFFIXES = frozenset(header_key(s) for s in ("jr", "sr", "ii", "iii", "iv", "phd", "md", "mba",
                                               "esq", "msc", "bsc"))
_PARTICLES = frozenset(("von", "van", "de", "der", "den", "del", "della", "di", "da", "du", "la",
                        "le", "zu", "ten", "ter", "dos", "das", "des", "vom", "zum", "zur", "bin",
                        "al", "el", "st", "st."))


def split_full_name(text: str) -> tuple[str, str]:
    """Split a one-column name into (first, last).

    ``Müller, Anna`` is the list form; honorifics (``Dr.``, ``Frau``) are dropped because they
    are not names; particles (``von``, ``van der``, ``de la``) stay with the last name, where
    sorting and CRMs expect them; a suffix (``Jr.``) stays with the last name. One word is taken
    as the last name, because Salesforce requires a last name and never a first one.
    """
    text = " ".join(text.split())
    if not text:
        return "", ""
    if "," in text:
        last, _, first = text.partition(",")
        first = first.strip()
        if first and header_key(first) not in _SUFFIXES:
            first_words = [w for w in first.split() if header_key(w) not in _PREFIXES] or first.split()
            return " ".join(first_words), last.strip()
        text = f"{last.strip()} {first}".strip()
    words = text.split()
    while len(words) > 1 and header_key(words[0]) in _PREFIXES:
        words.pop(0)
    suffix: list[str] = []
    while len(words) > 1 and header_key(words[-1]) in _SUFFIXES:
        suffix.insert(0, words.pop())
    if len(words) == 1:
        return "", " ".join(words + suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:] + suffix)


def apply_mapping(mapping: ColumnMapping, row: SourceRow) -> tuple[dict[str, str], dict[str, str]]:
    """Turn one source row into (lead field values, question answers by header text).

    Empty cells are dropped so they never overwrite data on a merge. A full name only fills
    first/last name where the file has no separate column with a value (Salesforce: "Full Name
    or First Name & Last Name, not both"). If a saved mapping sends two columns to ``notes`` they
    are joined; for any other field the first non-empty value wins.
    """
    fields: dict[str, str] = {}
    answers: dict[str, str] = {}
    full_names: list[str] = []
    for header, target in mapping.columns:
        value = row.values.get(header, "").strip()
        if not value or not target:
            continue
        if target.startswith(QUESTION_PREFIX):
            answers[target[len(QUESTION_PREFIX):]] = value
        elif target == FULL_NAME:
            full_names.append(value)
        elif target == "notes" and "notes" in fields:
            fields["notes"] += "\n" + value
        else:
            fields.setdefault(target, value)
    if full_names:
        first, last = split_full_name(full_names[0])
        if first and "first_name" not in fields:
            fields["first_name"] = first
        if last and "last_name" not in fields:
            fields["last_name"] = last
    return fields, answers
