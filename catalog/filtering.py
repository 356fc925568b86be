"""The building blocks of the FilterSets in ``catalog.filters``: typed quantity and slug filters, sorting with
unknown values last, the search every set carries, and the website's form (``CatalogFilterSet.adapt_for_site``:
labels in words, the picker, checkboxes; the API keeps its own parameters and help texts)."""

import re

import django_filters as filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F
from django.forms.utils import pretty_name
from django.http import QueryDict
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import RangeField
from drf_spectacular.utils import extend_schema_field
from rest_framework.request import Request

from catalog import search
from catalog.capability import SYNTAX_HELP, CapabilityClass, CapabilityError, capability_class, preset_choices
from catalog.choices import Confidence
from catalog.models.hardware import DERIVED_METRICS
from catalog.quantities import QuantityField, QuantityRangeField
from catalog.widgets import HiddenCSVInput, PickerMultipleChoiceField

MAX_SEARCH_WORDS = 8


class IntegerRangeField(RangeField):
    """Two bounded whole numbers: a year of 0 or a count past 64 bits is a 400, not a database error."""

    def __init__(self, *args, min_value=None, max_value=None, **kwargs):
        bounds = [forms.IntegerField(min_value=min_value, max_value=max_value) for _ in range(2)]
        super().__init__(bounds, *args, **kwargs)


class IntegerRangeFilter(filters.RangeFilter):
    field_class = IntegerRangeField


class QuantityFilter(filters.Filter):
    """One bound typed as a person writes it: "70B", "1e11", "3.35 TB/s"."""

    field_class = QuantityField


class QuantityRangeFilter(filters.RangeFilter):
    """``name_min`` / ``name_max``, each typed as a person writes it."""

    field_class = QuantityRangeField


QUANTITY_HELP = _("A number, or 70B, 1.5T, 1e11, 70 billion, 1,750억.")


def quantity(filter_class, openapi_type, **kwargs):
    """A quantity filter; the schema keeps the number type it had and says which spellings are read too."""
    filter_ = filter_class(**kwargs)
    help_text = format_lazy("{} {}", kwargs.get("help_text", ""), QUANTITY_HELP)
    schema = {"type": openapi_type, "minimum": 0, "description": help_text}
    return extend_schema_field(schema)(filter_)


BIGINT_MAX = 2**63 - 1  # the largest count a BigIntegerField holds: more is a form error, not a database error


def count_range(*, label, help_text, max_value=BIGINT_MAX, **kwargs):
    """A from-to range of a whole count (parameters, tokens), typed as people write it: "7B" to "1T"."""
    return quantity(
        QuantityRangeFilter, "integer", label=label, help_text=help_text, integer=True, max_value=max_value, **kwargs
    )


def typed(filter_, openapi_type):
    """Tell the schema generator a filter's type where it cannot infer it (a lookup path, a slug)."""
    return extend_schema_field({"type": openapi_type, "description": filter_.extra.get("help_text", "")})(filter_)


def field_label(model, name):
    """A sortable column's label, lazy so it follows the reader's language: its verbose name, or the metric's."""
    if name in DERIVED_METRICS:
        return DERIVED_METRICS[name].label
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # an annotation
        return pretty_name(name)


