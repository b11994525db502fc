"""`events layout`, `events show` and `leads list --unresolved`: an admin scripts an event."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main

pytestmark = pytest.mark.both_databases

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "badges"
EVENT = "Hannover Messe 2026"


def run(capsys: Any, db_location: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", db_location, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def event(db_location: str, capsys: Any) -> str:
    assert run(capsys, db_location, "events", "add", EVENT, "--country", "DE",
               "--starts", "2026-04-20", "--ends", "2026-04-24")[0] == 0
    return EVENT


def test_layout_set_show_clear(capsys: Any, db_location: str, event: str) -> None:
    code, out, _ = run(capsys, db_location, "events", "layout", event, "--show")
    assert code == 0 and "no badge layout" in out
    code, out, _ = run(capsys, db_location, "events", "layout", event,
                       "--set", "GS badge_id,full_name,company,email")
    assert code == 0 and out.strip() == f"{EVENT}: GS badge_id,full_name,company,email"
    code, out, _ = run(capsys, db_location, "--json", "events", "layout", event, "--show")
    shown = json.loads(out)
    assert shown["badge_layout"] == {"spec": "GS badge_id,full_name,company,email",
                                     "separator": "\x1d",
                                     "fields": ["badge_id", "full_name", "company", "email"]}
    code, out, _ = run(capsys, db_location, "--json", "events", "layout", event, "--clear")
    assert code == 0 and json.loads(out)["badge_layout"] is None


@pytest.mark.parametrize(("spec", "problem"), [
    ("^ first_name,shoe_size", "'shoe_size' is not a field a badge can fill"),
    ("^ email,email", "'email' appears twice"),
    ("x email", "'x' cannot separate badge fields"),
    ("^", "is not a badge layout"),
    ("", "is empty"),
])
def test_a_bad_spec_names_the_problem_and_exits_non_zero(capsys: Any, db_location: str, event: str,
                                                         spec: str, problem: str) -> None:
    code, _out, err = run(capsys, db_location, "events", "layout", event, "--set", spec)
    assert code != 0 and problem in err
    assert "no badge layout" in run(capsys, db_location, "events", "layout", event, "--show")[1]


def test_layout_needs_exactly_one_action_and_a_known_event(capsys: Any, db_location: str,
                                                           event: str) -> None:
    assert run(capsys, db_location, "events", "layout", event)[0] != 0
    assert run(capsys, db_location, "events", "layout", event, "--show", "--clear")[0] != 0
    code, _out, err = run(capsys, db_location, "events", "layout", "Nowhere Expo", "--show")
    assert code != 0 and "Nowhere Expo" in err


def test_show_json_has_layout_dates_registrations_and_waiting_leads(
        capsys: Any, db_location: str, event: str, monkeypatch: Any) -> None:
    run(capsys, db_location, "events", "layout", event, "--set", "^ first_name,last_name,badge_id")
    monkeypatch.setattr("sys.stdin", io.StringIO('"000451\\r"\n"A-7731\\r"\n'))
    assert run(capsys, db_location, "scan", "--event", event)[0] == 0
    code, out, _ = run(capsys, db_location, "--json", "events", "show", event)
    shown = json.loads(out)
    assert code == 0
    assert (shown["name"], shown["starts_on"], shown["ends_on"]) == (
        EVENT, "2026-04-20", "2026-04-24")
    assert shown["badge_layout"]["fields"] == ["first_name", "last_name", "badge_id"]
    assert (shown["registrations"], shown["leads_waiting_for_registration"]) == (0, 2)

    code, out, _ = run(capsys, db_location, "--json", "leads", "list", "--unresolved")
    listed = json.loads(out)
    assert code == 0 and sorted(lead["badge_id"] for lead in listed["leads"]) == [
        "000451", "A-7731"]

    assert run(capsys, db_location, "registrations", "import",
               str(FIXTURES / "registration_list_with_address.csv"), "--event", event)[0] == 0
    shown = json.loads(run(capsys, db_location, "--json", "events", "show", event)[1])
    assert (shown["registrations"], shown["leads_waiting_for_registration"]) == (3, 1)
    listed = json.loads(run(capsys, db_location, "--json", "leads", "list", "--unresolved")[1])
    assert [lead["badge_id"] for lead in listed["leads"]] == ["A-7731"]
    code, out, _ = run(capsys, db_location, "events", "show", event)
    assert "Badge-only leads waiting for registration data: 1" in out
    assert "Registration list: 3 attendees" in out
