"""Free-mail and role addresses, company from the email domain, and the suppression list:
rules, service, and that they hold on booth capture, import, and the CLI."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main
from app.domain.data_quality import (
    SuppressionIndex,
    SuppressionKind,
    SuppressionReason,
    SuppressionRecord,
    company_from_domain,
    company_key,
    examine_email,
    normalise_suppression,
    review,
)
from app.domain.errors import ConflictError, ValidationError
from app.domain.imports import DuplicatePolicy
from app.domain.leads import LeadQuery
from app.services.container import Services

pytestmark = pytest.mark.both_databases


@pytest.mark.parametrize(("email", "free", "role"), [
    ("anna@gmail.com", True, False), ("jonas@gmx.de", True, False),
    ("info@weber-mb.de", False, True), ("Sales+expo@acme.com", False, True),
    ("anna.mueller@acme.de", False, False), ("kontakt@web.de", True, True),
])
def test_email_findings(email: str, free: bool, role: bool) -> None:
    findings = examine_email(email)
    assert findings is not None and (findings.free_mail, findings.role) == (free, role)
    assert examine_email("not an email") is None


@pytest.mark.parametrize(("domain", "company"), [
    ("weber-maschinenbau.de", "Weber Maschinenbau"), ("acme.co.uk", "Acme"),
    ("www.siemens.com", "Siemens"), ("mail.bosch.de", "Bosch")])
def test_company_from_domain(domain: str, company: str) -> None:
    assert company_from_domain(domain) == company


def test_company_key_ignores_case_spacing_and_legal_form() -> None:
    assert company_key("ACME  GmbH & Co. KG") == company_key("Acme") == "acme"
    assert company_key("Garcia S.A.") == company_key("garcia sa")


def test_review_of_free_mail_role_and_suppressed_values() -> None:
    index = SuppressionIndex.of([SuppressionRecord(uuid.uuid4(), SuppressionKind.DOMAIN,
                                                   "rival.com", SuppressionReason.COMPETITOR)])
    changes, notes = review({"email": "anna@gmail.com"}, index)
    assert changes == {} and notes == []  # a gmail address says nothing about the company
    changes, notes = review({"email": "jonas@weber-mb.de"}, index)
    assert changes == {"company": "Weber Mb", "company_source": "email domain weber-mb.de"}
    assert notes == []
    changes, notes = review({"email": "info@rival.com", "company": "Rival Inc"}, index)
    assert changes == {"do_not_contact": True}
    assert {n.field for n in notes} == {"email", "do_not_contact"}
    assert "competitor (domain rival.com)" in notes[1].message


def test_normalise_suppression_values() -> None:
    assert normalise_suppression(SuppressionKind.EMAIL, " Anna@ACME.de ") == "anna@acme.de"
    assert normalise_suppression(SuppressionKind.DOMAIN, "@www.Rival.com") == "rival.com"
    assert normalise_suppression(SuppressionKind.PHONE, "0511 123456", "DE") == "+49511123456"
    with pytest.raises(ValueError, match="not a domain"):
        normalise_suppression(SuppressionKind.DOMAIN, "rival")


def test_adding_an_entry_flags_leads_it_covers(services: Services) -> None:
    covered = services.leads.create({"last_name": "Spy", "email": "spy@rival.com"})
    safe = services.leads.create({"last_name": "Friend", "email": "friend@acme.de"})
    _entry, flagged = services.suppressions.add("domain", "rival.com", "competitor")
    assert flagged == 1
    spy = services.leads.get(covered.id)
    assert spy.do_not_contact and "competitor" in spy.review_reason
    assert any(h.field == "do_not_contact" for h in services.leads.history(spy.id))
    assert not services.leads.get(safe.id).do_not_contact
    with pytest.raises(ConflictError):
        services.suppressions.add("domain", "RIVAL.com", "competitor")
    with pytest.raises(ValidationError, match="value"):
        services.suppressions.add("email", "nobody@", "bounced")


def test_booth_capture_and_import_respect_the_list(services: Services, tmp_path: Path) -> None:
    event = services.events.add("Hannover Messe 2026", country="DE")
    services.suppressions.add("email", "optout@acme.de", "opted_out")
    services.suppressions.add("phone", "+49 511 123456", "bounced")
    lead = services.booth.capture(event.id, {"last_name": "Out", "email": "optout@acme.de"}).lead
    assert lead.do_not_contact and "opted out" in lead.review_reason
    role = services.booth.capture(event.id, {"last_name": "Desk", "email": "info@weber.de"}).lead
    assert role.needs_review and "role address" in role.review_reason
    assert role.company == "Weber"  # derived from the domain, not typed
    export = tmp_path / "leads.csv"
    export.write_text("First Name,Last Name,Email,Phone\nAnna,Called,anna@x-corp.de,"
                      "0511 123456\nBen,Free,ben@gmail.com,\n", encoding="utf-8")
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    services.imports.run(table, mapping, event.id, DuplicatePolicy.SKIP)
    imported = {lead.last_name: lead for lead in services.leads.list(LeadQuery())}
    assert imported["Called"].do_not_contact and imported["Called"].company == "X Corp"
    assert not imported["Free"].do_not_contact and imported["Free"].company == ""


def test_import_export_and_cli(services: Services, tmp_path: Path, db_location: str,
                               capsys: Any) -> None:
    source = tmp_path / "list.csv"
    source.write_text("kind,value,reason,note\ndomain,rival.com,competitor,\n"
                      "email,gone@acme.de,bounced,hard bounce\nemail,broken@,bounced,\n",
                      encoding="utf-8")
    result = services.suppressions.import_file(source)
    assert (result.added, len(result.invalid)) == (2, 1) and "row 4" in result.invalid[0]
    one_column = tmp_path / "emails.txt"
    one_column.write_text("late@acme.de\nrival.com\n", encoding="utf-8")
    again = services.suppressions.import_file(one_column)
    assert (again.added, again.already_listed) == (1, 1)
    out = tmp_path / "export.csv"
    assert services.suppressions.export_file(out) == 3
    assert out.read_text(encoding="utf-8-sig").splitlines()[0] == "kind,value,reason,note,since"
    assert main(["--db", db_location, "--json", "suppress", "add", "--kind", "domain",
                 "--value", "other.com", "--reason", "competitor"]) == 0
    capsys.readouterr()
    assert main(["--db", db_location, "--json", "suppress", "list"]) == 0
    listed = json.loads(capsys.readouterr().out)["entries"]
    assert {e["value"] for e in listed} >= {"rival.com", "other.com"}
    assert main(["--db", db_location, "suppress", "add", "--kind", "domain", "--value",
                 "nodot"]) == 2
