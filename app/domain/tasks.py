"""Follow-up tasks: the next step on a lead, who does it, and how it went."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum


class TaskKind(StrEnum):
    EMAIL = "email"
    CALL = "call"
    MEETING = "meeting"
    TASK = "task"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class TaskOutcome(StrEnum):
    REACHED = "reached"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    MEETING_SET = "meeting_set"
    NOT_INTERESTED = "not_interested"
    WRONG_PERSON = "wrong_person"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class TaskRecord:
    id: uuid.UUID
    lead_id: uuid.UUID
    kind: TaskKind
    title: str
    due_at: dt.datetime
    owner_id: uuid.UUID | None = None
    owner_name: str = ""
    done_at: dt.datetime | None = None
    outcome: TaskOutcome | None = None
    notes: str = ""

    @property
    def is_open(self) -> bool:
        return self.done_at is None
