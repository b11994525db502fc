"""Realistic, deterministic demo data: a sales organisation, its trade shows and many leads.

Demo data lets a new user see every screen populated (orphans, overdue follow-ups, the funnel,
cost per show) and lets us measure the app at a million leads. Faker is far too slow for that
(about 4k rows/s), so it is only used once per seed to build small pools of names, companies
and streets per locale; leads are recombined from those pools with ``random.Random``, and
phone numbers from validated per-country number stems. Rows go to the database in chunks
through :class:`~app.storage.repositories.bulk.BulkWriter`.

Determinism: the same seed and lead count on an empty database (and the same clock reading)
gives the same rows, ids included; ids are UUIDv7 built from the row's timestamp and the
seeded generator. Only ``device_id`` differs, because it names the database that wrote the row.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import json
import math
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any, Generic, TypeVar

import phonenumbers
from faker import Faker

from app.domain.contact_data import normalise_phone
from app.domain.errors import ValidationError
from app.domain.history import ActivityKind
from app.domain.leads import CLOSED_STATUSES, Channel, Consent, LeadStatus, Rating
from app.domain.people import Availability, Role, RoutingMode
from app.domain.tasks import TaskKind, TaskOutcome
from app.services.context import ServiceContext
from app.services.event_service import EventService
from app.services.people_service import PeopleService
from app.storage.repositories.bulk import BulkWriter

Rows = dict[str, list[dict[str, Any]]]
DEFAULT_CHUNK_SIZE = 5_000
WINDOW_DAYS = 548  # 18 months of history
TRADE_SHOW_SHARE = 0.45
DEMO_DOMAIN = "leadline-demo.com"

_MINUTE = dt.timedelta(minutes=1)
_HOUR = dt.timedelta(hours=1)
_MS = dt.timedelta(milliseconds=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MASK62 = (1 << 62) - 1
T = TypeVar("T")


class _Weighted(Generic[T]):
    """A fixed weighted choice. ``random.choices`` re-sums the weights on every call, which
    was the largest single cost of generating a lead; this bisects precomputed sums."""

    __slots__ = ("items", "cumulative", "total", "last")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items, weights = zip(*pairs, strict=True)
        self.items: tuple[T, ...] = tuple(items)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]
        self.last = len(self.items) - 1

    def pick(self, rng: Random) -> T:
        # ``hi`` as in random.choices: random() * total can round up to total itself.
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


# ------------------------------------------------------------------------------------------
# Summary


@dataclass(frozen=True)
class DemoSummary:
    """What one :meth:`DemoService.generate` run added (users/events: newly created only)."""

    leads: int
    events: int
    users: int
    tasks: int
    activities: int
    seconds: float


# ------------------------------------------------------------------------------------------
# Ids


def demo_id(rng: Random, when: dt.datetime) -> uuid.UUID:
    """A UUIDv7 (RFC 9562 layout) for ``when`` whose random bits come from ``rng``.

    Like :func:`app.domain.ids.new_id` the ids sort by time, so B-tree inserts stay local;
    unlike it they are reproducible from the seed.
    """
    ms = (when - _EPOCH) // _MS
    rand = rng.getrandbits(74)
    return uuid.UUID(int=(ms << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0x2 << 62)
                     | (rand & _MASK62))


# ------------------------------------------------------------------------------------------
# Static world: countries, cities, the seller's organisation and its trade shows


@dataclass(frozen=True)
class _Country:
    code: str
    locale: str
    tld: str
    weight: float
    free_mail: tuple[str, ...]
    number_first: bool  # "12 High Street" rather than "Hauptstraße 12"
    cities: tuple[tuple[str, str, str], ...]  # city, region, postcode pattern (# digit, @ letter)
    extra_first: tuple[str, ...] = ()
    extra_last: tuple[str, ...] = ()


_COUNTRIES: tuple[_Country, ...] = (
    _Country("DE", "de_DE", "de", 25, ("gmail.com", "web.de", "gmx.de", "t-online.de"), False, (
        ("Berlin", "Berlin", "10###"), ("Hamburg", "Hamburg", "22###"),
        ("München", "Bayern", "80###"), ("Köln", "Nordrhein-Westfalen", "50###"),
        ("Stuttgart", "Baden-Württemberg", "70###"), ("Düsseldorf", "Nordrhein-Westfalen", "40###"),
        ("Nürnberg", "Bayern", "90###"), ("Hannover", "Niedersachsen", "30###"),
        ("Leipzig", "Sachsen", "04###"), ("Bielefeld", "Nordrhein-Westfalen", "33###"),
        ("Mannheim", "Baden-Württemberg", "68###"), ("Augsburg", "Bayern", "86###"),
        ("Frankfurt am Main", "Hessen", "60###"), ("Dortmund", "Nordrhein-Westfalen", "44###"),
    ), extra_first=("Jürgen", "Jörg", "Björn"), extra_last=("Müller", "Schröder", "Weiß", "Günther")),
    _Country("US", "en_US", "com", 15, ("gmail.com", "outlook.com", "yahoo.com"), True, (
        ("Chicago", "IL", "606##"), ("Houston", "TX", "770##"), ("Detroit", "MI", "482##"),
        ("Cleveland", "OH", "441##"), ("Milwaukee", "WI", "532##"), ("Charlotte", "NC", "282##"),
        ("Pittsburgh", "PA", "152##"), ("Atlanta", "GA", "303##"), ("Indianapolis", "IN", "462##"),
        ("Minneapolis", "MN", "554##"), ("Columbus", "OH", "432##"), ("Greenville", "SC", "296##"),
    ), extra_first=("Zoë", "José", "Renée")),
    _Country("FR", "fr_FR", "fr", 10, ("gmail.com", "orange.fr", "outlook.fr", "free.fr"), True, (
        ("Paris", "Île-de-France", "750##"), ("Lyon", "Auvergne-Rhône-Alpes", "6900#"),
        ("Toulouse", "Occitanie", "310##"), ("Lille", "Hauts-de-France", "590##"),
        ("Nantes", "Pays de la Loire", "440##"), ("Strasbourg", "Grand Est", "670##"),
        ("Bordeaux", "Nouvelle-Aquitaine", "330##"), ("Grenoble", "Auvergne-Rhône-Alpes", "380##"),
        ("Saint-Étienne", "Auvergne-Rhône-Alpes", "420##"), ("Mulhouse", "Grand Est", "681##"),
    ), extra_first=("François", "Zoé", "Hélène", "Jérôme")),
    _Country("GB", "en_GB", "co.uk", 10, ("gmail.com", "outlook.com", "hotmail.co.uk"), True, (
        ("Birmingham", "West Midlands", "B# #@@"), ("Manchester", "Greater Manchester", "M# #@@"),
        ("Leeds", "West Yorkshire", "LS# #@@"), ("Sheffield", "South Yorkshire", "S# #@@"),
        ("Coventry", "West Midlands", "CV# #@@"), ("Derby", "Derbyshire", "DE# #@@"),
        ("Bristol", "Bristol", "BS# #@@"), ("Glasgow", "Scotland", "G# #@@"),
        ("London", "Greater London", "SE# #@@"), ("Nottingham", "Nottinghamshire", "NG# #@@"),
    ), extra_first=("Zoë", "Siobhán", "Niamh")),
    _Country("ES", "es_ES", "es", 7, ("gmail.com", "hotmail.es", "yahoo.es"), False, (
        ("Madrid", "Comunidad de Madrid", "280##"), ("Barcelona", "Cataluña", "080##"),
        ("Bilbao", "País Vasco", "480##"), ("Valencia", "Comunidad Valenciana", "460##"),
        ("Zaragoza", "Aragón", "500##"), ("Sevilla", "Andalucía", "410##"),
        ("Vitoria-Gasteiz", "País Vasco", "010##"), ("Valladolid", "Castilla y León", "470##"),
    ), extra_first=("José", "María José", "Jesús", "Begoña"), extra_last=("Núñez", "Ibáñez")),
    _Country("IT", "it_IT", "it", 8, ("gmail.com", "libero.it", "virgilio.it"), False, (
        ("Milano", "Lombardia", "201##"), ("Torino", "Piemonte", "101##"),
        ("Bologna", "Emilia-Romagna", "401##"), ("Brescia", "Lombardia", "251##"),
        ("Bergamo", "Lombardia", "241##"), ("Parma", "Emilia-Romagna", "431##"),
        ("Verona", "Veneto", "371##"), ("Padova", "Veneto", "351##"), ("Firenze", "Toscana", "501##"),
    ), extra_first=("Niccolò", "Nicolò")),
    _Country("NL", "nl_NL", "nl", 6, ("gmail.com", "ziggo.nl", "kpnmail.nl"), False, (
        ("Amsterdam", "Noord-Holland", "10## @@"), ("Rotterdam", "Zuid-Holland", "30## @@"),
        ("Eindhoven", "Noord-Brabant", "56## @@"), ("Utrecht", "Utrecht", "35## @@"),
        ("Enschede", "Overijssel", "75## @@"), ("Tilburg", "Noord-Brabant", "50## @@"),
    ), extra_first=("Zoë", "Daniëlle", "Chloë")),
    _Country("AT", "de_AT", "at", 5, ("gmail.com", "gmx.at", "aon.at"), False, (
        ("Wien", "Wien", "1###"), ("Linz", "Oberösterreich", "40##"), ("Graz", "Steiermark", "80##"),
        ("Salzburg", "Salzburg", "50##"), ("Innsbruck", "Tirol", "60##"),
        ("Wels", "Oberösterreich", "46##"),
    )),
    _Country("CH", "de_CH", "ch", 5, ("gmail.com", "bluewin.ch", "gmx.ch"), False, (
        ("Zürich", "Zürich", "80##"), ("Basel", "Basel-Stadt", "40##"), ("Bern", "Bern", "30##"),
        ("Winterthur", "Zürich", "84##"), ("St. Gallen", "St. Gallen", "90##"),
        ("Luzern", "Luzern", "60##"),
    )),
    _Country("DK", "da_DK", "dk", 3, ("gmail.com", "outlook.dk"), False, (
        ("København", "Hovedstaden", "1###"), ("Aarhus", "Midtjylland", "80##"),
        ("Odense", "Syddanmark", "50##"), ("Aalborg", "Nordjylland", "90##"),
        ("Vejle", "Syddanmark", "71##"),
    ), extra_first=("Søren", "Bjørn", "Mads"), extra_last=("Sørensen", "Møller")),
    _Country("SE", "sv_SE", "se", 3, ("gmail.com", "hotmail.se", "telia.com"), False, (
        ("Stockholm", "Stockholms län", "11# ##"), ("Göteborg", "Västra Götalands län", "41# ##"),
        ("Malmö", "Skåne län", "21# ##"), ("Västerås", "Västmanlands län", "72# ##"),
        ("Jönköping", "Jönköpings län", "55# ##"), ("Linköping", "Östergötlands län", "58# ##"),
    ), extra_first=("Åsa", "Björn"), extra_last=("Åberg", "Lindqvist")),
    _Country("PL", "pl_PL", "pl", 3, ("gmail.com", "wp.pl", "o2.pl", "onet.pl"), False, (
        ("Warszawa", "mazowieckie", "0#-###"), ("Kraków", "małopolskie", "3#-###"),
        ("Wrocław", "dolnośląskie", "5#-###"), ("Poznań", "wielkopolskie", "6#-###"),
        ("Gdańsk", "pomorskie", "80-###"), ("Katowice", "śląskie", "40-###"),
    ), extra_first=("Łukasz", "Małgorzata"), extra_last=("Wójcik", "Kowalczyk")),
)
_COUNTRY_BY_CODE = {c.code: c for c in _COUNTRIES}


@dataclass(frozen=True)
class _UserSpec:
    name: str
    role: Role
    team: str | None = None
    territories: tuple[str, ...] = ()
    availability: Availability = Availability.ACTIVE
    capacity: int | None = None

    @property
    def email(self) -> str:
        first, _, last = self.name.partition(" ")
        return f"{_slug(first)}.{_slug(last)}@{DEMO_DOMAIN}"


_TEAM_DACH = "DACH & Nordics"
_TEAM_WEST = "West & Americas"
_TEAMS: tuple[tuple[str, RoutingMode, str], ...] = (
    (_TEAM_DACH, RoutingMode.ROUND_ROBIN, "Martin Keller"),
    (_TEAM_WEST, RoutingMode.LEAST_OPEN, "Sophie Laurent"),
)
_USERS: tuple[_UserSpec, ...] = (
    _UserSpec("Katrin Vogel", Role.ADMIN),
    _UserSpec("Martin Keller", Role.MANAGER, _TEAM_DACH),
    _UserSpec("Sophie Laurent", Role.MANAGER, _TEAM_WEST),
    _UserSpec("Jonas Becker", Role.REP, _TEAM_DACH, ("DE", "AT", "CH"), capacity=400),
    _UserSpec("Lena Schmitt", Role.REP, _TEAM_DACH, ("DE", "NL", "DK", "SE", "PL"), capacity=400),
    # Left the company three months ago: their open leads are orphans.
    _UserSpec("Stefan Wagner", Role.REP, _TEAM_DACH, ("DE", "AT", "CH"), Availability.INACTIVE),
    _UserSpec("Claire Dubois", Role.REP, _TEAM_WEST, ("FR", "CH"), capacity=350),
    _UserSpec("Tomás García", Role.REP, _TEAM_WEST, ("ES", "IT"), capacity=350),
    _UserSpec("Michael O'Brien", Role.REP, _TEAM_WEST, ("GB", "US"), capacity=350),
    # On parental leave for two more weeks: new US leads pile up unless routed elsewhere.
    _UserSpec("Emily Carter", Role.REP, _TEAM_WEST, ("US",), Availability.AWAY),
    _UserSpec("Zoë Janssen", Role.BOOTH, _TEAM_DACH),
    _UserSpec("Søren Madsen", Role.BOOTH, _TEAM_WEST),
)
_INACTIVE_SINCE_DAYS = 90
_AWAY_FOR_DAYS = 14
_CATCH_ALL_QUEUE = "Unassigned"
_QUEUES: tuple[tuple[str, str | None, bool], ...] = (
    (_CATCH_ALL_QUEUE, None, True),
    (f"{_TEAM_DACH} inbound", _TEAM_DACH, False),
    (f"{_TEAM_WEST} inbound", _TEAM_WEST, False),
)


@dataclass(frozen=True)
class _EventSpec:
    name: str
    badge_prefix: str
    country: str
    city: str
    venue: str
    days_ago: int
    weekday: int  # 0 = Monday
    length: int
    cost: int  # major units
    weight: float


_EVENTS: tuple[_EventSpec, ...] = (
    _EventSpec("Hannover Messe", "HM", "DE", "Hannover", "Deutsche Messe, Hannover Exhibition Grounds",
               520, 0, 5, 85_000, 1.6),
    _EventSpec("IMTS", "IMTS", "US", "Chicago", "McCormick Place", 445, 0, 6, 120_000, 1.3),
    _EventSpec("Global Industrie", "GI", "FR", "Lyon", "Eurexpo Lyon", 380, 1, 4, 42_000, 0.9),
    _EventSpec("Advanced Engineering UK", "AE", "GB", "Birmingham", "NEC Birmingham",
               300, 2, 2, 28_000, 0.6),
    _EventSpec("BIEMH", "BIEMH", "ES", "Bilbao", "Bilbao Exhibition Centre", 240, 0, 5, 30_000, 0.7),
    _EventSpec("SPS Italia", "SPS", "IT", "Parma", "Fiere di Parma", 175, 1, 3, 26_000, 0.6),
    _EventSpec("automatica", "AUT", "DE", "München", "Messe München", 110, 1, 4, 64_000, 1.2),
    _EventSpec("PACK EXPO Las Vegas", "PXL", "US", "Las Vegas", "Las Vegas Convention Center",
               45, 0, 3, 70_000, 1.0),
)
_CURRENCY = {"US": "USD", "GB": "GBP", "CH": "CHF", "DK": "DKK", "SE": "SEK", "PL": "PLN"}

# ------------------------------------------------------------------------------------------
# Vocabulary for generated text

_INDUSTRIES = ("Automotive", "Food & beverage", "Chemicals", "Packaging", "Pharmaceuticals",
               "Machinery", "Plastics", "Metalworking", "Energy", "Logistics", "Electronics",
               "Aerospace", "Printing", "Textiles", "Building materials")
_SIZES = _Weighted(zip(("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5000+"),
                        (4, 14, 28, 22, 14, 12, 6), strict=True))
_TITLES = ("Head of Procurement", "Purchasing Manager", "Plant Manager", "Production Manager",
           "Maintenance Manager", "Engineering Manager", "Automation Engineer",
           "Process Engineer", "Technical Director", "CEO", "Managing Director", "COO",
           "Operations Manager", "Project Engineer", "Design Engineer", "Buyer",
           "Quality Manager", "R&D Engineer", "Electrical Engineer", "Student")
_LOCAL_TITLES = {
    "DE": ("Einkaufsleiter", "Leiterin Instandhaltung", "Geschäftsführer", "Betriebsleiter",
           "Konstrukteur"),
    "AT": ("Einkaufsleiterin", "Geschäftsführer", "Technischer Leiter"),
    "CH": ("Leiter Beschaffung", "Geschäftsführerin", "Projektleiter"),
    "FR": ("Directeur technique", "Responsable achats", "Ingénieur méthodes",
           "Directrice d'usine"),
    "ES": ("Jefe de compras", "Director de planta", "Ingeniera de procesos"),
    "IT": ("Responsabile acquisti", "Direttore di stabilimento", "Ingegnere di processo"),
}
_PRODUCTS = ("Servo drives", "Gear motors", "Conveyor systems", "Vision inspection",
             "Robot grippers", "Linear axes", "Spare parts", "Service contract", "Retrofit kit",
             "Control cabinets", "Safety light curtains", "Palletiser")
_BUDGETS = ("Approved", "€20–50k planned", "€50–100k planned", "Over €100k", "No budget yet",
            "Capex request next quarter")
_AUTHORITIES = ("Decision maker", "Influencer", "Needs CFO sign-off", "User, not buyer",
                "Buying committee")
_NEEDS = ("Replace ageing line", "Increase throughput", "Reduce downtime", "New plant",
          "Quality problems", "Energy savings", "Safety audit findings")
_TIMELINES = ("This quarter", "Next quarter", "6–12 months", "Next fiscal year", "Unknown")
_DISQUALIFY_REASONS = _Weighted((("Competitor", 3), ("Student", 3), ("Spam", 2), ("No need", 5),
                                 ("Out of territory", 2), ("Job seeker", 1),
                                 ("Consultant, no project", 2), ("Duplicate", 2)))
_REVIEW_REASONS = ("Possible duplicate: same company and last name",
                   "Badge scan without email", "Company name looks abbreviated",
                   "Country guessed from the event", "Title missing")
_NOTE_TEMPLATES = ("Interested in {product}; asked for a quote.",
                   "Met at the booth, wants a demo of {product}.",
                   "Current supplier unhappy with delivery times.",
                   "Send case study for {industry}.",
                   "Call back after their summer shutdown.",
                   "Visited us with two colleagues from maintenance.",
                   "Asked about lead times for {product}.",
                   "Prefers email, travels a lot.")
_CAMPAIGNS = {
    Channel.WEB: ("Website contact form", "Request a quote form", "Whitepaper: OEE in packaging",
                  "Webinar: retrofitting servo drives"),
    Channel.ADVERTISING: ("Google Ads – servo drives", "LinkedIn Ads – packaging",
                          "Trade magazine ad: Konstruktion"),
    Channel.EMAIL: ("Newsletter Q1", "Newsletter Q3", "Mailing: spare-parts service"),
    Channel.PARTNER: ("Distributor referral – Nordics", "Integrator partner programme"),
    Channel.IMPORT: ("Purchased list: packaging OEMs", "Old CRM export"),
}
_CREATED_TEXT = {
    Channel.WEB: "Web form submitted",
    Channel.PHONE: "Inbound call",
    Channel.EMAIL: "Inbound email",
    Channel.REFERRAL: "Referral from a customer",
    Channel.PARTNER: "Passed on by a partner",
    Channel.ADVERTISING: "Ad response",
    Channel.IMPORT: "Imported from a list",
    Channel.OTHER: "Entered by hand",
}
_CHANNELS = _Weighted(((Channel.WEB, 38), (Channel.PHONE, 12), (Channel.EMAIL, 10),
                       (Channel.REFERRAL, 10), (Channel.PARTNER, 8), (Channel.ADVERTISING, 12),
                       (Channel.IMPORT, 6), (Channel.OTHER, 4)))
_SHOW_CONSENT = _Weighted(((Consent.GRANTED, 55), (Consent.UNKNOWN, 35), (Consent.DECLINED, 10)))
_OTHER_CONSENT = _Weighted(((Consent.GRANTED, 40), (Consent.UNKNOWN, 50), (Consent.DECLINED, 10)))
# Legal forms and filler words left out of a company's web domain (compared after _slug).
_LEGAL_FORMS = frozenset({
    "gmbh", "ag", "kg", "co", "ohg", "ug", "e", "v", "ev", "mbh", "gbr", "gesbr", "cie", "sa",
    "sas", "sarl", "sl", "slne", "slu", "sll", "sau", "spa", "srl", "snc", "bv", "nv", "vof",
    "ltd", "llc", "inc", "plc", "group", "and", "und", "et", "y", "as", "aps", "ab", "hb", "kb",
    "i", "s", "c", "k", "sp", "z", "o", "oo", "zoo", "son", "sn", "sons", "cv", "the", "de",
    "del", "di", "la", "le", "les", "van", "der", "den", "holding", "spk", "sc",
})
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "o", "æ": "ae",
                           "å": "aa", "ł": "l", "đ": "d", "œ": "oe", "ı": "i"})

# Status funnel by lead age (days): older leads have travelled further down the funnel.
S = LeadStatus
_FUNNEL: tuple[tuple[float, dict[LeadStatus, float]], ...] = (
    (2, {S.INQUIRY: 70, S.SUSPECT: 18, S.PROSPECT: 6, S.DISQUALIFIED: 6}),
    (14, {S.INQUIRY: 28, S.SUSPECT: 20, S.PROSPECT: 18, S.MQL: 12, S.SQL: 6, S.NURTURE: 6,
          S.DISQUALIFIED: 10}),
    (60, {S.INQUIRY: 14, S.SUSPECT: 12, S.PROSPECT: 14, S.MQL: 12, S.SQL: 10, S.NURTURE: 14,
          S.CONVERTED: 6, S.WON: 3, S.LOST: 4, S.DISQUALIFIED: 11}),
    (math.inf, {S.INQUIRY: 10, S.SUSPECT: 7, S.PROSPECT: 8, S.MQL: 8, S.SQL: 7, S.NURTURE: 18,
                S.CONVERTED: 6, S.WON: 9, S.LOST: 12, S.DISQUALIFIED: 15}),
)
_PATHS: dict[LeadStatus, tuple[LeadStatus, ...]] = {
    S.INQUIRY: (), S.SUSPECT: (S.SUSPECT,), S.PROSPECT: (S.SUSPECT, S.PROSPECT),
    S.MQL: (S.PROSPECT, S.MQL), S.SQL: (S.MQL, S.SQL), S.NURTURE: (S.PROSPECT, S.NURTURE),
    S.CONVERTED: (S.MQL, S.SQL, S.CONVERTED), S.WON: (S.SQL, S.CONVERTED, S.WON),
    S.LOST: (S.SQL, S.CONVERTED, S.LOST), S.DISQUALIFIED: (S.DISQUALIFIED,),
}
_TOUCHES: dict[LeadStatus, tuple[int, int]] = {
    S.INQUIRY: (0, 0), S.SUSPECT: (0, 1), S.PROSPECT: (1, 3), S.MQL: (1, 3), S.SQL: (2, 5),
    S.NURTURE: (1, 3), S.CONVERTED: (3, 6), S.WON: (4, 8), S.LOST: (3, 6),
    S.DISQUALIFIED: (0, 2),
}
_BASE_SCORE: dict[LeadStatus, int] = {
    S.INQUIRY: 15, S.SUSPECT: 25, S.PROSPECT: 40, S.MQL: 60, S.SQL: 75, S.NURTURE: 35,
    S.CONVERTED: 80, S.WON: 85, S.LOST: 55, S.DISQUALIFIED: 5,
}
_UNOWNED: dict[LeadStatus, float] = {S.INQUIRY: 0.35, S.SUSPECT: 0.2, S.DISQUALIFIED: 0.3}
_RATINGS: tuple[Rating | None, ...] = (Rating.HOT, Rating.WARM, Rating.COLD, None)
_RATING_WEIGHTS: dict[LeadStatus, tuple[int, ...]] = {
    S.INQUIRY: (5, 15, 35, 45), S.SUSPECT: (5, 25, 40, 30), S.PROSPECT: (15, 45, 30, 10),
    S.MQL: (25, 50, 20, 5), S.SQL: (55, 40, 5, 0), S.NURTURE: (5, 35, 55, 5),
    S.CONVERTED: (60, 35, 5, 0), S.WON: (65, 30, 5, 0), S.LOST: (35, 45, 20, 0),
    S.DISQUALIFIED: (0, 5, 60, 35),
}
_RATING_PICK = {status: _Weighted(zip(_RATINGS, weights, strict=True))
                for status, weights in _RATING_WEIGHTS.items()}
_FUNNEL_PICK = tuple((age, _Weighted(weights.items())) for age, weights in _FUNNEL)
_CALL_OUTCOMES = _Weighted(((TaskOutcome.REACHED.value, 35), (TaskOutcome.VOICEMAIL.value, 20),
                            (TaskOutcome.NO_ANSWER.value, 25), (TaskOutcome.MEETING_SET.value, 10),
                            (TaskOutcome.NOT_INTERESTED.value, 5),
                            (TaskOutcome.WRONG_PERSON.value, 5)))
_EARLY_TOUCH = _Weighted(((ActivityKind.CALL, 45), (ActivityKind.EMAIL, 40),
                          (ActivityKind.MEETING, 5)))
_LATE_TOUCH = _Weighted(((ActivityKind.CALL, 45), (ActivityKind.EMAIL, 40),
                         (ActivityKind.MEETING, 15)))
_TYPED_FORM = _Weighted(((0, 6), (1, 3), (2, 1)))  # national, international, without spaces
_LOCAL_PART = _Weighted((("{f}.{l}", 50), ("{i}.{l}", 15), ("{f}{l}", 10), ("{i}{l}", 12),
                         ("{f}", 5), ("{f}_{l}", 3)))
_FREE_LOCAL_PART = _Weighted((("{f}.{l}", 1), ("{f}{l}", 1), ("{i}{l}", 1), ("{l}.{f}", 1)))
_COUNTRY_PICK = _Weighted((c.code, c.weight) for c in _COUNTRIES)
_TOUCH_TEXT = {
    ActivityKind.CALL: ("Intro call", "Follow-up call", "Discussed {product}",
                        "Asked about budget and timeline", "Checked on the quote"),
    ActivityKind.EMAIL: ("Personal follow-up email", "Sent brochure: {product}",
                         "Sent quote for {product}", "Replied to their questions",
                         "Sent case study"),
    ActivityKind.MEETING: ("Video call: {product} demo", "On-site visit at {company}",
                           "Meeting with the buying team"),
}
# Trade-show cadence (PRODUCT.md): email within 2 days, call within 5, email at 10, call at 20.
_CADENCE = ((TaskKind.EMAIL, "Personal email after {event}", 2),
            (TaskKind.CALL, "Call after {event}", 5),
            (TaskKind.EMAIL, "Second email after {event}", 10),
            (TaskKind.CALL, "Second call after {event}", 20))
_NEXT_STEPS = ((TaskKind.CALL, "Call back about {product}"),
               (TaskKind.EMAIL, "Send quote for {product}"),
               (TaskKind.MEETING, "On-site visit"),
               (TaskKind.TASK, "Prepare offer"),
               (TaskKind.CALL, "Qualify budget and timeline"),
               (TaskKind.EMAIL, "Send reference list"))


# ------------------------------------------------------------------------------------------
# Pools built once per seed with Faker


@functools.lru_cache(maxsize=65_536)  # names come from small pools: each is slugged once
def _slug(text: str) -> str:
    """ASCII lower-case letters and digits only, for email local parts and domains."""
    text = text.lower().translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c.isalnum())


@dataclass(frozen=True)
class _Company:
    name: str
    domain: str
    industry: str
    size: str


@dataclass(frozen=True)
class _PhoneStem:
    """A validated number minus its last four digits, with typed-form templates."""

    e164_head: str
    typed: tuple[str, ...]  # str.format templates taking the four last digits


@dataclass(frozen=True)
class _Pools:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    companies: tuple[_Company, ...]
    streets: tuple[str, ...]
    postcodes: tuple[tuple[str, ...], ...]  # per city of the country
    fixed: tuple[_PhoneStem, ...]
    mobile: tuple[_PhoneStem, ...]
    titles: tuple[str, ...]


def _unique(values: Sequence[str], limit: int) -> tuple[str, ...]:
    """First ``limit`` distinct values, in order (a set would depend on PYTHONHASHSEED)."""
    return tuple(dict.fromkeys(v for v in values if v.strip()))[:limit]


def _company_domain(name: str, tld: str, index: int) -> str:
    words = [_slug(w) for w in name.replace("-", " ").replace("&", " ").split()]
    words = [w for w in words if w and w not in _LEGAL_FORMS]
    label = "-".join(words[:2])[:40].strip("-") or f"company{index}"
    return f"{label}.{tld}"


def _postcode(pattern: str, rng: Random) -> str:
    return "".join(str(rng.randrange(10)) if c == "#" else
                   chr(65 + rng.randrange(26)) if c == "@" else c for c in pattern)


def _last_four_template(formatted: str) -> str | None:
    """Turn '030 1234 0000' into '030 1234 {0}{1}{2}{3}' (the last four digits)."""
    chars = list(formatted)
    slots = [i for i, c in enumerate(chars) if c.isdigit()][-4:]
    if len(slots) < 4:
        return None
    for n, i in enumerate(slots):
        chars[i] = "{" + str(n) + "}"
    return "".join(chars)


def _phone_stems(region: str, kind: int, rng: Random, want: int = 24) -> tuple[_PhoneStem, ...]:
    """Random valid numbers of one type, checked with phonenumbers, as reusable stems.

    Each stem is accepted only if four different endings are valid numbers of the type and
    every typed form parses back to the same E.164 through the app's own ``normalise_phone``.
    """
    example = phonenumbers.example_number_for_type(region, kind)
    if example is None:
        return ()
    nsn = phonenumbers.national_significant_number(example)
    cc = str(example.country_code)
    keep = 2 if len(nsn) >= 9 else 1
    accepted = {kind, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    stems: dict[str, _PhoneStem] = {}
    for attempt in range(400):
        if len(stems) >= want:
            break
        middle = "".join(str(rng.randrange(10)) for _ in range(len(nsn) - keep - 4))
        head_nsn = nsn[:keep] + middle if attempt else nsn[:-4]
        head = f"+{cc}{head_nsn}"
        if head in stems:
            continue
        numbers = [phonenumbers.parse(head + s, None) for s in ("0000", "5555", "9999", "1234")]
        # US and Danish numbers do not tell fixed from mobile: FIXED_LINE_OR_MOBILE is fine.
        if not all(phonenumbers.is_valid_number(n) and phonenumbers.number_type(n) in accepted
                   for n in numbers):
            continue
        templates = []
        for fmt in (phonenumbers.PhoneNumberFormat.NATIONAL,
                    phonenumbers.PhoneNumberFormat.INTERNATIONAL):
            template = _last_four_template(phonenumbers.format_number(numbers[0], fmt))
            if template:
                templates.append(template)
        if templates:
            templates.append(templates[0].replace(" ", ""))  # typed without spaces
        if templates and all(normalise_phone(t.format(*"1234"), region) == head + "1234"
                             for t in templates):
            stems[head] = _PhoneStem(head, tuple(templates))
    return tuple(stems.values())


@functools.lru_cache(maxsize=4)
def _pools(seed: int) -> dict[str, _Pools]:
    """Names, companies, streets and phone stems per country; Faker is seeded, so stable."""
    result: dict[str, _Pools] = {}
    for index, country in enumerate(_COUNTRIES):
        fake = Faker(country.locale)
        fake.seed_instance(seed * 1000 + index)
        rng = Random(f"leadline-demo-pools:{seed}:{country.code}")
        firsts = _unique([*country.extra_first, *(fake.first_name() for _ in range(500))], 300)
        lasts = _unique([*country.extra_last, *(fake.last_name() for _ in range(500))], 300)
        names = _unique([fake.company() for _ in range(300)], 250)
        companies = tuple(
            _Company(name, _company_domain(name, country.tld, i), rng.choice(_INDUSTRIES),
                     _SIZES.pick(rng))
            for i, name in enumerate(names))
        streets = _unique([fake.street_name() for _ in range(300)], 200)
        postcodes = tuple(tuple(_postcode(pattern, rng) for _ in range(30))
                          for _city, _region, pattern in country.cities)
        result[country.code] = _Pools(
            first_names=firsts, last_names=lasts, companies=companies, streets=streets,
            postcodes=postcodes,
            fixed=_phone_stems(country.code, phonenumbers.PhoneNumberType.FIXED_LINE, rng),
            mobile=_phone_stems(country.code, phonenumbers.PhoneNumberType.MOBILE, rng),
            titles=_TITLES + _LOCAL_TITLES.get(country.code, ()),
        )
    return result


# ------------------------------------------------------------------------------------------
# The organisation: users, teams, queues, events (reused when they exist)


@dataclass(frozen=True)
class _Person:
    id: uuid.UUID
    spec: _UserSpec


@dataclass(frozen=True)
class _Show:
    id: uuid.UUID
    spec: _EventSpec
    name: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass
class _Org:
    people: list[_Person] = field(default_factory=list)
    teams: dict[str, uuid.UUID] = field(default_factory=dict)
    queues: dict[str | None, uuid.UUID] = field(default_factory=dict)  # team name → inbound queue
    shows: list[_Show] = field(default_factory=list)
    rows: Rows = field(default_factory=dict)

    def by_role(self, *roles: Role) -> list[_Person]:
        return [p for p in self.people if p.spec.role in roles]

    def by_name(self, name: str) -> _Person:
        return next(p for p in self.people if p.spec.name == name)


def _show_dates(spec: _EventSpec, today: dt.date) -> tuple[dt.date, dt.date]:
    rough = today - dt.timedelta(days=spec.days_ago)
    starts = rough - dt.timedelta(days=rough.weekday()) + dt.timedelta(days=spec.weekday)
    return starts, starts + dt.timedelta(days=spec.length - 1)


# ------------------------------------------------------------------------------------------
# The schedule: when leads arrive, and from which show


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` by weights with the largest-remainder rule (deterministic, exact sum)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * w / weight_sum for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _schedule(total: int, now: dt.datetime, shows: Sequence[_Show], rng: Random
              ) -> Iterator[tuple[dt.datetime, _Show | None]]:
    """Creation times in ascending order, each with its show (None: another channel).

    Other channels arrive on working days with slow growth; each show's leads arrive during
    the show, plus late badge-scan imports in the days after it.
    """
    today = now.date()
    first = today - dt.timedelta(days=WINDOW_DAYS - 1)
    days = [first + dt.timedelta(days=i) for i in range(WINDOW_DAYS)]
    past_shows = [s for s in shows if s.ends_on < today]
    show_total = round(total * TRADE_SHOW_SHARE) if past_shows else 0
    base = [(1.0 if d.weekday() < 5 else 0.2) * (0.7 + 0.6 * i / WINDOW_DAYS)
            for i, d in enumerate(days)]
    per_day: list[list[tuple[int, _Show | None]]] = [[] for _ in days]
    for i, n in enumerate(_apportion(total - show_total, base)):
        if n:
            per_day[i].append((n, None))
    show_counts = _apportion(show_total, [s.spec.weight for s in past_shows])
    for show, n in zip(past_shows, show_counts, strict=True):
        span = [show.starts_on + dt.timedelta(days=k) for k in range(show.spec.length + 4)]
        weights = [1.0] * show.spec.length + [0.12, 0.08, 0.05, 0.03]
        for day, count in zip(span, _apportion(n, weights), strict=True):
            index = (day - first).days
            if count and 0 <= index < len(days):
                per_day[index].append((count, show))
    for day, groups in zip(days, per_day, strict=True):
        if not groups:
            continue
        start = dt.datetime.combine(day, dt.time(6), dt.UTC)
        end = min(start + 14 * _HOUR, now - _MINUTE)
        if end <= start:
            start = dt.datetime.combine(day, dt.time(0), dt.UTC)
            end = now - dt.timedelta(seconds=1)
        span_s = (end - start).total_seconds()
        arrivals = sorted(
            ((rng.random(), show) for count, show in groups for _ in range(count)),
            key=lambda pair: pair[0])
        for fraction, show in arrivals:
            yield start + dt.timedelta(seconds=fraction * span_s), show


# ------------------------------------------------------------------------------------------
# One lead with its tasks and history


@dataclass
class _Rows:
    leads: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)

    def as_batch(self) -> Rows:
        return {"lead": self.leads, "task": self.tasks, "activity": self.activities}


class _LeadFactory:
    """Builds lead, task and activity rows; every random draw comes from one seeded ``Random``."""

    def __init__(self, org: _Org, pools: dict[str, _Pools], rng: Random, now: dt.datetime,
                 device_id: uuid.UUID) -> None:
        self.org, self.pools, self.rng, self.now, self.device_id = org, pools, rng, now, device_id
        self.codes = [c.code for c in _COUNTRIES]
        self.reps = org.by_role(Role.REP)
        self.booth = org.by_role(Role.BOOTH)
        self.managers = org.by_role(Role.MANAGER)
        self.admin = org.by_role(Role.ADMIN)
        # The inactive rep left _INACTIVE_SINCE_DAYS ago: before that they captured and owned
        # leads like everyone else (their open ones are orphans now), afterwards nothing.
        self.inactive_since = now - dt.timedelta(days=_INACTIVE_SINCE_DAYS)
        staying = [p for p in self.reps if p.spec.availability is not Availability.INACTIVE]
        self.territory: dict[str, list[_Person]] = {
            code: [p for p in self.reps if code in p.spec.territories] or self.reps
            for code in self.codes}
        self.territory_later: dict[str, list[_Person]] = {
            code: [p for p in staying if code in p.spec.territories] or staying or self.reps
            for code in self.codes}
        self.sellers = self.reps + self.managers
        self.sellers_later = staying + self.managers
        self.end_of_today = dt.datetime.combine(now.date(), dt.time(23, 59), dt.UTC)

    # -- helpers ------------------------------------------------------------------------------
    def _status(self, age_days: float) -> LeadStatus:
        for limit, statuses in _FUNNEL_PICK:
            if age_days < limit:
                return statuses.pick(self.rng)
        raise AssertionError("the funnel ends with an infinite age")

    def _owner(self, country: str, created: dt.datetime) -> _Person:
        if created < self.inactive_since:
            return self.rng.choice(self.territory[country])
        return self.rng.choice(self.territory_later[country])

    def _seller(self, created: dt.datetime) -> _Person:
        """A rep or manager who worked here at ``created`` (booth duty, taking a call)."""
        return self.rng.choice(self.sellers if created < self.inactive_since
                               else self.sellers_later)

    def _phone(self, stems: tuple[_PhoneStem, ...]) -> tuple[str, str]:
        stem = self.rng.choice(stems)
        last = f"{self.rng.randrange(10_000):04d}"
        template = stem.typed[_TYPED_FORM.pick(self.rng) % len(stem.typed)]
        return template.format(*last), stem.e164_head + last

    def _email(self, first: str, last: str, company: _Company, country: _Country) -> str:
        rng = self.rng
        f, la = _slug(first) or "info", _slug(last) or "contact"
        if rng.random() < 0.12:  # free mail: says nothing about the company
            local = _FREE_LOCAL_PART.pick(rng).format(f=f, l=la, i=f[0])
            digits = str(rng.randrange(100)) if rng.random() < 0.5 else ""
            return f"{local}{digits}@{rng.choice(country.free_mail)}"
        local = _LOCAL_PART.pick(rng).format(f=f, l=la, i=f[0])
        return f"{local}@{company.domain}"

    def _id(self, when: dt.datetime) -> uuid.UUID:
        return demo_id(self.rng, when)

    def _activity(self, out: _Rows, lead_id: uuid.UUID, kind: ActivityKind, when: dt.datetime,
                  actor: uuid.UUID | None, **values: str) -> None:
        out.activities.append({
            "id": self._id(when), "lead_id": lead_id, "kind": kind, "occurred_at": when,
            "actor_id": actor, "updated_at": when, "device_id": self.device_id, **values})

    # -- the lead ---------------------------------------------------------------------------
    def add(self, out: _Rows, created: dt.datetime, show: _Show | None) -> None:
        """Append one lead, its open tasks and its history to ``out``."""
        rng, now = self.rng, self.now
        if show is not None:
            channel = Channel.TRADE_SHOW
            code = show.spec.country if rng.random() < 0.7 else _COUNTRY_PICK.pick(rng)
        else:
            channel = _CHANNELS.pick(rng)
            code = _COUNTRY_PICK.pick(rng)
        country = _COUNTRY_BY_CODE[code]
        pools = self.pools[code]
        names = pools if rng.random() < 0.85 else self.pools[rng.choice(self.codes)]
        first, last = rng.choice(names.first_names), rng.choice(names.last_names)
        company = rng.choice(pools.companies)
        city_index = rng.randrange(len(country.cities))
        city, region, _pattern = country.cities[city_index]
        street_name = rng.choice(pools.streets)
        number = rng.randint(1, 180)
        street = f"{number} {street_name}" if country.number_first else f"{street_name} {number}"
        age_days = (now - created).total_seconds() / 86_400
        status = self._status(age_days)
        lead_id = self._id(created)
        product = rng.choice(_PRODUCTS)
        rating = _RATING_PICK[status].pick(rng)
        bonus = 10 if rating is Rating.HOT else -10 if rating is Rating.COLD else 0
        score = max(0, min(100, _BASE_SCORE[status] + bonus + rng.randint(-12, 12)))

        lead: dict[str, Any] = {
            "id": lead_id, "created_at": created, "device_id": self.device_id,
            "first_name": first, "last_name": last, "company": company.name,
            "title": rng.choice(pools.titles), "industry": company.industry,
            "company_size": company.size, "street": street,
            "postal_code": rng.choice(pools.postcodes[city_index]), "city": city,
            "region": region, "country": code, "channel": channel, "status": status,
            "rating": rating, "score": score,
        }
        if rng.random() < 0.8:
            lead["website"] = f"https://www.{company.domain}"
        if rng.random() < 0.94:
            lead["email"] = self._email(first, last, company, country)
        if rng.random() < 0.75 and pools.fixed:
            lead["phone"], lead["phone_e164"] = self._phone(pools.fixed)
        if rng.random() < 0.4 and pools.mobile:
            lead["mobile"], lead["mobile_e164"] = self._phone(pools.mobile)
        if rng.random() < 0.7:
            lead["product_interest"] = product

        # Source and capture.
        captured_by: uuid.UUID | None
        if show is not None:
            lead["event_id"] = show.id
            if rng.random() < 0.9:
                lead["badge_id"] = f"{show.spec.badge_prefix}{show.starts_on:%y}-" \
                                   f"{rng.randrange(1_000_000):06d}"
            at_booth = rng.choice(self.booth) if self.booth and rng.random() < 0.6 \
                else self._seller(created)
            captured_by = at_booth.id
            created_text = f"Scanned at the booth, {show.name}"
            consent = _SHOW_CONSENT.pick(rng)
        else:
            lead["campaign"] = rng.choice(_CAMPAIGNS[channel]) if channel in _CAMPAIGNS else ""
            if channel in (Channel.PHONE, Channel.EMAIL, Channel.REFERRAL):
                captured_by = self._seller(created).id
            elif channel is Channel.IMPORT:
                captured_by = self.admin[0].id if self.admin else None
            else:
                captured_by = None
            created_text = _CREATED_TEXT[channel]
            consent = _OTHER_CONSENT.pick(rng)
        lead["captured_by_id"] = captured_by
        lead["consent"] = consent
        lead["do_not_contact"] = consent is Consent.DECLINED and rng.random() < 0.6

        # Ownership: some leads never got an owner, some owners left or are away (orphans).
        owner: _Person | None = None
        if rng.random() >= _UNOWNED.get(status, 0.03):
            owner = self._owner(code, created)
        territory_team = owner.spec.team if owner else self.territory[code][0].spec.team
        if owner is not None:
            lead["owner_id"] = owner.id
            lead["team_id"] = self.org.teams.get(owner.spec.team or "")
        elif rng.random() < 0.65:
            lead["queue_id"] = self.org.queues.get(None)
        else:
            lead["queue_id"] = self.org.queues.get(territory_team)
            lead["team_id"] = self.org.teams.get(territory_team or "")
        actor = owner.id if owner else (self.managers[0].id if self.managers else None)

        if rng.random() < 0.25:
            lead["notes"] = rng.choice(_NOTE_TEMPLATES).format(
                product=product.lower(), industry=company.industry.lower())
        if status in (S.SQL, S.CONVERTED, S.WON, S.LOST) or (status is S.MQL
                                                              and rng.random() < 0.4):
            lead["budget"] = rng.choice(_BUDGETS)
            lead["authority"] = rng.choice(_AUTHORITIES)
            lead["need"] = rng.choice(_NEEDS)
            lead["timeline"] = rng.choice(_TIMELINES)
        if rng.random() < 0.03:
            reason = rng.choice(_REVIEW_REASONS)
            if reason == "Badge scan without email" and show is None:
                reason = _REVIEW_REASONS[0]
            if reason == "Badge scan without email":
                lead["email"] = ""
            lead["needs_review"] = True
            lead["review_reason"] = reason

        # History: created, touches, status changes.
        self._activity(out, lead_id, ActivityKind.CREATED, created, captured_by, text=created_text)
        latest = created
        touches = self._touches(status, rating, created)
        for when, kind in touches:
            outcome = ""
            if kind is ActivityKind.CALL:
                outcome = _CALL_OUTCOMES.pick(rng)
            elif kind is ActivityKind.MEETING:
                outcome = TaskOutcome.REACHED.value
            text = rng.choice(_TOUCH_TEXT[kind]).format(product=product.lower(),
                                                        company=company.name)
            self._activity(out, lead_id, kind, when, actor, text=text, outcome=outcome)
        if touches:
            lead["first_touch_at"] = touches[0][0]
            lead["last_touch_at"] = latest = touches[-1][0]
        path = _PATHS[status]
        if path:
            horizon = min(now - _MINUTE, latest + dt.timedelta(hours=rng.uniform(0.2, 72)))
            horizon = max(horizon, created)
            span = (horizon - created).total_seconds()
            times = sorted(created + dt.timedelta(seconds=span * rng.uniform(0.05, 1.0))
                           for _ in path)
            previous = S.INQUIRY
            for when, new in zip(times, path, strict=True):
                self._activity(out, lead_id, ActivityKind.STATUS_CHANGED, when, actor,
                               field="status", old_value=previous.label, new_value=new.label)
                previous = new
            latest = max(latest, times[-1])

        # Status-specific fields.
        if status is S.NURTURE:
            lead["come_back_on"] = latest.date() + dt.timedelta(days=rng.randint(30, 180))
        elif status is S.DISQUALIFIED:
            reason = _DISQUALIFY_REASONS.pick(rng)
            lead["disqualify_reason"] = reason
            if reason in ("Competitor", "Spam"):
                lead["do_not_contact"] = True
        elif status is S.WON or (status in (S.CONVERTED, S.LOST) and rng.random() < 0.5):
            value = rng.lognormvariate(math.log(35_000), 0.8)
            lead["deal_value"] = int(min(900_000, max(2_000, round(value, -2)))) * 100

        # Open follow-up tasks for owned open leads; next_due_at is the earliest.
        if owner is not None and status not in CLOSED_STATUSES:
            dues, planned = self._tasks(out, lead, owner, show, product, status, len(touches),
                                        latest)
            lead["next_due_at"] = min(dues)
            latest = max(latest, planned)
        lead["updated_at"] = latest
        out.leads.append(lead)

    def _touches(self, status: LeadStatus, rating: Rating | None, created: dt.datetime
                 ) -> list[tuple[dt.datetime, ActivityKind]]:
        low, high = _TOUCHES[status]
        count = self.rng.randint(low, high) if high else (1 if self.rng.random() < 0.05 else 0)
        if not count:
            return []
        rng = self.rng
        if rating is Rating.HOT:
            when = created + dt.timedelta(hours=rng.uniform(0.5, 24))
        elif rng.random() < 0.15:
            when = created + dt.timedelta(days=rng.uniform(10, 60))  # the slow ones
        else:
            when = created + dt.timedelta(days=rng.expovariate(1 / 4))
        touches: list[tuple[dt.datetime, ActivityKind]] = []
        late = status in (S.SQL, S.CONVERTED, S.WON, S.LOST)
        for _ in range(count):
            if when >= self.now - _MINUTE:
                break
            kind = (_LATE_TOUCH if late else _EARLY_TOUCH).pick(rng)
            touches.append((when, kind))
            when += dt.timedelta(days=rng.expovariate(1 / 7), minutes=rng.randint(5, 600))
        return touches

    def _tasks(self, out: _Rows, lead: dict[str, Any], owner: _Person, show: _Show | None,
               product: str, status: LeadStatus, touched: int, planned: dt.datetime
               ) -> tuple[list[dt.datetime], dt.datetime]:
        """Open tasks for the lead; returns their due times and when they were planned.

        About a third were planned after the last activity and never done (overdue); the rest
        were (re)planned in the last three days, due today or in the next three weeks.
        Nurture leads wait for their come-back date, which may have passed.
        """
        rng, now = self.rng, self.now
        if status is S.NURTURE:
            created = planned
            first_due = dt.datetime.combine(lead["come_back_on"], dt.time(8), dt.UTC)
            kind, title, step = TaskKind.CALL, "Nurture: re-contact", None
        else:
            bucket = rng.random()
            room = (now - planned).total_seconds()
            if bucket < 0.32 and room > 7_200:
                created = planned
                wait = min(room * 0.95, rng.uniform(3_600, 14 * 86_400))
                first_due = planned + dt.timedelta(seconds=wait)
            else:
                created = max(planned, now - dt.timedelta(hours=rng.uniform(0, 72)))
                if bucket < 0.45:
                    first_due = now + max(self.end_of_today - now, dt.timedelta(0)) * rng.random()
                else:
                    first_due = dt.datetime.combine(
                        now.date() + dt.timedelta(days=rng.randint(1, 21)),
                        dt.time(rng.randint(7, 17), rng.choice((0, 15, 30, 45))), dt.UTC)
            if show is not None and touched < len(_CADENCE):
                kind, title, _days = _CADENCE[touched]
                title, step = title.format(event=show.name), touched + 1
            else:
                kind, title = rng.choice(_NEXT_STEPS)
                title, step = title.format(product=product.lower()), None
        first_due = first_due.replace(second=0, microsecond=0)
        dues = [first_due]
        if rng.random() < 0.25:
            dues.append(first_due + dt.timedelta(days=rng.randint(2, 10)))
        for n, due in enumerate(dues):
            out.tasks.append({
                "id": self._id(created), "lead_id": lead["id"], "owner_id": owner.id,
                "kind": kind if n == 0 else TaskKind.CALL,
                "title": title if n == 0 else "Check in again",
                "due_at": due, "cadence_step": step if n == 0 else None,
                "created_at": created, "updated_at": created, "device_id": self.device_id})
        return dues, created


# ------------------------------------------------------------------------------------------
# The plan and the service


@dataclass
class DemoPlan:
    """Rows for one demo run, built lazily so a million leads never sit in memory at once.

    ``organisation`` holds the users, teams, queues and events still missing; ``chunks``
    yields the leads with their tasks and history in creation order.
    """

    leads: int
    organisation: Rows
    _factory: _LeadFactory
    _schedule: Iterator[tuple[dt.datetime, _Show | None]]

    @property
    def new_users(self) -> int:
        return len(self.organisation.get("user", []))

    @property
    def new_events(self) -> int:
        return len(self.organisation.get("event", []))

    def chunks(self, size: int = DEFAULT_CHUNK_SIZE) -> Iterator[Rows]:
        """Batches of ``size`` leads (the last may be smaller), each with its tasks and history."""
        rows = _Rows()
        for created, show in self._schedule:
            self._factory.add(rows, created, show)
            if len(rows.leads) >= size:
                yield rows.as_batch()
                rows = _Rows()
        if rows.leads:
            yield rows.as_batch()


class DemoService:
    """Fills a database with a demo organisation and as many leads as asked for."""

    def __init__(self, context: ServiceContext, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        self.context = context
        self.db = context.db
        self.chunk_size = chunk_size

    def plan(self, leads: int, *, seed: int = 1) -> DemoPlan:
        """Decide the organisation and prepare the lead stream, writing nothing yet.

        The lead generator is seeded with (seed, number of leads already stored), so a second
        run appends different leads instead of repeating the first run's ids.
        """
        if leads < 0:
            raise ValidationError.single("leads", "must be zero or more")
        now = self.context.clock()
        device_id = self.context.device_id  # before any transaction: it may write app_meta
        existing = BulkWriter(self.db).count("lead")
        org = self._organisation(seed, existing, now, device_id)
        rng = Random(f"leadline-demo:{seed}:{existing}")
        factory = _LeadFactory(org, _pools(seed), rng, now, device_id)
        return DemoPlan(leads, org.rows, factory, _schedule(leads, now, org.shows, rng))

    def generate(self, leads: int, *, seed: int = 1,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> DemoSummary:
        """Create the demo organisation (reusing what exists) and ``leads`` leads.

        The organisation is written first. Leads follow in chunks, one transaction each, with
        their tasks and history, so a lead never appears without them. ``progress(done, total)``
        is called after every chunk. When ``cancelled()`` turns true the run stops before the
        next chunk; chunks already committed stay in the database (a valid, smaller demo), and
        the summary counts only those.
        """
        started = time.perf_counter()
        plan = self.plan(leads, seed=seed)
        done = tasks = activities = 0
        with BulkWriter(self.db) as writer:
            writer.write(plan.organisation)
            stream = plan.chunks(self.chunk_size)
            while not (cancelled is not None and cancelled()):
                batch = next(stream, None)
                if batch is None:
                    break
                written = writer.write(batch)
                done += written.get("lead", 0)
                tasks += written.get("task", 0)
                activities += written.get("activity", 0)
                if progress is not None:
                    progress(done, leads)
        return DemoSummary(leads=done, events=plan.new_events, users=plan.new_users,
                           tasks=tasks, activities=activities,
                           seconds=time.perf_counter() - started)

    # -- organisation -----------------------------------------------------------------------
    def _organisation(self, seed: int, existing: int, now: dt.datetime,
                      device_id: uuid.UUID) -> _Org:
        """Match users by email and teams, queues and events by name; add what is missing."""
        rng = Random(f"leadline-demo-org:{seed}:{existing}")
        people = PeopleService(self.context)
        users = {u.email.lower(): u.id for u in people.users()}
        teams = {t.name.lower(): t.id for t in people.teams()}
        queues = {q.name.lower(): q.id for q in people.queues()}
        events = {e.name.lower(): e.id for e in EventService(self.context).events()}
        org = _Org()
        rows: Rows = {"team": [], "user": [], "queue": [], "event": []}
        stamp = {"updated_at": now, "device_id": device_id}

        for spec in _USERS:
            user_id = users.get(spec.email) or demo_id(rng, now)
            org.people.append(_Person(user_id, spec))
            if spec.email not in users:
                away = now.date() + dt.timedelta(days=_AWAY_FOR_DAYS) \
                    if spec.availability is Availability.AWAY else None
                rows["user"].append({
                    "id": user_id, "name": spec.name, "email": spec.email, "role": spec.role,
                    "availability": spec.availability, "away_until": away,
                    "capacity": spec.capacity, "territories": _json_list(spec.territories),
                    "team_id": spec.team, **stamp})  # team name, resolved below
        for name, mode, manager in _TEAMS:
            team_id = teams.get(name.lower()) or demo_id(rng, now)
            org.teams[name] = team_id
            if name.lower() not in teams:
                rows["team"].append({"id": team_id, "name": name, "routing_mode": mode,
                                     "manager_id": org.by_name(manager).id, **stamp})
        for row in rows["user"]:
            row["team_id"] = org.teams.get(row["team_id"]) if row["team_id"] else None
        for name, team, catch_all in _QUEUES:
            queue_id = queues.get(name.lower()) or demo_id(rng, now)
            org.queues[None if catch_all else team] = queue_id
            if name.lower() not in queues:
                rows["queue"].append({"id": queue_id, "name": name, "is_catch_all": catch_all,
                                      "team_id": org.teams.get(team) if team else None, **stamp})
        for spec in _EVENTS:
            starts, ends = _show_dates(spec, now.date())
            name = f"{spec.name} {starts.year}"
            event_id = events.get(name.lower()) or demo_id(rng, now)
            org.shows.append(_Show(event_id, spec, name, starts, ends))
            if name.lower() not in events:
                rows["event"].append({
                    "id": event_id, "name": name, "starts_on": starts, "ends_on": ends,
                    "venue": spec.venue, "city": spec.city, "country": spec.country,
                    "cost": spec.cost * 100, "currency": _CURRENCY.get(spec.country, "EUR"),
                    **stamp})
        org.rows = rows
        return org


def _json_list(values: Sequence[str]) -> str:
    """Territories are stored as a JSON list of ISO codes, empty text for none (as PeopleService)."""
    return json.dumps(list(values)) if values else ""
