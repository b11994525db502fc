"""Business-card fields from OCR-like line lists: layouts, languages, and OCR's usual slips."""

from __future__ import annotations

import pytest

from app.domain.business_card import extract_card_fields
from app.domain.card_fields import OcrLine
from app.domain.card_text import evidence_words, restore_spaces, restore_umlauts


def lines(*texts: str, big: int = 0) -> list[OcrLine]:
    """One line per text, top to bottom; line ``big`` drawn tallest (the name, usually)."""
    return [OcrLine(text, (60, 50 * i, 600, 50 * i + (44 if i == big else 24)))
            for i, text in enumerate(texts)]


def read(*texts: str, region: str = "DE", big: int = 0) -> dict[str, str]:
    return extract_card_fields(lines(*texts, big=big), region).values()


def test_a_german_card_with_the_slips_ocr_makes() -> None:
    got = read("Dr. Jurgen Muller", "Leiter Vertrieb", "BrightlineAnalytics GmbH",
               "FriedrichstraBe123", "10117 Berlin", "Tel.+49301234567", "Mobil01712345678",
               "j.mueller@brightline-analytics.de", "www.brightline-analytics.de")
    assert got == {
        "first_name": "Jurgen", "last_name": "Müller", "title": "Leiter Vertrieb",
        "company": "Brightline Analytics GmbH", "street": "Friedrichstraße 123",
        "postal_code": "10117", "city": "Berlin", "country": "DE",
        "phone": "+49 30 1234567", "mobile": "+49 171 2345678",
        "email": "j.mueller@brightline-analytics.de", "website": "www.brightline-analytics.de"}


def test_a_french_card_read_at_a_german_show_dials_french_numbers() -> None:
    got = read("Camille Dubois", "Directrice commerciale", "Société Lumière SAS",
               "12,rue de la Paix", "75002 Paris", "France", "Tél. 01 42 68 53 00",
               "Portable 06 12 34 56 78", "camille.dubois@lumiere-sas.fr")
    assert got["first_name"] == "Camille" and got["last_name"] == "Dubois"
    assert got["title"] == "Directrice commerciale"
    assert got["company"] == "Société Lumière SAS"
    assert got["street"] == "12, rue de la Paix"
    assert (got["postal_code"], got["city"], got["country"]) == ("75002", "Paris", "FR")
    assert got["phone"] == "+33 1 42 68 53 00" and got["mobile"] == "+33 6 12 34 56 78"


def test_a_spanish_card_keeps_both_surnames() -> None:
    got = read("José García López", "Jefe de Ventas", "Grupo Meridiano",
               "CalledeAlcalá45", "28014Madrid", "España", "T 912 345 678",
               "jose.garcia@grupomeridiano.es", region="ES")
    assert (got["first_name"], got["last_name"]) == ("José", "García López")
    assert got["title"] == "Jefe de Ventas" and got["company"] == "Grupo Meridiano"
    assert got["street"] == "Calle de Alcalá 45"
    assert (got["postal_code"], got["city"], got["country"]) == ("28014", "Madrid", "ES")
    assert got["phone"] == "+34 912 34 56 78"


def test_an_english_card_with_the_company_on_top() -> None:
    got = read("Harbour Data Ltd", "Sarah Connor", "Head of Marketing", "221BakerStreet",
               "London SW1A 1AA", "Phone +44 20 7946 0958", "Mobile +44 7911 123456",
               "sarah@harbourdata.co.uk", "www.harbourdata.co.uk", region="DE")
    assert (got["first_name"], got["last_name"]) == ("Sarah", "Connor")
    assert got["company"] == "Harbour Data Ltd" and got["title"] == "Head of Marketing"
    assert got["street"] == "221 Baker Street"
    assert (got["city"], got["postal_code"], got["country"]) == ("London", "SW1A 1AA", "GB")
    assert got["mobile"] == "+44 7911 123456"


def test_a_us_address_with_state_and_zip() -> None:
    got = read("Dana Whitfield", "VP Sales", "100 Congress Avenue", "Austin, TX 78701",
               "+1 512 555 0142", "dana.whitfield@pinecrest.com", region="US")
    assert (got["street"], got["city"], got["region"], got["postal_code"]) == (
        "100 Congress Avenue", "Austin", "TX", "78701")
    assert got["country"] == "US"


@pytest.mark.parametrize(("title", "language"), [
    ("Leiter Vertrieb", "de"), ("Geschäftsführerin", "de"), ("LeiterEinkauf", "de"),
    ("Directeur commercial", "fr"), ("Responsable achats", "fr"),
    ("Jefa de Compras", "es"), ("Gerente General", "es"), ("Chief Technology Officer", "en")])
