"""Review reasons: codes a program can filter on, sentences a person reads, old prose still read."""

from app.domain.errors import FieldError
from app.domain.review import (
    STORED_LIMIT,
    UNREGISTERED_BADGE,
    ReviewCode,
    ReviewReason,
    code_tag,
    has_code,
    parse_reasons,
    reason_lines,
    reason_text,
    store_reasons,
    sync_conflict,
    with_reasons,
    without_code,
)

ROLE = ReviewReason(ReviewCode.ROLE_ADDRESS,
                    "role address: it reaches no particular person; ask for a name", "email")


def test_reasons_round_trip_with_their_codes_and_keep_order_without_repeats() -> None:
    stored = with_reasons("", [ROLE, FieldError("email", "'bob@' is not an address"), ROLE])
    reasons = parse_reasons(stored)
    assert [r.code for r in reasons] == [ReviewCode.ROLE_ADDRESS, ReviewCode.DOUBTFUL_VALUE]
    assert reasons[1] == ReviewReason(ReviewCode.DOUBTFUL_VALUE, "'bob@' is not an address", "email")
    assert reason_lines(stored) == ("email: role address: it reaches no particular person; ask for a "
                                    "name\nemail: 'bob@' is not an address")
    assert code_tag(ReviewCode.DOUBTFUL_VALUE, "email") in stored


def test_a_sentence_with_semicolons_stays_one_reason() -> None:
    duplicate = ReviewReason(ReviewCode.POSSIBLE_DUPLICATE,
                             "possible duplicate of Ann Lee (same email; same phone)")
    stored = with_reasons(with_reasons("", [duplicate]), [sync_conflict("phone")])
    assert parse_reasons(stored) == [duplicate, sync_conflict("phone")]
    assert without_code(stored, ReviewCode.SYNC_CONFLICT) == store_reasons([duplicate])
    assert reason_text(stored) == ("possible duplicate of Ann Lee (same email; same phone); "
                                   "sync conflict: phone")


def test_removing_by_code_keeps_the_reasons_still_open() -> None:
    stored = with_reasons("", [sync_conflict("phone"), sync_conflict("email"), ROLE])
    kept = without_code(stored, ReviewCode.SYNC_CONFLICT, keep=[sync_conflict("email")])
    assert parse_reasons(kept) == [sync_conflict("email"), ROLE]
    assert not has_code(without_code(kept, ReviewCode.SYNC_CONFLICT), ReviewCode.SYNC_CONFLICT)


def test_legacy_prose_is_read_with_the_code_its_wording_had() -> None:
    legacy = ("email: 'bob@' is not an address; email: role address: it reaches no particular "
              "person; ask for a name; badge id not in the registration list yet: reconcile after "
              "the show; sync conflict: phone; possible duplicate of Ann (same email; same phone); "
              "question:Budget range: 'x' is not a choice; Badge scan without email")
    codes = [(r.code, r.field) for r in parse_reasons(legacy)]
    assert codes == [(ReviewCode.DOUBTFUL_VALUE, "email"), (ReviewCode.ROLE_ADDRESS, "email"),
                     (ReviewCode.UNREGISTERED_BADGE, ""), (ReviewCode.SYNC_CONFLICT, ""),
                     (ReviewCode.POSSIBLE_DUPLICATE, ""),
                     (ReviewCode.DOUBTFUL_VALUE, "question:Budget range"), (ReviewCode.NOTE, "")]
    assert reason_text(store_reasons(parse_reasons(legacy))) == legacy
    assert parse_reasons(UNREGISTERED_BADGE.message) == [UNREGISTERED_BADGE]


def test_a_code_from_a_newer_version_is_still_shown() -> None:
    assert parse_reasons("[budget-missing] no budget given") == [
        ReviewReason(ReviewCode.NOTE, "no budget given")]


def test_stored_reasons_fit_the_column_and_newlines_never_split_a_reason() -> None:
    stored = with_reasons(None, ["x" * 300, "y" * 300, "z"])
    assert len(stored) <= STORED_LIMIT
    assert [r.message[:1] for r in parse_reasons(stored)] == ["x", "y"]
    assert parse_reasons(with_reasons("", ["two\nlines"])) == [ReviewReason(ReviewCode.NOTE, "two lines")]
