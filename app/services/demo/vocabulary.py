"""What demo leads are made of: products, qualification answers, reasons, campaigns, the status
funnel by lead age, touches, e-mail address forms and the follow-up cadence, with their weights.
"""

from __future__ import annotations

import math

from app.domain.history import ActivityKind
from app.domain.leads import Channel, Consent, LeadStatus, Rating
from app.domain.tasks import TaskKind, TaskOutcome
from app.services.demo.seeded import Weighted

PRODUCTS = ("Servo drives", "Gear motors", "Conveyor systems", "Vision inspection",
            "Robot grippers", "Linear axes", "Spare parts", "Service contract", "Retrofit kit",
            "Control cabinets", "Safety light curtains", "Palletiser")
BUDGETS = ("Approved", "€20–50k planned", "€50–100k planned", "Over €100k", "No budget yet",
           "Capex request next quarter")
AUTHORITIES = ("Decision maker", "Influencer", "Needs CFO sign-off", "User, not buyer",
               "Buying committee")
NEEDS = ("Replace ageing line", "Increase throughput", "Reduce downtime", "New plant",
         "Quality problems", "Energy savings", "Safety audit findings")
TIMELINES = ("This quarter", "Next quarter", "6–12 months", "Next fiscal year", "Unknown")
DISQUALIFY_REASONS = Weighted((("Competitor", 3), ("Student", 3), ("Spam", 2), ("No need", 5),
                               ("Out of territory", 2), ("Job seeker", 1),
                               ("Consultant, no project", 2), ("Duplicate", 2)))
REVIEW_REASONS = ("Possible duplicate: same company and last name",
                  "Badge scan without email", "Company name looks abbreviated",
                  "Country guessed from the event", "Title missing")
NOTE_TEMPLATES = ("Interested in {product}; asked for a quote.",
                  "Met at the booth, wants a demo of {product}.",
                  "Current supplier unhappy with delivery times.",
                  "Send case study for {industry}.",
                  "Call back after their summer shutdown.",
                  "Visited us with two colleagues from maintenance.",
                  "Asked about lead times for {product}.",
                  "Prefers email, travels a lot.")
CAMPAIGNS = {
    Channel.WEB: ("Website contact form", "Request a quote form", "Whitepaper: OEE in packaging",
                  "Webinar: retrofitting servo drives"),
    Channel.ADVERTISING: ("Google Ads – servo drives", "LinkedIn Ads – packaging",
                          "Trade magazine ad: Konstruktion"),
    Channel.EMAIL: ("Newsletter Q1", "Newsletter Q3", "Mailing: spare-parts service"),
    Channel.PARTNER: ("Distributor referral – Nordics", "Integrator partner programme"),
    Channel.IMPORT: ("Purchased list: packaging OEMs", "Old CRM export"),
}
CREATED_TEXT = {
    Channel.WEB: "Web form submitted",
    Channel.PHONE: "Inbound call",
    Channel.EMAIL: "Inbound email",
    Channel.REFERRAL: "Referral from a customer",
    Channel.PARTNER: "Passed on by a partner",
    Channel.ADVERTISING: "Ad response",
    Channel.IMPORT: "Imported from a list",
    Channel.OTHER: "Entered by hand",
}
CHANNELS = Weighted(((Channel.WEB, 38), (Channel.PHONE, 12), (Channel.EMAIL, 10),
                     (Channel.REFERRAL, 10), (Channel.PARTNER, 8), (Channel.ADVERTISING, 12),
                     (Channel.IMPORT, 6), (Channel.OTHER, 4)))