def test_titles_in_four_languages(title: str, language: str) -> None:
    got = read("Kim Weber", title, "kim.weber@acme-tools.com")
    assert got["title"].replace(" ", "") == title.replace(" ", ""), language
    assert got["last_name"] == "Weber"


def test_the_name_is_the_line_the_email_names_not_the_tallest() -> None:
    got = read("NORDWERK", "Key Account Manager", "Lukas Becker", "l.becker@nordwerk.de",
               big=0)
    assert (got["first_name"], got["last_name"]) == ("Lukas", "Becker")
    assert got["company"] == "NORDWERK"


def test_an_upper_case_surname_and_a_name_particle() -> None:
    assert read("Jürgen MÜLLER", "info@acme.de")["last_name"] == "Müller"
    got = read("Jan van der Berg", "Sales Manager", "jan@bergtech.nl")
    assert (got["first_name"], got["last_name"]) == ("Jan", "van der Berg")


def test_a_fax_number_is_left_out_and_an_unlabelled_mobile_is_recognised() -> None:
    got = read("Anna Weber", "Fax +49 30 1234568", "+49 30 1234567", "0171 2345678",
               "anna.weber@acme.de")
    assert got["phone"] == "+49 30 1234567" and got["mobile"] == "+49 171 2345678"


def test_every_guess_has_a_confidence_and_a_mere_guess_says_so() -> None:
    fields = extract_card_fields(lines("Anna Weber", "anna.weber@acme.de", "Quality first",
                                       "+49 30 1234567 / 42"), "DE")
    assert fields.guesses["email"].confidence >= fields.guesses["last_name"].confidence
    assert all(0 < g.confidence <= 1 for g in fields.guesses.values())
    # No legal form, no domain match: the only line left is offered as the company, doubtfully.
    assert fields.guesses["company"].value == "Quality first"
    assert fields.guesses["company"].confidence < 0.5


def test_a_card_without_anything_readable() -> None:
    assert extract_card_fields([], "DE").values() == {}
    assert extract_card_fields(lines("   "), "DE").values() == {}


def test_space_and_umlaut_repair_need_evidence() -> None:
    words = evidence_words("brightline-analytics.com")
    assert restore_spaces("BrightlineAnalytics", words) == "Brightline Analytics"
    assert restore_spaces("PayPal", words) == "PayPal"  # no evidence: left alone
    assert restore_spaces("directeurcommercial", {"directeur", "commercial"}) == \
        "directeur commercial"
    assert restore_umlauts("Muller", {"mueller"}) == "Müller"
    assert restore_umlauts("GroBmann", {"grossmann"}) == "Großmann"
    assert restore_umlauts("Mueller", {"mueller"}) == "Mueller"  # written as the person does
    assert restore_umlauts("Muller", {"weber"}) == "Muller"


def test_ocr_slips_the_card_itself_corrects() -> None:
    got = read("TalleresNorteS.A.", "Elena Fernandez Ruiz", "Jefa de Compras",
               "elena@talleresnorte.es", region="DE")
    assert got["company"] == "Talleres Norte S.A."  # domain letters + the capitals OCR kept
    assert (got["first_name"], got["last_name"]) == ("Elena", "Fernandez Ruiz")  # .es card
    got = read("Vectislndustrie SA", "Thomas Girard", "thomas.girard@vectis-industrie.fr")
    assert got["company"] == "Vectis Industrie SA"  # l read for I
    got = read("Harbour DataLtd", "Lucy Patel", "I.patel@harbourdata.co.uk")
    assert got["company"] == "Harbour Data Ltd"
    assert got["email"] == "l.patel@harbourdata.co.uk"  # Lucy's initial, not an I
    got = read("Javier sanchez", "IngenierodeProyectos", "javier.sanchez@meridiano.es")
    assert (got["first_name"], got["last_name"]) == ("Javier", "Sanchez")
    assert got["title"] == "Ingeniero de Proyectos"


def test_without_evidence_a_three_word_name_keeps_one_surname_outside_spanish_cards() -> None:
    got = read("Anna Maria Weber", "info@acme.de")
    assert (got["first_name"], got["last_name"]) == ("Anna Maria", "Weber")


def test_a_bare_web_address_and_a_mailbox_called_mail() -> None:
    got = read("Kim Berger", "Berger Consulting", "Email:mail@berger-consulting.de",
               "berger-consulting.de")
    assert got["email"] == "mail@berger-consulting.de"
    assert got["website"] == "berger-consulting.de"
    assert got["company"] == "Berger Consulting"
    assert read("Kim Berger", "Emailkim@berger.de")["email"] == "kim@berger.de"
