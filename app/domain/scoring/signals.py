"""What a lead's title, company size and email say: seniority, size, student, free or role mail."""

from __future__ import annotations

import re
from enum import StrEnum

from app.domain.data_quality import examine_email


class Seniority(StrEnum):
    """How senior a title is, highest first; derived from the title with a keyword table."""

    C_LEVEL = "c_level"
    VP = "vp"
    DIRECTOR = "director"
    MANAGER = "manager"
    INDIVIDUAL = "individual"

    @property
    def label(self) -> str:
        return _SENIORITY_LABELS[self]


_SENIORITY_LABELS = {
    Seniority.C_LEVEL: "C-level", Seniority.VP: "VP", Seniority.DIRECTOR: "Director",
    Seniority.MANAGER: "Manager", Seniority.INDIVIDUAL: "Individual contributor",
}
# Phrases are matched on whole words. Longer phrases come first in the alternation so that
# "Vice President" is read as VP before "President" could claim it, and "Managing Director"
# (the German Geschäftsführer: runs the company) as C-level before "Director".
_SENIORITY_WORDS: list[tuple[str, Seniority]] = [
    ("vice president", Seniority.VP), ("managing director", Seniority.C_LEVEL),
    ("general manager", Seniority.DIRECTOR), ("head of", Seniority.VP),
    ("team lead", Seniority.MANAGER), ("team leader", Seniority.MANAGER),
    *((w, Seniority.C_LEVEL) for w in (
        "ceo", "cto", "cfo", "coo", "cio", "cmo", "cso", "cpo", "chief", "founder", "co-founder",
        "cofounder", "owner", "president", "geschäftsführer", "geschäftsführerin", "inhaber",
        "inhaberin", "vorstand", "partner", "principal")),
    *((w, Seniority.VP) for w in ("vp", "svp", "evp", "avp", "head", "bereichsleiter")),
    *((w, Seniority.DIRECTOR) for w in ("director", "direktor", "directeur", "directora",
                                        "director's", "prokurist")),
    *((w, Seniority.MANAGER) for w in ("manager", "lead", "leader", "supervisor", "leiter",
                                       "leiterin", "teamleiter", "abteilungsleiter", "foreman",
                                       "responsable", "gerente", "coordinator")),
]
_SENIORITY_OF = {phrase: level for phrase, level in _SENIORITY_WORDS}
_SENIORITY_RANK = {level: rank for rank, level in enumerate(Seniority)}
_SENIORITY_RE = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(p).replace(r"\ ", r"[\s-]+")
                           for p, _ in sorted(_SENIORITY_WORDS, key=lambda x: -len(x[0])))
    + r")(?!\w)", re.IGNORECASE)


def seniority_of(title: str) -> Seniority:
    """The most senior level any keyword of the title names ("Sales Manager & Co-Founder" is
    C-level); a title without any keyword is an individual contributor."""
    best = Seniority.INDIVIDUAL
    for found in _SENIORITY_RE.findall(title):
        level = _SENIORITY_OF.get(" ".join(found.casefold().replace("-", " ").split()))
        if level is None:  # "co-founder" is listed with its hyphen
            level = _SENIORITY_OF.get(found.casefold(), Seniority.INDIVIDUAL)
        if _SENIORITY_RANK[level] < _SENIORITY_RANK[best]:
            best = level
    return best


_SIZE_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)\s*([km])?(?![a-z])", re.IGNORECASE)
_SIZE_BELOW = re.compile(r"^\s*(<|≤|under|less than|fewer than|up to|bis|unter)\b", re.IGNORECASE)


def parse_company_size(text: str) -> int | None:
    """The lower bound of a free-text company size, or None when there is no number.

    "51-200" → 51, "1000+" → 1000, "1,000-4,999" → 1000, "10k" → 10000, "2.5k" → 2500,
    "<10" → 1 (a size below a bound says only that the company exists).
    """
    if _SIZE_BELOW.match(text):
        return 1 if _SIZE_NUMBER.search(text) else None
    found = _SIZE_NUMBER.search(text)
    if found is None:
        return None
    digits, unit = found.group(1), (found.group(2) or "").lower()
    groups = re.split(r"[.,]", digits)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and not unit:
        number = float("".join(groups))  # thousands separators: 1,000 or 1.000
    else:
        number = float(groups[0] + ("." + "".join(groups[1:]) if len(groups) > 1 else ""))
    number *= {"k": 1_000, "m": 1_000_000}.get(unit, 1)
    return int(number)


_WORD = re.compile(r"\w+")
_STUDENT_WORDS = frozenset({"student", "students", "intern", "internship", "trainee",
                            "werkstudent", "werkstudentin", "praktikant", "praktikantin",
                            "azubi", "auszubildender", "apprentice", "stagiaire", "becario",
                            "phd", "doktorand", "doktorandin", "undergraduate"})
_ACADEMIC_LABELS = frozenset({"ac", "edu"})


def _words(text: str) -> str:
    """Text as lower-case words separated by single spaces, padded with a space each side, so
    ``" director " in _words(title)`` is a whole-word test without a regex per keyword."""
    return " " + " ".join(_WORD.findall(text.casefold())) + " "


def looks_like_student(title: str, email: str) -> bool:
    """Student, intern or trainee by title, or an academic address (.edu, ac.uk, edu.au,
    student.uni-x.de): such leads do not buy, PRODUCT.md lists them among the disqualified."""
    if title and not _STUDENT_WORDS.isdisjoint(_WORD.findall(title.casefold())):
        return True
    domain = email.rpartition("@")[2].casefold()
    if not domain:
        return False
    labels = domain.split(".")
    return (labels[-1] == "edu" or (len(labels) >= 3 and labels[-2] in _ACADEMIC_LABELS)
            or labels[0] in ("student", "students", "stud"))


def email_flags(email: str) -> tuple[bool, bool]:
    """(is_free_mail, is_role_address) of an email, by the app's data-quality lists."""
    findings = examine_email(email)
    return (False, False) if findings is None else (findings.free_mail, findings.role)
