"""OpenAPI details drf-spectacular cannot infer: summary fields, CSV bodies and the error responses."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes

from catalog.choices import SourceKind

ERROR_SCHEMA = build_object_type(
    properties={"detail": build_basic_type(OpenApiTypes.STR)},
    required=["detail"],
    description="What went wrong.",
)
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Messages per field (or 'non_field_errors'), each a list of strings.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
BAD_REQUEST_SCHEMA = {"anyOf": [FIELD_ERRORS_SCHEMA, ERROR_SCHEMA]}
CSV_SCHEMA = {"type": "string", "description": "CSV with a header row; related rows by slug, several joined by ' | '."}


class SummaryFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "catalog.api.fields.SummaryField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "string", "description": "Slug of the related row."}
        return build_object_type(
            properties={
                "slug": build_basic_type(OpenApiTypes.STR),
                "name": build_basic_type(OpenApiTypes.STR),
                "url": build_basic_type(OpenApiTypes.URI),
            },
            required=["slug", "name", "url"],
        )


class SourceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "catalog.api.fields.SourceField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "string", "format": "uri", "description": "URL of an existing source."}
        return build_object_type(
            properties={
                "url": build_basic_type(OpenApiTypes.URI),
                "title": build_basic_type(OpenApiTypes.STR),
                "publisher": build_basic_type(OpenApiTypes.STR),
                "kind": {"type": "string", "enum": SourceKind.values},
            },
            required=["url", "title", "publisher", "kind"],
        )


class CatalogAutoSchema(AutoSchema):
    """Adds the responses every client meets: 400/401/403/404/409/413/429, and CSV as plain text."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        errors = {"429": ("Too many requests from this client; retry later.", ERROR_SCHEMA)}
        if writes:
            errors["401"] = ("Not authenticated: send a token or log in.", ERROR_SCHEMA)
            errors["403"] = ("Authenticated, but not staff with the needed permission.", ERROR_SCHEMA)
        if (writes and self.method != "DELETE") or self._takes_query_parameters():
            errors["400"] = (
                "Invalid input: messages per field, or a detail for a body that cannot be parsed.",
                BAD_REQUEST_SCHEMA,
            )
        # Every operation can answer 404: an unknown row or page, or an unknown ?format= (DRF's negotiation).
        errors["404"] = ("No such row or page, or an unknown ?format=.", ERROR_SCHEMA)
        if self.method == "DELETE":
            errors["409"] = ("Other rows still refer to this one.", ERROR_SCHEMA)
        if writes:
            errors["413"] = (
                "The body is larger than this address accepts (by Content-Length, before it is read).",
                ERROR_SCHEMA,
            )
        for code, (description, schema) in errors.items():
            responses.setdefault(code, self._body(description, schema))
        for response in responses.values():
            if "text/csv" in response.get("content", {}):
                response["content"]["text/csv"] = {"schema": CSV_SCHEMA}
        return responses

    def get_auth(self):
        """Reads are public: say so, or clients (and Schemathesis) take every GET to need a token."""
        auth = super().get_auth()
        if self.method in ("GET", "HEAD", "OPTIONS") and {} not in auth:
            auth.append({})
        return auth

    def _body(self, description, schema):
        media_types = self.map_renderers("media_type")
        return {
            "description": description,
            "content": {
                media_type: {"schema": CSV_SCHEMA if media_type == "text/csv" else schema} for media_type in media_types
            },
        }

    def _takes_query_parameters(self):
        if self.method != "GET":
            return False
        has_filters = self._is_list_view() and bool(getattr(self.view, "filterset_class", None))
        # Parameters declared with extend_schema (a run's chip_limit and chip_offset) are validated too.
        return has_filters or hasattr(self.view, "query_serializer") or bool(self.get_override_parameters())
