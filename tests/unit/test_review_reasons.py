"""Review reasons: added once, removed one at a time, old stored text still readable."""

from app.domain.review import reason_lines, split_reasons, with_reasons, without_reason


def test_reasons_round_trip_keeps_order_and_drops_repeats() -> None:
    stored = with_reasons("", ["role address", "company from the email domain", "role address"])
    assert split_reasons(stored) == ["role address", "company from the email domain"]
    assert without_reason(stored, "role address") == "company from the email domain"
    assert reason_lines(stored) == "role address\ncompany from the email domain"


def test_legacy_prose_displays_and_can_be_cleared() -> None:
    legacy = ("email: 'bob@' is not an address; "
              "badge id not in the registration list yet: reconcile after the show")
    assert split_reasons(legacy)[0] == "email: 'bob@' is not an address"
    cleared = without_reason(legacy, "badge id not in the registration list yet: reconcile after the show")
    assert cleared == "email: 'bob@' is not an address"
    assert without_reason(cleared, "email: 'bob@' is not an address") == ""


def test_stored_reasons_fit_the_column() -> None:
    assert len(with_reasons(None, ["x" * 300, "y" * 300])) == 500
