"""Related rows in the API: written as their natural key, read as a compact summary with a link."""

from rest_framework import serializers
from rest_framework.reverse import reverse


class NaturalKeyChoicesMixin:
    """The browsable API's form lists choices keyed by what a client writes (slug or URL), not by summary."""

    def get_choices(self, cutoff=None):
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {getattr(item, self.slug_field): self.display_value(item) for item in queryset}


class SummaryField(NaturalKeyChoicesMixin, serializers.SlugRelatedField):
    """A related row by slug on input; ``{slug, name, url}`` on output.

    The output needs only the related row itself, so a ``select_related``/``prefetch_related`` in the
    viewset is enough to avoid a query per row.
    """

    def __init__(self, view_name, **kwargs):
        self.view_name = view_name
        super().__init__(slug_field="slug", **kwargs)

    def to_representation(self, obj):
        return {
            "slug": obj.slug,
            "name": summary_name(obj),
            "url": reverse(self.view_name, kwargs={"slug": obj.slug}, request=self.context.get("request")),
        }


def summary_name(obj):
    return getattr(obj, "name", None) or obj.name_en


class SourceField(NaturalKeyChoicesMixin, serializers.SlugRelatedField):
    """A source by URL on input (it must already exist); ``{url, title, publisher, kind}`` on output."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="url", **kwargs)

    def to_representation(self, source):
        return {"url": source.url, "title": source.title, "publisher": source.publisher, "kind": source.kind}
