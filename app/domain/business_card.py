"""Business-card fields from OCR'd lines: contact data by pattern, name/title/company by layout.

Every value is a guess with a confidence for the capture form to mark for confirmation. The
reliable parts come first (email, web address, phone numbers, postal address) and the words
they spell then help read the rest: the name the email local part names, the company the
domain names, spaces and umlauts OCR dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import phonenumbers

from app.domain.card_address import infer_country, take_address
from app.domain.card_fields import CardFields, FieldGuess, OcrLine, guess_from
from app.domain.card_text import (
    evidence_words,
    fold,
    mend_confusables,
    restore_spaces,
    restore_umlauts,
    split_camel_case,
)
from app.domain.card_vocabulary import (
    ACADEMIC_PREFIXES,
    FAX_LABELS,
    MOBILE_LABELS,
    NAME_PARTICLES,
    is_company_line,
    is_title_line,
    title_split_words,
    unglue_legal_form,
)
from app.domain.contact_data import normalise_email

#: Countries whose people usually carry two surnames.
SPANISH_SURNAMES = frozenset({"ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "UY", "PY", "BO"})

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+\s?@\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_EMAIL_LABEL = re.compile(r"^(?:e-?mail|courriel|correo|mail)[:.]?\s*", re.IGNORECASE)
#: A web address without www. or http, alone on its line ("brightline-analytics.de").
_BARE_DOMAIN = re.compile(r"^(?:(?:web|internet|site)\s?:?\s*)?([a-z0-9][a-z0-9-]{3,}(?:\.[a-z0-9-]+)*"
                          r"\.([a-z]{2,6}))/?$", re.IGNORECASE)
_GENERIC_TLDS = frozenset({"com", "net", "org", "info", "biz", "io", "eu", "ai", "tech", "app"})
_WEBSITE = re.compile(r"(?:https?://)?(?:www\.)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/\S*)?|"
                      r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/\S*)?", re.IGNORECASE)


def extract_card_fields(lines: Sequence[OcrLine], region: str = "") -> CardFields:
    """Read a card's fields from its OCR lines; ``region`` (ISO country) reads national phones."""
    ordered = sorted((OcrLine(" ".join(line.text.split()), line.box, line.score)
                      for line in lines if line.text.strip()),
                     key=lambda line: (line.box[1], line.box[0]))
    guesses: dict[str, FieldGuess] = {}
    left: list[OcrLine] = []
    for line in ordered:
        if not (_take_email(line, guesses) or _take_website(line, guesses)):
            left.append(line)
    # The card's own country reads its national numbers first; the event's region after it.
    regions = dict.fromkeys(r for r in (_tld_region(guesses), (region or "").upper()) if r)
    left = [line for line in left if not _take_phones(line, tuple(regions), guesses)]
    rest = take_address(left, guesses)
    domain = _domain(guesses)
    local = guesses["email"].value.split("@")[0] if "email" in guesses else ""
    words = evidence_words(domain) | evidence_words(local)
    rest = _take_company(rest, evidence_words(domain), words, guesses)
    spanish = (_tld_region(guesses) or (region or "").upper()) in SPANISH_SURNAMES
    rest = _take_name(rest, evidence_words(local), words, guesses, spanish)
    _mend_email_initial(guesses)
    rest = _take_title(rest, guesses)
    if "company" not in guesses and rest and domain:
        # No legal form and no domain match: the tallest line left is the likeliest logo text.
        tallest = max(rest, key=lambda line: line.height)
        guesses["company"] = guess_from(restore_spaces(tallest.text, words), 0.35, tallest)
        rest = [line for line in rest if line is not tallest]
    infer_country(guesses)
    return CardFields(guesses, tuple(line.text for line in rest))


def _take_email(line: OcrLine, guesses: dict[str, FieldGuess]) -> bool:
    found = _EMAIL.search(line.text)
    if found is None:
        return False
    text = found.group(0).replace(" ", "")
    unlabelled = _EMAIL_LABEL.sub("", text)  # "Emailanna@…", but "mail@…" is an address
    text = text if unlabelled.startswith("@") else unlabelled
    if "email" not in guesses:
        try:
            guesses["email"] = guess_from(normalise_email(text), 0.95, line)
        except ValueError:
            guesses["email"] = guess_from(text.lower(), 0.4, line)
    return True


