"""Page sizes (A4, or Letter by locale), margins, and column widths scaled to the page."""

from __future__ import annotations

import locale
import os
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm

PageSize = tuple[float, float]
# Countries that print on US Letter; everyone else uses A4.
_LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "PR", "GT", "CR", "PA",
                               "SV", "NI", "DO", "BZ"})
MARGIN = 15 * mm


def page_size_for(override: str | PageSize | None = None, *, locale_name: str | None = None
                  ) -> PageSize:
    """A4, or Letter where the locale's country prints on Letter; ``override`` wins."""
    if isinstance(override, tuple):
        return override
    if isinstance(override, str) and override.strip():
        name = override.strip().lower()
        if name == "a4":
            return A4
        if name in ("letter", "us-letter", "us letter"):
            return LETTER
        raise ValueError(f"'{override}' is not a page size: use A4 or Letter")
    name = locale_name if locale_name is not None else _current_locale()
    country = name.split(".")[0].split("@")[0].replace("-", "_").split("_")[-1].upper() \
        if "_" in name or "-" in name else ""
    return LETTER if country in _LETTER_COUNTRIES else A4


def _current_locale() -> str:
    for variable in ("LC_ALL", "LC_PAPER", "LANG"):
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value
    try:
        return locale.getlocale()[0] or ""
    except ValueError:
        return ""


def frame_width(page: PageSize) -> float:
    return page[0] - 2 * MARGIN


def scaled(widths_mm: Sequence[float], page: PageSize) -> tuple[float, ...]:
    """Column widths given in mm for A4, stretched to fill this page's frame."""
    total = sum(widths_mm) * mm
    factor = frame_width(page) / total
    return tuple(w * mm * factor for w in widths_mm)
