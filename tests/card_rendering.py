"""Business cards drawn with Qt (offscreen) for the OCR tests and bench_cards: people invented
for this, in German, French, Spanish and English, in four layouts and three font families."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

WIDTH, HEIGHT = 1050, 600  # 3.5 x 2 inches at 300 dpi
FONTS = ("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Condensed")
LAYOUTS = ("stacked", "centered", "two_column", "company_top")


@dataclass(frozen=True)
class Card:
    """What is printed on a card (``expected`` field → value) and how it is drawn."""

    expected: dict[str, str]
    layout: str = "stacked"
    font: str = "DejaVu Sans"
    labels: tuple[str, str] = ("Tel.", "Mobil")  # before the phone and the mobile number
    phone_text: str = ""
    mobile_text: str = ""
    country_line: str = ""  # printed country ("" when the card prints none)
    extra: tuple[str, ...] = field(default=())  # a tagline, printed and expected nowhere


_PEOPLE = {
    "DE": dict(first=["Jürgen", "Anna", "Lukas", "Sabine", "Matthias", "Katrin"],
               last=["Müller", "Schneider", "Weber", "Hoffmann", "Becker", "Schäfer"],
               titles=["Leiter Vertrieb", "Geschäftsführer", "Einkaufsleiterin",
                       "Key Account Manager", "Projektleiter"],
               companies=[("Brightline Analytics GmbH", "brightline-analytics.de"),
                          ("Nordwerk Maschinenbau AG", "nordwerk.de"),
                          ("Kessler Logistik GmbH", "kessler-logistik.de")],
               streets=["Friedrichstraße 123", "Hauptstraße 5", "Lindenallee 17"],
               cities=[("10117", "Berlin"), ("80331", "München"), ("20095", "Hamburg")],
               phone="+49 30 1234567", national="030 98765432", mobile="0171 2345678",
               labels=[("Tel.", "Mobil"), ("T", "M"), ("Telefon", "Handy")], country="Deutschland"),
    "FR": dict(first=["Camille", "Julien", "Claire", "Nicolas", "Sophie", "Thomas"],
               last=["Dubois", "Laurent", "Moreau", "Girard", "Bernard", "Fontaine"],
               titles=["Directeur commercial", "Directrice marketing", "Responsable achats",
                       "Ingénieur commercial", "Chef de projet"],
               companies=[("Société Lumière SAS", "lumiere-sas.fr"),
                          ("Groupe Arcadia", "groupe-arcadia.fr"),
                          ("Vectis Industrie SA", "vectis-industrie.fr")],
               streets=["12, rue de la Paix", "45 avenue Victor Hugo", "8 boulevard Haussmann"],
               cities=[("75002", "Paris"), ("69003", "Lyon"), ("31000", "Toulouse")],
               phone="+33 1 42 68 53 00", national="01 42 68 53 00", mobile="06 12 34 56 78",
               labels=[("Tél.", "Portable"), ("T", "M"), ("Tél", "Mob.")], country="France"),
    "ES": dict(first=["José", "María", "Carlos", "Lucía", "Javier", "Elena"],
               last=["García López", "Martínez", "Fernández Ruiz", "Sánchez", "Romero"],
               titles=["Jefe de Ventas", "Directora Comercial", "Gerente de Compras",
                       "Ingeniero de Proyectos"],
               companies=[("Ibérica Soluciones S.L.", "ibericasoluciones.es"),
                          ("Grupo Meridiano", "grupomeridiano.es"),
                          ("Talleres Norte S.A.", "talleresnorte.es")],
               streets=["Calle de Alcalá 45", "Avenida de América 10", "Paseo de Gracia 21"],
               cities=[("28014", "Madrid"), ("08007", "Barcelona"), ("41001", "Sevilla")],
               phone="+34 912 345 678", national="912 345 678", mobile="612 345 678",
               labels=[("Tel.", "Móvil"), ("T", "M"), ("Teléfono", "Móvil")], country="España"),
    "GB": dict(first=["Sarah", "James", "Emily", "Oliver", "Hannah"],
               last=["Connor", "Whitfield", "Patel", "Taylor", "Brooks"],
               titles=["Head of Marketing", "Sales Director", "Senior Account Manager",
                       "Chief Technology Officer"],
               companies=[("Harbour Data Ltd", "harbourdata.co.uk"),
                          ("Pinecrest Systems Ltd", "pinecrest-systems.co.uk")],
               streets=["221 Baker Street", "14 Kingsway Road"],
               cities=[("SW1A 1AA", "London"), ("M1 1AE", "Manchester")],
               phone="+44 20 7946 0958", national="020 7946 0958", mobile="07911 123456",
               labels=[("Phone", "Mobile"), ("T", "M"), ("Tel", "Cell")], country="United Kingdom"),
}


def _ascii(text: str) -> str:
    text = text.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def sample_cards(count: int, seed: int = 7) -> list[Card]:
    """``count`` varied cards, the same for the same seed."""
    rng = random.Random(seed)
    cards = []
    for index in range(count):
        country = ("DE", "FR", "ES", "GB")[index % 4]
        pool = _PEOPLE[country]
        first, last = rng.choice(pool["first"]), rng.choice(pool["last"])
        company, domain = rng.choice(pool["companies"])
        postal, city = rng.choice(pool["cities"])
        local = rng.choice([f"{first}.{last}", f"{first[0]}.{last}", f"{first}"])
        local = _ascii(local).replace(" ", "-")
        labels = rng.choice(pool["labels"])
        phone_text = rng.choice([pool["phone"], pool["national"]])
        with_mobile = rng.random() < 0.7
        country_line = pool["country"] if rng.random() < 0.4 else ""
        expected = {"first_name": first, "last_name": last, "title": rng.choice(pool["titles"]),
                    "company": company, "email": f"{local}@{domain}",
                    "website": f"www.{domain}", "street": rng.choice(pool["streets"]),
                    "postal_code": postal, "city": city, "country": country,
                    "phone": e164(phone_text, country)}
        if with_mobile:
            expected["mobile"] = e164(pool["mobile"], country)
        cards.append(Card(expected, layout=LAYOUTS[(index // 4) % len(LAYOUTS)],
                          font=FONTS[index % len(FONTS)], labels=labels, phone_text=phone_text,
                          mobile_text=pool["mobile"] if with_mobile else "",
                          country_line=country_line))
    return cards


def e164(text: str, region: str) -> str:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _lines(card: Card) -> tuple[list[str], list[str]]:
    """(the person's lines, the contact lines) as printed."""
    values = card.expected
    person = [f"{values['first_name']} {values['last_name']}", values["title"]]
    postal_city = (f"{values['city']} {values['postal_code']}" if values["country"] == "GB"
                   else f"{values['postal_code']} {values['city']}")
    contact = [values["street"], postal_city]
    if card.country_line:
        contact.append(card.country_line)
    contact.append(f"{card.labels[0]} {card.phone_text}")
    if card.mobile_text:
        contact.append(f"{card.labels[1]} {card.mobile_text}")
    contact += [values["email"], values["website"]]
    return person, contact


def render_card(card: Card) -> bytes:
    """The card as PNG bytes."""
    if QGuiApplication.instance() is None:
        raise RuntimeError("render_card needs a QGuiApplication (QT_QPA_PLATFORM=offscreen)")
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(QColor("#fffdf7" if card.font == "DejaVu Serif" else "white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    person, contact = _lines(card)
    company = card.expected["company"]
    ink = QColor("#1b2a49" if card.layout in ("two_column", "company_top") else "#202020")

    def draw(text: str, x: int, y: int, size: int, *, bold: bool = False, width: int = 0,
             align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> int:
        font = QFont(card.font)
        font.setPixelSize(size)
        font.setBold(bold)
        painter.setFont(font)
        painter.setPen(ink)
        painter.drawText(QRect(x, y, width or WIDTH - x - 40, int(size * 1.4)),
                         int(align | Qt.AlignmentFlag.AlignVCenter), text)
        return y + int(size * 1.55)

    centre = Qt.AlignmentFlag.AlignHCenter
    if card.layout == "stacked":
        y = draw(person[0], 60, 40, 42, bold=True)
        y = draw(person[1], 60, y, 26)
        y = draw(company, 60, y + 6, 28, bold=True)
        for text in contact:
            y = draw(text, 60, y, 22)
    elif card.layout == "centered":
        y = draw(company, 40, 30, 30, bold=True, width=WIDTH - 80, align=centre)
        y = draw(person[0], 40, y + 10, 40, bold=True, width=WIDTH - 80, align=centre)
        y = draw(person[1], 40, y, 24, width=WIDTH - 80, align=centre)
        for text in contact:
            y = draw(text, 40, y, 20, width=WIDTH - 80, align=centre)
    elif card.layout == "two_column":
        y = draw(company, 50, 50, 34, bold=True, width=480)
        y = draw(person[0], 50, y + 60, 36, bold=True, width=480)
        draw(person[1], 50, y, 24, width=480)
        y = 190
        for text in contact:
            y = draw(text, 580, y, 21, width=440)
    else:  # company_top: a big name of the company, the person under it, a contact band
        y = draw(company, 50, 30, 46, bold=True)
        y = draw(person[0], 50, y + 20, 32, bold=True)
        y = draw(person[1], 50, y, 24)
        left, right = contact[: (len(contact) + 1) // 2], contact[(len(contact) + 1) // 2:]
        for column, texts in ((50, left), (560, right)):
            row = y + 30
            for text in texts:
                row = draw(text, column, row, 21, width=460)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())
