"""Duplicate detection for leads: one scoring function, multi-key blocking, a bulk scan.

Why this shape:

* **One scorer, one threshold.** Booth capture, import and the bulk scan all call
  :func:`match`, so a pair flagged at the booth is the pair the scan lists, with the same words.
* **rapidfuzz** does the string similarity (Indel-normalised ``ratio``). It is a maintained C++
  library with wheels for every platform we ship, needs no numpy, and a call on short strings
  costs a few hundred nanoseconds, which is what a million-lead scan in pure Python needs.
  recordlinkage would bring pandas/numpy and its own pair index for what is here ~300 lines;
  jellyfish/dedupe are slower per comparison or need training data.
* **Blocking** on several keys (exact email, email local part, phones, badge at an event,
  whole last name + start or end of the (formal) first name, whole first name + start or end
  of the last name, the same for the swapped names, company + last-name prefix) so each kind
  of variation keeps at least one key in common, while a record meets only a handful of
  others. A typo in a short first name *and* no shared email, phone or company is what it
  misses (see the benchmark's brute-force comparison). Blocks bigger than :data:`MAX_BLOCK`
  (``smith|j`` in a million leads, ``info@``) are not compared all-against-all: their members
  are sorted by name and each is compared with its next :data:`WINDOW` neighbours (sorted
  neighbourhood), so a huge block costs O(n·window) instead of O(n²). The pairs skipped that
  way are counted in :class:`ScanStats`.
* **People known only by name and address** (registration lists, paper forms, old CRM
  exports: no email, no phone) have nothing this scorer can hold on to. They, and anyone with a
  date of birth, also go through :mod:`app.domain.record_linkage` (per-field comparison,
  Fellegi-Sunter weights, its own blocking). A pair either matcher finds is listed once, with
  the higher score and that matcher's reasons.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.fuzz import ratio

from app.domain import record_linkage

DEFAULT_MIN_SCORE = 80.0
"""The one fixed threshold: pairs scoring at least this are reported as likely duplicates."""

MAX_BLOCK = 25
"""Blocks up to this size are compared all-against-all (at most 300 pairs)."""

WINDOW = 8
"""In an oversized block each record is compared with this many sorted neighbours."""

# Weights of the score: how alike the names are, and how much other evidence supports them.
_NAME_WEIGHT = 0.55
_SUPPORT_WEIGHT = 0.45
# A name score below this cannot reach DEFAULT_MIN_SCORE without a shared email, phone or badge
# (support is at most 100): name-only blocks reject such pairs before scoring the rest.
_NAME_FLOOR = (DEFAULT_MIN_SCORE - 100 * _SUPPORT_WEIGHT) / _NAME_WEIGHT


@dataclass(frozen=True, slots=True)
class MatchKeys:
    """The columns of a lead that identify a person; what the matcher reads and nothing more."""

    key: int
    id: uuid.UUID
    first_name: str
    last_name: str
    company: str
    email: str
    phone_e164: str
    mobile_e164: str
    badge_id: str
    event_id: uuid.UUID | None
    street: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    birth_date: dt.date | None = None


def display_name(k: MatchKeys) -> str:
    """How a lead is named in a list of pairs (as ``LeadRecord.display_name``)."""
    name = f"{k.first_name} {k.last_name}".strip()
    return name or k.email or k.company or k.badge_id or "(no name)"


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """Two leads that are probably the same person, how sure (0..100) and why, in plain words."""

    a: uuid.UUID
    b: uuid.UUID
    score: float
    reasons: tuple[str, ...]


@dataclass
class ScanStats:
    """What a bulk scan did, so its cost and what blocking gave up can be reported."""

    records: int = 0
    blocks: int = 0
    oversized_blocks: int = 0
    compared: int = 0
    skipped_by_cap: int = 0  # pairs in oversized blocks not compared (may include true pairs)
    found: int = 0
    linked: int = 0  # people compared by name, postal address and birth date
    linkage: record_linkage.LinkStats | None = None  # what that pass did, if it ran


# -- normalisation ----------------------------------------------------------------------------

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
class _Prepared:
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
def _last_name_core(text: str) -> str:
    """The last name without particles, so 'van der Berg' does not block with every 'van …'."""
    words = [fold(w) for w in text.replace("-", " ").split()]
    core = [w for w in words if w and w not in _PARTICLES]
    return "".join(core or words)


def _prepare(k: MatchKeys) -> _Prepared:
    email, local = normalise_email_key(k.email)
    if local in _ROLE_LOCAL_PARTS:
        local = ""
    badge = k.badge_id.strip().casefold()
    return _Prepared(
        first=canonical_first_name(k.first_name),
        first_raw=fold(k.first_name),
        last=fold(k.last_name),
        last_canon=canonical_first_name(k.last_name),
        last_core=_last_name_core(k.last_name),
        company=normalise_company(k.company) if k.company.strip() else "",
        email=email,
        local=local,
        phones=frozenset(p for p in (k.phone_e164.strip(), k.mobile_e164.strip()) if p),
        badge=f"{k.event_id}:{badge}" if badge and k.event_id is not None else "",
    )


# -- scoring ----------------------------------------------------------------------------------

def _name_score(a: _Prepared, b: _Prepared) -> tuple[float, bool]:
    """How alike the names are (0..100) and whether first and last were swapped.

    The score is the geometric mean of first-name and last-name similarity, so one wholly
    different part ('John' vs 'Jane' Smith) pulls it down hard, while a typo in either part
    costs little. Nicknames compare as their formal names. A missing part counts as neutral
    (70): 'Smith' alone is weak evidence, not none.
    """
    first = _part(a.first, b.first)
    if first < 100 and (a.first != a.first_raw or b.first != b.first_raw):
        first = max(first, _part(a.first_raw, b.first_raw))  # 'Curro' vs 'Curo'
    direct = _combine(first, _part(a.last, b.last))
    if direct >= 95 or not (a.first and b.first and a.last and b.last):
        return direct, False  # a swap could not score more than 5 points higher
    swapped = _combine(_part(a.first, b.last_canon), _part(a.last_canon, b.first))
    if swapped > direct + 5:
        return swapped, True
    return direct, False


def _part(x: str, y: str) -> float:
    if not x or not y:
        return 70.0
    return ratio(x, y)


def _combine(first: float, last: float) -> float:
    return (first * last) ** 0.5


def _score(a: _Prepared, b: _Prepared, name: float, swapped: bool) -> tuple[float, tuple[str, ...]]:
    """Combine name similarity with the supporting evidence into one score and its reasons."""
    reasons: list[str] = []
    support = 0.0
    if a.badge and a.badge == b.badge:
        support = 100.0
        reasons.append("same badge at the event")
    if a.email and a.email == b.email:
        support = 100.0
        reasons.append("same email")
    if a.phones & b.phones:
        # Colleagues share a switchboard number, so a phone is a little weaker than an email.
        support = max(support, 90.0)
        reasons.append("same phone")
    if a.company and b.company:
        company = 100.0 if a.company == b.company else ratio(a.company, b.company)
        if company >= 85:
            support = max(support, 0.8 * company)
            reasons.append("same company" if company == 100 else f"companies {company:.0f}% similar")
        elif company < 50:
            support -= 10.0  # different employers: evidence against
    strong = sum(r in _STRONG_REASONS for r in reasons)
    if strong >= 2:
        # Two independent identifiers agree (email and phone, badge and email): that outweighs
        # a badly mangled name.
        support += 15.0 * (strong - 1)
    score = _NAME_WEIGHT * name + _SUPPORT_WEIGHT * max(support, 0.0)
    if name >= 99.5:
        reasons.insert(0, "names swapped" if swapped else "same name")
    else:
        reasons.insert(0, f"names {name:.0f}% similar" + (" (swapped)" if swapped else ""))
    return round(min(score, 100.0), 1), tuple(reasons)


_STRONG_REASONS = frozenset({"same badge at the event", "same email", "same phone"})


def _strong_link(a: _Prepared, b: _Prepared) -> bool:
    return bool((a.email and a.email == b.email) or (a.phones & b.phones)
                or (a.badge and a.badge == b.badge))


def _match_prepared(a: _Prepared, b: _Prepared, min_score: float) -> tuple[float, tuple[str, ...]] | None:
    name, swapped = _name_score(a, b)
    if name < _NAME_FLOOR and min_score >= DEFAULT_MIN_SCORE and not _strong_link(a, b):
        return None  # cannot reach the threshold: skip the rest of the work
    score, reasons = _score(a, b, name, swapped)
    if score < min_score:
        return None
    return score, reasons


def match(a: MatchKeys, b: MatchKeys, *, min_score: float = DEFAULT_MIN_SCORE) -> CandidatePair | None:
    """The pair as a candidate duplicate if it scores at least ``min_score``, else None.

    Symmetric in ``a`` and ``b`` (the returned pair is ordered by id).
    """
    if a.id == b.id:
        return None
    found = _match_prepared(_prepare(a), _prepare(b), min_score)
    if needs_linkage(a) and needs_linkage(b):
        person_a, person_b = _person(a), _person(b)
        detail, swapped = record_linkage.compare(person_a, person_b)
        if record_linkage.comparable(detail):
            probability = record_linkage.CALIBRATED.probability(record_linkage.pattern_of(detail))
            score = round(100 * probability, 1)
            if score >= min_score and (found is None or score > found[0]):
                found = score, record_linkage.reasons(detail, swapped, a, b, person_a, person_b)
    if found is None:
        return None
    first, second = sorted((a.id, b.id))
    return CandidatePair(first, second, found[0], found[1])


def needs_linkage(k: MatchKeys) -> bool:
    """Whether the name-and-address matcher should look at this lead.

    Leads reachable by email or phone are matched through those; the name-and-address pass is
    for people known only by name, address and date of birth, and for anyone with a date of
    birth (registration lists), where it is the stronger evidence.
    """
    if not (k.first_name.strip() or k.last_name.strip()):
        return False
    if not (k.street.strip() or k.postal_code.strip() or k.birth_date is not None):
        return False
    no_contact = not (k.email.strip() or k.phone_e164.strip() or k.mobile_e164.strip())
    return no_contact or k.birth_date is not None


def _person(k: MatchKeys) -> record_linkage.Person:
    return record_linkage.prepare_person(
        k.first_name, k.last_name, k.street, k.postal_code, k.city, k.region, k.birth_date)


# -- blocking ---------------------------------------------------------------------------------

def _blocking_keys(p: _Prepared) -> set[str]:
    keys: set[str] = set()
    if p.email:
        keys.add("e" + p.email)
    if len(p.local) >= 4:
        keys.add("l" + p.local)
    for phone in p.phones:
        keys.add("p" + phone)
    if p.badge:
        keys.add("b" + p.badge)
    if p.last and p.first:
        # Each key keeps one name whole and a fragment of the other, so one typo in either
        # name leaves a key intact unless it hits a short name in both its start and its
        # end fragment; nicknames use the formal first name.
        keys.add(f"k{p.last}|{p.first[:3]}")  # typos in the first name after its 3rd letter
        keys.add(f"j{p.last}|{p.first[-3:]}")  # typos early in the first name
        keys.add(f"f{p.first}|{p.last_core[:3]}")  # typos in the last name after its 3rd letter
        keys.add(f"m{p.first}|{p.last[-4:]}")  # typos early in the last name
    elif p.last or p.first:
        keys.add(f"o{p.last or p.first}")  # one name only
    if p.first_raw and p.last:
        # The swapped-name variant, spelled as the 'k' and 'f' keys of the unswapped record.
        swapped_first = NICKNAMES.get(p.last, p.last)
        keys.add(f"k{p.first_raw}|{swapped_first[:3]}")
        keys.add(f"f{swapped_first}|{_last_name_core(p.first_raw)[:3]}")
    if p.company and p.last:
        keys.add(f"c{p.company}|{p.last[:3]}")
    return keys


def blocking_keys(k: MatchKeys) -> set[str]:
    """The blocks a lead falls into; two leads are compared only if they share one."""
    return _blocking_keys(_prepare(k))


def _has_support(k: MatchKeys) -> bool:
    """Whether the lead has anything besides its name that the contact matcher weighs."""
    return bool(k.email.strip() or k.phone_e164.strip() or k.mobile_e164.strip()
                or k.badge_id.strip() or k.company.strip())


_UNCOMPARED = _Prepared("", "", "", "", "", "", "", "", frozenset(), "")
"""Stands in for a lead the contact matcher never compares (it is in no block)."""


def _sort_key(p: _Prepared) -> str:
    return f"{p.last} {p.first}"


def find_duplicates(records: Iterable[MatchKeys], *, min_score: float = DEFAULT_MIN_SCORE,
                    progress: Callable[[int, int], None] | None = None,
                    cancelled: Callable[[], bool] | None = None,
                    stats: ScanStats | None = None) -> list[CandidatePair]:
    """All candidate duplicate pairs among ``records``, best first.

    Leads with nothing but a name for the contact scorer to weigh (no email, phone, badge or
    company) are left out of its blocks when ``min_score`` is above what a name alone can
    score; those with an address or a date of birth are compared by the name-and-address pass.
    ``progress(done, total)`` is called now and then while blocks are compared; returning
    early when ``cancelled()`` is true gives the pairs found so far. ``stats`` (if given) is
    filled with what the scan did, including the pairs the block cap skipped.
    """
    stats = stats if stats is not None else ScanStats()
    ids: list[uuid.UUID] = []
    prepared: list[_Prepared] = []
    blocks: dict[str, list[int]] = {}
    # A pair's support needs an email, phone, badge or company on both sides; without it the
    # contact matcher's score is at most the name's share.
    names_only_fall_short = min_score > 100 * _NAME_WEIGHT
    linked: list[int] = []  # positions of the people for the name-and-address pass
    people: list[record_linkage.Person] = []
    shown: list[MatchKeys] = []
    for index, record in enumerate(records):
        ids.append(record.id)
        if needs_linkage(record):
            linked.append(index)
            people.append(_person(record))
            shown.append(record)
        if names_only_fall_short and not _has_support(record):
            prepared.append(_UNCOMPARED)  # nothing but a name: can never reach min_score
            continue
        p = _prepare(record)
        prepared.append(p)
        for block_key in _blocking_keys(p):
            members = blocks.get(block_key)
            if members is None:
                blocks[block_key] = [index]
            else:
                members.append(index)
    stats.records = len(prepared)

    seen: set[int] = set()
    found: dict[int, tuple[float, tuple[str, ...]]] = {}
    count = len(prepared)
    total = len(blocks)
    step = max(1, total // 100)
    linking = len(people) >= 2
    # With a name-and-address pass to come, the contact blocks are the first half of the work.
    steps = 2 * total if linking else total
    for done, members in enumerate(blocks.values(), 1):
        if progress is not None and done % step == 0:
            progress(done, steps)
        if cancelled is not None and done % 1000 == 1 and cancelled():
            break
        size = len(members)
        if size < 2:
            continue
        stats.blocks += 1
        for i, j in _block_pairs(members, prepared, stats):
            pair = i * count + j if i < j else j * count + i
            if pair in seen or ids[i] == ids[j]:  # the same lead given twice is no pair
                continue
            stats.compared += 1
            result = _match_prepared(prepared[i], prepared[j], min_score)
            if result is not None:
                seen.add(pair)
                found[pair] = result
            elif _strong_link(prepared[i], prepared[j]):
                seen.add(pair)  # rare, and already fully scored: never score it again
    stats.linked = len(people)
    if linking and not (cancelled is not None and cancelled()):
        stats.linkage = record_linkage.LinkStats()
        linkage_progress = None if progress is None else \
            lambda done, pairs: progress(total + total * done // max(pairs, 1), steps)
        for found_link in record_linkage.link(people, shown, min_score=min_score,
                                              stats=stats.linkage, cancelled=cancelled,
                                              progress=linkage_progress):
            i, j = linked[found_link.first], linked[found_link.second]
            if ids[i] == ids[j]:
                continue
            pair = i * count + j if i < j else j * count + i
            if pair not in found or found[pair][0] < found_link.score:
                found[pair] = found_link.score, found_link.reasons
    if progress is not None:
        progress(steps, steps)
    by_ids: dict[tuple[uuid.UUID, uuid.UUID], CandidatePair] = {}
    for pair, (score, reasons) in found.items():
        first, second = sorted((ids[pair // count], ids[pair % count]))
        by_ids[first, second] = CandidatePair(first, second, score, reasons)
    pairs = list(by_ids.values())  # a lead given twice yields its pairs once
    pairs.sort(key=lambda p: (-p.score, str(p.a), str(p.b)))
    stats.found = len(pairs)
    return pairs


def _block_pairs(members: list[int], prepared: list[_Prepared],
                 stats: ScanStats) -> Iterable[tuple[int, int]]:
    """Every pair of a small block; sorted-neighbourhood pairs of an oversized one."""
    size = len(members)
    if size <= MAX_BLOCK:
        for x in range(size - 1):
            i = members[x]
            for y in range(x + 1, size):
                yield i, members[y]
        return
    stats.oversized_blocks += 1
    ordered = sorted(members, key=lambda m: _sort_key(prepared[m]))
    compared = 0
    for x in range(size - 1):
        i = ordered[x]
        for y in range(x + 1, min(size, x + 1 + WINDOW)):
            compared += 1
            yield i, ordered[y]
    stats.skipped_by_cap += size * (size - 1) // 2 - compared

