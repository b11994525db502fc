"""Default rules that translate other tools' choice values into ours, and the person's own."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.value_rules import value_key
from app.domain.value_vocabulary import (
    KEEP_ORIGINAL,
    VOCABULARY_FIELDS,
    ValueMapping,
    ValueMappingError,
    ValueSource,
    default_translation,
    describe_originals,
    parse_value_mapping,
    translate_fields,
)
from app.importers.mapping import ColumnMapping, MappingError

# (field, value as exported, ours) from the vendors' documented picklists and common show exports.
VENDOR_VALUES = [
    # Salesforce Lead Status defaults and Rating
    ("status", "Open - Not Contacted", "inquiry"),
    ("status", "Working - Contacted", "prospect"),
    ("status", "Closed - Converted", "converted"),
    ("status", "Closed - Not Converted", "disqualified"),
    ("status", "CLOSED_NOT_CONVERTED", "disqualified"),
    ("rating", "Hot", "hot"),
    ("channel", "Partner Referral", "partner"),
    ("channel", "Purchased List", "import"),
    ("channel", "Seminar - Internal", "trade_show"),
    ("channel", "Word of mouth", "referral"),
    # HubSpot lifecycle stages (internal values) and lead statuses (upper-case export form)
    ("status", "subscriber", "suspect"),
    ("status", "lead", "inquiry"),
    ("status", "marketingqualifiedlead", "mql"),
    ("status", "salesqualifiedlead", "sql"),
    ("status", "opportunity", "converted"),
    ("status", "customer", "won"),
    ("status", "evangelist", "won"),
    ("status", "NEW", "inquiry"),
    ("status", "OPEN", "inquiry"),
    ("status", "IN_PROGRESS", "prospect"),
    ("status", "OPEN_DEAL", "converted"),
    ("status", "UNQUALIFIED", "disqualified"),
    ("status", "ATTEMPTED_TO_CONTACT", "suspect"),
    ("status", "CONNECTED", "prospect"),
    ("status", "BAD_TIMING", "nurture"),
    ("channel", "PAID_SEARCH", "advertising"),
    ("channel", "ORGANIC_SEARCH", "web"),
    ("channel", "EMAIL_MARKETING", "email"),
    # Dynamics 365 statecode / statuscode / leadqualitycode
    ("status", "Qualified", "converted"),
    ("status", "Disqualified", "disqualified"),
    ("status", "Contacted", "prospect"),
    ("status", "Lost", "lost"),
    ("status", "Cannot Contact", "disqualified"),
    ("status", "No Longer Interested", "disqualified"),
    ("status", "Canceled", "disqualified"),
    ("rating", "Warm", "warm"),
    # Pipedrive labels
    ("rating", "Hot Lead", "hot"),
    ("rating", "Cold lead", "cold"),
    # Zoho Lead Status (display and upper-snake export forms)
    ("status", "Attempted to Contact", "suspect"),
    ("status", "Contact in Future", "nurture"),
    ("status", "Junk Lead", "disqualified"),
    ("status", "JUNK_LEAD", "disqualified"),
    ("status", "Lost Lead", "lost"),
    ("status", "Not Contacted", "inquiry"),
    ("status", "Pre-Qualified", "mql"),
    ("status", "NOT_QUALIFIED", "disqualified"),
    ("channel", "Cold Call", "phone"),
    ("channel", "Web Download", "web"),
    # words in German, French and Spanish
    ("rating", "heiß", "hot"), ("rating", "HEISS", "hot"), ("rating", "chaud", "hot"),
    ("rating", "caliente", "hot"), ("rating", "tiède", "warm"), ("rating", "Tiede", "warm"),
    ("rating", "kalt", "cold"), ("rating", "frío", "cold"), ("rating", "sehr heiß!", "hot"),
    ("status", "neu", "inquiry"), ("status", "gagné", "won"), ("status", "perdido", "lost"),
    ("channel", "Messe", "trade_show"), ("channel", "Salon Pollutec 2026", "trade_show"),
    ("consent", "ja", "granted"), ("consent", "Oui", "granted"), ("consent", "nein", "declined"),
    ("consent", "Opted out", "declined"),
    # grades, stars and numbers
    ("rating", "A", "hot"), ("rating", "B", "warm"), ("rating", "C", "cold"), ("rating", "D", "cold"),
    ("rating", "A+", "hot"), ("rating", "★★★★★", "hot"), ("rating", "★★★", "warm"),
    ("rating", "★★☆☆☆", "cold"), ("rating", "***", "warm"), ("rating", "4/5", "hot"),
    ("rating", "7 / 10", "hot"), ("rating", "5", "hot"), ("rating", "3", "warm"),
    ("rating", "1", "cold"), ("rating", "4,5", "hot"), ("rating", "92", "hot"),
    ("rating", "55", "warm"), ("rating", "12", "cold"), ("rating", "80%", "hot"),
]


@pytest.mark.parametrize(("field", "raw", "ours"), VENDOR_VALUES)
def test_vendor_and_show_values_translate_by_default(field: str, raw: str, ours: str) -> None:
    translation = default_translation(field, raw)
    assert translation.value == ours, translation
    assert translation.source in (ValueSource.DEFAULT, ValueSource.OURS)
    assert translation.explanation  # every rule says why


def test_our_own_values_and_labels_are_ours() -> None:
    assert default_translation("status", "MQL").source is ValueSource.OURS
    assert default_translation("channel", "Trade show").value == "trade_show"
    assert default_translation("channel", "TRADE_SHOW").value == "trade_show"


def test_normalising_case_accents_punctuation_and_underscores() -> None:
    assert value_key("Closed - Not Converted") == value_key("CLOSED_NOT_CONVERTED") \
        == "closed not converted"
    assert value_key("  Heiß ") == "heiss" and value_key("Tiède") == "tiede"


@pytest.mark.parametrize(("field", "raw"), [
    ("rating", "Tier-1 prospect"), ("rating", "250"), ("rating", "Hot, Cold"),
    ("status", "other"), ("rating", "Acquired"), ("channel", "Carrier pigeon"),
])
def test_values_no_rule_knows_are_kept_with_a_reason(field: str, raw: str) -> None:
    translation = default_translation(field, raw)
    assert translation.source is ValueSource.KEPT and translation.value == KEEP_ORIGINAL
    assert translation.explanation == f"no rule knows this {field}"


def test_the_persons_choice_wins_over_the_default_rule() -> None:
    mapping = ValueMapping().with_choice("rating", "A", "warm").with_choice(
        "rating", "Tier-1 prospect", "hot").with_choice("status", "NEW", KEEP_ORIGINAL)
    assert mapping.translate("rating", "a").value == "warm"
    assert mapping.translate("rating", "A").source is ValueSource.USER
    assert mapping.translate("rating", "TIER_1 prospect").value == "hot"
    kept = mapping.translate("status", "New")
    assert kept.source is ValueSource.KEPT and "your choice" in kept.explanation
    assert mapping.with_choice("rating", "A", None).translate("rating", "A").value == "hot"


def test_translate_fields_moves_untranslatable_values_to_originals() -> None:
    result = translate_fields({"email": "a@b.example", "rating": "Tier-1 prospect",
                               "status": "IN_PROGRESS"}, ValueMapping())
    assert result.values == {"email": "a@b.example", "status": "prospect"}
    assert result.originals == {"rating": "Tier-1 prospect"}
    assert result.notes["rating"] == ("'Tier-1 prospect': no rule knows this rating; kept as the "
                                     "original value")


def test_cli_spec_parses_and_names_bad_fields_and_targets() -> None:
    mapping = parse_value_mapping("rating:A=hot,B=warm, Tier 1 = HOT,X=keep")
    assert mapping.translate("rating", "tier 1").value == "hot"
    assert mapping.translate("rating", "x").source is ValueSource.KEPT
    with pytest.raises(ValueMappingError, match="'colour' has no value vocabulary"):
        parse_value_mapping("colour:red=hot")
    with pytest.raises(ValueMappingError, match="'boiling' is not a rating"):
        parse_value_mapping("rating:A=boiling")
    with pytest.raises(ValueMappingError, match="not FIELD:VALUE=OURS"):
        parse_value_mapping("rating")
    with pytest.raises(ValueMappingError, match="not VALUE=OURS"):
        parse_value_mapping("rating:A")


def test_value_mapping_is_saved_with_the_template_and_old_templates_still_read() -> None:
    columns = ColumnMapping((("Rating", "rating"), ("Email", "email")))
    mapping = columns.with_values(parse_value_mapping("rating:A=warm"))
    data = json.loads(mapping.to_json())
    assert data["values"] == {"rating": {"A": "warm"}}
    again = ColumnMapping.from_json(mapping.to_json())
    assert again.values.translate("rating", "A").value == "warm"
    assert again.with_target("Email", "").values == again.values  # column edits keep them
    old = ColumnMapping.from_json(json.dumps({"version": 1, "columns": [["Rating", "rating"]]}))
    assert not old.values
    damaged = json.dumps({"version": 1, "columns": [], "values": {"rating": {"A": "boiling"}}})
    with pytest.raises(MappingError, match="value mapping is damaged"):
        ColumnMapping.from_json(damaged)


def test_describe_originals() -> None:
    assert describe_originals('{"rating": "Tier-1 prospect"}') == "rating 'Tier-1 prospect'"
    assert describe_originals("") == ""


@given(field=st.sampled_from(sorted(VOCABULARY_FIELDS)), raw=st.text(max_size=60))
def test_any_text_translates_or_is_kept_never_raises(field: str, raw: str) -> None:
    translation = default_translation(field, raw)
    allowed = {m.value for m in VOCABULARY_FIELDS[field]}
    if translation.source is ValueSource.KEPT:
        assert translation.value == KEEP_ORIGINAL
    else:
        assert translation.value in allowed
