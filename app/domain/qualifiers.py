"""Qualifier questions asked at the booth: kinds, branching, and answers as canonical text.

Answers are stored as plain text in one canonical spelling per kind, so scoring, routing and
reports can compare them without knowing how they were typed: yes/no as ``"yes"``/``"no"``,
choices exactly as the question spells them, several choices joined by ``"; "`` in the
question's own order, numbers as plain decimal text. Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from app.domain.contact_data import parse_yes_no
from app.domain.errors import FieldError, ValidationError

MULTI_SEPARATOR = "; "
YES, NO = "yes", "no"
MAX_TEXT_ANSWER = 500


class AnswerKind(StrEnum):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"
    TEXT = "text"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def has_choices(self) -> bool:
        """The admin types the choices (yes/no has fixed ones)."""
        return self in (AnswerKind.SINGLE_CHOICE, AnswerKind.MULTIPLE_CHOICE)

    @property
    def can_branch(self) -> bool:
        """Only typed answers can drive a follow-up question; free text and numbers cannot."""
        return self is AnswerKind.YES_NO or self.has_choices


_KIND_LABELS = {
    AnswerKind.YES_NO: "Yes / no",
    AnswerKind.SINGLE_CHOICE: "One choice",
    AnswerKind.MULTIPLE_CHOICE: "Several choices",
    AnswerKind.NUMBER: "Number",
    AnswerKind.TEXT: "Short text",
}


@dataclass(frozen=True)
class QuestionRecord:
    """One qualifier question; ``parent_id``/``parent_answer`` make it a follow-up."""

    id: uuid.UUID
    prompt: str
    kind: AnswerKind
    choices: tuple[str, ...] = ()
    required: bool = False
    event_id: uuid.UUID | None = None
    position: int = 0
    parent_id: uuid.UUID | None = None
    parent_answer: str = ""

    @property
    def options(self) -> tuple[str, ...]:
        """The answers a person can pick: the choices, or yes/no."""
        return (YES, NO) if self.kind is AnswerKind.YES_NO else self.choices

    @property
    def field(self) -> str:
        """The field name used in ValidationError for this question."""
        return question_field(self.id)


def question_field(question_id: uuid.UUID) -> str:
    return f"question:{question_id}"


def split_multiple(value: str) -> list[str]:
    """The chosen values of a stored multiple-choice answer."""
    return [part.strip() for part in value.split(";") if part.strip()]


def normalise_answer(question: QuestionRecord, raw: Any) -> str:
    """The canonical text of an answer; ``""`` means unanswered. ValueError says what is wrong."""
    if raw is None:
        return ""
    kind = question.kind
    if kind is AnswerKind.YES_NO:
        return _yes_no(raw)
    if kind is AnswerKind.NUMBER:
        return _number(raw)
    if kind is AnswerKind.MULTIPLE_CHOICE:
        return _multiple(question, raw)
    if not isinstance(raw, str):
        raise ValueError("must be text")
    text = " ".join(raw.split())
    if not text:
        return ""
    if kind is AnswerKind.SINGLE_CHOICE:
        return _choice(question, text)
    if len(text) > MAX_TEXT_ANSWER:
        raise ValueError(f"is too long: keep it under {MAX_TEXT_ANSWER} characters")
    return text


def _yes_no(raw: Any) -> str:
    if isinstance(raw, bool):
        return YES if raw else NO
    if not isinstance(raw, str):
        raise ValueError("must be yes or no")
    answer = parse_yes_no(raw)
    return "" if answer is None else (YES if answer else NO)


def _number(raw: Any) -> str:
    if isinstance(raw, bool):
        raise ValueError("must be a number")
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(repr(raw))
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "")
        if not text:
            return ""
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # a decimal comma, as most of Europe types it
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"'{raw.strip()}' is not a number") from None
    else:
        raise ValueError("must be a number")
    if not number.is_finite():
        raise ValueError("must be an ordinary number")
    if number.adjusted() > 15:
        raise ValueError("is too large")
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _match(question: QuestionRecord, value: str) -> str:
    wanted = value.strip().casefold()
    for choice in question.options:
        if choice.casefold() == wanted:
            return choice
    listed = ", ".join(question.options)
    raise ValueError(f"'{value.strip()}' is not one of the choices ({listed})")


def _choice(question: QuestionRecord, text: str) -> str:
    return _match(question, text)


def _multiple(question: QuestionRecord, raw: Any) -> str:
    if isinstance(raw, str):
        parts = split_multiple(raw)
    elif isinstance(raw, Iterable):
        parts = []
        for item in raw:
            if not isinstance(item, str):
                raise ValueError("each choice must be text")
            parts.extend(split_multiple(item))
    else:
        raise ValueError("must be a list of choices")
    chosen = {_match(question, part) for part in parts}
    return MULTI_SEPARATOR.join(c for c in question.choices if c in chosen)


def answer_matches(parent: QuestionRecord, answer: Any, wanted: str) -> bool:
    """Whether the parent's answer opens a follow-up asked for ``wanted``."""
    try:
        value = normalise_answer(parent, answer)
    except ValueError:
        return False
    if not value or not wanted:
        return False
    target = wanted.strip().casefold()
    if parent.kind is AnswerKind.MULTIPLE_CHOICE:
        return any(part.casefold() == target for part in split_multiple(value))
    return value.casefold() == target