def _take_website(line: OcrLine, guesses: dict[str, FieldGuess]) -> bool:
    text = line.text.replace(" .", ".").replace(". ", ".")
    found = _WEBSITE.search(text)
    bare = _BARE_DOMAIN.match(text) if found is None else None
    if bare is not None and (bare.group(2).lower() in _GENERIC_TLDS or (
            len(bare.group(2)) == 2 and phonenumbers.country_code_for_region(bare.group(2).upper()))):
        address, confidence = bare.group(1), 0.8
    elif found is not None:
        address, confidence = found.group(0), 0.9
    else:
        return False
    if "website" not in guesses:
        guesses["website"] = guess_from(address.rstrip("/").lower(), confidence, line)
    return True


def _tld_region(guesses: Mapping[str, FieldGuess]) -> str:
    """The country a country-code domain names (.fr → FR), for national numbers on a card
    from abroad."""
    tld = _domain(guesses).rsplit(".", 1)[-1].upper()
    tld = "GB" if tld == "UK" else tld
    return tld if len(tld) == 2 and phonenumbers.country_code_for_region(tld) else ""


def _take_phones(line: OcrLine, regions: tuple[str, ...], guesses: dict[str, FieldGuess]
                 ) -> bool:
    # A label run into the number ("Mobil0171…") hides the number from the matcher.
    text = re.sub(r"(?<=[^\W\d_])(?=[+(\d])|(?<=[:.])(?=[+(\d])", " ", line.text)
    matches: list[phonenumbers.PhoneNumberMatch] = []
    for region in regions or ("",):
        matches = list(phonenumbers.PhoneNumberMatcher(text, region or None))
        if matches:
            break
    if not matches:
        return False
    for match in matches:
        label = _label_before(text[:match.start])
        if label in FAX_LABELS:
            continue
        number = match.number
        kind = "mobile" if label in MOBILE_LABELS or (
            not label and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        ) else "phone"
        if kind in guesses:
            kind = "mobile" if kind == "phone" and "mobile" not in guesses else ""
        if kind:
            shown = phonenumbers.format_number(number,
                                               phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            guesses[kind] = guess_from(shown, 0.9 if label else 0.75, line)
    return True


def _label_before(text: str) -> str:
    words = re.findall(r"[^\W\d_]+", fold(text))
    return words[-1] if words else ""


def _domain(guesses: Mapping[str, FieldGuess]) -> str:
    if "website" in guesses:
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", guesses["website"].value)
        return host.split("/")[0]
    if "email" in guesses:
        return guesses["email"].value.split("@")[-1]
    return ""


def _take_company(lines: list[OcrLine], domain_words: set[str], words: set[str],
                  guesses: dict[str, FieldGuess]) -> list[OcrLine]:
    joined = "".join(sorted(domain_words))
    best: tuple[float, OcrLine] | None = None
    for line in lines:
        text = mend_confusables(unglue_legal_form(line.text), words)
        folded = re.sub(r"[^a-z]", "", fold(text))
        score = 0.0
        if is_company_line(text):
            score = 0.85
        spelled = [w for w in domain_words if len(w) >= 4 and w in folded]
        if folded and (spelled or (len(folded) >= 4 and folded in joined)) \
                and not is_title_line(line.text):
            # The more of the domain the line spells, the likelier it is the company's name
            # ("Berger Consulting" over "Kim Berger" for berger-consulting.de).
            covered = len(spelled) / len(domain_words) if spelled else 0.5
            score = max(score + 0.1, 0.6 + 0.25 * covered)
        if score and (best is None or score > best[0]):
            best = (score, line)
    if best is None:
        return lines
    score, line = best
    text = mend_confusables(unglue_legal_form(line.text), words)
    text = restore_umlauts(restore_spaces(text, words), words)
    guesses["company"] = guess_from(text, min(score, 0.95), line)
    return [other for other in lines if other is not line]


def _take_name(lines: list[OcrLine], local_words: set[str], words: set[str],
               guesses: dict[str, FieldGuess], spanish: bool) -> list[OcrLine]:
    named = [line for line in lines if local_words and _looks_like_name(line.text, strict=False)
             and _names_match(line.text, local_words)]
    candidates = named or [line for line in lines if _looks_like_name(line.text)]
    if not candidates:
        return lines
    line = named[0] if named else max(candidates, key=lambda line: line.height)
    # The email names this line, so a word OCR read in lower case is still a name.
    text = " ".join(w if not named or fold(w) in NAME_PARTICLES else w[:1].upper() + w[1:]
                    for w in line.text.split())
    text = restore_umlauts(restore_spaces(text, words), words)
    if " " not in _without_prefixes(text):
        text = split_camel_case(text)
    first, last = _split_name(_without_prefixes(text), local_words, spanish)
    confidence = 0.9 if named else 0.6
    if first:
        guesses["first_name"] = guess_from(first, confidence, line)
    if last:
        guesses["last_name"] = guess_from(last, confidence, line)
    return [other for other in lines if other is not line]


def _mend_email_initial(guesses: dict[str, FieldGuess]) -> None:
    """'i.sanchez@' on Lucía Sánchez's card was 'l.sanchez@': OCR confuses l, I and 1."""
    email, first = guesses.get("email"), guesses.get("first_name")
    if email is None or first is None or not first.value:
        return
    local, _, domain = email.value.partition("@")
    initial = fold(first.value)[0]
    if len(local) > 2 and local[1] == "." and local[0] in "il1" and initial in "il" \
            and local[0] != initial:
        guesses["email"] = FieldGuess(f"{initial}{local[1:]}@{domain}",
                                      min(email.confidence, 0.8), email.line)


def _looks_like_name(text: str, *, strict: bool = True) -> bool:
    words = _without_prefixes(text).split()
    return (1 <= len(words) <= 5 and not any(c.isdigit() or c in "@&|/" for c in text)
            and not is_title_line(text) and not is_company_line(text)
            and (not strict or all(w[0].isupper() or fold(w) in NAME_PARTICLES for w in words)))


def _names_match(text: str, local_words: set[str]) -> bool:
    folded = {re.sub(r"[^a-z]", "", fold(w)) for w in _without_prefixes(text).split()}
    translit = {fold(w).replace("ae", "a").replace("oe", "o").replace("ue", "u")
                for w in local_words}
    joined = re.sub(r"[^a-z]", "", fold(text))
    return bool(folded & (local_words | translit)) or any(
        len(w) >= 4 and w in joined for w in local_words | translit)


def _without_prefixes(text: str) -> str:
    words = text.replace(",", " ").split()
    while words and fold(words[0]).rstrip(".") in ACADEMIC_PREFIXES:
        words = words[1:]
    while words and fold(words[-1]).replace(".", "") in {"mba", "phd", "msc", "bsc", "ma"}:
        words = words[:-1]
    return " ".join(words)


def _split_name(text: str, local_words: set[str], spanish: bool = False) -> tuple[str, str]:
    words = text.split()
    if len(words) < 2:
        return "", text
    upper = [i for i, w in enumerate(words) if w.isupper() and len(w) > 1]
    if len(upper) == 1 and upper[0] in (0, len(words) - 1) and len(upper) < len(words):
        at = upper[0]  # "MÜLLER Jürgen" or "Jürgen MÜLLER": the capitals are the surname
        last = words[at].title()
        first = " ".join(w for i, w in enumerate(words) if i != at)
        return first, last
    translit = {w.replace("ae", "a").replace("oe", "o").replace("ue", "u") for w in local_words}
    # Spanish names carry two surnames: "Elena Fernández Ruiz" is Elena of the Fernández Ruiz.
    usual = 1 if spanish and len(words) == 3 else len(words) - 1
    surname = next((at for at in range(1, len(words))
                    if re.sub(r"[^a-z]", "", fold(words[at])) in local_words | translit), usual)
    while surname > 1 and fold(words[surname - 1]) in NAME_PARTICLES:
        surname -= 1
    return " ".join(words[:surname]), " ".join(words[surname:])


def _take_title(lines: list[OcrLine], guesses: dict[str, FieldGuess]) -> list[OcrLine]:
    for line in lines:
        if is_title_line(line.text):
            text = restore_spaces(line.text, title_split_words())
            guesses["title"] = guess_from(text, 0.8, line)
            return [other for other in lines if other is not line]
    return lines


