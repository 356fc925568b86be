"""Search by words, ranked: the one ranking behind the site search, the picker and every FilterSet's ``search``.

``matching(queryset, q)`` keeps the rows that match; ``ranked(queryset, q)`` also orders them best first:

0. a name is exactly the query; 1. a name (or the slug) starts with it; 2. a word of a name starts with it;
3. a name holds it; 4. anything else that matched (a description's word, a near-miss spelling).

Within a rank, PostgreSQL orders by full-text rank and trigram similarity, then by name.

On PostgreSQL a row of a registered table (``SPECS``) matches when each word starts a word of its stored
full-text vector or, at 3+ characters, is close in spelling to a word of a name (``pg_trgm`` word
similarity: "lama" finds "Llama"); or when a name holds the whole query (3+ characters; shorter: starts with
it). Each test is served by an index of migration 0017 (the column ``search_vector`` and the trigram
indexes), so a normal word reads index entries, not the table, at any catalog size; callers LIMIT the rows.
The columns in that migration's vector are the ones ``SPECS`` lists; keep the two alike.

Elsewhere (SQLite, or a table with no spec) every word must appear in one of the fields (``icontains``).
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db import connections
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import Col
from django.db.models.functions import Upper

from catalog.models import Application, Concept, FoundationModel, Hardware, Organization

MAX_QUERY = 100  # characters kept of a query; the rest is dropped
MAX_WORDS = 8
MAX_RELATED = 50  # related rows (a chip's vendors) a query may pull in
MIN_SUBSTRING = 3  # shorter queries match names by prefix only: a trigram index cannot serve "%ab%"
VECTOR_COLUMN = "search_vector"
CONFIG = "simple"  # no stemming or stop words: names, Korean and English alike
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Spec:
    names: tuple[str, ...]  # matched as substrings and by spelling; the first is the name to sort by
    words: tuple[str, ...] = ()  # matched by word (full-text) only
    related: tuple[tuple[str, type], ...] = ()  # (foreign key, model): rows whose related row matches


SPECS = {
    FoundationModel: Spec(("name", "name_ko", "slug"), ("local_name", "family", "description")),
    Hardware: Spec(("name", "name_ko", "slug"), ("family", "description"), related=(("vendor", Organization),)),
    Organization: Spec(("name", "name_ko", "slug"), ("local_name", "description")),
    Application: Spec(("name", "name_ko", "slug"), ("local_name", "category", "description")),
    Concept: Spec(("name_en", "name_ko", "slug"), ("summary_en", "summary_ko")),
}
NAME_FIELDS = ("name", "name_en", "name_ko", "local_name", "slug")  # tried, in order, for a table with no spec


def clean(q):
    """The query as searched: NULs dropped (PostgreSQL refuses them), spaces collapsed, at most MAX_QUERY long."""
    return " ".join(str(q).replace("\x00", " ").split())[:MAX_QUERY].strip()


def spec_for(model):
    if model in SPECS:
        return SPECS[model]
    present = {field.name for field in model._meta.get_fields()}
    return Spec(tuple(name for name in NAME_FIELDS if name in present))


def plain_fields(spec):
    """Where the plain search looks: the spec's own fields and its related rows' names."""
    related = tuple(f"{key}__{name}" for key, model in spec.related for name in SPECS[model].names if name != "slug")
    return spec.names + spec.words + related


def indexed(queryset):
    """Whether the indexed PostgreSQL search serves this queryset's table."""
    return queryset.model in SPECS and connections[queryset.db].vendor == "postgresql"


def vector(model):
    """The row's stored ``search_vector`` (migration 0017; not a model field: PostgreSQL only)."""
    from django.contrib.postgres.search import SearchVectorField

    field = SearchVectorField()
    field.set_attributes_from_name(VECTOR_COLUMN)
    field.model = model
    return Col(model._meta.db_table, field)  # a Col, so a subquery's table alias (U0) is applied to it too


def prefix_query(q):
    """Every word as a word prefix ('lla:*' & '3:*'); None if the query has no word characters."""
    from django.contrib.postgres.search import SearchQuery

    words = WORD.findall(q.lower())[:MAX_WORDS]
    if not words:
        return None
    return SearchQuery(" & ".join(f"{word}:*" for word in words), config=CONFIG, search_type="raw")


