"""Keyboard-wedge burst assembly, driven with injected timestamps (no Qt)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.importers.badges import BurstAssembler, WedgeSettings
from app.importers.badges.burst import collapse_repeats

FAST = 0.01


def type_keys(
    assembler: BurstAssembler, text: str, start: float, gap: float = FAST
) -> tuple[list[str], float]:
    """Feed one key per character; return what feed() completed and the time of the last key."""
    out: list[str] = []
    at = start
    for index, char in enumerate(text):
        at = start + index * gap
        out += assembler.feed(char, at)
    return out, at


def test_fast_burst_with_cr_and_tab_inside_becomes_one_payload() -> None:
    assembler = BurstAssembler()
    payload = "BEGIN:VCARD\rVERSION:3.0\rN:Doe;Jane\r\tX\rEND:VCARD\r"
    done, last = type_keys(assembler, payload, 10.0)
    assert done == []
    assert assembler.pending == payload
    assert assembler.flush(last + 0.05) == []  # not quiet long enough yet
    assert assembler.flush(last + 0.1) == [payload]
    assert assembler.pending == ""


def test_slow_typing_never_becomes_a_payload() -> None:
    assembler = BurstAssembler()
    done, last = type_keys(assembler, "SBpax001\r", 5.0, gap=0.15)
    assert done == []
    assert assembler.flush(last + 1.0) == []
    assert not assembler.is_scanning(last)


def test_short_fast_burst_is_typing() -> None:
    assembler = BurstAssembler()
    _, last = type_keys(assembler, "ab\r", 0.0)
    assert assembler.flush(last + 0.2) == []


def test_next_burst_after_a_gap_hands_back_the_previous_one() -> None:
    assembler = BurstAssembler()
    _, last = type_keys(assembler, "000012\r", 0.0)
    assert assembler.feed("9", last + 0.5) == ["000012\r"]
    assert assembler.pending == "9"


def test_suffix_ends_the_burst_at_once_and_is_removed() -> None:
    assembler = BurstAssembler(WedgeSettings(suffix="\r\n"))
    done, _ = type_keys(assembler, "0814847311126137001\r\n", 1.0)
    assert done == ["0814847311126137001"]
    assert assembler.pending == ""


def test_prefix_filters_and_is_removed() -> None:
    assembler = BurstAssembler(WedgeSettings(prefix="~"))
    _, last = type_keys(assembler, "~SBpax001\r", 0.0)
    assert assembler.flush(last + 0.2) == ["SBpax001\r"]
    _, last = type_keys(assembler, "SBpax001\r", 10.0)
    assert assembler.flush(last + 0.2) == []


def test_trigger_held_double_read_is_deduplicated() -> None:
    assembler = BurstAssembler()
    _, last = type_keys(assembler, "ABC123\rABC123\r", 0.0)
    assert assembler.flush(last + 0.2) == ["ABC123\r"]
    card = "BEGIN:VCARD\rN:Doe;Jo\rEND:VCARD"
    _, last = type_keys(assembler, f"{card}\r{card}\r", 5.0)
    assert assembler.flush(last + 0.2) == [card + "\r"]


def test_collapse_keeps_codes_that_merely_look_repetitive() -> None:
    for code in ("000000", "1212", "12341234", "000012000012\r"[:6], "AAAAAAAAAAAA"):
        assert collapse_repeats(code) == code
    assert collapse_repeats("SB0042SB0042") == "SB0042"
    assert collapse_repeats("X1\tX1\tX1\t") == "X1\t"


def test_is_scanning_and_pending() -> None:
    assembler = BurstAssembler()
    assert not assembler.is_scanning(0.0)
    assembler.feed("1", 0.0)
    assert not assembler.is_scanning(0.0)  # one key could be a person
    assembler.feed("2", 0.01)
    assert assembler.is_scanning(0.02)
    assert assembler.pending == "12"
    assert not assembler.is_scanning(0.5)


def test_is_scanning_with_prefix_from_the_first_key() -> None:
    assembler = BurstAssembler(WedgeSettings(prefix="\x07"))
    assembler.feed("\x07", 1.0)
    assert assembler.is_scanning(1.01)


def test_empty_key_text_is_ignored() -> None:
    assembler = BurstAssembler()
    assert assembler.feed("", 0.0) == []
    assert assembler.pending == ""


_KEYS = st.text(alphabet=st.sampled_from(list("ABCxyz019-_:;^\r\t ")), min_size=4, max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    bursts=st.lists(_KEYS.filter(lambda t: t.strip("\r\n\t")), min_size=1, max_size=5),
    gaps=st.lists(st.floats(0.0005, 0.045), min_size=40, max_size=40),
    pauses=st.lists(st.floats(0.2, 5.0), min_size=5, max_size=5),
)
def test_bursts_are_delivered_whole(bursts: list[str], gaps: list[float], pauses: list[float]) -> None:
    assembler = BurstAssembler()
    got: list[str] = []
    at = 100.0
    for burst, pause in zip(bursts, pauses, strict=False):
        for index, char in enumerate(burst):
            at += gaps[index]
            got += assembler.feed(char, at)
            got += assembler.flush(at + 0.0001)  # a timer tick mid-burst must not cut it
        at += pause
        got += assembler.flush(at)
    assert got == [collapse_repeats(burst) for burst in bursts]


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(min_size=1, max_size=40),
    gaps=st.lists(st.floats(0.06, 3.0), min_size=40, max_size=40),
)
def test_slow_typing_never_fires(text: str, gaps: list[float]) -> None:
    assembler = BurstAssembler()
    at = 0.0
    for index, char in enumerate(text):
        at += gaps[index]
        assert assembler.feed(char, at) == []
        assert assembler.flush(at + 0.01) == []
    assert assembler.flush(at + 10.0) == []
