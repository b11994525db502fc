"""Every scanner payload family and wedge quirk of BADGE-FORMATS.md, one fixture file each
(tests/fixtures/badges/*.txt, written for these tests with invented people)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.contact_data import normalise_country
from app.importers.badges import BadgeData, DelimitedLayout, ScanRejected, parse_scan
from app.importers.badges.ids import RegistrationIndex, id_candidates, match_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "badges"
#: The event's registration list the "with the list" cases match against.
REGISTERED = RegistrationIndex(["000451", "pax001", "12", "000777", "2427"])


def payload(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def read(name: str, layout: str = "", registered: bool = False) -> BadgeData | ScanRejected:
    return parse_scan(payload(name), layout=DelimitedLayout.parse(layout) if layout else None,
                      registered=REGISTERED.find if registered else None)


def ok(name: str, layout: str = "", registered: bool = False) -> BadgeData:
    result = read(name, layout, registered)
    assert isinstance(result, BadgeData), result
    return result


@pytest.mark.parametrize(("name", "badge_id"), [
    ("url_query_attendee_id.txt", "A12B34"),
    ("url_query_regid.txt", "000451"),
    ("url_query_registration_id.txt", "REG-2026-0042"),
    ("url_query_short_b.txt", "SBpax001"),
    ("url_query_qr.txt", "7F3K9Q2M"),
    ("url_path_segment.txt", "000451"),
    ("url_path_short_link.txt", "SBpax001"),
])
def test_url_badge_id_in_any_common_parameter_or_path(name: str, badge_id: str) -> None:
    data = ok(name)
    assert (data.format, data.badge_id) == ("url", badge_id)


def test_url_contact_fields_percent_encoded() -> None:
    data = ok("url_contact_fields_encoded.txt")
    assert data.fields == {"first_name": "Jürgen", "last_name": "Müller",
                           "company": "Großhandel Köln", "email": "j.mueller@koeln.example",
                           "phone": "+49 221 5550100", "country": "Deutschland"}


def test_url_raw_plus_of_a_phone_is_not_turned_into_a_space() -> None:
    data = ok("url_contact_raw_plus_phone.txt")
    assert data.fields["mobile"] == "+14155550123"
    assert (data.fields["first_name"], data.fields["last_name"]) == ("Jane", "Roe")


def test_a_show_year_page_is_not_a_badge() -> None:
    result = parse_scan("https://www.expo.example/2026\r")
    assert isinstance(result, ScanRejected) and result.kind == "not_a_badge"
    assert ok("url_path_short_link.txt").badge_id == "SBpax001"


def test_url_carrying_a_whole_vcard_reads_the_card() -> None:
    data = ok("url_embedded_vcard.txt")
    assert data.format == "vcard" and data.fields["email"] == "jane@roe.example"


@pytest.mark.parametrize(("name", "what"), [
    ("url_booth_page.txt", "a booth page"),
    ("url_app_store.txt", "an app-store link"),
    ("url_play_store.txt", "an app-store link"),
    ("url_marketing.txt", "a product page"),
    ("url_home_page.txt", "a web page link"),
])
def test_url_without_an_attendee_is_refused_with_the_reason(name: str, what: str) -> None:
    result = read(name)
    assert isinstance(result, ScanRejected) and result.kind == "not_a_badge"
    assert f"is {what} (" in result.reason and "no attendee" in result.reason


@pytest.mark.parametrize("name", ["delimited_caret_no_layout.txt", "delimited_tab.txt",
                                  "delimited_gs_rs.txt", "delimited_semicolon.txt",
                                  "delimited_pipe_shapes.txt"])
def test_delimited_without_a_layout_reads_each_token_by_its_shape(name: str) -> None:
    data = ok(name)
    assert data.format == "delimited"
    assert data.badge_id in ("000451", "000777")
    assert data.fields["notes"].startswith("Badge text: ")  # names kept, never dropped
    assert any("events layout" in warning for warning in data.warnings)


def test_delimited_shapes_email_phone_country() -> None:
    data = ok("delimited_pipe_shapes.txt")
    assert data.fields["email"] == "chen@prt.example"
    assert data.fields["phone"] == "+86 20 5555 0123"
    assert data.fields["country"] == "CN"
    assert "Chen Wei" in data.fields["notes"]


def test_delimited_token_known_to_the_registration_list_is_the_id() -> None:
    # Without the list the first id-shaped token is taken; the list knows "12" is the badge.
    data = parse_scan("5501|12|Jane Roe", registered=REGISTERED.find)
    assert isinstance(data, BadgeData) and data.badge_id == "12"
    assert "5501" in data.fields["notes"]
    alone = parse_scan("5501|12|Jane Roe")
    assert isinstance(alone, BadgeData) and alone.badge_id == "5501"


def test_layout_separator_typed_through_another_keyboard_layout() -> None:
    data = ok("delimited_caret_typed_on_qwertz.txt", "^ first_name,last_name,company,badge_id")
    assert data.badge_id == "0042817"
    assert data.fields == {"first_name": "Amara", "last_name": "Nwosu", "company": "Lagos Fintech"}
    assert any("typed '&'" in warning for warning in data.warnings)


def test_gs_dropped_by_the_wedge_with_a_layout_keeps_the_leading_id() -> None:
    data = ok("delimited_gs_dropped.txt", "GS badge_id,full_name,company,email")
    assert data.badge_id == "000777"
    assert "Pearl River Tech" in data.fields["notes"]
    assert any("dropped the separators" in warning for warning in data.warnings)


def test_gs_dropped_without_a_layout_needs_the_registration_list() -> None:
    assert isinstance(read("delimited_gs_dropped.txt"), ScanRejected)
    assert ok("delimited_gs_dropped.txt", registered=True).badge_id == "000777"


def test_aptify_caret_dropped_finds_the_person_id_in_the_list() -> None:
    assert ok("delimited_aptify_caret_dropped.txt").badge_id == "AieshaAaronson_DanubePartner2427"
    data = ok("delimited_aptify_caret_dropped.txt", "^ notes,badge_id", registered=True)
    assert data.badge_id == "2427"
    assert data.fields["notes"] == "Badge text: AieshaAaronson_DanubePartner"


@pytest.mark.parametrize("name", ["vcard_truncated_mid_field.txt", "mecard_truncated.txt"])
def test_truncated_card_is_refused_whole(name: str) -> None:
    result = read(name)
    assert isinstance(result, ScanRejected) and result.kind == "truncated"
    assert result.reason.startswith("Incomplete scan, scan again")


def test_mecard_needs_its_terminator() -> None:
    closed = parse_scan("MECARD:N:Doe,Jane;EMAIL:jane@example.org;;")
    assert isinstance(closed, BadgeData)
    for cut in ("MECARD:N:Doe,Jane;EMAIL:jane@example.org", "MECARD:N:Doe,Jane;EMAIL:jane@example.org;"):
        assert isinstance(parse_scan(cut), ScanRejected)


@pytest.mark.parametrize(("name", "country"), [
    ("vcard_country_name_german.txt", "US"), ("mecard_country_abbreviation.txt", "ES")])
def test_card_addresses_carry_country_names_we_recognise(name: str, country: str) -> None:
    assert normalise_country(ok(name).fields["country"]) == country


# --- registration matching: vendor prefixes, padding, case (BADGE-FORMATS.md §1.1) -----------

@pytest.mark.parametrize(("scanned", "registered"), [
    ("SBpax001", "pax001"),  # SpotMe: "SB" + confirmation number
    ("SBPAX001", "pax001"),  # ... through Code 39, capitals only
    ("000012", "12"),  # Aptify: PersonID zero-padded to six digits
    ("12", "12"),
    ("451", "000451"),  # typed by hand without the padding
    ("000777", "000777"),
])
def test_registration_index_undoes_prefix_padding_and_case(scanned: str, registered: str) -> None:
    assert REGISTERED.find(scanned) == registered


def test_registration_index_prefers_the_exact_id_and_does_not_invent_matches() -> None:
    index = RegistrationIndex(["SB1234", "1234"])
    assert index.find("SB1234") == "SB1234"
    assert index.find("1234") == "1234"
    assert REGISTERED.find("999") is None and REGISTERED.find("") is None
    assert id_candidates("AB") == ("AB",)  # too short to carry a prefix
    assert match_key("000") == "0" and match_key("00A7") == "a7"


# --- country names (app/domain/contact_data.py is their one home) ----------------------------

@pytest.mark.parametrize(("text", "code"), [
    ("Deutschland", "DE"), ("Allemagne", "DE"), ("Alemania", "DE"), ("DEUTSCHLAND", "DE"),
    ("Bundesrepublik Deutschland", "DE"), ("U.S.A.", "US"), ("USA", "US"), ("U.S.", "US"),
    ("Vereinigte Staaten", "US"), ("États-Unis", "US"), ("Estados Unidos", "US"),
    ("España", "ES"), ("Espagne", "ES"), ("Spanien", "ES"), ("UK", "GB"), ("U.K.", "GB"),
    ("Großbritannien", "GB"), ("Grossbritannien", "GB"), ("Royaume-Uni", "GB"),
    ("Reino Unido", "GB"), ("Vereinigtes Königreich", "GB"), ("Schweiz", "CH"),
    ("Suisse", "CH"), ("Österreich", "AT"), ("Pays-Bas", "NL"), ("deu", "DE"), ("GB", "GB"),
])
def test_country_names_in_any_common_spelling(text: str, code: str) -> None:
    assert normalise_country(text) == code


def test_unknown_country_is_named_in_the_message() -> None:
    with pytest.raises(ValueError, match="'Atlantis' is not a country"):
        normalise_country("Atlantis")
