"""Guess which lead field each column of an exported table holds, and apply that choice to rows.

Organisers' lead-retrieval exports, registration lists and CRM exports name the same columns in
many ways (BADGE-FORMATS.md §3.1): ``First Name``, ``firstName``, ``FIRST_NAME``, ``Vorname``,
``Prénom``, ``Nombre``… Every header is reduced to a *key* (accents dropped, camelCase split,
punctuation and spaces removed, lower case) and looked up in one synonym table, so a new
spelling is one line here rather than a special case in a reader. The guess is only a proposal:
the import dialog shows it, the user corrects it, and a corrected mapping is saved as a template
keyed by :attr:`ColumnMapping.signature` so the next file with the same headers needs no work.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from app.domain.errors import LeadlineError
from app.domain.leads import FIELDS_BY_NAME
from app.domain.value_vocabulary import ValueMapping, ValueMappingError
from app.importers.rows import SourceRow

FULL_NAME = "full_name"
QUESTION_PREFIX = "question:"
PHONE_TARGETS = ("phone", "mobile")


class MappingError(LeadlineError):
    """A saved mapping cannot be used (damaged JSON or an unknown target); the message says why."""


# Target → spellings. Earlier spellings win when two headers compete for one target, so the
# precise names (``Barcode #``) come before the loose ones (``Attendee #``).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": ("first name", "firstname", "given name", "forename", "vorname", "prénom",
                   "prenom", "nombre", "nombre de pila", "attendee first name", "contact first name"),
    "last_name": ("last name", "lastname", "surname", "family name", "nachname", "familienname",
                  "nom", "nom de famille", "apellidos", "apellido", "attendee last name",
                  "contact last name"),
    FULL_NAME: ("full name", "fullname", "name", "contact name", "attendee name", "lead name",
                "vollständiger name", "nom complet", "nombre completo", "participant name",
                "person name", "person - name"),
    "email": ("email", "e-mail", "e mail", "email address", "e-mail address", "e-mail-adresse",
              "emailadresse", "mail", "adresse e-mail", "adresse email", "courriel",
              "correo electrónico", "correo", "work email", "business email", "primary email",
              "attendee email", "contact email"),
    "company": ("company", "company name", "organization", "organisation", "organization name",
                "account", "account name", "firma", "unternehmen", "firmenname", "société",
                "entreprise", "empresa", "compañía", "employer"),
    "title": ("title", "job title", "jobtitle", "position", "job position", "role", "job role",
              "funktion", "berufsbezeichnung", "fonction", "poste", "cargo", "puesto",
              "designation"),
    "phone": ("phone", "work phone", "business phone", "office phone", "phone number",
              "telephone", "telephone number", "tel", "tel.", "home phone", "telefon",
              "telefonnummer", "téléphone", "téléphone professionnel", "teléfono",
              "número de teléfono", "direct phone", "landline"),
    "mobile": ("mobile", "mobile phone", "mobilephone", "mobile phone number", "mobile number",
               "cell", "cell phone", "cellphone", "cell phone number", "handy", "mobil",
               "mobilnummer", "mobiltelefon", "handynummer", "portable", "téléphone portable",
               "mobile (portable)", "móvil", "movil", "celular", "teléfono móvil"),
    "country": ("country", "country code", "country/region", "country region", "land",
                "pays", "país", "pais", "nation", "country name", "iso country"),
    "city": ("city", "town", "stadt", "ort", "ville", "ciudad", "localidad", "work city"),
    "street": ("street", "address", "address 1", "address1", "address line 1", "street address",
               "mailing street", "work address", "straße", "strasse", "straße und hausnummer",
               "anschrift", "adresse", "rue", "dirección", "direccion", "calle"),
    "postal_code": ("postal code", "postcode", "post code", "zip", "zip code", "zipcode",
                    "zip/postal code", "plz", "postleitzahl", "code postal", "cp",
                    "código postal", "codigo postal"),
    "region": ("state", "region", "state/province", "state or province", "province",
               "county", "bundesland", "région", "departement", "département", "provincia",
               "estado", "comunidad autónoma"),
    "badge_id": ("badge id", "badgeid", "badge number", "badge no", "badge #", "barcode",
                 "barcode #", "barcode number", "reference id", "referenceid", "registration id",
                 "registration number", "scan id", "attendee id", "attendee #", "ticket id",
                 "besucher id", "badge-nr", "ausweisnummer", "numéro de badge", "code barre",
                 "número de acreditación", "código de barras"),
    "notes": ("notes", "note", "comments", "comment", "remarks", "description", "memo",
              "bemerkungen", "bemerkung", "notizen", "notiz", "kommentar", "kommentare",
              "anmerkungen", "commentaires", "commentaire", "remarques", "notas", "nota",
              "comentarios", "comentario", "observaciones", "lead notes", "scan notes"),
    "website": ("website", "web site", "url", "web", "homepage", "company website", "webseite",
                "internetseite", "site web", "site internet", "sitio web", "página web"),
    "industry": ("industry", "sector", "branche", "industrie", "secteur", "secteur d'activité",
                 "industria", "sector industrial"),
    "company_size": ("company size", "employees", "number of employees", "no. of employees",
                     "# of employees", "mitarbeiter", "anzahl mitarbeiter", "mitarbeiterzahl",
                     "unternehmensgröße", "taille de l'entreprise", "effectif",
                     "tamaño de la empresa", "empleados"),
    "rating": ("rating", "lead rating", "temperature", "bewertung", "évaluation", "valoración",
               "lead grade", "grade", "lead score", "score", "lead quality", "leadqualitycode",
               "stars", "sterne", "étoiles", "estrellas", "temperatur", "température",
               "temperatura", "label", "labels", "lead label", "lead labels",
               "lead - labels"),
    "product_interest": ("product interest", "products of interest", "interested in",
                         "product", "products", "produktinteresse", "interesse",
                         "produit d'intérêt", "intérêt", "producto de interés", "interés"),
    "status": ("lead status", "status", "hs lead status", "lifecycle stage", "lifecyclestage",
               "status reason", "statuscode", "statecode", "lead stage", "stage", "phase",
               "statut", "estado del lead"),
    "channel": ("lead source", "lead - source", "leadsource", "leadsourcecode", "channel",
                "original source",
                "hs analytics source", "lead origin", "kanal", "herkunft", "quelle", "canal",
                "source du lead", "origen", "origen del lead"),
    "do_not_contact": ("email opt out", "do not contact", "do not call", "opted out",
                       "has opted out of email", "unsubscribed"),
    "consent": ("marketing consent", "consent", "opt in", "gdpr consent", "einwilligung",
                "consentement", "consentimiento"),
    "campaign": ("campaign", "campaign name", "kampagne", "campagne", "campaña"),
}

_QUESTION = re.compile(r"^(q\s*\d+\b|question\b|frage\b|pregunta\b|qualifier\b)", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^0-9a-z#]+")


def header_key(header: str) -> str:
    """Reduce a header to the form synonyms are compared in.

    ``First Name``, ``firstName``, ``FIRST_NAME`` and ``first-name`` all become ``firstname``;
    ``Prénom`` becomes ``prenom``; a BOM or non-breaking space glued on by Excel disappears.
    ``#`` is kept because ``Barcode #`` and ``Barcode`` mean different things in some exports.
    """
    text = header.replace("\ufeff", "").strip()
    text = _CAMEL.sub(" ", text)
    if not text.isascii():  # fast path: the table reader calls this on every data row
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("ß", "ss")
    return _NON_WORD.sub("", text.casefold())


def _build_lookup() -> dict[str, tuple[str, int]]:
    lookup: dict[str, tuple[str, int]] = {}
    for target, spellings in _SYNONYMS.items():
        for rank, spelling in enumerate(spellings):
            lookup.setdefault(header_key(spelling), (target, rank))
    return lookup


_LOOKUP = _build_lookup()

# Fallback for headers no synonym names exactly (``Business Email 2``, ``Work Phone (direct)``):
# a key fragment that makes the meaning unambiguous. Checked in order, after exact synonyms and
# question detection. Ranked behind every exact synonym.
_FRAGMENTS: tuple[tuple[str, str], ...] = (
    ("optout", ""),
    ("firstname", "first_name"),
    ("lastname", "last_name"),
    ("fullname", FULL_NAME),
    ("email", "email"),
    ("mobile", "mobile"),
    ("cellphone", "mobile"),
    ("handy", "mobile"),
    ("phone", "phone"),
    ("telefon", "phone"),
    ("telephone", "phone"),
    ("postalcode", "postal_code"),
    ("zip", "postal_code"),
    ("postleitzahl", "postal_code"),
    ("country", "country"),
    ("company", "company"),
    ("organi", "company"),
    ("jobtitle", "title"),
    ("badge", "badge_id"),
    ("barcode", "badge_id"),
    ("website", "website"),
    ("comment", "notes"),
    ("notes", "notes"),
)
_FRAGMENT_RANK = 1000


def _candidate(header: str) -> tuple[str, int]:
    """The target a header suggests on its own, and how confident (lower rank wins)."""
    key = header_key(header)
    if not key:
        return "", 0
    if key in _LOOKUP:
        return _LOOKUP[key]
    if header.strip().endswith("?") or _QUESTION.match(header.strip()):
        return QUESTION_PREFIX + header.strip(), 0
    for fragment, target in _FRAGMENTS:
        if fragment in key:
            return target, _FRAGMENT_RANK
    return "", 0


class MatchConfidence(Enum):
    """How sure the guess is that a column feeds its target; the mapping page shows it."""

    NAME = "name"  # the header is a known name of the field ("E-Mail", "Vorname")
    PART = "part"  # a known word inside a longer header ("Telefon geschäftlich")
    QUESTION = "question"  # reads as a question: a qualifier answer
    NONE = "none"  # nothing matched: not imported unless someone chooses

    @property
    def label(self) -> str:
        return {"name": "High: the column's name", "part": "Check: a word in the name",
                "question": "High: a question", "none": "Not matched"}[self.value]


def match_confidence(header: str, target: str) -> MatchConfidence:
    """Why ``header`` was guessed to be ``target`` (NONE when the guess would not give it)."""
    if not target:
        return MatchConfidence.NONE
    if target.startswith(QUESTION_PREFIX):
        return MatchConfidence.QUESTION
    guessed, rank = _candidate(header)
    related = guessed == target or (guessed in PHONE_TARGETS and target in PHONE_TARGETS) or (
        guessed == FULL_NAME and target == "last_name")
    if not related:
        return MatchConfidence.NONE
    return MatchConfidence.PART if rank >= _FRAGMENT_RANK else MatchConfidence.NAME


def header_score(cells: Sequence[str]) -> int:
    """How many distinct lead fields a row of cells names: the table reader's header detector.

    Questions and unknown cells do not count, so a title row ("Leads – Hannover Messe 2026?")
    cannot win over the real header.
    """
    targets = set()
    for cell in cells:
        target, _rank = _candidate(cell)
        if target and not target.startswith(QUESTION_PREFIX):
            targets.add(target)
    # A lead-retrieval export may name nothing but the badge id beside a scan time and a
    # device: that column alone makes the row a header (the registration list names the rest).
    return max(len(targets), 2) if "badge_id" in targets else len(targets)


def _valid_target(target: str) -> bool:
    return (target == "" or target == FULL_NAME or target in FIELDS_BY_NAME
            or (target.startswith(QUESTION_PREFIX) and len(target) > len(QUESTION_PREFIX)))


def _single_valued(target: str) -> bool:
    return bool(target) and not target.startswith(QUESTION_PREFIX)


@dataclass(frozen=True)
class ColumnMapping:
    """Which target each header feeds, in the file's column order.

    A target is a lead field name (``LEAD_FIELDS``), ``"full_name"`` (split into first and
    last name), ``"question:<text>"`` (a qualifier answer kept under its header text) or ``""``
    (ignored). Immutable, so the dialog can keep the guess and the user's version side by side.
    ``values`` holds the person's translations of choice values (rating: A → hot), saved with
    the template.
    """

    columns: tuple[tuple[str, str], ...]
    values: ValueMapping = field(default_factory=ValueMapping)

    def target(self, header: str) -> str:
        """The header's target; a header spelled differently (case, spaces) matches too."""
        for name, target in self.columns:
            if name == header:
                return target
        key = header_key(header)
        for name, target in self.columns:
            if header_key(name) == key:
                return target
        return ""

    def with_target(self, header: str, target: str) -> ColumnMapping:
        """A copy where ``header`` feeds ``target``.

        A single-valued target moves: the column that held it before is set to ignored, so the
        mapping never writes two columns into one field.
        """
        if not _valid_target(target):
            raise MappingError(f"'{target}' is not a lead field, full_name or question.")
        if all(name != header for name, _t in self.columns):
            raise MappingError(f"The file has no column '{header}'.")
        columns = []
        for name, old in self.columns:
            if name == header:
                columns.append((name, target))
            elif _single_valued(target) and old == target:
                columns.append((name, ""))
            else:
                columns.append((name, old))
        return ColumnMapping(tuple(columns), self.values)

    def with_values(self, values: ValueMapping) -> ColumnMapping:
        return replace(self, values=values)

    def to_json(self) -> str:
        """Template text for storage; versioned so the format can change later. Templates saved
        before value mappings existed have no ``values`` key and read as none."""
        data: dict[str, object] = {"version": 1, "columns": [list(pair) for pair in self.columns]}
        if self.values:
            data["values"] = self.values.to_data()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        try:
            data = json.loads(text)
            pairs = data["columns"]
            columns = tuple((str(header), str(target)) for header, target in pairs)
        except (ValueError, TypeError, KeyError) as exc:
            raise MappingError(f"The saved column mapping is damaged ({exc}).") from exc
        bad = [target for _h, target in columns if not _valid_target(target)]
        if bad:
            raise MappingError(f"The saved column mapping names unknown fields: {', '.join(bad)}.")
        try:
            values = ValueMapping.from_data(data.get("values", {}))
        except ValueMappingError as exc:
            raise MappingError(f"The saved value mapping is damaged ({exc}).") from exc
        return cls(columns, values)

    @property
    def signature(self) -> str:
        """Stable hash of the header list, to offer a saved template again.

        Headers are compared by :func:`header_key` and sorted, so ``First Name`` and
        ``first_name``, or the same columns in another order, give the same signature (the
        mapping is by header, not by position).
        """
        keys = sorted(header_key(name) for name, _t in self.columns)
        return hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()[:32]


