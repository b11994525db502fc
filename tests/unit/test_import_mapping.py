"""guess_mapping over the header spellings of BADGE-FORMATS.md §3.1, name splitting, templates."""

from __future__ import annotations

import pytest

from app.domain.leads import FIELDS_BY_NAME
from app.importers.header_names import header_key
from app.importers.mapping import (
    ColumnMapping,
    MappingError,
    apply_mapping,
    guess_mapping,
    split_full_name,
)
from app.importers.rows import SourceRow

SPELLINGS: dict[str, tuple[str, ...]] = {
    "first_name": ("First Name", "FirstName", "first_name", "FIRST_NAME", "Vorname", "Prénom",
                   "Nombre", "firstName", "first-name"),
    "last_name": ("Last Name", "LastName", "Surname", "Nachname", "Nom", "Apellidos", "lastName"),
    "full_name": ("Name", "Full Name", "FullName", "Nombre completo", "Nom complet"),
    "email": ("Email", "E-Mail", "Email Address", "E-mail Address", "Adresse e-mail",
              "Correo electrónico", "email", "E-Mail-Adresse"),
    "company": ("Company", "Company Name", "Organization", "Organisation", "Firma", "Société",
                "Empresa"),
    "title": ("Title", "Job Title", "Position", "Fonction", "Cargo", "jobTitle", "Job title"),
    "phone": ("Phone", "Work Phone", "Telefon", "Téléphone", "Teléfono", "Phone Number", "workPhone"),
    "mobile": ("Mobile", "Cell Phone", "MobilePhone", "Mobile Phone Number", "Handy", "Mobil",
               "Móvil", "Portable", "mobilePhone"),
    "country": ("Country", "Land", "Pays", "País", "Country Code", "Country/Region"),
    "city": ("City", "Stadt", "Ville", "Ciudad"),
    "street": ("Street", "Address", "Straße", "Adresse", "Dirección", "address1"),
    "postal_code": ("Postal Code", "Zip", "PLZ", "Code postal", "Código postal", "Zip Code"),
    "region": ("State", "Region", "Bundesland", "Province", "State/Province"),
    "badge_id": ("Badge ID", "Reference ID", "referenceId", "Barcode #", "Registration ID", "barcode"),
    "notes": ("Notes", "Comments", "Bemerkungen", "Commentaires", "Notas", "Description"),
    "website": ("Website", "URL"),
    "industry": ("Industry", "Branche"),
    "rating": ("Rating",),
    "product_interest": ("Product interest", "Product Interest"),
}


@pytest.mark.parametrize(("target", "header"),
                         [(t, h) for t, spellings in SPELLINGS.items() for h in spellings])
def test_each_spelling_maps_to_its_field(target: str, header: str) -> None:
    assert guess_mapping([header]).target(header) == target


def test_every_guessed_target_is_a_lead_field() -> None:
    for target in SPELLINGS:
        assert target == "full_name" or target in FIELDS_BY_NAME


@pytest.mark.parametrize(("layout", "expected"), [
    # Cvent BadgeKit
    (["referenceId", "firstName", "lastName", "email", "company", "title", "workPhone",
      "mobilePhone", "homePhone", "city", "zip", "country"],
     ["badge_id", "first_name", "last_name", "email", "company", "title", "phone", "mobile", "",
      "city", "postal_code", "country"]),
    # Eventbrite API
    (["first_name", "last_name", "email", "prefix", "barcode", "order_id", "ticket_id"],
     ["first_name", "last_name", "email", "", "badge_id", "", ""]),
    # Swapcard / Validar
    (["First Name", "Last Name", "Job Title", "Company", "Email Address", "Country"],
     ["first_name", "last_name", "title", "company", "email", "country"]),
    # talque
    (["First Name", "Last Name", "Email", "Company Name", "Job title", "Origin", "Country"],
     ["first_name", "last_name", "email", "company", "title", "", "country"]),
    # HubSpot contacts
    (["First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Company Name",
      "Job Title", "Country/Region"],
     ["first_name", "last_name", "email", "phone", "mobile", "company", "title", "country"]),
    # Salesforce lead import
    (["Full Name", "Company", "Email", "Email Opt Out", "Fax", "Industry", "Lead Status", "Rating",
      "Annual Revenue", "Description"],
     ["full_name", "company", "email", "do_not_contact", "", "industry", "status", "rating", "",
      "notes"]),
])
def test_crm_layouts(layout: list[str], expected: list[str]) -> None:
    assert [t for _h, t in guess_mapping(layout).columns] == expected


def test_german_name_beside_vorname_is_the_last_name() -> None:
    mapping = guess_mapping(["Vorname", "Name", "Firma"])
    assert mapping.target("Name") == "last_name"
    assert guess_mapping(["Name", "Firma"]).target("Name") == "full_name"


def test_no_two_headers_share_a_single_valued_target_and_the_precise_one_wins() -> None:
    mapping = guess_mapping(["Attendee #", "Email", "Work Email", "Barcode #", "E-Mail"])
    assert mapping.target("Barcode #") == "badge_id"
    assert mapping.target("Attendee #") == ""
    assert [h for h, t in mapping.columns if t == "email"] == ["Email"]


