"""A searchable picker for choosing catalog rows, and the small widgets the website's filter forms use.

Why: a ``<select>`` lists every row of its table (18,500 models would make a 50-row page 1.5 MB of options)
and needs Ctrl-click for several. The picker's HTML holds only the rows already chosen; the rest are found
by typing, through the search endpoint ``catalog:pick`` (``catalog/views/pick.py``).

Without JavaScript the picker is a text input taking slugs or names separated by commas. With
``catalog/picker.js`` (loaded by ``{{ form.media }}``) it becomes an ARIA combobox: type to search, Enter or
click to add, one removable chip per choice; each chip carries a hidden ``<input name=... value=slug>``, so
the submitted query (``?model=a&model=b``) is the one the API reads too.

Use on any form field keyed by slug::

    from catalog.widgets import PickerChoiceField, PickerMultipleChoiceField

    model = PickerChoiceField(kind="models", queryset=FoundationModel.objects.all(), label=_("Model"))
    hardware = PickerMultipleChoiceField(kind="hardware", queryset=Hardware.objects.accelerators())

These are ``ModelChoiceField`` / ``ModelMultipleChoiceField`` with ``to_field_name="slug"``, the picker as
widget, and names accepted as well as slugs (what a reader types without JavaScript). On a stock field keyed
by slug, the widget alone also works (slugs only without JavaScript)::

    forms.ModelMultipleChoiceField(queryset=..., to_field_name="slug", widget=PickerMultiple(kind="models"))

``kind`` names the endpoint's table (``catalog.views.pick.KINDS``: models, hardware, accelerators,
organizations, providers, vendors); choose the one whose rows the field's queryset holds. Put
``{{ form.media }}`` in the page's ``{% block head %}`` to load the script (a static file: the CSP allows it).
"""

import json

from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BaseCSVWidget

MAX_PICKED = 50  # values a picker takes in one request: more is a 400, not a query with 10,000 slugs


def split_values(values):
    """Each submitted value split on commas (the no-JavaScript text input), blanks dropped."""
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def row_label(row):
    return getattr(row, "display_name", None) or str(row)


class Picker(forms.Widget):
    """One catalog row, chosen by typing. The field must be keyed by slug (``to_field_name="slug"``)."""

    multiple = False

    class Media:
        js = ["catalog/picker.js"]

    def __init__(self, *, kind, attrs=None):
        self.kind = kind
        self.choices = ()  # a ModelChoiceField sets its ModelChoiceIterator here; only its queryset is read
        super().__init__(attrs)

    def values(self, value):
        if value in (None, ""):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(item) for item in values if item not in (None, "")]

    def chosen(self, values):
        """[{"value", "label"}] of the chosen rows, in the order given; a value no row has is kept as typed."""
        queryset = getattr(self.choices, "queryset", None)
        rows = {}
        if values and queryset is not None:
            for row in queryset.filter(Q(slug__in=values) | Q(name__in=values))[: len(values) * 2]:
                rows.setdefault(row.slug, row)
                rows.setdefault(row.name, row)
        return [
            {"value": rows[value].slug, "label": row_label(rows[value])}
            if value in rows
            else {"value": value, "label": value}
            for value in values
        ]

    def render(self, name, value, attrs=None, renderer=None):
        """A text input (the no-JavaScript form) in a box whose data- attributes tell picker.js the rest.

        Rendered here rather than from a template: the default form renderer does not see the project's
        template folder.
        """
        chosen = self.chosen(self.values(value))
        input_attrs = self.build_attrs(self.attrs, attrs)
        input_attrs.update(
            {
                "type": "text",
                "name": name,
                "value": ", ".join(item["value"] for item in chosen),
                "autocomplete": "off",
                "spellcheck": "false",
            }
        )
        return format_html(
            '<div class="picker" data-picker-url="{}" data-picker-multiple="{}" data-picker-chosen="{}" '
            'data-picker-remove="{}" data-picker-placeholder="{}" data-picker-none="{}"><input{}></div>',
            reverse("catalog:pick", args=[self.kind]),
            "true" if self.multiple else "false",
            json.dumps(chosen, ensure_ascii=False),
            _("Remove"),
            _("Type to search") if self.multiple else _("Type a name"),
            _("Nothing matches."),
            flatatt(input_attrs),
        )

    def value_from_datadict(self, data, files, name):
        values = split_values(data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")])
        return values[0] if values else None

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class PickerMultiple(Picker):
    """Several catalog rows; repeated parameters and comma-separated text both read as a list."""

    multiple = True

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return split_values(data.getlist(name))
        value = data.get(name)
        return split_values(value if isinstance(value, list) else [value or ""])

    def value_omitted_from_data(self, data, files, name):
        return False  # like SelectMultiple: an absent list is an empty choice


class NamesOrSlugsMixin:
    """A name typed in the no-JavaScript text box is read as the row of that name (slugs are tried first)."""

    def names_to_slugs(self, values):
        names = [value for value in values if value]
        known = set(self.queryset.filter(slug__in=names).values_list("slug", flat=True))
        unknown = [value for value in names if value not in known]
        if not unknown:
            return values
        by_name = {}
        for name in unknown:
            row = self.queryset.filter(name__iexact=name).order_by("pk").first()
            if row is not None:
                by_name[name] = row.slug
        return [by_name.get(value, value) for value in values]


class PickerChoiceField(NamesOrSlugsMixin, forms.ModelChoiceField):
    def __init__(self, *, kind, queryset, **kwargs):
        kwargs.setdefault("widget", Picker(kind=kind))
        super().__init__(queryset, to_field_name="slug", **kwargs)

    def to_python(self, value):
        if value not in self.empty_values:
            value = self.names_to_slugs([str(value)])[0]
        return super().to_python(value)


class PickerMultipleChoiceField(NamesOrSlugsMixin, forms.ModelMultipleChoiceField):
    default_error_messages = {"too_many": _("Choose at most %(limit)s.")}

    def __init__(self, *, kind, queryset, **kwargs):
        kwargs.setdefault("widget", PickerMultiple(kind=kind))
        super().__init__(queryset, to_field_name="slug", **kwargs)

    def clean(self, value):
        if value and len(value) > MAX_PICKED:
            raise forms.ValidationError(self.error_messages["too_many"], code="too_many", params={"limit": MAX_PICKED})
        if value:
            value = self.names_to_slugs([str(item) for item in value])
        return super().clean(value)


class HiddenCSVInput(BaseCSVWidget, forms.HiddenInput):
    """Keeps a comma-separated value (the table headers' sort order) through a form submit; nothing when empty."""

    surrogate = forms.HiddenInput

    def render(self, name, value, attrs=None, renderer=None):
        if not value or value == [""]:
            return ""
        return super().render(name, value, attrs, renderer)
