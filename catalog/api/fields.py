"""Related rows in the API: written as their natural key, read as a compact summary with a link."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.reverse import reverse

from catalog.capability import SYNTAX_HELP, CapabilityError, capability_class

PLACEHOLDER = "__key__"


class LinkBuilder:
    """``reverse()`` once per serializer, then string substitution: a 200-row page has ~1,000 links,
    and resolving each one took a quarter of the request."""

    def __init__(self, view_name, lookup):
        self.view_name, self.lookup, self.template = view_name, lookup, None

    def __call__(self, field, key):
        if self.template is None:
            request = field.context.get("request")
            self.template = reverse(self.view_name, kwargs={self.lookup: PLACEHOLDER}, request=request)
        return self.template.replace(PLACEHOLDER, str(key))


@extend_schema_field(OpenApiTypes.URI)
class LinkField(serializers.Field):
    """The API URL of the row itself (or of one of its sub-resources), read-only."""

    def __init__(self, view_name, lookup="slug", **kwargs):
        self.lookup = lookup
        self.link = LinkBuilder(view_name, lookup)
        super().__init__(source="*", read_only=True, **kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.link = LinkBuilder(self.link.view_name, self.lookup)  # a fresh template per serializer (request)

    def to_representation(self, obj):
        return self.link(self, getattr(obj, self.lookup))


PREFETCHED = "prefetched_{}"


class PrefetchedManyField(serializers.ManyRelatedField):
    """Reads the plain list ``Prefetch(name, to_attr="prefetched_<name>")`` left on a row.

    Going through the related manager instead costs a manager and a queryset clone per row, which
    was a third of a 200-row page.
    """

    def get_attribute(self, instance):
        prefetched = getattr(instance, PREFETCHED.format(self.source), None)
        return prefetched if prefetched is not None else super().get_attribute(instance)


class NaturalKeyChoicesMixin:
    """The browsable API's form lists choices keyed by what a client writes (slug or URL), not by summary."""

    def get_choices(self, cutoff=None):
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {getattr(item, self.slug_field): self.display_value(item) for item in queryset}

    @classmethod
    def many_init(cls, *args, **kwargs):
        # DRF's own many_init, building the prefetch-aware list field instead of ManyRelatedField.
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return PrefetchedManyField(child_relation=cls(*args, **kwargs), **list_kwargs)


class SummaryField(NaturalKeyChoicesMixin, serializers.SlugRelatedField):
    """A related row by slug on input; ``{slug, name, url}`` on output.

    The output needs only the related row itself, so a ``select_related``/``prefetch_related`` in the
    viewset is enough to avoid a query per row.
    """

    def __init__(self, view_name, **kwargs):
        self.view_name = view_name
        self.link = LinkBuilder(view_name, "slug")
        super().__init__(slug_field="slug", **kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.link = LinkBuilder(self.view_name, "slug")

    def to_representation(self, obj):
        return {"slug": obj.slug, "name": summary_name(obj), "url": self.link(self, obj.slug)}


def summary_name(obj):
    return getattr(obj, "name", None) or obj.name_en


class SourceField(NaturalKeyChoicesMixin, serializers.SlugRelatedField):
    """A source by URL on input (it must already exist); ``{url, title, publisher, kind}`` on output."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="url", **kwargs)

    def to_representation(self, source):
        return {"url": source.url, "title": source.title, "publisher": source.publisher, "kind": source.kind}


class CapabilityField(serializers.CharField):
    """A capability class: a preset or ``<evaluation>:<threshold>`` (``catalog.capability``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", SYNTAX_HELP)
        super().__init__(max_length=80, **kwargs)

    def run_validation(self, data=serializers.empty):
        text = super().run_validation(data)  # a bounded string first, then the class it names
        if not text:
            return None
        try:
            return capability_class(text)
        except CapabilityError as error:
            raise serializers.ValidationError(str(error)) from error