class NullsLastOrderingFilter(filters.OrderingFilter):
    """Unknown values sort last in both directions (PostgreSQL would put them first when descending)."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = F(self.param_map[param.lstrip("-")])
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)

    def filter(self, qs, value):
        params = [param for param in value or () if param]  # "?ordering=name," leaves an empty one
        if not params:
            return qs
        # The primary key last keeps pages stable when many rows tie.
        return qs.order_by(*[self.get_ordering_value(param) for param in params], "pk")


def ordering(model, *fields, labels=None, annotated=None):
    """Sorting by ``fields`` of ``model``. The labels are given lazily: django-filter's own would be fixed in
    English when the class is defined. ``labels``: a field's label where its verbose name will not do.
    ``annotated``: parameter -> annotation the FilterSet adds to its queryset (sorted by, never shown)."""
    given, labels = labels or {}, {}
    for field in (*fields, *(annotated or {})):
        labels[field] = given.get(field) or field_label(model, field)
        labels[f"-{field}"] = format_lazy(_("{} (descending)"), labels[field])
    return NullsLastOrderingFilter(
        fields=[(field, field) for field in fields] + [(name, param) for param, name in (annotated or {}).items()],
        field_labels=labels,
        label=_("Sort by"),
        help_text=_("Sort by these fields; prefix '-' to reverse."),
    )


def slugs(field_name, queryset, help_text, label=None, *, picker):
    """Related rows named by slug; repeat the parameter for several (any of them matches).

    ``picker``: the kind of row the website's picker searches (``catalog.views.pick.KINDS``).
    """
    # The predicate is built from ``to_field_name``'s value, so the path must end at the slug too.
    slug_filter = filters.ModelMultipleChoiceFilter(
        label=label,
        field_name=f"{field_name}__slug",
        to_field_name="slug",
        queryset=queryset,
        distinct=True,
        help_text=format_lazy("{} {}", help_text, _("Repeat for several.")),
    )
    slug_filter.picker_kind = picker
    return typed(slug_filter, "string")


SERIES_SEPARATORS = r"[\s._-]+"


def series_pattern(value):
    """A regular expression (Python's and PostgreSQL's alike) for names holding ``value``'s words at a word start:
    "Llama 3" -> Llama 3, Llama 3.1, Llama-3.2-90B, llama3-2-11b; not Llama 30B nor Code Llama 7B. None if empty."""
    words = [re.escape(word) for word in re.split(SERIES_SEPARATORS, value.strip()) if word][:MAX_SEARCH_WORDS]
    if not words:
        return None
    return "(^|[^0-9a-z])" + "[ ._-]*".join(words) + "([^0-9a-z]|$)"


def choices(field_name, choice_class, help_text):
    return filters.MultipleChoiceFilter(field_name=field_name, choices=choice_class.choices, help_text=help_text)


def for_website(request):
    """A list page's request, not the API's: DRF's filter backend hands the FilterSet its own Request."""
    return request is not None and not isinstance(request, Request)


SITE_CHOICE_WIDGETS = (forms.SelectMultiple,)


class CatalogFilterSet(filters.FilterSet):
    search_fields: tuple[str, ...] = ()
    # What the website's form shows instead of the API's words: filter name -> (label, help text).
    site_text: dict = {}
    # Values the website applies when the reader gives none (the API applies none): filter name -> value.
    site_defaults: dict = {}
    site_order: tuple[str, ...] = ("search",)  # the website form's first fields; the rest follow in their order

    search = filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Words that must all appear in the names or descriptions."),
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        self.on_site = for_website(request)
        if self.on_site and self.site_defaults:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            for name, value in self.site_defaults.items():
                if name not in data:
                    data[name] = value
        super().__init__(data, queryset, request=request, prefix=prefix)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            if self.on_site:
                self.adapt_for_site(form)
        return self._form

    def adapt_for_site(self, form):
        """The website's form: the same parameters, in a reader's words and controls (see the module docstring)."""
        for name, field in list(form.fields.items()):
            filter_ = self.filters[name]
            kind = getattr(filter_, "picker_kind", None)
            if kind:
                field = form.fields[name] = PickerMultipleChoiceField(
                    kind=kind, queryset=field.queryset, required=False, label=field.label, help_text=field.help_text
                )
            elif isinstance(filter_, CapabilityFilter):
                field.widget = capability_widget()
            elif isinstance(filter_, filters.OrderingFilter):
                field.widget = HiddenCSVInput()  # the table headers sort; the form keeps their order on submit
            elif isinstance(field.widget, SITE_CHOICE_WIDGETS):
                field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
            elif isinstance(field, QuantityRangeField):
                for widget, placeholder in zip(
                    field.widget.widgets, (_("from, e.g. 7B"), _("to, e.g. 1T")), strict=True
                ):
                    widget.attrs["placeholder"] = placeholder
            elif isinstance(filter_, filters.DateFromToRangeFilter):
                for widget in field.widget.widgets:
                    widget.input_type = "date"
            elif isinstance(filter_, filters.DateFilter):
                field.widget.input_type = "date"
            if name in self.site_text:
                field.label, field.help_text = self.site_text[name]
        form.order_fields([name for name in self.site_order if name in form.fields])

    @property
    def api_query(self):
        """The query string that asks the API for the rows this page lists (the website's defaults included)."""
        if self.data is None:
            return ""
        query = self.data.copy() if hasattr(self.data, "copy") else QueryDict(mutable=True)
        query.pop("page", None)
        return query.urlencode()

    def filter_search(self, queryset, name, value):
        # One meaning of a match for the site search, the picker and every list (indexed on PostgreSQL).
        return search.matching(queryset, value, fields=self.search_fields)


