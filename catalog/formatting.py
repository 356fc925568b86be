"""Numbers for people: SI prefixes with units, counts in words, money. Used by templates and charts."""

from decimal import Decimal

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


def count(value):
    """Large counts in words people use: 175 billion, 1.2 trillion."""
    if value is None:
        return ""
    number = float(value)
    for factor, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if number >= factor:
            return f"{number / factor:.3g} {word}"
    return f"{int(number):,}"


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