def guess_mapping(headers: Sequence[str]) -> ColumnMapping:
    """Propose a target for every header.

    Each single-valued target goes to the header that names it most precisely (ties: the
    leftmost). Phone-like columns are the exception, because exports commonly carry work, mobile
    and home numbers: surplus ones fill whichever of ``phone``/``mobile`` is still free and the
    rest are ignored. ``Name`` beside a ``Vorname``/``First Name`` column is the last name (the
    German convention), not a full name.
    """
    candidates = [_candidate(h) for h in headers]
    targets = ["" for _ in headers]
    best: dict[str, int] = {}
    for index, (target, rank) in enumerate(candidates):
        if not target:
            continue
        if target.startswith(QUESTION_PREFIX):
            targets[index] = target
            continue
        current = best.get(target)
        if current is None or rank < candidates[current][1]:
            best[target] = index
    for target, index in best.items():
        targets[index] = target

    if FULL_NAME in best and "first_name" in best and "last_name" not in best \
            and header_key(headers[best[FULL_NAME]]) == "name":
        targets[best[FULL_NAME]] = "last_name"

    free = [t for t in PHONE_TARGETS if t not in best]
    for index, (target, _rank) in enumerate(candidates):
        if target in PHONE_TARGETS and targets[index] == "" and free:
            targets[index] = free.pop(0)
    return ColumnMapping(tuple((h, t) for h, t in zip(headers, targets, strict=True)))


