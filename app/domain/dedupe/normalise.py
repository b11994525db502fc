"""Names, companies and emails folded once for matching (nicknames, legal forms, role mailboxes)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from app.domain.dedupe.keys import MatchKeys

# Nickname → formal first name. Small on purpose: the common short forms in our markets
# (English, German, French, Spanish, Italian, Dutch). Both sides map to the formal name.
_NICKNAME_GROUPS: dict[str, tuple[str, ...]] = {
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "william": ("bill", "billy", "will", "willy", "liam"),
    "richard": ("rick", "ricky", "dick", "rich"),
    "james": ("jim", "jimmy", "jamie"),
    "john": ("jack", "johnny"),
    "jonathan": ("jon",),
    "joseph": ("joe", "joey"),
    "michael": ("mike", "mikey", "mick"),
    "thomas": ("tom", "tommy"),
    "christopher": ("chris", "kit"),
    "christian": ("chris",),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey"),
    "matthew": ("matt",),
    "anthony": ("tony",),
    "andrew": ("andy", "drew"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "charles": ("charlie", "chuck"),
    "steven": ("steve",),
    "stephen": ("steve",),
    "benjamin": ("ben", "benny"),
    "samuel": ("sam", "sammy"),
    "alexander": ("alex", "sascha", "sasha", "xander"),
    "nicholas": ("nick", "nicky"),
    "patrick": ("pat", "paddy"),
    "peter": ("pete",),
    "timothy": ("tim", "timmy"),
    "gregory": ("greg",),
    "ronald": ("ron", "ronnie"),
    "donald": ("don", "donnie"),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry",),
    "jeffrey": ("jeff",),
    "raymond": ("ray",),
    "gerald": ("gerry", "jerry"),
    "frederick": ("fred", "freddie"),
    "katherine": ("kate", "katie", "kathy", "kat", "kathrin"),
    "catherine": ("cathy", "cat", "kate"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza", "lisa", "elisabeth", "sissi"),
    "margaret": ("maggie", "meg", "peggy", "margarete", "grete", "gretel"),
    "jennifer": ("jen", "jenny"),
    "jessica": ("jess", "jessie"),
    "patricia": ("pat", "patty", "trish"),
    "susan": ("sue", "susie"),
    "deborah": ("debbie", "deb"),
    "rebecca": ("becky", "becca"),
    "victoria": ("vicky", "tori"),
    "christina": ("chris", "tina", "christine"),
    "alexandra": ("alex", "sandra", "sascha"),
    "barbara": ("barb", "babs"),
    "abigail": ("abby",),
    "samantha": ("sam",),
    "johannes": ("hans", "johann", "jo"),
    "josef": ("sepp", "joseph", "beppo", "pepe"),
    "francisco": ("paco", "pancho", "curro"),
    "jose": ("pepe",),
    "manuel": ("manolo",),
    "ignacio": ("nacho",),
    "guillermo": ("memo",),
    "wolfgang": ("wolf",),
    "friedrich": ("fritz",),
    "heinrich": ("heinz", "heiner"),
    "matthias": ("matze", "hias"),
    "andreas": ("andi",),
    "stefan": ("steffen",),
    "tobias": ("tobi",),
    "maximilian": ("max",),
    "susanne": ("susi",),
    "franziska": ("franzi",),
    "giuseppe": ("beppe", "peppe"),
    "francesco": ("franco", "cecco"),
    "jacqueline": ("jackie",),
    "dominique": ("dom",),
    "nicolas": ("nico",),
    "cornelis": ("kees",),
    "johanna": ("hanna", "jo"),
    "wilhelm": ("willi", "willy"),
}
NICKNAMES: dict[str, str] = {}
for _formal, _short_forms in _NICKNAME_GROUPS.items():
    for _short in _short_forms:
        NICKNAMES.setdefault(_short, _formal)

# Legal-form words dropped from the end of a company name: "Acme GmbH" is "Acme Ltd." is "ACME".
_COMPANY_SUFFIXES = frozenset({
    "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "eg", "ev", "se", "co", "cokg", "gbr",
    "ltd", "limited", "plc", "llp", "llc", "lp", "inc", "incorporated", "corp", "corporation",
    "company", "sa", "sas", "sarl", "sasu", "eurl", "sl", "slu", "srl", "spa", "snc", "sca",
    "bv", "nv", "vof", "cv", "oy", "oyj", "ab", "as", "asa", "aps", "kft", "sro", "sp",
    "zoo", "doo", "pty", "pte", "gesmbh", "holding", "group", "the", "und", "and", "et", "y",
})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case, accents off, letters and digits only: 'Müller-Lüdenscheidt' → 'mullerludenscheidt'.

    Cached: a million leads share a few thousand distinct names.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub("", plain)


@lru_cache(maxsize=200_000)
def canonical_first_name(text: str) -> str:
    """The folded formal form of a first name: 'Bob' → 'robert', 'Sepp' → 'josef'."""
    folded = fold(text.split()[0]) if text.split() else ""
    return NICKNAMES.get(folded, folded)


@lru_cache(maxsize=200_000)
def normalise_company(text: str) -> str:
    """Folded company name without legal-form words: 'ACME Solutions GmbH & Co. KG' → 'acmesolutions'."""
    plain = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    # Dotted abbreviations first, so 'S.A.' and 'B.V.' become one word each.
    plain = re.sub(r"\b((?:[a-z]\.){2,})", lambda m: m.group(1).replace(".", ""), plain)
    words = [w for w in _NON_ALNUM.split(plain) if w]
    while words and words[-1] in _COMPANY_SUFFIXES:
        words.pop()
    while words and words[0] == "the":
        words.pop(0)
    return "".join(words) or "".join(_NON_ALNUM.split(plain))


def normalise_email_key(text: str) -> tuple[str, str]:
    """(address, local part) compared loosely: case, dots and '+tags' in the local part ignored."""
    text = text.strip().lower()
    if "@" not in text:
        return "", ""
    local, _, domain = text.rpartition("@")
    local = local.split("+", 1)[0].replace(".", "")
    if not local:
        return "", ""
    return f"{local}@{domain}", local


# Local parts shared by many people: never evidence that two leads are the same person.
_ROLE_LOCAL_PARTS = frozenset({
    "info", "sales", "contact", "office", "mail", "admin", "hello", "service", "support",
    "kontakt", "vertrieb", "team", "marketing", "einkauf", "purchasing", "post", "enquiries",
})


@dataclass(slots=True)
class Prepared:
    """A lead's values normalised once, so comparing pairs does no string cleaning."""

    first: str  # canonical first name
    first_raw: str  # folded first name as written (for the swapped-name check)
    last: str
    last_canon: str  # the last name read as a first name, for swaps: 'Bob' → 'robert'
    last_core: str  # without particles: 'van der Berg' → 'berg', for blocking
    company: str
    email: str
    local: str
    phones: frozenset[str]
    badge: str


_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "del", "della", "la", "le",
                        "du", "ten", "ter", "zu", "dos", "das", "el", "al", "mac", "st"})


@lru_cache(maxsize=200_000)
def last_name_core(text: str) -> str:
    """The last name without particles, so 'van der Berg' does not block with every 'van …'."""
    words = [fold(w) for w in text.replace("-", " ").split()]
    core = [w for w in words if w and w not in _PARTICLES]
    return "".join(core or words)


def prepare(k: MatchKeys) -> Prepared:
    email, local = normalise_email_key(k.email)
    if local in _ROLE_LOCAL_PARTS:
        local = ""
    badge = k.badge_id.strip().casefold()
    return Prepared(
        first=canonical_first_name(k.first_name),
        first_raw=fold(k.first_name),
        last=fold(k.last_name),
        last_canon=canonical_first_name(k.last_name),
        last_core=last_name_core(k.last_name),
        company=normalise_company(k.company) if k.company.strip() else "",
        email=email,
        local=local,
        phones=frozenset(p for p in (k.phone_e164.strip(), k.mobile_e164.strip()) if p),
        badge=f"{k.event_id}:{badge}" if badge and k.event_id is not None else "",
    )
