"""The words business cards use, in English, German, French and Spanish: titles, legal forms,
phone labels, streets. Matched on folded text (lower case, no accents)."""

from __future__ import annotations

import re

from app.domain.card_text import fold

#: Words that make a line a job title ("Leiter Vertrieb", "Directeur commercial", "Jefa de
#: Ventas"); also the words that show where OCR dropped a space inside a title.
TITLE_WORDS = frozenset({
    # English
    "manager", "director", "head", "chief", "officer", "president", "founder", "owner",
    "partner", "engineer", "consultant", "specialist", "analyst", "developer", "architect",
    "executive", "sales", "marketing", "account", "representative", "coordinator", "assistant",
    "associate", "advisor", "adviser", "purchasing", "buyer", "procurement", "administrator",
    "scientist", "designer", "operations", "business", "development", "senior", "junior",
    "product", "project", "technical", "regional", "global", "ceo", "cto", "cfo", "coo", "cio",
    "cmo", "vp",
    # German
    "leiter", "leiterin", "geschaftsfuhrer", "geschaftsfuhrerin", "vertrieb", "einkauf",
    "vorstand", "inhaber", "inhaberin", "berater", "beraterin", "ingenieur", "ingenieurin",
    "entwickler", "entwicklerin", "referent", "referentin", "sachbearbeiter", "prokurist",
    "vertriebsleiter", "vertriebsleiterin", "einkaufsleiter", "einkaufsleiterin",
    "projektleiter", "projektleiterin", "teamleiter", "teamleiterin", "abteilungsleiter",
    "bereichsleiter", "verkaufsleiter", "kundenberater", "kundenberaterin", "technischer",
    "kaufmannischer", "mitarbeiter", "mitarbeiterin", "produktmanager", "produktmanagerin",
    # French
    "directeur", "directrice", "responsable", "chef", "ingenieure", "commercial", "commerciale",
    "gerant", "gerante", "presidente", "charge", "chargee", "conseiller",
    "conseillere", "acheteur", "acheteuse", "fondateur", "fondatrice", "associe", "associee",
    "dirigeant", "dirigeante", "affaires", "achats", "ventes", "technico",
    # Spanish
    "directora", "jefe", "jefa", "gerente", "ingeniero", "ingeniera", "ventas", "compras",
    "consejero", "consejera", "fundador", "fundadora", "asesor", "asesora", "tecnico",
    "tecnica", "delegado", "delegada", "comerciales", "adjunto", "adjunta",
})
_SHORT_TITLE_WORDS = frozenset({"ceo", "cto", "cfo", "coo", "cio", "cmo", "vp"})

#: Legal forms and group words that mark a company line (not inside another word).
_LEGAL_FORMS = re.compile(
    r"(?<![^\W\d_])(?:gmbh|mbh|ohg|e\.\s?k\.|s\.a\.r\.l\.?|sarl|s\.a\.s\.?|sas|s\.a\.?|"
    r"s\.l\.u\.?|s\.l\.?|ltd\.?|limited|inc\.?|llc|corp\.?|corporation|plc|b\.v\.?|n\.v\.?|"
    r"s\.p\.a\.?|spa|s\.r\.l\.?|srl|a/s|aps|oy|group|gruppe|groupe|grupo|holding|& co\.?)"
    r"(?![^\W\d_])", re.IGNORECASE)
#: Short upper-case forms match only as written ("AG", not the word "ag").
_CASED_FORMS = re.compile(r"\b(?:AG|SE|KG|KGaA|UG|SA|SL|SLU|SAU|AB|AS|BV|NV|GbR)\b")
#: A legal form OCR ran into the name before it ("TalleresNorteS.A.", "DataLtd").
_GLUED_FORM = re.compile(r"(?<=[a-zà-ÿ])(?=(?:GmbH|Ltd\b|Inc\b|LLC\b|S\.A\.|S\.L\b|S\.L\.|"
                         r"SAS\b|SARL\b|AG\b|SE\b|SA\b|KG\b|BV\b|NV\b|plc\b))")
#: Small words inside titles, only used to find where OCR dropped a space.
_TITLE_JOINERS = frozenset({"de", "del", "of", "for", "the", "and", "und", "et", "y", "des",
                            "du", "la", "proyectos", "projets", "projekte", "ventas", "compras",
                            "general", "generale"})

#: Labels before a phone number that make it a mobile, or a fax (left out), after folding.
MOBILE_LABELS = frozenset({"mobil", "mobile", "mob", "m", "cell", "cellular", "handy",
                           "portable", "port", "movil", "cel", "celular", "gsm"})
FAX_LABELS = frozenset({"fax", "f", "telefax", "telecopie"})

#: Honorifics and degrees before a name, left out of the first name (folded, without dots).
ACADEMIC_PREFIXES = frozenset({"dr", "prof", "dipl", "dipl.-ing", "dipl-ing", "ing", "mag",
                               "mr", "mrs", "ms", "m", "mme", "mlle", "sr", "sra", "srta", "d",
                               "dna", "herr", "frau"})
#: Words that belong to the surname that follows them ("Jan van der Berg").
NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "du", "la", "le", "di", "da",
                            "del", "dos", "das", "ter", "ten", "zu", "y"})

#: Street words that show where OCR dropped a space ("CalledeAlcalá", "rueduPont").
STREET_WORDS = frozenset({"calle", "avenida", "paseo", "plaza", "camino", "carrer", "rue",
                          "avenue", "boulevard", "place", "chemin", "impasse", "quai", "route",
                          "street", "road", "lane", "drive", "de", "del", "la", "las", "los",
                          "du", "des", "le", "les", "am", "an", "der", "im", "zum", "zur"})

_STREET = re.compile(
    r"(?:[^\W\d_]{2,}(?:strasse|straße|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee)"
    r"\s*\d)|"
    r"(?:\b(?:strasse|straße|weg|platz|allee|gasse)\s+\d)|"
    r"(?:^\d+\s?(?:[a-z]|bis|ter)?,?\s+(?:rue|avenue|av\.|bd|boulevard|place|chemin|allee|"
    r"allée|impasse|quai|route|cours)\b)|"
    r"(?:^(?:calle|c/|avenida|avda\.?|av\.|paseo|plaza|carrer|camino|ronda|via|viale|piazza)"
    r"\b.*\d)|"
    r"(?:^\d+\s+[^\d,]+\b(?:street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|drive|dr\.?|way|"
    r"boulevard|blvd\.?|court|ct\.?|place|pl\.?|square|sq\.?)$)",
    re.IGNORECASE)


def is_title_line(text: str) -> bool:
    words = re.findall(r"[a-z]+", fold(text))
    if any(w in TITLE_WORDS and (w not in _SHORT_TITLE_WORDS or len(words) <= 4) for w in words):
        return True
    joined = "".join(words)  # a title whose spaces were dropped: "LeiterVertrieb"
    return len(words) == 1 and any(len(w) >= 5 and w in joined for w in TITLE_WORDS)


def title_split_words() -> frozenset[str]:
    return TITLE_WORDS | _TITLE_JOINERS


def unglue_legal_form(text: str) -> str:
    return _GLUED_FORM.sub(" ", text)


def is_company_line(text: str) -> bool:
    return bool(_LEGAL_FORMS.search(text) or _CASED_FORMS.search(text))


def is_street_line(text: str) -> bool:
    return bool(_STREET.search(text))