_PREFIXES = frozenset(header_key(p) for p in (
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "herr", "frau", "m", "mme", "mlle", "sr",
    "sra", "srta", "don", "doña", "dipl-ing", "ing", "mag", "dott", "sir", "madam"))
_SUFFIXES = frozenset(header_key(s) for s in ("jr", "sr", "ii", "iii", "iv", "phd", "md", "mba",
                                               "esq", "msc", "bsc"))
_PARTICLES = frozenset(("von", "van", "de", "der", "den", "del", "della", "di", "da", "du", "la",
                        "le", "zu", "ten", "ter", "dos", "das", "des", "vom", "zum", "zur", "bin",
                        "al", "el", "st", "st."))


def split_full_name(text: str) -> tuple[str, str]:
    """Split a one-column name into (first, last).

    ``Müller, Anna`` is the list form; honorifics (``Dr.``, ``Frau``) are dropped because they
    are not names; particles (``von``, ``van der``, ``de la``) stay with the last name, where
    sorting and CRMs expect them; a suffix (``Jr.``) stays with the last name. One word is taken
    as the last name, because Salesforce requires a last name and never a first one.
    """
    text = " ".join(text.split())
    if not text:
        return "", ""
    if "," in text:
        last, _, first = text.partition(",")
        first = first.strip()
        if first and header_key(first) not in _SUFFIXES:
            first_words = [w for w in first.split() if header_key(w) not in _PREFIXES] or first.split()
            return " ".join(first_words), last.strip()
        text = f"{last.strip()} {first}".strip()
    words = text.split()
    while len(words) > 1 and header_key(words[0]) in _PREFIXES:
        words.pop(0)
    suffix: list[str] = []
    while len(words) > 1 and header_key(words[-1]) in _SUFFIXES:
        suffix.insert(0, words.pop())
    if len(words) == 1:
        return "", " ".join(words + suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:] + suffix)


def apply_mapping(mapping: ColumnMapping, row: SourceRow) -> tuple[dict[str, str], dict[str, str]]:
    """Turn one source row into (lead field values, question answers by header text).

    Empty cells are dropped so they never overwrite data on a merge. A full name only fills
    first/last name where the file has no separate column with a value (Salesforce: "Full Name
    or First Name & Last Name, not both"). If a saved mapping sends two columns to ``notes`` they
    are joined; for any other field the first non-empty value wins.
    """
    fields: dict[str, str] = {}
    answers: dict[str, str] = {}
    full_names: list[str] = []
    for header, target in mapping.columns:
        value = row.values.get(header, "").strip()
        if not value or not target:
            continue
        if target.startswith(QUESTION_PREFIX):
            answers[target[len(QUESTION_PREFIX):]] = value
        elif target == FULL_NAME:
            full_names.append(value)
        elif target == "notes" and "notes" in fields:
            fields["notes"] += "\n" + value
        else:
            fields.setdefault(target, value)
    if full_names:
        first, last = split_full_name(full_names[0])
        if first and "first_name" not in fields:
            fields["first_name"] = first
        if last and "last_name" not in fields:
            fields["last_name"] = last
    return fields, answers
