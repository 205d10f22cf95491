"""The one way Cascade writes numbers: pages, e-mails and the API's display strings.

- figures with thousands separators and no trailing zeros: ``1,234.5``, ``1,200,000``;
- percentages glued to their sign, rounded to 2 decimals: ``42%``, ``62.5%``;
- a key result's value with its unit: ``€1,200,000`` (a currency symbol, or a
  code such as ``EUR`` turned into its symbol), ``1,250 users``, ``40%``, and
  ``Done`` / ``Not done`` for milestones.

Pure functions of their arguments; the template filters in ``okr_tags`` call them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from okr.models import Metric

# Codes people type as a currency unit, shown as the symbol they stand for.
CURRENCY_SYMBOLS = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "¥",
    "INR": "₹",
    "KRW": "₩",
    "BRL": "R$",
    "CAD": "CA$",
    "AUD": "A$",
    "CHF": "CHF ",
}
MINUS = "−"  # a true minus sign, the width of a plus
DONE = "Done"
NOT_DONE = "Not done"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value) -> str:
    """``1234.500000`` → ``"1,234.5"``; ``-3`` → ``"−3"``; anything else as given."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    text = f"{abs(number).normalize():,f}"
    if text in ("", "0"):
        return "0"
    return f"{MINUS}{text}" if number < 0 else text


def format_percent(value) -> str:
    """``62.5`` → ``"62.5%"``; rounded to 2 decimals, no space before the sign."""
    number = _decimal(value)
    if number is None:
        number = Decimal(0)
    return f"{format_number(round(number, 2))}%"


def currency_symbol(unit: str) -> str | None:
    """The symbol to put before an amount, when the unit is (or names) one."""
    unit = unit.strip()
    if unit.upper() in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[unit.upper()]
    if len(unit) == 1 and not unit.isalnum():
        return unit
    return None


def format_value(value, key_result=None, *, metric: str = "", unit: str = "") -> str:
    """A key result's figure with its unit, the way people write it.

    Takes the metric and unit of ``key_result``, or the ones given.
    """
    if key_result is not None:
        metric, unit = key_result.metric, key_result.unit
    unit = (unit or "").strip()
    if metric == Metric.MILESTONE:
        number = _decimal(value)
        return DONE if number is not None and number >= 1 else NOT_DONE
    text = format_number(value)
    if metric == Metric.PERCENT or unit == "%":
        return f"{text}%"
    if metric == Metric.CURRENCY and (symbol := currency_symbol(unit)):
        if text.startswith(MINUS):
            return f"{MINUS}{symbol}{text[1:]}"
        return f"{symbol}{text}"
    return f"{text} {unit}".strip()
