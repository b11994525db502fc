"""Text files whose rows come from different systems: the encoding decided line by line.

A CSV assembled from several sources (a UTF-8 web form, a Latin-1 CRM, a Russian Excel in
Windows-1251, a Japanese one in Shift-JIS) is valid in no single encoding; read as one, three
of four names turn into mojibake ("JÃ¶rg MÃ¼ller", "Ìàðèÿ"). Such a file is read here line by
line: a line that is valid UTF-8 is UTF-8 (multi-byte UTF-8 does not happen by chance), any
other is read in the file's own legacy encoding unless that reads it implausibly and another
encoding reads it more plausibly. Every line read otherwise than the file as a whole, and every
line no encoding reads cleanly, carries a note, which the import shows as that row's warning:
nothing is stored garbled without a word.

The file's own legacy encoding is decided once, by charset-normalizer over all the sample's
non-UTF-8 lines together (long enough for its language statistics), among the encodings the
target markets' Excel writes. On short Western samples it cannot tell Windows-1250 from 1252
(the same letters for German, French and Spanish), so Windows-1252, Excel's choice in those
locales, stays unless 1250 reads the sample strictly more plausibly (Polish, Czech names).

"Plausible" is judged by what mojibake looks like and real names do not: control characters,
symbols glued to letters ("Wa³êsa"), Latin and Cyrillic letters mixed in one word ("Mьller"),
long runs of accented letters ("Ìàðèÿ"), half-width katakana glued to other letters. Text
that is UTF-8 read as Windows-1252 somewhere upstream and saved again ("MÃ¼ller" in a UTF-8
file) is repaired with ftfy, which touches nothing else (:func:`repaired`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import ftfy
from ftfy.badness import is_bad

DEFAULT_LEGACY = "cp1252"
LEGACY_ENCODINGS = ("cp1252", "cp1251", "cp932", "cp1250", "cp1253")  # cp932: Windows' Shift-JIS
LABELS = {"utf-8": "UTF-8", "cp1252": "Windows-1252 (Western European)",
          "cp1251": "Windows-1251 (Cyrillic)", "cp932": "Shift-JIS (Japanese)",
          "cp1250": "Windows-1250 (Central European)", "cp1253": "Windows-1253 (Greek)"}
DOUBTFUL = 3  # an implausibility this high: one clear sign of mojibake, or several faint ones
CONSISTENT_SHARE = 0.9  # of a file's non-UTF-8 lines read cleanly in one encoding: it is in that one
_CHUNK = 1 << 20
_SAMPLE_LINES = 2_000

_LETTER = r"[^\W\d_]"
_LATIN = r"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_OTHER_SCRIPTS = r"\u0370-\u03ff\u0400-\u04ff"
# Symbols no word touches (what Central European letters read as Windows-1252 become: ł → ³,
# ą → ¹, Ł → £; the florin sign ƒ that Shift-JIS katakana become), and those that only never
# stand inside a word (¿Qué, «Ромашка», Acme®).
_NEVER_BESIDE_LETTERS = (r"\u00a2-\u00a6\u00a8\u00ac\u00af\u00b1-\u00b4\u00b8\u00b9\u00bc-\u00be"
                         r"\u00d7\u00f7\u0192")
_NEVER_INSIDE_WORDS = (r"\u00a1\u00a7\u00a9\u00ab\u00ae\u00b0\u00b6\u00bb\u00bf"
                       "\u201a\u201e\u2026\u2020\u2021\u02c6\u2030\u2039\u2018\u201c\u201d\u2022"
                       "\u02dc\u2122\u203a")
# (pattern, weight): each match makes a reading less plausible.
_IMPLAUSIBLE = [
    (re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]"), 3),
    (re.compile(rf"(?<={_LETTER})[{_NEVER_BESIDE_LETTERS}]|[{_NEVER_BESIDE_LETTERS}](?={_LETTER})"), 2),
    (re.compile(rf"(?<={_LETTER})[{_NEVER_INSIDE_WORDS}](?={_LETTER})"), 2),
    (re.compile(rf"[{_LATIN}][{_OTHER_SCRIPTS}]|[{_OTHER_SCRIPTS}][{_LATIN}]"), 2),
    # Half-width katakana (old Japanese systems) come in runs of their own, never glued to a
    # letter of another kind: ｣ukasz is Łukasz read as Shift-JIS.
    (re.compile(r"[\uff61-\uff9f](?=[^\W\d_\uff61-\uff9f])|(?<=[^\W\d_\uff61-\uff9f])[\uff61-\uff9f]"), 2),
    # An upper-case letter after a lower-case one: Latin accented, or Greek and Cyrillic ones.
    (re.compile(r"[a-z\u00df-\u00ff][\u00c0-\u00de]"
                r"|[\u03ac-\u03ce\u0430-\u045f][\u0386-\u03ab\u0400-\u042f]"), 1),
]
_ACCENTED_RUN = re.compile(r"[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]{3,}")
# One search tells most lines they are fine; only the others are scored pattern by pattern.
_ANY_IMPLAUSIBLE = re.compile("|".join([*(p.pattern for p, _weight in _IMPLAUSIBLE),
                                        _ACCENTED_RUN.pattern]))
# UTF-8 read as Windows-1252 always shows a lead byte (Â to ô) followed by what a continuation byte
# reads as: a quick test before ftfy's thorough one, which costs too much for every cell.
_MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d"
                            "\u017e\u0192\u02c6\u02dc\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")


def implausibility(text: str) -> int:
    """How much this reading of a line looks like mojibake (0: not at all)."""
    if text.isascii() or not _ANY_IMPLAUSIBLE.search(text):
        return 0
    score = sum(weight * len(pattern.findall(text)) for pattern, weight in _IMPLAUSIBLE)
    return score + sum(len(run) - 2 for run in _ACCENTED_RUN.findall(text))


def label(encoding: str) -> str:
    return LABELS.get(encoding, encoding)


def is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def file_legacy_encoding(lines: list[bytes]) -> str:
    """The legacy encoding of a file's non-UTF-8 lines.

    charset-normalizer judges them all together; its answer stands if it reads nearly every
    line cleanly (a file in one encoding). A file that mixes legacy encodings gets the one most
    of its lines read best in, Windows-1252 on a tie.
    """
    from charset_normalizer import from_bytes

    if not lines:
        return DEFAULT_LEGACY
    sample = b"\n".join(lines)
    best = from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS)).best()
    guess = best.encoding if best is not None else DEFAULT_LEGACY
    if guess in ("cp1252", "cp1250"):
        western = sample.decode("cp1252", errors="replace")
        central = sample.decode("cp1250", errors="replace")
        guess = "cp1250" if implausibility(central) < implausibility(western) else "cp1252"
    clean = sum(1 for raw in lines if (reading := _best_reading(raw, guess)) is not None
                and reading[:2] == (0, guess))
    if clean >= CONSISTENT_SHARE * len(lines):
        return guess
    votes = Counter(reading[1] for raw in lines
                    if (reading := _best_reading(raw, DEFAULT_LEGACY)) is not None)
    return max(LEGACY_ENCODINGS, key=lambda e: (votes[e], -LEGACY_ENCODINGS.index(e)))


def _best_reading(raw: bytes, base: str) -> tuple[int, str, str] | None:
    """(implausibility, encoding, text) of the most plausible reading: ``base`` if it reads the
    line cleanly, else the least implausible, earlier in LEGACY_ENCODINGS on ties."""
    best: tuple[int, str, str] | None = None
    for encoding in (base, *(e for e in LEGACY_ENCODINGS if e != base)):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = implausibility(text)
        if best is None or score < best[0]:
            best = (score, encoding, text)
        if score == 0 and encoding == base:
            break
    return best


def decode_line(raw: bytes, base: str) -> tuple[str, str]:
    """(text, note) for one line of a file that is not UTF-8 throughout; note '' if unremarkable.

    ``base`` is the file's own legacy encoding, preferred whenever it reads the line cleanly.
    """
    if raw.isascii():
        return raw.decode("ascii"), ""
    try:
        return raw.decode("utf-8"), (f"read as UTF-8, the rest of the file as {label(base)}: "
                                     "the file mixes encodings; check the text")
    except UnicodeDecodeError:
        pass
    best = _best_reading(raw, base)
    if best is None:
        return (raw.decode(base, errors="replace"),
                f"may be garbled: no encoding reads it (read as {label(base)}, unreadable "
                "characters shown as �); check the text")
    score, encoding, text = best
    if score >= DOUBTFUL:
        return text, (f"may be garbled: no encoding reads it cleanly (read as {label(encoding)}); "
                      "check the text")
    if encoding != base:
        return text, (f"read as {label(encoding)}, the rest of the file as {label(base)}: the "
                      "file mixes encodings; check the text")
    return text, ""


def legacy_lines(handle: BinaryIO, base: str) -> Iterator[tuple[str, str]]:
    """(text, note) per physical line, line ends kept, each line decoded on its own."""
    carry = b""
    while chunk := handle.read(_CHUNK):
        lines = (carry + chunk).splitlines(keepends=True)
        carry = lines.pop() if lines else b""
        for raw in lines:
            yield decode_line(raw, base)
    if carry:
        yield decode_line(carry, base)


def non_utf8_sample(handle: BinaryIO) -> list[bytes]:
    """The first lines that are not valid UTF-8 (at most a couple of thousand)."""
    found: list[bytes] = []
    carry = b""
    while len(found) < _SAMPLE_LINES and (chunk := handle.read(_CHUNK)):
        lines = (carry + chunk).splitlines()
        carry = lines.pop() if lines else b""
        found += [raw for raw in lines if not raw.isascii() and not is_utf8(raw)]
    if carry and not carry.isascii() and not is_utf8(carry):
        found.append(carry)
    return found[:_SAMPLE_LINES]


def repaired(cells: list[str]) -> tuple[list[str], str]:
    """Cells with UTF-8-read-as-Windows-1252 mojibake undone, and a note naming what changed."""
    changed: list[str] = []
    for index, cell in enumerate(cells):
        if cell.isascii() or not _MOJIBAKE_HINT.search(cell) or not is_bad(cell):
            continue
        fixed = ftfy.fix_encoding(cell)
        if fixed != cell:
            changed.append(f"'{cell}' → '{fixed}'")
            cells[index] = fixed
    if not changed:
        return cells, ""
    return cells, ("repaired " + ", ".join(changed[:3]) + ("…" if len(changed) > 3 else "")
                   + " (read in the wrong encoding before it reached this file); check the text")


def lines_of(path: Path, base: str) -> Iterator[tuple[str, str]]:
    """:func:`legacy_lines` of a file, opened and closed here."""
    with path.open("rb") as handle:
        yield from legacy_lines(handle, base)
