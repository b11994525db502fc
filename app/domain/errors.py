"""Typed errors. Each carries user-facing text; the UI and CLI show it as is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

Choice = TypeVar("Choice", bound=Enum)


class LeadlineError(Exception):
    """Base of every error the app expects and can explain to a person."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: which field, and what to fix."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(LeadlineError):
    """Input that cannot be stored as given. Names every offending field."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls([FieldError(field, message)])

    def for_field(self, field: str) -> str | None:
        return next((e.message for e in self.errors if e.field == field), None)


def parse_choice(enum_cls: type[Choice], value: Choice | str, field: str) -> Choice:
    """The enum member for ``value``, or a ValidationError on ``field`` listing every choice."""
    try:
        return enum_cls(value)
    except ValueError:
        choices = ", ".join(str(member.value) for member in enum_cls)
        raise ValidationError.single(field, f"must be one of: {choices}") from None


class NotFoundError(LeadlineError):
    """A record named by id, email or name does not exist."""


class ConflictError(LeadlineError):
    """The change clashes with existing data (e.g. a user email already taken)."""


@dataclass(frozen=True)
class EditedValue:
    """One field two people changed: what is stored now (theirs) and what was typed here."""

    field: str
    label: str
    theirs: str
    yours: str


class EditConflictError(ConflictError):
    """Someone else saved the same fields of a record after it was opened here: nothing was
    saved, so nobody's value is silently overwritten. The person reloads, or keeps theirs."""

    def __init__(self, changed_by: str, changed_at: dt.datetime,
                 values: tuple[EditedValue, ...]) -> None:
        self.changed_by, self.changed_at, self.values = changed_by, changed_at, values
        fields = "; ".join(f"{v.label}: theirs '{v.theirs}', yours '{v.yours}'" for v in values)
        super().__init__(f"Changed by {changed_by} at {changed_at:%Y-%m-%d %H:%M} UTC while you "
                         f"were editing ({fields}). Reload to see their values, or save yours "
                         "again to keep yours.")


class StorageError(LeadlineError):
    """The database file cannot be used: locked, read-only, full, damaged or too new."""


class DatabaseTooNewError(StorageError):
    """The file was written by a newer Leadline; it is refused and left untouched."""
