"""What reading a business card yields: OCR lines with their boxes, a guess per field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

CARD_FIELDS = ("first_name", "last_name", "title", "company", "email", "phone", "mobile",
               "website", "street", "postal_code", "city", "region", "country")


@dataclass(frozen=True)
class OcrLine:
    """One line of text as the OCR engine read it, with its box in image pixels."""

    text: str
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # left, top, right, bottom
    score: float = 1.0

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


@dataclass(frozen=True)
class FieldGuess:
    value: str
    confidence: float  # 0..1; every guess is still shown for confirmation
    line: str = ""  # the text it was read from


@dataclass(frozen=True)
class CardFields:
    """What a card seems to say: a guess per field found, and the lines no field took."""

    guesses: Mapping[str, FieldGuess] = field(default_factory=dict)
    unused: tuple[str, ...] = ()

    def values(self) -> dict[str, str]:
        return {name: guess.value for name, guess in self.guesses.items()}


def guess_from(value: str, confidence: float, line: OcrLine) -> FieldGuess:
    """A guess read from ``line``: the engine's doubt about the line lowers its confidence."""
    return FieldGuess(value.strip(" ,;|"), round(confidence * min(1.0, line.score + 0.05), 2),
                      line.text)
