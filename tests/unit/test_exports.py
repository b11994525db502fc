"""CSV exports: everything, or only people a marketing tool may contact."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main
from app.domain.exports import ExportPurpose
from app.domain.leads import LeadQuery
from app.services.container import Services
from app.services.export_service import ExportCancelledError


@pytest.fixture
def mixed(services: Services) -> None:
    granted = {"consent": "granted", "consent_text": "Yes, send me news"}
    services.leads.create({"first_name": "Ok", "last_name": "One", "email": "ok@fine.example",
                           **granted})
    services.leads.create({"first_name": "No", "last_name": "Consent",
                           "email": "nc@fine.example"})
    services.leads.create({"first_name": "Opted", "last_name": "Out",
                           "email": "out@fine.example", **granted})
    services.leads.create({"first_name": "Rival", "last_name": "Spy",
                           "email": "spy@rival.example", **granted})
    services.leads.create({"first_name": "Phone", "last_name": "Only", "phone": "+49 30 1234567",
                           **granted})
    services.leads.create({"first_name": "Flagged", "last_name": "Dnc",
                           "email": "dnc@fine.example", "do_not_contact": True, **granted})
    services.suppressions.add("email", "out@fine.example", "opted_out")
    services.suppressions.add("domain", "rival.example", "competitor")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_marketing_export_respects_consent_and_suppression(services: Services, mixed: None,
                                                           tmp_path: Path) -> None:
    result = services.exports.export_csv(LeadQuery(), tmp_path / "m.csv", ExportPurpose.MARKETING)
    rows = _rows(result.path)
    assert [r["email"] for r in rows] == ["ok@fine.example"]
    assert result.excluded == {"do not contact": 3, "no marketing consent": 1, "no email": 1}
    everything = services.exports.export_csv(LeadQuery(), tmp_path / "a.csv")
    assert everything.written == 6 and len(_rows(everything.path)) == 6
    assert "owner" in _rows(everything.path)[0]


def test_the_list_is_checked_at_export_even_if_the_flag_was_cleared(
        services: Services, tmp_path: Path) -> None:
    lead = services.leads.create({"last_name": "Late", "email": "late@fine.example",
                                  "consent": "granted", "consent_text": "ok"})
    services.suppressions.add("email", "late@fine.example", "bounced")
    assert services.leads.get(lead.id).do_not_contact
    services.leads.update(lead.id, {"do_not_contact": False})  # someone unticked it
    result = services.exports.export_csv(LeadQuery(), tmp_path / "m.csv", ExportPurpose.MARKETING)
    assert result.written == 0 and result.excluded == {"on the suppression list": 1}


def test_empty_and_cancelled_exports(services: Services, tmp_path: Path) -> None:
    empty = services.exports.export_csv(LeadQuery(), tmp_path / "e.csv", ExportPurpose.MARKETING)
    assert empty.written == 0 and _rows(empty.path) == []
    assert empty.path.read_text(encoding="utf-8-sig").startswith("email,first_name")
    services.leads.create({"last_name": "Someone"})
    target = tmp_path / "c.csv"
    target.write_text("previous export")
    with pytest.raises(ExportCancelledError):
        services.exports.export_csv(LeadQuery(), target, cancelled=lambda: True)
    assert target.read_text() == "previous export"  # untouched, no partial file left
    assert not list(tmp_path.glob("*.partial"))


def test_export_cli(services: Services, mixed: None, db_path: Path, tmp_path: Path,
                    capsys: Any) -> None:
    out = tmp_path / "news.csv"
    assert main(["--db", str(db_path), "--json", "leads", "export", str(out),
                 "--for", "marketing"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["written"] == 1 and summary["excluded"]["do not contact"] == 3
    assert main(["--db", str(db_path), "leads", "export", str(tmp_path / "x.csv"),
                 "--for", "nobody"]) == 2
    assert main(["--db", str(db_path), "leads", "export",
                 str(tmp_path / "missing-dir" / "x.csv")]) == 1
    assert "Cannot write" in capsys.readouterr().err
