"""List pages built from ``values()`` rows instead of model instances, with exactly DRF's output.

Building a model instance per row (and one per prefetched related row) was most of a list request. Here a
plan, worked out once per serializer class from its declared fields, says which columns to select and how
each field turns its column(s) into JSON:

- a column or annotation: passed through where DRF's field would return it unchanged, dates as ISO strings,
  anything else (decimals, big integers, booleans...) through the DRF field's own ``to_representation``;
- a ``LinkField``: the URL template (one ``reverse()`` per request) with the row's key put in;
- a ``SummaryField`` on a foreign key: the related row's slug and name, joined in the same query;
- a many-to-many summary or source list: one query on the through table for the whole page, keyed by the
  row's id, in the related model's default ordering (what the viewsets' prefetches use);
- a model property (``Organization.roles``, ``PricePoint.is_stale``...): the property itself, run on a light
  stand-in object that carries the row's columns.

Filtering, ordering, pagination and ``count`` stay the viewset's own; only what is read per row changes. The
serializer classes stay the schema. A field the plan cannot read returns ``None`` from ``plan_for`` and the
viewset falls back to DRF. ``tests/test_api_values_read.py`` checks both give byte-identical responses.
"""

from collections import defaultdict
from functools import cache, cached_property
from itertools import repeat

from django.db import connections, models
from rest_framework import fields as drf_fields
from rest_framework.relations import ManyRelatedField
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import ISO_8601, api_settings

from catalog.api.fields import PLACEHOLDER, LinkField, SourceField, SummaryField

# Exact field classes whose output is the stored value itself (for a column of the matching model type).
UNCHANGED = {
    drf_fields.CharField,
    drf_fields.SlugField,
    drf_fields.URLField,
    drf_fields.EmailField,
    drf_fields.IntegerField,
    drf_fields.ChoiceField,
}
SOURCE_COLUMNS = ("url", "title", "publisher", "kind")


def summary_columns(model):
    """What ``SummaryField`` shows: the slug, and ``name`` (or ``name_en`` for a model without one)."""
    names = {field.name for field in model._meta.concrete_fields}
    return ("slug", "name" if "name" in names else "name_en")


class Links:
    """Per request: one ``reverse()`` per view name, then the key joined into the template's parts."""

    def __init__(self, request):
        self.request, self.parts = request, {}

    def __call__(self, view_name, lookup):
        key = (view_name, lookup)
        if key not in self.parts:
            template = reverse(view_name, kwargs={lookup: PLACEHOLDER}, request=self.request)
            self.parts[key] = template.split(PLACEHOLDER)  # str(key).join(parts) == template.replace(...)
        return self.parts[key]


def model_properties(model):
    """A class carrying the model's properties and plain methods (not its field descriptors), so a property
    runs on a row dict set as the instance ``__dict__``."""
    attributes = {"_meta": model._meta}
    for klass in reversed([k for k in model.__mro__ if k not in (models.Model, object)]):
        for name, value in vars(klass).items():
            if isinstance(value, property) or (callable(value) and not isinstance(value, type)):
                attributes[name] = value
    return type(f"{model.__name__}Row", (), attributes)


class Plan:
    """How to build one serializer's output from a values() row; ``render`` assembles a page."""

    def __init__(self, model):
        self.model = model
        self.columns = {"pk": None}  # ordered set of values() names
        self.steps = []  # (output name, kind, argument)
        self.proxy = None

    def column(self, name):
        self.columns[name] = None
        return name

    def values(self, queryset):
        """The rows as tuples in ``columns`` order (tuples: Django builds no dict per row), the key first."""
        return queryset.prefetch_related(None).values_list(*self.columns)

    def render(self, rows, request, using):
        links = Links(request)
        ids = [row[0] for row in rows]
        stand_ins = repeat(None)
        if self.proxy is not None:  # the stand-in's attributes are the row's columns; properties read them
            stand_ins = []
            for row in rows:
                stand_ins.append(object.__new__(self.proxy))
                stand_ins[-1].__dict__ = dict(zip(self.columns, row, strict=True))
        arguments = [self.per_request(kind, argument, links, ids, using) for _, kind, argument in self.steps]
        return self.assemble(rows, arguments, stand_ins)

    def per_request(self, kind, argument, links, ids, using):
        """What a step needs from this request: link templates, the page's related rows."""
        if kind == "link":
            return links(argument[0], argument[1])
        if kind == "summary":
            return links(argument[0], "slug")
        if kind == "many":
            return fetch_many(*argument, ids, links, using)
        return None

    @cached_property
    def assemble(self):
        """``assemble(rows, arguments, stand_ins)``: one dict display per row, compiled once per plan (a function
        call per field and row cost more than the rest of the loop)."""
        namespace = {"iso_date": iso_date, "property_value": property_value}
        position = {column: index for index, column in enumerate(self.columns)}
        items = []
        for index, (name, kind, argument) in enumerate(self.steps):
            namespace[f"s{index}"] = argument
            a = f"a[{index}]"
            if kind == "unchanged":
                value = f"row[{position[argument]}]"
            elif kind == "date":
                value = f"iso_date(row[{position[argument]}])"
            elif kind == "float":
                value = f"(None if (v := row[{position[argument]}]) is None else float(v))"
            elif kind == "field":
                namespace[f"s{index}"] = argument[1].to_representation
                value = f"(None if (v := row[{position[argument[0]]}]) is None else s{index}(v))"
            elif kind == "property":
                value = f"property_value(stand_in, {argument[0]!r}, s{index}[1])"
            elif kind == "link":
                value = f"str(row[{position[argument[2]]}]).join({a})"
            elif kind == "summary":
                slug, label = position[argument[1]], position[argument[2]]
                value = (
                    f"(None if (v := row[{slug}]) is None else {{'slug': v, 'name': row[{label}], 'url': v.join({a})}})"
                )
            elif kind == "many":
                value = f"({a}.get(row[0]) or [])"
            else:
                raise ValueError(kind)
            items.append(f"{name!r}: {value}")
        source = (
            "def assemble(rows, a, stand_ins):\n    return [{"
            + ", ".join(items)
            + "} for row, stand_in in zip(rows, stand_ins)]\n"
        )
        exec(compile(source, f"<values_read plan for {self.model.__name__}>", "exec"), namespace)
        return namespace["assemble"]