def matching(queryset, q, *, fields=()):
    """The rows matching ``q`` (see the module docstring). ``fields``: where to look when not indexed."""
    q = clean(q)
    if not q:
        return queryset
    if indexed(queryset):
        return queryset.filter(_indexed_match(queryset, q))
    fields = fields or plain_fields(spec_for(queryset.model))
    for word in q.split()[:MAX_WORDS]:
        queryset = queryset.filter(reduce(or_, [Q(**{f"{field}__icontains": word}) for field in fields]))
    # Searching through a to-many relation can repeat a row.
    return queryset.distinct() if any("__" in field for field in fields) else queryset


def _indexed_match(queryset, q):
    from django.contrib.postgres.lookups import SearchLookup, TrigramWordSimilar

    spec = SPECS[queryset.model]
    # Each word starts a word somewhere (full text) or, at 3+ characters, is close in spelling to a name's word.
    each_word = []
    for word in WORD.findall(q.lower())[:MAX_WORDS]:
        either = Q(SearchLookup(vector(queryset.model), prefix_query(word)))
        if len(word) >= MIN_SUBSTRING:
            for field in spec.names:
                if field != "slug":
                    either |= Q(TrigramWordSimilar(Upper(field), Upper(Value(word))))
        each_word.append(either)
    tests = [reduce(and_, each_word)] if each_word else []
    # Or a name holds the whole query (UPPER(..) LIKE, as Django writes icontains; served by the trigram index).
    lookup = "icontains" if len(q) >= MIN_SUBSTRING else "istartswith"  # no trigram index serves "%ab%"
    for field in spec.names:
        tests.append(Q(**{f"{field}__{lookup}": q.replace(" ", "-") if field == "slug" else q}))
    for field, related_model in spec.related:
        # Read first, so the outer query stays a union of index scans (an OR'ed subquery would scan the table).
        related = matching(related_model._default_manager.using(queryset.db), q)
        pks = list(related.values_list("pk", flat=True)[:MAX_RELATED])
        if pks:
            tests.append(Q(**{f"{field}__in": pks}))
    return reduce(or_, tests)


def tier(model, q):
    """The rank of a match by its names (0 best, 4 for anything else); see the module docstring."""
    names = spec_for(model).names
    exact, starts, word_starts, contains = Q(), Q(), Q(), Q()
    for field in names:
        needle = q.replace(" ", "-") if field == "slug" else q
        exact |= Q(**{f"{field}__iexact": needle})
        starts |= Q(**{f"{field}__istartswith": needle})
        for separator in (" ", "-", "(", "."):
            word_starts |= Q(**{f"{field}__icontains": separator + needle})
        contains |= Q(**{f"{field}__icontains": needle})
    return Case(
        When(exact, then=Value(0)),
        When(starts, then=Value(1)),
        When(word_starts, then=Value(2)),
        When(contains, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


def ranked(queryset, q, *, fields=()):
    """``matching`` rows, best first; slice the result (callers LIMIT)."""
    q = clean(q)
    if not q:
        return queryset.none()
    sort_name = spec_for(queryset.model).names[0] if spec_for(queryset.model).names else "pk"
    rows = matching(queryset, q, fields=fields).annotate(search_tier=tier(queryset.model, q))
    order = [F("search_tier").asc()]
    if indexed(queryset):
        from django.contrib.postgres.search import SearchRank, TrigramSimilarity, TrigramWordSimilarity

        query = prefix_query(q)
        if query is not None:
            rows = rows.annotate(search_rank=SearchRank(vector(queryset.model), query))
            order.append(F("search_rank").desc())
        # How much of the query a name's best stretch holds, then how alike the whole name is (shorter first).
        rows = rows.annotate(
            search_likeness=TrigramWordSimilarity(q, sort_name), search_similarity=TrigramSimilarity(sort_name, q)
        )
        order += [F("search_likeness").desc(), F("search_similarity").desc()]
    return rows.order_by(*order, sort_name, "pk")
