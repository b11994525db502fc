"""Business cards: share of fields read exactly, and seconds per card (reading it and making
the picture kept with the lead), on rendered cards.

Run: ``.venv/bin/python -m tests.benchmarks.bench_cards [CARDS]`` (default 40). The cards
(tests/card_rendering.py) are clean renderings in German, French, Spanish and English, four
layouts, three font families; every printed field counts. Needs the ``ocr`` extra.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication  # noqa: E402

from app.domain.card_text import fold  # noqa: E402
from app.services.card_pictures import card_pictures  # noqa: E402
from app.services.card_reading import CardReader  # noqa: E402
from app.services.image_decoding import CaptureUnavailableError, open_image  # noqa: E402
from tests.benchmarks.common import report  # noqa: E402
from tests.card_rendering import e164, render_card, sample_cards  # noqa: E402

ACCURACY_LIMIT = 90.0  # % of printed fields exact
SECONDS_LIMIT = 3.0  # per card, on this machine's two cores


def comparable(name: str, value: str, country: str) -> str:
    value = " ".join(value.split())
    return e164(value, country) if name in ("phone", "mobile") and value else value


def main(count: int = 40) -> bool:
    app = QGuiApplication.instance() or QGuiApplication([])
    reader = CardReader()
    try:
        reader.read_lines(render_card(sample_cards(1)[0]))  # loads the models once
    except CaptureUnavailableError as error:
        print(f"SKIP  bench_cards: {error}")
        return True
    cards = sample_cards(count)
    exact = folded = total = 0
    misses: Counter[str] = Counter()
    examples: dict[str, str] = {}
    seconds = 0.0
    kept = 0
    for card in cards:
        png = render_card(card)
        started = time.perf_counter()
        image = open_image(png)  # as the booth does: decoded once, read, then kept
        reading = reader.read_card(image, region="DE")  # a German show: foreign cards too
        kept += len(card_pictures(image)[0].stored)
        seconds += time.perf_counter() - started
        got = reading.fields.values()
        country = card.expected["country"]
        for name, want in card.expected.items():
            total += 1
            have = comparable(name, got.get(name, ""), country)
            if have == want:
                exact += 1
            else:
                misses[name] += 1
                examples.setdefault(name, f"{want!r} read as {have!r}")
            if fold(have) == fold(want):
                folded += 1
    del app
    print(f"{len(cards)} cards, {total} printed fields; misses by field: "
          f"{', '.join(f'{k} {v}' for k, v in misses.most_common()) or 'none'}")
    for name, example in examples.items():
        print(f"  e.g. {name}: {example}")
    print(f"      fields exact ignoring accents: {100 * folded / total:.1f} %")
    print(f"      picture kept with each lead: {kept / len(cards) / 1000:.0f} KB on average")
    passed = report("card fields exact", 100 * exact / total, ACCURACY_LIMIT, "%",
                    higher_is_better=True)
    return report("card reading time", seconds / len(cards), SECONDS_LIMIT, "s/card") and passed


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 40) else 1)
