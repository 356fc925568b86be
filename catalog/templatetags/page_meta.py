"""What a page says about itself to search engines and link previews (base.html's ``<head>``): a one-line
description, its canonical address and the same page in each language (``hreflang``).

English lives at the plain URLs and Korean under /ko/ (``i18n_patterns``); a page outside them (the API docs,
the admin) has no other language and gets no language links.
"""

import html

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import escape, format_html, format_html_join, strip_tags
from django.utils.http import escape_leading_slashes, urlencode
from django.utils.translation import get_language

register = template.Library()

# About what a search result shows of a description before cutting it.
DESCRIPTION_LENGTH = 160


@register.filter
def meta_description(markup, length=DESCRIPTION_LENGTH):
    """A page's ``{% block description %}`` as one line of plain text for a ``content`` attribute: tags dropped,
    whitespace collapsed, cut at a word boundary within ``length`` characters, escaped once.

    The block renders like any template text (database strings in it are escaped), so it is unescaped here
    before cutting: a cut never splits an entity, and ``&amp;`` is not counted as five characters.
    """
    text = " ".join(html.unescape(strip_tags(str(markup))).split())
    if len(text) > length:
        cut = text[: length - 1]  # room for the ellipsis
        if text[length - 1] != " ":  # the cut fell inside a word: drop it, unless that leaves too little
            at_word = cut.rsplit(" ", 1)[0]
            cut = at_word if len(at_word) > length // 2 else cut
        text = cut.rstrip(" ,;:·—–-(") + "…"
    return escape(text)


@register.filter
def display_names(rows):
    """Rows' names in the reader's language, joined: ``{{ model.organizations.all|display_names }}``."""
    return ", ".join(row.display_name for row in rows)


def normalised_query(request):
    """The query string with its parameters in one order, as the response cache's key has them
    (catalog/cache/responses.py): a stored page names the same URLs whichever order its first reader wrote."""
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    return f"?{query}" if query else ""


def language_urls(request):
    """{language code: absolute URL of this page in that language}, or {} for a page outside ``i18n_patterns``."""
    # A path such as //host/... reads as a host to urlsplit (inside translate_url): escape it first.
    path = escape_leading_slashes(request.path_info) + normalised_query(request)
    urls = {code: translate_url(path, code) for code, _name in settings.LANGUAGES}
    if len(set(urls.values())) < len(urls):  # translate_url leaves an unknown or unprefixed path as it is
        return {}
    return {code: request.build_absolute_uri(url) for code, url in urls.items()}


@register.simple_tag(takes_context=True)
def page_links(context):
    """``<link rel="canonical">`` to this page in its language, and ``rel="alternate"`` to it in every language,
    with ``x-default`` the site's default language (English, at the plain URLs)."""
    request = context.get("request")
    urls = language_urls(request) if request is not None else {}
    if not urls:
        return ""
    alternates = [*urls.items(), ("x-default", urls[settings.LANGUAGE_CODE])]
    return format_html(
        '<link rel="canonical" href="{}">\n  {}',
        urls.get(get_language(), urls[settings.LANGUAGE_CODE]),
        format_html_join("\n  ", '<link rel="alternate" hreflang="{}" href="{}">', alternates),
    )
