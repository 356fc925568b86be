"""Chart figures cached by the data version: building one from the catalog is paid once per write, not per view.

A figure, with the fit and sample counts printed beside it, is a pure function of the catalog, the inputs the
page gives it, the language (its labels), the UTC date (prices in force today) and the code. Its key holds all
of them, the data version and the release as the response cache (catalog/cache/responses.py) has them, so a
stored figure is never stale. Where the response cache stores whole answers for anonymous readers only, this
one also serves signed-in readers, a page whose answer was not stored, and pages that draw the same figure
under other URLs (a price chart with other models picked keeps its class's cheapest line). A cache that is
down means the figure is built for every request, never an error.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.utils import timezone
from django.utils.translation import get_language

from catalog.cache import data_version
from catalog.cache.responses import cache_get, cache_set, release


def cached(name, inputs, build):
    """``build()``, or what it returned for the same ``name`` and ``inputs`` (a repr-able description of
    everything the figure depends on besides the catalog and the language) since the last write."""
    if not settings.FIGURE_CACHE_ENABLED:
        return build()
    digest = hashlib.sha256(repr((name, inputs)).encode()).hexdigest()[:32]
    today = timezone.now().date().isoformat()
    key = f"figure:{release()}:{data_version.current()}:{get_language()}:{today}:{digest}"
    stored = cache_get(key)
    if stored is None:
        stored = build()
        cache_set(key, stored)
    return stored


def rows_read(queryset):
    """An input naming the rows a figure reads: the queryset's SQL with its parameters inlined (None when no row
    can match, as for a class no model is in)."""
    try:
        return str(queryset.query)
    except EmptyResultSet:
        return None