def visible_questions(questions: Sequence[QuestionRecord],
                      answers: Mapping[uuid.UUID, Any]) -> list[QuestionRecord]:
    """The questions to ask now, each follow-up directly under the question it depends on.

    Top-level questions come in position order; a follow-up shows only when its parent is
    shown and the parent's answer equals (multiple choice: includes) ``parent_answer``.
    Follow-ups of missing parents, and any cycle, stay hidden.
    """
    ordered = sorted(questions, key=lambda q: (q.position, str(q.id)))
    known = {q.id for q in ordered}
    children: dict[uuid.UUID | None, list[QuestionRecord]] = {}
    for question in ordered:
        parent = question.parent_id if question.parent_id in known else None
        if question.parent_id is not None and parent is None:
            continue  # its parent is gone: nothing can open it
        children.setdefault(parent, []).append(question)
    shown: list[QuestionRecord] = []
    seen: set[uuid.UUID] = set()

    def walk(question: QuestionRecord) -> None:
        if question.id in seen:
            return
        seen.add(question.id)
        shown.append(question)
        for child in children.get(question.id, ()):
            if answer_matches(question, answers.get(question.id), child.parent_answer):
                walk(child)

    for root in children.get(None, ()):
        walk(root)
    return shown


def check_answers(questions: Sequence[QuestionRecord],
                  answers: Mapping[uuid.UUID, Any]) -> dict[uuid.UUID, str]:
    """Canonical answers to the questions now shown; answers to hidden ones are dropped.

    Raises ValidationError naming ``question:<id>`` for every invalid or missing required answer.
    """
    errors: list[FieldError] = []
    cleaned: dict[uuid.UUID, str] = {}
    for question in visible_questions(questions, answers):
        try:
            value = normalise_answer(question, answers.get(question.id))
        except ValueError as exc:
            errors.append(FieldError(question.field, str(exc)))
            continue
        if value:
            cleaned[question.id] = value
        elif question.required:
            errors.append(FieldError(question.field, "needs an answer"))
    if errors:
        raise ValidationError(errors)
    return cleaned


def summarise_answers(questions: Sequence[QuestionRecord],
                      answers: Mapping[uuid.UUID, str]) -> str:
    """``Question: answer`` lines in question order, for history and exports."""
    by_id = {q.id: q for q in questions}
    shown = visible_questions(questions, answers)
    shown_ids = {q.id for q in shown}
    rest = sorted((q for q in questions if q.id not in shown_ids), key=lambda q: q.position)
    lines = [f"{q.prompt}: {answers[q.id]}" for q in [*shown, *rest] if answers.get(q.id)]
    lines += [f"(removed question): {value}" for qid, value in answers.items()
              if qid not in by_id and value]
    return "\n".join(lines)
