"""Typed errors. Each carries user-facing text; the UI and CLI show it as is."""

from __future__ import annotations

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


class StorageError(LeadlineError):
    """The database file cannot be used: locked, read-only, full, damaged or too new."""


class DatabaseTooNewError(StorageError):
    """The file was written by a newer Leadline; it is refused and left untouched."""
