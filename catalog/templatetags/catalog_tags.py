"""Formatting for people: SI prefixes with units, confidence badges, sortable headers, query strings."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog import formatting
from catalog.choices import Confidence
from catalog.comparisons import least_certain
from catalog.models.hardware import DERIVED_METRICS

register = template.Library()
register.filter("si", formatting.si)
register.filter("count", formatting.count)
register.filter("money", formatting.money)
register.filter("duration", formatting.duration)
register.filter("percent", formatting.percent)
register.filter("when", formatting.when)

CONFIDENCE_BADGES = {
    "reported": _("reported"),
    "derived": _("derived"),
    "estimated": _("estimate"),
    "speculative": _("speculative"),
}


@register.simple_tag
def confidence_badge(confidence):
    """Reported values plain; derived, estimated and speculative ones marked so they cannot be mistaken."""
    label = CONFIDENCE_BADGES.get(confidence, confidence)
    return format_html('<span class="badge confidence-{}">{}</span>', confidence, label)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None removes one); keeps filters in the URL."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None and value != "":
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sortable_header(context, field, label):
    """A ``<th>`` that sorts by ``field``, reverses on the next click, and tells screen readers the order."""
    current = context["request"].GET.get("ordering", "")
    if current == field:
        target, state, arrow = f"-{field}", "ascending", " ▲"
    elif current == f"-{field}":
        target, state, arrow = field, "descending", " ▼"
    else:
        target, state, arrow = field, "none", ""
    href = query_with(context, ordering=target, page=None)
    return format_html('<th scope="col" aria-sort="{}"><a href="{}">{}{}</a></th>', state, href, label, arrow)


@register.simple_tag
def provenance(obj):
    """A row's confidence badge followed by numbered links to its sources."""
    return format_html("{} {}", confidence_badge(obj.confidence), source_links(obj))


@register.simple_tag
def source_links(obj):
    """Numbered links to the row's sources, matching the numbered list at the foot of the page."""
    return format_html_join(
        "",
        '<a class="source-ref" href="{}" title="{}">[{}]</a>',
        ((source.url, source.title, number) for number, source in enumerate(obj.sources.all(), start=1)),
    )


# Units as stored (and named in the API) -> their symbol on a page: 80e9 "byte" reads "80 GB".
SHORT_UNITS = {"byte": "B", "byte/s": "B/s"}


def formatted(value, unit):
    if unit == "count":
        return formatting.count(value)
    if unit == "date":
        return formatting.when(value)
    if unit in ("USD",):
        return formatting.money(value)
    if unit == "tokens":
        return f"{value:,} {gettext('tokens')}"
    if unit in ("nm", "mm²", "W", ""):
        return f"{value:,.6g} {unit}".strip()
    return formatting.si(value, SHORT_UNITS.get(unit, unit))


@register.simple_tag
def fact(obj, field, unit=""):
    """One stored figure: label, value in human units, the row's confidence and source links. Empty if unknown.

    A field with choices shows its label.
    """
    value = getattr(obj, field)
    if value in (None, ""):
        return ""
    model_field = obj._meta.get_field(field)
    label = model_field.verbose_name
    if model_field.choices:
        return format_html(
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
            capfirst(label),
            getattr(obj, f"get_{field}_display")(),
            confidence_badge(obj.confidence),
        )
    return format_html(
        '<tr><th scope="row">{}</th><td class="num confidence-{}">{}</td><td>{} {}</td></tr>',
        capfirst(label),
        obj.confidence,
        formatted(value, unit),
        confidence_badge(obj.confidence),
        source_links(obj),
    )


@register.simple_tag
def derived_fact(chip, name):
    """A ratio from ``DERIVED_METRICS``: marked derived, with the figures it is computed from."""
    metric = DERIVED_METRICS[name]
    value = getattr(chip, name, None)
    if value is None:
        return ""
    confidence = least_certain(Confidence.DERIVED, chip.confidence)
    return format_html(
        '<tr><th scope="row">{}</th><td class="num confidence-{}">{}</td>'
        '<td>{} <span class="muted">= {} / {}</span> {}</td></tr>',
        metric.label,
        confidence,
        formatting.si(value, "") + " " + metric.unit,
        confidence_badge(confidence),
        chip._meta.get_field(metric.numerator).verbose_name,
        chip._meta.get_field(metric.denominator).verbose_name,
        source_links(chip),
    )