@pytest.mark.parametrize(("headers", "expected"), [
    (["Phone", "Phone 2", "Phone 3"], ["phone", "mobile", ""]),
    (["Work Phone", "Home Phone", "Mobile"], ["phone", "", "mobile"]),
    (["Mobile", "Cell Phone"], ["mobile", "phone"]),
    (["Telefon", "Handy", "Fax"], ["phone", "mobile", ""]),
])
def test_multiple_phone_columns(headers: list[str], expected: list[str]) -> None:
    assert [t for _h, t in guess_mapping(headers).columns] == expected


@pytest.mark.parametrize("header", ["Interested in a demo?", "Q1 Budget", "Q12: Timeframe",
                                    "Question 3 - Fleet size", "Budget approved?"])
def test_question_columns(header: str) -> None:
    assert guess_mapping(["Email", header]).target(header) == f"question:{header}"


def test_unknown_columns_are_ignored() -> None:
    mapping = guess_mapping(["Email", "Ticket Type", "Order #", "", "Attendee Status"])
    assert [t for _h, t in mapping.columns] == ["email", "", "", "", ""]


@pytest.mark.parametrize(("text", "expected"), [
    ("Anna Müller", ("Anna", "Müller")),
    ("Müller, Anna", ("Anna", "Müller")),
    ("Dr. Anna von Müller", ("Anna", "von Müller")),
    ("Ludwig van der Berg", ("Ludwig", "van der Berg")),
    ("María José de la Fuente", ("María José", "de la Fuente")),
    ("Prof. Dr. Hans Meier", ("Hans", "Meier")),
    ("Madonna", ("", "Madonna")),
    ("  Anna   Lee  ", ("Anna", "Lee")),
    ("John Smith Jr.", ("John", "Smith Jr.")),
    ("Smith, Jr.", ("", "Smith Jr.")),
    ("von Müller, Dr. Anna", ("Anna", "von Müller")),
    ("", ("", "")),
])
def test_split_full_name(text: str, expected: tuple[str, str]) -> None:
    assert split_full_name(text) == expected


def test_signature_ignores_case_spacing_spelling_and_order() -> None:
    a = guess_mapping(["First Name", "Last Name", "Email"]).signature
    b = guess_mapping(["first_name", " LAST  NAME ", "\ufeffEMAIL"]).signature
    c = guess_mapping(["Email", "firstName", "LastName"]).signature
    assert a == b == c
    assert a != guess_mapping(["First Name", "Last Name", "Email", "Phone"]).signature
    assert len(a) == 32 and a == guess_mapping(["First Name", "Last Name", "Email"]).signature


def test_json_round_trip_and_damaged_json() -> None:
    mapping = guess_mapping(["Prénom", "Nom", "Société", "Budget?", "Misc"])
    assert ColumnMapping.from_json(mapping.to_json()) == mapping
    with pytest.raises(MappingError):
        ColumnMapping.from_json("{not json")
    with pytest.raises(MappingError, match="unknown"):
        ColumnMapping.from_json('{"version": 1, "columns": [["A", "shoe_size"]]}')


def test_with_target_moves_a_single_valued_target() -> None:
    mapping = guess_mapping(["Email", "Work Email", "Budget?"])
    moved = mapping.with_target("Work Email", "email")
    assert (moved.target("Email"), moved.target("Work Email")) == ("", "email")
    assert moved.with_target("Budget?", "").target("Budget?") == ""
    assert mapping.target("email ") == "email"  # a header spelled differently still matches
    with pytest.raises(MappingError):
        mapping.with_target("Email", "nonsense")
    with pytest.raises(MappingError):
        mapping.with_target("Nope", "email")


def test_apply_mapping_splits_names_keeps_questions_and_drops_empty_cells() -> None:
    headers = ["Name", "E-Mail", "Telefon", "Handy", "Interested in a demo?", "Notes", "Ticket Type"]
    row = SourceRow(7, {"Name": "Dr. Anna von Müller", "E-Mail": "anna@x.de", "Telefon": "",
                        "Handy": "0171 1234567", "Interested in a demo?": "Yes",
                        "Notes": "line 1\nline 2", "Ticket Type": "VIP"})
    fields, answers = apply_mapping(guess_mapping(headers), row)
    assert fields == {"first_name": "Anna", "last_name": "von Müller", "email": "anna@x.de",
                      "mobile": "0171 1234567", "notes": "line 1\nline 2"}
    assert answers == {"Interested in a demo?": "Yes"}


def test_explicit_first_and_last_name_beat_a_full_name_column() -> None:
    mapping = ColumnMapping((("Full Name", "full_name"), ("First Name", "first_name"),
                             ("Last Name", "last_name")))
    row = SourceRow(2, {"Full Name": "Ann Lee", "First Name": "Annie", "Last Name": ""})
    assert apply_mapping(mapping, row)[0] == {"first_name": "Annie", "last_name": "Lee"}


def test_header_key_folds_the_usual_spellings_together() -> None:
    assert {header_key(h) for h in ("First Name", "firstName", "FIRST_NAME", "first-name",
                                    "\ufeffFirst Name ")} == {"firstname"}
    assert header_key("Straße") == header_key("Strasse") == "strasse"
