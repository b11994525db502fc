"""Numbers, money, shares and days as the reports print them."""

from __future__ import annotations

import datetime as dt


def fmt_int(value: int) -> str:
    return f"{value:,}"


def fmt_money(minor: int | None, currency: str = "") -> str:
    if minor is None:
        return "–"
    return f"{minor / 100:,.2f} {currency}".strip()


def fmt_revenue(money: tuple[tuple[str, int], ...]) -> str:
    """Amounts per currency, each on its own line (currencies are never added together)."""
    return "\n".join(fmt_money(amount, currency) for currency, amount in money) or "–"


def fmt_pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def fmt_day(when: dt.datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d") if when is not None else ""
