"""Numbers and dates for people, in the active language. The rules behind ``catalog.figures``.

Units stay SI in both languages (989 TFLOP/s, 3.35 TB/s, 80 GB); counts follow the reader's language: English
groups by thousands (175B), Korean by ten-thousands (1,750억), the way each language says large numbers.

- FLOP totals in scientific notation, three significant digits: 6.3e24 FLOP (not "6.3 YFLOP").
- Durations of a run in hours or days: "36 hours", "179 days" (not "15.5M s"); latencies in ms/µs.
- Money, one rule everywhere for amounts (costs, totals, launch prices):
  under $1: two significant digits, at least cents ($0.15, $0.40, $0.0042);
  $1 to $1,000: cents ($2.50, $152.34); $1,000 to $1M: whole dollars ($12,345);
  from $1M: three significant digits in words ($1.52M, $30.4M, $2.06M; in Korean $3,040만).
- Prices as quoted (USD per 1M tokens, per hour): the provider's own digits, at least cents, at most six
  decimals ($0.1375, $2.50, $60.00): rounding a real price away would misquote it.
"""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

SI_PREFIXES = [(1e24, "Y"), (1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]


def si(value, unit=""):
    """1.979e15, "FLOP/s" -> "1.98 PFLOP/s"; 80e9, "B" -> "80 GB". Empty for unknown values."""
    if value is None or value == "":
        return ""
    number = float(value)
    for factor, prefix in SI_PREFIXES:
        if abs(number) >= factor:
            # A bare prefix sticks to its number (1.23k); with a unit it joins the unit (989 TFLOP/s).
            return f"{number / factor:.3g} {prefix}{unit}" if unit else f"{number / factor:.3g}{prefix}"
    return f"{number:.3g} {unit}".strip()


ENGLISH_COUNT_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"))
# 조 (10^12), 억 (10^8), 만 (10^4): 1.75e11 reads 1,750억, not 175 billion.
KOREAN_COUNT_UNITS = ((1e12, "조"), (1e8, "억"), (1e4, "만"))
# Below a million both languages write the digits (12,345); past 10^16 (경) neither has a word people use.
SMALLEST_WORDED_COUNT, LARGEST_WORDED_COUNT = 1e6, 1e16


def scientific(value):
    """1.0e25 -> "1e25"; 6.3e24 -> "6.3e24": three significant digits, no "+" in the exponent."""
    return f"{float(value):.3g}".replace("e+", "e")


def count(value):
    """Large counts the way the reader's language says them: 175B in English, 1,750억 in Korean."""
    if value is None or value == "":
        return ""
    number = float(value)
    if abs(number) >= LARGEST_WORDED_COUNT:
        return scientific(number)
    if abs(number) < SMALLEST_WORDED_COUNT:
        return f"{round(number):,}"
    return worded(number)


def worded(number):
    """A number of a million or more in the reader's words, to three significant digits: 1.52M, 3,040만."""
    units = KOREAN_COUNT_UNITS if get_language() == "ko" else ENGLISH_COUNT_UNITS
    factor, unit = next((factor, unit) for factor, unit in units if abs(number) >= factor)
    scaled = float(f"{number / factor:.3g}")
    return f"{scaled:,.0f}{unit}" if abs(scaled) >= 100 else f"{scaled:.3g}{unit}"


def flop(value):
    """A FLOP total: 6.3e24 -> "6.3e24 FLOP"; small totals grouped (12,000 FLOP)."""
    if value is None or value == "":
        return ""
    number = float(value)
    return f"{scientific(number) if abs(number) >= 1e6 else f'{round(number):,}'} FLOP"


def plain(value, symbol=""):
    """A measured quantity with no prefix: 4 nm, 814 mm², 1,000 W, 0.00339 B/FLOP."""
    if value is None or value == "":
        return ""
    number = float(value)
    if symbol == "×":  # a ratio of estimate to reported: two decimals say how close (1.00×, 0.85×)
        return f"{number:,.2f}×" if abs(number) < 100 else f"{number:,.0f}×"
    text = f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.3g}"
    return f"{text} {symbol}".strip()


def when(value, precision="day"):
    """A date to the precision it is known, in the reader's language. Empty for unknown dates.

    Django's per-language formats: "May 13, 2024" / "2024년 5월 13일", "May 2024" / "2024년 5월".
    """
    if not value:
        return ""
    if precision == "year":
        return pgettext("a date known only to the year", "%(year)s") % {"year": value.year}
    return formats.date_format(value, "YEAR_MONTH_FORMAT" if precision == "month" else "DATE_FORMAT")


def _currency(text, currency):
    if currency == "USD":
        return f"-${text[1:]}" if text.startswith("-") else f"${text}"
    return f"{text} {currency}"


