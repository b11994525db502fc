"""Keyboard-wedge bursts, driven with injected timestamps (no Qt): scans are told from people by
speed, length, terminator, prefix/suffix and device, and a person's keys are never lost."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from app.importers.badges import BurstAssembler, WedgeSettings
from app.importers.badges.burst import Burst, collapse_repeats

SCANNER = 0.01  # a wedge scanner: 5-20 ms between keys
TYPIST = 0.04  # a fast typist: 40-80 ms


@dataclass
class Field:
    """What a focused text field would hold, driven the way ScanFilter drives it."""

    text: str = ""
    scans: list[str] = field(default_factory=list)
    held: list[bool] = field(default_factory=list)

    def key(self, assembler: BurstAssembler, char: str, at: float, *, device: str = "",
            auto_repeat: bool = False) -> None:
        verdict = assembler.feed(char, at, device=device, auto_repeat=auto_repeat)
        if verdict.take_back:
            self.text = self.text[:-1]
        self.settle(verdict.ended)
        self.held.append(verdict.hold)
        if not verdict.hold:
            self.text += char

    def quiet(self, assembler: BurstAssembler) -> None:
        self.settle(assembler.finish())

    def settle(self, bursts: tuple[Burst, ...]) -> None:
        for burst in bursts:
            if burst.payload is None:
                self.text += burst.keys
            elif not burst.repeat:
                self.scans.append(burst.payload)


def type_keys(assembler: BurstAssembler, text: str, start: float, gap: float = SCANNER, *,
              device: str = "", auto_repeat: bool = False) -> Field:
    typed = Field()
    for index, char in enumerate(text):
        typed.key(assembler, char, start + index * gap, device=device, auto_repeat=auto_repeat)
    return typed


def test_a_10_ms_burst_ending_in_enter_is_a_scan_at_once() -> None:
    assembler = BurstAssembler()
    typed = type_keys(assembler, "SBpax001\r", 10.0)
    assert typed.scans == ["SBpax001\r"]  # complete: no wait for the silence
    assert typed.text == ""  # nothing reached the field; the first key was taken back
    assert not assembler.holding


def test_a_vcard_with_line_breaks_and_tabs_is_one_scan() -> None:
    payload = "BEGIN:VCARD\rVERSION:3.0\rN:Doe;Jane\r\tX\rEND:VCARD\r"
    for breaks in (payload, payload.replace("\r", "\n"), payload.replace("\r", "\r\n")):
        assembler = BurstAssembler()
        typed = type_keys(assembler, breaks, 10.0)
        # Whole at END:VCARD's line break; the LF of a final CR LF is the scanner's, swallowed.
        assert typed.scans == [breaks.removesuffix("\n") if breaks.endswith("\r\n") else breaks]
        assert typed.text == ""


def test_40_ms_typing_goes_straight_into_the_field() -> None:
    assembler = BurstAssembler()
    typed = type_keys(assembler, "Anna Weber\r", 5.0, gap=TYPIST)
    assert not any(typed.held)  # never held back, not even for a moment
    assert typed.text == "Anna Weber\r" and typed.scans == []


def test_a_typists_fast_pair_is_handed_back_in_order_within_a_few_keys() -> None:
    assembler = BurstAssembler()
    typed = Field()
    times = [0.0, 0.05, 0.06, 0.11, 0.16, 0.21, 0.26]  # "nn" rolled over, then 50 ms apart
    for char, at in zip("Johanna", times, strict=True):
        typed.key(assembler, char, at)
    assert typed.text == "Johanna" and typed.scans == []
    assert typed.held[-1] is False  # released early: the rest of the name flows through
    assert not assembler.holding


def test_short_fast_burst_is_typing() -> None:
    assembler = BurstAssembler()
    typed = type_keys(assembler, "ab\r", 0.0)
    typed.quiet(assembler)
    assert typed.text == "ab\r" and typed.scans == []


def test_fast_burst_without_terminator_must_be_long_to_be_a_scan() -> None:
    assembler = BurstAssembler()
    short = type_keys(assembler, "0012", 0.0)
    short.quiet(assembler)
    assert short.text == "0012" and short.scans == []  # could be anything: typed, kept
    long = type_keys(assembler, "0814847311126137001", 5.0)
    long.quiet(assembler)
    assert long.scans == ["0814847311126137001"] and long.text == ""


def test_next_burst_after_a_gap_hands_back_the_previous_one() -> None:
    assembler = BurstAssembler()
    typed = type_keys(assembler, "Anna", 0.0)  # still held, could be the start of a badge
    typed.key(assembler, "x", 0.5)
    assert typed.text == "Annax" and typed.scans == []


def test_suffix_ends_the_burst_at_once_and_is_removed() -> None:
    assembler = BurstAssembler(WedgeSettings(suffix="\r\n"))
    typed = type_keys(assembler, "0814847311126137001\r\n", 1.0)
    assert typed.scans == ["0814847311126137001"]
    assert assembler.pending == ""
    missing = type_keys(assembler, "A\tB\t1234", 5.0)  # no suffix: not this scanner's
    missing.quiet(assembler)
    assert missing.scans == [] and missing.text == "A\tB\t1234"


def test_prefix_filters_and_is_removed_and_typing_is_never_held() -> None:
    assembler = BurstAssembler(WedgeSettings(prefix="~"))
    typed = type_keys(assembler, "~SBpax001\r", 0.0)
    assert typed.scans == ["SBpax001\r"]
    fast = type_keys(assembler, "SBpax001\r", 10.0)
    assert fast.scans == [] and fast.text == "SBpax001\r" and not any(fast.held)


def test_prefix_holds_from_the_first_key_even_when_the_scanner_is_slow() -> None:
    assembler = BurstAssembler(WedgeSettings(prefix="\x07"))
    typed = type_keys(assembler, "\x07000012\r", 1.0, gap=0.045)  # a slow Bluetooth scanner
    assert typed.held[0] and typed.scans == ["000012\r"]


def test_the_configured_scanner_device_decides_whatever_the_speed() -> None:
    assembler = BurstAssembler(WedgeSettings(device="Honeywell 1900"))
    scanner = type_keys(assembler, "000012\r", 0.0, gap=0.045, device="Honeywell 1900")
    assert scanner.scans == ["000012\r"] and scanner.text == ""
    person = type_keys(assembler, "Anna\r", 5.0, gap=0.005, device="AT keyboard")
    assert person.scans == [] and person.text == "Anna\r" and not any(person.held)


def test_auto_repeat_never_starts_a_scan() -> None:
    assembler = BurstAssembler()
    typed = type_keys(assembler, "aaaaaaaaaa", 0.0, gap=0.01, auto_repeat=True)
    assert typed.text == "aaaaaaaaaa" and not any(typed.held)


def test_an_editing_key_settles_what_is_held_first() -> None:
    assembler = BurstAssembler()
    typed = type_keys(assembler, "ab", 0.0)
    typed.settle(assembler.interrupt())
    assert typed.text == "ab" and not assembler.holding


def test_trigger_held_double_read_is_deduplicated() -> None:
    assembler = BurstAssembler()
    typed = type_keys(assembler, "ABC123\tABC123\t", 0.0, gap=0.01)
    assert typed.scans == ["ABC123\t"] and typed.text == ""
    typed = type_keys(assembler, "BC-0042BC-0042", 5.0)  # no terminator: one burst, one code
    typed.quiet(assembler)
    assert typed.scans == ["BC-0042"]
    card = "BEGIN:VCARD\rN:Doe;Jo\rEND:VCARD"
    typed = type_keys(assembler, f"{card}\r{card}\r", 10.0)
    assert typed.scans == [card + "\r"] and typed.text == ""
    typed = type_keys(assembler, "ABC123\t", 20.0)  # the same badge later: a scan again
    assert typed.scans == ["ABC123\t"]


def test_collapse_keeps_codes_that_merely_look_repetitive() -> None:
    for code in ("000000", "1212", "12341234", "000012000012\r"[:6], "AAAAAAAAAAAA"):
        assert collapse_repeats(code) == code
    assert collapse_repeats("SB0042SB0042") == "SB0042"
    assert collapse_repeats("X1\tX1\tX1\t") == "X1\t"


def test_empty_key_text_is_ignored() -> None:
    assembler = BurstAssembler()
    assert not assembler.feed("", 0.0).hold
    assert assembler.pending == ""


_KEYS = st.text(alphabet=st.sampled_from(list("ABCxyz019-_:;^ ")), min_size=8, max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    bursts=st.lists(st.tuples(_KEYS, st.sampled_from(["\r", "\t", "\r\n", ""])),
                    min_size=1, max_size=5),
    gaps=st.lists(st.floats(0.0005, 0.03), min_size=42, max_size=42),
    pauses=st.lists(st.floats(0.2, 5.0), min_size=5, max_size=5),
)
def test_scans_are_delivered_whole(bursts: list[tuple[str, str]], gaps: list[float],
                                   pauses: list[float]) -> None:
    assembler = BurstAssembler()
    typed = Field()
    at = 100.0
    for (body, end), pause in zip(bursts, pauses, strict=False):
        for index, char in enumerate(body + end):
            at += gaps[index]
            typed.key(assembler, char, at)
        at += pause
        typed.quiet(assembler)
    assert typed.text == ""
    # Whole at the first line break: the LF of a CR LF is swallowed with the scan.
    assert typed.scans == [collapse_repeats(body + end[:1]) for body, end in bursts]


_HUMAN_GAP = st.floats(0.035, 3.0)
_ROLLOVER = st.floats(0.0, 0.03)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                    min_size=1, max_size=40),
       gaps=st.lists(st.one_of(_HUMAN_GAP, st.tuples(_ROLLOVER, _HUMAN_GAP)), min_size=40,
                     max_size=40))
def test_a_person_typing_is_never_lost_or_scanned(
        text: str, gaps: list[float | tuple[float, float]]) -> None:
    """Any text at a person's pace, chance near-simultaneous pairs included, lands in order."""
    flat = [g for gap in gaps for g in (gap if isinstance(gap, tuple) else (gap,))]
    assembler = BurstAssembler()
    typed = Field()
    at = 0.0
    for char, gap in zip(text, flat, strict=False):
        at += gap
        typed.key(assembler, char, at)
    typed.quiet(assembler)
    assert typed.scans == []
    assert typed.text == text
