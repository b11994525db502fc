"""Cadences, pure: planning across weekends and holidays, merge fields, scope choice, early and
late completion shifting the rest, stopping outcomes and statuses, validation, defaults."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest

from app.domain.cadences import (
    DEFAULT_CADENCES,
    GENERIC_CADENCE,
    INBOUND_CADENCE,
    MERGE_FIELDS,
    STOPPING_OUTCOMES,
    TRADE_SHOW_CADENCE,
    Cadence,
    CadenceScope,
    CadenceStep,
    PlannedStep,
    check_cadence,
    choose_cadence,
    plan_steps,
    render,
    reschedule_after,
    stops_cadence,
)
from app.domain.errors import ValidationError
from app.domain.leads import Channel, LeadRecord, LeadStatus, Rating
from app.domain.tasks import TaskKind, TaskOutcome
from app.domain.working_time import DEFAULT_CALENDAR

pytestmark = pytest.mark.both_databases

CAL = DEFAULT_CALENDAR
SHOW = uuid.UUID(int=7)
LEAD = LeadRecord(uuid.UUID(int=1), first_name="Jürgen", last_name="Müller", company="Łódź Tools",
                  channel=Channel.TRADE_SHOW, event_id=SHOW, event_name="EMO Hannover",
                  rating=Rating.HOT, product_interest="laser cutters")


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CAL.zone).astimezone(dt.UTC)


def dues(steps: list[PlannedStep]) -> list[dt.datetime]:
    return [s.due_at for s in steps]


# -- merge fields -------------------------------------------------------------------------------

def test_render_fills_every_merge_field() -> None:
    text = render("{first_name}|{last_name}|{full_name}|{company}|{event}|{owner}|{product_interest}",
                  LEAD, "Eva Rep")
    assert text == "Jürgen|Müller|Jürgen Müller|Łódź Tools|EMO Hannover|Eva Rep|laser cutters"


def test_render_leaves_unknown_fields_and_stray_braces() -> None:
    text = render("Hi {first_name} {nickname}, {  } { first_name } {0} {} { {{company}} }", LEAD, "")
    assert text == "Hi Jürgen {nickname}, {  } { first_name } {0} {} { {Łódź Tools} }"
    assert render("unbalanced { and } and {first_name", LEAD, "") == "unbalanced { and } and {first_name"


def test_render_missing_values_are_empty() -> None:
    lead = LeadRecord(uuid.UUID(int=2), last_name="Tanaka")
    assert render("Dear {full_name} ({company})", lead, "") == "Dear Tanaka ()"


def test_default_templates_use_only_known_fields() -> None:
    for cadence in DEFAULT_CADENCES:
        check_cadence(cadence)
        for step in cadence.steps:
            assert "{" not in render(step.title + step.body, LEAD, "Eva")


# -- planning ----------------------------------------------------------------------------------

def test_trade_show_cadence_is_the_product_one() -> None:
    steps = TRADE_SHOW_CADENCE.steps
    assert [(s.kind, s.offset_days) for s in steps] == [
        (TaskKind.EMAIL, 2), (TaskKind.CALL, 5), (TaskKind.EMAIL, 10), (TaskKind.CALL, 20)]
    assert [(s.kind, s.offset_days) for s in INBOUND_CADENCE.steps] == [
        (TaskKind.CALL, 1), (TaskKind.EMAIL, 2), (TaskKind.CALL, 5)]
    assert [(s.kind, s.offset_days) for s in GENERIC_CADENCE.steps] == [
        (TaskKind.EMAIL, 2), (TaskKind.CALL, 7)]


def test_default_ids_are_stable_uuid5() -> None:
    ids = [c.id for c in DEFAULT_CADENCES]
    assert len(set(ids)) == 3 and all(i.version == 5 for i in ids)
    assert TRADE_SHOW_CADENCE.id == uuid.UUID(str(TRADE_SHOW_CADENCE.id))


def test_plan_across_weekends() -> None:
    start = local(2025, 11, 17, 10)  # Monday
    planned = plan_steps(TRADE_SHOW_CADENCE, start, CAL)
    assert [p.step_index for p in planned] == [0, 1, 2, 3]
    assert dues(planned) == [local(2025, 11, 19, 10), local(2025, 11, 24, 10),
                             local(2025, 12, 1, 10), local(2025, 12, 15, 10)]
    assert planned[0].kind is TaskKind.EMAIL
    assert planned[0].title_template == TRADE_SHOW_CADENCE.steps[0].title


def test_plan_across_christmas_and_new_year() -> None:
    start = local(2025, 12, 17, 10)  # Wednesday
    assert dues(plan_steps(TRADE_SHOW_CADENCE, start, CAL)) == [
        local(2025, 12, 19, 10), local(2025, 12, 24, 10), local(2026, 1, 5, 10), local(2026, 1, 19, 10)]


def test_plan_from_a_sunday_assignment() -> None:
    start = local(2025, 11, 16, 21)
    assert dues(plan_steps(INBOUND_CADENCE, start, CAL))[0] == local(2025, 11, 18, 21)


# -- scope choice ------------------------------------------------------------------------------

def _cad(name: str, scope: CadenceScope) -> Cadence:
    return Cadence(uuid.uuid4(), name, (CadenceStep(TaskKind.CALL, 1, "Call"),), scope)


def test_most_specific_scope_wins() -> None:
    anyone = _cad("Any", CadenceScope())
    rating = _cad("Hot", CadenceScope(ratings=frozenset({Rating.HOT})))
    channel = _cad("Show", CadenceScope(channels=frozenset({Channel.TRADE_SHOW})))
    both = _cad("Hot show", CadenceScope(ratings=frozenset({Rating.HOT}),
                                         channels=frozenset({Channel.TRADE_SHOW})))
    event = _cad("EMO", CadenceScope(event_ids=frozenset({SHOW})))
    pool = [anyone, rating, channel, both, event]
    for expected in [event, both, channel, rating, anyone]:
        assert choose_cadence(LEAD, pool) == expected
        pool.remove(expected)
    assert choose_cadence(LEAD, pool) is None


def test_non_matching_scopes_are_skipped() -> None:
    other_event = _cad("Other show", CadenceScope(event_ids=frozenset({uuid.UUID(int=99)})))
    cold = _cad("Cold", CadenceScope(ratings=frozenset({Rating.COLD})))
    assert choose_cadence(LEAD, [other_event, cold]) is None
    unrated = replace(LEAD, rating=None)
    assert choose_cadence(unrated, [cold]) is None


def test_ties_go_by_name() -> None:
    b = _cad("beta", CadenceScope(channels=frozenset({Channel.TRADE_SHOW})))
    a = _cad("Alpha", CadenceScope(channels=frozenset({Channel.TRADE_SHOW})))
    assert choose_cadence(LEAD, [b, a]) == a


def test_defaults_choose_by_channel() -> None:
    assert choose_cadence(LEAD, DEFAULT_CADENCES) == TRADE_SHOW_CADENCE
    assert choose_cadence(replace(LEAD, channel=Channel.WEB), DEFAULT_CADENCES) == INBOUND_CADENCE
    assert choose_cadence(replace(LEAD, channel=Channel.REFERRAL), DEFAULT_CADENCES) == GENERIC_CADENCE


# -- rescheduling ------------------------------------------------------------------------------

START = local(2025, 11, 17, 10)  # Monday; the email is due Wednesday 19th


def _remaining() -> list[PlannedStep]:
    return plan_steps(TRADE_SHOW_CADENCE, START, CAL)[1:]


def test_done_early_pulls_the_rest_forward() -> None:
    done = local(2025, 11, 17, 15)
    shifted = reschedule_after(0, done, _remaining(), TRADE_SHOW_CADENCE, CAL)
    assert [p.step_index for p in shifted] == [1, 2, 3]
    assert dues(shifted) == [local(2025, 11, 20, 15), local(2025, 11, 27, 15), local(2025, 12, 11, 15)]


def test_done_late_pushes_the_rest_back() -> None:
    done = local(2025, 11, 21, 11)  # Friday, two days late
    shifted = reschedule_after(0, done, _remaining(), TRADE_SHOW_CADENCE, CAL)
    assert dues(shifted)[0] == local(2025, 11, 26, 11)  # keeps the 3-working-day gap


def test_done_on_a_weekend_counts_from_monday() -> None:
    shifted = reschedule_after(0, local(2025, 11, 22, 11), _remaining(), TRADE_SHOW_CADENCE, CAL)
    assert dues(shifted)[0] == local(2025, 11, 27, 11)


def test_skipping_ahead_keeps_earlier_open_steps() -> None:
    everything = plan_steps(TRADE_SHOW_CADENCE, START, CAL)
    done = local(2025, 11, 18, 9)  # the call is made before the email is sent
    shifted = reschedule_after(1, done, everything, TRADE_SHOW_CADENCE, CAL)
    assert [p.step_index for p in shifted] == [0, 2, 3]
    assert shifted[0] == everything[0]
    assert dues(shifted)[1:] == [local(2025, 11, 25, 9), local(2025, 12, 9, 9)]


def test_never_scheduled_in_the_past() -> None:
    done = local(2025, 11, 17, 15)
    now = local(2025, 11, 26, 12)  # touch logged a week and a half later
    shifted = reschedule_after(0, done, _remaining(), TRADE_SHOW_CADENCE, CAL, now=now)
    assert dues(shifted) == [now, local(2025, 11, 27, 15), local(2025, 12, 11, 15)]
    assert all(d >= now for d in dues(shifted))


def test_same_day_steps_become_due_at_the_done_moment() -> None:
    cadence = Cadence(uuid.uuid4(), "Double", (CadenceStep(TaskKind.EMAIL, 1, "Mail"),
                                               CadenceStep(TaskKind.CALL, 1, "Call")))
    remaining = plan_steps(cadence, START, CAL)[1:]
    done = local(2025, 11, 17, 18)
    assert dues(reschedule_after(0, done, remaining, cadence, CAL)) == [done]


# -- stopping ----------------------------------------------------------------------------------

@pytest.mark.parametrize("outcome", sorted(STOPPING_OUTCOMES))
def test_stopping_outcomes(outcome: TaskOutcome) -> None:
    assert stops_cadence(outcome, None)


@pytest.mark.parametrize("outcome", [TaskOutcome.REACHED, TaskOutcome.VOICEMAIL, TaskOutcome.NO_ANSWER, None])
def test_other_outcomes_keep_going(outcome: TaskOutcome | None) -> None:
    assert not stops_cadence(outcome, None)
    assert not stops_cadence(outcome, LeadStatus.PROSPECT)


@pytest.mark.parametrize("status", [LeadStatus.SQL, LeadStatus.CONVERTED, LeadStatus.WON, LeadStatus.LOST,
                                    LeadStatus.DISQUALIFIED, LeadStatus.NURTURE])
def test_stopping_statuses(status: LeadStatus) -> None:
    assert stops_cadence(TaskOutcome.REACHED, status)
    assert stops_cadence(None, status)


# -- validation --------------------------------------------------------------------------------

def _check(*steps: CadenceStep, name: str = "Mine") -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check_cadence(Cadence(uuid.uuid4(), name, steps))
    return info.value


def test_validation_names_the_problem() -> None:
    assert "at least one step" in (_check().for_field("steps") or "")
    assert "negative" in (_check(CadenceStep(TaskKind.CALL, -1, "Call")).for_field("step 1") or "")
    decreasing = _check(CadenceStep(TaskKind.CALL, 5, "Call"), CadenceStep(TaskKind.EMAIL, 2, "Mail"))
    assert "in order" in (decreasing.for_field("step 2") or "")
    assert "title" in (_check(CadenceStep(TaskKind.CALL, 1, "  ")).for_field("step 1") or "")
    typo = _check(CadenceStep(TaskKind.CALL, 1, "Call {frist_name}"))
    assert "{frist_name}" in (typo.for_field("step 1") or "")
    assert _check(CadenceStep(TaskKind.CALL, 1, "Call"), name=" ").for_field("name")


def test_equal_offsets_are_allowed() -> None:
    check_cadence(Cadence(uuid.uuid4(), "Same day", (CadenceStep(TaskKind.EMAIL, 0, "Mail"),
                                                     CadenceStep(TaskKind.CALL, 0, "Call"))))
    assert "owner" in MERGE_FIELDS
