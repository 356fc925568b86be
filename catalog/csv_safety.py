"""Text a spreadsheet would run as a formula, neutralised in every CSV the app writes (OWASP's advice).

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
single quote in front, which spreadsheets show as text. Numbers are left alone: a number value, or text
that is a plain decimal number (``-1.5``, ``+2e-9``), is a number to a spreadsheet too, never a formula,
so negative figures stay numbers.

The app's CSV import reads its exports back to the same values (``unquoted_cell``). The rule looks past
leading quotes, so text that already starts with a quote before a trigger (``'=1``) gets one more and
survives the round trip as well.
"""

import re

TRIGGERS = frozenset("=+-@\t\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def needs_quote(text):
    rest = text.lstrip("'")
    return rest[:1] in TRIGGERS and not PLAIN_NUMBER.fullmatch(rest)


def safe_cell(value):
    """The value as a CSV cell may hold it: text a spreadsheet would run gets a leading quote."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def unquoted_cell(text):
    """The inverse of ``safe_cell`` for text read from a CSV."""
    if text.startswith("'") and needs_quote(text[1:]):
        return text[1:]
    return text
