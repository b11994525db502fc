"""The duplicate matcher on its own: each kind of variation is found, different people are not."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.dedupe.keys import DEFAULT_MIN_SCORE, MatchKeys, ScanStats
from app.domain.dedupe.normalise import canonical_first_name, fold, normalise_company, normalise_email_key
from app.domain.dedupe.scan import MAX_BLOCK, blocking_keys, find_duplicates
from app.domain.dedupe.scoring import match

EVENT = uuid.UUID(int=999)


def lead(n: int, first: str = "Robert", last: str = "Schneider", *, company: str = "Acme GmbH",
         email: str = "robert.schneider@acme.de", phone: str = "+4930123456",
         mobile: str = "", badge: str = "", event: uuid.UUID | None = None) -> MatchKeys:
    return MatchKeys(key=n, id=uuid.UUID(int=n), first_name=first, last_name=last,
                     company=company, email=email, phone_e164=phone, mobile_e164=mobile,
                     badge_id=badge, event_id=event)


BASE = lead(1)


def assert_match(a: MatchKeys, b: MatchKeys, *expected_reasons: str) -> None:
    pair = match(a, b)
    assert pair is not None, f"{a} and {b} should match"
    assert pair.score >= DEFAULT_MIN_SCORE
    for reason in expected_reasons:
        assert any(reason in r for r in pair.reasons), pair.reasons


@pytest.mark.parametrize(("changes", "reason"), [
    ({"last_name": "Schnieder"}, "names"),  # typo
    ({"first_name": "Robret"}, "names"),
    ({"first_name": "Schneider", "last_name": "Robert"}, "swapped"),
    ({"first_name": "Bob"}, "same name"),  # nickname
    ({"email": "Robert.Schneider@ACME.de"}, "same email"),  # case
    ({"email": "robertschneider+fair@acme.de"}, "same email"),  # dots and +tag
    ({"company": "ACME AG"}, "same company"),  # legal-form suffix
    ({"company": "Acme Ltd."}, "same company"),
    ({"email": ""}, "same phone"),  # missing field
    ({"phone_e164": "", "email": ""}, "same company"),
])
def test_each_kind_of_variation_is_found(changes: dict[str, str], reason: str) -> None:
    assert_match(BASE, replace(BASE, key=2, id=uuid.UUID(int=2), **changes), reason)


@pytest.mark.parametrize(("nick", "formal"), [
    ("Bob", "Robert"), ("Bill", "William"), ("Kate", "Katherine"), ("Hans", "Johannes"),
    ("Sepp", "Josef"), ("Paco", "Francisco"),
])
def test_nicknames(nick: str, formal: str) -> None:
    assert canonical_first_name(nick) == canonical_first_name(formal)
    assert_match(lead(1, formal, "Navarro"), lead(2, nick, "Navarro"), "same name")


def test_badge_at_the_same_event_is_a_duplicate() -> None:
    first = lead(1, badge="B-77", event=EVENT)
    rescan = lead(2, badge="B-77", event=EVENT, company="", email="", phone="")
    assert_match(first, rescan, "same badge")
    elsewhere = replace(rescan, event_id=uuid.UUID(int=5))
    assert match(first, elsewhere) is None


@pytest.mark.parametrize("other", [
    # colleague: same company, switchboard and last name
    lead(2, "Jennifer", "Schneider", email="j.schneider@acme.de"),
    lead(2, "Maria", "Lopez", email="maria.lopez@acme.de"),  # colleague sharing the phone
    lead(2, company="Globex Inc.", email="rs@globex.com", phone="+4940999999"),  # namesake
    lead(2, "Roberta", "Schneiderhahn", company="Initech", email="", phone=""),
])
def test_different_people_do_not_match(other: MatchKeys) -> None:
    assert match(BASE, other) is None


def test_normalisation_helpers() -> None:
    assert normalise_company("ACME Solutions GmbH & Co. KG") == "acmesolutions"
    assert normalise_company("Acme S.A.") == normalise_company("ACME SARL") == "acme"
    assert normalise_company("Müller B.V.") == "muller"
    assert normalise_email_key("Max.Muster+Messe@Example.COM") == ("maxmuster@example.com",
                                                                   "maxmuster")
    assert normalise_email_key("not an email") == ("", "")


def test_the_same_lead_is_never_paired_with_itself() -> None:
    assert match(BASE, BASE) is None
    records = [BASE, BASE, replace(BASE, key=2, id=uuid.UUID(int=2))]
    pairs = find_duplicates(records)
    assert [(p.a, p.b) for p in pairs] == [(uuid.UUID(int=1), uuid.UUID(int=2))]


def test_find_duplicates_reports_each_pair_once_best_first() -> None:
    records = [BASE, lead(2, "Bob"), lead(3, "Schneider", "Robert"),
               lead(4, "Anna", "Meyer", company="Other", email="anna@other.com", phone="+4940111")]
    pairs = find_duplicates(records)
    assert {frozenset((p.a.int, p.b.int)) for p in pairs} == {
        frozenset((1, 2)), frozenset((1, 3)), frozenset((2, 3))}
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    assert all(p.a < p.b for p in pairs)


def test_oversized_blocks_are_capped_and_counted() -> None:
    crowd = [lead(n, f"Person{n:04d}", "Smith", company=f"Firm {n}", email=f"p{n}@x{n}.com",
                  phone=f"+44207{n:06d}") for n in range(MAX_BLOCK * 3)]
    stats = ScanStats()
    find_duplicates(crowd, stats=stats)
    assert stats.oversized_blocks >= 1
    assert stats.skipped_by_cap > 0
    assert stats.compared < len(crowd) * (len(crowd) - 1) // 2


def test_cancel_and_progress() -> None:
    calls: list[tuple[int, int]] = []
    find_duplicates([BASE, lead(2, "Bob")], progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1]
    assert find_duplicates([lead(n) for n in range(3000)], cancelled=lambda: True) == []


def test_blocking_keys_cover_the_variations() -> None:
    for variant in (replace(BASE, first_name="Schneider", last_name="Robert"),
                    replace(BASE, first_name="Bob", email="", phone_e164=""),
                    replace(BASE, last_name="Shneider", email="", phone_e164="")):
        assert blocking_keys(BASE) & blocking_keys(variant), variant


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüéABCDEFGHIJKLM -'", max_size=14)
records = st.builds(
    MatchKeys, key=st.integers(1, 10**6), id=st.uuids(), first_name=names, last_name=names,
    company=st.sampled_from(["", "Acme GmbH", "ACME AG", "Globex Inc.", "Initech S.A."]),
    email=st.sampled_from(["", "a@b.de", "A@B.DE", "x.y+z@c.com", "info@acme.de"]),
    phone_e164=st.sampled_from(["", "+4930123456", "+4930999999"]),
    mobile_e164=st.sampled_from(["", "+491701234567"]),
    badge_id=st.sampled_from(["", "B1", "B2"]),
    event_id=st.sampled_from([None, EVENT]))


@settings(max_examples=200, deadline=None)
@given(records, records)
def test_match_is_symmetric(a: MatchKeys, b: MatchKeys) -> None:
    forward, backward = match(a, b, min_score=0), match(b, a, min_score=0)
    if a.id == b.id:
        assert forward is None and backward is None
        return
    assert forward is not None and backward is not None
    assert forward.score == backward.score
    assert (forward.a, forward.b) == (backward.a, backward.b)


@settings(max_examples=200, deadline=None)
@given(records, st.uuids())
def test_a_copy_is_always_found(a: MatchKeys, other_id: uuid.UUID) -> None:
    identified = (fold(a.first_name) or fold(a.last_name)) and (
        a.email or a.phone_e164 or a.mobile_e164 or a.company or (a.badge_id and a.event_id))
    copy = replace(a, key=a.key + 1, id=other_id)
    if a.id == other_id or not identified:
        return
    assert match(a, copy) is not None
    assert find_duplicates([a, copy])
