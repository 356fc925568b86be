"""The site's error pages: the project owns them, since they answer for every app's URLs and for none."""

from django.http import JsonResponse
from django.views.defaults import page_not_found


def not_found(request, exception):
    """Django's 404 handler: JSON under /api/ (a path the router does not match), the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
