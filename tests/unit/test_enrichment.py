"""Enrichment from a company directory: blanks filled, typed data kept, sources recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.enrichment import DirectoryRow, blanks_to_fill
from app.domain.errors import LeadlineError
from app.domain.imports import DuplicatePolicy
from app.domain.leads import LeadQuery
from app.importers.company_directory import domain_of, read_directory
from app.services.container import Services

pytestmark = pytest.mark.both_databases

DIRECTORY = ("Domain;Company;Branche;Mitarbeiter;Land\n"
             "https://www.weber-mb.de/;Weber Maschinenbau GmbH;Machinery;51-200;Deutschland\n"
             "acme.fr;ACME SAS;Packaging;11-50;FR\n"
             ";Nameless;;;\n")


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    path = tmp_path / "companies.csv"
    path.write_text(DIRECTORY, encoding="utf-8")
    return path


def test_reading_the_directory(directory: Path) -> None:
    rows, problems = read_directory(directory)
    assert rows[0] == DirectoryRow("weber-mb.de", "Weber Maschinenbau GmbH", "Machinery",
                                   "51-200", "DE")
    assert problems == ["row 4: no domain"]
    assert domain_of("Info@Acme.FR") == "acme.fr"


def test_blanks_only() -> None:
    entry = DirectoryRow("acme.fr", "ACME SAS", "Packaging", "11-50", "FR")
    assert blanks_to_fill({"company": "Acme France", "country": ""}, entry) == {
        "industry": "Packaging", "company_size": "11-50", "country": "FR"}


def test_import_fills_existing_leads_and_records_where_from(services: Services,
                                                            directory: Path) -> None:
    typed = services.leads.create({"last_name": "Weber", "email": "jonas@weber-mb.de",
                                   "company": "Weber (typed)"})
    other = services.leads.create({"last_name": "Else", "email": "else@elsewhere.com"})
    result = services.enrichment.import_directory(directory)
    assert (result.added, result.leads_enriched) == (2, 1)
    weber = services.leads.get(typed.id)
    assert weber.company == "Weber (typed)"  # never overwritten
    assert (weber.industry, weber.company_size, weber.country) == ("Machinery", "51-200", "DE")
    assert "company directory (companies.csv)" in services.leads.history(weber.id)[0].text
    assert services.leads.get(other.id).industry == ""
    with pytest.raises(LeadlineError, match="no domain column"):
        bad = directory.with_name("bad.csv")
        bad.write_text("Company\nAcme\n", encoding="utf-8")
        services.enrichment.import_directory(bad)


def test_capture_and_import_use_the_directory(services: Services, directory: Path,
                                              tmp_path: Path) -> None:
    services.enrichment.import_directory(directory)
    event = services.events.add("Salon 2026", country="FR")
    captured = services.booth.capture(event.id, {"last_name": "Dupont",
                                                 "email": "marie@acme.fr"}).lead
    assert (captured.company, captured.industry) == ("ACME SAS", "Packaging")
    assert any(h.kind.value == "enriched" for h in services.leads.history(captured.id))
    export = tmp_path / "leads.csv"
    export.write_text("Last Name,Email\nBlanc,luc@acme.fr\n", encoding="utf-8")
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    services.imports.run(table, mapping, event.id, DuplicatePolicy.SKIP)
    blanc = services.leads.list(LeadQuery(search="Blanc"))[0]
    assert blanc.company_size == "11-50"
    assert any("company directory" in h.text for h in services.leads.history(blanc.id))