SHOW_CONSENT = Weighted(((Consent.GRANTED, 55), (Consent.UNKNOWN, 35), (Consent.DECLINED, 10)))
OTHER_CONSENT = Weighted(((Consent.GRANTED, 40), (Consent.UNKNOWN, 50), (Consent.DECLINED, 10)))

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
PATHS: dict[LeadStatus, tuple[LeadStatus, ...]] = {
    S.INQUIRY: (), S.SUSPECT: (S.SUSPECT,), S.PROSPECT: (S.SUSPECT, S.PROSPECT),
    S.MQL: (S.PROSPECT, S.MQL), S.SQL: (S.MQL, S.SQL), S.NURTURE: (S.PROSPECT, S.NURTURE),
    S.CONVERTED: (S.MQL, S.SQL, S.CONVERTED), S.WON: (S.SQL, S.CONVERTED, S.WON),
    S.LOST: (S.SQL, S.CONVERTED, S.LOST), S.DISQUALIFIED: (S.DISQUALIFIED,),
}
TOUCHES: dict[LeadStatus, tuple[int, int]] = {
    S.INQUIRY: (0, 0), S.SUSPECT: (0, 1), S.PROSPECT: (1, 3), S.MQL: (1, 3), S.SQL: (2, 5),
    S.NURTURE: (1, 3), S.CONVERTED: (3, 6), S.WON: (4, 8), S.LOST: (3, 6),
    S.DISQUALIFIED: (0, 2),
}
UNOWNED: dict[LeadStatus, float] = {S.INQUIRY: 0.35, S.SUSPECT: 0.2, S.DISQUALIFIED: 0.3}
_RATINGS: tuple[Rating | None, ...] = (Rating.HOT, Rating.WARM, Rating.COLD, None)
_RATING_WEIGHTS: dict[LeadStatus, tuple[int, ...]] = {
    S.INQUIRY: (5, 15, 35, 45), S.SUSPECT: (5, 25, 40, 30), S.PROSPECT: (15, 45, 30, 10),
    S.MQL: (25, 50, 20, 5), S.SQL: (55, 40, 5, 0), S.NURTURE: (5, 35, 55, 5),
    S.CONVERTED: (60, 35, 5, 0), S.WON: (65, 30, 5, 0), S.LOST: (35, 45, 20, 0),
    S.DISQUALIFIED: (0, 5, 60, 35),
}
RATING_PICK = {status: Weighted(zip(_RATINGS, weights, strict=True))
               for status, weights in _RATING_WEIGHTS.items()}
FUNNEL_PICK = tuple((age, Weighted(weights.items())) for age, weights in _FUNNEL)
CALL_OUTCOMES = Weighted(((TaskOutcome.REACHED.value, 35), (TaskOutcome.VOICEMAIL.value, 20),
                          (TaskOutcome.NO_ANSWER.value, 25), (TaskOutcome.MEETING_SET.value, 10),
                          (TaskOutcome.NOT_INTERESTED.value, 5),
                          (TaskOutcome.WRONG_PERSON.value, 5)))
EARLY_TOUCH = Weighted(((ActivityKind.CALL, 45), (ActivityKind.EMAIL, 40),
                        (ActivityKind.MEETING, 5)))
LATE_TOUCH = Weighted(((ActivityKind.CALL, 45), (ActivityKind.EMAIL, 40),
                       (ActivityKind.MEETING, 15)))
TYPED_FORM = Weighted(((0, 6), (1, 3), (2, 1)))  # national, international, without spaces
LOCAL_PART = Weighted((("{f}.{l}", 50), ("{i}.{l}", 15), ("{f}{l}", 10), ("{i}{l}", 12),
                       ("{f}", 5), ("{f}_{l}", 3)))
FREE_LOCAL_PART = Weighted((("{f}.{l}", 1), ("{f}{l}", 1), ("{i}{l}", 1), ("{l}.{f}", 1)))
TOUCH_TEXT = {
    ActivityKind.CALL: ("Intro call", "Follow-up call", "Discussed {product}",
                        "Asked about budget and timeline", "Checked on the quote"),
    ActivityKind.EMAIL: ("Personal follow-up email", "Sent brochure: {product}",
                         "Sent quote for {product}", "Replied to their questions",
                         "Sent case study"),
    ActivityKind.MEETING: ("Video call: {product} demo", "On-site visit at {company}",
                           "Meeting with the buying team"),
}
# Trade-show cadence (PRODUCT.md): email within 2 days, call within 5, email at 10, call at 20.
CADENCE = ((TaskKind.EMAIL, "Personal email after {event}", 2),
           (TaskKind.CALL, "Call after {event}", 5),
           (TaskKind.EMAIL, "Second email after {event}", 10),
           (TaskKind.CALL, "Second call after {event}", 20))
NEXT_STEPS = ((TaskKind.CALL, "Call back about {product}"),
              (TaskKind.EMAIL, "Send quote for {product}"),
              (TaskKind.MEETING, "On-site visit"),
              (TaskKind.TASK, "Prepare offer"),
              (TaskKind.CALL, "Qualify budget and timeline"),
              (TaskKind.EMAIL, "Send reference list"))