def iso_date(value):
    if not value:
        return None
    return value if isinstance(value, str) else value.isoformat()


def property_value(stand_in, attribute, field):
    value = getattr(stand_in, attribute)
    return None if value is None else field.to_representation(value)


def fetch_many(field, child, ids, links, using):
    """One query for the page: the through table joined to the related rows, in their default order (that of
    the viewsets' prefetches), as the dicts the child field would build, grouped by the row's id."""
    groups = defaultdict(list)
    if isinstance(child, SourceField):
        for parent, *values in related_rows(field, SOURCE_COLUMNS, ids, using):
            groups[parent].append(dict(zip(SOURCE_COLUMNS, values, strict=True)))
    else:
        parts = links(child.view_name, "slug")
        for parent, slug, label in related_rows(field, summary_columns(field.related_model), ids, using):
            groups[parent].append({"slug": slug, "name": label, "url": slug.join(parts)})
    return groups


# Compiling the related-rows query cost more than running it: its SQL is kept per database, relation, columns
# and page length (the ids are its only parameters), and run with the page's ids.
RELATED_SQL = {}
TEXT_TYPES = {"CharField", "SlugField", "TextField"}  # no value converters on any backend


def related_rows(field, columns, ids, using):
    """``(row id, *related columns)`` for every link of the ``ids`` through the many-to-many ``field``."""
    if not ids:
        return []
    key = (using, field, columns, len(ids))
    sql = RELATED_SQL.get(key)
    if sql is None:
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        ordering = [
            f"-{target}__{item[1:]}" if item.startswith("-") else f"{target}__{item}"
            for item in field.related_model._meta.ordering
        ]
        queryset = (
            field.remote_field.through._default_manager.db_manager(using)
            .filter(**{f"{source}__in": ids})
            .order_by(*ordering)
            .values_list(f"{source}_id", *(f"{target}__{column}" for column in columns))
        )
        sql, params = queryset.query.get_compiler(using=using).as_sql()
        plain = all(field.related_model._meta.get_field(column).get_internal_type() in TEXT_TYPES for column in columns)
        if not plain or list(params) != list(ids):
            return list(queryset)
        RELATED_SQL[key] = sql
    with connections[using].cursor() as cursor:
        cursor.execute(sql, ids)
        return cursor.fetchall()


def plan_field(plan, name, field, concrete, annotations):
    """Add what one serializer field needs to ``plan``; False where it cannot be read from values()."""
    model = plan.model
    if isinstance(field, LinkField):
        lookup = field.lookup
        plan.steps.append((name, "link", (field.link.view_name, lookup, plan.column(lookup))))
        return True
    if isinstance(field, SummaryField) and field.source in concrete and concrete[field.source].is_relation:
        related = concrete[field.source].related_model
        slug, label = (plan.column(f"{field.source}__{column}") for column in summary_columns(related))
        plan.steps.append((name, "summary", (field.view_name, slug, label)))
        return True
    if isinstance(field, ManyRelatedField) and type(field.child_relation) in (SummaryField, SourceField):
        m2m = {f.name: f for f in model._meta.many_to_many}.get(field.source)
        if m2m is None:
            return False
        plan.steps.append((name, "many", (m2m, field.child_relation)))
        return True
    if (field.source in concrete and not concrete[field.source].is_relation) or field.source in annotations:
        column = plan.column(field.source)
        is_column = field.source in concrete
        if is_column and type(field) in UNCHANGED:
            plan.steps.append((name, "unchanged", column))
        elif type(field) is drf_fields.DateField and getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601:
            plan.steps.append((name, "date", column))
        elif type(field) is drf_fields.FloatField:
            plan.steps.append((name, "float", column))
        else:
            plan.steps.append((name, "field", (column, field)))
        return True
    if "." not in field.source and isinstance(getattr(model, field.source, None), property):
        plan.steps.append((name, "property", (field.source, field)))
        plan.proxy = plan.proxy or model_properties(model)
        return True
    return False


@cache
def plan_for(serializer_class, annotations=frozenset()):
    """The plan for a serializer class over a queryset with these annotations; None when one of its fields
    needs a model instance (the viewset then serializes instances as usual)."""
    serializer = serializer_class()
    model = serializer.Meta.model
    plan = Plan(model)
    concrete = {field.name: field for field in model._meta.concrete_fields}
    for name, field in serializer.fields.items():
        if not field.write_only and not plan_field(plan, name, field, concrete, annotations):
            return None
    if plan.proxy is not None:  # a property may read any column or annotation: the stand-in gets them all
        for column in [*(field.attname for field in model._meta.concrete_fields), *sorted(annotations)]:
            plan.column(column)
    return plan


def list_response(view, queryset):
    """The list page of ``queryset`` (already filtered) built from values(), or None to let DRF do it."""
    plan = plan_for(view.get_serializer_class(), frozenset(queryset.query.annotations))
    if plan is None:
        return None
    rows = plan.values(queryset)
    if view.paginator is not None:
        view.paginator.count_queryset = queryset
    page = view.paginate_queryset(rows)
    if page is None:
        return Response(plan.render(list(rows), view.request, rows.db))
    return view.get_paginated_response(plan.render(page, view.request, rows.db))
