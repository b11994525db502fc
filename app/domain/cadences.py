"""Follow-up cadences (PRODUCT.md "Pursuit"): the planned touches after a lead gets its owner.

A cadence is an ordered list of steps, each an offset in working days from the cadence start
(the moment the lead got its owner). Titles and bodies carry merge fields such as
``{first_name}``; the step is rendered for one lead when its task is created. The most
specific cadence whose scope matches the lead is chosen; a stopping outcome or status ends it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.domain.errors import FieldError, ValidationError
from app.domain.leads import Channel, LeadRecord, LeadStatus, Rating
from app.domain.tasks import TaskKind, TaskOutcome
from app.domain.working_time import WorkingCalendar

MERGE_FIELDS: tuple[str, ...] = (
    "first_name", "last_name", "full_name", "company", "event", "owner", "product_interest",
)
_MERGE_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def merge_values(lead: LeadRecord, owner_name: str) -> dict[str, str]:
    """The value of every merge field for one lead (empty when the lead lacks it)."""
    return {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "full_name": f"{lead.first_name} {lead.last_name}".strip(),
        "company": lead.company,
        "event": lead.event_name,
        "owner": owner_name,
        "product_interest": lead.product_interest,
    }


def render(template: str, lead: LeadRecord, owner_name: str) -> str:
    """Fill ``{merge_field}`` placeholders. Unknown fields stay visibly as ``{unknown}``;
    stray or unbalanced braces are left as typed (no ``str.format`` involved)."""
    values = merge_values(lead, owner_name)

    def fill(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    return _MERGE_FIELD.sub(fill, template)


def unknown_merge_fields(template: str) -> list[str]:
    return [name for name in _MERGE_FIELD.findall(template) if name not in MERGE_FIELDS]


@dataclass(frozen=True)
class CadenceStep:
    kind: TaskKind
    offset_days: int  # working days from the cadence start
    title: str
    body: str = ""


@dataclass(frozen=True)
class CadenceScope:
    """Which leads a cadence applies to. An empty set means "any" for that dimension."""

    ratings: frozenset[Rating] = field(default_factory=frozenset)
    channels: frozenset[Channel] = field(default_factory=frozenset)
    event_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)

    def matches(self, lead: LeadRecord) -> bool:
        if self.ratings and lead.rating not in self.ratings:
            return False
        if self.channels and lead.channel not in self.channels:
            return False
        return not (self.event_ids and lead.event_id not in self.event_ids)

    @property
    def specificity(self) -> tuple[bool, bool, bool, bool]:
        """Orders scopes: event > channel+rating > channel > rating > any."""
        return (bool(self.event_ids), bool(self.channels) and bool(self.ratings),
                bool(self.channels), bool(self.ratings))


ANY_LEAD = CadenceScope()


@dataclass(frozen=True)
class Cadence:
    id: uuid.UUID
    name: str
    steps: tuple[CadenceStep, ...]
    applies_to: CadenceScope = ANY_LEAD


def check_cadence(cadence: Cadence) -> None:
    """Raise ValidationError naming every problem: no name, no steps, a negative or decreasing
    offset, an empty step title, an unknown merge field."""
    errors: list[FieldError] = []
    if not cadence.name.strip():
        errors.append(FieldError("name", "Give the cadence a name."))
    if not cadence.steps:
        errors.append(FieldError("steps", "A cadence needs at least one step."))
    previous = 0
    for number, step in enumerate(cadence.steps, start=1):
        where = f"step {number}"
        if step.offset_days < 0:
            errors.append(FieldError(where, "The offset in working days cannot be negative."))
        elif step.offset_days < previous:
            errors.append(FieldError(
                where, f"Steps must be in order: day {step.offset_days} comes after day {previous}."))
        previous = max(previous, step.offset_days)
        if not step.title.strip():
            errors.append(FieldError(where, "The step needs a title."))
        unknown = unknown_merge_fields(step.title) + unknown_merge_fields(step.body)
        if unknown:
            names = ", ".join("{" + n + "}" for n in dict.fromkeys(unknown))
            known = ", ".join("{" + n + "}" for n in MERGE_FIELDS)
            errors.append(FieldError(where, f"Unknown merge field {names}; use one of {known}."))
    if errors:
        raise ValidationError(errors)


def choose_cadence(lead: LeadRecord, cadences: Iterable[Cadence]) -> Cadence | None:
    """The matching cadence with the most specific scope; ties go to the first name (A-Z)."""
    matching = [c for c in cadences if c.applies_to.matches(lead)]
    if not matching:
        return None
    best = max(c.applies_to.specificity for c in matching)
    return min((c for c in matching if c.applies_to.specificity == best),
               key=lambda c: (c.name.casefold(), c.name, str(c.id)))


@dataclass(frozen=True)
class PlannedStep:
    step_index: int
    kind: TaskKind
    due_at: dt.datetime
    title_template: str
    body_template: str


def plan_steps(cadence: Cadence, start: dt.datetime, calendar: WorkingCalendar) -> list[PlannedStep]:
    """Every step's due moment: ``offset_days`` working days after ``start`` at the same local
    time (a start on a day off counts from the next working day; see add_working_days)."""
    return [
        PlannedStep(i, step.kind, calendar.add_working_days(start, step.offset_days), step.title, step.body)
        for i, step in enumerate(cadence.steps)
    ]


def reschedule_after(done_step_index: int, done_at: dt.datetime, remaining: Sequence[PlannedStep],
                     cadence: Cadence, calendar: WorkingCalendar,
                     now: dt.datetime | None = None) -> list[PlannedStep]:
    """Re-plan the open steps once step ``done_step_index`` is done at ``done_at``.

    Rule: every later step keeps its working-day gap to the done step, counted from the moment
    it was done: due = add_working_days(done_at, later.offset - done.offset). Done early pulls
    the rest forward, done late pushes it back. Nothing is ever due before ``done_at`` (nor
    before ``now`` when given, e.g. a touch logged afterwards): such a due moves to the next
    working moment. Open steps *before* the done step keep their due (a rep may skip ahead);
    the done step itself is dropped from the result. The result is ordered by step index.
    """
    done_offset = cadence.steps[done_step_index].offset_days
    floor = done_at if now is None else max(done_at, calendar.next_working_moment(now))
    result: list[PlannedStep] = []
    for planned in sorted(remaining, key=lambda p: p.step_index):
        if planned.step_index == done_step_index:
            continue
        if planned.step_index < done_step_index:
            result.append(planned)
            continue
        gap = max(0, cadence.steps[planned.step_index].offset_days - done_offset)
        due = calendar.add_working_days(done_at, gap)
        if due < floor:
            due = calendar.next_working_moment(floor)
        result.append(PlannedStep(planned.step_index, planned.kind, due,
                                  planned.title_template, planned.body_template))
    return result


STOPPING_OUTCOMES = frozenset({TaskOutcome.MEETING_SET, TaskOutcome.NOT_INTERESTED, TaskOutcome.WRONG_PERSON})
# A lead in one of these statuses has left pursuit: handed to sales, decided, or back to nurture.
STOPPING_STATUSES = frozenset({
    LeadStatus.SQL, LeadStatus.CONVERTED, LeadStatus.WON, LeadStatus.LOST,
    LeadStatus.DISQUALIFIED, LeadStatus.NURTURE,
})


def stops_cadence(outcome: TaskOutcome | None, new_status: LeadStatus | None) -> bool:
    """Whether a logged touch ends the cadence: a meeting set, not interested, wrong person,
    or the lead moving to SQL/converted/won/lost/disqualified/nurture. Reached, voicemail and
    no answer alone keep it going."""
    return outcome in STOPPING_OUTCOMES or new_status in STOPPING_STATUSES


# -- defaults -----------------------------------------------------------------------------------

_CADENCE_NAMESPACE = uuid.UUID("6f1c2b1e-3d4a-5e6f-8a7b-9c0d1e2f3a4b")


def _default_id(key: str) -> uuid.UUID:
    return uuid.uuid5(_CADENCE_NAMESPACE, f"leadline.cadence.{key}")


_E, _C = TaskKind.EMAIL, TaskKind.CALL
TRADE_SHOW_CADENCE = Cadence(
    _default_id("trade_show"),
    "Trade show follow-up",
    (
        CadenceStep(_E, 2, "Personal email to {full_name} ({company}) after {event}",
                    "Hello {first_name},\n\nthank you for visiting us at {event}. As promised, here "
                    "is more about {product_interest}. Would a short call next week suit you?\n\n"
                    "Best regards,\n{owner}"),
        CadenceStep(_C, 5, "Call {full_name} at {company}: follow up on {event}",
                    "Ask whether the information on {product_interest} arrived; qualify need, "
                    "budget, authority and timeline; offer a meeting."),
        CadenceStep(_E, 10, "Second email to {full_name}: {product_interest}",
                    "Hello {first_name},\n\nI tried to reach you after {event}. If {product_interest} "
                    "is still on your list, just reply with a time that suits you.\n\n"
                    "Best regards,\n{owner}"),
        CadenceStep(_C, 20, "Second call to {full_name} at {company}",
                    "Last attempt of the show cadence. No interest? Hand the lead back to nurture "
                    "with a come-back date."),
    ),
    CadenceScope(channels=frozenset({Channel.TRADE_SHOW})),
)
INBOUND_CADENCE = Cadence(
    _default_id("inbound"),
    "Inbound inquiry",
    (
        CadenceStep(_C, 1, "Call {full_name} at {company} about their inquiry",
                    "They contacted us about {product_interest}: call back, qualify, offer a meeting."),
        CadenceStep(_E, 2, "Email {full_name}: your inquiry about {product_interest}",
                    "Hello {first_name},\n\nthank you for your inquiry. Here is the information on "
                    "{product_interest}; when could we talk?\n\nBest regards,\n{owner}"),
        CadenceStep(_C, 5, "Follow-up call to {full_name} at {company}",
                    "Second attempt: check the email arrived and qualify."),
    ),
    CadenceScope(channels=frozenset({Channel.WEB, Channel.PHONE, Channel.EMAIL})),
)
GENERIC_CADENCE = Cadence(
    _default_id("generic"),
    "General follow-up",
    (
        CadenceStep(_E, 2, "Introduce yourself to {full_name} ({company})",
                    "Hello {first_name},\n\nI am your contact at our company for {product_interest}. "
                    "When would be a good time for a short call?\n\nBest regards,\n{owner}"),
        CadenceStep(_C, 7, "Call {full_name} at {company}", "Qualify need, budget, authority and timeline."),
    ),
    ANY_LEAD,
)
DEFAULT_CADENCES: tuple[Cadence, ...] = (TRADE_SHOW_CADENCE, INBOUND_CADENCE, GENERIC_CADENCE)
