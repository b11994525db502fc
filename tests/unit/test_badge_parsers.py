"""Badge payload parsing: every format from BADGE-FORMATS.md, with payloads written for these tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.importers.badges import BADGE_FIELDS, BadgeData, DelimitedLayout, ScanRejected, parse_scan
from app.importers.badges.sniff import _parse


def ok(raw: str, layout: DelimitedLayout | None = None) -> BadgeData:
    result = parse_scan(raw, layout=layout)
    assert isinstance(result, BadgeData), result
    return result


def rejected(raw: str, kind: str, layout: DelimitedLayout | None = None) -> ScanRejected:
    result = parse_scan(raw, layout=layout)
    assert isinstance(result, ScanRejected), result
    assert result.kind == kind, result
    assert result.reason.endswith(".")
    return result


# --- vCard -------------------------------------------------------------------------------------

VCARD_21_QP = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen;;Dr.;\r\n"
    "FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Dr. J=FCrgen M=FCller\r\n"
    "ORG;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Gro=DFhandel K=F6ln GmbH;Eink=\r\n"
    "auf\r\n"
    "TITLE:Head of Purchasing\r\n"
    "TEL;WORK;VOICE:+49 221 555 0100\r\n"
    "TEL;CELL:+49 170 555 0199\r\n"
    "TEL;WORK;FAX:+49 221 555 0101\r\n"
    "ADR;WORK;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:;;Stra=DFe des 17. Juni 4=\r\n"
    "2;K=F6ln;NRW;50667;Germany\r\n"
    "EMAIL;PREF;INTERNET:j.mueller@grosshandel-koeln.example\r\n"
    "END:VCARD\r\n"
)


def test_vcard_21_quoted_printable_with_charset_and_soft_breaks() -> None:
    data = ok(VCARD_21_QP)
    assert data.format == "vcard"
    assert data.fields["first_name"] == "Jürgen"
    assert data.fields["last_name"] == "Müller"
    assert data.fields["company"] == "Großhandel Köln GmbH"
    assert data.fields["street"] == "Straße des 17. Juni 42"
    assert data.fields["city"] == "Köln"
    assert data.fields["region"] == "NRW"
    assert data.fields["postal_code"] == "50667"
    assert data.fields["country"] == "Germany"
    assert data.fields["phone"] == "+49 221 555 0100"
    assert data.fields["mobile"] == "+49 170 555 0199"
    assert data.fields["email"] == "j.mueller@grosshandel-koeln.example"
    assert data.warnings == ()


VCARD_30 = (
    "BEGIN:VCARD\n"
    "VERSION:3.0\n"
    "N:Okafor;Adaeze;;;\n"
    "FN:Adaeze Okafor\n"
    "ORG:Brightwater Analytics\\, Ltd.;Research\n"
    "TITLE:Director of Data\n"
    "  Science\n"
    "TEL;TYPE=FAX:+44 20 7946 0001\n"
    "TEL;TYPE=work,voice:+44 20 7946 0000\n"
    "EMAIL;TYPE=INTERNET:adaeze@brightwater.example\n"
    "ADR;TYPE=WORK:;Floor 3;12 Harbour Road;Leeds;;LS1 4AB;GB\n"
    "NOTE:Met at booth 12\\nwants demo\\; follow up\n"
    "URL:https://brightwater.example\n"
    "END:VCARD\n"
)


def test_vcard_30_folding_and_escaped_comma_in_org() -> None:
    data = ok(VCARD_30)
    assert data.fields["company"] == "Brightwater Analytics, Ltd."
    assert data.fields["title"] == "Director of Data Science"
    assert data.fields["phone"] == "+44 20 7946 0000"
    assert "mobile" not in data.fields
    assert data.fields["street"] == "Floor 3, 12 Harbour Road"
    assert data.fields["postal_code"] == "LS1 4AB"
    assert data.fields["country"] == "GB"
    assert data.fields["notes"] == "Met at booth 12\nwants demo; follow up"
    assert data.fields["website"] == "https://brightwater.example"


VCARD_40 = (
    "\ufeffBEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "FN:Søren Kierkegaard-Lund\r\n"
    "ORG:Nordlys A/S\r\n"
    "TEL;VALUE=uri;TYPE=\"voice,work\":tel:+45-33-12-34-56;ext=102\r\n"
    "TEL;VALUE=uri;TYPE=cell;PREF=1:tel:+45-20-98-76-54\r\n"
    "EMAIL;TYPE=work:soren@nordlys.example\r\n"
    "UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r\n"
    "X-BADGE-ID:0004711\r\n"
    "END:VCARD\r\n"
)


def test_vcard_40_tel_uri_bom_and_badge_id() -> None:
    data = ok(VCARD_40)
    assert data.fields["first_name"] == "Søren"
    assert data.fields["last_name"] == "Kierkegaard-Lund"
    assert data.fields["phone"] == "+45-33-12-34-56 ext. 102"
    assert data.fields["mobile"] == "+45-20-98-76-54"
    assert data.badge_id == "0004711"


def test_vcard_uid_is_badge_id_without_urn_prefix() -> None:
    data = ok(VCARD_40.replace("X-BADGE-ID:0004711\r\n", ""))
    assert data.badge_id == "4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"


VCARD_APPLE = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\n"
    "N:Tanaka;Hiroshi;;;\r\nFN:Hiroshi Tanaka\r\nORG:Kaizen Robotics;\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:hiroshi@kaizen.example\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n"
    "item2.TEL;type=pref:+81 3-1234-5678\r\nitem2.X-ABLabel:Office\r\n"
    "item3.ADR;type=WORK:;;1-2-3 Shibuya;Tokyo;;150-0002;Japan\r\n"
    "END:VCARD\r\n"
)


def test_vcard_apple_item_groups() -> None:
    data = ok(VCARD_APPLE)
    assert data.fields["email"] == "hiroshi@kaizen.example"
    assert data.fields["phone"] == "+81 3-1234-5678"
    assert data.fields["company"] == "Kaizen Robotics"
    assert data.fields["country"] == "Japan"
    assert data.fields["city"] == "Tokyo"


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n", " ", "\t"])
def test_vcard_line_break_variants(newline: str) -> None:
    lines = [
        "BEGIN:VCARD", "VERSION:3.0", "N:García;Lucía;;;", "ORG:Soluciones Ibéricas SL",
        "TEL;TYPE=CELL:+34 612 34 56 78", "EMAIL:lucia@ibericas.example", "END:VCARD",
    ]
    data = ok(newline.join(lines) + "\r")
    assert data.fields["first_name"] == "Lucía"
    assert data.fields["last_name"] == "García"
    assert data.fields["company"] == "Soluciones Ibéricas SL"
    assert data.fields["mobile"] == "+34 612 34 56 78"
    assert data.fields["email"] == "lucia@ibericas.example"


def test_vcard_lowercase_names_and_fn_only() -> None:
    data = ok("begin:vcard\nversion:3.0\nfn:Priya Raman\nemail:priya@example.org\nend:vcard")
    assert (data.fields["first_name"], data.fields["last_name"]) == ("Priya", "Raman")


def test_vcard_pager_and_fax_are_never_chosen() -> None:
    data = ok("BEGIN:VCARD\nVERSION:2.1\nN:Doe;Jo\nTEL;PAGER:111\nTEL;FAX:222\nEND:VCARD")
    assert "phone" not in data.fields and "mobile" not in data.fields


def test_vcard_mojibake_is_repaired_with_warning() -> None:
    data = ok("BEGIN:VCARD\nVERSION:3.0\nN:MÃ¼ller;Ã‰lodie\nEND:VCARD")
    assert data.fields["last_name"] == "Müller"
    assert data.fields["first_name"] == "Élodie"
    assert any("repaired garbled accents" in w and "MÃ¼ller → Müller" in w for w in data.warnings)


def test_vcard_without_end_is_truncated() -> None:
    rejected(VCARD_30[: VCARD_30.index("END:VCARD")], "truncated")
    rejected("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe", "truncated")


def test_vcard_with_nothing_usable_is_truncated() -> None:
    rejected("BEGIN:VCARD\nVERSION:3.0\nEND:VCARD", "truncated")


def test_vcard_with_hanging_soft_break_is_truncated() -> None:
    rejected("BEGIN:VCARD\nN;ENCODING=QUOTED-PRINTABLE:M=FC=\n", "truncated")


def test_vcard_qp_labelled_latin1_but_really_utf8_is_repaired() -> None:
    data = ok("BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=ISO-8859-1;QUOTED-PRINTABLE:M=C3=BCller;Anna\nEND:VCARD")
    assert data.fields["last_name"] == "Müller"
    assert data.warnings


def test_vcard_qp_utf8_with_crlf_soft_break_sequence() -> None:
    data = ok(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Schneider;Jan\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Zeile eins=0D=0A=\r\nZeile zw=C3=B6lf\r\n"
        "END:VCARD\r\n"
    )
    assert data.fields["notes"] == "Zeile eins\r\nZeile zwölf"


def test_characters_lost_as_question_marks_are_flagged() -> None:
    data = ok("MECARD:N:M?ller,Anna;EMAIL:anna@example.org;;")
    assert any("M?ller" in w for w in data.warnings)


# --- MECARD ------------------------------------------------------------------------------------

def test_mecard_with_escapes_and_uid() -> None:
    data = ok(
        "MECARD:N:O\\'Brien,Siobhán;TEL:+353 1 555 0123;EMAIL:siobhan@celtic.example;"
        "ORG:Celtic Tides\\, Ltd.\\; Dublin;TITLE:CTO;UID:EVM-000345;;\r"
    )
    assert data.format == "mecard"
    assert data.fields["last_name"] == "O'Brien"
    assert data.fields["first_name"] == "Siobhán"
    assert data.fields["company"] == "Celtic Tides, Ltd.; Dublin"
    assert data.fields["title"] == "CTO"
    assert data.fields["phone"] == "+353 1 555 0123"
    assert data.badge_id == "EVM-000345"
    assert data.warnings == ()


def test_mecard_address_fields() -> None:
    data = ok("MECARD:N:Sato,Yuki;ADR:,Room 5,2-1 Marunouchi,Chiyoda,Tokyo,100-0005,JP;;")
    assert data.fields["street"] == "Room 5, 2-1 Marunouchi"
    assert data.fields["city"] == "Chiyoda"
    assert data.fields["region"] == "Tokyo"
    assert data.fields["postal_code"] == "100-0005"
    assert data.fields["country"] == "JP"


def test_mecard_without_closing_is_refused_as_incomplete() -> None:
    result = rejected("MECARD:N:Doe,Jane;EMAIL:jane@example.org", "truncated")
    assert result.reason.startswith("Incomplete scan, scan again")


def test_mecard_empty_is_truncated() -> None:
    rejected("MECARD:", "truncated")


# --- JSON --------------------------------------------------------------------------------------

def test_json_cvent_style() -> None:
    data = ok(
        '{"referenceId":"00A7731","firstName":"Marcus","lastName":"Lindqvist",'
        '"email":"marcus@fjord.example","company":"Fjord Systems AB","title":"CEO",'
        '"workPhone":"+46 8 123 456 78","mobilePhone":"+46 70 123 45 67","homePhone":"",'
        '"workAddress":{"address1":"Sveavägen 1","address2":"Plan 4","city":"Stockholm",'
        '"state":"","zip":"111 57","country":"SWE"},"customFields":[{"id":"1","name":"Q","value":"A"}]}'
    )
    assert data.format == "json"
    assert data.badge_id == "00A7731"
    assert data.fields["mobile"] == "+46 70 123 45 67"
    assert data.fields["phone"] == "+46 8 123 456 78"
    assert data.fields["street"] == "Sveavägen 1, Plan 4"
    assert data.fields["postal_code"] == "111 57"
    assert data.fields["country"] == "SWE"


def test_json_numbers_stay_text_and_other_spellings() -> None:
    data = ok('{"badgeId": 814847311126137001, "first_name": "Ana", "organization": "X", "jobTitle": "Dev"}')
    assert data.badge_id == "814847311126137001"
    assert data.fields["company"] == "X" and data.fields["title"] == "Dev"


def test_json_truncated_and_not_a_badge() -> None:
    rejected('{"firstName":"Marcus","lastNa', "truncated")
    rejected('{"ssid": "guest"}', "not_a_badge")


# --- URLs --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "badge_id"),
    [
        ("https://scan.expo.example/lead?badge_id=000451&first_name=Jane", "000451"),
        ("http://expo.example/b/SBpax001", "SBpax001"),
        ("URLTO:expo.example/attendee/A12B34?utm_source=badge", "A12B34"),
        ("https://expo.example/checkin#/?ref=77881", "77881"),
    ],
)
def test_url_badge_ids(raw: str, badge_id: str) -> None:
    data = ok(raw)
    assert data.format == "url"
    assert data.badge_id == badge_id


def test_url_contact_fields_from_query() -> None:
    data = ok("https://leads.example/s?id=99&firstName=Jane&lastName=Roe&email=jane%40roe.example")
    assert data.fields == {"first_name": "Jane", "last_name": "Roe", "email": "jane@roe.example"}


def test_mailto_gives_an_email() -> None:
    data = ok("mailto:ines@example.pt?subject=Hello")
    assert data.fields == {"email": "ines@example.pt"}


def test_url_without_id_is_not_a_badge() -> None:
    rejected("https://www.example.com/", "not_a_badge")


# --- delimited ---------------------------------------------------------------------------------

def test_delimited_caret_layout() -> None:
    layout = DelimitedLayout.parse("^ first_name,last_name,company,badge_id")
    data = ok("Amara^Nwosu^Lagos Fintech^0042817\r", layout)
    assert data.format == "delimited"
    assert data.badge_id == "0042817"
    assert data.fields == {"first_name": "Amara", "last_name": "Nwosu", "company": "Lagos Fintech"}


def test_delimited_aptify_last_token_is_id() -> None:
    layout = DelimitedLayout.parse("^ notes,badge_id")
    data = ok("AieshaAaronson_DanubePartner^2427", layout)
    assert data.badge_id == "2427"


@pytest.mark.parametrize("gs", ["\x1d", "<GS>", "Alt+029", "^]"])
def test_delimited_gs_layout_and_its_renderings(gs: str) -> None:
    layout = DelimitedLayout.parse("GS badge_id,full_name,company,email")
    data = ok(f"]L2000777{gs}Chen Wei{gs}Pearl River Tech{gs}chen@prt.example\r\n", layout)
    assert data.badge_id == "000777"
    assert data.fields["first_name"] == "Chen" and data.fields["last_name"] == "Wei"
    assert data.fields["email"] == "chen@prt.example"


def test_delimited_wrong_count_and_missing_layout() -> None:
    layout = DelimitedLayout.parse("^ first_name,last_name,badge_id")
    rejected("a^b^c^d^e", "unreadable", layout)
    rejected("a^b^c^d^e", "unreadable")
    by_shape = ok("Amara^Nwosu^Lagos^0042817", layout)  # does not fit: read token by token
    assert by_shape.badge_id == "0042817"
    assert by_shape.fields["notes"] == "Badge text: Amara · Nwosu · Lagos"
    assert any("does not fit the event's badge layout" in w for w in by_shape.warnings)


def test_layout_parse_describe_round_trip_and_errors() -> None:
    for spec in ("^ first_name,last_name,company,badge_id", "TAB ,badge_id,email", "GS badge_id", "| city"):
        assert DelimitedLayout.parse(spec).describe() == spec
    assert DelimitedLayout.parse("\t badge_id").separator == "\t"
    assert DelimitedLayout.parse("| first_name, last_name").fields == ("first_name", "last_name")
    for bad in ("", "^", "^ ", "^ shoe_size", "^ email,email", "x email", "^ full_name,last_name"):
        with pytest.raises(ValueError):
            DelimitedLayout.parse(bad)


# --- plain ids, framing, rejections ------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "badge_id"),
    [
        ("SBpax001\r", "SBpax001"),
        ("000012\n", "000012"),
        ("*000012*", "000012"),
        ("0814847311126137001\r\n", "0814847311126137001"),
        ("\x02]C0A-77_3.9/1\x03", "A-77_3.9/1"),
        ("\ufeff4006381333931\t", "4006381333931"),  # an EAN-13 (not ISBN) may be a badge id
        ("\x07ABC123\r", "ABC123"),
        ("ABC123\rABC123\r", "ABC123"),
    ],
)
def test_plain_ids(raw: str, badge_id: str) -> None:
    data = ok(raw)
    assert data == BadgeData(format="id", badge_id=badge_id)


@pytest.mark.parametrize(
    "raw",
    [
        "&ààé\"'\r",  # 100234 on AZERTY
        "MECARDÖNÖDoe,Jane;EMAILÖjane\"example.org;;",  # QWERTZ
        "BEGINÖVCARD\rVERSIONÖ3.0\rEND:VCARD",
        "httpsÖ--expo.example-b-123",
        "jane.doe\"example.com",  # UK: @ became "
    ],
)
def test_keyboard_layout_garbage(raw: str) -> None:
    result = rejected(raw, "keyboard_layout")
    assert "keyboard layout" in result.reason


def test_mecard_layout_reason_names_the_signature() -> None:
    assert "MECARDÖ instead of MECARD:" in rejected("MECARDÖNÖDoe", "keyboard_layout").reason


@pytest.mark.parametrize(
    "raw",
    ["WIFI:T:WPA;S:ExpoGuest;P:secret;;", "BEGIN:VEVENT\nSUMMARY:Keynote\nEND:VEVENT", "9780306406157",
     "9791032300824"],
)
def test_not_a_badge(raw: str) -> None:
    rejected(raw, "not_a_badge")


@pytest.mark.parametrize("raw", ["", "\r\n", "\x02\x03", "\ufeff", "  \t "])
def test_empty(raw: str) -> None:
    rejected(raw, "empty")


def test_far_too_long_input_is_refused_quickly() -> None:
    rejected("a" * 100_000, "unreadable")


def test_unreadable_shows_first_characters() -> None:
    result = rejected("Hello, this is not a badge at all, is it?", "unreadable")
    assert "Hello, this is not" in result.reason
    rejected("ab", "unreadable")


# --- properties --------------------------------------------------------------------------------

VALID_PAYLOADS = [VCARD_21_QP, VCARD_30, VCARD_40, VCARD_APPLE, "MECARD:N:Doe,Jane;TEL:1;UID:9;;",
                  '{"firstName":"A","workAddress":{"city":"B"}}', "https://x.example/b/123?id=5",
                  "Amara^Nwosu^Lagos^0042817", "SBpax001"]
LAYOUT = DelimitedLayout.parse("^ first_name,last_name,company,badge_id")


def _check(raw: str) -> None:
    result = _parse(raw, LAYOUT)  # the internal parser: no safety net, so a bug would surface
    assert isinstance(result, BadgeData | ScanRejected)
    if isinstance(result, BadgeData):
        assert all(value and isinstance(value, str) for value in result.fields.values())
        assert set(result.fields) <= set(BADGE_FIELDS)
        assert result.format in {"vcard", "mecard", "json", "url", "delimited", "id"}
    else:
        assert result.kind in {"empty", "keyboard_layout", "truncated", "not_a_badge", "unreadable"}
    assert isinstance(parse_scan(raw), BadgeData | ScanRejected)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))  # every code point but surrogates, control characters included
def test_never_raises_on_arbitrary_text(raw: str) -> None:
    _check(raw)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID_PAYLOADS), st.data())
def test_never_raises_on_mutated_or_truncated_payloads(payload: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(payload)))
    text = payload[:cut]
    for _ in range(data.draw(st.integers(0, 4))):
        pos = data.draw(st.integers(0, len(text)))
        insert = data.draw(st.text(alphabet="\r\n\t\x1d\x02\x03=;:,\\\"{}^ÃÖ\ufeff ", max_size=3))
        delete = data.draw(st.integers(0, 3))
        text = text[:pos] + insert + text[pos + delete:]
    _check(text)
