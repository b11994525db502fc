"""A booth capture is screened before it is written and scored once, answers and all."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.domain.history import ActivityKind
from app.domain.scoring.scorer import Scorer, ScoreResult, ScoringFacts
from app.services.container import Services

pytestmark = pytest.mark.both_databases


@pytest.fixture
def event_id(services: Services) -> uuid.UUID:
    return services.events.add("Hannover Messe 2026", country="DE").id


@pytest.fixture
def score_calls(monkeypatch: pytest.MonkeyPatch) -> list[ScoringFacts]:
    calls: list[ScoringFacts] = []
    original = Scorer.score

    def counting(self: Scorer, facts: ScoringFacts, now: dt.datetime) -> ScoreResult:
        calls.append(facts)
        return original(self, facts, now)

    monkeypatch.setattr(Scorer, "score", counting)
    return calls


def test_capture_flagged_by_review_with_answers_is_scored_once(
        services: Services, event_id: uuid.UUID, score_calls: list[ScoringFacts]) -> None:
    question = services.questions.add("Budget approved?", "yes_no", event_id=event_id)
    # A role address on a company domain: the review flags it and names the company.
    saved = services.booth.capture(event_id, {"last_name": "Muster", "email": "info@acme-gmbh.de"},
                                   answers={question.id: "Yes"})
    assert len(score_calls) == 1
    assert score_calls[0].answers  # the one score already counts the answers
    assert score_calls[0].is_role_address
    assert saved.lead.needs_review and "role address" in saved.lead.review_reason


def test_adding_to_a_captured_lead_scores_it_once(
        services: Services, event_id: uuid.UUID, score_calls: list[ScoringFacts]) -> None:
    first = services.booth.capture(event_id, {"last_name": "Muster", "email": "max@acme-gmbh.de"})
    score_calls.clear()
    services.booth.capture(event_id, {"last_name": "Muster", "email": "info@acme-gmbh.de"},
                           lead_id=first.lead.id)
    assert len(score_calls) == 1


def test_review_findings_are_part_of_the_first_write(
        services: Services, event_id: uuid.UUID) -> None:
    saved = services.booth.capture(event_id, {"last_name": "Muster", "email": "max@acme-gmbh.de"})
    assert saved.lead.company  # named from the email domain
    kinds = [entry.kind for entry in services.leads.history(saved.lead.id)]
    # Stored with the company in one write: no "company changed" row right after creation.
    assert ActivityKind.FIELD_CHANGED not in kinds
    assert kinds.count(ActivityKind.CREATED) == 1


def test_adding_to_a_lead_that_is_gone_is_refused(services: Services, event_id: uuid.UUID) -> None:
    from app.domain.errors import NotFoundError

    with pytest.raises(NotFoundError):
        services.booth.capture(event_id, {"last_name": "Muster", "email": "m@x.de"},
                               lead_id=uuid.uuid4())
