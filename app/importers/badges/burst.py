"""Keyboard-wedge bursts: tell a scanner's keys from a person's, and never lose what a person typed.

A scanner types a whole code in one burst: 5-20 ms between keys, tens to hundreds of
characters, usually ending with Enter or Tab. A fast typist manages 40-80 ms between keys in
short words, with the odd near-simultaneous pair. So one fast pair never makes a scan. Keys
are held back from the focused field only while a scan may be arriving (the configured
scanner device sent them, the configured prefix began, or two keys came at scanner speed);
what is held becomes a scan only on evidence (see ``_is_scan``). Everything else was typing and
is handed back, in order, to be typed into the field it was meant for.

Pure and time-injected: the caller passes a monotonic timestamp with every key and calls
``finish`` when its silence timer fires, so the logic is testable without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.importers.scan_end import payload_complete

TERMINATORS = "\r\n\t"
_EPSILON = 1e-9  # timestamps are floats: 10.4 + 0.1 - 10.4 is a hair under 0.1
_REPEAT_SEPARATORS = ("\r\n", "\r", "\n", "\t")
#: A burst at scanner speed with no Enter or Tab at its end must be this long to be a scan:
#: nobody types eight keys in a rush by accident, but "Anna" can come out in one.
UNTERMINATED_MIN = 8
#: A scanner may pause now and then (a Bluetooth buffer, a line break): one gap in this many may
#: be slower than ``max_gap_s``. A person's burst has a slow gap after nearly every fast one.
_PAUSES_PER_GAP = 8


@dataclass(frozen=True)
class WedgeSettings:
    max_gap_s: float = 0.03  # a scanner's keys come at most this far apart (typically)
    silence_s: float = 0.1  # a burst ends after this much quiet
    min_length: int = 4  # shorter bursts are typing, not scans (unless the scanner device sent them)
    prefix: str = ""  # optional configured prefix (removed)
    suffix: str = ""  # optional configured suffix (ends the burst at once, removed)
    device: str = ""  # the scanner's input device name as Qt reports it ("" tells by the keys)


@dataclass(frozen=True)
class Burst:
    """Keys held back from the focused field, and what they turned out to be."""

    keys: str
    payload: str | None  # the scan without prefix, suffix and repeats; None when it was typing
    repeat: bool = False  # the same code again straight after itself (trigger held): ignore it


@dataclass(frozen=True)
class KeyVerdict:
    """What to do with one key, and with the bursts it ended (deliver those first, in order)."""

    hold: bool = False  # keep this key from the focused field
    take_back: bool = False  # the key let through just before belongs to this burst: remove it
    ended: tuple[Burst, ...] = ()


def collapse_repeats(payload: str) -> str:
    """'CODE⏎CODE⏎' (trigger held) → 'CODE⏎'; a payload that is not a repeat is unchanged.

    With a separator between copies any number of equal copies collapse. Without one, only an
    exact doubling of a code of 6+ characters that is not itself a run of one character does, so
    ids like 000000 or 1212 stay intact.
    """
    core = payload.rstrip(TERMINATORS)
    tail = payload[len(core):]
    if not core:
        return payload
    for sep in _REPEAT_SEPARATORS:
        parts = core.split(sep)
        if len(parts) >= 2 and parts[0] and all(part == parts[0] for part in parts):
            return parts[0] + tail
        size = len(core) - len(sep)
        if size > 0 and size % 2 == 0:
            half = core[: size // 2]
            if core == half + sep + half and sep in half:  # a multi-line code read twice
                return half + tail
    if len(core) % 2 == 0:
        half = core[: len(core) // 2]
        if core == half * 2 and len(half) >= 6 and len(set(half)) > 1:
            return half + tail
    return payload


class BurstAssembler:
    """Gathers keys that may be a scan; hands back scans, and typing to be typed back."""

    def __init__(self, settings: WedgeSettings = WedgeSettings()) -> None:  # noqa: B008 - frozen
        self._settings = settings
        self._keys: list[str] = []
        self._times: list[float] = []
        self._from_scanner = False  # the held burst came from the configured scanner device
        self._last: tuple[str, float] | None = None  # the last key let through to the field
        self._scan_ended_at: float | None = None  # when the last scan's last key came
        self._last_payload = ""
        self._chained = False  # the held burst follows a scan without a pause

    @property
    def pending(self) -> str:
        """Keys held so far (so the UI can tell "a scan is arriving")."""
        return "".join(self._keys)

    @property
    def holding(self) -> bool:
        return bool(self._keys)

    def feed(self, text: str, at: float, *, device: str = "", auto_repeat: bool = False) -> KeyVerdict:
        """One key's text ("\\r" for Enter, "\\t" for Tab), when it came and from which device."""
        if not text:
            return KeyVerdict()
        settings = self._settings
        ended: list[Burst] = []
        if self._keys and at - self._times[-1] > settings.silence_s + _EPSILON:
            ended.append(self._end())  # the silence timer had not fired yet
        take_back = False
        if not self._keys:
            from_scanner = bool(settings.device) and device == settings.device
            fast_pair = self._fast_after_last(at) and not auto_repeat
            # The scanner still typing right after a scan ended: the LF of a CR LF, a second read.
            after_scan = self._scan_ended_at is not None and \
                at - self._scan_ended_at <= settings.max_gap_s + _EPSILON and \
                (from_scanner or not settings.device)
            self._scan_ended_at = None
            if after_scan and text in TERMINATORS:
                self._scan_ended_at = at
                return KeyVerdict(hold=True, ended=tuple(ended))
            if settings.device:
                starts = from_scanner
            elif settings.prefix:
                starts = settings.prefix.startswith(text) or after_scan
            else:
                starts = fast_pair or after_scan
            if not starts:
                self._last = (text, at)
                return KeyVerdict(ended=tuple(ended))
            if fast_pair and not after_scan and not from_scanner and not settings.prefix \
                    and self._last is not None \
                    and self._last[0] not in TERMINATORS:  # Enter and Tab cannot be taken back
                self._keys.append(self._last[0])
                self._times.append(self._last[1])
                take_back = True
            self._from_scanner = from_scanner
            self._chained = after_scan
            self._last = None
        self._keys.append(text)
        self._times.append(at)
        finished = self._finished_now()
        if finished is not None:
            ended.append(finished)
        return KeyVerdict(hold=True, take_back=take_back, ended=tuple(ended))

    def finish(self) -> tuple[Burst, ...]:
        """The burst is over (the caller's silence timer fired): what it was."""
        return (self._end(),) if self._keys else ()

    def interrupt(self) -> tuple[Burst, ...]:
        """A key that edits or moves (Backspace, arrows, a shortcut) came: settle what is held
        first so everything reaches the field in the order it was typed."""
        self._last = None
        return self.finish()

    # -- internals ----------------------------------------------------------------------------
    def _fast_after_last(self, at: float) -> bool:
        return self._last is not None and at - self._last[1] <= self._settings.max_gap_s + _EPSILON

    def _finished_now(self) -> Burst | None:
        """The held burst when this key settles it: a suffix, a whole payload, a person's pace."""
        settings = self._settings
        pending = self.pending
        if settings.suffix and pending.endswith(settings.suffix):
            return self._end()
        framed = self._from_scanner or (bool(settings.prefix) and pending.startswith(settings.prefix))
        gaps, slow = self._gaps()
        if not framed and slow > max(1, gaps // _PAUSES_PER_GAP):
            return self._end()  # a person's pace: hand the keys back now, not after the silence
        if not settings.suffix and payload_complete(pending, settings.min_length) and self._is_scan():
            return self._end()
        return None

    def _gaps(self) -> tuple[int, int]:
        """How many gaps the held keys have, and how many of them were slower than a scanner."""
        limit = self._settings.max_gap_s + _EPSILON
        gaps = [b - a for a, b in zip(self._times, self._times[1:], strict=False)]
        return len(gaps), sum(1 for gap in gaps if gap > limit)

    def _scanner_speed(self) -> bool:
        gaps, slow = self._gaps()
        return gaps > 0 and slow <= gaps // _PAUSES_PER_GAP

    def _is_scan(self) -> bool:
        """The evidence: the scanner's device; else the configured prefix and suffix, all there;
        else scanner speed, min_length and an Enter/Tab at the end (or a long burst)."""
        settings = self._settings
        keys = self.pending
        if self._from_scanner:
            return True
        if len(keys) < settings.min_length:
            return False
        if settings.prefix or settings.suffix:
            return keys.startswith(settings.prefix) and keys.endswith(settings.suffix)
        if not self._scanner_speed():
            return False
        return keys[-1] in TERMINATORS or len(keys.strip(TERMINATORS)) >= UNTERMINATED_MIN

    def _end(self) -> Burst:
        keys = self.pending
        payload = self._payload(keys) if self._is_scan() else None
        if not (payload and payload.strip(TERMINATORS)):
            payload = None
        repeat = self._chained and payload is not None and payload == self._last_payload
        self._scan_ended_at = self._times[-1] if payload is not None else None
        self._last_payload = payload or ""
        self._keys, self._times, self._from_scanner, self._chained = [], [], False, False
        return Burst(keys, payload, repeat)

    def _payload(self, keys: str) -> str:
        settings = self._settings
        if settings.suffix and keys.endswith(settings.suffix):
            keys = keys[: len(keys) - len(settings.suffix)]
        if settings.prefix and keys.startswith(settings.prefix):
            keys = keys[len(settings.prefix):]
        return collapse_repeats(keys)
