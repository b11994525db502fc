"""Repairs for text read off business cards: dropped spaces, lost umlauts, ß read as B.

OCR engines often drop the space between words set close together ("BrightlineAnalytics")
and read ü as u or ß as B. The email address and web domain on the same card spell the
words out ("brightline-analytics.com", "j.mueller@"), so they are the evidence used here:
a space or an umlaut is only put back where that evidence, or a known word, shows it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_UMLAUTS = {"a": "ä", "o": "ö", "u": "ü", "A": "Ä", "O": "Ö", "U": "Ü"}
_WORD = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """Lower case without accents: 'Müller' and 'MULLER' both fold to 'muller'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def evidence_words(*texts: str) -> set[str]:
    """The words an email local part or a domain spells: 'j.mueller', 'brightline-analytics.de'
    give {'mueller', 'brightline', 'analytics'} (single letters and top-level domains left out)."""
    words: set[str] = set()
    for text in texts:
        labels = text.lower().split(".")
        if len(labels) > 1 and "@" not in text and labels[-1].isalpha() and len(labels[-1]) <= 3:
            labels = labels[:-1]  # the top-level domain spells no word of the company
        for label in labels:
            words.update(w for w in re.split(r"[-_+\d]+", label) if len(w) >= 3)
    return words


def restore_spaces(text: str, words: Iterable[str]) -> str:
    """Put back spaces OCR dropped, where known words show them.

    A run-together token is split at a boundary when an evidence word starts or ends there and
    either the letters change from lower to upper case ("BrightlineAnalytics") or both sides
    are known words ("directeurcommercial").
    """
    known = {fold(w) for w in words if len(w) >= 2}
    if not known:
        return text
    return " ".join(_split_token(token, known) for token in text.split(" "))


def _split_token(token: str, known: set[str]) -> str:
    folded = fold(token)
    if len(folded) != len(token) or len(token) < 6:
        return token
    if any(len(word) >= 6 and folded in word for word in known):
        # The domain spells the same letters run together ("talleresnorte"): the capitals
        # OCR kept show where the words start.
        return split_camel_case(token)
    if folded in known:
        return token
    cuts: set[int] = set()
    for word in known:
        start = folded.find(word)
        while start != -1:
            cuts.update(i for i in (start, start + len(word)) if 0 < i < len(token))
            start = folded.find(word, start + 1)
    if not cuts:
        return token
    bounds = [0, *sorted(cuts), len(token)]
    kept = [0]
    for cut, following in zip(bounds[1:-1], bounds[2:], strict=True):
        camel = token[cut].isupper() and token[cut - 1].islower()
        left, right = folded[kept[-1]:cut], folded[cut:following]
        if camel or (left in known and right in known):
            kept.append(cut)
    kept.append(len(token))
    return " ".join(token[a:b] for a, b in zip(kept, kept[1:], strict=False) if token[a:b])


def mend_confusables(text: str, words: Iterable[str]) -> str:
    """Letters OCR confuses (l/I, 0/O) put right where an evidence word spells the same
    letters: 'Vectislndustrie' with {'vectis', 'industrie'} → 'VectisIndustrie'."""
    known = [fold(w) for w in words if len(w) >= 5]
    return " ".join(_mended(token, known) for token in text.split(" "))


_CONFUSED = {("l", "i"), ("i", "l"), ("0", "o"), ("o", "0"), ("1", "l"), ("1", "i")}


def _mended(token: str, known: list[str]) -> str:
    folded = fold(token)
    if len(folded) != len(token):
        return token
    chars = list(token)
    for word in known:
        for start in range(len(folded) - len(word) + 1):
            segment = folded[start:start + len(word)]
            pairs = list(zip(segment, word, strict=True))
            if segment == word or not all(a == b or (a, b) in _CONFUSED for a, b in pairs):
                continue
            for offset, (a, b) in enumerate(pairs):
                if a != b:
                    starts_word = offset == 0 and start > 0 and chars[start - 1].islower()
                    chars[start + offset] = b.upper() if starts_word or token[start + offset]\
                        .isupper() else b
    return "".join(chars)


def split_camel_case(text: str) -> str:
    """'AnnaWeber' → 'Anna Weber' for a name line; 'McDonald' and 'MacLeod' stay whole."""
    return re.sub(r"(?<!\bMc)(?<!\bMac)(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])", " ", text)


def restore_umlauts(text: str, words: Iterable[str]) -> str:
    """'Muller' with evidence 'mueller' → 'Müller'; 'GroBmann' with 'grossmann' → 'Großmann'."""
    evidence = {w.lower() for w in words if len(w) >= 3}
    if not evidence:
        return text
    return _WORD.sub(lambda m: _umlauted(m.group(0), evidence), text)


def _umlauted(word: str, evidence: set[str]) -> str:
    if word.lower() in evidence:
        return word
    for spelled in evidence:
        rebuilt = _align(word, spelled)
        if rebuilt is not None:
            return rebuilt
    return word


def _align(word: str, spelled: str) -> str | None:
    """The word with ä/ö/ü/ß where ``spelled`` writes ae/oe/ue/ss, or None if they differ."""
    out: list[str] = []
    i = j = 0
    changed = False
    while i < len(word):
        char = word[i]
        if j >= len(spelled):
            return None
        if char in _UMLAUTS and spelled[j:j + 2] == char.lower() + "e" \
                and word[i + 1:i + 2].lower() != "e":
            out.append(_UMLAUTS[char])
            i, j, changed = i + 1, j + 2, True
        elif char.lower() == spelled[j]:
            out.append(char)
            i, j = i + 1, j + 1
        elif char == "B" and spelled[j:j + 2] == "ss":
            out.append("ß")
            i, j, changed = i + 1, j + 2, True
        else:
            return None
    return "".join(out) if changed and j == len(spelled) else None


def restore_sharp_s(text: str) -> str:
    """'FriedrichstraBe' → 'Friedrichstraße': an upper-case B inside a lower-case German word."""
    return re.sub(r"(?<=[a-zäöü])B(?=[a-zäöü])", "ß", text)
