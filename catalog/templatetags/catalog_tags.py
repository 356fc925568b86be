"""Formatting for people: figures from the registry, confidence badges, sortable headers, query strings.

``{{ value|figure:"bf16_flops" }}`` writes any figure the one way ``catalog.figures`` says; the older filters
(``si``, ``count``, ``money``...) remain for numbers that are not a registered figure.
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog import formatting
from catalog.choices import Confidence
from catalog.comparisons import compare_models, least_certain
from catalog.figures import DERIVED_METRICS, FIGURES, format_estimate
from catalog.plotly_bundles import bundle_for

register = template.Library()
register.filter("si", formatting.si)
register.filter("count", formatting.count)
register.filter("money", formatting.money)
register.filter("price", formatting.price)
register.filter("span", formatting.span)
register.filter("duration", formatting.duration)
register.filter("percent", formatting.percent)
register.filter("when", formatting.when)
register.filter("country", formatting.country_name)

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
def sortable_header(context, field, label, css=""):
    """A ``<th>`` that sorts by ``field``, reverses on the next click, and tells screen readers the order.

    ``css`` classes the header like its cells ("num" right-aligns a column of numbers).
    """
    current = context["request"].GET.get("ordering", "")
    if current == field:
        target, state, arrow = f"-{field}", "ascending", " ▲"
    elif current == f"-{field}":
        target, state, arrow = field, "descending", " ▼"
    else:
        target, state, arrow = field, "none", ""
    href = query_with(context, ordering=target, page=None)
    return format_html(
        '<th scope="col"{} aria-sort="{}"><a href="{}">{}{}</a></th>',
        format_html(' class="{}"', css) if css else "",
        state,
        href,
        label,
        arrow,
    )


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


@register.simple_tag
def other_names(item, detail=False):
    """A row's other names, each once and only where it adds something to the name already shown.

    Korean pages name a row in Korean where it has a Korean name, so the English name follows it; English pages
    keep their lists in English and give the Korean (or local-script) name on the detail page, labelled.
    """
    if not hasattr(item, "name"):  # a glossary concept: bilingual by design, its other name always beside it
        return format_html(' <span class="muted">{}</span>', item.other_name)
    name, name_ko, local = item.name, getattr(item, "name_ko", ""), getattr(item, "local_name", "")
    shown = {item.display_name}
    names = []
    if get_language() == "ko":
        if name not in shown:
            names.append((_("English name"), "en", name))
    elif detail and name_ko and name_ko not in shown:
        names.append((_("Korean name"), "ko", name_ko))
    # A local-script name (通义千问) only where there is no Korean name: beside one, it repeats it in part.
    if detail and local and not name_ko and local not in {*shown, name}:
        names.append((_("Local name"), "", local))
    if not names:
        return ""
    if detail:
        return format_html(
            '<p class="other-names muted">{}</p>',
            format_html_join(" · ", '{}: <span lang="{}">{}</span>', names),
        )
    return format_html_join("", ' <span class="muted" lang="{}">{}</span>', (name[1:] for name in names))


@register.filter
def figure(value, name):
    """``{{ chip.bf16_flops|figure:"bf16_flops" }}`` -> "989 TFLOP/s"; empty for unknown values (use ``default``)."""
    return FIGURES[name].format(value)


@register.simple_tag
def figure_cell(value, name, confidence):
    """A table cell for one figure, marked with its row's confidence; an unknown value is a plain "—" in an
    ``unknown`` cell, with no confidence to show (so no "≈ —" for an estimated row)."""
    if value in (None, ""):
        return mark_safe('<td class="num unknown">—</td>')  # a constant
    return format_html('<td class="num confidence-{}">{}</td>', confidence, FIGURES[name].format(value))


BETTER_WORDS = {"higher": _("Higher is better"), "lower": _("Lower is better")}
BETTER_ARROWS = {"higher": "↑", "lower": "↓"}


@register.simple_tag
def better_marker(better):
    """An arrow saying which direction of a figure is better, with the words for screen readers and hover."""
    if better not in BETTER_WORDS:
        return ""
    words = BETTER_WORDS[better]
    return format_html(
        ' <span class="better" title="{}" aria-hidden="true">{}</span><span class="visually-hidden">({})</span>',
        words,
        BETTER_ARROWS[better],
        words,
    )


@register.simple_tag
def model_comparison(models):
    """``{% model_comparison compared_models as rows %}``: the models' figures side by side (comparisons)."""
    return compare_models(models)


@register.filter
def figure_text(text, name):
    """A figure kept as text (a discrepancy's value): formatted when it is a registered number, else as it is."""
    registered = FIGURES.get(name)
    if registered is None or registered.kind in ("choice", "date"):
        return text
    try:
        return registered.format(float(text))
    except (TypeError, ValueError):
        return text


@register.filter
def estimate(value, unit):
    """``{{ step.value|estimate:step.unit }}``: an estimator's value as the registry writes its unit."""
    return format_estimate(value, unit)


@register.simple_tag
def figure_label(name):
    return FIGURES[name].label


@register.simple_tag
def fact(obj, field, unit=""):
    """One stored figure: label, value in human units, the row's confidence and source links. Empty if unknown.

    Label and format come from ``catalog.figures`` (``unit`` is kept for old callers and ignored); a field
    with choices shows its label.
    """
    value = getattr(obj, field)
    if value in (None, ""):
        return ""
    registered = FIGURES[field]
    label = capfirst(registered.label)
    if obj._meta.get_field(field).choices:
        return format_html(
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
            label,
            getattr(obj, f"get_{field}_display")(),
            confidence_badge(obj.confidence),
        )
    return format_html(
        '<tr><th scope="row">{}</th><td class="num confidence-{}">{}</td><td>{} {}</td></tr>',
        label,
        obj.confidence,
        registered.format(value),
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
        metric.format(value),
        confidence_badge(confidence),
        FIGURES[metric.numerator].label,
        FIGURES[metric.denominator].label,
        source_links(chip),
    )


@register.simple_tag
def chart_scripts(figures):
    """The chart script for a page that draws ``figures`` (a list of figure_context entries, or a dict of them),
    naming the smallest plotly.js bundle that draws them; nothing on a page without figures. Both load
    ``defer``red; charts.js fetches the bundle itself, only once a chart is about to come into view."""
    entries = list(figures.values()) if isinstance(figures, dict) else list(figures or ())
    bundle = bundle_for([entry["json"] for entry in entries])
    if bundle is None:
        return ""
    return format_html(
        '<script src="{}" defer></script>\n<script src="{}" data-plotly="{}" defer></script>',
        static("catalog/plotly_template.js"),
        static("catalog/charts.js"),
        static(bundle),
    )
