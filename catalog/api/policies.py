"""Who may do what through the API, and how much of it at once: permissions and pagination (rates: throttles)."""

from django.core.paginator import Paginator
from rest_framework import pagination, permissions


class ReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS


class StaffWithModelPermissions(permissions.DjangoModelPermissions):
    """Writes need a staff account holding the admin's add/change/delete permission for that table."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_staff) and super().has_permission(request, view)


ReadOnlyOrStaffWithModelPermissions = ReadOnly | StaffWithModelPermissions


class BoundedPageNumberPagination(pagination.PageNumberPagination):
    """?page=N&page_size=M; a page size above the maximum is clamped to it, not refused."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    # Set by the values() read path (catalog/api/values_read.py) to the filtered queryset before its columns were
    # chosen: counting that needs none of the joins the page's columns do (a chip's vendor and foundry names).
    count_queryset = None

    def django_paginator_class(self, object_list, per_page):
        paginator = Paginator(object_list, per_page)
        if self.count_queryset is not None:
            paginator.count = self.count_queryset.count()
        return paginator
