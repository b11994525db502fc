"""An import writes each lead's first-touch deadline in its own transaction; one interrupted
between its commit and its follow-up step (cadences), or written by a version that set the
deadlines in that step, leaves leads without them; the next follow-up check gives them what
they should have, once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main
from app.domain.history import APP_ACTOR_NAME
from app.domain.imports import DuplicatePolicy
from app.domain.leads import LeadQuery
from app.domain.people import Role
from app.domain.routing import Condition, ConditionKind, TargetKind
from app.services.container import Services

pytestmark = pytest.mark.both_databases


class PowerCutError(Exception):
    """The laptop died right after the import's commit."""


def _import_cut_after_commit(services: Services, tmp_path: Path, *,
                             deadlines_in_second_step: bool = False) -> None:
    anna = services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
    services.routing.add_rule("Germany", [Condition.parse(ConditionKind.COUNTRY, "DE")],
                              TargetKind.USER, anna.id)
    export = tmp_path / "list.csv"
    export.write_text("Last name,Email,Country,Rating\nOst,o@ost.example,DE,hot\n"
                      "Nord,n@nord.example,DE,warm\nFar,f@far.example,BR,\n", encoding="utf-8")

    def power_cut(_lead_ids: Sequence[uuid.UUID]) -> None:
        raise PowerCutError

    services.imports.after_import = power_cut
    if deadlines_in_second_step:  # as the previous version did: they were lost with it
        services.imports.first_touch_deadlines = None
    table = services.imports.open(export)
    with pytest.raises(PowerCutError):
        services.imports.run(table, services.imports.suggested_mapping(table)[0], None,
                             DuplicatePolicy.SKIP)


def _leads(services: Services) -> dict[str, Any]:
    return {lead.last_name: lead for lead in services.leads.list(LeadQuery())}


def _app_notes(services: Services, lead_id: uuid.UUID) -> list[str]:
    return [a.text for a in services.leads.history(lead_id) if a.actor == APP_ACTOR_NAME]


def test_followup_check_restores_what_an_interrupted_import_left_out(
        services: Services, db_location: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _import_cut_after_commit(services, tmp_path)
    leads = _leads(services)
    # The deadlines were written with the leads: the power cut cannot take them.
    assert all(lead.first_touch_due_at is not None for lead in leads.values())
    assert leads["Ost"].first_touch_due_at < leads["Nord"].first_touch_due_at  # hot, warm
    assert all(services.followup.tasks_for_lead(lead.id) == [] for lead in leads.values())

    capsys.readouterr()
    assert main(["--db", db_location, "--json", "followup", "check"]) == 0
    reported = json.loads(capsys.readouterr().out)
    assert reported["deadlines_restored"] == 0 and reported["cadences_restored"] == 2

    healed = _leads(services)
    assert {n: lead.first_touch_due_at for n, lead in healed.items()} == \
        {n: lead.first_touch_due_at for n, lead in leads.items()}
    anna = services.people.user_by_email("anna@example.com").id
    for name in ("Ost", "Nord"):
        steps = services.followup.tasks_for_lead(healed[name].id)
        assert steps and {(t.owner_id, t.cadence_id is not None) for t in steps} == {(anna, True)}
    planned = len(services.followup.tasks_for_lead(healed["Ost"].id))
    assert services.followup.tasks_for_lead(healed["Far"].id) == [], "no owner: no cadence"
    assert healed["Ost"].next_due_at is not None
    ost_notes = _app_notes(services, healed["Ost"].id)
    assert sum("First-touch deadline set" in n for n in ost_notes) == 0
    assert sum("Cadence" in n for n in ost_notes) == 1

    assert main(["--db", db_location, "--json", "followup", "check"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["deadlines_restored"] == 0 and again["cadences_restored"] == 0
    assert len(services.followup.tasks_for_lead(healed["Ost"].id)) == planned, "restored once"
    assert _app_notes(services, healed["Ost"].id) == ost_notes


def test_the_daily_check_reports_the_restored_leads_as_the_apps_doing(
        services: Services, tmp_path: Path) -> None:
    _import_cut_after_commit(services, tmp_path, deadlines_in_second_step=True)
    assert [lead.first_touch_due_at for lead in _leads(services).values()] == [None] * 3
    check = services.followup.check_service_levels()
    summaries = {change.summary: set(change.lead_ids) for change in check.changes}
    leads = _leads(services)
    assert summaries == {
        "3 leads given the first-touch deadline they were missing": {
            lead.id for lead in leads.values()},
        "2 leads given the follow-up cadence they were missing": {
            leads["Ost"].id, leads["Nord"].id}}
    healed = _leads(services)
    # The same deadline the import sets: end of the working day after capture (hot, warm).
    assert healed["Ost"].first_touch_due_at < healed["Nord"].first_touch_due_at
    assert services.followup.check_service_levels().changes == ()
    nothing_left = services.followup.restore_missing_follow_up()
    assert nothing_left.deadlines == () and nothing_left.cadences == ()


def test_leads_that_need_nothing_are_left_alone(services: Services) -> None:
    anna = services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
    touched = services.leads.create({"last_name": "Touched", "owner": anna.email})
    services.followup.log_touch(touched.id, "call", "reached")
    services.leads.create({"last_name": "Won", "status": "won"})
    services.leads.create({"last_name": "Quiet", "owner": anna.email, "do_not_contact": True})
    before = {lead.last_name: (lead.first_touch_due_at, lead.updated_at)
              for lead in services.leads.list(LeadQuery())}
    restored = services.followup.restore_missing_follow_up()
    assert restored.deadlines == () and restored.cadences == ()
    assert {lead.last_name: (lead.first_touch_due_at, lead.updated_at)
            for lead in services.leads.list(LeadQuery())} == before
