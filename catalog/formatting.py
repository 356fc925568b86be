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
