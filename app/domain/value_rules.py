"""The default rules: other tools' words, stars, scores and grades read as our values.

Exports from lead-retrieval services and CRMs put their own words into the columns we read as
rating, status, channel and consent: letter grades, stars, 0-100 scores, "Hot Lead", "heiß",
"chaud", "caliente", Salesforce's "Closed - Not Converted", HubSpot's ``IN_PROGRESS`` or
``salesqualifiedlead``, Dynamics 365's "Cannot Contact", Zoho's "Junk Lead"… Every rule
carries a plain explanation, which the import preview shows.

Vendor vocabularies, from their public documentation:
- Salesforce Lead Status defaults: Open - Not Contacted, Working - Contacted, Closed - Converted,
  Closed - Not Converted (LeadStatus object, IsConverted); Rating: Hot, Warm, Cold; Lead Source:
  Web, Phone Inquiry, Partner Referral, Purchased List, Other, Advertisement, Employee Referral,
  External Referral, Partner, Public Relations, Seminar - Internal, Seminar - Partner, Trade
  Show, Word of mouth.
- HubSpot lifecycle stage internal values: subscriber, lead, marketingqualifiedlead,
  salesqualifiedlead, opportunity, customer, evangelist, other; lead status (hs_lead_status):
  NEW, OPEN, IN_PROGRESS, OPEN_DEAL, UNQUALIFIED, ATTEMPTED_TO_CONTACT, CONNECTED, BAD_TIMING;
  original source: ORGANIC_SEARCH, PAID_SEARCH, EMAIL_MARKETING, SOCIAL_MEDIA, REFERRALS,
  OTHER_CAMPAIGNS, DIRECT_TRAFFIC, OFFLINE, PAID_SOCIAL.
- Dynamics 365 lead statecode Open / Qualified / Disqualified; statuscode New, Contacted,
  Qualified, Lost, Cannot Contact, No Longer Interested, Canceled; leadqualitycode Hot / Warm /
  Cold; leadsourcecode Advertisement, Employee Referral, External Referral, Partner, Public
  Relations, Seminar, Trade Show, Web, Word of Mouth, Other.
- Pipedrive lead labels Hot / Warm / Cold ("Hot Lead"…); deal status open / won / lost.
- Zoho CRM Lead Status: Attempted to Contact, Contact in Future, Contacted, Junk Lead, Lost
  Lead, Not Contacted, Pre-Qualified, Not Qualified; Lead Source: Advertisement, Cold Call,
  Employee Referral, External Referral, Online Store, Partner, Public Relations, Sales Email
  Alias, Seminar Partner, Internal Seminar, Trade Show, Web Download, Web Research, Chat.
Upper-case export forms (``CLOSED_NOT_CONVERTED``, ``JUNK_LEAD``) match because underscores,
case, accents and punctuation are normalised away before comparing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from enum import StrEnum

from app.domain.leads import Channel, Consent, LeadStatus, Rating

_PUNCTUATION = re.compile(r"[^0-9a-z]+")


def value_key(text: str) -> str:
    """The form values are compared in: 'Closed - Not Converted', 'CLOSED_NOT_CONVERTED' and
    'closed not converted' are one key; 'Heiß' is 'heiss', 'Tiède' is 'tiede'."""
    text = text.strip().casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def _rules(vocabulary: type[StrEnum], pairs: Iterable[tuple[str, str, Iterable[str]]]
           ) -> dict[str, tuple[str, str]]:
    """(our value, explanation, spellings) lines into a key → (value, explanation) table."""
    table: dict[str, tuple[str, str]] = {}
    for ours, why, spellings in pairs:
        vocabulary(ours)  # a typo in a rule fails at import time, not in a file
        for spelling in spellings:
            table.setdefault(value_key(spelling), (ours, why))
    return table


_RATING_WORDS = _rules(Rating, [
    ("hot", "means hot (in English, German, French or Spanish; Salesforce, Dynamics and "
            "Pipedrive use it as a rating or label)",
     ["hot", "hot lead", "heiss", "heiß", "sehr heiss", "chaud", "tres chaud", "caliente",
      "muy caliente", "high", "hoch", "eleve", "élevé", "alto", "alta", "very hot", "a lead"]),
    ("warm", "means warm (in English, German, French or Spanish; Salesforce, Dynamics and "
             "Pipedrive use it as a rating or label)",
     ["warm", "warm lead", "lauwarm", "mittel", "tiede", "tiède", "tibio", "templado", "medium",
      "moyen", "medio", "media", "b lead"]),
    ("cold", "means cold (in English, German, French or Spanish; Salesforce, Dynamics and "
             "Pipedrive use it as a rating or label)",
     ["cold", "cold lead", "kalt", "froid", "frio", "frío", "low", "niedrig", "gering", "faible",
      "bas", "bajo", "baja", "c lead"]),
])
# Single words that decide a longer value ("Sehr heiß!", "Hot - call back"), when only one
# temperature appears in it.
_RATING_TOKENS = {key: rule for key, rule in _RATING_WORDS.items() if " " not in key
                  and key not in {"a", "b", "c", "bas", "media", "alta", "baja", "medium"}}

_STATUS_RULES = _rules(LeadStatus, [
    ("inquiry", "Salesforce 'Open - Not Contacted': nobody has judged or contacted them yet",
     ["open not contacted", "open - not contacted"]),
    ("prospect", "Salesforce 'Working - Contacted': being worked and in contact",
     ["working contacted", "working - contacted"]),
    ("converted", "Salesforce 'Closed - Converted': became an opportunity",
     ["closed converted", "closed - converted"]),
    ("disqualified", "Salesforce 'Closed - Not Converted': closed without becoming an "
                     "opportunity", ["closed not converted", "closed - not converted"]),
    ("suspect", "HubSpot lifecycle 'subscriber': follows your content, not engaged yet",
     ["subscriber", "abonnent", "abonne", "abonné", "suscriptor"]),
    ("inquiry", "HubSpot lifecycle 'lead': came in, not judged yet", ["lead"]),
    ("mql", "HubSpot lifecycle 'marketing qualified lead'",
     ["marketingqualifiedlead", "marketing qualified lead", "marketing qualified"]),
    ("sql", "HubSpot lifecycle 'sales qualified lead'",
     ["salesqualifiedlead", "sales qualified lead", "sales qualified"]),
    ("converted", "HubSpot lifecycle 'opportunity': a deal exists", ["opportunity", "opportunite",
                                                                     "oportunidad", "chance"]),
    ("won", "HubSpot lifecycle 'customer': they bought", ["customer", "kunde", "client",
                                                           "cliente"]),
    ("won", "HubSpot lifecycle 'evangelist': a customer who recommends you", ["evangelist"]),
    ("inquiry", "HubSpot/Dynamics 'New': not worked yet", ["new", "neu", "nouveau", "nouvelle",
                                                            "nuevo", "nueva"]),
    ("inquiry", "HubSpot 'Open' / Dynamics statecode 'Open': open, not worked yet",
     ["open", "offen", "ouvert", "abierto"]),
    ("prospect", "HubSpot 'In progress': a rep is working them",
     ["in progress", "in_progress", "working", "in bearbeitung", "en cours", "en proceso",
      "en curso"]),
    ("converted", "HubSpot 'Open deal': a deal was created", ["open deal", "open_deal"]),
    ("disqualified", "HubSpot 'Unqualified': sales decided they are not a fit",
     ["unqualified", "not qualified", "nicht qualifiziert", "non qualifie", "no calificado",
      "no cualificado"]),
    ("suspect", "HubSpot/Zoho 'Attempted to contact': reached out, no answer yet",
     ["attempted to contact", "attempted_to_contact", "attempting to contact"]),
    ("prospect", "HubSpot 'Connected': in conversation", ["connected", "verbunden"]),
    ("nurture", "HubSpot 'Bad timing' / Zoho 'Contact in future': not now, come back later",
     ["bad timing", "bad_timing", "contact in future", "later", "spater", "später"]),
    ("converted", "Dynamics 'Qualified': qualifying a lead creates its opportunity",
     ["qualified", "qualifiziert", "qualifie", "qualifié", "calificado", "cualificado"]),
    ("disqualified", "Dynamics statecode 'Disqualified'",
     ["disqualified", "disqualifiziert", "disqualifie", "disqualifié", "descalificado"]),
    ("prospect", "Dynamics/Zoho 'Contacted': in contact",
     ["contacted", "kontaktiert", "contacte", "contacté", "contactado"]),
    ("lost", "Dynamics 'Lost' / Pipedrive 'lost': the deal was lost",
     ["lost", "verloren", "perdu", "perdido"]),
    ("disqualified", "Dynamics 'Cannot Contact': nobody can reach them",
     ["cannot contact", "can not contact", "nicht erreichbar", "injoignable"]),
    ("disqualified", "Dynamics 'No Longer Interested'",
     ["no longer interested", "kein interesse", "plus interesse", "plus intéressé",
      "sin interes", "sin interés"]),
    ("disqualified", "Dynamics 'Canceled'", ["canceled", "cancelled", "storniert", "annule",
                                             "annulé", "cancelado"]),
    ("won", "Pipedrive deal status 'won'", ["won", "gewonnen", "gagne", "gagné", "ganado"]),
    ("disqualified", "Zoho 'Junk Lead': spam or not a real lead", ["junk lead", "junk", "spam"]),
    ("lost", "Zoho 'Lost Lead'", ["lost lead"]),
    ("inquiry", "Zoho 'Not Contacted': not worked yet", ["not contacted", "nicht kontaktiert",
                                                         "non contacte", "no contactado"]),
    ("mql", "Zoho 'Pre-Qualified': qualified by marketing, not by sales yet",
     ["pre qualified", "pre-qualified", "prequalified", "vorqualifiziert"]),
])

_CHANNEL_RULES = _rules(Channel, [
    ("trade_show", "a trade show, fair, seminar or event",
     ["trade show", "tradeshow", "trade fair", "fair", "exhibition", "expo", "event", "booth",
      "conference", "seminar", "seminar internal", "seminar partner", "internal seminar",
      "seminar - internal", "seminar - partner", "live event", "messe", "ausstellung",
      "veranstaltung", "kongress", "salon", "foire", "congres", "congrès", "evenement",
      "événement", "feria", "exposicion", "exposición", "evento", "congreso", "stand"]),
    ("web", "the website, a web form, search or social media",
     ["web", "website", "web site", "webform", "web form", "web download", "online",
      "online store", "internet", "webinar", "organic search", "organic_search", "direct traffic",
      "direct_traffic", "social media", "social_media", "chat", "webseite", "site web",
      "sitio web", "formulaire", "formular", "web forms", "live chat", "chatbot",
      "web visitors", "leadbooster"]),
    ("phone", "a phone call", ["phone", "phone inquiry", "telephone", "call", "cold call",
                               "inbound call", "telefon", "anruf", "telefonanfrage", "téléphone",
                               "appel", "telefono", "teléfono", "llamada"]),
    ("email", "an email or mailing", ["email", "e-mail", "email marketing", "email_marketing",
                                      "sales email alias", "mailing", "newsletter", "courriel",
                                      "correo", "correo electronico"]),
    ("referral", "a recommendation", ["referral", "referrals", "employee referral",
                                      "external referral", "word of mouth", "empfehlung",
                                      "mundpropaganda", "recommandation", "bouche a oreille",
                                      "referencia", "recomendacion", "recomendación",
                                      "boca a boca"]),
    ("partner", "a partner", ["partner", "partner referral", "reseller", "channel partner",
                              "partenaire", "socio", "distributor", "händler"]),
    ("advertising", "paid advertising", ["advertisement", "advertising", "ad", "ads",
                                         "paid search", "paid_search", "paid social",
                                         "paid_social", "ppc", "google ads", "adwords", "banner",
                                         "werbung", "anzeige", "publicite", "publicité",
                                         "publicidad", "anuncio"]),
    ("import", "a bought or imported list (Pipedrive's Prospector finds leads in a database)",
     ["purchased list", "list import", "import", "list", "gekaufte liste", "liste achetee",
      "lista comprada", "prospector"]),
    ("other", "another source", ["other", "other campaigns", "other_campaigns",
                                 "public relations", "pr", "sonstige", "sonstiges", "andere",
                                 "autre", "otro", "otros", "offline", "manually created"]),
])
_CHANNEL_TOKENS = {key: rule for key, rule in _CHANNEL_RULES.items() if " " not in key
                   and key in {"messe", "fair", "expo", "seminar", "conference", "kongress",
                               "salon", "feria", "webinar", "website", "referral", "partner",
                               "newsletter", "advertisement", "ppc"}}

_CONSENT_RULES = _rules(Consent, [
    ("granted", "a yes: they agreed to be contacted",
     ["yes", "y", "ja", "j", "oui", "si", "sí", "true", "1", "x", "opt in", "opted in", "opt-in",
      "double opt in", "subscribed", "granted", "given", "agreed", "agree", "accepted",
      "einverstanden", "zugestimmt", "erteilt", "d accord", "accepte", "accepté", "acepto",
      "aceptado", "consent given"]),
    ("declined", "a no: they did not agree to be contacted",
     ["no", "n", "nein", "non", "false", "0", "opt out", "opted out", "opt-out", "unsubscribed",
      "declined", "refused", "denied", "abgelehnt", "verweigert", "refuse", "refusé", "rechazado",
      "no acepto"]),
    ("unknown", "says nothing either way", ["unknown", "n a", "na", "none", "unbekannt",
                                            "inconnu", "desconocido", "not asked", "pending",
                                            "offen"]),
])

_FIXED_RULES: dict[str, dict[str, tuple[str, str]]] = {
    "rating": _RATING_WORDS, "status": _STATUS_RULES, "channel": _CHANNEL_RULES,
    "consent": _CONSENT_RULES}

_STARS = frozenset("★☆*✩✪✫✬✭✮✯⭐")
_FILLED_STARS = frozenset("★*✪✫✬✭✮✯⭐")
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_FRACTION = re.compile(rf"^{_NUMBER}\s*(?:/|of|von|sur|de|out of)\s*{_NUMBER}$")
_PERCENT = re.compile(rf"^{_NUMBER}\s*%$")
_PLAIN_NUMBER = re.compile(rf"^{_NUMBER}$")
_GRADE = re.compile(r"^([a-f])\s*([+-]|[1-3])?$")
_GRADES = {"a": "hot", "b": "warm", "c": "cold", "d": "cold", "e": "cold", "f": "cold"}
HOT_SHARE, WARM_SHARE = 70.0, 50.0  # shares of the best mark; below WARM_SHARE is cold


def _share_rating(share: float, shown: str) -> tuple[str, str]:
    rating = "hot" if share >= HOT_SHARE else "warm" if share >= WARM_SHARE else "cold"
    return rating, (f"{shown} is {share:.0f}% of the best mark: {HOT_SHARE:.0f}% or more is hot, "
                    f"{WARM_SHARE:.0f}% or more warm, less cold")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _rating_rule(raw: str) -> tuple[str, str] | None:
    """Stars, fractions, percentages, plain numbers and letter grades."""
    compact = raw.strip()
    if compact and all(ch in _STARS or ch.isspace() for ch in compact):
        filled = sum(ch in _FILLED_STARS for ch in compact)
        total = max(5, sum(ch in _STARS for ch in compact))
        return _share_rating(100.0 * filled / total, f"{filled} of {total} stars")
    text = compact.casefold()
    if match := _FRACTION.match(text):
        got, best = _number(match[1]), _number(match[2])
        if best > 0 and 0 <= got <= best:
            return _share_rating(100.0 * got / best, compact)
    if match := _PERCENT.match(text):
        share = _number(match[1])
        if 0 <= share <= 100:
            return _share_rating(share, compact)
    if match := _PLAIN_NUMBER.match(text):
        number = _number(match[1])
        if 0 <= number <= 5:  # a 1-5 scale (stars, school marks of a lead-retrieval app)
            return _share_rating(number * 20.0, f"{compact} on a 1-5 scale")
        if number <= 100:
            return _share_rating(number, f"{compact} on a 0-100 scale")
        return None
    if match := _GRADE.match(text):
        grade = match[1]
        return _GRADES[grade], (f"letter grade {grade.upper()}: A is hot, B warm, C and below "
                                "cold")
    return None


def _token_rule(key: str, tokens: Mapping[str, tuple[str, str]]) -> tuple[str, str] | None:
    found = {tokens[word] for word in key.split() if word in tokens}
    values = {value for value, _why in found}
    if len(values) != 1:
        return None
    value, why = sorted(found)[0]
    return value, why


def default_rule(field: str, raw: str) -> tuple[str, str] | None:
    """(our value, explanation) by the default rules for ``raw`` in ``field``, or None."""
    key = value_key(raw)
    rule = _FIXED_RULES[field].get(key)
    if rule is None and field == "rating":
        rule = _rating_rule(raw) or _token_rule(key, _RATING_TOKENS)
    if rule is None and field == "channel":
        rule = _token_rule(key, _CHANNEL_TOKENS)
    return rule
