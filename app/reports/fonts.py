"""Fonts for every PDF the app writes: DejaVu Sans embedded, with a CJK fallback per text run.

reportlab's built-in Helvetica has no "Ś", "ğ", Greek or Cyrillic glyphs; DejaVu Sans (shipped in
resources/fonts with its licence) covers them. Chinese and Japanese fall back to reportlab's
built-in CID fonts (Adobe's standard Asian fonts, which PDF viewers supply), chosen per run:
kana means Japanese, Han alone is set in the Chinese font.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import resource

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
JAPANESE = "HeiseiKakuGo-W5"
CHINESE = "STSong-Light"
KOREAN = "HYGothic-Medium"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
# Where a system keeps DejaVu, used only when the bundled copy is missing (an installed wheel
# without resources/).
_SYSTEM_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
                Path("/usr/local/share/fonts"), Path("/Library/Fonts"),
                Path("C:/Windows/Fonts"))

_KANA = r"\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL = r"\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_HAN = r"\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uff65" \
       r"\U00020000-\U0003134f"
_CJK_RUN = re.compile(f"[{_KANA}{_HANGUL}{_HAN}]+")
_KANA_RE = re.compile(f"[{_KANA}]")
_HANGUL_RE = re.compile(f"[{_HANGUL}]")


def font_file(name: str) -> Path:
    """The TrueType file for ``name``: the bundled copy, else the system's DejaVu."""
    bundled = resource(f"fonts/{_FILES[name]}")
    if bundled.exists():
        return bundled
    for folder in _SYSTEM_DIRS:
        candidate = folder / _FILES[name]
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"The report font {_FILES[name]} is missing from {bundled.parent}; "
                            "reinstall Leadline.")


@cache
def register_fonts() -> None:
    """Register DejaVu (regular, bold, as one family) and the CJK fallbacks, once per process."""
    for name in _FILES:
        pdfmetrics.registerFont(TTFont(name, str(font_file(name))))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR,
                                  boldItalic=BOLD)
    for cid in (JAPANESE, CHINESE, KOREAN):
        pdfmetrics.registerFont(UnicodeCIDFont(cid))


def has_cjk(text: str) -> bool:
    return _CJK_RUN.search(text) is not None


def cjk_font_for(text: str) -> str:
    """The CID font for a CJK run: kana → Japanese, hangul → Korean, Han alone → Chinese."""
    if _KANA_RE.search(text):
        return JAPANESE
    if _HANGUL_RE.search(text):
        return KOREAN
    return CHINESE


def markup(text: str) -> str:
    """``text`` escaped for a Paragraph, CJK runs wrapped in ``<font name=…>`` tags.

    The font is chosen from the whole string, so a Japanese name written in kanji with one
    kana character keeps Japanese glyph shapes throughout.
    """
    if not has_cjk(text):
        return escape(text)
    font = cjk_font_for(text)
    parts: list[str] = []
    last = 0
    for match in _CJK_RUN.finditer(text):
        parts.append(escape(text[last:match.start()]))
        parts.append(f'<font name="{font}">{escape(match.group())}</font>')
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)
