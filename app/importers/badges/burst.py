"""Keyboard-wedge burst assembly: tell scanner bursts from human typing by key timing.

Pure and time-injected: the caller passes a monotonic timestamp with every key and calls
``flush`` from a timer, so the logic is testable without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

_TERMINATORS = "\r\n\t"
_EPSILON = 1e-9  # timestamps are floats: 10.4 + 0.1 - 10.4 is a hair under 0.1
_REPEAT_SEPARATORS = ("\r\n", "\r", "\n", "\t")


@dataclass(frozen=True)
class WedgeSettings:
    max_gap_s: float = 0.05  # keys closer than this belong to one burst
    silence_s: float = 0.1  # a burst ends after this much quiet
    min_length: int = 4  # shorter bursts are typing, not scans
    prefix: str = ""  # optional configured prefix (removed)
    suffix: str = ""  # optional configured suffix (ends the burst at once, removed)


def collapse_repeats(payload: str) -> str:
    """'CODE⏎CODE⏎' (trigger held) → 'CODE⏎'; a payload that is not a repeat is unchanged.

    With a separator between copies any number of equal copies collapse. Without one, only an
    exact doubling of a code of 6+ characters that is not itself a run of one character does, so
    ids like 000000 or 1212 stay intact.
    """
    core = payload.rstrip(_TERMINATORS)
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
    """Gathers keys; hands back payloads of bursts typed at scanner speed."""

    def __init__(self, settings: WedgeSettings = WedgeSettings()) -> None:  # noqa: B008 - frozen
        self._settings = settings
        self._keys: list[str] = []
        self._first_at = 0.0
        self._last_at = 0.0

    @property
    def pending(self) -> str:
        """Keys gathered so far (so the UI can tell "a scan is arriving")."""
        return "".join(self._keys)

    def is_scanning(self, at: float) -> bool:
        """True while keys arrive at scanner speed (the UI then swallows them)."""
        if not self._keys or at - self._last_at > self._settings.silence_s:
            return False
        prefix = self._settings.prefix
        if prefix and self.pending.startswith(prefix):
            return True
        return len(self._keys) >= 2

    def feed(self, text: str, at: float) -> list[str]:
        """One key's text ("\\r" for Enter, "\\t" for Tab); returns payloads it completed."""
        if not text:
            return []
        done: list[str] = []
        if self._keys and at - self._last_at > self._settings.max_gap_s + _EPSILON:
            done += self._finish()
        if not self._keys:
            self._first_at = at
        self._keys.append(text)
        self._last_at = at
        suffix = self._settings.suffix
        if suffix and self.pending.endswith(suffix):
            done += self._finish(strip_suffix=True)
        return done

    def flush(self, at: float) -> list[str]:
        """Payloads whose burst has been quiet for silence_s (call from a timer)."""
        if self._keys and at - self._last_at >= self._settings.silence_s - _EPSILON:
            return self._finish()
        return []

    def _finish(self, strip_suffix: bool = False) -> list[str]:
        keys, self._keys = self._keys, []
        settings = self._settings
        if len(keys) < settings.min_length:
            return []
        payload = "".join(keys)
        if strip_suffix and settings.suffix:
            payload = payload[: len(payload) - len(settings.suffix)]
        if settings.prefix:
            if not payload.startswith(settings.prefix):
                return []
            payload = payload[len(settings.prefix):]
        payload = collapse_repeats(payload)
        return [payload] if payload.strip(_TERMINATORS) else []
