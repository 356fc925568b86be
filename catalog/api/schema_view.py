"""The served OpenAPI schema (kept apart from schema.py, which DRF imports while its views are defined)."""

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

from catalog.cache.responses import release


class CachedSchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per release, language and API version in each process.

    Generating it walks every view and serializer (about 230 ms); it changes only with the code, which
    ``release()`` names. The data never enters it, so the data version is not part of the key.
    """

    generated = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (release(), translation.get_language(), version, self.serve_public)
        schema = self.generated.get(key)
        if schema is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            schema = self.generated[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'})
