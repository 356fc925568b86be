"""Who may do what through the API, and how much: permissions, throttling, pagination."""

from rest_framework import pagination, permissions, throttling
from rest_framework.settings import api_settings

from landscape.client_ip import client_ip


class ReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS


class StaffWithModelPermissions(permissions.DjangoModelPermissions):
    """Writes need a staff account holding the admin's add/change/delete permission for that table."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_staff) and super().has_permission(request, view)


ReadOnlyOrStaffWithModelPermissions = ReadOnly | StaffWithModelPermissions


class AnonymousRateThrottle(throttling.AnonRateThrottle):
    """DRF copies the rates into the class at import; read them per request so a settings change applies."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        """The client behind trusted proxies: the same address the login lockout counts."""
        return client_ip(request)


class BoundedPageNumberPagination(pagination.PageNumberPagination):
    """?page=N&page_size=M; a page size above the maximum is clamped to it, not refused."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
