"""Numbers and dates for people, in the active language. Used by templates and charts.

Units stay SI in both languages (TFLOP/s, GB); counts follow the reader's language: English groups by
thousands (175B), Korean by ten-thousands (1,750억), the way each language says large numbers.
"""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language, pgettext

SI_PREFIXES = [(1e24, "Y"), (1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]


def si(value, unit=""):
    """1.979e15, "FLOP/s" -> "1.98 PFLOP/s"; 80e9, "B" -> "80 GB". Empty for unknown values."""
    if value is None or value == "":
        return ""
    number = float(value)
    for factor, prefix in SI_PREFIXES:
        if abs(number) >= factor:
            return f"{number / factor:.3g} {prefix}{unit}".strip()
    return f"{number:.3g} {unit}".strip()


ENGLISH_COUNT_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"))
# 조 (10^12), 억 (10^8), 만 (10^4): 1.75e11 reads 1,750억, not 175 billion.
KOREAN_COUNT_UNITS = ((1e12, "조"), (1e8, "억"), (1e4, "만"))
# Below a million both languages write the digits (12,345); past 10^16 (경) neither has a word people use.
SMALLEST_WORDED_COUNT, LARGEST_WORDED_COUNT = 1e6, 1e16


def count(value):
    """Large counts the way the reader's language says them: 175B in English, 1,750억 in Korean."""
    if value is None or value == "":
        return ""
    number = float(value)
    if abs(number) >= LARGEST_WORDED_COUNT:
        return f"{number:.3g}".replace("e+", "e")
    if abs(number) < SMALLEST_WORDED_COUNT:
        return f"{int(number):,}"
    units = KOREAN_COUNT_UNITS if get_language() == "ko" else ENGLISH_COUNT_UNITS
    factor, unit = next((factor, unit) for factor, unit in units if abs(number) >= factor)
    scaled = number / factor
    return f"{scaled:,.0f}{unit}" if abs(scaled) >= 100 else f"{scaled:.3g}{unit}"


def when(value, precision="day"):
    """A date to the precision it is known, in the reader's language. Empty for unknown dates.

    Django's per-language formats: "May 13, 2024" / "2024년 5월 13일", "May 2024" / "2024년 5월".
    """
    if not value:
        return ""
    if precision == "year":
        return pgettext("a date known only to the year", "%(year)s") % {"year": value.year}
    return formats.date_format(value, "YEAR_MONTH_FORMAT" if precision == "month" else "DATE_FORMAT")


def money(value, currency="USD"):
    if value is None:
        return ""
    value = Decimal(value).normalize()
    text = f"{value:,.2f}" if value >= 1 or value == 0 else f"{value:,.4f}".rstrip("0")
    return f"${text}" if currency == "USD" else f"{text} {currency}"


def duration(seconds):
    """0.0123 -> "12.3 ms"; 2.5e-5 -> "25 µs"; 1.5 -> "1.5 s". Empty for unknown values."""
    if seconds is None or seconds == "":
        return ""
    value = float(seconds)
    for factor, unit in ((1, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns" if value else "0 s"


def percent(fraction):
    """0.1234 -> "12.3%"; a share of a peak, so above 1 shows as it is. Empty for unknown values."""
    if fraction is None or fraction == "":
        return ""
    return f"{100 * float(fraction):.3g}%"
