"""The static world of the demo: countries and cities, the seller's organisation and its trade shows.

Users, teams, queues and events are matched by email or name when a later run finds them
in the database, so these specifications are also the keys for reusing them.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from app.domain.people import Availability, Role, RoutingMode

DEMO_DOMAIN = "leadline-demo.com"
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "o", "æ": "ae",
                           "å": "aa", "ł": "l", "đ": "d", "œ": "oe", "ı": "i"})


@functools.lru_cache(maxsize=65_536)  # names come from small pools: each is slugged once
def slug(text: str) -> str:
    """ASCII lower-case letters and digits only, for email local parts and domains."""
    text = text.lower().translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c.isalnum())


# ------------------------------------------------------------------------------------------
# Countries and cities


@dataclass(frozen=True)
class Country:
    code: str
    locale: str
    tld: str
    weight: float
    free_mail: tuple[str, ...]
    number_first: bool  # "12 High Street" rather than "Hauptstraße 12"
    cities: tuple[tuple[str, str, str], ...]  # city, region, postcode pattern (# digit, @ letter)
    extra_first: tuple[str, ...] = ()
    extra_last: tuple[str, ...] = ()


COUNTRIES: tuple[Country, ...] = (
    Country("DE", "de_DE", "de", 25, ("gmail.com", "web.de", "gmx.de", "t-online.de"), False, (
        ("Berlin", "Berlin", "10###"), ("Hamburg", "Hamburg", "22###"),
        ("München", "Bayern", "80###"), ("Köln", "Nordrhein-Westfalen", "50###"),
        ("Stuttgart", "Baden-Württemberg", "70###"), ("Düsseldorf", "Nordrhein-Westfalen", "40###"),
        ("Nürnberg", "Bayern", "90###"), ("Hannover", "Niedersachsen", "30###"),
        ("Leipzig", "Sachsen", "04###"), ("Bielefeld", "Nordrhein-Westfalen", "33###"),
        ("Mannheim", "Baden-Württemberg", "68###"), ("Augsburg", "Bayern", "86###"),
        ("Frankfurt am Main", "Hessen", "60###"), ("Dortmund", "Nordrhein-Westfalen", "44###"),
    ), extra_first=("Jürgen", "Jörg", "Björn"), extra_last=("Müller", "Schröder", "Weiß", "Günther")),
    Country("US", "en_US", "com", 15, ("gmail.com", "outlook.com", "yahoo.com"), True, (
        ("Chicago", "IL", "606##"), ("Houston", "TX", "770##"), ("Detroit", "MI", "482##"),
        ("Cleveland", "OH", "441##"), ("Milwaukee", "WI", "532##"), ("Charlotte", "NC", "282##"),
        ("Pittsburgh", "PA", "152##"), ("Atlanta", "GA", "303##"), ("Indianapolis", "IN", "462##"),
        ("Minneapolis", "MN", "554##"), ("Columbus", "OH", "432##"), ("Greenville", "SC", "296##"),
    ), extra_first=("Zoë", "José", "Renée")),
    Country("FR", "fr_FR", "fr", 10, ("gmail.com", "orange.fr", "outlook.fr", "free.fr"), True, (
        ("Paris", "Île-de-France", "750##"), ("Lyon", "Auvergne-Rhône-Alpes", "6900#"),
        ("Toulouse", "Occitanie", "310##"), ("Lille", "Hauts-de-France", "590##"),
        ("Nantes", "Pays de la Loire", "440##"), ("Strasbourg", "Grand Est", "670##"),
        ("Bordeaux", "Nouvelle-Aquitaine", "330##"), ("Grenoble", "Auvergne-Rhône-Alpes", "380##"),
        ("Saint-Étienne", "Auvergne-Rhône-Alpes", "420##"), ("Mulhouse", "Grand Est", "681##"),
    ), extra_first=("François", "Zoé", "Hélène", "Jérôme")),
    Country("GB", "en_GB", "co.uk", 10, ("gmail.com", "outlook.com", "hotmail.co.uk"), True, (
        ("Birmingham", "West Midlands", "B# #@@"), ("Manchester", "Greater Manchester", "M# #@@"),
        ("Leeds", "West Yorkshire", "LS# #@@"), ("Sheffield", "South Yorkshire", "S# #@@"),
        ("Coventry", "West Midlands", "CV# #@@"), ("Derby", "Derbyshire", "DE# #@@"),
        ("Bristol", "Bristol", "BS# #@@"), ("Glasgow", "Scotland", "G# #@@"),
        ("London", "Greater London", "SE# #@@"), ("Nottingham", "Nottinghamshire", "NG# #@@"),
    ), extra_first=("Zoë", "Siobhán", "Niamh")),
    Country("ES", "es_ES", "es", 7, ("gmail.com", "hotmail.es", "yahoo.es"), False, (
        ("Madrid", "Comunidad de Madrid", "280##"), ("Barcelona", "Cataluña", "080##"),
        ("Bilbao", "País Vasco", "480##"), ("Valencia", "Comunidad Valenciana", "460##"),
        ("Zaragoza", "Aragón", "500##"), ("Sevilla", "Andalucía", "410##"),
        ("Vitoria-Gasteiz", "País Vasco", "010##"), ("Valladolid", "Castilla y León", "470##"),
    ), extra_first=("José", "María José", "Jesús", "Begoña"), extra_last=("Núñez", "Ibáñez")),
    Country("IT", "it_IT", "it", 8, ("gmail.com", "libero.it", "virgilio.it"), False, (
        ("Milano", "Lombardia", "201##"), ("Torino", "Piemonte", "101##"),
        ("Bologna", "Emilia-Romagna", "401##"), ("Brescia", "Lombardia", "251##"),
        ("Bergamo", "Lombardia", "241##"), ("Parma", "Emilia-Romagna", "431##"),
        ("Verona", "Veneto", "371##"), ("Padova", "Veneto", "351##"), ("Firenze", "Toscana", "501##"),
    ), extra_first=("Niccolò", "Nicolò")),
    Country("NL", "nl_NL", "nl", 6, ("gmail.com", "ziggo.nl", "kpnmail.nl"), False, (
        ("Amsterdam", "Noord-Holland", "10## @@"), ("Rotterdam", "Zuid-Holland", "30## @@"),
        ("Eindhoven", "Noord-Brabant", "56## @@"), ("Utrecht", "Utrecht", "35## @@"),
        ("Enschede", "Overijssel", "75## @@"), ("Tilburg", "Noord-Brabant", "50## @@"),
    ), extra_first=("Zoë", "Daniëlle", "Chloë")),
    Country("AT", "de_AT", "at", 5, ("gmail.com", "gmx.at", "aon.at"), False, (
        ("Wien", "Wien", "1###"), ("Linz", "Oberösterreich", "40##"), ("Graz", "Steiermark", "80##"),
        ("Salzburg", "Salzburg", "50##"), ("Innsbruck", "Tirol", "60##"),
        ("Wels", "Oberösterreich", "46##"),
    )),
    Country("CH", "de_CH", "ch", 5, ("gmail.com", "bluewin.ch", "gmx.ch"), False, (
        ("Zürich", "Zürich", "80##"), ("Basel", "Basel-Stadt", "40##"), ("Bern", "Bern", "30##"),
        ("Winterthur", "Zürich", "84##"), ("St. Gallen", "St. Gallen", "90##"),
        ("Luzern", "Luzern", "60##"),
    )),
    Country("DK", "da_DK", "dk", 3, ("gmail.com", "outlook.dk"), False, (
        ("København", "Hovedstaden", "1###"), ("Aarhus", "Midtjylland", "80##"),
        ("Odense", "Syddanmark", "50##"), ("Aalborg", "Nordjylland", "90##"),
        ("Vejle", "Syddanmark", "71##"),
    ), extra_first=("Søren", "Bjørn", "Mads"), extra_last=("Sørensen", "Møller")),
    Country("SE", "sv_SE", "se", 3, ("gmail.com", "hotmail.se", "telia.com"), False, (
        ("Stockholm", "Stockholms län", "11# ##"), ("Göteborg", "Västra Götalands län", "41# ##"),
        ("Malmö", "Skåne län", "21# ##"), ("Västerås", "Västmanlands län", "72# ##"),
        ("Jönköping", "Jönköpings län", "55# ##"), ("Linköping", "Östergötlands län", "58# ##"),
    ), extra_first=("Åsa", "Björn"), extra_last=("Åberg", "Lindqvist")),
    Country("PL", "pl_PL", "pl", 3, ("gmail.com", "wp.pl", "o2.pl", "onet.pl"), False, (
        ("Warszawa", "mazowieckie", "0#-###"), ("Kraków", "małopolskie", "3#-###"),
        ("Wrocław", "dolnośląskie", "5#-###"), ("Poznań", "wielkopolskie", "6#-###"),
        ("Gdańsk", "pomorskie", "80-###"), ("Katowice", "śląskie", "40-###"),
    ), extra_first=("Łukasz", "Małgorzata"), extra_last=("Wójcik", "Kowalczyk")),
)
COUNTRY_BY_CODE = {c.code: c for c in COUNTRIES}


# ------------------------------------------------------------------------------------------
# The seller's organisation and its trade shows


@dataclass(frozen=True)
class UserSpec:
    name: str
    role: Role
    team: str | None = None
    territories: tuple[str, ...] = ()
    availability: Availability = Availability.ACTIVE
    capacity: int | None = None

    @property
    def email(self) -> str:
        first, _, last = self.name.partition(" ")
        return f"{slug(first)}.{slug(last)}@{DEMO_DOMAIN}"


_TEAM_DACH = "DACH & Nordics"
_TEAM_WEST = "West & Americas"
TEAMS: tuple[tuple[str, RoutingMode, str], ...] = (
    (_TEAM_DACH, RoutingMode.ROUND_ROBIN, "Martin Keller"),
    (_TEAM_WEST, RoutingMode.LEAST_OPEN, "Sophie Laurent"),
)
USERS: tuple[UserSpec, ...] = (
    UserSpec("Katrin Vogel", Role.ADMIN),
    UserSpec("Martin Keller", Role.MANAGER, _TEAM_DACH),
    UserSpec("Sophie Laurent", Role.MANAGER, _TEAM_WEST),
    UserSpec("Jonas Becker", Role.REP, _TEAM_DACH, ("DE", "AT", "CH"), capacity=400),
    UserSpec("Lena Schmitt", Role.REP, _TEAM_DACH, ("DE", "NL", "DK", "SE", "PL"), capacity=400),
    # Left the company three months ago: their open leads are orphans.
    UserSpec("Stefan Wagner", Role.REP, _TEAM_DACH, ("DE", "AT", "CH"), Availability.INACTIVE),
    UserSpec("Claire Dubois", Role.REP, _TEAM_WEST, ("FR", "CH"), capacity=350),
    UserSpec("Tomás García", Role.REP, _TEAM_WEST, ("ES", "IT"), capacity=350),
    UserSpec("Michael O'Brien", Role.REP, _TEAM_WEST, ("GB", "US"), capacity=350),
    # On parental leave for two more weeks: new US leads pile up unless routed elsewhere.
    UserSpec("Emily Carter", Role.REP, _TEAM_WEST, ("US",), Availability.AWAY),
    UserSpec("Zoë Janssen", Role.BOOTH, _TEAM_DACH),
    UserSpec("Søren Madsen", Role.BOOTH, _TEAM_WEST),
)
INACTIVE_SINCE_DAYS = 90
AWAY_FOR_DAYS = 14
_CATCH_ALL_QUEUE = "Unassigned"
QUEUES: tuple[tuple[str, str | None, bool], ...] = (
    (_CATCH_ALL_QUEUE, None, True),
    (f"{_TEAM_DACH} inbound", _TEAM_DACH, False),
    (f"{_TEAM_WEST} inbound", _TEAM_WEST, False),
)


@dataclass(frozen=True)
class EventSpec:
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


EVENTS: tuple[EventSpec, ...] = (
    EventSpec("Hannover Messe", "HM", "DE", "Hannover", "Deutsche Messe, Hannover Exhibition Grounds",
              520, 0, 5, 85_000, 1.6),
    EventSpec("IMTS", "IMTS", "US", "Chicago", "McCormick Place", 445, 0, 6, 120_000, 1.3),
    EventSpec("Global Industrie", "GI", "FR", "Lyon", "Eurexpo Lyon", 380, 1, 4, 42_000, 0.9),
    EventSpec("Advanced Engineering UK", "AE", "GB", "Birmingham", "NEC Birmingham",
              300, 2, 2, 28_000, 0.6),
    EventSpec("BIEMH", "BIEMH", "ES", "Bilbao", "Bilbao Exhibition Centre", 240, 0, 5, 30_000, 0.7),
    EventSpec("SPS Italia", "SPS", "IT", "Parma", "Fiere di Parma", 175, 1, 3, 26_000, 0.6),
    EventSpec("automatica", "AUT", "DE", "München", "Messe München", 110, 1, 4, 64_000, 1.2),
    EventSpec("PACK EXPO Las Vegas", "PXL", "US", "Las Vegas", "Las Vegas Convention Center",
              45, 0, 3, 70_000, 1.0),
)
CURRENCY = {"US": "USD", "GB": "GBP", "CH": "CHF", "DK": "DKK", "SE": "SEK", "PL": "PLN"}
