"""Quantities as people type them: "100B", "1e11", "70 billion", "1.5T", "1,750억", "3.1e23", "80 GB".

One parser, and the form fields built on it, shared by the website's filter forms and the API's query
parameters (a FilterSet's form validates both), so "100B" means the same thing everywhere.

Multipliers: k / thousand / 천, M / million / 백만, B / G / billion / 십억, T / trillion, P / quadrillion, and the
Korean myriads 만 (1e4), 억 (1e8), 조 (1e12), 경 (1e16). Several terms add up when their multipliers fall
("1조 7,500억", "1 trillion 750 billion"). Thousands separators are accepted in their usual places. A field may
name units that may follow ("80 GB", "3.35 TB/s", "989 TFLOP/s"); "B" alone is the billion, never a byte.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import RangeField

MULTIPLIERS = {
    "k": 10**3,
    "thousand": 10**3,
    "천": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "million": 10**6,
    "백만": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "g": 10**9,
    "billion": 10**9,
    "십억": 10**9,
    "t": 10**12,
    "trillion": 10**12,
    "p": 10**15,
    "quadrillion": 10**15,
    "만": 10**4,
    "억": 10**8,
    "조": 10**12,
    "경": 10**16,
}
MAX_INPUT = 80  # characters: a quantity is short; a long string is refused before any regular expression runs

NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?"
# Longest words first, so "billion" is not read as "b" + "illion".
WORDS = "|".join(re.escape(word) for word in sorted(MULTIPLIERS, key=len, reverse=True))
TERM = re.compile(rf"\s*({NUMBER})\s*({WORDS})?", re.IGNORECASE)
ENDS_IN_MULTIPLIER = re.compile(rf"[\d.\s](?:{WORDS})$", re.IGNORECASE)
MAX_DIGITS = 40  # 1e40 is past every figure the catalog holds (FLOP totals reach 1e27)


class QuantityError(ValueError):
    pass


def parse_quantity(text, *, units=()):
    """The Decimal a person meant by ``text``; QuantityError when it is not a quantity.

    ``units``: unit symbols that may end the text ("B", "B/s", "FLOP/s"), matched without case.
    """
    text = str(text).strip()
    if not text or len(text) > MAX_INPUT:
        raise QuantityError(text)
    lowered = text.lower()
    for unit in sorted(units, key=len, reverse=True):
        stripped = lowered.removesuffix(unit.lower()).rstrip()
        if stripped == lowered or not stripped:
            continue
        # "100B" in a byte field keeps its B as the billion: a unit that is also a multiplier comes off only
        # after a multiplier ("80 GB").
        if unit.lower() not in MULTIPLIERS or ENDS_IN_MULTIPLIER.search(stripped):
            lowered = stripped
            break
    total, position, previous = Decimal(0), 0, None
    while position < len(lowered):
        match = TERM.match(lowered, position)
        if not match or match.end() == position:
            raise QuantityError(text)
        number, word = match.groups()
        multiplier = MULTIPLIERS[word.lower()] if word else 1
        if previous is not None and (previous == 1 or multiplier >= previous):
            raise QuantityError(text)  # "1 2", "5억 3조": only falling multipliers add up
        try:
            term = Decimal(number.replace(",", ""))
        except InvalidOperation as error:
            raise QuantityError(text) from error
        if term and term.adjusted() > MAX_DIGITS:  # "1e999999999" would take ages to multiply out
            raise QuantityError(text)
        total += term * multiplier
        previous, position = multiplier, match.end()
    if total and total.adjusted() > MAX_DIGITS:
        raise QuantityError(text)
    return total


class QuantityField(forms.Field):
    """A number a person can type as "70B", "1e11" or "1,750억"; an int when ``integer``, else a float."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Enter a number such as 70B or 1e11."),
        "min_value": _("Enter a number of at least %(limit_value)s."),
        "max_value": _("Enter a number of at most %(limit_value)s."),
    }

    def __init__(self, *, integer=False, min_value=0, max_value=None, units=(), **kwargs):
        self.integer, self.min_value, self.max_value, self.units = integer, min_value, max_value, tuple(units)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int | float | Decimal):
            number = Decimal(value)
        else:
            try:
                number = parse_quantity(value, units=self.units)
            except QuantityError:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if self.min_value is not None and number < self.min_value:
            raise forms.ValidationError(
                self.error_messages["min_value"], code="min_value", params={"limit_value": self.min_value}
            )
        if self.max_value is not None and number > self.max_value:
            raise forms.ValidationError(
                self.error_messages["max_value"], code="max_value", params={"limit_value": f"{self.max_value:.3g}"}
            )
        return int(number) if self.integer else float(number)


class QuantityRangeField(RangeField):
    """From and to, each a QuantityField (django-filter's RangeFilter reads ``name_min`` and ``name_max``)."""

    def __init__(self, *args, integer=False, min_value=0, max_value=None, units=(), **kwargs):
        bounds = [
            QuantityField(integer=integer, min_value=min_value, max_value=max_value, units=units) for _ in range(2)
        ]
        super().__init__(bounds, *args, **kwargs)