def money(value, currency="USD"):
    """An amount to meaningful digits: $0.15, $2.50, $12,345, $1.52M (the rule is in the module docstring)."""
    if value is None or value == "":
        return ""
    number = float(value)
    size = abs(number)
    if size == 0:
        text = "0"
    elif size >= 1e6:
        text = worded(number)
    elif size >= 1000:
        text = f"{number:,.0f}"
    elif size >= 1:
        text = f"{number:,.2f}"
    else:
        text = f"{float(f'{number:.2g}'):.{max(2, _decimals_for(number, 2))}f}"
        whole, decimals = text.split(".")
        text = f"{whole}.{decimals.rstrip('0').ljust(2, '0')}"  # $0.00001, $0.015, $0.40
    return _currency(text, currency)


def _decimals_for(number, significant):
    """Decimal places that show ``significant`` digits of a number below 1 (0.0042 -> 4)."""
    places = 0
    size = abs(number)
    while size < 10 ** (significant - 1) and places < 12:
        size *= 10
        places += 1
    return places


MAX_QUOTED_DECIMALS = 6


def price(value, currency="USD"):
    """A price as quoted: the provider's digits, at least cents, at most six decimals ($0.1375, $2.50)."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).normalize()
    places = min(max(2, -amount.as_tuple().exponent), MAX_QUOTED_DECIMALS)
    return _currency(f"{amount:,.{places}f}", currency)


def duration(seconds):
    """0.0123 -> "12.3 ms"; 2.5e-5 -> "25 µs"; 1.5 -> "1.5 s". Empty for unknown values."""
    if seconds is None or seconds == "":
        return ""
    value = float(seconds)
    for factor, unit in ((1, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns" if value else "0 s"


def span(seconds):
    """How long a run takes: "45 s", "12 minutes", "36 hours", "179 days". Empty for unknown values."""
    if seconds is None or seconds == "":
        return ""
    value = float(seconds)
    if value < 60:
        return duration(value)
    if value >= 2 * 86400:
        amount = value / 86400
        return ngettext("%(number)s day", "%(number)s days", round(amount)) % {"number": _about(amount)}
    if value >= 2 * 3600:
        amount = value / 3600
        return ngettext("%(number)s hour", "%(number)s hours", round(amount)) % {"number": _about(amount)}
    amount = value / 60
    return ngettext("%(number)s minute", "%(number)s minutes", round(amount)) % {"number": _about(amount)}


def _about(amount):
    """Whole units from ten up (179, 1,234), two significant digits below (2.5)."""
    return f"{amount:,.0f}" if amount >= 10 else f"{amount:.2g}"


def percent(fraction):
    """0.1234 -> "12.3%"; a share of a peak, so above 1 shows as it is. Empty for unknown values."""
    if fraction is None or fraction == "":
        return ""
    return f"{100 * float(fraction):.3g}%"


SECONDS_PER = {"s": 1, "h": 3600}


def formatted(value, *, kind, unit="", symbol="", word=""):
    """One figure by its kind (``catalog.figures``): the single switch every page, chart and export goes through."""
    if value is None or value == "":
        return ""
    if kind == "si":
        text = si(value, "" if word else symbol)
    elif kind == "count":
        text = count(value)
    elif kind == "money":
        text = money(value)
    elif kind == "price":
        return price(value)
    elif kind == "date":
        return when(value)
    elif kind == "duration":
        return span(float(value) * SECONDS_PER.get(unit, 1))
    elif kind == "scientific":
        return flop(value) if unit == "FLOP" else f"{scientific(value)} {symbol}".strip()
    elif kind == "percent":
        return percent(value)
    elif kind == "plain":
        return plain(value, symbol)
    else:
        return str(value)
    return f"{text} {word}" if word else text


# The countries of the catalog's organizations; a code not listed shows as it is.
COUNTRY_NAMES = {
    "AE": _("United Arab Emirates"),
    "AT": _("Austria"),
    "AU": _("Australia"),
    "BE": _("Belgium"),
    "CA": _("Canada"),
    "CH": _("Switzerland"),
    "CN": _("China"),
    "DE": _("Germany"),
    "ES": _("Spain"),
    "FI": _("Finland"),
    "FR": _("France"),
    "GB": _("United Kingdom"),
    "HK": _("Hong Kong"),
    "IL": _("Israel"),
    "IN": _("India"),
    "IT": _("Italy"),
    "JP": _("Japan"),
    "KR": _("South Korea"),
    "NL": _("Netherlands"),
    "NO": _("Norway"),
    "RU": _("Russia"),
    "SA": _("Saudi Arabia"),
    "SE": _("Sweden"),
    "SG": _("Singapore"),
    "TW": _("Taiwan"),
    "US": _("United States"),
}


def country_name(code):
    """The country's name in the reader's language, or the ISO code for one not listed (Organization.country)."""
    return str(COUNTRY_NAMES.get(code, code or _("unknown country")))