class SourcedFilterSet(CatalogFilterSet):
    confidence = choices("confidence", Confidence, _("How far the row can be trusted."))


PERIOD_SITE_TEXT = {
    "as_of": (_("In force on"), _("Only prices in force on this date.")),
    "current": (_("Current or past"), ""),
    "confidence": (_("Confidence"), _("How far the figure can be trusted.")),
    "search": (_("Search"), _("Words to look for in the names.")),
}


class EffectivePeriodFilterSet(SourcedFilterSet):
    as_of = filters.DateFilter(
        label=_("In force on"),
        method="filter_as_of",
        help_text=_("Only prices in force on this date (effective_from <= date < effective_to)."),
    )
    current = filters.BooleanFilter(
        label=_("Current"),
        method="filter_current",
        help_text=_("true: only prices in force today; false: only past or future ones."),
    )

    def filter_as_of(self, queryset, name, value):
        return queryset.in_force_on(value)

    def adapt_for_site(self, form):
        super().adapt_for_site(form)
        form.fields["current"].widget = forms.Select(
            choices=[("", _("Any")), ("true", _("In force today")), ("false", _("Past or future"))]
        )

    def filter_current(self, queryset, name, value):
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))


class CapabilitySelect(forms.Select):
    """The presets to pick from; a class typed into the URL (``mmlu:70``) is shown as one more option."""

    def get_context(self, name, value, attrs):
        if value and value not in {key for key, _label in self.choices}:
            self.choices = [*self.choices, (value, value)]
        return super().get_context(name, value, attrs)


class CapabilityField(forms.CharField):
    """A capability class (``catalog.capability``): a preset's key or ``<evaluation>:<threshold>``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Capability"))
        kwargs.setdefault("help_text", _("Only models whose sourced score reaches this level."))
        kwargs.setdefault("required", False)
        super().__init__(max_length=80, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return capability_class(text)
        except CapabilityError as error:
            raise forms.ValidationError(str(error), code="invalid") from error

    def prepare_value(self, value):
        return value.key if isinstance(value, CapabilityClass) else value


def capability_widget():
    return CapabilitySelect(choices=[("", _("Any capability")), *preset_choices()])


class CapabilityFilter(filters.Filter):
    """Rows whose model is in a capability class; ``field_name`` is the path to the model's id."""

    field_class = CapabilityField

    def filter(self, queryset, value):
        if value is None:
            return queryset
        return value.filter(queryset, self.field_name)  # one EXISTS per row: no repeated rows


def capability(field_name="pk", help_text=None):
    filter_ = CapabilityFilter(
        field_name=field_name,
        label=_("Capability"),
        help_text=help_text or format_lazy("{} {}", _("Only rows of models in this capability class."), SYNTAX_HELP),
    )
    return typed(filter_, "string")
