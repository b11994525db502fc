"""Likely duplicates are pointed out at the booth and in the import preview (never refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.imports import DuplicatePolicy
from app.services.container import Services

pytestmark = pytest.mark.both_databases


def test_booth_flags_a_likely_duplicate(services: Services) -> None:
    event = services.events.add("Hannover Messe 2026", country="DE")
    services.booth.capture(event.id, {"first_name": "Katherine", "last_name": "Schneider",
                                      "company": "Acme GmbH", "phone": "0511 123456",
                                      "email": "k.schneider@acme.de"})
    again = services.booth.capture(event.id, {"first_name": "Kate", "last_name": "Schneider",
                                              "company": "ACME", "phone": "+49 511 123456"})
    assert again.created and again.lead.needs_review
    assert "possible duplicate of Katherine Schneider" in again.lead.review_reason
    other = services.booth.capture(event.id, {"first_name": "Otto", "last_name": "Normal",
                                              "email": "otto@normal.de"}).lead
    assert "duplicate" not in other.review_reason


def test_import_preview_marks_likely_duplicates(services: Services, tmp_path: Path) -> None:
    services.leads.create({"first_name": "Jonas", "last_name": "Weber",
                           "company": "Weber Maschinenbau", "email": "jonas@weber-mb.de",
                           "phone": "+49 171 2345678"})
    export = tmp_path / "leads.csv"
    export.write_text("First Name,Last Name,Company,Email,Mobile\n"
                      "Jonas,Weber,Weber Maschinenbau GmbH,j.weber@weber-mb.de,0171 2345678\n"
                      "Zoë,Ng,Ng Ltd,zoe@ng.io,\n", encoding="utf-8")
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    preview = services.imports.preview(table, mapping, None, DuplicatePolicy.SKIP)
    jonas, zoe = preview.sample
    assert "possibly Jonas Weber" in jonas.issues.get("duplicate", "")
    assert "duplicate" not in zoe.issues
