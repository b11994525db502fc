"""Qualifier questions and the answers leads gave to them.

Storage note: the ``question`` table has no ``required`` column yet, so the flag travels in the
``choices`` JSON text as an object ``{"choices": [...], "required": true}``. Older rows hold a
bare JSON list (or nothing) and read as not required. A later migration may add a real column;
``decode_choices`` then becomes the one place to change.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from app.domain.ids import new_id
from app.domain.qualifiers import AnswerKind, QuestionRecord
from app.storage.orm import Answer, Question

_LEGACY_KINDS = {"choice": AnswerKind.SINGLE_CHOICE}


def encode_choices(choices: Iterable[str], required: bool) -> str:
    """The JSON kept in ``question.choices``: choices plus the required flag."""
    return json.dumps({"choices": list(choices), "required": bool(required)}, ensure_ascii=False)


def decode_choices(text: str) -> tuple[tuple[str, ...], bool]:
    """Choices and required flag from ``question.choices``; tolerant of old and empty values."""
    if not text:
        return (), False
    try:
        data = json.loads(text)
    except ValueError:
        return (), False
    if isinstance(data, list):
        return tuple(str(c) for c in data), False
    if isinstance(data, dict):
        choices = data.get("choices") or []
        return tuple(str(c) for c in choices), bool(data.get("required", False))
    return (), False


def question_record(row: Question) -> QuestionRecord:
    choices, required = decode_choices(row.choices)
    kind = _LEGACY_KINDS.get(row.answer_kind) or AnswerKind(row.answer_kind)
    return QuestionRecord(
        id=row.id, prompt=row.prompt, kind=kind, choices=choices, required=required,
        event_id=row.event_id, position=row.position, parent_id=row.parent_id,
        parent_answer=row.parent_answer,
    )


class QuestionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- questions -------------------------------------------------------------------------
    def add(self, record: QuestionRecord, *, now: dt.datetime,
            device_id: uuid.UUID) -> QuestionRecord:
        row = Question(id=record.id, prompt=record.prompt, answer_kind=record.kind.value,
                       choices=encode_choices(record.choices, record.required),
                       event_id=record.event_id, position=record.position,
                       parent_id=record.parent_id, parent_answer=record.parent_answer,
                       active=True, updated_at=now, device_id=device_id)
        self.session.add(row)
        self.session.flush()
        return question_record(row)

    def row(self, question_id: uuid.UUID) -> Question | None:
        """The live row (not deleted), for changes inside a write transaction."""
        row = self.session.get(Question, question_id)
        return row if row is not None and row.deleted_at is None else None

    def get(self, question_id: uuid.UUID) -> QuestionRecord | None:
        row = self.row(question_id)
        return question_record(row) if row is not None else None

    def for_event(self, event_id: uuid.UUID | None) -> list[QuestionRecord]:
        """Global questions plus the event's own, active and live, by position."""
        scope: ColumnElement[bool] = Question.event_id.is_(None)
        if event_id is not None:
            scope = or_(scope, Question.event_id == event_id)
        statement = (select(Question).where(scope, Question.active.is_(True),
                                            Question.deleted_at.is_(None))
                     .order_by(Question.position, Question.id))
        return [question_record(r) for r in self.session.scalars(statement)]

    def in_scope(self, event_id: uuid.UUID | None) -> list[QuestionRecord]:
        """Only the event's own questions (or only the global ones when ``event_id`` is None)."""
        scope = (Question.event_id.is_(None) if event_id is None
                 else Question.event_id == event_id)
        statement = (select(Question).where(scope, Question.deleted_at.is_(None))
                     .order_by(Question.position, Question.id))
        return [question_record(r) for r in self.session.scalars(statement)]

    def next_position(self) -> int:
        """Positions are unique across all questions, so global and event ones sort together."""
        highest = self.session.scalar(select(func.max(Question.position)))
        return (highest or 0) + 1

    def update(self, record: QuestionRecord, *, now: dt.datetime,
               device_id: uuid.UUID) -> QuestionRecord:
        row = self.row(record.id)
        if row is None:
            raise LookupError(f"no question with id {record.id}")
        row.prompt = record.prompt
        row.answer_kind = record.kind.value
        row.choices = encode_choices(record.choices, record.required)
        row.event_id = record.event_id
        row.position = record.position
        row.parent_id = record.parent_id
        row.parent_answer = record.parent_answer
        row.updated_at = now
        row.device_id = device_id
        self.session.flush()
        return question_record(row)

    def delete(self, question_id: uuid.UUID, *, now: dt.datetime, device_id: uuid.UUID) -> bool:
        """Soft delete, so answers already given keep their question for reports and sync."""
        row = self.row(question_id)
        if row is None:
            return False
        row.deleted_at = now
        row.active = False
        row.updated_at = now
        row.device_id = device_id
        return True

    def children(self, question_id: uuid.UUID) -> list[QuestionRecord]:
        statement = (select(Question).where(Question.parent_id == question_id,
                                            Question.deleted_at.is_(None))
                     .order_by(Question.position))
        return [question_record(r) for r in self.session.scalars(statement)]

    # -- answers ---------------------------------------------------------------------------
    def save_answers(self, lead_id: uuid.UUID, answers: Mapping[uuid.UUID, str], *,
                     now: dt.datetime, device_id: uuid.UUID,
                     clear: Iterable[uuid.UUID] = ()) -> bool:
        """Replace the lead's answers to these questions (and drop those in ``clear``).

        Old rows are soft-deleted and new ones inserted, so sync sees each change; an answer
        that did not change keeps its row. Returns whether anything changed.
        """
        touched = set(answers) | set(clear)
        if not touched:
            return False
        statement = select(Answer).where(Answer.lead_id == lead_id,
                                         Answer.question_id.in_(touched),
                                         Answer.deleted_at.is_(None))
        current = {row.question_id: row for row in self.session.scalars(statement)}
        changed = False
        for question_id in touched:
            row = current.get(question_id)
            value = answers.get(question_id, "")
            if row is not None and row.value == value:
                continue
            if row is not None:
                row.deleted_at = now
                row.updated_at = now
                row.device_id = device_id
                changed = True
            if value:
                self.session.add(Answer(id=new_id(), lead_id=lead_id, question_id=question_id,
                                        value=value, answered_at=now, updated_at=now,
                                        device_id=device_id))
                changed = True
        self.session.flush()
        return changed

    def answers_for(self, lead_id: uuid.UUID) -> dict[uuid.UUID, str]:
        """The lead's current answers by question id (deleted questions included, for history)."""
        statement = (select(Answer.question_id, Answer.value)
                     .where(Answer.lead_id == lead_id, Answer.deleted_at.is_(None))
                     .order_by(Answer.answered_at))
        return {question_id: value for question_id, value in self.session.execute(statement)}
