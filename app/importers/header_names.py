"""Which lead field a column header names: one synonym table over normalised header keys.

Organisers' lead-retrieval exports, registration lists and CRM exports name the same columns in
many ways (BADGE-FORMATS.md §3.1): ``First Name``, ``firstName``, ``FIRST_NAME``, ``Vorname``,
``Prénom``, ``Nombre``… Every header is reduced to a *key* (accents dropped, camelCase split,
punctuation and spaces removed, lower case) and looked up in one synonym table, so a new
spelling is one line here rather than a special case in a reader.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

FULL_NAME = "full_name"
QUESTION_PREFIX = "question:"
PHONE_TARGETS = ("phone", "mobile")


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
FRAGMENT_RANK = 1000


def header_target(header: str) -> tuple[str, int]:
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
            return target, FRAGMENT_RANK
    return "", 0


def header_score(cells: Sequence[str]) -> int:
    """How many distinct lead fields a row of cells names: the table reader's header detector.

    Questions and unknown cells do not count, so a title row ("Leads – Hannover Messe 2026?")
    cannot win over the real header.
    """
    targets = set()
    for cell in cells:
        target, _rank = header_target(cell)
        if target and not target.startswith(QUESTION_PREFIX):
            targets.add(target)
    # A lead-retrieval export may name nothing but the badge id beside a scan time and a
    # device: that column alone makes the row a header (the registration list names the rest).
    return max(len(targets), 2) if "badge_id" in targets else len(targets)


